//! An organization's notification settings: where its messages go (the gateway and its
//! signing secret), how reminders are timed (with overrides per location and service),
//! how unconfirmed appointments are followed up, and the organization's own templates,
//! reply words and answers to replies.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use super::Ctx;
use super::reply_settings;
use crate::db::DbConnection;
use crate::domain::message_text::{self, CustomTemplate};
use crate::domain::reminders::follow_ups::UnconfirmedRules;
use crate::domain::reminders::overrides::{self, RulesOverride};
use crate::domain::reminders::{QuietHours, ReminderRules};
use crate::domain::reply_answers::{self, CustomAnswer};
use crate::domain::reply_words::CustomWords;
use crate::domain::{AnswerKind, Locale, MessageKind};
use crate::error::{Code, Error};
use crate::repo::notification_settings::{self, SettingsRow};
use crate::repo::{check_version, from_db, locks, to_db};
use crate::secret_key::SecretKey;

/// What a gateway's signing secret is derived for (see `secret_key`).
pub const GATEWAY_PURPOSE: &str = "gateway";

/// The settings as a use case returns them. `version` 0: never saved (the defaults).
#[derive(Clone, Debug)]
pub struct NotificationSettings {
    pub gateway_url: Option<String>,
    pub rules: ReminderRules,
    /// For the appointments of one location, one service, or both.
    pub overrides: Vec<RulesOverride>,
    pub unconfirmed: UnconfirmedRules,
    /// Sent after completion; no survey without it.
    pub survey_url: Option<String>,
    pub templates: Vec<CustomTemplate>,
    /// The words replies are read by, where the organization has its own.
    pub reply_words: Vec<CustomWords>,
    /// The answers to replies, where the organization has its own.
    pub reply_answers: Vec<CustomAnswer>,
    /// 0 until a gateway is first set.
    pub secret_generation: i32,
    /// Until then, messages are also signed with the previous generation's secret.
    pub previous_secret_until: Option<DateTime<Utc>>,
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

impl NotificationSettings {
    /// The settings never saved.
    pub fn defaults() -> Self {
        NotificationSettings {
            gateway_url: None,
            rules: ReminderRules::default(),
            overrides: Vec::new(),
            unconfirmed: UnconfirmedRules::default(),
            survey_url: None,
            templates: Vec::new(),
            reply_words: Vec::new(),
            reply_answers: Vec::new(),
            secret_generation: 0,
            previous_secret_until: None,
            version: 0,
            updated_at: None,
        }
    }

    /// The reminder timing of an appointment at `location` of `service`.
    pub fn rules_for(&self, location: &str, service: &str) -> ReminderRules {
        overrides::rules_for(&self.rules, &self.overrides, location, service)
    }

    /// The words of a kind in a locale: the organization's, else the shipped ones.
    pub fn template(&self, kind: MessageKind, locale: Locale) -> &str {
        message_text::template_for(&self.templates, kind, locale)
    }

    /// The answer to a reply of a kind in a locale: the organization's, else the shipped one.
    pub fn answer_template(&self, kind: AnswerKind, locale: Locale) -> &str {
        reply_answers::template_for(&self.reply_answers, kind, locale)
    }

    /// The secrets a message sent at `now` is signed with: the current one, and the
    /// previous one while its overlap lasts.
    pub fn signing_secrets(&self, key: &SecretKey, org: &str, now: DateTime<Utc>) -> Vec<[u8; 32]> {
        let mut secrets = Vec::with_capacity(2);
        if self.secret_generation > 0 {
            secrets.push(key.derive(GATEWAY_PURPOSE, org, self.secret_generation));
        }
        if self.secret_generation > 1 && self.previous_secret_until.is_some_and(|t| now < t) {
            secrets.push(key.derive(GATEWAY_PURPOSE, org, self.secret_generation - 1));
        }
        secrets
    }
}

/// An override as stored (JSON in `notification_settings.overrides`): minutes and
/// `HH:MM`; `quiet_hours` absent keeps the organization's, `[]` has none.
#[derive(Debug, Serialize, Deserialize)]
struct StoredOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    location_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    offsets: Option<Vec<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quiet_hours: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    catch_up: Option<i64>,
}

/// A template as stored (JSON in `notification_settings.templates`).
#[derive(Debug, Serialize, Deserialize)]
struct StoredTemplate {
    kind: MessageKind,
    locale: Locale,
    text: String,
}

fn stored_time(t: &str) -> Result<NaiveTime, Error> {
    NaiveTime::parse_from_str(t, "%H:%M")
        .map_err(|e| Error::internal(format!("stored quiet hours: {e}")))
}

fn hh_mm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

fn minutes(m: &[i64]) -> Vec<Duration> {
    m.iter().map(|&m| Duration::minutes(m)).collect()
}

