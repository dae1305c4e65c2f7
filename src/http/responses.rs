//! Reusable OpenAPI error responses, all RFC 9457 problems. The types exist only to
//! describe responses in the spec; nothing constructs them.
#![allow(dead_code)]

use utoipa::ToResponse;

use crate::http::problem::Problem;

/// Malformed request: invalid JSON, a wrong type, an unknown field or query parameter.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(Problem);

/// Missing, malformed or revoked API key (with `WWW-Authenticate: Bearer`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unauthorized(Problem);

/// The key's role may not do this.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(Problem);

/// No such object in the caller's organization.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(Problem);

/// Conflicts with the current state (a duplicate, in use, a taken slot, a record changed
/// by another request at the same moment).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(Problem);

/// `If-Match` named a version that is no longer current (`version_mismatch`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PreconditionFailed(Problem);

/// Body over 64 KiB.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(Problem);

/// The body did not arrive within the time allowed for it (`request_timeout`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct RequestTimeout(Problem);

/// Body not sent as `application/json`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(Problem);

/// Well-formed input that breaks a rule (field named), or an `Idempotency-Key` reused
/// for a different request.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unprocessable(Problem);

/// Too many requests for this link or from this address (`too_many_requests`); wait
/// `Retry-After` seconds.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct TooManyRequests(Problem);
