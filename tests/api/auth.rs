//! API keys, roles and tenant isolation.

use actix_web::http::Method;
use serde_json::json;

use crate::helpers::TestApp;
use crate::on_both_backends;
use janji::domain::Role;

on_both_backends!(
    missing_malformed_and_revoked_keys_are_401,
    roles_are_enforced,
    other_organizations_objects_are_not_found,
    keys_are_listed_without_secrets,
    last_admin_key_cannot_be_revoked,
    organization_settings_are_validated,
    this_sessions_operations_follow_their_roles,
);

/// Every operation added with messages, vehicles, replies, webhooks and delivery adapters,
/// asked by each role and by no key: the status each must get (`0`: anything but 401 and 403).
async fn this_sessions_operations_follow_their_roles(app: TestApp) {
    let keys = [
        Some(app.admin_key.clone()),
        Some(app.key(Role::Staff)),
        Some(app.key(Role::Integration)),
        None,
    ];
    let nobody = "0199b1f0-0000-7000-8000-000000000000";
    let org = app.org_id.clone();
    // (method, path, body, [admin, staff, integration, no key])
    let cases: Vec<(Method, String, Option<serde_json::Value>, [u16; 4])> = vec![
        (
            Method::GET,
            "/v1/notification-settings".into(),
            None,
            [200, 403, 403, 401],
        ),
        (
            Method::PUT,
            "/v1/notification-settings".into(),
            Some(json!({})),
            [200, 403, 403, 401],
        ),
        (
            Method::POST,
            "/v1/notification-settings/secret".into(),
            None,
            [409, 403, 403, 401],
        ),
        (
            Method::GET,
            "/v1/deliveries".into(),
            None,
            [200, 200, 403, 401],
        ),
        (
            Method::POST,
            format!("/v1/deliveries/{nobody}/retry"),
            None,
            [404, 404, 403, 401],
        ),
        (Method::GET, "/v1/vehicles".into(), None, [0, 0, 0, 401]),
        (
            Method::GET,
            format!("/v1/vehicles/{nobody}"),
            None,
            [404, 404, 404, 401],
        ),
        (
            Method::DELETE,
            format!("/v1/vehicles/{nobody}"),
            None,
            [404, 403, 403, 401],
        ),
        (
            Method::GET,
            format!("/v1/customers/{nobody}/vehicles"),
            None,
            [404, 404, 404, 401],
        ),
        // Webhook endpoints are the admin's.
        (
            Method::POST,
            "/v1/webhook-endpoints".into(),
            Some(json!({"url": "http://127.0.0.1:9/hook", "event_types": ["fee.paid"]})),
            [201, 403, 403, 401],
        ),
        (
            Method::GET,
            "/v1/webhook-endpoints".into(),
            None,
            [200, 403, 403, 401],
        ),
        (
            Method::GET,
            format!("/v1/webhook-endpoints/{nobody}"),
            None,
            [404, 403, 403, 401],
        ),
        (
            Method::PATCH,
            format!("/v1/webhook-endpoints/{nobody}"),
            Some(json!({"active": false})),
            [404, 403, 403, 401],
        ),
        (
            Method::DELETE,
            format!("/v1/webhook-endpoints/{nobody}"),
            None,
            [404, 403, 403, 401],
        ),
        (
            Method::POST,
            format!("/v1/webhook-endpoints/{nobody}/secret"),
            None,
            [404, 403, 403, 401],
        ),
        (
            Method::POST,
            format!("/v1/webhook-endpoints/{nobody}/test"),
            None,
            [404, 403, 403, 401],
        ),
        // The built-in delivery adapters: admin only.
        (
            Method::GET,
            "/v1/notification-settings/smtp".into(),
            None,
            [404, 403, 403, 401],
        ),
        (
            Method::PUT,
            "/v1/notification-settings/smtp".into(),
            Some(json!({"host": "127.0.0.1", "tls": "none", "from": "servis@sinarmotor.example"})),
            [200, 403, 403, 401],
        ),
        (
            Method::DELETE,
            "/v1/notification-settings/smtp".into(),
            None,
            [204, 403, 403, 401],
        ),
        (
            Method::GET,
            "/v1/notification-settings/whatsapp-cloud".into(),
            None,
            [404, 403, 403, 401],
        ),
        (
            Method::PUT,
            "/v1/notification-settings/whatsapp-cloud".into(),
            Some(
                json!({"api_base_url": "http://127.0.0.1:9/v21.0", "phone_number_id": "1", "access_token": "t"}),
            ),
            [200, 403, 403, 401],
        ),
        (
            Method::DELETE,
            "/v1/notification-settings/whatsapp-cloud".into(),
            None,
            [204, 403, 403, 401],
        ),
        // WhatsApp's webhook is signed by Meta: an API key opens nothing there either.
        (
            Method::POST,
            format!("/v1/inbound/{org}/whatsapp"),
            Some(json!({"object": "whatsapp_business_account", "entry": []})),
            [401, 401, 401, 401],
        ),
        (
            Method::GET,
            format!(
                "/v1/inbound/{org}/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"
            ),
            None,
            [403, 403, 403, 403],
        ),
        (
            Method::GET,
            "/v1/appointments?needs_call=true".into(),
            None,
            [200, 200, 200, 401],
        ),
        (
            Method::POST,
            format!("/v1/appointments/{nobody}/call"),
            Some(json!({"note": "ditelepon"})),
            [404, 404, 404, 401],
        ),
        // A customer's link: issued by any role, like changing the appointment.
        (
            Method::POST,
            format!("/v1/appointments/{nobody}/links"),
            None,
            [404, 404, 404, 401],
        ),
        // The link's token is the credential: an API key opens nothing there.
        (
            Method::GET,
            format!("/v1/self/{}", "A".repeat(43)),
            None,
            [404, 404, 404, 404],
        ),
        // Replies are signed by the gateway: an API key opens nothing there.
        (
            Method::POST,
            format!("/v1/inbound/{org}"),
            Some(json!({"from": "+6281234567890", "text": "YA"})),
            [401, 401, 401, 401],
        ),
    ];
    for (method, path, body, want) in cases {
        for (key, want) in keys.iter().zip(want) {
            let mut call = app.call(method.clone(), &path);
            call = match key {
                Some(k) => call.key(k),
                None => call.no_key(),
            };
            if let Some(b) = &body {
                call = call.json(b.clone());
            }
            let got = call.send().await.status.as_u16();
            if want == 0 {
                assert!(got != 401 && got != 403, "{method} {path} {key:?}: {got}");
            } else {
                assert_eq!(got, want, "{method} {path} with {key:?}");
            }
        }
    }
}

