//! RFC 9457 `application/problem+json` for every [`Error`].

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::Locale;
use crate::error::{Code, Error};
use crate::http::problem_text;

/// An RFC 9457 problem. `code` is stable and meant for programs; `detail` is for people.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://janji.dev/problems/invalid_phone",
    "title": "Invalid phone number",
    "status": 422,
    "detail": "'0812' is not a valid phone number (for example +6281234567890 or, in ID, a national number such as 0812-3456-7890)",
    "code": "invalid_phone",
    "field": "phone"
}))]
pub struct Problem {
    /// A URI naming the problem type; ends with `code`.
    #[serde(rename = "type")]
    pub type_: String,
    /// A short summary of the problem type, the same for every problem with this `code`.
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// Stable machine-readable code, e.g. `slot_unavailable`, `version_mismatch`; each
    /// always has the same status. The list, with help, is in `docs/errors.md`.
    pub code: Code,
    /// The request field at fault (a JSON path such as `weekly_hours.mon[1]`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Extra data for programs: the current version, alternatives, a new quote, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub data: Option<serde_json::Value>,
}

impl Problem {
    /// The problem of `e`, its detail in `locale` (see [`crate::http::language`]).
    pub fn from_error(e: &Error, locale: Locale) -> Self {
        Problem {
            type_: format!("https://janji.dev/problems/{}", e.code),
            title: e.code.title(),
            status: e.status(),
            detail: problem_text::detail(e, locale),
            code: e.code,
            field: e.field.clone(),
            data: e.data.clone(),
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(cause) = &self.cause {
            // The request span carries the request id, so this line can be matched to it.
            tracing::error!(code = self.code.as_str(), cause = %cause, "request failed");
        }
        // English here; `language::localize_problems` writes it again in the caller's
        // language once the request's `Accept-Language` and key are at hand.
        response(self, Locale::En)
    }
}

/// The problem response of `e`, its detail in `locale`, with `Content-Language`.
pub fn response(e: &Error, locale: Locale) -> HttpResponse {
    let status = e.status_code();
    let mut resp = HttpResponse::build(status);
    resp.content_type("application/problem+json");
    resp.insert_header((header::CONTENT_LANGUAGE, problem_text::tag(locale)));
    if status == StatusCode::SERVICE_UNAVAILABLE {
        // Transient by nature (a pool wait, a lock, contention): tell clients when.
        resp.insert_header((header::RETRY_AFTER, "1"));
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        // A rate limit knows when its bucket holds a request again.
        let wait = e
            .data
            .as_ref()
            .and_then(|d| d["retry_after_seconds"].as_u64())
            .unwrap_or(1);
        resp.insert_header((header::RETRY_AFTER, wait.to_string()));
    }
    if status == StatusCode::UNAUTHORIZED {
        resp.insert_header((
            header::WWW_AUTHENTICATE,
            r#"Bearer realm="janji", error="invalid_token""#,
        ));
    }
    resp.json(Problem::from_error(e, locale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    struct Rendered {
        status: StatusCode,
        www_authenticate: Option<String>,
        retry_after: Option<String>,
        body: serde_json::Value,
    }

    async fn render(e: Error) -> Rendered {
        let resp = e.error_response();
        let header = |name| {
            resp.headers()
                .get(name)
                .map(|v: &header::HeaderValue| v.to_str().unwrap().to_owned())
        };
        let (www_authenticate, retry_after) = (
            header(header::WWW_AUTHENTICATE),
            header(header::RETRY_AFTER),
        );
        assert_eq!(
            resp.headers().get(header::CONTENT_TYPE).unwrap(),
            "application/problem+json"
        );
        let status = resp.status();
        let body = to_bytes(resp.into_body()).await.unwrap();
        Rendered {
            status,
            www_authenticate,
            retry_after,
            body: serde_json::from_slice(&body).unwrap(),
        }
    }

    #[actix_web::test]
    async fn every_code_renders_with_its_status_title_and_headers() {
        for &code in Code::ALL {
            let r = render(Error::new(code, "what happened")).await;
            let status = code.status();
            assert_eq!(r.status.as_u16(), status, "{code}");
            assert_eq!(
                r.body,
                serde_json::json!({
                    "type": format!("https://janji.dev/problems/{code}"),
                    "title": code.title(),
                    "status": status,
                    "detail": "what happened",
                    "code": code.as_str(),
                }),
                "{code}"
            );
            assert_eq!(r.www_authenticate.is_some(), status == 401, "{code}");
            assert_eq!(
                r.retry_after.is_some(),
                status == 503 || status == 429,
                "{code}"
            );
        }
    }

    #[actix_web::test]
    async fn the_fixed_constructors_keep_their_codes() {
        let cases = [
            (Error::unauthorized("x"), 401, "unauthorized"),
            (Error::forbidden("x"), 403, "forbidden"),
            (Error::not_found("location"), 404, "not_found"),
            (Error::version_mismatch(3), 412, "version_mismatch"),
            (
                Error::unavailable("pool timed out"),
                503,
                "database_unavailable",
            ),
            (Error::contention("deadlock"), 503, "database_contention"),
            (Error::internal("secret cause"), 500, "internal_error"),
        ];
        for (err, status, code) in cases {
            let r = render(err).await;
            assert_eq!(r.status.as_u16(), status, "{code}");
            assert_eq!(r.body["status"], status);
            assert_eq!(r.body["code"], code);
        }
        let r = render(Error::unauthorized("x")).await;
        assert_eq!(
            r.www_authenticate.as_deref(),
            Some(r#"Bearer realm="janji", error="invalid_token""#)
        );
        assert_eq!(
            render(Error::contention("x")).await.retry_after.as_deref(),
            Some("1")
        );
    }

    #[actix_web::test]
    async fn field_and_data_are_shown_but_causes_are_not() {
        let r = render(Error::invalid(
            "weekly_hours.mon[1]",
            Code::OverlappingIntervals,
            "overlap",
        ))
        .await;
        assert_eq!(r.body["field"], "weekly_hours.mon[1]");
        assert_eq!(r.body["status"], 422);
        assert_eq!(r.body["title"], "Overlapping intervals");
        let r = render(Error::version_mismatch(7)).await;
        assert_eq!(r.body["data"]["current_version"], 7);
        let r = render(Error::internal("password=hunter2")).await;
        assert!(!r.body.to_string().contains("hunter2"));
        assert!(r.body.get("field").is_none() && r.body.get("data").is_none());
    }
}
