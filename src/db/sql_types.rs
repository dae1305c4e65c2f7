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
use crate::domain::policy_doc::PolicyDoc;
use crate::domain::{
    AppointmentStatus, CallReason, Channel, ContactChannel, Country, Currency, DeliveryChannel,
    EventKind, FeeKind, FeeStatus, Locale, MessageKind, MessageStatus, ReasonCategory,
    ResourceKind, Role, TimeZone, WeeklyHours,
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
    DeliveryChannel,
    FeeKind,
    FeeStatus,
    Locale,
    ReasonCategory,
    ResourceKind,
    Role,
    EventKind,
    MessageKind,
    MessageStatus,
    CallReason,
    TimeZone,
    Currency,
    Country,
    WeeklyHours,
    PolicyDoc,
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
    DeliveryChannel,
    FeeKind,
    FeeStatus,
    Locale,
    ReasonCategory,
    ResourceKind,
    Role,
    EventKind,
    MessageKind,
    MessageStatus,
    CallReason,
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

impl StoredText for Country {
    fn to_text(&self) -> Cow<'_, str> {
        Cow::Borrowed(self.code())
    }

    fn from_text(text: &str) -> Result<Self, String> {
        Country::parse("country", text).map_err(|e| e.detail.clone())
    }
}

/// Weekly hours and policies are stored as their JSON.
macro_rules! as_json {
    ($($ty:ident),+ $(,)?) => {$(
        impl StoredText for $ty {
            fn to_text(&self) -> Cow<'_, str> {
                Cow::Owned(serde_json::to_string(self).expect("serialises"))
            }

            fn from_text(text: &str) -> Result<Self, String> {
                serde_json::from_str(text).map_err(|e| e.to_string())
            }
        }
    )+};
}

as_json!(WeeklyHours, PolicyDoc);

#[cfg(test)]
mod tests {
    use diesel::prelude::*;
    use diesel::sql_types::Text;

    use crate::db::{DbConnection, connect};
    use crate::domain::policy_doc::PolicyDoc;
    use crate::domain::{AppointmentStatus, Currency, EventKind, TimeZone, WeeklyHours};

    /// SQLite in memory, and PostgreSQL when the tests are given one.
    fn connections() -> Vec<DbConnection> {
        let mut all = vec![connect(":memory:").unwrap()];
        if let Ok(url) = std::env::var("JANJI_TEST_POSTGRES_URL") {
            all.push(connect(&url).unwrap());
        }
        all
    }

    /// Binds a value as a parameter and reads it back as the stored text.
    macro_rules! written {
        ($conn:expr, $value:expr) => {
            diesel::select($value.into_sql::<Text>())
                .get_result::<String>($conn)
                .unwrap()
        };
    }

    /// Reads stored text as a `$ty`.
    macro_rules! read {
        ($conn:expr, $ty:ty, $text:expr) => {
            diesel::select($text.into_sql::<Text>()).get_result::<$ty>($conn)
        };
    }

    #[test]
    fn values_are_stored_as_their_text_and_read_back() {
        let json = r#"{"mon":[{"start":"08:00","end":"16:00"}],"tue":[],"wed":[],"thu":[],"fri":[],"sat":[],"sun":[]}"#;
        let hours: WeeklyHours = serde_json::from_str(json).unwrap();
        for mut c in connections() {
            let c = &mut c;
            assert_eq!(written!(c, AppointmentStatus::CheckedIn), "checked_in");
            assert_eq!(
                read!(c, AppointmentStatus, "no_show").unwrap(),
                AppointmentStatus::NoShow
            );
            assert_eq!(written!(c, EventKind::FeeWaived), "fee_waived");
            assert_eq!(
                read!(c, EventKind, "rescheduled").unwrap(),
                EventKind::Rescheduled
            );
            let zone = TimeZone::parse("time_zone", "Asia/Makassar").unwrap();
            assert_eq!(written!(c, zone), "Asia/Makassar");
            assert_eq!(read!(c, TimeZone, "Asia/Makassar").unwrap(), zone);
            let idr = Currency::parse("currency", "IDR").unwrap();
            assert_eq!(written!(c, idr), "IDR");
            assert_eq!(read!(c, Currency, "IDR").unwrap(), idr);
            assert_eq!(written!(c, hours.clone()), json);
            assert_eq!(read!(c, WeeklyHours, json).unwrap(), hours);
            assert_eq!(read!(c, PolicyDoc, "{}").unwrap(), PolicyDoc::default());
        }
    }

    /// A value this version does not know (a newer one wrote it, or a person) fails the
    /// read, naming the type and the text; it is never taken for another value.
    #[test]
    fn unknown_stored_text_is_an_error() {
        for mut c in connections() {
            let e = read!(&mut c, AppointmentStatus, "Booked").unwrap_err();
            assert!(
                matches!(e, diesel::result::Error::DeserializationError(_)),
                "{e:?}"
            );
            let cause = format!("{e:?}");
            assert!(cause.contains("AppointmentStatus 'Booked'"), "{cause}");
            assert!(read!(&mut c, TimeZone, "WIB").is_err());
            assert!(read!(&mut c, Currency, "idr").is_err());
            assert!(read!(&mut c, WeeklyHours, "{\"mon\":1}").is_err());
        }
    }
}
