//! What a booking writes beside its rows: each held resource's busy version, in a table
//! of its own (migration 000019), and statements each connection prepares only once.

use diesel::prelude::*;
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(every_resource_has_a_busy_version_that_every_change_of_its_blocks_bumps);

/// The stored busy version of each resource, by id (`None`: no row).
fn versions(app: &TestApp, ids: &[&str]) -> Vec<Option<i64>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        resource_id: String,
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        busy_version: i64,
    }
    let mut conn = app.state.db.pool().get().unwrap();
    let rows: Vec<Row> = diesel::sql_query("SELECT resource_id, busy_version FROM busy_versions")
        .load(&mut *conn)
        .unwrap();
    ids.iter()
        .map(|id| {
            rows.iter()
                .find(|r| r.resource_id == *id)
                .map(|r| r.busy_version)
        })
        .collect()
}

/// A resource gets its version row with it, whatever creates it; a booking bumps the
/// version of each resource it holds and of no other, a cancellation bumps them again,
/// and a deleted resource takes its row with it.
async fn every_resource_has_a_busy_version_that_every_change_of_its_blocks_bumps(app: TestApp) {
    let d = dealer(&app).await;
    let all = [
        d.bays[0].as_str(),
        d.bays[1].as_str(),
        d.advisors[0].as_str(),
        d.advisors[1].as_str(),
    ];
    assert_eq!(versions(&app, &all), vec![Some(0); 4]);

    let booked = app
        .post("/v1/appointments", d.booking("2026-11-30T08:00:00+07:00"))
        .await;
    let booked = booked.expect(201).clone();
    let held: Vec<&str> = booked["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(held.len(), 2);
    let expect = |bumps: i64| -> Vec<Option<i64>> {
        all.iter()
            .map(|id| Some(if held.contains(id) { bumps } else { 0 }))
            .collect()
    };
    assert_eq!(versions(&app, &all), expect(1));

    let id = booked["id"].as_str().unwrap();
    app.post(
        &format!("/v1/appointments/{id}/cancel"),
        json!({"reason_category": "forgot"}),
    )
    .await
    .expect(200);
    assert_eq!(versions(&app, &all), expect(2));

    let spare = app
        .post(
            "/v1/resources",
            json!({"location_id": d.location, "name": "Bay 3", "kind": "service_bay"}),
        )
        .await;
    let spare = spare.expect(201)["id"].as_str().unwrap().to_owned();
    assert_eq!(versions(&app, &[&spare]), vec![Some(0)]);
    app.delete(&format!("/v1/resources/{spare}"))
        .await
        .expect(204);
    assert_eq!(versions(&app, &[&spare]), vec![None]);
}

/// On PostgreSQL a statement diesel sends as a new text is parsed and planned every
/// time. A booking's three inserts used to be such texts (an absent value was written as
/// `DEFAULT`, a list of held resources as a batch); now each connection prepares each of
/// them once: bookings of one and of two resources, done twice on one connection, leave
/// one prepared insert per text, and the second round prepares nothing new.
#[actix_web::test]
#[cfg_attr(
    not(janji_pg_tests),
    ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
)]
async fn a_booking_prepares_its_inserts_once_per_connection() {
    use janji::app::Ctx;
    use janji::app::booking::{BookOutcome, book};
    use janji::domain::Actor;

    let app = TestApp::spawn(janji::db::Backend::Postgres).await;
    let d = dealer(&app).await;
    let ctx = Ctx::new(app.org_id.clone(), Actor::System, app.clock.now());
    #[derive(QueryableByName)]
    struct Prepared {
        #[diesel(sql_type = diesel::sql_types::Text)]
        statement: String,
    }
    let mut conn = app.state.db.pool().get().unwrap();
    let prepared_inserts = |conn: &mut janji::db::DbConnection| -> Vec<String> {
        let mut inserts: Vec<String> = diesel::sql_query(
            "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'INSERT%'",
        )
        .load::<Prepared>(conn)
        .unwrap()
        .into_iter()
        .map(|p| p.statement.split(" (").next().unwrap().to_owned())
        .collect();
        inserts.sort();
        inserts
    };
    let mut rounds = Vec::new();
    for day in ["2026-11-30", "2026-12-01"] {
        for (service, time) in [(&d.service, "08:00"), (&d.oil, "13:00")] {
            let booked = conn
                .transaction(|c| {
                    book(
                        c,
                        &ctx,
                        d.book_command(service, &format!("{day}T{time}:00+07:00")),
                    )
                })
                .unwrap();
            assert!(matches!(booked, BookOutcome::Booked(_)), "{booked:?}");
        }
        rounds.push(prepared_inserts(&mut conn));
    }
    assert_eq!(
        rounds[0],
        vec![
            r#"INSERT INTO "appointment_events""#,
            r#"INSERT INTO "appointment_resources""#,
            r#"INSERT INTO "appointment_resources""#,
            r#"INSERT INTO "appointments""#,
        ],
        "one prepared insert per text: the event, one and two held resources, the appointment"
    );
    assert_eq!(
        rounds[1], rounds[0],
        "the second round prepared nothing new"
    );
}
