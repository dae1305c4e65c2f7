//! Customers: contact rules, unique external references, roles and tenant isolation.

use actix_web::http::Method;
use futures_util::future::join_all;
use janji::domain::Role;
use serde_json::{Value, json};

use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    customer_lifecycle,
    defaults_follow_the_organization_and_the_contact,
    bad_customers_are_refused_and_write_nothing,
    changes_recheck_the_contact_rules,
    external_ref_is_unique_per_organization,
    concurrent_creates_with_one_external_ref_make_one_customer,
    every_role_manages_customers_but_only_admins_delete,
    other_organizations_customers_are_not_found,
    lists_filter_and_paginate,
);

fn budi() -> Value {
    json!({
        "name": "Budi Santoso",
        "phone": "+6281234567890",
        "email": "budi@example.co.id",
        "external_ref": "DMS-000123"
    })
}

async fn create(app: &TestApp, body: Value) -> Value {
    app.post("/v1/customers", body).await.expect(201).clone()
}

fn path_of(customer: &Value) -> String {
    format!("/v1/customers/{}", customer["id"].as_str().unwrap())
}

async fn customer_lifecycle(app: TestApp) {
    let created = app.post("/v1/customers", budi()).await;
    let c = created.expect(201).clone();
    let path = path_of(&c);
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(c["name"], "Budi Santoso");
    assert_eq!(c["phone"], "+6281234567890");
    assert_eq!(c["email"], "budi@example.co.id");
    assert_eq!(c["external_ref"], "DMS-000123");
    assert_eq!(c["locale"], "id");
    assert_eq!(c["preferred_channel"], "whatsapp");
    assert_eq!(c["version"], 1);

    let got = app.get(&path).await;
    assert_eq!(got.header("etag"), Some("\"1\""));
    assert_eq!(got.body, c);

    let changed = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(
            json!({"name": " Budi S. ", "email": null, "locale": "en", "preferred_channel": "sms"}),
        )
        .send()
        .await;
    assert_eq!(changed.header("etag"), Some("\"2\""));
    let changed = changed.expect(200);
    assert_eq!(changed["name"], "Budi S.", "trimmed");
    assert_eq!(changed["email"], Value::Null, "cleared");
    assert_eq!(changed["phone"], "+6281234567890", "absent fields stay");
    assert_eq!(changed["external_ref"], "DMS-000123");
    assert_eq!(changed["locale"], "en");
    assert_eq!(changed["preferred_channel"], "sms");
    assert_eq!(changed["version"], 2);
    assert_eq!(app.get(&path).await.body, *changed);

    let stale = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(json!({"name": "x"}))
        .send()
        .await;
    assert_eq!(
        stale.problem(412, "version_mismatch")["data"]["current_version"],
        2
    );
    app.call(Method::PATCH, &path)
        .header("if-match", "kemarin")
        .json(json!({"name": "x"}))
        .send()
        .await
        .problem(400, "invalid_if_match");
    assert_eq!(app.get(&path).await.body["name"], "Budi S.");

    app.call(Method::DELETE, &path)
        .header("if-match", "\"1\"")
        .send()
        .await
        .problem(412, "version_mismatch");
    app.call(Method::DELETE, &path)
        .header("if-match", "\"2\"")
        .send()
        .await
        .expect(204);
    app.get(&path).await.problem(404, "not_found");
    app.delete(&path).await.problem(404, "not_found");
    app.patch(&path, json!({"name": "x"}))
        .await
        .problem(404, "not_found");
    app.get("/v1/customers/not-a-uuid")
        .await
        .problem(404, "not_found");
    assert_eq!(count_rows(&app, "customers"), 0);
}

