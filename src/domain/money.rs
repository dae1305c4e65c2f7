//! Amounts of money: integer minor units of an ISO 4217 currency, never floats.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::money_display::display;
use super::{Currency, Locale};
use crate::error::{Code, Error};

/// An amount in integer minor units (IDR 50,000 is `5000000` with `IDR`), and in a
/// response also as people read it in the organization's locale (`Rp50.000`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Money {
    #[schema(example = 5000000, minimum = 0)]
    pub amount: i64,
    #[schema(example = "IDR")]
    pub currency: String,
    /// The amount as the organization's locale writes it (`Rp50.000`, `IDR 50,000`).
    /// Every response carries it; a request may send it back with the rest of the object
    /// (a quote's `fee` as `accepted_fee`) and it is ignored there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "Rp50.000")]
    pub display: Option<String>,
}

impl Money {
    pub fn new(amount: i64, currency: &str) -> Self {
        Money {
            amount,
            currency: currency.to_owned(),
            display: None,
        }
    }

    /// An amount for a response, with its `display` for a reader of `locale`.
    pub fn shown(amount: i64, currency: Currency, locale: Locale) -> Self {
        Money {
            amount,
            currency: currency.code().to_owned(),
            display: Some(display(amount, currency, locale)),
        }
    }

    /// An amount a client sends: not negative, in a known currency. `field` names it.
    pub fn parse(field: &str, m: Money) -> Result<Money, Error> {
        if m.amount < 0 {
            return Err(Error::invalid(
                format!("{field}.amount"),
                Code::NegativeFee,
                "an amount must not be negative",
            ));
        }
        let currency = Currency::parse(&format!("{field}.currency"), &m.currency)?;
        Ok(Money::new(m.amount, currency.code()))
    }

    /// Checks that an amount is in the currency the fees are charged in.
    pub fn expect_currency(self, field: &str, currency: &str) -> Result<Money, Error> {
        if self.currency != currency {
            return Err(Error::invalid(
                format!("{field}.currency"),
                Code::CurrencyMismatch,
                format!("fees here are charged in {currency}, not {}", self.currency),
            )
            .with_data(serde_json::json!({ "currency": currency })));
        }
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_checked_and_named() {
        let ok = Money::parse("accepted_fee", Money::new(5_000_000, "IDR")).unwrap();
        assert_eq!(
            ok.clone().expect_currency("accepted_fee", "IDR").unwrap(),
            ok
        );
        let e = Money::parse("accepted_fee", Money::new(-1, "IDR")).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::NegativeFee, Some("accepted_fee.amount"))
        );
        let e = Money::parse("accepted_fee", Money::new(1, "XYZ")).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("accepted_fee.currency"));
        let e = Money::new(1, "USD")
            .expect_currency("accepted_fee", "IDR")
            .unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (Code::CurrencyMismatch, Some("accepted_fee.currency"))
        );
        assert!(serde_json::from_str::<Money>(r#"{"amount": 1.5, "currency": "IDR"}"#).is_err());
    }
}
