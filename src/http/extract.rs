//! Request extractors whose failures are problems naming the field at fault.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{Code, Error};

/// Largest request body accepted anywhere in the API.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body. Refuses other media types (415), bodies over [`MAX_BODY_BYTES`] (413),
/// bodies slower than [`BODY_READ_TIMEOUT`] (408), data after the JSON value (400)
/// and, through `deny_unknown_fields` on the target type, fields it does not know.
pub struct Json<T>(pub T);

impl<T: DeserializeOwned + utoipa::ToSchema + 'static> FromRequest for Json<T> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = JsonBody::from_request(req, payload);
        Box::pin(async move {
            let body = body.await?.0;
            parse_json(&body)
                .map(Json)
                .map_err(|e| every_missing_field::<T>(e, &body))
        })
    }
}

/// serde stops at the first missing field; a client fixing one at a time would need as
/// many round trips as there are gaps. So a missing field is told with every other
/// required field the body lacks, at any depth (`customer.phone`), in `data.missing`
/// (the first in `field`).
fn every_missing_field<T: utoipa::ToSchema>(e: Error, body: &[u8]) -> Error {
    let Some(first) = e
        .field
        .clone()
        .filter(|f| e.code == Code::InvalidField && e.detail == format!("{f} is required"))
    else {
        return e;
    };
    let Ok(given) = serde_json::from_slice::<serde_json::Value>(body) else {
        return e;
    };
    let mut missing = crate::http::missing_fields::missing::<T>(&given);
    if !missing.contains(&first) {
        missing.insert(0, first);
    }
    let detail = if missing.len() == 1 {
        e.detail.clone()
    } else {
        format!("required fields are missing: {}", missing.join(", "))
    };
    Error::new(Code::InvalidField, detail)
        .with_field(missing[0].clone())
        .with_data(serde_json::json!({ "missing": missing }))
}

/// A JSON body as its bytes, unparsed (to check a signature over them first), with the
/// same content type, size and time limits as [`Json`].
pub struct JsonBody(pub web::Bytes);

impl FromRequest for JsonBody {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(Error::new(
                    Code::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
            read_body(&mut payload).await.map(JsonBody)
        })
    }
}

/// An optional JSON body: an empty body, or JSON `null`, is `None` (actions such as
/// confirm need none).
pub struct MaybeJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for MaybeJson<T> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            });
        let mut payload = payload.take();
        Box::pin(async move {
            let body = read_body(&mut payload).await?;
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(MaybeJson(None));
            }
            if is_json != Some(true) {
                return Err(Error::new(
                    Code::UnsupportedMediaType,
                    "send the body as application/json",
                ));
            }
            parse_json::<Option<T>>(&body).map(MaybeJson)
        })
    }
}

/// The whole body must arrive within this, however it trickles in: a client sending a
/// byte every few seconds would otherwise hold a worker and a connection for ever.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads a whole body, refusing it once it passes [`MAX_BODY_BYTES`] (413) or takes longer
/// than [`BODY_READ_TIMEOUT`] in total (408).
pub async fn read_body(payload: &mut Payload) -> Result<web::Bytes, Error> {
    let read = async {
        let mut body = web::BytesMut::new();
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| Error::new(Code::UnreadableBody, e.to_string()))?;
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body.freeze())
    };
    actix_web::rt::time::timeout(BODY_READ_TIMEOUT, read)
        .await
        .unwrap_or_else(|_| Err(too_slow()))
}

fn too_slow() -> Error {
    Error::new(
        Code::RequestTimeout,
        format!(
            "the request body must arrive within {} seconds",
            BODY_READ_TIMEOUT.as_secs()
        ),
    )
}

pub fn too_large() -> Error {
    Error::new(
        Code::BodyTooLarge,
        format!("request bodies are limited to {MAX_BODY_BYTES} bytes"),
    )
}

