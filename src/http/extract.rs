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

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = JsonBody::from_request(req, payload);
        Box::pin(async move { parse_json(&body.await?.0).map(Json) })
    }
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
        let code = if inner.is_syntax() || inner.is_eof() {
            Code::MalformedJson
        } else if inner.to_string().starts_with("unknown field") {
            Code::UnknownField
        } else {
            Code::InvalidField
        };
        let mut err = Error::new(code, strip_position(&inner.to_string()));
        if path != "." {
            err = err.with_field(path);
        }
        err
    })?;
    de.end().map_err(|e| {
        Error::new(
            Code::MalformedJson,
            format!(
                "{}: the body must hold one JSON value",
                strip_position(&e.to_string())
            ),
        )
    })?;
    Ok(value)
}

/// serde_json appends " at line 1 column 42"; the field path says more.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
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
                    let mut err = Error::new(Code::InvalidQuery, e.into_inner().to_string());
                    if path != "." {
                        err = err.with_field(path);
                    }
                    err
                }),
        )
    }
}

/// A path id that is not even a UUID cannot name anything: it is simply not found.
pub fn path_error(err: actix_web::error::PathError, _: &HttpRequest) -> actix_web::Error {
    Error::not_found(&format!("resource ({err})")).into()
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
        let e = parse_json::<Body>(br#"{"name": "#).unwrap_err();
        assert_eq!(e.code, Code::MalformedJson);
        let e = parse_json::<Body>(br#"{"hours": []}"#).unwrap_err();
        assert!(e.detail.contains("missing field `name`"), "{}", e.detail);
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
            assert!(e.detail.contains("trailing characters"), "{}", e.detail);
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
