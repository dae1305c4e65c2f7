//! The one error type of the service layer. It names what went wrong in domain terms
//! (a stable [`Code`], which fixes the HTTP status, and the field at fault);
//! `api::problem` turns it into RFC 9457 JSON.

use std::fmt;

mod code;

pub use code::{Code, reference_markdown};

/// A failure with a stable machine `code`, a human `detail`, the `field` at fault
/// and optional structured `data` (alternatives, the current version, ...).
/// Boxed so that `Result<T, Error>` stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct Error(Box<Details>);

#[derive(Debug)]
pub struct Details {
    pub code: Code,
    pub detail: String,
    pub field: Option<String>,
    pub data: Option<serde_json::Value>,
    /// Internal cause: logged with the request id, never shown to the client.
    pub cause: Option<String>,
    /// A transient conflict between transactions: the unit of work may run again.
    pub retryable: bool,
    /// The values `detail` was written from, by name, so that the problem can be told
    /// again in the caller's language when the response is written (`http::language`).
    pub params: Vec<(&'static str, Param)>,
}

/// One value a `detail` names: text as it is, or an instant that is shown in the
/// location's time zone and the caller's language.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    Text(String),
    Instant(chrono::DateTime<chrono::Utc>, chrono_tz::Tz),
}

impl From<String> for Param {
    fn from(v: String) -> Self {
        Param::Text(v)
    }
}

impl From<&str> for Param {
    fn from(v: &str) -> Self {
        Param::Text(v.to_owned())
    }
}

impl From<i64> for Param {
    fn from(v: i64) -> Self {
        Param::Text(v.to_string())
    }
}

impl From<usize> for Param {
    fn from(v: usize) -> Self {
        Param::Text(v.to_string())
    }
}

impl Error {
    /// A problem with `code` (which fixes its status) and what happened this time.
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        Error(Box::new(Details {
            code,
            detail: detail.into(),
            field: None,
            data: None,
            cause: None,
            retryable: false,
            params: Vec::new(),
        }))
    }

    /// Names a value `detail` was written from (see [`Details::params`]).
    pub fn with_param(mut self, name: &'static str, value: impl Into<Param>) -> Self {
        self.0.params.push((name, value.into()));
        self
    }

    /// The value named `name`, if the problem was given one.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.0.data = Some(data);
        self
    }

    /// Adds one key to `data` (making it an object if it was absent).
    pub fn with_data_field(mut self, key: &str, value: serde_json::Value) -> Self {
        match &mut self.0.data {
            Some(serde_json::Value::Object(map)) => {
                map.insert(key.to_owned(), value);
            }
            _ => self.0.data = Some(serde_json::json!({ key: value })),
        }
        self
    }

    /// Places the field under `prefix` (`phone` → `customer.phone`) for nested input.
    pub fn within(mut self, prefix: &str) -> Self {
        if let Some(field) = self.0.field.take() {
            self.0.field = Some(format!("{prefix}.{field}"));
        }
        self
    }

    fn with_cause(mut self, cause: String) -> Self {
        self.0.cause = Some(cause);
        self
    }

    /// A rule broken by one field of otherwise well-formed input.
    pub fn invalid(field: impl Into<String>, code: Code, detail: impl Into<String>) -> Self {
        Error::new(code, detail).with_field(field)
    }

    /// `what` does not exist in the caller's organization (or at all: no difference shown).
    pub fn not_found(what: &str) -> Self {
        Error::new(Code::NotFound, format!("{what} not found")).with_param("what", what)
    }

    pub fn version_mismatch(current: i64) -> Self {
        Error::new(
            Code::VersionMismatch,
            format!("the resource has changed; its current version is {current}"),
        )
        .with_data(serde_json::json!({ "current_version": current }))
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Error::new(Code::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Error::new(Code::Forbidden, detail)
    }

    pub fn unavailable(cause: impl Into<String>) -> Self {
        Error::new(
            Code::DatabaseUnavailable,
            "the database is not reachable right now; try again shortly",
        )
        .with_cause(cause.into())
    }

    /// Transactions got in each other's way (a deadlock, a serialization failure): the
    /// unit of work is retried, and this is the answer when the retries ran out.
    pub fn contention(cause: impl Into<String>) -> Self {
        Error::new(
            Code::DatabaseContention,
            "too many changes to the same records at once; try again shortly",
        )
        .with_cause(cause.into())
        .run_again()
    }

    /// Marks a failure that running the unit of work again may resolve.
    pub fn run_again(mut self) -> Self {
        self.0.retryable = true;
        self
    }

    /// The HTTP status of this error, fixed by its code.
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    /// Whether running the same unit of work again may succeed.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }

    pub fn internal(cause: impl Into<String>) -> Self {
        Error::new(Code::InternalError, "an internal error occurred").with_cause(cause.into())
    }
}

impl std::ops::Deref for Error {
    type Target = Details;

    fn deref(&self) -> &Details {
        &self.0
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

impl From<diesel::result::Error> for Error {
    /// What a database failure means to the caller. A call site that knows better (a
    /// named constraint, say) maps the error itself before this fallback applies.
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as D};
        match &e {
            D::NotFound => Error::not_found("record"),
            D::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, _) => {
                Error::unavailable(e.to_string())
            }
            D::DatabaseError(K::SerializationFailure, _) => Error::contention(e.to_string()),
            D::DatabaseError(_, info) if is_deadlock(info.message()) => {
                Error::contention(e.to_string())
            }
            D::DatabaseError(_, info) if is_lost_connection(info.message()) => {
                Error::unavailable(e.to_string())
            }
            D::DatabaseError(K::UniqueViolation, _) => Error::new(
                Code::AlreadyExists,
                "a record with the same unique value already exists",
            )
            .with_cause(e.to_string()),
            D::DatabaseError(K::ForeignKeyViolation | K::RestrictViolation, _) => Error::new(
                Code::ReferenceChanged,
                "a record this request refers to, or that refers to it, changed at the same \
                     time; read it again and retry",
            )
            .with_cause(e.to_string()),
            D::DatabaseError(K::ExclusionViolation, _) => Error::new(
                Code::SlotUnavailable,
                "that time was just taken; choose another",
            )
            .with_cause(e.to_string()),
            D::DatabaseError(K::CheckViolation, _) => Error::new(
                Code::InvalidValue,
                "a value breaks a rule the database enforces",
            )
            .with_cause(e.to_string()),
            _ => Error::internal(format!("database: {e}")),
        }
    }
}

/// PostgreSQL's deadlock (SQLSTATE 40P01) has no diesel kind of its own.
fn is_deadlock(message: &str) -> bool {
    message.contains("deadlock detected")
}

/// Messages of a connection that is gone or a database that cannot take the work now:
/// libpq's own (no SQLSTATE), a server shutting down, SQLite's lock held past the busy
/// timeout.
fn is_lost_connection(message: &str) -> bool {
    const GONE: [&str; 8] = [
        "no connection to the server",
        "server closed the connection",
        "terminating connection",
        "could not receive data from server",
        "could not send data to server",
        "connection to server",
        "the database system is shutting down",
        "database is locked",
    ];
    GONE.iter().any(|m| message.contains(m))
}

impl From<diesel::r2d2::PoolError> for Error {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Error::unavailable(format!("pool: {e}"))
    }
}

/// Shorthand used across the service layer.
pub type Result<T, E = Error> = std::result::Result<T, E>;
