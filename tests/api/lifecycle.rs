//! Lifecycle actions, history and the customer's view.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use janji::domain::Role;

on_both_backends!(
    confirm_check_in_complete_with_history,
    invalid_transitions_are_409_and_change_nothing,
    cancel_and_no_show_free_the_slot,
    customer_view_counts_outcomes,
    referenced_objects_cannot_be_deleted,
    local_date_follows_a_time_zone_change,
);

async fn local_date_follows_a_time_zone_change(app: TestApp) {
    let d = dealer(&app).await;
    let loc = format!("/v1/locations/{}", d.location);
    app.patch(
        &loc,
        json!({"weekly_hours": {"mon": [{"start": "06:00", "end": "10:00"}]}}),
    )
    .await
    .expect(200);
    app.post("/v1/appointments", d.booking("2026-11-30T06:00:00+07:00"))
        .await
        .expect(201);
    app.patch(&loc, json!({"time_zone": "UTC"}))
        .await
        .expect(200);
    let sunday = app
        .get("/v1/appointments?from_date=2026-11-29&to_date=2026-11-29")
        .await;
    let items = sunday.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["local"]["label"], "23:00 UTC");
}

async fn referenced_objects_cannot_be_deleted(app: TestApp) {
    let d = dealer(&app).await;
    let a = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let bay = a.expect(201)["resources"][1]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.delete(&format!("/v1/customers/{}", d.customer))
        .await
        .problem(409, "customer_has_appointments");
    app.delete(&format!("/v1/services/{}", d.service))
        .await
        .problem(409, "service_in_use");
    app.delete(&format!("/v1/resources/{bay}"))
        .await
        .problem(409, "resource_in_use");
    // The oil service has no appointments and goes.
    app.delete(&format!("/v1/services/{}", d.oil))
        .await
        .expect(204);
    assert_eq!(count_rows(&app, "customers"), 1);
}

async fn book(app: &TestApp, d: &crate::fixtures::Dealer, start: &str) -> String {
    app.post("/v1/appointments", d.booking(start))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn confirm_check_in_complete_with_history(app: TestApp) {
    let d = dealer(&app).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = |a: &str| format!("/v1/appointments/{id}/{a}");
    let staff = app.key(Role::Staff);
    let integration = app.key(Role::Integration);
    let r = app
        .call(Method::POST, &path("confirm"))
        .key(&integration)
        .send()
        .await;
    assert_eq!(r.expect(200)["status"], "confirmed");
    let stale = app
        .call(Method::POST, &path("check-in"))
        .header("if-match", "\"1\"")
        .send()
        .await;
    stale.problem(412, "version_mismatch");
    let early = app
        .call(Method::POST, &path("check-in"))
        .header("if-match", "\"2\"")
        .send()
        .await;
    assert_eq!(
        early.problem(409, "check_in_too_early")["data"]["opens_at"],
        "2026-11-29T14:00:00Z"
    );
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-30T08:30:00+07:00")
            .unwrap()
            .to_utc(),
    );
    let r = app
        .call(Method::POST, &path("check-in"))
        .key(&staff)
        .header("if-match", "\"2\"")
        .json(json!({"note": "datang 08:50"}))
        .send()
        .await;
    assert_eq!(r.expect(200)["status"], "checked_in");
    let r = app.post(&path("complete"), json!({})).await;
    assert_eq!(r.expect(200)["version"], 4);

    let events = app.get(&format!("/v1/appointments/{id}/events")).await;
    let items = events.expect(200)["items"].as_array().unwrap().clone();
    let kinds: Vec<&str> = items.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["created", "confirmed", "checked_in", "completed"]);
    assert_eq!(items[0]["changes"]["status"]["new"], "booked");
    assert_eq!(
        items[0]["changes"]["starts_at"]["new"],
        "2026-11-30T02:00:00Z"
    );
    assert_eq!(items[1]["actor"]["role"], "integration");
    assert_eq!(items[2]["actor"]["role"], "staff");
    assert_eq!(items[2]["note"], "datang 08:50");
    assert_eq!(
        items[2]["changes"]["status"],
        json!({"old": "confirmed", "new": "checked_in"})
    );
    assert_eq!(items[3]["actor"]["role"], "admin");
    assert!(items[0]["actor"]["api_key_id"].is_string());
    let (_, other) = app.other_org();
    let theirs = app
        .call(Method::GET, &format!("/v1/appointments/{id}/events"))
        .key(&other)
        .send()
        .await;
    theirs.problem(404, "not_found");
}

