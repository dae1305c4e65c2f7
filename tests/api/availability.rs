//! `GET /v1/availability`.

use actix_web::http::Method;
use chrono::DateTime;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    lists_slots_in_local_time,
    booked_time_and_closures_disappear,
    slot_interval_and_lead_time_are_settings,
    bad_windows_are_refused,
    query_count_does_not_grow_with_resources,
    requests_arriving_together_read_the_busy_blocks_once,
    a_booking_keeps_its_own_block_and_what_is_kept_is_what_is_stored,
    a_response_served_again_follows_the_clock_and_every_change,
    blocks_read_at_start_serve_the_first_requests,
    repeated_local_hour_is_offered_twice_and_bookable,
);

const MON: &str = "2026-11-30T00:00:00+07:00";
const TUE: &str = "2026-12-01T00:00:00+07:00";

async fn lists_slots_in_local_time(app: TestApp) {
    let d = dealer(&app).await;
    let r = app.get(&d.availability(MON, TUE)).await;
    let body = r.expect(200);
    assert_eq!(body["time_zone"], "Asia/Jakarta");
    let slots = body["slots"].as_array().unwrap();
    let labels: Vec<&str> = slots
        .iter()
        .map(|s| s["local"]["label"].as_str().unwrap())
        .collect();
    // 08:00 to 11:00 and 13:00 to 15:00 every 15 minutes: the 60-minute service must end
    // by 12:00 and 16:00.
    assert_eq!(labels.len(), 13 + 9);
    assert_eq!(labels[0], "08:00 WIB");
    assert_eq!(labels[12], "11:00 WIB");
    assert_eq!(labels[13], "13:00 WIB");
    assert_eq!(slots[0]["start"], "2026-11-30T01:00:00Z");
    assert_eq!(slots[0]["local"]["start"], "2026-11-30T08:00:00+07:00");
    let kinds: Vec<&str> = slots[0]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["service_advisor", "service_bay"],
        "the order appointments show"
    );
    // Sunday is closed.
    let sunday = app
        .get(&d.availability("2026-11-29T00:00:00+07:00", MON))
        .await;
    assert!(sunday.expect(200)["slots"].as_array().unwrap().is_empty());
}

