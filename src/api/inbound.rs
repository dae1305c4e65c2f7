//! `POST /v1/inbound/{organization_id}`: replies from customers, posted by the
//! organization's gateway. Not authenticated by an API key but by the gateway's signature
//! (Standard Webhooks, the secret Janji's own messages are signed with).

use actix_web::{HttpRequest, HttpResponse, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::Ctx;
use crate::app::inbound::{self, Inbound, InboundOutcome};
use crate::app::notification_settings;
use crate::delivery::signature;
use crate::domain::{Actor, ContactChannel, PhoneNumber, text};
use crate::error::{Code, Error};
use crate::http::extract::{JsonBody, parse_json};
use crate::http::responses::*;
use crate::http::state::AppState;
use crate::repo::organizations;

/// A customer's reply, as the gateway received it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InboundReply {
    /// The sender's phone number, E.164.
    #[schema(example = "+6281234567890")]
    pub from: String,
    /// What they wrote.
    #[schema(example = "YA", max_length = 2000)]
    pub text: String,
    /// Where it came from; the answer goes back the same way (default `whatsapp`).
    pub channel: Option<ContactChannel>,
}

/// What Janji made of a reply.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboundResult {
    /// `answered`, `duplicate` (this `webhook-id` was received before), `unknown_sender`
    /// or `no_upcoming_appointment` (recorded, nothing acted on).
    pub status: String,
    /// What the reply asked for, when answered: `confirm`, `change`, `cancel`, `other`.
    pub intent: Option<String>,
    #[schema(format = Uuid)]
    pub appointment_id: Option<String>,
}

impl InboundResult {
    /// A reply recorded with nothing acted on.
    pub(crate) fn recorded(status: &str) -> Self {
        InboundResult {
            status: status.to_owned(),
            intent: None,
            appointment_id: None,
        }
    }

    /// What became of a reply, on the wire.
    pub(crate) fn of(outcome: InboundOutcome) -> Self {
        match outcome {
            InboundOutcome::Duplicate => InboundResult::recorded("duplicate"),
            InboundOutcome::UnknownSender => InboundResult::recorded("unknown_sender"),
            InboundOutcome::NoUpcomingAppointment => {
                InboundResult::recorded("no_upcoming_appointment")
            }
            InboundOutcome::Answered {
                intent,
                appointment_id,
            } => InboundResult {
                status: "answered".into(),
                intent: Some(intent.as_str().to_owned()),
                appointment_id: Some(appointment_id),
            },
        }
    }
}

fn refused(detail: &str) -> Error {
    Error::new(Code::InvalidSignature, detail.to_owned())
}

/// Receive a customer's reply (the gateway). Signed like Janji's own messages:
/// `webhook-id`, `webhook-timestamp` (within five minutes) and `webhook-signature` with the
/// organization's gateway secret. A replayed `webhook-id` is recorded once and ignored.
/// `1`/`YA`/`OK` confirms the customer's next appointment; `2`/`GANTI`/`UBAH` is answered
/// with the best three other times and their fees; `3`/`BATAL` with what cancelling would
/// cost (nothing is cancelled); anything else is kept on the history for staff.
#[utoipa::path(
    tag = "notifications",
    security(("gateway_signature" = [])),
    params(
        ("organization_id" = Uuid, Path),
        ("webhook-id" = String, Header), ("webhook-timestamp" = i64, Header),
    ),
    request_body = InboundReply,
    responses(
        (status = 200, body = InboundResult),
        (status = 400, response = BadRequest), (status = 401, response = Unauthorized),
        (status = 404, response = NotFound), (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge), (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/{organization_id}")]
pub async fn receive_reply(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<Uuid>,
    JsonBody(body): JsonBody,
) -> Result<HttpResponse, Error> {
    let org = path.into_inner().to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| refused(&format!("the {name} header is missing")))
    };
    let (id, timestamp, signed) = (
        header("webhook-id")?,
        header("webhook-timestamp")?,
        header("webhook-signature")?,
    );
    let timestamp: i64 = timestamp
        .parse()
        .map_err(|_| refused("webhook-timestamp is not a number of seconds"))?;
    let now = state.clock.now();
    if !signature::is_fresh(timestamp, now.timestamp()) {
        return Err(refused(
            "webhook-timestamp is more than five minutes from now",
        ));
    }
    let org_for_read = org.clone();
    let (settings, country) = state
        .db
        .read(move |c| {
            let Some(settings) = notification_settings::of(c, &org_for_read)? else {
                return Ok(None);
            };
            let country = organizations::get(c, &org_for_read)?.country;
            Ok(Some((settings, country)))
        })
        .await?
        .filter(|(s, _)| s.gateway_url.is_some())
        .ok_or_else(|| refused("the signature does not match"))?;
    let verified = settings
        .signing_secrets(&state.secret_key, &org, now)
        .iter()
        .any(|secret| signature::verify(secret, &id, timestamp, &body, &signed));
    if !verified {
        return Err(refused("the signature does not match"));
    }

    let reply: InboundReply = parse_json(&body)?;
    // Gateways write numbers their own way (WhatsApp: `6281234567890`); the organization's
    // country reads national forms.
    let from = PhoneNumber::parse("from", &reply.from, country)?.into_string();
    let text = text::required("text", &reply.text, 2000)?;
    let cmd = Inbound {
        id,
        from,
        text,
        channel: reply.channel.unwrap_or(ContactChannel::Whatsapp),
    };
    let mut ctx = Ctx::new(org, Actor::CustomerLink, now);
    ctx.schedules = state.schedules.clone();
    // Its answer carries the customer's link, as every message to them does.
    ctx.links = Some(crate::link_token::MessageLinks::new(
        state.secret_key.clone(),
    ));
    let outcome = state
        .db
        .write(move |c| inbound::receive(c, &ctx, cmd.clone()))
        .await?;
    let result = InboundResult::of(outcome);
    Ok(HttpResponse::Ok().json(result))
}
