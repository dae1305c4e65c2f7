//! Customer link tokens: 256 bits, written as 43 characters of URL-safe base64 without
//! padding, kept only as the SHA-256 of that text (hex). A token issued by staff is
//! random; a token carried by a message is derived from the server's key and the
//! message's id (HMAC-SHA256), so the dispatcher can write it into the message at send
//! time, every retry with the same one, and neither the outbox nor any table holds it.
//! The two kinds look alike and open alike.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::secret_key::SecretKey;

/// The length of a token's text.
pub const TOKEN_LEN: usize = 43;

/// What the outbox holds where a message's link goes: the dispatcher puts the link in
/// its place just before sending (the same words a template writes for the link).
pub const MARKER: &str = "{link}";

/// A fresh random token, shown once.
pub fn random() -> String {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("operating system randomness");
    URL_SAFE_NO_PAD.encode(secret)
}

/// What is stored of a token: its SHA-256 in hex.
pub fn hash(token: &str) -> String {
    crate::api_key::hex(&Sha256::digest(token.as_bytes()))
}

/// Whether a text can be a token at all (checked before any lookup).
pub fn well_formed(token: &str) -> bool {
    token.len() == TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Derives the tokens of messages' links. Holds the server's key but shows only tokens.
#[derive(Clone, Debug)]
pub struct MessageLinks(SecretKey);

impl MessageLinks {
    pub fn new(key: SecretKey) -> Self {
        MessageLinks(key)
    }

    /// The token of the link carried by message `message_id`: the same at every call.
    pub fn token(&self, message_id: &str) -> String {
        let key = self.0.derive("customer-link", "", 1);
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
        mac.update(b"link:");
        mac.update(message_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// A message's payload with its link written in (`public_url/a/<token>`) wherever the
    /// outbox holds [`MARKER`]; unchanged when it holds none.
    pub fn resolve(&self, payload: &str, message_id: &str, public_url: &str) -> String {
        if !payload.contains(MARKER) {
            return payload.to_owned();
        }
        payload.replace(MARKER, &url(public_url, &self.token(message_id)))
    }
}

/// The page a token opens: `{public_url}/a/{token}`.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/a/{token}", public_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_bits_url_safe_and_stored_only_as_a_hash() {
        let t = random();
        assert!(well_formed(&t), "{t}");
        assert_eq!(URL_SAFE_NO_PAD.decode(&t).unwrap().len(), 32);
        assert_ne!(t, random());
        assert_eq!(hash(&t).len(), 64);
        assert!(!hash(&t).contains(&t));
        for bad in ["", "short", &format!("{t}x"), &t.replace(&t[..1], "+")] {
            assert!(!well_formed(bad) || bad == t, "{bad}");
        }
    }

    #[test]
    fn a_message_link_is_the_same_at_every_send_and_differs_per_message_and_key() {
        let links = MessageLinks::new(SecretKey::random());
        let a = links.token("m1");
        assert_eq!(a, links.token("m1"));
        assert!(well_formed(&a));
        assert_ne!(a, links.token("m2"));
        assert_ne!(a, MessageLinks::new(SecretKey::random()).token("m1"));
        let payload = r#"{"text":"Halo {link}","link":"{link}"}"#;
        let sent = links.resolve(payload, "m1", "https://janji.example/");
        let url = format!("https://janji.example/a/{a}");
        assert_eq!(sent, format!(r#"{{"text":"Halo {url}","link":"{url}"}}"#));
        assert_eq!(
            links.resolve(r#"{"link":null}"#, "m1", "x"),
            r#"{"link":null}"#
        );
        assert!(!format!("{links:?}").contains(&a));
    }
}
