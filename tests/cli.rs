//! The `janji` binary as an operator runs it: organizations and keys named by name or
//! id, customers who are one person listed and merged, a refused database URL, and a
//! taken port that leaves no organization behind. On SQLite and on PostgreSQL.

#[path = "support/server.rs"]
mod server;

use std::net::TcpListener;
use std::process::{Command, Output};

use chrono::{Duration, TimeZone, Utc};
use diesel::prelude::*;

use janji::app::Ctx;
use janji::app::booking::{self, BookAppointment, BookOutcome, CustomerRef};
use janji::db::{self, DbConnection, tx::write_tx};
use janji::domain::{Actor, Channel};
use janji::repo::customers::{self, CustomerRow};
use server::PgDatabase;

fn janji(database_url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_janji"))
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .args(args)
        .output()
        .expect("run janji")
}

fn ok(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

fn count(conn: &mut DbConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {sql}"))
        .get_result::<Count>(conn)
        .unwrap()
        .n
}

/// `org create`, `org list`, and a key created for the organization named by its name
/// (the way back in after losing every admin key) or by its id.
fn organizations_and_keys_by_name_or_id(url: &str) {
    ok(&janji(
        url,
        &["org", "create", "--name", "Sinar Motor", "--country", "ID"],
    ));
    ok(&janji(
        url,
        &["org", "create", "--name", "Maju Jaya", "--country", "MY"],
    ));
    let list = ok(&janji(url, &["org", "list"]));
    let line = list
        .lines()
        .find(|l| l.ends_with("Maju Jaya"))
        .expect(&list);
    assert!(line.contains(" MY "), "{list}");
    let id = line.split_whitespace().next().unwrap().to_owned();
    let by_name = ok(&janji(
        url,
        &[
            "api-key",
            "create",
            "--org",
            "Sinar Motor",
            "--role",
            "admin",
            "--name",
            "recovery",
        ],
    ));
    assert!(by_name.contains("jnj_"), "{by_name}");
    let by_id = ok(&janji(
        url,
        &[
            "api-key", "create", "--org", &id, "--role", "staff", "--name", "desk",
        ],
    ));
    assert!(by_id.contains("Created staff key"), "{by_id}");
    let keys = ok(&janji(url, &["api-key", "list", "--org", "Maju Jaya"]));
    assert!(
        keys.contains("desk") && keys.contains("first admin key"),
        "{keys}"
    );
    let unknown = janji(
        url,
        &[
            "api-key", "create", "--org", "Nobody", "--role", "admin", "--name", "x",
        ],
    );
    assert!(!unknown.status.success());
    let bad_country = janji(url, &["org", "create", "--name", "x", "--country", "XX"]);
    assert!(!bad_country.status.success());
}

/// Two customers who share a phone (kept from before creation matched them), one with
/// an appointment: `duplicates` lists them, `merge` moves the appointment and its
/// history and deletes the second.
fn duplicates_are_listed_and_merged(url: &str) {
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
    let mut conn = db::connect(url).unwrap();
    db::migrate_one(&mut conn).unwrap();
    let demo = janji::demo::seed(&mut conn, now).unwrap();
    let org = demo.created.organization.id.clone();
    let kept = demo.customers[0].clone();
    let twin = CustomerRow {
        id: uuid::Uuid::now_v7().to_string(),
        name: format!("{} (lama)", kept.name),
        email: None,
        external_ref: None,
        created_at: (now + Duration::seconds(1)).naive_utc(),
        updated_at: (now + Duration::seconds(1)).naive_utc(),
        version: 1,
        organization_id: org.clone(),
        phone: kept.phone.clone(),
        locale: kept.locale,
        preferred_channel: kept.preferred_channel,
    };
    write_tx(&mut conn, |c| customers::insert(c, &twin)).unwrap();
    let ctx = Ctx::new(org.clone(), Actor::System, now);
    let tz = chrono_tz::Asia::Jakarta;
    let booked = (0..48).find_map(|h| {
        let start =
            tz.with_ymd_and_hms(2026, 11, 25, 8, 0, 0).unwrap().to_utc() + Duration::hours(h);
        let cmd = BookAppointment {
            location_id: demo.location.id.clone(),
            service_id: demo.services[0].id.clone(),
            start,
            customer: CustomerRef::Id(twin.id.clone()),
            resource_id: None,
            channel: Channel::InPerson,
            notes: None,
            external_ref: None,
            vehicle_id: None,
        };
        match write_tx(&mut conn, |c| booking::book(c, &ctx, cmd)) {
            Ok(BookOutcome::Booked(b)) => Some(b.id),
            _ => None,
        }
    });
    let appointment = booked.expect("a start the demo dealer can book");

    let listed = ok(&janji(
        url,
        &["customers", "duplicates", "--org", "Sinar Motor"],
    ));
    assert!(
        listed.contains(kept.phone.as_deref().unwrap())
            && listed.contains(&kept.id)
            && listed.contains(&twin.id),
        "{listed}"
    );
    let merged = ok(&janji(
        url,
        &[
            "customers",
            "merge",
            "--org",
            &org,
            "--into",
            &kept.id,
            "--from",
            &twin.id,
        ],
    ));
    assert!(merged.contains("1 appointment(s)"), "{merged}");
    assert_eq!(
        count(&mut conn, &format!("customers WHERE id = '{}'", twin.id)),
        0
    );
    assert_eq!(
        count(
            &mut conn,
            &format!(
                "appointments WHERE id = '{appointment}' AND customer_id = '{}'",
                kept.id
            )
        ),
        1
    );
    let after = ok(&janji(
        url,
        &["customers", "duplicates", "--org", "Sinar Motor"],
    ));
    assert!(after.contains("no customers share"), "{after}");
    let itself = janji(
        url,
        &[
            "customers",
            "merge",
            "--org",
            &org,
            "--into",
            &kept.id,
            "--from",
            &kept.id,
        ],
    );
    assert!(!itself.status.success());
}

/// A port another process holds: `serve` exits non-zero, and the database it opened has
/// no organization (no admin key was made for a server that never listened).
fn a_taken_port_creates_no_tenant(url: &str) {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let out = Command::new(env!("CARGO_BIN_EXE_janji"))
        .env("DATABASE_URL", url)
        .env("JANJI_BIND", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .arg("serve")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot listen"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("jnj_"));
    let mut conn = db::connect(url).unwrap();
    assert_eq!(count(&mut conn, "organizations"), 0);
    drop(holder);
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    dir.path().join("janji.db").to_string_lossy().into_owned()
}

#[test]
fn an_unsupported_database_scheme_is_refused() {
    let out = janji("mysql://janji@127.0.0.1/janji", &["migrate"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("mysql://")
            && stderr.contains("postgres://")
            && stderr.contains("sqlite://"),
        "{stderr}"
    );
}

macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[test]
            fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$name(&super::sqlite_url(&dir));
            }

            #[test]
            #[cfg_attr(
                not(janji_pg_tests),
                ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
            )]
            fn postgres() {
                let db = super::PgDatabase::create("janji_cli");
                super::$name(&db.url);
            }
        }
    )+};
}

on_both_backends!(
    organizations_and_keys_by_name_or_id,
    duplicates_are_listed_and_merged,
    a_taken_port_creates_no_tenant,
);
