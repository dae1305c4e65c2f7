//! The parts of `/v1/notification-settings` that shape messages beyond the gateway: the
//! reminder timing's checks (shared by the organization's settings and each override),
//! overrides per location and service, and the organization's templates.

use chrono::{Duration, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::message_text::{self, CustomTemplate};
use crate::domain::reminders::overrides::RulesOverride;
use crate::domain::reminders::{self, QuietHours};
use crate::domain::{Locale, MessageKind, text};
use crate::error::{Code, Error};

/// Hours of the day in the location's own time in which no reminder goes out.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuietHoursBody {
    /// `HH:MM`, 24-hour clock, local to each location.
    #[schema(example = "21:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    /// `HH:MM`; before `start` means the quiet hours run past midnight.
    #[schema(example = "07:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
}

/// Most overrides an organization keeps.
pub const MAX_OVERRIDES: usize = 100;
/// A template's longest text, in characters.
pub const MAX_TEMPLATE_CHARS: usize = 1000;

/// Reminder offsets: up to 5, each 1 to 43200 minutes, no repeats.
pub fn offsets(field: &str, minutes: Vec<i64>) -> Result<Vec<Duration>, Error> {
    if minutes.len() > 5 {
        return Err(Error::invalid(
            field,
            Code::OutOfRange,
            "at most 5 reminders",
        ));
    }
    for (i, m) in minutes.iter().enumerate() {
        let at = format!("{field}[{i}]");
        if !(1..=43_200).contains(m) {
            return Err(Error::invalid(
                at,
                Code::OutOfRange,
                "from 1 to 43200 minutes",
            ));
        }
        if minutes[..i].contains(m) {
            return Err(Error::invalid(at, Code::OutOfRange, "each offset once"));
        }
    }
    Ok(minutes.into_iter().map(Duration::minutes).collect())
}

/// Catch-up distance: 0 to 1440 minutes.
pub fn catch_up(field: &str, minutes: i64) -> Result<Duration, Error> {
    if !(0..=1440).contains(&minutes) {
        return Err(Error::invalid(
            field,
            Code::OutOfRange,
            "from 0 to 1440 minutes",
        ));
    }
    Ok(Duration::minutes(minutes))
}

fn time_of_day(field: &str, text: &str) -> Result<NaiveTime, Error> {
    let ok = text.len() == 5 && text.as_bytes()[2] == b':';
    ok.then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| {
            Error::invalid(
                field,
                Code::InvalidTimeOfDay,
                format!("'{text}' is not a time of day as HH:MM (for example 21:00)"),
            )
        })
}

/// Quiet hours: two times of day that differ.
pub fn quiet_hours(field: &str, q: &QuietHoursBody) -> Result<QuietHours, Error> {
    let start = time_of_day(&format!("{field}.start"), &q.start)?;
    let end = time_of_day(&format!("{field}.end"), &q.end)?;
    if start == end {
        return Err(Error::invalid(
            format!("{field}.end"),
            Code::InvalidTimeOfDay,
            "quiet hours must end at another time than they start",
        ));
    }
    Ok(QuietHours { start, end })
}

/// Quiet hours as written.
pub fn quiet_body(q: QuietHours) -> QuietHoursBody {
    QuietHoursBody {
        start: q.start.format("%H:%M").to_string(),
        end: q.end.format("%H:%M").to_string(),
    }
}

/// A field present as `null` is `Some(None)`; absent, `None` (with `#[serde(default)]`).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// Reminder timing for the appointments at one location, of one service, or both (name
/// at least one). A field left out keeps the value of the less specific level (the
/// location's or service's override, else the organization's); the most specific
/// override wins field by field.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderOverrideBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([2880, 180]), max_items = 5)]
    pub reminder_offsets_minutes: Option<Vec<i64>>,
    /// `null`: no quiet hours here, whatever the organization has.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<QuietHoursBody>)]
    pub quiet_hours: Option<Option<QuietHoursBody>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 1440)]
    pub catch_up_minutes: Option<i64>,
}

impl ReminderOverrideBody {
    fn parse(self, field: &str) -> Result<RulesOverride, Error> {
        if self.location_id.is_none() && self.service_id.is_none() {
            return Err(Error::invalid(
                format!("{field}.location_id"),
                Code::Required,
                "an override names a location_id, a service_id, or both",
            ));
        }
        let quiet = match &self.quiet_hours {
            None => None,
            Some(None) => Some(None),
            Some(Some(q)) => Some(Some(quiet_hours(&format!("{field}.quiet_hours"), q)?)),
        };
        Ok(RulesOverride {
            location_id: self.location_id.map(|u| u.to_string()),
            service_id: self.service_id.map(|u| u.to_string()),
            offsets: self
                .reminder_offsets_minutes
                .map(|m| offsets(&format!("{field}.reminder_offsets_minutes"), m))
                .transpose()?,
            quiet,
            catch_up: self
                .catch_up_minutes
                .map(|m| catch_up(&format!("{field}.catch_up_minutes"), m))
                .transpose()?,
        })
    }

