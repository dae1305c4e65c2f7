//! Real `janji serve` processes for tests that need more than one process or a kill -9:
//! started on a free port, spoken to over plain HTTP/1.1, killed when dropped.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

pub struct Server {
    child: Child,
    pub port: u16,
}

impl Server {
    /// Starts `janji serve` on a free port; returns it with the admin key it printed on
    /// its first start.
    pub fn start(database_url: &str) -> (Server, Option<String>) {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_janji"))
            .env("DATABASE_URL", database_url)
            .env("JANJI_BIND", format!("127.0.0.1:{port}"))
            .env("RUST_LOG", "warn")
            // One key for every process of a test, and no key file left in the checkout.
            .env("JANJI_SECRET_KEY", TEST_SECRET_KEY)
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

    pub fn kill_9(mut self) {
        self.child.kill().unwrap(); // SIGKILL on Unix
        self.child.wait().unwrap();
    }

    pub fn get(&self, path: &str, key: &str) -> (u16, String, Value) {
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
pub fn request(
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

pub fn post(port: u16, key: &str, path: &str, body: Value) -> Value {
    let (status, _, body) = request(port, "POST", path, key, None, Some(&body));
    assert_eq!(status, 201, "{path}: {body}");
    body
}

/// A fresh PostgreSQL database on the test server, dropped with the guard.
pub struct PgDatabase {
    pub url: String,
    admin: diesel::PgConnection,
    name: String,
}

impl PgDatabase {
    pub fn create(prefix: &str) -> PgDatabase {
        let admin_url = std::env::var("JANJI_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .expect("JANJI_TEST_POSTGRES_URL names the PostgreSQL server to test against");
        let name = format!("{prefix}_{}", uuid::Uuid::now_v7().simple());
        let mut admin = diesel::PgConnection::establish(&admin_url).expect("PostgreSQL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let base = admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
        PgDatabase {
            url: format!("{base}/{name}"),
            admin,
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let _ = self
            .admin
            .batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name));
    }
}

/// The secret key every server a test starts shares (base64 of 32 bytes).
pub const TEST_SECRET_KEY: &str = "amFuamktdGVzdC1rZXktMzItYnl0ZXMtbG9uZy4uLi4=";
