//! Vehicles: registered once per plate in an organization, found by plate however it is
//! typed, named by bookings, and kept while appointments are for them.

use actix_web::http::Method;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::dealer;
use crate::helpers::{TestApp, count_rows};
use crate::on_both_backends;

on_both_backends!(
    registering_and_finding_vehicles_by_plate,
    bookings_name_the_customers_vehicle_and_plates_find_them,
    racing_registrations_of_one_plate_register_it_once,
    deleting_vehicles_while_booking_for_them_gives_one_answer,
);

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

async fn customer(app: &TestApp, name: &str, phone: &str) -> String {
    let r = app
        .post("/v1/customers", json!({"name": name, "phone": phone}))
        .await;
    id(r.expect(201))
}

async fn register(app: &TestApp, customer: &str, plate: &str) -> String {
    let r = app
        .post(
            &format!("/v1/customers/{customer}/vehicles"),
            json!({"plate": plate}),
        )
        .await;
    id(r.expect(201))
}

async fn registering_and_finding_vehicles_by_plate(app: TestApp) {
    let d = dealer(&app).await;
    let path = format!("/v1/customers/{}/vehicles", d.customer);
    let r = app
        .post(
            &path,
            json!({"plate": "b1234xyz", "make": "Honda", "model": "Vario 125",
                   "year": 2021, "odometer_km": 12450}),
        )
        .await;
    let v = r.expect(201).clone();
    assert_eq!(v["plate"], "B 1234 XYZ");
    assert_eq!(r.header("etag"), Some("\"1\""));
    let vehicle = id(&v);

    // Plates that are not Indonesian plates, and insane years or odometers.
    for bad in ["1234", "B 12345 XY", "ABC 1 D", "B 1234 WXYZ", ""] {
        let r = app.post(&path, json!({"plate": bad})).await;
        let p = r.problem(422, "invalid_plate");
        assert_eq!(p["field"], "plate");
        assert!(p["detail"].as_str().unwrap().contains("B 1234 XYZ"));
    }
    let r = app
        .post(&path, json!({"plate": "B 1 A", "year": 1850}))
        .await;
    assert_eq!(r.problem(422, "out_of_range")["field"], "year");
    let r = app
        .post(&path, json!({"plate": "B 1 A", "odometer_km": -1}))
        .await;
    assert_eq!(r.problem(422, "out_of_range")["field"], "odometer_km");

    // Another customer cannot register the same plate, typed another way.
    let siti = customer(&app, "Siti Rahma", "+6285712345678").await;
    let r = app
        .post(
            &format!("/v1/customers/{siti}/vehicles"),
            json!({"plate": "B-1234-XYZ"}),
        )
        .await;
    let p = r.problem(409, "plate_taken").clone();
    assert_eq!(
        (
            &p["field"],
            &p["data"]["customer_name"],
            &p["data"]["vehicle_id"]
        ),
        (&json!("plate"), &json!("Budi Santoso"), &json!(vehicle))
    );
    assert!(p["detail"].as_str().unwrap().contains("Budi Santoso"));

    // Found by plate however it is typed, with the owner.
    for typed in ["B1234XYZ", "b 1234 xyz", "B-1234-XYZ"] {
        let r = app
            .get(&format!("/v1/vehicles?plate={}", typed.replace(' ', "%20")))
            .await;
        let found = r.expect(200)["items"].clone();
        assert_eq!(found.as_array().unwrap().len(), 1, "{typed}");
        assert_eq!(found[0]["id"], vehicle.as_str());
        assert_eq!(found[0]["owner"]["name"], "Budi Santoso");
        assert_eq!(found[0]["owner"]["id"], d.customer.as_str());
    }
    let none = app.get("/v1/vehicles?plate=D1A").await;
    assert_eq!(none.expect(200)["items"], json!([]));
    app.get("/v1/vehicles?plate=12")
        .await
        .problem(422, "invalid_plate");
    let theirs = app.get(&path).await;
    assert_eq!(theirs.expect(200)["items"][0]["id"], vehicle.as_str());
    let r = app.get(&format!("/v1/customers/{siti}/vehicles")).await;
    assert_eq!(r.expect(200)["items"], json!([]));

    // The odometer at this visit, under If-Match.
    let one = format!("/v1/vehicles/{vehicle}");
    let r = app
        .call(Method::PATCH, &one)
        .header("if-match", "\"1\"")
        .json(json!({"odometer_km": 13100, "model": null}))
        .send()
        .await;
    let changed = r.expect(200).clone();
    assert_eq!(
        (
            &changed["odometer_km"],
            &changed["model"],
            &changed["version"]
        ),
        (&json!(13100), &Value::Null, &json!(2))
    );
    app.call(Method::PATCH, &one)
        .header("if-match", "\"1\"")
        .json(json!({"odometer_km": 13200}))
        .send()
        .await
        .problem(412, "version_mismatch");
    // Only an object is a change (serde would read an array field by field).
    let r = app.patch(&one, json!([null, null])).await;
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(app.get(&one).await.expect(200)["version"], 2);
    // Siti's own vehicle cannot take Budi's plate either.
    let hers = register(&app, &siti, "B 99 SR").await;
    app.patch(
        &format!("/v1/vehicles/{hers}"),
        json!({"plate": "b1234xyz"}),
    )
    .await
    .problem(409, "plate_taken");

    // Another organization sees none of it.
    let (_, other_key) = app.other_org();
    let r = app.call(Method::GET, &one).key(&other_key).send().await;
    r.problem(404, "not_found");
    let r = app
        .call(Method::GET, "/v1/vehicles?plate=B1234XYZ")
        .key(&other_key)
        .send()
        .await;
    assert_eq!(r.expect(200)["items"], json!([]));
}

