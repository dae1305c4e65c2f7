//! A customer's self-service link: staff issue one, every message carries one, and the
//! JSON API under `/v1/self/{token}` acts on the one appointment it is bound to, under
//! the staff's own rules (docs/self-service.md).

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::{Resp, TestApp, count_rows};
use crate::on_both_backends;
use crate::policies::sinar;
use crate::receiver::Receiver;
use crate::reschedule::{at, book, idr};
use janji::delivery::Dispatcher;
use janji::domain::Role;
use janji::repo::outbox;

on_both_backends!(
    staff_issue_a_link_shown_once,
    a_link_shows_the_appointment_and_confirms_it_once,
    a_customer_moves_to_an_offered_time_for_the_fee_staff_would_charge,
    a_customer_cancels_and_the_link_dies,
    a_link_expires_after_the_end_plus_the_rebooking_window,
    a_link_reaches_its_own_appointment_only,
    after_a_no_show_the_link_rebooks,
    a_message_carries_a_working_link_the_outbox_does_not_hold,
    a_link_is_rate_limited,
    many_moves_racing_through_one_link_move_once_and_charge_once,
);

/// Issues a link to `appointment` with the admin key; returns its token.
pub async fn link(app: &TestApp, appointment: &str) -> String {
    let r = app
        .post(&format!("/v1/appointments/{appointment}/links"), json!({}))
        .await;
    r.expect(201)["token"].as_str().unwrap().to_owned()
}

async fn self_get(app: &TestApp, path: &str) -> Resp {
    app.call(Method::GET, path).no_key().send().await
}

async fn self_post(app: &TestApp, path: &str, body: Value) -> Resp {
    app.call(Method::POST, path)
        .no_key()
        .json(body)
        .send()
        .await
}

async fn staff_issue_a_link_shown_once(app: TestApp) {
    let d = dealer(&app).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = format!("/v1/appointments/{id}/links");
    let r = app
        .call(Method::POST, &path)
        .header("idempotency-key", "link-1")
        .send()
        .await;
    let body = r.expect(201).clone();
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.len(), 43);
    assert_eq!(
        body["url"],
        format!("http://127.0.0.1:8080/a/{token}").as_str()
    );
    assert_eq!(body["appointment_id"], id.as_str());
    // No policy: the link lives a day past the end.
    assert_eq!(
        at(body["expires_at"].as_str().unwrap()),
        at("2026-12-01T10:00:00+07:00")
    );
    // A replay answers the same link without its token: none is kept to show again.
    let replay = app
        .call(Method::POST, &path)
        .header("idempotency-key", "link-1")
        .send()
        .await;
    assert_eq!(replay.expect(201)["id"], body["id"]);
    assert!(replay.body.get("token").is_none() && replay.body.get("url").is_none());
    assert!(!String::from_utf8_lossy(&replay.bytes).contains(token));
    // Only the hash is stored.
    let mut conn = app.state.db.pool().get().unwrap();
    let stored: Vec<String> = {
        use diesel::prelude::*;
        janji::db::schema::customer_links::table
            .select(janji::db::schema::customer_links::token_hash)
            .load(&mut conn)
            .unwrap()
    };
    assert_eq!(stored, [janji::link_token::hash(token)]);
    // Integrations and staff may issue one too; an unknown appointment is 404.
    for role in [Role::Staff, Role::Integration] {
        let key = app.key(role);
        app.call(Method::POST, &path)
            .key(&key)
            .send()
            .await
            .expect(201);
    }
    app.post(
        "/v1/appointments/0190f3c4-0000-7000-8000-000000000000/links",
        json!({}),
    )
    .await
    .problem(404, "not_found");
}

