//! Seeds the data sets of the HTTP performance run (`benches/perf.sh`).
//!
//! `DATABASE_URL=... cargo run --release --example perf_seed` creates three
//! organizations on a fresh database, each booked through the same `booking::book` the
//! API runs (100 bookings to a write transaction), and prints what a load tool needs as
//! `name value` lines:
//!
//! - `one_*`: one location open 05:00-23:00 every day, one bay, a 15-minute service
//!   needing it, a 15-minute grid, and 2,000 bookings in the 31 days from tomorrow.
//! - `fifty_*`: one location open 07:00-19:00 every day, 25 bays and 25 advisors, a
//!   30-minute grid and 10,000 appointments of 30 minutes (a bay and an advisor each) in
//!   the 31 days from tomorrow; `fifty_service` is a 60-minute service needing a bay and
//!   an advisor, the one asked about.
//! - `book_*`: one location open all day every day, two bays, a 15-minute service, a
//!   15-minute grid, no lead time and a 730-day horizon, nothing booked: room for about
//!   70,000 bookings at distinct starts.
//!
//! Times are printed as RFC 3339 UTC. The same file builds against older commits (the
//! script `benches/perf.sh` copies it there) so a "before" build seeds the same data.

use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, TimeZone as _, Utc};

use janji::app::Ctx;
use janji::app::booking::{self, BookAppointment, BookOutcome, CustomerRef};
use janji::app::customers::{self, NewCustomer};
use janji::app::organization::BookingSettings;
use janji::app::setup::locations::{self, NewLocation};
use janji::app::setup::resources::{self, NewResource};
use janji::app::setup::services::{self, NewService};
use janji::db::{self, DbConnection, tx::write_tx};
use janji::domain::Actor;
use janji::domain::{Channel, Country, Locale, PhoneNumber, ResourceKind, TimeZone, WeeklyHours};
use janji::tenancy;

/// The context a seeding step acts in. Kept in one place: `benches/perf.sh` rewrites this
/// line for commits whose `Ctx` has no constructor.
fn ctx(org: &str, now: DateTime<Utc>) -> Ctx {
    Ctx::new(org.to_owned(), Actor::System, now)
}

/// Every day of the week open from `start` to `end` (local `HH:MM`).
fn every_day(start: &str, end: &str) -> WeeklyHours {
    let day = serde_json::json!([{"start": start, "end": end}]);
    serde_json::from_value::<WeeklyHours>(serde_json::json!({
        "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day, "sun": day
    }))
    .expect("hours")
}

/// What one seeded organization offers a load tool.
struct Seeded {
    org: String,
    key: String,
    location: String,
    customer: String,
    /// Services in creation order.
    services: Vec<String>,
    /// Resources in creation order.
    resources: Vec<String>,
}

/// The shape of one organization to create.
struct Shape<'a> {
    name: &'a str,
    hours: WeeklyHours,
    booking: BookingSettings,
    /// Resources by kind, created in this order.
    resources: &'a [(ResourceKind, usize)],
    /// Services: duration in minutes and the kinds each needs.
    services: &'a [(i32, &'a [ResourceKind])],
}

