//! Follow-ups, surveys and fee notices sent at their instants to a real gateway on
//! loopback; the "needs a call" flag raised by an unanswered follow-up or a failed
//! message, listed and cleared; reminder timing overridden per location and service; the
//! organization's templates rendered and checked.

use actix_web::http::Method;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::receiver::{Received, Receiver};
use janji::delivery::Dispatcher;
use janji::domain::{AppointmentStatus, MessageKind, MessageStatus};
use janji::repo::{appointments as rows, outbox};

on_both_backends!(
    an_unconfirmed_appointment_is_asked_again_then_flagged_for_a_call,
    a_confirmed_appointment_is_neither_asked_again_nor_flagged,
    a_move_plans_the_follow_up_again,
    a_no_show_is_followed_up_and_a_completion_sends_the_survey,
    a_fee_charged_is_told_in_the_customers_money,
    a_message_that_fails_flags_the_appointment,
    overrides_time_the_reminders_by_location_and_service,
    templates_are_rendered_and_checked,
    racing_calls_clear_a_flag_once,
    calls_racing_new_flags_leave_the_history_and_the_flag_agreeing,
);

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn dispatcher(app: &TestApp) -> Dispatcher {
    Dispatcher::new(app.state.db.clone(), app.state.secret_key.clone(), true)
}

/// Points the organization's gateway at the receiver, with more settings.
async fn gateway(app: &TestApp, rx: &Receiver, extra: Value) -> Value {
    let mut body = json!({ "gateway_url": rx.url });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let r = app
        .call(Method::PUT, "/v1/notification-settings")
        .json(body)
        .send()
        .await;
    r.expect(200).clone()
}

/// Follow-up after 12 hours of silence before, a call after 3.
fn follow_ups() -> Value {
    json!({"unconfirmed_follow_up_minutes": 720, "unconfirmed_call_minutes": 180})
}

async fn book(app: &TestApp, d: &Dealer, start: &str) -> String {
    let r = app.post("/v1/appointments", d.booking(start)).await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

async fn sent_at(app: &TestApp, rx: &Receiver, t: &str) -> Vec<Received> {
    dispatcher(app).dispatch_due(at(t)).await.unwrap();
    rx.take()
}

fn kinds(received: &[Received]) -> Vec<String> {
    let mut k: Vec<String> = received
        .iter()
        .map(|m| m.json["kind"].as_str().unwrap().to_owned())
        .collect();
    k.sort();
    k
}

fn text(m: &Received) -> &str {
    m.json["text"].as_str().unwrap()
}

fn messages(app: &TestApp, appointment: &str) -> Vec<outbox::MessageRow> {
    let mut conn = app.state.db.pool().get().unwrap();
    outbox::of_appointment(&mut conn, &app.org_id, appointment).unwrap()
}

async fn needs_call(app: &TestApp, id: &str) -> Value {
    let r = app.get(&format!("/v1/appointments/{id}")).await;
    r.expect(200)["needs_call"].clone()
}

async fn events_of(app: &TestApp, id: &str, kind: &str) -> Vec<Value> {
    let r = app.get(&format!("/v1/appointments/{id}/events")).await;
    r.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == kind)
        .cloned()
        .collect()
}

