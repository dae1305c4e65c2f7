//! Rules on a request's shape that the derived schemas cannot carry by themselves,
//! one file per kind of rule: the texts the server refuses (blank, NUL, too long, not a
//! phone number), closed sets and numeric bounds, and fields that go together or exclude
//! each other. Stated here, after the components are collected, so a client generating
//! requests from the spec sends what the server accepts (the server's checks stay where
//! they are; the API tests in `tests/api/schema_rules.rs` hold the two together).

mod combinations;
mod texts;
mod values;

use std::collections::BTreeSet;

use utoipa::openapi::schema::Object;
use utoipa::openapi::{OpenApi, RefOr, Schema};

pub use texts::{NO_NUL_PATTERN, PHONE_PATTERN, PLATE_PATTERN, email_pattern, non_blank_pattern};

/// Gives the request schemas in `api` the rules the server enforces on them.
pub fn describe(api: &mut OpenApi) {
    let bodies = request_components(api);
    texts::in_queries(api);
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let schemas = &mut components.schemas;
    texts::patterns(schemas);
    values::describe(schemas);
    texts::lengths(schemas, &bodies);
    combinations::describe(schemas);
}

/// Names of the components request bodies use, directly or through other components.
fn request_components(api: &OpenApi) -> BTreeSet<String> {
    let mut todo: Vec<String> = vec![];
    for item in api.paths.paths.values() {
        for op in [&item.post, &item.put, &item.patch].into_iter().flatten() {
            if let Some(body) = &op.request_body {
                for content in body.content.values() {
                    if let Some(s) = &content.schema {
                        refs_in(s, &mut todo);
                    }
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone())
            && let Some(s) = api.components.as_ref().and_then(|c| c.schemas.get(&name))
        {
            refs_in(s, &mut todo);
        }
    }
    seen
}

fn refs_in(s: &RefOr<Schema>, out: &mut Vec<String>) {
    match s {
        RefOr::Ref(r) => {
            if let Some(name) = r.ref_location.rsplit('/').next() {
                out.push(name.to_owned());
            }
        }
        RefOr::T(Schema::Object(o)) => o.properties.values().for_each(|p| refs_in(p, out)),
        RefOr::T(Schema::Array(a)) => {
            if let utoipa::openapi::schema::ArrayItems::RefOrSchema(i) = &a.items {
                refs_in(i, out)
            }
        }
        RefOr::T(Schema::OneOf(o)) => o.items.iter().for_each(|i| refs_in(i, out)),
        RefOr::T(Schema::AnyOf(o)) => o.items.iter().for_each(|i| refs_in(i, out)),
        RefOr::T(Schema::AllOf(o)) => o.items.iter().for_each(|i| refs_in(i, out)),
        _ => {}
    }
}

/// The object property `field` of a component, if it is a plain object schema.
pub(super) fn property<'a>(
    schema: Option<&'a mut RefOr<Schema>>,
    field: &str,
) -> Option<&'a mut Object> {
    match schema? {
        RefOr::T(Schema::Object(o)) => match o.properties.get_mut(field)? {
            RefOr::T(Schema::Object(p)) => Some(p),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::api::appointments::STATUS_FILTER_PATTERN;
    use crate::domain::AppointmentStatus;
    use strum::VariantArray;

    #[test]
    fn the_status_pattern_lists_every_status() {
        let all: Vec<&str> = AppointmentStatus::VARIANTS
            .iter()
            .map(|s| s.as_str())
            .collect();
        let alts = all.join("|");
        assert_eq!(STATUS_FILTER_PATTERN, format!("^({alts})(,({alts}))*$"));
    }
}
