//! A stateful model test: many clients at once run random books, moves, cancellations,
//! confirmations and no-shows against one dealer, then the data is checked against
//! every answer the clients got:
//! - no two active holds of one resource overlap;
//! - every 201 booking is an appointment, and there are no others;
//! - each appointment is exactly as the 2xx answer with its highest version says;
//! - no answer was a 5xx.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::http::Method;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(random_changes_from_many_clients_keep_the_data_true);

const CLIENTS: u64 = 8;
const STEPS: usize = 20;

/// xorshift64*: a fixed sequence per seed, so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
    }
}

/// Starts on the location's grid on Tuesday and Wednesday, mostly open, a few not.
fn starts() -> Vec<String> {
    let mut all = vec![];
    for day in ["2026-11-24", "2026-11-25"] {
        for time in [
            "08:00", "08:30", "09:00", "09:30", "10:00", "10:30", "11:00", "12:00", "13:00",
            "13:30", "14:00", "14:30", "15:00",
        ] {
            all.push(format!("{day}T{time}:00+07:00"));
        }
    }
    all
}

/// What the clients learned: each appointment's answers, by version.
#[derive(Default)]
struct Seen {
    booked: Vec<String>,
    answers: HashMap<String, Vec<Value>>,
    statuses: HashMap<u16, usize>,
}

impl Seen {
    fn record(&mut self, status: u16, appointment: Option<&Value>) {
        *self.statuses.entry(status).or_default() += 1;
        if let Some(a) = appointment {
            let id = a["id"].as_str().unwrap().to_owned();
            self.answers.entry(id).or_default().push(a.clone());
        }
    }
}

async fn client(app: &TestApp, d: &Dealer, seed: u64, seen: &Mutex<Seen>, late: bool) {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let starts = starts();
    for _ in 0..STEPS {
        let known: Vec<String> = seen.lock().unwrap().booked.clone();
        let pick = |rng: &mut Rng| known[rng.below(known.len())].clone();
        let op = if known.is_empty() { 0 } else { rng.below(6) };
        let (resp, appointment) = match op {
            0 => {
                let mut body = d.booking(&starts[rng.below(starts.len())]);
                if rng.below(2) == 0 {
                    body["service_id"] = json!(d.oil);
                }
                let r = app.post("/v1/appointments", body).await;
                let a = (r.status == 201).then(|| r.body.clone());
                if let Some(a) = &a {
                    seen.lock()
                        .unwrap()
                        .booked
                        .push(a["id"].as_str().unwrap().to_owned());
                }
                (r, a)
            }
            1 | 2 => {
                let id = pick(&mut rng);
                let start = &starts[rng.below(starts.len())];
                let r = app
                    .post(
                        &format!("/v1/appointments/{id}/reschedule"),
                        json!({"start": start, "reason_category": "schedule_change"}),
                    )
                    .await;
                let a = r.status.is_success().then(|| r.body["appointment"].clone());
                (r, a)
            }
            3 => {
                let id = pick(&mut rng);
                let r = app
                    .call(Method::POST, &format!("/v1/appointments/{id}/cancel"))
                    .send()
                    .await;
                let a = r.status.is_success().then(|| r.body["appointment"].clone());
                (r, a)
            }
            4 => {
                let id = pick(&mut rng);
                let r = app
                    .call(Method::POST, &format!("/v1/appointments/{id}/confirm"))
                    .send()
                    .await;
                let a = r.status.is_success().then(|| r.body.clone());
                (r, a)
            }
            _ => {
                let id = pick(&mut rng);
                let action = if late { "no-show" } else { "confirm" };
                let r = app
                    .call(Method::POST, &format!("/v1/appointments/{id}/{action}"))
                    .send()
                    .await;
                let a = r.status.is_success().then(|| r.body.clone());
                (r, a)
            }
        };
        assert!(
            resp.status.as_u16() < 500,
            "seed {seed}: a server error: {}",
            resp.body
        );
        seen.lock()
            .unwrap()
            .record(resp.status.as_u16(), appointment.as_ref());
    }
}

async fn random_changes_from_many_clients_keep_the_data_true(app: TestApp) {
    let d = dealer(&app).await;
    let seen = Mutex::new(Seen::default());
    // Monday 10:00: every start is ahead, so no-shows are refused; then Wednesday
    // 16:00, when Tuesday's appointments can be missed and Wednesday's moved.
    for (round, late) in [(0u64, false), (1, true)] {
        if late {
            app.clock
                .set(crate::reschedule::at("2026-11-25T16:00:00+07:00"));
        }
        let clients = (0..CLIENTS).map(|i| client(&app, &d, round * 100 + i + 1, &seen, late));
        join_all(clients).await;
    }
    let seen = seen.into_inner().unwrap();
    eprintln!("answers by status: {:?}", seen.statuses);
    assert!(
        seen.statuses.get(&201).copied().unwrap_or(0) > 1,
        "bookings happened"
    );

    assert_eq!(
        count_rows(&app, "appointments"),
        seen.booked.len() as i64,
        "every 201 booking is an appointment, and there are no others"
    );
    assert_eq!(
        overlapping_active_holds(&app),
        0,
        "no two active holds overlap"
    );

    for id in &seen.booked {
        let now = app.get(&format!("/v1/appointments/{id}")).await;
        let now = now.expect(200);
        let answers = &seen.answers[id];
        let last = answers
            .iter()
            .max_by_key(|a| a["version"].as_i64().unwrap())
            .unwrap();
        for field in ["version", "status", "start", "end", "resources"] {
            assert_eq!(
                now[field], last[field],
                "appointment {id}: {field} differs from its last 2xx answer"
            );
        }
        let versions: Vec<i64> = answers
            .iter()
            .map(|a| a["version"].as_i64().unwrap())
            .collect();
        let mut unique = versions.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            versions.len(),
            "two 2xx answers claim one version of {id}"
        );
    }
}

fn overlapping_active_holds(app: &TestApp) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.db.pool().get().unwrap();
    diesel::sql_query(
        "SELECT COUNT(*) AS n FROM appointment_resources a JOIN appointment_resources b \
         ON a.resource_id = b.resource_id AND a.appointment_id < b.appointment_id \
         WHERE a.active AND b.active \
         AND a.block_starts_at < b.block_ends_at AND b.block_starts_at < a.block_ends_at",
    )
    .get_result::<Count>(&mut *conn)
    .unwrap()
    .n
}
