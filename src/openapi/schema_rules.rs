//! Rules on a request's shape that the derived schemas cannot carry by themselves:
//! fields that go together or exclude each other, numeric bounds, the texts the server
//! refuses (blank, NUL, not a phone number), closed sets (time zones, currencies).
//! Stated here, after the components are collected, so a client generating requests from
//! the spec sends what the server accepts (the server's checks stay where they are; the
//! API tests in `tests/api/schema_rules.rs` hold the two together).

use std::collections::BTreeSet;

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AnyOf, Object, OneOf, SchemaType, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr, Schema};

use crate::domain::Currency;
use crate::domain::text::WHITE_SPACE_CLASS;

/// No string the API reads may hold U+0000 (`422 invalid_characters`, `400 invalid_query`).
pub const NO_NUL_PATTERN: &str = "^[^\\u0000]*$";

/// What `PhoneNumber::parse` accepts: E.164, `+` and 8 to 15 digits, no leading 0.
pub const PHONE_PATTERN: &str = "^\\+[1-9][0-9]{7,14}$";

/// White space, control characters (and so NUL): what `Email::parse` refuses anywhere.
const NOT_IN_EMAIL: &str =
    "\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

/// Texts the server trims and then requires: a character that is not white space, and no NUL.
pub fn non_blank_pattern() -> String {
    format!("^[^\\u0000]*[^\\u0000{WHITE_SPACE_CLASS}][^\\u0000]*$")
}

/// What `Email::parse` accepts: one `@` after a non-empty local part, a dotted domain that
/// neither starts nor ends with a dot, no white space or control characters.
pub fn email_pattern() -> String {
    let c = format!("[^@{NOT_IN_EMAIL}]");
    let edge = format!("[^@.{NOT_IN_EMAIL}]");
    format!("^{c}+@{edge}{c}*\\.{c}*{edge}$")
}

/// Texts the server trims and then requires (`422 required` when nothing is left).
const NON_BLANK: &[(&str, &str)] = &[
    ("CreateApiKeyRequest", "name"),
    ("CreateClosureRequest", "reason"),
    ("CreateCustomerRequest", "name"),
    ("UpdateCustomerRequest", "name"),
    ("CreateLocationRequest", "name"),
    ("UpdateLocationRequest", "name"),
    ("UpdateOrganizationRequest", "name"),
    ("CreatePolicyRequest", "name"),
    ("ReplacePolicyRequest", "name"),
    ("CreateResourceRequest", "name"),
    ("UpdateResourceRequest", "name"),
    ("CreateServiceRequest", "name"),
    ("UpdateServiceRequest", "name"),
    ("WaiveFeeRequest", "note"),
    ("MarkPaidRequest", "payment_ref"),
    ("OverrideRequest", "note"),
];

const PHONES: &[&str] = &[
    "CreateCustomerRequest",
    "UpdateCustomerRequest",
    "CreateLocationRequest",
    "UpdateLocationRequest",
];

const TIME_ZONES: &[&str] = &[
    "UpdateOrganizationRequest",
    "CreateLocationRequest",
    "UpdateLocationRequest",
];

const CURRENCIES: &[&str] = &[
    "Money",
    "UpdateOrganizationRequest",
    "CreatePolicyRequest",
    "ReplacePolicyRequest",
];

/// The longest texts request bodies take, by field name (the same everywhere), as the
/// handlers pass them to `text::required` and `text::optional`.
const MAX_LENGTHS: &[(&str, usize)] = &[
    ("name", 200),
    ("external_ref", 200),
    ("payment_ref", 200),
    ("reason", 500),
    ("address", 500),
    ("note", 2000),
    ("notes", 2000),
    ("reason_text", 2000),
];

/// Booking settings and their bounds, as `domain::booking_rules` checks them.
const BOOKING_BOUNDS: &[(&str, i64, i64)] = &[
    ("booking_lead_minutes", 0, 30 * 24 * 60),
    ("booking_horizon_days", 1, 730),
    ("slot_interval_minutes", 5, 240),
];

