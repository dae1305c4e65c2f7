//! The service as requests and answers carry it, and how a request body parses into a
//! command: minutes within their bounds, at least one kind of resource, no list item
//! given twice.

use std::ops::RangeInclusive;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::setup::services::{NewService, Service, ServiceChanges};
use crate::domain::availability::{MAX_BUFFER_MINUTES, MAX_DURATION_MINUTES};
use crate::domain::{ResourceKind, text};
use crate::error::{Code, Error};

/// Length of an appointment, in minutes.
const DURATION: RangeInclusive<i64> = 1..=MAX_DURATION_MINUTES;
/// Time kept free before or after an appointment, in minutes.
const BUFFER: RangeInclusive<i64> = 0..=MAX_BUFFER_MINUTES;

/// Something a customer books, such as a periodic service of 60 minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceResponse {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// Length of the appointment itself, 1 to 1440 minutes.
    pub duration_minutes: i32,
    /// Time the resources are kept free before the appointment (preparation).
    pub buffer_before_minutes: i32,
    /// Time the resources are kept free after the appointment (clean-up, paperwork).
    pub buffer_after_minutes: i32,
    /// An appointment takes one free resource of each of these kinds.
    pub resource_kinds: Vec<ResourceKind>,
    /// Allow-list: for a kind with resources listed here, only those are assigned; a
    /// kind with none listed may use any of its resources. Empty: no restriction.
    #[schema(value_type = Vec<String>, format = Uuid)]
    pub resource_ids: Vec<String>,
    /// Locations offering the service; empty: every location.
    #[schema(value_type = Vec<String>, format = Uuid)]
    pub location_ids: Vec<String>,
    /// An inactive service is kept but cannot be booked.
    pub active: bool,
    /// Increases with every change; send it back as `If-Match: "<version>"`.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Service> for ServiceResponse {
    fn from(s: Service) -> Self {
        ServiceResponse {
            id: s.id,
            name: s.name,
            duration_minutes: s.duration_minutes,
            buffer_before_minutes: s.buffer_before_minutes,
            buffer_after_minutes: s.buffer_after_minutes,
            resource_kinds: s.resource_kinds,
            resource_ids: s.resource_ids,
            location_ids: s.location_ids,
            active: s.active,
            version: s.version,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A new service.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Servis berkala",
    "duration_minutes": 60,
    "buffer_after_minutes": 15,
    "resource_kinds": ["service_bay", "service_advisor"]
}))]
pub struct CreateServiceRequest {
    pub name: String,
    /// 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: i64,
    /// 0 to 240, default 0.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_before_minutes: i64,
    /// 0 to 240, default 0.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_after_minutes: i64,
    /// At least one kind, each at most once.
    #[schema(min_items = 1)]
    pub resource_kinds: Vec<ResourceKind>,
    /// Optional allow-list of resources of your organization, each of a kind in
    /// `resource_kinds`.
    #[serde(default)]
    pub resource_ids: Vec<Uuid>,
    /// Locations of your organization offering the service; empty or absent: all.
    #[serde(default)]
    pub location_ids: Vec<Uuid>,
    /// Defaults to `true`.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl TryFrom<CreateServiceRequest> for NewService {
    type Error = Error;

    fn try_from(r: CreateServiceRequest) -> Result<Self, Error> {
        Ok(NewService {
            name: text::required("name", &r.name, 200)?,
            duration_minutes: minutes("duration_minutes", r.duration_minutes, DURATION)?,
            buffer_before_minutes: minutes(
                "buffer_before_minutes",
                r.buffer_before_minutes,
                BUFFER,
            )?,
            buffer_after_minutes: minutes("buffer_after_minutes", r.buffer_after_minutes, BUFFER)?,
            resource_kinds: resource_kinds(r.resource_kinds)?,
            resource_ids: ids("resource_ids", r.resource_ids, Code::DuplicateResource)?,
            location_ids: ids("location_ids", r.location_ids, Code::DuplicateLocation)?,
            active: r.active,
        })
    }
}

/// Fields to change; absent fields stay as they are, a list replaces the whole list.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateServiceRequest {
    pub name: Option<String>,
    /// 1 to 1440.
    #[schema(minimum = 1, maximum = 1440)]
    pub duration_minutes: Option<i64>,
    /// 0 to 240.
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_before_minutes: Option<i64>,
    /// 0 to 240.
    #[schema(minimum = 0, maximum = 240)]
    pub buffer_after_minutes: Option<i64>,
    /// Replaces the required kinds: at least one, each at most once.
    #[schema(min_items = 1)]
    pub resource_kinds: Option<Vec<ResourceKind>>,
    /// Replaces the allow-list; `[]` removes it.
    pub resource_ids: Option<Vec<Uuid>>,
    /// Replaces the locations; `[]` offers the service everywhere.
    pub location_ids: Option<Vec<Uuid>>,
    pub active: Option<bool>,
}

