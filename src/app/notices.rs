//! The messages an appointment change causes, written to the outbox in the change's own
//! unit of work: a booking's confirmation, reminders and unconfirmed follow-up, a move's
//! notice and new ones, a cancellation's notice, a no-show's follow-up, a completion's
//! survey, a fee's notice. Whatever was still pending for the appointment is cancelled
//! first, so a message about a superseded time is never sent by a dispatcher that claims
//! it after this commits. The call flag planned with a follow-up goes the same way.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Ctx;
use super::calls;
use super::delivery_adapters;
use super::fees::Fee;
use super::links;
use super::notification_settings::{self, NotificationSettings};
use crate::db::DbConnection;
use crate::domain::message_text::{self, Details};
use crate::domain::money_display::display;
use crate::domain::reminders;
use crate::domain::reminders::follow_ups::{self, AFTER_VISIT_VALID};
use crate::domain::{Actor, AppointmentStatus, CallReason, ContactChannel, EventKind};
use crate::domain::{FeeStatus, MessageKind, MessageStatus};
use crate::error::Error;
use crate::link_token;
use crate::repo::appointments::{self as rows, AppointmentRow};
use crate::repo::call_flags;
use crate::repo::events::{self, NewEvent};
use crate::repo::outbox::{self, MessageContext, MessageRow};
use crate::repo::{from_db, new_id, to_db};

/// What happened to the appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Booked,
    /// Moved to another time, or rebooked after a no-show.
    Moved,
    /// The customer said they will come: no follow-up asks again.
    Confirmed,
    Cancelled,
    /// Checked in: nothing more to remind of.
    CheckedIn,
    /// Completed: the survey, if the organization has one.
    Completed,
    /// A no-show: "we missed you".
    NoShow,
}

/// Kinds about a visit that is over or a change already made: sent after the start too,
/// for a day ([`AFTER_VISIT_VALID`]).
fn after_visit(kind: MessageKind) -> bool {
    matches!(
        kind,
        MessageKind::NoShowFollowUp | MessageKind::Survey | MessageKind::FeeNotice
    )
}

/// Where an organization's messages about an appointment go, and in whose words.
struct Target {
    settings: NotificationSettings,
    context: MessageContext,
    channel: ContactChannel,
    recipient: String,
}

impl Target {
    /// None for an organization with no way to send (no gateway, no adapter), or a
    /// customer none of its ways reaches.
    fn of(conn: &mut DbConnection, ctx: &Ctx, row: &AppointmentRow) -> Result<Option<Self>, Error> {
        let settings = notification_settings::of(conn, &ctx.org)?;
        let gateway = settings.as_ref().is_some_and(|s| s.gateway_url.is_some());
        let routes = delivery_adapters::routes(conn, &ctx.org, gateway)?;
        if !routes.any() {
            return Ok(None);
        }
        let settings = settings.unwrap_or_else(NotificationSettings::defaults);
        let context = outbox::context_of(
            conn,
            &ctx.org,
            &row.customer_id,
            &row.location_id,
            &row.service_id,
        )?;
        let Some((channel, recipient)) = routes.reach(
            context.preferred_channel,
            context.phone.as_deref(),
            context.email.as_deref(),
        ) else {
            return Ok(None);
        };
        let recipient = recipient.to_owned();
        Ok(Some(Target {
            settings,
            context,
            channel,
            recipient,
        }))
    }
}