/// Gives the request schemas in `api` the rules the server enforces on them.
pub fn describe(api: &mut OpenApi) {
    let bodies = request_components(api);
    for item in api.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.delete].into_iter().flatten() {
            no_nul_in_queries(op);
        }
    }
    let Some(components) = api.components.as_mut() else {
        return;
    };
    let schemas = &mut components.schemas;
    for (schema, field) in NON_BLANK {
        if let Some(p) = property(schemas.get_mut(*schema), field) {
            p.pattern = Some(non_blank_pattern());
        }
    }
    for schema in PHONES {
        if let Some(p) = property(schemas.get_mut(*schema), "phone") {
            p.pattern = Some(PHONE_PATTERN.to_owned());
        }
    }
    for schema in ["CreateCustomerRequest", "UpdateCustomerRequest"] {
        if let Some(p) = property(schemas.get_mut(schema), "email") {
            p.pattern = Some(email_pattern());
            p.max_length = Some(254);
        }
    }
    schemas.insert(
        "TimeZoneName".to_owned(),
        RefOr::T(Schema::Object(
            Object::builder()
                .schema_type(Type::String)
                .description(Some("An IANA time zone name, e.g. `Asia/Jakarta`."))
                .enum_values(Some(chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())))
                .build(),
        )),
    );
    schemas.insert(
        "CurrencyCode".to_owned(),
        RefOr::T(Schema::Object(
            Object::builder()
                .schema_type(Type::String)
                .description(Some("An ISO 4217 currency code, e.g. `IDR`."))
                .enum_values(Some(Currency::codes()))
                .build(),
        )),
    );
    for schema in TIME_ZONES {
        refer(schemas.get_mut(*schema), "time_zone", "TimeZoneName");
    }
    for schema in CURRENCIES {
        refer(schemas.get_mut(*schema), "currency", "CurrencyCode");
    }
    for schema in [
        "UpdateOrganizationRequest",
        "CreateLocationRequest",
        "UpdateLocationRequest",
    ] {
        for (field, min, max) in BOOKING_BOUNDS {
            if let Some(p) = property(schemas.get_mut(schema), field) {
                p.minimum = Some((*min).into());
                p.maximum = Some((*max).into());
            }
        }
    }
    // Each once: `duplicate_reason`, `duplicate_resource_kind`, `duplicate_resource`,
    // `duplicate_location`; a service needs a kind of resource (`required`).
    for (schema, field) in [
        ("RescheduleDoc", "reason_categories"),
        ("ChangeRulesDoc", "reason_categories"),
        ("CreateServiceRequest", "resource_kinds"),
        ("UpdateServiceRequest", "resource_kinds"),
        ("CreateServiceRequest", "resource_ids"),
        ("UpdateServiceRequest", "resource_ids"),
        ("CreateServiceRequest", "location_ids"),
        ("UpdateServiceRequest", "location_ids"),
    ] {
        if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut(schema)
            && let Some(RefOr::T(Schema::Array(a))) = o.properties.get_mut(field)
        {
            a.unique_items = true;
            if field == "resource_kinds" {
                a.min_items = Some(1);
            }
        }
    }
    // An override always carries its note (`422 note_required`).
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("OverrideRequest") {
        if let Some(p) = o.properties.get_mut("note") {
            *p = not_null(p.clone());
        }
        o.required.push("note".to_owned());
    }
    for name in &bodies {
        if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut(name) {
            for (field, max) in MAX_LENGTHS {
                if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(*field) {
                    p.max_length = Some(*max);
                }
            }
            no_nul_in_texts(o);
        }
    }
    // A reason text goes with a reason category (`reason_category_missing`); a blank
    // text counts as none.
    for schema in [
        "RescheduleQuoteRequest",
        "RescheduleRequest",
        "CancelQuoteRequest",
        "CancelRequest",
    ] {
        reason_with_category(schemas.get_mut(schema));
    }
    exactly_one_of(
        schemas.get_mut("CreateAppointmentRequest"),
        &[
            (&["customer_id"], &["customer_external_ref", "customer"]),
            (&["customer_external_ref"], &["customer_id", "customer"]),
            (&["customer"], &["customer_id", "customer_external_ref"]),
        ],
    );
    exactly_one_of(
        schemas.get_mut("CreateClosureRequest"),
        &[
            (&["date"], &["starts_at", "ends_at"]),
            (&["starts_at", "ends_at"], &["date", "end_date"]),
        ],
    );
    reachable(schemas.get_mut("CreateCustomerRequest"), true);
    // Clearing both contacts can never be right; clearing the only one the customer has
    // depends on the stored customer, which no schema knows (422 `contact_required`).
    reachable(schemas.get_mut("UpdateCustomerRequest"), false);
}