async fn defaults_follow_the_organization_and_the_contact(app: TestApp) {
    let by_phone = create(&app, json!({"name": "Siti", "phone": "+6281300000001"})).await;
    assert_eq!(by_phone["preferred_channel"], "whatsapp");
    assert_eq!(by_phone["locale"], "id", "the organization's locale");
    assert_eq!(by_phone["email"], Value::Null);
    assert_eq!(by_phone["external_ref"], Value::Null);
    let by_mail = create(&app, json!({"name": "John", "email": "john@example.com"})).await;
    assert_eq!(by_mail["preferred_channel"], "email");
    let chosen = create(
        &app,
        json!({"name": "Ani", "phone": "+6281300000002", "email": "ani@example.com",
               "preferred_channel": "email", "locale": "en", "external_ref": "  "}),
    )
    .await;
    assert_eq!(chosen["preferred_channel"], "email");
    assert_eq!(chosen["locale"], "en");
    assert_eq!(chosen["external_ref"], Value::Null, "blank is absent");

    app.patch("/v1/organization", json!({"locale": "en"}))
        .await
        .expect(200);
    let later = create(&app, json!({"name": "Mary", "email": "mary@example.com"})).await;
    assert_eq!(
        later["locale"], "en",
        "follows the organization's current locale"
    );
    // Several customers without an external reference do not collide.
    assert_eq!(count_rows(&app, "customers"), 4);
}

async fn bad_customers_are_refused_and_write_nothing(app: TestApp) {
    let long = "x".repeat(201);
    let cases = [
        (json!({"name": "Budi"}), 422, "contact_required", "phone"),
        (
            json!({"name": "Budi", "phone": null, "email": null}),
            422,
            "contact_required",
            "phone",
        ),
        (
            json!({"name": "Budi", "email": "budi@example.com", "preferred_channel": "whatsapp"}),
            422,
            "channel_needs_contact",
            "preferred_channel",
        ),
        (
            json!({"name": "Budi", "email": "budi@example.com", "preferred_channel": "sms"}),
            422,
            "channel_needs_contact",
            "preferred_channel",
        ),
        (
            json!({"name": "Budi", "phone": "+6281234567890", "preferred_channel": "email"}),
            422,
            "channel_needs_contact",
            "preferred_channel",
        ),
        (
            json!({"name": "Budi", "phone": "0812"}),
            422,
            "invalid_phone",
            "phone",
        ),
        (
            json!({"name": "Budi", "phone": "+62 812 3456 7890 x"}),
            422,
            "invalid_phone",
            "phone",
        ),
        (
            json!({"name": "Budi", "phone": "", "email": "budi@example.com"}),
            422,
            "invalid_phone",
            "phone",
        ),
        (
            json!({"name": "Budi", "email": "budi@example"}),
            422,
            "invalid_email",
            "email",
        ),
        (
            json!({"name": "Budi", "phone": "+6281234567890", "email": "not an email"}),
            422,
            "invalid_email",
            "email",
        ),
        (
            json!({"name": "  ", "phone": "+6281234567890"}),
            422,
            "required",
            "name",
        ),
        (
            json!({"name": long, "phone": "+6281234567890"}),
            422,
            "too_long",
            "name",
        ),
        (
            json!({"name": "Budi", "phone": "+6281234567890", "external_ref": long}),
            422,
            "too_long",
            "external_ref",
        ),
        (
            json!({"name": "Budi", "phone": "+6281234567890", "locale": "fr"}),
            400,
            "invalid_field",
            "locale",
        ),
        (
            json!({"name": "Budi", "phone": "+6281234567890", "preferred_channel": "pigeon"}),
            400,
            "invalid_field",
            "preferred_channel",
        ),
        (
            json!({"name": "Budi", "phone": "+6281234567890", "organization_id": "x"}),
            400,
            "unknown_field",
            "organization_id",
        ),
        (
            json!({"name": "Budi", "phone": "+6281234567890", "version": 3}),
            400,
            "unknown_field",
            "version",
        ),
        (
            json!({"phone": "+6281234567890"}),
            400,
            "invalid_field",
            ".",
        ),
    ];
    for (body, status, code, field) in cases {
        let r = app.post("/v1/customers", body.clone()).await;
        let p = r.problem(status, code);
        if field != "." {
            assert_eq!(p["field"], field, "{body}");
        }
    }
    let r = app
        .call(Method::POST, "/v1/customers")
        .raw("text/plain", "name=Budi")
        .send()
        .await;
    r.problem(415, "unsupported_media_type");
    assert_eq!(count_rows(&app, "customers"), 0);
}

