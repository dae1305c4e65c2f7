//! Regressions found by fuzzing the running server against its own OpenAPI spec
//! (schemathesis): each was a 500 or an answer the spec did not document.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    nul_characters_in_bodies_are_refused_and_write_nothing,
    nul_characters_in_queries_are_refused,
    generic_refusals_are_documented_problems,
    dates_outside_four_digit_years_are_refused,
    a_null_action_body_is_no_body,
    undeclared_methods_are_405_with_allow,
    shared_parameters_accept_what_the_spec_says,
);

/// PostgreSQL cannot store U+0000 in text ("invalid byte sequence for encoding UTF8"),
/// which made every text field a 500 there; both backends now refuse it up front.
async fn nul_characters_in_bodies_are_refused_and_write_nothing(app: TestApp) {
    let d = dealer(&app).await;
    let (customers, appointments) = (
        count_rows(&app, "customers"),
        count_rows(&app, "appointments"),
    );
    let cases = [
        (
            Method::POST,
            "/v1/customers".to_owned(),
            json!({"name": "Budi\u{0}", "phone": "+6281234567891"}),
            "name",
        ),
        (
            Method::POST,
            "/v1/customers".to_owned(),
            json!({"name": "Budi", "phone": "+6281234567891", "external_ref": "x\u{0}"}),
            "external_ref",
        ),
        (
            Method::POST,
            "/v1/locations".to_owned(),
            json!({"name": "Cabang", "weekly_hours": {"mon": [{"start": "08:00", "end": "12:00"}]},
                   "address": "Jl.\u{0}"}),
            "address",
        ),
        (
            Method::PATCH,
            "/v1/organization".to_owned(),
            json!({"name": "\u{0}"}),
            "name",
        ),
        (
            Method::POST,
            "/v1/api-keys".to_owned(),
            json!({"name": "bot\u{0}", "role": "integration"}),
            "name",
        ),
        (
            Method::POST,
            "/v1/services".to_owned(),
            json!({"name": "Cuci", "duration_minutes": 30, "resource_kinds": ["service_bay\u{0}"]}),
            // A value that is not even one of the kinds is a type error first.
            "",
        ),
        (
            Method::POST,
            "/v1/appointments".to_owned(),
            {
                let mut b = d.booking("2026-11-30T09:00:00+07:00");
                b["notes"] = json!("rem\u{0}");
                b
            },
            "notes",
        ),
        (
            Method::POST,
            format!("/v1/locations/{}/closures", d.location),
            json!({"date": "2026-12-25", "reason": "Natal\u{0}"}),
            "reason",
        ),
    ];
    for (method, path, body, field) in cases {
        let r = app.call(method.clone(), &path).json(body).send().await;
        if field.is_empty() {
            r.problem(400, "invalid_field");
            continue;
        }
        let p = r.problem(422, "invalid_characters");
        assert_eq!(p["field"], field, "{method} {path}: {p}");
    }
    assert_eq!(count_rows(&app, "customers"), customers);
    assert_eq!(count_rows(&app, "appointments"), appointments);
    let org = app.get("/v1/organization").await;
    assert_eq!(org.expect(200)["version"], 1);

    // Nested fields are named by their path; with the booking made, an action's note too.
    let mut hours = json!({"mon": [{"start": "08:00", "end": "12:00"}]});
    hours["mon"][0]["start"] = json!("08:00\u{0}");
    let r = app
        .patch(
            &format!("/v1/locations/{}", d.location),
            json!({"weekly_hours": hours}),
        )
        .await;
    // "08:00\0" is not a time: the field is named either way, and nothing changes.
    assert_eq!(r.body["field"], "weekly_hours.mon[0].start", "{}", r.body);
    let booked = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let id = booked.expect(201)["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/v1/appointments/{id}/cancel"),
            json!({"reason_category": "other", "reason_text": "x\u{0}y"}),
        )
        .await;
    assert_eq!(r.problem(422, "invalid_characters")["field"], "reason_text");
    let r = app
        .post(
            &format!("/v1/appointments/{id}/confirm"),
            json!({"note": "\u{0}"}),
        )
        .await;
    assert_eq!(r.problem(422, "invalid_characters")["field"], "note");
    let got = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(got.expect(200)["status"], "booked");
    assert_eq!(got.body["version"], 1);

    // An escaped backslash before "u0000" is ordinary text.
    let r = app
        .post(
            "/v1/customers",
            json!({"name": "C:\\u0000", "phone": "+6281234567892"}),
        )
        .await;
    assert_eq!(r.expect(201)["name"], "C:\\u0000");
}

