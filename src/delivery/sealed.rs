//! Delivery credentials at rest: an SMTP password, a WhatsApp access token and app secret
//! must be used in clear to send, so unlike the gateway secret they cannot be derived;
//! they are sealed with XChaCha20-Poly1305 under a key derived from the server's secret
//! key. The organization and the adapter's kind are the associated data, so a sealed value
//! copied into another organization's row (or another adapter's) does not open.
//!
//! Stored as `v1.` and the base64 of the 24-byte random nonce followed by the ciphertext.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::secret_key::SecretKey;

/// What the sealing key is derived for (see `secret_key`).
const PURPOSE: &str = "delivery-credentials";
const PREFIX: &str = "v1.";

/// A credential in clear, in memory only: never printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(text: impl Into<String>) -> Self {
        Secret(text.into())
    }

    /// The clear text, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

fn cipher(key: &SecretKey, org: &str) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(&key.derive(PURPOSE, org, 1).into())
}

fn aad(org: &str, kind: &str) -> Vec<u8> {
    format!("janji/{org}/{kind}").into_bytes()
}

/// Seals `plain` for one organization's adapter of `kind`.
pub fn seal(key: &SecretKey, org: &str, kind: &str, plain: &[u8]) -> String {
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).expect("operating system randomness");
    let sealed = cipher(key, org)
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: &aad(org, kind),
            },
        )
        .expect("XChaCha20-Poly1305 seals any length");
    let mut out = nonce.to_vec();
    out.extend(sealed);
    format!("{PREFIX}{}", STANDARD.encode(out))
}

/// Opens what `seal` made for the same organization and kind; `None` if it was made
/// under another server key, for another row, or altered.
pub fn open(key: &SecretKey, org: &str, kind: &str, sealed: &str) -> Option<Vec<u8>> {
    let bytes = STANDARD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, body) = bytes.split_at(24);
    cipher(key, org)
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: &aad(org, kind),
            },
        )
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_only_for_the_same_key_organization_and_kind() {
        let key = SecretKey::random();
        let sealed = seal(&key, "org1", "smtp", b"hunter2");
        assert!(sealed.starts_with("v1.") && !sealed.contains("hunter2"));
        assert_eq!(open(&key, "org1", "smtp", &sealed).unwrap(), b"hunter2");
        assert!(open(&key, "org2", "smtp", &sealed).is_none());
        assert!(open(&key, "org1", "whatsapp_cloud", &sealed).is_none());
        assert!(open(&SecretKey::random(), "org1", "smtp", &sealed).is_none());
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(open(&key, "org1", "smtp", &String::from_utf8(altered).unwrap()).is_none());
        // A fresh nonce each time: the same secret never seals the same way twice.
        assert_ne!(sealed, seal(&key, "org1", "smtp", b"hunter2"));
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(..)");
    }
}