async fn a_link_shows_the_appointment_and_confirms_it_once(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t = link(&app, &id).await;
    let r = self_get(&app, &format!("/v1/self/{t}")).await;
    let v = r.expect(200).clone();
    for (h, want) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-robots-tag", "noindex"),
    ] {
        assert_eq!(r.header(h), Some(want), "{h}");
    }
    assert_eq!(v["appointment_id"], id.as_str());
    assert_eq!(v["status"], "booked");
    assert_eq!(v["version"], 1);
    assert_eq!(v["when"], "Senin, 30 November 2026, 09.00 WIB");
    assert_eq!(v["local"]["zone"], "WIB");
    assert_eq!(v["service"]["name"], "Servis berkala");
    assert_eq!(v["location"]["name"], "Sinar Motor Kemayoran");
    assert_eq!(v["customer_name"], "Budi Santoso");
    assert_eq!(
        v["policy"]["text"]["id"],
        "Perubahan jadwal gratis dengan pemberitahuan 72 jam."
    );
    assert_eq!(v["cancel_fee"], idr(0));
    assert_eq!(
        (v["can_confirm"].clone(), v["can_cancel"].clone()),
        (json!(true), json!(true))
    );
    assert!(v.get("notes").is_none() && v.get("resources").is_none());

    let confirm = format!("/v1/self/{t}/confirm");
    self_post(&app, &confirm, json!({}))
        .await
        .problem(400, "invalid_field");
    let done = self_post(&app, &confirm, json!({"version": 1})).await;
    assert_eq!(done.expect(200)["status"], "confirmed");
    assert_eq!(done.header("etag"), Some("\"2\""));
    // The same request again (a retry, a double tap) changes nothing more.
    self_post(&app, &confirm, json!({"version": 1}))
        .await
        .problem(412, "version_mismatch");
    let history = app.get(&format!("/v1/appointments/{id}/events")).await;
    let confirmed: Vec<_> = history.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "confirmed")
        .collect();
    assert_eq!(confirmed.len(), 1);
    assert_eq!(
        confirmed[0]["actor"]["kind"], "customer_link",
        "{}",
        confirmed[0]
    );
    // Confirming a confirmed appointment is refused, not repeated.
    self_post(&app, &confirm, json!({"version": 2}))
        .await
        .problem(409, "invalid_transition");
}

async fn a_customer_moves_to_an_offered_time_for_the_fee_staff_would_charge(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t = link(&app, &id).await;
    // Friday 10:00, 71 h before: under the 72 h tier, IDR 50,000.
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let alts = self_get(&app, &format!("/v1/self/{t}/alternatives?limit=3")).await;
    let alts = alts.expect(200)["alternatives"].as_array().unwrap().clone();
    assert!(!alts.is_empty());
    let pick = alts[0].clone();
    assert_eq!(pick["fee"], idr(5_000_000), "{pick}");
    let start = pick["start"].as_str().unwrap();

    let wish = json!({"start": start, "reason_category": "schedule_change"});
    let q = self_post(
        &app,
        &format!("/v1/self/{t}/reschedule-quote"),
        wish.clone(),
    )
    .await;
    let q = q.expect(200).clone();
    assert_eq!(q["allowed"], true, "{q}");
    assert_eq!(q["fee"], idr(5_000_000));
    // Staff asking the same for the customer get the same answer.
    let staff = app
        .post(
            &format!("/v1/appointments/{id}/reschedule-quote"),
            wish.clone(),
        )
        .await;
    assert_eq!(staff.expect(200)["fee"], q["fee"]);

    // No override through a link: the field is unknown here.
    let mut with_override = wish.clone();
    with_override["version"] = json!(1);
    with_override["override"] = json!({"waive_fee": true, "note": "x"});
    self_post(&app, &format!("/v1/self/{t}/reschedule"), with_override)
        .await
        .problem(400, "unknown_field");
    // Accepting less than the quote changes nothing.
    let mut body = wish.clone();
    body["version"] = json!(1);
    body["accepted_fee"] = json!({"amount": 0, "currency": "IDR"});
    self_post(&app, &format!("/v1/self/{t}/reschedule"), body.clone())
        .await
        .problem(409, "fee_changed");
    body["accepted_fee"] = json!({"amount": 5_000_000, "currency": "IDR"});
    let moved = self_post(&app, &format!("/v1/self/{t}/reschedule"), body.clone()).await;
    let moved = moved.expect(200).clone();
    assert_eq!(at(moved["start"].as_str().unwrap()), at(start));
    assert_eq!(moved["version"], 2);
    assert_eq!(moved["fee"]["amount"], 5_000_000, "{moved}");
    // A replay moves nothing more and charges nothing more.
    self_post(&app, &format!("/v1/self/{t}/reschedule"), body)
        .await
        .problem(412, "version_mismatch");
    let fees = app.get("/v1/fees").await;
    assert_eq!(fees.expect(200)["items"].as_array().unwrap().len(), 1);
    // The link follows the appointment to its new time.
    let v = self_get(&app, &format!("/v1/self/{t}")).await;
    assert_eq!(at(v.expect(200)["start"].as_str().unwrap()), at(start));
}

