//! kill -9 in the middle of writes: the real binary is started, bookings sent with an
//! `Idempotency-Key` are in flight when the process is killed, and after a restart every
//! booking is retried with its key. Each retry must answer 201: the first answer again
//! for a booking that committed, a fresh booking for one that did not; never
//! `slot_unavailable` for the caller's own booking, never a key stuck "in progress".

#[path = "support/server.rs"]
mod server;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use serde_json::{Value, json};

use server::{PgDatabase, Server, post, request};

const BOOKINGS: usize = 48;

fn bookings_survive_kill_9(database_url: &str) {
    let (server, admin) = Server::start(database_url);
    let admin = admin.expect("the first start prints the admin key");
    let port = server.port;
    let hours = json!([{"start": "06:00", "end": "22:00"}]);
    let location = post(
        port,
        &admin,
        "/v1/locations",
        json!({"name": "Sinar Motor", "time_zone": "Asia/Jakarta", "weekly_hours": {
            "mon": hours, "tue": hours, "wed": hours, "thu": hours, "fri": hours,
            "sat": hours, "sun": hours}}),
    );
    let location = location["id"].as_str().unwrap().to_owned();
    post(
        port,
        &admin,
        "/v1/resources",
        json!({"location_id": location, "name": "Bay 1", "kind": "service_bay"}),
    );
    let service = post(
        port,
        &admin,
        "/v1/services",
        json!({"name": "Ganti oli", "duration_minutes": 15, "resource_kinds": ["service_bay"]}),
    );
    let customer = post(
        port,
        &admin,
        "/v1/customers",
        json!({"name": "Budi", "phone": "+6281234567890"}),
    );
    let day = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(3))
        .unwrap();
    let bodies: Vec<Value> = (0..BOOKINGS)
        .map(|i| {
            let minutes = 7 * 60 + 15 * i;
            json!({"location_id": location, "service_id": service["id"],
                   "customer_id": customer["id"],
                   "start": format!("{day}T{:02}:{:02}:00+07:00", minutes / 60, minutes % 60)})
        })
        .collect();

    // All bookings at once; the process is killed as soon as a few have answered.
    let answered = Arc::new(AtomicUsize::new(0));
    let flights: Vec<_> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let (body, admin, answered) = (body.clone(), admin.clone(), answered.clone());
            std::thread::spawn(move || {
                let r = request(
                    port,
                    "POST",
                    "/v1/appointments",
                    &admin,
                    Some(&format!("crash-{i}")),
                    Some(&body),
                );
                answered.fetch_add(1, Ordering::SeqCst);
                r
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while answered.load(Ordering::SeqCst) < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    server.kill_9();
    let before: Vec<(u16, String, Value)> =
        flights.into_iter().map(|t| t.join().unwrap()).collect();
    let committed_before = before.iter().filter(|r| r.0 == 201).count();
    assert!(
        before.iter().all(|r| r.0 == 201 || r.0 == 0),
        "before the kill, only successes or cut connections: {:?}",
        before.iter().map(|r| r.0).collect::<Vec<_>>()
    );

    let (server, _) = Server::start(database_url);
    let (_, _, found) = server.get("/v1/appointments?limit=200", &admin);
    let committed = found["items"].as_array().map_or(0, Vec::len);
    assert!(committed >= committed_before);
    for (i, body) in bodies.iter().enumerate() {
        let (status, headers, again) = request(
            server.port,
            "POST",
            "/v1/appointments",
            &admin,
            Some(&format!("crash-{i}")),
            Some(body),
        );
        assert_eq!(status, 201, "retry of booking {i} after kill -9: {again}");
        if before[i].0 == 201 {
            assert_eq!(again["id"], before[i].2["id"], "booking {i} answered again");
            assert!(headers.contains("idempotent-replayed: true"));
        }
    }
    let (status, _, list) = server.get("/v1/appointments?limit=200", &admin);
    assert_eq!(status, 200);
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        BOOKINGS,
        "one appointment per booking ({committed_before} answered before the kill)"
    );
    eprintln!(
        "{committed_before} of {BOOKINGS} bookings answered and {committed} committed before \
         kill -9; all retried to 201"
    );
}

#[test]
fn sqlite_bookings_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("janji.db").to_string_lossy().into_owned();
    bookings_survive_kill_9(&url);
}

#[test]
#[cfg_attr(
    not(janji_pg_tests),
    ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn postgres_bookings_survive_kill_9() {
    let db = PgDatabase::create("janji_crash");
    bookings_survive_kill_9(&db.url);
}
