//! Contact details: phone numbers in E.164 and e-mail addresses.

use crate::error::{Code, Error};

/// A phone number in E.164 form: `+`, a country code that does not start with 0, and
/// at most 15 digits in all. Spaces and dashes are not accepted: integrations must send
/// the canonical form so that one customer is one number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        let digits = raw.strip_prefix('+').unwrap_or("");
        let ok = digits.len() >= 8
            && digits.len() <= 15
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if ok {
            Ok(PhoneNumber(raw.to_owned()))
        } else {
            Err(Error::invalid(
                field,
                Code::InvalidPhone,
                format!("'{raw}' is not an E.164 phone number (for example +6281234567890)"),
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// An e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        let valid = match raw.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains('@')
                    && raw.len() <= 254
                    && !raw.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if valid {
            Ok(Email(raw.to_owned()))
        } else {
            Err(Error::invalid(
                field,
                Code::InvalidEmail,
                format!("'{raw}' is not an e-mail address"),
            ))
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_must_be_e164() {
        assert!(PhoneNumber::parse("phone", "+6281234567890").is_ok());
        assert!(PhoneNumber::parse("phone", "+4930123456").is_ok());
        for bad in [
            "081234567890",
            "+62 812 3456 7890",
            "+0812345678",
            "+62",
            "+6281234567890123",
            "",
        ] {
            let err = PhoneNumber::parse("phone", bad).unwrap_err();
            assert_eq!(err.code, Code::InvalidPhone, "{bad}");
            assert_eq!(err.field.as_deref(), Some("phone"));
        }
    }

    #[test]
    fn email_shape() {
        assert!(Email::parse("email", "budi@example.co.id").is_ok());
        for bad in [
            "budi",
            "@example.com",
            "budi@example",
            "bu di@example.com",
            "a@b@c.com",
            "a@.com",
        ] {
            assert_eq!(
                Email::parse("email", bad).unwrap_err().code,
                Code::InvalidEmail,
                "{bad}"
            );
        }
    }
}
