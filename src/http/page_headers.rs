//! What every page behind a customer's link (`/a/{token}/…`) answers besides what
//! `rate_limit::limit_links` adds (no-store, no-referrer, noindex): a strict Content
//! Security Policy (no script at all, styles only from the server, forms only to it, in
//! no frame) and `nosniff`; and which POSTs a page accepts: none that the browser says
//! came from another site.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The pages' Content Security Policy.
pub const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Adds the pages' headers to every answer under `/a`.
pub async fn page_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = next.call(req).await?.map_into_boxed_body();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        HeaderName::from_static("x-frame-options"),
        HeaderValue::from_static("DENY"),
    );
    Ok(res)
}

/// Whether the browser says a POST came from another site: `Sec-Fetch-Site` other than
/// `same-origin` or `none`, or an `Origin` whose host is not this request's. `Origin:
/// null` is what a browser sends for the pages' own forms under `Referrer-Policy:
/// no-referrer`, so it is not refused (the form's field still has to hold).
pub fn cross_site(sec_fetch_site: Option<&str>, origin: Option<&str>, host: &str) -> bool {
    if let Some(site) = sec_fetch_site
        && !matches!(site, "same-origin" | "none")
    {
        return true;
    }
    match origin {
        None | Some("null") => false,
        Some(o) => {
            let authority = o.split_once("://").map_or(o, |(_, rest)| rest);
            !authority.eq_ignore_ascii_case(host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cross_site;

    #[test]
    fn only_the_pages_own_origin_may_post() {
        let host = "janji.example";
        assert!(!cross_site(None, None, host));
        assert!(!cross_site(
            Some("same-origin"),
            Some("https://janji.example"),
            host
        ));
        assert!(!cross_site(Some("none"), None, host));
        assert!(!cross_site(None, Some("null"), host));
        assert!(cross_site(Some("cross-site"), None, host));
        assert!(cross_site(Some("same-site"), None, host));
        assert!(cross_site(None, Some("https://evil.example"), host));
        assert!(cross_site(None, Some("https://janji.example:8443"), host));
    }
}
