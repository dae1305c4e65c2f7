//! Seeds a busy dealer for load tests and measures booking throughput.
//!
//! `DATABASE_URL=... cargo run --release --example bench_seed` creates an organization
//! with one location (open 07:00-19:00 Monday to Saturday, Asia/Jakarta), 20 resources
//! (10 bays, 10 advisors), a 60-minute service needing a bay and an advisor, and books
//! 5,000 appointments over the next 8 weeks through the same `booking::book` the API
//! runs, one write transaction each. It prints the ids and admin key a load tool needs,
//! the booking rate, and for comparison the rate of bare single-row insert transactions
//! into a scratch table on the same database.

use std::time::Instant;

use chrono::{Datelike, Duration, TimeZone as _, Utc, Weekday};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use janji::app::Ctx;
use janji::app::booking::{self, BookAppointment, BookOutcome, CustomerRef};
use janji::app::customers::{self, NewCustomer};
use janji::app::setup::locations::{self, NewLocation};
use janji::app::setup::resources::{self, NewResource};
use janji::app::setup::services::{self, NewService};
use janji::db::{self, DbConnection, tx::write_tx};
use janji::domain::Actor;
use janji::domain::{Channel, Country, Locale, PhoneNumber, ResourceKind, TimeZone, WeeklyHours};
use janji::tenancy;

const APPOINTMENTS: usize = 5_000;

fn hours() -> WeeklyHours {
    let day = serde_json::json!([{"start": "07:00", "end": "19:00"}]);
    serde_json::from_value::<WeeklyHours>(serde_json::json!({
        "mon": day, "tue": day, "wed": day, "thu": day, "fri": day, "sat": day
    }))
    .expect("hours")
}

