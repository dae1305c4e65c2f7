//! One customer per phone number (and per external_ref) in an organization: creating or
//! booking for a known person answers with them instead of a copy.

use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::reschedule::book;

on_both_backends!(
    creating_a_known_phone_answers_the_existing_customer,
    creating_a_known_external_ref_answers_the_existing_customer,
    an_inline_booking_customer_is_the_existing_one,
    the_customer_limit_follows_the_phone,
    a_phone_another_customer_has_is_refused_on_change,
    customers_of_other_organizations_are_not_matched,
);

async fn creating_a_known_phone_answers_the_existing_customer(app: TestApp) {
    let d = dealer(&app).await;
    let r = app
        .post(
            "/v1/customers",
            json!({"name": "Budi Santoso", "phone": "0812-3456-7890", "email": "budi@example.co.id"}),
        )
        .await;
    let body = r.expect(200);
    assert_eq!(body["id"], d.customer.as_str());
    assert_eq!(body["matched"], true);
    assert_eq!(body["email"], json!(null), "the stored customer, unchanged");
    assert_eq!(r.header("etag"), Some("\"1\""));
    assert_eq!(
        r.header("location"),
        Some(format!("/v1/customers/{}", d.customer).as_str())
    );
    assert_eq!(count_rows(&app, "customers"), 1);
    // A plain read never says matched.
    let got = app.get(&format!("/v1/customers/{}", d.customer)).await;
    assert_eq!(got.expect(200)["matched"], false);
}

async fn creating_a_known_external_ref_answers_the_existing_customer(app: TestApp) {
    let d = dealer(&app).await;
    let r = app
        .post(
            "/v1/customers",
            json!({"name": "B. Santoso", "email": "b@example.co.id", "external_ref": "wa-6281234567890"}),
        )
        .await;
    assert_eq!(r.expect(200)["id"], d.customer.as_str());
    assert_eq!(r.body["matched"], true);
    assert_eq!(count_rows(&app, "customers"), 1);
    // Neither known: a new customer.
    let r = app
        .post(
            "/v1/customers",
            json!({"name": "Sari", "phone": "0813-1111-2222", "external_ref": "wa-new"}),
        )
        .await;
    assert_eq!(r.expect(201)["matched"], false);
    assert_eq!(count_rows(&app, "customers"), 2);
}

async fn an_inline_booking_customer_is_the_existing_one(app: TestApp) {
    let d = dealer(&app).await;
    let mut inline = d.booking("2026-11-30T09:00:00+07:00");
    inline.as_object_mut().unwrap().remove("customer_id");
    inline["customer"] = json!({"name": "Budi", "phone": "+62 812 3456 7890"});
    let r = app.post("/v1/appointments", inline).await;
    assert_eq!(r.expect(201)["customer_id"], d.customer.as_str());
    assert_eq!(count_rows(&app, "customers"), 1);
}

/// The customer may move one appointment in 90 days. Having moved one, booking again
/// as a "new" customer with the same phone books for the same customer, whose next move
/// is refused.
async fn the_customer_limit_follows_the_phone(app: TestApp) {
    let d = dealer(&app).await;
    app.post(
        "/v1/policies",
        json!({"name": "Satu kali", "reschedule": {"max_per_customer": 1, "customer_window_days": 90}}),
    )
    .await
    .expect(201);
    let first = book(&app, &d, "2026-12-07T08:00:00+07:00").await;
    app.post(
        &format!("/v1/appointments/{first}/reschedule"),
        json!({"start": "2026-12-07T13:00:00+07:00"}),
    )
    .await
    .expect(200);
    let mut inline = d.booking("2026-12-08T08:00:00+07:00");
    inline.as_object_mut().unwrap().remove("customer_id");
    inline["customer"] = json!({"name": "Budi Baru", "phone": "081234567890"});
    let r = app.post("/v1/appointments", inline).await;
    let second = r.expect(201)["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["customer_id"], d.customer.as_str());
    app.post(
        &format!("/v1/appointments/{second}/reschedule"),
        json!({"start": "2026-12-08T13:00:00+07:00"}),
    )
    .await
    .problem(409, "customer_limit_reached");
}

async fn a_phone_another_customer_has_is_refused_on_change(app: TestApp) {
    let d = dealer(&app).await;
    let sari = app
        .post(
            "/v1/customers",
            json!({"name": "Sari", "phone": "0813-1111-2222"}),
        )
        .await;
    let sari = sari.expect(201)["id"].as_str().unwrap().to_owned();
    let r = app
        .patch(
            &format!("/v1/customers/{sari}"),
            json!({"phone": "0812 3456 7890"}),
        )
        .await;
    assert_eq!(r.problem(409, "phone_taken")["field"], "phone");
    // Her own number, typed another way, is no change at all.
    let r = app
        .patch(
            &format!("/v1/customers/{sari}"),
            json!({"phone": "+62 813-1111-2222"}),
        )
        .await;
    assert_eq!(r.expect(200)["version"], 1);
    let r = app
        .patch(
            &format!("/v1/customers/{}", d.customer),
            json!({"phone": "0812-9999-0000"}),
        )
        .await;
    assert_eq!(r.expect(200)["phone"], "+6281299990000");
}

async fn customers_of_other_organizations_are_not_matched(app: TestApp) {
    let d = dealer(&app).await;
    let (_, other_key) = app.other_org();
    let r = app
        .call(actix_web::http::Method::POST, "/v1/customers")
        .key(&other_key)
        .json(json!({"name": "Budi", "phone": "081234567890", "external_ref": "wa-6281234567890"}))
        .send()
        .await;
    assert_ne!(r.expect(201)["id"], d.customer.as_str());
}
