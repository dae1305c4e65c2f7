//! `janji demo`: a realistic demo dealer, "Sinar Motor" in Jakarta, created as a new
//! organization with one location, its bays and advisors, three services, a few
//! customers and the coming months' Indonesian public holidays as closures.
//!
//! Everything goes through the store functions, in one write transaction: either the
//! whole demo exists afterwards or nothing of it does. Seeding again makes another,
//! separate demo organization.

use std::fmt::Write as _;

use chrono::{DateTime, Days, Months, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::DbConnection;
use crate::db::tx::write_tx;
use crate::domain::closure_span::ClosureSpan;
use crate::domain::{
    ContactChannel, Currency, Email, Locale, PhoneNumber, ResourceKind, TimeOfDay, TimeRange,
    TimeZone, WeeklyHours,
};
use crate::error::Error;
use crate::store::closures::{self, ClosureRow, NewClosure};
use crate::store::customers::{self, CustomerRow, NewCustomer};
use crate::store::from_db;
use crate::store::locations::{self, LocationRow, NewLocation};
use crate::store::organizations::NewOrganization;
use crate::store::resources::{self, NewResource, ResourceRow};
use crate::store::services::{self, NewService, ServiceRow};
use crate::tenancy::{self, CreatedOrganization};

/// How far ahead public holidays become closures.
const HOLIDAY_HORIZON: Months = Months::new(6);

/// One national public holiday (hari libur nasional): `days` whole local days from `date`.
struct Holiday {
    date: (i32, u32, u32),
    days: u64,
    reason: &'static str,
}

const fn holiday(y: i32, m: u32, d: u32, reason: &'static str) -> Holiday {
    Holiday {
        date: (y, m, d),
        days: 1,
        reason,
    }
}

/// National public holidays as set by the joint decree of three ministers (SKB 3 Menteri)
/// for 2026 and for 2027. Cuti bersama (collective leave) days are left out: they bind
/// civil servants, and each dealer decides for itself whether to close. Islamic holidays
/// can still move by a day after the government's sighting (sidang isbat). Extend the
/// table when the next year's decree is published.
const HOLIDAYS: &[Holiday] = &[
    holiday(2026, 1, 1, "Tahun Baru 2026 Masehi"),
    holiday(2026, 1, 16, "Isra Mi'raj Nabi Muhammad SAW"),
    holiday(2026, 2, 17, "Tahun Baru Imlek 2577 Kongzili"),
    holiday(2026, 3, 19, "Hari Suci Nyepi (Tahun Baru Saka 1948)"),
    Holiday {
        date: (2026, 3, 21),
        days: 2,
        reason: "Hari Raya Idul Fitri 1447 H",
    },
    holiday(2026, 4, 3, "Wafat Yesus Kristus"),
    holiday(2026, 4, 5, "Kebangkitan Yesus Kristus (Paskah)"),
    holiday(2026, 5, 1, "Hari Buruh Internasional"),
    holiday(2026, 5, 14, "Kenaikan Yesus Kristus"),
    holiday(2026, 5, 27, "Hari Raya Idul Adha 1447 H"),
    holiday(2026, 5, 31, "Hari Raya Waisak 2570 BE"),
    holiday(2026, 6, 1, "Hari Lahir Pancasila"),
    holiday(2026, 6, 16, "Tahun Baru Islam 1448 H"),
    holiday(2026, 8, 17, "Hari Kemerdekaan Republik Indonesia"),
    holiday(2026, 8, 25, "Maulid Nabi Muhammad SAW"),
    holiday(2026, 12, 25, "Hari Raya Natal"),
    holiday(2027, 1, 1, "Tahun Baru 2027 Masehi"),
    holiday(2027, 1, 5, "Isra Mi'raj Nabi Muhammad SAW"),
    holiday(2027, 2, 6, "Tahun Baru Imlek 2578 Kongzili"),
    holiday(2027, 3, 8, "Hari Suci Nyepi (Tahun Baru Saka 1949)"),
    Holiday {
        date: (2027, 3, 10),
        days: 2,
        reason: "Hari Raya Idul Fitri 1448 H",
    },
    holiday(2027, 3, 26, "Wafat Yesus Kristus"),
    holiday(2027, 3, 28, "Kebangkitan Yesus Kristus (Paskah)"),
    holiday(2027, 5, 1, "Hari Buruh Internasional"),
    holiday(2027, 5, 6, "Kenaikan Yesus Kristus"),
    holiday(2027, 5, 17, "Hari Raya Idul Adha 1448 H"),
    holiday(2027, 5, 20, "Hari Raya Waisak 2571 BE"),
    holiday(2027, 6, 1, "Hari Lahir Pancasila"),
    holiday(2027, 6, 6, "Tahun Baru Islam 1449 H"),
    holiday(2027, 8, 15, "Maulid Nabi Muhammad SAW"),
    holiday(2027, 8, 17, "Hari Kemerdekaan Republik Indonesia"),
    holiday(2027, 12, 25, "Hari Raya Natal"),
];

impl Holiday {
    fn first(&self) -> NaiveDate {
        let (y, m, d) = self.date;
        NaiveDate::from_ymd_opt(y, m, d).expect("valid holiday date")
    }

    /// The day after the holiday's last day.
    fn end(&self) -> NaiveDate {
        self.first() + Days::new(self.days)
    }
}

/// The holidays not yet over on local date `today` that start within the horizon.
fn holidays_ahead(today: NaiveDate) -> impl Iterator<Item = &'static Holiday> {
    let until = today + HOLIDAY_HORIZON;
    HOLIDAYS
        .iter()
        .filter(move |h| h.end() > today && h.first() < until)
}

