//! Booking, its refusals, and the no-double-booking guarantee under concurrency.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    books_a_listed_slot,
    bad_bookings_are_refused_and_write_nothing,
    customers_by_external_ref_or_inline,
    two_hundred_racing_bookings_of_one_resource_give_one,
    two_hundred_racing_bookings_of_bays_and_advisors_give_two,
    racing_bookings_fill_exactly_the_free_resources,
    lists_filter_and_page_by_start_time,
    the_database_itself_refuses_an_overlap,
    the_guard_sees_the_longest_block,
);

/// Bypasses the application's availability check: the exclusion constraint (PostgreSQL)
/// or the trigger (SQLite) must still refuse a second active booking of the same time,
/// and must not mind one that is no longer active.
async fn the_database_itself_refuses_an_overlap(app: TestApp) {
    use janji::repo::appointments;
    use janji::repo::holds::AppointmentResourceRow;
    let d = dealer(&app).await;
    let first = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let first_id = first.expect(201)["id"].as_str().unwrap().to_owned();
    let mut conn = app.state.db.pool().get().unwrap();
    let mut row = appointments::get(&mut conn, &app.org_id, &first_id).unwrap();
    let held: Vec<AppointmentResourceRow> = {
        use diesel::prelude::*;
        use janji::db::schema::appointment_resources as ar;
        ar::table
            .filter(ar::appointment_id.eq(&first_id))
            .select(AppointmentResourceRow::as_select())
            .load(&mut *conn)
            .unwrap()
    };
    row.id = uuid::Uuid::now_v7().to_string();
    row.external_ref = None;
    // Thirty minutes later, overlapping the first booking's block on the same resources.
    row.starts_at += chrono::Duration::minutes(30);
    row.ends_at += chrono::Duration::minutes(30);
    row.block_starts_at += chrono::Duration::minutes(30);
    row.block_ends_at += chrono::Duration::minutes(30);
    let overlapping: Vec<AppointmentResourceRow> = held
        .iter()
        .map(|h| AppointmentResourceRow {
            appointment_id: row.id.clone(),
            block_starts_at: row.block_starts_at,
            block_ends_at: row.block_ends_at,
            ..h.clone()
        })
        .collect();
    let err = janji::db::tx::write_tx(&mut conn, |c| appointments::insert(c, &row, &overlapping))
        .unwrap_err();
    assert_eq!(err.code, janji::error::Code::SlotUnavailable);
    // Once the first is cancelled, the same rows are accepted.
    drop(conn);
    app.post(
        &format!("/v1/appointments/{first_id}/cancel"),
        json!({"reason_category": "other"}),
    )
    .await
    .expect(200);
    let mut conn = app.state.db.pool().get().unwrap();
    janji::db::tx::write_tx(&mut conn, |c| appointments::insert(c, &row, &overlapping)).unwrap();
}

async fn books_a_listed_slot(app: TestApp) {
    let d = dealer(&app).await;
    let mut body = d.booking("2026-11-30T09:00:00+07:00");
    body["channel"] = json!("phone");
    body["notes"] = json!("Ganti kampas rem juga");
    body["external_ref"] = json!("bot-123");
    let r = app.post("/v1/appointments", body).await;
    let a = r.expect(201).clone();
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(a["status"], "booked");
    assert_eq!(a["channel"], "phone");
    assert_eq!(a["start"], "2026-11-30T02:00:00Z");
    assert_eq!(a["end"], "2026-11-30T03:00:00Z");
    assert_eq!(a["local"]["label"], "09:00 WIB");
    assert_eq!(a["resources"].as_array().unwrap().len(), 2);
    let id = a["id"].as_str().unwrap();
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/appointments/{id}").as_str())
    );
    let got = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(got.expect(200), &a);
    // The second pair of bay and advisor takes the same start; then it is full.
    let second = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let second = second.expect(201);
    let ids = |v: &serde_json::Value| {
        v["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect::<Vec<_>>()
    };
    assert!(
        ids(second).iter().all(|r| !ids(&a).contains(r)),
        "different bay and advisor"
    );
    app.post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await
        .problem(409, "slot_unavailable");
    let dup = json!({"location_id": d.location, "service_id": d.oil, "start": "2026-12-01T09:00:00+07:00",
                     "customer_id": d.customer, "external_ref": "bot-123"});
    app.post("/v1/appointments", dup)
        .await
        .problem(409, "external_ref_taken");
    assert_eq!(count_rows(&app, "appointments"), 2);
}

