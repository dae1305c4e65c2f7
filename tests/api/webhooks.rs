//! Integration webhooks: endpoints managed by admins, every event written with its change
//! (the outbox) and delivered by the dispatcher to a real receiver on loopback, signed
//! per Standard Webhooks, retried for about a day, turned off by a 410.

use actix_web::http::Method;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::policies::sinar;
use crate::receiver::{Received, Receiver};
use crate::reschedule::{at, book};
use janji::app::Ctx;
use janji::app::booking::{self, BookOutcome};
use janji::delivery::{Dispatcher, signature};
use janji::domain::{Actor, MessageKind, MessageStatus, Role};
use janji::error::Error;
use janji::repo::outbox;

on_both_backends!(
    every_event_is_delivered_signed_with_its_payload,
    an_error_is_retried_and_delivered_once_with_the_same_webhook_id,
    a_410_turns_the_endpoint_off_and_stops_its_deliveries,
    an_endpoint_that_stays_down_gets_ten_attempts_then_failed,
    the_event_filter_and_the_active_flag_are_respected,
    the_secret_is_shown_once_and_a_rotation_signs_with_both,
    a_booking_that_rolls_back_writes_no_delivery,
    endpoints_are_managed_and_checked_field_by_field,
    a_test_event_is_sent_and_logged,
    racing_rotations_each_make_their_own_secret,
    an_internal_url_is_refused_unless_the_server_allows_it,
);

const ALL: [&str; 11] = [
    "appointment.booked",
    "appointment.confirmed",
    "appointment.rescheduled",
    "appointment.cancelled",
    "appointment.checked_in",
    "appointment.completed",
    "appointment.no_show",
    "fee.assessed",
    "fee.waived",
    "fee.paid",
    "message.failed",
];

fn dispatcher(app: &TestApp) -> Dispatcher {
    Dispatcher::new(app.state.db.clone(), app.state.secret_key.clone(), true)
}

fn secret_bytes(text: &str) -> [u8; 32] {
    let raw = base64::engine::general_purpose::STANDARD
        .decode(text.strip_prefix("whsec_").unwrap())
        .unwrap();
    raw.try_into().unwrap()
}

fn verified(m: &Received, secret: &[u8; 32]) -> bool {
    signature::verify(secret, &m.id, m.timestamp, &m.body, &m.signature)
}

/// Adds an endpoint for `url` and these events; returns its id and secret.
async fn endpoint(app: &TestApp, url: &str, types: &[&str]) -> (String, [u8; 32]) {
    let r = app
        .post(
            "/v1/webhook-endpoints",
            json!({"url": url, "event_types": types, "description": "DMS"}),
        )
        .await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let b = r.expect(201);
    (
        b["id"].as_str().unwrap().to_owned(),
        secret_bytes(b["secret"].as_str().expect("the secret, once")),
    )
}

/// Dispatches at `t` and returns what the receiver got.
async fn sent_at(app: &TestApp, rx: &Receiver, t: DateTime<Utc>) -> Vec<Received> {
    dispatcher(app).dispatch_due(t).await.unwrap();
    rx.take()
}

fn types(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|m| m.json["type"].as_str().unwrap().to_owned())
        .collect()
}

/// The webhook deliveries about an appointment, oldest first.
fn deliveries(app: &TestApp, appointment: &str) -> Vec<outbox::MessageRow> {
    let mut conn = app.state.db.pool().get().unwrap();
    outbox::of_appointment(&mut conn, &app.org_id, appointment)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::Webhook)
        .collect()
}

fn webhook_rows(app: &TestApp) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl as _;
    let mut conn = app.state.db.pool().get().unwrap();
    diesel::sql_query("SELECT COUNT(*) AS n FROM outbox_messages WHERE kind = 'webhook'")
        .get_result::<Count>(&mut *conn)
        .unwrap()
        .n
}

/// Moves an appointment to `to`, paying what the quote says; returns the fee's id.
async fn move_with_fee(app: &TestApp, id: &str, to: &str) -> String {
    let path = format!("/v1/appointments/{id}/reschedule");
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
            json!({"start": to, "reason_category": "illness", "reason_text": "demam", "accepted_fee": fee}),
        )
        .await;
    r.expect(200)["fee"]["id"].as_str().unwrap().to_owned()
}

