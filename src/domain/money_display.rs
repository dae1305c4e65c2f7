//! Amounts as people read them: `Rp50.000` for an Indonesian reader, `IDR 50,000` for an
//! English one. The wire keeps integer minor units; this only renders them.

use super::{Currency, Locale};

/// Renders `amount` minor units of `currency` for a reader of `locale`.
///
/// Whole amounts show no decimals (`Rp50.000`, `$12`); others show every minor digit
/// (`Rp50.000,50`, `$12.50`). Indonesian puts the symbol or code right before the number
/// with `.` between thousands and `,` before decimals; English uses `,` and `.`, a symbol
/// for the few currencies everyone knows by one (`$`, `€`, `£`, `¥`) and the code with a
/// space for the others (`IDR 50,000`).
pub fn display(amount: i64, currency: Currency, locale: Locale) -> String {
    let (thousands, decimal) = match locale {
        Locale::Id => ('.', ','),
        Locale::En => (',', '.'),
    };
    let digits = u32::from(currency.minor_digits());
    let scale = 10_u64.pow(digits);
    let abs = amount.unsigned_abs();
    let (whole, fraction) = (abs / scale, abs % scale);
    let mut number = group(whole, thousands);
    if fraction != 0 {
        number.push(decimal);
        number.push_str(&format!("{fraction:0width$}", width = digits as usize));
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}{}{number}", prefix(currency.code(), locale))
}

/// What goes before the number: a symbol, or the code and a space.
fn prefix(code: &str, locale: Locale) -> String {
    let symbol = match (locale, code) {
        (Locale::Id, "IDR") => Some("Rp"),
        (Locale::Id, "USD") => Some("US$"),
        (Locale::En, "USD") => Some("$"),
        (_, "EUR") => Some("€"),
        (_, "GBP") => Some("£"),
        (_, "JPY") => Some("¥"),
        _ => None,
    };
    symbol.map_or_else(|| format!("{code} "), str::to_owned)
}

/// `1234567` → `1.234.567` (with `.` as the separator).
fn group(n: u64, separator: char) -> String {
    let raw = n.to_string();
    let mut out = String::with_capacity(raw.len() + raw.len() / 3);
    for (i, c) in raw.chars().enumerate() {
        if i > 0 && (raw.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(code: &str) -> Currency {
        Currency::parse("currency", code).unwrap()
    }

    #[test]
    fn amounts_read_as_people_write_them() {
        let table: &[(i64, &str, Locale, &str)] = &[
            // Indonesian first: rupiah have two minor digits in ISO 4217, shown only when used.
            (5_000_000, "IDR", Locale::Id, "Rp50.000"),
            (15_000_000, "IDR", Locale::Id, "Rp150.000"),
            (5_000_050, "IDR", Locale::Id, "Rp50.000,50"),
            (5_000_005, "IDR", Locale::Id, "Rp50.000,05"),
            (0, "IDR", Locale::Id, "Rp0"),
            (99, "IDR", Locale::Id, "Rp0,99"),
            (12_345_678_900, "IDR", Locale::Id, "Rp123.456.789"),
            (-5_000_000, "IDR", Locale::Id, "-Rp50.000"),
            (1_250, "USD", Locale::Id, "US$12,50"),
            (1_250, "SGD", Locale::Id, "SGD 12,50"),
            // English.
            (5_000_000, "IDR", Locale::En, "IDR 50,000"),
            (5_000_050, "IDR", Locale::En, "IDR 50,000.50"),
            (1_250, "USD", Locale::En, "$12.50"),
            (1_200, "USD", Locale::En, "$12"),
            (123_456, "EUR", Locale::En, "€1,234.56"),
            (1_000, "JPY", Locale::En, "¥1,000"),
            (1_234_567, "KWD", Locale::En, "KWD 1,234.567"),
            (1_000_001, "KWD", Locale::En, "KWD 1,000.001"),
            (
                i64::MIN,
                "IDR",
                Locale::En,
                "-IDR 92,233,720,368,547,758.08",
            ),
        ];
        for &(amount, code, locale, want) in table {
            assert_eq!(
                display(amount, c(code), locale),
                want,
                "{amount} {code} {locale:?}"
            );
        }
    }

    #[test]
    fn grouping() {
        for (n, want) in [
            (0, "0"),
            (999, "999"),
            (1000, "1.000"),
            (100_000, "100.000"),
        ] {
            assert_eq!(group(n, '.'), want);
        }
    }
}
