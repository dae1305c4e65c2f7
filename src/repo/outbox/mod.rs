//! The outbox: messages written by the unit of work that causes them, claimed by
//! dispatchers with a lease, and their delivery attempts.
//!
//! A claim takes due rows whose lease is free or has run out and gives them a new lease
//! token; only the holder of the current token can record the result. On PostgreSQL the
//! claim skips rows another dispatcher is claiming at that moment (`FOR UPDATE SKIP
//! LOCKED`), so several processes share the work without waiting on each other; on
//! SQLite claims are writes and run one at a time anyway (`claims`).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{from_db, to_db};
use crate::db::DbConnection;
use crate::db::schema::{delivery_attempts, outbox_messages};
use crate::domain::{ContactChannel, DeliveryChannel, MessageKind, MessageStatus};
use crate::error::Error;

mod claims;
pub use claims::{Claimed, Outcome, attempt, claim_due, record, record_sent};

/// The `webhook-id` of a message: `msg_` and its id's 32 hex digits, the same on every
/// attempt.
pub fn webhook_id(id: &str) -> String {
    format!("msg_{}", id.replace('-', ""))
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox_messages)]
pub struct MessageRow {
    pub id: String,
    pub organization_id: String,
    pub appointment_id: Option<String>,
    pub kind: MessageKind,
    pub channel: DeliveryChannel,
    /// The customer's address, or a webhook endpoint's URL.
    pub recipient: String,
    pub payload: String,
    pub status: MessageStatus,
    pub due_at: NaiveDateTime,
    pub next_attempt_at: NaiveDateTime,
    pub attempts: i32,
    pub lease_token: Option<String>,
    pub lease_until: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    /// A webhook delivery's endpoint (`None` for a message to a customer, or once the
    /// endpoint is deleted).
    pub endpoint_id: Option<String>,
    /// A webhook delivery's event type (`appointment.booked`, …).
    pub event_type: Option<String>,
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = delivery_attempts)]
pub struct AttemptRow {
    pub id: String,
    pub message_id: String,
    pub organization_id: String,
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error: Option<String>,
}

pub fn insert_all(conn: &mut DbConnection, rows: &[MessageRow]) -> Result<(), Error> {
    if rows.is_empty() {
        return Ok(());
    }
    // Batch inserts do not go through diesel's multi-backend: each backend runs its own.
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(outbox_messages::table)
            .values(rows)
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(outbox_messages::table)
            .values(rows)
            .execute(c)?,
    };
    Ok(())
}

/// Cancels an appointment's messages to the customer not yet sent (a claimed one
/// included: its result can no longer be recorded as sent). Returns how many. Webhook
/// deliveries about it are left alone: an integration hears of every change.
pub fn cancel_pending(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
) -> Result<usize, Error> {
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::organization_id.eq(org))
            .filter(outbox_messages::appointment_id.eq(appointment_id))
            .filter(outbox_messages::kind.ne(MessageKind::Webhook))
            .filter(outbox_messages::status.eq(MessageStatus::Pending)),
    )
    .set((
        outbox_messages::status.eq(MessageStatus::Cancelled),
        outbox_messages::lease_token.eq(None::<String>),
    ))
    .execute(conn)?)
}

/// Cancels an endpoint's deliveries not yet sent (it was turned off, answered 410 Gone,
/// or is being deleted). Returns how many.
pub fn cancel_endpoint_pending(conn: &mut DbConnection, endpoint_id: &str) -> Result<usize, Error> {
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::endpoint_id.eq(endpoint_id))
            .filter(outbox_messages::status.eq(MessageStatus::Pending)),
    )
    .set((
        outbox_messages::status.eq(MessageStatus::Cancelled),
        outbox_messages::lease_token.eq(None::<String>),
    ))
    .execute(conn)?)
}

/// Cancels an appointment's pending messages of one kind (a confirmation answers the
/// unconfirmed follow-up, and only that).
pub fn cancel_pending_kind(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    kind: MessageKind,
) -> Result<usize, Error> {
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::organization_id.eq(org))
            .filter(outbox_messages::appointment_id.eq(appointment_id))
            .filter(outbox_messages::kind.eq(kind))
            .filter(outbox_messages::status.eq(MessageStatus::Pending)),
    )
    .set((
        outbox_messages::status.eq(MessageStatus::Cancelled),
        outbox_messages::lease_token.eq(None::<String>),
    ))
    .execute(conn)?)
}

