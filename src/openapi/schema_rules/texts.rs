//! The texts the server refuses: blank where it trims and requires, NUL anywhere, too
//! long, not a phone number or an e-mail address.

use std::collections::{BTreeMap, BTreeSet};

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{Object, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use super::property;
use crate::domain::contact::PHONE_MAX_LENGTH;
use crate::domain::text::WHITE_SPACE_CLASS;

/// No string the API reads may hold U+0000 (`422 invalid_characters`, `400 invalid_query`).
pub const NO_NUL_PATTERN: &str = "^[^\\u0000]*$";

/// The shape of what `PhoneNumber::parse` accepts (up to `PHONE_MAX_LENGTH` characters):
/// one optional leading `+`, then digits, spaces, `-`, `.` and parentheses with at least
/// one digit. Whether the digits are a valid number of their country is the phone
/// metadata's call, which no pattern states (`422 invalid_phone`, see the description).
pub const PHONE_PATTERN: &str = "^\\+?[0-9 ().-]*[0-9][0-9 ().-]*$";

/// What `Plate::parse` accepts: 1-2 letters, 1-4 digits not starting with 0, up to 3
/// letters, in any case, with spaces, hyphens and dots anywhere between.
pub const PLATE_PATTERN: &str = "^[ .-]*[A-Za-z][ .-]*(?:[A-Za-z][ .-]*)?[1-9][ .-]*(?:[0-9][ .-]*){0,3}(?:[A-Za-z][ .-]*){0,3}$";

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

/// What a message template may be (`422 unknown_placeholder`, `422 required`): braces
/// only around a known placeholder, something besides white space, no NUL.
pub fn template_pattern() -> String {
    placeholders_pattern(&crate::domain::message_text::PLACEHOLDERS)
}

/// What an answer to a reply may be: as a message template, with the answers' names.
pub fn answer_pattern() -> String {
    placeholders_pattern(&crate::domain::reply_answers::PLACEHOLDERS)
}

/// A reply word (`422 invalid_value`): no white space and no NUL (its length is bounded apart).
pub fn reply_word_pattern() -> String {
    format!("^[^\\u0000{WHITE_SPACE_CLASS}]+$")
}

fn placeholders_pattern(names: &[&str]) -> String {
    let names = names.join("|");
    let any = format!("(?:[^{{}}\\u0000]|\\{{(?:{names})\\}})");
    let solid = format!("(?:[^{{}}\\u0000{WHITE_SPACE_CLASS}]|\\{{(?:{names})\\}})");
    format!("^{any}*{solid}{any}*$")
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
    ("CallRequest", "note"),
];

const PLATES: &[&str] = &["CreateVehicleRequest", "UpdateVehicleRequest"];

const PHONES: &[&str] = &[
    "CreateCustomerRequest",
    "UpdateCustomerRequest",
    "CreateLocationRequest",
    "UpdateLocationRequest",
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
    ("make", 100),
    ("model", 100),
];

/// Free-text query parameters of reads refuse NUL; the customer filters are bounded.
pub(super) fn in_queries(api: &mut OpenApi) {
    for item in api.paths.paths.values_mut() {
        for op in [&mut item.get, &mut item.delete].into_iter().flatten() {
            no_nul_in_queries(op);
        }
    }
}

/// Blank names, phone numbers and e-mail addresses as the server refuses them.
pub(super) fn patterns(schemas: &mut BTreeMap<String, RefOr<Schema>>) {
    for (schema, field) in NON_BLANK {
        if let Some(p) = property(schemas.get_mut(*schema), field) {
            p.pattern = Some(non_blank_pattern());
        }
    }
    for schema in PHONES {
        if let Some(p) = property(schemas.get_mut(*schema), "phone") {
            p.pattern = Some(PHONE_PATTERN.to_owned());
            p.max_length = Some(PHONE_MAX_LENGTH);
        }
    }
    if let Some(p) = property(schemas.get_mut("TemplateBody"), "text") {
        p.pattern = Some(template_pattern());
    }
    if let Some(p) = property(schemas.get_mut("ReplyAnswerBody"), "text") {
        p.pattern = Some(answer_pattern());
    }
    reply_words(schemas);
    for schema in PLATES {
        if let Some(p) = property(schemas.get_mut(*schema), "plate") {
            p.pattern = Some(PLATE_PATTERN.to_owned());
        }
    }
    for schema in ["CreateCustomerRequest", "UpdateCustomerRequest"] {
        if let Some(p) = property(schemas.get_mut(schema), "email") {
            p.pattern = Some(email_pattern());
            p.max_length = Some(254);
        }
    }
}

/// Each reply word: 1 to 32 characters, no white space.
fn reply_words(schemas: &mut BTreeMap<String, RefOr<Schema>>) {
    use utoipa::openapi::schema::ArrayItems;
    if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut("ReplyWordsBody")
        && let Some(RefOr::T(Schema::Array(a))) = o.properties.get_mut("words")
        && let ArrayItems::RefOrSchema(item) = &mut a.items
        && let RefOr::T(Schema::Object(item)) = item.as_mut()
    {
        item.pattern = Some(reply_word_pattern());
        item.min_length = Some(1);
        item.max_length = Some(crate::domain::reply_words::MAX_WORD_CHARS);
    }
}

/// Every request body's texts: their longest length, and no NUL in free text.
pub(super) fn lengths(schemas: &mut BTreeMap<String, RefOr<Schema>>, bodies: &BTreeSet<String>) {
    for name in bodies {
        if let Some(RefOr::T(Schema::Object(o))) = schemas.get_mut(name) {
            for (field, max) in MAX_LENGTHS {
                if let Some(RefOr::T(Schema::Object(p))) = o.properties.get_mut(*field) {
                    p.max_length = Some(*max);
                }
            }
            no_nul_in_texts(o);
        }
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
            if p.name == "phone" {
                o.max_length = Some(PHONE_MAX_LENGTH);
            }
            o.pattern = Some(if p.name == "phone" {
                format!("^$|{PHONE_PATTERN}")
            } else if p.name == "plate" {
                PLATE_PATTERN.to_owned()
            } else {
                NO_NUL_PATTERN.to_owned()
            });
        }
    }
}