async fn bad_bookings_are_refused_and_write_nothing(app: TestApp) {
    let d = dealer(&app).await;
    let at = |start: &str| d.booking(start);
    let (other_org, other_key) = app.other_org();
    let _ = other_org;
    let theirs = app
        .call(Method::POST, "/v1/customers")
        .key(&other_key)
        .json(json!({"name": "Orang Lain", "phone": "+6281111111111"}))
        .send()
        .await;
    let their_customer = theirs.expect(201)["id"].as_str().unwrap().to_owned();
    let elsewhere = app
        .post("/v1/locations", json!({"name": "Cabang Bekasi"}))
        .await;
    let elsewhere = elsewhere.body["id"].as_str().unwrap().to_owned();
    let far_bay = app
        .post(
            "/v1/resources",
            json!({"location_id": elsewhere, "name": "Bay B", "kind": "service_bay"}),
        )
        .await;
    let far_bay = far_bay.body["id"].as_str().unwrap().to_owned();
    let only_bekasi = app
        .post("/v1/services", json!({"name": "Cuci", "duration_minutes": 30, "resource_kinds": ["service_bay"], "location_ids": [elsewhere]}))
        .await;
    let only_bekasi = only_bekasi.body["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/v1/locations/{}/closures", d.location),
        json!({"date": "2026-12-25", "reason": "Natal"}),
    )
    .await
    .expect(201);

    let with = |start: &str, k: &str, v: serde_json::Value| {
        let mut b = at(start);
        if v.is_null() {
            b.as_object_mut().unwrap().remove(k);
        } else {
            b[k] = v;
        }
        b
    };
    let cases = vec![
        (
            at("2026-11-20T09:00:00+07:00"),
            422,
            "start_in_past",
            "start",
        ),
        (
            at("2026-11-23T10:30:00+07:00"),
            422,
            "inside_lead_time",
            "start",
        ),
        (
            at("2027-06-01T09:00:00+07:00"),
            422,
            "beyond_booking_horizon",
            "start",
        ),
        (
            at("2026-11-30T07:00:00+07:00"),
            422,
            "outside_opening_hours",
            "start",
        ),
        (
            at("2026-11-30T11:30:00+07:00"),
            422,
            "outside_opening_hours",
            "start",
        ),
        (
            at("2026-11-29T09:00:00+07:00"),
            422,
            "outside_opening_hours",
            "start",
        ),
        (
            at("2026-12-25T09:00:00+07:00"),
            422,
            "location_closed",
            "start",
        ),
        (
            at("2026-11-30T09:05:00+07:00"),
            409,
            "slot_unavailable",
            "start",
        ),
        (at("2026-11-30T09:00:00"), 400, "invalid_field", "start"),
        (
            with(
                "2026-11-30T09:00:00+07:00",
                "service_id",
                json!(only_bekasi),
            ),
            422,
            "service_not_offered",
            "service_id",
        ),
        (
            with("2026-11-30T09:00:00+07:00", "resource_id", json!(far_bay)),
            422,
            "resource_not_at_location",
            "resource_id",
        ),
        (
            with(
                "2026-11-30T09:00:00+07:00",
                "resource_id",
                json!(uuid::Uuid::now_v7()),
            ),
            422,
            "resource_not_found",
            "resource_id",
        ),
        (
            with(
                "2026-11-30T09:00:00+07:00",
                "customer_id",
                json!(their_customer),
            ),
            404,
            "not_found",
            "",
        ),
        (
            with(
                "2026-11-30T09:00:00+07:00",
                "customer_id",
                serde_json::Value::Null,
            ),
            422,
            "customer_required",
            "customer_id",
        ),
        (
            with(
                "2026-11-30T09:00:00+07:00",
                "location_id",
                json!(uuid::Uuid::now_v7()),
            ),
            404,
            "not_found",
            "",
        ),
        (
            with(
                "2026-11-30T09:00:00+07:00",
                "channel",
                json!("carrier_pigeon"),
            ),
            400,
            "invalid_field",
            "channel",
        ),
        (
            with("2026-11-30T09:00:00+07:00", "status", json!("completed")),
            400,
            "unknown_field",
            "status",
        ),
    ];
    for (body, status, code, field) in cases {
        let r = app.post("/v1/appointments", body.clone()).await;
        let p = r.problem(status, code);
        if !field.is_empty() {
            assert_eq!(p["field"], field, "{body}");
        }
    }
    let mut inline = at("2026-11-30T09:00:00+07:00");
    inline.as_object_mut().unwrap().remove("customer_id");
    inline["customer"] = json!({"name": "Siti", "phone": "0812"});
    let r = app.post("/v1/appointments", inline).await;
    assert_eq!(r.problem(422, "invalid_phone")["field"], "customer.phone");
    assert_eq!(count_rows(&app, "appointments"), 0);
    assert_eq!(count_rows(&app, "appointment_events"), 0);
    assert_eq!(
        count_rows(&app, "customers"),
        2,
        "the fixture's customer and the other organization's"
    );
}

