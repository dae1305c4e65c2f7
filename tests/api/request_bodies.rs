//! How request bodies are read: one JSON value and nothing after it, within a time limit.

use std::time::{Duration, Instant};

use actix_web::http::Method;
use actix_web::web::Bytes;
use futures_util::stream;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    data_after_the_json_value_is_refused,
    a_body_sent_too_slowly_times_out,
);

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
            .header("Accept-Language", "en")
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

/// A client trickling its body (one byte every 3 s) never hit a limit: the whole body
/// must now arrive within 10 s, or the request ends with 408 and writes nothing.
async fn a_body_sent_too_slowly_times_out(app: TestApp) {
    let locations = count_rows(&app, "locations");
    let trickle = || {
        let head = stream::iter([Ok(Bytes::from_static(br#"{"name": "Slow""#))]);
        let drip = stream::unfold((), |()| async {
            actix_web::rt::time::sleep(Duration::from_secs(3)).await;
            Some((Ok(Bytes::from_static(b" ")), ()))
        });
        futures_util::StreamExt::chain(head, drip)
    };
    let started = Instant::now();
    // Through the JSON extractor, and through the idempotency middleware's read.
    let (plain, keyed) = futures_util::join!(
        app.call(Method::POST, "/v1/locations")
            .stream("application/json", trickle())
            .send(),
        app.call(Method::POST, "/v1/locations")
            .header("idempotency-key", "slow-1")
            .stream("application/json", trickle())
            .send(),
    );
    let took = started.elapsed();
    for r in [plain, keyed] {
        r.problem(408, "request_timeout");
    }
    assert!(
        took >= Duration::from_secs(10) && took < Duration::from_secs(20),
        "timed out after {took:?}"
    );
    assert_eq!(count_rows(&app, "locations"), locations);
}

/// The real server on a loopback port, as `janji serve` runs it: a request head that never
/// ends is answered 408 after the header timeout (set in `server.rs`), and a body trickled
/// one byte every 3 s gets the 408 `request_timeout` problem after 10 s.
#[actix_web::test]
async fn a_real_server_times_out_slow_heads_and_bodies() {
    use std::io::Write;
    use std::net::{TcpListener, TcpStream};

    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("janji.db").to_string_lossy().into_owned();
    // An organization made first, so the server's bootstrap leaves it and we hold its key.
    let key = {
        let pool = janji::db::open_pool(&url, 1).unwrap();
        let mut c = pool.get().unwrap();
        janji::db::tx::write_tx(&mut c, |c| {
            janji::tenancy::create_with_admin_key(
                c,
                janji::tenancy::default_organization("Loopback"),
                chrono::Utc::now(),
            )
        })
        .unwrap()
        .admin_key
    };
    let addr = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let config = janji::config::Config {
        database_url: url.into(),
        bind: addr.to_string(),
        pool_size: 2,
        idempotency_retention_hours: 24,
        log_format: janji::config::LogFormat::Text,
        secret_key: Some(janji::secret_key::SecretKey::random_base64()),
        secret_key_file: "unused.key".into(),
        allow_private_targets: false,
        dispatch: false,
        dispatch_lease_seconds: 60,
        public_url: None,
        link_requests_per_minute: 120,
        warm_blocks: 200_000,
    };
    actix_web::rt::spawn(async move { janji::server::serve(config).await.unwrap() });
    let mut up = false;
    for _ in 0..200 {
        if TcpStream::connect(addr).is_ok() {
            up = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "the server did not start listening on {addr}");

    // Sends `head`, then drips `drip` a byte every 3 s until the server answers and closes.
    let client = move |head: String, drip: &'static [u8]| {
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(40))).unwrap();
            let started = Instant::now();
            s.write_all(head.as_bytes()).unwrap();
            let mut w = s.try_clone().unwrap();
            std::thread::spawn(move || {
                for b in drip {
                    std::thread::sleep(Duration::from_secs(3));
                    if w.write_all(&[*b]).is_err() {
                        break;
                    }
                }
            });
            let answer = read_response(&mut s);
            (started.elapsed(), answer)
        })
    };
    let slow_head = client(
        format!("POST /v1/locations HTTP/1.1\r\nHost: {addr}\r\n"),
        b"",
    );
    let slow_body = client(
        format!(
            "POST /v1/locations HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {key}\r\n\
             Content-Type: application/json\r\nContent-Length: 64\r\n\r\n{{"
        ),
        br#""name": "Slow drip, one byte every three seconds, never done"  }"#,
    );
    let (took, answer) = slow_head.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        took >= Duration::from_secs(4) && took < Duration::from_secs(9),
        "head timed out after {took:?}"
    );
    let (took, answer) = slow_body.join().unwrap();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"request_timeout""#), "{answer}");
    assert!(
        took >= Duration::from_secs(10) && took < Duration::from_secs(16),
        "body timed out after {took:?}"
    );
}

/// One HTTP/1.1 response: its head and a body of `content-length` bytes (or up to the
/// close), whether or not the server then keeps the connection.
fn read_response(s: &mut std::net::TcpStream) -> String {
    use std::io::Read;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse::<usize>().ok())
                        .flatten()
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + length {
                return text;
            }
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return text,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
}
