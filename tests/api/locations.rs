//! Locations, opening hours and closures.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    location_lifecycle,
    bad_locations_are_refused_and_write_nothing,
    lists_are_paginated_in_a_stable_order,
    closures_by_day_and_by_span,
    bad_closures_are_refused,
    bodies_must_be_small_json,
    locations_named_by_a_service_are_protected,
);

fn sinar() -> serde_json::Value {
    json!({
        "name": "Sinar Motor Kemayoran",
        "address": "Jl. Industri Raya 12, Jakarta",
        "phone": "+62215550123",
        "time_zone": "Asia/Jakarta",
        "weekly_hours": {
            "mon": [{"start": "13:00", "end": "17:00"}, {"start": "08:00", "end": "12:00"}],
            "sat": [{"start": "08:00", "end": "13:00"}]
        }
    })
}

async fn location_lifecycle(app: TestApp) {
    let created = app.post("/v1/locations", sinar()).await;
    let loc = created.expect(201).clone();
    let id = loc["id"].as_str().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/locations/{id}").as_str())
    );
    assert_eq!(
        loc["weekly_hours"]["mon"][0]["start"], "08:00",
        "intervals are sorted"
    );
    assert_eq!(loc["version"], 1);

    let path = format!("/v1/locations/{id}");
    let got = app.get(&path).await;
    assert_eq!(got.header("etag"), Some("\"1\""));
    assert_eq!(got.body, loc);

    let changed = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(
            json!({"address": null, "weekly_hours": {"tue": [{"start": "08:00", "end": "16:00"}]}}),
        )
        .send()
        .await;
    let changed = changed.expect(200);
    assert_eq!(changed["address"], serde_json::Value::Null);
    assert_eq!(changed["phone"], "+62215550123", "absent fields stay");
    assert!(
        changed["weekly_hours"]["mon"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(changed["version"], 2);

    let stale = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(json!({"name": "x"}))
        .send()
        .await;
    stale.problem(412, "version_mismatch");
    let bad_etag = app
        .call(Method::PATCH, &path)
        .header("if-match", "yesterday")
        .json(json!({"name": "x"}))
        .send()
        .await;
    bad_etag.problem(400, "invalid_if_match");

    // A location without its own time zone takes the organization's.
    let plain = app
        .post("/v1/locations", json!({"name": "Cabang Bekasi"}))
        .await;
    assert_eq!(plain.expect(201)["time_zone"], "Asia/Jakarta");

    app.call(Method::DELETE, &path)
        .header("if-match", "\"1\"")
        .send()
        .await
        .problem(412, "version_mismatch");
    app.delete(&path).await.expect(204);
    app.get(&path).await.problem(404, "not_found");
    app.get("/v1/locations/not-a-uuid")
        .await
        .problem(404, "not_found");
}

async fn bad_locations_are_refused_and_write_nothing(app: TestApp) {
    let cases = [
        (
            json!({"name": "X", "time_zone": "Asia/Bandung"}),
            422,
            "unknown_time_zone",
            "time_zone",
        ),
        (
            json!({"name": "X", "phone": "0812"}),
            422,
            "invalid_phone",
            "phone",
        ),
        (json!({"name": "  "}), 422, "required", "name"),
        (
            json!({"name": "X", "weekly_hours": {"mon": [{"start": "12:00", "end": "08:00"}]}}),
            422,
            "invalid_interval",
            "weekly_hours.mon[0]",
        ),
        (
            json!({"name": "X", "weekly_hours": {"fri": [{"start": "08:00", "end": "12:00"}, {"start": "11:30", "end": "15:00"}]}}),
            422,
            "overlapping_intervals",
            "weekly_hours.fri[1]",
        ),
        (
            json!({"name": "X", "weekly_hours": {"mon": [{"start": "8am", "end": "12:00"}]}}),
            400,
            "invalid_field",
            "weekly_hours.mon[0].start",
        ),
        (
            json!({"name": "X", "weekly_hours": {"monday": []}}),
            400,
            "unknown_field",
            "weekly_hours.monday",
        ),
        (
            json!({"name": "X", "organization_id": "other"}),
            400,
            "unknown_field",
            "organization_id",
        ),
        (
            json!({"name": "X", "version": 9}),
            400,
            "unknown_field",
            "version",
        ),
        (
            json!({"name": "X", "id": "01a2"}),
            400,
            "unknown_field",
            "id",
        ),
        (json!({"address": "no name"}), 400, "invalid_field", "."),
    ];
    for (body, status, code, field) in cases {
        let r = app.post("/v1/locations", body.clone()).await;
        let p = r.problem(status, code);
        if field != "." {
            assert_eq!(p["field"], field, "{body}");
        }
    }
    assert_eq!(count_rows(&app, "locations"), 0);
}

async fn lists_are_paginated_in_a_stable_order(app: TestApp) {
    for i in 0..5 {
        app.post("/v1/locations", json!({"name": format!("Cabang {i}")}))
            .await
            .expect(201);
    }
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/locations?limit=2&cursor={c}"),
            None => "/v1/locations?limit=2".to_owned(),
        };
        let page = app.get(&path).await;
        let body = page.expect(200);
        for item in body["items"].as_array().unwrap() {
            seen.push(item["name"].as_str().unwrap().to_owned());
        }
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        seen,
        (0..5).map(|i| format!("Cabang {i}")).collect::<Vec<_>>()
    );
    assert_eq!(
        app.get("/v1/locations?limit=500")
            .await
            .problem(400, "invalid_limit")["field"],
        "limit"
    );
    assert_eq!(
        app.get("/v1/locations?limit=ten")
            .await
            .problem(400, "invalid_query")["field"],
        "limit"
    );
    app.get("/v1/locations?cursor=forged")
        .await
        .problem(400, "invalid_cursor");
}

