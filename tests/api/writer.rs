//! Units of work written side by side: on SQLite they queue for one writer thread and
//! those that queued together share one transaction, each in a savepoint (`db::writer`).
//! Whatever the grouping, every caller's answer matches what the database holds: a unit
//! that failed or panicked left nothing, and took nobody else's write with it.

use diesel::prelude::*;
use diesel::sql_types::BigInt;
use futures_util::future::join_all;
use janji::error::{Code, Error};

use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_failed_unit_takes_only_its_own_write_back,
    a_panicking_unit_leaves_nothing_and_the_writer_goes_on
);

#[derive(QueryableByName)]
struct Found {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn scratch(app: &TestApp) {
    app.state
        .db
        .write(|c| {
            diesel::sql_query("CREATE TABLE writer_scratch (n BIGINT PRIMARY KEY)").execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

async fn stored(app: &TestApp) -> Vec<i64> {
    let mut found: Vec<i64> = app
        .state
        .db
        .read(|c| {
            Ok(diesel::sql_query("SELECT n FROM writer_scratch")
                .load::<Found>(c)?
                .into_iter()
                .map(|f| f.n)
                .collect())
        })
        .await
        .unwrap();
    found.sort_unstable();
    found
}

fn insert(c: &mut janji::db::DbConnection, n: i64) -> Result<(), Error> {
    diesel::sql_query(format!("INSERT INTO writer_scratch (n) VALUES ({n})")).execute(c)?;
    Ok(())
}

/// 300 writes at once; every third inserts its row and then fails. Exactly the others'
/// rows are stored, and each caller got its own outcome.
async fn a_failed_unit_takes_only_its_own_write_back(app: TestApp) {
    scratch(&app).await;
    let writes = (0..300i64).map(|n| {
        app.state.db.write(move |c| {
            insert(c, n)?;
            if n % 3 == 0 {
                return Err(Error::new(Code::InvalidValue, format!("unit {n} refuses")));
            }
            Ok(n)
        })
    });
    let answers = join_all(writes).await;
    let mut committed = Vec::new();
    for (n, answer) in answers.into_iter().enumerate() {
        let n = n as i64;
        match answer {
            Ok(got) => {
                assert_eq!(got, n);
                assert_ne!(n % 3, 0);
                committed.push(n);
            }
            Err(e) => {
                assert_eq!(n % 3, 0, "unit {n} failed: {e:?}");
                assert_eq!(e.code, Code::InvalidValue);
            }
        }
    }
    assert_eq!(committed.len(), 200);
    assert_eq!(stored(&app).await, committed);
}

/// A unit that panics after writing: its write is gone, a caller answered "done" has
/// its row, one answered with an error has none, and writes after it still work.
async fn a_panicking_unit_leaves_nothing_and_the_writer_goes_on(app: TestApp) {
    scratch(&app).await;
    let writes = (0..100i64).map(|n| {
        app.state.db.write(move |c| {
            insert(c, n)?;
            if n == 50 {
                panic!("unit 50 panics after its insert");
            }
            Ok(())
        })
    });
    let answers = join_all(writes).await;
    let rows = stored(&app).await;
    for (n, answer) in answers.iter().enumerate() {
        let n = n as i64;
        assert_eq!(
            answer.is_ok(),
            rows.contains(&n),
            "unit {n}: answered {answer:?}, stored {}",
            rows.contains(&n)
        );
    }
    assert!(answers[50].is_err());
    assert!(!rows.contains(&50));
    app.state.db.write(|c| insert(c, 1000)).await.unwrap();
    assert!(stored(&app).await.contains(&1000));
}
