//! Phone numbers as people type them: national in the organization's country, with or
//! without `+`, spaces, dashes; stored and found in E.164.

use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    typed_phones_are_stored_in_e164,
    a_typed_phone_finds_the_customer,
    impossible_phones_are_refused_naming_the_field,
    the_organization_country_reads_national_numbers,
    locations_take_typed_phones_too,
);

/// The first typed form creates the customer; every other form of the same number is
/// that customer.
async fn typed_phones_are_stored_in_e164(app: TestApp) {
    let created = app
        .post(
            "/v1/customers",
            json!({"name": "Budi", "phone": "0812-3456-7890"}),
        )
        .await;
    let body = created.expect(201);
    assert_eq!(body["phone"], "+6281234567890");
    assert_eq!(body["matched"], false);
    let id = body["id"].clone();
    for typed in [
        "0812 3456 7890",
        "+62 812-3456-7890",
        "6281234567890",
        "+6281234567890",
    ] {
        let again = app
            .post("/v1/customers", json!({"name": "Budi S.", "phone": typed}))
            .await;
        let body = again.expect(200);
        assert_eq!(body["id"], id, "{typed}");
        assert_eq!(body["phone"], "+6281234567890");
        assert_eq!(body["name"], "Budi", "a match is returned unchanged");
    }
    assert_eq!(count_rows(&app, "customers"), 1);
}

async fn a_typed_phone_finds_the_customer(app: TestApp) {
    let d = dealer(&app).await;
    // `+` unencoded arrives as a space and is still read as a country code.
    for query in [
        "081234567890",
        "0812-3456-7890",
        "%2B6281234567890",
        "+6281234567890",
        "6281234567890",
    ] {
        let found = app.get(&format!("/v1/customers?phone={query}")).await;
        let items = found.expect(200)["items"].as_array().unwrap().clone();
        assert_eq!(items.len(), 1, "{query}");
        assert_eq!(items[0]["id"], d.customer.as_str(), "{query}");
    }
    let none = app.get("/v1/customers?phone=081298765432").await;
    assert_eq!(none.expect(200)["items"].as_array().unwrap().len(), 0);
    app.get("/v1/customers?phone=0812")
        .await
        .problem(422, "invalid_phone");
}

async fn impossible_phones_are_refused_naming_the_field(app: TestApp) {
    let d = dealer(&app).await;
    for bad in [
        "0812",
        "+0812345678",
        "0812-3456-789O",
        "12345",
        "+62 (812) 3456 7890 123",
    ] {
        let r = app
            .post("/v1/customers", json!({"name": "Budi", "phone": bad}))
            .await;
        let p = r.problem(422, "invalid_phone");
        assert_eq!(p["field"], "phone", "{bad}");
        assert!(
            p["detail"].as_str().unwrap().contains("+6281234567890"),
            "an example in {p}"
        );
    }
    let mut booking = d.booking("2026-12-07T08:00:00+07:00");
    booking.as_object_mut().unwrap().remove("customer_id");
    booking["customer"] = json!({"name": "Sari", "phone": "0812"});
    let r = app.post("/v1/appointments", booking).await;
    assert_eq!(r.problem(422, "invalid_phone")["field"], "customer.phone");
    let r = app
        .patch(
            &format!("/v1/customers/{}", d.customer),
            json!({"phone": "+62"}),
        )
        .await;
    assert_eq!(r.problem(422, "invalid_phone")["field"], "phone");
    assert_eq!(count_rows(&app, "customers"), 1);
}

/// A Malaysian dealer types Malaysian national numbers; numbers with a country code
/// keep it.
async fn the_organization_country_reads_national_numbers(app: TestApp) {
    let org = app.get("/v1/organization").await;
    assert_eq!(org.expect(200)["country"], "ID");
    for bad in ["XX", "id", "IDN", ""] {
        let r = app.patch("/v1/organization", json!({"country": bad})).await;
        assert_eq!(r.problem(422, "invalid_value")["field"], "country", "{bad}");
    }
    let r = app
        .patch("/v1/organization", json!({"country": "MY"}))
        .await;
    assert_eq!(r.expect(200)["country"], "MY");
    let my = app
        .post(
            "/v1/customers",
            json!({"name": "Ahmad", "phone": "012-345 6789"}),
        )
        .await;
    assert_eq!(my.expect(201)["phone"], "+60123456789");
    let id = app
        .post(
            "/v1/customers",
            json!({"name": "Budi", "phone": "+62 812-3456-7890"}),
        )
        .await;
    assert_eq!(id.expect(201)["phone"], "+6281234567890");
    let found = app.get("/v1/customers?phone=0123456789").await;
    assert_eq!(found.expect(200)["items"][0]["name"], "Ahmad");
}

async fn locations_take_typed_phones_too(app: TestApp) {
    let d = dealer(&app).await;
    let r = app
        .patch(
            &format!("/v1/locations/{}", d.location),
            json!({"phone": "(021) 426-1234"}),
        )
        .await;
    assert_eq!(r.expect(200)["phone"], "+62214261234");
    let r = app
        .patch(
            &format!("/v1/locations/{}", d.location),
            json!({"phone": "021"}),
        )
        .await;
    assert_eq!(r.problem(422, "invalid_phone")["field"], "phone");
}
