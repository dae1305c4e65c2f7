//! `/v1/inbound/{organization_id}/whatsapp`: the WhatsApp Business Cloud API's webhook,
//! for organizations that send through the WhatsApp adapter. Meta checks the callback
//! with a `GET` (the verify-token handshake) and then posts every event, signed with the
//! app secret (`X-Hub-Signature-256`). Text messages become replies exactly as the
//! gateway's do (`app::inbound`): the WhatsApp message id is the reply's id, so one
//! delivered twice is recorded once.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::inbound::InboundResult;
use crate::app::Ctx;
use crate::app::delivery_adapters::{self, WhatsappCloud};
use crate::app::inbound::{self, Inbound};
use crate::delivery::whatsapp;
use crate::domain::{Actor, ContactChannel, Country, PhoneNumber, text};
use crate::error::{Code, Error};
use crate::http::extract::{JsonBody, Query, parse_json};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::repo::organizations;

/// The webhook set-up handshake Meta sends.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Handshake {
    /// `subscribe`.
    #[serde(rename = "hub.mode")]
    pub mode: Option<String>,
    /// The verify token given to the adapter.
    #[serde(rename = "hub.verify_token")]
    pub verify_token: Option<String>,
    /// Echoed back when the token matches.
    #[serde(rename = "hub.challenge")]
    pub challenge: Option<String>,
}

/// What Janji made of each text message of a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhatsappInboundResult {
    pub received: Vec<WhatsappReplyResult>,
}

/// One text message of a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhatsappReplyResult {
    /// The WhatsApp message id (`wamid…`).
    pub id: String,
    #[serde(flatten)]
    pub result: InboundResult,
}

async fn adapter_of(
    state: &AppState,
    org: &str,
) -> Result<Option<(WhatsappCloud, Country)>, Error> {
    let (org, key) = (org.to_owned(), state.secret_key.clone());
    state
        .db
        .read(move |c| {
            let Some(w) = delivery_adapters::of(c, &key, &org)?.whatsapp_cloud else {
                return Ok(None);
            };
            Ok(Some((w, organizations::get(c, &org)?.country)))
        })
        .await
}

/// Meta's check of the webhook (no API key): answers `hub.challenge` as plain text when
/// `hub.mode` is `subscribe` and `hub.verify_token` is the adapter's; 401 without a
/// verify token, 403 with another one.
#[utoipa::path(
    tag = "notifications",
    security(("whatsapp_verify_token" = [])),
    params(("organization_id" = Uuid, Path), Handshake),
    responses(
        (status = 200, description = "The challenge, echoed", content_type = "text/plain", body = String),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden), (status = 404, response = NotFound),
    )
)]
#[get("/{organization_id}/whatsapp")]
pub async fn verify_whatsapp_webhook(
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    Query(q): Query<Handshake>,
) -> Result<HttpResponse, Error> {
    let org = path.into_inner().to_string();
    let refused = || Error::new(Code::Forbidden, "the verify token does not match");
    let Some(token) = q.verify_token else {
        return Err(Error::new(
            Code::Unauthorized,
            "hub.verify_token is missing: the verify token given to the WhatsApp adapter",
        ));
    };
    let adapter = adapter_of(&state, &org).await?.ok_or_else(refused)?;
    let (Some(mode), Some(challenge)) = (q.mode, q.challenge) else {
        return Err(refused());
    };
    if mode != "subscribe" || !adapter.0.verify_token_is(&token) {
        return Err(refused());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(challenge))
}

/// Receive the WhatsApp Cloud API's webhook (Meta; no API key): signed with the app
/// secret in `X-Hub-Signature-256` (`sha256=` and the hex HMAC-SHA256 of the raw body),
/// else 401. Each text message is a customer's reply, handled as those of
/// `POST /v1/inbound/{organization_id}`; status updates and other message types are
/// acknowledged and left alone.
#[utoipa::path(
    tag = "notifications",
    security(("whatsapp_signature" = [])),
    params(("organization_id" = Uuid, Path)),
    request_body(content = Object, description = "The Cloud API's webhook: `entry[].changes[].value.messages[]`"),
    responses(
        (status = 200, body = WhatsappInboundResult),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/{organization_id}/whatsapp")]
pub async fn receive_whatsapp_webhook(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<Uuid>,
    JsonBody(body): JsonBody,
) -> Result<HttpResponse, Error> {
    let org = path.into_inner().to_string();
    let refused = |detail: &str| Error::new(Code::InvalidSignature, detail.to_owned());
    let signed = req
        .headers()
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refused("the X-Hub-Signature-256 header is missing"))?
        .to_owned();
    let (adapter, country) = adapter_of(&state, &org)
        .await?
        .ok_or_else(|| refused("the signature does not match"))?;
    let verified = adapter
        .app_secret
        .as_ref()
        .is_some_and(|s| whatsapp::verify_signature(s.expose(), &body, &signed));
    if !verified {
        return Err(refused("the signature does not match"));
    }
    let webhook: Value = parse_json(&body)?;
    let now = state.clock.now();
    let mut received = Vec::new();
    for m in whatsapp::incoming_texts(&webhook) {
        // A sender or a text Janji cannot read is acknowledged, not retried by Meta.
        let Ok(from) = PhoneNumber::parse("from", &m.from, country) else {
            received.push(WhatsappReplyResult {
                id: m.id,
                result: InboundResult::recorded("unknown_sender"),
            });
            continue;
        };
        let Ok(text) = text::required("text", &m.text, 2000) else {
            received.push(WhatsappReplyResult {
                id: m.id,
                result: InboundResult::recorded("unreadable"),
            });
            continue;
        };
        let cmd = Inbound {
            id: m.id.clone(),
            from: from.into_string(),
            text,
            channel: ContactChannel::Whatsapp,
        };
        let mut ctx = Ctx::new(org.clone(), Actor::CustomerLink, now);
        ctx.schedules = state.schedules.clone();
        // Its answer carries the customer's link, as every message to them does.
        ctx.links = Some(crate::link_token::MessageLinks::new(
            state.secret_key.clone(),
        ));
        let outcome = state
            .db
            .write(move |c| inbound::receive(c, &ctx, cmd.clone()))
            .await?;
        received.push(WhatsappReplyResult {
            id: m.id,
            result: InboundResult::of(outcome),
        });
    }
    Ok(HttpResponse::Ok().json(WhatsappInboundResult { received }))
}