async fn changes_recheck_the_contact_rules(app: TestApp) {
    let c = create(&app, budi()).await;
    let path = path_of(&c);
    let cases = [
        (
            json!({"phone": null}),
            "channel_needs_contact",
            "preferred_channel",
        ),
        (
            json!({"phone": null, "email": null}),
            "contact_required",
            "phone",
        ),
        (
            json!({"phone": null, "email": null, "preferred_channel": "email"}),
            "contact_required",
            "phone",
        ),
        (
            json!({"email": null, "preferred_channel": "email"}),
            "channel_needs_contact",
            "preferred_channel",
        ),
        (json!({"phone": "0812"}), "invalid_phone", "phone"),
        (json!({"email": "budi@"}), "invalid_email", "email"),
        (json!({"name": ""}), "required", "name"),
    ];
    for (body, code, field) in cases {
        let r = app.patch(&path, body.clone()).await;
        assert_eq!(r.problem(422, code)["field"], field, "{body}");
    }
    app.patch(&path, json!({"locale": "de"}))
        .await
        .problem(400, "invalid_field");
    app.patch(&path, json!({"id": "x"}))
        .await
        .problem(400, "unknown_field");
    let unchanged = app.get(&path).await;
    assert_eq!(unchanged.body, c, "refused changes wrote nothing");

    // Moving to e-mail first makes the phone optional.
    let moved = app
        .patch(&path, json!({"phone": null, "preferred_channel": "email"}))
        .await;
    let moved = moved.expect(200);
    assert_eq!(moved["phone"], Value::Null);
    assert_eq!(moved["preferred_channel"], "email");
    assert_eq!(moved["version"], 2);
    let back = app
        .patch(
            &path,
            json!({"phone": "+6281234567891", "preferred_channel": "whatsapp", "email": null}),
        )
        .await;
    assert_eq!(back.expect(200)["phone"], "+6281234567891");
}

async fn external_ref_is_unique_per_organization(app: TestApp) {
    let first = create(&app, budi()).await;
    let dup = app
        .post(
            "/v1/customers",
            json!({"name": "Budi lagi", "email": "b2@example.com", "external_ref": "DMS-000123"}),
        )
        .await;
    // The customer who has the reference is the answer (docs/concepts/customers.md).
    assert_eq!(dup.expect(200)["id"], first["id"]);
    assert_eq!(dup.body["matched"], true);
    assert_eq!(count_rows(&app, "customers"), 1);

    let (_, other) = app.other_org();
    let theirs = app
        .call(Method::POST, "/v1/customers")
        .key(&other)
        .json(budi())
        .send()
        .await;
    theirs.expect(201);

    let second = create(
        &app,
        json!({"name": "Siti", "phone": "+6281300000001", "external_ref": "DMS-000124"}),
    )
    .await;
    let second_path = path_of(&second);
    let taken = app
        .patch(&second_path, json!({"external_ref": "DMS-000123"}))
        .await;
    assert_eq!(
        taken.problem(409, "external_ref_taken")["field"],
        "external_ref"
    );
    assert_eq!(app.get(&second_path).await.body, second);

    // Keeping one's own reference is no conflict; releasing it frees it for others.
    app.patch(
        &path_of(&first),
        json!({"external_ref": "DMS-000123", "name": "Budi Santoso"}),
    )
    .await
    .expect(200);
    let released = app
        .patch(&path_of(&first), json!({"external_ref": null}))
        .await;
    assert_eq!(released.expect(200)["external_ref"], Value::Null);
    let moved = app
        .patch(&second_path, json!({"external_ref": "DMS-000123"}))
        .await;
    assert_eq!(moved.expect(200)["external_ref"], "DMS-000123");
    assert_eq!(count_rows(&app, "customers"), 3);
}

