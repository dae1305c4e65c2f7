//! The server's secret key: the one secret Janji keeps outside the database. Signing
//! secrets for gateways are derived from it (HMAC-SHA256 of the purpose, the
//! organization and a generation), so the database holds no secret that signs, and a
//! rotation is a new generation number.
//!
//! Read from `JANJI_SECRET_KEY` (base64, at least 32 bytes), else from the file
//! `JANJI_SECRET_KEY_FILE` (default `janji.key`), which is created with 32 random bytes
//! and mode 0600 on first start. Every process serving one database needs the same key.

use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A key whose bytes never appear in `Debug` output.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

impl SecretKey {
    /// A fresh random key (tests, and the first start without a configured key).
    pub fn random() -> Self {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).expect("operating system randomness");
        SecretKey(k)
    }

    /// A fresh random key written as base64, as `JANJI_SECRET_KEY` takes it.
    pub fn random_base64() -> String {
        STANDARD.encode(Self::random().0)
    }

    /// A key written as base64 (at least 32 bytes once decoded; longer keys are hashed
    /// down to 32).
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|e| format!("the secret key is not base64: {e}"))?;
        if bytes.len() < 32 {
            return Err(format!(
                "the secret key has {} bytes; it needs at least 32 (for example: head -c 32 /dev/urandom | base64)",
                bytes.len()
            ));
        }
        let mut k = [0u8; 32];
        if bytes.len() == 32 {
            k.copy_from_slice(&bytes);
        } else {
            use sha2::Digest as _;
            k.copy_from_slice(&Sha256::digest(&bytes));
        }
        Ok(SecretKey(k))
    }

    /// The configured key: `value` when given, else the file at `path`, created when it
    /// does not exist.
    pub fn load(value: Option<&str>, path: &Path) -> Result<Self, String> {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            return Self::from_base64(v);
        }
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_base64(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = Self::random();
                write_private(path, &STANDARD.encode(key.0))
                    .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
                tracing::info!(path = %path.display(), "created the secret key file");
                Ok(key)
            }
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// 32 bytes for one purpose, one organization and one generation.
    pub fn derive(&self, purpose: &str, organization: &str, generation: i32) -> [u8; 32] {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length");
        mac.update(format!("janji/{purpose}/{organization}/{generation}").as_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_secrets_differ_by_purpose_organization_and_generation() {
        let k = SecretKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        let a = k.derive("gateway", "org1", 1);
        assert_eq!(a, k.derive("gateway", "org1", 1));
        assert_ne!(a, k.derive("gateway", "org1", 2));
        assert_ne!(a, k.derive("gateway", "org2", 1));
        assert_ne!(a, k.derive("webhook", "org1", 1));
    }

    #[test]
    fn a_short_or_garbled_key_is_refused_with_how_to_make_one() {
        let short = SecretKey::from_base64(&STANDARD.encode([1u8; 16])).unwrap_err();
        assert!(short.contains("at least 32"), "{short}");
        assert!(SecretKey::from_base64("not base64!").is_err());
    }

    #[test]
    fn the_key_file_is_created_once_private_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("janji.key");
        let first = SecretKey::load(None, &path).unwrap();
        let again = SecretKey::load(None, &path).unwrap();
        assert_eq!(first.derive("p", "o", 1), again.derive("p", "o", 1));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{first:?}").contains(&STANDARD.encode(first.0)));
    }
}
