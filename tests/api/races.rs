//! Rules that span rows, under many truly parallel requests. SQLite runs one writer at a
//! time, so these tests matter on PostgreSQL (READ COMMITTED), where two transactions can
//! read the same count and both commit unless a row lock puts them in line. Each test
//! checks the final database state, not only the answers.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::{Resp, TestApp, count_rows};
use crate::on_both_backends;
use crate::reschedule::{at, book};
use janji::db::tx::write_tx;
use janji::domain::Role;
use janji::repo::api_keys;

on_both_backends!(
    parallel_moves_never_pass_the_customer_limit,
    parallel_revokes_keep_one_admin_key,
    deleting_customers_while_booking_for_them_gives_one_answer,
    one_change_and_one_fee_when_moves_and_cancels_race,
    a_fee_is_settled_once_under_parallel_settlements,
    two_bookings_of_one_time_with_two_free_bays_both_succeed,
    parallel_creates_of_one_phone_make_one_customer,
    parallel_bookings_with_one_inline_phone_make_one_customer,
);

/// Rows of `table` that match `condition` (SQL both backends understand).
fn count_where(app: &TestApp, table: &str, condition: &str) -> i64 {
    count_rows(app, &format!("{table} WHERE {condition}"))
}

/// Status and problem code of each response, for assertion messages.
fn outcomes(responses: &[Resp]) -> Vec<(u16, Value)> {
    responses
        .iter()
        .map(|r| (r.status.as_u16(), r.body["code"].clone()))
        .collect()
}

/// Exactly `winners` answers are 200, and every other one is the 409 `loser`.
fn assert_winners(responses: &[Resp], winners: usize, loser: &str) {
    let seen = outcomes(responses);
    let won = responses.iter().filter(|r| r.status == 200).count();
    assert_eq!(won, winners, "{seen:?}");
    assert!(
        responses
            .iter()
            .all(|r| r.status == 200 || (r.status == 409 && r.body["code"] == loser)),
        "{seen:?}"
    );
}

/// The customer may move 3 appointments in 90 days and has moved 1. Eleven of their
/// appointments move at once (one of them a rebooking after a no-show, which counts
/// too): exactly two moves commit, the rest are refused by the limit.
async fn parallel_moves_never_pass_the_customer_limit(app: TestApp) {
    let d = dealer(&app).await;
    app.post(
        "/v1/policies",
        json!({"name": "Batas pelanggan", "reschedule": {
            "max_per_customer": 3, "customer_window_days": 90,
            "allow_after_no_show": {"within_days": 7, "fee": 0}}}),
    )
    .await
    .expect(201);
    let missed = book(&app, &d, "2026-11-24T08:00:00+07:00").await;
    let mut moves = vec![];
    for day in 7..=11 {
        for hour in ["08", "09"] {
            let id = book(&app, &d, &format!("2026-12-{day:02}T{hour}:00:00+07:00")).await;
            moves.push((id, format!("2026-12-{:02}T{hour}:00:00+07:00", day + 14)));
        }
    }
    let first = book(&app, &d, "2026-12-14T08:00:00+07:00").await;
    app.post(
        &format!("/v1/appointments/{first}/reschedule"),
        json!({"start": "2026-12-14T13:00:00+07:00"}),
    )
    .await
    .expect(200);
    app.clock.set(at("2026-11-24T09:30:00+07:00"));
    app.post(&format!("/v1/appointments/{missed}/no-show"), json!({}))
        .await
        .expect(200);
    moves.push((missed, "2026-11-26T08:00:00+07:00".to_owned()));

    let requests = moves.iter().map(|(id, start)| {
        app.call(Method::POST, &format!("/v1/appointments/{id}/reschedule"))
            .json(json!({"start": start}))
            .send()
    });
    let responses = join_all(requests).await;
    assert_winners(&responses, 2, "customer_limit_reached");
    assert_eq!(
        count_where(&app, "appointment_events", "kind = 'rescheduled'"),
        3
    );
    let counts = app
        .get(&format!("/v1/customers/{}/appointments", d.customer))
        .await;
    assert_eq!(counts.expect(200)["counts"]["rescheduled"], 3);
}

