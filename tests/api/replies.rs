//! Replies from customers, posted by the gateway to `/v1/inbound/{organization}`:
//! signed, recorded once, matched by phone to the next appointment, acted on and answered.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::{Resp, TestApp};
use crate::on_both_backends;
use crate::receiver::Receiver;
use base64::Engine as _;
use janji::delivery::signature;
use janji::domain::MessageKind;
use janji::repo::outbox;

on_both_backends!(
    yes_confirms_the_next_appointment_and_is_answered_once,
    change_is_answered_with_three_times_and_cancel_with_the_fee_only,
    anything_else_is_kept_for_staff,
    unknown_numbers_and_customers_without_appointments_are_recorded_only,
    unsigned_stale_or_foreign_replies_are_refused,
    a_reply_posted_many_times_at_once_is_answered_once,
);

struct Setup {
    d: Dealer,
    secret: [u8; 32],
    appointment: String,
}

async fn set_up(app: &TestApp) -> Setup {
    let d = dealer(app).await;
    let rx = Receiver::start().await;
    let r = app
        .call(Method::PUT, "/v1/notification-settings")
        .json(json!({"gateway_url": rx.url}))
        .send()
        .await;
    let text = r.expect(200)["secret"].as_str().unwrap().to_owned();
    let secret: [u8; 32] = base64::engine::general_purpose::STANDARD
        .decode(text.strip_prefix("whsec_").unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let a = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let appointment = a.expect(201)["id"].as_str().unwrap().to_owned();
    Setup {
        d,
        secret,
        appointment,
    }
}

async fn reply_as(app: &TestApp, org: &str, secret: &[u8; 32], id: &str, body: Value) -> Resp {
    let bytes = serde_json::to_vec(&body).unwrap();
    let ts = app.clock.now().timestamp();
    app.call(Method::POST, &format!("/v1/inbound/{org}"))
        .no_key()
        .header("webhook-id", id)
        .header("webhook-timestamp", &ts.to_string())
        .header(
            "webhook-signature",
            &signature::sign(secret, id, ts, &bytes),
        )
        .raw("application/json", bytes)
        .send()
        .await
}

async fn reply(app: &TestApp, s: &Setup, id: &str, text: &str) -> Resp {
    let body = json!({"from": "+6281234567890", "text": text});
    reply_as(app, &app.org_id, &s.secret, id, body).await
}

fn answers(app: &TestApp, appointment: &str) -> Vec<String> {
    let mut conn = app.state.db.pool().get().unwrap();
    outbox::of_appointment(&mut conn, &app.org_id, appointment)
        .unwrap()
        .into_iter()
        .filter(|m| m.kind == MessageKind::ReplyAnswer)
        .map(|m| {
            let p: Value = serde_json::from_str(&m.payload).unwrap();
            assert_eq!(m.recipient, "+6281234567890");
            p["text"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn replied_events(app: &TestApp, appointment: &str) -> Vec<Value> {
    let events = app
        .get(&format!("/v1/appointments/{appointment}/events"))
        .await;
    events.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "customer_replied")
        .cloned()
        .collect()
}

async fn yes_confirms_the_next_appointment_and_is_answered_once(app: TestApp) {
    let s = set_up(&app).await;
    let r = reply(&app, &s, "wamid.1", "Ya").await;
    let body = r.expect(200);
    assert_eq!(body["status"], "answered");
    assert_eq!(body["intent"], "confirm");
    assert_eq!(body["appointment_id"], s.appointment.as_str());
    let a = app
        .get(&format!("/v1/appointments/{}", s.appointment))
        .await;
    assert_eq!(a.expect(200)["status"], "confirmed");
    let said = answers(&app, &s.appointment);
    assert_eq!(said.len(), 1);
    assert!(said[0].contains("sudah dikonfirmasi"), "{}", said[0]);
    assert!(said[0].contains("Senin, 30 November 2026, 09.00 WIB"));
    // The gateway posts it again: recorded once, nothing more happens.
    let again = reply(&app, &s, "wamid.1", "Ya").await;
    assert_eq!(again.expect(200)["status"], "duplicate");
    assert_eq!(answers(&app, &s.appointment).len(), 1);
    assert_eq!(replied_events(&app, &s.appointment).await.len(), 1);
}

async fn change_is_answered_with_three_times_and_cancel_with_the_fee_only(app: TestApp) {
    let s = set_up(&app).await;
    let r = reply(&app, &s, "wamid.2", "2").await;
    assert_eq!(r.expect(200)["intent"], "change");
    let said = answers(&app, &s.appointment);
    assert!(
        said[0].starts_with("Waktu lain untuk Servis berkala"),
        "{}",
        said[0]
    );
    assert_eq!(said[0].matches("(tanpa biaya)").count(), 3, "{}", said[0]);

    let r = reply(&app, &s, "wamid.3", "BATAL").await;
    assert_eq!(r.expect(200)["intent"], "cancel");
    let said = answers(&app, &s.appointment);
    assert!(said[1].contains("Belum ada yang dibatalkan"), "{}", said[1]);
    assert!(said[1].contains("tanpa biaya"), "{}", said[1]);
    let a = app
        .get(&format!("/v1/appointments/{}", s.appointment))
        .await;
    assert_eq!(
        a.expect(200)["status"],
        "booked",
        "a bare word cancels nothing"
    );
}

async fn anything_else_is_kept_for_staff(app: TestApp) {
    let s = set_up(&app).await;
    // WhatsApp writes the sender without the plus: the organization's country reads it.
    let body = json!({"from": "6281234567890", "text": "Jam berapa bengkel buka?"});
    let r = reply_as(&app, &app.org_id, &s.secret, "wamid.4", body).await;
    assert_eq!(r.expect(200)["intent"], "other");
    let events = replied_events(&app, &s.appointment).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["note"], "Jam berapa bengkel buka?");
    assert!(answers(&app, &s.appointment)[0].contains("sudah kami terima"));
}

async fn unknown_numbers_and_customers_without_appointments_are_recorded_only(app: TestApp) {
    let s = set_up(&app).await;
    let stranger = json!({"from": "+6289999999999", "text": "YA"});
    let r = reply_as(&app, &app.org_id, &s.secret, "wamid.5", stranger).await;
    assert_eq!(r.expect(200)["status"], "unknown_sender");
    app.post(
        "/v1/customers",
        json!({"name": "Sari", "phone": "+6281300000000"}),
    )
    .await
    .expect(201);
    let idle = json!({"from": "+6281300000000", "text": "YA"});
    let r = reply_as(&app, &app.org_id, &s.secret, "wamid.6", idle).await;
    assert_eq!(r.expect(200)["status"], "no_upcoming_appointment");
    assert!(answers(&app, &s.appointment).is_empty());
    let _ = s.d;
}

async fn unsigned_stale_or_foreign_replies_are_refused(app: TestApp) {
    let s = set_up(&app).await;
    let body = json!({"from": "+6281234567890", "text": "YA"});
    let wrong = reply_as(&app, &app.org_id, &[9u8; 32], "wamid.7", body.clone()).await;
    wrong.problem(401, "invalid_signature");
    let (other_org, _) = app.other_org();
    let foreign = reply_as(&app, &other_org, &s.secret, "wamid.8", body.clone()).await;
    foreign.problem(401, "invalid_signature");
    let unsigned = app
        .call(Method::POST, &format!("/v1/inbound/{}", app.org_id))
        .no_key()
        .json(body.clone())
        .send()
        .await;
    unsigned.problem(401, "invalid_signature");
    // Signed six minutes ago: a replay of an old post.
    let bytes = serde_json::to_vec(&body).unwrap();
    let ts = app.clock.now().timestamp() - 360;
    let stale = app
        .call(Method::POST, &format!("/v1/inbound/{}", app.org_id))
        .no_key()
        .header("webhook-id", "wamid.9")
        .header("webhook-timestamp", &ts.to_string())
        .header(
            "webhook-signature",
            &signature::sign(&s.secret, "wamid.9", ts, &bytes),
        )
        .raw("application/json", bytes)
        .send()
        .await;
    stale.problem(401, "invalid_signature");
    // A timestamp at the end of the range is refused, not an overflow.
    let far = app
        .call(Method::POST, &format!("/v1/inbound/{}", app.org_id))
        .no_key()
        .header("webhook-id", "wamid.12")
        .header("webhook-timestamp", "-9223372036854775807")
        .header("webhook-signature", "v1,AAAA")
        .json(body.clone())
        .send()
        .await;
    far.problem(401, "invalid_signature");
    let a = app
        .get(&format!("/v1/appointments/{}", s.appointment))
        .await;
    assert_eq!(a.expect(200)["status"], "booked");
    // Signed, but not a phone number.
    let bad = json!({"from": "0812", "text": "YA"});
    let r = reply_as(&app, &app.org_id, &s.secret, "wamid.10", bad).await;
    assert_eq!(r.problem(422, "invalid_phone")["field"], "from");
}

async fn a_reply_posted_many_times_at_once_is_answered_once(app: TestApp) {
    let s = set_up(&app).await;
    let posts: Vec<_> = (0..10).map(|_| reply(&app, &s, "wamid.11", "OK")).collect();
    let results = futures_util::future::join_all(posts).await;
    let statuses: Vec<_> = results
        .iter()
        .map(|r| r.expect(200)["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| *s == "answered").count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| *s == "duplicate").count(), 9);
    assert_eq!(answers(&app, &s.appointment).len(), 1);
    assert_eq!(replied_events(&app, &s.appointment).await.len(), 1);
}
