//! Contact details: phone numbers in E.164 and e-mail addresses.

use super::country::Country;
use crate::error::{Code, Error};

/// The longest phone number text accepted, separators included.
pub const PHONE_MAX_LENGTH: usize = 40;

/// A valid phone number, kept in E.164 form (`+6281234567890`) so that one customer is
/// one number however it was typed.
///
/// Accepted as people write them: international (`+62 812-3456-7890`), with the country
/// code but no `+` (`62812…`), or national (`0812-3456-7890`, `(021) 426-1234`) in the
/// country passed in (the organization's). Only digits, spaces, `-`, `.`, parentheses
/// and one leading `+`; the number must be one the phone metadata calls valid for its
/// country (libphonenumber's rules, through the `phonenumber` crate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(field: &str, raw: &str, country: Country) -> Result<Self, Error> {
        Self::e164(raw, country).map(PhoneNumber).ok_or_else(|| {
            Error::invalid(
                field,
                Code::InvalidPhone,
                format!(
                    "'{raw}' is not a valid phone number (for example +6281234567890 or, in {}, a national number such as 0812-3456-7890)",
                    country.code()
                ),
            )
            .with_param("value", raw)
        })
    }

    fn e164(raw: &str, country: Country) -> Option<String> {
        let body = raw.strip_prefix('+').unwrap_or(raw);
        let shaped = !raw.is_empty()
            && raw.len() <= PHONE_MAX_LENGTH
            && body
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')'))
            && body.bytes().any(|b| b.is_ascii_digit());
        if !shaped {
            return None;
        }
        let valid = |text: &str| {
            phonenumber::parse(Some(country.id()), text)
                .ok()
                .filter(phonenumber::PhoneNumber::is_valid)
        };
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        let number = if raw.starts_with('+') {
            valid(&format!("+{digits}"))
        } else {
            // National first (`0812…`); else the country code typed without its `+`
            // (`62812…`), which a national reading never makes valid.
            valid(&digits).or_else(|| valid(&format!("+{digits}")))
        }?;
        Some(number.format().mode(phonenumber::Mode::E164).to_string())
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
            )
            .with_param("value", raw))
        }
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str) -> Result<String, Error> {
        PhoneNumber::parse("phone", raw, Country::INDONESIA).map(PhoneNumber::into_string)
    }

    #[test]
    fn phones_as_people_type_them() {
        for typed in [
            "+6281234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "081234567890",
            "+62 812-3456-7890",
            "+62 (812) 3456.7890",
            "6281234567890",
        ] {
            assert_eq!(e164(typed).unwrap(), "+6281234567890", "{typed}");
        }
        // A Jakarta landline, nationally and internationally.
        assert_eq!(e164("(021) 426-1234").unwrap(), "+62214261234");
        // Another country's number keeps its own country code.
        assert_eq!(e164("+60 12-345 6789").unwrap(), "+60123456789");
        let my = Country::parse("country", "MY").unwrap();
        assert_eq!(
            PhoneNumber::parse("phone", "012-345 6789", my)
                .unwrap()
                .as_str(),
            "+60123456789"
        );
    }

    #[test]
    fn impossible_numbers_are_refused_with_an_example() {
        for bad in [
            "0812",
            "+0812345678",
            "+62",
            "+6281234567890123",
            "0812-3456-789O",
            "++6281234567890",
            "62+81234567890",
            "1-800-FLOWERS",
            "",
            "   ",
            "081234567890 ext. 5",
        ] {
            let err = e164(bad).unwrap_err();
            assert_eq!(err.code, Code::InvalidPhone, "{bad}");
            assert_eq!(err.field.as_deref(), Some("phone"));
            assert!(err.detail.contains("+6281234567890"), "{}", err.detail);
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
