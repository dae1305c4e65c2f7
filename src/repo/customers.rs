//! Customers: the people appointments are for, with how to reach them and an optional
//! reference in an integrator's own system.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Text;

use super::{Page, check_version, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::customers;
use crate::domain::customer::check_reachable;
use crate::domain::{ContactChannel, Email, Locale, PhoneNumber};
use crate::error::{Code, Error};

define_sql_function! {
    /// SQL `lower()`, the same on PostgreSQL and SQLite for ASCII text.
    fn lower(x: Text) -> Text;
}

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub locale: String,
    pub preferred_channel: String,
    pub external_ref: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new customer whose contact rules have already been checked.
#[derive(Clone)]
pub struct NewCustomer {
    pub name: String,
    pub phone: Option<PhoneNumber>,
    pub email: Option<Email>,
    /// `None`: the organization's locale.
    pub locale: Option<Locale>,
    pub preferred_channel: ContactChannel,
    pub external_ref: Option<String>,
}

/// A partial change; the outer `None` leaves a field unchanged, `Some(None)` clears it.
/// The contact rules are checked on the merged result.
#[derive(Clone, Default)]
pub struct CustomerChanges {
    pub name: Option<String>,
    pub phone: Option<Option<PhoneNumber>>,
    pub email: Option<Option<Email>>,
    pub locale: Option<Locale>,
    pub preferred_channel: Option<ContactChannel>,
    pub external_ref: Option<Option<String>>,
}

/// Filters of a customer list; every given one must match.
#[derive(Default)]
pub struct CustomerFilter {
    /// Exactly this external reference.
    pub external_ref: Option<String>,
    /// Exactly this E.164 number.
    pub phone: Option<PhoneNumber>,
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
}

fn external_ref_taken(external_ref: &str) -> Error {
    Error::new(
        Code::ExternalRefTaken,
        format!("another customer of this organization already has external_ref '{external_ref}'"),
    )
    .with_field("external_ref")
}

/// The unique index on (organization_id, external_ref) is the real guard against
/// duplicates (two concurrent requests both pass any pre-check); its violation is the
/// only unique violation a customer write can cause besides a colliding UUIDv7.
fn map_write_error(e: DieselError, external_ref: Option<&str>) -> Error {
    match (&e, external_ref) {
        (DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _), Some(r)) => {
            external_ref_taken(r)
        }
        _ => e.into(),
    }
}

/// A friendly early refusal; the unique index still decides under concurrency.
fn ensure_external_ref_free(
    conn: &mut DbConnection,
    org: &str,
    external_ref: &str,
    except_id: Option<&str>,
) -> Result<(), Error> {
    let mut q = customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::external_ref.eq(external_ref))
        .select(customers::id)
        .into_boxed();
    if let Some(id) = except_id {
        q = q.filter(customers::id.ne(id.to_owned()));
    }
    match q.first::<String>(conn).optional()? {
        Some(_) => Err(external_ref_taken(external_ref)),
        None => Ok(()),
    }
}

pub fn create(
    conn: &mut DbConnection,
    org: &str,
    new: NewCustomer,
    now: DateTime<Utc>,
) -> Result<CustomerRow, Error> {
    check_reachable(
        new.phone.is_some(),
        new.email.is_some(),
        new.preferred_channel,
    )?;
    let locale = match new.locale {
        Some(l) => l.as_str().to_owned(),
        None => crate::repo::organizations::get(conn, org)?.locale,
    };
    if let Some(r) = &new.external_ref {
        ensure_external_ref_free(conn, org, r, None)?;
    }
    let row = CustomerRow {
        id: new_id(),
        organization_id: org.to_owned(),
        name: new.name,
        phone: new.phone.map(PhoneNumber::into_string),
        email: new.email.map(Email::into_string),
        locale,
        preferred_channel: new.preferred_channel.as_str().to_owned(),
        external_ref: new.external_ref,
        version: 1,
        created_at: to_db(now),
        updated_at: to_db(now),
    };
    diesel::insert_into(customers::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| map_write_error(e, row.external_ref.as_deref()))?;
    Ok(row)
}