async fn closures_by_day_and_by_span(app: TestApp) {
    let loc = app.post("/v1/locations", sinar()).await;
    let id = loc.body["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/locations/{id}/closures");
    let christmas = app
        .post(
            &path,
            json!({"date": "2026-12-25", "reason": "Hari Raya Natal"}),
        )
        .await;
    let c = christmas.expect(201);
    // Whole local days in Asia/Jakarta (UTC+7).
    assert_eq!(c["starts_at"], "2026-12-24T17:00:00Z");
    assert_eq!(c["ends_at"], "2026-12-25T17:00:00Z");
    let lebaran = app
        .post(
            &path,
            json!({"date": "2027-03-10", "end_date": "2027-03-11", "reason": "Idul Fitri"}),
        )
        .await;
    assert_eq!(lebaran.expect(201)["ends_at"], "2027-03-11T17:00:00Z");
    let night = app
        .post(
            &path,
            json!({"starts_at": "2026-12-31T20:00:00+07:00", "ends_at": "2027-01-01T10:00:00+07:00", "reason": "Tahun Baru"}),
        )
        .await;
    assert_eq!(night.expect(201)["starts_at"], "2026-12-31T13:00:00Z");

    let all = app.get(&path).await;
    assert_eq!(all.expect(200)["items"].as_array().unwrap().len(), 3);
    let future = app
        .get(&format!("{path}?ending_after=2027-01-01T00:00:00%2B07:00"))
        .await;
    assert_eq!(future.expect(200)["items"].as_array().unwrap().len(), 2);

    let cid = christmas.body["id"].as_str().unwrap();
    app.delete(&format!("{path}/{cid}")).await.expect(204);
    app.delete(&format!("{path}/{cid}"))
        .await
        .problem(404, "not_found");
    let (_, other) = app.other_org();
    app.call(Method::GET, &path)
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");
}

