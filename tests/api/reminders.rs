//! Messages to customers through the outbox: written with the change that causes them,
//! sent by the dispatcher to a real gateway on loopback, signed, retried, and never sent
//! for a time that was superseded.

use actix_web::http::Method;
use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::receiver::{Received, Receiver};
use janji::delivery::{Dispatcher, signature};
use janji::domain::{MessageStatus, Role};
use janji::repo::outbox;

on_both_backends!(
    a_booking_is_confirmed_at_once_and_reminded_a_day_and_two_hours_before,
    a_move_replaces_the_reminders_and_a_cancellation_stops_them,
    quiet_hours_and_a_late_booking_shift_the_reminders,
    a_gateway_error_is_retried_with_the_same_webhook_id,
    a_gateway_that_stays_down_fails_the_message_and_the_history_says_so,
    a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends,
    many_dispatchers_send_each_message_once,
    settings_are_for_admins_and_checked_field_by_field,
    no_gateway_no_messages,
    the_delivery_log_shows_every_attempt_and_a_failed_message_goes_again_once,
    racing_first_saves_of_the_settings_make_one_secret,
);

/// The settings are read, checked against `If-Match` and written: ten first saves at once
/// (each expecting version 0) must leave one winner and one secret.
async fn racing_first_saves_of_the_settings_make_one_secret(app: TestApp) {
    let rx = Receiver::start().await;
    let saves: Vec<_> = (0..10)
        .map(|_| {
            app.call(Method::PUT, "/v1/notification-settings")
                .header("if-match", "\"0\"")
                .json(json!({ "gateway_url": rx.url }))
                .send()
        })
        .collect();
    let answers = futures_util::future::join_all(saves).await;
    let won: Vec<_> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        answers.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(won[0].body["secret"].is_string());
    for r in answers.iter().filter(|r| r.status != 200) {
        r.problem(412, "version_mismatch");
    }
    let now = app.get("/v1/notification-settings").await;
    assert_eq!(now.expect(200)["version"], 1);
    assert_eq!(now.body["secret_generation"], 1);
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn dispatcher(app: &TestApp) -> Dispatcher {
    Dispatcher::new(app.state.db.clone(), app.state.secret_key.clone(), true)
}

/// Points the organization's gateway at the receiver; returns the secret's bytes.
async fn gateway(app: &TestApp, rx: &Receiver, extra: Value) -> [u8; 32] {
    let mut body = json!({ "gateway_url": rx.url });
    if let Value::Object(m) = extra {
        body.as_object_mut().unwrap().extend(m);
    }
    let r = app
        .call(Method::PUT, "/v1/notification-settings")
        .json(body)
        .send()
        .await;
    assert_eq!(r.header("cache-control"), Some("no-store"));
    secret_bytes(r.expect(200)["secret"].as_str().expect("the first secret"))
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

async fn book(app: &TestApp, d: &Dealer, start: &str) -> String {
    let r = app.post("/v1/appointments", d.booking(start)).await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

/// Dispatches at `t` and returns what the gateway received.
async fn sent_at(app: &TestApp, rx: &Receiver, t: &str) -> Vec<Received> {
    dispatcher(app).dispatch_due(at(t)).await.unwrap();
    rx.take()
}

fn kinds(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|m| m.json["kind"].as_str().unwrap().to_owned())
        .collect()
}

fn messages(app: &TestApp, appointment: &str) -> Vec<outbox::MessageRow> {
    let mut conn = app.state.db.pool().get().unwrap();
    outbox::of_appointment(&mut conn, &app.org_id, appointment).unwrap()
}

async fn a_booking_is_confirmed_at_once_and_reminded_a_day_and_two_hours_before(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let secret = gateway(&app, &rx, json!({})).await;
    book(&app, &d, "2026-11-30T09:00:00+07:00").await;

    let now = sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    assert_eq!(kinds(&now), ["booking_confirmation"]);
    let m = &now[0];
    assert!(verified(m, &secret), "signed with the secret shown once");
    assert!(m.id.starts_with("msg_") && m.json["id"] == m.id.as_str());
    assert_eq!(m.json["channel"], "whatsapp");
    assert_eq!(m.json["recipient"], "+6281234567890");
    assert_eq!(m.json["locale"], "id");
    let text = m.json["text"].as_str().unwrap();
    assert!(
        text.contains("Senin, 30 November 2026, 09.00 WIB"),
        "{text}"
    );
    assert!(
        text.contains("Budi Santoso") && text.contains("Servis berkala"),
        "{text}"
    );
    assert_eq!(m.json["appointment"]["time_zone"], "Asia/Jakarta");
    assert_eq!(
        m.json["appointment"]["local_start"],
        "2026-11-30T09:00:00+07:00"
    );
    assert!(
        (Utc::now().timestamp() - m.timestamp).abs() < 60,
        "a real timestamp"
    );

    // The exact instants: not a second early.
    assert!(
        sent_at(&app, &rx, "2026-11-29T08:59:59+07:00")
            .await
            .is_empty()
    );
    assert_eq!(
        kinds(&sent_at(&app, &rx, "2026-11-29T09:00:00+07:00").await),
        ["reminder"]
    );
    assert!(
        sent_at(&app, &rx, "2026-11-30T06:59:59+07:00")
            .await
            .is_empty()
    );
    let last = sent_at(&app, &rx, "2026-11-30T07:00:00+07:00").await;
    assert_eq!(kinds(&last), ["reminder"]);
    assert!(verified(&last[0], &secret));
    assert!(
        sent_at(&app, &rx, "2026-11-30T09:30:00+07:00")
            .await
            .is_empty()
    );
}

async fn a_move_replaces_the_reminders_and_a_cancellation_stops_them(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({})).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;

    app.post(
        &format!("/v1/appointments/{id}/reschedule"),
        json!({"start": "2026-12-02T13:00:00+07:00", "reason_category": "schedule_change"}),
    )
    .await
    .expect(200);
    let moved = sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    assert_eq!(kinds(&moved), ["rescheduled"]);
    assert!(
        moved[0].json["text"]
            .as_str()
            .unwrap()
            .contains("Rabu, 2 Desember 2026, 13.00 WIB")
    );
    // Nothing at the old reminder times: those messages were cancelled with the move.
    assert!(
        sent_at(&app, &rx, "2026-11-29T09:00:00+07:00")
            .await
            .is_empty()
    );
    assert!(
        sent_at(&app, &rx, "2026-11-30T07:00:00+07:00")
            .await
            .is_empty()
    );
    let cancelled: Vec<_> = messages(&app, &id)
        .into_iter()
        .filter(|m| m.status == MessageStatus::Cancelled)
        .collect();
    assert_eq!(cancelled.len(), 2, "the two reminders for the old time");

    let day_before = sent_at(&app, &rx, "2026-12-01T13:00:00+07:00").await;
    assert_eq!(kinds(&day_before), ["reminder"]);
    assert!(
        day_before[0].json["text"]
            .as_str()
            .unwrap()
            .contains("13.00 WIB")
    );

    app.post(
        &format!("/v1/appointments/{id}/cancel"),
        json!({"reason_category": "schedule_change"}),
    )
    .await
    .expect(200);
    assert_eq!(
        kinds(&sent_at(&app, &rx, "2026-12-01T13:00:01+07:00").await),
        ["cancelled"]
    );
    assert!(
        sent_at(&app, &rx, "2026-12-02T11:00:00+07:00")
            .await
            .is_empty()
    );
    assert!(
        messages(&app, &id)
            .iter()
            .all(|m| m.status != MessageStatus::Pending)
    );
}

async fn quiet_hours_and_a_late_booking_shift_the_reminders(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(
        &app,
        &rx,
        json!({"quiet_hours": {"start": "21:00", "end": "08:00"}, "reminder_offsets_minutes": [1440, 90]}),
    )
    .await;
    // 90 minutes before 09:00 is 07:30, inside; 08:00 is still 15 minutes before.
    book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    assert_eq!(
        kinds(&sent_at(&app, &rx, "2026-11-29T09:00:00+07:00").await),
        ["reminder"]
    );
    assert!(
        sent_at(&app, &rx, "2026-11-30T07:59:59+07:00")
            .await
            .is_empty()
    );
    let quiet_end = sent_at(&app, &rx, "2026-11-30T08:00:00+07:00").await;
    assert_eq!(kinds(&quiet_end), ["reminder"]);

    app.patch("/v1/organization", json!({"booking_lead_minutes": 0}))
        .await
        .expect(200);
    // Booked at 14:30 for 15:00 the same day: both reminders have passed, one catch-up
    // goes out at once (30 minutes ahead is more than the 15 of catch-up).
    app.clock.set(at("2026-11-30T14:30:00+07:00"));
    let late = book(&app, &d, "2026-11-30T15:00:00+07:00").await;
    let now = sent_at(&app, &rx, "2026-11-30T14:30:00+07:00").await;
    assert_eq!(kinds(&now), ["booking_confirmation", "reminder"]);
    assert_eq!(messages(&app, &late).len(), 2);

    // Booked 10 minutes ahead: too close for a reminder.
    app.clock.set(at("2026-11-30T14:50:00+07:00"));
    let close = book(&app, &d, "2026-11-30T15:00:00+07:00").await;
    let kinds_close: Vec<_> = messages(&app, &close).iter().map(|m| m.kind).collect();
    assert_eq!(
        kinds_close,
        [janji::domain::MessageKind::BookingConfirmation]
    );
}

async fn a_gateway_error_is_retried_with_the_same_webhook_id(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({})).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    rx.answer_with(&[500]);
    let first = sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    assert_eq!(first.len(), 1);
    // Not again before its backoff (30 s, at most a tenth either way).
    assert!(
        sent_at(&app, &rx, "2026-11-23T10:00:26+07:00")
            .await
            .is_empty()
    );
    let second = sent_at(&app, &rx, "2026-11-23T10:00:34+07:00").await;
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].id, first[0].id, "the same webhook-id on a retry");
    assert_eq!(second[0].body, first[0].body);
    assert!(
        sent_at(&app, &rx, "2026-11-23T10:10:00+07:00")
            .await
            .is_empty()
    );
    let confirmation = messages(&app, &id)
        .into_iter()
        .find(|m| outbox::webhook_id(&m.id) == first[0].id)
        .unwrap();
    assert_eq!(confirmation.status, MessageStatus::Sent);
    assert_eq!(confirmation.attempts, 2);
}

