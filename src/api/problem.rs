//! RFC 9457 `application/problem+json` for every [`Error`].

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{Error, ErrorKind};

/// An RFC 9457 problem. `code` is stable and meant for programs; `detail` is for people.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://janji.dev/problems/invalid_phone",
    "title": "Invalid input",
    "status": 422,
    "detail": "'0812' is not an E.164 phone number (for example +6281234567890)",
    "code": "invalid_phone",
    "field": "phone"
}))]
pub struct Problem {
    /// A URI naming the problem type; ends with `code`.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `slot_unavailable`, `version_mismatch`.
    pub code: &'static str,
    /// The request field at fault (a JSON path such as `weekly_hours.mon[1]`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Extra data for programs: the current version, alternatives, a new quote, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Invalid | ErrorKind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn title_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::BadRequest => "Malformed request",
        ErrorKind::Invalid => "Invalid input",
        ErrorKind::Unprocessable => "Request cannot be processed",
        ErrorKind::Unauthorized => "Authentication required",
        ErrorKind::Forbidden => "Not allowed",
        ErrorKind::NotFound => "Not found",
        ErrorKind::Conflict => "Conflict",
        ErrorKind::PreconditionFailed => "Precondition failed",
        ErrorKind::PayloadTooLarge => "Request body too large",
        ErrorKind::RequestTimeout => "Request timeout",
        ErrorKind::UnsupportedMediaType => "Unsupported media type",
        ErrorKind::Unavailable => "Service unavailable",
        ErrorKind::Internal => "Internal error",
    }
}

impl Problem {
    pub fn from_error(e: &Error) -> Self {
        Problem {
            type_: format!("https://janji.dev/problems/{}", e.code),
            title: title_of(e.kind),
            status: status_of(e.kind).as_u16(),
            detail: e.detail.clone(),
            code: e.code,
            field: e.field.clone(),
            data: e.data.clone(),
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        status_of(self.kind)
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            // The request span carries the request id, so this line can be matched to it.
            tracing::error!(code = self.code, cause = %cause, "request failed");
        }
        let mut resp = HttpResponse::build(self.status_code());
        resp.content_type("application/problem+json");
        if self.kind == ErrorKind::Unavailable {
            // Transient by nature (a pool wait, a lock, contention): tell clients when.
            resp.insert_header((header::RETRY_AFTER, "1"));
        }
        if self.kind == ErrorKind::Unauthorized {
            resp.insert_header((
                header::WWW_AUTHENTICATE,
                r#"Bearer realm="janji", error="invalid_token""#,
            ));
        }
        resp.json(Problem::from_error(self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    async fn render(e: Error) -> (StatusCode, Option<String>, serde_json::Value) {
        let resp = e.error_response();
        let status = resp.status();
        let www = resp
            .headers()
            .get(header::WWW_AUTHENTICATE)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
        let body = to_bytes(resp.into_body()).await.unwrap();
        (status, www, serde_json::from_slice(&body).unwrap())
    }

    #[actix_web::test]
    async fn each_kind_has_its_status_and_body() {
        let cases = [
            (
                Error::bad_request("malformed_json", "x"),
                400,
                "malformed_json",
            ),
            (
                Error::invalid("phone", "invalid_phone", "x"),
                422,
                "invalid_phone",
            ),
            (Error::unauthorized("x"), 401, "unauthorized"),
            (Error::forbidden("x"), 403, "forbidden"),
            (Error::not_found("location"), 404, "not_found"),
            (
                Error::conflict("external_ref_taken", "x"),
                409,
                "external_ref_taken",
            ),
            (Error::version_mismatch(3), 412, "version_mismatch"),
            (
                Error::new(ErrorKind::PayloadTooLarge, "body_too_large", "x"),
                413,
                "body_too_large",
            ),
            (
                Error::new(ErrorKind::RequestTimeout, "request_timeout", "x"),
                408,
                "request_timeout",
            ),
            (
                Error::new(
                    ErrorKind::UnsupportedMediaType,
                    "unsupported_media_type",
                    "x",
                ),
                415,
                "unsupported_media_type",
            ),
            (
                Error::new(ErrorKind::Unprocessable, "idempotency_key_reused", "x"),
                422,
                "idempotency_key_reused",
            ),
            (
                Error::unavailable("pool timed out"),
                503,
                "database_unavailable",
            ),
            (Error::internal("secret cause"), 500, "internal_error"),
        ];
        for (err, status, code) in cases {
            let (s, www, body) = render(err).await;
            assert_eq!(s.as_u16(), status, "{code}");
            assert_eq!(body["status"], status);
            assert_eq!(body["code"], code);
            assert_eq!(body["type"], format!("https://janji.dev/problems/{code}"));
            assert!(body["title"].is_string() && body["detail"].is_string());
            assert_eq!(www.is_some(), status == 401);
        }
    }

    #[actix_web::test]
    async fn field_and_data_are_shown_but_causes_are_not() {
        let (_, _, body) = render(Error::invalid(
            "weekly_hours.mon[1]",
            "overlapping_intervals",
            "overlap",
        ))
        .await;
        assert_eq!(body["field"], "weekly_hours.mon[1]");
        let (_, _, body) = render(Error::version_mismatch(7)).await;
        assert_eq!(body["data"]["current_version"], 7);
        let (_, _, body) = render(Error::internal("password=hunter2")).await;
        assert!(!body.to_string().contains("hunter2"));
        assert!(body.get("field").is_none());
    }
}