async fn missing_malformed_and_revoked_keys_are_401(app: TestApp) {
    let r = app.call(Method::GET, "/v1/locations").no_key().send().await;
    r.problem(401, "unauthorized");
    assert!(r.header("www-authenticate").unwrap().starts_with("Bearer"));
    let r = app
        .call(Method::GET, "/v1/locations")
        .key("jnj_nonsense")
        .send()
        .await;
    r.problem(401, "unauthorized");
    // A well-formed key with a wrong secret.
    let forged = format!("{}_{}", &app.admin_key[..16], "A".repeat(43));
    app.call(Method::GET, "/v1/locations")
        .key(&forged)
        .send()
        .await
        .problem(401, "unauthorized");

    let created = app
        .post(
            "/v1/api-keys",
            json!({"name": "bot", "role": "integration"}),
        )
        .await;
    let secret = created.expect(201)["secret"].as_str().unwrap().to_owned();
    app.call(Method::GET, "/v1/locations")
        .key(&secret)
        .send()
        .await
        .expect(200);
    let id = created.body["id"].as_str().unwrap();
    let revoked = app
        .post(&format!("/v1/api-keys/{id}/revoke"), json!({}))
        .await;
    assert!(revoked.expect(200)["revoked_at"].is_string());
    app.call(Method::GET, "/v1/locations")
        .key(&secret)
        .send()
        .await
        .problem(401, "unauthorized");
}