/// Ten admin keys each revoke themselves at once: nine are revoked, the last is kept.
async fn parallel_revokes_keep_one_admin_key(app: TestApp) {
    let mut tokens = vec![app.admin_key.clone()];
    tokens.extend((0..9).map(|_| app.key(Role::Admin)));
    let ids: Vec<String> = {
        let mut conn = app.state.db.pool().get().unwrap();
        tokens
            .iter()
            .map(|t| {
                write_tx(&mut conn, |c| api_keys::authenticate(c, t))
                    .unwrap()
                    .key_id
            })
            .collect()
    };
    let requests = tokens.iter().zip(&ids).map(|(token, id)| {
        app.call(Method::POST, &format!("/v1/api-keys/{id}/revoke"))
            .key(token)
            .send()
    });
    let responses = join_all(requests).await;
    assert_winners(&responses, 9, "last_admin_key");
    assert_eq!(
        count_where(&app, "api_keys", "role = 'admin' AND revoked_at IS NULL"),
        1
    );
}

/// Ten customers are each deleted while an appointment is booked for them, all at once.
/// For each, one of the two orders happened: the booking first (the delete is refused as
/// `customer_has_appointments`) or the delete first (the booking finds no customer).
async fn deleting_customers_while_booking_for_them_gives_one_answer(app: TestApp) {
    let d = dealer(&app).await;
    let mut pairs = vec![];
    for (i, day) in (7..=11).enumerate() {
        for (j, hour) in ["08", "09"].iter().enumerate() {
            let c = app
                .post(
                    "/v1/customers",
                    json!({"name": format!("Pelanggan {i}{j}"), "phone": format!("+628120000{i}{j}00")}),
                )
                .await;
            let customer = c.expect(201)["id"].as_str().unwrap().to_owned();
            pairs.push((customer, format!("2026-12-{day:02}T{hour}:00:00+07:00")));
        }
    }
    // Half the pairs send the delete first, half the booking, so both orders occur.
    let requests = pairs.iter().enumerate().flat_map(|(i, (customer, start))| {
        let mut booking = d.booking(start);
        booking["customer_id"] = json!(customer);
        let delete = app
            .call(Method::DELETE, &format!("/v1/customers/{customer}"))
            .send();
        let book = app
            .call(Method::POST, "/v1/appointments")
            .json(booking)
            .send();
        if i % 2 == 0 {
            [delete, book]
        } else {
            [book, delete]
        }
    });
    let responses = join_all(requests).await;
    let seen = outcomes(&responses);
    let mut deleted = 0;
    for (i, ((customer, _), pair)) in pairs.iter().zip(responses.chunks(2)).enumerate() {
        let (delete, booking) = if i % 2 == 0 {
            (&pair[0], &pair[1])
        } else {
            (&pair[1], &pair[0])
        };
        let exists = count_where(&app, "customers", &format!("id = '{customer}'"));
        let booked = count_where(&app, "appointments", &format!("customer_id = '{customer}'"));
        match (delete.status.as_u16(), booking.status.as_u16()) {
            (204, 404) => {
                assert_eq!(booking.body["code"], "not_found", "{seen:?}");
                assert_eq!((exists, booked), (0, 0));
                deleted += 1;
            }
            (409, 201) => {
                assert_eq!(delete.body["code"], "customer_has_appointments", "{seen:?}");
                assert_eq!((exists, booked), (1, 1));
            }
            _ => panic!("not one of the two orders for {customer}: {seen:?}"),
        }
    }
    assert_eq!(count_rows(&app, "customers"), 11 - deleted);
    assert_eq!(count_rows(&app, "appointments"), 10 - deleted);
}

