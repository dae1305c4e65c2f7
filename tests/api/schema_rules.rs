//! The spec states the rules the server enforces on a request's shape, so that a client
//! (or a fuzzer) generating requests from it is not refused: each test checks one rule
//! on both sides, the spec's schema and the server's answer. Found by fuzzing the running
//! server against its own spec (`scripts/fuzz.sh`, Schemathesis' `positive_data_acceptance`).

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    status_filters_are_comma_separated_statuses,
    a_booking_names_exactly_one_customer,
    a_customer_change_keeps_a_contact,
    a_closure_is_days_or_an_exact_span,
    names_must_not_be_blank,
    settings_stay_within_their_bounds,
    whole_numbers_may_be_written_with_a_fraction_of_zero,
);

fn spec() -> Value {
    serde_json::from_str(&janji::openapi::to_pretty_json()).unwrap()
}

fn schema(name: &str) -> Value {
    spec()["components"]["schemas"][name].clone()
}

fn query_param(path: &str, name: &str) -> Value {
    let doc = spec();
    let params = doc["paths"][path]["get"]["parameters"].as_array().unwrap();
    params
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("{path} has no {name}"))["schema"]
        .clone()
}

/// `status=` (empty) was a 400 the spec did not predict; a space after a comma was
/// trimmed and accepted though no pattern said so. Both lists now give the pattern, and
/// the server accepts exactly what it matches.
async fn status_filters_are_comma_separated_statuses(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await
        .expect(201);
    for (path, list) in [
        ("/v1/appointments", "/v1/appointments".to_owned()),
        (
            "/v1/customers/{customer_id}/appointments",
            format!("/v1/customers/{}/appointments", d.customer),
        ),
    ] {
        let s = query_param(path, "status");
        assert_eq!(
            s["pattern"],
            janji::api::appointments::STATUS_FILTER_PATTERN,
            "{path}"
        );
        for bad in [
            "",
            "booked,",
            ",booked",
            "booked,%20confirmed",
            "%20booked",
            "BOOKED",
        ] {
            let r = app.get(&format!("{list}?status={bad}")).await;
            assert_eq!(
                r.problem(400, "invalid_query")["field"],
                "status",
                "{list}?status={bad}"
            );
        }
        let r = app
            .get(&format!("{list}?status=booked,no_show,checked_in"))
            .await;
        assert_eq!(
            r.expect(200)["items"].as_array().unwrap().len(),
            1,
            "{list}"
        );
        let r = app.get(&format!("{list}?status=cancelled")).await;
        assert_eq!(r.expect(200)["items"], json!([]), "{list}");
    }
}

/// "Exactly one of customer_id, customer_external_ref, customer" was prose only: the
/// schema is now a `oneOf` of three shapes, each with one of them, the others absent or
/// null, and the server takes a `null` as absent.
async fn a_booking_names_exactly_one_customer(app: TestApp) {
    let d = dealer(&app).await;
    let s = schema("CreateAppointmentRequest");
    let branches = s["oneOf"].as_array().unwrap_or_else(|| panic!("{s}"));
    let mut named: Vec<&str> = branches
        .iter()
        .map(|b| {
            let required = b["required"].as_array().unwrap();
            let customer = ["customer_id", "customer_external_ref", "customer"]
                .into_iter()
                .filter(|c| required.iter().any(|r| r == c))
                .collect::<Vec<_>>();
            assert_eq!(customer.len(), 1, "{b}");
            for other in ["customer_id", "customer_external_ref", "customer"] {
                if other != customer[0] {
                    assert_eq!(b["properties"][other], json!({"type": "null"}), "{b}");
                }
            }
            assert_eq!(b["additionalProperties"], false, "{b}");
            customer[0]
        })
        .collect();
    named.sort();
    assert_eq!(named, ["customer", "customer_external_ref", "customer_id"]);

    let rows = count_rows(&app, "appointments");
    let mut none = d.booking("2026-11-30T09:00:00+07:00");
    none.as_object_mut().unwrap().remove("customer_id");
    let mut two = d.booking("2026-11-30T09:00:00+07:00");
    two["customer_external_ref"] = json!("wa-6281234567890");
    for body in [none, two] {
        app.post("/v1/appointments", body)
            .await
            .problem(422, "customer_required");
    }
    assert_eq!(count_rows(&app, "appointments"), rows);
    let mut nulls = d.booking("2026-11-30T09:00:00+07:00");
    nulls["customer"] = Value::Null;
    nulls["customer_external_ref"] = Value::Null;
    app.post("/v1/appointments", nulls).await.expect(201);
}

/// A change that clears both the phone and the e-mail address can never be accepted:
/// the schema says so (`anyOf`: one of them is kept), and the server refuses it.
async fn a_customer_change_keeps_a_contact(app: TestApp) {
    let d = dealer(&app).await;
    let s = schema("UpdateCustomerRequest");
    let any = s["anyOf"].as_array().unwrap_or_else(|| panic!("{s}"));
    assert_eq!(any.len(), 2, "{s}");
    let customer = format!("/v1/customers/{}", d.customer);
    let r = app
        .patch(&customer, json!({"phone": null, "email": null}))
        .await;
    r.problem(422, "contact_required");
    // With an address given, the phone may go (and the channel must follow).
    let r = app
        .patch(
            &customer,
            json!({"phone": null, "email": "budi@example.co.id", "preferred_channel": "email"}),
        )
        .await;
    assert_eq!(r.expect(200)["phone"], Value::Null);
}