impl TryFrom<UpdateServiceRequest> for ServiceChanges {
    type Error = Error;

    fn try_from(r: UpdateServiceRequest) -> Result<Self, Error> {
        Ok(ServiceChanges {
            name: r
                .name
                .map(|n| text::required("name", &n, 200))
                .transpose()?,
            duration_minutes: r
                .duration_minutes
                .map(|m| minutes("duration_minutes", m, DURATION))
                .transpose()?,
            buffer_before_minutes: r
                .buffer_before_minutes
                .map(|m| minutes("buffer_before_minutes", m, BUFFER))
                .transpose()?,
            buffer_after_minutes: r
                .buffer_after_minutes
                .map(|m| minutes("buffer_after_minutes", m, BUFFER))
                .transpose()?,
            resource_kinds: r.resource_kinds.map(resource_kinds).transpose()?,
            resource_ids: r
                .resource_ids
                .map(|v| ids("resource_ids", v, Code::DuplicateResource))
                .transpose()?,
            location_ids: r
                .location_ids
                .map(|v| ids("location_ids", v, Code::DuplicateLocation))
                .transpose()?,
            active: r.active,
        })
    }
}

/// A number of minutes within `range`.
fn minutes(field: &str, value: i64, range: RangeInclusive<i64>) -> Result<i32, Error> {
    if !range.contains(&value) {
        return Err(Error::invalid(
            field,
            Code::OutOfRange,
            format!(
                "{field} must be between {} and {}",
                range.start(),
                range.end()
            ),
        )
        .with_param("min", *range.start())
        .with_param("max", *range.end()));
    }
    Ok(value as i32)
}

/// At least one kind, none twice.
fn resource_kinds(kinds: Vec<ResourceKind>) -> Result<Vec<ResourceKind>, Error> {
    if kinds.is_empty() {
        return Err(Error::invalid(
            "resource_kinds",
            Code::Required,
            "resource_kinds must name at least one kind of resource",
        ));
    }
    if let Some(i) = first_repeat(&kinds) {
        return Err(Error::invalid(
            format!("resource_kinds[{i}]"),
            Code::DuplicateResourceKind,
            format!("{} is listed more than once", kinds[i].as_str()),
        ));
    }
    Ok(kinds)
}

/// Ids as text, none twice.
fn ids(field: &str, ids: Vec<Uuid>, code: Code) -> Result<Vec<String>, Error> {
    if let Some(i) = first_repeat(&ids) {
        return Err(Error::invalid(
            format!("{field}[{i}]"),
            code,
            format!("{} is listed more than once", ids[i]),
        ));
    }
    Ok(ids.into_iter().map(|id| id.to_string()).collect())
}

/// The index of the first item that already occurred earlier in the list.
fn first_repeat<T: PartialEq>(items: &[T]) -> Option<usize> {
    (1..items.len()).find(|&i| items[..i].contains(&items[i]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_are_bounded() {
        assert_eq!(minutes("duration_minutes", 60, DURATION).unwrap(), 60);
        let e = minutes("duration_minutes", 0, DURATION).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::OutOfRange, Some("duration_minutes"))
        );
        assert!(minutes("duration_minutes", 1441, DURATION).is_err());
        assert!(minutes("buffer_after_minutes", i64::MAX, BUFFER).is_err());
        assert_eq!(minutes("buffer_after_minutes", 0, BUFFER).unwrap(), 0);
    }

    #[test]
    fn kinds_are_required_and_distinct() {
        use ResourceKind::*;
        assert_eq!(resource_kinds(vec![]).unwrap_err().code, Code::Required);
        let e = resource_kinds(vec![ServiceBay, ServiceAdvisor, ServiceBay]).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::DuplicateResourceKind, Some("resource_kinds[2]"))
        );
        assert!(resource_kinds(vec![ServiceBay, ServiceAdvisor]).is_ok());
    }

    #[test]
    fn ids_are_distinct() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let e = ids("location_ids", vec![a, b, b], Code::DuplicateLocation).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("location_ids[2]"));
        assert_eq!(
            ids("location_ids", vec![a, b], Code::DuplicateLocation)
                .unwrap()
                .len(),
            2
        );
    }
}
