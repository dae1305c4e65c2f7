//! Money as people read it: every amount in a response also carries `display` in the
//! organization's locale (`Rp50.000`, `IDR 50,000`), and problems name amounts that way.

use serde_json::json;

use crate::fixtures::dealer;
use crate::helpers::TestApp;
use crate::on_both_backends;
use crate::policies::sinar;
use crate::reschedule::{at, book};

on_both_backends!(
    quotes_and_fees_show_rupiah_as_indonesians_write_them,
    fee_changed_names_amounts_as_people_read_them,
);

async fn quotes_and_fees_show_rupiah_as_indonesians_write_them(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    // 71 h before: IDR 50,000 (5000000 minor units, two digits as in ISO 4217).
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let to_13 = json!({"start": "2026-11-30T13:00:00+07:00", "reason_category": "illness"});
    let path = format!("/v1/appointments/{id}/reschedule");
    let q = app.post(&format!("{path}-quote"), to_13.clone()).await;
    let q = q.expect(200).clone();
    assert_eq!(
        q["fee"],
        json!({"amount": 5_000_000, "currency": "IDR", "display": "Rp50.000"})
    );
    assert_eq!(q["assessed_fee"]["display"], "Rp50.000");

    // The times a move could take carry their fee shown the same way.
    let slots = app
        .get(&format!(
            "/v1/appointments/{id}/availability?from=2026-11-30T00:00:00%2B07:00&to=2026-12-01T00:00:00%2B07:00"
        ))
        .await;
    let slots = slots.expect(200).clone();
    let first = &slots["slots"][0];
    assert!(
        first["fee"]["display"].as_str().unwrap().starts_with("Rp"),
        "{first}"
    );

    // The client sends the quote's fee back as it came (with `display`): accepted.
    let mut commit = to_13.clone();
    commit["accepted_fee"] = q["fee"].clone();
    let moved = app.post(&path, commit).await;
    let fee = moved.expect(200)["fee"].clone();
    assert_eq!(
        (&fee["amount"], &fee["display"]),
        (&json!(5_000_000), &json!("Rp50.000"))
    );
    let ledger = app.get("/v1/fees").await;
    assert_eq!(ledger.expect(200)["items"][0]["display"], "Rp50.000");

    // An English-speaking organization reads the same amount its own way.
    app.patch("/v1/organization", json!({"locale": "en"}))
        .await
        .expect(200);
    let one = app
        .get(&format!("/v1/fees/{}", fee["id"].as_str().unwrap()))
        .await;
    assert_eq!(one.expect(200)["display"], "IDR 50,000");
    // 27 h before the new 13:00: the 24 h tier again.
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let q = app
        .post(
            &format!("{path}-quote"),
            json!({"start": "2026-11-30T15:00:00+07:00", "reason_category": "illness"}),
        )
        .await;
    assert_eq!(q.expect(200)["fee"]["display"], "IDR 50,000");
}

async fn fee_changed_names_amounts_as_people_read_them(app: TestApp) {
    let d = dealer(&app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    let id = book(&app, &d, "2026-11-30T09:00:00+07:00").await;
    app.clock.set(at("2026-11-29T10:00:00+07:00"));
    let r = app
        .post(
            &format!("/v1/appointments/{id}/reschedule"),
            json!({
                "start": "2026-11-30T13:00:00+07:00", "reason_category": "illness",
                "accepted_fee": {"amount": 5_000_000, "currency": "IDR"}
            }),
        )
        .await;
    let p = r.problem(409, "fee_changed");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("Rp150.000") && detail.contains("Rp50.000"),
        "{detail}"
    );
    assert!(!detail.contains("minor units"), "{detail}");
    assert_eq!(p["data"]["quote"]["fee"]["display"], "Rp150.000");
}
