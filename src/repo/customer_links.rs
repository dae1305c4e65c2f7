//! Customers' self-service links: rows of token hashes, each bound to one appointment of
//! one organization (docs/self-service.md).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{appointments, customer_links};
use crate::error::Error;
use crate::repo::appointments::AppointmentRow;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = customer_links)]
pub struct LinkRow {
    pub id: String,
    pub organization_id: String,
    pub appointment_id: String,
    /// SHA-256 of the token (hex); the token itself is never stored.
    pub token_hash: String,
    /// The message that carries it, for a link in a message.
    pub message_id: Option<String>,
    pub created_at: NaiveDateTime,
}

pub fn insert_all(conn: &mut DbConnection, rows: &[LinkRow]) -> Result<(), Error> {
    if rows.is_empty() {
        return Ok(());
    }
    // Batch inserts do not go through diesel's multi-backend: each backend runs its own.
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(customer_links::table)
            .values(rows)
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(customer_links::table)
            .values(rows)
            .execute(c)?,
    };
    Ok(())
}

/// The link with this token hash and its appointment as it is now, in one statement
/// (the unique index on the hash); the appointment of the link's own organization only.
pub fn find(
    conn: &mut DbConnection,
    token_hash: &str,
) -> Result<Option<(LinkRow, AppointmentRow)>, Error> {
    Ok(customer_links::table
        .inner_join(
            appointments::table.on(appointments::id
                .eq(customer_links::appointment_id)
                .and(appointments::organization_id.eq(customer_links::organization_id))),
        )
        .filter(customer_links::token_hash.eq(token_hash))
        .select((LinkRow::as_select(), AppointmentRow::as_select()))
        .get_result(conn)
        .optional()?)
}
