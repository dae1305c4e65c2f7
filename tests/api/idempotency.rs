//! `Idempotency-Key`: replay, mismatch, and concurrent duplicates.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::json;

use std::collections::HashSet;

use diesel::prelude::*;
use janji::db::schema::{api_keys, idempotency_keys};
use janji::domain::Role;
use janji::housekeeping;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    retry_replays_the_first_response,
    same_key_other_body_is_refused,
    concurrent_duplicates_create_one,
    a_replay_is_only_for_the_caller_who_made_it,
    a_secret_is_never_remembered_in_clear,
    expired_answers_are_purged,
    an_expired_key_is_taken_over_once,
    a_refusal_leaves_no_key_behind,
    reading_with_a_key_writes_nothing
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

    // A key belongs to its caller: another organization's key runs its own request.
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
    for r in &responses {
        r.expect(201);
    }
    assert_eq!(
        count_rows(&app, "locations"),
        1,
        "exactly one location for twenty requests with one key"
    );
    let ids: HashSet<_> = responses.iter().map(|r| r.body["id"].clone()).collect();
    assert_eq!(ids.len(), 1, "every 201 is the same answer");
    let replays = responses
        .iter()
        .filter(|r| r.header("idempotent-replayed") == Some("true"))
        .count();
    assert_eq!(replays, 19, "one request ran, nineteen got its answer");
}

/// The privilege escalation of the old scheme: an admin's remembered answer (a new
/// admin key's secret, a policy) was replayed to a staff or integration key that sent
/// the same key and body. Now each caller's request runs as its own, role check first.
async fn a_replay_is_only_for_the_caller_who_made_it(app: TestApp) {
    let create_admin_key = |key: String| {
        let app = &app;
        async move {
            app.call(Method::POST, "/v1/api-keys")
                .key(&key)
                .header("idempotency-key", "escalate")
                .json(json!({"name": "second admin", "role": "admin"}))
                .send()
                .await
        }
    };
    let first = create_admin_key(app.admin_key.clone()).await;
    assert!(first.expect(201)["secret"].is_string());
    for role in [Role::Staff, Role::Integration] {
        let r = create_admin_key(app.key(role)).await;
        r.problem(403, "forbidden");
        assert!(!String::from_utf8_lossy(&r.bytes).contains("jnj_"));
    }
    let policy = crate::policies::sinar();
    app.call(Method::POST, "/v1/policies")
        .header("idempotency-key", "policy")
        .json(policy.clone())
        .send()
        .await
        .expect(201);
    let staff = app.key(Role::Staff);
    app.call(Method::POST, "/v1/policies")
        .key(&staff)
        .header("idempotency-key", "policy")
        .json(policy)
        .send()
        .await
        .problem(403, "forbidden");

    // Another admin credential with the same key and body makes its own key.
    let other_admin = app.key(Role::Admin);
    let second = create_admin_key(other_admin).await;
    assert_ne!(second.expect(201)["id"], first.body["id"]);
    assert_eq!(second.header("idempotent-replayed"), None);
}

/// The answer to a created API key is remembered without the secret; a replay says
/// which key was made, so that it can be revoked if the first answer was lost.
async fn a_secret_is_never_remembered_in_clear(app: TestApp) {
    let create = || {
        app.call(Method::POST, "/v1/api-keys")
            .header("idempotency-key", "new-key")
            .json(json!({"name": "WhatsApp bot", "role": "integration"}))
            .send()
    };
    let first = create().await;
    let secret = first.expect(201)["secret"].as_str().unwrap().to_owned();
    assert_eq!(first.header("cache-control"), Some("no-store"));
    let mut conn = app.state.db.pool().get().unwrap();
    let bodies: Vec<Option<Vec<u8>>> = idempotency_keys::table
        .select(idempotency_keys::body)
        .load(&mut *conn)
        .unwrap();
    assert_eq!(bodies.len(), 1);
    for body in bodies.into_iter().flatten() {
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains(&secret), "secret at rest: {text}");
        assert!(text.contains(first.body["id"].as_str().unwrap()));
    }
    let again = create().await;
    assert_eq!(again.expect(201)["id"], first.body["id"]);
    assert!(again.body.get("secret").is_none(), "{}", again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // The key made the first time works; the replay made none.
    app.call(Method::GET, "/v1/locations")
        .key(&secret)
        .send()
        .await
        .expect(200);
    assert_eq!(count_rows(&app, "api_keys"), 2);
}

