//! `405 Method Not Allowed` with `Allow` for a path the API serves under other methods
//! (RFC 9110 §15.5.6), rather than the 404 of a path it does not serve at all.

use actix_web::HttpResponse;
use actix_web::dev::ResourceDef;
use actix_web::http::header;
use utoipa::openapi::OpenApi;

use crate::error::{Code, Error};
use crate::http::problem::Problem;

/// Every path of the spec, as a pattern, with the methods it is served under.
pub struct KnownPaths(Vec<(ResourceDef, String)>);

impl KnownPaths {
    /// The paths and methods of `api`: the same table the routes were registered from.
    pub fn from_spec(api: &OpenApi) -> Self {
        let paths = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, served)| served.then_some(m))
                .collect();
                (ResourceDef::new(path.as_str()), methods.join(", "))
            })
            .collect();
        KnownPaths(paths)
    }

    /// The `Allow` value for `path`, if the API serves it at all.
    pub fn allow(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, allow)| allow.as_str())
    }
}

/// The problem for `method` on a path served only under `allow`.
pub fn response(method: &str, allow: &str) -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, allow.to_owned()))
        .content_type("application/problem+json")
        .insert_header((header::CONTENT_LANGUAGE, "en"))
        .json(Problem::from_error(
            &Error::new(
                Code::MethodNotAllowed,
                format!("{method} is not served here; this path takes {allow}"),
            ),
            crate::domain::Locale::En,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_methods_of_templated_paths() {
        let known = KnownPaths::from_spec(&crate::openapi::document());
        assert_eq!(known.allow("/healthz"), Some("GET"));
        assert_eq!(known.allow("/v1/customers"), Some("GET, POST"));
        assert_eq!(
            known.allow("/v1/customers/0193a1c2-0000-7000-8000-000000000000"),
            Some("GET, PATCH, DELETE")
        );
        assert_eq!(known.allow("/v1/nothing"), None);
    }
}