async fn a_gateway_that_stays_down_fails_the_message_and_the_history_says_so(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({})).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    rx.answer_with(&[503; 20]);
    let mut t = at("2026-11-23T10:00:00+07:00");
    let confirmation = loop {
        dispatcher(&app).dispatch_due(t).await.unwrap();
        let m = messages(&app, &id)
            .into_iter()
            .find(|m| m.kind == janji::domain::MessageKind::BookingConfirmation)
            .unwrap();
        if m.status != MessageStatus::Pending {
            break m;
        }
        t = m.next_attempt_at.and_utc();
    };
    assert_eq!(confirmation.status, MessageStatus::Failed);
    assert_eq!(confirmation.attempts, 9);
    let tried: Vec<_> = rx
        .take()
        .into_iter()
        .filter(|m| m.id == outbox::webhook_id(&confirmation.id))
        .collect();
    assert_eq!(tried.len(), 9);
    assert!(t - at("2026-11-23T10:00:00+07:00") < Duration::hours(17));
    let events = app.get(&format!("/v1/appointments/{id}/events")).await;
    let failed: Vec<_> = events.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "message_failed")
        .cloned()
        .collect();
    assert_eq!(failed.len(), 1, "{failed:?}");
}

async fn a_rotated_secret_signs_beside_the_old_one_until_the_overlap_ends(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let old = gateway(&app, &rx, json!({})).await;
    let r = app
        .call(
            Method::POST,
            "/v1/notification-settings/secret?overlap_hours=2",
        )
        .send()
        .await;
    let body = r.expect(200).clone();
    assert_eq!(body["secret_generation"], 2);
    let new = secret_bytes(body["secret"].as_str().unwrap());
    assert_ne!(new, old);
    book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let during = sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    assert_eq!(during[0].signature.split(' ').count(), 2);
    assert!(verified(&during[0], &old) && verified(&during[0], &new));
    // Two hours on, only the new secret signs.
    app.post("/v1/appointments", d.booking("2026-12-01T09:00:00+07:00"))
        .await
        .expect(201);
    let after = sent_at(&app, &rx, "2026-11-23T12:00:00+07:00").await;
    assert_eq!(after.len(), 1);
    assert!(verified(&after[0], &new) && !verified(&after[0], &old));
    // The GET never shows a secret; a staff key may not rotate.
    assert!(
        app.get("/v1/notification-settings")
            .await
            .expect(200)
            .get("secret")
            .is_none()
    );
    let staff = app.key(Role::Staff);
    app.call(Method::POST, "/v1/notification-settings/secret")
        .key(&staff)
        .send()
        .await
        .problem(403, "forbidden");
}

