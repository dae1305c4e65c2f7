//! The committed spec matches the code, and migrations are the same on both backends.

#[test]
fn committed_openapi_matches_the_code() {
    let generated = janji::openapi::to_pretty_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var_os("JANJI_UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `JANJI_UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[test]
fn every_operation_documents_its_errors() {
    let doc: serde_json::Value = serde_json::from_str(&janji::openapi::to_pretty_json()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let has_error = responses
                .keys()
                .any(|s| s.starts_with('4') || s.starts_with('5'));
            // Liveness cannot fail while the process answers at all.
            assert!(
                path == "/healthz" || has_error,
                "{method} {path} documents no error response"
            );
            if path.starts_with("/v1/self/") {
                // A customer's link: its token is the credential (no API key, so no 401),
                // and it is rate-limited.
                assert!(responses.contains_key("429"), "{method} {path} lacks 429");
                assert!(op.get("security").is_none(), "{method} {path} names a key");
            } else if path.starts_with("/v1/") {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
                assert!(op["security"].is_array(), "{method} {path} lacks security");
            }
            for (status, why) in implied_errors(path, method, op) {
                assert!(
                    responses.contains_key(status),
                    "{method} {path} can answer {status} ({why}) but does not document it"
                );
            }
        }
    }
}

/// The errors the shared machinery can give an operation, whatever its handler does:
/// found by fuzzing the server against its own spec.
fn implied_errors(
    path: &str,
    method: &str,
    op: &serde_json::Value,
) -> Vec<(&'static str, &'static str)> {
    let params = op["parameters"].as_array().cloned().unwrap_or_default();
    let has =
        |name: &str, place: &str| params.iter().any(|p| p["name"] == name && p["in"] == place);
    let mut implied = vec![];
    // The idempotency middleware runs on every POST under /v1 but the gateway's inbound
    // messages, which carry their own id (`webhook-id`).
    // Nor on a customer's link, where no API key could own a remembered answer: a change
    // through a link carries the appointment's version instead.
    if path.starts_with("/v1/")
        && method == "post"
        && !path.starts_with("/v1/inbound/")
        && !path.starts_with("/v1/self/")
    {
        assert!(
            has("Idempotency-Key", "header"),
            "POST {path} does not declare the Idempotency-Key header"
        );
        implied.extend([
            ("400", "malformed Idempotency-Key"),
            ("409", "Idempotency-Key still in progress"),
            (
                "408",
                "body read for the Idempotency-Key fingerprint, too slowly",
            ),
            ("413", "body read for the Idempotency-Key fingerprint"),
            ("422", "Idempotency-Key reused"),
        ]);
    }
    if op.get("requestBody").is_some() {
        implied.extend([
            ("400", "malformed JSON, or data after it"),
            ("408", "body not sent within 10 s"),
            ("413", "body over 64 KiB"),
            ("415", "body not JSON"),
            ("422", "a NUL character in a string"),
        ]);
    }
    if has("If-Match", "header") {
        implied.extend([("400", "malformed If-Match"), ("412", "stale If-Match")]);
    }
    for p in params.iter().filter(|p| p["name"] == "limit") {
        // Out-of-range limits are refused: the bounds belong in the spec.
        assert!(
            p["schema"]["minimum"].is_number() && p["schema"]["maximum"].is_number(),
            "{method} {path}: limit has no documented bounds"
        );
    }
    if params.iter().any(|p| p["in"] == "query") {
        implied.push(("400", "invalid or unknown query parameter"));
    }
    if params.iter().any(|p| p["in"] == "path") {
        implied.push(("404", "no such object"));
    }
    implied
}

#[test]
fn migration_folders_match() {
    let names = |backend: &str| {
        let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("postgres"), names("sqlite"));
    assert!(!names("sqlite").is_empty());
}

#[test]
fn committed_error_docs_match_the_codes() {
    let generated = janji::error::reference_markdown();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/errors.md");
    if std::env::var_os("JANJI_UPDATE_DOCS").is_some() {
        std::fs::write(path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/errors.md is out of date: run `JANJI_UPDATE_DOCS=1 cargo test --test api docs` and commit it"
    );
}
