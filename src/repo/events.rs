//! The history of an appointment: every creation and change, with who did it and why.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde_json::Value;

use super::{Page, new_id, page_of, to_db};
use crate::db::DbConnection;
use crate::db::schema::appointment_events;
use crate::domain::{Actor, EventKind, ReasonCategory, Role};
use crate::error::Error;

// `None` is written as NULL (every such column's default), not as `DEFAULT`: the insert
// then has one text, which each connection prepares once and keeps.
#[derive(Clone, Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = appointment_events, treat_none_as_default_value = false)]
pub struct EventRow {
    pub id: String,
    pub organization_id: String,
    pub appointment_id: String,
    pub kind: EventKind,
    pub actor_kind: String,
    pub actor_id: Option<String>,
    pub actor_role: Option<Role>,
    /// JSON object: field → `{ "old": ..., "new": ... }`.
    pub changes: String,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    pub note: Option<String>,
    pub occurred_at: NaiveDateTime,
    /// JSON object: what the change decided besides its fields (fee, override, policy).
    pub details: Option<String>,
}

/// One change to record.
pub struct NewEvent {
    pub kind: EventKind,
    pub changes: Value,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    pub note: Option<String>,
    pub details: Option<Value>,
}

/// `{field: {old, new}}` for one field.
pub fn change(field: &str, old: impl serde::Serialize, new: impl serde::Serialize) -> Value {
    serde_json::json!({ field: { "old": old, "new": new } })
}

pub fn record(
    conn: &mut DbConnection,
    org: &str,
    appointment_id: &str,
    actor: &Actor,
    event: NewEvent,
    now: DateTime<Utc>,
) -> Result<EventRow, Error> {
    let (actor_kind, actor_id, actor_role) = match actor {
        Actor::ApiKey { id, role } => ("api_key", Some(id.clone()), Some(*role)),
        Actor::CustomerLink => ("customer_link", None, None),
        Actor::System => ("system", None, None),
    };
    let row = EventRow {
        id: new_id(),
        organization_id: org.to_owned(),
        appointment_id: appointment_id.to_owned(),
        kind: event.kind,
        actor_kind: actor_kind.to_owned(),
        actor_id,
        actor_role,
        changes: event.changes.to_string(),
        reason_category: event.reason_category,
        reason_text: event.reason_text,
        note: event.note,
        occurred_at: to_db(now),
        details: event.details.map(|d| d.to_string()),
    };
    diesel::insert_into(appointment_events::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// An appointment's events, oldest first.
pub fn list(
    conn: &mut DbConnection,
    appointment_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<EventRow>, Error> {
    let mut q = appointment_events::table
        .filter(appointment_events::appointment_id.eq(appointment_id))
        .select(EventRow::as_select())
        .order(appointment_events::id.asc())
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(appointment_events::id.gt(after.to_owned()));
    }
    Ok(page_of(q.load(conn)?, limit, |r| &r.id))
}

/// How many events of `kind` a set of appointments has (e.g. reschedules of a customer).
pub fn count_kind_for_customer(
    conn: &mut DbConnection,
    org: &str,
    customer_id: &str,
    kind: EventKind,
) -> Result<i64, Error> {
    use crate::db::schema::appointments;
    Ok(appointment_events::table
        .inner_join(appointments::table)
        .filter(appointment_events::organization_id.eq(org))
        .filter(appointments::customer_id.eq(customer_id))
        .filter(appointment_events::kind.eq(kind))
        .count()
        .get_result(conn)?)
}

/// When a customer's appointments were moved (rebookings included) since `since`.
pub fn moves_of_customer(
    conn: &mut DbConnection,
    org: &str,
    customer_id: &str,
    since: DateTime<Utc>,
) -> Result<Vec<DateTime<Utc>>, Error> {
    use crate::db::schema::appointments;
    let times: Vec<NaiveDateTime> = appointment_events::table
        .inner_join(appointments::table)
        .filter(appointments::organization_id.eq(org))
        .filter(appointments::customer_id.eq(customer_id))
        .filter(appointment_events::kind.eq(EventKind::Rescheduled.as_str()))
        .filter(appointment_events::occurred_at.gt(to_db(since)))
        .select(appointment_events::occurred_at)
        .load(conn)?;
    Ok(times.into_iter().map(super::from_db).collect())
}