async fn nul_characters_in_queries_are_refused(app: TestApp) {
    let d = dealer(&app).await;
    for (query, field) in [
        ("/v1/customers?q=bu%00di", "q"),
        ("/v1/customers?external_ref=wa%00", "external_ref"),
        ("/v1/customers?phone=%2B62%00", "phone"),
        ("/v1/locations?cursor=%00", "cursor"),
    ] {
        let r = app.get(query).await;
        assert_eq!(r.problem(400, "invalid_query")["field"], field, "{query}");
    }
    let r = app
        .get(&format!(
            "/v1/appointments?customer_id={}&status=booked%00",
            d.customer
        ))
        .await;
    assert_eq!(r.problem(400, "invalid_query")["field"], "status");
}

/// Answers the shared machinery gives any operation, each documented in the spec (the
/// spec side is checked in `openapi::every_operation_documents_its_errors`).
async fn generic_refusals_are_documented_problems(app: TestApp) {
    let d = dealer(&app).await;
    let booked = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let appt = booked.expect(201)["id"].as_str().unwrap().to_owned();
    let big = "x".repeat(70 * 1024);

    // A malformed If-Match on a delete is 400, not 412.
    for path in [
        format!("/v1/locations/{}", d.location),
        format!("/v1/resources/{}", d.bays[0]),
        format!("/v1/services/{}", d.oil),
    ] {
        let r = app
            .call(Method::DELETE, &path)
            .header("if-match", "null")
            .send()
            .await;
        assert_eq!(r.problem(400, "invalid_if_match")["field"], "If-Match");
    }
    // Deleting what appointments refer to is 409.
    app.delete(&format!("/v1/services/{}", d.service))
        .await
        .problem(409, "service_in_use");
    app.delete(&format!("/v1/customers/{}", d.customer))
        .await
        .problem(409, "customer_has_appointments");

    // Revoke takes Idempotency-Key like every POST: malformed, reused, oversized.
    let keys = app
        .post("/v1/api-keys", json!({"name": "desk", "role": "staff"}))
        .await;
    let key_id = keys.expect(201)["id"].as_str().unwrap().to_owned();
    let revoke = format!("/v1/api-keys/{key_id}/revoke");
    app.call(Method::POST, &revoke)
        .header("idempotency-key", "")
        .send()
        .await
        .problem(400, "invalid_idempotency_key");
    // A refusal is not remembered, so its key can be used again; a change is.
    app.call(Method::POST, &format!("/v1/api-keys/{}/revoke", d.location))
        .header("idempotency-key", "k-1")
        .send()
        .await
        .problem(404, "not_found");
    app.call(Method::POST, &revoke)
        .header("idempotency-key", "k-1")
        .send()
        .await
        .expect(200);
    app.call(Method::POST, &format!("/v1/api-keys/{}/revoke", d.location))
        .header("idempotency-key", "k-1")
        .send()
        .await
        .problem(422, "idempotency_key_reused");
    app.call(Method::POST, &revoke)
        .header("idempotency-key", "k-2")
        .raw("application/json", big.clone())
        .send()
        .await
        .problem(413, "body_too_large");

    // Bodies over 64 KiB are 413 on updates and actions too.
    for (method, path) in [
        (Method::PATCH, "/v1/organization".to_owned()),
        (Method::PATCH, format!("/v1/locations/{}", d.location)),
        (Method::PATCH, format!("/v1/resources/{}", d.bays[0])),
        (Method::PATCH, format!("/v1/services/{}", d.service)),
        (Method::POST, "/v1/api-keys".to_owned()),
        (
            Method::POST,
            format!("/v1/locations/{}/closures", d.location),
        ),
        (Method::POST, format!("/v1/appointments/{appt}/confirm")),
        (Method::POST, format!("/v1/appointments/{appt}/cancel")),
    ] {
        let r = app
            .call(method.clone(), &path)
            .raw("application/json", big.clone())
            .send()
            .await;
        assert_eq!(r.status.as_u16(), 413, "{method} {path}: {}", r.body);
        r.problem(413, "body_too_large");
    }
}

