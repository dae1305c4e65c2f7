//! Replies received from customers through the gateway, one row per gateway message id.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{appointments, customers, inbound_messages};
use crate::domain::{AppointmentStatus, Locale};
use crate::error::Error;
use crate::repo::appointments::AppointmentRow;

#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = inbound_messages)]
pub struct InboundRow {
    pub organization_id: String,
    pub id: String,
    pub received_at: NaiveDateTime,
    pub sender: String,
    pub text: String,
    pub intent: String,
    pub customer_id: Option<String>,
    pub appointment_id: Option<String>,
}

/// Records a reply unless its id was seen before; returns whether it is new. A replay
/// racing the first waits for it on PostgreSQL (the primary key) and then finds it.
pub fn record(conn: &mut DbConnection, row: &InboundRow) -> Result<bool, Error> {
    let inserted = match conn {
        DbConnection::Pg(c) => diesel::insert_into(inbound_messages::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConnection::Sqlite(c) => diesel::insert_into(inbound_messages::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
    };
    Ok(inserted == 1)
}

/// The customer with this phone number (E.164), if one, with their locale.
pub fn customer_by_phone(
    conn: &mut DbConnection,
    org: &str,
    phone: &str,
) -> Result<Option<(String, Locale)>, Error> {
    Ok(customers::table
        .filter(customers::organization_id.eq(org))
        .filter(customers::phone.eq(phone))
        .select((customers::id, customers::locale))
        .order(customers::id)
        .limit(1)
        .load::<(String, Locale)>(conn)?
        .pop())
}

/// The customer's next appointment still to come (booked or confirmed, not yet begun).
pub fn next_upcoming(
    conn: &mut DbConnection,
    org: &str,
    customer_id: &str,
    now: NaiveDateTime,
) -> Result<Option<AppointmentRow>, Error> {
    Ok(appointments::table
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::customer_id.eq(customer_id))
        .filter(
            appointments::status.eq_any([AppointmentStatus::Booked, AppointmentStatus::Confirmed]),
        )
        .filter(appointments::starts_at.gt(now))
        .order(appointments::starts_at)
        .limit(1)
        .select(AppointmentRow::as_select())
        .load(conn)?
        .pop())
}

/// Notes what the reply was taken to be about, once it is known: the customer, the
/// appointment, and the intent as read in the customer's locale.
pub fn attach(conn: &mut DbConnection, row: &InboundRow) -> Result<(), Error> {
    diesel::update(
        inbound_messages::table
            .filter(inbound_messages::organization_id.eq(&row.organization_id))
            .filter(inbound_messages::id.eq(&row.id)),
    )
    .set((
        inbound_messages::customer_id.eq(&row.customer_id),
        inbound_messages::appointment_id.eq(&row.appointment_id),
        inbound_messages::intent.eq(&row.intent),
    ))
    .execute(conn)?;
    Ok(())
}
