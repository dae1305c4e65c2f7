//! Migration 000007 as an upgrade: a database at the migration before it, holding
//! services that name resources and locations in JSON (some names dangling, some across
//! organizations), gets the same links as rows; reverting gives the JSON back; and the
//! rebuilt SQLite table keeps its rows and its overlap guard.

use diesel::connection::SimpleConnection;
use diesel::migration::Migration;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use janji::db::{self, DbConnection};

const PG: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
/// The version of the migration under test, as diesel spells it.
const RELATIONS: &str = "20261130000007";

mod upgrade_to_relations_and_back {
    #[test]
    fn sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("janji.db");
        super::upgrade_and_revert(&path.to_string_lossy());
    }

    #[test]
    fn postgres() {
        let Some(admin) = std::env::var("JANJI_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty())
        else {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL tests must run in CI"
            );
            eprintln!("notice: JANJI_TEST_POSTGRES_URL is unset; skipping the PostgreSQL variant");
            return;
        };
        let name = format!("janji_mig_{}", uuid::Uuid::now_v7().simple());
        let mut server = super::db::connect(&admin).unwrap();
        diesel::connection::SimpleConnection::batch_execute(
            &mut server,
            &format!("CREATE DATABASE {name}"),
        )
        .unwrap();
        let (base, _) = admin.rsplit_once('/').unwrap();
        let outcome =
            std::panic::catch_unwind(|| super::upgrade_and_revert(&format!("{base}/{name}")));
        let _ = diesel::connection::SimpleConnection::batch_execute(
            &mut server,
            &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        );
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }
}

fn version(m: &dyn std::fmt::Display) -> String {
    m.to_string().replace('-', "")
}

/// Applies, in order, each embedded migration whose version `take` accepts.
fn apply(conn: &mut DbConnection, take: impl Fn(&str) -> bool) {
    // Pending ones, in version order (asking for them also creates diesel's own table).
    macro_rules! run {
        ($c:expr, $source:expr) => {{
            let pending = $c.pending_migrations($source).unwrap();
            for m in pending
                .iter()
                .filter(|m| take(&version(&m.name().version())))
            {
                $c.run_migration(&**m).unwrap();
            }
        }};
    }
    match conn {
        DbConnection::Pg(c) => run!(c, PG),
        DbConnection::Sqlite(c) => run!(c, SQLITE),
    }
}

fn revert_last(conn: &mut DbConnection) -> String {
    let reverted = match conn {
        DbConnection::Pg(c) => c.revert_last_migration(PG).unwrap(),
        DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE).unwrap(),
    };
    version(&reverted)
}