/// What [`seed`] created: the organization with its admin key (shown once), and the rows.
pub struct DemoSummary {
    pub created: CreatedOrganization,
    pub location: LocationRow,
    pub resources: Vec<ResourceRow>,
    pub services: Vec<ServiceRow>,
    pub customers: Vec<CustomerRow>,
    pub closures: Vec<ClosureRow>,
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
            loc.id, loc.name, loc.time_zone
        );
        for r in &self.resources {
            let _ = writeln!(s, "  resource  {}  {} ({})", r.id, r.name, r.kind);
        }
        for v in &self.services {
            let buffer = match v.buffer_after_minutes {
                0 => String::new(),
                m => format!(" + {m} min after"),
            };
            let kinds = v.resource_kinds().unwrap_or_default();
            let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
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
        let tz: Tz = loc.time_zone.parse().unwrap_or(Tz::UTC);
        let day = |t| from_db(t).with_timezone(&tz).date_naive();
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
        },
        now,
    )?;
    let org = created.organization.id.clone();

    let location = locations::create(
        c,
        &org,
        NewLocation {
            name: "Sinar Motor Kemayoran".to_owned(),
            address: Some("Jl. Industri Raya No. 12, Kemayoran, Jakarta Pusat 10610".to_owned()),
            phone: Some(PhoneNumber::parse("phone", "+62214261234")?),
            time_zone: Some(zone),
            weekly_hours: workshop_hours()?,
            booking: Default::default(),
        },
        now,
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
            &org,
            NewResource {
                location_id: location.id.clone(),
                name: name.to_owned(),
                kind,
                weekly_hours: None,
                active: true,
            },
            now,
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
            &org,
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
            now,
        )?);
    }

    let mut customers = vec![];
    for p in PEOPLE {
        customers.push(customers::create(
            c,
            &org,
            NewCustomer {
                name: p.name.to_owned(),
                phone: p
                    .phone
                    .map(|v| PhoneNumber::parse("phone", v))
                    .transpose()?,
                email: p.email.map(|v| Email::parse("email", v)).transpose()?,
                locale: p.locale,
                preferred_channel: p.channel,
                external_ref: p.external_ref.map(str::to_owned),
            },
            now,
        )?);
    }

    let tz = zone.tz();
    let today = now.with_timezone(&tz).date_naive();
    let mut closures = vec![];
    for h in holidays_ahead(today) {
        closures.push(closures::create(
            c,
            &org,
            &location.id,
            NewClosure {
                resource_id: None,
                span: ClosureSpan::LocalDays {
                    first: h.first(),
                    last: Some(h.end() - Days::new(1)),
                },
                reason: h.reason.to_owned(),
            },
            now,
        )?);
    }

    Ok(DemoSummary {
        created,
        location,
        resources,
        services,
        customers,
        closures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn holiday_table_is_ordered_and_valid() {
        assert!(
            HOLIDAYS
                .windows(2)
                .all(|w| w[0].end() <= w[1].first() && w[0].days >= 1)
        );
    }

    #[test]
    fn picks_the_coming_six_months_only() {
        let ahead: Vec<_> = holidays_ahead(date(2026, 11, 23))
            .map(|h| (h.first(), h.reason))
            .collect();
        assert_eq!(ahead.first().unwrap().0, date(2026, 12, 25));
        assert_eq!(ahead.last().unwrap().0, date(2027, 5, 20));
        assert!(ahead.contains(&(date(2027, 3, 10), "Hari Raya Idul Fitri 1448 H")));
        // A holiday is still ahead on its own (last) day, and over the day after.
        assert_eq!(
            holidays_ahead(date(2027, 3, 11)).next().unwrap().first(),
            date(2027, 3, 10)
        );
        assert_eq!(
            holidays_ahead(date(2027, 3, 12)).next().unwrap().first(),
            date(2027, 3, 26)
        );
        assert_eq!(holidays_ahead(date(2030, 1, 1)).count(), 0);
    }

    #[test]
    fn workshop_hours_have_a_lunch_break_and_a_closed_sunday() {
        let h = workshop_hours().unwrap();
        assert_eq!(h.mon.len(), 2);
        assert_eq!(h.sat, vec![open((8, 0), (13, 0))]);
        assert!(h.sun.is_empty());
    }
}