/// A customer of this organization; another organization's is simply not found.
/// The customer an integrator knows by `external_ref`, if any.
pub fn find_by_external_ref(
    conn: &mut DbConnection,
    org: &str,
    external_ref: &str,
) -> Result<Option<CustomerRow>, Error> {
    Ok(customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::external_ref.eq(external_ref))
        .select(CustomerRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, org: &str, id: &str) -> Result<CustomerRow, Error> {
    customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::id.eq(id))
        .select(CustomerRow::as_select())
        .get_result(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("customer"))
}

/// `%`, `_` and the escape character itself match literally in a search term.
fn like_pattern(term: &str) -> String {
    let mut p = String::with_capacity(term.len() + 2);
    p.push('%');
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            p.push('\\');
        }
        p.push(c);
    }
    p.push('%');
    p
}

pub fn list(
    conn: &mut DbConnection,
    org: &str,
    filter: CustomerFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<CustomerRow>, Error> {
    let mut q = customers::table
        .filter(customers::organization_id.eq(org))
        .select(CustomerRow::as_select())
        .order(customers::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(r) = filter.external_ref {
        q = q.filter(customers::external_ref.eq(r));
    }
    if let Some(p) = filter.phone {
        q = q.filter(customers::phone.eq(p.into_string()));
    }
    if let Some(term) = filter.q {
        // PostgreSQL's LIKE is case-sensitive and SQLite's is not (for ASCII): lowering
        // both sides makes the two agree.
        q = q.filter(
            lower(customers::name)
                .like(lower(like_pattern(&term)))
                .escape('\\'),
        );
    }
    if let Some(after) = after {
        q = q.filter(customers::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

pub fn update(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
    changes: CustomerChanges,
    now: DateTime<Utc>,
) -> Result<CustomerRow, Error> {
    let mut row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    if let Some(v) = changes.name {
        row.name = v;
    }
    if let Some(v) = changes.phone {
        row.phone = v.map(PhoneNumber::into_string);
    }
    if let Some(v) = changes.email {
        row.email = v.map(Email::into_string);
    }
    if let Some(v) = changes.locale {
        row.locale = v.as_str().to_owned();
    }
    if let Some(v) = changes.preferred_channel {
        row.preferred_channel = v.as_str().to_owned();
    }
    let new_ref = changes.external_ref.is_some();
    if let Some(v) = changes.external_ref {
        row.external_ref = v;
    }
    check_reachable(
        row.phone.is_some(),
        row.email.is_some(),
        ContactChannel::from_db(&row.preferred_channel)?,
    )?;
    if new_ref && let Some(r) = &row.external_ref {
        ensure_external_ref_free(conn, org, r, Some(id))?;
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(now);
    let updated = diesel::update(
        customers::table
            .filter(customers::id.eq(id))
            .filter(customers::version.eq(previous)),
    )
    .set((
        customers::name.eq(&row.name),
        customers::phone.eq(&row.phone),
        customers::email.eq(&row.email),
        customers::locale.eq(&row.locale),
        customers::preferred_channel.eq(&row.preferred_channel),
        customers::external_ref.eq(&row.external_ref),
        customers::version.eq(row.version),
        customers::updated_at.eq(row.updated_at),
    ))
    .execute(conn)
    .map_err(|e| map_write_error(e, row.external_ref.as_deref()))?;
    super::check_updated(updated, || Ok(get(conn, org, id)?.version))?;
    Ok(row)
}

/// Deletes a customer no appointment refers to. The customer is locked before the
/// appointments are counted, so a booking racing the delete either committed first (and
/// the delete is refused) or waits and then finds no customer.
pub fn delete(
    conn: &mut DbConnection,
    org: &str,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    crate::repo::locks::customer_to_delete(conn, org, id)?;
    let row = get(conn, org, id)?;
    check_version(expected_version, row.version)?;
    super::ensure_no_appointments(
        conn,
        super::AppointmentRef::Customer,
        id,
        Code::CustomerHasAppointments,
        "customer",
    )?;
    diesel::delete(customers::table.filter(customers::id.eq(id))).execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn search_terms_match_literally() {
        assert_eq!(like_pattern("budi"), "%budi%");
        assert_eq!(like_pattern("50%_a\\b"), "%50\\%\\_a\\\\b%");
    }
}
