//! Resources: service bays, service advisors and others, each at one location.

use actix_web::http::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;
use janji::domain::Role;

on_both_backends!(
    resource_lifecycle,
    bad_resources_are_refused_and_write_nothing,
    bad_resource_changes_are_refused_and_change_nothing,
    resource_writes_need_an_admin,
    other_organizations_resources_are_not_found,
    resources_are_filtered_and_paginated,
    resources_listed_by_a_service_are_protected,
);

/// A location with weekday hours; returns its id.
pub async fn location(app: &TestApp, name: &str) -> String {
    let r = app
        .post(
            "/v1/locations",
            json!({
                "name": name,
                "time_zone": "Asia/Jakarta",
                "weekly_hours": {"mon": [{"start": "08:00", "end": "16:00"}]}
            }),
        )
        .await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

/// A resource of `kind` at `location_id`; returns its id.
pub async fn resource(app: &TestApp, location_id: &str, name: &str, kind: &str) -> String {
    let r = app
        .post(
            "/v1/resources",
            json!({"location_id": location_id, "name": name, "kind": kind}),
        )
        .await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

fn names(list: &Value) -> Vec<&str> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

async fn resource_lifecycle(app: TestApp) {
    let loc = location(&app, "Sinar Motor Kemayoran").await;
    let created = app
        .post(
            "/v1/resources",
            json!({"location_id": loc, "name": "  Bay 1 ", "kind": "service_bay"}),
        )
        .await;
    let bay = created.expect(201).clone();
    let id = bay["id"].as_str().unwrap();
    let path = format!("/v1/resources/{id}");
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.header("etag"), Some("\"1\""));
    assert_eq!(bay["location_id"], loc.as_str());
    assert_eq!(bay["name"], "Bay 1", "names are trimmed");
    assert_eq!(bay["kind"], "service_bay");
    assert_eq!(bay["weekly_hours"], Value::Null, "follows the location");
    assert_eq!(bay["active"], true);
    assert_eq!(bay["version"], 1);

    let got = app.get(&path).await;
    assert_eq!(got.header("etag"), Some("\"1\""));
    assert_eq!(got.body, bay);

    let changed = app
        .call(Method::PATCH, &path)
        .header("if-match", "\"1\"")
        .json(json!({
            "name": "Advisor Rina",
            "kind": "service_advisor",
            "weekly_hours": {"tue": [{"start": "13:00", "end": "17:00"}, {"start": "08:00", "end": "12:00"}]},
            "active": false
        }))
        .send()
        .await;
    assert_eq!(changed.header("etag"), Some("\"2\""));
    let changed = changed.expect(200);
    assert_eq!(changed["name"], "Advisor Rina");
    assert_eq!(changed["kind"], "service_advisor");
    assert_eq!(changed["weekly_hours"]["tue"][0]["start"], "08:00");
    assert_eq!(changed["active"], false);
    assert_eq!(changed["location_id"], loc.as_str());
    assert_eq!(changed["version"], 2);

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

    // `null` hands the hours back to the location; absent fields stay.
    let cleared = app.patch(&path, json!({"weekly_hours": null})).await;
    let cleared = cleared.expect(200);
    assert_eq!(cleared["weekly_hours"], Value::Null);
    assert_eq!(cleared["name"], "Advisor Rina");
    assert_eq!(cleared["version"], 3);

    // The resource's own closure goes with it; the location's stays.
    let closures = format!("/v1/locations/{loc}/closures");
    app.post(
        &closures,
        json!({"date": "2026-12-01", "reason": "Cuti", "resource_id": id}),
    )
    .await
    .expect(201);
    app.post(
        &closures,
        json!({"date": "2026-12-25", "reason": "Hari Raya Natal"}),
    )
    .await
    .expect(201);
    app.delete(&format!("/v1/locations/{loc}"))
        .await
        .problem(409, "location_in_use");

    app.call(Method::DELETE, &path)
        .header("if-match", "\"2\"")
        .send()
        .await
        .problem(412, "version_mismatch");
    app.call(Method::DELETE, &path)
        .header("if-match", "\"3\"")
        .send()
        .await
        .expect(204);
    app.get(&path).await.problem(404, "not_found");
    app.delete(&path).await.problem(404, "not_found");
    assert_eq!(count_rows(&app, "closures"), 1);
    app.get("/v1/resources/not-a-uuid")
        .await
        .problem(404, "not_found");
    app.delete(&format!("/v1/locations/{loc}"))
        .await
        .expect(204);
}

async fn bad_resources_are_refused_and_write_nothing(app: TestApp) {
    let loc = location(&app, "Cabang").await;
    let (_, other_key) = app.other_org();
    let theirs = app
        .call(Method::POST, "/v1/locations")
        .key(&other_key)
        .json(json!({"name": "Theirs"}))
        .send()
        .await;
    let theirs = theirs.expect(201)["id"].as_str().unwrap().to_owned();
    let ok = json!({"location_id": loc, "name": "Bay 1", "kind": "service_bay"});
    let with = |field: &str, value: Value| {
        let mut body = ok.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = ok.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        (
            with("location_id", json!(uuid::Uuid::now_v7())),
            422,
            "location_not_found",
            "location_id",
        ),
        (
            with("location_id", json!(theirs)),
            422,
            "location_not_found",
            "location_id",
        ),
        (
            with("location_id", json!("kemayoran")),
            400,
            "invalid_field",
            "location_id",
        ),
        (with("name", json!("   ")), 422, "required", "name"),
        (
            with("name", json!("x".repeat(201))),
            422,
            "too_long",
            "name",
        ),
        (with("kind", json!("lift")), 400, "invalid_field", "kind"),
        (with("active", json!("yes")), 400, "invalid_field", "active"),
        (
            with(
                "weekly_hours",
                json!({"mon": [{"start": "12:00", "end": "08:00"}]}),
            ),
            422,
            "invalid_interval",
            "weekly_hours.mon[0]",
        ),
        (
            with(
                "weekly_hours",
                json!({"sat": [{"start": "08:00", "end": "12:00"}, {"start": "11:00", "end": "13:00"}]}),
            ),
            422,
            "overlapping_intervals",
            "weekly_hours.sat[1]",
        ),
        (
            with("weekly_hours", json!({"monday": []})),
            400,
            "unknown_field",
            "weekly_hours.monday",
        ),
        (
            with("organization_id", json!("x")),
            400,
            "unknown_field",
            "organization_id",
        ),
        (without("kind"), 400, "invalid_field", "."),
        (without("location_id"), 400, "invalid_field", "."),
    ];
    for (body, status, code, field) in cases {
        let r = app.post("/v1/resources", body.clone()).await;
        let p = r.problem(status, code);
        if field != "." {
            assert_eq!(p["field"], field, "{body}");
        }
    }
    assert_eq!(count_rows(&app, "resources"), 0);
    // The name may be exactly 200 characters.
    app.post("/v1/resources", with("name", json!("x".repeat(200))))
        .await
        .expect(201);
}

async fn bad_resource_changes_are_refused_and_change_nothing(app: TestApp) {
    let loc = location(&app, "Cabang").await;
    let other_loc = location(&app, "Cabang 2").await;
    let id = resource(&app, &loc, "Bay 1", "service_bay").await;
    let path = format!("/v1/resources/{id}");
    let cases = [
        (json!({"location_id": other_loc}), 400, "unknown_field"),
        (json!({"version": 7}), 400, "unknown_field"),
        (json!({"name": ""}), 422, "required"),
        (json!({"kind": "lift"}), 400, "invalid_field"),
        (json!({"active": null}), 200, ""),
        (
            json!({"weekly_hours": {"wed": [{"start": "10:00", "end": "10:00"}]}}),
            422,
            "invalid_interval",
        ),
    ];
    for (body, status, code) in cases {
        let r = app.patch(&path, body.clone()).await;
        if status == 200 {
            // `active: null` is simply "no change".
            assert_eq!(r.expect(200)["active"], true, "{body}");
        } else {
            r.problem(status, code);
        }
    }
    let now = app.get(&path).await;
    let now = now.expect(200);
    assert_eq!(now["location_id"], loc.as_str());
    assert_eq!(now["name"], "Bay 1");
    assert_eq!(now["weekly_hours"], Value::Null);
    assert_eq!(
        now["version"], 1,
        "nothing was written, not even the no-op change"
    );
}

async fn resource_writes_need_an_admin(app: TestApp) {
    let loc = location(&app, "Cabang").await;
    let id = resource(&app, &loc, "Bay 1", "service_bay").await;
    let path = format!("/v1/resources/{id}");
    let staff = app.key(Role::Staff);
    let integration = app.key(Role::Integration);
    for key in [&staff, &integration] {
        app.call(Method::POST, "/v1/resources")
            .key(key)
            .json(json!({"location_id": loc, "name": "Bay 2", "kind": "service_bay"}))
            .send()
            .await
            .problem(403, "forbidden");
        app.call(Method::PATCH, &path)
            .key(key)
            .json(json!({"name": "Renamed"}))
            .send()
            .await
            .problem(403, "forbidden");
        app.call(Method::DELETE, &path)
            .key(key)
            .send()
            .await
            .problem(403, "forbidden");
        let list = app.call(Method::GET, "/v1/resources").key(key).send().await;
        assert_eq!(names(list.expect(200)), ["Bay 1"]);
        let one = app.call(Method::GET, &path).key(key).send().await;
        assert_eq!(one.expect(200)["version"], 1);
    }
    assert_eq!(count_rows(&app, "resources"), 1);
}

async fn other_organizations_resources_are_not_found(app: TestApp) {
    let loc = location(&app, "Mine").await;
    let id = resource(&app, &loc, "Bay 1", "service_bay").await;
    let path = format!("/v1/resources/{id}");
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
        .call(Method::GET, &format!("/v1/resources?location_id={loc}"))
        .key(&other_key)
        .send()
        .await;
    assert!(names(list.expect(200)).is_empty());
    // Nor can they put a resource at my location.
    let r = app
        .call(Method::POST, "/v1/resources")
        .key(&other_key)
        .json(json!({"location_id": loc, "name": "Sneaky", "kind": "other"}))
        .send()
        .await;
    assert_eq!(r.problem(422, "location_not_found")["field"], "location_id");
    let mine = app.get(&path).await;
    assert_eq!(mine.expect(200)["name"], "Bay 1");
    assert_eq!(mine.body["version"], 1);
    assert_eq!(count_rows(&app, "resources"), 1);
}

async fn resources_are_filtered_and_paginated(app: TestApp) {
    let kemayoran = location(&app, "Kemayoran").await;
    let bekasi = location(&app, "Bekasi").await;
    resource(&app, &kemayoran, "K Bay 1", "service_bay").await;
    resource(&app, &kemayoran, "K Bay 2", "service_bay").await;
    let rina = resource(&app, &kemayoran, "K Rina", "service_advisor").await;
    resource(&app, &bekasi, "B Bay 1", "service_bay").await;
    resource(&app, &bekasi, "B Lift", "other").await;
    app.patch(&format!("/v1/resources/{rina}"), json!({"active": false}))
        .await
        .expect(200);

    let list = |query: String| {
        let app = &app;
        async move {
            let r = app.get(&format!("/v1/resources{query}")).await;
            let body = r.expect(200).clone();
            names(&body)
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        list(String::new()).await,
        ["K Bay 1", "K Bay 2", "K Rina", "B Bay 1", "B Lift"],
        "creation order"
    );
    assert_eq!(
        list(format!("?location_id={kemayoran}")).await,
        ["K Bay 1", "K Bay 2", "K Rina"]
    );
    assert_eq!(
        list("?kind=service_bay".into()).await,
        ["K Bay 1", "K Bay 2", "B Bay 1"]
    );
    assert_eq!(list("?active=false".into()).await, ["K Rina"]);
    assert_eq!(
        list(format!("?location_id={kemayoran}&active=true")).await,
        ["K Bay 1", "K Bay 2"]
    );
    assert_eq!(
        list(format!("?location_id={bekasi}&kind=other")).await,
        ["B Lift"]
    );
    assert!(
        list(format!("?location_id={}", uuid::Uuid::now_v7()))
            .await
            .is_empty()
    );

    // Pages of two follow the same order, with the filters kept.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/v1/resources?kind=service_bay&limit=2".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path).await;
        let body = page.expect(200);
        assert!(body["items"].as_array().unwrap().len() <= 2);
        seen.extend(names(body).into_iter().map(str::to_owned));
        match body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ["K Bay 1", "K Bay 2", "B Bay 1"]);

    for (query, field) in [
        ("?kind=lift", "kind"),
        ("?active=maybe", "active"),
        ("?location_id=kemayoran", "location_id"),
    ] {
        let r = app.get(&format!("/v1/resources{query}")).await;
        assert_eq!(r.problem(400, "invalid_query")["field"], field, "{query}");
    }
    app.get("/v1/resources?limit=0")
        .await
        .problem(400, "invalid_limit");
    app.get("/v1/resources?cursor=forged")
        .await
        .problem(400, "invalid_cursor");
}

async fn resources_listed_by_a_service_are_protected(app: TestApp) {
    let loc = location(&app, "Cabang").await;
    let bay = resource(&app, &loc, "Bay 1", "service_bay").await;
    let rina = resource(&app, &loc, "Rina", "service_advisor").await;
    let service = app
        .post(
            "/v1/services",
            json!({
                "name": "Servis berkala",
                "duration_minutes": 60,
                "resource_kinds": ["service_bay", "service_advisor"],
                "resource_ids": [bay]
            }),
        )
        .await;
    let service_id = service.expect(201)["id"].as_str().unwrap().to_owned();
    let bay_path = format!("/v1/resources/{bay}");

    let r = app.delete(&bay_path).await;
    let body = r.problem(409, "resource_in_use");
    assert!(body["detail"].as_str().unwrap().contains("Servis berkala"));
    assert_eq!(
        body["data"]["services"],
        json!([{"id": service_id, "name": "Servis berkala"}])
    );
    let r = app.patch(&bay_path, json!({"kind": "other"})).await;
    assert_eq!(
        r.problem(409, "resource_in_use")["data"]["services"],
        json!([{"id": service_id, "name": "Servis berkala"}])
    );
    // A kind the service also requires is fine, and so are other changes.
    let moved = app
        .patch(&bay_path, json!({"kind": "service_advisor"}))
        .await;
    assert_eq!(moved.expect(200)["kind"], "service_advisor");
    app.patch(&bay_path, json!({"kind": "service_bay", "active": false}))
        .await
        .expect(200);
    // Resources the service does not list are free to go.
    app.delete(&format!("/v1/resources/{rina}"))
        .await
        .expect(204);

    app.patch(
        &format!("/v1/services/{service_id}"),
        json!({"resource_ids": []}),
    )
    .await
    .expect(200);
    assert_eq!(count_rows(&app, "service_resources"), 0);
    app.delete(&bay_path).await.expect(204);
    assert_eq!(count_rows(&app, "resources"), 0);
}
