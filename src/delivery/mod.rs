//! The dispatcher: claims due outbox messages with a lease, posts each to its
//! organization's gateway, signed per Standard Webhooks (or hands it to the built-in
//! adapter of its channel: `smtp`, `whatsapp`), and records every attempt.
//!
//! Runs as a task in every serving process (and alone as `janji dispatch`). Several
//! dispatchers on one PostgreSQL database never hold the same message at once (see
//! `repo::outbox::claim_due`); one that dies mid-send leaves its messages to be claimed
//! again when their lease runs out, so a message can arrive twice, but always with the
//! same `webhook-id` for the receiver to drop the second.

pub mod attempted;
pub mod sealed;
pub mod signature;
pub mod smtp;
pub mod targets;
pub mod whatsapp;

use std::collections::HashMap;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};

use crate::app::delivery_adapters::{self, Adapters};
use crate::app::notification_settings::{self, NotificationSettings};
use crate::clock::Clock;
use crate::db::Db;
use crate::domain::delivery_route::Route;
use crate::domain::retry;
use crate::error::Error;
use crate::repo::outbox::{self, Claimed, Outcome};
use crate::secret_key::SecretKey;
use attempted::Attempted;

/// How long a claimed message is this dispatcher's by default: well over one send's
/// timeout.
pub const LEASE: Duration = Duration::seconds(60);
/// One send's limit, connecting included.
pub const SEND_TIMEOUT: StdDuration = StdDuration::from_secs(10);
/// Messages claimed at once.
pub const BATCH: i64 = 64;
/// How often an idle dispatcher looks for due messages.
pub const IDLE: StdDuration = StdDuration::from_millis(500);

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
}

#[derive(Clone)]
pub struct Dispatcher {
    db: Db,
    lease: Duration,
    key: SecretKey,
    client: reqwest::Client,
    allow_private: bool,
}