/// chrono reads years such as `-5000` or `+262000` where RFC 3339 allows four digits:
/// PostgreSQL could not store the far past (500), and a `+262000-01-01` date filter
/// compared as text before every real date, so it filtered nothing.
async fn dates_outside_four_digit_years_are_refused(app: TestApp) {
    let d = dealer(&app).await;
    let closures = format!("/v1/locations/{}/closures", d.location);
    let rows = count_rows(&app, "closures");
    for (body, field) in [
        (json!({"date": "+262000-12-31", "reason": "x"}), "date"),
        (json!({"date": "-4714-12-31", "reason": "x"}), "date"),
        (
            json!({"date": "2026-12-25", "end_date": "0000-01-01", "reason": "x"}),
            "end_date",
        ),
        (
            json!({"starts_at": "-5000-01-01T00:00:00Z", "ends_at": "2026-01-01T00:00:00Z", "reason": "x"}),
            "starts_at",
        ),
        (
            json!({"starts_at": "2026-01-01T00:00:00Z", "ends_at": "+262000-01-01T00:00:00Z", "reason": "x"}),
            "ends_at",
        ),
        // Four digits, but before year 1 once in UTC.
        (
            json!({"starts_at": "0001-01-01T00:00:00+07:00", "ends_at": "2026-01-01T00:00:00Z", "reason": "x"}),
            "starts_at",
        ),
    ] {
        let r = app.post(&closures, body).await;
        assert_eq!(
            r.problem(400, "invalid_field")["field"],
            field,
            "{}",
            r.body
        );
    }
    // The last day of year 9999 ends in year 10000 west of Greenwich.
    let west = app
        .post(
            "/v1/locations",
            json!({"name": "Cabang Barat", "time_zone": "America/New_York",
                   "weekly_hours": {"mon": [{"start": "08:00", "end": "12:00"}]}}),
        )
        .await;
    let west = west.expect(201)["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            &format!("/v1/locations/{west}/closures"),
            json!({"date": "9999-12-31", "reason": "x"}),
        )
        .await;
    assert_eq!(r.problem(422, "invalid_date")["field"], "end_date");
    assert_eq!(count_rows(&app, "closures"), rows);
    let r = app
        .post(&closures, json!({"date": "9999-12-31", "reason": "x"}))
        .await;
    assert_eq!(r.expect(201)["ends_at"], "9999-12-31T17:00:00Z");

    for (query, field) in [
        (
            format!("{closures}?ending_after=-5000-01-01T00:00:00Z"),
            "ending_after",
        ),
        (
            "/v1/appointments?from_date=%2B262000-01-01".to_owned(),
            "from_date",
        ),
        ("/v1/appointments?to_date=-0001-01-01".to_owned(), "to_date"),
    ] {
        let r = app.get(&query).await;
        assert_eq!(r.problem(400, "invalid_query")["field"], field, "{query}");
    }
}

/// The spec documents an action's body as optional and nullable: `null` is accepted as
/// no body, as an empty body is (it was a 400).
async fn a_null_action_body_is_no_body(app: TestApp) {
    let d = dealer(&app).await;
    let booked = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let id = booked.expect(201)["id"].as_str().unwrap().to_owned();
    let r = app
        .call(Method::POST, &format!("/v1/appointments/{id}/confirm"))
        .raw("application/json", "null")
        .send()
        .await;
    assert_eq!(r.expect(200)["status"], "confirmed");
    let events = app.get(&format!("/v1/appointments/{id}/events")).await;
    assert_eq!(
        events.expect(200)["items"][1]["note"],
        serde_json::Value::Null
    );
    // Any other non-object is still malformed.
    let r = app
        .call(Method::POST, &format!("/v1/appointments/{id}/check-in"))
        .raw("application/json", "[]")
        .send()
        .await;
    r.problem(400, "invalid_field");
}

