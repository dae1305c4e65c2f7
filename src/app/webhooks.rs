//! Integration webhooks: the events an organization's changes publish, written as one
//! outbox delivery per subscribed active endpoint, in the change's own unit of work (a
//! booking that rolls back leaves no delivery). The dispatcher sends them like messages to
//! customers (`crate::delivery`).
//!
//! Every body has the same envelope, as Standard Webhooks suggests:
//! `{"id": "msg_…", "type": "appointment.booked", "timestamp": "…", "data": {…}}`, where
//! `id` is the delivery's `webhook-id` (one per endpoint, the same on every retry).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::webhook_event::{self, WebhookEvent};
use crate::domain::{DeliveryChannel, MessageKind, MessageStatus};
use crate::error::Error;
use crate::repo::appointments::AppointmentRow;
use crate::repo::events::EventRow;
use crate::repo::outbox::{self, Claimed, MessageRow};
use crate::repo::webhook_endpoints::{self, EndpointRow};
use crate::repo::{from_db, new_id, to_db};

/// An event to publish, with its `data`.
#[derive(Clone, Debug)]
pub struct Published {
    pub event: WebhookEvent,
    pub data: Value,
}

/// Writes a delivery of each event to every active endpoint of `org` subscribed to it.
/// One statement when the organization has no endpoint; callers that already know it has
/// none (the setup snapshot's `sends_webhooks`) skip the call.
pub fn publish(
    conn: &mut DbConnection,
    org: &str,
    now: DateTime<Utc>,
    events: &[Published],
) -> Result<(), Error> {
    if events.is_empty() {
        return Ok(());
    }
    let endpoints = webhook_endpoints::active_of(conn, org)?;
    let mut rows = Vec::new();
    for endpoint in &endpoints {
        let types = event_types(endpoint)?;
        for e in events {
            if webhook_event::wants(&types, e.event) {
                rows.push(delivery(endpoint, e.event.as_str(), &e.data, now));
            }
        }
    }
    outbox::insert_all(conn, &rows)
}

/// The event types an endpoint is subscribed to, as stored.
pub fn event_types(endpoint: &EndpointRow) -> Result<Vec<WebhookEvent>, Error> {
    serde_json::from_str(&endpoint.event_types).map_err(|e| {
        Error::internal(format!(
            "webhook endpoint {}: stored event types: {e}",
            endpoint.id
        ))
    })
}

/// One delivery of an event to an endpoint, due at once and never expiring (its attempts
/// run out instead).
pub fn delivery(
    endpoint: &EndpointRow,
    event_type: &str,
    data: &Value,
    now: DateTime<Utc>,
) -> MessageRow {
    let id = new_id();
    let payload = json!({
        "id": outbox::webhook_id(&id),
        "type": event_type,
        "timestamp": now,
        "data": data,
    });
    MessageRow {
        id,
        organization_id: endpoint.organization_id.clone(),
        appointment_id: data["appointment"]["id"]
            .as_str()
            .or_else(|| data["appointment_id"].as_str())
            .map(str::to_owned),
        kind: MessageKind::Webhook,
        channel: DeliveryChannel::Webhook,
        recipient: endpoint.url.clone(),
        payload: payload.to_string(),
        status: MessageStatus::Pending,
        due_at: to_db(now),
        next_attempt_at: to_db(now),
        attempts: 0,
        lease_token: None,
        lease_until: None,
        expires_at: None,
        created_at: to_db(now),
        sent_at: None,
        last_error: None,
        endpoint_id: Some(endpoint.id.clone()),
        event_type: Some(event_type.to_owned()),
    }
}

/// The appointment as an event shows it: ids, times, status and version, no names (one
/// `GET /v1/appointments/{id}` gives the rest).
pub fn appointment_data(row: &AppointmentRow) -> Value {
    json!({
        "id": row.id,
        "status": row.status,
        "version": row.version,
        "starts_at": from_db(row.starts_at),
        "ends_at": from_db(row.ends_at),
        "location_id": row.location_id,
        "service_id": row.service_id,
        "customer_id": row.customer_id,
        "vehicle_id": row.vehicle_id,
        "channel": row.channel,
        "external_ref": row.external_ref,
    })
}

/// The history event behind a webhook event: its id, when, who, why.
fn event_data(event: &EventRow) -> Value {
    json!({
        "event_id": event.id,
        "occurred_at": from_db(event.occurred_at),
        "actor": {
            "kind": event.actor_kind,
            "id": event.actor_id,
            "role": event.actor_role,
        },
        "reason": event.reason_category.map(|c| json!({
            "category": c,
            "text": event.reason_text,
        })),
        "note": event.note,
    })
}