async fn a_customer_cancels_and_the_link_dies(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t = link(&app, &id).await;
    let q = self_post(&app, &format!("/v1/self/{t}/cancel-quote"), json!({})).await;
    assert_eq!(q.expect(200)["allowed"], true);
    assert_eq!(q.body["fee"], idr(0));
    let cancel = format!("/v1/self/{t}/cancel");
    self_post(&app, &cancel, json!({"version": 7}))
        .await
        .problem(412, "version_mismatch");
    let done = self_post(
        &app,
        &cancel,
        json!({"version": 1, "reason_category": "illness", "reason_text": "demam"}),
    )
    .await;
    assert_eq!(done.expect(200)["status"], "cancelled");
    // Dead from now on: every operation, a replay of the cancel included.
    for r in [
        self_get(&app, &format!("/v1/self/{t}")).await,
        self_post(&app, &cancel, json!({"version": 1})).await,
        self_post(
            &app,
            &format!("/v1/self/{t}/confirm"),
            json!({"version": 2}),
        )
        .await,
    ] {
        r.problem(404, "not_found");
    }
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(a.expect(200)["cancel_reason"]["text"], "demam");
    // Nor can staff issue a link to it.
    app.post(&format!("/v1/appointments/{id}/links"), json!({}))
        .await
        .problem(409, "not_linkable");
}

async fn a_link_expires_after_the_end_plus_the_rebooking_window(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let r = app
        .post(&format!("/v1/appointments/{id}/links"), json!({}))
        .await;
    let t = r.expect(201)["token"].as_str().unwrap().to_owned();
    // The end (10:00) plus the policy's seven days to rebook a no-show.
    let expires = at("2026-12-07T10:00:00+07:00");
    assert_eq!(at(r.body["expires_at"].as_str().unwrap()), expires);
    app.clock.set(expires - chrono::Duration::seconds(1));
    self_get(&app, &format!("/v1/self/{t}")).await.expect(200);
    app.clock.set(expires);
    let gone = self_get(&app, &format!("/v1/self/{t}")).await;
    let unknown = self_get(&app, &format!("/v1/self/{}", "A".repeat(43))).await;
    let malformed = self_get(&app, "/v1/self/not-a-token").await;
    for r in [&gone, &unknown, &malformed] {
        r.problem(404, "not_found");
    }
    // Nothing tells an expired link from one that never was.
    assert_eq!(gone.body["detail"], unknown.body["detail"]);
    app.post(&format!("/v1/appointments/{id}/links"), json!({}))
        .await
        .problem(409, "not_linkable");
}