impl StoredOverride {
    fn of(o: &RulesOverride) -> Self {
        StoredOverride {
            location_id: o.location_id.clone(),
            service_id: o.service_id.clone(),
            offsets: o
                .offsets
                .as_ref()
                .map(|v| v.iter().map(|d| d.num_minutes()).collect()),
            quiet_hours: o.quiet.map(|q| {
                q.map(|q| vec![hh_mm(q.start), hh_mm(q.end)])
                    .unwrap_or_default()
            }),
            catch_up: o.catch_up.map(|d| d.num_minutes()),
        }
    }

    fn read(self) -> Result<RulesOverride, Error> {
        let quiet = match self.quiet_hours.as_deref() {
            None => None,
            Some([]) => Some(None),
            Some([start, end]) => Some(Some(QuietHours {
                start: stored_time(start)?,
                end: stored_time(end)?,
            })),
            Some(other) => {
                return Err(Error::internal(format!(
                    "stored override quiet hours: {other:?}"
                )));
            }
        };
        Ok(RulesOverride {
            location_id: self.location_id,
            service_id: self.service_id,
            offsets: self.offsets.as_deref().map(minutes),
            quiet,
            catch_up: self.catch_up.map(Duration::minutes),
        })
    }
}

impl TryFrom<SettingsRow> for NotificationSettings {
    type Error = Error;

    fn try_from(r: SettingsRow) -> Result<Self, Error> {
        let offsets: Vec<i64> = serde_json::from_str(&r.reminder_offsets)
            .map_err(|e| Error::internal(format!("stored reminder offsets: {e}")))?;
        let quiet = match (&r.quiet_start, &r.quiet_end) {
            (Some(s), Some(e)) => Some(QuietHours {
                start: stored_time(s)?,
                end: stored_time(e)?,
            }),
            _ => None,
        };
        let stored_overrides: Vec<StoredOverride> = serde_json::from_str(&r.overrides)
            .map_err(|e| Error::internal(format!("stored overrides: {e}")))?;
        let stored_templates: Vec<StoredTemplate> = serde_json::from_str(&r.templates)
            .map_err(|e| Error::internal(format!("stored templates: {e}")))?;
        let minutes_opt = |m: Option<i32>| m.map(|m| Duration::minutes(i64::from(m)));
        Ok(NotificationSettings {
            gateway_url: r.gateway_url,
            rules: ReminderRules {
                offsets: minutes(&offsets),
                quiet,
                catch_up: Duration::minutes(i64::from(r.catch_up_minutes)),
            },
            overrides: stored_overrides
                .into_iter()
                .map(StoredOverride::read)
                .collect::<Result<_, _>>()?,
            unconfirmed: UnconfirmedRules {
                follow_up: minutes_opt(r.unconfirmed_follow_up_minutes),
                call: minutes_opt(r.unconfirmed_call_minutes),
            },
            survey_url: r.survey_url,
            templates: stored_templates
                .into_iter()
                .map(|t| CustomTemplate {
                    kind: t.kind,
                    locale: t.locale,
                    text: t.text,
                })
                .collect(),
            reply_words: reply_settings::read_words(&r.reply_words)?,
            reply_answers: reply_settings::read_answers(&r.reply_answers)?,
            secret_generation: r.secret_generation,
            previous_secret_until: r.previous_secret_until.map(from_db),
            version: r.version,
            updated_at: Some(from_db(r.updated_at)),
        })
    }
}

/// The organization's settings, the defaults when none were saved.
pub fn get(conn: &mut DbConnection, ctx: &Ctx) -> Result<NotificationSettings, Error> {
    match notification_settings::get(conn, &ctx.org)? {
        Some(row) => row.try_into(),
        None => Ok(NotificationSettings::defaults()),
    }
}

/// The settings of any organization, for the dispatcher.
pub fn of(conn: &mut DbConnection, org: &str) -> Result<Option<NotificationSettings>, Error> {
    notification_settings::get(conn, org)?
        .map(TryInto::try_into)
        .transpose()
}

/// New settings, each already within its bounds (the API checks them; the locations
/// and services the overrides name are checked here, in the unit of work).
#[derive(Clone, Debug)]
pub struct PutSettings {
    pub gateway_url: Option<String>,
    pub rules: ReminderRules,
    pub overrides: Vec<RulesOverride>,
    pub unconfirmed: UnconfirmedRules,
    pub survey_url: Option<String>,
    pub templates: Vec<CustomTemplate>,
    pub reply_words: Vec<CustomWords>,
    pub reply_answers: Vec<CustomAnswer>,
}

/// Saved settings, with the new gateway secret when this change made one (the first
/// gateway set): shown once, never stored.
#[derive(Clone, Debug)]
pub struct Saved {
    pub settings: NotificationSettings,
    pub new_secret: Option<[u8; 32]>,
}

