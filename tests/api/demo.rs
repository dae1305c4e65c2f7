//! `janji demo`: the seeded dealer is a separate organization whose data reads back
//! through the API with the admin key it printed.

use serde_json::Value;

use crate::helpers::{TestApp, default_now};
use crate::on_both_backends;
use janji::demo::{self, DemoSummary};

on_both_backends!(
    demo_dealer_reads_back_through_the_api,
    seeding_twice_makes_two_dealers
);

fn seed(app: &TestApp) -> DemoSummary {
    let mut conn = app.state.db.pool().get().unwrap();
    demo::seed(&mut conn, default_now()).expect("seed the demo")
}

fn items(list: &Value) -> &Vec<Value> {
    list["items"].as_array().unwrap()
}

fn names(list: &Value) -> Vec<&str> {
    items(list)
        .iter()
        .map(|i| i["name"].as_str().unwrap())
        .collect()
}

async fn demo_dealer_reads_back_through_the_api(app: TestApp) {
    let demo = seed(&app);
    let key = demo.created.admin_key.clone();
    let get = |path: &str| {
        app.call(actix_web::http::Method::GET, path)
            .key(&key)
            .send()
    };

    let org = get("/v1/organization").await;
    let org = org.expect(200);
    assert_eq!(org["id"], demo.created.organization.id.as_str());
    assert_eq!(org["name"], "Sinar Motor");
    assert_eq!(org["time_zone"], "Asia/Jakarta");
    assert_eq!(org["locale"], "id");
    assert_eq!(org["currency"], "IDR");

    let locations = get("/v1/locations").await;
    let locations = locations.expect(200);
    assert_eq!(names(locations), ["Sinar Motor Kemayoran"]);
    let loc = &items(locations)[0];
    assert_eq!(loc["id"], demo.location.id.as_str());
    assert_eq!(loc["time_zone"], "Asia/Jakarta");
    assert!(loc["phone"].as_str().unwrap().starts_with("+6221"));
    let hours = &loc["weekly_hours"];
    assert_eq!(
        hours["mon"],
        serde_json::json!([{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "16:00"}])
    );
    assert_eq!(hours["fri"], hours["mon"]);
    assert_eq!(
        hours["sat"],
        serde_json::json!([{"start": "08:00", "end": "13:00"}])
    );
    assert_eq!(hours["sun"], serde_json::json!([]));

    let resources = get("/v1/resources").await;
    let resources = resources.expect(200);
    assert_eq!(names(resources), ["Bay 1", "Bay 2", "Andi", "Sari"]);
    let kinds: Vec<&str> = items(resources)
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "service_bay",
            "service_bay",
            "service_advisor",
            "service_advisor"
        ]
    );
    assert!(
        items(resources)
            .iter()
            .all(|r| r["location_id"] == loc["id"] && r["active"] == true)
    );

    let services = get("/v1/services").await;
    let services = services.expect(200);
    assert_eq!(
        names(services),
        ["Servis berkala", "Ganti oli", "Konsultasi"]
    );
    let servis = &items(services)[0];
    assert_eq!(servis["duration_minutes"], 60);
    assert_eq!(servis["buffer_after_minutes"], 10);
    assert_eq!(
        servis["resource_kinds"],
        serde_json::json!(["service_bay", "service_advisor"])
    );
    assert_eq!(items(services)[1]["duration_minutes"], 30);
    assert_eq!(
        items(services)[2]["resource_kinds"],
        serde_json::json!(["service_advisor"])
    );
    let at_location = get(&format!("/v1/services?location_id={}", demo.location.id)).await;
    assert_eq!(items(at_location.expect(200)).len(), 3);

    let policies = get("/v1/policies").await;
    let policies = policies.expect(200);
    assert_eq!(names(policies), ["Kebijakan Sinar Motor"]);
    let policy = &items(policies)[0];
    assert_eq!(
        (policy["scope"].as_str(), policy["currency"].as_str()),
        (Some("organization"), Some("IDR"))
    );
    assert_eq!(policy["reschedule"]["fee_tiers"][1]["fee"], 5_000_000);
    assert!(demo.describe().contains(&demo.policy.id));

    let customers = get("/v1/customers").await;
    let customers = customers.expect(200);
    assert_eq!(names(customers).len(), demo.customers.len());
    let budi = get("/v1/customers?external_ref=wa-6281234567890").await;
    let budi = budi.expect(200);
    assert_eq!(names(budi), ["Budi Santoso"]);
    assert_eq!(items(budi)[0]["phone"], "+6281234567890");
    assert_eq!(items(budi)[0]["preferred_channel"], "whatsapp");
    // Budi's motorcycle is found by its plate, typed as the desk hears it.
    let vario = get("/v1/vehicles?plate=b1234xyz").await;
    let vario = vario.expect(200);
    assert_eq!(items(vario)[0]["plate"], "B 1234 XYZ");
    assert_eq!(items(vario)[0]["owner"]["name"], "Budi Santoso");
    assert_eq!(demo.vehicles.len(), 4);
    assert!(demo.describe().contains("B 1234 XYZ (Honda Vario 125)"));
    let siti = get("/v1/customers?q=siti").await;
    let siti = siti.expect(200);
    assert_eq!(items(siti)[0]["preferred_channel"], "email");
    assert!(items(siti)[0]["email"].as_str().unwrap().contains('@'));

    // Public holidays of the coming months as whole local days, none already past.
    let closures = get(&format!(
        "/v1/locations/{}/closures?limit=200",
        demo.location.id
    ))
    .await;
    let closures = closures.expect(200);
    let list = items(closures);
    assert_eq!(list.len(), demo.closures.len());
    assert!(list.len() >= 10, "{closures}");
    let natal = &list[0];
    assert_eq!(natal["reason"], "Hari Raya Natal");
    assert_eq!(natal["starts_at"], "2026-12-24T17:00:00Z");
    assert_eq!(natal["ends_at"], "2026-12-25T17:00:00Z");
    assert!(list.iter().all(|c| c["resource_id"].is_null()));
    let lebaran = list
        .iter()
        .find(|c| c["reason"] == "Hari Raya Idul Fitri 1448 H")
        .expect("Idul Fitri 2027");
    assert_eq!(lebaran["starts_at"], "2027-03-09T17:00:00Z");
    assert_eq!(lebaran["ends_at"], "2027-03-11T17:00:00Z", "two days");

    // The demo is its own organization: the test organization sees none of it.
    let own = app.get("/v1/locations").await;
    assert!(items(own.expect(200)).is_empty());
    app.get(&format!("/v1/locations/{}", demo.location.id))
        .await
        .problem(404, "not_found");

    let summary = demo.describe();
    assert!(summary.contains(&demo.location.id), "{summary}");
    assert!(summary.contains("Servis berkala"), "{summary}");
    assert!(
        !summary.contains(&key),
        "the key is printed once, elsewhere"
    );
}

async fn seeding_twice_makes_two_dealers(app: TestApp) {
    let first = seed(&app);
    let second = seed(&app);
    assert_ne!(
        first.created.organization.id,
        second.created.organization.id
    );
    assert_ne!(first.location.id, second.location.id);
    for demo in [&first, &second] {
        let r = app
            .call(actix_web::http::Method::GET, "/v1/locations")
            .key(&demo.created.admin_key)
            .send()
            .await;
        let ids: Vec<&str> = items(r.expect(200))
            .iter()
            .map(|l| l["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, [demo.location.id.as_str()]);
        let customers = app
            .call(actix_web::http::Method::GET, "/v1/customers")
            .key(&demo.created.admin_key)
            .send()
            .await;
        assert_eq!(items(customers.expect(200)).len(), 4);
    }
}