/// Parses JSON, reporting the path of the field that failed (`weekly_hours.mon[0].start`).
/// A string holding a NUL character is refused (422 `invalid_characters`): no text field
/// needs one, and PostgreSQL cannot store it.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let value = parse_typed(body)?;
    if let Some(field) = nul_in_json(body) {
        return Err(Error::invalid(
            field.clone(),
            Code::InvalidCharacters,
            format!("{field} must not contain NUL (\\u0000) characters"),
        ));
    }
    Ok(value)
}

/// The path of the first string (or object key) in `body` that holds a NUL character.
fn nul_in_json(body: &[u8]) -> Option<String> {
    // In valid JSON a NUL can only be written as an escape; most bodies have none.
    if !body.windows(6).any(|w| w == br"\u0000") {
        return None;
    }
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        match v {
            serde_json::Value::String(s) => s.contains('\0').then(|| path.to_owned()),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, item)| walk(item, &format!("{path}[{i}]"))),
            serde_json::Value::Object(map) => map.iter().find_map(|(k, item)| {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                if k.contains('\0') {
                    Some(here)
                } else {
                    walk(item, &here)
                }
            }),
            _ => None,
        }
    }
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    walk(&value, "")
}

/// One JSON value and nothing after it but whitespace: a body such as `{..} {..}` is
/// malformed, not its first value (which would silently drop the rest).
/// A whole number written as `7.0` is read as `7` (see [`crate::http::json_numbers`]).
fn parse_typed<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let body = crate::http::json_numbers::integral_numbers(body);
    let de = &mut serde_json::Deserializer::from_slice(&body);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return malformed(&inner, "");
        }
        let path = (path != ".").then_some(path);
        let message = strip_position(&inner.to_string());
        let code = if message.starts_with("unknown field") {
            Code::UnknownField
        } else {
            Code::InvalidField
        };
        in_our_words(code, path.as_deref(), &message)
    })?;
    de.end().map_err(|e| {
        malformed(
            &e,
            "; the body must hold one JSON value, with nothing after it",
        )
    })?;
    Ok(value)
}

/// Malformed JSON, told by where it breaks.
fn malformed(e: &serde_json::Error, more: &str) -> Error {
    Error::new(
        Code::MalformedJson,
        format!(
            "malformed JSON at line {}, column {}{more}",
            e.line(),
            e.column()
        ),
    )
    .with_param("line", e.line())
    .with_param("column", e.column())
}

/// serde_json appends " at line 1 column 42"; the field path says more.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

/// The problem for a value serde could not read, in our words: serde's own messages
/// (`invalid type: string "a", expected u32`, `missing field `name``) name Rust types,
/// so they are told again by what the client should send. A message serde did not write
/// (one of ours, from a custom reader such as the time parameters) is kept as it is.
pub fn in_our_words(code: Code, field: Option<&str>, message: &str) -> Error {
    let quoted = |s: &str| s.split('`').nth(1).map(str::to_owned);
    let at = |name: &str| match field {
        Some(f) => format!("{f}.{name}"),
        None => name.to_owned(),
    };
    let here = field.unwrap_or("the value").to_owned();
    let (field, detail) = if let Some(rest) = message.strip_prefix("missing field") {
        let name = quoted(rest).unwrap_or_default();
        (Some(at(&name)), format!("{} is required", at(&name)))
    } else if let Some(rest) = message.strip_prefix("unknown field") {
        // The path already ends with the unknown key.
        let name = field.map_or_else(|| quoted(rest).unwrap_or_default(), str::to_owned);
        (
            Some(name.clone()),
            format!("{name} is not a field this request takes"),
        )
    } else if let Some(rest) = message.strip_prefix("unknown variant") {
        let value = quoted(rest).unwrap_or_default();
        let allowed: Vec<&str> = rest
            .split_once("expected ")
            .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let detail = if allowed.is_empty() {
            format!("{here} does not take '{value}'")
        } else {
            format!(
                "{here} does not take '{value}'; it takes {}",
                allowed.join(", ")
            )
        };
        (field.map(str::to_owned), detail)
    } else if let Some(kind) = serde_kind(message) {
        (field.map(str::to_owned), format!("{here} must be {kind}"))
    } else {
        (field.map(str::to_owned), message.to_owned())
    };
    let err = Error::new(code, detail);
    match field {
        Some(f) => err.with_field(f),
        None => err,
    }
}