/// The contact rules of a customer as far as the body alone decides them: a phone or an
/// e-mail address, and a preferred channel the customer has (`whatsapp` and `sms` need a
/// phone, `email` an address; absent, it follows what is given).
fn reachable(slot: Option<&mut RefOr<Schema>>, new: bool) {
    let Some(slot) = slot else { return };
    let RefOr::T(Schema::Object(base)) = slot else {
        return;
    };
    let shape = |given: &[&str], channels: Option<&[&str]>| {
        let mut b = base.clone();
        b.description = None;
        b.example = None;
        for field in given {
            if let Some(p) = b.properties.get_mut(*field) {
                *p = not_null(p.clone());
            }
            if new {
                b.required.push((*field).to_owned());
            }
        }
        if let Some(channels) = channels {
            b.properties.insert(
                "preferred_channel".to_owned(),
                RefOr::T(Schema::Object(
                    Object::builder()
                        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                        .enum_values(Some(channels.iter().copied().map(Some).chain([None])))
                        .build(),
                )),
            );
        }
        RefOr::T(Schema::Object(b))
    };
    let mut any = AnyOf::new();
    any.description = base.description.clone();
    any.example = base.example.clone();
    any.items = if new {
        // Without a phone the channel defaults to e-mail; with one, to WhatsApp.
        vec![
            shape(&["phone"], Some(&["whatsapp", "sms"])),
            shape(&["email"], Some(&["email"])),
        ]
    } else {
        vec![shape(&["phone"], None), shape(&["email"], None)]
    };
    *slot = RefOr::T(Schema::AnyOf(any));
}

fn reason_with_category(slot: Option<&mut RefOr<Schema>>) {
    let Some(slot) = slot else { return };
    let RefOr::T(Schema::Object(base)) = slot else {
        return;
    };
    if !base.properties.contains_key("reason_text") {
        return;
    }
    let mut no_text = base.clone();
    no_text.description = None;
    no_text.example = None;
    no_text.properties.insert(
        "reason_text".to_owned(),
        RefOr::T(Schema::Object(
            Object::builder()
                .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                .pattern(Some(format!("^[{WHITE_SPACE_CLASS}]*$")))
                .build(),
        )),
    );
    let mut with_category = base.clone();
    with_category.description = None;
    with_category.example = None;
    if let Some(p) = with_category.properties.get_mut("reason_category") {
        *p = not_null(p.clone());
    }
    with_category.required.push("reason_category".to_owned());
    let mut any = AnyOf::new();
    any.description = base.description.clone();
    any.example = base.example.clone();
    any.items = vec![
        RefOr::T(Schema::Object(no_text)),
        RefOr::T(Schema::Object(with_category)),
    ];
    *slot = RefOr::T(Schema::AnyOf(any));
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

fn is_free_text(o: &Object) -> bool {
    let string = match &o.schema_type {
        SchemaType::Type(t) => *t == Type::String,
        SchemaType::Array(ts) => ts.contains(&Type::String),
        SchemaType::AnyValue => false,
    };
    string && o.pattern.is_none() && o.format.is_none() && o.enum_values.is_none()
}

/// Every free-text property of a request body refuses NUL.
fn no_nul_in_texts(o: &mut Object) {
    for p in o.properties.values_mut() {
        if let RefOr::T(Schema::Object(p)) = p
            && is_free_text(p)
        {
            p.pattern = Some(NO_NUL_PATTERN.to_owned());
        }
    }
}

fn no_nul_in_queries(op: &mut Operation) {
    for p in op.parameters.iter_mut().flatten() {
        if p.parameter_in == utoipa::openapi::path::ParameterIn::Query
            && let Some(RefOr::T(Schema::Object(o))) = &mut p.schema
            && is_free_text(o)
        {
            // An empty phone filter is no filter.
            // The customer filters, as `text::optional` bounds them.
            if p.name == "q" || p.name == "external_ref" {
                o.max_length = Some(200);
            }
            o.pattern = Some(if p.name == "phone" {
                format!("^$|{PHONE_PATTERN}")
            } else {
                NO_NUL_PATTERN.to_owned()
            });
        }
    }
}

/// Points a (possibly nullable) property at a component, keeping it nullable.
fn refer(schema: Option<&mut RefOr<Schema>>, field: &str, component: &str) {
    let Some(RefOr::T(Schema::Object(o))) = schema else {
        return;
    };
    let Some(p) = o.properties.get_mut(field) else {
        return;
    };
    let nullable = matches!(p, RefOr::T(Schema::Object(x))
        if matches!(&x.schema_type, SchemaType::Array(ts) if ts.contains(&Type::Null)));
    let description = match p {
        RefOr::T(Schema::Object(x)) => x.description.clone(),
        _ => None,
    };
    let target = RefOr::Ref(Ref::from_schema_name(component));
    *p = if nullable {
        let mut one = OneOf::new();
        one.items = vec![
            RefOr::T(Schema::Object(Object::with_type(Type::Null))),
            target,
        ];
        one.description = description;
        RefOr::T(Schema::OneOf(one))
    } else {
        target
    };
}

/// The object property `field` of a component, if it is a plain object schema.
fn property<'a>(schema: Option<&'a mut RefOr<Schema>>, field: &str) -> Option<&'a mut Object> {
    match schema? {
        RefOr::T(Schema::Object(o)) => match o.properties.get_mut(field)? {
            RefOr::T(Schema::Object(p)) => Some(p),
            _ => None,
        },
        _ => None,
    }
}

