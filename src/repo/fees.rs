//! The fees ledger: every fee a reschedule, rebooking or cancellation assessed, and what
//! became of it (paid, waived).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::fees;
use crate::domain::{Currency, FeeKind, FeeStatus};
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = fees)]
pub struct FeeRow {
    pub id: String,
    pub organization_id: String,
    pub appointment_id: String,
    pub customer_id: String,
    pub kind: FeeKind,
    pub amount: i64,
    pub currency: Currency,
    pub status: FeeStatus,
    pub rule: String,
    pub tier_index: Option<i32>,
    pub tier_notice_minutes: Option<i64>,
    pub event_id: String,
    pub policy_id: Option<String>,
    pub note: Option<String>,
    pub payment_ref: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Records an assessed fee.
pub fn insert(conn: &mut DbConnection, row: &FeeRow) -> Result<(), Error> {
    diesel::insert_into(fees::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<FeeRow, Error> {
    fees::table
        .filter(fees::organization_id.eq(org))
        .filter(fees::id.eq(id))
        .select(FeeRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("fee"))
}

/// Which fees a list shows; `None` does not filter. `from`/`to` bound when the fee was
/// assessed (`to` exclusive).
#[derive(Default)]
pub struct FeeFilter {
    pub status: Option<FeeStatus>,
    pub customer_id: Option<String>,
    pub appointment_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Fees in the order they were assessed.
pub fn list(
    conn: &mut DbConnection,
    org: &str,
    filter: &FeeFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<FeeRow>, Error> {
    let mut q = fees::table
        .filter(fees::organization_id.eq(org))
        .select(FeeRow::as_select())
        .order(fees::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(s) = filter.status {
        q = q.filter(fees::status.eq(s));
    }
    if let Some(c) = &filter.customer_id {
        q = q.filter(fees::customer_id.eq(c.clone()));
    }
    if let Some(a) = &filter.appointment_id {
        q = q.filter(fees::appointment_id.eq(a.clone()));
    }
    if let Some(t) = filter.from {
        q = q.filter(fees::created_at.ge(to_db(t)));
    }
    if let Some(t) = filter.to {
        q = q.filter(fees::created_at.lt(to_db(t)));
    }
    if let Some(after) = after {
        q = q.filter(fees::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// Saves a settlement (status, note, payment reference, who and when) if the fee is
/// still due at `previous_version`; `false` when it no longer is (another change came
/// first). The status condition makes two settlements racing past a check settle once.
pub fn save_settlement(
    conn: &mut DbConnection,
    row: &FeeRow,
    previous_version: i64,
) -> Result<bool, Error> {
    let updated = diesel::update(
        fees::table
            .filter(fees::id.eq(&row.id))
            .filter(fees::version.eq(previous_version))
            .filter(fees::status.eq(FeeStatus::Due)),
    )
    .set((
        fees::status.eq(row.status),
        fees::note.eq(&row.note),
        fees::payment_ref.eq(&row.payment_ref),
        fees::resolved_by.eq(&row.resolved_by),
        fees::resolved_at.eq(row.resolved_at),
        fees::version.eq(row.version),
        fees::updated_at.eq(row.updated_at),
    ))
    .execute(conn)?;
    Ok(updated > 0)
}
