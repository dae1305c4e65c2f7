//! Free-text fields: trimmed, non-empty where required, bounded in length.

use crate::error::{Code, Error};

/// A required short text such as a name: trimmed, 1 to `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Error::invalid(
            field,
            Code::Required,
            format!("{field} must not be empty"),
        ));
    }
    bounded(field, v, max)
}

/// An optional text: blank becomes absent.
pub fn optional(field: &str, value: Option<&str>, max: usize) -> Result<Option<String>, Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => bounded(field, v, max).map(Some),
    }
}

fn bounded(field: &str, v: &str, max: usize) -> Result<String, Error> {
    if v.chars().count() > max {
        return Err(Error::invalid(
            field,
            Code::TooLong,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(v.to_owned())
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
}
