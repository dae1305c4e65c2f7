//! kill -9 in the middle of writes: the real binary is started, bookings sent with an
//! `Idempotency-Key` are in flight when the process is killed, and after a restart every
//! booking is retried with its key. Each retry must answer 201: the first answer again
//! for a booking that committed, a fresh booking for one that did not; never
//! `slot_unavailable` for the caller's own booking, never a key stuck "in progress".

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{Days, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{Value, json};

const BOOKINGS: usize = 48;

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts `janji serve` on a free port; returns it with the admin key it printed on
    /// its first start.
    fn start(database_url: &str) -> (Server, Option<String>) {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_janji"))
            .env("DATABASE_URL", database_url)
            .env("JANJI_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start janji");
        let mut admin_key = None;
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut key = None;
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(k) = line.trim().strip_prefix("jnj_") {
                    key = Some(format!("jnj_{k}"));
                    break;
                }
            }
            key
        });
        let server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while server.get("/readyz", "").0 != 200 {
            assert!(Instant::now() < deadline, "janji did not get ready");
            std::thread::sleep(Duration::from_millis(50));
        }
        if reader.is_finished() {
            admin_key = reader.join().unwrap();
        }
        (server, admin_key)
    }

    fn kill_9(mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }

    fn get(&self, path: &str, key: &str) -> (u16, String, Value) {
        request(self.port, "GET", path, key, None, None)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 exchange over a fresh connection: status, headers, JSON body. A
/// connection that fails (the server was killed) is status 0.
fn request(
    port: u16,
    method: &str,
    path: &str,
    key: &str,
    idempotency_key: Option<&str>,
    body: Option<&Value>,
) -> (u16, String, Value) {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return (0, String::new(), Value::Null);
    };
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    if !key.is_empty() {
        head.push_str(&format!("Authorization: Bearer {key}\r\n"));
    }
    if !body.is_empty() {
        head.push_str("Content-Type: application/json\r\n");
    }
    if let Some(k) = idempotency_key {
        head.push_str(&format!("Idempotency-Key: {k}\r\n"));
    }
    head.push_str("\r\n");
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body.as_bytes()).is_err() {
        return (0, String::new(), Value::Null);
    }
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).is_err() || raw.is_empty() {
        return (0, String::new(), Value::Null);
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (headers, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (
        status,
        headers.to_ascii_lowercase(),
        serde_json::from_str(body).unwrap_or(Value::Null),
    )
}

fn post(port: u16, key: &str, path: &str, body: Value) -> Value {
    let (status, _, body) = request(port, "POST", path, key, None, Some(&body));
    assert_eq!(status, 201, "{path}: {body}");
    body
}

fn bookings_survive_kill_9(database_url: &str) {
    let (server, admin) = Server::start(database_url);
    let admin = admin.expect("the first start prints the admin key");
    let port = server.port;
    let hours = json!([{"start": "06:00", "end": "22:00"}]);
    let location = post(
        port,
        &admin,
        "/v1/locations",
        json!({"name": "Sinar Motor", "time_zone": "Asia/Jakarta", "weekly_hours": {
            "mon": hours, "tue": hours, "wed": hours, "thu": hours, "fri": hours,
            "sat": hours, "sun": hours}}),
    );
    let location = location["id"].as_str().unwrap().to_owned();
    post(
        port,
        &admin,
        "/v1/resources",
        json!({"location_id": location, "name": "Bay 1", "kind": "service_bay"}),
    );
    let service = post(
        port,
        &admin,
        "/v1/services",
        json!({"name": "Ganti oli", "duration_minutes": 15, "resource_kinds": ["service_bay"]}),
    );
    let customer = post(
        port,
        &admin,
        "/v1/customers",
        json!({"name": "Budi", "phone": "+6281234567890"}),
    );
    let day = Utc::now()
        .date_naive()
        .checked_add_days(Days::new(3))
        .unwrap();
    let bodies: Vec<Value> = (0..BOOKINGS)
        .map(|i| {
            let minutes = 7 * 60 + 15 * i;
            json!({"location_id": location, "service_id": service["id"],
                   "customer_id": customer["id"],
                   "start": format!("{day}T{:02}:{:02}:00+07:00", minutes / 60, minutes % 60)})
        })
        .collect();

    // All bookings at once; the process is killed as soon as a few have answered.
    let answered = Arc::new(AtomicUsize::new(0));
    let flights: Vec<_> = bodies
        .iter()
        .enumerate()
        .map(|(i, body)| {
            let (body, admin, answered) = (body.clone(), admin.clone(), answered.clone());
            std::thread::spawn(move || {
                let r = request(
                    port,
                    "POST",
                    "/v1/appointments",
                    &admin,
                    Some(&format!("crash-{i}")),
                    Some(&body),
                );
                answered.fetch_add(1, Ordering::SeqCst);
                r
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    while answered.load(Ordering::SeqCst) < 4 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    server.kill_9();
    let before: Vec<(u16, String, Value)> =
        flights.into_iter().map(|t| t.join().unwrap()).collect();
    let committed_before = before.iter().filter(|r| r.0 == 201).count();
    assert!(
        before.iter().all(|r| r.0 == 201 || r.0 == 0),
        "before the kill, only successes or cut connections: {:?}",
        before.iter().map(|r| r.0).collect::<Vec<_>>()
    );

    let (server, _) = Server::start(database_url);
    let (_, _, found) = server.get("/v1/appointments?limit=200", &admin);
    let committed = found["items"].as_array().map_or(0, Vec::len);
    assert!(committed >= committed_before);
    for (i, body) in bodies.iter().enumerate() {
        let (status, headers, again) = request(
            server.port,
            "POST",
            "/v1/appointments",
            &admin,
            Some(&format!("crash-{i}")),
            Some(body),
        );
        assert_eq!(status, 201, "retry of booking {i} after kill -9: {again}");
        if before[i].0 == 201 {
            assert_eq!(again["id"], before[i].2["id"], "booking {i} answered again");
            assert!(headers.contains("idempotent-replayed: true"));
        }
    }
    let (status, _, list) = server.get("/v1/appointments?limit=200", &admin);
    assert_eq!(status, 200);
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        BOOKINGS,
        "one appointment per booking ({committed_before} answered before the kill)"
    );
    eprintln!(
        "{committed_before} of {BOOKINGS} bookings answered and {committed} committed before \
         kill -9; all retried to 201"
    );
}

#[test]
fn sqlite_bookings_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let url = dir.path().join("janji.db").to_string_lossy().into_owned();
    bookings_survive_kill_9(&url);
}

#[test]
#[cfg_attr(
    not(janji_pg_tests),
    ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn postgres_bookings_survive_kill_9() {
    let admin_url = std::env::var("JANJI_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .expect("JANJI_TEST_POSTGRES_URL names the PostgreSQL server to test against");
    let name = format!("janji_crash_{}", uuid::Uuid::now_v7().simple());
    let mut conn = diesel::PgConnection::establish(&admin_url).expect("PostgreSQL");
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
    bookings_survive_kill_9(&format!("{base}/{name}"));
    let _ = conn.batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"));
}