fn one<'a>(received: &'a [Received], t: &str) -> &'a Received {
    let found: Vec<_> = received.iter().filter(|m| m.json["type"] == t).collect();
    assert_eq!(found.len(), 1, "one {t}: {:?}", types(received));
    found[0]
}

async fn every_event_is_delivered_signed_with_its_payload(app: TestApp) {
    let (d, hooks) = (dealer(&app).await, Receiver::start().await);
    app.post("/v1/policies", sinar()).await.expect(201);
    let (_, secret) = endpoint(&app, &hooks.url, &ALL).await;

    // A: booked, confirmed, moved late (a fee), the fee paid, checked in, completed.
    let a = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.post(&format!("/v1/appointments/{a}/confirm"), json!({}))
        .await
        .expect(200);
    // B: booked, moved with a fee that is then waived, and not turned up.
    let b = book(&app, &d, "2026-12-01T09:00:00+07:00").await;
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let paid = move_with_fee(&app, &a, "2026-11-30T14:00:00+07:00").await;
    app.post(
        &format!("/v1/fees/{paid}/mark-paid"),
        json!({"payment_ref": "KASIR-0042"}),
    )
    .await
    .expect(200);
    let waived = move_with_fee(&app, &b, "2026-12-01T14:00:00+07:00").await;
    app.post(
        &format!("/v1/fees/{waived}/waive"),
        json!({"note": "pelanggan setia"}),
    )
    .await
    .expect(200);
    app.clock.set(at("2026-11-30T13:30:00+07:00"));
    app.post(&format!("/v1/appointments/{a}/check-in"), json!({}))
        .await
        .expect(200);
    app.post(&format!("/v1/appointments/{a}/complete"), json!({}))
        .await
        .expect(200);
    app.clock.set(at("2026-12-01T14:30:00+07:00"));
    app.post(&format!("/v1/appointments/{b}/no-show"), json!({}))
        .await
        .expect(200);
    // C: booked and cancelled.
    let c = book(&app, &d, "2026-12-03T09:00:00+07:00").await;
    app.post(
        &format!("/v1/appointments/{c}/cancel"),
        json!({"reason_category": "schedule_change"}),
    )
    .await
    .expect(200);

    // D: its confirmation to the customer fails after its last attempt.
    let gw = Receiver::start().await;
    app.call(Method::PUT, "/v1/notification-settings")
        .json(json!({"gateway_url": gw.url}))
        .send()
        .await
        .expect(200);
    let dd = book(&app, &d, "2026-12-05T09:00:00+07:00").await;
    gw.answer_with(&[503; 20]);
    let mut t = app.clock.now();
    let mut received = Vec::new();
    let confirmation = loop {
        received.extend(sent_at(&app, &hooks, t).await);
        let mut conn = app.state.db.pool().get().unwrap();
        let m = outbox::of_appointment(&mut conn, &app.org_id, &dd)
            .unwrap()
            .into_iter()
            .find(|m| m.kind == MessageKind::BookingConfirmation)
            .unwrap();
        if m.status != MessageStatus::Pending {
            break m;
        }
        t = m.next_attempt_at.and_utc();
    };
    assert_eq!(confirmation.status, MessageStatus::Failed);
    received.extend(sent_at(&app, &hooks, t).await);

    let mut got = types(&received);
    got.sort();
    got.dedup();
    let mut want: Vec<String> = ALL.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    for m in &received {
        assert!(verified(m, &secret), "{}", m.json["type"]);
        assert_eq!(m.json["id"], m.id.as_str());
        assert!(m.json["timestamp"].is_string());
    }
    // Booked twice (A, B, C, D booked: four), each with its appointment and who did it.
    let booked: Vec<_> = received
        .iter()
        .filter(|m| m.json["type"] == "appointment.booked")
        .collect();
    assert_eq!(booked.len(), 4);
    let first = &booked[0].json["data"];
    assert_eq!(first["appointment"]["id"], a.as_str());
    assert_eq!(first["appointment"]["status"], "booked");
    assert_eq!(first["appointment"]["starts_at"], "2026-11-30T02:00:00Z");
    assert_eq!(first["actor"]["kind"], "api_key");
    assert_eq!(first["actor"]["role"], "admin");

    let moved: Vec<_> = received
        .iter()
        .filter(|m| m.json["type"] == "appointment.rescheduled")
        .map(|m| &m.json["data"])
        .collect();
    assert_eq!(moved.len(), 2);
    let ma = moved
        .iter()
        .find(|m| m["appointment"]["id"] == a.as_str())
        .unwrap();
    assert_eq!(ma["from"]["starts_at"], "2026-11-30T02:00:00Z");
    assert_eq!(ma["to"]["starts_at"], "2026-11-30T07:00:00Z");
    assert_eq!(ma["fee"]["amount"], 15_000_000);
    assert_eq!(ma["fee"]["currency"], "IDR");
    assert_eq!(ma["fee"]["status"], "due");
    assert_eq!(ma["reason"]["category"], "illness");
    assert_eq!(ma["reason"]["text"], "demam");
    assert_eq!(ma["rebooking"], false);

    let assessed: Vec<_> = received
        .iter()
        .filter(|m| m.json["type"] == "fee.assessed")
        .collect();
    assert_eq!(assessed.len(), 2);
    let p = &one(&received, "fee.paid").json["data"];
    assert_eq!(p["fee"]["id"], paid.as_str());
    assert_eq!(p["fee"]["status"], "paid");
    assert_eq!(p["fee"]["payment_ref"], "KASIR-0042");
    let w = &one(&received, "fee.waived").json["data"];
    assert_eq!(w["fee"]["id"], waived.as_str());
    assert_eq!(w["note"], "pelanggan setia");
    for (t, id) in [
        ("appointment.confirmed", &a),
        ("appointment.checked_in", &a),
        ("appointment.completed", &a),
        ("appointment.no_show", &b),
        ("appointment.cancelled", &c),
    ] {
        let m = &one(&received, t).json["data"];
        assert_eq!(m["appointment"]["id"], id.as_str(), "{t}");
    }
    let cancelled = &one(&received, "appointment.cancelled").json["data"];
    assert_eq!(cancelled["appointment"]["status"], "cancelled");
    assert_eq!(cancelled["reason"]["category"], "schedule_change");
    let failed = &one(&received, "message.failed").json["data"];
    assert_eq!(failed["appointment_id"], dd.as_str());
    assert_eq!(failed["message"]["kind"], "booking_confirmation");
    assert_eq!(failed["message"]["attempts"], 9);
    assert_eq!(
        failed["message"]["webhook_id"],
        outbox::webhook_id(&confirmation.id)
    );
    assert_eq!(failed["message"]["last_error"], "the gateway answered 503");
}

