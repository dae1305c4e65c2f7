//! `/v1/notification-settings/smtp` and `/v1/notification-settings/whatsapp-cloud`: the
//! built-in delivery adapters an organization can choose instead of its gateway, each for
//! its own channel (admin). Credentials go in and never come out: an answer says only
//! whether each is set.

use actix_web::{HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::delivery_adapters::{
    self, PutSmtp, PutWhatsapp, Smtp, SmtpSettings, SmtpTls, WhatsappCloud, WhatsappSettings,
};
use crate::delivery::sealed::Secret;
use crate::delivery::{targets, whatsapp};
use crate::error::{Code, Error};
use crate::http::auth::Principal;
use crate::http::extract::Json;
use crate::http::responses::*;
use crate::http::state::AppState;

/// E-mail over SMTP. A `PUT` replaces it all, the password included.
// No `Debug`: it holds the password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpRequest {
    /// The SMTP server's host name or address; like a gateway's, it must not be internal
    /// unless the server allows private targets.
    #[schema(
        example = "smtp.sinarmotor.example",
        max_length = 253,
        pattern = r"^[A-Za-z0-9.:\[\]-]+$"
    )]
    pub host: String,
    /// Default: 25 with `none`, 587 with `starttls`, 465 with `tls`.
    #[schema(minimum = 1, maximum = 65535)]
    pub port: Option<i64>,
    pub tls: SmtpTls,
    /// With a password, which is sent only over `starttls` or `tls`.
    #[schema(max_length = 256)]
    pub username: Option<String>,
    /// Required with a `username`. Stored sealed; never shown again.
    #[schema(max_length = 1024, format = Password)]
    pub password: Option<String>,
    /// The sender: an address, or `Name <address>`.
    #[schema(example = "Sinar Motor <servis@sinarmotor.example>", max_length = 320)]
    pub from: String,
}

/// The SMTP adapter, without its password.
#[derive(Debug, Serialize, ToSchema)]
pub struct SmtpResponse {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password_set: bool,
    pub from: String,
    pub updated_at: DateTime<Utc>,
}

impl From<Smtp> for SmtpResponse {
    fn from(s: Smtp) -> Self {
        SmtpResponse {
            host: s.settings.host,
            port: s.settings.port,
            tls: s.settings.tls,
            username: s.settings.username,
            password_set: s.password.is_some(),
            from: s.settings.from,
            updated_at: s.updated_at,
        }
    }
}

/// The WhatsApp Business Cloud API. A `PUT` replaces it all, credentials included.
// No `Debug`: it holds the token and the secrets.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatsappCloudRequest {
    /// The Graph API's base with its version (default
    /// `https://graph.facebook.com/v21.0`).
    #[schema(example = "https://graph.facebook.com/v21.0", max_length = 2000)]
    pub api_base_url: Option<String>,
    /// The sending number's id in WhatsApp Manager (digits).
    #[schema(example = "106540352242922", max_length = 32, pattern = r"^[0-9]+$")]
    pub phone_number_id: String,
    /// A system user's access token. Stored sealed; never shown again.
    #[schema(max_length = 4096, format = Password)]
    pub access_token: String,
    /// The Meta app's secret, which signs the webhooks it posts to
    /// `/v1/inbound/{organization_id}/whatsapp`; without it replies are refused.
    #[schema(max_length = 256, format = Password)]
    pub app_secret: Option<String>,
    /// The token Meta echoes when the webhook is set up (kept only as a hash).
    #[schema(max_length = 256, format = Password)]
    pub verify_token: Option<String>,
}

/// The WhatsApp Cloud API adapter, without its credentials.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhatsappCloudResponse {
    pub api_base_url: String,
    pub phone_number_id: String,
    pub access_token_set: bool,
    pub app_secret_set: bool,
    pub verify_token_set: bool,
    /// Where to point the app's webhook (callback URL) for customers' replies.
    #[schema(example = "/v1/inbound/0199b1f0-0000-7000-8000-000000000000/whatsapp")]
    pub inbound_path: String,
    pub updated_at: DateTime<Utc>,
}