fn create(conn: &mut DbConnection, shape: Shape, now: DateTime<Utc>) -> Result<Seeded, String> {
    let tz = TimeZone::parse("time_zone", "Asia/Jakarta").map_err(|e| e.to_string())?;
    write_tx(conn, |c| {
        let created =
            tenancy::create_with_admin_key(c, tenancy::default_organization(shape.name), now)?;
        let org = created.organization.id.clone();
        let ctx = ctx(&org, now);
        let loc = locations::create(
            c,
            &ctx,
            NewLocation {
                name: format!("{} Pusat", shape.name),
                address: None,
                phone: None,
                time_zone: Some(tz),
                weekly_hours: shape.hours.clone(),
                booking: shape.booking,
            },
        )?;
        let mut made = Vec::new();
        for (kind, count) in shape.resources {
            for i in 0..*count {
                let r = resources::create(
                    c,
                    &ctx,
                    NewResource {
                        location_id: loc.id.clone(),
                        name: format!("{kind:?} {i:02}"),
                        kind: *kind,
                        weekly_hours: None,
                        active: true,
                    },
                )?;
                made.push(r.id);
            }
        }
        let mut svcs = Vec::new();
        for (i, (minutes, kinds)) in shape.services.iter().enumerate() {
            let svc = services::create(
                c,
                &ctx,
                NewService {
                    name: format!("Layanan {i} ({minutes} menit)"),
                    duration_minutes: *minutes,
                    buffer_before_minutes: 0,
                    buffer_after_minutes: 0,
                    resource_kinds: kinds.to_vec(),
                    resource_ids: vec![],
                    location_ids: vec![],
                    active: true,
                },
            )?;
            svcs.push(svc.id);
        }
        let cust = customers::create(
            c,
            &ctx,
            NewCustomer {
                name: "Pelanggan Uji".into(),
                phone: Some(PhoneNumber::parse(
                    "phone",
                    "+6281200000000",
                    Country::INDONESIA,
                )?),
                email: None,
                locale: Some(Locale::Id),
                preferred_channel: janji::domain::ContactChannel::Whatsapp,
                external_ref: None,
            },
        )?;
        Ok(Seeded {
            org,
            key: created.admin_key,
            location: loc.id,
            customer: cust.customer().id.clone(),
            services: svcs,
            resources: made,
        })
    })
    .map_err(|e| e.to_string())
}

/// Books `service` at each of `starts` (with the given resource, others auto-chosen)
/// until `want` are booked, through `booking::book`, 100 bookings to a write
/// transaction (a batch the database's overlap guard refuses is run again one booking
/// to a transaction). Returns (booked, refused).
fn book_all(
    conn: &mut DbConnection,
    org_ctx: &Ctx,
    seeded: &Seeded,
    service: &str,
    starts: impl Iterator<Item = (DateTime<Utc>, Option<String>)>,
    want: usize,
) -> Result<(usize, usize), String> {
    let cmd = |(start, resource_id): (DateTime<Utc>, Option<String>)| BookAppointment {
        location_id: seeded.location.clone(),
        service_id: service.to_owned(),
        start,
        customer: CustomerRef::Id(seeded.customer.clone()),
        resource_id,
        channel: Channel::InPerson,
        notes: None,
        external_ref: None,
        vehicle_id: None,
    };
    let (mut booked, mut refused) = (0, 0);
    let starts: Vec<_> = starts.collect();
    for batch in starts.chunks(100) {
        let room = want - booked;
        let run = |c: &mut DbConnection, batch: &[(DateTime<Utc>, Option<String>)]| {
            let (mut ok, mut no) = (0, 0);
            for s in batch {
                if ok == room {
                    break;
                }
                match booking::book(c, org_ctx, cmd(s.clone()))? {
                    BookOutcome::Booked(_) => ok += 1,
                    BookOutcome::Unavailable { .. } => no += 1,
                }
            }
            Ok((ok, no))
        };
        let (ok, no) = match write_tx(conn, |c| run(c, batch)) {
            Ok(counts) => counts,
            Err(e) if e.code == janji::error::Code::SlotUnavailable => {
                let (mut ok, mut no) = (0, 0);
                for s in batch {
                    if ok == room {
                        break;
                    }
                    match write_tx(conn, |c| run(c, std::slice::from_ref(s))) {
                        Ok((a, b)) => (ok, no) = (ok + a, no + b),
                        Err(e) if e.code == janji::error::Code::SlotUnavailable => no += 1,
                        Err(e) => return Err(e.to_string()),
                    }
                }
                (ok, no)
            }
            Err(e) => return Err(e.to_string()),
        };
        booked += ok;
        refused += no;
        if booked == want {
            break;
        }
    }
    Ok((booked, refused))
}