async fn an_error_is_retried_and_delivered_once_with_the_same_webhook_id(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let (ep, _) = endpoint(&app, &rx.url, &["appointment.booked"]).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    rx.answer_with(&[500]);
    let t0 = app.clock.now();
    let first = sent_at(&app, &rx, t0).await;
    assert_eq!(types(&first), ["appointment.booked"]);
    assert!(
        sent_at(&app, &rx, t0 + Duration::seconds(26))
            .await
            .is_empty()
    );
    let second = sent_at(&app, &rx, t0 + Duration::seconds(34)).await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, first[0].id, "the same webhook-id on a retry");
    assert_eq!(second[0].body, first[0].body);
    assert!(
        sent_at(&app, &rx, t0 + Duration::hours(30))
            .await
            .is_empty()
    );
    let rows = deliveries(&app, &id);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, MessageStatus::Sent);
    assert_eq!(rows[0].attempts, 2);

    // The delivery log shows it with both attempts, also by endpoint.
    let log = app.get(&format!("/v1/deliveries?endpoint_id={ep}")).await;
    let items = log.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let item = &items[0];
    assert_eq!(item["kind"], "webhook");
    assert_eq!(item["channel"], "webhook");
    assert_eq!(item["event_type"], "appointment.booked");
    assert_eq!(item["endpoint_id"], ep.as_str());
    assert_eq!(item["recipient"], rx.url.as_str());
    assert_eq!(item["status"], "sent");
    assert_eq!(item["webhook_id"], first[0].id.as_str());
    let codes: Vec<_> = item["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 200]);
}