    /// An override as shown.
    pub fn of(o: &RulesOverride) -> Self {
        let uuid = |s: &Option<String>| s.as_deref().and_then(|s| Uuid::parse_str(s).ok());
        ReminderOverrideBody {
            location_id: uuid(&o.location_id),
            service_id: uuid(&o.service_id),
            reminder_offsets_minutes: o
                .offsets
                .as_ref()
                .map(|v| v.iter().map(|d| d.num_minutes()).collect()),
            quiet_hours: o.quiet.map(|q| q.map(quiet_body)),
            catch_up_minutes: o.catch_up.map(|d| d.num_minutes()),
        }
    }
}

/// Overrides, each checked, at most one per location, service or pair.
pub fn parse_overrides(list: Vec<ReminderOverrideBody>) -> Result<Vec<RulesOverride>, Error> {
    if list.len() > MAX_OVERRIDES {
        return Err(Error::invalid(
            "overrides",
            Code::OutOfRange,
            format!("at most {MAX_OVERRIDES} overrides"),
        ));
    }
    let mut out: Vec<RulesOverride> = Vec::with_capacity(list.len());
    for (i, body) in list.into_iter().enumerate() {
        let field = format!("overrides[{i}]");
        let o = body.parse(&field)?;
        if out
            .iter()
            .any(|p| p.location_id == o.location_id && p.service_id == o.service_id)
        {
            return Err(Error::invalid(
                field,
                Code::InvalidValue,
                "another override names the same location and service",
            ));
        }
        out.push(o);
    }
    Ok(out)
}

/// The organization's own words for a kind of message in a locale, instead of the
/// shipped ones. Placeholders: `{customer_name}`, `{when}` (the local date and time with
/// the zone, "Senin, 30 November 2026, 09.00 WIB"), `{location}`, `{service}`, `{link}`,
/// `{fee}` (the amount as the customer reads it, in a `fee_notice`) and `{survey_url}`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// Any kind but `reply_answer` (its words are the answers in `reply_answers`).
    pub kind: MessageKind,
    pub locale: Locale,
    #[schema(
        example = "Halo {customer_name}, sampai jumpa di {location} pada {when}.",
        max_length = 1000
    )]
    pub text: String,
}

/// Templates, each checked: a templated kind, a text of 1 to 1000 characters naming
/// only known placeholders (`422 unknown_placeholder`), one per kind and locale.
pub fn parse_templates(list: Vec<TemplateBody>) -> Result<Vec<CustomTemplate>, Error> {
    let mut out: Vec<CustomTemplate> = Vec::with_capacity(list.len());
    for (i, t) in list.into_iter().enumerate() {
        let field = |f: &str| format!("templates[{i}].{f}");
        if !message_text::is_templated(t.kind) {
            return Err(Error::invalid(
                field("kind"),
                Code::InvalidValue,
                format!(
                    "{} is not written from a message template (reply answers are set in reply_answers)",
                    t.kind
                ),
            ));
        }
        let words = text::required(&field("text"), &t.text, MAX_TEMPLATE_CHARS)?;
        if let Some(name) = message_text::unknown_placeholder(&words) {
            return Err(Error::invalid(
                field("text"),
                Code::UnknownPlaceholder,
                format!(
                    "{name} is not a placeholder (braces are for placeholders only); use {}",
                    message_text::PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_param("placeholder", name));
        }
        if out.iter().any(|o| o.kind == t.kind && o.locale == t.locale) {
            return Err(Error::invalid(
                field("locale"),
                Code::InvalidValue,
                format!("another template is for {} in {}", t.kind, t.locale),
            ));
        }
        out.push(CustomTemplate {
            kind: t.kind,
            locale: t.locale,
            text: words,
        });
    }
    Ok(out)
}

/// A template as shown.
pub fn template_body(t: &CustomTemplate) -> TemplateBody {
    TemplateBody {
        kind: t.kind,
        locale: t.locale,
        text: t.text.clone(),
    }
}

/// The default offsets, for a request that leaves them out.
pub fn default_offsets() -> Vec<i64> {
    reminders::DEFAULT_OFFSETS_MINUTES.to_vec()
}
