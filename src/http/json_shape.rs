//! JSON objects only where the spec says object.
//!
//! serde's derived `Deserialize` for a struct also reads a JSON array, field by field in
//! order, so `"text": [null, null]` was taken as a `PolicyText`: a body the spec calls
//! invalid was accepted (found by fuzzing). Fields whose struct has defaults for every
//! field, where such an array can get through, read through [`object`].

use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserializer, MapAccess, Visitor};

/// Reads `T` from a JSON object, refusing any other JSON value. Errors inside the object
/// keep their path (`reschedule.fee_tiers[0].fee`).
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_map(ObjectOnly(PhantomData))
}

struct ObjectOnly<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectOnly<T> {
    type Value = T;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Text {
        id: Option<String>,
        en: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[serde(default, deserialize_with = "super::object")]
        text: Text,
    }

    #[test]
    fn only_objects_are_read() {
        let b: Body = serde_json::from_str(r#"{"text": {"id": "x"}}"#).unwrap();
        assert_eq!(b.text.id.as_deref(), Some("x"));
        let b: Body = serde_json::from_str("{}").unwrap();
        assert_eq!(b.text, Text::default());
        for bad in [
            r#"{"text": [null, null]}"#,
            r#"{"text": []}"#,
            r#"{"text": null}"#,
        ] {
            assert!(serde_json::from_str::<Body>(bad).is_err(), "{bad}");
        }
        let e = serde_json::from_str::<Body>(r#"{"text": {"fr": "x"}}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field"), "{e}");
        let de = &mut serde_json::Deserializer::from_str(r#"{"text": {"en": "x"}}"#);
        let e = serde_path_to_error::deserialize::<_, Body>(de).unwrap_err();
        assert_eq!(e.path().to_string(), "text.en");
    }
}