async fn booked_time_and_closures_disappear(app: TestApp) {
    let d = dealer(&app).await;
    // A pinned resource filters to starts where it is free.
    let path = format!("{}&resource_id={}", d.availability(MON, TUE), d.advisors[0]);
    let before = app.get(&path).await.expect(200)["slots"]
        .as_array()
        .unwrap()
        .len();
    let mut booking = d.booking("2026-11-30T09:00:00+07:00");
    booking["resource_id"] = json!(d.advisors[0]);
    app.post("/v1/appointments", booking).await.expect(201);
    let after = app.get(&path).await;
    let labels: Vec<String> = after.expect(200)["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["local"]["label"].as_str().unwrap().to_owned())
        .collect();
    // Blocks are the hour plus 10 minutes after. The booking holds 09:00-10:10, so a start
    // at 08:00 (block to 09:10) up to 10:00 collides; 10:15 is the first free start again.
    for gone in ["08:00 WIB", "08:45 WIB", "09:00 WIB", "10:00 WIB"] {
        assert!(!labels.contains(&gone.to_owned()), "{gone} should be taken");
    }
    assert!(labels.contains(&"10:15 WIB".to_owned()));
    assert_eq!(labels.len(), before - 9);

    let closures = format!("/v1/locations/{}/closures", d.location);
    app.post(
        &closures,
        json!({"date": "2026-11-30", "reason": "Pelatihan"}),
    )
    .await
    .expect(201);
    assert!(
        app.get(&path).await.expect(200)["slots"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn slot_interval_and_lead_time_are_settings(app: TestApp) {
    let d = dealer(&app).await;
    let loc = format!("/v1/locations/{}", d.location);
    app.patch(&loc, json!({"slot_interval_minutes": 30}))
        .await
        .expect(200);
    let slots = app.get(&d.availability(MON, TUE)).await;
    assert_eq!(slots.expect(200)["slots"].as_array().unwrap().len(), 7 + 5);
    // Now is Monday 23 November 10:00 WIB; lead time 60 minutes (organization default).
    let today = app
        .get(&d.availability("2026-11-23T00:00:00+07:00", "2026-11-24T00:00:00+07:00"))
        .await;
    assert_eq!(today.expect(200)["slots"][0]["local"]["label"], "11:00 WIB");
    app.patch(&loc, json!({"booking_lead_minutes": 240}))
        .await
        .expect(200);
    let today = app
        .get(&d.availability("2026-11-23T00:00:00+07:00", "2026-11-24T00:00:00+07:00"))
        .await;
    assert_eq!(today.expect(200)["slots"][0]["local"]["label"], "14:00 WIB");
    let r = app.patch(&loc, json!({"slot_interval_minutes": 2})).await;
    assert_eq!(
        r.problem(422, "out_of_range")["field"],
        "slot_interval_minutes"
    );
    let r = app
        .patch("/v1/organization", json!({"booking_horizon_days": 0}))
        .await;
    assert_eq!(
        r.problem(422, "out_of_range")["field"],
        "booking_horizon_days"
    );
    // Clearing the override falls back to the organization.
    app.patch(&loc, json!({"booking_lead_minutes": null}))
        .await
        .expect(200);
    let today = app
        .get(&d.availability("2026-11-23T00:00:00+07:00", "2026-11-24T00:00:00+07:00"))
        .await;
    assert_eq!(today.expect(200)["slots"][0]["local"]["label"], "11:00 WIB");
}

async fn bad_windows_are_refused(app: TestApp) {
    let d = dealer(&app).await;
    let r = app
        .get(&d.availability(MON, "2027-01-15T00:00:00+07:00"))
        .await;
    let p = r.problem(422, "window_too_large");
    assert_eq!(p["field"], "to");
    // The organization's language (Indonesian) by default, the limit named in it.
    assert!(p["detail"].as_str().unwrap().contains("31 hari"), "{p}");
    app.get(&d.availability(TUE, MON))
        .await
        .problem(422, "window_ends_before_start");
    let r = app.get(&d.availability("2026-11-30T00:00:00", TUE)).await;
    assert_eq!(r.problem(400, "invalid_query")["field"], "from");
    let (_, other) = app.other_org();
    app.call(Method::GET, &d.availability(MON, TUE))
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");
    let other_loc = app
        .post("/v1/locations", json!({"name": "Cabang Bekasi"}))
        .await;
    let other_loc = other_loc.body["id"].as_str().unwrap();
    let elsewhere = app
        .post(
            "/v1/resources",
            json!({"location_id": other_loc, "name": "Bay B", "kind": "service_bay"}),
        )
        .await;
    let path = format!(
        "{}&resource_id={}",
        d.availability(MON, TUE),
        elsewhere.body["id"].as_str().unwrap()
    );
    assert_eq!(
        app.get(&path)
            .await
            .problem(422, "resource_not_at_location")["field"],
        "resource_id"
    );
    let path = format!("{}&colour=red", d.availability(MON, TUE));
    app.get(&path).await.problem(400, "invalid_query");
}

async fn query_count_does_not_grow_with_resources(app: TestApp) {
    use diesel::connection::{Connection, InstrumentationEvent};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let d = dealer(&app).await;
    let count = |app: &TestApp, snapshots: &janji::repo::schedule::Snapshots| {
        let queries = Arc::new(AtomicUsize::new(0));
        let seen = queries.clone();
        let mut conn = app.state.db.pool().get().unwrap();
        conn.set_instrumentation(move |e: InstrumentationEvent<'_>| {
            if matches!(e, InstrumentationEvent::StartQuery { .. }) {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
        let from = chrono::DateTime::parse_from_rfc3339(MON).unwrap().to_utc();
        let reader = janji::repo::schedule::Reader {
            org: &app.org_id,
            snapshots,
        };
        let loaded = janji::repo::schedule::load(
            &mut conn,
            &reader,
            &d.location,
            &d.service,
            from,
            from + chrono::Duration::days(7),
            None,
        )
        .unwrap();
        conn.set_instrumentation(
            diesel::connection::get_default_instrumentation()
                .unwrap_or_else(|| Box::new(|_: InstrumentationEvent<'_>| {})),
        );
        (queries.load(Ordering::SeqCst), loaded.resources.len())
    };
    let kept = janji::repo::schedule::Snapshots::default();
    let (few, n_few) = count(&app, &Default::default());
    let (warm, _) = count(&app, &kept);
    assert_eq!(warm, few, "a first load reads everything");
    for i in 0..16 {
        let kind = if i % 2 == 0 {
            "service_bay"
        } else {
            "service_advisor"
        };
        app.post(
            "/v1/resources",
            json!({"location_id": d.location, "name": format!("R{i}"), "kind": kind}),
        )
        .await
        .expect(201);
    }
    app.post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await
        .expect(201);
    let (many, n_many) = count(&app, &Default::default());
    assert_eq!((n_few, n_many), (4, 20));
    assert_eq!(
        few, many,
        "queries per availability load must not depend on resource count"
    );
    // A process that has loaded it before checks the versions (one statement), then
    // reloads only what changed: here the setup (16 new resources) and the busy blocks.
    assert_eq!(count(&app, &kept).0, few);
    assert_eq!(
        count(&app, &kept).0,
        1,
        "a current snapshot costs one read of the versions"
    );
    app.post("/v1/appointments", d.booking("2026-11-30T10:00:00+07:00"))
        .await
        .expect(201);
    assert_eq!(
        count(&app, &kept).0,
        2,
        "a booking makes one resource's blocks stale: one more read"
    );
}

/// The first requests after a start (or a booking) arrive together and all find the
/// location's busy blocks stale: one reads them from the database, the others wait for
/// it and use what it kept, instead of each reading and decoding every block.
async fn requests_arriving_together_read_the_busy_blocks_once(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await
        .expect(201);
    let kept = janji::repo::schedule::Snapshots::default();
    let from = chrono::DateTime::parse_from_rfc3339(MON).unwrap().to_utc();
    let start = std::sync::Barrier::new(8);
    std::thread::scope(|s| {
        for _ in 0..8 {
            s.spawn(|| {
                let mut conn = app.state.db.pool().get().unwrap();
                let reader = janji::repo::schedule::Reader {
                    org: &app.org_id,
                    snapshots: &kept,
                };
                start.wait();
                let loaded = janji::repo::schedule::load(
                    &mut conn,
                    &reader,
                    &d.location,
                    &d.service,
                    from,
                    from + chrono::Duration::days(31),
                    None,
                )
                .unwrap();
                assert!(loaded.resources.iter().any(|r| !r.busy.is_empty()));
            });
        }
    });
    assert_eq!(kept.busy_reads(), 1);
}

/// New York falls back on 1 November 2026 (02:00 EDT to 01:00 EST). A location open
/// 00:00 to 04:00 that night is open five real hours; the repeated 01:xx was listed once,
/// so an hour was lost and a booking at the second 01:30 was refused although open. Both
/// are offered now, told apart by their offset, and both can be booked. In spring no
/// start is offered at a local time that does not exist.
async fn repeated_local_hour_is_offered_twice_and_bookable(app: TestApp) {
    let d = dealer(&app).await;
    app.clock.set(
        DateTime::parse_from_rfc3339("2026-02-20T12:00:00Z")
            .unwrap()
            .to_utc(),
    );
    let night = json!([{"start": "00:00", "end": "04:00"}]);
    let loc = app
        .post(
            "/v1/locations",
            json!({"name": "Night shop", "time_zone": "America/New_York", "slot_interval_minutes": 30,
                   "weekly_hours": {"sun": night}}),
        )
        .await;
    let loc = loc.expect(201)["id"].as_str().unwrap().to_owned();
    app.post(
        "/v1/resources",
        json!({"location_id": loc, "name": "Lift", "kind": "service_bay"}),
    )
    .await
    .expect(201);
    // The oil change: 30 minutes, one bay.
    let slots = |from: &str, to: &str| {
        format!(
            "/v1/availability?location_id={loc}&service_id={}&from={}&to={}",
            d.oil,
            from.replace('+', "%2B"),
            to.replace('+', "%2B")
        )
    };
    let starts = |body: &Value| -> Vec<(String, String)> {
        body["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["local"]["start"].as_str().unwrap().to_owned(),
                    s["local"]["label"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };

    // Spring, 8 March: 02:00 to 03:00 does not exist.
    let r = app
        .get(&slots(
            "2026-03-08T00:00:00-05:00",
            "2026-03-08T12:00:00-04:00",
        ))
        .await;
    let labels: Vec<String> = starts(r.expect(200)).into_iter().map(|s| s.1).collect();
    assert_eq!(
        labels,
        [
            "00:00 EST",
            "00:30 EST",
            "01:00 EST",
            "01:30 EST",
            "03:00 EDT",
            "03:30 EDT"
        ]
    );

    // Autumn, 1 November.
    app.clock.set(
        DateTime::parse_from_rfc3339("2026-10-20T12:00:00Z")
            .unwrap()
            .to_utc(),
    );
    let (from, to) = ("2026-11-01T00:00:00-04:00", "2026-11-01T12:00:00-05:00");
    let r = app.get(&slots(from, to)).await;
    let listed = starts(r.expect(200));
    let expected: Vec<(String, String)> = [
        ("00:00", "-04:00", "EDT"),
        ("00:30", "-04:00", "EDT"),
        ("01:00", "-04:00", "EDT"),
        ("01:30", "-04:00", "EDT"),
        ("01:00", "-05:00", "EST"),
        ("01:30", "-05:00", "EST"),
        ("02:00", "-05:00", "EST"),
        ("02:30", "-05:00", "EST"),
        ("03:00", "-05:00", "EST"),
        ("03:30", "-05:00", "EST"),
    ]
    .iter()
    .map(|(t, off, zone)| (format!("2026-11-01T{t}:00{off}"), format!("{t} {zone}")))
    .collect();
    assert_eq!(listed, expected, "five real hours, the repeated one twice");

    let book = |start: &str| {
        let mut b = d.booking(start);
        b["location_id"] = json!(loc);
        b["service_id"] = json!(d.oil);
        app.post("/v1/appointments", b)
    };
    let second = book("2026-11-01T01:30:00-05:00").await;
    let second = second.expect(201).clone();
    assert_eq!(second["start"], "2026-11-01T06:30:00Z");
    assert_eq!(second["local"]["start"], "2026-11-01T01:30:00-05:00");
    assert_eq!(second["local"]["label"], "01:30 EST");
    // The first 01:30 is another hour, still free.
    let first = book("2026-11-01T01:30:00-04:00").await;
    assert_eq!(first.expect(201)["local"]["label"], "01:30 EDT");
    // Each booked instant is gone, the other pass of 01:30's hour stays.
    let r = app.get(&slots(from, to)).await;
    let left: Vec<String> = starts(r.expect(200)).into_iter().map(|s| s.0).collect();
    assert!(!left.contains(&"2026-11-01T01:30:00-04:00".to_owned()));
    assert!(!left.contains(&"2026-11-01T01:30:00-05:00".to_owned()));
    assert!(left.contains(&"2026-11-01T01:00:00-05:00".to_owned()));
    assert_eq!(left.len(), expected.len() - 2);
}

/// On SQLite's one writer nobody writes between a booking's read of its resources'
/// versions and its own write, so the booking adds its block to what this process keeps
/// (at the next version) and the next booking of the day reads nothing again. Whatever
/// the backend, what is kept is exactly what a process starting with nothing reads, also
/// after a booking whose unit of work was rolled back once it had run.
async fn a_booking_keeps_its_own_block_and_what_is_kept_is_what_is_stored(app: TestApp) {
    use janji::app::Ctx;
    use janji::app::booking::book;
    use janji::domain::Actor;
    use janji::repo::schedule::Snapshots;

    let d = dealer(&app).await;
    let blocks = |snapshots: &Snapshots| loaded_blocks(&app, &d, snapshots, 1);
    let kept = &app.state.schedules;
    app.post("/v1/appointments", d.booking("2026-11-30T08:00:00+07:00"))
        .await
        .expect(201);
    let reads = kept.busy_reads();
    for start in ["08:00", "09:15", "09:15", "13:00", "13:00"] {
        app.post(
            "/v1/appointments",
            d.booking(&format!("2026-11-30T{start}:00+07:00")),
        )
        .await
        .expect(201);
    }
    let sqlite = app.state.db.backend() == janji::db::Backend::Sqlite;
    if sqlite {
        assert_eq!(kept.busy_reads(), reads, "each booking kept its own block");
    } else {
        assert_eq!(
            kept.busy_reads(),
            reads + 5,
            "each booking read the day again"
        );
    }
    let stored = blocks(&Snapshots::default());
    assert_eq!(stored.iter().map(|(_, b)| b.len()).sum::<usize>(), 12);
    assert_eq!(blocks(kept), stored);

    // A booking that ran and was then rolled back leaves nothing behind in memory.
    let mut ctx = Ctx::new(app.org_id.clone(), Actor::System, app.clock.now());
    ctx.schedules = kept.clone();
    let cmd = d.book_command(&d.service, "2026-11-30T10:30:00+07:00");
    let undone = app
        .state
        .db
        .write(move |c| {
            book(c, &ctx, cmd.clone())?;
            Err::<(), _>(janji::error::Error::internal("rolled back after booking"))
        })
        .await;
    assert!(undone.is_err());
    assert_eq!(blocks(kept), stored, "the rolled-back block is not kept");
    // The next booking of those resources moves their versions to where the rolled-back
    // one had taken them, with another block.
    app.post("/v1/appointments", d.booking("2026-11-30T10:45:00+07:00"))
        .await
        .expect(201);
    let stored = blocks(&Snapshots::default());
    assert_eq!(stored.iter().map(|(_, b)| b.len()).sum::<usize>(), 14);
    assert_eq!(blocks(kept), stored);
}

/// A response is written once per kept answer and run of bookable slots, and served
/// again as is: the same bytes while nothing changes, a shorter list once the clock
/// passes a slot's start, another after a booking, and the first again when the
/// booking is cancelled.
async fn a_response_served_again_follows_the_clock_and_every_change(app: TestApp) {
    let d = dealer(&app).await;
    let url = d.availability(MON, TUE);
    let labels = |body: &Value| -> Vec<String> {
        body["slots"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["local"]["label"].as_str().unwrap().to_owned())
            .collect()
    };
    app.clock.set(
        DateTime::parse_from_rfc3339("2026-11-30T06:50:00+07:00")
            .unwrap()
            .to_utc(),
    );
    let first = app.get(&url).await.expect(200).clone();
    assert_eq!(app.get(&url).await.expect(200), &first);
    assert_eq!(labels(&first)[0], "08:00 WIB");
    assert_eq!(labels(&first).len(), 22);

    // An hour before 08:00 (the lead time) the 08:00 slot goes; nothing else moved.
    app.clock.advance(chrono::Duration::minutes(11));
    let later = app.get(&url).await.expect(200).clone();
    assert_eq!(labels(&later)[0], "08:15 WIB");
    assert_eq!(labels(&later)[..], labels(&first)[1..]);

    let booked = app
        .post("/v1/appointments", d.booking("2026-11-30T13:00:00+07:00"))
        .await
        .expect(201)
        .clone();
    let after = app.get(&url).await.expect(200).clone();
    let slot_13 = |body: &Value| {
        body["slots"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["local"]["label"] == "13:00 WIB")
            .map(|s| s["resources"].clone())
    };
    assert_ne!(
        slot_13(&after),
        slot_13(&later),
        "another bay and advisor at 13:00"
    );
    app.post(
        &format!("/v1/appointments/{}/cancel", booked["id"].as_str().unwrap()),
        json!({"reason_category": "other"}),
    )
    .await
    .expect(200);
    assert_eq!(app.get(&url).await.expect(200), &later);
}

/// A start reads every location's next five weeks of busy blocks (`JANJI_WARM_BLOCKS`),
/// so the first request for a month reads none; what was read equals what a load reads,
/// a booking after it makes only its own resources be read again, and a budget too small
/// for a location keeps nothing of it.
async fn blocks_read_at_start_serve_the_first_requests(app: TestApp) {
    use janji::repo::schedule::Snapshots;
    use janji::repo::schedule::warm::{Warmed, warm};

    let d = dealer(&app).await;
    for start in ["08:00", "08:00", "13:00"] {
        app.post(
            "/v1/appointments",
            d.booking(&format!("2026-12-01T{start}:00+07:00")),
        )
        .await
        .expect(201);
    }
    let month = |snapshots: &Snapshots| loaded_blocks(&app, &d, snapshots, 31);
    // The month asked for starts tomorrow.
    app.clock.set(
        DateTime::parse_from_rfc3339("2026-11-29T10:00:00+07:00")
            .unwrap()
            .to_utc(),
    );
    let now = app.clock.now();
    let mut conn = app.state.db.pool().get().unwrap();
    let small = Snapshots::default();
    assert_eq!(
        warm(&mut conn, &small, now, 5).unwrap(),
        Warmed::default(),
        "six blocks do not fit in five"
    );
    let kept = Snapshots::default();
    assert_eq!(
        warm(&mut conn, &kept, now, 1000).unwrap(),
        Warmed {
            locations: 1,
            blocks: 6
        }
    );
    drop(conn);
    let stored = month(&Snapshots::default());
    assert_eq!(month(&kept), stored);
    assert_eq!(kept.busy_reads(), 0, "the month was read at start");
    month(&small);
    assert_eq!(small.busy_reads(), 1);
    app.post("/v1/appointments", d.booking("2026-12-02T08:00:00+07:00"))
        .await
        .expect(201);
    let stored = month(&Snapshots::default());
    assert_eq!(month(&kept), stored);
    assert_eq!(
        kept.busy_reads(),
        1,
        "only the booked resources are read again"
    );
}

/// Each resource's busy blocks in the `days` from Monday, as a load through `snapshots`
/// gives them (read from the database where they are not kept).
fn loaded_blocks(
    app: &TestApp,
    d: &crate::fixtures::Dealer,
    snapshots: &janji::repo::schedule::Snapshots,
    days: i64,
) -> Vec<(String, Vec<janji::domain::interval::Interval>)> {
    let mut conn = app.state.db.pool().get().unwrap();
    let reader = janji::repo::schedule::Reader {
        org: &app.org_id,
        snapshots,
    };
    let from = chrono::DateTime::parse_from_rfc3339(MON).unwrap().to_utc();
    let to = from + chrono::Duration::days(days);
    let loaded =
        janji::repo::schedule::load(&mut conn, &reader, &d.location, &d.service, from, to, None)
            .unwrap();
    loaded
        .resources
        .iter()
        .map(|r| (r.id.clone(), r.busy.to_vec()))
        .collect()
}