/// Eight paid moves and eight paid cancellations of one appointment at once, all made
/// against version 1: one change commits, with one fee and one event.
async fn one_change_and_one_fee_when_moves_and_cancels_race(app: TestApp) {
    let d = dealer(&app).await;
    app.post(
        "/v1/policies",
        json!({"name": "Biaya", "reschedule": {
                "min_notice_minutes": 1440, "late_mode": "charge",
                "fee_tiers": [{"notice_at_least_minutes": 0, "fee": 15000000}]},
               "cancellation": {
                "min_notice_minutes": 1440, "late_mode": "charge",
                "fee_tiers": [{"notice_at_least_minutes": 0, "fee": 10000000}]}}),
    )
    .await
    .expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.clock.set(at("2026-11-29T12:00:00+07:00"));
    let starts = ["13:00", "14:00", "15:00", "08:00"];
    let requests = (0..16).map(|i| {
        let call = if i % 2 == 0 {
            app.call(Method::POST, &format!("/v1/appointments/{id}/reschedule"))
                .json(
                    json!({"start": format!("2026-11-30T{}:00+07:00", starts[i / 2 % 4]),
                             "accepted_fee": {"amount": 15000000, "currency": "IDR"}}),
                )
        } else {
            app.call(Method::POST, &format!("/v1/appointments/{id}/cancel"))
                .json(json!({"reason_category": "illness",
                             "accepted_fee": {"amount": 10000000, "currency": "IDR"}}))
        };
        call.header("if-match", "\"1\"").send()
    });
    let responses = join_all(requests).await;
    let seen = outcomes(&responses);
    let won: Vec<&Resp> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(won.len(), 1, "{seen:?}");
    assert!(
        responses
            .iter()
            .all(|r| r.status == 200 || (r.status == 412 && r.body["code"] == "version_mismatch")),
        "{seen:?}"
    );
    assert_eq!(count_rows(&app, "fees"), 1);
    assert_eq!(
        count_where(
            &app,
            "fees",
            &format!("id = '{}'", won[0].body["fee"]["id"].as_str().unwrap())
        ),
        1
    );
    assert_eq!(count_rows(&app, "appointment_events"), 2);
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(a.expect(200)["version"], 2);
}

/// Sixteen waivers and payments of one fee at once: it is settled once, with one event.
async fn a_fee_is_settled_once_under_parallel_settlements(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", crate::policies::sinar())
        .await
        .expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let moved = app
        .post(
            &format!("/v1/appointments/{id}/reschedule"),
            json!({"start": "2026-11-30T14:00:00+07:00", "reason_category": "illness",
                   "accepted_fee": {"amount": 15000000, "currency": "IDR"}}),
        )
        .await;
    let fee = moved.expect(200)["fee"]["id"].as_str().unwrap().to_owned();
    let requests = (0..16).map(|i| {
        let (action, body) = if i % 2 == 0 {
            ("waive", json!({"note": format!("race {i}")}))
        } else {
            ("mark-paid", json!({"payment_ref": format!("PAY-{i}")}))
        };
        app.call(Method::POST, &format!("/v1/fees/{fee}/{action}"))
            .json(body)
            .send()
    });
    let responses = join_all(requests).await;
    let seen = outcomes(&responses);
    let won: Vec<&Resp> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(won.len(), 1, "{seen:?}");
    assert!(
        responses
            .iter()
            .all(|r| r.status == 200 || r.body["code"] == "fee_not_due"),
        "{seen:?}"
    );
    assert_eq!(
        count_where(
            &app,
            "appointment_events",
            "kind IN ('fee_waived', 'fee_paid')"
        ),
        1
    );
    assert_eq!(count_where(&app, "fees", "status = 'due'"), 0);
    let stored = app.get(&format!("/v1/fees/{fee}")).await;
    let stored = stored.expect(200);
    assert_eq!(stored["version"], 2);
    assert_eq!(stored["status"], won[0].body["status"]);
}

