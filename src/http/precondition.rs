//! `If-Match` on updates and `ETag` on reads: a resource's `version` as a strong ETag.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::error::{Code, Error};

/// What [`IfMatch`] accepts: `*`, or a version as the ETag this API returns (`"3"`, also
/// weak `W/"3"`) or as the bare `version` of a body (`3`). The spec gives every `If-Match`
/// parameter this pattern.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|[0-9]{1,18}|(W/)?"[0-9]{1,18}")$"#;

/// The version the client expects to change, if it sent `If-Match`.
/// `*` means "any version" and is the same as no header.
pub struct IfMatch(pub Option<i64>);

impl FromRequest for IfMatch {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(header::IF_MATCH) else {
            return ready(Ok(IfMatch(None)));
        };
        ready(parse(value.to_str().unwrap_or("")).map(IfMatch))
    }
}

fn parse(raw: &str) -> Result<Option<i64>, Error> {
    if raw == "*" {
        return Ok(None);
    }
    // Exactly IF_MATCH_PATTERN: at most 18 digits always fit an i64.
    let quoted = raw.strip_prefix("W/").unwrap_or(raw);
    let digits = match quoted.strip_prefix('"') {
        Some(r) => r.strip_suffix('"'),
        None if quoted.len() == raw.len() => Some(raw),
        None => None,
    };
    digits
        .filter(|d| (1..=18).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            Error::new(
                Code::InvalidIfMatch,
                "If-Match must be an ETag this API returned, such as \"3\"",
            )
            .with_field("If-Match")
        })
}

/// The ETag value for a version.
pub fn etag(version: i64) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::error::Code;

    #[test]
    fn parses_etags() {
        assert_eq!(parse("\"3\"").unwrap(), Some(3));
        assert_eq!(parse("W/\"12\"").unwrap(), Some(12));
        assert_eq!(parse("*").unwrap(), None);
        assert_eq!(parse("7").unwrap(), Some(7));
        for bad in [
            "abc",
            "null",
            "",
            "W/3",
            "\"-3\"",
            "\"+3\"",
            "\"3",
            "\"1234567890123456789\"",
        ] {
            assert_eq!(parse(bad).unwrap_err().code, Code::InvalidIfMatch, "{bad}");
        }
    }
}
