//! API keys: creation (secret returned once), lookup for authentication, revocation.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Page, new_id, page_of, to_db};
use crate::api_key;
use crate::db::DbConnection;
use crate::db::schema::{api_keys, organizations};
use crate::domain::{Country, Locale, Role};
use crate::error::Error;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub role: Role,
    pub prefix: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// Who a valid key speaks for.
#[derive(Clone, Debug)]
pub struct Principal {
    pub organization_id: String,
    pub key_id: String,
    pub role: Role,
    /// The organization's country, where the national phone numbers it is sent belong.
    pub country: Country,
    /// The organization's locale, read with the key (one statement): money and other
    /// text for people is rendered in it.
    pub locale: Locale,
}

/// Creates a key; the returned token is the only time the secret exists in clear.
pub fn create(
    conn: &mut DbConnection,
    organization_id: &str,
    name: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<(ApiKeyRow, String), Error> {
    let key = api_key::generate();
    let row = ApiKeyRow {
        id: new_id(),
        organization_id: organization_id.to_owned(),
        name: name.to_owned(),
        role,
        prefix: key.prefix,
        secret_hash: key.hash,
        created_at: to_db(now),
        last_used_at: None,
        revoked_at: None,
    };
    diesel::insert_into(api_keys::table)
        .values(&row)
        .execute(conn)?;
    Ok((row, key.token))
}

/// Resolves a bearer token to its principal; any failure is the same `unauthorized`
/// so a caller learns nothing about which keys exist.
/// It only reads: the caller notes the use in memory (see `crate::last_use`).
pub fn authenticate(conn: &mut DbConnection, token: &str) -> Result<Principal, Error> {
    let refused = || Error::unauthorized("missing, malformed, unknown or revoked API key");
    let prefix = api_key::prefix_of(token).ok_or_else(refused)?;
    // The organization's country and locale come along in the same statement: the
    // handlers read phone numbers with the one and write money for people in the other.
    let (row, country, locale): (ApiKeyRow, Country, Locale) = api_keys::table
        .inner_join(organizations::table)
        .filter(api_keys::prefix.eq(prefix))
        .select((
            ApiKeyRow::as_select(),
            organizations::country,
            organizations::locale,
        ))
        .get_result(conn)
        .optional()?
        .ok_or_else(refused)?;
    if row.revoked_at.is_some() || !api_key::hashes_match(&api_key::hash(token), &row.secret_hash) {
        return Err(refused());
    }
    Ok(Principal {
        organization_id: row.organization_id,
        key_id: row.id,
        role: row.role,
        country,
        locale,
    })
}

/// Writes noted last uses; a use never moves a key's last use back in time.
pub fn record_uses(conn: &mut DbConnection, uses: &[(String, DateTime<Utc>)]) -> Result<(), Error> {
    for (id, at) in uses {
        let at = to_db(*at);
        diesel::update(
            api_keys::table.find(id).filter(
                api_keys::last_used_at
                    .is_null()
                    .or(api_keys::last_used_at.lt(at)),
            ),
        )
        .set(api_keys::last_used_at.eq(Some(at)))
        .execute(conn)?;
    }
    Ok(())
}

pub fn list(
    conn: &mut DbConnection,
    organization_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<ApiKeyRow>, Error> {
    let mut q = api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(api_keys::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

pub fn get(conn: &mut DbConnection, organization_id: &str, id: &str) -> Result<ApiKeyRow, Error> {
    api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .filter(api_keys::id.eq(id))
        .select(ApiKeyRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("API key"))
}

/// How many active admin keys the organization has besides `except_id`.
pub fn other_active_admins(
    conn: &mut DbConnection,
    organization_id: &str,
    except_id: &str,
) -> Result<i64, Error> {
    Ok(api_keys::table
        .filter(api_keys::organization_id.eq(organization_id))
        .filter(api_keys::role.eq(Role::Admin))
        .filter(api_keys::revoked_at.is_null())
        .filter(api_keys::id.ne(except_id))
        .count()
        .get_result(conn)?)
}

pub fn set_revoked(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> Result<(), Error> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::revoked_at.eq(Some(at)))
        .execute(conn)?;
    Ok(())
}