async fn customers_by_external_ref_or_inline(app: TestApp) {
    let d = dealer(&app).await;
    let mut by_ref = d.booking("2026-11-30T09:00:00+07:00");
    by_ref.as_object_mut().unwrap().remove("customer_id");
    by_ref["customer_external_ref"] = json!("wa-6281234567890");
    let r = app.post("/v1/appointments", by_ref.clone()).await;
    assert_eq!(r.expect(201)["customer_id"], d.customer.as_str());
    by_ref["customer_external_ref"] = json!("wa-unknown");
    app.post("/v1/appointments", by_ref)
        .await
        .problem(404, "not_found");

    let mut inline = d.booking("2026-11-30T10:00:00+07:00");
    inline.as_object_mut().unwrap().remove("customer_id");
    inline["customer"] = json!({"name": "Siti Rahma", "phone": "+6281298765432"});
    let r = app.post("/v1/appointments", inline).await;
    let customer = r.expect(201)["customer_id"].as_str().unwrap().to_owned();
    let c = app.get(&format!("/v1/customers/{customer}")).await;
    assert_eq!(c.expect(200)["name"], "Siti Rahma");
}

async fn two_hundred_racing_bookings_of_one_resource_give_one(app: TestApp) {
    let d = dealer(&app).await;
    let body = json!({"location_id": d.location, "service_id": d.oil, "start": "2026-11-30T09:00:00+07:00",
                      "customer_id": d.customer, "resource_id": d.bays[0]});
    let requests = (0..200).map(|i| {
        app.call(Method::POST, "/v1/appointments")
            .header("idempotency-key", &format!("race-{i}"))
            .json(body.clone())
            .send()
    });
    let responses = join_all(requests).await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    let refused = responses
        .iter()
        .filter(|r| r.status == 409 && r.body["code"] == "slot_unavailable")
        .count();
    let other: Vec<_> = responses
        .iter()
        .filter(|r| r.status != 201 && r.status != 409)
        .map(|r| (r.status, r.body.clone()))
        .collect();
    assert!(other.is_empty(), "no other outcome, no 5xx: {other:?}");
    assert_eq!((created, refused), (1, 199));
    assert_eq!(count_rows(&app, "appointments"), 1);
}

/// Each booking holds a bay and an advisor: two rows that racing transactions can lock
/// in opposite orders. A deadlock is retried, never a 500; two bays and two advisors
/// make exactly two bookings.
async fn two_hundred_racing_bookings_of_bays_and_advisors_give_two(app: TestApp) {
    let d = dealer(&app).await;
    let requests = (0..200).map(|i| {
        app.call(Method::POST, "/v1/appointments")
            .header("idempotency-key", &format!("pair-{i}"))
            .json(d.booking("2026-11-30T09:00:00+07:00"))
            .send()
    });
    let responses = join_all(requests).await;
    let other: Vec<_> = responses
        .iter()
        .filter(|r| r.status != 201 && !(r.status == 409 && r.body["code"] == "slot_unavailable"))
        .map(|r| (r.status, r.body.clone()))
        .collect();
    assert!(
        other.is_empty(),
        "only 201 and 409 slot_unavailable: {other:?}"
    );
    let created = responses.iter().filter(|r| r.status == 201).count();
    assert_eq!(created, 2);
    assert_eq!(count_rows(&app, "appointments"), 2);
}

async fn racing_bookings_fill_exactly_the_free_resources(app: TestApp) {
    let d = dealer(&app).await;
    let body = json!({"location_id": d.location, "service_id": d.oil, "start": "2026-11-30T09:00:00+07:00",
                      "customer_id": d.customer});
    let requests = (0..50).map(|i| {
        app.call(Method::POST, "/v1/appointments")
            .header("idempotency-key", &format!("fill-{i}"))
            .json(body.clone())
            .send()
    });
    let responses = join_all(requests).await;
    let created: Vec<_> = responses.iter().filter(|r| r.status == 201).collect();
    assert!(
        responses.iter().all(|r| r.status == 201 || r.status == 409),
        "no 5xx"
    );
    assert_eq!(created.len(), 2, "two bays, two bookings");
    let bays: std::collections::HashSet<_> = created
        .iter()
        .map(|r| r.body["resources"][0]["id"].clone())
        .collect();
    assert_eq!(bays.len(), 2);
}

