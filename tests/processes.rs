//! Two `janji serve` processes on one database: each keeps schedules in memory
//! (`repo::schedule::snapshots`), checked against the versions the database bumps with
//! every change. Whatever one process books, cancels or closes, the other must see at
//! its next request: it never offers a time the other has just taken, every time it
//! offers can be booked, and once the writes stop, both offer exactly what a process
//! that starts with nothing in memory offers.

#[path = "support/server.rs"]
mod server;

use std::collections::BTreeSet;

use chrono::{Days, Utc};
use serde_json::{Value, json};

use server::{PgDatabase, Server, post, request};

struct Shop {
    admin: String,
    location: String,
    service: String,
    customer: String,
    bays: Vec<String>,
    day: chrono::NaiveDate,
}

fn set_up(a: &Server, admin: String) -> Shop {
    let hours = json!([{"start": "08:00", "end": "12:00"}]);
    let location = post(
        a.port,
        &admin,
        "/v1/locations",
        json!({"name": "Sinar Motor", "time_zone": "Asia/Jakarta", "slot_interval_minutes": 30,
               "weekly_hours": {"mon": hours, "tue": hours, "wed": hours, "thu": hours,
                                "fri": hours, "sat": hours, "sun": hours}}),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bays = ["Bay 1", "Bay 2"]
        .map(|bay| {
            post(
                a.port,
                &admin,
                "/v1/resources",
                json!({"location_id": location, "name": bay, "kind": "service_bay"}),
            )["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .to_vec();
    let service = post(
        a.port,
        &admin,
        "/v1/services",
        json!({"name": "Ganti oli", "duration_minutes": 30, "resource_kinds": ["service_bay"]}),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let customer = post(
        a.port,
        &admin,
        "/v1/customers",
        json!({"name": "Budi", "phone": "+6281234567890"}),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    Shop {
        admin,
        location,
        service,
        customer,
        bays,
        day: Utc::now()
            .date_naive()
            .checked_add_days(Days::new(3))
            .unwrap(),
    }
}

/// The starts a process offers on the shop's day, each with how many bays are free
/// (counted by asking for each bay in turn).
fn offered(server: &Server, shop: &Shop) -> BTreeSet<(String, String)> {
    let mut all = BTreeSet::new();
    for bay in &shop.bays {
        let path = format!(
            "/v1/availability?location_id={}&service_id={}&from={}T00:00:00%2B07:00&to={}T23:59:00%2B07:00&resource_id={bay}",
            shop.location, shop.service, shop.day, shop.day
        );
        let (status, _, body) = server.get(&path, &shop.admin);
        assert_eq!(status, 200, "{body}");
        for slot in body["slots"].as_array().unwrap() {
            all.insert((slot["start"].as_str().unwrap().to_owned(), bay.clone()));
        }
    }
    all
}

fn starts(offer: &BTreeSet<(String, String)>) -> BTreeSet<String> {
    offer.iter().map(|(s, _)| s.clone()).collect()
}

fn book(server: &Server, shop: &Shop, start: &str, resource: &str) -> (u16, Value) {
    let (status, _, body) = request(
        server.port,
        "POST",
        "/v1/appointments",
        &shop.admin,
        None,
        Some(
            &json!({"location_id": shop.location, "service_id": shop.service,
                     "customer_id": shop.customer, "start": start,
                     "resource_id": resource}),
        ),
    );
    (status, body)
}

fn two_processes_never_offer_what_the_other_took(database_url: &str) {
    let (a, admin) = Server::start(database_url);
    let shop = set_up(&a, admin.expect("the first start prints the admin key"));
    let (b, _) = Server::start(database_url);

    // 08:00 to 12:00, every 30 minutes, on two bays: 8 starts, 16 (start, bay) pairs.
    let mut offer_a = offered(&a, &shop);
    assert_eq!(offer_a.len(), 16);
    assert_eq!(offered(&b, &shop), offer_a);

    // Each round: A offers, B takes one of A's offers, A must stop offering it at once.
    let mut booked = Vec::new();
    while let Some((start, bay)) = offer_a.iter().next().cloned() {
        let (status, body) = book(&b, &shop, &start, &bay);
        assert_eq!(
            status, 201,
            "B books what A offered ({start} on {bay}): {body}"
        );
        booked.push(body["id"].as_str().unwrap().to_owned());
        let now_a = offered(&a, &shop);
        assert!(
            !now_a.contains(&(start.clone(), bay.clone())),
            "A still offers {start} on {bay}, which B has just booked"
        );
        assert_eq!(now_a.len(), offer_a.len() - 1);
        let (status, body) = book(&a, &shop, &start, &bay);
        assert_eq!(status, 409, "A books what B took: {body}");
        offer_a = now_a;
    }
    assert!(offer_a.is_empty(), "every offered time was bookable");

    // A cancellation through B frees its time in A's offer at once.
    let (status, _, body) = request(
        b.port,
        "POST",
        &format!("/v1/appointments/{}/cancel", booked[3]),
        &shop.admin,
        None,
        Some(&json!({})),
    );
    assert_eq!(status, 200, "{body}");
    let freed = offered(&a, &shop);
    assert_eq!(
        freed.len(),
        1,
        "A offers the cancelled time again: {freed:?}"
    );

    // A closure made through B hides it from A.
    let (start, _) = freed.iter().next().unwrap().clone();
    post(
        b.port,
        &shop.admin,
        &format!("/v1/locations/{}/closures", shop.location),
        json!({"starts_at": start, "ends_at": start.replace(":00:00Z", ":59:00Z").replace(":30:00Z", ":59:00Z"),
               "reason": "Listrik padam"}),
    );
    assert!(offered(&a, &shop).is_empty(), "A offers a time B closed");

    // Both agree with a process that starts with nothing in memory.
    let (c, _) = Server::start(database_url);
    assert_eq!(offered(&c, &shop), offered(&a, &shop));
    assert_eq!(offered(&c, &shop), offered(&b, &shop));
}

/// Bookings and cancellations through one process while the other keeps answering: at
/// any moment each time the reader offers is one its own booking then takes, and when
/// the writes stop, the reader agrees with a fresh process.
fn a_reader_keeps_up_with_a_writer(database_url: &str) {
    let (a, admin) = Server::start(database_url);
    let shop = set_up(&a, admin.expect("the first start prints the admin key"));
    let (b, _) = Server::start(database_url);
    let all = offered(&a, &shop);
    let writer = {
        let (port, key) = (b.port, shop.admin.clone());
        let bodies: Vec<Value> = all
            .iter()
            .map(|(start, bay)| {
                json!({"location_id": shop.location, "service_id": shop.service,
                       "customer_id": shop.customer, "start": start, "resource_id": bay})
            })
            .collect();
        std::thread::spawn(move || {
            for body in bodies {
                let (status, _, created) =
                    request(port, "POST", "/v1/appointments", &key, None, Some(&body));
                assert!(status == 201 || status == 409, "{created}");
            }
        })
    };
    let mut rounds = 0;
    while !writer.is_finished() {
        let seen = offered(&a, &shop);
        assert!(seen.is_subset(&all));
        rounds += 1;
    }
    writer.join().unwrap();
    let (c, _) = Server::start(database_url);
    assert!(
        offered(&c, &shop).is_empty(),
        "the writer booked every pair"
    );
    assert_eq!(
        offered(&a, &shop),
        offered(&c, &shop),
        "after {rounds} reads"
    );
    assert_eq!(starts(&offered(&b, &shop)), BTreeSet::new());
}

#[test]
fn sqlite_two_processes_never_offer_what_the_other_took() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("janji.db").to_string_lossy().into_owned();
    two_processes_never_offer_what_the_other_took(&url);
}

#[test]
fn sqlite_a_reader_keeps_up_with_a_writer() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("janji.db").to_string_lossy().into_owned();
    a_reader_keeps_up_with_a_writer(&url);
}

#[test]
#[cfg_attr(
    not(janji_pg_tests),
    ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn postgres_two_processes_never_offer_what_the_other_took() {
    let db = PgDatabase::create("janji_processes");
    two_processes_never_offer_what_the_other_took(&db.url);
}

#[test]
#[cfg_attr(
    not(janji_pg_tests),
    ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn postgres_a_reader_keeps_up_with_a_writer() {
    let db = PgDatabase::create("janji_processes");
    a_reader_keeps_up_with_a_writer(&db.url);
}
