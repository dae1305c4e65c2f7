//! Creating organizations with their first admin key, and the first-start bootstrap.

use chrono::{DateTime, Utc};

use crate::db::DbConnection;
use crate::db::tx::write_tx;
use crate::domain::{Country, Currency, Locale, Role, TimeZone};
use crate::error::Error;
use crate::repo::api_keys;
use crate::repo::organizations::{self, NewOrganization, OrganizationRow};

/// A new organization and the clear-text secret of its first admin key.
pub struct CreatedOrganization {
    pub organization: OrganizationRow,
    pub admin_key: String,
}

/// Runs inside the caller's transaction.
pub fn create_with_admin_key(
    conn: &mut DbConnection,
    new: NewOrganization,
    now: DateTime<Utc>,
) -> Result<CreatedOrganization, Error> {
    let organization = organizations::create(conn, new, now)?;
    let (_, admin_key) =
        api_keys::create(conn, &organization.id, "first admin key", Role::Admin, now)?;
    Ok(CreatedOrganization {
        organization,
        admin_key,
    })
}

/// Defaults for the first organization of a fresh database: an Indonesian dealer.
pub fn default_organization(name: &str) -> NewOrganization {
    NewOrganization {
        name: name.to_owned(),
        time_zone: TimeZone::parse("time_zone", "Asia/Jakarta").expect("known zone"),
        locale: Locale::Id,
        currency: Currency::parse("currency", "IDR").expect("known currency"),
        country: Country::INDONESIA,
    }
}

/// On an empty database, creates the first organization and returns its admin key
/// (to be printed once); `None` when organizations already exist.
pub fn bootstrap(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<Option<CreatedOrganization>, Error> {
    write_tx(conn, |c| {
        if organizations::count(c)? > 0 {
            return Ok(None);
        }
        create_with_admin_key(c, default_organization("My organization"), now).map(Some)
    })
}
