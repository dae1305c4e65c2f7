//! API keys for staff, admins and integrations: creating one (its secret shown once),
//! listing them, revoking one without locking the organization out.

use chrono::{DateTime, Utc};

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::Role;
use crate::error::{Code, Error};
use crate::repo::api_keys::{self, ApiKeyRow};
use crate::repo::{Page, from_db, locks, to_db};

/// An API key as a use case returns it: never its secret.
#[derive(Clone, Debug)]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(r: ApiKeyRow) -> Self {
        ApiKey {
            role: r.role,
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            created_at: from_db(r.created_at),
            last_used_at: r.last_used_at.map(from_db),
            revoked_at: r.revoked_at.map(from_db),
        }
    }
}

#[derive(Clone)]
pub struct NewApiKey {
    pub name: String,
    pub role: Role,
}

/// A new key and its secret in clear, which exists only in this value.
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: String,
}

pub fn create(conn: &mut DbConnection, ctx: &Ctx, new: NewApiKey) -> Result<CreatedApiKey, Error> {
    let (row, secret) = api_keys::create(conn, &ctx.org, &new.name, new.role, ctx.now)?;
    Ok(CreatedApiKey {
        key: row.into(),
        secret,
    })
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<ApiKey>, Error> {
    Ok(api_keys::list(conn, &ctx.org, after, limit)?.map(ApiKey::from))
}

/// Revokes a key at once; revoking twice keeps the first time. The organization's last
/// active admin key stays, so that it cannot lock itself out. Revocations of one
/// organization's keys run one after the other, so that two of them cannot each leave
/// the other as the last admin key and revoke both.
pub fn revoke(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<ApiKey, Error> {
    locks::organization(conn, &ctx.org)?;
    let mut row = api_keys::get(conn, &ctx.org, id)?;
    if row.revoked_at.is_some() {
        return Ok(row.into());
    }
    if row.role == Role::Admin && api_keys::other_active_admins(conn, &ctx.org, id)? == 0 {
        return Err(Error::new(
            Code::LastAdminKey,
            "this is the organization's last active admin key; create another admin key first",
        ));
    }
    let at = to_db(ctx.now);
    api_keys::set_revoked(conn, id, at)?;
    row.revoked_at = Some(at);
    Ok(row.into())
}