async fn lists_filter_and_page_by_start_time(app: TestApp) {
    let d = dealer(&app).await;
    let starts = [
        "2026-12-01T13:00:00+07:00",
        "2026-11-30T09:00:00+07:00",
        "2026-11-30T14:00:00+07:00",
        "2026-12-02T08:00:00+07:00",
    ];
    let mut ids = vec![];
    for s in starts {
        ids.push(
            app.post("/v1/appointments", d.booking(s)).await.expect(201)["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let mut seen = vec![];
    let mut next = Some("/v1/appointments?limit=3".to_owned());
    while let Some(path) = next {
        let page = app.get(&path).await;
        let body = page.expect(200);
        seen.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["local"]["start"].as_str().unwrap().to_owned()),
        );
        next = body["next_cursor"]
            .as_str()
            .map(|c| format!("/v1/appointments?limit=3&cursor={c}"));
    }
    let mut sorted: Vec<String> = starts.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    assert_eq!(seen, sorted);

    let day = app
        .get("/v1/appointments?from_date=2026-11-30&to_date=2026-11-30")
        .await;
    assert_eq!(day.expect(200)["items"].as_array().unwrap().len(), 2);
    let cancel = format!("/v1/appointments/{}/cancel", ids[0]);
    app.post(&cancel, json!({"reason_category": "schedule_change"}))
        .await
        .expect(200);
    let open = app.get("/v1/appointments?status=booked,confirmed").await;
    assert_eq!(open.expect(200)["items"].as_array().unwrap().len(), 3);
    let by_status = app.get("/v1/appointments?status=cancelled").await;
    assert_eq!(by_status.expect(200)["items"][0]["id"], ids[0].as_str());
    let held = app.get(&format!("/v1/appointments/{}", ids[1])).await;
    let bay = held.body["resources"][0]["id"].as_str().unwrap().to_owned();
    let by_resource = app
        .get(&format!("/v1/appointments?resource_id={bay}"))
        .await;
    assert!(
        by_resource.expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["id"] == ids[1].as_str())
    );
    let by_location = app
        .get(&format!("/v1/appointments?location_id={}", d.location))
        .await;
    assert_eq!(
        by_location.expect(200)["items"].as_array().unwrap().len(),
        4
    );
    app.get("/v1/appointments?status=lost")
        .await
        .problem(400, "invalid_query");
    app.get("/v1/appointments?from_date=30-11-2026")
        .await
        .problem(400, "invalid_query");
    let (_, other) = app.other_org();
    let theirs = app
        .call(Method::GET, "/v1/appointments")
        .key(&other)
        .send()
        .await;
    assert!(theirs.expect(200)["items"].as_array().unwrap().is_empty());
}

/// The overlap guard bounds its search by the longest possible block (`MAX_BLOCK`): a
/// block of exactly that length still refuses one that starts a minute before its end.
async fn the_guard_sees_the_longest_block(app: TestApp) {
    use janji::domain::availability::MAX_BLOCK;
    use janji::repo::appointments;
    use janji::repo::holds::AppointmentResourceRow;
    let d = dealer(&app).await;
    let first = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let first_id = first.expect(201)["id"].as_str().unwrap().to_owned();
    let mut conn = app.state.db.pool().get().unwrap();
    let template = appointments::get(&mut conn, &app.org_id, &first_id).unwrap();
    let held: Vec<AppointmentResourceRow> = {
        use diesel::prelude::*;
        use janji::db::schema::appointment_resources as ar;
        ar::table
            .filter(ar::appointment_id.eq(&first_id))
            .select(AppointmentResourceRow::as_select())
            .load(&mut *conn)
            .unwrap()
    };
    let at = |start: chrono::NaiveDateTime, end: chrono::NaiveDateTime| {
        let mut row = template.clone();
        row.id = uuid::Uuid::now_v7().to_string();
        (
            row.starts_at,
            row.ends_at,
            row.block_starts_at,
            row.block_ends_at,
        ) = (start, end, start, end);
        let rows: Vec<AppointmentResourceRow> = held
            .iter()
            .map(|h| AppointmentResourceRow {
                appointment_id: row.id.clone(),
                block_starts_at: start,
                block_ends_at: end,
                ..h.clone()
            })
            .collect();
        (row, rows)
    };
    let t0 = chrono::NaiveDate::from_ymd_opt(2026, 12, 10)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    let (long, long_rows) = at(t0, t0 + MAX_BLOCK);
    janji::db::tx::write_tx(&mut conn, |c| appointments::insert(c, &long, &long_rows)).unwrap();
    let minute = chrono::Duration::minutes(1);
    let (tail, tail_rows) = at(t0 + MAX_BLOCK - minute, t0 + MAX_BLOCK + minute * 59);
    let err = janji::db::tx::write_tx(&mut conn, |c| appointments::insert(c, &tail, &tail_rows))
        .unwrap_err();
    assert_eq!(err.code, janji::error::Code::SlotUnavailable);
    let (after, after_rows) = at(t0 + MAX_BLOCK, t0 + MAX_BLOCK + minute * 60);
    janji::db::tx::write_tx(&mut conn, |c| appointments::insert(c, &after, &after_rows)).unwrap();
}