async fn concurrent_creates_with_one_external_ref_make_one_customer(app: TestApp) {
    let requests = (0..20).map(|i| {
        app.call(Method::POST, "/v1/customers")
            .json(json!({
                "name": format!("Paralel {i}"),
                "phone": format!("+62813000000{i:02}"),
                "external_ref": "CRM-42"
            }))
            .send()
    });
    let responses = join_all(requests).await;
    let mut created = 0;
    for r in &responses {
        match r.status.as_u16() {
            201 => created += 1,
            200 => assert_eq!(r.body["matched"], true, "{}", r.body),
            other => panic!("unexpected {other}: {}", r.body),
        }
    }
    assert_eq!(created, 1, "exactly one request wins");
    assert_eq!(count_rows(&app, "customers"), 1);
    let found = app.get("/v1/customers?external_ref=CRM-42").await;
    assert_eq!(found.expect(200)["items"].as_array().unwrap().len(), 1);
}

async fn every_role_manages_customers_but_only_admins_delete(app: TestApp) {
    let staff = app.key(Role::Staff);
    let integration = app.key(Role::Integration);
    for (key, name, phone) in [
        (&staff, "Dari staf", "+6281234567890"),
        (&integration, "Dari bot", "+6281234567891"),
    ] {
        let created = app
            .call(Method::POST, "/v1/customers")
            .key(key)
            .json(json!({"name": name, "phone": phone}))
            .send()
            .await;
        let path = path_of(created.expect(201));
        app.call(Method::GET, &path)
            .key(key)
            .send()
            .await
            .expect(200);
        app.call(Method::GET, "/v1/customers")
            .key(key)
            .send()
            .await
            .expect(200);
        let changed = app
            .call(Method::PATCH, &path)
            .key(key)
            .header("if-match", "\"1\"")
            .json(json!({"email": "x@example.com"}))
            .send()
            .await;
        assert_eq!(changed.expect(200)["version"], 2);
        app.call(Method::DELETE, &path)
            .key(key)
            .send()
            .await
            .problem(403, "forbidden");
        app.get(&path).await.expect(200);
    }
    assert_eq!(count_rows(&app, "customers"), 2);
    app.call(Method::GET, "/v1/customers")
        .no_key()
        .send()
        .await
        .problem(401, "unauthorized");
    app.call(Method::POST, "/v1/customers")
        .no_key()
        .json(budi())
        .send()
        .await
        .problem(401, "unauthorized");
    assert_eq!(count_rows(&app, "customers"), 2);
}