/// Turns an object component into a `oneOf` of its shapes: in each, the first fields are
/// required and not null, the second ones absent or null (as the server reads them).
fn exactly_one_of(slot: Option<&mut RefOr<Schema>>, shapes: &[(&[&str], &[&str])]) {
    let Some(slot) = slot else { return };
    let RefOr::T(Schema::Object(base)) = slot else {
        return;
    };
    let mut one = OneOf::new();
    one.description = base.description.clone();
    one.example = base.example.clone();
    for (given, absent) in shapes {
        let mut b = base.clone();
        b.description = None;
        b.example = None;
        for field in *given {
            if let Some(p) = b.properties.get_mut(*field) {
                *p = not_null(p.clone());
            }
            b.required.push((*field).to_owned());
        }
        for field in *absent {
            b.properties.insert(
                (*field).to_owned(),
                RefOr::T(Schema::Object(Object::with_type(Type::Null))),
            );
        }
        one.items.push(RefOr::T(Schema::Object(b)));
    }
    *slot = RefOr::T(Schema::OneOf(one));
}

/// A nullable property's schema without `null`: `["string", "null"]` becomes `string`,
/// `oneOf: [null, X]` becomes `X`.
fn not_null(p: RefOr<Schema>) -> RefOr<Schema> {
    use utoipa::openapi::schema::SchemaType;
    match p {
        RefOr::T(Schema::Object(mut o)) => {
            if let SchemaType::Array(types) = &o.schema_type {
                let kept: Vec<Type> = types
                    .iter()
                    .filter(|t| **t != Type::Null)
                    .cloned()
                    .collect();
                if kept.len() == 1 {
                    o.schema_type = SchemaType::Type(kept[0].clone());
                } else {
                    o.schema_type = SchemaType::Array(kept);
                }
            }
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::OneOf(one)) => {
            let mut kept: Vec<RefOr<Schema>> = one
                .items
                .into_iter()
                .filter(|i| !matches!(i, RefOr::T(Schema::Object(o)) if o.schema_type == Type::Null.into()))
                .collect();
            if kept.len() == 1 {
                kept.remove(0)
            } else {
                let mut rest = OneOf::new();
                rest.items = kept;
                RefOr::T(Schema::OneOf(rest))
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use crate::api::appointments::STATUS_FILTER_PATTERN;
    use crate::domain::{AppointmentStatus, booking_rules};

    #[test]
    fn the_status_pattern_lists_every_status() {
        let all: Vec<&str> = AppointmentStatus::ALL.iter().map(|s| s.as_str()).collect();
        let alts = all.join("|");
        assert_eq!(STATUS_FILTER_PATTERN, format!("^({alts})(,({alts}))*$"));
    }

    #[test]
    fn bounds_are_those_the_validation_applies() {
        for (field, min, max) in super::BOOKING_BOUNDS {
            let check = match *field {
                "booking_lead_minutes" => booking_rules::lead_minutes,
                "booking_horizon_days" => booking_rules::horizon_days,
                _ => booking_rules::slot_interval_minutes,
            };
            let (min, max) = (*min as i32, *max as i32);
            assert!(
                check(field, min).is_ok() && check(field, max).is_ok(),
                "{field}"
            );
            assert!(
                check(field, min - 1).is_err() && check(field, max + 1).is_err(),
                "{field}"
            );
        }
    }
}