/// What a value must be, from serde's or the standard library's message about it;
/// `None` for a message neither wrote.
fn serde_kind(message: &str) -> Option<&'static str> {
    const INTEGER: &str = "a whole number (within range)";
    let expected = message.split_once("expected ").map(|(_, e)| e);
    if let Some(e) = expected.filter(|_| {
        message.starts_with("invalid type")
            || message.starts_with("invalid value")
            || message.starts_with("invalid length")
    }) {
        let e = e.trim_start_matches("a ").trim_start_matches("an ");
        return Some(
            if [
                "u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "usize", "integer",
            ]
            .iter()
            .any(|t| e.starts_with(t))
            {
                INTEGER
            } else if e.starts_with("f32") || e.starts_with("f64") || e.starts_with("number") {
                "a number"
            } else if e.starts_with("bool") || e.starts_with("boolean") {
                "true or false"
            } else if e.starts_with("string") || e.starts_with("char") || e.starts_with("borrowed")
            {
                "a text"
            } else if e.starts_with("sequence") || e.starts_with("tuple") || e.starts_with("array")
            {
                "a list"
            } else if e.starts_with("UUID") || e.to_ascii_lowercase().contains("uuid") {
                "a UUID"
            } else if e.starts_with("struct") || e.starts_with("map") || e.starts_with("object") {
                "an object"
            } else {
                "of the type the schema gives"
            },
        );
    }
    let m = message.to_ascii_lowercase();
    if m.contains("invalid digit")
        || m.contains("number too large")
        || m.contains("number too small")
        || m.contains("cannot parse integer")
    {
        Some(INTEGER)
    } else if m.contains("invalid float literal") {
        Some("a number")
    } else if m.contains("was not `true` or `false`") {
        Some("true or false")
    } else if m.contains("uuid") || m.contains("invalid character") || m.contains("invalid length")
    {
        Some("of the form the schema gives")
    } else if m.starts_with("invalid type") || m.starts_with("invalid value") {
        Some("of the type the schema gives")
    } else {
        None
    }
}

/// Query parameters, with the failing parameter named.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = Error;
    type Future = std::future::Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = form_urlencoded::parse(req.query_string().as_bytes());
        if let Some((name, _)) = parsed
            .clone()
            .find(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return std::future::ready(Err(Error::new(
                Code::InvalidQuery,
                "query parameters must not contain NUL (%00) characters",
            )
            .with_field(name.into_owned())));
        }
        let de = serde_urlencoded::Deserializer::new(parsed);
        std::future::ready(
            serde_path_to_error::deserialize(de)
                .map(Query)
                .map_err(|e| {
                    let path = e.path().to_string();
                    let path = (path != ".").then_some(path);
                    in_our_words(
                        Code::InvalidQuery,
                        path.as_deref(),
                        &e.into_inner().to_string(),
                    )
                }),
        )
    }
}

