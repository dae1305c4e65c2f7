//! `/v1/notification-settings`: where the organization's messages go (its gateway) and
//! how reminders are timed (admin).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::notification_rules::{
    self as rules, QuietHoursBody, ReminderOverrideBody, TemplateBody, quiet_body,
};
use crate::api::reply_rules::{self, ReplyAnswerBody, ReplyWordsBody};
use crate::app::notification_settings::{self, NotificationSettings, PutSettings, Saved};
use crate::delivery::{signature, targets};
use crate::domain::reminders::follow_ups::UnconfirmedRules;
use crate::domain::reminders::{self, ReminderRules};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::{Json, Query};
use crate::http::idempotency::{Idempotency, Reply};
use crate::http::precondition::{IfMatch, etag};
use crate::http::responses::*;
use crate::http::state::AppState;

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
    /// Reminder timing for one location, one service or both, overriding the fields above
    /// that they name (at most 100).
    #[schema(max_items = 100)]
    pub overrides: Option<Vec<ReminderOverrideBody>>,
    /// An appointment still not confirmed this many minutes before its start is asked
    /// once more (`unconfirmed_follow_up`); 1 to 43200, or none (the default).
    #[schema(minimum = 1, maximum = 43200, example = 720)]
    pub unconfirmed_follow_up_minutes: Option<i64>,
    /// Still not confirmed this many minutes before its start, after the follow-up: the
    /// appointment is flagged `needs_call` (`unconfirmed`). Less than
    /// `unconfirmed_follow_up_minutes`, which it needs; none by default.
    #[schema(minimum = 1, maximum = 43200, example = 180)]
    pub unconfirmed_call_minutes: Option<i64>,
    /// Sent after an appointment is completed (`survey`, `{survey_url}`); without it no
    /// survey goes out.
    #[schema(example = "https://survei.dealer.example/servis", max_length = 2000)]
    pub survey_url: Option<String>,
    /// The organization's own words per kind and locale, instead of the shipped
    /// Indonesian and English ones.
    pub templates: Option<Vec<TemplateBody>>,
    /// The organization's own reply words per locale and intent (`confirm`, `change`,
    /// `cancel`), instead of the shipped ones; at most one list each.
    #[schema(max_items = 6)]
    pub reply_words: Option<Vec<ReplyWordsBody>>,
    /// The organization's own answers to replies per kind (`confirmed`, `change`,
    /// `change_none`, `cancel`, `other`) and locale, instead of the shipped ones.
    #[schema(max_items = 10)]
    pub reply_answers: Option<Vec<ReplyAnswerBody>>,
}

/// The organization's notification settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationSettingsResponse {
    pub gateway_url: Option<String>,
    pub reminder_offsets_minutes: Vec<i64>,
    pub quiet_hours: Option<QuietHoursBody>,
    pub catch_up_minutes: i64,
    pub overrides: Vec<ReminderOverrideBody>,
    pub unconfirmed_follow_up_minutes: Option<i64>,
    pub unconfirmed_call_minutes: Option<i64>,
    pub survey_url: Option<String>,
    /// Only the organization's own; a kind and locale not listed uses the shipped words.
    pub templates: Vec<TemplateBody>,
    /// Only the organization's own; a locale and intent not listed uses the shipped words.
    pub reply_words: Vec<ReplyWordsBody>,
    /// Only the organization's own; a kind and locale not listed uses the shipped answer.
    pub reply_answers: Vec<ReplyAnswerBody>,
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
            quiet_hours: s.rules.quiet.map(quiet_body),
            catch_up_minutes: s.rules.catch_up.num_minutes(),
            overrides: s.overrides.iter().map(ReminderOverrideBody::of).collect(),
            unconfirmed_follow_up_minutes: s.unconfirmed.follow_up.map(|d| d.num_minutes()),
            unconfirmed_call_minutes: s.unconfirmed.call.map(|d| d.num_minutes()),
            survey_url: s.survey_url,
            templates: s.templates.iter().map(rules::template_body).collect(),
            reply_words: s.reply_words.iter().map(reply_rules::words_body).collect(),
            reply_answers: s
                .reply_answers
                .iter()
                .map(reply_rules::answer_body)
                .collect(),
            secret_generation: s.secret_generation,
            previous_secret_valid_until: s.previous_secret_until,
            version: s.version,
            updated_at: s.updated_at,
            secret: secret.as_ref().map(signature::secret_text),
        }
    }
}

impl NotificationSettingsRequest {
    /// The rules, each checked; the URL's shape only (where it leads is checked apart).
    fn parse(self) -> Result<PutSettings, Error> {
        let gateway_url = self
            .gateway_url
            .map(|url| absolute_url("gateway_url", &url))
            .transpose()?;
        let survey_url = self
            .survey_url
            .map(|url| absolute_url("survey_url", &url))
            .transpose()?;
        let offsets = rules::offsets(
            "reminder_offsets_minutes",
            self.reminder_offsets_minutes
                .unwrap_or_else(rules::default_offsets),
        )?;
        let quiet = self
            .quiet_hours
            .as_ref()
            .map(|q| rules::quiet_hours("quiet_hours", q))
            .transpose()?;
        let catch_up = rules::catch_up(
            "catch_up_minutes",
            self.catch_up_minutes
                .unwrap_or(reminders::DEFAULT_CATCH_UP_MINUTES),
        )?;
        let minutes = |field: &str, m: Option<i64>| {
            m.map(|m| {
                if (1..=43_200).contains(&m) {
                    Ok(Duration::minutes(m))
                } else {
                    Err(Error::invalid(
                        field,
                        Code::OutOfRange,
                        "from 1 to 43200 minutes",
                    ))
                }
            })
            .transpose()
        };
        let unconfirmed = UnconfirmedRules {
            follow_up: minutes(
                "unconfirmed_follow_up_minutes",
                self.unconfirmed_follow_up_minutes,
            )?,
            call: minutes("unconfirmed_call_minutes", self.unconfirmed_call_minutes)?,
        };
        if let Some(call) = unconfirmed.call
            && unconfirmed.follow_up.is_none_or(|f| call >= f)
        {
            return Err(Error::invalid(
                "unconfirmed_call_minutes",
                Code::OutOfRange,
                "a call flag follows the follow-up: set unconfirmed_follow_up_minutes, and more minutes there than here",
            ));
        }
        Ok(PutSettings {
            gateway_url,
            rules: ReminderRules {
                offsets,
                quiet,
                catch_up,
            },
            overrides: rules::parse_overrides(self.overrides.unwrap_or_default())?,
            unconfirmed,
            survey_url,
            templates: rules::parse_templates(self.templates.unwrap_or_default())?,
            reply_words: reply_rules::parse_words(self.reply_words.unwrap_or_default())?,
            reply_answers: reply_rules::parse_answers(self.reply_answers.unwrap_or_default())?,
        })
    }
}

/// An absolute http(s) URL of at most 2000 characters, as written back.
fn absolute_url(field: &str, url: &str) -> Result<String, Error> {
    if url.len() > 2000 {
        return Err(Error::invalid(
            field,
            Code::TooLong,
            "a URL of at most 2000 characters",
        ));
    }
    Ok(targets::parse(url)
        .map_err(|r| Error::invalid(field, Code::InvalidUrl, r.to_string()))?
        .to_string())
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
