//! The two halves of the delivery benchmark (`benches/deliveries.sh`) that are not Janji.
//!
//! `delivery_bench seed URL N SPREAD_MS DELAY_MS GATEWAY_URL OUT` creates one
//! organization whose gateway is `GATEWAY_URL` and N reminders due from `DELAY_MS` after
//! now, spread evenly over `SPREAD_MS` (0: all due at the same instant), and writes
//! `webhook-id due_epoch_us` lines to OUT. It prints `t0_us` (the first due instant).
//!
//! `delivery_bench receive PORT EXPECTED TIMEOUT_S OUT` is the loopback receiver: one
//! actix-web worker answering every POST 200 at once and noting its `webhook-id` and
//! arrival instant. It stops one second after EXPECTED distinct ids arrived (so a late
//! duplicate still counts), after TIMEOUT_S, or on SIGTERM, and writes
//! `webhook-id arrival_epoch_us` lines to OUT
//! (and its own CPU ticks to `OUT.ticks`).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use chrono::{TimeDelta, Utc};
use janji::db::tx::write_tx;
use janji::domain::{DeliveryChannel, MessageKind, MessageStatus};
use janji::repo::notification_settings::{self, SettingsRow};
use janji::repo::outbox::{self, MessageRow};
use janji::tenancy;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("seed") if args.len() == 8 => seed(&args[2..]),
        Some("receive") if args.len() == 6 => receive(&args[2..]),
        _ => {
            eprintln!(
                "usage: delivery_bench seed URL N SPREAD_MS DELAY_MS GATEWAY_URL OUT\n       delivery_bench receive PORT EXPECTED TIMEOUT_S OUT"
            );
            std::process::exit(2);
        }
    }
}

fn arg<T: std::str::FromStr>(s: &str) -> T {
    s.parse()
        .unwrap_or_else(|_| panic!("'{s}' is not a number"))
}

fn epoch_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or_default()
}

/// A reminder's payload of the size the reminders use (about 400 bytes).
fn payload(i: usize) -> String {
    format!(
        r#"{{"type":"reminder","n":{i},"appointment":{{"id":"0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","start":"2026-12-24T09:00:00+07:00","service":"Servis berkala 10.000 km","location":"Bengkel Sinar Jaya, Jl. Raya Bogor No. 12","resources":["Bay 3","Advisor Dewi"]}},"customer":{{"name":"Budi Santoso","phone":"+6281234567890","locale":"id"}},"text":"Pengingat: servis Anda besok pukul 09.00 di Bengkel Sinar Jaya."}}"#
    )
}

fn seed(a: &[String]) {
    let (url, n, spread_ms, delay_ms, gateway, out) = (
        &a[0],
        arg::<usize>(&a[1]),
        arg::<i64>(&a[2]),
        arg::<i64>(&a[3]),
        &a[4],
        &a[5],
    );
    let pool = janji::db::open_pool(url, 2).expect("open and migrate");
    let mut conn = pool.get().expect("a connection");
    let now = Utc::now();
    let t0 = now + TimeDelta::milliseconds(delay_ms);
    let lines = write_tx(&mut conn, |c| {
        let org = tenancy::create_with_admin_key(c, tenancy::default_organization("Sinar"), now)?
            .organization
            .id;
        let t = now.naive_utc();
        notification_settings::save(
            c,
            &SettingsRow {
                organization_id: org.clone(),
                gateway_url: Some(gateway.clone()),
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
        let rows: Vec<MessageRow> = (0..n)
            .map(|i| {
                let due = t0 + TimeDelta::microseconds(spread_ms * 1000 * i as i64 / n as i64);
                MessageRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    organization_id: org.clone(),
                    appointment_id: None,
                    kind: MessageKind::Reminder,
                    channel: DeliveryChannel::Whatsapp,
                    recipient: "+6281234567890".into(),
                    payload: payload(i),
                    status: MessageStatus::Pending,
                    due_at: due.naive_utc(),
                    next_attempt_at: due.naive_utc(),
                    attempts: 0,
                    lease_token: None,
                    lease_until: None,
                    expires_at: None,
                    created_at: t,
                    sent_at: None,
                    last_error: None,
                    endpoint_id: None,
                    event_type: None,
                }
            })
            .collect();
        for chunk in rows.chunks(500) {
            outbox::insert_all(c, chunk)?;
        }
        Ok(rows
            .iter()
            .map(|r| {
                let due = r.next_attempt_at.and_utc().timestamp_micros();
                format!("{} {due}\n", outbox::webhook_id(&r.id))
            })
            .collect::<String>())
    })
    .expect("seed");
    std::fs::write(out, lines).expect("write the seed file");
    println!("t0_us {}", t0.timestamp_micros());
    println!("seeded_late_ms {}", (Utc::now() - t0).num_milliseconds());
}

/// Every arrival in order, and the distinct ids so far.
#[derive(Default)]
struct Arrivals {
    all: Vec<(String, i64)>,
    ids: std::collections::HashSet<String>,
}

type Seen = Arc<Mutex<Arrivals>>;

async fn hook(req: HttpRequest, _body: web::Bytes, seen: web::Data<Seen>) -> HttpResponse {
    let at = epoch_us();
    let id = req
        .headers()
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let mut seen = seen.lock().expect("not poisoned");
    seen.ids.insert(id.clone());
    seen.all.push((id, at));
    HttpResponse::Ok().finish()
}

fn receive(a: &[String]) {
    let (port, expected, timeout_s, out) = (
        arg::<u16>(&a[0]),
        arg::<usize>(&a[1]),
        arg::<u64>(&a[2]),
        a[3].clone(),
    );
    let seen: Seen = Arc::default();
    let data = web::Data::new(seen.clone());
    let watched = seen.clone();
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(1 << 20))
                .default_service(web::post().to(hook))
        })
        .workers(1)
        .backlog(4096)
        .max_connections(100_000)
        .bind(("127.0.0.1", port))
        .expect("bind the receiver")
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(async move {
            let started = std::time::Instant::now();
            loop {
                actix_web::rt::time::sleep(Duration::from_millis(100)).await;
                let distinct = watched.lock().expect("not poisoned").ids.len();
                if distinct >= expected {
                    actix_web::rt::time::sleep(Duration::from_secs(1)).await;
                    break;
                }
                if started.elapsed() > Duration::from_secs(timeout_s) {
                    break;
                }
            }
            handle.stop(false).await;
        });
        server.await.expect("the receiver ran");
    });
    let seen = seen.lock().expect("not poisoned");
    let text: String = seen
        .all
        .iter()
        .map(|(id, at)| format!("{id} {at}\n"))
        .collect();
    std::fs::write(&out, text).expect("write the receipts");
    // Its own CPU time (utime + stime, clock ticks) for the script, which cannot read
    // /proc of a process that has exited.
    if let Ok(stat) = std::fs::read_to_string("/proc/self/stat") {
        let f: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, r)| r)
            .unwrap_or("")
            .split_whitespace()
            .collect();
        let ticks: u64 = f.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
            + f.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
        let _ = std::fs::write(format!("{out}.ticks"), ticks.to_string());
    }
}
