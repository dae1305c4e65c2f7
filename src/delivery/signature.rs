//! Standard Webhooks signatures: `webhook-signature` is `v1,` and the base64 HMAC-SHA256,
//! under the secret's bytes, of `{webhook-id}.{webhook-timestamp}.{body}`. A secret is
//! shown as `whsec_` and the base64 of its bytes, the form the standard's libraries take.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A secret as a receiver configures it.
pub fn secret_text(secret: &[u8; 32]) -> String {
    format!("whsec_{}", STANDARD.encode(secret))
}

/// One `v1,` signature of a message.
pub fn sign(secret: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The `webhook-signature` header: one signature per secret in force (during a
/// rotation's overlap, the new one and the old one), separated by spaces.
pub fn header(secrets: &[[u8; 32]], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .map(|s| sign(s, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// How far a `webhook-timestamp` may be from now: an older (or far future) post is
/// refused as a possible replay, as Standard Webhooks advises.
pub const TOLERANCE_SECONDS: i64 = 300;

/// Whether a `webhook-timestamp` (Unix seconds) is within the tolerance of `now`.
pub fn is_fresh(timestamp: i64, now: i64) -> bool {
    // abs_diff: any i64 a client sends, however far off, without overflow.
    now.abs_diff(timestamp) <= TOLERANCE_SECONDS.unsigned_abs()
}

/// Whether any signature in a `webhook-signature` header is this secret's (for inbound
/// messages), compared in constant time.
pub fn verify(secret: &[u8; 32], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    header.split(' ').any(|part| {
        part.strip_prefix("v1,")
            .and_then(|b| STANDARD.decode(b).ok())
            .is_some_and(|sig| mac.clone().verify_slice(&sig).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification: secret
    /// `whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw`, id `msg_p5jXN8AQM9LWM0D4loKWxJek`,
    /// timestamp 1614265330, body `{"test": 2432232314}`.
    #[test]
    fn matches_the_specification_example() {
        let key = STANDARD.decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_timestamp_is_fresh_for_five_minutes_either_way() {
        assert!(is_fresh(1_000, 1_300) && is_fresh(1_300, 1_000));
        assert!(!is_fresh(1_000, 1_301) && !is_fresh(1_301, 1_000));
        assert!(!is_fresh(i64::MIN + 1, 1_000) && !is_fresh(i64::MAX, -1_000));
    }

    #[test]
    fn signs_and_verifies_with_every_secret_in_force() {
        let (new, old) = ([1u8; 32], [2u8; 32]);
        let h = header(&[new, old], "msg_1", 1_700_000_000, b"{}");
        assert_eq!(h.split(' ').count(), 2);
        assert!(verify(&new, "msg_1", 1_700_000_000, b"{}", &h));
        assert!(verify(&old, "msg_1", 1_700_000_000, b"{}", &h));
        assert!(!verify(&[3u8; 32], "msg_1", 1_700_000_000, b"{}", &h));
        assert!(!verify(&new, "msg_1", 1_700_000_001, b"{}", &h));
        assert!(secret_text(&new).starts_with("whsec_"));
    }
}
