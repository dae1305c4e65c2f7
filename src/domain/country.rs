//! ISO 3166-1 alpha-2 country codes: where an organization's national phone numbers
//! (`0812…`) belong.

use std::str::FromStr;

use phonenumber::country::Id;

use crate::error::{Code, Error};

/// A country known to the phone-number metadata, e.g. `ID` (Indonesia).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Country(Id);

impl Country {
    /// Indonesia, the default of every organization.
    pub const INDONESIA: Country = Country(Id::ID);

    /// Two upper-case letters of a country the phone metadata knows (`ID`, `MY`, `SG`…).
    pub fn parse(field: &str, raw: &str) -> Result<Self, Error> {
        let known = (raw.len() == 2 && raw.bytes().all(|b| b.is_ascii_uppercase()))
            .then(|| Id::from_str(raw).ok())
            .flatten();
        known.map(Country).ok_or_else(|| {
            Error::invalid(
                field,
                Code::InvalidValue,
                format!("'{raw}' is not an ISO 3166-1 alpha-2 country code (for example ID)"),
            )
        })
    }

    /// Every code [`Country::parse`] accepts, in order (for the OpenAPI enumeration).
    pub fn codes() -> Vec<String> {
        (b'A'..=b'Z')
            .flat_map(|a| (b'A'..=b'Z').map(move |b| String::from_utf8(vec![a, b]).unwrap()))
            .filter(|code| Id::from_str(code).is_ok())
            .collect()
    }

    /// The two letters, e.g. `ID`.
    pub fn code(&self) -> &str {
        self.0.as_ref()
    }

    pub(crate) fn id(self) -> Id {
        self.0
    }
}

impl Default for Country {
    fn default() -> Self {
        Country::INDONESIA
    }
}
