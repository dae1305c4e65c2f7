//! Customers: the people appointments are for, how to reach them, and their reference in
//! an integrator's own system.

use chrono::{DateTime, Utc};

use super::Ctx;
use super::in_use::refuse_if_appointments;
use crate::db::DbConnection;
use crate::domain::customer::check_reachable;
use crate::domain::{ContactChannel, Email, Locale, PhoneNumber};
use crate::error::{Code, Error};
pub use crate::repo::customers::CustomerFilter;
use crate::repo::customers::{self, CustomerRow, external_ref_taken, phone_taken};
use crate::repo::{AppointmentRef, Page, check_version, from_db, locks, new_id, to_db};

/// A customer as a use case returns it.
#[derive(Clone, Debug)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub locale: Locale,
    pub preferred_channel: ContactChannel,
    pub external_ref: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<CustomerRow> for Customer {
    fn from(r: CustomerRow) -> Self {
        Customer {
            locale: r.locale,
            preferred_channel: r.preferred_channel,
            id: r.id,
            name: r.name,
            phone: r.phone,
            email: r.email,
            external_ref: r.external_ref,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        }
    }
}

/// A new customer with parsed contacts; the contact rules are checked on creation.
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

/// A friendly early refusal of a taken `external_ref`; the unique index still decides
/// under concurrency.
fn ensure_external_ref_free(
    conn: &mut DbConnection,
    org: &str,
    external_ref: &str,
    except_id: Option<&str>,
) -> Result<(), Error> {
    match customers::external_ref_holder(conn, org, external_ref, except_id)? {
        Some(_) => Err(external_ref_taken(external_ref)),
        None => Ok(()),
    }
}

/// What creating a customer came to: a new customer, or the one who already has the
/// `external_ref` or the phone number asked for (returned unchanged).
#[derive(Clone, Debug)]
pub enum Identified {
    Created(Customer),
    Matched(Customer),
}

impl Identified {
    pub fn customer(&self) -> &Customer {
        match self {
            Identified::Created(c) | Identified::Matched(c) => c,
        }
    }
}

/// The customer a new one would duplicate: the one with this `external_ref`, else the
/// oldest with this phone number. Call it under the organization's lock.
fn existing(
    conn: &mut DbConnection,
    org: &str,
    new: &NewCustomer,
) -> Result<Option<CustomerRow>, Error> {
    if let Some(r) = &new.external_ref
        && let Some(found) = customers::find_by_external_ref(conn, org, r)?
    {
        return Ok(Some(found));
    }
    match &new.phone {
        Some(p) => customers::find_by_phone(conn, org, p.as_str(), None),
        None => Ok(None),
    }
}

/// Creates a customer who can be reached on their preferred channel, unless one of the
/// organization already has the `external_ref` or the phone number: then that customer
/// is the answer, unchanged, and nothing is written.
///
/// The organization's row is locked before looking, so two creates of one number (or a
/// create racing a booking with an inline customer) queue, and the second finds the
/// first's customer: existing duplicates make a unique index impossible
/// (docs/concurrency.md).
pub fn create(conn: &mut DbConnection, ctx: &Ctx, new: NewCustomer) -> Result<Identified, Error> {
    check_reachable(
        new.phone.is_some(),
        new.email.is_some(),
        new.preferred_channel,
    )?;
    locks::organization(conn, &ctx.org)?;
    if let Some(found) = existing(conn, &ctx.org, &new)? {
        return Ok(Identified::Matched(found.into()));
    }
    let locale = match new.locale {
        Some(l) => l,
        None => crate::repo::organizations::get(conn, &ctx.org)?.locale,
    };
    let row = CustomerRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        name: new.name,
        phone: new.phone.map(PhoneNumber::into_string),
        email: new.email.map(Email::into_string),
        locale,
        preferred_channel: new.preferred_channel,
        external_ref: new.external_ref,
        version: 1,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
    };
    customers::insert(conn, &row)?;
    Ok(Identified::Created(row.into()))
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Customer, Error> {
    Ok(customers::get(conn, &ctx.org, id)?.into())
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    filter: CustomerFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Customer>, Error> {
    Ok(customers::list(conn, &ctx.org, filter, after, limit)?.map(Customer::from))
}

/// Changes a customer; the result must still be reachable on its preferred channel, and
/// a new phone number must be no other customer's (checked under the organization's
/// lock, as creation does). A change that changes nothing keeps the version.
pub fn update(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
    changes: CustomerChanges,
) -> Result<Customer, Error> {
    if changes.phone.as_ref().is_some_and(Option::is_some) {
        locks::organization(conn, &ctx.org)?;
    }
    let mut row = customers::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let before = row.clone();
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
        row.locale = v;
    }
    if let Some(v) = changes.preferred_channel {
        row.preferred_channel = v;
    }
    let new_ref = changes.external_ref.is_some();
    if let Some(v) = changes.external_ref {
        row.external_ref = v;
    }
    check_reachable(
        row.phone.is_some(),
        row.email.is_some(),
        row.preferred_channel,
    )?;
    if row == before {
        return Ok(row.into());
    }
    if new_ref && let Some(r) = &row.external_ref {
        ensure_external_ref_free(conn, &ctx.org, r, Some(id))?;
    }
    if row.phone != before.phone
        && let Some(p) = &row.phone
        && customers::find_by_phone(conn, &ctx.org, p, Some(id))?.is_some()
    {
        return Err(phone_taken(p));
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    customers::save(conn, &row, previous)?;
    Ok(row.into())
}

/// Deletes a customer no appointment refers to. The customer is locked before the
/// appointments are counted, so a booking racing the delete either committed first (and
/// the delete is refused) or waits and then finds no customer.
pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    locks::customer_to_delete(conn, &ctx.org, id)?;
    let row = customers::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    refuse_if_appointments(
        conn,
        AppointmentRef::Customer,
        id,
        Code::CustomerHasAppointments,
        "customer",
    )?;
    customers::delete(conn, id)
}
