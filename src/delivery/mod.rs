//! The dispatcher: claims due outbox messages with a lease, posts each to its
//! organization's gateway (a message to a customer) or to its webhook endpoint (an
//! integration's event, docs/webhooks.md), signed per Standard Webhooks, or hands a
//! customer's message to the built-in adapter of its channel (`smtp`, `whatsapp`), and
//! records every attempt.
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
use crate::app::{webhook_endpoints as endpoints, webhooks};
use crate::clock::Clock;
use crate::db::Db;
use crate::domain::delivery_route::Route;
use crate::domain::{MessageKind, retry};
use crate::error::Error;
use crate::link_token::MessageLinks;
use crate::repo::outbox::{self, Claimed, Outcome};
use crate::repo::webhook_endpoints::{self, EndpointRow};
use crate::secret_key::SecretKey;
use attempted::Attempted;

/// Where a claimed message goes: a customer's message the way its organization sends
/// (`None`: it has no notification settings), or an integration's event to its webhook
/// endpoint (`None` when the endpoint has been deleted).
// One per organization or endpoint in a round, cloned per message of a batch of 64:
// the organization's settings (templates, overrides) make the first variant the larger,
// and boxing it would add an allocation to save a few hundred bytes.
#[allow(clippy::large_enum_variant)]
#[derive(Clone)]
enum Target {
    Customer(Option<OrgTarget>),
    Endpoint(Option<EndpointRow>),
}

/// What a dispatcher knows of an organization while it sends to its customers.
#[derive(Clone)]
struct OrgTarget {
    settings: Option<NotificationSettings>,
    /// Credentials that no longer open fail that organization's messages, not the round.
    adapters: Result<Adapters, String>,
}

