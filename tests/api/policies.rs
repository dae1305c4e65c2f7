//! Policies: configuration, validation, and which one applies.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use janji::domain::Role;

on_both_backends!(
    policy_lifecycle,
    bad_policies_are_refused_and_write_nothing,
    the_most_specific_policy_applies,
);

/// Sinar Motor's policy from the design story.
pub fn sinar() -> Value {
    json!({
        "name": "Kebijakan Sinar Motor",
        "reschedule": {
            "min_notice_minutes": 1440, "late_mode": "charge",
            "fee_tiers": [{"notice_at_least_minutes": 4320, "fee": 0},
                          {"notice_at_least_minutes": 1440, "fee": 5000000},
                          {"notice_at_least_minutes": 0, "fee": 15000000}],
            "max_per_appointment": 2, "max_per_customer": 3, "customer_window_days": 90,
            "reason_required": true,
            "allow_after_no_show": {"within_days": 7, "fee": 5000000}
        },
        "cancellation": {"min_notice_minutes": 720, "late_mode": "refuse"},
        "text": {"id": "Perubahan jadwal gratis dengan pemberitahuan 72 jam.", "en": "Free changes with 72 hours' notice."}
    })
}

async fn policy_lifecycle(app: TestApp) {
    let r = app.post("/v1/policies", sinar()).await;
    let p = r.expect(201).clone();
    assert_eq!(
        (p["scope"].as_str(), p["currency"].as_str()),
        (Some("organization"), Some("IDR"))
    );
    assert_eq!(p["reschedule"]["fee_tiers"][1]["fee"], 5000000);
    let path = format!("/v1/policies/{}", p["id"].as_str().unwrap());
    assert_eq!(app.get(&path).await.expect(200), &p);
    app.post("/v1/policies", json!({"name": "Kedua"}))
        .await
        .problem(409, "policy_exists");

    let mut changed = sinar();
    changed["reschedule"]["max_per_appointment"] = json!(3);
    let r = app
        .call(Method::PUT, &path)
        .header("if-match", "\"1\"")
        .json(changed.clone())
        .send()
        .await;
    assert_eq!(r.expect(200)["reschedule"]["max_per_appointment"], 3);
    app.call(Method::PUT, &path)
        .header("if-match", "\"1\"")
        .json(changed)
        .send()
        .await
        .problem(412, "version_mismatch");

    let staff = app.key(Role::Staff);
    app.call(Method::POST, "/v1/policies")
        .key(&staff)
        .json(sinar())
        .send()
        .await
        .problem(403, "forbidden");
    app.call(Method::GET, "/v1/policies")
        .key(&staff)
        .send()
        .await
        .expect(200);
    let (_, other) = app.other_org();
    app.call(Method::GET, &path)
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");
    app.delete(&path).await.expect(204);
    app.get(&path).await.problem(404, "not_found");
}

