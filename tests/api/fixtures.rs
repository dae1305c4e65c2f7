//! A dealer set up through the API: Sinar Motor, Jakarta, two bays and two advisors.

use serde_json::{Value, json};

use crate::helpers::TestApp;

pub struct Dealer {
    pub location: String,
    pub bays: Vec<String>,
    pub advisors: Vec<String>,
    /// "Servis berkala": 60 minutes, a bay and an advisor, 10 minutes buffer after.
    pub service: String,
    /// "Ganti oli": 30 minutes, a bay.
    pub oil: String,
    pub customer: String,
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

pub async fn dealer(app: &TestApp) -> Dealer {
    let day = json!([{"start": "08:00", "end": "12:00"}, {"start": "13:00", "end": "16:00"}]);
    let location = app
        .post(
            "/v1/locations",
            json!({
                "name": "Sinar Motor Kemayoran",
                "time_zone": "Asia/Jakarta",
                "weekly_hours": {"mon": day, "tue": day, "wed": day, "thu": day, "fri": day,
                                  "sat": [{"start": "08:00", "end": "13:00"}]}
            }),
        )
        .await;
    let location = id(location.expect(201));
    let mut bays = vec![];
    let mut advisors = vec![];
    for (name, kind) in [
        ("Bay 1", "service_bay"),
        ("Bay 2", "service_bay"),
        ("Andi", "service_advisor"),
        ("Sari", "service_advisor"),
    ] {
        let r = app
            .post(
                "/v1/resources",
                json!({"location_id": location, "name": name, "kind": kind}),
            )
            .await;
        let rid = id(r.expect(201));
        if kind == "service_bay" {
            bays.push(rid)
        } else {
            advisors.push(rid)
        }
    }
    let service = app
        .post(
            "/v1/services",
            json!({"name": "Servis berkala", "duration_minutes": 60, "buffer_after_minutes": 10,
                   "resource_kinds": ["service_bay", "service_advisor"]}),
        )
        .await;
    let oil = app
        .post(
            "/v1/services",
            json!({"name": "Ganti oli", "duration_minutes": 30, "resource_kinds": ["service_bay"]}),
        )
        .await;
    let customer = app
        .post("/v1/customers", json!({"name": "Budi Santoso", "phone": "+6281234567890", "external_ref": "wa-6281234567890"}))
        .await;
    Dealer {
        location,
        bays,
        advisors,
        service: id(service.expect(201)),
        oil: id(oil.expect(201)),
        customer: id(customer.expect(201)),
    }
}

impl Dealer {
    /// The booking use case's command: `service` at `start` (RFC 3339) for the dealer's
    /// customer, in person, the resources left to the server.
    pub fn book_command(&self, service: &str, start: &str) -> janji::app::booking::BookAppointment {
        janji::app::booking::BookAppointment {
            location_id: self.location.clone(),
            service_id: service.to_owned(),
            start: chrono::DateTime::parse_from_rfc3339(start)
                .expect("an RFC 3339 start")
                .to_utc(),
            customer: janji::app::booking::CustomerRef::Id(self.customer.clone()),
            resource_id: None,
            channel: janji::domain::Channel::InPerson,
            notes: None,
            external_ref: None,
            vehicle_id: None,
        }
    }

    pub fn booking(&self, start: &str) -> Value {
        json!({"location_id": self.location, "service_id": self.service, "start": start, "customer_id": self.customer})
    }

    pub fn availability(&self, from: &str, to: &str) -> String {
        format!(
            "/v1/availability?location_id={}&service_id={}&from={}&to={}",
            self.location,
            self.service,
            from.replace('+', "%2B"),
            to.replace('+', "%2B")
        )
    }
}