async fn expired_answers_are_purged(app: TestApp) {
    for key in ["a", "b"] {
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", key)
            .json(json!({"name": key}))
            .send()
            .await
            .expect(201);
    }
    assert_eq!(count_rows(&app, "idempotency_keys"), 2);
    app.clock.advance(chrono::Duration::hours(23));
    let round = housekeeping::run_once(&app.state).await.unwrap();
    assert_eq!(round.answers_purged, 0, "kept for 24 hours");
    app.clock.advance(chrono::Duration::hours(1));
    let round = housekeeping::run_once(&app.state).await.unwrap();
    assert_eq!(round.answers_purged, 2);
    assert_eq!(count_rows(&app, "idempotency_keys"), 0);
}

/// A key whose answer expired but is not purged yet is free again. Twenty requests reuse
/// it at once, with a new body: one takes the key over and runs, nineteen get its answer,
/// and the expired answer is replayed to no one.
async fn an_expired_key_is_taken_over_once(app: TestApp) {
    app.call(Method::POST, "/v1/locations")
        .header("idempotency-key", "reused")
        .json(json!({"name": "Lama"}))
        .send()
        .await
        .expect(201);
    app.clock.advance(chrono::Duration::hours(25));
    assert_eq!(count_rows(&app, "idempotency_keys"), 1, "not purged yet");
    let requests = (0..20).map(|_| {
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", "reused")
            .json(json!({"name": "Baru"}))
            .send()
    });
    let responses = join_all(requests).await;
    for r in &responses {
        r.expect(201);
        assert_eq!(r.body["name"], "Baru", "never the expired answer");
    }
    let ids: HashSet<_> = responses.iter().map(|r| r.body["id"].clone()).collect();
    assert_eq!(ids.len(), 1, "every 201 is the one new answer");
    let replays = responses
        .iter()
        .filter(|r| r.header("idempotent-replayed") == Some("true"))
        .count();
    assert_eq!(replays, 19);
    assert_eq!(count_rows(&app, "locations"), 2);
    assert_eq!(count_rows(&app, "idempotency_keys"), 1);
}

/// A refused request commits nothing, its key included: the retry runs again against
/// the state it finds, and can succeed once the cause is gone.
async fn a_refusal_leaves_no_key_behind(app: TestApp) {
    let d = dealer(&app).await;
    let book = |start: &'static str| {
        let body = d.booking(start);
        let app = &app;
        async move {
            app.call(Method::POST, "/v1/appointments")
                .header("idempotency-key", "book-1")
                .json(body)
                .send()
                .await
        }
    };
    // 12:00 is the lunch break.
    book("2026-11-24T12:00:00+07:00")
        .await
        .problem(422, "outside_opening_hours");
    assert_eq!(count_rows(&app, "idempotency_keys"), 0);
    assert_eq!(count_rows(&app, "appointments"), 0);
    let booked = book("2026-11-24T09:00:00+07:00").await;
    booked.expect(201);
    let again = book("2026-11-24T09:00:00+07:00").await;
    assert_eq!(
        again.bytes, booked.bytes,
        "the committed booking is answered again"
    );
    assert_eq!(count_rows(&app, "appointments"), 1);
    assert_eq!(count_rows(&app, "idempotency_keys"), 1);
}

/// Authentication notes a key's use in memory; the housekeeping round writes it. A
/// GET never becomes a write (on SQLite it would queue behind every writer).
async fn reading_with_a_key_writes_nothing(app: TestApp) {
    let staff = app.key(Role::Staff);
    let last_used = |app: &TestApp| {
        let mut conn = app.state.db.pool().get().unwrap();
        api_keys::table
            .filter(api_keys::role.eq("staff"))
            .select(api_keys::last_used_at)
            .get_result::<Option<chrono::NaiveDateTime>>(&mut *conn)
            .unwrap()
    };
    app.call(Method::GET, "/v1/locations")
        .key(&staff)
        .send()
        .await
        .expect(200);
    assert_eq!(last_used(&app), None, "the read wrote nothing");
    let listed = app.get("/v1/api-keys").await;
    let staff_row = listed.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["role"] == "staff")
        .cloned()
        .unwrap();
    assert!(staff_row["last_used_at"].is_string(), "noted use is listed");
    let round = housekeeping::run_once(&app.state).await.unwrap();
    assert!(round.uses_written >= 1);
    assert!(
        last_used(&app).is_some(),
        "written by the housekeeping round"
    );
}