async fn a_410_turns_the_endpoint_off_and_stops_its_deliveries(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let (ep, _) = endpoint(&app, &rx.url, &["appointment.booked"]).await;
    let t0 = app.clock.now();
    // X fails once and waits for its retry; Y then meets a 410.
    let x = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    rx.answer_with(&[500]);
    assert_eq!(sent_at(&app, &rx, t0).await.len(), 1);
    let y = book(&app, &d, "2026-12-01T09:00:00+07:00").await;
    rx.answer_with(&[410]);
    assert_eq!(sent_at(&app, &rx, t0 + Duration::seconds(1)).await.len(), 1);

    let e = app.get(&format!("/v1/webhook-endpoints/{ep}")).await;
    let e = e.expect(200).clone();
    assert_eq!(e["active"], false);
    assert!(e["disabled_at"].is_string());
    assert!(e["disabled_reason"].as_str().unwrap().contains("410"));
    assert_eq!(deliveries(&app, &y)[0].status, MessageStatus::Failed);
    assert_eq!(deliveries(&app, &x)[0].status, MessageStatus::Cancelled);
    assert!(sent_at(&app, &rx, t0 + Duration::hours(2)).await.is_empty());
    // Nothing more is written for it.
    let before = webhook_rows(&app);
    book(&app, &d, "2026-12-02T09:00:00+07:00").await;
    assert_eq!(webhook_rows(&app), before);

    // Turned on again by the admin: the record of the 410 is cleared.
    let on = app
        .call(Method::PATCH, &format!("/v1/webhook-endpoints/{ep}"))
        .header("if-match", &format!("\"{}\"", e["version"]))
        .json(json!({"active": true}))
        .send()
        .await;
    let on = on.expect(200);
    assert_eq!(on["active"], true);
    assert!(on["disabled_at"].is_null() && on["disabled_reason"].is_null());
    book(&app, &d, "2026-12-03T09:00:00+07:00").await;
    assert_eq!(webhook_rows(&app), before + 1);
}

async fn an_endpoint_that_stays_down_gets_ten_attempts_then_failed(app: TestApp) {
    let d = dealer(&app).await;
    // Nothing listens on port 1.
    endpoint(&app, "http://127.0.0.1:1/hook", &["appointment.booked"]).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t0 = app.clock.now();
    let mut t = t0;
    let row = loop {
        dispatcher(&app).dispatch_due(t).await.unwrap();
        let row = deliveries(&app, &id).remove(0);
        if row.status != MessageStatus::Pending {
            break row;
        }
        t = row.next_attempt_at.and_utc();
    };
    assert_eq!(row.status, MessageStatus::Failed);
    assert_eq!(row.attempts, 10);
    let span = t - t0;
    assert!(
        span > Duration::hours(20) && span < Duration::hours(27),
        "{span}"
    );
    // A webhook that fails is not a message to the customer: no history event, and no
    // message.failed about it.
    let events = app.get(&format!("/v1/appointments/{id}/events")).await;
    assert!(
        events.expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["kind"] != "message_failed")
    );
    assert_eq!(deliveries(&app, &id).len(), 1);
    // Sent again by staff: back in line with a fresh round.
    let staff = app.key(Role::Staff);
    let again = app
        .call(Method::POST, &format!("/v1/deliveries/{}/retry", row.id))
        .key(&staff)
        .send()
        .await;
    assert_eq!(again.expect(200)["status"], "pending");
    assert_eq!(deliveries(&app, &id)[0].attempts, 0);
}

