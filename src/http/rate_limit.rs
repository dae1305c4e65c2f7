//! Rate limits on the endpoints a customer's link opens (`/v1/self/{token}/…` and
//! the pages under `/a/{token}`): a token bucket per link and one per client
//! address, so neither guessing tokens from one address nor hammering one link gets far.
//! Over the limit: `429 too_many_requests` with `Retry-After`. Every answer there also
//! gets `Cache-Control: no-store`, `Referrer-Policy: no-referrer`, `X-Robots-Tag: noindex`.
//!
//! The buckets live in the process (per process, not shared between the servers of one
//! database): with N servers behind a balancer a client gets up to N times the rate,
//! which bounds abuse all the same. A link is keyed by the hash of its token, never the
//! token itself; the client address is the TCP peer's (a proxy in front makes every
//! client one address: give the proxy its own limits).

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::{Code, Error};
use crate::http::state::AppState;
use crate::link_token;

/// The token in a link path: the segment after `prefix` (`/v1/self/`, `/a/`).
fn token_of<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    let token = rest.split('/').next()?;
    (!token.is_empty()).then_some(token)
}

/// Counts a request against its link's bucket and its address's; over either, `429`.
pub async fn limit_links(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limits = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.link_limits.clone());
    if let Some(limits) = limits {
        let now = Instant::now();
        let address = req
            .peer_addr()
            .map_or_else(|| "unknown".to_owned(), |a| a.ip().to_string());
        let path = req.path().to_owned();
        let token = token_of(&path, "/v1/self/").or_else(|| token_of(&path, "/a/"));
        let mut verdict = limits.per_address.take(&address, now);
        if verdict.is_ok()
            && let Some(token) = token
        {
            // Keyed by the hash: the process's memory holds no token either.
            verdict = limits.per_link.take(&link_token::hash(token), now);
        }
        if let Err(wait) = verdict {
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let e = Error::new(
                Code::TooManyRequests,
                format!("too many requests; try again in {seconds} s"),
            )
            .with_data(serde_json::json!({ "retry_after_seconds": seconds.max(1) }));
            return Ok(private(req.error_response(e)));
        }
    }
    next.call(req)
        .await
        .map(|res| private(res.map_into_boxed_body()))
}

/// What a link's answer is about is the customer's own: kept by no cache, sent to no
/// other site as a referrer, indexed by no search engine.
fn private(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let headers = res.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_the_segment_after_the_prefix() {
        assert_eq!(token_of("/v1/self/abc/confirm", "/v1/self/"), Some("abc"));
        assert_eq!(token_of("/v1/self/abc", "/v1/self/"), Some("abc"));
        assert_eq!(token_of("/v1/self/", "/v1/self/"), None);
        assert_eq!(token_of("/v1/appointments", "/v1/self/"), None);
    }
}
