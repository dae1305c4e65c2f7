//! Free-text fields: bounded in length as sent, then trimmed, and non-empty where required.

use crate::error::{Code, Error};

/// The white space [`required`] trims (Rust's `char::is_whitespace`), as the inside of a
/// JSON Schema (ECMA-262) character class: the spec's patterns for required texts use it.
pub const WHITE_SPACE_CLASS: &str =
    "\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000";

/// A required short text such as a name: at most `max` characters as sent (so a spec's
/// `maxLength` says exactly what is accepted), then trimmed and not empty.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let v = bounded(field, value, max)?.trim();
    if v.is_empty() {
        return Err(Error::invalid(
            field,
            Code::Required,
            format!("{field} must not be empty"),
        ));
    }
    Ok(v.to_owned())
}

/// An optional text, at most `max` characters as sent: blank becomes absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Error> {
    match value
        .map(|v| bounded(field, v, max))
        .transpose()?
        .map(str::trim)
    {
        None | Some("") => Ok(None),
        Some(v) => Ok(Some(v.to_owned())),
    }
}

fn bounded<'a>(field: &str, v: &'a str, max: usize) -> Result<&'a str, Error> {
    if v.chars().count() > max {
        return Err(Error::invalid(
            field,
            Code::TooLong,
            format!("{field} must be at most {max} characters"),
        )
        .with_param("max", max));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(
            required("name", "  Sinar Motor ", 10).unwrap_err().code,
            Code::TooLong
        );
        assert_eq!(required("name", " Sinar ", 10).unwrap(), "Sinar");
        assert_eq!(
            required("name", "   ", 10).unwrap_err().code,
            Code::Required
        );
        assert_eq!(optional("address", Some("  "), 10).unwrap(), None);
        assert_eq!(optional("address", None, 10).unwrap(), None);
    }

    /// The class is exactly the white space `trim` removes.
    #[test]
    fn white_space_class_matches_trim() {
        let class = WHITE_SPACE_CLASS;
        let points: Vec<u32> = class
            .split("\\u")
            .filter(|s| !s.is_empty())
            .map(|s| u32::from_str_radix(s.trim_end_matches('-'), 16).unwrap())
            .collect();
        let ranges: Vec<(u32, u32)> = {
            let mut out = vec![];
            let mut i = 0;
            let tokens: Vec<&str> = class.split("\\u").filter(|s| !s.is_empty()).collect();
            while i < tokens.len() {
                if tokens[i].ends_with('-') {
                    out.push((points[i], points[i + 1]));
                    i += 2;
                } else {
                    out.push((points[i], points[i]));
                    i += 1;
                }
            }
            out
        };
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let in_class = ranges.iter().any(|(a, b)| (*a..=*b).contains(&(c as u32)));
            assert_eq!(in_class, c.is_whitespace(), "U+{:04X}", c as u32);
        }
    }
}