/// Writes the outbox rows for `change` of `row` (as it now is). Nothing is written for an
/// organization without a gateway.
pub fn after_change(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &AppointmentRow,
    change: Change,
) -> Result<(), Error> {
    match change {
        Change::Booked => {}
        Change::Confirmed => {
            // Only the question "will you come?" is answered, and with it the reason to
            // call about it; the reminders stay.
            outbox::cancel_pending_kind(conn, &ctx.org, &row.id, MessageKind::UnconfirmedFollowUp)?;
            call_flags::drop_unconfirmed(conn, &row.id)?;
            return Ok(());
        }
        _ => {
            outbox::cancel_pending(conn, &ctx.org, &row.id)?;
            call_flags::drop_planned(conn, &row.id)?;
        }
    }
    if change == Change::CheckedIn {
        return Ok(());
    }
    let Some(target) = Target::of(conn, ctx, row)? else {
        return Ok(());
    };
    let start = from_db(row.starts_at);
    let tz = target.context.time_zone.tz();
    let mut due: Vec<(MessageKind, DateTime<Utc>)> = Vec::new();
    match change {
        Change::Booked | Change::Moved => {
            let first = if change == Change::Booked {
                MessageKind::BookingConfirmation
            } else {
                MessageKind::Rescheduled
            };
            due.push((first, ctx.now));
            let rules = target.settings.rules_for(&row.location_id, &row.service_id);
            due.extend(
                reminders::plan(start, tz, &rules, ctx.now)
                    .into_iter()
                    .map(|r| (MessageKind::Reminder, r.due)),
            );
            let unconfirmed = target.settings.unconfirmed;
            if row.status == AppointmentStatus::Booked
                && let Some(plan) =
                    follow_ups::plan_unconfirmed(start, tz, &rules, unconfirmed, ctx.now)
            {
                due.push((MessageKind::UnconfirmedFollowUp, plan.follow_up));
                if let Some(call) = plan.call {
                    call_flags::plan(conn, &ctx.org, &row.id, CallReason::Unconfirmed, call)?;
                }
            }
        }
        Change::Cancelled => due.push((MessageKind::Cancelled, ctx.now)),
        Change::NoShow => due.push((MessageKind::NoShowFollowUp, ctx.now)),
        Change::Completed if target.settings.survey_url.is_some() => {
            due.push((MessageKind::Survey, ctx.now));
        }
        _ => {}
    }
    let rows: Vec<MessageRow> = due
        .into_iter()
        .filter(|(kind, at)| after_visit(*kind) || *at < start)
        .map(|(kind, at)| message(ctx, row, &target, kind, at, ""))
        .collect();
    links::insert_messages(conn, ctx, row, &rows)
}

/// Tells the customer of a fee charged for a change (one due, not a waived one), its
/// amount as they read it. Runs in the change's unit of work, after its other messages.
pub fn fee_charged(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &AppointmentRow,
    fee: Option<&Fee>,
) -> Result<(), Error> {
    let Some(fee) = fee.filter(|f| f.status == FeeStatus::Due && f.amount > 0) else {
        return Ok(());
    };
    let Some(target) = Target::of(conn, ctx, row)? else {
        return Ok(());
    };
    let amount = display(fee.amount, fee.currency, target.context.locale);
    let m = message(ctx, row, &target, MessageKind::FeeNotice, ctx.now, &amount);
    links::insert_messages(conn, ctx, row, &[m])
}

fn message(
    ctx: &Ctx,
    row: &AppointmentRow,
    target: &Target,
    kind: MessageKind,
    due: DateTime<Utc>,
    fee: &str,
) -> MessageRow {
    let c = &target.context;
    let when = message_text::local_when(from_db(row.starts_at), c.time_zone.tz(), c.locale);
    let text = message_text::render(
        target.settings.template(kind, c.locale),
        &Details {
            customer_name: &c.customer_name,
            when: &when,
            location: &c.location_name,
            service: &c.service_name,
            link: if links::carried(ctx, row) {
                link_token::MARKER
            } else {
                ""
            },
            fee,
            survey_url: target.settings.survey_url.as_deref().unwrap_or(""),
        },
    );
    written(
        ctx,
        row,
        c,
        Outgoing {
            kind,
            due,
            channel: target.channel,
            recipient: &target.recipient,
            text,
        },
    )
}

/// The claimed messages still worth sending, the others cancelled: a follow-up asking
/// an appointment's confirmation goes only while the appointment, as it is now, is
/// booked and unconfirmed, whatever row was left behind. Runs in the claim's unit of work.
pub fn still_wanted(
    conn: &mut DbConnection,
    claimed: Vec<outbox::Claimed>,
) -> Result<Vec<outbox::Claimed>, Error> {
    let asking = |m: &outbox::Claimed| m.row.kind == MessageKind::UnconfirmedFollowUp;
    let ids: Vec<String> = claimed
        .iter()
        .filter(|m| asking(m))
        .filter_map(|m| m.row.appointment_id.clone())
        .collect();
    if ids.is_empty() {
        return Ok(claimed);
    }
    let statuses = rows::statuses(conn, &ids)?;
    let (keep, drop): (Vec<_>, Vec<_>) = claimed.into_iter().partition(|m| {
        !asking(m)
            || m.row
                .appointment_id
                .as_ref()
                .and_then(|a| statuses.get(a))
                .is_some_and(|s| *s == AppointmentStatus::Booked)
    });
    let dropped: Vec<String> = drop.into_iter().map(|m| m.row.id).collect();
    outbox::cancel_messages(conn, &dropped)?;
    Ok(keep)
}