/// An endpoint that answers this is gone for good: it is turned off.
const GONE: u16 = 410;

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
    /// Where customers open their links (`JANJI_PUBLIC_URL`).
    public_url: String,
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
            public_url: crate::config::DEFAULT_PUBLIC_URL.to_owned(),
        }
    }

    /// The same dispatcher writing links under another public URL (`JANJI_PUBLIC_URL`).
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = url.trim_end_matches('/').to_owned();
        self
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
        // Raising due call flags and dropping follow-ups no longer wanted share the
        // claim's unit of work (docs/reminders.md, "Needs a call").
        let claimed = self
            .db
            .write(move |c| {
                crate::app::calls::raise_due(c, now)?;
                let claimed = outbox::claim_due(c, now, lease, BATCH)?;
                crate::app::notices::still_wanted(c, claimed)
            })
            .await?;
        if claimed.is_empty() {
            return Ok(Round::default());
        }
        let is_webhook = |m: &Claimed| m.row.kind == MessageKind::Webhook;
        let mut orgs: Vec<String> = claimed
            .iter()
            .filter(|m| !is_webhook(m))
            .map(|m| m.row.organization_id.clone())
            .collect();
        orgs.sort();
        orgs.dedup();
        let ids: Vec<String> = claimed
            .iter()
            .filter_map(|m| m.row.endpoint_id.clone())
            .collect();
        let key = self.key.clone();
        let (settings, hooks) = self
            .db
            .read(move |c| {
                let settings = orgs
                    .iter()
                    .map(|o| {
                        let target = OrgTarget {
                            settings: notification_settings::of(c, o)?,
                            adapters: delivery_adapters::of(c, &key, o).map_err(|e| e.to_string()),
                        };
                        Ok((o.clone(), target))
                    })
                    .collect::<Result<HashMap<String, OrgTarget>, Error>>()?;
                let hooks: HashMap<String, EndpointRow> = webhook_endpoints::by_ids(c, &ids)?
                    .into_iter()
                    .map(|e| (e.id.clone(), e))
                    .collect();
                Ok((settings, hooks))
            })
            .await?;
        let mut sends = tokio::task::JoinSet::new();
        let links = MessageLinks::new(self.key.clone());
        for mut message in claimed {
            if !is_webhook(&message) {
                // The customer's link, derived again at each send (the same each time),
                // lives only in this request: the outbox row keeps the marker.
                message.row.payload =
                    links.resolve(&message.row.payload, &message.row.id, &self.public_url);
            }
            let target = if is_webhook(&message) {
                Target::Endpoint(
                    message
                        .row
                        .endpoint_id
                        .as_ref()
                        .and_then(|id| hooks.get(id))
                        .cloned(),
                )
            } else {
                Target::Customer(settings.get(&message.row.organization_id).cloned())
            };
            // A delivery to a deleted endpoint has nowhere to go, now or later.
            let orphan = matches!(target, Target::Endpoint(None));
            let this = self.clone();
            sends.spawn(async move {
                let started = Instant::now();
                let result = this.send(&message, &target, now).await;
                (message, result, started.elapsed(), orphan)
            });
        }
        let mut results = Vec::new();
        while let Some(done) = sends.join_next().await {
            let (message, result, latency, orphan) =
                done.map_err(|e| Error::internal(format!("a send task failed: {e}")))?;
            let webhook = is_webhook(&message);
            let gone = webhook && result.status == Some(GONE);
            let Attempted {
                status: code,
                error,
                permanent,
            } = result;
            let waits: &[i64] = if webhook {
                &retry::WEBHOOK_BACKOFF_SECONDS
            } else {
                &retry::BACKOFF_SECONDS
            };
            let outcome = if error.is_none() {
                Outcome::Sent
            } else if gone || orphan || permanent {
                Outcome::Failed
            } else {
                let expires = outbox::expires(&message.row);
                match retry::next_attempt_by(waits, message.row.attempts, now, jitter(), expires) {
                    Some(at) => Outcome::Retry(at),
                    None => Outcome::Failed,
                }
            };
            let attempt = outbox::attempt(&message, now, code, latency, error);
            results.push((message, attempt, outcome, gone));
        }
        let mut round = Round {
            claimed: results.len(),
            ..Round::default()
        };
        for (_, _, outcome, _) in &results {
            match outcome {
                Outcome::Sent => round.sent += 1,
                Outcome::Retry(_) => round.retried += 1,
                Outcome::Failed => round.failed += 1,
            }
        }
        // Sent messages need nothing but their record: one batch for all of them (they
        // share this round's lease token); the others one at a time, with what follows.
        let (sent, others): (Vec<_>, Vec<_>) = results
            .into_iter()
            .partition(|(_, _, outcome, _)| matches!(outcome, Outcome::Sent));
        let token = sent.first().map(|(m, _, _, _)| m.token.clone());
        let sent_attempts: Vec<_> = sent.into_iter().map(|(_, a, _, _)| a).collect();
        self.db
            .write(move |c| {
                if let Some(token) = &token {
                    outbox::record_sent(c, token, &sent_attempts, now)?;
                }
                for (message, attempt, outcome, gone) in &others {
                    let recorded = outbox::record(c, message, attempt, outcome)?;
                    if !recorded {
                        continue;
                    }
                    if let (true, Some(endpoint)) = (*gone, &message.row.endpoint_id) {
                        webhooks::endpoint_gone(c, endpoint, now)?;
                    } else if matches!(outcome, Outcome::Failed) && !is_webhook(message) {
                        crate::app::notices::failed(c, message, now)?;
                        webhooks::message_failed(c, message, attempt.error.as_deref(), now)?;
                    }
                }
                Ok(())
            })
            .await?;
        Ok(round)
    }

    /// One attempt of a claimed message, the way it goes out.
    async fn send(&self, message: &Claimed, target: &Target, now: DateTime<Utc>) -> Attempted {
        match target {
            Target::Endpoint(None) => Attempted::permanent(None, "the endpoint was deleted"),
            Target::Endpoint(Some(endpoint)) => {
                let secrets = endpoints::signing_secrets(endpoint, &self.key, now);
                match self.post(message, &endpoint.url, &secrets).await {
                    Ok(status) if (200..300).contains(&status) => Attempted::sent(Some(status)),
                    Ok(GONE) => Attempted::permanent(
                        Some(GONE),
                        "the endpoint answered 410 Gone; it is turned off",
                    ),
                    Ok(status) => {
                        Attempted::retry(Some(status), format!("the endpoint answered {status}"))
                    }
                    Err(e) => Attempted::retry(None, e),
                }
            }
            Target::Customer(None) => {
                Attempted::retry(None, "the organization has no notification settings")
            }
            Target::Customer(Some(org)) => self.send_to_customer(message, org, now).await,
        }
    }

    /// A customer's message by its channel's route: a built-in adapter or the gateway.
    async fn send_to_customer(
        &self,
        message: &Claimed,
        target: &OrgTarget,
        now: DateTime<Utc>,
    ) -> Attempted {
        let adapters = match &target.adapters {
            Ok(a) => a,
            Err(e) => return Attempted::retry(None, e.clone()),
        };
        let gateway = target.settings.as_ref().filter(|s| s.gateway_url.is_some());
        let Some(channel) = message.row.channel.contact() else {
            return Attempted::permanent(None, "not a customer's channel");
        };
        match adapters.routes(gateway.is_some()).route(channel) {
            Some(Route::Smtp) => match &adapters.smtp {
                Some(smtp) => smtp::send(smtp, message, self.allow_private, now).await,
                None => Attempted::retry(None, "the SMTP adapter is gone"),
            },
            Some(Route::WhatsappCloud) => match &adapters.whatsapp_cloud {
                Some(wa) => whatsapp::send(&self.client, wa, message, self.allow_private).await,
                None => Attempted::retry(None, "the WhatsApp adapter is gone"),
            },
            Some(Route::Gateway) => match gateway {
                Some(settings) => {
                    let url = settings.gateway_url.as_deref().unwrap_or_default();
                    let org = &message.row.organization_id;
                    let secrets = settings.signing_secrets(&self.key, org, now);
                    match self.post(message, url, &secrets).await {
                        Ok(status) if (200..300).contains(&status) => Attempted::sent(Some(status)),
                        Ok(status) => {
                            Attempted::retry(Some(status), format!("the gateway answered {status}"))
                        }
                        Err(e) => Attempted::retry(None, e),
                    }
                }
                None => Attempted::retry(None, "the organization has no gateway"),
            },
            None => Attempted::retry(
                None,
                "the organization has no gateway and no adapter for this channel",
            ),
        }
    }

    /// One signed POST (Standard Webhooks) of a claimed message: the status code, or why
    /// there was none.
    async fn post(
        &self,
        message: &Claimed,
        url: &str,
        secrets: &[[u8; 32]],
    ) -> Result<u16, String> {
        let url = targets::check(url, self.allow_private)
            .await
            .map_err(|r| r.to_string())?;
        // The signature's time is the transport's, not the (possibly simulated) clock's:
        // receivers compare it with their own to refuse replays.
        let timestamp = Utc::now().timestamp();
        let body = message.row.payload.as_bytes().to_vec();
        let webhook_id = outbox::webhook_id(&message.row.id);
        let signature = signature::header(secrets, &webhook_id, timestamp, &body);
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