async fn listed(app: &TestApp, query: &str) -> Vec<String> {
    let r = app.get(&format!("/v1/appointments?{query}")).await;
    r.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn an_unconfirmed_appointment_is_asked_again_then_flagged_for_a_call(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let saved = gateway(&app, &rx, follow_ups()).await;
    assert_eq!(saved["unconfirmed_follow_up_minutes"], 720);
    assert_eq!(saved["unconfirmed_call_minutes"], 180);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let other = book(&app, &d, "2026-12-01T09:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-29T09:00:00+07:00").await;

    // Twelve hours before 09:00, not a second early.
    assert!(
        sent_at(&app, &rx, "2026-11-29T20:59:59+07:00")
            .await
            .is_empty()
    );
    let asked = sent_at(&app, &rx, "2026-11-29T21:00:00+07:00").await;
    assert_eq!(kinds(&asked), ["unconfirmed_follow_up"]);
    assert!(
        text(&asked[0]).contains("belum dikonfirmasi"),
        "{}",
        text(&asked[0])
    );
    assert!(text(&asked[0]).contains("Senin, 30 November 2026, 09.00 WIB"));
    assert_eq!(needs_call(&app, &id).await, Value::Null);

    // Three hours before, still silent: flagged (nothing is sent for it).
    assert!(
        sent_at(&app, &rx, "2026-11-30T05:59:59+07:00")
            .await
            .is_empty()
    );
    assert_eq!(needs_call(&app, &id).await, Value::Null);
    assert!(
        sent_at(&app, &rx, "2026-11-30T06:00:00+07:00")
            .await
            .is_empty()
    );
    let flag = needs_call(&app, &id).await;
    assert_eq!(flag["reason"], "unconfirmed");
    assert_eq!(flag["since"], "2026-11-29T23:00:00Z");
    assert_eq!(events_of(&app, &id, "flagged_for_call").await.len(), 1);

    // The worklist.
    assert_eq!(listed(&app, "needs_call=true").await, [id.as_str()]);
    assert_eq!(listed(&app, "needs_call=false").await, [other.as_str()]);
    app.get("/v1/appointments?needs_call=maybe")
        .await
        .expect(400);

    // Cleared with a note; once.
    let path = format!("/v1/appointments/{id}/call");
    let r = app.post(&path, json!({"note": "  "})).await;
    assert_eq!(r.problem(422, "required")["field"], "note");
    let r = app.post(&path, json!({})).await;
    assert_eq!(r.problem(400, "invalid_field")["field"], "note");
    let r = app
        .post(&path, json!({"note": "Budi datang, sudah ditelepon"}))
        .await;
    assert_eq!(r.expect(200)["needs_call"], Value::Null);
    assert_eq!(r.body["version"], 1, "the flag is no part of the version");
    app.post(&path, json!({"note": "lagi"}))
        .await
        .problem(409, "no_call_needed");
    let calls = events_of(&app, &id, "call_recorded").await;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0]["note"], "Budi datang, sudah ditelepon");
    assert!(listed(&app, "needs_call=true").await.is_empty());
    let nobody = "0199b1f0-0000-7000-8000-000000000000";
    app.post(
        &format!("/v1/appointments/{nobody}/call"),
        json!({"note": "x"}),
    )
    .await
    .problem(404, "not_found");
}

async fn a_confirmed_appointment_is_neither_asked_again_nor_flagged(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, follow_ups()).await;
    let confirmed = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let left = book(&app, &d, "2026-11-30T13:00:00+07:00").await;
    app.post(&format!("/v1/appointments/{confirmed}/confirm"), json!({}))
        .await
        .expect(200);
    // The follow-up was cancelled with the confirmation; the reminders stay.
    let of = |id: &str, kind: MessageKind| {
        messages(&app, id)
            .into_iter()
            .filter(|m| m.kind == kind)
            .map(|m| m.status)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        of(&confirmed, MessageKind::UnconfirmedFollowUp),
        [MessageStatus::Cancelled]
    );
    assert!(
        of(&confirmed, MessageKind::Reminder)
            .iter()
            .all(|s| *s == MessageStatus::Pending)
    );
    // The other is confirmed behind the use cases' back: its follow-up row is left
    // pending, and the dispatcher must look at the appointment as it is.
    {
        let mut conn = app.state.db.pool().get().unwrap();
        let mut row = rows::get(&mut conn, &app.org_id, &left).unwrap();
        row.status = AppointmentStatus::Confirmed;
        row.version += 1;
        rows::save_status(&mut conn, &row, 1).unwrap();
    }
    assert_eq!(
        of(&left, MessageKind::UnconfirmedFollowUp),
        [MessageStatus::Pending]
    );
    sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-29T13:00:00+07:00").await;
    let evening = sent_at(&app, &rx, "2026-11-30T01:00:00+07:00").await;
    assert!(
        kinds(&evening).iter().all(|k| k != "unconfirmed_follow_up"),
        "{:?}",
        kinds(&evening)
    );
    assert_eq!(
        of(&left, MessageKind::UnconfirmedFollowUp),
        [MessageStatus::Cancelled]
    );
    sent_at(&app, &rx, "2026-11-30T12:00:00+07:00").await;
    assert_eq!(needs_call(&app, &confirmed).await, Value::Null);
    assert_eq!(needs_call(&app, &left).await, Value::Null);
}

