//! The fees ledger: listing, waiving and marking paid, once each.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::policies::sinar;
use crate::reschedule::{at, book};
use janji::domain::Role;

on_both_backends!(
    settling_fees,
    racing_settlements_settle_once,
    a_retried_move_charges_once,
);

/// Books at `start` and moves it to the same day 14:00 at `when`, paying what is due.
async fn moved_with_fee(app: &TestApp, d: &crate::fixtures::Dealer, start: &str) -> String {
    let id = book(app, d, start).await;
    let path = format!("/v1/appointments/{id}/reschedule");
    let to = start.replace("T09:", "T14:");
    let q = app
        .post(
            &format!("{path}-quote"),
            json!({"start": to, "reason_category": "illness"}),
        )
        .await;
    let fee = q.expect(200)["fee"].clone();
    let r = app
        .post(
            &path,
            json!({"start": to, "reason_category": "illness", "accepted_fee": fee}),
        )
        .await;
    r.expect(200)["fee"]["id"].as_str().unwrap().to_owned()
}

async fn settling_fees(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let late = moved_with_fee(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let middle = moved_with_fee(&app, &d, "2026-12-01T09:00:00+07:00").await;
    app.clock.set(at("2026-11-29T11:00:00+07:00"));
    let third = moved_with_fee(&app, &d, "2026-12-01T09:00:00+07:00").await;

    let all = app.get("/v1/fees").await;
    let amounts: Vec<i64> = all.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["amount"].as_i64().unwrap())
        .collect();
    assert_eq!(amounts, [15_000_000, 5_000_000, 5_000_000]);
    let page = app.get("/v1/fees?limit=2").await;
    let cursor = page.expect(200)["next_cursor"].as_str().unwrap().to_owned();
    let rest = app.get(&format!("/v1/fees?limit=2&cursor={cursor}")).await;
    assert_eq!(rest.expect(200)["items"][0]["id"], third.as_str());
    let later = app.get("/v1/fees?from=2026-11-29T10:30:00%2B07:00").await;
    assert_eq!(later.expect(200)["items"].as_array().unwrap().len(), 1);
    let earlier = app.get("/v1/fees?to=2026-11-29T10:30:00%2B07:00").await;
    assert_eq!(earlier.expect(200)["items"].as_array().unwrap().len(), 2);

    // Waiving is for staff, with a note; marking paid needs the payment reference.
    let waive = format!("/v1/fees/{late}/waive");
    let integration = app.key(Role::Integration);
    app.call(Method::POST, &waive)
        .key(&integration)
        .json(json!({"note": "x"}))
        .send()
        .await
        .problem(403, "forbidden");
    app.post(&waive, json!({"note": "  "}))
        .await
        .problem(422, "required");
    app.call(Method::POST, &waive)
        .header("if-match", "\"2\"")
        .json(json!({"note": "x"}))
        .send()
        .await
        .problem(412, "version_mismatch");
    let staff = app.key(Role::Staff);
    let r = app
        .call(Method::POST, &waive)
        .key(&staff)
        .header("if-match", "\"1\"")
        .json(json!({"note": "keluhan pelanggan"}))
        .send()
        .await;
    let waived = r.expect(200);
    assert_eq!(
        (waived["status"].as_str(), waived["version"].as_i64()),
        (Some("waived"), Some(2))
    );
    assert!(waived["resolved_by"].is_string());
    app.post(
        &format!("/v1/fees/{late}/mark-paid"),
        json!({"payment_ref": "KASIR-1"}),
    )
    .await
    .problem(409, "fee_not_due");

    let paid = format!("/v1/fees/{middle}/mark-paid");
    app.post(&paid, json!({}))
        .await
        .problem(400, "invalid_field");
    let r = app
        .call(Method::POST, &paid)
        .key(&integration)
        .json(json!({"payment_ref": "QRIS-20261129-0007"}))
        .send()
        .await;
    assert_eq!(r.expect(200)["payment_ref"], "QRIS-20261129-0007");
    app.post(&format!("/v1/fees/{middle}/waive"), json!({"note": "x"}))
        .await
        .problem(409, "fee_not_due");

    let due = app.get("/v1/fees?status=due").await;
    assert_eq!(due.expect(200)["items"][0]["id"], third.as_str());
    app.get("/v1/fees?status=owed")
        .await
        .problem(400, "invalid_query");
    app.get("/v1/fees?from=2026-11-30T00:00:00Z&to=2026-11-29T00:00:00Z")
        .await
        .problem(422, "window_ends_before_start");

    // Each settlement is in the appointment's history.
    let fee = app.get(&format!("/v1/fees/{middle}")).await;
    let appointment = fee.expect(200)["appointment_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(fee.header("etag"), Some("\"2\""));
    let events = app
        .get(&format!("/v1/appointments/{appointment}/events"))
        .await;
    let last = events.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "fee_paid");
    assert_eq!(last["details"]["payment_ref"], "QRIS-20261129-0007");
    assert_eq!(
        last["changes"]["fee_status"],
        json!({"old": "due", "new": "paid"})
    );

    let (_, stranger) = app.other_org();
    app.call(Method::GET, &format!("/v1/fees/{third}"))
        .key(&stranger)
        .send()
        .await
        .problem(404, "not_found");
    let theirs = app
        .call(Method::GET, "/v1/fees")
        .key(&stranger)
        .send()
        .await;
    assert_eq!(theirs.expect(200)["items"], json!([]));
}

/// Twenty waivers and payments of one fee at once: exactly one settles it.
async fn racing_settlements_settle_once(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let fee = moved_with_fee(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let events_before = count_rows(&app, "appointment_events");
    let requests = (0..20).map(|i| {
        let (path, body) = if i % 2 == 0 {
            (format!("/v1/fees/{fee}/waive"), json!({"note": "race"}))
        } else {
            (
                format!("/v1/fees/{fee}/mark-paid"),
                json!({"payment_ref": format!("PAY-{i}")}),
            )
        };
        app.call(Method::POST, &path).json(body).send()
    });
    let responses = join_all(requests).await;
    assert_eq!(responses.iter().filter(|r| r.status == 200).count(), 1);
    assert!(
        responses
            .iter()
            .all(|r| r.status == 200 || r.body["code"] == "fee_not_due")
    );
    assert_eq!(count_rows(&app, "appointment_events"), events_before + 1);
}

/// A client that retries a paid move with its Idempotency-Key, twenty times at once and
/// once more later, gets the same answer each time and the customer is charged once.
async fn a_retried_move_charges_once(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let body = json!({"start": "2026-11-30T14:00:00+07:00", "reason_category": "illness",
                      "accepted_fee": {"amount": 15000000, "currency": "IDR"}});
    let send = || {
        app.call(Method::POST, &format!("/v1/appointments/{id}/reschedule"))
            .header("idempotency-key", "wa-move-77")
            .json(body.clone())
            .send()
    };
    let responses = join_all((0..20).map(|_| send())).await;
    let done: Vec<_> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        done.len(),
        20,
        "one move ran and the others waited for its answer: {:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    let again = send().await;
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.bytes, done[0].bytes);
    assert!(
        done.iter()
            .all(|r| r.body["fee"]["id"] == done[0].body["fee"]["id"])
    );
    assert_eq!(count_rows(&app, "fees"), 1);
    assert_eq!(count_rows(&app, "appointment_events"), 2);
}