/// Two bays and two advisors are free at each of eight times; two bookings per time
/// arrive at once. Both read the same free resources and choose the same first bay: the
/// one that commits second meets the no-overlap guard and runs again, now choosing the
/// other bay. All sixteen are booked; none is told the time was taken.
async fn two_bookings_of_one_time_with_two_free_bays_both_succeed(app: TestApp) {
    let d = dealer(&app).await;
    let starts: Vec<String> = (7..=10)
        .flat_map(|day| {
            ["08", "10"]
                .iter()
                .map(move |hour| format!("2026-12-{day:02}T{hour}:00:00+07:00"))
        })
        .collect();
    let requests = starts.iter().flat_map(|start| {
        [0, 1].map(|_| {
            app.call(Method::POST, "/v1/appointments")
                .json(d.booking(start))
                .send()
        })
    });
    let responses = join_all(requests).await;
    let seen = outcomes(&responses);
    assert!(responses.iter().all(|r| r.status == 201), "{seen:?}");
    for pair in responses.chunks(2) {
        let bay = |r: &Resp| {
            r.body["resources"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| h["kind"] == "service_bay")
                .unwrap()["id"]
                .clone()
        };
        assert_ne!(bay(&pair[0]), bay(&pair[1]), "{seen:?}");
    }
    assert_eq!(count_rows(&app, "appointments"), 16);
}

/// The same number in five typed forms.
const TYPED: [&str; 5] = [
    "0813-5555-6666",
    "0813 5555 6666",
    "+62 813-5555-6666",
    "6281355556666",
    "+6281355556666",
];

/// Twenty creates of one phone at once, typed five ways: one customer is created, every
/// other answer is that customer, matched.
async fn parallel_creates_of_one_phone_make_one_customer(app: TestApp) {
    let requests = (0..20).map(|i| {
        app.call(Method::POST, "/v1/customers")
            .json(json!({"name": format!("Rudi {i}"), "phone": TYPED[i % TYPED.len()]}))
            .send()
    });
    let responses = join_all(requests).await;
    let seen = outcomes(&responses);
    assert_eq!(
        responses.iter().filter(|r| r.status == 201).count(),
        1,
        "{seen:?}"
    );
    assert_eq!(
        responses.iter().filter(|r| r.status == 200).count(),
        19,
        "{seen:?}"
    );
    let ids: std::collections::BTreeSet<String> =
        responses.iter().map(|r| r.body["id"].to_string()).collect();
    assert_eq!(ids.len(), 1, "{seen:?}");
    assert_eq!(
        count_where(&app, "customers", "phone = '+6281355556666'"),
        1
    );
}

/// Twenty bookings at twenty times, each with an inline customer of one phone, at once:
/// every booking is made, all for one customer.
async fn parallel_bookings_with_one_inline_phone_make_one_customer(app: TestApp) {
    let d = dealer(&app).await;
    let requests = (0..20).map(|i| {
        let (day, time) = (7 + i / 4, ["08:00", "10:00", "13:00", "14:30"][i % 4]);
        let mut booking = d.booking(&format!("2026-12-{day:02}T{time}:00+07:00"));
        booking.as_object_mut().unwrap().remove("customer_id");
        booking["customer"] = json!({"name": format!("Rudi {i}"), "phone": TYPED[i % TYPED.len()]});
        app.call(Method::POST, "/v1/appointments")
            .json(booking)
            .send()
    });
    let responses = join_all(requests).await;
    let seen = outcomes(&responses);
    assert!(responses.iter().all(|r| r.status == 201), "{seen:?}");
    let customers: std::collections::BTreeSet<String> = responses
        .iter()
        .map(|r| r.body["customer_id"].to_string())
        .collect();
    assert_eq!(customers.len(), 1, "{seen:?}");
    assert_eq!(
        count_where(&app, "customers", "phone = '+6281355556666'"),
        1
    );
    assert_eq!(count_rows(&app, "appointments"), 20);
}