async fn a_move_plans_the_follow_up_again(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, follow_ups()).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.post(
        &format!("/v1/appointments/{id}/reschedule"),
        json!({"start": "2026-12-02T13:00:00+07:00", "reason_category": "schedule_change"}),
    )
    .await
    .expect(200);
    sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    // Nothing at the old time: neither the follow-up nor the flag.
    let old = sent_at(&app, &rx, "2026-11-30T06:00:00+07:00").await;
    assert!(
        kinds(&old).iter().all(|k| k == "reminder"),
        "{:?}",
        kinds(&old)
    );
    assert_eq!(needs_call(&app, &id).await, Value::Null);
    sent_at(&app, &rx, "2026-12-02T00:59:59+07:00").await;
    let asked = sent_at(&app, &rx, "2026-12-02T01:00:00+07:00").await;
    assert_eq!(kinds(&asked), ["unconfirmed_follow_up"]);
    assert!(text(&asked[0]).contains("Rabu, 2 Desember 2026, 13.00 WIB"));
    sent_at(&app, &rx, "2026-12-02T10:00:00+07:00").await;
    assert_eq!(needs_call(&app, &id).await["reason"], "unconfirmed");
}

async fn a_no_show_is_followed_up_and_a_completion_sends_the_survey(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({})).await;
    let missed = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let done = book(&app, &d, "2026-11-30T13:00:00+07:00").await;
    let surveyed = book(&app, &d, "2026-11-30T14:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-29T14:00:00+07:00").await;

    app.clock.set(at("2026-11-30T09:20:00+07:00"));
    app.post(&format!("/v1/appointments/{missed}/no-show"), json!({}))
        .await
        .expect(200);
    assert!(
        sent_at(&app, &rx, "2026-11-30T09:19:59+07:00")
            .await
            .iter()
            .all(|m| m.json["kind"] != "no_show_follow_up")
    );
    let sorry = sent_at(&app, &rx, "2026-11-30T09:20:00+07:00").await;
    assert_eq!(kinds(&sorry), ["no_show_follow_up"]);
    assert!(
        text(&sorry[0]).contains("tidak bertemu"),
        "{}",
        text(&sorry[0])
    );

    // No survey URL: no survey.
    sent_at(&app, &rx, "2026-11-30T12:00:00+07:00").await;
    app.clock.set(at("2026-11-30T13:00:00+07:00"));
    for step in ["check-in", "complete"] {
        app.post(&format!("/v1/appointments/{done}/{step}"), json!({}))
            .await
            .expect(200);
    }
    assert!(
        sent_at(&app, &rx, "2026-11-30T13:00:00+07:00")
            .await
            .is_empty()
    );

    gateway(
        &app,
        &rx,
        json!({"survey_url": "https://survei.sinarmotor.example/servis"}),
    )
    .await;
    app.clock.set(at("2026-11-30T14:05:00+07:00"));
    for step in ["check-in", "complete"] {
        app.post(&format!("/v1/appointments/{surveyed}/{step}"), json!({}))
            .await
            .expect(200);
    }
    let survey = sent_at(&app, &rx, "2026-11-30T14:05:00+07:00").await;
    assert_eq!(kinds(&survey), ["survey"]);
    assert!(
        text(&survey[0]).contains("https://survei.sinarmotor.example/servis"),
        "{}",
        text(&survey[0])
    );
    // Worth a day after, not more.
    let m = messages(&app, &surveyed)
        .into_iter()
        .find(|m| m.kind == MessageKind::Survey)
        .unwrap();
    assert_eq!(
        m.expires_at.unwrap().and_utc(),
        at("2026-11-30T14:05:00+07:00") + Duration::days(1)
    );
}

