//! The test application: the real `App` in process, a fixed clock, and a fresh database
//! per test (a temporary SQLite file, or a new PostgreSQL database).

use actix_http::Request;
use actix_service::boxed::{self, BoxService};
use actix_web::body::{BoxBody, to_bytes};
use actix_web::dev::ServiceResponse;
use actix_web::http::{Method, StatusCode, header::HeaderMap};
use actix_web::test::TestRequest;
use chrono::{DateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::Value;

use janji::clock::Clock;
use janji::db::{self, Backend, Db, tx::write_tx};
use janji::domain::Role;
use janji::http::state::AppState;
use janji::repo::api_keys;
use janji::tenancy;

/// Monday 23 November 2026, 10:00 in Jakarta.
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap()
}

type Svc = BoxService<Request, ServiceResponse<BoxBody>, actix_web::Error>;

pub struct TestApp {
    #[allow(dead_code)]
    pub backend: Backend,
    pub state: AppState,
    pub clock: Clock,
    pub org_id: String,
    pub admin_key: String,
    svc: Svc,
    _sqlite_dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

/// Runs one test body on one backend. The PostgreSQL variants are compiled as ignored
/// unless `JANJI_TEST_POSTGRES_URL` (or `CI`) was set at build time (see `build.rs`), so a
/// variant that runs always has a server or fails.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    test(TestApp::spawn(backend).await).await;
}

/// Declares `mod <name> { sqlite, postgres }` tests that run `async fn <name>(TestApp)`.
/// The PostgreSQL variant is `#[ignore]`d when no server was named at build time.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                $crate::helpers::run(janji::db::Backend::Sqlite, super::$name).await;
            }
            #[actix_web::test]
            #[cfg_attr(
                not(janji_pg_tests),
                ignore = "set JANJI_TEST_POSTGRES_URL to run on PostgreSQL"
            )]
            async fn postgres() {
                $crate::helpers::run(janji::db::Backend::Postgres, super::$name).await;
            }
        }
    )+};
}

/// The server the PostgreSQL variants run on. Reaching this without one is a failure, not
/// a skip: the variant was compiled to run (or started with `--ignored`).
fn postgres_admin_url() -> String {
    match std::env::var("JANJI_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but JANJI_TEST_POSTGRES_URL is not: PostgreSQL tests must run in CI")
        }
        _ => panic!(
            "JANJI_TEST_POSTGRES_URL is unset: set it to run the PostgreSQL variants \
             (they are ignored when it is unset at build time)"
        ),
    }
}

/// The same URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    format!("{}/{name}{query}", &base[..host_end])
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        let mut sqlite_dir = None;
        let mut pg_drop = None;
        let url = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("janji.db").to_string_lossy().into_owned();
                sqlite_dir = Some(dir);
                url
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("janji_test_{}", uuid::Uuid::now_v7().simple());
                let mut conn = diesel::PgConnection::establish(&admin).unwrap_or_else(|e| {
                    panic!("PostgreSQL at JANJI_TEST_POSTGRES_URL is unreachable: {e}")
                });
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                pg_drop = Some((admin.clone(), name.clone()));
                with_database(&admin, &name)
            }
        };
        let pool = db::open_pool(&url, 16).expect("open test database");
        let now = default_now();
        let created = {
            let mut conn = pool.get().expect("connection");
            write_tx(&mut conn, |c| {
                tenancy::create_with_admin_key(c, tenancy::default_organization("Sinar Motor"), now)
            })
            .expect("create organization")
        };
        let clock = Clock::fixed(now);
        let mut state = AppState::new(Db::new(pool, backend), clock.clone());
        // The gateways of these tests listen on loopback.
        state.allow_private_targets = true;
        let svc = actix_web::test::init_service(janji::startup::app(state.clone())).await;
        let svc = boxed::service(actix_service::ServiceExt::map(
            svc,
            ServiceResponse::map_into_boxed_body,
        ));
        TestApp {
            backend,
            state,
            clock,
            org_id: created.organization.id,
            admin_key: created.admin_key,
            svc,
            _sqlite_dir: sqlite_dir,
            pg_drop,
        }
    }

    /// A further key of this organization.
    pub fn key(&self, role: Role) -> String {
        let org = self.org_id.clone();
        let mut conn = self.state.db.pool().get().unwrap();
        write_tx(&mut conn, |c| {
            api_keys::create(c, &org, "test key", role, default_now())
        })
        .unwrap()
        .1
    }

    /// A second organization and its admin key, to prove tenants cannot see each other.
    pub fn other_org(&self) -> (String, String) {
        let mut conn = self.state.db.pool().get().unwrap();
        let created = write_tx(&mut conn, |c| {
            tenancy::create_with_admin_key(
                c,
                tenancy::default_organization("Other Dealer"),
                default_now(),
            )
        })
        .unwrap();
        (created.organization.id, created.admin_key)
    }

    pub fn call(&self, method: Method, path: &str) -> Call<'_> {
        Call {
            app: self,
            req: TestRequest::default().method(method).uri(path),
            key: Some(self.admin_key.clone()),
            stream: None,
        }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path).send().await
    }

    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path).json(body).send().await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PATCH, path).json(body).send().await
    }

    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path).send().await
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take()
            && let Ok(mut conn) = diesel::PgConnection::establish(&admin)
        {
            let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// A request being built.
pub struct Call<'a> {
    app: &'a TestApp,
    req: TestRequest,
    key: Option<String>,
    stream: Option<actix_http::Payload>,
}

impl Call<'_> {
    pub fn key(mut self, key: &str) -> Self {
        self.key = Some(key.to_owned());
        self
    }

    pub fn no_key(mut self) -> Self {
        self.key = None;
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.req = self.req.insert_header((name.to_owned(), value.to_owned()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.req = self.req.set_json(body);
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<actix_web::web::Bytes>) -> Self {
        self.req = self
            .req
            .insert_header(("content-type", content_type))
            .set_payload(body.into());
        self
    }

    /// The body as a stream the test controls (a client sending it slowly, or never).
    pub fn stream(
        mut self,
        content_type: &str,
        body: impl futures_util::Stream<
            Item = Result<actix_web::web::Bytes, actix_http::error::PayloadError>,
        > + 'static,
    ) -> Self {
        self.req = self.req.insert_header(("content-type", content_type));
        self.stream = Some(actix_http::Payload::Stream {
            payload: Box::pin(body),
        });
        self
    }

    pub async fn send(self) -> Resp {
        let mut req = self.req;
        if let Some(key) = self.key {
            req = req.insert_header(("authorization", format!("Bearer {key}")));
        }
        let mut req = req.to_request();
        if let Some(body) = self.stream {
            req = req.replace_payload(body).0;
        }
        let res = actix_service::Service::call(&self.app.svc, req).await;
        let res = match res {
            Ok(res) => res,
            Err(e) => ServiceResponse::from_err(e, TestRequest::default().to_http_request())
                .map_into_boxed_body(),
        };
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body()).await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            bytes: bytes.to_vec(),
            body,
        }
    }
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        &self.body
    }

    /// Asserts a problem response with this status and code; returns the body.
    #[track_caller]
    pub fn problem(&self, status: u16, code: &str) -> &Value {
        self.expect(status);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json")
        );
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        &self.body
    }
}

/// Counts the rows of a table, to prove a refused request wrote nothing.
pub fn count_rows(app: &TestApp, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = app.state.db.pool().get().unwrap();
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(&mut *conn)
        .unwrap()
        .n
}