async fn the_event_filter_and_the_active_flag_are_respected(app: TestApp) {
    let d = dealer(&app).await;
    // A booking before any endpoint: the setup snapshot learns there is none...
    book(&app, &d, "2026-11-26T09:00:00+07:00").await;
    let (only_cancel, all) = (Receiver::start().await, Receiver::start().await);
    endpoint(&app, &only_cancel.url, &["appointment.cancelled"]).await;
    let r = app
        .post(
            "/v1/webhook-endpoints",
            json!({"url": all.url, "event_types": ALL, "active": false}),
        )
        .await;
    let off = r.expect(201)["id"].as_str().unwrap().to_owned();
    let t = app.clock.now();
    // ...and the next one sees the endpoints (the setup version moved).
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.post(
        &format!("/v1/appointments/{id}/cancel"),
        json!({"reason_category": "schedule_change"}),
    )
    .await
    .expect(200);
    assert_eq!(
        types(&sent_at(&app, &only_cancel, t).await),
        ["appointment.cancelled"]
    );
    assert!(all.take().is_empty(), "an inactive endpoint gets nothing");

    let on = app
        .patch(
            &format!("/v1/webhook-endpoints/{off}"),
            json!({"active": true}),
        )
        .await;
    assert_eq!(on.expect(200)["active"], true);
    let second = book(&app, &d, "2026-12-01T09:00:00+07:00").await;
    assert_eq!(types(&sent_at(&app, &all, t).await), ["appointment.booked"]);
    // Turned off with a delivery not yet sent: it is cancelled, never sent.
    app.post(&format!("/v1/appointments/{second}/confirm"), json!({}))
        .await
        .expect(200);
    app.patch(
        &format!("/v1/webhook-endpoints/{off}"),
        json!({"active": false}),
    )
    .await
    .expect(200);
    assert!(sent_at(&app, &all, t).await.is_empty());
    let statuses: Vec<_> = deliveries(&app, &second).iter().map(|m| m.status).collect();
    assert_eq!(statuses, [MessageStatus::Sent, MessageStatus::Cancelled]);
    assert!(only_cancel.take().is_empty());
}

async fn the_secret_is_shown_once_and_a_rotation_signs_with_both(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let created = app
        .call(Method::POST, "/v1/webhook-endpoints")
        .header("idempotency-key", "ep-1")
        .json(json!({"url": rx.url, "event_types": ["appointment.booked"]}))
        .send()
        .await;
    let created = created.expect(201).clone();
    let ep = created["id"].as_str().unwrap().to_owned();
    let old = secret_bytes(created["secret"].as_str().unwrap());
    assert_eq!(created["secret_generation"], 1);
    // A replay answers the same endpoint, without the secret; reads never show it.
    let replay = app
        .call(Method::POST, "/v1/webhook-endpoints")
        .header("idempotency-key", "ep-1")
        .json(json!({"url": rx.url, "event_types": ["appointment.booked"]}))
        .send()
        .await;
    assert_eq!(replay.expect(201)["id"], ep.as_str());
    assert!(replay.body.get("secret").is_none());
    assert!(
        app.get(&format!("/v1/webhook-endpoints/{ep}"))
            .await
            .expect(200)
            .get("secret")
            .is_none()
    );
    let listed = app.get("/v1/webhook-endpoints").await;
    assert!(listed.expect(200)["items"][0].get("secret").is_none());
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t0 = app.clock.now();
    let before = sent_at(&app, &rx, t0).await;
    assert!(verified(&before[0], &old));
    assert_eq!(before[0].signature.split(' ').count(), 1);

    let r = app
        .call(
            Method::POST,
            &format!("/v1/webhook-endpoints/{ep}/secret?overlap_hours=2"),
        )
        .send()
        .await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let body = r.expect(200).clone();
    assert_eq!(body["secret_generation"], 2);
    let new = secret_bytes(body["secret"].as_str().unwrap());
    assert_ne!(new, old);
    book(&app, &d, "2026-12-01T09:00:00+07:00").await;
    let during = sent_at(&app, &rx, t0).await;
    assert_eq!(during[0].signature.split(' ').count(), 2);
    assert!(verified(&during[0], &old) && verified(&during[0], &new));
    // Two hours on, only the new secret signs.
    app.clock.set(t0 + Duration::hours(2));
    book(&app, &d, "2026-12-02T09:00:00+07:00").await;
    let after = sent_at(&app, &rx, t0 + Duration::hours(2)).await;
    assert_eq!(after.len(), 1);
    assert!(verified(&after[0], &new) && !verified(&after[0], &old));
    app.call(
        Method::POST,
        &format!("/v1/webhook-endpoints/{ep}/secret?overlap_hours=169"),
    )
    .send()
    .await
    .problem(422, "out_of_range");
}