async fn many_dispatchers_send_each_message_once(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({"reminder_offsets_minutes": [60]})).await;
    // Forty appointments over the coming days: forty confirmations due now.
    let mut starts = vec![];
    for day in ["2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27"] {
        for h in ["08:00", "09:15", "10:30", "13:00", "14:15"] {
            for _ in 0..2 {
                starts.push(format!("{day}T{h}:00+07:00"));
            }
        }
    }
    for s in &starts {
        book(&app, &d, s).await;
    }
    let now = at("2026-11-23T10:00:00+07:00");
    let rounds: Vec<_> = (0..6)
        .map(|_| {
            let d = dispatcher(&app);
            async move { d.dispatch_due(now).await.unwrap() }
        })
        .collect();
    let rounds = futures_util::future::join_all(rounds).await;
    let claimed: usize = rounds.iter().map(|r| r.claimed).sum();
    assert_eq!(claimed, 40, "{rounds:?}");
    let received = rx.take();
    let mut ids: Vec<_> = received.iter().map(|m| m.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!((received.len(), ids.len()), (40, 40));
}

async fn settings_are_for_admins_and_checked_field_by_field(app: TestApp) {
    let defaults = app.get("/v1/notification-settings").await;
    let defaults = defaults.expect(200);
    assert_eq!(defaults["version"], 0);
    assert_eq!(defaults["reminder_offsets_minutes"], json!([1440, 120]));
    assert_eq!(defaults["catch_up_minutes"], 15);
    assert_eq!(defaults["gateway_url"], Value::Null);
    let staff = app.key(Role::Staff);
    app.call(Method::GET, "/v1/notification-settings")
        .key(&staff)
        .send()
        .await
        .problem(403, "forbidden");
    let put = |body: Value| {
        app.call(Method::PUT, "/v1/notification-settings")
            .json(body)
            .send()
    };
    let cases = [
        (
            json!({"gateway_url": "ftp://x.example/"}),
            "invalid_url",
            "gateway_url",
        ),
        (
            json!({"gateway_url": "https://u:p@x.example/"}),
            "invalid_url",
            "gateway_url",
        ),
        (
            json!({"reminder_offsets_minutes": [0]}),
            "out_of_range",
            "reminder_offsets_minutes[0]",
        ),
        (
            json!({"reminder_offsets_minutes": [60, 60]}),
            "out_of_range",
            "reminder_offsets_minutes[1]",
        ),
        (
            json!({"quiet_hours": {"start": "21:00", "end": "21:00"}}),
            "invalid_time_of_day",
            "quiet_hours.end",
        ),
        (
            json!({"quiet_hours": {"start": "9:00", "end": "21:00"}}),
            "invalid_time_of_day",
            "quiet_hours.start",
        ),
        (
            json!({"catch_up_minutes": 1441}),
            "out_of_range",
            "catch_up_minutes",
        ),
    ];
    for (body, code, field) in cases {
        let r = put(body.clone()).await;
        assert_eq!(r.problem(422, code)["field"], field, "{body}");
    }
    // Nothing was saved by the refusals; a rotation before a gateway is a 409.
    assert_eq!(
        app.get("/v1/notification-settings").await.expect(200)["version"],
        0
    );
    app.call(Method::POST, "/v1/notification-settings/secret")
        .send()
        .await
        .problem(409, "gateway_not_set");
    // A saved version guards the next change.
    let saved = put(json!({"reminder_offsets_minutes": [30]})).await;
    assert_eq!(saved.expect(200)["version"], 1);
    assert!(saved.body.get("secret").is_none(), "no gateway, no secret");
    app.call(Method::PUT, "/v1/notification-settings")
        .header("if-match", "\"0\"")
        .json(json!({}))
        .send()
        .await
        .problem(412, "version_mismatch");
}