async fn bad_closures_are_refused(app: TestApp) {
    let loc = app.post("/v1/locations", sinar()).await;
    let path = format!(
        "/v1/locations/{}/closures",
        loc.body["id"].as_str().unwrap()
    );
    let cases = [
        (
            json!({"starts_at": "2026-12-25T10:00:00+07:00", "ends_at": "2026-12-25T09:00:00+07:00", "reason": "x"}),
            422,
            "closure_ends_before_start",
        ),
        (
            json!({"date": "2026-12-25", "end_date": "2026-12-24", "reason": "x"}),
            422,
            "closure_ends_before_start",
        ),
        (json!({"reason": "x"}), 422, "closure_span_required"),
        (
            json!({"date": "2026-12-25", "reason": " "}),
            422,
            "required",
        ),
        (
            json!({"starts_at": "2026-12-25T10:00:00", "ends_at": "2026-12-25T12:00:00", "reason": "no offset"}),
            400,
            "invalid_field",
        ),
        (
            json!({"date": "2026-12-25", "reason": "x", "resource_id": uuid::Uuid::now_v7()}),
            422,
            "resource_not_at_location",
        ),
    ];
    for (body, status, code) in cases {
        app.post(&path, body.clone()).await.problem(status, code);
    }
    assert_eq!(count_rows(&app, "closures"), 0);
}

async fn bodies_must_be_small_json(app: TestApp) {
    let r = app
        .call(Method::POST, "/v1/locations")
        .raw("text/plain", "name=x")
        .send()
        .await;
    r.problem(415, "unsupported_media_type");
    let huge = json!({"name": "x".repeat(70 * 1024)});
    let r = app
        .call(Method::POST, "/v1/locations")
        .json(huge)
        .send()
        .await;
    r.problem(413, "body_too_large");
    let r = app
        .call(Method::POST, "/v1/locations")
        .raw("application/json", "{\"name\": ")
        .send()
        .await;
    r.problem(400, "malformed_json");
    assert_eq!(count_rows(&app, "locations"), 0);
}

/// A location that services name cannot be deleted (409 `location_in_use`, the services
/// in `data.services`), so no service is left offered only at a location that is gone.
async fn locations_named_by_a_service_are_protected(app: TestApp) {
    let kemayoran = app.post("/v1/locations", sinar()).await;
    let kemayoran = kemayoran.expect(201)["id"].as_str().unwrap().to_owned();
    let bekasi = app
        .post("/v1/locations", json!({"name": "Cabang Bekasi"}))
        .await;
    let bekasi = bekasi.expect(201)["id"].as_str().unwrap().to_owned();
    let service = |name: &str, at: Vec<&String>| {
        json!({"name": name, "duration_minutes": 30, "resource_kinds": ["service_bay"],
               "location_ids": at})
    };
    let oil = app
        .post(
            "/v1/services",
            service("Ganti oli", vec![&kemayoran, &bekasi]),
        )
        .await;
    let oil = oil.expect(201)["id"].as_str().unwrap().to_owned();
    let wash = app
        .post("/v1/services", service("Cuci motor", vec![&kemayoran]))
        .await;
    let wash = wash.expect(201)["id"].as_str().unwrap().to_owned();
    // Offered everywhere: it names no location and holds none back.
    app.post("/v1/services", service("Konsultasi", vec![]))
        .await
        .expect(201);

    let path = format!("/v1/locations/{kemayoran}");
    let refused = app.delete(&path).await;
    let body = refused.problem(409, "location_in_use");
    assert_eq!(
        body["data"]["services"],
        json!([{"id": oil, "name": "Ganti oli"}, {"id": wash, "name": "Cuci motor"}])
    );
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("Ganti oli, Cuci motor")
    );
    app.get(&path).await.expect(200);
    assert_eq!(count_rows(&app, "service_locations"), 3);

    // Taken off one list, the other still holds it; off both, it goes.
    app.patch(
        &format!("/v1/services/{oil}"),
        json!({"location_ids": [bekasi]}),
    )
    .await
    .expect(200);
    let refused = app.delete(&path).await;
    assert_eq!(
        refused.problem(409, "location_in_use")["data"]["services"],
        json!([{"id": wash, "name": "Cuci motor"}])
    );
    app.patch(&format!("/v1/services/{wash}"), json!({"location_ids": []}))
        .await
        .expect(200);
    app.delete(&path).await.expect(204);
    app.get(&path).await.problem(404, "not_found");

    // The services keep their other names, in order.
    let oil = app.get(&format!("/v1/services/{oil}")).await;
    assert_eq!(oil.expect(200)["location_ids"], json!([bekasi]));
    assert_eq!(count_rows(&app, "service_locations"), 1);
}