/// Two organizations; `org`'s services name its resources and locations, in an order
/// that is not the ids' order, plus names of things that are gone.
const SEED: &str = "
INSERT INTO organizations (id, name, time_zone, locale, currency, created_at, updated_at) VALUES
  ('org', 'Sinar Motor', 'Asia/Jakarta', 'id', 'IDR', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('other', 'Other', 'Asia/Jakarta', 'id', 'IDR', '2026-11-23 03:00:00', '2026-11-23 03:00:00');
INSERT INTO locations (id, organization_id, name, time_zone, weekly_hours, created_at, updated_at) VALUES
  ('loc-1', 'org', 'Kemayoran', 'Asia/Jakarta', '{}', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('loc-2', 'org', 'Bekasi', 'Asia/Jakarta', '{}', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('loc-x', 'other', 'Elsewhere', 'Asia/Jakarta', '{}', '2026-11-23 03:00:00', '2026-11-23 03:00:00');
INSERT INTO resources (id, organization_id, location_id, name, kind, created_at, updated_at) VALUES
  ('bay-1', 'org', 'loc-1', 'Bay 1', 'service_bay', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('bay-2', 'org', 'loc-1', 'Bay 2', 'service_bay', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('bay-x', 'other', 'loc-x', 'Bay X', 'service_bay', '2026-11-23 03:00:00', '2026-11-23 03:00:00');
INSERT INTO services (id, organization_id, name, duration_minutes, resource_kinds, resource_ids, location_ids, created_at, updated_at) VALUES
  ('svc-both', 'org', 'Servis berkala', 60, '[\"service_bay\"]', '[\"bay-2\",\"bay-1\"]', '[\"loc-2\",\"loc-1\"]', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('svc-none', 'org', 'Konsultasi', 30, '[\"service_bay\"]', '[]', '[]', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('svc-dangling', 'org', 'Ganti oli', 30, '[\"service_bay\"]', '[\"gone-bay\",\"bay-1\",\"bay-x\"]', '[\"gone-loc\",\"loc-1\",\"loc-x\"]', '2026-11-23 03:00:00', '2026-11-23 03:00:00'),
  ('svc-nowhere', 'org', 'Cuci', 30, '[\"service_bay\"]', '[]', '[\"gone-loc\"]', '2026-11-23 03:00:00', '2026-11-23 03:00:00');
INSERT INTO customers (id, organization_id, name, locale, preferred_channel, created_at, updated_at) VALUES
  ('budi', 'org', 'Budi', 'id', 'whatsapp', '2026-11-23 03:00:00', '2026-11-23 03:00:00');
INSERT INTO appointments (id, organization_id, location_id, service_id, customer_id, status, channel, starts_at, ends_at, block_starts_at, block_ends_at, local_date, created_at, updated_at, original_starts_at) VALUES
  ('appt', 'org', 'loc-1', 'svc-both', 'budi', 'booked', 'in_person', '2026-11-24 02:00:00', '2026-11-24 03:00:00', '2026-11-24 02:00:00', '2026-11-24 03:10:00', '2026-11-24', '2026-11-23 03:00:00', '2026-11-23 03:00:00', '2026-11-24 02:00:00');
INSERT INTO appointment_resources (appointment_id, resource_id, organization_id, location_id, block_starts_at, block_ends_at, active) VALUES
  ('appt', 'bay-1', 'org', 'loc-1', '2026-11-24 02:00:00', '2026-11-24 03:10:00', TRUE);
";

#[derive(QueryableByName, Debug, PartialEq)]
struct Link {
    #[diesel(sql_type = Text)]
    service_id: String,
    #[diesel(sql_type = Text)]
    target: String,
}

#[derive(QueryableByName, Debug, PartialEq)]
struct Lists {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    resource_ids: String,
    #[diesel(sql_type = Text)]
    location_ids: String,
    #[diesel(sql_type = Bool)]
    active: bool,
}

fn links(conn: &mut DbConnection, table: &str, column: &str) -> Vec<(String, String)> {
    diesel::sql_query(format!(
        "SELECT service_id, {column} AS target FROM {table} ORDER BY service_id, position"
    ))
    .load::<Link>(conn)
    .unwrap()
    .into_iter()
    .map(|l| (l.service_id, l.target))
    .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A service's lists after the revert, parsed (PostgreSQL's JSON has spaces, SQLite's
/// does not; the application reads both).
fn lists(conn: &mut DbConnection) -> Vec<(String, Vec<String>, Vec<String>, bool)> {
    diesel::sql_query("SELECT id, resource_ids, location_ids, active FROM services ORDER BY id")
        .load::<Lists>(conn)
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.id,
                serde_json::from_str(&l.resource_ids).unwrap(),
                serde_json::from_str(&l.location_ids).unwrap(),
                l.active,
            )
        })
        .collect()
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// An active block over the seeded one, for the same bay: the overlap guard refuses it.
const OVERLAP: &str = "
INSERT INTO appointments (id, organization_id, location_id, service_id, customer_id, status, channel, starts_at, ends_at, block_starts_at, block_ends_at, local_date, created_at, updated_at, original_starts_at) VALUES
  ('appt-2', 'org', 'loc-1', 'svc-both', 'budi', 'booked', 'in_person', '2026-11-24 02:30:00', '2026-11-24 03:00:00', '2026-11-24 02:30:00', '2026-11-24 03:00:00', '2026-11-24', '2026-11-23 03:00:00', '2026-11-23 03:00:00', '2026-11-24 02:30:00');
INSERT INTO appointment_resources (appointment_id, resource_id, organization_id, location_id, block_starts_at, block_ends_at, active) VALUES
  ('appt-2', 'bay-1', 'org', 'loc-1', '2026-11-24 02:30:00', '2026-11-24 03:00:00', TRUE);
";

/// A block one minute past the longest (32 hours), inactive so no overlap guard objects.
const TOO_LONG: &str = "
INSERT INTO appointment_resources (appointment_id, resource_id, organization_id, location_id, block_starts_at, block_ends_at, active) VALUES
  ('appt', 'bay-2', 'org', 'loc-1', '2026-12-01 00:00:00', '2026-12-02 08:01:00', FALSE);
";

/// Whether a batch is refused; the refused batch leaves nothing behind.
fn refused(conn: &mut DbConnection, sql: &str) -> bool {
    conn.transaction::<(), diesel::result::Error, _>(|c| {
        c.batch_execute(sql)?;
        Err(diesel::result::Error::RollbackTransaction)
    })
    .is_err_and(|e| !matches!(e, diesel::result::Error::RollbackTransaction))
}

fn upgrade_and_revert(url: &str) {
    let mut conn = db::connect(url).unwrap();
    apply(&mut conn, |v| v < RELATIONS);
    conn.batch_execute(SEED).unwrap();
    let before = lists(&mut conn);

    apply(&mut conn, |v| v == RELATIONS);
    assert_eq!(
        links(&mut conn, "service_resources", "resource_id"),
        pairs(&[
            ("svc-both", "bay-2"),
            ("svc-both", "bay-1"),
            ("svc-dangling", "bay-1"),
        ]),
        "the resource lists as rows, in order; gone and foreign ids left out"
    );
    assert_eq!(
        links(&mut conn, "service_locations", "location_id"),
        pairs(&[
            ("svc-both", "loc-2"),
            ("svc-both", "loc-1"),
            ("svc-dangling", "loc-1"),
        ])
    );
    #[derive(QueryableByName)]
    struct Active {
        #[diesel(sql_type = Text)]
        id: String,
        #[diesel(sql_type = Bool)]
        active: bool,
    }
    let active: Vec<(String, bool)> =
        diesel::sql_query("SELECT id, active FROM services ORDER BY id")
            .load::<Active>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|a| (a.id, a.active))
            .collect();
    assert_eq!(
        active,
        vec![
            ("svc-both".to_owned(), true),
            ("svc-dangling".to_owned(), true),
            ("svc-none".to_owned(), true),
            // Offered only at a location that is gone: it stays unbookable, as inactive.
            ("svc-nowhere".to_owned(), false),
        ]
    );
    assert!(
        refused(&mut conn, "SELECT resource_ids FROM services"),
        "the JSON columns are gone"
    );
    assert!(
        refused(&mut conn, "DELETE FROM resources WHERE id = 'bay-2'"),
        "a named resource cannot be deleted"
    );
    assert!(
        refused(&mut conn, "DELETE FROM locations WHERE id = 'loc-2'"),
        "a named location cannot be deleted"
    );
    assert!(
        refused(&mut conn, TOO_LONG),
        "the longest-block check holds"
    );
    assert!(
        refused(&mut conn, OVERLAP),
        "the overlap guard survives the upgrade"
    );
    assert_eq!(count(&mut conn, "appointment_resources"), 1);

    assert_eq!(revert_last(&mut conn), RELATIONS);
    let after = lists(&mut conn);
    let expected = vec![
        (
            "svc-both".to_owned(),
            strings(&["bay-2", "bay-1"]),
            strings(&["loc-2", "loc-1"]),
            true,
        ),
        (
            "svc-dangling".to_owned(),
            strings(&["bay-1"]),
            strings(&["loc-1"]),
            true,
        ),
        ("svc-none".to_owned(), vec![], vec![], true),
        ("svc-nowhere".to_owned(), vec![], vec![], false),
    ];
    assert_eq!(after, expected, "the JSON lists back from the rows");
    assert_eq!(
        before[0], expected[0],
        "a list without dangling names is unchanged"
    );
    assert!(refused(&mut conn, "SELECT 1 FROM service_resources"));
    assert!(
        !refused(&mut conn, TOO_LONG),
        "the check goes with the revert"
    );
    assert!(
        refused(&mut conn, OVERLAP),
        "the overlap guard survives the revert"
    );
    assert_eq!(count(&mut conn, "appointment_resources"), 1);

    // And up again: the round trip is stable.
    apply(&mut conn, |v| v == RELATIONS);
    assert_eq!(
        links(&mut conn, "service_resources", "resource_id").len(),
        3
    );
    assert_eq!(
        links(&mut conn, "service_locations", "location_id").len(),
        3
    );
}

fn count(conn: &mut DbConnection, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .unwrap()
        .n
}