async fn no_gateway_no_messages(app: TestApp) {
    let d = dealer(&app).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    assert!(messages(&app, &id).is_empty());
    let round = dispatcher(&app)
        .dispatch_due(at("2026-11-30T08:00:00+07:00"))
        .await
        .unwrap();
    assert_eq!(round.claimed, 0);

    // The schedule kept from that booking knew of no gateway; setting one changes the
    // organization's setup version, so the next booking writes its messages.
    let rx = Receiver::start().await;
    gateway(&app, &rx, json!({})).await;
    let next = book(&app, &d, "2026-11-30T13:00:00+07:00").await;
    assert_eq!(messages(&app, &next).len(), 3);
    assert!(messages(&app, &id).is_empty());
}

async fn the_delivery_log_shows_every_attempt_and_a_failed_message_goes_again_once(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({})).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    rx.answer_with(&[503; 9]);
    let mut t = at("2026-11-23T10:00:00+07:00");
    for _ in 0..9 {
        dispatcher(&app).dispatch_due(t).await.unwrap();
        t += Duration::hours(9);
    }
    let log = app
        .get(&format!("/v1/deliveries?appointment_id={id}&status=failed"))
        .await;
    let items = log.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{items:?}");
    let failed = &items[0];
    assert_eq!(failed["kind"], "booking_confirmation");
    assert_eq!(failed["attempts"].as_array().unwrap().len(), 9);
    assert_eq!(failed["attempts"][0]["status_code"], 503);
    assert_eq!(failed["last_error"], "the gateway answered 503");
    assert!(failed["webhook_id"].as_str().unwrap().starts_with("msg_"));
    let staff = app.key(Role::Staff);
    let integration = app.key(Role::Integration);
    app.call(Method::GET, "/v1/deliveries")
        .key(&integration)
        .send()
        .await
        .problem(403, "forbidden");
    let all = app
        .call(Method::GET, "/v1/deliveries")
        .key(&staff)
        .send()
        .await;
    assert_eq!(all.expect(200)["items"].as_array().unwrap().len(), 3);

    // Twelve staff members press "send again" at once: one puts it back in line.
    let path = format!("/v1/deliveries/{}/retry", failed["id"].as_str().unwrap());
    let presses: Vec<_> = (0..12)
        .map(|_| app.call(Method::POST, &path).key(&staff).send())
        .collect();
    let answers = futures_util::future::join_all(presses).await;
    let ok: Vec<_> = answers.iter().filter(|r| r.status == 200).collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0].body["status"], "pending");
    for r in answers.iter().filter(|r| r.status != 200) {
        r.problem(409, "not_retryable");
    }
    app.clock.set(t);
    dispatcher(&app).dispatch_due(t).await.unwrap();
    let again = rx.take();
    assert_eq!(
        again.last().unwrap().id,
        failed["webhook_id"].as_str().unwrap()
    );
    let log = app
        .get(&format!("/v1/deliveries?appointment_id={id}&status=sent"))
        .await;
    let sent = log.expect(200)["items"][0].clone();
    assert_eq!(sent["attempts"].as_array().unwrap().len(), 10);
    app.call(Method::POST, &path)
        .send()
        .await
        .problem(409, "not_retryable");
    app.call(
        Method::POST,
        "/v1/deliveries/0199b1f0-0000-7000-8000-000000000000/retry",
    )
    .send()
    .await
    .problem(404, "not_found");
}