fn main() -> Result<(), String> {
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "janji-bench.db".into());
    let mut conn = db::connect(&url)?;
    db::migrate_one(&mut conn)?;
    let now = Utc::now();
    let tz = TimeZone::parse("time_zone", "Asia/Jakarta").map_err(|e| e.to_string())?;
    let show = |e: janji::error::Error| e.to_string();

    let (org, key, location, service, customer, bays) = write_tx(&mut conn, |c| {
        let created =
            tenancy::create_with_admin_key(c, tenancy::default_organization("Bench Motor"), now)?;
        let org = created.organization.id.clone();
        let ctx = Ctx::new(org.clone(), Actor::System, now);
        let loc = locations::create(
            c,
            &ctx,
            NewLocation {
                name: "Bench Motor Pusat".into(),
                address: None,
                phone: None,
                time_zone: Some(tz),
                weekly_hours: hours(),
                booking: Default::default(),
            },
        )?;
        let mut bays = Vec::new();
        for i in 0..20 {
            let kind = if i < 10 {
                ResourceKind::ServiceBay
            } else {
                ResourceKind::ServiceAdvisor
            };
            let r = resources::create(
                c,
                &ctx,
                NewResource {
                    location_id: loc.id.clone(),
                    name: format!("R{i:02}"),
                    kind,
                    weekly_hours: None,
                    active: true,
                },
            )?;
            if i < 10 {
                bays.push(r.id);
            }
        }
        let svc = services::create(
            c,
            &ctx,
            NewService {
                name: "Servis berkala".into(),
                duration_minutes: 60,
                buffer_before_minutes: 0,
                buffer_after_minutes: 0,
                resource_kinds: vec![ResourceKind::ServiceBay, ResourceKind::ServiceAdvisor],
                resource_ids: vec![],
                location_ids: vec![],
                active: true,
            },
        )?;
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
        Ok((
            org,
            created.admin_key,
            loc.id,
            svc.id,
            cust.customer().id.clone(),
            bays,
        ))
    })
    .map_err(show)?;

    // Hourly starts from tomorrow, Monday to Saturday 07:00-18:00, skipping about one in
    // eight (a fixed pattern), until 5,000 are booked.
    let ctx = Ctx::new(org.clone(), Actor::System, now);
    let first_day = (now + Duration::days(1))
        .with_timezone(&tz.tz())
        .date_naive();
    let mut booked = 0usize;
    // The last appointment booked, the template of the writes baseline.
    let mut last: Option<String> = None;
    let mut refused = 0usize;
    let mut seq: u64 = 0x2545_F491_4F6C_DD1D;
    let started = Instant::now();
    'days: for d in 0..70 {
        let date = first_day + Duration::days(d);
        if date.weekday() == Weekday::Sun {
            continue;
        }
        for hour in 7..18 {
            for bay in &bays {
                seq = seq
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                if (seq >> 33).is_multiple_of(8) {
                    continue;
                }
                let start = tz
                    .tz()
                    .with_ymd_and_hms(date.year(), date.month(), date.day(), hour, 0, 0)
                    .unwrap()
                    .to_utc();
                let cmd = BookAppointment {
                    location_id: location.clone(),
                    service_id: service.clone(),
                    start,
                    customer: CustomerRef::Id(customer.clone()),
                    resource_id: Some(bay.clone()),
                    channel: Channel::InPerson,
                    notes: None,
                    external_ref: None,
                    vehicle_id: None,
                };
                match write_tx(&mut conn, |c| booking::book(c, &ctx, cmd)) {
                    Ok(BookOutcome::Booked(b)) => {
                        booked += 1;
                        last = Some(b.id);
                    }
                    Ok(BookOutcome::Unavailable { .. }) => refused += 1,
                    // The database's no-overlap guard met another booking; the API would
                    // run the unit of work again.
                    Err(e) if e.code == janji::error::Code::SlotUnavailable => refused += 1,
                    Err(e) => return Err(e.to_string()),
                }
                if booked == APPOINTMENTS {
                    break 'days;
                }
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let baseline = insert_baseline(&mut conn, 2_000)?;
    let template = last.ok_or("nothing was booked")?;
    let writes = writes_baseline(&mut conn, &org, &template, 2_000)?;

    let last = first_day + Duration::days(7 * 8);
    println!("organization   {org}");
    println!("admin_key      {key}");
    println!("location_id    {location}");
    println!("service_id     {service}");
    println!(
        "booked         {booked} appointments ({refused} refused) from {first_day} to about {last}"
    );
    println!(
        "booking rate   {:.0} per second ({:.2} ms each, one write transaction per booking)",
        booked as f64 / elapsed,
        elapsed * 1000.0 / booked as f64
    );
    println!(
        "writes rate    {writes:.0} per second (a booking's own four inserts, no reads, one transaction each)"
    );
    println!(
        "insert rate    {baseline:.0} per second (bare one-row insert transactions, same database)"
    );
    Ok(())
}

/// Rate of one-row insert transactions into a scratch table: the floor a booking is
/// measured against.
fn insert_baseline(conn: &mut DbConnection, n: usize) -> Result<f64, String> {
    conn.batch_execute("DROP TABLE IF EXISTS bench_scratch; CREATE TABLE bench_scratch (id TEXT PRIMARY KEY, at TIMESTAMP NOT NULL)")
        .map_err(|e| e.to_string())?;
    let started = Instant::now();
    for _ in 0..n {
        write_tx(conn, |c| {
            diesel::sql_query("INSERT INTO bench_scratch (id, at) VALUES ($1, $2)")
                .bind::<diesel::sql_types::Text, _>(uuid::Uuid::now_v7().to_string())
                .bind::<diesel::sql_types::Timestamp, _>(Utc::now().naive_utc())
                .execute(c)?;
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    conn.batch_execute("DROP TABLE bench_scratch")
        .map_err(|e| e.to_string())?;
    Ok(rate)
}

/// Rate of transactions writing what a booking writes (the appointment, its two
/// resources, its event) without any of its reads: the floor of the booking itself.
/// The rows go to far-future hours of the template's resources and are removed after.
fn writes_baseline(
    conn: &mut DbConnection,
    org: &str,
    template: &str,
    n: usize,
) -> Result<f64, String> {
    use janji::db::schema::{appointment_events, appointment_resources, appointments};
    use janji::repo::appointments::{get, insert};
    use janji::repo::events::{self, NewEvent};
    use janji::repo::holds::AppointmentResourceRow;
    let far = Duration::days(4 * 366);
    let template = get(conn, org, template).map_err(|e| e.to_string())?;
    let held: Vec<AppointmentResourceRow> = {
        use janji::db::schema::appointment_resources as ar;
        ar::table
            .filter(ar::appointment_id.eq(&template.id))
            .select(AppointmentResourceRow::as_select())
            .load(conn)
            .map_err(|e| e.to_string())?
    };
    let started = Instant::now();
    for i in 0..n {
        let shift = far + Duration::hours(2 * i as i64);
        let mut row = template.clone();
        row.id = uuid::Uuid::now_v7().to_string();
        row.external_ref = None;
        row.starts_at += shift;
        row.ends_at += shift;
        row.block_starts_at += shift;
        row.block_ends_at += shift;
        let rows: Vec<AppointmentResourceRow> = held
            .iter()
            .map(|h| AppointmentResourceRow {
                appointment_id: row.id.clone(),
                block_starts_at: row.block_starts_at,
                block_ends_at: row.block_ends_at,
                ..h.clone()
            })
            .collect();
        write_tx(conn, |c| {
            insert(c, &row, &rows)?;
            let event = NewEvent {
                kind: janji::domain::EventKind::Created,
                changes: serde_json::json!({}),
                reason_category: None,
                reason_text: None,
                note: None,
                details: None,
            };
            events::record(c, org, &row.id, &Actor::System, event, Utc::now())?;
            Ok(())
        })
        .map_err(|e| e.to_string())?;
    }
    let rate = n as f64 / started.elapsed().as_secs_f64();
    let cut = template.starts_at + far - Duration::days(1);
    let ids = appointments::table
        .filter(appointments::starts_at.gt(cut))
        .select(appointments::id);
    diesel::delete(
        appointment_events::table.filter(appointment_events::appointment_id.eq_any(ids)),
    )
    .execute(conn)
    .map_err(|e| e.to_string())?;
    let ids = appointments::table
        .filter(appointments::starts_at.gt(cut))
        .select(appointments::id);
    diesel::delete(
        appointment_resources::table.filter(appointment_resources::appointment_id.eq_any(ids)),
    )
    .execute(conn)
    .map_err(|e| e.to_string())?;
    diesel::delete(appointments::table.filter(appointments::starts_at.gt(cut)))
        .execute(conn)
        .map_err(|e| e.to_string())?;
    Ok(rate)
}
