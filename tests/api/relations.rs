//! What the database itself guarantees about services' names and busy blocks: a delete
//! racing a change that names the same resource never leaves a dangling name, and no
//! busy block is longer than the longest the reads look back for.

use actix_web::http::Method;
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use futures_util::future::join_all;
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::resources::{location, resource};
use janji::db::schema::appointment_resources;
use janji::domain::availability::MAX_BLOCK;

on_both_backends!(
    deletes_racing_service_changes_leave_no_dangling_name,
    busy_blocks_are_never_longer_than_the_longest_block,
);

/// Ten resource deletes race ten service changes that name those resources (each
/// service names its own resource and the next one's). Every request ends in a success
/// or a 409/422 refusal, never a 500; afterwards every name points at a resource that
/// exists, and a resource is gone exactly when no successful change named it.
async fn deletes_racing_service_changes_leave_no_dangling_name(app: TestApp) {
    const N: usize = 10;
    let loc = location(&app, "Cabang").await;
    let mut bays = vec![];
    let mut services = vec![];
    for i in 0..N {
        bays.push(resource(&app, &loc, &format!("Bay {i}"), "service_bay").await);
        let s = app
            .post(
                "/v1/services",
                json!({"name": format!("Servis {i}"), "duration_minutes": 30,
                       "resource_kinds": ["service_bay"]}),
            )
            .await;
        services.push(s.expect(201)["id"].as_str().unwrap().to_owned());
    }
    let names = |i: usize| vec![bays[i].clone(), bays[(i + 1) % N].clone()];

    let patches = (0..N).map(|i| {
        app.call(Method::PATCH, &format!("/v1/services/{}", services[i]))
            .json(json!({"resource_ids": names(i)}))
            .send()
    });
    let deletes = (0..N).map(|i| {
        app.call(Method::DELETE, &format!("/v1/resources/{}", bays[i]))
            .send()
    });
    let (patched, deleted) = futures_util::join!(join_all(patches), join_all(deletes));

    let mut outcomes = std::collections::BTreeMap::<String, usize>::new();
    for r in &patched {
        let status = r.status.as_u16();
        assert!(
            matches!(status, 200 | 409 | 422),
            "service change: {}",
            r.body
        );
        if status != 200 {
            let code = r.body["code"].as_str().unwrap();
            assert!(
                matches!(code, "reference_changed" | "resource_not_found"),
                "{}",
                r.body
            );
        }
        *outcomes.entry(format!("patch {status}")).or_default() += 1;
    }
    for r in &deleted {
        let status = r.status.as_u16();
        assert!(matches!(status, 204 | 409), "resource delete: {}", r.body);
        if status == 409 {
            assert_eq!(r.body["code"], "resource_in_use", "{}", r.body);
            assert!(!r.body["data"]["services"].as_array().unwrap().is_empty());
        }
        *outcomes.entry(format!("delete {status}")).or_default() += 1;
    }
    eprintln!("{:?} outcomes: {outcomes:?}", app.backend);

    // What the responses said is what the database holds.
    for i in 0..N {
        let service = app.get(&format!("/v1/services/{}", services[i])).await;
        let listed = service.expect(200)["resource_ids"].clone();
        if patched[i].status == 200 {
            assert_eq!(listed, json!(names(i)));
        } else {
            assert_eq!(listed, json!([]));
        }
        let exists = app.get(&format!("/v1/resources/{}", bays[i])).await.status == 200;
        assert_eq!(exists, deleted[i].status != 204, "bay {i}");
        let named = patched[i].status == 200 || patched[(i + N - 1) % N].status == 200;
        assert_eq!(
            exists, named,
            "bay {i} exists exactly when a service names it"
        );
    }
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.db.pool().get().unwrap();
    let dangling = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM service_resources sr \
         WHERE NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = sr.resource_id)",
    )
    .get_result::<Count>(&mut *conn)
    .unwrap()
    .n;
    assert_eq!(dangling, 0, "a service names a resource that is gone");
    let named = patched.iter().filter(|r| r.status == 200).count() as i64;
    assert_eq!(count_rows(&app, "service_resources"), 2 * named);
}

/// The busy-block reads look back `MAX_BLOCK` for blocks that may overlap; the database
/// refuses a longer block however it is written, and takes one exactly that long.
async fn busy_blocks_are_never_longer_than_the_longest_block(app: TestApp) {
    let d = dealer(&app).await;
    let booked = app
        .post("/v1/appointments", d.booking("2026-11-24T09:00:00+07:00"))
        .await;
    let appointment = booked.expect(201)["id"].as_str().unwrap().to_owned();
    let mut conn = app.state.db.pool().get().unwrap();
    let held: Vec<String> = appointment_resources::table
        .filter(appointment_resources::appointment_id.eq(&appointment))
        .select(appointment_resources::resource_id)
        .load(&mut *conn)
        .unwrap();
    let free = d.bays.iter().find(|b| !held.contains(b)).unwrap().clone();
    let start: NaiveDateTime = "2027-01-04T00:00:00".parse().unwrap();

    let mut insert = |resource: &str, start: NaiveDateTime, length: Duration| {
        diesel::insert_into(appointment_resources::table)
            .values((
                appointment_resources::appointment_id.eq(&appointment),
                appointment_resources::resource_id.eq(resource),
                appointment_resources::organization_id.eq(&app.org_id),
                appointment_resources::location_id.eq(&d.location),
                appointment_resources::block_starts_at.eq(start),
                appointment_resources::block_ends_at.eq(start + length),
                appointment_resources::active.eq(false),
            ))
            .execute(&mut *conn)
    };
    let too_long = insert(&free, start, MAX_BLOCK + Duration::minutes(1)).unwrap_err();
    assert_block_max(&too_long);
    // A second past the limit, with a fraction in the start, is still too long.
    let fractional = start + Duration::milliseconds(500);
    let too_long = insert(&free, fractional, MAX_BLOCK + Duration::seconds(1)).unwrap_err();
    assert_block_max(&too_long);
    insert(&free, fractional, MAX_BLOCK).expect("a block of exactly MAX_BLOCK is allowed");

    let row = appointment_resources::table
        .filter(appointment_resources::appointment_id.eq(&appointment))
        .filter(appointment_resources::resource_id.eq(&held[0]));
    let booked_start: NaiveDateTime = row
        .select(appointment_resources::block_starts_at)
        .get_result(&mut *conn)
        .unwrap();
    let stretched = diesel::update(row)
        .set(
            appointment_resources::block_ends_at
                .eq(booked_start + MAX_BLOCK + Duration::minutes(1)),
        )
        .execute(&mut *conn)
        .unwrap_err();
    assert_block_max(&stretched);
}

#[track_caller]
fn assert_block_max(e: &DieselError) {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, info) => assert!(
            info.message().contains("appointment_resources_block_max")
                || info.constraint_name() == Some("appointment_resources_block_max"),
            "another check failed: {}",
            info.message()
        ),
        other => panic!("expected the longest-block check to refuse, got {other:?}"),
    }
}
