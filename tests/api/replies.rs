//! Replies from customers, posted by the gateway to `/v1/inbound/{organization}`:
//! signed, recorded once, matched by phone to the next appointment, acted on and answered.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::{Resp, TestApp};
use crate::on_both_backends;
use crate::receiver::Receiver;
use base64::Engine as _;
use diesel::prelude::*;
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
    an_organizations_own_word_confirms_and_its_answer_is_sent,
    shipped_words_and_answers_hold_where_the_organization_has_none,
    an_english_customer_is_read_in_english_first,
    bad_reply_words_or_answers_are_refused_and_nothing_is_written,
    new_words_move_the_settings_and_setup_versions_and_are_read_at_once,
);

struct Setup {
    d: Dealer,
    secret: [u8; 32],
    appointment: String,
}

async fn set_up(app: &TestApp) -> Setup {
    set_up_with(app, json!({})).await
}

/// As [`set_up`], with more notification settings beside the gateway.
async fn set_up_with(app: &TestApp, settings: Value) -> Setup {
    let d = dealer(app).await;
    let rx = Receiver::start().await;
    let mut body = settings;
    body["gateway_url"] = json!(rx.url);
    let r = app
        .call(Method::PUT, "/v1/notification-settings")
        .json(body)
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
    // The customer's link goes in at send time; the outbox holds only its marker.
    assert!(
        said[0].contains("Pilih waktu baru di {link}"),
        "{}",
        said[0]
    );

    let r = reply(&app, &s, "wamid.3", "BATAL").await;
    assert_eq!(r.expect(200)["intent"], "cancel");
    let said = answers(&app, &s.appointment);
    assert!(said[1].contains("Belum ada yang dibatalkan"), "{}", said[1]);
    assert!(said[1].contains("tanpa biaya"), "{}", said[1]);
    assert!(said[1].contains("buka {link}"), "{}", said[1]);
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

/// The dealer's own words and answers: "SIAP" confirms in Indonesian, and the answers to a
/// confirmation and to anything else are the dealer's.
fn dealers_own() -> Value {
    json!({
        "reply_words": [
            {"locale": "id", "intent": "confirm", "words": ["1", "Siap", "👍"]}
        ],
        "reply_answers": [
            {"kind": "confirmed", "locale": "id",
             "text": "Siap {customer_name}! {service} di {location}, {when}, tercatat. Info: {contact} {times}"},
            {"kind": "other", "locale": "id",
             "text": "Pesan diteruskan ke {location}; telepon {contact}."}
        ]
    })
}

async fn an_organizations_own_word_confirms_and_its_answer_is_sent(app: TestApp) {
    let s = set_up_with(&app, dealers_own()).await;
    let r = reply(&app, &s, "wamid.20", "siap, terima kasih").await;
    let body = r.expect(200);
    assert_eq!(body["intent"], "confirm");
    let a = app
        .get(&format!("/v1/appointments/{}", s.appointment))
        .await;
    assert_eq!(a.expect(200)["status"], "confirmed");
    let said = answers(&app, &s.appointment);
    // `{times}` has nothing in a confirmation: empty, its space closed up.
    assert_eq!(
        said,
        [
            "Siap Budi Santoso! Servis berkala di Sinar Motor Kemayoran, Senin, 30 November 2026, 09.00 WIB, tercatat. Info: Sinar Motor Kemayoran"
        ]
    );
    // "YA" is no longer an Indonesian confirming word here, nor an English one: kept for
    // staff and answered with the dealer's words.
    let r = reply(&app, &s, "wamid.21", "ya").await;
    assert_eq!(r.expect(200)["intent"], "other");
    assert_eq!(
        answers(&app, &s.appointment)[1],
        "Pesan diteruskan ke Sinar Motor Kemayoran; telepon Sinar Motor Kemayoran."
    );
    let events = replied_events(&app, &s.appointment).await;
    assert_eq!(events.len(), 2);
    assert!(events.iter().any(|e| e["details"]["intent"] == "other"));
    // The emoji is a word of its own.
    let r = reply(&app, &s, "wamid.22", "👍").await;
    assert_eq!(r.expect(200)["intent"], "confirm");
}

async fn shipped_words_and_answers_hold_where_the_organization_has_none(app: TestApp) {
    let s = set_up_with(&app, dealers_own()).await;
    // Changing keeps the shipped words and answer.
    let r = reply(&app, &s, "wamid.23", "GANTI").await;
    assert_eq!(r.expect(200)["intent"], "change");
    let said = answers(&app, &s.appointment);
    assert!(
        said[0].starts_with("Waktu lain untuk Servis berkala"),
        "{}",
        said[0]
    );
    // "OK" confirms in the shipped English words, which this dealer left alone.
    let r = reply(&app, &s, "wamid.24", "OK").await;
    assert_eq!(r.expect(200)["intent"], "confirm");
    let read = app.get("/v1/notification-settings").await;
    let read = read.expect(200);
    assert_eq!(read["reply_words"], dealers_own()["reply_words"]);
    assert_eq!(read["reply_answers"], dealers_own()["reply_answers"]);
}

async fn an_english_customer_is_read_in_english_first(app: TestApp) {
    // In Indonesian "OK" asks for another time here (taken from the shipped confirming
    // words, with no list of its own for confirming); in English it still confirms.
    let s = set_up_with(
        &app,
        json!({
            "reply_words": [
                {"locale": "id", "intent": "change", "words": ["2", "OK"]}
            ],
            "reply_answers": [
                {"kind": "confirmed", "locale": "en", "text": "Confirmed for {when}, {customer_name}."}
            ]
        }),
    )
    .await;
    let r = reply(&app, &s, "wamid.25", "ok").await;
    assert_eq!(r.expect(200)["intent"], "change");
    app.call(Method::PATCH, &format!("/v1/customers/{}", s.d.customer))
        .json(json!({"locale": "en"}))
        .send()
        .await
        .expect(200);
    let r = reply(&app, &s, "wamid.26", "ok").await;
    assert_eq!(r.expect(200)["intent"], "confirm");
    let said = answers(&app, &s.appointment);
    assert_eq!(
        said[1],
        "Confirmed for Monday, 30 November 2026, 09:00 WIB, Budi Santoso."
    );
}

async fn bad_reply_words_or_answers_are_refused_and_nothing_is_written(app: TestApp) {
    let s = set_up_with(&app, dealers_own()).await;
    let before = app.get("/v1/notification-settings").await;
    let before = before.expect(200).clone();
    let put = |extra: Value| {
        let mut body = json!({"gateway_url": before["gateway_url"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        app.call(Method::PUT, "/v1/notification-settings")
            .json(body)
            .send()
    };
    let words = |list: Value| json!({ "reply_words": list });
    let cases = [
        (
            words(json!([{"locale": "id", "intent": "confirm", "words": ["ya dong"]}])),
            "invalid_value",
            "reply_words[0].words[0]",
        ),
        (
            words(json!([{"locale": "id", "intent": "confirm", "words": ["1", ""]}])),
            "invalid_value",
            "reply_words[0].words[1]",
        ),
        (
            words(json!([{"locale": "en", "intent": "cancel", "words": ["x".repeat(33)]}])),
            "invalid_value",
            "reply_words[0].words[0]",
        ),
        (
            // "ok" in two of the organization's own lists for Indonesian (a shipped
            // word it takes for another intent is simply taken).
            words(json!([
                {"locale": "id", "intent": "confirm", "words": ["1", "OK"]},
                {"locale": "id", "intent": "change", "words": ["2", "ok"]}
            ])),
            "invalid_value",
            "reply_words[1].words[1]",
        ),
        (
            words(json!([{"locale": "id", "intent": "cancel", "words": ["stop", "STOP"]}])),
            "invalid_value",
            "reply_words[0].words[1]",
        ),
        (
            words(json!([
                {"locale": "id", "intent": "cancel", "words": ["3"]},
                {"locale": "id", "intent": "cancel", "words": ["batal"]}
            ])),
            "invalid_value",
            "reply_words[1].intent",
        ),
        (
            words(json!([{"locale": "id", "intent": "confirm",
                "words": (0..21).map(|i| format!("w{i}")).collect::<Vec<_>>()}])),
            "out_of_range",
            "reply_words[0].words",
        ),
        (
            json!({"reply_answers": [{"kind": "change", "locale": "id", "text": "Waktu: {waktu}"}]}),
            "unknown_placeholder",
            "reply_answers[0].text",
        ),
        (
            json!({"reply_answers": [{"kind": "cancel", "locale": "en", "text": "  "}]}),
            "required",
            "reply_answers[0].text",
        ),
        (
            json!({"reply_answers": [{"kind": "other", "locale": "en", "text": "x".repeat(1001)}]}),
            "too_long",
            "reply_answers[0].text",
        ),
        (
            json!({"reply_answers": [
                {"kind": "other", "locale": "en", "text": "a"},
                {"kind": "other", "locale": "en", "text": "b"}
            ]}),
            "invalid_value",
            "reply_answers[1].locale",
        ),
    ];
    for (body, code, field) in cases {
        let r = put(body.clone()).await;
        assert_eq!(r.problem(422, code)["field"], field, "{body}");
    }
    // `{times}` is an answer's placeholder, not a message's.
    let r =
        put(json!({"templates": [{"kind": "reminder", "locale": "id", "text": "{times}"}]})).await;
    assert_eq!(
        r.problem(422, "unknown_placeholder")["field"],
        "templates[0].text"
    );
    // "other" is no intent a word can ask for (everything else is): a body out of schema.
    let r = put(words(
        json!([{"locale": "id", "intent": "other", "words": ["x"]}]),
    ))
    .await;
    assert_eq!(
        r.problem(400, "invalid_field")["field"],
        "reply_words[0].intent"
    );
    let after = app.get("/v1/notification-settings").await;
    assert_eq!(
        after.expect(200),
        &before,
        "nothing of the refused saves was kept"
    );
    // And the dealer's word still confirms.
    let r = reply(&app, &s, "wamid.27", "SIAP").await;
    assert_eq!(r.expect(200)["intent"], "confirm");
}

fn setup_version(app: &TestApp) -> i64 {
    use janji::db::schema::organizations;
    let mut conn = app.state.db.pool().get().unwrap();
    organizations::table
        .find(&app.org_id)
        .select(organizations::setup_version)
        .first(&mut conn)
        .unwrap()
}

async fn new_words_move_the_settings_and_setup_versions_and_are_read_at_once(app: TestApp) {
    let s = set_up(&app).await;
    let r = reply(&app, &s, "wamid.30", "siap").await;
    assert_eq!(r.expect(200)["intent"], "other");
    let before = app.get("/v1/notification-settings").await;
    let (version, url) = {
        let b = before.expect(200);
        (b["version"].as_i64().unwrap(), b["gateway_url"].clone())
    };
    let setup = setup_version(&app);
    let r = app
        .call(Method::PUT, "/v1/notification-settings")
        .header("if-match", &format!("\"{version}\""))
        .json(json!({
            "gateway_url": url,
            "reply_words": [{"locale": "id", "intent": "confirm", "words": ["SIAP"]}]
        }))
        .send()
        .await;
    assert_eq!(r.expect(200)["version"], version + 1);
    assert_eq!(
        r.header("etag"),
        Some(format!("\"{}\"", version + 1).as_str())
    );
    assert!(setup_version(&app) > setup, "the setup version moved");
    let r = reply(&app, &s, "wamid.31", "siap").await;
    assert_eq!(r.expect(200)["intent"], "confirm");
}
