//! `janji demo`: a realistic demo dealer, "Sinar Motor" in Jakarta, created as a new
//! organization with one location, its bays and advisors, three services, a few
//! customers and the coming months' Indonesian public holidays as closures.
//!
//! Everything goes through the use cases the API runs, in one write transaction: either the
//! whole demo exists afterwards or nothing of it does. Seeding again makes another,
//! separate demo organization.

use std::fmt::Write as _;

use chrono::{DateTime, Days, Utc};

use crate::app::Ctx;
use crate::app::customers::{self, Customer, NewCustomer};
use crate::app::policies::{self, NewPolicy, Policy, PolicyRules};
use crate::app::setup::closures::{self, Closure, NewClosure};
use crate::app::setup::locations::{self, Location, NewLocation};
use crate::app::setup::resources::{self, NewResource, Resource};
use crate::app::setup::services::{self, NewService, Service};
use crate::app::vehicles::{self, NewVehicle, Vehicle};
use crate::db::DbConnection;
use crate::db::tx::write_tx;
use crate::demo_holidays::holidays_ahead;
use crate::domain::closure_span::ClosureSpan;
use crate::domain::policy_doc::PolicyDoc;
use crate::domain::{
    Actor, ContactChannel, Country, Currency, Email, Locale, PhoneNumber, ResourceKind, TimeOfDay,
    TimeRange, TimeZone, WeeklyHours,
};
use crate::error::Error;
use crate::repo::organizations::NewOrganization;
use crate::tenancy::{self, CreatedOrganization};

/// What [`seed`] created: the organization with its admin key (shown once), and the
/// objects in it.
pub struct DemoSummary {
    pub created: CreatedOrganization,
    pub location: Location,
    pub resources: Vec<Resource>,
    pub services: Vec<Service>,
    pub customers: Vec<Customer>,
    /// The customers' motorcycles and cars, found by plate at the front desk.
    pub vehicles: Vec<Vehicle>,
    pub closures: Vec<Closure>,
    /// The organization's reschedule and cancellation policy (the design story's).
    pub policy: Policy,
}

impl DemoSummary {
    /// A short human summary of the ids created (the admin key is not in it).
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let loc = &self.location;
        let _ = writeln!(s, "Demo data:");
        let _ = writeln!(
            s,
            "  location  {}  {} ({})",
            loc.id,
            loc.name,
            loc.time_zone.name()
        );
        for r in &self.resources {
            let _ = writeln!(s, "  resource  {}  {} ({})", r.id, r.name, r.kind.as_str());
        }
        for v in &self.services {
            let buffer = match v.buffer_after_minutes {
                0 => String::new(),
                m => format!(" + {m} min after"),
            };
            let kinds: Vec<&str> = v.resource_kinds.iter().map(|k| k.as_str()).collect();
            let _ = writeln!(
                s,
                "  service   {}  {} ({} min{buffer}; needs {})",
                v.id,
                v.name,
                v.duration_minutes,
                kinds.join(" + ")
            );
        }
        for c in &self.customers {
            let _ = writeln!(s, "  customer  {}  {}", c.id, c.name);
        }
        for v in &self.vehicles {
            let what = [v.make.as_deref(), v.model.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(s, "  vehicle   {}  {} ({what})", v.id, v.plate);
        }
        let _ = writeln!(
            s,
            "  policy    {}  {} (the organization's)",
            self.policy.id, self.policy.name
        );
        let tz = loc.time_zone.tz();
        let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
        match (self.closures.first(), self.closures.last()) {
            (Some(first), Some(last)) => {
                let _ = writeln!(
                    s,
                    "  closures  {} public holiday(s), {} ({}) to {} ({})",
                    self.closures.len(),
                    day(first.starts_at),
                    first.reason,
                    day(last.starts_at),
                    last.reason
                );
            }
            _ => {
                let _ = writeln!(s, "  closures  none: no known public holiday ahead");
            }
        }
        s
    }
}

/// A demo customer; `locale: None` takes the organization's (Indonesian).
struct Person {
    name: &'static str,
    phone: Option<&'static str>,
    email: Option<&'static str>,
    locale: Option<Locale>,
    channel: ContactChannel,
    external_ref: Option<&'static str>,
}

