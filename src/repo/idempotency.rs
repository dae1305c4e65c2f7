//! Remembered answers to POSTs sent with an `Idempotency-Key`.
//!
//! A key is claimed, the change is made and its answer is remembered in ONE transaction:
//! after a crash either all three happened (a retry gets the answer) or none did (a retry
//! runs afresh). Two requests with the same key meet at the primary key: on PostgreSQL
//! the second claim waits for the first transaction and then finds its answer; on SQLite
//! writers are serialised anyway. A key belongs to the API key that sent it, so an answer
//! is never served to another caller.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::to_db;
use crate::db::DbConnection;
use crate::db::schema::idempotency_keys;
use crate::error::Error;

/// How long an answer is kept and replayed unless configured otherwise.
pub const DEFAULT_RETENTION: Duration = Duration::hours(24);

/// One POST's key, as the caller sent it, with what identifies the request.
#[derive(Clone, Debug)]
pub struct Ticket {
    pub organization_id: String,
    /// The API key that sent the request: only it is ever answered from this row.
    pub api_key_id: String,
    pub key: String,
    /// SHA-256 of the method, the path with its query and the body.
    pub fingerprint: String,
}

/// An answer as remembered: what a replay sends back. Bodies that carried a secret are
/// remembered without it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Remembered {
    pub status_code: u16,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

/// What a claim found.
#[derive(Debug)]
pub enum Claim {
    /// The key is this request's now: make the change, then `remember` its answer.
    Fresh,
    /// The same request was answered before: send this again.
    Replay(Remembered),
    /// The key was used for a different request.
    Mismatch,
}

#[derive(Insertable)]
#[diesel(table_name = idempotency_keys)]
struct NewClaim<'a> {
    api_key_id: &'a str,
    key: &'a str,
    organization_id: &'a str,
    fingerprint: &'a str,
    created_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    fingerprint: String,
    status_code: Option<i32>,
    location: Option<String>,
    etag: Option<String>,
    body: Option<Vec<u8>>,
    created_at: NaiveDateTime,
}

/// Claims `ticket`'s key inside the caller's write transaction. A key older than
/// `retention` counts as purged: it is deleted and claimed afresh (only then, so the
/// usual claim is one statement).
pub fn claim(
    conn: &mut DbConnection,
    ticket: &Ticket,
    retention: Duration,
    now: DateTime<Utc>,
) -> Result<Claim, Error> {
    let this = idempotency_keys::table.find((&ticket.api_key_id, &ticket.key));
    let row = NewClaim {
        api_key_id: &ticket.api_key_id,
        key: &ticket.key,
        organization_id: &ticket.organization_id,
        fingerprint: &ticket.fingerprint,
        created_at: to_db(now),
    };
    let expired_before = to_db(now - retention);
    // At most three rounds: a row found expired (not purged yet) is deleted and the
    // claim tried again; a row that vanished between the insert and the read was
    // released or purged by another transaction. Anything further is contention.
    let mut existing = None;
    for _ in 0..3 {
        if insert_claim(conn, &row)? {
            return Ok(Claim::Fresh);
        }
        match this
            .select(KeyRow::as_select())
            .get_result(conn)
            .optional()?
        {
            None => {}
            Some(old) if old.created_at <= expired_before => {
                diesel::delete(this.filter(idempotency_keys::created_at.eq(old.created_at)))
                    .execute(conn)?;
            }
            Some(found) => {
                existing = Some(found);
                break;
            }
        }
    }
    let Some(existing) = existing else {
        return Err(Error::contention("an idempotency key kept changing hands"));
    };
    if existing.fingerprint != ticket.fingerprint {
        return Ok(Claim::Mismatch);
    }
    match (existing.status_code, existing.body) {
        (Some(status), Some(body)) => Ok(Claim::Replay(Remembered {
            status_code: u16::try_from(status).unwrap_or(200),
            location: existing.location,
            etag: existing.etag,
            body,
        })),
        // Never committed without its answer; only a row from before this scheme could be.
        _ => Err(Error::internal(format!(
            "idempotency key claimed at {} has no answer",
            existing.created_at
        ))),
    }
}

/// Inserts the claim unless the key exists; says whether it did. `ON CONFLICT DO
/// NOTHING`: on PostgreSQL it waits for a transaction holding the same key, then yields
/// without aborting ours, so the answer that one committed can be read.
fn insert_claim(conn: &mut DbConnection, row: &NewClaim) -> Result<bool, Error> {
    let inserted = match conn {
        DbConnection::Pg(c) => diesel::insert_into(idempotency_keys::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(idempotency_keys::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(inserted == 1)
}

/// Stores the answer to a claimed key, in the same transaction as the change.
pub fn remember(
    conn: &mut DbConnection,
    ticket: &Ticket,
    answer: &Remembered,
) -> Result<(), Error> {
    diesel::update(idempotency_keys::table.find((&ticket.api_key_id, &ticket.key)))
        .set((
            idempotency_keys::status_code.eq(Some(i32::from(answer.status_code))),
            idempotency_keys::location.eq(answer.location.as_deref()),
            idempotency_keys::etag.eq(answer.etag.as_deref()),
            idempotency_keys::body.eq(Some(&answer.body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Gives a claimed key back when the unit of work ends without a change to remember
/// (a refusal answered as a problem): a retry then runs again against the state it finds.
pub fn release(conn: &mut DbConnection, ticket: &Ticket) -> Result<(), Error> {
    diesel::delete(idempotency_keys::table.find((&ticket.api_key_id, &ticket.key)))
        .execute(conn)?;
    Ok(())
}

/// Removes answers older than `retention`; returns how many.
pub fn purge_expired(
    conn: &mut DbConnection,
    retention: Duration,
    now: DateTime<Utc>,
) -> Result<usize, Error> {
    Ok(diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.le(to_db(now - retention))),
    )
    .execute(conn)?)
}
