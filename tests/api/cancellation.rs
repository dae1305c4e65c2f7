//! Cancelling under the cancellation policy: quoted, charged only as accepted.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::reschedule::{at, book};
use janji::domain::Role;

on_both_backends!(
    cancellation_fees_by_notice,
    late_cancellations_refused_unless_staff_allow_them,
    one_of_many_racing_cancellations_charges_once,
);

fn policy() -> Value {
    json!({
        "name": "Pembatalan",
        "cancellation": {
            "min_notice_minutes": 1440, "late_mode": "charge",
            "fee_tiers": [{"notice_at_least_minutes": 2880, "fee": 0},
                          {"notice_at_least_minutes": 1440, "fee": 2500000},
                          {"notice_at_least_minutes": 0, "fee": 10000000}],
            "reason_required": true,
            "reason_categories": ["illness", "urgent_matter", "schedule_change"]
        }
    })
}

async fn cancellation_fees_by_notice(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", policy()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = |a: &str| format!("/v1/appointments/{id}/{a}");

    // Exactly 48 h before: free, until that second passes.
    app.clock.set(at("2026-11-28T09:00:00+07:00"));
    let q = app.post(&path("cancel-quote"), json!({})).await;
    let q = q.expect(200);
    assert_eq!(q["fee"], crate::reschedule::idr(0));
    assert_eq!(q["allowed"], false, "a reason is required");
    assert_eq!(q["refusals"][0]["code"], "reason_required");
    assert_eq!(
        q["reason"]["categories"],
        json!(["illness", "urgent_matter", "schedule_change"])
    );
    assert_eq!(
        at(q["valid_until"].as_str().unwrap()),
        at("2026-11-28T09:00:00+07:00")
    );

    // One second later the 24 h tier applies.
    app.clock.set(at("2026-11-28T09:00:01+07:00"));
    let q = app
        .post(&path("cancel-quote"), json!({"reason_category": "illness"}))
        .await;
    let q = q.expect(200);
    assert_eq!(
        (q["allowed"].clone(), q["fee"]["amount"].clone()),
        (json!(true), json!(2_500_000))
    );
    app.post(&path("cancel"), json!({"reason_category": "forgot"}))
        .await
        .problem(422, "reason_not_accepted");
    let r = app
        .post(&path("cancel"), json!({"reason_category": "illness"}))
        .await;
    assert_eq!(
        r.problem(409, "fee_changed")["data"]["quote"]["fee"]["amount"],
        2_500_000
    );
    assert_eq!(count_rows(&app, "appointment_events"), 1);
    let r = app
        .post(
            &path("cancel"),
            json!({"reason_category": "illness", "reason_text": "demam",
                   "accepted_fee": {"amount": 2500000, "currency": "IDR"}}),
        )
        .await;
    let done = r.expect(200);
    assert_eq!(done["appointment"]["status"], "cancelled");
    assert_eq!(
        (
            done["fee"]["kind"].as_str(),
            done["fee"]["amount"].as_i64(),
            done["fee"]["status"].as_str()
        ),
        (Some("cancellation"), Some(2_500_000), Some("due"))
    );
    let events = app.get(&path("events")).await;
    let last = &events.body["items"][1];
    assert_eq!(last["kind"], "cancelled");
    assert_eq!(last["details"]["fee"]["fee_id"], done["fee"]["id"]);
    let again = app.post(&path("cancel-quote"), json!({})).await;
    assert_eq!(again.expect(200)["refusals"][0]["code"], "not_cancellable");
}

async fn late_cancellations_refused_unless_staff_allow_them(app: TestApp) {
    let d = dealer(&app).await;
    app.post(
        "/v1/policies",
        json!({"name": "Ketat", "cancellation": {"min_notice_minutes": 720, "late_mode": "refuse"}}),
    )
    .await
    .expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = |a: &str| format!("/v1/appointments/{id}/{a}");
    app.clock.set(at("2026-11-29T21:00:01+07:00"));
    let r = app.post(&path("cancel"), json!({})).await;
    let p = r.problem(409, "notice_too_short");
    assert_eq!(p["data"]["refusals"][0]["code"], "notice_too_short");
    let allow = json!({"override": {"allow_late": true, "note": "bengkel yang minta"}});
    app.call(Method::POST, &path("cancel"))
        .key(&app.key(Role::Integration))
        .json(allow.clone())
        .send()
        .await
        .problem(403, "override_not_allowed");
    assert_eq!(count_rows(&app, "appointment_events"), 1);
    let r = app
        .call(Method::POST, &path("cancel"))
        .key(&app.key(Role::Staff))
        .json(allow)
        .send()
        .await;
    assert_eq!(r.expect(200)["appointment"]["status"], "cancelled");
    let events = app.get(&path("events")).await;
    assert_eq!(
        events.body["items"][1]["details"]["override"]["note"],
        "bengkel yang minta"
    );
}

/// Twenty cancellations of one appointment at once: one cancels and one fee is due.
async fn one_of_many_racing_cancellations_charges_once(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", policy()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.clock.set(at("2026-11-29T12:00:00+07:00"));
    let body = json!({"reason_category": "urgent_matter",
                      "accepted_fee": {"amount": 10000000, "currency": "IDR"}});
    let requests = (0..20).map(|_| {
        app.call(Method::POST, &format!("/v1/appointments/{id}/cancel"))
            .json(body.clone())
            .send()
    });
    let responses = join_all(requests).await;
    assert_eq!(responses.iter().filter(|r| r.status == 200).count(), 1);
    assert!(responses.iter().all(|r| r.status == 200
        || r.body["code"] == "not_cancellable"
        || r.body["code"] == "version_mismatch"));
    assert_eq!(count_rows(&app, "fees"), 1);
    assert_eq!(count_rows(&app, "appointment_events"), 2);
}
