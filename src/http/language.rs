//! The language of problem details: Indonesian or English, as `Accept-Language` asks,
//! else the organization's locale. A problem is written in English where it arises, with
//! the values it names as parameters; [`localize_problems`] tells it again in the chosen
//! language (`super::problem_text`) when the response is written, so no handler has to
//! know the caller's language.

use actix_web::HttpMessage;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;

use crate::domain::Locale;
use crate::error::Error;
use crate::http::auth::Principal;
use crate::http::problem;

/// Re-renders every problem in the caller's language, with `Content-Language`.
pub async fn localize_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let res = next.call(req).await?;
    let localized = res
        .response()
        .error()
        .and_then(|e| e.as_error::<Error>())
        .map(|e| {
            // The key was resolved on the way in: its organization's locale is the default.
            let fallback = res
                .request()
                .extensions()
                .get::<Principal>()
                .map_or(Locale::En, |p| p.locale);
            problem::response(e, choose(accept.as_deref(), fallback))
        });
    Ok(match localized {
        Some(r) => res.into_response(r),
        None => res.map_into_boxed_body(),
    })
}

/// The language `Accept-Language` prefers among Indonesian and English (`id-ID` and
/// `en-US` count as their language, `q=0` refuses one); `fallback` when it names neither.
pub fn choose(accept: Option<&str>, fallback: Locale) -> Locale {
    let mut best: Option<(f32, Locale)> = None;
    for range in accept.unwrap_or("").split(',') {
        let mut parts = range.split(';');
        let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let primary = tag.split('-').next().unwrap_or("");
        let locale = match primary {
            "id" | "in" => Locale::Id,
            "en" => Locale::En,
            _ => continue,
        };
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, locale));
        }
    }
    best.map_or(fallback, |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_is_honoured_with_its_weights() {
        use Locale::{En, Id};
        let cases = [
            (None, En, En),
            (None, Id, Id),
            (Some("id"), En, Id),
            (Some("id-ID,id;q=0.9"), En, Id),
            (Some("en-US"), Id, En),
            (Some("fr, de"), Id, Id),
            (Some("*"), En, En),
            (Some("en;q=0.5, id;q=0.8"), En, Id),
            (Some("id;q=0, en;q=0.1"), Id, En),
            (Some("id;q=0"), En, En),
            (Some("fr;q=1, en;q=0.3"), Id, En),
            (Some("EN"), Id, En),
        ];
        for (accept, fallback, want) in cases {
            assert_eq!(choose(accept, fallback), want, "{accept:?} / {fallback:?}");
        }
    }
}
