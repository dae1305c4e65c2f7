//! What a schedule is made of besides the busy blocks: the location, the service, the
//! resources able to perform it, closures and booking rules. Read together, and kept by
//! [`super::snapshots::Snapshots`] while the organization's `setup_version` holds.

use chrono::{Duration, NaiveDateTime};
use chrono_tz::Tz;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{
    closures, delivery_adapters, locations, notification_settings, organizations, resources,
    service_locations, service_resources, webhook_endpoints,
};
use crate::domain::availability::{BookingRules, ResourceSchedule, ServiceNeeds};
use crate::domain::interval::Interval;
use crate::domain::{ResourceKind, booking_rules};
use crate::error::{Code, Error};
use crate::repo::from_db;
use crate::repo::locations::LocationRow;
use crate::repo::organizations::OrganizationRow;
use crate::repo::resources::ResourceRow;
use crate::repo::services::{self, ServiceRow};

/// A location's setup for one service, as read at `version` of its organization's setup.
#[derive(Debug)]
pub struct Setup {
    pub version: i64,
    pub location: LocationRow,
    pub service: ServiceRow,
    pub tz: Tz,
    /// Closures of the whole location.
    pub closures: Vec<Interval>,
    /// Resources able to perform the service, in id order, with their own closures and
    /// no busy blocks (those are the busy snapshots').
    pub able: Vec<ResourceSchedule>,
    pub names: Vec<String>,
    pub needs: ServiceNeeds,
    pub rules: BookingRules,
    /// Whether the organization has a gateway or a delivery adapter, so that changes write messages
    /// (`app::notices`); a booking learns it here without a statement of its own.
    pub sends_messages: bool,
    /// Whether the organization has an active webhook endpoint, so that changes publish
    /// events (`app::webhooks`); learnt the same way.
    pub sends_webhooks: bool,
}

/// Reads the setup, in a fixed number of queries whatever the number of resources.
pub fn read(
    conn: &mut DbConnection,
    org: &str,
    location_id: &str,
    service_id: &str,
    version: i64,
) -> Result<Setup, Error> {
    // The location with its organization's booking defaults, whether it has a gateway,
    // a built-in delivery adapter (SMTP, WhatsApp Cloud API: they send without a
    // gateway) and an active webhook endpoint, in one read.
    let (location, org_row, gateway, adapters, hooks) = locations::table
        .inner_join(organizations::table)
        .left_join(
            notification_settings::table
                .on(notification_settings::organization_id.eq(locations::organization_id)),
        )
        .filter(locations::organization_id.eq(org))
        .filter(locations::id.eq(location_id))
        .select((
            LocationRow::as_select(),
            OrganizationRow::as_select(),
            // No row, or a row without a gateway: NULL either way.
            notification_settings::gateway_url
                .assume_not_null()
                .nullable(),
            diesel::dsl::exists(
                delivery_adapters::table.filter(delivery_adapters::organization_id.eq(org)),
            ),
            diesel::dsl::exists(
                webhook_endpoints::table
                    .filter(webhook_endpoints::organization_id.eq(org))
                    .filter(webhook_endpoints::active.eq(true)),
            ),
        ))
        .get_result::<(LocationRow, OrganizationRow, Option<String>, bool, bool)>(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("location"))?;
    let service = services::get_row(conn, org, service_id)?;
    let offered = service.active && {
        let at: Vec<String> = service_locations::table
            .filter(service_locations::service_id.eq(&service.id))
            .select(service_locations::location_id)
            .load(conn)?;
        at.is_empty() || at.contains(&location.id)
    };
    if !offered {
        return Err(Error::invalid(
            "service_id",
            Code::ServiceNotOffered,
            "this service is not offered at this location (or is inactive)",
        ));
    }
    let rules = booking_rules::resolve(
        (
            org_row.booking_lead_minutes,
            org_row.booking_horizon_days,
            org_row.slot_interval_minutes,
        ),
        (
            location.booking_lead_minutes,
            location.booking_horizon_days,
            location.slot_interval_minutes,
        ),
    );
    let tz = location.time_zone.tz();
    let kinds = service.resource_kinds()?;
    // The service's allow-list, each resource with its kind.
    let allowed: Vec<(String, ResourceKind)> = service_resources::table
        .inner_join(resources::table)
        .filter(service_resources::service_id.eq(&service.id))
        .select((resources::id, resources::kind))
        .load(conn)?;
    let needs = ServiceNeeds {
        duration: Duration::minutes(i64::from(service.duration_minutes)),
        buffer_before: Duration::minutes(i64::from(service.buffer_before_minutes)),
        buffer_after: Duration::minutes(i64::from(service.buffer_after_minutes)),
        kinds: kinds.clone(),
    };

    let rows: Vec<ResourceRow> = resources::table
        .filter(resources::location_id.eq(&location.id))
        .filter(resources::active.eq(true))
        .select(ResourceRow::as_select())
        .order(resources::id.asc())
        .load(conn)?;
    // A kind with listed resources may use only those; other kinds use any of theirs.
    let restricted: Vec<ResourceKind> = allowed.iter().map(|&(_, k)| k).collect();
    let allowed: Vec<String> = allowed.into_iter().map(|(id, _)| id).collect();
    let mut able = Vec::new();
    let mut names = Vec::new();
    for r in rows {
        let kind = r.kind;
        if !kinds.contains(&kind) || (restricted.contains(&kind) && !allowed.contains(&r.id)) {
            continue;
        }
        able.push(ResourceSchedule {
            id: r.id,
            kind,
            hours: r.weekly_hours,
            closures: Vec::new(),
            busy: Default::default(),
        });
        names.push(r.name);
    }

    // Every closure of the location: a dealer has a few a year, and the availability
    // functions look only at those touching the window asked for.
    let closure_rows: Vec<(Option<String>, NaiveDateTime, NaiveDateTime)> = closures::table
        .filter(closures::location_id.eq(&location.id))
        .select((
            closures::resource_id,
            closures::starts_at,
            closures::ends_at,
        ))
        .load(conn)?;
    let mut location_closures = Vec::new();
    for (resource_id, s, e) in closure_rows {
        let iv = Interval::new(from_db(s), from_db(e));
        match resource_id {
            None => location_closures.push(iv),
            Some(id) => {
                if let Some(r) = able.iter_mut().find(|r| r.id == id) {
                    r.closures.push(iv);
                }
            }
        }
    }

    Ok(Setup {
        version,
        location,
        service,
        tz,
        closures: location_closures,
        able,
        names,
        needs,
        rules,
        sends_messages: gateway.is_some() || adapters,
        sends_webhooks: hooks,
    })
}
