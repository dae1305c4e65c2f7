//! Ranked suggestions for new bookings and alternatives for existing appointments.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    suggestions_are_nearest_ranked_and_bookable,
    alternatives_keep_the_advisor_as_in_the_story,
    slot_unavailable_carries_alternatives,
    bad_requests_are_refused,
    a_missed_appointment_that_cannot_be_rebooked_gets_no_times,
);

fn suggestions_path(d: &Dealer, near: &str, extra: &str) -> String {
    format!(
        "/v1/availability/suggestions?location_id={}&service_id={}&near={}{extra}",
        d.location,
        d.service,
        near.replace('+', "%2B")
    )
}

fn starts(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|s| s["local"]["start"].as_str().unwrap().to_owned())
        .collect()
}

/// Books each suggestion with the resources it names, as a client would at that moment,
/// then cancels it again so the next one meets the same state; returns how many.
async fn book_each(app: &TestApp, d: &Dealer, list: &Value) -> usize {
    let mut n = 0;
    for s in list.as_array().unwrap() {
        let mut body = d.booking(s["start"].as_str().unwrap());
        body["resource_id"] = s["resources"][0]["id"].clone();
        let booked = app.post("/v1/appointments", body).await;
        let booked = booked.expect(201).clone();
        let held: Vec<&Value> = booked["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["id"])
            .collect();
        let offered: Vec<&Value> = s["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| &r["id"])
            .collect();
        assert_eq!(
            held, offered,
            "booking assigns the resources the suggestion named"
        );
        let cancel = format!("/v1/appointments/{}/cancel", booked["id"].as_str().unwrap());
        app.post(&cancel, json!({"reason_category": "other"}))
            .await
            .expect(200);
        n += 1;
    }
    n
}

async fn suggestions_are_nearest_ranked_and_bookable(app: TestApp) {
    let d = dealer(&app).await;
    // Both pairs busy at 09:00 Monday: that start is full.
    for _ in 0..2 {
        app.post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
            .await
            .expect(201);
    }
    let r = app
        .get(&suggestions_path(
            &d,
            "2026-11-30T09:00:00+07:00",
            "&limit=4",
        ))
        .await;
    let body = r.expect(200).clone();
    let list = &body["suggestions"];
    let got = starts(list);
    assert_eq!(got.len(), 4);
    assert!(!got.contains(&"2026-11-30T09:00:00+07:00".to_owned()));
    // The nearest free starts: 08:00 is blocked too (its block reaches 09:10), so 10:15
    // (after the 10 minutes buffer) is nearest after, then 10:30, 10:45, 11:00.
    let mut sorted = got.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "2026-11-30T10:15:00+07:00",
            "2026-11-30T10:30:00+07:00",
            "2026-11-30T10:45:00+07:00",
            "2026-11-30T11:00:00+07:00"
        ]
    );
    let first = &list[0];
    assert_eq!(first["local"]["start"], "2026-11-30T10:15:00+07:00");
    let reasons: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"nearest")
            && reasons.contains(&"same_day")
            && reasons.contains(&"same_day_part"),
        "{reasons:?}"
    );
    let scores: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["score"].as_i64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
    assert_eq!(book_each(&app, &d, list).await, 4);
}