impl WhatsappCloudResponse {
    fn of(w: WhatsappCloud, org: &str) -> Self {
        WhatsappCloudResponse {
            api_base_url: w.settings.api_base_url.clone(),
            phone_number_id: w.settings.phone_number_id.clone(),
            access_token_set: !w.access_token.expose().is_empty(),
            app_secret_set: w.app_secret.is_some(),
            verify_token_set: w.has_verify_token(),
            inbound_path: format!("/v1/inbound/{org}/whatsapp"),
            updated_at: w.updated_at,
        }
    }
}

fn bounded(field: &str, text: String, max: usize) -> Result<String, Error> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::invalid(
            field,
            Code::Required,
            format!("{field} must not be empty"),
        ));
    }
    if t.chars().count() > max {
        return Err(Error::invalid(
            field,
            Code::TooLong,
            format!("at most {max} characters"),
        ));
    }
    if t.chars().any(char::is_control) {
        return Err(Error::invalid(
            field,
            Code::InvalidCharacters,
            "no control characters",
        ));
    }
    Ok(t.to_owned())
}

impl SmtpRequest {
    fn parse(self) -> Result<PutSmtp, Error> {
        let host = bounded("host", self.host, 253)?;
        let host_ok = host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
        if !host_ok {
            return Err(Error::invalid(
                "host",
                Code::InvalidValue,
                "a host name or an IP address",
            ));
        }
        let port = match self.port {
            None => match self.tls {
                SmtpTls::None => 25,
                SmtpTls::Starttls => 587,
                SmtpTls::Tls => 465,
            },
            Some(p) => u16::try_from(p)
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| Error::invalid("port", Code::OutOfRange, "from 1 to 65535"))?,
        };
        let from = bounded("from", self.from, 320)?;
        if from.parse::<Mailbox>().is_err() {
            return Err(Error::invalid(
                "from",
                Code::InvalidEmail,
                "an e-mail address, or Name <address>",
            ));
        }
        let username = self
            .username
            .map(|u| bounded("username", u, 256))
            .transpose()?;
        let password = match (self.password, &username) {
            (Some(p), Some(_)) if p.chars().count() <= 1024 && !p.is_empty() => {
                Some(Secret::new(p))
            }
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "password",
                    Code::OutOfRange,
                    "1 to 1024 characters",
                ));
            }
            (Some(_), None) => {
                return Err(Error::invalid(
                    "username",
                    Code::Required,
                    "a password goes with a username",
                ));
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    "password",
                    Code::Required,
                    "a username needs its password",
                ));
            }
            (None, None) => None,
        };
        if password.is_some() && self.tls == SmtpTls::None {
            return Err(Error::invalid(
                "tls",
                Code::InvalidValue,
                "a password goes only over an encrypted connection: starttls or tls",
            ));
        }
        Ok(PutSmtp {
            settings: SmtpSettings {
                host,
                port,
                tls: self.tls,
                username,
                from,
            },
            password,
        })
    }
}

impl WhatsappCloudRequest {
    fn parse(self) -> Result<PutWhatsapp, Error> {
        let base = match self.api_base_url {
            Some(url) if url.len() > 2000 => {
                return Err(Error::invalid(
                    "api_base_url",
                    Code::TooLong,
                    "a URL of at most 2000 characters",
                ));
            }
            Some(url) => targets::parse(&url)
                .map_err(|r| Error::invalid("api_base_url", Code::InvalidUrl, r.to_string()))?
                .to_string(),
            None => whatsapp::DEFAULT_API_BASE.to_owned(),
        };
        let id = self.phone_number_id.trim().to_owned();
        if id.is_empty() || id.len() > 32 || !id.chars().all(|c| c.is_ascii_digit()) {
            return Err(Error::invalid(
                "phone_number_id",
                Code::InvalidValue,
                "the phone number id from WhatsApp Manager: 1 to 32 digits",
            ));
        }
        let secret = |field: &str, text: String, max: usize| -> Result<Secret, Error> {
            bounded(field, text, max).map(Secret::new)
        };
        Ok(PutWhatsapp {
            settings: WhatsappSettings {
                api_base_url: base.trim_end_matches('/').to_owned(),
                phone_number_id: id,
            },
            access_token: secret("access_token", self.access_token, 4096)?,
            app_secret: self
                .app_secret
                .map(|s| secret("app_secret", s, 256))
                .transpose()?,
            verify_token: self
                .verify_token
                .map(|s| secret("verify_token", s, 256))
                .transpose()?,
        })
    }
}

