//! The database going away or being held: answers are 503 with `Retry-After`, never 500.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use actix_web::http::Method;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use futures_util::future::join_all;
use janji::db::{Backend, DbConnection};
use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_lock_held_elsewhere_is_503_for_writes_and_no_wait_for_reads,
    killed_sessions_are_never_a_500,
    a_deadlock_is_run_again_not_answered,
    readiness_answers_within_a_second_when_no_connection_is_free
);

/// Every pooled connection busy: `/readyz` says 503 before a probe's usual one-second
/// timeout, not after the 5 s a request would wait; once one is free it says 200.
async fn readiness_answers_within_a_second_when_no_connection_is_free(app: TestApp) {
    let pool = app.state.db.pool();
    let held: Vec<_> = (0..pool.max_size()).map(|_| pool.get().unwrap()).collect();
    let started = Instant::now();
    let r = app.call(Method::GET, "/readyz").no_key().send().await;
    r.problem(503, "database_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(r.header("retry-after"), Some("1"));
    drop(held);
    app.call(Method::GET, "/readyz")
        .no_key()
        .send()
        .await
        .expect(200);
}

/// Two units of work lock two rows in opposite orders, in step, so that PostgreSQL
/// must kill one of them with "deadlock detected". `Db::write` runs the victim again
/// and both succeed. (SQLite serialises writers: no deadlock can happen there.)
async fn a_deadlock_is_run_again_not_answered(app: TestApp) {
    let d = dealer(&app).await;
    if app.backend != Backend::Postgres {
        return;
    }
    let (first, second) = (d.bays[0].clone(), d.bays[1].clone());
    let barrier = Arc::new(Barrier::new(2));
    let runs = Arc::new(AtomicUsize::new(0));
    let lock_in_order = |a: String, b: String| {
        let (barrier, runs) = (barrier.clone(), runs.clone());
        app.state.db.write(move |c| {
            let attempt = runs.fetch_add(1, Ordering::SeqCst);
            let lock = |c: &mut DbConnection, id: &str| {
                // A row lock without an update: an update of a resource would also
                // bump the organization's setup version, and queue there instead.
                diesel::sql_query(format!(
                    "SELECT id FROM resources WHERE id = '{id}' FOR UPDATE"
                ))
                .execute(c)
            };
            lock(c, &a)?;
            if attempt < 2 {
                barrier.wait();
            }
            lock(c, &b)?;
            Ok(())
        })
    };
    let (x, y) = futures_util::join!(
        lock_in_order(first.clone(), second.clone()),
        lock_in_order(second, first)
    );
    x.unwrap();
    y.unwrap();
    assert_eq!(
        runs.load(Ordering::SeqCst),
        3,
        "the deadlock's victim ran once more"
    );
}

/// SQLite: another process (here: a connection outside the writer gate) holds the write
/// lock past the busy timeout. A write is told 503 after at most the pool's wait; a read
/// beside it is answered at once (WAL). PostgreSQL has no such file lock: it checks that
/// a row lock held elsewhere makes a writer wait, not fail.
async fn a_lock_held_elsewhere_is_503_for_writes_and_no_wait_for_reads(app: TestApp) {
    let d = dealer(&app).await;
    let mut holder = app.state.db.pool().get().unwrap();
    if app.backend != Backend::Sqlite {
        return;
    }
    holder.batch_execute("BEGIN IMMEDIATE").unwrap();

    let started = Instant::now();
    let read = app.get(&format!("/v1/locations/{}", d.location)).await;
    read.expect(200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "a read waited on the write lock"
    );

    let started = Instant::now();
    let write = app
        .post(
            "/v1/customers",
            json!({"name": "Sari", "phone": "+6281300000001"}),
        )
        .await;
    write.problem(503, "database_unavailable");
    assert_eq!(write.header("retry-after"), Some("1"));
    assert!(started.elapsed() < Duration::from_secs(7));

    holder.batch_execute("ROLLBACK").unwrap();
    app.post(
        "/v1/customers",
        json!({"name": "Sari", "phone": "+6281300000001"}),
    )
    .await
    .expect(201);
}

/// PostgreSQL: every session of the database is killed again and again while reads and
/// writes run. Each answer is a success or a 503; none is a 500.
async fn killed_sessions_are_never_a_500(app: TestApp) {
    let d = dealer(&app).await;
    if app.backend != Backend::Postgres {
        return;
    }
    let pool = app.state.db.pool().clone();
    let killer = std::thread::spawn(move || {
        let mut conn = pool.get().unwrap();
        for _ in 0..20 {
            if let DbConnection::Pg(c) = &mut *conn {
                let _ = c.batch_execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                     WHERE datname = current_database() AND pid <> pg_backend_pid()",
                );
            }
            std::thread::sleep(Duration::from_millis(15));
        }
    });
    let mut statuses = vec![];
    for round in 0..6 {
        let reads = (0..8).map(|_| app.get("/v1/customers?limit=50"));
        let window = d.availability("2026-11-24T00:00:00+07:00", "2026-11-26T00:00:00+07:00");
        let availability = (0..4).map(|_| app.get(&window));
        let writes = (0..4).map(|i| {
            app.call(Method::POST, "/v1/customers")
                .json(json!({"name": format!("Pelanggan {round}-{i}"),
                             "phone": format!("+628130000{round}{i:02}")}))
                .send()
        });
        for r in join_all(reads).await {
            statuses.push((r.status.as_u16(), r.body.clone()));
        }
        for r in join_all(availability).await {
            statuses.push((r.status.as_u16(), r.body.clone()));
        }
        for r in join_all(writes).await {
            statuses.push((r.status.as_u16(), r.body.clone()));
        }
    }
    killer.join().unwrap();
    for (status, body) in &statuses {
        assert!(
            matches!(status, 200 | 201 | 503),
            "answer {status} while sessions were killed: {body}"
        );
        if *status == 503 {
            assert_eq!(body["code"], "database_unavailable", "{body}");
        }
    }
    eprintln!(
        "{} answers, {} of them 503",
        statuses.len(),
        statuses.iter().filter(|s| s.0 == 503).count()
    );
    // And the service recovers.
    app.get("/v1/customers?limit=50").await.expect(200);
}