async fn roles_are_enforced(app: TestApp) {
    let staff = app.key(Role::Staff);
    let integration = app.key(Role::Integration);
    let body = json!({"name": "Cabang", "time_zone": "Asia/Jakarta"});
    for key in [&staff, &integration] {
        let r = app
            .call(Method::POST, "/v1/locations")
            .key(key)
            .json(body.clone())
            .send()
            .await;
        r.problem(403, "forbidden");
        app.call(Method::GET, "/v1/locations")
            .key(key)
            .send()
            .await
            .expect(200);
        app.call(Method::GET, "/v1/api-keys")
            .key(key)
            .send()
            .await
            .problem(403, "forbidden");
    }
    assert_eq!(crate::helpers::count_rows(&app, "locations"), 0);
}

async fn other_organizations_objects_are_not_found(app: TestApp) {
    let loc = app.post("/v1/locations", json!({"name": "Mine"})).await;
    let id = loc.expect(201)["id"].as_str().unwrap().to_owned();
    let (_, other_key) = app.other_org();
    let path = format!("/v1/locations/{id}");
    app.call(Method::GET, &path)
        .key(&other_key)
        .send()
        .await
        .problem(404, "not_found");
    let r = app
        .call(Method::PATCH, &path)
        .key(&other_key)
        .json(json!({"name": "Theirs"}))
        .send()
        .await;
    r.problem(404, "not_found");
    app.call(Method::DELETE, &path)
        .key(&other_key)
        .send()
        .await
        .problem(404, "not_found");
    let list = app
        .call(Method::GET, "/v1/locations")
        .key(&other_key)
        .send()
        .await;
    assert_eq!(list.expect(200)["items"].as_array().unwrap().len(), 0);
    assert_eq!(app.get(&path).await.expect(200)["name"], "Mine");
}

async fn keys_are_listed_without_secrets(app: TestApp) {
    app.post("/v1/api-keys", json!({"name": "desk", "role": "staff"}))
        .await
        .expect(201);
    let list = app.get("/v1/api-keys").await;
    let items = list.expect(200)["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    for k in items {
        assert!(k.get("secret").is_none() && k.get("secret_hash").is_none());
        assert!(k["prefix"].as_str().unwrap().starts_with("jnj_"));
    }
    // The admin key was used by this very request.
    assert!(items.iter().any(|k| k["last_used_at"].is_string()));
    let bad = app
        .post("/v1/api-keys", json!({"name": "x", "role": "owner"}))
        .await;
    assert_eq!(bad.problem(400, "invalid_field")["field"], "role");
}

async fn last_admin_key_cannot_be_revoked(app: TestApp) {
    let list = app.get("/v1/api-keys").await;
    let id = list.body["items"][0]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/v1/api-keys/{id}/revoke"), json!({}))
        .await
        .problem(409, "last_admin_key");
    app.get("/v1/locations").await.expect(200);
}

async fn organization_settings_are_validated(app: TestApp) {
    let org = app.get("/v1/organization").await;
    assert_eq!(org.expect(200)["currency"], "IDR");
    assert_eq!(org.header("etag"), Some("\"1\""));
    let r = app
        .patch("/v1/organization", json!({"currency": "RUPIAH"}))
        .await;
    assert_eq!(r.problem(422, "unknown_currency")["field"], "currency");
    let r = app
        .patch("/v1/organization", json!({"time_zone": "Jakarta"}))
        .await;
    r.problem(422, "unknown_time_zone");
    let r = app.patch("/v1/organization", json!({"id": "x"})).await;
    r.problem(400, "unknown_field");
    let ok = app
        .call(Method::PATCH, "/v1/organization")
        .header("if-match", "\"1\"")
        .json(json!({"name": "Sinar Motor Group", "locale": "en"}))
        .send()
        .await;
    assert_eq!(ok.expect(200)["version"], 2);
    let stale = app
        .call(Method::PATCH, "/v1/organization")
        .header("if-match", "\"1\"")
        .json(json!({"name": "Lost update"}))
        .send()
        .await;
    assert_eq!(
        stale.problem(412, "version_mismatch")["data"]["current_version"],
        2
    );
    assert_eq!(
        app.get("/v1/organization").await.body["name"],
        "Sinar Motor Group"
    );
}