/// Cancels pending messages by id (claimed ones found no longer worth sending).
pub fn cancel_messages(conn: &mut DbConnection, ids: &[String]) -> Result<usize, Error> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq_any(ids))
            .filter(outbox_messages::status.eq(MessageStatus::Pending)),
    )
    .set((
        outbox_messages::status.eq(MessageStatus::Cancelled),
        outbox_messages::lease_token.eq(None::<String>),
        outbox_messages::lease_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?)
}

/// An appointment's messages, oldest first (tests and the delivery log).
pub fn of_appointment(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
) -> Result<Vec<MessageRow>, Error> {
    Ok(outbox_messages::table
        .filter(outbox_messages::organization_id.eq(org))
        .filter(outbox_messages::appointment_id.eq(appointment_id))
        .order(outbox_messages::id)
        .select(MessageRow::as_select())
        .load(conn)?)
}

/// When the message stops being worth an attempt.
pub fn expires(row: &MessageRow) -> Option<DateTime<Utc>> {
    row.expires_at.map(from_db)
}

/// What a message about an appointment says besides its time: who it is for and where.
#[derive(Clone, Debug, Queryable)]
pub struct MessageContext {
    pub customer_name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub locale: crate::domain::Locale,
    pub preferred_channel: ContactChannel,
    pub location_name: String,
    pub location_address: Option<String>,
    pub location_phone: Option<String>,
    pub time_zone: crate::domain::TimeZone,
    pub service_name: String,
}

/// The customer, location and service of an appointment, in one statement.
pub fn context_of(
    conn: &mut DbConnection,
    org: &str,
    customer_id: &str,
    location_id: &str,
    service_id: &str,
) -> Result<MessageContext, Error> {
    use crate::db::schema::{customers, locations, services};
    Ok(customers::table
        .inner_join(
            locations::table.on(locations::id
                .eq(location_id.to_owned())
                .and(locations::organization_id.eq(org.to_owned()))),
        )
        .inner_join(
            services::table.on(services::id
                .eq(service_id.to_owned())
                .and(services::organization_id.eq(org.to_owned()))),
        )
        .filter(customers::organization_id.eq(org))
        .filter(customers::id.eq(customer_id))
        .select((
            customers::name,
            customers::phone,
            customers::email,
            customers::locale,
            customers::preferred_channel,
            locations::name,
            locations::address,
            locations::phone,
            locations::time_zone,
            services::name,
        ))
        .get_result(conn)?)
}

/// Filters of the delivery log.
#[derive(Clone, Debug, Default)]
pub struct MessageFilter {
    pub appointment_id: Option<String>,
    /// Only one webhook endpoint's deliveries.
    pub endpoint_id: Option<String>,
    pub status: Option<MessageStatus>,
}

/// The organization's messages in id (creation) order, after `after`.
pub fn list(
    conn: &mut DbConnection,
    org: &str,
    filter: MessageFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<super::Page<MessageRow>, Error> {
    let mut q = outbox_messages::table
        .filter(outbox_messages::organization_id.eq(org))
        .select(MessageRow::as_select())
        .order(outbox_messages::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(a) = filter.appointment_id {
        q = q.filter(outbox_messages::appointment_id.eq(a));
    }
    if let Some(e) = filter.endpoint_id {
        q = q.filter(outbox_messages::endpoint_id.eq(e));
    }
    if let Some(s) = filter.status {
        q = q.filter(outbox_messages::status.eq(s));
    }
    if let Some(after) = after {
        q = q.filter(outbox_messages::id.gt(after.to_owned()));
    }
    Ok(super::page_of(q.load(conn)?, limit, |m| &m.id))
}

/// The attempts of some messages, oldest first, in one statement.
pub fn attempts_of(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<AttemptRow>, Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(delivery_attempts::table
        .filter(delivery_attempts::message_id.eq_any(ids))
        .order((
            delivery_attempts::message_id,
            delivery_attempts::attempted_at,
        ))
        .select(AttemptRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<MessageRow, Error> {
    outbox_messages::table
        .filter(outbox_messages::organization_id.eq(org))
        .filter(outbox_messages::id.eq(id))
        .select(MessageRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("message"))
}

/// Puts a failed message back in line, due at once with its attempts counted afresh.
/// Returns whether it was still failed.
pub fn requeue(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, Error> {
    let n = diesel::update(
        outbox_messages::table
            .filter(outbox_messages::organization_id.eq(org))
            .filter(outbox_messages::id.eq(id))
            .filter(outbox_messages::status.eq(MessageStatus::Failed)),
    )
    .set((
        outbox_messages::status.eq(MessageStatus::Pending),
        outbox_messages::next_attempt_at.eq(to_db(now)),
        outbox_messages::attempts.eq(0),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
