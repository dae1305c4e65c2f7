//! API key secrets: generation, the public prefix, and the stored hash.
//!
//! A key looks like `jnj_5f3a9c2e7b41_<43 characters>`. The part up to the second `_` is
//! the prefix: public, unique, shown in lists and used to find the row. The whole key
//! carries 256 random bits after the prefix and is stored only as its SHA-256 hash;
//! a slow password hash is unnecessary for secrets with that much entropy.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

const SCHEME: &str = "jnj";

/// A freshly generated key: `token` is shown once, `prefix` and `hash` are stored.
pub struct NewKey {
    pub token: String,
    pub prefix: String,
    pub hash: String,
}

pub fn generate() -> NewKey {
    let mut id = [0u8; 6];
    let mut secret = [0u8; 32];
    getrandom::fill(&mut id).expect("operating system randomness");
    getrandom::fill(&mut secret).expect("operating system randomness");
    let prefix = format!("{SCHEME}_{}", hex(&id));
    let token = format!("{prefix}_{}", URL_SAFE_NO_PAD.encode(secret));
    let hash = hash(&token);
    NewKey {
        token,
        prefix,
        hash,
    }
}

/// The prefix of a well-formed key, or `None` for anything that cannot be one.
pub fn prefix_of(token: &str) -> Option<&str> {
    let rest = token.strip_prefix("jnj_")?;
    let (id, secret) = rest.split_once('_')?;
    let well_formed = id.len() == 12
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && secret.len() == 43
        && secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    well_formed.then(|| &token[..4 + 12])
}

pub fn hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two hashes in time independent of where they differ.
pub fn hashes_match(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_verify() {
        let k = generate();
        assert_eq!(prefix_of(&k.token), Some(k.prefix.as_str()));
        assert!(hashes_match(&hash(&k.token), &k.hash));
        assert!(!hashes_match(&hash(&format!("{}x", k.token)), &k.hash));
        assert_ne!(generate().token, k.token);
        assert_eq!(k.token.len(), 4 + 12 + 1 + 43);
    }

    #[test]
    fn malformed_keys_have_no_prefix() {
        for bad in [
            "",
            "jnj_",
            "Bearer x",
            "jnj_zzzzzzzzzzzz_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "jnj_5f3a9c2e7b41_short",
        ] {
            assert_eq!(prefix_of(bad), None, "{bad}");
        }
    }
}
