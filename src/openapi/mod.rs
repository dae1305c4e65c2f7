//! The OpenAPI document: its header and completion in `api_doc`, its paths from the
//! handlers' annotations, collected with the routes by `startup::split_app`.

pub mod api_doc;
pub mod schema_rules;

/// The full document as served at `/openapi.json`.
pub fn document() -> utoipa::openapi::OpenApi {
    crate::startup::split_app(None).1
}

/// The document as committed in `openapi/openapi.json`.
pub fn to_pretty_json() -> String {
    let mut s = document().to_pretty_json().expect("OpenAPI serialises");
    s.push('\n');
    s
}