async fn a_booking_that_rolls_back_writes_no_delivery(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    endpoint(&app, &rx.url, &ALL).await;
    let cmd = d.book_command(&d.service, "2026-11-30T09:00:00+07:00");
    let ctx = Ctx::new(app.org_id.clone(), Actor::System, app.clock.now());
    let run = |commit: bool| {
        let (ctx, cmd) = (ctx.clone(), cmd.clone());
        app.state.db.write(move |c| {
            let out = booking::book(c, &ctx, cmd.clone())?;
            assert!(matches!(out, BookOutcome::Booked(_)));
            if commit {
                Ok(())
            } else {
                Err(Error::internal("the unit of work fails after the booking"))
            }
        })
    };
    assert!(run(false).await.is_err());
    assert_eq!(webhook_rows(&app), 0);
    assert_eq!(count_rows(&app, "appointments"), 0);
    run(true).await.unwrap();
    assert_eq!(
        webhook_rows(&app),
        1,
        "the same booking committed writes one"
    );
}

async fn endpoints_are_managed_and_checked_field_by_field(app: TestApp) {
    let rx = Receiver::start().await;
    let post = |body: Value| app.post("/v1/webhook-endpoints", body);
    let r = post(json!({"url": "ftp://dms.example/x", "event_types": ["fee.paid"]})).await;
    assert_eq!(r.problem(422, "invalid_url")["field"], "url");
    let r = post(json!({"url": rx.url, "event_types": ["fee.paid", "fee.refunded"]})).await;
    assert_eq!(
        r.problem(422, "unknown_event_type")["field"],
        "event_types[1]"
    );
    let r = post(json!({"url": rx.url, "event_types": ["fee.paid", "fee.paid"]})).await;
    assert_eq!(
        r.problem(422, "unknown_event_type")["field"],
        "event_types[1]"
    );
    let r = post(json!({"url": rx.url, "event_types": []})).await;
    assert_eq!(r.problem(422, "required")["field"], "event_types");
    let r =
        post(json!({"url": rx.url, "event_types": ["fee.paid"], "description": "x".repeat(501)}))
            .await;
    assert_eq!(r.problem(422, "too_long")["field"], "description");
    post(json!({"url": rx.url, "event_types": ["fee.paid"], "secret": "mine"}))
        .await
        .problem(400, "unknown_field");
    assert_eq!(count_rows(&app, "webhook_endpoints"), 0);

    let (ep, _) = endpoint(&app, &rx.url, &["fee.paid"]).await;
    let path = format!("/v1/webhook-endpoints/{ep}");
    let e = app.get(&path).await;
    assert_eq!(e.header("etag"), Some("\"1\""));
    assert_eq!(e.expect(200)["event_types"], json!(["fee.paid"]));
    assert_eq!(e.body["description"], "DMS");
    assert_eq!(e.body["active"], true);
    app.call(Method::PATCH, &path)
        .header("if-match", "\"7\"")
        .json(json!({"description": null}))
        .send()
        .await
        .problem(412, "version_mismatch");
    let changed = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(json!({"description": null, "event_types": ["fee.paid", "fee.waived"]}))
        .send()
        .await;
    let changed = changed.expect(200);
    assert!(changed["description"].is_null());
    assert_eq!(changed["event_types"], json!(["fee.paid", "fee.waived"]));
    assert_eq!(changed["version"], 2);
    app.patch(&path, json!({"event_types": ["nope"]}))
        .await
        .problem(422, "unknown_event_type");
    app.patch(&path, json!([true])).await.expect(400);
    // Another organization's admin neither sees nor reaches it.
    let (_, other) = app.other_org();
    let theirs = app
        .call(Method::GET, "/v1/webhook-endpoints")
        .key(&other)
        .send()
        .await;
    assert_eq!(theirs.expect(200)["items"], json!([]));
    app.call(Method::GET, &path)
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");

    // Queue a test, then delete: the pending delivery is cancelled and stays in the log.
    app.post(&format!("{path}/test"), json!({}))
        .await
        .expect(202);
    app.call(Method::DELETE, &path)
        .header("if-match", "\"1\"")
        .send()
        .await
        .problem(412, "version_mismatch");
    app.delete(&path).await.expect(204);
    app.get(&path).await.problem(404, "not_found");
    let log = app.get("/v1/deliveries").await;
    let item = &log.expect(200)["items"][0];
    assert_eq!(item["status"], "cancelled");
    assert!(item["endpoint_id"].is_null());
    assert_eq!(item["event_type"], "webhook.test");
}

