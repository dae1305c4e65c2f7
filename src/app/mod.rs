//! Use cases: each action on appointments and fees is one function
//! `fn(conn, &Ctx, Command) -> Result<Outcome, Error>` that runs inside the caller's unit
//! of work over the repositories, decides with the pure rules in `domain`, and returns a
//! typed outcome: what was done, or the domain's refusal with what the caller needs to
//! explain it (a quote, alternatives). `Error` is left for plain failures (not found, a
//! stale version, the database). Nothing here knows HTTP or the wire names of fields.

pub mod api_keys;
pub mod appointments;
pub mod availability;
pub mod booking;
pub mod calls;
pub mod cancel;
pub mod change;
pub mod customer_identity;
pub mod customers;
pub mod deliveries;
pub mod delivery_adapters;
pub mod fees;
pub mod history;
pub mod in_use;
pub mod inbound;
pub mod lifecycle;
pub mod links;
pub mod move_slots;
pub mod notices;
pub mod notification_settings;
pub mod organization;
pub mod policies;
pub mod quotes;
pub mod reply_settings;
pub mod reschedule;
pub mod self_service;
pub mod setup;
pub mod suggestions;
pub mod terms;
pub mod vehicles;
pub mod webhook_endpoints;
pub mod webhooks;

use chrono::{DateTime, Utc};

use crate::domain::Actor;
use crate::domain::policy::Asker;
use crate::link_token::MessageLinks;
use crate::repo::schedule::{self, Snapshots};

/// What every use case is given besides its command: the organization it acts in, who
/// acts, and the instant it acts at (read once per request, so a rule never sees two
/// different "now"s).
#[derive(Clone, Debug)]
pub struct Ctx {
    pub org: String,
    pub actor: Actor,
    pub now: DateTime<Utc>,
    /// The process's schedule snapshots (a tool run starts with none).
    pub schedules: Snapshots,
    /// Derives the links messages carry; `None` (tools): messages go without a link.
    pub links: Option<MessageLinks>,
}

impl Ctx {
    /// A context with no schedule snapshots yet (tools, seeding).
    pub fn new(org: String, actor: Actor, now: DateTime<Utc>) -> Self {
        Ctx {
            org,
            actor,
            now,
            schedules: Snapshots::default(),
            links: None,
        }
    }

    /// The same context, its messages carrying links derived by `links`.
    pub fn with_links(mut self, links: MessageLinks) -> Self {
        self.links = Some(links);
        self
    }

    /// How this context reads schedules.
    pub fn schedule_reader(&self) -> schedule::Reader<'_> {
        schedule::Reader {
            org: &self.org,
            snapshots: &self.schedules,
        }
    }

    /// Who asks for a change, as the policy sees them (`None` role: the customer).
    pub fn asker(&self) -> Asker {
        Asker {
            role: match &self.actor {
                Actor::ApiKey { role, .. } => Some(*role),
                Actor::CustomerLink | Actor::System => None,
            },
        }
    }
}