async fn a_fee_charged_is_told_in_the_customers_money(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({})).await;
    app.post("/v1/policies", crate::policies::sinar())
        .await
        .expect(201);
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-29T10:00:00+07:00").await;
    let path = format!("/v1/appointments/{id}/reschedule");
    let to = "2026-11-30T14:00:00+07:00";
    let q = app
        .post(
            &format!("{path}-quote"),
            json!({"start": to, "reason_category": "illness"}),
        )
        .await;
    let fee = q.expect(200)["fee"].clone();
    app.post(
        &path,
        json!({"start": to, "reason_category": "illness", "accepted_fee": fee}),
    )
    .await
    .expect(200);
    let now = sent_at(&app, &rx, "2026-11-29T10:00:00+07:00").await;
    assert_eq!(kinds(&now), ["fee_notice", "rescheduled"]);
    let notice = now.iter().find(|m| m.json["kind"] == "fee_notice").unwrap();
    assert!(text(notice).contains("Rp150.000"), "{}", text(notice));
    assert!(text(notice).contains("14.00 WIB"), "{}", text(notice));
}

async fn a_message_that_fails_flags_the_appointment(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, json!({})).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    rx.answer_with(&[503; 20]);
    let mut t = at("2026-11-23T10:00:00+07:00");
    loop {
        dispatcher(&app).dispatch_due(t).await.unwrap();
        let m = messages(&app, &id)
            .into_iter()
            .find(|m| m.kind == MessageKind::BookingConfirmation)
            .unwrap();
        if m.status != MessageStatus::Pending {
            assert_eq!(m.status, MessageStatus::Failed);
            break;
        }
        assert_eq!(
            needs_call(&app, &id).await,
            Value::Null,
            "not before the last"
        );
        t = m.next_attempt_at.and_utc();
    }
    let flag = needs_call(&app, &id).await;
    assert_eq!(flag["reason"], "message_failed");
    assert_eq!(at(flag["since"].as_str().unwrap()), t);
    let flagged = events_of(&app, &id, "flagged_for_call").await;
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["details"]["reason"], "message_failed");
    assert_eq!(listed(&app, "needs_call=true").await, [id]);
}

