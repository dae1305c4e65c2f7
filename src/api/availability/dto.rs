//! What slots and suggested times look like on the wire, for bookings and moves alike.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::app::appointments::ResourceView;
use crate::app::availability::SlotView;
use crate::app::suggestions::SuggestionView;
use crate::domain::ResourceKind;
use crate::domain::suggestions::{Reason, Score};
use crate::http::short_text::serialize_utc;
use crate::http::time::LocalSpan;

/// A resource that would serve (or serves) an appointment.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResourceRef {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    pub kind: ResourceKind,
}

impl From<ResourceView> for ResourceRef {
    fn from(r: ResourceView) -> Self {
        ResourceRef {
            id: r.id,
            name: r.name,
            kind: r.kind,
        }
    }
}

/// Resources in the order they are shown.
pub fn resource_refs(resources: Vec<ResourceView>) -> Vec<ResourceRef> {
    resources.into_iter().map(ResourceRef::from).collect()
}

/// A bookable start.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotResponse {
    #[serde(serialize_with = "serialize_utc")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "serialize_utc")]
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    /// One resource per kind the service needs: those a booking at this start gets
    /// when it names none (the least loaded that day).
    pub resources: Vec<ResourceRef>,
}

impl From<SlotView> for SlotResponse {
    fn from(s: SlotView) -> Self {
        SlotResponse {
            local: LocalSpan::new(s.tz, s.start, s.end),
            start: s.start,
            end: s.end,
            resources: resource_refs(s.resources),
        }
    }
}

/// One offered time, ranked and explained. Booking it (or moving to it) at once succeeds
/// unless someone else takes it first.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionResponse {
    #[serde(serialize_with = "serialize_utc")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "serialize_utc")]
    pub end: DateTime<Utc>,
    pub local: LocalSpan,
    /// The resources a booking at this start gets (the current ones kept when free).
    pub resources: Vec<ResourceRef>,
    /// Higher ranks first; the sum of `score_parts`.
    pub score: i64,
    pub score_parts: Score,
    /// Why it ranks where it does.
    pub reasons: Vec<Reason>,
}

impl From<SuggestionView> for SuggestionResponse {
    fn from(s: SuggestionView) -> Self {
        let slot = s.slot;
        SuggestionResponse {
            local: LocalSpan::new(slot.tz, slot.start, slot.end),
            start: slot.start,
            end: slot.end,
            resources: resource_refs(slot.resources),
            score: s.score,
            score_parts: s.parts,
            reasons: s.reasons,
        }
    }
}

/// Suggestions as rendered, best first.
pub fn suggestion_responses(found: Vec<SuggestionView>) -> Vec<SuggestionResponse> {
    found.into_iter().map(SuggestionResponse::from).collect()
}