/// Replaces the settings if they are still at `expected_version` (when given; `0` means
/// "never saved").
pub fn put(
    conn: &mut DbConnection,
    ctx: &Ctx,
    key: &SecretKey,
    expected_version: Option<i64>,
    put: PutSettings,
) -> Result<Saved, Error> {
    // Settings change rarely; the organization's lock puts two changes in line.
    locks::organization(conn, &ctx.org)?;
    let existing = notification_settings::get(conn, &ctx.org)?;
    check_version(expected_version, existing.as_ref().map_or(0, |r| r.version))?;
    check_override_targets(conn, ctx, &put.overrides)?;
    let now = to_db(ctx.now);
    let mut row = existing.clone().unwrap_or(SettingsRow {
        organization_id: ctx.org.clone(),
        gateway_url: None,
        secret_generation: 0,
        previous_secret_until: None,
        reminder_offsets: String::new(),
        quiet_start: None,
        quiet_end: None,
        catch_up_minutes: 0,
        version: 0,
        created_at: now,
        updated_at: now,
        unconfirmed_follow_up_minutes: None,
        unconfirmed_call_minutes: None,
        survey_url: None,
        templates: String::new(),
        overrides: String::new(),
        reply_words: String::new(),
        reply_answers: String::new(),
    });
    let mut new_secret = None;
    if put.gateway_url.is_some() && row.secret_generation == 0 {
        row.secret_generation = 1;
        new_secret = Some(key.derive(GATEWAY_PURPOSE, &ctx.org, 1));
    }
    row.gateway_url = put.gateway_url;
    let offsets: Vec<i64> = put.rules.offsets.iter().map(|d| d.num_minutes()).collect();
    row.reminder_offsets = serde_json::to_string(&offsets).expect("numbers");
    row.quiet_start = put.rules.quiet.map(|q| q.start.format("%H:%M").to_string());
    row.quiet_end = put.rules.quiet.map(|q| q.end.format("%H:%M").to_string());
    row.catch_up_minutes = i32::try_from(put.rules.catch_up.num_minutes()).unwrap_or(i32::MAX);
    let minutes_i32 = |d: Option<Duration>| d.and_then(|d| i32::try_from(d.num_minutes()).ok());
    row.unconfirmed_follow_up_minutes = minutes_i32(put.unconfirmed.follow_up);
    row.unconfirmed_call_minutes = minutes_i32(put.unconfirmed.call);
    row.survey_url = put.survey_url;
    let overrides: Vec<StoredOverride> = put.overrides.iter().map(StoredOverride::of).collect();
    row.overrides = serde_json::to_string(&overrides).expect("plain values");
    let templates: Vec<StoredTemplate> = put
        .templates
        .into_iter()
        .map(|t| StoredTemplate {
            kind: t.kind,
            locale: t.locale,
            text: t.text,
        })
        .collect();
    row.templates = serde_json::to_string(&templates).expect("plain values");
    row.reply_words = reply_settings::words_json(&put.reply_words);
    row.reply_answers = reply_settings::answers_json(&put.reply_answers);
    row.version += 1;
    row.updated_at = now;
    notification_settings::save(conn, &row, existing.is_none())?;
    Ok(Saved {
        settings: row.try_into()?,
        new_secret,
    })
}

/// Every location and service an override names must be the organization's own
/// (`422 location_not_found` / `service_not_found`, naming the override's field).
fn check_override_targets(
    conn: &mut DbConnection,
    ctx: &Ctx,
    overrides: &[RulesOverride],
) -> Result<(), Error> {
    for (i, o) in overrides.iter().enumerate() {
        if let Some(l) = &o.location_id
            && !notification_settings::location_exists(conn, &ctx.org, l)?
        {
            return Err(Error::invalid(
                format!("overrides[{i}].location_id"),
                Code::LocationNotFound,
                "no location of this organization has this id",
            ));
        }
        if let Some(s) = &o.service_id
            && !notification_settings::service_exists(conn, &ctx.org, s)?
        {
            return Err(Error::invalid(
                format!("overrides[{i}].service_id"),
                Code::ServiceNotFound,
                "no service of this organization has this id",
            ));
        }
    }
    Ok(())
}

/// Makes a new gateway secret; the previous one still signs (beside the new one) for
/// `overlap`, so the gateway can switch without losing a message.
pub fn rotate_secret(
    conn: &mut DbConnection,
    ctx: &Ctx,
    key: &SecretKey,
    overlap: Duration,
) -> Result<Saved, Error> {
    locks::organization(conn, &ctx.org)?;
    let no_gateway = || {
        Error::new(
            Code::GatewayNotSet,
            "the organization has no gateway_url; set it with PUT /v1/notification-settings",
        )
    };
    let mut row = notification_settings::get(conn, &ctx.org)?.ok_or_else(no_gateway)?;
    if row.gateway_url.is_none() {
        return Err(no_gateway());
    }
    let had_one = row.secret_generation > 0;
    row.secret_generation += 1;
    row.previous_secret_until = had_one.then(|| to_db(ctx.now + overlap));
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    notification_settings::save(conn, &row, false)?;
    let generation = row.secret_generation;
    Ok(Saved {
        settings: row.try_into()?,
        new_secret: Some(key.derive(GATEWAY_PURPOSE, &ctx.org, generation)),
    })
}
