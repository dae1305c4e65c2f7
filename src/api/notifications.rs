//! `/v1/notification-settings`: where the organization's messages go (its gateway) and
//! how reminders are timed (admin).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::notification_settings::{self, NotificationSettings, PutSettings, Saved};
use crate::delivery::{signature, targets};
use crate::domain::reminders::{self, QuietHours, ReminderRules};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::precondition::{IfMatch, etag};
use crate::http::responses::*;
use crate::http::state::AppState;

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

/// Notification settings. A `PUT` replaces them all: a field left out takes its default.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettingsRequest {
    /// Where every message is POSTed, signed per Standard Webhooks; `null` sends none.
    /// Must not lead to a loopback or private address unless the server allows it.
    #[schema(example = "https://gateway.dealer.example/janji", max_length = 2000)]
    pub gateway_url: Option<String>,
    /// Minutes before the start at which reminders go out (default `[1440, 120]`);
    /// each 1 to 43200, at most 5, no repeats.
    #[schema(example = json!([1440, 120]), max_items = 5)]
    pub reminder_offsets_minutes: Option<Vec<i64>>,
    /// No reminders in these local hours (`start` and `end` differ): one due inside moves
    /// to their end when that is still `catch_up_minutes` before the start, else to one
    /// minute before they begin.
    pub quiet_hours: Option<QuietHoursBody>,
    /// A reminder whose time has passed when an appointment is booked or moved goes out
    /// at once if the start is at least this many minutes away (default 15; 0 to 1440).
    #[schema(minimum = 0, maximum = 1440)]
    pub catch_up_minutes: Option<i64>,
}

/// The organization's notification settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettingsResponse {
    pub gateway_url: Option<String>,
    pub reminder_offsets_minutes: Vec<i64>,
    pub quiet_hours: Option<QuietHoursBody>,
    pub catch_up_minutes: i64,
    /// Which gateway secret signs now (0: none yet).
    pub secret_generation: i32,
    /// Until then the previous secret also signs, beside the current one.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    /// 0 while the defaults were never saved.
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
    /// The gateway's signing secret (`whsec_…`), only in the answer that made it: the
    /// first `PUT` with a `gateway_url`, or a rotation. It is not stored; keep it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl NotificationSettingsResponse {
    fn of(s: NotificationSettings, secret: Option<[u8; 32]>) -> Self {
        NotificationSettingsResponse {
            gateway_url: s.gateway_url,
            reminder_offsets_minutes: s.rules.offsets.iter().map(|d| d.num_minutes()).collect(),
            quiet_hours: s.rules.quiet.map(|q| QuietHoursBody {
                start: q.start.format("%H:%M").to_string(),
                end: q.end.format("%H:%M").to_string(),
            }),
            catch_up_minutes: s.rules.catch_up.num_minutes(),
            secret_generation: s.secret_generation,
            previous_secret_valid_until: s.previous_secret_until,
            version: s.version,
            updated_at: s.updated_at,
            secret: secret.as_ref().map(signature::secret_text),
        }
    }
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

impl NotificationSettingsRequest {
    /// The rules, each checked; the URL's shape only (where it leads is checked apart).
    fn parse(self) -> Result<PutSettings, Error> {
        let gateway_url = match self.gateway_url {
            Some(url) if url.len() > 2000 => {
                return Err(Error::invalid(
                    "gateway_url",
                    Code::TooLong,
                    "a URL of at most 2000 characters",
                ));
            }
            Some(url) => Some(
                targets::parse(&url)
                    .map_err(|r| Error::invalid("gateway_url", Code::InvalidUrl, r.to_string()))?
                    .to_string(),
            ),
            None => None,
        };
        let offsets = self
            .reminder_offsets_minutes
            .unwrap_or_else(|| reminders::DEFAULT_OFFSETS_MINUTES.to_vec());
        if offsets.len() > 5 {
            return Err(Error::invalid(
                "reminder_offsets_minutes",
                Code::OutOfRange,
                "at most 5 reminders",
            ));
        }
        for (i, m) in offsets.iter().enumerate() {
            let field = format!("reminder_offsets_minutes[{i}]");
            if !(1..=43_200).contains(m) {
                return Err(Error::invalid(
                    field,
                    Code::OutOfRange,
                    "from 1 to 43200 minutes",
                ));
            }
            if offsets[..i].contains(m) {
                return Err(Error::invalid(field, Code::OutOfRange, "each offset once"));
            }
        }
        let quiet = match self.quiet_hours {
            Some(q) => {
                let start = time_of_day("quiet_hours.start", &q.start)?;
                let end = time_of_day("quiet_hours.end", &q.end)?;
                if start == end {
                    return Err(Error::invalid(
                        "quiet_hours.end",
                        Code::InvalidTimeOfDay,
                        "quiet hours must end at another time than they start",
                    ));
                }
                Some(QuietHours { start, end })
            }
            None => None,
        };
        let catch_up = self
            .catch_up_minutes
            .unwrap_or(reminders::DEFAULT_CATCH_UP_MINUTES);
        if !(0..=1440).contains(&catch_up) {
            return Err(Error::invalid(
                "catch_up_minutes",
                Code::OutOfRange,
                "from 0 to 1440 minutes",
            ));
        }
        Ok(PutSettings {
            gateway_url,
            rules: ReminderRules {
                offsets: offsets.into_iter().map(Duration::minutes).collect(),
                quiet,
                catch_up: Duration::minutes(catch_up),
            },
        })
    }
}

