//! The caller's organization: reading and changing its settings.

use chrono::{DateTime, Utc};

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::{Country, Currency, Locale, TimeZone};
use crate::error::Error;
use crate::repo::organizations::{self, OrganizationRow};
use crate::repo::{check_version, from_db, to_db};

/// An organization as a use case returns it.
#[derive(Clone, Debug)]
pub struct Organization {
    pub id: String,
    pub name: String,
    pub time_zone: TimeZone,
    pub locale: Locale,
    pub currency: Currency,
    pub country: Country,
    pub booking_lead_minutes: i32,
    pub booking_horizon_days: i32,
    pub slot_interval_minutes: i32,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Self {
        Organization {
            locale: r.locale,
            id: r.id,
            name: r.name,
            time_zone: r.time_zone,
            currency: r.currency,
            country: r.country,
            booking_lead_minutes: r.booking_lead_minutes,
            booking_horizon_days: r.booking_horizon_days,
            slot_interval_minutes: r.slot_interval_minutes,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        }
    }
}

/// Booking rules, each already within its bounds; on a location, `None` falls back to
/// the organization's.
#[derive(Clone, Copy, Debug, Default)]
pub struct BookingSettings {
    pub lead_minutes: Option<i32>,
    pub horizon_days: Option<i32>,
    pub slot_interval_minutes: Option<i32>,
}

/// A partial change of settings; `None` leaves a field as it is.
#[derive(Clone, Default)]
pub struct OrganizationChanges {
    pub name: Option<String>,
    pub time_zone: Option<TimeZone>,
    pub locale: Option<Locale>,
    pub currency: Option<Currency>,
    pub country: Option<Country>,
    pub booking: BookingSettings,
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx) -> Result<Organization, Error> {
    Ok(organizations::get(conn, &ctx.org)?.into())
}

/// Changes the settings if the organization is still at `expected_version` (when given).
pub fn update(
    conn: &mut DbConnection,
    ctx: &Ctx,
    expected_version: Option<i64>,
    changes: OrganizationChanges,
) -> Result<Organization, Error> {
    let mut row = organizations::get(conn, &ctx.org)?;
    check_version(expected_version, row.version)?;
    let before = row.clone();
    if let Some(name) = changes.name {
        row.name = name;
    }
    if let Some(tz) = changes.time_zone {
        row.time_zone = tz;
    }
    if let Some(locale) = changes.locale {
        row.locale = locale;
    }
    if let Some(currency) = changes.currency {
        row.currency = currency;
    }
    if let Some(country) = changes.country {
        row.country = country;
    }
    if let Some(v) = changes.booking.lead_minutes {
        row.booking_lead_minutes = v;
    }
    if let Some(v) = changes.booking.horizon_days {
        row.booking_horizon_days = v;
    }
    if let Some(v) = changes.booking.slot_interval_minutes {
        row.slot_interval_minutes = v;
    }
    if row == before {
        // Nothing changes: the version (and so the ETag) stays.
        return Ok(row.into());
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    organizations::save(conn, &row, previous)?;
    Ok(row.into())
}
