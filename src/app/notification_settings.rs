//! An organization's notification settings: where its messages go (the gateway and its
//! signing secret) and how reminders are timed.

use chrono::{DateTime, Duration, NaiveTime, Utc};

use super::Ctx;
use crate::db::DbConnection;
use crate::domain::reminders::{QuietHours, ReminderRules};
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
            secret_generation: 0,
            previous_secret_until: None,
            version: 0,
            updated_at: None,
        }
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

impl TryFrom<SettingsRow> for NotificationSettings {
    type Error = Error;

    fn try_from(r: SettingsRow) -> Result<Self, Error> {
        let offsets: Vec<i64> = serde_json::from_str(&r.reminder_offsets)
            .map_err(|e| Error::internal(format!("stored reminder offsets: {e}")))?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t, "%H:%M")
                .map_err(|e| Error::internal(format!("stored quiet hours: {e}")))
        };
        let quiet = match (&r.quiet_start, &r.quiet_end) {
            (Some(s), Some(e)) => Some(QuietHours {
                start: time(s)?,
                end: time(e)?,
            }),
            _ => None,
        };
        Ok(NotificationSettings {
            gateway_url: r.gateway_url,
            rules: ReminderRules {
                offsets: offsets.into_iter().map(Duration::minutes).collect(),
                quiet,
                catch_up: Duration::minutes(i64::from(r.catch_up_minutes)),
            },
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

/// New settings, each already within its bounds (the API checks them).
#[derive(Clone, Debug)]
pub struct PutSettings {
    pub gateway_url: Option<String>,
    pub rules: ReminderRules,
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
    row.version += 1;
    row.updated_at = now;
    notification_settings::save(conn, &row, existing.is_none())?;
    Ok(Saved {
        settings: row.try_into()?,
        new_secret,
    })
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