/// The organization's notification settings (admin); the defaults (version 0) until
/// first saved. Never a secret.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    responses(
        (status = 200, body = NotificationSettingsResponse, headers(("ETag" = String))),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
    )
)]
#[get("/notification-settings")]
pub async fn get_notification_settings(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let ctx = state.ctx(&principal);
    let s = state
        .db
        .read(move |c| notification_settings::get(c, &ctx))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(s.version))
        .json(NotificationSettingsResponse::of(s, None)))
}

/// Replace the notification settings (admin). Honours `If-Match` (`"0"` before the first
/// save). The first answer with a `gateway_url` carries the gateway's signing secret,
/// once.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    params(("If-Match" = Option<String>, Header)),
    request_body = NotificationSettingsRequest,
    responses(
        (status = 200, body = NotificationSettingsResponse, headers(("ETag" = String))),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[put("/notification-settings")]
pub async fn put_notification_settings(
    state: web::Data<AppState>,
    principal: Principal,
    IfMatch(expected): IfMatch,
    Json(body): Json<NotificationSettingsRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let put = body.parse()?;
    if let Some(url) = &put.gateway_url {
        targets::check(url, state.allow_private_targets)
            .await
            .map_err(|r| Error::invalid("gateway_url", Code::PrivateTarget, r.to_string()))?;
    }
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    let Saved {
        settings,
        new_secret,
    } = state
        .db
        .write(move |c| notification_settings::put(c, &ctx, &key, expected, put.clone()))
        .await?;
    let mut answer = HttpResponse::Ok();
    answer.insert_header(etag(settings.version));
    if new_secret.is_some() {
        answer.insert_header(("Cache-Control", "no-store"));
    }
    Ok(answer.json(NotificationSettingsResponse::of(settings, new_secret)))
}

/// How long the old secret keeps signing after a rotation.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RotateSecretParams {
    /// 0 to 168 hours (default 24): messages carry both signatures meanwhile.
    #[param(minimum = 0, maximum = 168)]
    pub overlap_hours: Option<i64>,
}

/// Make a new gateway signing secret (admin), shown once in the answer. Messages are
/// signed with both the new and the previous secret for `overlap_hours`. A replay with
/// the same `Idempotency-Key` answers without the secret (it is never stored).
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    params(RotateSecretParams, ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = NotificationSettingsResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge), (status = 422, response = Unprocessable),
    )
)]
#[post("/notification-settings/secret")]
pub async fn rotate_gateway_secret(
    state: web::Data<AppState>,
    principal: Principal,
    idempotency: Idempotency,
    Query(params): Query<RotateSecretParams>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let hours = params.overlap_hours.unwrap_or(24);
    if !(0..=168).contains(&hours) {
        return Err(Error::invalid(
            "overlap_hours",
            Code::OutOfRange,
            "from 0 to 168 hours",
        ));
    }
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    idempotency
        .reply(&state, move |c| {
            let Saved {
                settings,
                new_secret,
            } = notification_settings::rotate_secret(c, &ctx, &key, Duration::hours(hours))?;
            let shown = NotificationSettingsResponse::of(settings.clone(), new_secret);
            Reply::json(StatusCode::OK, &shown)?
                .no_store()
                .remember_as(&NotificationSettingsResponse::of(settings, None))
        })
        .await
}