async fn other_organizations_customers_are_not_found(app: TestApp) {
    let c = create(&app, budi()).await;
    let path = path_of(&c);
    let (_, other) = app.other_org();
    app.call(Method::GET, &path)
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");
    app.call(Method::PATCH, &path)
        .key(&other)
        .json(json!({"name": "Dicuri"}))
        .send()
        .await
        .problem(404, "not_found");
    app.call(Method::DELETE, &path)
        .key(&other)
        .send()
        .await
        .problem(404, "not_found");
    for query in [
        "",
        "?external_ref=DMS-000123",
        "?q=budi",
        "?phone=%2B6281234567890",
    ] {
        let theirs = app
            .call(Method::GET, &format!("/v1/customers{query}"))
            .key(&other)
            .send()
            .await;
        assert_eq!(theirs.expect(200)["items"], json!([]), "{query}");
    }
    assert_eq!(app.get(&path).await.body, c, "untouched");
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn lists_filter_and_paginate(app: TestApp) {
    let people = [
        ("Budi Santoso", Some("+6281200000001"), "B-1"),
        ("BUDIMAN", Some("+6281200000002"), "B-2"),
        ("Siti Rahayu", Some("+6281200000003"), "S-1"),
        ("Ani 100% Setia", None, "A-1"),
        ("Anita_Sari", Some("+6281200000004"), "A-2"),
    ];
    for (name, phone, r) in people {
        let mut body = json!({"name": name, "external_ref": r, "email": "x@example.com"});
        if let Some(p) = phone {
            body["phone"] = json!(p);
        }
        create(&app, body).await;
    }
    let all: Vec<String> = people.iter().map(|p| p.0.to_owned()).collect();
    assert_eq!(names(app.get("/v1/customers").await.expect(200)), all);

    let app = &app;
    let q = |query: &'static str| async move {
        names(app.get(&format!("/v1/customers?{query}")).await.expect(200))
    };
    assert_eq!(q("q=budi").await, ["Budi Santoso", "BUDIMAN"]);
    assert_eq!(q("q=SANTOSO").await, ["Budi Santoso"]);
    assert_eq!(
        q("q=%20ani%20").await,
        ["Ani 100% Setia", "Anita_Sari"],
        "trimmed"
    );
    assert_eq!(
        q("q=%25%20s").await,
        ["Ani 100% Setia"],
        "% matches literally"
    );
    assert_eq!(q("q=a_s").await, ["Anita_Sari"]);
    assert_eq!(
        q("q=i_s").await,
        Vec::<String>::new(),
        "_ matches literally"
    );
    assert_eq!(q("q=nobody").await, Vec::<String>::new());
    assert_eq!(q("q=").await, all, "an empty search is no filter");
    assert_eq!(q("phone=%2B6281200000001").await, ["Budi Santoso"]);
    assert_eq!(
        q("phone=0812-0000-0001").await,
        ["Budi Santoso"],
        "as typed"
    );
    assert_eq!(
        q("phone=081200000009").await,
        Vec::<String>::new(),
        "the whole number"
    );
    assert_eq!(q("external_ref=S-1").await, ["Siti Rahayu"]);
    assert_eq!(q("external_ref=s-1").await, Vec::<String>::new(), "exact");
    assert_eq!(
        q("phone=%2B6281200000004&q=sari").await,
        ["Anita_Sari"],
        "filters combine"
    );
    assert_eq!(
        q("phone=%2B6281200000001&q=sari").await,
        Vec::<String>::new()
    );
    // An unencoded `+` arrives as a space; the number is still read.
    assert_eq!(q("phone=+6281200000001").await, ["Budi Santoso"]);
    app.get("/v1/customers?phone=0812")
        .await
        .problem(422, "invalid_phone");
    app.get("/v1/customers?name=budi")
        .await
        .problem(400, "invalid_query");
    assert_eq!(
        app.get(&format!("/v1/customers?q={}", "x".repeat(201)))
            .await
            .problem(422, "too_long")["field"],
        "q"
    );

    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/customers?limit=2&cursor={c}"),
            None => "/v1/customers?limit=2".to_owned(),
        };
        let page = app.get(&path).await;
        let body = page.expect(200);
        assert!(body["items"].as_array().unwrap().len() <= 2);
        seen.extend(names(body));
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, all);
    // Paging and filtering together.
    let first = app.get("/v1/customers?q=a&limit=1").await;
    let first = first.expect(200);
    assert_eq!(names(first), ["Budi Santoso"]);
    let c = first["next_cursor"].as_str().unwrap();
    assert_eq!(
        names(
            app.get(&format!("/v1/customers?q=a&limit=1&cursor={c}"))
                .await
                .expect(200)
        ),
        ["BUDIMAN"]
    );
    assert_eq!(
        app.get("/v1/customers?limit=0")
            .await
            .problem(400, "invalid_limit")["field"],
        "limit"
    );
    app.get("/v1/customers?cursor=forged")
        .await
        .problem(400, "invalid_cursor");
}