const PEOPLE: [Person; 4] = [
    // Books through the dealer's WhatsApp bot, which knows him by his number.
    Person {
        name: "Budi Santoso",
        phone: Some("+6281234567890"),
        email: None,
        locale: None,
        channel: ContactChannel::Whatsapp,
        external_ref: Some("wa-6281234567890"),
    },
    Person {
        name: "Siti Rahma",
        phone: None,
        email: Some("siti.rahma@example.com"),
        locale: None,
        channel: ContactChannel::Email,
        external_ref: None,
    },
    Person {
        name: "Agus Wijaya",
        phone: Some("+6285712345678"),
        email: Some("agus.wijaya@example.com"),
        locale: None,
        channel: ContactChannel::Sms,
        external_ref: None,
    },
    Person {
        name: "Daniel Tan",
        phone: Some("+6281398765432"),
        email: None,
        locale: Some(Locale::En),
        channel: ContactChannel::Whatsapp,
        external_ref: Some("wa-6281398765432"),
    },
];

fn at(h: u16, m: u16) -> TimeOfDay {
    TimeOfDay::from_minutes(h * 60 + m).expect("time of day")
}

fn open(from: (u16, u16), to: (u16, u16)) -> TimeRange {
    TimeRange {
        start: at(from.0, from.1),
        end: at(to.0, to.1),
    }
}

/// Mon–Fri 08:00–12:00 and 13:00–16:00 (lunch break), Sat 08:00–13:00, Sun closed.
fn workshop_hours() -> Result<WeeklyHours, Error> {
    let weekday = vec![open((8, 0), (12, 0)), open((13, 0), (16, 0))];
    WeeklyHours {
        mon: weekday.clone(),
        tue: weekday.clone(),
        wed: weekday.clone(),
        thu: weekday.clone(),
        fri: weekday,
        sat: vec![open((8, 0), (13, 0))],
        sun: vec![],
    }
    .validated("weekly_hours")
}

/// Creates the demo dealer as a new organization in one write transaction of its own.
/// Sinar Motor's policy from the design story: moves free with 72 hours' notice, IDR
/// 50,000 with 24, IDR 150,000 later; two moves per appointment and three per customer
/// in 90 days; a reason; a missed appointment rebooked within 7 days for IDR 50,000;
/// cancellations refused within 12 hours.
fn sinar_policy() -> Result<PolicyRules, Error> {
    let doc: PolicyDoc = serde_json::from_value(serde_json::json!({
        "reschedule": {
            "min_notice_minutes": 1440, "late_mode": "charge",
            "fee_tiers": [{"notice_at_least_minutes": 4320, "fee": 0},
                          {"notice_at_least_minutes": 1440, "fee": 5_000_000},
                          {"notice_at_least_minutes": 0, "fee": 15_000_000}],
            "max_per_appointment": 2, "max_per_customer": 3, "customer_window_days": 90,
            "reason_required": true,
            "allow_after_no_show": {"within_days": 7, "fee": 5_000_000}
        },
        "cancellation": {"min_notice_minutes": 720, "late_mode": "refuse"},
        "text": {
            "id": "Ganti jadwal gratis jika 72 jam sebelumnya; Rp50.000 jika 24 jam sebelumnya; Rp150.000 jika kurang dari 24 jam. Pembatalan paling lambat 12 jam sebelumnya.",
            "en": "Rescheduling is free with 72 hours' notice, IDR 50,000 with 24 hours, IDR 150,000 with less. Cancel at least 12 hours ahead."
        }
    }))
    .map_err(|e| Error::internal(format!("demo policy: {e}")))?;
    Ok(PolicyRules {
        name: "Kebijakan Sinar Motor".to_owned(),
        currency: None,
        doc: doc.validated()?,
    })
}

