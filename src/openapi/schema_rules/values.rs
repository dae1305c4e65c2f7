//! Closed sets (time zones, currencies), numeric bounds, and lists whose items are
//! each given once.

use std::collections::BTreeMap;

use utoipa::openapi::schema::{ArrayItems, Object, OneOf, SchemaType, Type};
use utoipa::openapi::{Ref, RefOr, Schema};

use super::property;
use crate::domain::message_text::is_templated;
use crate::domain::{Country, Currency, MessageKind};

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

/// Booking settings and their bounds, as `domain::booking_rules` checks them.
const BOOKING_BOUNDS: &[(&str, i64, i64)] = &[
    ("booking_lead_minutes", 0, 30 * 24 * 60),
    ("booking_horizon_days", 1, 730),
    ("slot_interval_minutes", 5, 240),
];

/// Time zones and currencies as the enumerations the server accepts; booking settings
/// within their bounds; lists without repeats.
pub(super) fn describe(schemas: &mut BTreeMap<String, RefOr<Schema>>) {
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
    schemas.insert(
        "CountryCode".to_owned(),
        RefOr::T(Schema::Object(
            Object::builder()
                .schema_type(Type::String)
                .description(Some(
                    "An ISO 3166-1 alpha-2 country code the phone-number metadata knows, e.g. `ID`.",
                ))
                .enum_values(Some(Country::codes()))
                .build(),
        )),
    );
    refer(
        schemas.get_mut("UpdateOrganizationRequest"),
        "country",
        "CountryCode",
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
    // `duplicate_location`, an endpoint's event types (`unknown_event_type`); a service
    // needs a kind of resource (`required`).
    for (schema, field) in [
        ("RescheduleDoc", "reason_categories"),
        ("ChangeRulesDoc", "reason_categories"),
        ("CreateServiceRequest", "resource_kinds"),
        ("UpdateServiceRequest", "resource_kinds"),
        ("CreateServiceRequest", "resource_ids"),
        ("UpdateServiceRequest", "resource_ids"),
        ("CreateServiceRequest", "location_ids"),
        ("UpdateServiceRequest", "location_ids"),
        ("NotificationSettingsRequest", "reminder_offsets_minutes"),
        ("ReminderOverrideBody", "reminder_offsets_minutes"),
        ("CreateWebhookEndpointRequest", "event_types"),
        ("UpdateWebhookEndpointRequest", "event_types"),
    ] {
        if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut(schema)
            && let Some(RefOr::T(Schema::Array(a))) = o.properties.get_mut(field)
        {
            a.unique_items = true;
            if field == "resource_kinds" {
                a.min_items = Some(1);
            }
            if field == "reminder_offsets_minutes"
                && let ArrayItems::RefOrSchema(item) = &mut a.items
                && let RefOr::T(Schema::Object(item)) = item.as_mut()
            {
                item.minimum = Some(1.into());
                item.maximum = Some(43_200.into());
            }
        }
    }
    templated_kinds(schemas);
}

/// A template's kind: any kind of message but those not written from one
/// (`422 invalid_value`).
fn templated_kinds(schemas: &mut BTreeMap<String, RefOr<Schema>>) {
    use strum::VariantArray;
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("TemplateBody") {
        let kinds = MessageKind::VARIANTS
            .iter()
            .filter(|k| is_templated(**k))
            .map(|k| k.as_str());
        o.properties.insert(
            "kind".to_owned(),
            RefOr::T(Schema::Object(
                Object::builder()
                    .schema_type(Type::String)
                    .description(Some(
                        "Any kind of message but `reply_answer` (its words are the answers in `reply_answers`).",
                    ))
                    .enum_values(Some(kinds))
                    .build(),
            )),
        );
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

#[cfg(test)]
mod tests {
    use crate::domain::booking_rules;

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
