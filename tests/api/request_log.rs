//! The request id: a caller's `x-request-id` is kept, else one is made, and every
//! answer carries it back.

use actix_web::http::Method;

use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(request_ids_are_kept_or_made_and_returned);

fn is_uuid_v7(id: &str) -> bool {
    uuid::Uuid::parse_str(id).is_ok_and(|u| u.get_version_num() == 7)
}

async fn request_ids_are_kept_or_made_and_returned(app: TestApp) {
    let r = app.get("/v1/locations").await;
    r.expect(200);
    let made = r.header("x-request-id").unwrap().to_owned();
    assert!(is_uuid_v7(&made), "{made}");
    let again = app.get("/v1/locations").await;
    assert_ne!(again.header("x-request-id"), Some(made.as_str()));

    let r = app
        .call(Method::GET, "/v1/locations")
        .header("x-request-id", "lb-7f3a:42")
        .send()
        .await;
    assert_eq!(r.header("x-request-id"), Some("lb-7f3a:42"));

    // Refusals carry it too: from routing, a handler and authentication.
    for (path, status, code) in [
        ("/v1/nothing-here", 404, "not_found"),
        ("/v1/locations?cursor=forged", 400, "invalid_cursor"),
    ] {
        let r = app
            .call(Method::GET, path)
            .header("x-request-id", "trace-9")
            .send()
            .await;
        r.problem(status, code);
        assert_eq!(r.header("x-request-id"), Some("trace-9"), "{path}");
    }
    let r = app
        .call(Method::GET, "/v1/locations")
        .no_key()
        .header("x-request-id", "trace-10")
        .send()
        .await;
    r.problem(401, "unauthorized");
    assert_eq!(r.header("x-request-id"), Some("trace-10"));

    // One that cannot go into a log line as it is gets replaced.
    for unusable in ["a".repeat(129), "two words".to_owned()] {
        let r = app
            .call(Method::GET, "/v1/locations")
            .header("x-request-id", &unusable)
            .send()
            .await;
        let id = r.header("x-request-id").unwrap();
        assert!(is_uuid_v7(id), "{unusable:?} gave {id}");
    }
}
