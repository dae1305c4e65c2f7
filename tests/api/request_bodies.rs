//! How request bodies are read: one JSON value and nothing after it.

use actix_web::http::Method;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(data_after_the_json_value_is_refused);

/// `{..} {..} garbage` was read as its first value and written: the rest is now refused,
/// on creates, updates and actions alike, and nothing is written.
async fn data_after_the_json_value_is_refused(app: TestApp) {
    let d = dealer(&app).await;
    let locations = count_rows(&app, "locations");
    for body in [
        r#"{"name": "a"} {"name": "b"} garbage"#,
        r#"{"name": "a"}{"name": "b"}"#,
        r#"{"name": "a"} ,"#,
    ] {
        let r = app
            .call(Method::POST, "/v1/locations")
            .raw("application/json", body)
            .send()
            .await;
        r.problem(400, "malformed_json");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap()
                .contains("one JSON value"),
            "{}",
            r.body
        );
        // The idempotency middleware reads the body first; the extractor still refuses it.
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", &format!("trailing-{}", body.len()))
            .raw("application/json", body)
            .send()
            .await
            .problem(400, "malformed_json");
    }
    assert_eq!(count_rows(&app, "locations"), locations);

    let location = format!("/v1/locations/{}", d.location);
    app.call(Method::PATCH, &location)
        .raw(
            "application/json",
            r#"{"name": "Renamed"} {"name": "Again"}"#,
        )
        .send()
        .await
        .problem(400, "malformed_json");
    assert_eq!(
        app.get(&location).await.expect(200)["name"],
        "Sinar Motor Kemayoran"
    );

    // An action whose body is optional (confirm) refuses trailing data too.
    let appt = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let id = appt.expect(201)["id"].as_str().unwrap().to_owned();
    let confirm = format!("/v1/appointments/{id}/confirm");
    app.call(Method::POST, &confirm)
        .raw("application/json", "null x")
        .send()
        .await
        .problem(400, "malformed_json");
    assert_eq!(
        app.get(&format!("/v1/appointments/{id}")).await.expect(200)["status"],
        "booked"
    );

    // Whitespace after the value is not data.
    let r = app
        .call(Method::POST, "/v1/locations")
        .raw("application/json", "{\"name\": \"Cabang Bekasi\"}\r\n \t\n")
        .send()
        .await;
    r.expect(201);
    assert_eq!(count_rows(&app, "locations"), locations + 1);
}