/// Queues Janji's answer to a customer's reply, to the number it came from.
pub fn answer(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &AppointmentRow,
    context: &MessageContext,
    channel: ContactChannel,
    recipient: &str,
    text: String,
) -> Result<(), Error> {
    let m = written(
        ctx,
        row,
        context,
        Outgoing {
            kind: MessageKind::ReplyAnswer,
            due: ctx.now,
            channel,
            recipient,
            text,
        },
    );
    links::insert_messages(conn, ctx, row, &[m])
}

/// A message about to be written: what, when, to whom, and its words.
struct Outgoing<'a> {
    kind: MessageKind,
    due: DateTime<Utc>,
    channel: ContactChannel,
    recipient: &'a str,
    text: String,
}

fn written(ctx: &Ctx, row: &AppointmentRow, c: &MessageContext, out: Outgoing<'_>) -> MessageRow {
    let Outgoing {
        kind,
        due,
        channel,
        recipient,
        text,
    } = out;
    let id = new_id();
    let (start, tz) = (from_db(row.starts_at), c.time_zone.tz());
    let link = links::carried(ctx, row).then_some(link_token::MARKER);
    let payload = json!({
        "id": outbox::webhook_id(&id),
        "kind": kind,
        "channel": channel,
        "recipient": recipient,
        "locale": c.locale,
        "text": text,
        "link": link,
        "appointment": {
            "id": row.id,
            "status": row.status,
            "starts_at": start,
            "ends_at": from_db(row.ends_at),
            "local_start": start.with_timezone(&tz).to_rfc3339(),
            "time_zone": c.time_zone.name(),
            "version": row.version,
            "location": {
                "id": row.location_id,
                "name": c.location_name,
                "address": c.location_address,
                "phone": c.location_phone,
            },
            "service": { "id": row.service_id, "name": c.service_name },
            "customer": { "id": row.customer_id, "name": c.customer_name },
        },
    });
    MessageRow {
        id,
        organization_id: ctx.org.clone(),
        appointment_id: Some(row.id.clone()),
        kind,
        channel: channel.into(),
        recipient: recipient.to_owned(),
        payload: payload.to_string(),
        status: MessageStatus::Pending,
        due_at: to_db(due),
        next_attempt_at: to_db(due),
        attempts: 0,
        lease_token: None,
        lease_until: None,
        // Nothing about an appointment is worth sending once it has begun; what comes
        // after the visit is worth a day.
        expires_at: Some(if after_visit(kind) {
            to_db(due + AFTER_VISIT_VALID)
        } else {
            row.starts_at
        }),
        created_at: to_db(ctx.now),
        sent_at: None,
        last_error: None,
        endpoint_id: None,
        event_type: None,
    }
}

/// Records on the appointment's history that a message about it could not be delivered,
/// and flags it for a call (`message_failed`), so staff can call instead. Runs in the dispatcher's unit of work that marks it failed.
pub fn failed(
    conn: &mut DbConnection,
    claimed: &outbox::Claimed,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let Some(appointment_id) = &claimed.row.appointment_id else {
        return Ok(());
    };
    let event = NewEvent {
        kind: EventKind::MessageFailed,
        changes: json!({}),
        reason_category: None,
        reason_text: None,
        note: None,
        details: Some(json!({
            "message_id": claimed.row.id,
            "message_kind": claimed.row.kind,
            "channel": claimed.row.channel,
            "attempts": claimed.row.attempts,
        })),
    };
    let org = &claimed.row.organization_id;
    events::record(conn, org, appointment_id, &Actor::System, event, now)?;
    let details = json!({ "message_id": claimed.row.id, "message_kind": claimed.row.kind });
    calls::raise(
        conn,
        org,
        appointment_id,
        CallReason::MessageFailed,
        details,
        now,
    )
}