async fn overrides_time_the_reminders_by_location_and_service(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let saved = gateway(
        &app,
        &rx,
        json!({
            "reminder_offsets_minutes": [1440],
            "overrides": [
                {"location_id": d.location, "reminder_offsets_minutes": [180]},
                {"service_id": d.oil, "reminder_offsets_minutes": [60], "quiet_hours": null},
            ]
        }),
    )
    .await;
    assert_eq!(
        saved["overrides"][0]["reminder_offsets_minutes"],
        json!([180])
    );
    assert_eq!(saved["overrides"][1]["quiet_hours"], Value::Null);
    assert!(saved["overrides"][0].get("quiet_hours").is_none(), "kept");
    let read = app.get("/v1/notification-settings").await;
    assert_eq!(read.expect(200)["overrides"], saved["overrides"]);

    let servis = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let mut oil = d.booking("2026-11-30T13:00:00+07:00");
    oil["service_id"] = json!(d.oil);
    let oil = app.post("/v1/appointments", oil).await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reminders = |id: &str| {
        messages(&app, id)
            .into_iter()
            .filter(|m| m.kind == MessageKind::Reminder)
            .map(|m| m.due_at.and_utc())
            .collect::<Vec<_>>()
    };
    // The location's three hours; for oil the service's hour (more specific).
    assert_eq!(reminders(&servis), [at("2026-11-30T06:00:00+07:00")]);
    assert_eq!(reminders(&oil), [at("2026-11-30T12:00:00+07:00")]);
    sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    assert!(
        sent_at(&app, &rx, "2026-11-30T05:59:59+07:00")
            .await
            .is_empty()
    );
    assert_eq!(
        kinds(&sent_at(&app, &rx, "2026-11-30T06:00:00+07:00").await),
        ["reminder"]
    );

    // An override names the organization's own location, or nothing at all.
    let bad = |overrides: Value| {
        app.call(Method::PUT, "/v1/notification-settings")
            .json(json!({"gateway_url": rx.url, "overrides": overrides}))
            .send()
    };
    let nobody = "0199b1f0-0000-7000-8000-000000000000";
    let r = bad(json!([{"location_id": nobody}])).await;
    assert_eq!(
        r.problem(422, "location_not_found")["field"],
        "overrides[0].location_id"
    );
    let r = bad(json!([{"service_id": d.oil}, {"reminder_offsets_minutes": [5]}])).await;
    assert_eq!(
        r.problem(422, "required")["field"],
        "overrides[1].location_id"
    );
    let r = bad(json!([{"service_id": d.oil, "catch_up_minutes": 5000}])).await;
    assert_eq!(
        r.problem(422, "out_of_range")["field"],
        "overrides[0].catch_up_minutes"
    );
    let r =
        bad(json!([{"service_id": d.oil, "quiet_hours": {"start": "21:00", "end": "7"}}])).await;
    assert_eq!(
        r.problem(422, "invalid_time_of_day")["field"],
        "overrides[0].quiet_hours.end"
    );
    let r = bad(json!([{"service_id": d.oil}, {"service_id": d.oil}])).await;
    assert_eq!(r.problem(422, "invalid_value")["field"], "overrides[1]");
    let r = app
        .call(Method::PUT, "/v1/notification-settings")
        .json(json!({"gateway_url": rx.url, "unconfirmed_call_minutes": 60}))
        .send()
        .await;
    assert_eq!(
        r.problem(422, "out_of_range")["field"],
        "unconfirmed_call_minutes"
    );
}

async fn templates_are_rendered_and_checked(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    let words = "Hai {customer_name}! {service} di {location}, {when}.{link}";
    let saved = gateway(
        &app,
        &rx,
        json!({"templates": [{"kind": "reminder", "locale": "id", "text": words}]}),
    )
    .await;
    assert_eq!(saved["templates"][0]["text"], words);
    book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let shipped = sent_at(&app, &rx, "2026-11-23T10:00:00+07:00").await;
    assert!(
        text(&shipped[0]).starts_with("Halo Budi Santoso"),
        "the shipped words"
    );
    let reminder = sent_at(&app, &rx, "2026-11-29T09:00:00+07:00").await;
    // The customer's link is written in where the template says `{link}`.
    let sent = text(&reminder[0]);
    let (said, link) = sent.split_at(sent.find("http").expect("a link"));
    assert_eq!(
        said,
        "Hai Budi Santoso! Servis berkala di Sinar Motor Kemayoran, Senin, 30 November 2026, 09.00 WIB."
    );
    assert!(link.starts_with("http://127.0.0.1:8080/a/"), "{link}");
    assert_eq!(reminder[0].json["link"], link);

    let put = |templates: Value| {
        app.call(Method::PUT, "/v1/notification-settings")
            .json(json!({"gateway_url": rx.url, "templates": templates}))
            .send()
    };
    let r = put(json!([
        {"kind": "reminder", "locale": "en", "text": "Hi {customer_name}"},
        {"kind": "survey", "locale": "id", "text": "Halo {nama}, {survey_url}"}
    ]))
    .await;
    let p = r.problem(422, "unknown_placeholder");
    assert_eq!(p["field"], "templates[1].text");
    assert!(p["detail"].as_str().unwrap().contains("{nama}"), "{p}");
    let r = put(json!([{"kind": "reply_answer", "locale": "id", "text": "Halo"}])).await;
    assert_eq!(
        r.problem(422, "invalid_value")["field"],
        "templates[0].kind"
    );
    let r = put(json!([{"kind": "reminder", "locale": "id", "text": ""}])).await;
    assert_eq!(r.problem(422, "required")["field"], "templates[0].text");
    let r = put(json!([
        {"kind": "reminder", "locale": "id", "text": "a"},
        {"kind": "reminder", "locale": "id", "text": "b"}
    ]))
    .await;
    assert_eq!(
        r.problem(422, "invalid_value")["field"],
        "templates[1].locale"
    );
    let r = put(json!([{"kind": "reminder", "locale": "id", "text": "x".repeat(1001)}])).await;
    assert_eq!(r.problem(422, "too_long")["field"], "templates[0].text");
    // Nothing of the refused saves was kept.
    let read = app.get("/v1/notification-settings").await;
    assert_eq!(read.expect(200)["templates"][0]["text"], words);
}