/// A fixed pseudo-random sequence (an LCG), so every run books the same pattern.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn main() -> Result<(), String> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "janji-perf.db".into());
    let mut conn = db::connect(&url)?;
    db::migrate_one(&mut conn)?;
    let now = Utc::now();
    let tz = TimeZone::parse("time_zone", "Asia/Jakarta").map_err(|e| e.to_string())?;
    let first_day: NaiveDate = (now + Duration::days(1))
        .with_timezone(&tz.tz())
        .date_naive();
    let local = |day: NaiveDate, minute: i64| {
        let midnight = tz
            .tz()
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .expect("Jakarta has no gaps");
        (midnight + Duration::minutes(minute)).to_utc()
    };
    let days = 31;
    let window_from = local(first_day, 0);
    let window_to = local(first_day + Duration::days(days), 0);
    let started = Instant::now();

    // One bay, 2,000 bookings of 15 minutes in the window (skipping one start in ten).
    let one = create(
        &mut conn,
        Shape {
            name: "Perf Satu",
            hours: every_day("05:00", "23:00"),
            booking: BookingSettings {
                lead_minutes: Some(0),
                horizon_days: Some(90),
                slot_interval_minutes: Some(15),
            },
            resources: &[(ResourceKind::ServiceBay, 1)],
            services: &[(15, &[ResourceKind::ServiceBay])],
        },
        now,
    )?;
    let one_ctx = ctx(&one.org, now);
    let starts = (0..days).flat_map(|d| {
        (0..72)
            .filter(move |q| (d * 72 + q) % 10 != 9)
            .map(move |q| (local(first_day + Duration::days(d), 5 * 60 + 15 * q), None))
    });
    let (one_booked, one_refused) =
        book_all(&mut conn, &one_ctx, &one, &one.services[0], starts, 2_000)?;

    // 25 bays and 25 advisors, 10,000 appointments of 30 minutes in the window.
    let fifty = create(
        &mut conn,
        Shape {
            name: "Perf Lima Puluh",
            hours: every_day("07:00", "19:00"),
            booking: BookingSettings {
                lead_minutes: Some(0),
                horizon_days: Some(90),
                slot_interval_minutes: Some(30),
            },
            resources: &[
                (ResourceKind::ServiceBay, 25),
                (ResourceKind::ServiceAdvisor, 25),
            ],
            services: &[
                (
                    60,
                    &[ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
                ),
                (
                    30,
                    &[ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
                ),
            ],
        },
        now,
    )?;
    let fifty_ctx = ctx(&fifty.org, now);
    let bays: Vec<String> = fifty.resources[..25].to_vec();
    let mut lcg = Lcg(0x2545_F491_4F6C_DD1D);
    let mut starts = Vec::new();
    for d in 0..days {
        for half in 0..24 {
            for bay in &bays {
                // About four starts in seven: 10,600 candidates for 10,000 bookings.
                if lcg.next() % 7 < 3 {
                    continue;
                }
                let start = local(first_day + Duration::days(d), 7 * 60 + 30 * half);
                starts.push((start, Some(bay.clone())));
            }
        }
    }
    let (fifty_booked, fifty_refused) = book_all(
        &mut conn,
        &fifty_ctx,
        &fifty,
        &fifty.services[1],
        starts.into_iter(),
        10_000,
    )?;

    // Room for the bookings load: two bays, open all day, two years ahead.
    let book = create(
        &mut conn,
        Shape {
            name: "Perf Pesan",
            hours: every_day("00:00", "24:00"),
            booking: BookingSettings {
                lead_minutes: Some(0),
                horizon_days: Some(730),
                slot_interval_minutes: Some(15),
            },
            resources: &[(ResourceKind::ServiceBay, 2)],
            services: &[(15, &[ResourceKind::ServiceBay])],
        },
        now,
    )?;

    let elapsed = started.elapsed().as_secs_f64();
    let rfc = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    println!("window_from     {}", rfc(window_from));
    println!("window_to       {}", rfc(window_to));
    // Mid-window, mid-morning local time: a busy hour.
    println!(
        "near            {}",
        rfc(local(first_day + Duration::days(14), 10 * 60))
    );
    for (name, s) in [("one", &one), ("fifty", &fifty), ("book", &book)] {
        println!("{name}_key         {}", s.key);
        println!("{name}_location    {}", s.location);
        println!("{name}_service     {}", s.services[0]);
        println!("{name}_customer    {}", s.customer);
    }
    // Bookings start the day after tomorrow (local midnight), after any seeded time.
    println!(
        "book_from       {}",
        rfc(local(first_day + Duration::days(1), 0))
    );
    println!("one_booked      {one_booked} ({one_refused} refused)");
    println!("fifty_booked    {fifty_booked} ({fifty_refused} refused)");
    println!("seed_seconds    {elapsed:.1}");
    if one_booked < 2_000 || fifty_booked < 10_000 {
        return Err("fewer bookings than the data set needs".into());
    }
    Ok(())
}
