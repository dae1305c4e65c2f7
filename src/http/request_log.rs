//! The request span and one log line per request, on tracing-actix-web's
//! `TracingLogger`. The span carries the request id, the method, the route pattern and,
//! once authentication knows it, the organization (`Span::current().record("org", ..)`);
//! the line at the end gives the status and the latency. The request id is the caller's
//! `x-request-id` when it sends a usable one, else a new UUIDv7, and every answer
//! carries it back as `x-request-id`. Only the route pattern is logged, never the raw
//! path, so tokens in customer links and query strings cannot leak into logs.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder, TracingLogger};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest request id taken from a caller; a longer one is replaced by a new id.
pub const MAX_CALLER_REQUEST_ID: usize = 128;

/// Opens each request's span and logs its end; wraps the whole application.
pub fn logger() -> TracingLogger<RequestSpan> {
    TracingLogger::new()
}

/// Janji's root span for a request (see the module documentation).
pub struct RequestSpan;

/// What the start of a request leaves for its end.
#[derive(Clone)]
struct Started {
    id: String,
    at: Instant,
}

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(req: &ServiceRequest) -> Span {
        let id = caller_request_id(req).unwrap_or_else(|| {
            req.extensions()
                .get::<RequestId>()
                .map(ToString::to_string)
                .unwrap_or_default()
        });
        let span = tracing::info_span!(
            "request",
            id = %id,
            method = %req.method(),
            route = tracing::field::Empty,
            org = tracing::field::Empty
        );
        // Finding the pattern runs the router's regular expressions over the path once
        // more (a tenth of a kept availability answer's CPU): only when it is logged.
        if !span.is_disabled() {
            let route = req
                .match_pattern()
                .unwrap_or_else(|| "(unmatched)".to_owned());
            span.record("route", route.as_str());
        }
        req.extensions_mut().insert(Started {
            id,
            at: Instant::now(),
        });
        span
    }

    /// Runs inside the request's span, so the line carries its fields. An error instead
    /// of an answer is logged by `echo_request_id`, which knows when the request began.
    fn on_request_end<B: MessageBody>(_: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        if let Ok(res) = outcome {
            let status = res.status().as_u16();
            let elapsed_ms = res
                .request()
                .extensions()
                .get::<Started>()
                .map_or(0.0, |s| s.at.elapsed().as_secs_f64() * 1000.0);
            if status >= 500 {
                tracing::error!(status, elapsed_ms, "request finished");
            } else {
                tracing::info!(status, elapsed_ms, "request finished");
            }
        }
    }
}

/// A caller's `x-request-id` worth keeping: 1 to [`MAX_CALLER_REQUEST_ID`] visible ASCII
/// characters, so it can go into a log line and back into a header as it is.
fn caller_request_id(req: &ServiceRequest) -> Option<String> {
    let id = req.headers().get(&REQUEST_ID)?.to_str().ok()?;
    let usable =
        (1..=MAX_CALLER_REQUEST_ID).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic());
    usable.then(|| id.to_owned())
}

/// Sets `x-request-id` on every answer (`TracingLogger` sets no response header). An
/// error from inside, which the server turns into an answer later, is logged here, where
/// the start of the request is still known.
pub async fn echo_request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = req.extensions().get::<Started>().cloned();
    match next.call(req).await {
        Ok(mut res) => {
            if let Some(v) = started.and_then(|s| HeaderValue::from_str(&s.id).ok()) {
                res.headers_mut().insert(REQUEST_ID, v);
            }
            Ok(res)
        }
        Err(e) => {
            let elapsed_ms = started.map_or(0.0, |s| s.at.elapsed().as_secs_f64() * 1000.0);
            tracing::error!(error = %e, elapsed_ms, "request failed");
            Err(e)
        }
    }
}
