//! The delivery log: every message the organization's changes caused, with each attempt
//! to deliver it; and a failed message put back in line by staff.

use std::collections::HashMap;

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::MessageStatus;
use crate::error::{Code, Error};
use crate::repo::outbox::{self, AttemptRow, MessageFilter, MessageRow};
use crate::repo::{Page, from_db};

/// A message with its attempts.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub message: MessageRow,
    pub attempts: Vec<AttemptRow>,
}

/// A page of the log, each message with its attempts (two statements, whatever the size).
pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    filter: MessageFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Delivery>, Error> {
    let page = outbox::list(conn, &ctx.org, filter, after, limit)?;
    let ids: Vec<String> = page.items.iter().map(|m| m.id.clone()).collect();
    let mut by_message: HashMap<String, Vec<AttemptRow>> = HashMap::new();
    for a in outbox::attempts_of(conn, &ids)? {
        by_message.entry(a.message_id.clone()).or_default().push(a);
    }
    Ok(page.map(|message| Delivery {
        attempts: by_message.remove(&message.id).unwrap_or_default(),
        message,
    }))
}

/// Sends a failed message again from the next dispatch on, with a fresh round of
/// attempts; refused for one that is pending, sent or cancelled, or whose appointment
/// has begun.
pub fn retry(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Delivery, Error> {
    let message = outbox::get(conn, &ctx.org, id)?;
    if message.status != MessageStatus::Failed {
        return Err(Error::new(
            Code::NotRetryable,
            format!(
                "the message is {}; only a failed message is sent again",
                message.status
            ),
        ));
    }
    if message.expires_at.is_some_and(|t| from_db(t) <= ctx.now) {
        return Err(Error::new(
            Code::NotRetryable,
            "the appointment this message is about has begun",
        ));
    }
    if !outbox::requeue(conn, &ctx.org, id, ctx.now)? {
        // Another retry of the same message committed first.
        return Err(Error::new(
            Code::NotRetryable,
            "the message is already back in line",
        ));
    }
    let message = outbox::get(conn, &ctx.org, id)?;
    let attempts = outbox::attempts_of(conn, std::slice::from_ref(&message.id))?;
    Ok(Delivery { message, attempts })
}
