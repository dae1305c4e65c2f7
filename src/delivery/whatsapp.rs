//! The WhatsApp Business Cloud API: a text message is `POST {base}/{phone number
//! id}/messages` with the access token as a bearer and
//! `{"messaging_product": "whatsapp", "to": …, "type": "text", "text": {"body": …}}`.
//! Inbound, Meta signs its webhooks with the app secret (`X-Hub-Signature-256`).
//!
//! Its error answers (`{"error": {"code": …, "message": …}}`) are sorted: rate limits,
//! throttling and Meta's own temporary failures are tried again; anything else (a number
//! not on WhatsApp, an expired token, a message outside the 24-hour window) fails at once,
//! since the same request would be refused the same way.

use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::attempted::Attempted;
use super::{describe, targets};
use crate::app::delivery_adapters::WhatsappCloud;
use crate::repo::outbox::Claimed;

/// The Cloud API's base when none is given.
pub const DEFAULT_API_BASE: &str = "https://graph.facebook.com/v21.0";

/// Error codes of the Cloud API that a later attempt can get past: API-wide temporary
/// errors and rate limits (1, 2, 4, 17, 341, 80007), throttling (130429, 131048,
/// 131056), "something went wrong" and "service unavailable" (131000, 131016,
/// 133004).
const RETRYABLE: [i64; 12] = [
    1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131048, 131056, 133004,
];

/// Whether an answer other than 2xx is worth another attempt.
pub fn retryable(status: u16, error_code: Option<i64>) -> bool {
    status == 408
        || status == 429
        || status >= 500
        || error_code.is_some_and(|c| RETRYABLE.contains(&c))
}

/// The request body of a text message to `recipient` (E.164, sent without its `+`).
pub fn body(recipient: &str, text: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": recipient.trim_start_matches('+'),
        "type": "text",
        "text": { "preview_url": false, "body": text },
    })
}

/// Sends one claimed message through the Cloud API.
pub async fn send(
    client: &reqwest::Client,
    wa: &WhatsappCloud,
    message: &Claimed,
    allow_private: bool,
) -> Attempted {
    let s = &wa.settings;
    let raw = format!(
        "{}/{}/messages",
        s.api_base_url.trim_end_matches('/'),
        s.phone_number_id
    );
    let url = match targets::check(&raw, allow_private).await {
        Ok(u) => u,
        Err(r) => return Attempted::retry(None, r.to_string()),
    };
    let text = serde_json::from_str::<Value>(&message.row.payload)
        .ok()
        .and_then(|p| p["text"].as_str().map(str::to_owned));
    let Some(text) = text else {
        return Attempted::permanent(None, "the stored message has no text");
    };
    let request = serde_json::to_vec(&body(&message.row.recipient, &text)).expect("JSON");
    let response = client
        .post(url)
        .bearer_auth(wa.access_token.expose())
        .header("content-type", "application/json")
        .body(request)
        .send()
        .await;
    let response = match response {
        Ok(r) => r,
        Err(e) => return Attempted::retry(None, describe(e)),
    };
    let status = response.status().as_u16();
    if (200..300).contains(&status) {
        return Attempted::sent(Some(status));
    }
    let answer: Value = response
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or(Value::Null);
    let code = answer["error"]["code"].as_i64();
    let said: String = answer["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect();
    let why = match code {
        Some(c) => format!("the WhatsApp Cloud API answered {status}: ({c}) {said}"),
        None => format!("the WhatsApp Cloud API answered {status}"),
    };
    if retryable(status, code) {
        Attempted::retry(Some(status), why)
    } else {
        Attempted::permanent(Some(status), why)
    }
}

/// Whether `header` (`X-Hub-Signature-256: sha256=<hex>`) is the app secret's HMAC-SHA256
/// of the raw body, compared in constant time.
pub fn verify_signature(app_secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Some(sig) = from_hex(hex) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    mac.verify_slice(&sig).is_ok()
}

/// `sha256=` and the hex HMAC-SHA256 of `body`: how Meta signs (tests sign with it).
pub fn sign(app_secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes()).expect("any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

fn from_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// A text message in a Cloud API webhook: its id, sender and words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncomingText {
    pub id: String,
    pub from: String,
    pub text: String,
}

/// The text messages of a webhook (`entry[].changes[].value.messages[]` of type text);
/// status updates and other message types are left out.
pub fn incoming_texts(webhook: &Value) -> Vec<IncomingText> {
    let list = |v: &Value, k: &str| v[k].as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for entry in list(webhook, "entry") {
        for change in list(&entry, "changes") {
            for m in list(&change["value"], "messages") {
                let (Some(id), Some(from), Some(text)) = (
                    m["id"].as_str(),
                    m["from"].as_str(),
                    m["text"]["body"].as_str(),
                ) else {
                    continue;
                };
                out.push(IncomingText {
                    id: id.to_owned(),
                    from: from.to_owned(),
                    text: text.to_owned(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_and_outages_are_retried_the_rest_is_final() {
        assert!(retryable(429, Some(130429)));
        assert!(retryable(500, None) && retryable(503, Some(131016)));
        assert!(retryable(400, Some(131056)), "pair rate limit");
        assert!(retryable(400, Some(4)), "application rate limit");
        assert!(!retryable(400, Some(131026)), "undeliverable");
        assert!(!retryable(400, Some(131047)), "outside the 24-hour window");
        assert!(!retryable(401, Some(190)), "expired token");
        assert!(!retryable(404, None));
    }

    #[test]
    fn the_body_is_a_text_message_to_the_number_without_plus() {
        let b = body("+6281234567890", "Halo");
        assert_eq!(b["to"], "6281234567890");
        assert_eq!(b["messaging_product"], "whatsapp");
        assert_eq!(b["type"], "text");
        assert_eq!(b["text"]["body"], "Halo");
    }

    #[test]
    fn signatures_are_the_app_secrets_hmac_of_the_raw_body() {
        let s = sign("appsecret", b"{\"a\":1}");
        assert!(verify_signature("appsecret", b"{\"a\":1}", &s));
        assert!(!verify_signature("appsecret", b"{\"a\":2}", &s));
        assert!(!verify_signature("other", b"{\"a\":1}", &s));
        assert!(!verify_signature("appsecret", b"{\"a\":1}", "sha256=zz"));
        assert!(!verify_signature(
            "appsecret",
            b"{\"a\":1}",
            &s.replace("sha256=", "")
        ));
    }

    #[test]
    fn only_text_messages_are_read_from_a_webhook() {
        let w = json!({"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{
            "field": "messages",
            "value": {
                "messaging_product": "whatsapp",
                "messages": [
                    {"from": "6281234567890", "id": "wamid.A", "type": "text", "text": {"body": "YA"}},
                    {"from": "6281234567890", "id": "wamid.B", "type": "image", "image": {"id": "9"}}
                ],
                "statuses": [{"id": "wamid.C", "status": "delivered"}]
            }
        }]}]});
        assert_eq!(
            incoming_texts(&w),
            vec![IncomingText {
                id: "wamid.A".into(),
                from: "6281234567890".into(),
                text: "YA".into()
            }]
        );
        assert!(incoming_texts(&json!({})).is_empty());
    }
}