async fn alternatives_keep_the_advisor_as_in_the_story(app: TestApp) {
    let d = dealer(&app).await;
    // Budi books Monday 09:00 with Andi (advisors[0]).
    let mut budi = d.booking("2026-11-30T09:00:00+07:00");
    budi["resource_id"] = json!(d.advisors[0]);
    let budi = app.post("/v1/appointments", budi).await;
    let id = budi.expect(201)["id"].as_str().unwrap().to_owned();
    // Andi is taken 10:15 to 12:00 by others; Sari is free all day.
    for start in ["2026-11-30T10:15:00+07:00"] {
        let mut other = d.booking(start);
        other["resource_id"] = json!(d.advisors[0]);
        app.post("/v1/appointments", other).await.expect(201);
    }
    // Budi wants later that day: near 13:00.
    let path =
        format!("/v1/appointments/{id}/alternatives?near=2026-11-30T13:00:00%2B07:00&limit=3");
    let r = app.get(&path).await;
    let body = r.expect(200).clone();
    assert_eq!(body["appointment_id"], id.as_str());
    let first = &body["alternatives"][0];
    assert_eq!(first["local"]["label"], "13:00 WIB");
    let advisor = first["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "service_advisor")
        .unwrap();
    assert_eq!(
        advisor["id"],
        d.advisors[0].as_str(),
        "the same advisor when free"
    );
    let reasons: Vec<&str> = first["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap())
        .collect();
    assert!(
        reasons.contains(&"same_resource") && reasons.contains(&"same_day"),
        "{reasons:?}"
    );
    // Default near is the current start, which is never offered back.
    let around = app
        .get(&format!("/v1/appointments/{id}/alternatives"))
        .await;
    let around = starts(&around.expect(200)["alternatives"]);
    assert_eq!(around.len(), 5);
    assert!(!around.contains(&"2026-11-30T09:00:00+07:00".to_owned()));
}

async fn slot_unavailable_carries_alternatives(app: TestApp) {
    let d = dealer(&app).await;
    for _ in 0..2 {
        app.post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
            .await
            .expect(201);
    }
    let r = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let p = r.problem(409, "slot_unavailable").clone();
    let alternatives = &p["data"]["alternatives"];
    assert_eq!(alternatives.as_array().unwrap().len(), 3);
    assert_eq!(book_each(&app, &d, alternatives).await, 3);
    // A refused booking that asked for one advisor is offered times with that advisor.
    let mut with_andi = d.booking("2026-11-30T09:00:00+07:00");
    with_andi["resource_id"] = json!(d.advisors[0]);
    let r = app.post("/v1/appointments", with_andi).await;
    let p = r.problem(409, "slot_unavailable");
    for alt in p["data"]["alternatives"].as_array().unwrap() {
        assert!(
            alt["resources"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["id"] == d.advisors[0].as_str()),
            "{alt}"
        );
    }
    // Outside opening hours (Sunday) also comes with times that work.
    let r = app
        .post("/v1/appointments", d.booking("2026-11-29T09:00:00+07:00"))
        .await;
    let p = r.problem(422, "outside_opening_hours");
    assert_eq!(p["data"]["alternatives"].as_array().unwrap().len(), 3);
}

async fn bad_requests_are_refused(app: TestApp) {
    let d = dealer(&app).await;
    let near = "2026-11-30T09:00:00+07:00";
    app.get(&suggestions_path(&d, near, "&limit=50"))
        .await
        .problem(400, "invalid_limit");
    let r = app
        .get(&suggestions_path(&d, "2026-11-30T09:00:00", ""))
        .await;
    assert_eq!(r.problem(400, "invalid_query")["field"], "near");
    let r = app
        .get(&suggestions_path(
            &d,
            near,
            "&from=2027-06-01T00:00:00%2B07:00",
        ))
        .await;
    assert_eq!(r.problem(422, "beyond_booking_horizon")["field"], "from");
    let (_, other) = app.other_org();
    app.call(Method::GET, &suggestions_path(&d, near, ""))
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");

    let a = app.post("/v1/appointments", d.booking(near)).await;
    let id = a.expect(201)["id"].as_str().unwrap().to_owned();
    let alternatives = format!("/v1/appointments/{id}/alternatives");
    app.call(Method::GET, &alternatives)
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");
    app.get(&format!("{alternatives}?limit=0"))
        .await
        .problem(400, "invalid_limit");
    app.post(
        &format!("/v1/appointments/{id}/cancel"),
        json!({"reason_category": "other"}),
    )
    .await
    .expect(200);
    let r = app.get(&alternatives).await;
    assert_eq!(
        r.problem(409, "not_reschedulable")["data"]["status"],
        "cancelled"
    );
}

/// Times to move a no-show to were listed (200) even where moving it is refused: with no
/// rebooking rule, or once its window passed. Both lists now give the problem a move to
/// any of their times gets (409), and the reschedule quote agrees.
async fn a_missed_appointment_that_cannot_be_rebooked_gets_no_times(app: TestApp) {
    let d = dealer(&app).await;
    // Rebooking within 7 days for IDR 50,000 at the location; none for the oil change.
    let mut policy = crate::policies::sinar();
    policy["location_id"] = json!(d.location);
    app.post("/v1/policies", policy).await.expect(201);
    app.post(
        "/v1/policies",
        json!({"name": "Tanpa rebooking", "service_id": d.oil}),
    )
    .await
    .expect(201);
    let budi = crate::reschedule::book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    let mut oil = d.booking("2026-11-30T13:00:00+07:00");
    oil["service_id"] = json!(d.oil);
    let oil = app.post("/v1/appointments", oil).await;
    let oil = oil.expect(201)["id"].as_str().unwrap().to_owned();
    app.clock
        .set(crate::reschedule::at("2026-11-30T15:00:00+07:00"));
    for id in [&budi, &oil] {
        app.post(&format!("/v1/appointments/{id}/no-show"), json!({}))
            .await
            .expect(200);
    }
    let lists = |id: &str| {
        [
            format!("/v1/appointments/{id}/alternatives"),
            format!(
                "/v1/appointments/{id}/availability?from=2026-12-01T00:00:00%2B07:00&to=2026-12-03T00:00:00%2B07:00"
            ),
        ]
    };
    let app = &app;
    let quote = |id: String| async move {
        app.post(
            &format!("/v1/appointments/{id}/reschedule-quote"),
            json!({"start": "2026-12-01T09:00:00+07:00", "reason_category": "forgot"}),
        )
        .await
    };

    // Within the window Budi is offered times; the oil change, with no rule, is not.
    for path in lists(&budi) {
        let r = app.get(&path).await;
        assert!(r.expect(200).to_string().contains("2026-12-01"), "{path}");
    }
    for path in lists(&oil) {
        let p = app
            .get(&path)
            .await
            .problem(409, "not_reschedulable")
            .clone();
        assert_eq!(p["data"]["status"], "no_show", "{path}");
    }
    let q = quote(oil.clone()).await;
    assert_eq!(q.expect(200)["refusals"][0]["code"], "not_reschedulable");

    // A second past the 7 days: the window has passed, for listing as for moving.
    app.clock
        .set(crate::reschedule::at("2026-12-07T15:00:01+07:00"));
    let q = quote(budi.clone()).await;
    assert_eq!(
        q.expect(200)["refusals"][0]["code"],
        "no_show_window_passed"
    );
    assert_eq!(
        q.body["alternatives"],
        json!([]),
        "no times for a passed window"
    );
    for path in lists(&budi) {
        let p = app
            .get(&path)
            .await
            .problem(409, "no_show_window_passed")
            .clone();
        assert_eq!(p["data"]["until"], "2026-12-07T08:00:00Z", "{path}");
        // Told in the location's time, not UTC (the organization's language first).
        assert_eq!(
            p["detail"],
            "janji temu yang tidak didatangi hanya dapat dipesan ulang sampai Senin, 7 \
             Desember 2026, 15.00 WIB; buat janji temu baru"
        );
    }
    let r = app
        .call(Method::GET, &lists(&budi)[0])
        .header("Accept-Language", "en")
        .send()
        .await;
    assert_eq!(
        r.problem(409, "no_show_window_passed")["detail"],
        "a missed appointment could be rebooked until Monday, 7 December 2026, 15:00 WIB"
    );
}