async fn bad_policies_are_refused_and_write_nothing(app: TestApp) {
    let d = dealer(&app).await;
    let (_, other_key) = app.other_org();
    let theirs = app
        .call(Method::POST, "/v1/locations")
        .key(&other_key)
        .json(json!({"name": "Lain"}))
        .send()
        .await;
    let their_location = theirs.expect(201)["id"].as_str().unwrap().to_owned();
    let with = |path: &[&str], v: Value| {
        let mut b = sinar();
        let mut at = &mut b;
        for k in &path[..path.len() - 1] {
            at = &mut at[*k];
        }
        at[path[path.len() - 1]] = v;
        b
    };
    let cases = [
        (
            with(
                &["reschedule", "fee_tiers"],
                json!([{"notice_at_least_minutes": 0, "fee": -5}]),
            ),
            422,
            "negative_fee",
            "reschedule.fee_tiers[0].fee",
        ),
        (
            with(
                &["reschedule", "fee_tiers"],
                json!([{"notice_at_least_minutes": 60, "fee": 1.5}]),
            ),
            400,
            "invalid_field",
            "reschedule.fee_tiers[0].fee",
        ),
        (
            with(
                &["reschedule", "fee_tiers"],
                json!([{"notice_at_least_minutes": 0, "fee": 1}, {"notice_at_least_minutes": 60, "fee": 2}]),
            ),
            422,
            "tiers_not_ordered",
            "reschedule.fee_tiers[1]",
        ),
        (
            with(
                &["reschedule", "fee_tiers"],
                json!([{"notice_at_least_minutes": 60, "fee": 1}, {"notice_at_least_minutes": 60, "fee": 2}]),
            ),
            422,
            "tiers_not_ordered",
            "reschedule.fee_tiers[1]",
        ),
        (
            with(&["reschedule", "min_notice_minutes"], json!(-60)),
            422,
            "out_of_range",
            "reschedule.min_notice_minutes",
        ),
        (
            with(&["reschedule", "reason_categories"], json!(["bored"])),
            400,
            "invalid_field",
            "reschedule.reason_categories[0]",
        ),
        (
            with(&["location_id"], json!(their_location)),
            422,
            "location_not_found",
            "location_id",
        ),
        (
            with(&["service_id"], json!(uuid::Uuid::now_v7())),
            422,
            "service_not_found",
            "service_id",
        ),
        (
            with(&["currency"], json!("RUPIAH")),
            422,
            "unknown_currency",
            "currency",
        ),
        (
            with(&["organization_id"], json!("x")),
            400,
            "unknown_field",
            "organization_id",
        ),
        (
            with(&["reschedule", "fees"], json!([])),
            400,
            "unknown_field",
            "reschedule.fees",
        ),
    ];
    for (body, status, code, field) in cases {
        let r = app.post("/v1/policies", body.clone()).await;
        assert_eq!(r.problem(status, code)["field"], field, "{body}");
    }
    let _ = d;
    assert_eq!(count_rows(&app, "policies"), 0);
}

async fn the_most_specific_policy_applies(app: TestApp) {
    let d = dealer(&app).await;
    let a = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let path = format!("/v1/appointments/{}/policy", a.body["id"].as_str().unwrap());
    let source = |v: &Value| v["source"].as_str().unwrap().to_owned();
    assert_eq!(source(app.get(&path).await.expect(200)), "default");

    let named = |name: &str, location: Option<&str>, service: Option<&str>| {
        let mut b = sinar();
        b["name"] = json!(name);
        b["location_id"] = json!(location);
        b["service_id"] = json!(service);
        b
    };
    let org = app.post("/v1/policies", named("org", None, None)).await;
    assert_eq!(source(app.get(&path).await.expect(200)), "organization");
    app.post("/v1/policies", named("loc", Some(&d.location), None))
        .await
        .expect(201);
    assert_eq!(source(app.get(&path).await.expect(200)), "location");
    let svc = app
        .post("/v1/policies", named("svc", None, Some(&d.service)))
        .await;
    assert_eq!(source(app.get(&path).await.expect(200)), "service");
    app.post(
        "/v1/policies",
        named("both", Some(&d.location), Some(&d.service)),
    )
    .await
    .expect(201);
    let r = app.get(&path).await;
    let body = r.expect(200);
    assert_eq!(
        (body["source"].as_str(), body["policy"]["name"].as_str()),
        (Some("location_service"), Some("both"))
    );
    assert!(
        body["why"]
            .as_str()
            .unwrap()
            .contains("this service at this location")
    );
    let _ = (org, svc);
    // Deleting the oil service takes its policies with it; nothing else changes.
    app.post("/v1/policies", named("oil", None, Some(&d.oil)))
        .await
        .expect(201);
    app.delete(&format!("/v1/services/{}", d.oil))
        .await
        .expect(204);
    assert_eq!(count_rows(&app, "policies"), 4);
}