/// Ten staff record a call on one flag at once: the flag is deleted by exactly one
/// statement, so one call is recorded and nine find nothing to clear.
async fn racing_calls_clear_a_flag_once(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    gateway(&app, &rx, follow_ups()).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    sent_at(&app, &rx, "2026-11-30T06:00:00+07:00").await;
    assert_eq!(needs_call(&app, &id).await["reason"], "unconfirmed");
    let path = format!("/v1/appointments/{id}/call");
    let calls: Vec<_> = (0..10)
        .map(|i| {
            app.call(Method::POST, &path)
                .json(json!({ "note": format!("call {i}") }))
                .send()
        })
        .collect();
    let answers = futures_util::future::join_all(calls).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        9,
        "{statuses:?}"
    );
    assert_eq!(events_of(&app, &id, "call_recorded").await.len(), 1);
    assert_eq!(needs_call(&app, &id).await, Value::Null);
}

/// Staff record calls while failed messages raise new flags on the same appointment, ten
/// of each at once, five rounds: whatever the order, every `flagged_for_call` is either
/// answered by one `call_recorded` or is the flag still standing.
async fn calls_racing_new_flags_leave_the_history_and_the_flag_agreeing(app: TestApp) {
    let d = dealer(&app).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = format!("/v1/appointments/{id}/call");
    for round in 0..5 {
        let raises = (0..10).map(|_| {
            let (org, id) = (app.org_id.clone(), id.clone());
            let now = at("2026-11-23T10:00:00+07:00") + Duration::minutes(round);
            app.state.db.write(move |c| {
                janji::app::calls::raise(
                    c,
                    &org,
                    &id,
                    janji::domain::CallReason::MessageFailed,
                    json!({}),
                    now,
                )
            })
        });
        let clears = (0..10).map(|i| {
            app.call(Method::POST, &path)
                .json(json!({ "note": format!("round {round}, call {i}") }))
                .send()
        });
        let (raised, cleared) = futures_util::future::join(
            futures_util::future::join_all(raises),
            futures_util::future::join_all(clears),
        )
        .await;
        assert!(raised.iter().all(|r| r.is_ok()), "{raised:?}");
        for r in &cleared {
            assert!(
                r.status == 200 || r.status == 409,
                "{} {:?}",
                r.status,
                r.body
            );
        }
    }
    let flagged = events_of(&app, &id, "flagged_for_call").await.len();
    let called = events_of(&app, &id, "call_recorded").await.len();
    let standing = usize::from(needs_call(&app, &id).await != Value::Null);
    // A round that starts unflagged flags at least once, so at least every other does.
    assert!(flagged >= 3, "{flagged}");
    assert_eq!(flagged, called + standing, "{flagged} {called} {standing}");
}
