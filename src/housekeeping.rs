//! Periodic chores of a serving process: writing API keys' noted last uses and purging
//! idempotency answers past their retention. Each is one short write; on several
//! processes sharing a PostgreSQL database they are harmless to run side by side.

use std::time::Duration;

use crate::error::Error;
use crate::http::state::AppState;
use crate::repo::{api_keys, idempotency};

/// How often the chores run.
pub const EVERY: Duration = Duration::from_secs(60);

/// What one round did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub uses_written: usize,
    pub answers_purged: usize,
}

/// Runs one round now: the serving loop calls it every [`EVERY`], tests call it directly.
pub async fn run_once(state: &AppState) -> Result<Round, Error> {
    let uses = state.last_use.take();
    let uses_written = uses.len();
    if !uses.is_empty() {
        let batch = uses.clone();
        if let Err(e) = state
            .db
            .write(move |c| api_keys::record_uses(c, &batch))
            .await
        {
            state.last_use.restore(uses);
            return Err(e);
        }
    }
    let (retention, now) = (state.idempotency_retention, state.clock.now());
    let answers_purged = state
        .db
        .write(move |c| idempotency::purge_expired(c, retention, now))
        .await?;
    Ok(Round {
        uses_written,
        answers_purged,
    })
}

/// Runs the chores until the process ends; a failed round is logged and retried at the
/// next tick.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match run_once(&state).await {
            Ok(round) if round != Round::default() => {
                tracing::debug!(?round, "housekeeping");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed; retrying next round"),
        }
    }
}