impl Dispatcher {
    pub fn new(db: Db, key: SecretKey, allow_private: bool) -> Self {
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .connect_timeout(StdDuration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("janji/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with rustls");
        Dispatcher {
            db,
            lease: LEASE,
            key,
            client,
            allow_private,
        }
    }

    /// The same dispatcher with another lease (`JANJI_DISPATCH_LEASE_SECONDS`).
    pub fn with_lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// Claims and sends what is due at `now`, once. The serving loop calls it; tests call
    /// it with the instant they want.
    pub async fn dispatch_due(&self, now: DateTime<Utc>) -> Result<Round, Error> {
        let lease = self.lease;
        let claimed = self
            .db
            .write(move |c| outbox::claim_due(c, now, lease, BATCH))
            .await?;
        if claimed.is_empty() {
            return Ok(Round::default());
        }
        let orgs: Vec<String> = {
            let mut o: Vec<String> = claimed
                .iter()
                .map(|m| m.row.organization_id.clone())
                .collect();
            o.sort();
            o.dedup();
            o
        };
        let key = self.key.clone();
        let settings: HashMap<String, Target> = self
            .db
            .read(move |c| {
                orgs.iter()
                    .map(|o| {
                        let target = Target {
                            settings: notification_settings::of(c, o)?,
                            // Credentials that no longer open fail that organization's
                            // messages, not the round.
                            adapters: delivery_adapters::of(c, &key, o).map_err(|e| e.to_string()),
                        };
                        Ok((o.clone(), target))
                    })
                    .collect()
            })
            .await?;
        let mut sends = tokio::task::JoinSet::new();
        for message in claimed {
            let target = settings.get(&message.row.organization_id).cloned();
            let this = self.clone();
            sends.spawn(async move {
                let started = Instant::now();
                let result = this.send(&message, target.as_ref(), now).await;
                (message, result, started.elapsed())
            });
        }
        let mut results = Vec::new();
        while let Some(done) = sends.join_next().await {
            let (message, result, latency) =
                done.map_err(|e| Error::internal(format!("a send task failed: {e}")))?;
            let Attempted {
                status: code,
                error,
                permanent,
            } = result;
            let outcome = if error.is_none() {
                Outcome::Sent
            } else if permanent {
                Outcome::Failed
            } else {
                let expires = outbox::expires(&message.row);
                match retry::next_attempt(message.row.attempts, now, jitter(), expires) {
                    Some(at) => Outcome::Retry(at),
                    None => Outcome::Failed,
                }
            };
            let attempt = outbox::attempt(&message, now, code, latency, error);
            results.push((message, attempt, outcome));
        }
        let mut round = Round {
            claimed: results.len(),
            ..Round::default()
        };
        for (_, _, outcome) in &results {
            match outcome {
                Outcome::Sent => round.sent += 1,
                Outcome::Retry(_) => round.retried += 1,
                Outcome::Failed => round.failed += 1,
            }
        }
        self.db
            .write(move |c| {
                for (message, attempt, outcome) in &results {
                    let recorded = outbox::record(c, message, attempt, outcome)?;
                    if recorded && matches!(outcome, Outcome::Failed) {
                        crate::app::notices::failed(c, message, now)?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(round)
    }

    /// One attempt of a claimed message, the way its channel goes out.
    async fn send(
        &self,
        message: &Claimed,
        target: Option<&Target>,
        now: DateTime<Utc>,
    ) -> Attempted {
        let Some(target) = target else {
            return Attempted::retry(None, "the organization has no notification settings");
        };
        let adapters = match &target.adapters {
            Ok(a) => a,
            Err(e) => return Attempted::retry(None, e.clone()),
        };
        let gateway = target.settings.as_ref().filter(|s| s.gateway_url.is_some());
        match adapters
            .routes(gateway.is_some())
            .route(message.row.channel)
        {
            Some(Route::Smtp) => match &adapters.smtp {
                Some(smtp) => smtp::send(smtp, message, self.allow_private, now).await,
                None => Attempted::retry(None, "the SMTP adapter is gone"),
            },
            Some(Route::WhatsappCloud) => match &adapters.whatsapp_cloud {
                Some(wa) => whatsapp::send(&self.client, wa, message, self.allow_private).await,
                None => Attempted::retry(None, "the WhatsApp adapter is gone"),
            },
            Some(Route::Gateway) => match gateway {
                Some(settings) => match self.post(message, settings, now).await {
                    Ok(status) if (200..300).contains(&status) => Attempted::sent(Some(status)),
                    Ok(status) => {
                        Attempted::retry(Some(status), format!("the gateway answered {status}"))
                    }
                    Err(e) => Attempted::retry(None, e),
                },
                None => Attempted::retry(None, "the organization has no gateway"),
            },
            None => Attempted::retry(
                None,
                "the organization has no gateway and no adapter for this channel",
            ),
        }
    }

    /// One POST of a claimed message to the gateway: the status code, or why there was
    /// none.
    async fn post(
        &self,
        message: &Claimed,
        settings: &NotificationSettings,
        now: DateTime<Utc>,
    ) -> Result<u16, String> {
        let url = settings
            .gateway_url
            .as_deref()
            .ok_or("the organization has no gateway")?;
        let url = targets::check(url, self.allow_private)
            .await
            .map_err(|r| r.to_string())?;
        let org = &message.row.organization_id;
        let secrets = settings.signing_secrets(&self.key, org, now);
        // The signature's time is the transport's, not the (possibly simulated) clock's:
        // receivers compare it with their own to refuse replays.
        let timestamp = Utc::now().timestamp();
        let body = message.row.payload.as_bytes().to_vec();
        let webhook_id = outbox::webhook_id(&message.row.id);
        let signature = signature::header(&secrets, &webhook_id, timestamp, &body);
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &webhook_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body)
            .send()
            .await
            .map_err(describe)?;
        Ok(response.status().as_u16())
    }

    /// Dispatches until the process ends: at once again after a full batch, else after
    /// a short pause. A failed round is logged and tried again.
    pub async fn run(self, clock: Clock) {
        loop {
            match self.dispatch_due(clock.now()).await {
                Ok(round) if round.claimed as i64 >= BATCH => continue,
                Ok(round) if round.claimed > 0 => tracing::debug!(?round, "dispatched"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "dispatch round failed; trying again"),
            }
            tokio::time::sleep(IDLE).await;
        }
    }
}

/// What a dispatcher knows of an organization while it sends.
#[derive(Clone)]
struct Target {
    settings: Option<NotificationSettings>,
    adapters: Result<Adapters, String>,
}

/// Why a send failed, without the URL (its query could hold a token).
pub(crate) fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "could not connect".into()
    } else {
        e.without_url().to_string()
    }
}

fn jitter() -> f64 {
    let mut b = [0u8; 2];
    match getrandom::fill(&mut b) {
        Ok(()) => f64::from(u16::from_le_bytes(b)) / f64::from(u16::MAX) * 2.0 - 1.0,
        Err(_) => 0.0,
    }
}
