//! The document's header (title, description, tags, the security scheme) and what is
//! added after the handlers' annotations are collected: the responses and parameters of
//! the machinery every operation shares, and the rules on request shapes.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::responses::*;
use crate::http::shared_params;
use crate::openapi::schema_rules;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Janji",
        description = "Appointment booking that handles rescheduling properly: notice periods, \
fees, limits, ranked alternative times and reminders. Errors are RFC 9457 problems \
(`application/problem+json`) with a stable `code` and the `field` at fault. Every POST \
accepts `Idempotency-Key` (one key with a different request is `422 idempotency_key_reused`); \
updates honour `If-Match` with the `ETag` of a read (a stale one is `412 version_mismatch`). \
Lists take \
`limit` (1-200) and the opaque `cursor` of the previous page. Instants are RFC 3339 with \
an offset; money is integer minor units plus an ISO 4217 currency, and every amount in a \
response also carries `display`, as the organization's locale writes it (`Rp50.000`)."
    ),
    modifiers(&Security),
    components(responses(
        BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
        PayloadTooLarge, RequestTimeout, UnsupportedMediaType, Unprocessable,
        TooManyRequests
    )),
    tags(
        (name = "health", description = "Probes for load balancers and orchestrators"),
        (name = "organization", description = "The caller's organization and its settings"),
        (name = "api keys", description = "Keys for admins, front-desk staff and integrations"),
        (name = "locations", description = "Branches, opening hours and closures"),
        (name = "resources", description = "Service bays, service advisors and other resources at a location"),
        (name = "services", description = "What customers book: duration, buffers, resources needed, where offered"),
        (name = "customers", description = "The people appointments are for, and how to reach them"),
        (name = "vehicles", description = "Customers' motorcycles and cars, found by plate at the front desk"),
        (name = "availability", description = "Bookable slots, computed from hours, closures, buffers and bookings"),
        (name = "appointments", description = "Booking, lifecycle actions and history"),
        (name = "policies", description = "Reschedule and cancellation rules: notice, fees, limits, reasons"),
        (name = "fees", description = "The ledger of fees assessed by reschedules, rebookings and cancellations"),
        (name = "notifications", description = "Where messages to customers go, how reminders are timed, and what was delivered"),
        (name = "self-service", description = "What a customer does through the link in their messages: no API key, the link's token is the credential"),
        (name = "webhooks", description = "Integration webhooks: endpoints the organization's events are POSTed to, signed per Standard Webhooks"),
    )
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API key: `Authorization: Bearer jnj_...`"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "gateway_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "webhook-signature",
                "The organization's gateway signs what it posts as Janji signs its messages \
                 (Standard Webhooks): `v1,` and the base64 HMAC-SHA256 of \
                 `{webhook-id}.{webhook-timestamp}.{body}` under the gateway secret.",
            ))),
        );
        components.add_security_scheme(
            "whatsapp_verify_token",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "hub.verify_token",
                "The verify token given to the WhatsApp adapter, which Meta echoes when it \
                 checks the webhook.",
            ))),
        );
        components.add_security_scheme(
            "whatsapp_signature",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Hub-Signature-256",
                "The WhatsApp Cloud API signs its webhooks with the Meta app's secret: \
                 `sha256=` and the hex HMAC-SHA256 of the raw body.",
            ))),
        );
    }
}

/// Documents the 408 of a body that arrives too slowly on every operation that reads one:
/// those taking a JSON body, and every POST under `/v1` (the idempotency middleware reads
/// the body to fingerprint it). Added here, after the paths are collected, because the
/// body reader is shared machinery no handler's annotation sees.
pub fn document_body_timeouts(doc: &mut utoipa::openapi::OpenApi) {
    for (path, item) in doc.paths.paths.iter_mut() {
        let reads_body = |op: &utoipa::openapi::path::Operation, post: bool| {
            op.request_body.is_some() || (post && path.starts_with("/v1/"))
        };
        for (op, post) in [
            (item.post.as_mut(), true),
            (item.put.as_mut(), false),
            (item.patch.as_mut(), false),
            (item.delete.as_mut(), false),
        ] {
            if let Some(op) = op.filter(|op| reads_body(op, post)) {
                op.responses.responses.insert(
                    "408".to_owned(),
                    utoipa::openapi::Ref::from_response_name("RequestTimeout").into(),
                );
            }
        }
    }
}

/// Completes the document collected from the route table.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    document_body_timeouts(doc);
    shared_params::describe(doc);
    schema_rules::describe(doc);
}
