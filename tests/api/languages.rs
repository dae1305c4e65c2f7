//! Problems in the caller's language and time: `Accept-Language` picks Indonesian or
//! English, else the organization's locale; times are the location's, with its zone; and
//! what the libraries say about unreadable input is told in our own words.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    details_follow_accept_language_then_the_organization,
    a_lead_time_refusal_shows_the_locations_time,
    unreadable_input_is_told_in_our_words,
    lifecycle_and_setup_refusals_are_told_in_indonesian,
    check_in_and_no_show_refusals_tell_the_locations_time,
);

async fn detail_in(app: &TestApp, accept: Option<&str>, body: Value) -> (String, String) {
    let mut call = app.call(Method::POST, "/v1/customers").json(body);
    if let Some(a) = accept {
        call = call.header("Accept-Language", a);
    }
    let r = call.send().await;
    let p = r.problem(422, "too_long").clone();
    assert_eq!(p["field"], "name");
    (
        p["detail"].as_str().unwrap().to_owned(),
        r.header("content-language").unwrap_or_default().to_owned(),
    )
}

async fn details_follow_accept_language_then_the_organization(app: TestApp) {
    let long = json!({"name": "x".repeat(300), "phone": "+6281234567891"});
    let english = "name must be at most 200 characters";
    let indonesian = "name paling banyak 200 karakter";
    for (accept, want, tag) in [
        (Some("id"), indonesian, "id"),
        (Some("id-ID,id;q=0.9,en;q=0.8"), indonesian, "id"),
        (Some("en-US"), english, "en"),
        (Some("en;q=0.4, id;q=0.9"), indonesian, "id"),
        (Some("id;q=0, en;q=0.2"), english, "en"),
        // Neither language, or none asked: the organization's (Indonesian).
        (Some("fr"), indonesian, "id"),
        (None, indonesian, "id"),
    ] {
        assert_eq!(
            detail_in(&app, accept, long.clone()).await,
            (want.to_owned(), tag.to_owned()),
            "{accept:?}"
        );
    }

    // An English-speaking organization's default is English; a caller may still ask.
    app.patch("/v1/organization", json!({"locale": "en"}))
        .await
        .expect(200);
    assert_eq!(detail_in(&app, None, long.clone()).await.0, english);
    assert_eq!(detail_in(&app, Some("fr"), long.clone()).await.0, english);
    assert_eq!(detail_in(&app, Some("id"), long).await.0, indonesian);

    // Without a key there is no organization: English, unless Indonesian is asked for.
    let r = app
        .call(Method::GET, "/v1/customers")
        .no_key()
        .header("Accept-Language", "id")
        .send()
        .await;
    let p = r.problem(401, "unauthorized");
    assert!(
        p["detail"].as_str().unwrap().starts_with("kunci API"),
        "{p}"
    );
    assert_eq!(r.header("content-language"), Some("id"));
    let r = app.call(Method::GET, "/v1/customers").no_key().send().await;
    r.problem(401, "unauthorized");
    assert_eq!(r.header("content-language"), Some("en"));

    // Every code has Indonesian: one told by its code's sentence, in the organization's
    // default and on request, and English on request.
    let limit = |accept: Option<&'static str>| {
        let mut call = app.call(Method::GET, "/v1/customers?limit=500");
        if let Some(a) = accept {
            call = call.header("Accept-Language", a);
        }
        async move {
            let r = call.send().await;
            let p = r.problem(400, "invalid_limit");
            assert_eq!(p["field"], "limit");
            p["detail"].as_str().unwrap().to_owned()
        }
    };
    let indonesian_limit = "limit harus antara 1 dan 200";
    assert_eq!(limit(Some("id")).await, indonesian_limit);
    assert!(
        limit(Some("en")).await.contains("limit must be"),
        "English on request"
    );
    app.patch("/v1/organization", json!({"locale": "id"}))
        .await
        .expect(200);
    assert_eq!(limit(None).await, indonesian_limit);
}

async fn lifecycle_and_setup_refusals_are_told_in_indonesian(app: TestApp) {
    let d = dealer(&app).await;
    let id = |m: Method, path: &str| app.call(m, path).header("Accept-Language", "id");

    // A step the status does not allow names the step and the status.
    let booked = app
        .post("/v1/appointments", d.booking("2026-11-24T10:00:00+07:00"))
        .await;
    let appt = booked.expect(201)["id"].as_str().unwrap().to_owned();
    app.post(
        &format!("/v1/appointments/{appt}/cancel"),
        json!({"reason_category": "other"}),
    )
    .await
    .expect(200);
    let r = id(Method::POST, &format!("/v1/appointments/{appt}/confirm"))
        .json(json!({}))
        .send()
        .await;
    let p = r.problem(409, "invalid_transition");
    assert_eq!(
        p["detail"],
        "tidak dapat mengonfirmasi janji temu yang statusnya dibatalkan"
    );

    // A field-less refusal with no values: the code's sentence.
    let r = id(Method::DELETE, &format!("/v1/services/{}", d.service))
        .send()
        .await;
    let p = r.problem(409, "service_in_use");
    assert_eq!(
        p["detail"],
        "layanan ini masih disebut oleh janji temu; nonaktifkan saja, jangan dihapus"
    );
    assert_eq!(r.header("content-language"), Some("id"));
}

