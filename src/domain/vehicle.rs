//! Vehicles a customer brings in: the Indonesian plate number in its one written form,
//! and the year and odometer within sane bounds.

use crate::error::{Code, Error};

/// An Indonesian plate number, normalised: region letters (1–2), number (1–4 digits) and
/// a suffix of 0–3 letters, separated by single spaces (`B 1234 XYZ`, `AB 12`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plate(String);

impl Plate {
    /// Reads a plate as people type it: any case, with or without spaces, hyphens or
    /// dots between the parts (`b1234xyz`, `B-1234-XYZ`, `b 1234 xyz` are `B 1234 XYZ`).
    /// `field` names it in the refusal.
    pub fn parse(field: &str, raw: &str) -> Result<Plate, Error> {
        let refuse = || {
            Error::invalid(
                field,
                Code::InvalidPlate,
                format!(
                    "'{}' is not an Indonesian plate number: 1-2 region letters, 1-4 digits \
                     and up to 3 letters, for example B 1234 XYZ",
                    raw.chars().take(40).collect::<String>()
                ),
            )
            .with_param("value", raw.chars().take(40).collect::<String>())
        };
        let compact: String = raw
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.'))
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(refuse());
        }
        let region: String = compact
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        let rest = &compact[region.len()..];
        let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let suffix = &rest[number.len()..];
        let fits = (1..=2).contains(&region.len())
            && (1..=4).contains(&number.len())
            && !number.starts_with('0')
            && suffix.len() <= 3
            && suffix.chars().all(|c| c.is_ascii_alphabetic());
        if !fits {
            return Err(refuse());
        }
        Ok(Plate(if suffix.is_empty() {
            format!("{region} {number}")
        } else {
            format!("{region} {number} {suffix}")
        }))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The first model year a vehicle may have.
pub const FIRST_YEAR: i32 = 1900;

/// A model year from 1900 to next year (dealers take next year's models before New
/// Year); `this_year` is the current year, passed in.
pub fn check_year(field: &str, year: i32, this_year: i32) -> Result<i32, Error> {
    if !(FIRST_YEAR..=this_year + 1).contains(&year) {
        return Err(Error::invalid(
            field,
            Code::OutOfRange,
            format!("{field} must be from {FIRST_YEAR} to {}", this_year + 1),
        )
        .with_param("min", i64::from(FIRST_YEAR))
        .with_param("max", i64::from(this_year + 1)));
    }
    Ok(year)
}

/// The most kilometres an odometer shows (ten million: more than any vehicle drives).
pub const MAX_ODOMETER_KM: i64 = 10_000_000;

/// Kilometres on the odometer: 0 to [`MAX_ODOMETER_KM`].
pub fn check_odometer(field: &str, km: i64) -> Result<i64, Error> {
    if !(0..=MAX_ODOMETER_KM).contains(&km) {
        return Err(Error::invalid(
            field,
            Code::OutOfRange,
            format!("{field} must be from 0 to {MAX_ODOMETER_KM}"),
        )
        .with_param("min", 0_i64)
        .with_param("max", MAX_ODOMETER_KM));
    }
    Ok(km)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_are_written_one_way() {
        for (typed, want) in [
            ("B 1234 XYZ", "B 1234 XYZ"),
            ("b1234xyz", "B 1234 XYZ"),
            ("B-1234-XYZ", "B 1234 XYZ"),
            ("  b 1234   xyz ", "B 1234 XYZ"),
            ("b.1234.xyz", "B 1234 XYZ"),
            ("AB 12", "AB 12"),
            ("d1a", "D 1 A"),
            ("DK 5678 AB", "DK 5678 AB"),
            ("L1", "L 1"),
        ] {
            assert_eq!(
                Plate::parse("plate", typed).unwrap().as_str(),
                want,
                "{typed}"
            );
        }
    }

    #[test]
    fn other_shapes_are_refused_with_an_example() {
        for typed in [
            "",
            "1234",
            "B",
            "ABC 1234",
            "B 12345",
            "B 1234 WXYZ",
            "B 0123 XY",
            "B 12X4",
            "B 1234 X1",
            "B_1234",
            "Б 1234",
            "B 1234 XYZ 1",
        ] {
            let e = Plate::parse("plate", typed).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (Code::InvalidPlate, Some("plate")),
                "{typed}"
            );
            assert!(e.detail.contains("B 1234 XYZ"), "{}", e.detail);
        }
    }

    #[test]
    fn years_and_odometers_stay_sane() {
        assert_eq!(check_year("year", 2019, 2026).unwrap(), 2019);
        assert_eq!(check_year("year", 2027, 2026).unwrap(), 2027);
        assert_eq!(check_year("year", 1900, 2026).unwrap(), 1900);
        for bad in [1899, 2028, 0, -5] {
            let e = check_year("year", bad, 2026).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                (Code::OutOfRange, Some("year"))
            );
        }
        assert_eq!(check_odometer("odometer_km", 0).unwrap(), 0);
        assert!(check_odometer("odometer_km", -1).is_err());
        assert!(check_odometer("odometer_km", MAX_ODOMETER_KM + 1).is_err());
    }
}
