//! What every handler can reach: the database, the clock, and the settings requests need.

use chrono::Duration;

use crate::app::Ctx;
use crate::clock::Clock;
use crate::db::Db;
use crate::domain::Actor;
use crate::last_use::LastUse;
use crate::link_token::MessageLinks;
use crate::repo::api_keys::Principal;
use crate::repo::idempotency::DEFAULT_RETENTION;
use crate::repo::schedule::Snapshots;
use crate::secret_key::SecretKey;

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    /// How long answers to POSTs with an `Idempotency-Key` are kept and replayed.
    pub idempotency_retention: Duration,
    /// API keys' last use, recorded in memory and written in batches.
    pub last_use: LastUse,
    /// Schedules kept between requests, checked against the database's versions.
    pub schedules: Snapshots,
    /// The key signing secrets are derived from.
    pub secret_key: SecretKey,
    /// Whether gateway URLs may lead to internal addresses.
    pub allow_private_targets: bool,
    /// Where customers open their links (`JANJI_PUBLIC_URL`), without a trailing `/`.
    pub public_url: String,
    /// Requests per customer link and per client address on the link endpoints.
    pub link_limits: crate::http::link_limits::LinkLimits,
    /// Availability responses written from kept answers, served again while current.
    pub rendered_slots: crate::http::rendered_slots::RenderedSlots,
}

impl AppState {
    /// A state with the default idempotency retention.
    pub fn new(db: Db, clock: Clock) -> Self {
        let schedules = Snapshots::default();
        let forget = schedules.clone();
        db.on_lost_group(move || forget.clear());
        AppState {
            db,
            clock,
            idempotency_retention: DEFAULT_RETENTION,
            last_use: LastUse::default(),
            schedules,
            secret_key: SecretKey::random(),
            allow_private_targets: false,
            public_url: crate::config::DEFAULT_PUBLIC_URL.to_owned(),
            link_limits: crate::http::link_limits::LinkLimits::default(),
            rendered_slots: Default::default(),
        }
    }

    /// What a use case is given for this caller: their organization, their key as the
    /// actor, the request's `now` and the process's schedule snapshots.
    pub fn ctx(&self, principal: &Principal) -> Ctx {
        Ctx {
            org: principal.organization_id.clone(),
            actor: Actor::ApiKey {
                id: principal.key_id.clone(),
                role: principal.role,
            },
            now: self.clock.now(),
            schedules: self.schedules.clone(),
            links: Some(MessageLinks::new(self.secret_key.clone())),
        }
    }

    /// What a use case is given for a customer through their link, before the link is
    /// opened: the organization comes from the link (`app::links::open`).
    pub fn customer_ctx(&self) -> Ctx {
        Ctx {
            org: String::new(),
            actor: Actor::CustomerLink,
            now: self.clock.now(),
            schedules: self.schedules.clone(),
            links: Some(MessageLinks::new(self.secret_key.clone())),
        }
    }
}