async fn a_test_event_is_sent_and_logged(app: TestApp) {
    let rx = Receiver::start().await;
    // Whatever it listens to, and even while it is off.
    let r = app
        .post(
            "/v1/webhook-endpoints",
            json!({"url": rx.url, "event_types": ["fee.paid"], "active": false}),
        )
        .await;
    let created = r.expect(201).clone();
    let (ep, secret) = (
        created["id"].as_str().unwrap().to_owned(),
        secret_bytes(created["secret"].as_str().unwrap()),
    );
    let queued = app
        .post(&format!("/v1/webhook-endpoints/{ep}/test"), json!({}))
        .await;
    let queued = queued.expect(202).clone();
    assert_eq!(queued["event_type"], "webhook.test");
    assert_eq!(queued["status"], "pending");
    let got = sent_at(&app, &rx, app.clock.now()).await;
    assert_eq!(types(&got), ["webhook.test"]);
    assert!(verified(&got[0], &secret));
    assert_eq!(got[0].id, queued["webhook_id"].as_str().unwrap());
    assert_eq!(got[0].json["data"]["endpoint_id"], ep.as_str());
    let log = app
        .get(&format!("/v1/deliveries?endpoint_id={ep}&status=sent"))
        .await;
    assert_eq!(log.expect(200)["items"].as_array().unwrap().len(), 1);
    app.post(
        "/v1/webhook-endpoints/0199b1f0-0000-7000-8000-000000000000/test",
        json!({}),
    )
    .await
    .problem(404, "not_found");
}

/// A rotation reads the generation and writes the next: ten at once must make ten
/// generations, each answer its own secret, none lost (the organization's lock puts them
/// in line).
async fn racing_rotations_each_make_their_own_secret(app: TestApp) {
    let rx = Receiver::start().await;
    let (ep, first) = endpoint(&app, &rx.url, &["fee.paid"]).await;
    let path = format!("/v1/webhook-endpoints/{ep}/secret");
    let calls: Vec<_> = (0..10)
        .map(|_| app.call(Method::POST, &path).send())
        .collect();
    let answers = futures_util::future::join_all(calls).await;
    let mut generations: Vec<i64> = answers
        .iter()
        .map(|r| r.expect(200)["secret_generation"].as_i64().unwrap())
        .collect();
    generations.sort();
    assert_eq!(generations, (2..=11).collect::<Vec<i64>>());
    let mut secrets: Vec<String> = answers
        .iter()
        .map(|r| r.body["secret"].as_str().unwrap().to_owned())
        .collect();
    secrets.sort();
    secrets.dedup();
    assert_eq!(secrets.len(), 10);
    assert!(!secrets.contains(&signature::secret_text(&first)));
    let now = app.get(&format!("/v1/webhook-endpoints/{ep}")).await;
    assert_eq!(now.expect(200)["secret_generation"], 11);
}

/// The test servers allow loopback targets (their receivers listen there); the same
/// application on the same database without that allowance refuses them, on create and
/// on change, and writes nothing.
async fn an_internal_url_is_refused_unless_the_server_allows_it(app: TestApp) {
    use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
    let rx = Receiver::start().await;
    let (ep, _) = endpoint(&app, &rx.url, &["fee.paid"]).await;
    let mut state = app.state.clone();
    state.allow_private_targets = false;
    let strict = init_service(janji::startup::app(state)).await;
    let auth = ("authorization", format!("Bearer {}", app.admin_key));
    for (method, path) in [
        (Method::POST, "/v1/webhook-endpoints".to_owned()),
        (Method::PATCH, format!("/v1/webhook-endpoints/{ep}")),
    ] {
        for url in [
            "http://127.0.0.1:9/hook",
            "http://[::1]:9/hook",
            "http://10.0.0.8/hook",
        ] {
            let req = TestRequest::default()
                .method(method.clone())
                .uri(&path)
                .insert_header(auth.clone())
                .set_json(json!({"url": url, "event_types": ["fee.paid"]}))
                .to_request();
            let res = call_service(&strict, req).await;
            assert_eq!(res.status().as_u16(), 422, "{method} {url}");
            let body: Value = read_body_json(res).await;
            assert_eq!(body["code"], "private_target", "{body}");
            assert_eq!(body["field"], "url");
        }
    }
    assert_eq!(count_rows(&app, "webhook_endpoints"), 1);
    let e = app.get(&format!("/v1/webhook-endpoints/{ep}")).await;
    assert_eq!(e.expect(200)["url"], rx.url.as_str());
}