/// A closure is either whole days or an exact span: a `oneOf` of the two shapes.
async fn a_closure_is_days_or_an_exact_span(app: TestApp) {
    let d = dealer(&app).await;
    let s = schema("CreateClosureRequest");
    let branches = s["oneOf"].as_array().unwrap_or_else(|| panic!("{s}"));
    assert_eq!(branches.len(), 2, "{s}");
    let closures = format!("/v1/locations/{}/closures", d.location);
    for body in [
        json!({"reason": "x"}),
        json!({"date": "2026-12-25", "starts_at": "2026-12-25T00:00:00Z",
               "ends_at": "2026-12-26T00:00:00Z", "reason": "x"}),
        json!({"starts_at": "2026-12-25T00:00:00Z", "reason": "x"}),
        json!({"end_date": "2026-12-25", "reason": "x"}),
    ] {
        app.post(&closures, body.clone())
            .await
            .problem(422, "closure_span_required");
    }
    let r = app
        .post(
            &closures,
            json!({"date": "2026-12-25", "end_date": null, "starts_at": null, "reason": "x"}),
        )
        .await;
    r.expect(201);
}

/// Names are trimmed and must keep a character: the schema's pattern says so.
async fn names_must_not_be_blank(app: TestApp) {
    let d = dealer(&app).await;
    let pattern = schema("ReplacePolicyRequest")["properties"]["name"]["pattern"].clone();
    assert_eq!(
        pattern,
        json!(janji::openapi::schema_rules::non_blank_pattern())
    );
    let policy = app.post("/v1/policies", json!({"name": "Standar"})).await;
    let id = policy.expect(201)["id"].as_str().unwrap().to_owned();
    for blank in ["", "   ", "\t\u{3000}"] {
        let r = app
            .call(Method::PUT, &format!("/v1/policies/{id}"))
            .json(json!({"name": blank}))
            .send()
            .await;
        assert_eq!(r.problem(422, "required")["field"], "name", "{blank:?}");
        let r = app
            .patch(
                &format!("/v1/customers/{}", d.customer),
                json!({"name": blank}),
            )
            .await;
        assert_eq!(r.problem(422, "required")["field"], "name", "{blank:?}");
    }
    for name in [
        "UpdateOrganizationRequest",
        "CreateCustomerRequest",
        "UpdateCustomerRequest",
        "CreatePolicyRequest",
        "CreateLocationRequest",
    ] {
        let s = schema(name);
        // Customers' schemas are an `anyOf` of shapes, each with the same name rule.
        let shape = if s["anyOf"].is_array() {
            &s["anyOf"][0]
        } else {
            &s
        };
        assert_eq!(
            shape["properties"]["name"]["pattern"],
            json!(janji::openapi::schema_rules::non_blank_pattern()),
            "{name}: {s}"
        );
    }
}

/// Booking settings were "1 to 730 days" in prose only; the schema now gives the bounds
/// the validation applies, and the server accepts both ends.
async fn settings_stay_within_their_bounds(app: TestApp) {
    let d = dealer(&app).await;
    let location = format!("/v1/locations/{}", d.location);
    for (field, min, max) in [
        ("booking_lead_minutes", 0, 43200),
        ("booking_horizon_days", 1, 730),
        ("slot_interval_minutes", 5, 240),
    ] {
        for name in [
            "UpdateOrganizationRequest",
            "UpdateLocationRequest",
            "CreateLocationRequest",
        ] {
            let p = &schema(name)["properties"][field];
            assert_eq!(
                (&p["minimum"], &p["maximum"]),
                (&json!(min), &json!(max)),
                "{name}.{field}"
            );
        }
        for path in ["/v1/organization", location.as_str()] {
            for v in [min - 1, max + 1] {
                let r = app.patch(path, json!({ field: v })).await;
                assert_eq!(r.problem(422, "out_of_range")["field"], field, "{path} {v}");
            }
            for v in [min, max] {
                let r = app.patch(path, json!({ field: v })).await;
                assert_eq!(r.expect(200)[field], v, "{path} {v}");
            }
        }
    }
}

/// JSON Schema counts `7.0` as an integer; serde refused it as "expected i32". Integer
/// fields now take a number with a zero fraction (or an exponent) as the whole number it
/// is, and still refuse a real fraction.
async fn whole_numbers_may_be_written_with_a_fraction_of_zero(app: TestApp) {
    app.call(Method::PATCH, "/v1/organization")
        .raw("application/json", r#"{"booking_horizon_days": 30.0}"#)
        .send()
        .await
        .expect(200);
    let org = app.get("/v1/organization").await;
    assert_eq!(org.expect(200)["booking_horizon_days"], 30);
    let r = app
        .call(Method::PATCH, "/v1/organization")
        .raw("application/json", r#"{"slot_interval_minutes": 1.5e1}"#)
        .send()
        .await;
    assert_eq!(r.expect(200)["slot_interval_minutes"], 15);
    for bad in [
        r#"{"booking_horizon_days": 30.5}"#,
        r#"{"booking_horizon_days": 1e300}"#,
        r#"{"booking_horizon_days": "30"}"#,
    ] {
        let r = app
            .call(Method::PATCH, "/v1/organization")
            .raw("application/json", bad)
            .send()
            .await;
        assert_eq!(
            r.problem(400, "invalid_field")["field"],
            "booking_horizon_days",
            "{bad}"
        );
    }
    // Text that looks like a number is left alone.
    let r = app
        .post(
            "/v1/customers",
            json!({"name": "7.0", "phone": "+6281234567893"}),
        )
        .await;
    assert_eq!(r.expect(201)["name"], "7.0");
}