async fn a_link_reaches_its_own_appointment_only(app: TestApp) {
    let d = dealer(&app).await;
    let a = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let b = book(&app, &d, "2026-12-01T09:00:00+07:00").await;
    let (ta, tb) = (link(&app, &a).await, link(&app, &b).await);
    // Another organization's appointment and link.
    let (_, other_key) = app.other_org();
    let e = dealer_of_other(&app, &other_key).await;
    let tc = {
        let r = app
            .call(Method::POST, &format!("/v1/appointments/{e}/links"))
            .key(&other_key)
            .send()
            .await;
        r.expect(201)["token"].as_str().unwrap().to_owned()
    };
    for (t, want) in [(&ta, &a), (&tb, &b), (&tc, &e)] {
        let v = self_get(&app, &format!("/v1/self/{t}")).await;
        assert_eq!(v.expect(200)["appointment_id"], want.as_str());
    }
    // Acting through A's link changes A, never B, whatever the body says.
    let r = self_post(
        &app,
        &format!("/v1/self/{ta}/confirm"),
        json!({"version": 1, "appointment_id": b}),
    )
    .await;
    r.problem(400, "unknown_field");
    self_post(
        &app,
        &format!("/v1/self/{ta}/confirm"),
        json!({"version": 1}),
    )
    .await
    .expect(200);
    let vb = app.get(&format!("/v1/appointments/{b}")).await;
    assert_eq!(vb.expect(200)["status"], "booked");
    // Every operation refuses a wrong token the same way, and an API key opens nothing.
    let wrong = janji::link_token::random();
    let ops: Vec<(Method, String, Value)> = vec![
        (Method::GET, format!("/v1/self/{wrong}"), Value::Null),
        (
            Method::GET,
            format!("/v1/self/{wrong}/alternatives"),
            Value::Null,
        ),
        (
            Method::POST,
            format!("/v1/self/{wrong}/confirm"),
            json!({"version": 1}),
        ),
        (
            Method::POST,
            format!("/v1/self/{wrong}/reschedule-quote"),
            json!({"start": "2026-12-02T09:00:00+07:00"}),
        ),
        (
            Method::POST,
            format!("/v1/self/{wrong}/reschedule"),
            json!({"version": 1, "start": "2026-12-02T09:00:00+07:00"}),
        ),
        (
            Method::POST,
            format!("/v1/self/{wrong}/cancel-quote"),
            json!({}),
        ),
        (
            Method::POST,
            format!("/v1/self/{wrong}/cancel"),
            json!({"version": 1}),
        ),
    ];
    for (m, path, body) in ops {
        let mut call = app.call(m.clone(), &path);
        if !body.is_null() {
            call = call.json(body);
        }
        call.send().await.problem(404, "not_found");
    }
}