pub fn seed(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<DemoSummary, Error> {
    write_tx(conn, |c| seed_in(c, now))
}

fn seed_in(c: &mut DbConnection, now: DateTime<Utc>) -> Result<DemoSummary, Error> {
    let zone = TimeZone::parse("time_zone", "Asia/Jakarta")?;
    let created = tenancy::create_with_admin_key(
        c,
        NewOrganization {
            name: "Sinar Motor".to_owned(),
            time_zone: zone,
            locale: Locale::Id,
            currency: Currency::parse("currency", "IDR")?,
            country: Country::INDONESIA,
        },
        now,
    )?;
    let ctx = Ctx::new(created.organization.id.clone(), Actor::System, now);

    let location = locations::create(
        c,
        &ctx,
        NewLocation {
            name: "Sinar Motor Kemayoran".to_owned(),
            address: Some("Jl. Industri Raya No. 12, Kemayoran, Jakarta Pusat 10610".to_owned()),
            phone: Some(PhoneNumber::parse(
                "phone",
                "+62214261234",
                Country::INDONESIA,
            )?),
            time_zone: Some(zone),
            weekly_hours: workshop_hours()?,
            booking: Default::default(),
        },
    )?;

    let mut resources = vec![];
    for (name, kind) in [
        ("Bay 1", ResourceKind::ServiceBay),
        ("Bay 2", ResourceKind::ServiceBay),
        ("Andi", ResourceKind::ServiceAdvisor),
        ("Sari", ResourceKind::ServiceAdvisor),
    ] {
        resources.push(resources::create(
            c,
            &ctx,
            NewResource {
                location_id: location.id.clone(),
                name: name.to_owned(),
                kind,
                weekly_hours: None,
                active: true,
            },
        )?);
    }

    let mut services = vec![];
    for (name, minutes, after, kinds) in [
        (
            "Servis berkala",
            60,
            10,
            vec![ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
        ),
        ("Ganti oli", 30, 0, vec![ResourceKind::ServiceBay]),
        ("Konsultasi", 30, 0, vec![ResourceKind::ServiceAdvisor]),
    ] {
        services.push(services::create(
            c,
            &ctx,
            NewService {
                name: name.to_owned(),
                duration_minutes: minutes,
                buffer_before_minutes: 0,
                buffer_after_minutes: after,
                resource_kinds: kinds,
                resource_ids: vec![],
                location_ids: vec![location.id.clone()],
                active: true,
            },
        )?);
    }

    let mut customers = vec![];
    for p in PEOPLE {
        customers.push(
            customers::create(
                c,
                &ctx,
                NewCustomer {
                    name: p.name.to_owned(),
                    phone: p
                        .phone
                        .map(|v| PhoneNumber::parse("phone", v, Country::INDONESIA))
                        .transpose()?,
                    email: p.email.map(|v| Email::parse("email", v)).transpose()?,
                    locale: p.locale,
                    preferred_channel: p.channel,
                    external_ref: p.external_ref.map(str::to_owned),
                },
            )?
            .customer()
            .clone(),
        );
    }

    // (customer, plate as a desk types it, make, model, year, odometer at the last visit)
    let mut vehicles = vec![];
    for (owner, plate, make, model, year, km) in [
        (0, "b1234xyz", "Honda", "Vario 125", 2021, 12_450),
        (0, "B-4455-SJT", "Toyota", "Avanza", 2019, 58_200),
        (2, "b 5678 klm", "Yamaha", "NMAX", 2023, 3_200),
        (3, "D 4321 AB", "Honda", "Beat", 2022, 9_800),
    ] {
        vehicles.push(vehicles::create(
            c,
            &ctx,
            &customers[owner].id,
            NewVehicle {
                plate: crate::domain::vehicle::Plate::parse("plate", plate)?,
                make: Some(make.to_owned()),
                model: Some(model.to_owned()),
                year: Some(year),
                odometer_km: Some(km),
            },
        )?);
    }

    let tz = zone.tz();
    let today = now.with_timezone(&tz).date_naive();
    let mut closures = vec![];
    for h in holidays_ahead(today) {
        closures.push(closures::create(
            c,
            &ctx,
            NewClosure {
                location_id: location.id.clone(),
                resource_id: None,
                span: ClosureSpan::LocalDays {
                    first: h.first(),
                    last: Some(h.end() - Days::new(1)),
                },
                reason: h.reason.to_owned(),
            },
        )?);
    }

    let policy = policies::create(
        c,
        &ctx,
        NewPolicy {
            location_id: None,
            service_id: None,
            rules: sinar_policy()?,
        },
    )?;

    Ok(DemoSummary {
        created,
        location,
        resources,
        services,
        customers,
        vehicles,
        closures,
        policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workshop_hours_have_a_lunch_break_and_a_closed_sunday() {
        let h = workshop_hours().unwrap();
        assert_eq!(h.mon.len(), 2);
        assert_eq!(h.sat, vec![open((8, 0), (13, 0))]);
        assert!(h.sun.is_empty());
    }
}
