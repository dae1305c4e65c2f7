//! The hidden field that proves a page's form came from the page itself (CSRF): the
//! HMAC-SHA256, under a key derived from the server's key, of the link's token hash, the
//! appointment's `version` the page showed and the form's purpose (`confirm`, …). Nothing
//! is stored: the server recomputes it on POST. Bound to the version, a form goes stale
//! the moment the appointment changes, so a replayed form does nothing more; bound to the
//! purpose, a confirm form's field cannot cancel. A site that does not hold the server's
//! key cannot forge one, and the link's token alone does not give it.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secret_key::SecretKey;

fn mac(key: &SecretKey, token_hash: &str, version: i64, purpose: &str) -> Hmac<Sha256> {
    let k = key.derive("page-form", "", 1);
    let mut mac = Hmac::<Sha256>::new_from_slice(&k).expect("any key length");
    mac.update(format!("{token_hash}\n{version}\n{purpose}").as_bytes());
    mac
}

/// The field a page writes into its form (hex).
pub fn issue(key: &SecretKey, token_hash: &str, version: i64, purpose: &str) -> String {
    crate::api_key::hex(
        &mac(key, token_hash, version, purpose)
            .finalize()
            .into_bytes(),
    )
}

/// Whether a posted field is the one [`issue`] gives (compared in constant time).
pub fn holds(key: &SecretKey, token_hash: &str, version: i64, purpose: &str, field: &str) -> bool {
    let Some(bytes) = unhex(field) else {
        return false;
    };
    mac(key, token_hash, version, purpose)
        .verify_slice(&bytes)
        .is_ok()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_holds_for_its_link_version_and_purpose_only() {
        let key = SecretKey::random();
        let f = issue(&key, "h1", 3, "confirm");
        assert!(holds(&key, "h1", 3, "confirm", &f));
        assert!(!holds(&key, "h1", 4, "confirm", &f));
        assert!(!holds(&key, "h2", 3, "confirm", &f));
        assert!(!holds(&key, "h1", 3, "cancel", &f));
        assert!(!holds(&SecretKey::random(), "h1", 3, "confirm", &f));
        assert!(!holds(&key, "h1", 3, "confirm", ""));
        assert!(!holds(&key, "h1", 3, "confirm", &f[..63]));
    }
}
