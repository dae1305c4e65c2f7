//! The messages an appointment change causes, written to the outbox in the change's own
//! unit of work: a booking's confirmation and reminders, a move's notice and new
//! reminders, a cancellation's notice. Whatever was still pending for the appointment is
//! cancelled first, so a message about a superseded time is never sent by a dispatcher
//! that claims it after this commits.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::Ctx;
use super::{delivery_adapters, notification_settings};
use crate::db::DbConnection;
use crate::domain::message_text::{self, Details};
use crate::domain::reminders;
use crate::domain::{Actor, ContactChannel, EventKind, MessageKind, MessageStatus};
use crate::error::Error;
use crate::repo::appointments::AppointmentRow;
use crate::repo::events::{self, NewEvent};
use crate::repo::outbox::{self, MessageContext, MessageRow};
use crate::repo::{from_db, new_id, to_db};

/// What happened to the appointment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Booked,
    /// Moved to another time, or rebooked after a no-show.
    Moved,
    Cancelled,
    /// Checked in, completed or a no-show: nothing more to remind of.
    Closed,
}

/// Writes the outbox rows for `change` of `row` (as it now is). Nothing is written for an
/// organization without a gateway.
pub fn after_change(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &AppointmentRow,
    change: Change,
) -> Result<(), Error> {
    if change != Change::Booked {
        outbox::cancel_pending(conn, &ctx.org, &row.id)?;
    }
    if change == Change::Closed {
        return Ok(());
    }
    let settings = notification_settings::of(conn, &ctx.org)?;
    let gateway = settings.as_ref().is_some_and(|s| s.gateway_url.is_some());
    let routes = delivery_adapters::routes(conn, &ctx.org, gateway)?;
    if !routes.any() {
        return Ok(());
    }
    let settings = settings.unwrap_or_else(notification_settings::NotificationSettings::defaults);
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
        return Ok(());
    };
    let start = from_db(row.starts_at);
    let mut due: Vec<(MessageKind, DateTime<Utc>)> = vec![(
        match change {
            Change::Booked => MessageKind::BookingConfirmation,
            Change::Moved => MessageKind::Rescheduled,
            _ => MessageKind::Cancelled,
        },
        ctx.now,
    )];
    if change != Change::Cancelled {
        let tz = context.time_zone.tz();
        due.extend(
            reminders::plan(start, tz, &settings.rules, ctx.now)
                .into_iter()
                .map(|r| (MessageKind::Reminder, r.due)),
        );
    }
    let rows: Vec<MessageRow> = due
        .into_iter()
        .filter(|(_, at)| *at < start)
        .map(|(kind, at)| message(ctx, row, &context, kind, at, channel, recipient))
        .collect();
    outbox::insert_all(conn, &rows)
}

fn message(
    ctx: &Ctx,
    row: &AppointmentRow,
    c: &MessageContext,
    kind: MessageKind,
    due: DateTime<Utc>,
    channel: ContactChannel,
    recipient: &str,
) -> MessageRow {
    let when = message_text::local_when(from_db(row.starts_at), c.time_zone.tz(), c.locale);
    let text = message_text::render(
        message_text::default_template(kind, c.locale),
        &Details {
            customer_name: &c.customer_name,
            when: &when,
            location: &c.location_name,
            service: &c.service_name,
            link: "",
        },
    );
    written(
        ctx,
        row,
        c,
        Outgoing {
            kind,
            due,
            channel,
            recipient,
            text,
        },
    )
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
    outbox::insert_all(conn, &[m])
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
    let payload = json!({
        "id": outbox::webhook_id(&id),
        "kind": kind,
        "channel": channel,
        "recipient": recipient,
        "locale": c.locale,
        "text": text,
        "link": null,
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
        // Nothing about an appointment is worth sending once it has begun.
        expires_at: Some(row.starts_at),
        created_at: to_db(ctx.now),
        sent_at: None,
        last_error: None,
        endpoint_id: None,
        event_type: None,
    }
}

/// Records on the appointment's history that a message about it could not be delivered,
/// so staff can call instead. Runs in the dispatcher's unit of work that marks it failed.
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
    events::record(
        conn,
        &claimed.row.organization_id,
        appointment_id,
        &Actor::System,
        event,
        now,
    )?;
    Ok(())
}
