//! Three `janji dispatch` processes share one PostgreSQL outbox of 1,000 due messages;
//! one is killed with SIGKILL mid-run. Every message must reach the gateway, none may be
//! lost, and a message sent twice (the killed process's, re-claimed after its lease)
//! carries the same `webhook-id` both times.

#[path = "support/server.rs"]
mod server;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use janji::db::tx::write_tx;
use janji::domain::{DeliveryChannel, MessageKind, MessageStatus};
use janji::repo::notification_settings::{self, SettingsRow};
use janji::repo::outbox::{self, MessageRow};
use janji::tenancy;
use server::{PgDatabase, TEST_SECRET_KEY};

const MESSAGES: usize = 1_000;

/// A gateway on loopback that answers every POST 200 after a short pause (so that sends
/// are in flight when a dispatcher is killed) and counts the `webhook-id`s it saw.
fn gateway(seen: Arc<Mutex<HashMap<String, usize>>>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let seen = seen.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut id, mut length) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':') {
                        match name.to_ascii_lowercase().as_str() {
                            "webhook-id" => id = value.trim().to_owned(),
                            "content-length" => length = value.trim().parse().unwrap_or(0),
                            _ => {}
                        }
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                std::thread::sleep(Duration::from_millis(30));
                *seen.lock().unwrap().entry(id).or_default() += 1;
                let mut stream = stream;
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            });
        }
    });
    port
}

fn dispatcher(url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_janji"))
        .arg("dispatch")
        .env("DATABASE_URL", url)
        .env("JANJI_SECRET_KEY", TEST_SECRET_KEY)
        .env("JANJI_ALLOW_PRIVATE_TARGETS", "true")
        .env("JANJI_DISPATCH_LEASE_SECONDS", "3")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start janji dispatch")
}

fn seed(url: &str, gateway_port: u16) -> Vec<String> {
    let pool = janji::db::open_pool(url, 2).expect("open and migrate");
    let mut conn = pool.get().unwrap();
    let now = Utc::now();
    write_tx(&mut conn, |c| {
        let org = tenancy::create_with_admin_key(c, tenancy::default_organization("Sinar"), now)?
            .organization
            .id;
        let t = now.naive_utc();
        notification_settings::save(
            c,
            &SettingsRow {
                organization_id: org.clone(),
                gateway_url: Some(format!("http://127.0.0.1:{gateway_port}/hook")),
                secret_generation: 1,
                previous_secret_until: None,
                reminder_offsets: "[1440]".into(),
                quiet_start: None,
                quiet_end: None,
                catch_up_minutes: 15,
                version: 1,
                created_at: t,
                updated_at: t,
                unconfirmed_follow_up_minutes: None,
                unconfirmed_call_minutes: None,
                survey_url: None,
                templates: "[]".into(),
                overrides: "[]".into(),
                reply_words: "[]".into(),
                reply_answers: "[]".into(),
            },
            true,
        )?;
        let rows: Vec<MessageRow> = (0..MESSAGES)
            .map(|i| MessageRow {
                id: uuid::Uuid::now_v7().to_string(),
                organization_id: org.clone(),
                appointment_id: None,
                kind: MessageKind::Reminder,
                channel: DeliveryChannel::Whatsapp,
                recipient: "+6281234567890".into(),
                payload: format!(r#"{{"n": {i}}}"#),
                status: MessageStatus::Pending,
                due_at: t,
                next_attempt_at: t,
                attempts: 0,
                lease_token: None,
                lease_until: None,
                expires_at: None,
                created_at: t,
                sent_at: None,
                last_error: None,
                endpoint_id: None,
                event_type: None,
            })
            .collect();
        for chunk in rows.chunks(200) {
            outbox::insert_all(c, chunk)?;
        }
        Ok(rows.iter().map(|r| outbox::webhook_id(&r.id)).collect())
    })
    .unwrap()
}

fn sent(url: &str) -> i64 {
    use janji::db::schema::outbox_messages::dsl::*;
    let mut conn = diesel::PgConnection::establish(url).unwrap();
    outbox_messages
        .filter(status.eq("sent"))
        .count()
        .get_result(&mut conn)
        .unwrap()
}

#[test]
#[cfg_attr(
    not(janji_pg_tests),
    ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
)]
fn postgres_three_dispatchers_one_killed_deliver_every_message() {
    let db = PgDatabase::create("janji_dispatch");
    let seen = Arc::new(Mutex::new(HashMap::new()));
    let port = gateway(seen.clone());
    let ids = seed(&db.url, port);

    let started = Instant::now();
    let mut victim = dispatcher(&db.url);
    let mut others = [dispatcher(&db.url), dispatcher(&db.url)];
    while seen.lock().unwrap().len() < 100 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "nothing was delivered"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    victim.kill().unwrap(); // SIGKILL
    victim.wait().unwrap();
    let killed_at = seen.lock().unwrap().len();

    while sent(&db.url) < MESSAGES as i64 {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "{} of {MESSAGES} marked sent",
            sent(&db.url)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = started.elapsed();
    for o in &mut others {
        o.kill().unwrap();
        o.wait().unwrap();
    }
    let seen = seen.lock().unwrap();
    let missing: Vec<_> = ids.iter().filter(|id| !seen.contains_key(*id)).collect();
    assert!(missing.is_empty(), "never delivered: {missing:?}");
    assert_eq!(seen.len(), MESSAGES, "only the seeded ids arrive");
    let twice = seen.values().filter(|&&n| n > 1).count();
    // Only what the killed process had claimed can arrive twice: at most one batch.
    assert!(twice <= 64, "{twice} messages arrived more than once");
    eprintln!(
        "{MESSAGES} messages in {elapsed:?}; killed after {killed_at} deliveries; {twice} arrived twice (same webhook-id)"
    );
}