/// What an appointment's history event publishes (nothing for a customer's reply).
/// `extra` adds fields to `data` (a move's `from`, `to` and fee).
pub fn of_appointment(row: &AppointmentRow, event: &EventRow, extra: Value) -> Option<Published> {
    let kind = WebhookEvent::of(event.kind)?;
    let mut data = event_data(event);
    data["appointment"] = appointment_data(row);
    if let (Value::Object(d), Value::Object(x)) = (&mut data, extra) {
        d.extend(x);
    }
    Some(Published { event: kind, data })
}

/// Publishes an appointment's history event (a lifecycle step, a booking).
pub fn appointment_changed(
    conn: &mut DbConnection,
    ctx: &Ctx,
    row: &AppointmentRow,
    event: &EventRow,
) -> Result<(), Error> {
    let published: Vec<Published> = of_appointment(row, event, json!({})).into_iter().collect();
    publish(conn, &ctx.org, ctx.now, &published)
}

/// What an assessed fee (as `app::fees::Fee::event_data` shows it) publishes:
/// `fee.assessed`, and `fee.waived` too when an override forgave it at once.
pub fn fee_assessed(fee: &Value, event: &EventRow) -> Vec<Published> {
    let data = json!({
        "event_id": event.id,
        "appointment_id": fee["appointment_id"],
        "fee": fee,
    });
    let mut out = vec![Published {
        event: WebhookEvent::FeeAssessed,
        data: data.clone(),
    }];
    if fee["status"] == crate::domain::FeeStatus::Waived.as_str() {
        out.push(Published {
            event: WebhookEvent::FeeWaived,
            data,
        });
    }
    out
}

/// What a move publishes: `appointment.rescheduled` with `from`, `to`, its fee (or
/// `null`) and whether it was the rebooking of a no-show, then the fee's own events.
pub fn moved(
    row: &AppointmentRow,
    event: &EventRow,
    (from_start, from_end): (DateTime<Utc>, DateTime<Utc>),
    fee: Option<&Value>,
    rebooking: bool,
) -> Vec<Published> {
    let extra = json!({
        "from": { "starts_at": from_start, "ends_at": from_end },
        "to": { "starts_at": from_db(row.starts_at), "ends_at": from_db(row.ends_at) },
        "fee": fee,
        "rebooking": rebooking,
    });
    let mut out: Vec<Published> = of_appointment(row, event, extra).into_iter().collect();
    if let Some(f) = fee {
        out.extend(fee_assessed(f, event));
    }
    out
}

/// Publishes a fee's settlement (`fee.waived`, `fee.paid`); `fee` as
/// `app::fees::Fee::event_data` shows it.
pub fn fee_settled(
    conn: &mut DbConnection,
    ctx: &Ctx,
    fee: Value,
    event: &EventRow,
) -> Result<(), Error> {
    let Some(kind) = WebhookEvent::of(event.kind) else {
        return Ok(());
    };
    let mut data = event_data(event);
    data["appointment_id"] = fee["appointment_id"].clone();
    data["fee"] = fee;
    publish(conn, &ctx.org, ctx.now, &[Published { event: kind, data }])
}

/// Publishes `message.failed` for a message to a customer that failed after its last
/// attempt (runs in the dispatcher's unit of work that marks it failed; a webhook
/// delivery that fails publishes nothing).
pub fn message_failed(
    conn: &mut DbConnection,
    claimed: &Claimed,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    let m = &claimed.row;
    if m.kind == MessageKind::Webhook {
        return Ok(());
    }
    let data = json!({
        "appointment_id": m.appointment_id,
        "message": {
            "id": m.id,
            "webhook_id": outbox::webhook_id(&m.id),
            "kind": m.kind,
            "channel": m.channel,
            "attempts": m.attempts,
            "last_error": error,
        },
    });
    publish(
        conn,
        &m.organization_id,
        now,
        &[Published {
            event: WebhookEvent::MessageFailed,
            data,
        }],
    )
}

/// The body of a test event for one endpoint.
pub fn test_delivery(endpoint: &EndpointRow, ctx: &Ctx) -> MessageRow {
    let data = json!({
        "endpoint_id": endpoint.id,
        "message": "A test event from Janji: this endpoint receives and verifies webhooks.",
    });
    delivery(endpoint, webhook_event::TEST_EVENT, &data, ctx.now)
}

/// An endpoint answered 410 Gone: it is turned off (with when and why) and its other
/// deliveries not yet sent are cancelled, in the unit of work that records the answer.
pub fn endpoint_gone(
    conn: &mut DbConnection,
    endpoint_id: &str,
    now: DateTime<Utc>,
) -> Result<(), Error> {
    webhook_endpoints::disable(conn, endpoint_id, now, "the endpoint answered 410 Gone")?;
    outbox::cancel_endpoint_pending(conn, endpoint_id)?;
    Ok(())
}
