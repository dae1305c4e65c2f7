//! Small protocol manners: the `Bearer` scheme in any case, a PATCH that changes nothing
//! keeps the version, a method a path does not take is 405 with `Allow`.

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    the_bearer_scheme_is_case_insensitive,
    a_patch_that_changes_nothing_keeps_the_version,
    an_unsupported_method_is_405_with_allow,
);

async fn the_bearer_scheme_is_case_insensitive(app: TestApp) {
    for scheme in ["Bearer", "bearer", "BEARER", "bEaReR"] {
        let r = app
            .call(Method::GET, "/v1/organization")
            .no_key()
            .header("authorization", &format!("{scheme} {}", app.admin_key))
            .send()
            .await;
        r.expect(200);
    }
    let r = app
        .call(Method::GET, "/v1/organization")
        .no_key()
        .header("authorization", &format!("Basic {}", app.admin_key))
        .send()
        .await;
    r.problem(401, "unauthorized");
}

/// Sending every field as it is (or nothing) changes nothing: the same version and ETag.
async fn a_patch_that_changes_nothing_keeps_the_version(app: TestApp) {
    let d = dealer(&app).await;
    let cases = [
        (
            format!("/v1/customers/{}", d.customer),
            json!({"name": "Budi Santoso", "phone": "0812-3456-7890"}),
        ),
        (
            format!("/v1/locations/{}", d.location),
            json!({"name": "Sinar Motor Kemayoran"}),
        ),
        (
            format!("/v1/resources/{}", d.bays[0]),
            json!({"name": "Bay 1", "active": true}),
        ),
        (
            format!("/v1/services/{}", d.service),
            json!({"name": "Servis berkala", "duration_minutes": 60}),
        ),
        ("/v1/organization".to_owned(), json!({"country": "ID"})),
    ];
    for (path, same) in cases {
        let before = app.get(&path).await;
        let version = before.expect(200)["version"].clone();
        let etag = before.header("etag").map(str::to_owned);
        for body in [same.clone(), json!({})] {
            let r = app
                .call(Method::PATCH, &path)
                .header("if-match", etag.as_deref().unwrap())
                .json(body)
                .send()
                .await;
            assert_eq!(r.expect(200)["version"], version, "{path}");
            assert_eq!(r.header("etag"), etag.as_deref(), "{path}");
        }
    }
    // Replacing a policy with the same rules keeps its version too.
    let rules = json!({"name": "Standar", "reschedule": {"max_per_customer": 3, "customer_window_days": 90}});
    let created = app.post("/v1/policies", rules.clone()).await;
    let path = format!(
        "/v1/policies/{}",
        created.expect(201)["id"].as_str().unwrap()
    );
    let r = app.call(Method::PUT, &path).json(rules).send().await;
    assert_eq!(r.expect(200)["version"], 1);
    // A real change still moves it.
    let r = app
        .patch(
            &format!("/v1/resources/{}", d.bays[0]),
            json!({"name": "Bay Satu"}),
        )
        .await;
    assert_eq!(r.expect(200)["version"], 2);
}

async fn an_unsupported_method_is_405_with_allow(app: TestApp) {
    let r = app.call(Method::PUT, "/v1/customers").send().await;
    assert_eq!(r.status, 405);
    let allow = r.header("allow").unwrap_or_default().to_owned();
    assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
}
