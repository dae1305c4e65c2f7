//! Services: what customers book, the resources they need and where they are offered.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use crate::resources::{location, resource};
use janji::domain::Role;

on_both_backends!(
    service_lifecycle,
    bad_services_are_refused_and_write_nothing,
    bad_service_changes_are_refused_and_change_nothing,
    service_writes_need_an_admin,
    other_organizations_services_are_not_found,
    services_are_filtered_and_paginated,
);

fn servis_berkala() -> Value {
    json!({
        "name": "Servis berkala",
        "duration_minutes": 60,
        "resource_kinds": ["service_bay", "service_advisor"]
    })
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn service_lifecycle(app: TestApp) {
    let loc = location(&app, "Kemayoran").await;
    let bay = resource(&app, &loc, "Bay 1", "service_bay").await;
    let rina = resource(&app, &loc, "Rina", "service_advisor").await;

    // Only the required fields: the rest takes defaults.
    let plain = app.post("/v1/services", servis_berkala()).await;
    let plain = plain.expect(201);
    assert_eq!(plain["buffer_before_minutes"], 0);
    assert_eq!(plain["buffer_after_minutes"], 0);
    assert_eq!(plain["resource_ids"], json!([]));
    assert_eq!(plain["location_ids"], json!([]));
    assert_eq!(plain["active"], true);

    let created = app
        .post(
            "/v1/services",
            json!({
                "name": " Ganti oli ",
                "duration_minutes": 30,
                "buffer_before_minutes": 5,
                "buffer_after_minutes": 10,
                "resource_kinds": ["service_bay"],
                "resource_ids": [bay],
                "location_ids": [loc],
                "active": false
            }),
        )
        .await;
    let svc = created.expect(201).clone();
    let id = svc["id"].as_str().unwrap();
    let path = format!("/v1/services/{id}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(svc["name"], "Ganti oli");
    assert_eq!(svc["duration_minutes"], 30);
    assert_eq!(svc["buffer_before_minutes"], 5);
    assert_eq!(svc["buffer_after_minutes"], 10);
    assert_eq!(svc["resource_kinds"], json!(["service_bay"]));
    assert_eq!(svc["resource_ids"], json!([bay]));
    assert_eq!(svc["location_ids"], json!([loc]));
    assert_eq!(svc["active"], false);
    assert_eq!(svc["version"], 1);

    let got = app.get(&path).await;
    assert_eq!(got.header("etag"), Some("\"1\""));
    assert_eq!(got.body, svc);

    // Lists are replaced as a whole; absent fields stay.
    let changed = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(json!({
            "duration_minutes": 45,
            "resource_kinds": ["service_advisor", "service_bay"],
            "resource_ids": [rina, bay],
            "location_ids": [],
            "active": true
        }))
        .send()
        .await;
    assert_eq!(changed.header("etag"), Some("\"2\""));
    let changed = changed.expect(200);
    assert_eq!(changed["duration_minutes"], 45);
    assert_eq!(
        changed["resource_kinds"],
        json!(["service_advisor", "service_bay"])
    );
    assert_eq!(changed["resource_ids"], json!([rina, bay]));
    assert_eq!(changed["location_ids"], json!([]));
    assert_eq!(changed["active"], true);
    assert_eq!(changed["buffer_before_minutes"], 5);
    assert_eq!(changed["name"], "Ganti oli");
    assert_eq!(changed["version"], 2);
    assert_eq!(app.get(&path).await.body, *changed);

    let stale = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(json!({"name": "Lost update"}))
        .send()
        .await;
    assert_eq!(
        stale.problem(412, "version_mismatch")["data"]["current_version"],
        2
    );
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
    app.get("/v1/services/servis")
        .await
        .problem(404, "not_found");
    assert_eq!(count_rows(&app, "services"), 1);
}

async fn bad_services_are_refused_and_write_nothing(app: TestApp) {
    let loc = location(&app, "Kemayoran").await;
    let bay = resource(&app, &loc, "Bay 1", "service_bay").await;
    let rina = resource(&app, &loc, "Rina", "service_advisor").await;
    let (_, other_key) = app.other_org();
    let their_loc = app
        .call(Method::POST, "/v1/locations")
        .key(&other_key)
        .json(json!({"name": "Theirs"}))
        .send()
        .await;
    let their_loc = their_loc.expect(201)["id"].as_str().unwrap().to_owned();
    let their_bay = app
        .call(Method::POST, "/v1/resources")
        .key(&other_key)
        .json(json!({"location_id": their_loc, "name": "Their bay", "kind": "service_bay"}))
        .send()
        .await;
    let their_bay = their_bay.expect(201)["id"].as_str().unwrap().to_owned();
    let nobody = uuid::Uuid::now_v7().to_string();

    let with = |field: &str, value: Value| {
        let mut body = servis_berkala();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = servis_berkala();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        (with("name", json!(" ")), 422, "required", "name"),
        (
            with("name", json!("x".repeat(201))),
            422,
            "too_long",
            "name",
        ),
        (
            with("duration_minutes", json!(0)),
            422,
            "out_of_range",
            "duration_minutes",
        ),
        (
            with("duration_minutes", json!(1441)),
            422,
            "out_of_range",
            "duration_minutes",
        ),
        (
            with("duration_minutes", json!(-60)),
            422,
            "out_of_range",
            "duration_minutes",
        ),
        (
            with("duration_minutes", json!("60")),
            400,
            "invalid_field",
            "duration_minutes",
        ),
        (
            with("duration_minutes", json!(60.5)),
            400,
            "invalid_field",
            "duration_minutes",
        ),
        (
            with("buffer_before_minutes", json!(-1)),
            422,
            "out_of_range",
            "buffer_before_minutes",
        ),
        (
            with("buffer_after_minutes", json!(241)),
            422,
            "out_of_range",
            "buffer_after_minutes",
        ),
        (
            with("resource_kinds", json!([])),
            422,
            "required",
            "resource_kinds",
        ),
        (
            with(
                "resource_kinds",
                json!(["service_bay", "service_advisor", "service_bay"]),
            ),
            422,
            "duplicate_resource_kind",
            "resource_kinds[2]",
        ),
        (
            with("resource_kinds", json!(["service_bay", "lift"])),
            400,
            "invalid_field",
            "resource_kinds[1]",
        ),
        (
            with("resource_kinds", json!("service_bay")),
            400,
            "invalid_field",
            "resource_kinds",
        ),
        (
            with("resource_ids", json!([bay, nobody])),
            422,
            "resource_not_found",
            "resource_ids[1]",
        ),
        (
            with("resource_ids", json!([their_bay])),
            422,
            "resource_not_found",
            "resource_ids[0]",
        ),
        (
            with("resource_ids", json!([bay, "bay-1"])),
            400,
            "invalid_field",
            "resource_ids[1]",
        ),
        (
            with("resource_ids", json!([rina, bay, rina])),
            422,
            "duplicate_resource",
            "resource_ids[2]",
        ),
        (
            json!({
                "name": "Cuci", "duration_minutes": 30,
                "resource_kinds": ["service_bay"], "resource_ids": [bay, rina]
            }),
            422,
            "resource_kind_not_required",
            "resource_ids[1]",
        ),
        (
            with("location_ids", json!([loc, nobody])),
            422,
            "location_not_found",
            "location_ids[1]",
        ),
        (
            with("location_ids", json!([their_loc])),
            422,
            "location_not_found",
            "location_ids[0]",
        ),
        (
            with("location_ids", json!([loc, loc])),
            422,
            "duplicate_location",
            "location_ids[1]",
        ),
        (with("active", json!(1)), 400, "invalid_field", "active"),
        (with("version", json!(3)), 400, "unknown_field", "version"),
        (without("duration_minutes"), 400, "invalid_field", "."),
        (without("resource_kinds"), 400, "invalid_field", "."),
    ];
    for (body, status, code, field) in cases {
        let r = app.post("/v1/services", body.clone()).await;
        let p = r.problem(status, code);
        if field != "." {
            assert_eq!(p["field"], field, "{body}");
        }
    }
    assert_eq!(count_rows(&app, "services"), 0);

    // The bounds themselves are allowed.
    let edge = app
        .post(
            "/v1/services",
            json!({
                "name": "x".repeat(200), "duration_minutes": 1440,
                "buffer_before_minutes": 240, "buffer_after_minutes": 0,
                "resource_kinds": ["other"]
            }),
        )
        .await;
    edge.expect(201);
    app.post("/v1/services", with("duration_minutes", json!(1)))
        .await
        .expect(201);
}

async fn bad_service_changes_are_refused_and_change_nothing(app: TestApp) {
    let loc = location(&app, "Kemayoran").await;
    let bay = resource(&app, &loc, "Bay 1", "service_bay").await;
    let rina = resource(&app, &loc, "Rina", "service_advisor").await;
    let mut body = servis_berkala();
    body["resource_ids"] = json!([bay, rina]);
    body["location_ids"] = json!([loc]);
    let created = app.post("/v1/services", body).await;
    let before = created.expect(201).clone();
    let path = format!("/v1/services/{}", before["id"].as_str().unwrap());
    let nobody = uuid::Uuid::now_v7().to_string();

    let cases = [
        (json!({"name": ""}), 422, "required", "name"),
        (
            json!({"duration_minutes": 0}),
            422,
            "out_of_range",
            "duration_minutes",
        ),
        (
            json!({"buffer_after_minutes": 300}),
            422,
            "out_of_range",
            "buffer_after_minutes",
        ),
        (
            json!({"resource_kinds": []}),
            422,
            "required",
            "resource_kinds",
        ),
        (
            json!({"resource_kinds": ["other", "other"]}),
            422,
            "duplicate_resource_kind",
            "resource_kinds[1]",
        ),
        // Dropping a kind that a listed resource has: the changed field is blamed.
        (
            json!({"resource_kinds": ["service_bay"]}),
            422,
            "resource_kind_not_required",
            "resource_kinds",
        ),
        (
            json!({"resource_kinds": ["service_bay"], "resource_ids": [bay, rina]}),
            422,
            "resource_kind_not_required",
            "resource_ids[1]",
        ),
        (
            json!({"resource_ids": [nobody]}),
            422,
            "resource_not_found",
            "resource_ids[0]",
        ),
        (
            json!({"location_ids": [loc, nobody]}),
            422,
            "location_not_found",
            "location_ids[1]",
        ),
        (
            json!({"location_ids": [loc, loc]}),
            422,
            "duplicate_location",
            "location_ids[1]",
        ),
        (
            json!({"duration_minutes": "an hour"}),
            400,
            "invalid_field",
            "duration_minutes",
        ),
        (json!({"id": "x"}), 400, "unknown_field", "id"),
    ];
    for (body, status, code, field) in cases {
        let r = app.patch(&path, body.clone()).await;
        assert_eq!(r.problem(status, code)["field"], field, "{body}");
    }
    assert_eq!(app.get(&path).await.body, before, "nothing changed");

    // Dropping the kind together with its resources is fine.
    let ok = app
        .patch(
            &path,
            json!({"resource_kinds": ["service_bay"], "resource_ids": [bay]}),
        )
        .await;
    assert_eq!(ok.expect(200)["resource_ids"], json!([bay]));
}

async fn service_writes_need_an_admin(app: TestApp) {
    let created = app.post("/v1/services", servis_berkala()).await;
    let id = created.expect(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/services/{id}");
    let staff = app.key(Role::Staff);
    let integration = app.key(Role::Integration);
    for key in [&staff, &integration] {
        app.call(Method::POST, "/v1/services")
            .key(key)
            .json(servis_berkala())
            .send()
            .await
            .problem(403, "forbidden");
        app.call(Method::PATCH, &path)
            .key(key)
            .json(json!({"duration_minutes": 90}))
            .send()
            .await
            .problem(403, "forbidden");
        app.call(Method::DELETE, &path)
            .key(key)
            .send()
            .await
            .problem(403, "forbidden");
        let list = app.call(Method::GET, "/v1/services").key(key).send().await;
        assert_eq!(names(list.expect(200)), ["Servis berkala"]);
        let one = app.call(Method::GET, &path).key(key).send().await;
        assert_eq!(one.expect(200)["duration_minutes"], 60);
    }
    assert_eq!(count_rows(&app, "services"), 1);
    assert_eq!(app.get(&path).await.body["version"], 1);
}

async fn other_organizations_services_are_not_found(app: TestApp) {
    let created = app.post("/v1/services", servis_berkala()).await;
    let id = created.expect(201)["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/services/{id}");
    let (_, other_key) = app.other_org();
    app.call(Method::GET, &path)
        .key(&other_key)
        .send()
        .await
        .problem(404, "not_found");
    app.call(Method::PATCH, &path)
        .key(&other_key)
        .json(json!({"name": "Theirs"}))
        .send()
        .await
        .problem(404, "not_found");
    app.call(Method::DELETE, &path)
        .key(&other_key)
        .send()
        .await
        .problem(404, "not_found");
    let list = app
        .call(Method::GET, "/v1/services")
        .key(&other_key)
        .send()
        .await;
    assert!(names(list.expect(200)).is_empty());
    let mine = app.get(&path).await;
    assert_eq!(mine.expect(200)["name"], "Servis berkala");
    assert_eq!(mine.body["version"], 1);
}

async fn services_are_filtered_and_paginated(app: TestApp) {
    let kemayoran = location(&app, "Kemayoran").await;
    let bekasi = location(&app, "Bekasi").await;
    let create = |name: &'static str, locations: Value, active: bool| {
        let app = &app;
        async move {
            let mut body = servis_berkala();
            body["name"] = json!(name);
            body["location_ids"] = locations;
            body["active"] = json!(active);
            app.post("/v1/services", body).await.expect(201);
        }
    };
    create("Everywhere", json!([]), true).await;
    create("Kemayoran only", json!([kemayoran]), true).await;
    create("Bekasi only", json!([bekasi]), true).await;
    create("Both", json!([bekasi, kemayoran]), true).await;
    create("Retired", json!([]), false).await;

    let list = |query: String| {
        let app = &app;
        async move {
            let r = app.get(&format!("/v1/services{query}")).await;
            names(r.expect(200))
        }
    };
    assert_eq!(
        list(String::new()).await,
        [
            "Everywhere",
            "Kemayoran only",
            "Bekasi only",
            "Both",
            "Retired"
        ]
    );
    assert_eq!(
        list(format!("?location_id={kemayoran}")).await,
        ["Everywhere", "Kemayoran only", "Both", "Retired"]
    );
    assert_eq!(
        list(format!("?location_id={bekasi}&active=true")).await,
        ["Everywhere", "Bekasi only", "Both"]
    );
    assert_eq!(list("?active=false".into()).await, ["Retired"]);
    // A location nobody lists still gets the services offered everywhere.
    assert_eq!(
        list(format!("?location_id={}", uuid::Uuid::now_v7())).await,
        ["Everywhere", "Retired"]
    );

    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/services?location_id={kemayoran}&limit=1");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path).await;
        let body = page.expect(200);
        assert_eq!(body["items"].as_array().unwrap().len(), 1);
        seen.extend(names(body));
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["Everywhere", "Kemayoran only", "Both", "Retired"]);

    for (query, field) in [
        ("?location_id=kemayoran", "location_id"),
        ("?active=1x", "active"),
        ("?limit=many", "limit"),
    ] {
        let r = app.get(&format!("/v1/services{query}")).await;
        assert_eq!(r.problem(400, "invalid_query")["field"], field, "{query}");
    }
    app.get("/v1/services?limit=201")
        .await
        .problem(400, "invalid_limit");
}
