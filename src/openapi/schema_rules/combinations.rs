//! Fields that go together or exclude each other: exactly one way to name a customer or
//! a closure's span, a reachable customer, a reason text with its category, an
//! override's note.

use std::collections::BTreeMap;

use utoipa::openapi::schema::{AnyOf, Object, OneOf, SchemaType, Type};
use utoipa::openapi::{RefOr, Schema};

use crate::domain::text::WHITE_SPACE_CLASS;

/// States which fields of a body go together and which exclude each other.
pub(super) fn describe(schemas: &mut BTreeMap<String, RefOr<Schema>>) {
    // An override always carries its note (`422 note_required`).
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("OverrideRequest") {
        if let Some(p) = o.properties.get_mut("note") {
            *p = not_null(p.clone());
        }
        o.required.push("note".to_owned());
    }
    // A reason text goes with a reason category (`reason_category_missing`); a blank
    // text counts as none.
    for schema in [
        "RescheduleQuoteRequest",
        "RescheduleRequest",
        "CancelQuoteRequest",
        "CancelRequest",
        "SelfRescheduleQuoteRequest",
        "SelfRescheduleRequest",
        "SelfCancelQuoteRequest",
        "SelfCancelRequest",
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
