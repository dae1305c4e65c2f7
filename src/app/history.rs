//! An appointment's history: every creation and change, with who made it and why.

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::app::Ctx;
use crate::db::DbConnection;
use crate::domain::{EventKind, ReasonCategory, Role};
use crate::error::Error;
use crate::repo::events::{self, EventRow};
use crate::repo::{Page, appointments, from_db};

/// One change in an appointment's history.
#[derive(Clone, Debug)]
pub struct Event {
    pub id: String,
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    /// `api_key`, `customer_link` or `system`, with the key and its role for `api_key`.
    pub actor_kind: String,
    pub actor_key_id: Option<String>,
    pub actor_role: Option<Role>,
    /// Field → `{ "old": ..., "new": ... }`.
    pub changes: Value,
    pub reason_category: Option<ReasonCategory>,
    pub reason_text: Option<String>,
    pub note: Option<String>,
    /// What the change decided besides its fields (fee, override, policy).
    pub details: Option<Value>,
}

impl TryFrom<EventRow> for Event {
    type Error = Error;

    fn try_from(r: EventRow) -> Result<Self, Error> {
        Ok(Event {
            changes: serde_json::from_str(&r.changes)
                .map_err(|e| Error::internal(format!("event changes: {e}")))?,
            details: r
                .details
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .map_err(|e| Error::internal(format!("event details: {e}")))?,
            id: r.id,
            kind: r.kind,
            occurred_at: from_db(r.occurred_at),
            actor_kind: r.actor_kind,
            actor_key_id: r.actor_id,
            actor_role: r.actor_role,
            reason_category: r.reason_category,
            reason_text: r.reason_text,
            note: r.note,
        })
    }
}

/// A page of an appointment's events, oldest first; `after` is the last id shown.
pub fn events(
    conn: &mut DbConnection,
    ctx: &Ctx,
    appointment_id: &str,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Event>, Error> {
    appointments::get(conn, &ctx.org, appointment_id)?;
    let page = events::list(conn, appointment_id, after, limit)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(Event::try_from)
            .collect::<Result<_, _>>()?,
        next_after: page.next_after,
    })
}