/// A path id that is not even a UUID cannot name anything: it is simply not found.
/// (The library's message, which names Rust types, is not passed on.)
pub fn path_error(_: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    Error::not_found("resource").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        start: u32,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        hours: Vec<Inner>,
    }

    #[test]
    fn names_the_failing_field() {
        let e = parse_json::<Body>(br#"{"name": "x", "hours": [{"start": "a"}]}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::InvalidField, Some("hours[0].start"))
        );
        let e = parse_json::<Body>(br#"{"name": "x", "hours": [], "organization_id": "y"}"#)
            .unwrap_err();
        assert_eq!(e.code, Code::UnknownField);
        assert!(e.detail.contains("organization_id"), "{}", e.detail);
        let e = parse_json::<Body>(b"{\n  \"name\": ,\n}").unwrap_err();
        assert_eq!(e.code, Code::MalformedJson);
        assert_eq!(e.detail, "malformed JSON at line 2, column 11");
        let e = parse_json::<Body>(br#"{"hours": []}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref(), e.detail.as_str()),
            (Code::InvalidField, Some("name"), "name is required")
        );
        let e = parse_json::<Body>(br#"{"name": "x", "hours": [{}]}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("hours[0].start"));
    }

    #[test]
    fn serde_messages_are_told_in_our_words() {
        let e = parse_json::<Body>(br#"{"name": "x", "hours": [{"start": "a"}]}"#).unwrap_err();
        assert_eq!(
            e.detail,
            "hours[0].start must be a whole number (within range)"
        );
        let e = parse_json::<Body>(br#"{"name": 5, "hours": []}"#).unwrap_err();
        assert_eq!(e.detail, "name must be a text");
        let e = parse_json::<Body>(br#"{"name": "x", "hours": {}}"#).unwrap_err();
        assert_eq!(e.detail, "hours must be a list");
        let e = in_our_words(
            Code::InvalidQuery,
            Some("status"),
            "unknown variant `nope`, expected one of `booked`, `confirmed`",
        );
        assert_eq!(
            e.detail,
            "status does not take 'nope'; it takes booked, confirmed"
        );
        let e = in_our_words(
            Code::InvalidQuery,
            Some("limit"),
            "invalid digit found in string",
        );
        assert_eq!(e.detail, "limit must be a whole number (within range)");
        for e in [
            parse_json::<Body>(br#"{"name": "x", "hours": [{"start": -1}]}"#).unwrap_err(),
            parse_json::<Body>(br#"{"name": [], "hours": []}"#).unwrap_err(),
        ] {
            for word in ["invalid type", "expected", "u32", "sequence"] {
                assert!(!e.detail.contains(word), "{}", e.detail);
            }
        }
        // A message of our own (from a custom reader) is kept.
        let e = in_our_words(
            Code::InvalidQuery,
            Some("from"),
            "give a time with an offset",
        );
        assert_eq!(e.detail, "give a time with an offset");
    }

    #[test]
    fn refuses_data_after_the_value() {
        for body in [
            &br#"{"name": "a", "hours": []} {"name": "b", "hours": []} garbage"#[..],
            br#"{"name": "a", "hours": []}{"name": "b", "hours": []}"#,
            br#"{"name": "a", "hours": []} x"#,
            br#"{"name": "a", "hours": []}]"#,
        ] {
            let e = parse_json::<Body>(body).unwrap_err();
            assert_eq!(
                e.code,
                Code::MalformedJson,
                "{}",
                String::from_utf8_lossy(body)
            );
            assert!(e.detail.contains("nothing after it"), "{}", e.detail);
        }
        let e = parse_json::<Option<Body>>(br#"null null"#).unwrap_err();
        assert_eq!(e.code, Code::MalformedJson);
        // Whitespace after the value is fine.
        let v = parse_json::<Body>(b"{\"name\": \"a\", \"hours\": []} \r\n\t ").unwrap();
        assert_eq!(v.name, "a");
    }

    #[test]
    fn refuses_nul_characters_naming_the_field() {
        let e = parse_json::<Body>(br#"{"name": "a\u0000b", "hours": []}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::InvalidCharacters, Some("name"))
        );
        let e = parse_json::<serde_json::Value>(br#"{"a": [{"b": "x"}, {"b": "\u0000"}]}"#)
            .unwrap_err();
        assert_eq!(e.field.as_deref(), Some("a[1].b"));
        // An escaped backslash followed by "u0000" is text, not a NUL.
        let v = parse_json::<Body>(br#"{"name": "a\\u0000b", "hours": []}"#).unwrap();
        assert_eq!(v.name, "a\\u0000b");
        // A type error is still reported as such.
        let e = parse_json::<Body>(br#"{"name": "\u0000", "hours": 1}"#).unwrap_err();
        assert_eq!(e.code, Code::InvalidField);
    }
}
