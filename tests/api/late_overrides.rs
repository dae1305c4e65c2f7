//! Staff letting a late change through where the policy refuses late changes.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::reschedule::{at, book, idr};
use janji::domain::Role;

on_both_backends!(a_late_change_let_through_costs_at_least_the_last_tier);

/// Free with 72 h notice, IDR 50,000 with 24 h; less than 24 h is refused. A staff
/// `allow_late` used to be quoted (and charged) 0, cheaper than moving on time: it now
/// costs the last tier's IDR 50,000 unless the fee is waived too.
async fn a_late_change_let_through_costs_at_least_the_last_tier(app: TestApp) {
    let d = dealer(&app).await;
    let rules = json!({"min_notice_minutes": 1440, "late_mode": "refuse", "fee_tiers": [
        {"notice_at_least_minutes": 4320, "fee": 0},
        {"notice_at_least_minutes": 1440, "fee": 5_000_000}
    ]});
    app.post(
        "/v1/policies",
        json!({"name": "Ketat", "reschedule": rules, "cancellation": rules}),
    )
    .await
    .expect(201);
    let staff = app.key(Role::Staff);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = |a: &str| format!("/v1/appointments/{id}/{a}");
    // Twelve hours before: late.
    app.clock.set(at("2026-11-29T21:00:00+07:00"));
    let to_tue = json!({"start": "2026-12-01T09:00:00+07:00"});
    let q = app.post(&path("reschedule-quote"), to_tue.clone()).await;
    assert_eq!(q.expect(200)["refusals"][0]["code"], "notice_too_short");

    let staff_call = |what: &str, body: Value| {
        app.call(Method::POST, &path(what))
            .key(&staff)
            .json(body)
            .send()
    };
    let mut late = to_tue.clone();
    late["override"] = json!({"allow_late": true, "note": "bengkel yang minta"});
    let q = staff_call("reschedule-quote", late.clone()).await;
    let q = q.expect(200);
    assert_eq!(q["allowed"], true, "{q}");
    assert_eq!(
        (
            q["fee"].clone(),
            q["assessed_fee"].clone(),
            q["fee_rule"].clone()
        ),
        (
            idr(5_000_000),
            idr(5_000_000),
            json!({"kind": "tier", "tier_index": 1, "notice_at_least_minutes": 1440})
        )
    );
    let q = staff_call("cancel-quote", json!({"override": late["override"]})).await;
    assert_eq!(q.expect(200)["fee"], idr(5_000_000));

    let mut waived = late.clone();
    waived["override"]["waive_fee"] = json!(true);
    let q = staff_call("reschedule-quote", waived).await;
    let q = q.expect(200);
    assert_eq!(
        (
            q["fee"].clone(),
            q["assessed_fee"].clone(),
            q["waived"].clone()
        ),
        (idr(0), idr(5_000_000), json!(true))
    );

    // The commit charges what the quote said: a move that claims it is free is refused.
    let mut free = late.clone();
    free["accepted_fee"] = idr(0);
    staff_call("reschedule", free)
        .await
        .problem(409, "fee_changed");
    assert_eq!(count_rows(&app, "fees"), 0);
    let mut paid = late;
    paid["accepted_fee"] = idr(5_000_000);
    let r = staff_call("reschedule", paid).await;
    assert_eq!(
        r.expect(200)["fee"]["amount"],
        idr(5_000_000)["amount"],
        "{}",
        r.body
    );
    assert_eq!(count_rows(&app, "fees"), 1);
}
