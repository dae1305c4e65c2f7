//! Customers: the people appointments are for, with how to reach them and an optional
//! reference in an integrator's own system; customers who are one person (sharing a
//! phone number) and moving what one has to another.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::Text;

use super::{Page, page_of};
use crate::db::DbConnection;
use crate::db::schema::{appointments, customers, fees};
use crate::domain::{ContactChannel, Locale, PhoneNumber};
use crate::error::{Code, Error};

define_sql_function! {
    /// SQL `lower()`, the same on PostgreSQL and SQLite for ASCII text.
    fn lower(x: Text) -> Text;
}

#[derive(Clone, Debug, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub locale: Locale,
    pub preferred_channel: ContactChannel,
    pub external_ref: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Filters of a customer list; every given one must match.
#[derive(Default)]
pub struct CustomerFilter {
    /// Exactly this external reference.
    pub external_ref: Option<String>,
    /// This number (E.164, however it was typed).
    pub phone: Option<PhoneNumber>,
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
}

/// `409 external_ref_taken`: another customer of the organization has this reference.
pub fn external_ref_taken(external_ref: &str) -> Error {
    Error::new(
        Code::ExternalRefTaken,
        format!("another customer of this organization already has external_ref '{external_ref}'"),
    )
    .with_field("external_ref")
}

/// `409 phone_taken`: another customer of the organization has this phone number.
pub fn phone_taken(phone: &str) -> Error {
    Error::new(
        Code::PhoneTaken,
        format!("another customer of this organization already has the phone number {phone}"),
    )
    .with_field("phone")
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

/// Another customer of this organization with this external reference (not `except_id`).
pub fn external_ref_holder(
    conn: &mut DbConnection,
    org: &str,
    external_ref: &str,
    except_id: Option<&str>,
) -> Result<Option<String>, Error> {
    let mut q = customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::external_ref.eq(external_ref))
        .select(customers::id)
        .into_boxed();
    if let Some(id) = except_id {
        q = q.filter(customers::id.ne(id.to_owned()));
    }
    Ok(q.first::<String>(conn).optional()?)
}

/// Inserts a customer; the unique index refuses a taken `external_ref`.
pub fn insert(conn: &mut DbConnection, row: &CustomerRow) -> Result<(), Error> {
    diesel::insert_into(customers::table)
        .values(row)
        .execute(conn)
        .map_err(|e| map_write_error(e, row.external_ref.as_deref()))?;
    Ok(())
}

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

/// The oldest customer of this organization with this E.164 phone number (not
/// `except_id`); before one customer per number was kept, several could share one.
pub fn find_by_phone(
    conn: &mut DbConnection,
    org: &str,
    phone: &str,
    except_id: Option<&str>,
) -> Result<Option<CustomerRow>, Error> {
    let mut q = customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::phone.eq(phone))
        .select(CustomerRow::as_select())
        .order((customers::created_at.asc(), customers::id.asc()))
        .into_boxed();
    if let Some(id) = except_id {
        q = q.filter(customers::id.ne(id.to_owned()));
    }
    Ok(q.first(conn).optional()?)
}

/// A customer of this organization; another organization's is simply not found.
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

/// Writes `row` over the stored customer if that is still at `previous_version`.
pub fn save(
    conn: &mut DbConnection,
    row: &CustomerRow,
    previous_version: i64,
) -> Result<(), Error> {
    let updated = diesel::update(
        customers::table
            .filter(customers::id.eq(&row.id))
            .filter(customers::version.eq(previous_version)),
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
    super::check_updated(updated, || {
        Ok(get(conn, &row.organization_id, &row.id)?.version)
    })
}

pub fn delete(conn: &mut DbConnection, id: &str) -> Result<(), Error> {
    diesel::delete(customers::table.filter(customers::id.eq(id))).execute(conn)?;
    Ok(())
}

/// Customers of the organization whose phone number another customer of it has, ordered
/// by phone and then by age (the oldest first).
pub fn sharing_a_phone(conn: &mut DbConnection, org: &str) -> Result<Vec<CustomerRow>, Error> {
    let shared: Vec<String> = customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::phone.is_not_null())
        .group_by(customers::phone)
        .having(count_star().gt(1))
        .select(customers::phone.assume_not_null())
        .load(conn)?;
    Ok(customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::phone.eq_any(shared))
        .order((
            customers::phone.asc(),
            customers::created_at.asc(),
            customers::id.asc(),
        ))
        .select(CustomerRow::as_select())
        .load(conn)?)
}

/// Customers of the organization whose external reference another customer of it has
/// (none while the unique index holds; listed for databases changed by hand).
pub fn sharing_an_external_ref(
    conn: &mut DbConnection,
    org: &str,
) -> Result<Vec<CustomerRow>, Error> {
    let shared: Vec<String> = customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::external_ref.is_not_null())
        .group_by(customers::external_ref)
        .having(count_star().gt(1))
        .select(customers::external_ref.assume_not_null())
        .load(conn)?;
    Ok(customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::external_ref.eq_any(shared))
        .order((
            customers::external_ref.asc(),
            customers::created_at.asc(),
            customers::id.asc(),
        ))
        .select(CustomerRow::as_select())
        .load(conn)?)
}

/// What moved from one customer to another.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Moved {
    pub appointments: usize,
    pub fees: usize,
}

/// Gives `from`'s appointments (and so their history events) and fees to `into`.
pub fn reassign(conn: &mut DbConnection, from: &str, into: &str) -> Result<Moved, Error> {
    let appointments =
        diesel::update(appointments::table.filter(appointments::customer_id.eq(from)))
            .set(appointments::customer_id.eq(into))
            .execute(conn)?;
    let fees = diesel::update(fees::table.filter(fees::customer_id.eq(from)))
        .set(fees::customer_id.eq(into))
        .execute(conn)?;
    Ok(Moved { appointments, fees })
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
