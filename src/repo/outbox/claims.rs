//! Claims and their results: a dispatcher leases due messages, and only the holder of a
//! message's current lease records what became of an attempt.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{AttemptRow, MessageRow};
use crate::db::DbConnection;
use crate::db::schema::{delivery_attempts, outbox_messages};
use crate::domain::MessageStatus;
use crate::error::Error;
use crate::repo::{new_id, to_db};

/// A message a dispatcher holds the lease of.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub row: MessageRow,
    pub token: String,
}

/// Claims up to `limit` due messages for `lease`.
pub fn claim_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<Claimed>, Error> {
    let token = new_id();
    let (now_db, until) = (to_db(now), to_db(now + lease));
    let due = || {
        outbox_messages::table
            .filter(outbox_messages::status.eq(MessageStatus::Pending))
            .filter(outbox_messages::next_attempt_at.le(now_db))
            .filter(
                outbox_messages::lease_until
                    .is_null()
                    .or(outbox_messages::lease_until.le(now_db)),
            )
            .order(outbox_messages::next_attempt_at)
            .limit(limit)
            .select(outbox_messages::id)
    };
    let set = (
        outbox_messages::lease_token.eq(Some(token.clone())),
        outbox_messages::lease_until.eq(Some(until)),
        outbox_messages::attempts.eq(outbox_messages::attempts + 1),
    );
    // The ids first, locked (skipping those another dispatcher is locking) until this
    // transaction commits; then the lease on exactly those.
    let ids: Vec<String> = match conn {
        DbConnection::Pg(c) => due().for_update().skip_locked().load(c)?,
        DbConnection::Sqlite(c) => due().load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<MessageRow> =
        diesel::update(outbox_messages::table.filter(outbox_messages::id.eq_any(&ids)))
            .set(set)
            .returning(outbox_messages::all_columns)
            .get_results(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| Claimed {
            row,
            token: token.clone(),
        })
        .collect())
}

/// What became of one attempt.
#[derive(Clone, Debug)]
pub enum Outcome {
    Sent,
    /// Try again at this instant.
    Retry(DateTime<Utc>),
    /// No attempt is left.
    Failed,
}

/// Records an attempt and what it means for the message, if the lease is still this
/// dispatcher's (and the message was not cancelled meanwhile). Returns whether it was.
pub fn record(
    conn: &mut DbConnection,
    claimed: &Claimed,
    attempt: &AttemptRow,
    outcome: &Outcome,
) -> Result<bool, Error> {
    diesel::insert_into(delivery_attempts::table)
        .values(attempt)
        .execute(conn)?;
    let mine = outbox_messages::table
        .filter(outbox_messages::id.eq(&claimed.row.id))
        .filter(outbox_messages::lease_token.eq(&claimed.token))
        .filter(outbox_messages::status.eq(MessageStatus::Pending));
    let error = attempt.error.clone();
    let n = match outcome {
        Outcome::Sent => diesel::update(mine)
            .set((
                outbox_messages::status.eq(MessageStatus::Sent),
                outbox_messages::sent_at.eq(Some(attempt.attempted_at)),
                outbox_messages::lease_token.eq(None::<String>),
                outbox_messages::lease_until.eq(None::<NaiveDateTime>),
                outbox_messages::last_error.eq(None::<String>),
            ))
            .execute(conn)?,
        Outcome::Retry(at) => diesel::update(mine)
            .set((
                outbox_messages::next_attempt_at.eq(to_db(*at)),
                outbox_messages::lease_token.eq(None::<String>),
                outbox_messages::lease_until.eq(None::<NaiveDateTime>),
                outbox_messages::last_error.eq(error),
            ))
            .execute(conn)?,
        Outcome::Failed => diesel::update(mine)
            .set((
                outbox_messages::status.eq(MessageStatus::Failed),
                outbox_messages::lease_token.eq(None::<String>),
                outbox_messages::lease_until.eq(None::<NaiveDateTime>),
                outbox_messages::last_error.eq(error),
            ))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Records a round's sent messages at once, all claimed under `token`: their attempts in
/// one insert, then the messages still held under that token marked sent at `at` in one
/// update (one statement per round instead of two per message: on PostgreSQL these round
/// trips were what bounded the delivery rate). Returns how many were still held.
pub fn record_sent(
    conn: &mut DbConnection,
    token: &str,
    attempts: &[AttemptRow],
    at: DateTime<Utc>,
) -> Result<usize, Error> {
    if attempts.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(delivery_attempts::table)
            .values(attempts)
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(delivery_attempts::table)
            .values(attempts)
            .execute(c)?,
    };
    let ids: Vec<&str> = attempts.iter().map(|a| a.message_id.as_str()).collect();
    Ok(diesel::update(
        outbox_messages::table
            .filter(outbox_messages::id.eq_any(&ids))
            .filter(outbox_messages::lease_token.eq(token))
            .filter(outbox_messages::status.eq(MessageStatus::Pending)),
    )
    .set((
        outbox_messages::status.eq(MessageStatus::Sent),
        outbox_messages::sent_at.eq(Some(to_db(at))),
        outbox_messages::lease_token.eq(None::<String>),
        outbox_messages::lease_until.eq(None::<NaiveDateTime>),
        outbox_messages::last_error.eq(None::<String>),
    ))
    .execute(conn)?)
}

/// A new attempt row.
pub fn attempt(
    claimed: &Claimed,
    at: DateTime<Utc>,
    status_code: Option<u16>,
    latency: std::time::Duration,
    error: Option<String>,
) -> AttemptRow {
    AttemptRow {
        id: new_id(),
        message_id: claimed.row.id.clone(),
        organization_id: claimed.row.organization_id.clone(),
        attempted_at: to_db(at),
        status_code: status_code.map(i32::from),
        latency_ms: i32::try_from(latency.as_millis()).unwrap_or(i32::MAX),
        error,
    }
}
