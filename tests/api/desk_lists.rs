//! Lists a front desk can read: each appointment carries its customer's name and phone
//! and its service's name (joined, not looked up per row), filtered by one local `date`
//! and sorted by start either way, with cursors that keep the order.

use diesel::connection::{Connection, InstrumentationEvent};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::fixtures::dealer;
use crate::helpers::TestApp;
use crate::on_both_backends;
use janji::repo::appointments::AppointmentFilter;

on_both_backends!(
    appointments_carry_names_a_front_desk_reads,
    one_local_date_and_either_order_with_cursors,
    a_list_costs_the_same_statements_for_one_row_or_many,
);

fn starts(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["local"]["start"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn appointments_carry_names_a_front_desk_reads(app: TestApp) {
    let d = dealer(&app).await;
    let phone = app
        .get(&format!("/v1/customers/{}", d.customer))
        .await
        .expect(200)["phone"]
        .clone();
    let booked = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let booked = booked.expect(201).clone();
    let want = (
        json!("Budi Santoso"),
        phone.clone(),
        json!("Servis berkala"),
    );
    let names = |a: &Value| {
        (
            a["customer_name"].clone(),
            a["customer_phone"].clone(),
            a["service_name"].clone(),
        )
    };
    assert_eq!(names(&booked), want, "the booking's answer");
    let id = booked["id"].as_str().unwrap();
    let one = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(names(one.expect(200)), want, "a read");
    let list = app.get("/v1/appointments").await;
    assert_eq!(names(&list.expect(200)["items"][0]), want, "the list");
    let theirs = app
        .get(&format!("/v1/customers/{}/appointments", d.customer))
        .await;
    assert_eq!(
        names(&theirs.expect(200)["items"][0]),
        want,
        "the customer's list"
    );
}

async fn one_local_date_and_either_order_with_cursors(app: TestApp) {
    let d = dealer(&app).await;
    for start in [
        "2026-11-30T15:00:00+07:00",
        "2026-11-30T09:00:00+07:00",
        "2026-12-01T09:00:00+07:00",
        "2026-11-30T13:00:00+07:00",
        "2026-12-01T08:00:00+07:00",
    ] {
        app.post("/v1/appointments", d.booking(start))
            .await
            .expect(201);
    }
    let day = app.get("/v1/appointments?date=2026-11-30").await;
    assert_eq!(
        starts(day.expect(200)),
        [
            "2026-11-30T09:00:00+07:00",
            "2026-11-30T13:00:00+07:00",
            "2026-11-30T15:00:00+07:00"
        ]
    );
    let latest = app
        .get("/v1/appointments?date=2026-11-30&sort=-starts_at&limit=2")
        .await;
    let latest = latest.expect(200).clone();
    let first_page = starts(&latest);
    assert!(first_page[0] > first_page[1], "{first_page:?}");
    let cursor = latest["next_cursor"].as_str().unwrap();
    let rest = app
        .get(&format!(
            "/v1/appointments?date=2026-11-30&sort=-starts_at&limit=2&cursor={cursor}"
        ))
        .await;
    let rest = starts(rest.expect(200));
    assert_eq!(rest.len(), 1);
    assert!(rest[0] < first_page[1], "the next page goes on backwards");

    let all = app.get("/v1/appointments?sort=starts_at").await;
    assert_eq!(all.expect(200)["items"].as_array().unwrap().len(), 5);
    let dec1 = app.get("/v1/appointments?date=2026-12-01").await;
    assert_eq!(dec1.expect(200)["items"].as_array().unwrap().len(), 2);

    app.get("/v1/appointments?sort=name")
        .await
        .problem(400, "invalid_query");
    // Every bound given holds: the day within the range, or nothing.
    let within = app
        .get("/v1/appointments?date=2026-11-30&from_date=2026-11-01")
        .await;
    assert_eq!(within.expect(200)["items"].as_array().unwrap().len(), 3);
    let outside = app
        .get("/v1/appointments?date=2026-11-30&from_date=2026-12-01")
        .await;
    assert_eq!(outside.expect(200)["items"], json!([]));
}

async fn a_list_costs_the_same_statements_for_one_row_or_many(app: TestApp) {
    let d = dealer(&app).await;
    let count = |app: &TestApp| {
        let statements = Arc::new(AtomicUsize::new(0));
        let seen = statements.clone();
        let mut conn = app.state.db.pool().get().unwrap();
        conn.set_instrumentation(move |e: InstrumentationEvent<'_>| {
            if matches!(e, InstrumentationEvent::StartQuery { .. }) {
                seen.fetch_add(1, Ordering::SeqCst);
            }
        });
        let page = janji::api::appointments::list_page(
            &mut conn,
            &app.org_id,
            &AppointmentFilter::default(),
            None,
            Some(50),
        )
        .unwrap();
        conn.set_instrumentation(
            diesel::connection::get_default_instrumentation()
                .unwrap_or_else(|| Box::new(|_: InstrumentationEvent<'_>| {})),
        );
        assert!(page.items.iter().all(|a| a.customer_name == "Budi Santoso"));
        (statements.load(Ordering::SeqCst), page.items.len())
    };
    app.post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await
        .expect(201);
    let (one, n) = count(&app);
    assert_eq!(n, 1);
    for day in ["01", "02", "03", "04"] {
        for hour in ["09", "13"] {
            app.post(
                "/v1/appointments",
                d.booking(&format!("2026-12-{day}T{hour}:00:00+07:00")),
            )
            .await
            .expect(201);
        }
    }
    let (many, n) = count(&app);
    assert_eq!(n, 9);
    assert_eq!(one, many, "statements per list must not grow with its rows");
    assert_eq!(many, 3, "the page, the resources held, the names joined");
}
