//! `Idempotency-Key`: replay, mismatch, and concurrent duplicates.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    retry_replays_the_first_response,
    same_key_other_body_is_refused,
    concurrent_duplicates_create_one
);

async fn retry_replays_the_first_response(app: TestApp) {
    let send = || {
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", "k-1")
            .json(json!({"name": "Satu"}))
            .send()
    };
    let first = send().await;
    first.expect(201);
    let second = send().await;
    assert_eq!(second.status, first.status);
    assert_eq!(second.bytes, first.bytes, "replayed byte for byte");
    assert_eq!(second.header("location"), first.header("location"));
    assert_eq!(second.header("idempotent-replayed"), Some("true"));
    assert_eq!(count_rows(&app, "locations"), 1);

    // Errors are replayed too, and a key is scoped to its organization.
    let bad = || {
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", "k-2")
            .json(json!({"name": ""}))
            .send()
    };
    let (a, b) = (bad().await, bad().await);
    a.problem(422, "required");
    assert_eq!(a.bytes, b.bytes);
    let (_, other) = app.other_org();
    let theirs = app
        .call(Method::POST, "/v1/locations")
        .key(&other)
        .header("idempotency-key", "k-1")
        .json(json!({"name": "Satu"}))
        .send()
        .await;
    assert_ne!(theirs.expect(201)["id"], first.body["id"]);

    // After 24 hours the key is forgotten and the request runs again.
    app.clock.advance(chrono::Duration::hours(25));
    let later = send().await;
    assert_ne!(later.expect(201)["id"], first.body["id"]);
}

async fn same_key_other_body_is_refused(app: TestApp) {
    let call = |name: &str| {
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", "k-3")
            .json(json!({"name": name}))
            .send()
    };
    call("Satu").await.expect(201);
    call("Dua").await.problem(422, "idempotency_key_reused");
    let long = "x".repeat(300);
    let r = app
        .call(Method::POST, "/v1/locations")
        .header("idempotency-key", &long)
        .json(json!({"name": "x"}))
        .send()
        .await;
    r.problem(400, "invalid_idempotency_key");
    assert_eq!(count_rows(&app, "locations"), 1);
}

async fn concurrent_duplicates_create_one(app: TestApp) {
    let requests = (0..20).map(|_| {
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", "same")
            .json(json!({"name": "Paralel"}))
            .send()
    });
    let responses = join_all(requests).await;
    let mut created = 0;
    for r in &responses {
        match r.status.as_u16() {
            201 => created += 1,
            409 => assert_eq!(r.body["code"], "idempotency_in_progress"),
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert!(created >= 1, "at least the first request ran");
    assert_eq!(
        count_rows(&app, "locations"),
        1,
        "exactly one location despite {created} 201s"
    );
    let ids: std::collections::HashSet<_> = responses
        .iter()
        .filter(|r| r.status == 201)
        .map(|r| r.body["id"].clone())
        .collect();
    assert_eq!(ids.len(), 1, "every 201 is the same replayed response");
}