/// The SMTP adapter (admin); 404 when none is set.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    responses(
        (status = 200, body = SmtpResponse),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/notification-settings/smtp")]
pub async fn get_smtp_adapter(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    let s = state
        .db
        .read(move |c| delivery_adapters::get_smtp(c, &ctx, &key))
        .await?;
    Ok(HttpResponse::Ok().json(SmtpResponse::from(s)))
}

/// Send e-mail through this SMTP server instead of the gateway (admin): every message on
/// the e-mail channel goes out as an e-mail with an `.ics` calendar attachment. Replaces
/// the adapter whole; the password is sealed at rest and never shown.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    request_body = SmtpRequest,
    responses(
        (status = 200, body = SmtpResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[put("/notification-settings/smtp")]
pub async fn put_smtp_adapter(
    state: web::Data<AppState>,
    principal: Principal,
    Json(body): Json<SmtpRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let put = body.parse()?;
    targets::check_host(
        &put.settings.host,
        put.settings.port,
        state.allow_private_targets,
    )
    .await
    .map_err(|r| Error::invalid("host", Code::PrivateTarget, r.to_string()))?;
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    let s = state
        .db
        .write(move |c| delivery_adapters::put_smtp(c, &ctx, &key, put.clone()))
        .await?;
    Ok(HttpResponse::Ok().json(SmtpResponse::from(s)))
}

/// Stop sending e-mail through SMTP (admin): the e-mail channel goes back to the gateway.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[delete("/notification-settings/smtp")]
pub async fn delete_smtp_adapter(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let ctx = state.ctx(&principal);
    state
        .db
        .write(move |c| delivery_adapters::remove(c, &ctx, delivery_adapters::SMTP))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The WhatsApp Cloud API adapter (admin); 404 when none is set.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    responses(
        (status = 200, body = WhatsappCloudResponse),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/notification-settings/whatsapp-cloud")]
pub async fn get_whatsapp_adapter(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    let org = ctx.org.clone();
    let w = state
        .db
        .read(move |c| delivery_adapters::get_whatsapp(c, &ctx, &key))
        .await?;
    Ok(HttpResponse::Ok().json(WhatsappCloudResponse::of(w, &org)))
}

/// Send WhatsApp messages through the WhatsApp Business Cloud API instead of the gateway
/// (admin). Replaces the adapter whole; the access token and app secret are sealed at
/// rest and never shown, the verify token kept as a hash.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    request_body = WhatsappCloudRequest,
    responses(
        (status = 200, body = WhatsappCloudResponse),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType), (status = 422, response = Unprocessable),
    )
)]
#[put("/notification-settings/whatsapp-cloud")]
pub async fn put_whatsapp_adapter(
    state: web::Data<AppState>,
    principal: Principal,
    Json(body): Json<WhatsappCloudRequest>,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let put = body.parse()?;
    targets::check(&put.settings.api_base_url, state.allow_private_targets)
        .await
        .map_err(|r| Error::invalid("api_base_url", Code::PrivateTarget, r.to_string()))?;
    let (ctx, key) = (state.ctx(&principal), state.secret_key.clone());
    let org = ctx.org.clone();
    let w = state
        .db
        .write(move |c| delivery_adapters::put_whatsapp(c, &ctx, &key, put.clone()))
        .await?;
    Ok(HttpResponse::Ok().json(WhatsappCloudResponse::of(w, &org)))
}

/// Stop sending through the WhatsApp Cloud API (admin): WhatsApp messages go back to the
/// gateway, and its webhook is no longer accepted.
#[utoipa::path(
    tag = "notifications",
    security(("api_key" = [])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, response = Unauthorized), (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[delete("/notification-settings/whatsapp-cloud")]
pub async fn delete_whatsapp_adapter(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<HttpResponse, Error> {
    principal.require_admin()?;
    let ctx = state.ctx(&principal);
    state
        .db
        .write(move |c| delivery_adapters::remove(c, &ctx, delivery_adapters::WHATSAPP_CLOUD))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
