//! The parameters that shared machinery reads for every operation (`If-Match`,
//! `Idempotency-Key`, `cursor`), described once with exactly what that machinery accepts.
//!
//! Handlers declare these parameters as optional strings; without this, the spec said any
//! string (even JSON `null`) would do, and a client generating requests from it was refused.

use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{Object, Type};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use crate::http::pagination::CURSOR_PATTERN;
use crate::http::precondition::IF_MATCH_PATTERN;

/// What `idempotency::parse_key` accepts: 1 to 255 visible ASCII characters.
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,255}$";

/// Gives every shared parameter in `api` the schema of what the server accepts.
pub fn describe(api: &mut OpenApi) {
    for item in api.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ]
        .into_iter()
        .flatten()
        {
            describe_operation(op);
        }
    }
}

fn describe_operation(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        let pattern = match (&p.parameter_in, p.name.as_str()) {
            (ParameterIn::Header, "If-Match") => IF_MATCH_PATTERN.to_owned(),
            (ParameterIn::Header, "Idempotency-Key") => IDEMPOTENCY_KEY_PATTERN.to_owned(),
            (ParameterIn::Query, "cursor") => CURSOR_PATTERN.to_owned(),
            _ => continue,
        };
        p.schema = Some(RefOr::T(Schema::Object(
            Object::builder()
                .schema_type(Type::String)
                .pattern(Some(pattern))
                .build(),
        )));
    }
}

#[cfg(test)]
mod tests {
    use crate::http::pagination::CURSOR_PATTERN;

    #[test]
    fn every_shared_parameter_is_a_patterned_string() {
        let api = crate::openapi::document();
        let mut seen = 0;
        for item in api.paths.paths.values() {
            for op in [&item.get, &item.post, &item.patch, &item.put, &item.delete]
                .into_iter()
                .flatten()
            {
                for p in op.parameters.iter().flatten() {
                    if ["If-Match", "Idempotency-Key", "cursor"].contains(&p.name.as_str()) {
                        let json = serde_json::to_value(&p.schema).unwrap();
                        assert_eq!(json["type"], "string", "{}: {json}", p.name);
                        assert!(json["pattern"].is_string(), "{}: {json}", p.name);
                        if p.name == "cursor" {
                            assert_eq!(json["pattern"], CURSOR_PATTERN);
                        }
                        seen += 1;
                    }
                }
            }
        }
        assert!(seen > 40, "only {seen} shared parameters found");
    }
}
