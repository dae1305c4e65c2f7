//! The built-in delivery adapters of an organization, one row per kind (`smtp`,
//! `whatsapp_cloud`). The credentials column holds only sealed text (`delivery::sealed`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::DbConnection;
use crate::db::schema::delivery_adapters;
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = delivery_adapters)]
pub struct AdapterRow {
    pub organization_id: String,
    /// `smtp` or `whatsapp_cloud`.
    pub kind: String,
    /// What is not secret, as JSON.
    pub settings: String,
    pub sealed_credentials: String,
    /// SHA-256 (hex) of the webhook verify token, when one is set.
    pub verify_token_hash: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn get(conn: &mut DbConnection, org: &str, kind: &str) -> Result<Option<AdapterRow>, Error> {
    Ok(delivery_adapters::table
        .filter(delivery_adapters::organization_id.eq(org))
        .filter(delivery_adapters::kind.eq(kind))
        .select(AdapterRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// Every adapter of an organization.
pub fn of(conn: &mut DbConnection, org: &str) -> Result<Vec<AdapterRow>, Error> {
    Ok(delivery_adapters::table
        .filter(delivery_adapters::organization_id.eq(org))
        .order(delivery_adapters::kind)
        .select(AdapterRow::as_select())
        .load(conn)?)
}

/// The kinds an organization has set up (no credentials read).
pub fn kinds_of(conn: &mut DbConnection, org: &str) -> Result<Vec<String>, Error> {
    Ok(delivery_adapters::table
        .filter(delivery_adapters::organization_id.eq(org))
        .select(delivery_adapters::kind)
        .load(conn)?)
}

/// Inserts the row or replaces the one of its kind, in one statement (no read first, so
/// two saves at once leave the later one, whole). Returns the row as stored.
pub fn save(conn: &mut DbConnection, row: &AdapterRow) -> Result<AdapterRow, Error> {
    use delivery_adapters::*;
    let set = (
        settings.eq(excluded(settings)),
        sealed_credentials.eq(excluded(sealed_credentials)),
        verify_token_hash.eq(excluded(verify_token_hash)),
        updated_at.eq(excluded(updated_at)),
    );
    match conn {
        DbConnection::Pg(c) => diesel::insert_into(table)
            .values(row)
            .on_conflict((organization_id, kind))
            .do_update()
            .set(set)
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(table)
            .values(row)
            .on_conflict((organization_id, kind))
            .do_update()
            .set(set)
            .execute(c)?,
    };
    get(conn, &row.organization_id, &row.kind)?
        .ok_or_else(|| Error::internal("a saved delivery adapter is gone"))
}

/// Removes an adapter; returns whether there was one.
pub fn delete(conn: &mut DbConnection, org: &str, kind: &str) -> Result<bool, Error> {
    let n = diesel::delete(
        delivery_adapters::table
            .filter(delivery_adapters::organization_id.eq(org))
            .filter(delivery_adapters::kind.eq(kind)),
    )
    .execute(conn)?;
    Ok(n == 1)
}