async fn check_in_and_no_show_refusals_tell_the_locations_time(app: TestApp) {
    let d = dealer(&app).await;
    let booked = app
        .post("/v1/appointments", d.booking("2026-11-25T09:00:00+07:00"))
        .await;
    let appt = booked.expect(201)["id"].as_str().unwrap().to_owned();
    for (accept, step, code, want) in [
        (
            "id",
            "check-in",
            "check_in_too_early",
            "check-in dibuka 12 jam sebelum waktu mulai, pada Selasa, 24 November 2026, 21.00 WIB",
        ),
        (
            "en",
            "check-in",
            "check_in_too_early",
            "check-in opens 12 hours before the start, at Tuesday, 24 November 2026, 21:00 WIB",
        ),
        (
            "id",
            "no-show",
            "appointment_not_started",
            "tidak datang baru dapat dicatat sejak waktu mulai, Rabu, 25 November 2026, 09.00 WIB",
        ),
        (
            "en",
            "no-show",
            "appointment_not_started",
            "a no-show can be recorded from the start time, Wednesday, 25 November 2026, 09:00 WIB",
        ),
    ] {
        let r = app
            .call(Method::POST, &format!("/v1/appointments/{appt}/{step}"))
            .header("Accept-Language", accept)
            .json(json!({}))
            .send()
            .await;
        assert_eq!(r.problem(409, code)["detail"], want);
    }
}

async fn a_lead_time_refusal_shows_the_locations_time(app: TestApp) {
    let d = dealer(&app).await;
    // Monday 23 November 2026, 10:00 in Jakarta; the lead time makes 11:00 the earliest.
    let booking = d.booking("2026-11-23T10:30:00+07:00");
    for (accept, want) in [
        (
            "id",
            "paling cepat mulai Senin, 23 November 2026, 11.00 WIB",
        ),
        (
            "en",
            "the earliest start is Monday, 23 November 2026, 11:00 WIB",
        ),
    ] {
        let r = app
            .call(Method::POST, "/v1/appointments")
            .json(booking.clone())
            .header("Accept-Language", accept)
            .send()
            .await;
        let p = r.problem(422, "inside_lead_time");
        let detail = p["detail"].as_str().unwrap();
        assert!(detail.ends_with(want), "{detail}");
        assert!(!detail.contains("+00:00"), "{detail}");
        // Programs still get the instant in `data`.
        assert_eq!(p["data"]["earliest"], "2026-11-23T04:00:00Z");
    }
}

fn no_library_words(p: &Value) {
    let detail = p["detail"].as_str().unwrap();
    for word in [
        "deserialize",
        "invalid type",
        "expected",
        "i64",
        "u32",
        "Path",
    ] {
        assert!(!detail.contains(word), "{word} in {detail}");
    }
}

async fn unreadable_input_is_told_in_our_words(app: TestApp) {
    let en = |m: Method, path: &str| app.call(m, path).header("Accept-Language", "en");

    // Malformed JSON says where.
    let r = en(Method::POST, "/v1/customers")
        .raw(
            "application/json",
            "{\n  \"name\": \"Budi\",\n  \"phone\": ,\n}",
        )
        .send()
        .await;
    let p = r.problem(400, "malformed_json");
    assert_eq!(p["detail"], "malformed JSON at line 3, column 12");
    let r = app
        .call(Method::POST, "/v1/customers")
        .header("Accept-Language", "id")
        .raw(
            "application/json",
            "{\n  \"name\": \"Budi\",\n  \"phone\": ,\n}",
        )
        .send()
        .await;
    assert_eq!(
        r.problem(400, "malformed_json")["detail"],
        "JSON tidak valid pada baris 3, kolom 12"
    );

    // A field of the wrong type, and a missing one, named in `field`.
    let r = en(Method::POST, "/v1/customers")
        .json(json!({"name": 7, "phone": "+6281234567891"}))
        .send()
        .await;
    let p = r.problem(400, "invalid_field");
    assert_eq!(
        (&p["field"], &p["detail"]),
        (&json!("name"), &json!("name must be a text"))
    );
    no_library_words(p);
    let d = dealer(&app).await;
    let r = en(Method::POST, "/v1/appointments")
        .json(json!({"location_id": d.location, "customer_id": d.customer}))
        .send()
        .await;
    let p = r.problem(400, "invalid_field");
    assert_eq!(
        (&p["field"], &p["detail"], &p["data"]["missing"]),
        (
            &json!("service_id"),
            &json!("required fields are missing: service_id, start"),
            &json!(["service_id", "start"])
        )
    );
    no_library_words(p);
    // Gaps inside a nested object are listed with the top level's, by their paths.
    let r = en(Method::POST, "/v1/appointments")
        .json(json!({
            "location_id": d.location,
            "service_id": d.service,
            "customer": {"email": "budi@example.com"},
        }))
        .send()
        .await;
    let p = r.problem(400, "invalid_field");
    assert_eq!(
        (&p["field"], &p["data"]["missing"]),
        (&json!("start"), &json!(["start", "customer.name"]))
    );
    let r = app
        .call(Method::POST, "/v1/appointments")
        .json(json!({"location_id": d.location}))
        .send()
        .await;
    assert_eq!(
        r.problem(400, "invalid_field")["detail"],
        "kolom wajib belum diisi: service_id, start"
    );
    let r = en(Method::POST, "/v1/customers")
        .json(json!({}))
        .send()
        .await;
    let p = r.problem(400, "invalid_field");
    assert_eq!(
        (&p["field"], &p["detail"]),
        (&json!("name"), &json!("name is required"))
    );

    // A path id that is not an id, and a query number that is not a number.
    let r = en(Method::GET, "/v1/customers/not-a-uuid").send().await;
    let p = r.problem(404, "not_found");
    assert_eq!(p["detail"], "resource not found");
    no_library_words(p);
    let r = en(Method::GET, "/v1/customers?limit=ten").send().await;
    let p = r.problem(400, "invalid_query");
    assert_eq!(p["field"], "limit");
    no_library_words(p);
    let r = en(Method::GET, "/v1/appointments?status=nope").send().await;
    let p = r.problem(400, "invalid_query");
    no_library_words(p);
}
