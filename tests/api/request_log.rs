//! The request id: a caller's `x-request-id` is kept, else one is made, and every
//! answer carries it back.

use actix_web::http::Method;

use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    request_ids_are_kept_or_made_and_returned,
    a_link_token_never_reaches_the_log
);

/// What the log lines of a test say, captured in memory.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The request line names the route pattern (`/v1/self/{token}`, `/a/{token}`), never
/// the token, for an answer and for a refusal alike, on the JSON API and the pages.
async fn a_link_token_never_reaches_the_log(app: TestApp) {
    let d = crate::fixtures::dealer(&app).await;
    let id = crate::reschedule::book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let token = crate::self_service::link(&app, &id).await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    for path in [
        format!("/v1/self/{token}"),
        format!("/v1/self/{token}/alternatives?limit=1"),
        format!("/v1/self/{token}/nothing"),
        format!("/a/{token}"),
        format!("/a/{token}/reschedule?lang=en"),
        format!("/a/{token}/calendar.ics"),
    ] {
        app.call(Method::GET, &path).no_key().send().await;
    }
    app.call(Method::POST, &format!("/v1/self/{token}/confirm"))
        .no_key()
        .json(serde_json::json!({"version": 99}))
        .send()
        .await
        .problem(412, "version_mismatch");
    let refused = app
        .call(Method::POST, &format!("/a/{token}/confirm"))
        .no_key()
        .send()
        .await;
    assert_eq!(refused.status, 403);
    drop(guard);
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(log.contains("/v1/self/{token}"), "{log}");
    assert!(log.contains("/a/{token}/confirm"), "{log}");
    assert!(log.contains("/a/{token}/calendar.ics"), "{log}");
    assert!(log.contains("request finished"), "{log}");
    assert!(!log.contains(&token), "{log}");
}

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
