//! Every required field a JSON body lacks, at any depth, read off the request type's own
//! OpenAPI schema: serde stops at the first gap, and a client fixing one gap per round
//! trip (`customer.name`, then `customer.phone`, then `start`) learns slowly.

use serde_json::Value;
use utoipa::openapi::schema::ArrayItems;
use utoipa::openapi::{RefOr, Schema};

/// The component schemas a type's schema refers to, by name.
type Components = Vec<(String, RefOr<Schema>)>;

/// Nesting deeper than this is not walked (no request type comes near it; a schema that
/// refers to itself must not loop).
const MAX_DEPTH: usize = 8;

/// The paths (`start`, `customer.name`, `slots[2].resource_id`) of every required field
/// missing from `body` as `T` reads it: the top level's first, then each present
/// object's, in the order the schema lists them.
pub fn missing<T: utoipa::ToSchema>(body: &Value) -> Vec<String> {
    let mut components = Components::new();
    T::schemas(&mut components);
    let mut found = Vec::new();
    walk(&T::schema(), body, "", &components, 0, &mut found);
    found
}

fn walk(
    schema: &RefOr<Schema>,
    value: &Value,
    path: &str,
    components: &Components,
    depth: usize,
    found: &mut Vec<String>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(schema) = resolve(schema, components) else {
        return;
    };
    match (schema, value) {
        (Schema::Object(o), Value::Object(given)) => {
            for name in &o.required {
                if !given.contains_key(name) {
                    found.push(join(path, name));
                }
            }
            for (name, schema) in &o.properties {
                if let Some(v) = given.get(name) {
                    walk(schema, v, &join(path, name), components, depth + 1, found);
                }
            }
        }
        (Schema::Array(a), Value::Array(items)) => {
            if let ArrayItems::RefOrSchema(item) = &a.items {
                for (i, v) in items.iter().enumerate() {
                    walk(
                        item,
                        v,
                        &format!("{path}[{i}]"),
                        components,
                        depth + 1,
                        found,
                    );
                }
            }
        }
        // `Option<T>` of a named type is `oneOf: [null, T]`; with more alternatives which
        // one the client meant is unknown, so nothing is said.
        (Schema::OneOf(one), _) => {
            let objects: Vec<&RefOr<Schema>> = one
                .items
                .iter()
                .filter(|s| !matches!(resolve(s, components), Some(Schema::Object(o)) if o.properties.is_empty() && o.required.is_empty()))
                .collect();
            if let [only] = objects[..] {
                walk(only, value, path, components, depth + 1, found);
            }
        }
        (Schema::AllOf(all), _) => {
            for s in &all.items {
                walk(s, value, path, components, depth + 1, found);
            }
        }
        _ => {}
    }
}

fn resolve<'a>(schema: &'a RefOr<Schema>, components: &'a Components) -> Option<&'a Schema> {
    match schema {
        RefOr::T(s) => Some(s),
        RefOr::Ref(r) => {
            let name = r.ref_location.rsplit('/').next()?;
            components
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, s)| match s {
                    RefOr::T(s) => Some(s),
                    RefOr::Ref(_) => None,
                })
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use utoipa::ToSchema;

    #[allow(dead_code)]
    #[derive(Deserialize, ToSchema)]
    struct Person {
        name: String,
        phone: String,
        email: Option<String>,
    }

    #[allow(dead_code)]
    #[derive(Deserialize, ToSchema)]
    struct Line {
        item: String,
        note: Option<String>,
    }

    #[allow(dead_code)]
    #[derive(Deserialize, ToSchema)]
    struct Order {
        start: String,
        customer: Person,
        buyer: Option<Person>,
        lines: Vec<Line>,
    }

    #[test]
    fn every_gap_at_every_depth() {
        let body = serde_json::json!({
            "customer": { "email": "a@b.c" },
            "buyer": { "name": "Budi" },
            "lines": [{ "item": "oil" }, { "note": "x" }],
        });
        assert_eq!(
            missing::<Order>(&body),
            [
                "start",
                "customer.name",
                "customer.phone",
                "buyer.phone",
                "lines[1].item"
            ]
        );
    }

    #[test]
    fn a_complete_body_lacks_nothing_and_null_options_are_not_walked() {
        let body = serde_json::json!({
            "start": "x",
            "customer": { "name": "A", "phone": "1" },
            "buyer": null,
            "lines": [],
        });
        assert!(missing::<Order>(&body).is_empty());
    }
}