async fn bookings_name_the_customers_vehicle_and_plates_find_them(app: TestApp) {
    let d = dealer(&app).await;
    let vario = register(&app, &d.customer, "B 1234 XYZ").await;
    let siti = customer(&app, "Siti Rahma", "+6285712345678").await;
    let hers = register(&app, &siti, "B 5678 KLM").await;

    let mut booking = d.booking("2026-11-30T09:00:00+07:00");
    booking["vehicle_id"] = json!(vario);
    let r = app.post("/v1/appointments", booking.clone()).await;
    let a = r.expect(201).clone();
    assert_eq!(
        (&a["vehicle_id"], &a["plate"]),
        (&json!(vario), &json!("B 1234 XYZ"))
    );

    // Someone else's vehicle, or none at all, is refused naming vehicle_id.
    for other in [
        hers.clone(),
        "0190f0a0-0000-7000-8000-000000000000".to_owned(),
    ] {
        let mut wrong = d.booking("2026-11-30T13:00:00+07:00");
        wrong["vehicle_id"] = json!(other);
        let r = app.post("/v1/appointments", wrong).await;
        assert_eq!(
            r.problem(422, "vehicle_not_customers")["field"],
            "vehicle_id"
        );
    }
    assert_eq!(count_rows(&app, "appointments"), 1);

    // The appointment list by plate, typed any way.
    for typed in ["B1234XYZ", "b-1234-xyz"] {
        let r = app.get(&format!("/v1/appointments?plate={typed}")).await;
        let items = r.expect(200)["items"].clone();
        assert_eq!(items.as_array().unwrap().len(), 1, "{typed}");
        assert_eq!(items[0]["id"], a["id"]);
        assert_eq!(items[0]["plate"], "B 1234 XYZ");
    }
    let r = app.get("/v1/appointments?plate=B5678KLM").await;
    assert_eq!(r.expect(200)["items"], json!([]));
    app.get("/v1/appointments?plate=XYZ")
        .await
        .problem(422, "invalid_plate");

    // A vehicle appointments are for stays (their history); an unused one can go.
    app.delete(&format!("/v1/vehicles/{vario}"))
        .await
        .problem(409, "vehicle_in_use");
    let r = app.delete(&format!("/v1/vehicles/{hers}")).await;
    assert_eq!(r.status, 204);
    app.get(&format!("/v1/vehicles/{hers}"))
        .await
        .problem(404, "not_found");
}

/// Ten customers register one plate at once: one vehicle, and every other answer names
/// its owner. On PostgreSQL the unique index decides; the losers run again and find the
/// winner.
async fn racing_registrations_of_one_plate_register_it_once(app: TestApp) {
    let mut people = vec![];
    for i in 0..10 {
        people.push(
            customer(
                &app,
                &format!("Pengendara {i}"),
                &format!("+62812555000{i:02}"),
            )
            .await,
        );
    }
    let requests = people.iter().map(|c| {
        app.call(Method::POST, &format!("/v1/customers/{c}/vehicles"))
            .json(json!({"plate": "AB 1 CD"}))
            .send()
    });
    let responses = join_all(requests).await;
    let winners: Vec<_> = responses.iter().filter(|r| r.status == 201).collect();
    assert_eq!(winners.len(), 1);
    let owner = winners[0].body["customer_id"].clone();
    for r in responses.iter().filter(|r| r.status != 201) {
        let p = r.problem(409, "plate_taken");
        assert_eq!(p["data"]["customer_id"], owner);
    }
    assert_eq!(count_rows(&app, "vehicles"), 1);
}

/// Deletes of vehicles race bookings that name them: each pair ends in one of the two
/// serial orders, and no appointment is left naming a vehicle that is gone.
async fn deleting_vehicles_while_booking_for_them_gives_one_answer(app: TestApp) {
    let d = dealer(&app).await;
    let mut pairs = vec![];
    for (i, day) in (7..=11).enumerate() {
        for hour in ["08", "09"] {
            let v = register(&app, &d.customer, &format!("B {}{hour} XX", i + 1)).await;
            pairs.push((v, format!("2026-12-{day:02}T{hour}:00:00+07:00")));
        }
    }
    let requests = pairs.iter().enumerate().flat_map(|(i, (vehicle, start))| {
        let mut booking = d.booking(start);
        booking["vehicle_id"] = json!(vehicle);
        let delete = app
            .call(Method::DELETE, &format!("/v1/vehicles/{vehicle}"))
            .send();
        let book = app
            .call(Method::POST, "/v1/appointments")
            .json(booking)
            .send();
        if i % 2 == 0 {
            [delete, book]
        } else {
            [book, delete]
        }
    });
    let responses = join_all(requests).await;
    let mut deleted = 0;
    for (i, ((vehicle, _), pair)) in pairs.iter().zip(responses.chunks(2)).enumerate() {
        let (delete, booking) = if i % 2 == 0 {
            (&pair[0], &pair[1])
        } else {
            (&pair[1], &pair[0])
        };
        let exists = count_rows(&app, &format!("vehicles WHERE id = '{vehicle}'"));
        let booked = count_rows(
            &app,
            &format!("appointments WHERE vehicle_id = '{vehicle}'"),
        );
        match (delete.status.as_u16(), booking.status.as_u16()) {
            (204, 422) => {
                assert_eq!(booking.body["code"], "vehicle_not_customers");
                assert_eq!((exists, booked), (0, 0));
                deleted += 1;
            }
            (409, 201) => {
                assert_eq!(delete.body["code"], "vehicle_in_use");
                assert_eq!((exists, booked), (1, 1));
            }
            (a, b) => panic!("not one of the two orders for {vehicle}: {a} {b}"),
        }
    }
    assert_eq!(count_rows(&app, "vehicles"), 10 - deleted);
}
