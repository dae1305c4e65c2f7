//! Stored first responses of POST requests made with an `Idempotency-Key`.
//!
//! Each step is a single statement in autocommit: the primary key decides which of
//! several concurrent requests with one key runs; the others see it in progress.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use super::to_db;
use crate::db::DbConnection;
use crate::db::schema::idempotency_keys;
use crate::error::Error;

/// How long a key's response is kept and replayed.
pub const RETENTION: Duration = Duration::hours(24);
/// After this long without an answer, the first request is presumed dead and a retry runs.
pub const ABANDONED_AFTER: Duration = Duration::minutes(5);

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub organization_id: String,
    pub key: String,
    pub fingerprint: String,
    pub status_code: Option<i32>,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Option<Vec<u8>>,
    pub created_at: NaiveDateTime,
}

/// A response as first sent.
pub struct StoredResponse {
    pub status_code: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

pub enum Begin {
    /// This request owns the key: run it, then `finish` or `abandon`.
    Proceed,
    Replay(StoredResponse),
    /// The first request with this key has not answered yet.
    InProgress,
    /// The key was used for a different request.
    Mismatch,
}

pub fn begin(
    conn: &mut DbConnection,
    org: &str,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Begin, Error> {
    let fresh = IdempotencyRow {
        organization_id: org.to_owned(),
        key: key.to_owned(),
        fingerprint: fingerprint.to_owned(),
        status_code: None,
        content_type: None,
        location: None,
        etag: None,
        body: None,
        created_at: to_db(now),
    };
    match diesel::insert_into(idempotency_keys::table)
        .values(&fresh)
        .execute(conn)
    {
        Ok(_) => return Ok(Begin::Proceed),
        Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {}
        Err(e) => return Err(e.into()),
    }
    let Some(existing) = idempotency_keys::table
        .find((org, key))
        .select(IdempotencyRow::as_select())
        .get_result(conn)
        .optional()?
    else {
        // Deleted between our insert and read (its first request failed): try once more.
        return begin(conn, org, key, fingerprint, now);
    };
    let age = to_db(now) - existing.created_at;
    let expired = age > RETENTION;
    let abandoned = existing.status_code.is_none() && age > ABANDONED_AFTER;
    if expired || abandoned {
        // Take over only if nobody else did since we read it.
        let taken = diesel::update(
            idempotency_keys::table
                .find((org, key))
                .filter(idempotency_keys::created_at.eq(existing.created_at)),
        )
        .set((
            idempotency_keys::fingerprint.eq(fingerprint),
            idempotency_keys::status_code.eq(None::<i32>),
            idempotency_keys::body.eq(None::<Vec<u8>>),
            idempotency_keys::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
        return Ok(if taken == 1 {
            Begin::Proceed
        } else {
            Begin::InProgress
        });
    }
    if existing.fingerprint != fingerprint {
        return Ok(Begin::Mismatch);
    }
    Ok(match (existing.status_code, existing.body) {
        (Some(status), Some(body)) => Begin::Replay(StoredResponse {
            status_code: status as u16,
            content_type: existing.content_type,
            location: existing.location,
            etag: existing.etag,
            body,
        }),
        _ => Begin::InProgress,
    })
}

pub fn finish(
    conn: &mut DbConnection,
    org: &str,
    key: &str,
    response: StoredResponse,
) -> Result<(), Error> {
    diesel::update(idempotency_keys::table.find((org, key)))
        .set((
            idempotency_keys::status_code.eq(Some(response.status_code as i32)),
            idempotency_keys::content_type.eq(response.content_type),
            idempotency_keys::location.eq(response.location),
            idempotency_keys::etag.eq(response.etag),
            idempotency_keys::body.eq(Some(response.body)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a key whose request failed on our side, so that a retry can run.
pub fn abandon(conn: &mut DbConnection, org: &str, key: &str) -> Result<(), Error> {
    diesel::delete(idempotency_keys::table.find((org, key))).execute(conn)?;
    Ok(())
}

/// Removes responses past their retention; returns how many.
pub fn purge_expired(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, Error> {
    Ok(diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::created_at.lt(to_db(now - RETENTION))),
    )
    .execute(conn)?)
}
