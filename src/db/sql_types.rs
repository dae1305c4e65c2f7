//! The domain's values as columns: rows hold a `Role`, a `TimeZone` or `WeeklyHours`, not
//! the text they are stored as, so a value is checked once, when it is read, instead of
//! being parsed again wherever it is used. The stored text is what it always was (the
//! snake_case name, the IANA zone, the ISO code, the JSON), so no column changed.
//!
//! Each type gets `FromSql`/`ToSql` for `Text` on PostgreSQL, on SQLite and on the
//! `MultiBackend` of [`DbConnection`](super::DbConnection) (which hands a value to the
//! backend in use), and `AsExpression`/`FromSqlRow` from diesel's own derives. Those run
//! on a private proxy with `foreign_derive` (what diesel does for `String` and chrono),
//! so the domain types stay free of diesel.

use std::borrow::Cow;
use std::io::Write;

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::{Pg, PgValue};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};

use super::connection::MultiBackend;
use crate::domain::{
    AppointmentStatus, Channel, ContactChannel, Currency, EventKind, FeeKind, FeeStatus, Locale,
    ReasonCategory, ResourceKind, Role, TimeZone, WeeklyHours,
};

/// How a value is written to its text column and read back.
trait StoredText: Sized {
    fn to_text(&self) -> Cow<'_, str>;

    /// The value, or why the text is none: written by a newer version or by hand, which
    /// is an internal error, not bad input.
    fn from_text(text: &str) -> Result<Self, String>;
}

/// Reads `text`, naming the type and the text when it is not a value of it.
fn read<T: StoredText>(text: &str, type_name: &str) -> deserialize::Result<T> {
    T::from_text(text)
        .map_err(|why| format!("unreadable {type_name} '{text}' in database: {why}").into())
}

macro_rules! text_columns {
    ($($ty:ident),+ $(,)?) => {$(
        const _: () = {
            /// Carries diesel's derives onto the domain type it wraps; never built.
            #[derive(AsExpression, FromSqlRow)]
            #[diesel(foreign_derive, sql_type = Text)]
            #[allow(dead_code)]
            struct Proxy($ty);
        };

        impl FromSql<Text, Pg> for $ty {
            fn from_sql(value: PgValue<'_>) -> deserialize::Result<Self> {
                read(std::str::from_utf8(value.as_bytes())?, stringify!($ty))
            }
        }

        impl FromSql<Text, Sqlite> for $ty {
            fn from_sql(mut value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
                read(value.read_text(), stringify!($ty))
            }
        }

        impl FromSql<Text, MultiBackend> for $ty {
            fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<Self, Text>()
            }
        }

        impl ToSql<Text, Pg> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
                out.write_all(self.to_text().as_bytes())?;
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, Sqlite> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
                match self.to_text() {
                    Cow::Borrowed(text) => out.set_value(text),
                    Cow::Owned(text) => out.set_value(text),
                }
                Ok(IsNull::No)
            }
        }

        impl ToSql<Text, MultiBackend> for $ty {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self));
                Ok(IsNull::No)
            }
        }
    )+};
}

text_columns!(
    AppointmentStatus,
    Channel,
    ContactChannel,
    FeeKind,
    FeeStatus,
    Locale,
    ReasonCategory,
    ResourceKind,
    Role,
    EventKind,
    TimeZone,
    Currency,
    WeeklyHours,
);

/// The string enums are stored as their snake_case names.
macro_rules! by_name {
    ($($ty:ident),+ $(,)?) => {$(
        impl StoredText for $ty {
            fn to_text(&self) -> Cow<'_, str> {
                Cow::Borrowed(self.as_str())
            }

            fn from_text(text: &str) -> Result<Self, String> {
                text.parse().map_err(|_| "no such name".to_owned())
            }
        }
    )+};
}

by_name!(
    AppointmentStatus,
    Channel,
    ContactChannel,
    FeeKind,
    FeeStatus,
    Locale,
    ReasonCategory,
    ResourceKind,
    Role,
    EventKind,
);

impl StoredText for TimeZone {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.name())
    }

    fn from_text(text: &str) -> Result<Self, String> {
        TimeZone::parse("time_zone", text).map_err(|e| e.detail.clone())
    }
}

impl StoredText for Currency {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.code())
    }

    fn from_text(text: &str) -> Result<Self, String> {
        Currency::parse("currency", text).map_err(|e| e.detail.clone())
    }
}

impl StoredText for WeeklyHours {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Owned(self.to_json())
    }

    fn from_text(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}
