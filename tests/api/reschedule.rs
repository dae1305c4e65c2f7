//! Moving appointments under a policy: the week at the front desk from the design story,
//! the notice boundary, bad input, and races.

use actix_web::http::Method;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::policies::sinar;
use janji::domain::Role;

on_both_backends!(
    the_week_at_the_front_desk,
    notice_is_exact_to_the_second,
    bad_reschedules_are_refused_and_write_nothing,
    one_of_many_racing_moves_with_one_version_wins,
    one_of_many_appointments_racing_into_one_slot_wins,
    times_to_move_to_carry_their_fee_and_distance,
);

pub fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
}

pub async fn book(app: &TestApp, d: &Dealer, start: &str) -> String {
    app.post("/v1/appointments", d.booking(start))
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An amount of rupiah as a response carries it (the test organization reads Indonesian).
pub fn idr(amount: i64) -> Value {
    let currency = janji::domain::Currency::parse("currency", "IDR").unwrap();
    let display =
        janji::domain::money_display::display(amount, currency, janji::domain::Locale::Id);
    json!({"amount": amount, "currency": "IDR", "display": display})
}

/// Sinar Motor's week (DESIGN.md): free with 72 h notice, IDR 50,000 with 24 h, IDR
/// 150,000 below; 2 moves per appointment, 3 per customer in 90 days; reason required;
/// a no-show may rebook within 7 days for IDR 50,000.
async fn the_week_at_the_front_desk(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let integration = app.key(Role::Integration);
    let staff = app.key(Role::Staff);

    // Tuesday: Budi books Monday 09:00 through the WhatsApp bot.
    let booked = app
        .call(Method::POST, "/v1/appointments")
        .key(&integration)
        .json(d.booking("2026-11-30T09:00:00+07:00"))
        .send()
        .await;
    let id = booked.expect(201)["id"].as_str().unwrap().to_owned();
    let andi = booked.body["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "service_advisor")
        .unwrap()["id"]
        .clone();
    let path = |a: &str| format!("/v1/appointments/{id}/{a}");

    // Friday 10:00, 71 h before: a later time costs IDR 50,000 (under the 72 h tier).
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let to_13 = json!({"start": "2026-11-30T13:00:00+07:00", "reason_category": "schedule_change"});
    let q = app.post(&path("reschedule-quote"), to_13.clone()).await;
    let q = q.expect(200);
    assert_eq!(q["allowed"], true, "{q}");
    assert_eq!(q["fee"], idr(5_000_000));
    assert_eq!(
        q["fee_rule"],
        json!({"kind": "tier", "tier_index": 1, "notice_at_least_minutes": 1440})
    );
    assert_eq!(q["notice_minutes"], 71 * 60);
    assert_eq!(
        q["remaining_reschedules"],
        json!({"appointment": 2, "customer": 3})
    );
    assert_eq!(
        at(q["valid_until"].as_str().unwrap()),
        at("2026-11-29T09:00:00+07:00"),
        "the fee rises when the 24 h tier passes"
    );
    assert!(
        q["resources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == andi),
        "the same advisor is kept"
    );
    assert_eq!(q["policy"]["source"], "organization");
    assert!(
        q["policy"]["text"]["id"]
            .as_str()
            .unwrap()
            .contains("72 jam")
    );

    // The quote lists every refusing rule: here only the missing reason.
    let no_reason = app
        .post(
            &path("reschedule-quote"),
            json!({"start": "2026-11-30T13:00:00+07:00"}),
        )
        .await;
    let no_reason = no_reason.expect(200);
    assert_eq!(no_reason["allowed"], false);
    assert_eq!(no_reason["refusals"][0]["code"], "reason_required");
    assert_eq!(
        no_reason["alternatives"],
        json!([]),
        "a reason, not another time, is what is missing"
    );

    // The client showed no fee: nothing changes, and the new quote comes back.
    let r = app.post(&path("reschedule"), to_13.clone()).await;
    let p = r.problem(409, "fee_changed");
    assert_eq!(p["data"]["quote"]["fee"], idr(5_000_000));
    assert_eq!(count_rows(&app, "fees"), 0);
    assert_eq!(count_rows(&app, "appointment_events"), 1);

    let mut commit = to_13.clone();
    commit["accepted_fee"] = idr(5_000_000);
    let r = app
        .call(Method::POST, &path("reschedule"))
        .key(&integration)
        .header("if-match", "\"1\"")
        .json(commit)
        .send()
        .await;
    let moved = r.expect(200).clone();
    assert_eq!(r.header("etag"), Some("\"2\""));
    assert_eq!(
        moved["appointment"]["local"]["start"],
        "2026-11-30T13:00:00+07:00"
    );
    assert_eq!(moved["appointment"]["version"], 2);
    let events = app.get(&path("events")).await;
    let resource_ids = &events.body["items"][1]["changes"]["resource_ids"];
    assert_eq!(
        resource_ids["old"], resource_ids["new"],
        "same bay and advisor"
    );
    assert_eq!(
        (
            moved["fee"]["amount"].as_i64(),
            moved["fee"]["status"].as_str(),
            moved["fee"]["kind"].as_str()
        ),
        (Some(5_000_000), Some("due"), Some("reschedule"))
    );
    // 09:00 is free again; 13:00 is held.
    let slots = app
        .get(&d.availability("2026-11-30T09:00:00+07:00", "2026-11-30T09:01:00+07:00"))
        .await;
    assert_eq!(slots.expect(200)["slots"].as_array().unwrap().len(), 1);

    // Monday 09:30: a move to Wednesday is late (IDR 150,000); staff waive it.
    app.clock.set(at("2026-11-30T09:30:00+07:00"));
    let to_wed = json!({"start": "2026-12-02T09:00:00+07:00", "reason_category": "urgent_matter"});
    let q = app.post(&path("reschedule-quote"), to_wed.clone()).await;
    let q = q.expect(200);
    assert_eq!(q["fee"], idr(15_000_000));
    assert_eq!(q["remaining_reschedules"]["appointment"], 1);
    let mut waived = to_wed.clone();
    waived["override"] = json!({"waive_fee": true, "note": "pelanggan setia, biaya dihapus"});
    app.call(Method::POST, &path("reschedule-quote"))
        .key(&integration)
        .json(waived.clone())
        .send()
        .await
        .problem(403, "override_not_allowed");
    let mut no_note = to_wed.clone();
    no_note["override"] = json!({"waive_fee": true, "note": " "});
    app.call(Method::POST, &path("reschedule"))
        .key(&staff)
        .json(no_note)
        .send()
        .await
        .problem(422, "note_required");
    let q = app
        .call(Method::POST, &path("reschedule-quote"))
        .key(&staff)
        .json(waived.clone())
        .send()
        .await;
    let q = q.expect(200);
    assert_eq!(
        (
            q["fee"].clone(),
            q["assessed_fee"].clone(),
            q["waived"].clone()
        ),
        (idr(0), idr(15_000_000), json!(true))
    );
    waived["accepted_fee"] = idr(0);
    let r = app
        .call(Method::POST, &path("reschedule"))
        .key(&staff)
        .json(waived)
        .send()
        .await;
    let moved = r.expect(200);
    assert_eq!(moved["fee"]["status"], "waived");
    assert_eq!(moved["fee"]["note"], "pelanggan setia, biaya dihapus");
    let events = app.get(&path("events")).await;
    let last = events.body["items"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["kind"], "rescheduled");
    assert_eq!(last["actor"]["role"], "staff");
    assert_eq!(last["reason_category"], "urgent_matter");
    assert_eq!(
        last["details"]["override"]["note"],
        "pelanggan setia, biaya dihapus"
    );
    assert_eq!(last["details"]["fee"]["status"], "waived");
    assert_eq!(last["details"]["moves"], 2);
    assert_eq!(
        last["changes"]["starts_at"]["new"].as_str().map(at),
        Some(at("2026-12-02T09:00:00+07:00"))
    );

    // Wednesday: Budi forgets; staff mark a no-show at 11:00 and he rebooks Thursday.
    app.clock.set(at("2026-12-02T11:00:00+07:00"));
    app.post(&path("no-show"), json!({})).await.expect(200);
    let thu = json!({"start": "2026-12-03T09:00:00+07:00", "reason_category": "forgot"});
    let q = app.post(&path("reschedule-quote"), thu.clone()).await;
    let q = q.expect(200);
    assert_eq!(q["allowed"], true, "{q}");
    assert_eq!(q["rebooking"], true);
    assert_eq!(q["fee"], idr(5_000_000));
    assert_eq!(q["fee_rule"]["kind"], "after_no_show");
    assert_eq!(
        q["remaining_reschedules"],
        json!({"appointment": 0, "customer": 1}),
        "the rebooking is outside the per-appointment limit, inside the customer's"
    );
    let alternatives = app.get(&path("alternatives")).await;
    let first = &alternatives.expect(200)["alternatives"][0];
    assert_eq!(first["fee"], idr(5_000_000));
    assert_eq!(first["allowed"], true);
    let mut rebook = thu.clone();
    rebook["accepted_fee"] = idr(5_000_000);
    let r = app.post(&path("reschedule"), rebook).await;
    let rebooked = r.expect(200);
    assert_eq!(rebooked["appointment"]["status"], "booked");
    assert_eq!(rebooked["fee"]["kind"], "rebooking");

    // A fourth move within 90 days is refused, with times staff could still offer.
    let q = app
        .post(
            &path("reschedule-quote"),
            json!({"start": "2026-12-04T09:00:00+07:00", "reason_category": "other"}),
        )
        .await;
    let q = q.expect(200);
    let codes: Vec<&str> = q["refusals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["reschedule_limit_reached", "customer_limit_reached"]
    );
    let offered = q["alternatives"].as_array().unwrap();
    assert!(!offered.is_empty());
    assert!(offered.iter().all(|a| a["allowed"] == false
        && a["refusals"] == json!(["reschedule_limit_reached", "customer_limit_reached"])));
    let r = app
        .post(
            &path("reschedule"),
            json!({"start": "2026-12-04T09:00:00+07:00", "reason_category": "other"}),
        )
        .await;
    let p = r.problem(409, "reschedule_limit_reached");
    assert_eq!(p["data"]["refusals"].as_array().unwrap().len(), 2);
    assert_eq!(p["data"]["quote"]["allowed"], false);
    assert!(!p["data"]["alternatives"].as_array().unwrap().is_empty());

    // The customer's history counts three moves; the ledger holds three fees.
    let c = app
        .get(&format!("/v1/customers/{}/appointments", d.customer))
        .await;
    assert_eq!(c.expect(200)["counts"]["rescheduled"], 3);
    let fees = app
        .get(&format!("/v1/fees?customer_id={}", d.customer))
        .await;
    let statuses: Vec<&str> = fees.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["due", "waived", "due"]);
}

/// A refuse-mode policy at exactly 24 h and at 24 h less one second.
async fn notice_is_exact_to_the_second(app: TestApp) {
    let d = dealer(&app).await;
    app.post(
        "/v1/policies",
        json!({"name": "Ketat", "reschedule": {"min_notice_minutes": 1440, "late_mode": "refuse"}}),
    )
    .await
    .expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let path = format!("/v1/appointments/{id}/reschedule");
    let body = json!({"start": "2026-11-30T14:00:00+07:00"});
    app.clock.set(at("2026-11-29T09:00:01+07:00"));
    let r = app.post(&path, body.clone()).await;
    let p = r.problem(409, "notice_too_short");
    assert_eq!(
        p["data"]["required_minutes"], 1440,
        "and the quote: {}",
        p["data"]["quote"]
    );
    assert_eq!(count_rows(&app, "appointment_events"), 1);
    app.clock.set(at("2026-11-29T09:00:00+07:00"));
    let q = app.post(&format!("{path}-quote"), body.clone()).await;
    let q = q.expect(200);
    assert_eq!(q["allowed"], true);
    assert_eq!(
        at(q["valid_until"].as_str().unwrap()),
        at("2026-11-29T09:00:00+07:00"),
        "allowed up to this very second"
    );
    let r = app.post(&path, body).await;
    assert_eq!(r.expect(200)["fee"], Value::Null);
}

async fn bad_reschedules_are_refused_and_write_nothing(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    // Both bays are taken at 13:00.
    let other = book(&app, &d, "2026-11-30T13:00:00+07:00").await;
    book(&app, &d, "2026-11-30T13:00:00+07:00").await;
    let path = format!("/v1/appointments/{id}/reschedule");
    let ok = json!({"start": "2026-11-30T14:00:00+07:00", "reason_category": "illness",
                    "accepted_fee": {"amount": 0, "currency": "IDR"}});
    let with = |k: &str, v: Value| {
        let mut b = ok.clone();
        b[k] = v;
        b
    };
    let cases = [
        (
            with("accepted_fee", json!({"amount": 0, "currency": "USD"})),
            422,
            "currency_mismatch",
            "accepted_fee.currency",
        ),
        (
            with("accepted_fee", json!({"amount": -1, "currency": "IDR"})),
            422,
            "negative_fee",
            "accepted_fee.amount",
        ),
        (
            with("accepted_fee", json!({"amount": 1.5, "currency": "IDR"})),
            400,
            "invalid_field",
            "accepted_fee.amount",
        ),
        (
            with("accepted_fee", json!({"amount": 0, "currency": "RUPIAH"})),
            422,
            "unknown_currency",
            "accepted_fee.currency",
        ),
        (
            with("reason_category", json!("bored")),
            400,
            "invalid_field",
            "reason_category",
        ),
        (
            with("start", json!("2026-11-30 14:00")),
            400,
            "invalid_field",
            "start",
        ),
        (
            with("start", json!("2026-11-30T09:00:00+07:00")),
            422,
            "same_start",
            "start",
        ),
        (
            with("start", json!("2026-11-30T13:00:00+07:00")),
            409,
            "slot_unavailable",
            "start",
        ),
        (
            with("start", json!("2026-11-30T07:00:00+07:00")),
            422,
            "outside_opening_hours",
            "start",
        ),
        (
            with("resource_id", json!(uuid::Uuid::now_v7())),
            422,
            "resource_not_found",
            "resource_id",
        ),
        (
            with("override", json!({"waive_fee": true, "note": "x"})),
            403,
            "override_not_allowed",
            "override",
        ),
    ];
    let integration = app.key(Role::Integration);
    for (body, status, code, field) in cases {
        let r = app
            .call(Method::POST, &path)
            .key(&integration)
            .json(body.clone())
            .send()
            .await;
        let p = r.problem(status, code);
        assert_eq!(p["field"], field, "{body}");
    }
    let r = app
        .call(Method::POST, &path)
        .header("if-match", "\"7\"")
        .json(ok.clone())
        .send()
        .await;
    r.problem(412, "version_mismatch");
    // Another organization's appointment is not found; a cancelled one does not move.
    let (_, stranger) = app.other_org();
    app.call(Method::POST, &path)
        .key(&stranger)
        .json(ok.clone())
        .send()
        .await
        .problem(404, "not_found");
    app.post(
        &format!("/v1/appointments/{other}/cancel"),
        json!({"reason_category": "other"}),
    )
    .await
    .expect(200);
    let r = app
        .post(&format!("/v1/appointments/{other}/reschedule"), ok.clone())
        .await;
    let p = r.problem(409, "not_reschedulable");
    assert_eq!(
        p["data"]["quote"]["valid_until"],
        Value::Null,
        "a cancelled appointment stays unmovable"
    );
    assert_eq!(count_rows(&app, "fees"), 0);
    assert_eq!(
        count_rows(&app, "appointment_events"),
        4,
        "three bookings, one cancel"
    );
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(a.expect(200)["version"], 1);
}

/// Twenty moves of one appointment, all sent with the version read before: one moves it,
/// the others are told the appointment changed. One event, one fee.
async fn one_of_many_racing_moves_with_one_version_wins(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-12-07T09:00:00+07:00").await;
    let path = format!("/v1/appointments/{id}/reschedule");
    let starts = [
        "2026-12-07T08:00:00+07:00",
        "2026-12-07T10:00:00+07:00",
        "2026-12-07T11:00:00+07:00",
        "2026-12-07T13:00:00+07:00",
        "2026-12-07T14:00:00+07:00",
        "2026-12-08T08:00:00+07:00",
        "2026-12-08T09:00:00+07:00",
        "2026-12-08T10:00:00+07:00",
        "2026-12-08T13:00:00+07:00",
        "2026-12-08T14:00:00+07:00",
    ];
    let requests = (0..20).map(|i| {
        app.call(Method::POST, &path)
            .header("if-match", "\"1\"")
            .json(json!({"start": starts[i % starts.len()], "reason_category": "schedule_change"}))
            .send()
    });
    let responses = join_all(requests).await;
    let won = responses.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        won,
        1,
        "{:?}",
        responses.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(
        responses
            .iter()
            .all(|r| r.status == 200 || (r.status == 412 && r.body["code"] == "version_mismatch"))
    );
    assert_eq!(count_rows(&app, "appointment_events"), 2);
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(a.expect(200)["version"], 2);
}

/// Ten appointments race to move into the one slot left with advisor Andi: one gets it.
async fn one_of_many_appointments_racing_into_one_slot_wins(app: TestApp) {
    let d = dealer(&app).await;
    let mut ids = vec![];
    for day in ["07", "08", "09", "10", "11"] {
        for hour in ["08", "09"] {
            ids.push(book(&app, &d, &format!("2026-12-{day}T{hour}:00:00+07:00")).await);
        }
    }
    let andi = &d.advisors[0];
    let requests = ids.iter().map(|id| {
        app.call(Method::POST, &format!("/v1/appointments/{id}/reschedule"))
            .json(json!({"start": "2026-12-14T10:00:00+07:00", "resource_id": andi}))
            .send()
    });
    let responses = join_all(requests).await;
    let won: Vec<_> = responses.iter().filter(|r| r.status == 200).collect();
    assert_eq!(
        won.len(),
        1,
        "{:?}",
        responses
            .iter()
            .map(|r| (r.status, r.body["code"].clone()))
            .collect::<Vec<_>>()
    );
    assert!(
        responses
            .iter()
            .all(|r| r.status == 200 || (r.status == 409 && r.body["code"] == "slot_unavailable"))
    );
    let held = app
        .get(&format!(
            "/v1/appointments?resource_id={andi}&from_date=2026-12-14&to_date=2026-12-14"
        ))
        .await;
    assert_eq!(held.expect(200)["items"].as_array().unwrap().len(), 1);
}

/// Slots and alternatives for moving an appointment carry the fee of moving there, and
/// the policy's maximum distance from the original time marks or bounds them.
async fn times_to_move_to_carry_their_fee_and_distance(app: TestApp) {
    let d = dealer(&app).await;
    let mut policy = sinar();
    policy["reschedule"]["max_distance_days"] = json!(1);
    app.post("/v1/policies", policy).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let r = app
        .get(&format!(
            "/v1/appointments/{id}/availability?from=2026-11-30T00:00:00%2B07:00&to=2026-12-02T00:00:00%2B07:00"
        ))
        .await;
    let slots = r.expect(200)["slots"].as_array().unwrap().clone();
    let by_start = |local: &str| slots.iter().find(|s| s["local"]["start"] == local).cloned();
    assert!(
        by_start("2026-11-30T09:00:00+07:00").is_none(),
        "its own time"
    );
    let same_day = by_start("2026-11-30T13:00:00+07:00").unwrap();
    assert_eq!(
        (same_day["allowed"].clone(), same_day["fee"].clone()),
        (json!(true), idr(5_000_000))
    );
    let edge = by_start("2026-12-01T09:00:00+07:00").unwrap();
    assert_eq!(edge["allowed"], true, "exactly one day away");
    let beyond = by_start("2026-12-01T09:15:00+07:00").unwrap();
    assert_eq!(beyond["refusals"], json!(["too_far"]));

    let r = app
        .get(&format!(
            "/v1/appointments/{id}/alternatives?near=2026-12-03T09:00:00%2B07:00&limit=20"
        ))
        .await;
    let offered = r.expect(200)["alternatives"].as_array().unwrap().clone();
    assert!(!offered.is_empty());
    for a in &offered {
        let start = at(a["start"].as_str().unwrap());
        assert!(start <= at("2026-12-01T09:00:00+07:00"), "{a}");
        assert_eq!(a["fee"]["amount"], 5_000_000);
        assert_eq!(a["allowed"], true);
    }
}