/// A method the spec does not declare on a path it does was 404 "route not found", as if
/// the path did not exist; RFC 9110 wants 405 and the methods that do work in `Allow`.
async fn undeclared_methods_are_405_with_allow(app: TestApp) {
    let d = dealer(&app).await;
    for (method, path, allow) in [
        (Method::TRACE, "/healthz".to_owned(), "GET"),
        (Method::PUT, "/v1/customers".to_owned(), "GET, POST"),
        (Method::POST, "/v1/organization".to_owned(), "GET, PATCH"),
        (
            Method::PUT,
            format!("/v1/customers/{}", d.customer),
            "GET, PATCH, DELETE",
        ),
    ] {
        let r = app.call(method.clone(), &path).send().await;
        r.problem(405, "method_not_allowed");
        assert_eq!(r.header("allow"), Some(allow), "{method} {path}");
    }
    // A path the API does not serve at all is still 404.
    app.call(Method::TRACE, "/v1/nothing-here")
        .send()
        .await
        .problem(404, "not_found");
    app.get("/v1/customers/x/y/z")
        .await
        .problem(404, "not_found");
}

/// `If-Match` and `cursor` were strings (or null) in the spec, and the server refused
/// most of them; the spec now gives their patterns, and every value of a pattern is
/// accepted while values outside it are 400 naming the parameter.
async fn shared_parameters_accept_what_the_spec_says(app: TestApp) {
    let d = dealer(&app).await;
    let customer = format!("/v1/customers/{}", d.customer);

    // A version as the body gives it, or as the ETag gives it; a stale one is 412.
    let r = app
        .call(Method::PATCH, &customer)
        .header("if-match", "1")
        .json(json!({"name": "Budi S."}))
        .send()
        .await;
    assert_eq!(r.expect(200)["version"], 2);
    let r = app
        .call(Method::PATCH, &customer)
        .header("if-match", "W/\"2\"")
        .json(json!({"name": "Budi"}))
        .send()
        .await;
    assert_eq!(r.expect(200)["version"], 3);
    app.call(Method::PATCH, &customer)
        .header("if-match", "0")
        .json(json!({"name": "Budi"}))
        .send()
        .await
        .problem(412, "version_mismatch");
    for bad in [
        "null",
        "",
        "\"-3\"",
        "W/3",
        "\"1234567890123456789\"",
        "\"3",
    ] {
        let r = app
            .call(Method::PATCH, &customer)
            .header("if-match", bad)
            .json(json!({"name": "X"}))
            .send()
            .await;
        assert_eq!(
            r.problem(400, "invalid_if_match")["field"],
            "If-Match",
            "{bad:?}"
        );
    }
    assert_eq!(app.get(&customer).await.expect(200)["name"], "Budi");

    // Any cursor of the pattern's shape is a position; the last page has none.
    let page = app.get("/v1/resources?limit=1").await;
    let next = page.expect(200)["next_cursor"].as_str().unwrap().to_owned();
    assert_eq!(next.len(), 32, "{next}");
    let rest = app.get(&format!("/v1/resources?cursor={next}")).await;
    assert!(!rest.expect(200)["items"].as_array().unwrap().is_empty());
    let end = app
        .get("/v1/resources?cursor=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz")
        .await;
    assert_eq!(end.expect(200)["items"], json!([]));
    for bad in [
        "",
        "bm9wZQ",
        "AAAAAAAAAAAAAAAAAAAAAB",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        let r = app.get(&format!("/v1/locations?cursor={bad}")).await;
        assert_eq!(r.problem(400, "invalid_cursor")["field"], "cursor", "{bad}");
    }

    // Appointment lists page by (start, id), with cursors of the same shape.
    for start in ["2026-11-30T09:00:00+07:00", "2026-11-30T10:00:00+07:00"] {
        app.post("/v1/appointments", d.booking(start))
            .await
            .expect(201);
    }
    for list in [
        "/v1/appointments".to_owned(),
        format!("/v1/customers/{}/appointments", d.customer),
    ] {
        let page = app.get(&format!("{list}?limit=1")).await;
        let first = page.expect(200)["items"][0]["id"].clone();
        let next = page.body["next_cursor"].as_str().unwrap().to_owned();
        assert_eq!(next.len(), 32, "{next}");
        let rest = app.get(&format!("{list}?limit=1&cursor={next}")).await;
        assert_ne!(rest.expect(200)["items"][0]["id"], first, "{list}");
        // Far past and far future positions are clamped, not a 500 on PostgreSQL.
        for any in [
            "________________________________",
            "gAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        ] {
            let r = app.get(&format!("{list}?cursor={any}")).await;
            r.expect(200);
        }
        let r = app
            .get(&format!("{list}?cursor=zzzzzzzzzzzzzzzzzzzzzw"))
            .await;
        assert_eq!(r.problem(400, "invalid_cursor")["field"], "cursor");
    }
}
