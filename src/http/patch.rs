//! Partial updates: telling "leave as is" (field absent) from "clear" (`null`).

use serde::{Deserialize, Deserializer};

/// For `#[serde(default, deserialize_with = "nullable")] field: Option<Option<T>>`:
/// absent → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "nullable")]
        address: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let p: Patch = serde_json::from_str("{}").unwrap();
        assert_eq!(p.address, None);
        let p: Patch = serde_json::from_str(r#"{"address": null}"#).unwrap();
        assert_eq!(p.address, Some(None));
        let p: Patch = serde_json::from_str(r#"{"address": "Jl. Sudirman"}"#).unwrap();
        assert_eq!(p.address, Some(Some("Jl. Sudirman".into())));
    }
}