async fn invalid_transitions_are_409_and_change_nothing(app: TestApp) {
    let d = dealer(&app).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = |a: &str| format!("/v1/appointments/{id}/{a}");
    let r = app.post(&path("complete"), json!({})).await;
    let p = r.problem(409, "invalid_transition");
    assert_eq!(p["data"]["status"], "booked");
    app.post(&path("no-show"), json!({}))
        .await
        .problem(409, "appointment_not_started");
    app.post(&path("cancel"), json!({"reason_category": "bored"}))
        .await
        .problem(400, "invalid_field");
    let r = app
        .call(Method::POST, &path("confirm"))
        .raw("text/plain", "yes")
        .send()
        .await;
    r.problem(415, "unsupported_media_type");
    app.post(&path("confirm"), json!({"colour": "red"}))
        .await
        .problem(400, "unknown_field");
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(
        (a.body["status"].as_str(), a.body["version"].as_i64()),
        (Some("booked"), Some(1))
    );
    assert_eq!(count_rows(&app, "appointment_events"), 1);
    app.post(
        &format!("/v1/appointments/{}/confirm", uuid::Uuid::now_v7()),
        json!({}),
    )
    .await
    .problem(404, "not_found");
}

async fn cancel_and_no_show_free_the_slot(app: TestApp) {
    let d = dealer(&app).await;
    let pinned = |start: &str| {
        let mut b = d.booking(start);
        b["resource_id"] = json!(d.bays[0]);
        b
    };
    let first = app
        .post("/v1/appointments", pinned("2026-11-30T09:00:00+07:00"))
        .await;
    let id = first.expect(201)["id"].as_str().unwrap().to_owned();
    app.post("/v1/appointments", pinned("2026-11-30T09:00:00+07:00"))
        .await
        .problem(409, "slot_unavailable");
    let r = app
        .post(
            &format!("/v1/appointments/{id}/cancel"),
            json!({"reason_category": "illness", "reason_text": "demam"}),
        )
        .await;
    let body = &r.expect(200)["appointment"];
    assert_eq!(body["status"], "cancelled");
    assert_eq!(
        body["cancel_reason"],
        json!({"category": "illness", "text": "demam"})
    );
    app.post(
        &format!("/v1/appointments/{id}/cancel"),
        json!({"reason_category": "other"}),
    )
    .await
    .problem(409, "not_cancellable");
    // The bay is free again.
    let again = app
        .post("/v1/appointments", pinned("2026-11-30T09:00:00+07:00"))
        .await;
    let again = again.expect(201)["id"].as_str().unwrap().to_owned();

    // Past the start, a no-show frees it too.
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-30T09:20:00+07:00")
            .unwrap()
            .to_utc(),
    );
    let r = app
        .post(&format!("/v1/appointments/{again}/no-show"), json!({}))
        .await;
    assert_eq!(r.expect(200)["status"], "no_show");
    let events = app.get(&format!("/v1/appointments/{id}/events")).await;
    let cancelled = &events.body["items"][1];
    assert_eq!(
        (
            cancelled["reason_category"].as_str(),
            cancelled["reason_text"].as_str()
        ),
        (Some("illness"), Some("demam"))
    );
    let path = format!(
        "{}&resource_id={}",
        d.availability("2026-11-30T10:00:00+07:00", "2026-11-30T12:00:00+07:00"),
        d.bays[0]
    );
    assert!(
        !app.get(&path).await.expect(200)["slots"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn customer_view_counts_outcomes(app: TestApp) {
    let d = dealer(&app).await;
    let a = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let b = book(&app, &d, "2026-12-01T09:00:00+07:00").await;
    book(&app, &d, "2026-12-02T09:00:00+07:00").await;
    app.post(
        &format!("/v1/appointments/{b}/cancel"),
        json!({"reason_category": "forgot"}),
    )
    .await
    .expect(200);
    app.clock.set(
        chrono::DateTime::parse_from_rfc3339("2026-11-30T10:00:00+07:00")
            .unwrap()
            .to_utc(),
    );
    app.post(&format!("/v1/appointments/{a}/no-show"), json!({}))
        .await
        .expect(200);
    let r = app
        .get(&format!("/v1/customers/{}/appointments", d.customer))
        .await;
    let body = r.expect(200);
    assert_eq!(
        body["counts"],
        json!({"total": 3, "upcoming": 1, "checked_in": 0, "completed": 0, "rescheduled": 0, "cancelled": 1, "no_show": 1})
    );
    assert_eq!(body["items"].as_array().unwrap().len(), 3);
    let only = app
        .get(&format!(
            "/v1/customers/{}/appointments?status=no_show",
            d.customer
        ))
        .await;
    assert_eq!(only.expect(200)["items"][0]["id"], a.as_str());
    let (_, other) = app.other_org();
    let theirs = app
        .call(
            Method::GET,
            &format!("/v1/customers/{}/appointments", d.customer),
        )
        .key(&other)
        .send()
        .await;
    theirs.problem(404, "not_found");
}
