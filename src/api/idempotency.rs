//! `Idempotency-Key` on POST: the first response is stored and a retry within 24 h gets
//! it back byte for byte; the same key with another request is refused (422), and a retry
//! while the first is still running is told so (409).

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use sha2::{Digest, Sha256};

use super::extract::read_body;
use super::state::AppState;
use crate::error::{Error, ErrorKind};
use crate::store::api_keys::Principal;
use crate::store::idempotency::{self, Begin, StoredResponse};

pub const HEADER: &str = "Idempotency-Key";

pub async fn idempotency(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = match req.headers().get(HEADER) {
        Some(v) if req.method() == Method::POST => match parse_key(v.to_str().unwrap_or("")) {
            Ok(key) => key,
            Err(e) => return Ok(req.error_response(e)),
        },
        _ => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    };
    guarded(req, next, key).await
}

async fn guarded(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    key: String,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(principal) = req.extensions().get::<Principal>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| Error::internal("application state missing"))?
        .clone();

    let body = match read_body(&mut req.take_payload()).await {
        Ok(body) => body,
        Err(e) => return Ok(req.error_response(e)),
    };
    let fingerprint = fingerprint(req.method(), &req.uri().to_string(), &body);
    req.set_payload(Payload::from(body));

    let org = principal.organization_id.clone();
    let now = state.clock.now();
    let (o, k) = (org.clone(), key.clone());
    let refusal = match state
        .db
        .run(move |c| idempotency::begin(c, &o, &k, &fingerprint, now))
        .await
    {
        Ok(Begin::Proceed) => None,
        Ok(Begin::Replay(stored)) => return Ok(req.into_response(replay(stored))),
        Ok(Begin::InProgress) => Some(
            Error::conflict(
                "idempotency_in_progress",
                "a request with this Idempotency-Key is still being processed; retry later",
            )
            .with_field(HEADER),
        ),
        Ok(Begin::Mismatch) => Some(
            Error::new(
                ErrorKind::Unprocessable,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request",
            )
            .with_field(HEADER),
        ),
        Err(e) => Some(e),
    };
    if let Some(e) = refusal {
        return Ok(req.error_response(e));
    }

    let res = next.call(req).await;
    let res = match res {
        Ok(res) => res,
        Err(e) => {
            let (o, k) = (org, key);
            state
                .db
                .run(move |c| idempotency::abandon(c, &o, &k))
                .await?;
            return Err(e);
        }
    };
    let (req, resp) = res.into_parts();
    let status = resp.status();
    let headers = resp.headers().clone();
    let header_of = |name| {
        resp.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (content_type, location, etag) = (
        header_of(header::CONTENT_TYPE),
        header_of(header::LOCATION),
        header_of(header::ETAG),
    );
    let body = to_bytes(resp.into_body())
        .await
        .map_err(|e| Error::internal(format!("response body: {}", e.into())))?;
    let stored = StoredResponse {
        status_code: status.as_u16(),
        content_type,
        location,
        etag,
        body: body.to_vec(),
    };
    let (o, k) = (org, key);
    if status.is_server_error() {
        state
            .db
            .run(move |c| idempotency::abandon(c, &o, &k))
            .await?;
    } else {
        state
            .db
            .run(move |c| idempotency::finish(c, &o, &k, stored))
            .await?;
    }
    let mut first = HttpResponse::build(status);
    for (name, value) in headers.iter() {
        first.append_header((name.clone(), value.clone()));
    }
    Ok(ServiceResponse::new(req, first.body(body)))
}

fn parse_key(raw: &str) -> Result<String, Error> {
    if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::bad_request(
            "invalid_idempotency_key",
            "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)",
        )
        .with_field(HEADER));
    }
    Ok(raw.to_owned())
}

fn fingerprint(method: &Method, uri: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b" ");
    h.update(uri);
    h.update(b"\n");
    h.update(body);
    crate::api_key::hex(&h.finalize())
}

fn replay(stored: StoredResponse) -> HttpResponse {
    let mut resp =
        HttpResponse::build(StatusCode::from_u16(stored.status_code).unwrap_or(StatusCode::OK));
    if let Some(v) = stored.content_type {
        resp.insert_header((header::CONTENT_TYPE, v));
    }
    if let Some(v) = stored.location {
        resp.insert_header((header::LOCATION, v));
    }
    if let Some(v) = stored.etag {
        resp.insert_header((header::ETAG, v));
    }
    resp.insert_header(("Idempotent-Replayed", "true"));
    resp.body(stored.body)
}