/// An appointment in the other organization (its own dealer set-up, minimal).
async fn dealer_of_other(app: &TestApp, key: &str) -> String {
    let post =
        |path: &'static str, body: Value| app.call(Method::POST, path).key(key).json(body).send();
    let day = json!([{"start": "08:00", "end": "16:00"}]);
    let loc = post(
        "/v1/locations",
        json!({"name": "Lain", "time_zone": "Asia/Jakarta",
               "weekly_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}}),
    )
    .await;
    let loc = loc.expect(201)["id"].as_str().unwrap().to_owned();
    post(
        "/v1/resources",
        json!({"location_id": loc, "name": "Bay", "kind": "service_bay"}),
    )
    .await
    .expect(201);
    let svc = post(
        "/v1/services",
        json!({"name": "Oli", "duration_minutes": 30, "resource_kinds": ["service_bay"]}),
    )
    .await;
    let svc = svc.expect(201)["id"].as_str().unwrap().to_owned();
    let booked = post(
        "/v1/appointments",
        json!({"location_id": loc, "service_id": svc, "start": "2026-11-30T09:00:00+07:00",
               "customer": {"name": "Sari", "phone": "+6281298765432"}}),
    )
    .await;
    booked.expect(201)["id"].as_str().unwrap().to_owned()
}

async fn after_a_no_show_the_link_rebooks(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t = link(&app, &id).await;
    app.clock.set(at("2026-11-30T11:00:00+07:00"));
    app.post(&format!("/v1/appointments/{id}/no-show"), json!({}))
        .await
        .expect(200);
    let v = self_get(&app, &format!("/v1/self/{t}")).await;
    let v = v.expect(200).clone();
    assert_eq!(v["status"], "no_show");
    assert_eq!(
        (v["can_reschedule"].clone(), v["can_cancel"].clone()),
        (json!(true), json!(false))
    );
    let alts = self_get(&app, &format!("/v1/self/{t}/alternatives?limit=1")).await;
    let pick = alts.expect(200)["alternatives"][0].clone();
    assert_eq!(pick["fee"], idr(5_000_000), "{pick}");
    let body = json!({"version": v["version"], "start": pick["start"], "reason_category": "forgot",
                      "accepted_fee": {"amount": 5_000_000, "currency": "IDR"}});
    let moved = self_post(&app, &format!("/v1/self/{t}/reschedule"), body).await;
    assert_eq!(moved.expect(200)["status"], "booked");
}

async fn a_message_carries_a_working_link_the_outbox_does_not_hold(app: TestApp) {
    let (d, rx) = (dealer(&app).await, Receiver::start().await);
    app.call(Method::PUT, "/v1/notification-settings")
        .json(json!({ "gateway_url": rx.url }))
        .send()
        .await
        .expect(200);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let dispatcher = Dispatcher::new(app.state.db.clone(), app.state.secret_key.clone(), true)
        .with_public_url("https://janji.example/");
    dispatcher
        .dispatch_due(at("2026-11-23T10:00:00+07:00"))
        .await
        .unwrap();
    let sent = rx.take();
    assert_eq!(sent.len(), 1);
    let m = &sent[0].json;
    let url = m["link"].as_str().expect("a link");
    let token = url.strip_prefix("https://janji.example/a/").expect(url);
    assert!(m["text"].as_str().unwrap().ends_with(url), "{}", m["text"]);
    // It opens the appointment.
    let v = self_get(&app, &format!("/v1/self/{token}")).await;
    assert_eq!(v.expect(200)["appointment_id"], id.as_str());
    // Nothing at rest holds the token: the outbox keeps a marker, the link row a hash.
    let mut conn = app.state.db.pool().get().unwrap();
    let rows = outbox::of_appointment(&mut conn, &app.org_id, &id).unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(!row.payload.contains(token), "{}", row.payload);
        assert!(
            row.payload.contains("\"link\":\"{link}\""),
            "{}",
            row.payload
        );
    }
    assert_eq!(count_rows(&app, "customer_links"), rows.len() as i64);
    // A retry carries the same link.
    assert_eq!(
        dispatcher_token(&app, &rows[0].id),
        token,
        "derived from the message id and the server key"
    );
}

fn dispatcher_token(app: &TestApp, message_id: &str) -> String {
    janji::link_token::MessageLinks::new(app.state.secret_key.clone()).token(message_id)
}

async fn a_link_is_rate_limited(app: TestApp) {
    let d = dealer(&app).await;
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t = link(&app, &id).await;
    for _ in 0..30 {
        self_get(&app, &format!("/v1/self/{t}")).await.expect(200);
    }
    let r = self_get(&app, &format!("/v1/self/{t}")).await;
    r.problem(429, "too_many_requests");
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    // Another link has its own bucket.
    let other = link(&app, &id).await;
    self_get(&app, &format!("/v1/self/{other}"))
        .await
        .expect(200);
    // Guessing tokens from one address runs into that address's limit.
    let mut limited = false;
    for _ in 0..120 {
        let r = self_get(&app, &format!("/v1/self/{}", janji::link_token::random())).await;
        if r.status == 429 {
            limited = true;
            break;
        }
        r.problem(404, "not_found");
    }
    assert!(limited, "the address's bucket runs out");
}

/// Twelve moves through one link at once, all with the version read before: one moves
/// the appointment and charges its fee; the others change nothing.
async fn many_moves_racing_through_one_link_move_once_and_charge_once(app: TestApp) {
    let d: Dealer = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let t = link(&app, &id).await;
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let alts = self_get(&app, &format!("/v1/self/{t}/alternatives?limit=4")).await;
    let alts = alts.expect(200)["alternatives"].as_array().unwrap().clone();
    let path = format!("/v1/self/{t}/reschedule");
    let moves: Vec<_> = (0..12)
        .map(|i| {
            let pick = &alts[i % alts.len()];
            self_post(
                &app,
                &path,
                json!({"version": 1, "start": pick["start"], "reason_category": "schedule_change",
                       "accepted_fee": {"amount": pick["fee"]["amount"], "currency": "IDR"}}),
            )
        })
        .collect();
    let answers = join_all(moves).await;
    let won = answers.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        won,
        1,
        "{:?}",
        answers
            .iter()
            .map(|r| (r.status, r.body["code"].clone()))
            .collect::<Vec<_>>()
    );
    for r in answers.iter().filter(|r| r.status != 200) {
        r.problem(412, "version_mismatch");
    }
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(a.expect(200)["version"], 2);
    let fees = app.get("/v1/fees").await;
    assert_eq!(fees.expect(200)["items"].as_array().unwrap().len(), 1);
}
