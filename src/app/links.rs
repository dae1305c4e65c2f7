//! Customers' self-service links (docs/self-service.md): staff issue one for an
//! appointment; every message to a customer carries one; a customer's request opens one
//! (the token is the credential) into the appointment and organization it is bound to.
//! Whether a link opens is decided at each use from the appointment as it is then.

use chrono::{DateTime, Utc};

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::customer_link::{self, Dead};
use crate::domain::{Actor, AppointmentStatus};
use crate::error::{Code, Error};
use crate::link_token;
use crate::repo::appointments::{self as rows, AppointmentRow};
use crate::repo::customer_links::{self, LinkRow};
use crate::repo::outbox::{self, MessageContext, MessageRow};
use crate::repo::{from_db, new_id, policies, to_db};

/// A link just issued: its token is shown once and kept nowhere.
#[derive(Debug)]
pub struct Issued {
    pub id: String,
    pub appointment_id: String,
    pub token: String,
    /// Until when it opens, as the appointment and its policy are now (a move or a
    /// no-show later changes it).
    pub expires_at: DateTime<Utc>,
}

/// Until when a link to `row` opens: its end (or no-show mark) plus the policy's no-show
/// rebooking window, read from the policy in force now.
fn expires_at(
    conn: &mut DbConnection,
    org: &str,
    row: &AppointmentRow,
) -> Result<DateTime<Utc>, Error> {
    let window = policies::resolve(conn, org, &row.location_id, &row.service_id)?
        .and_then(|(_, p)| p.body.to_policy().reschedule.after_no_show)
        .map(|a| a.within);
    Ok(customer_link::expires_at(
        from_db(row.ends_at),
        row.no_show_at.map(from_db),
        window,
    ))
}

/// Issues a new link to an appointment (staff): refused for one whose link would not open
/// (cancelled, or past its link's lifetime).
pub fn issue(conn: &mut DbConnection, ctx: &Ctx, appointment_id: &str) -> Result<Issued, Error> {
    let row = rows::get(conn, &ctx.org, appointment_id)?;
    let expires = expires_at(conn, &ctx.org, &row)?;
    if customer_link::check(row.status, expires, ctx.now).is_err() {
        let why = if row.status == AppointmentStatus::Cancelled {
            "the appointment is cancelled"
        } else {
            "the appointment is past the time its link would live"
        };
        return Err(Error::new(
            Code::NotLinkable,
            format!("{why}; a link would open nothing"),
        ));
    }
    let token = link_token::random();
    let link = LinkRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        appointment_id: row.id.clone(),
        token_hash: link_token::hash(&token),
        message_id: None,
        created_at: to_db(ctx.now),
    };
    customer_links::insert_all(conn, std::slice::from_ref(&link))?;
    Ok(Issued {
        id: link.id,
        appointment_id: row.id,
        token,
        expires_at: expires,
    })
}

/// A link opened: the context its customer acts in (their organization, as
/// `Actor::CustomerLink`) and the appointment as it is now.
pub struct Opened {
    pub ctx: Ctx,
    pub appointment: AppointmentRow,
    pub expires_at: DateTime<Utc>,
    /// The customer (and their language), the location and the service.
    pub context: MessageContext,
}

/// Opens the link of `token` for a request in `base` (a customer's context before the
/// link names the organization). An unknown, malformed or expired token, or a cancelled
/// appointment's, is `404` with nothing that tells one from another or from a token
/// that never existed.
pub fn open(conn: &mut DbConnection, base: &Ctx, token: &str) -> Result<Opened, Error> {
    let not_found = || Error::not_found("link");
    if !link_token::well_formed(token) {
        return Err(not_found());
    }
    let Some((link, row)) = customer_links::find(conn, &link_token::hash(token))? else {
        return Err(not_found());
    };
    let expires = expires_at(conn, &link.organization_id, &row)?;
    match customer_link::check(row.status, expires, base.now) {
        Ok(()) => {}
        // Dead either way, and said alike: the customer heard of a cancellation in its
        // notice, and nobody else learns from a link what became of it.
        Err(Dead::Expired | Dead::Cancelled) => return Err(not_found()),
    }
    let context = outbox::context_of(
        conn,
        &link.organization_id,
        &row.customer_id,
        &row.location_id,
        &row.service_id,
    )?;
    let mut ctx = base.clone();
    ctx.org = link.organization_id;
    ctx.actor = Actor::CustomerLink;
    Ok(Opened {
        ctx,
        appointment: row,
        expires_at: expires,
        context,
    })
}

/// The link rows of messages about an appointment whose link opens (not a cancelled
/// one): one per message, its token derived from the message's id (see
/// [`link_token::MessageLinks`]). None when the context derives no links.
fn for_messages(ctx: &Ctx, row: &AppointmentRow, message_ids: &[&str]) -> Vec<LinkRow> {
    let Some(links) = &ctx.links else {
        return Vec::new();
    };
    if row.status == AppointmentStatus::Cancelled {
        return Vec::new();
    }
    message_ids
        .iter()
        .map(|m| LinkRow {
            id: new_id(),
            organization_id: ctx.org.clone(),
            appointment_id: row.id.clone(),
            token_hash: link_token::hash(&links.token(m)),
            message_id: Some((*m).to_owned()),
            created_at: to_db(ctx.now),
        })
        .collect()
}

/// Whether messages about `row` written in `ctx` carry a link: the outbox holds
/// [`link_token::MARKER`] where it goes, and the dispatcher writes the link in at send
/// time; a cancelled appointment's messages carry none (its link is dead).
pub(crate) fn carried(ctx: &Ctx, row: &AppointmentRow) -> bool {
    ctx.links.is_some() && row.status != AppointmentStatus::Cancelled
}

/// Writes the messages and, for those that carry a link, its row (the hash of the token
/// derived from the message's id), in the same unit of work.
pub(crate) fn insert_messages(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &AppointmentRow,
    messages: &[MessageRow],
) -> Result<(), Error> {
    outbox::insert_all(conn, messages)?;
    if carried(ctx, row) {
        let ids: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
        customer_links::insert_all(conn, &for_messages(ctx, row, &ids))?;
    }
    Ok(())
}
