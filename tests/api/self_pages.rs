//! The pages a customer's link opens (`/a/{token}`): server-rendered HTML on the same
//! use cases as the JSON API (docs/self-service.md, "The pages").

use actix_web::http::Method;
use serde_json::json;

use crate::fixtures::{Dealer, dealer};
use crate::helpers::{Resp, TestApp};
use crate::on_both_backends;
use crate::policies::sinar;
use crate::reschedule::{at, book};
use crate::self_service::link;

on_both_backends!(
    the_page_shows_the_appointment_in_both_languages_with_strict_headers,
    a_dead_link_is_a_page_a_customer_understands,
    the_stylesheet_is_served_cacheable_from_the_binary,
    confirming_by_the_form_confirms_once,
    a_form_without_the_pages_own_field_changes_nothing,
    a_form_from_another_site_changes_nothing,
    a_stale_form_explains_that_the_appointment_changed,
    names_are_escaped,
    a_customer_moves_to_a_listed_time_seeing_and_paying_its_fee,
    another_day_and_a_refused_time_are_explained,
    after_a_no_show_the_pages_rebook,
    a_customer_cancels_by_the_page_and_the_link_dies,
    the_calendar_file_keeps_its_uid_across_a_move,
    the_pages_share_the_links_rate_limit,
);

/// A booked appointment on Monday 09:00 WIB under the Sinar policy, with the location's
/// address and phone; its link.
async fn booked(app: &TestApp) -> (Dealer, String, String) {
    let d = dealer(app).await;
    app.post("/v1/policies", sinar()).await.expect(201);
    app.patch(
        &format!("/v1/locations/{}", d.location),
        json!({"address": "Jl. Industri Raya No. 5, Jakarta", "phone": "+62215550123"}),
    )
    .await
    .expect(200);
    let id = book(app, &d, "2026-11-30T09:00:00+07:00").await;
    let t = link(app, &id).await;
    (d, id, t)
}

async fn get(app: &TestApp, path: &str) -> Resp {
    app.call(Method::GET, path).no_key().send().await
}

fn text(r: &Resp) -> String {
    String::from_utf8(r.bytes.clone()).unwrap()
}

/// The value of the hidden field `name` in a page's form.
fn field(page: &str, name: &str) -> Option<String> {
    let at = page.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &page[at + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_owned())
}

/// Posts a form (urlencoded) as the browser would, from the page itself.
async fn post_form(app: &TestApp, path: &str, form: &[(&str, &str)]) -> Resp {
    let body = serde_urlencoded::to_string(form).unwrap();
    app.call(Method::POST, path)
        .no_key()
        .header("sec-fetch-site", "same-origin")
        .header("origin", "null")
        .raw("application/x-www-form-urlencoded", body)
        .send()
        .await
}

async fn status_of(app: &TestApp, id: &str) -> (String, i64) {
    let v = app.get(&format!("/v1/appointments/{id}")).await;
    let v = v.expect(200);
    (
        v["status"].as_str().unwrap().to_owned(),
        v["version"].as_i64().unwrap(),
    )
}

#[track_caller]
fn assert_page_headers(r: &Resp) {
    for (h, want) in [
        ("cache-control", "no-store"),
        ("referrer-policy", "no-referrer"),
        ("x-robots-tag", "noindex"),
        ("x-content-type-options", "nosniff"),
        ("content-type", "text/html; charset=utf-8"),
    ] {
        assert_eq!(r.header(h), Some(want), "{h}");
    }
    let csp = r.header("content-security-policy").unwrap();
    for part in [
        "default-src 'none'",
        "style-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
    ] {
        assert!(csp.contains(part), "{csp}");
    }
    assert!(!csp.contains("script-src"), "{csp}");
}

async fn the_page_shows_the_appointment_in_both_languages_with_strict_headers(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let r = get(&app, &format!("/a/{t}")).await;
    assert_eq!(r.status, 200);
    assert_page_headers(&r);
    let page = text(&r);
    for want in [
        "<html lang=\"id\">",
        "Senin, 30 November 2026, 09.00 WIB",
        "Servis berkala",
        "Sinar Motor Kemayoran",
        "Jl. Industri Raya No. 5, Jakarta",
        "href=\"tel:+62215550123\"",
        "Terjadwal, belum dikonfirmasi",
        "Perubahan jadwal gratis dengan pemberitahuan 72 jam.",
        "Ya, saya akan datang",
        &format!("href=\"/a/{t}?lang=en\""),
        &format!("action=\"/a/{t}/confirm?lang=id\""),
        "/a/static/janji.css",
    ] {
        assert!(page.contains(want), "{want} in {page}");
    }
    assert!(!page.contains("<script"), "{page}");
    // Every control has words a screen reader can say.
    assert!(page.contains("<button type=\"submit\">Ya, saya akan datang</button>"));

    let r = get(&app, &format!("/a/{t}?lang=en")).await;
    assert_page_headers(&r);
    let page = text(&r);
    for want in [
        "<html lang=\"en\">",
        "Monday, 30 November 2026, 09:00 WIB",
        "Booked, not yet confirmed",
        "Yes, I will come",
        &format!("action=\"/a/{t}/confirm?lang=en\""),
        &format!("href=\"/a/{t}?lang=id\""),
    ] {
        assert!(page.contains(want), "{want} in {page}");
    }
    // Reading changes nothing.
    assert_eq!(status_of(&app, &id).await, ("booked".to_owned(), 1));
}

async fn a_dead_link_is_a_page_a_customer_understands(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let unknown = "A".repeat(43);
    for path in [
        format!("/a/{unknown}"),
        "/a/short".to_owned(),
        format!("/a/{unknown}?lang=en"),
    ] {
        let r = get(&app, &path).await;
        assert_eq!(r.status, 404, "{path}");
        assert_page_headers(&r);
        let page = text(&r);
        assert!(
            page.contains("Tautan tidak berlaku") || page.contains("This link does not work"),
            "{page}"
        );
    }
    // A cancelled appointment's link is dead the same way.
    app.call(Method::POST, &format!("/v1/self/{t}/cancel"))
        .no_key()
        .json(json!({"version": 1, "reason_category": "schedule_change"}))
        .send()
        .await
        .expect(200);
    assert_eq!(status_of(&app, &id).await.0, "cancelled");
    let r = get(&app, &format!("/a/{t}")).await;
    assert_eq!(r.status, 404);
    assert!(text(&r).contains("Tautan tidak berlaku"));
}

async fn the_stylesheet_is_served_cacheable_from_the_binary(app: TestApp) {
    let r = get(&app, "/a/static/janji.css").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/css; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("public, max-age=86400"));
    assert!(text(&r).contains(":focus"));
}

async fn confirming_by_the_form_confirms_once(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let page = text(&get(&app, &format!("/a/{t}?lang=en")).await);
    let version = field(&page, "version").unwrap();
    let token = field(&page, "form_token").unwrap();
    let form = [
        ("version", version.as_str()),
        ("form_token", token.as_str()),
    ];
    let path = format!("/a/{t}/confirm?lang=en");
    let r = post_form(&app, &path, &form).await;
    assert_eq!(r.status, 303);
    assert_page_headers_loose(&r);
    let to = r.header("location").unwrap().to_owned();
    assert_eq!(to, format!("/a/{t}?lang=en&msg=confirmed"));
    assert_eq!(status_of(&app, &id).await, ("confirmed".to_owned(), 2));
    let after = text(&get(&app, &to).await);
    assert!(
        after.contains("Thank you, your visit is confirmed."),
        "{after}"
    );
    assert!(after.contains("Confirmed"));
    assert!(
        !after.contains("Yes, I will come"),
        "nothing left to confirm"
    );

    // The same form again (a double tap, a replay) does nothing more.
    let again = post_form(&app, &path, &form).await;
    assert_eq!(again.status, 303);
    assert_eq!(
        again.header("location"),
        Some(format!("/a/{t}?lang=en&msg=changed").as_str())
    );
    assert_eq!(status_of(&app, &id).await, ("confirmed".to_owned(), 2));
    let history = app.get(&format!("/v1/appointments/{id}/events")).await;
    let confirmed = history.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "confirmed" && e["actor"]["kind"] == "customer_link")
        .count();
    assert_eq!(confirmed, 1);
}

/// A redirect is still a page's answer: kept from caches and referrers.
#[track_caller]
fn assert_page_headers_loose(r: &Resp) {
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert!(r.header("content-security-policy").is_some());
}

async fn a_form_without_the_pages_own_field_changes_nothing(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let page = text(&get(&app, &format!("/a/{t}")).await);
    let good = field(&page, "form_token").unwrap();
    let path = format!("/a/{t}/confirm");
    let wrong = "0".repeat(64);
    let other = link(&app, &id).await;
    let others = field(
        &text(&get(&app, &format!("/a/{other}")).await),
        "form_token",
    )
    .unwrap();
    assert_ne!(others, good, "a field is bound to its link");
    for form in [
        vec![("version", "1")],
        vec![("version", "1"), ("form_token", wrong.as_str())],
        vec![("version", "1"), ("form_token", "")],
        vec![("version", "1"), ("form_token", others.as_str())],
        vec![("version", "2"), ("form_token", good.as_str())],
        vec![("form_token", good.as_str())],
        vec![],
    ] {
        let r = post_form(&app, &path, &form).await;
        assert_eq!(r.status, 403, "{form:?}");
        assert_page_headers(&r);
        assert!(text(&r).contains("Tidak ada yang diubah."), "{form:?}");
    }
    // A JSON body is not a form either.
    let r = app
        .call(Method::POST, &path)
        .no_key()
        .json(json!({"version": 1, "form_token": good}))
        .send()
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(status_of(&app, &id).await, ("booked".to_owned(), 1));
}

async fn a_form_from_another_site_changes_nothing(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let page = text(&get(&app, &format!("/a/{t}")).await);
    let token = field(&page, "form_token").unwrap();
    let body =
        serde_urlencoded::to_string([("version", "1"), ("form_token", token.as_str())]).unwrap();
    let path = format!("/a/{t}/confirm");
    for (h, v) in [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
        ("origin", "https://evil.example"),
    ] {
        let r = app
            .call(Method::POST, &path)
            .no_key()
            .header(h, v)
            .raw("application/x-www-form-urlencoded", body.clone())
            .send()
            .await;
        assert_eq!(r.status, 403, "{h}: {v}");
    }
    assert_eq!(status_of(&app, &id).await, ("booked".to_owned(), 1));
}

async fn a_stale_form_explains_that_the_appointment_changed(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let page = text(&get(&app, &format!("/a/{t}")).await);
    let token = field(&page, "form_token").unwrap();
    // The appointment changes while the page is open (confirmed elsewhere).
    app.call(Method::POST, &format!("/v1/self/{t}/confirm"))
        .no_key()
        .json(json!({"version": 1}))
        .send()
        .await
        .expect(200);
    let before = status_of(&app, &id).await;
    let r = post_form(
        &app,
        &format!("/a/{t}/confirm"),
        &[("version", "1"), ("form_token", token.as_str())],
    )
    .await;
    assert_eq!(r.status, 303);
    let to = r.header("location").unwrap().to_owned();
    assert_eq!(to, format!("/a/{t}?msg=changed"));
    let fresh = text(&get(&app, &to).await);
    assert!(
        fresh.contains("Janji temu ini baru saja berubah."),
        "{fresh}"
    );
    assert_eq!(status_of(&app, &id).await, before);
}

async fn names_are_escaped(app: TestApp) {
    let (d, _, t) = booked(&app).await;
    app.patch(
        &format!("/v1/customers/{}", d.customer),
        json!({"name": "<script>alert(1)</script> & Budi"}),
    )
    .await
    .expect(200);
    app.patch(
        &format!("/v1/services/{}", d.service),
        json!({"name": "Servis \"berkala\" <b>"}),
    )
    .await
    .expect(200);
    let page = text(&get(&app, &format!("/a/{t}")).await);
    assert!(!page.contains("<script>"), "{page}");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Budi"),
        "{page}"
    );
    assert!(
        page.contains("Servis &quot;berkala&quot; &lt;b&gt;"),
        "{page}"
    );
}

/// The links to the times a reschedule page offers, as a browser would follow them.
fn offered(page: &str) -> Vec<String> {
    page.split("href=\"")
        .skip(1)
        .filter_map(|rest| Some(rest[..rest.find('"')?].replace("&amp;", "&")))
        .filter(|href| href.contains("/reschedule/confirm"))
        .collect()
}

/// Follows the first offered time to its confirmation and agrees, with `reason`.
async fn move_by_pages(app: &TestApp, t: &str, lang: &str, reason: &str) -> (String, Resp) {
    let page = text(&get(app, &format!("/a/{t}/reschedule?lang={lang}")).await);
    let pick = offered(&page)
        .into_iter()
        .next()
        .expect("a time is offered");
    let confirm = get(app, &pick).await;
    assert_eq!(confirm.status, 200);
    assert_page_headers(&confirm);
    let confirm = text(&confirm);
    let form: Vec<(String, String)> = ["version", "form_token", "start", "fee", "currency"]
        .iter()
        .map(|n| (n.to_string(), field(&confirm, n).unwrap()))
        .chain([("reason_category".to_owned(), reason.to_owned())])
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let r = post_form(app, &format!("/a/{t}/reschedule?lang={lang}"), &form).await;
    (confirm, r)
}

async fn a_customer_moves_to_a_listed_time_seeing_and_paying_its_fee(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    // Friday 10:00, 71 h before: under the 72 h tier, IDR 50,000.
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let main = text(&get(&app, &format!("/a/{t}")).await);
    assert!(
        main.contains(&format!("href=\"/a/{t}/reschedule?lang=id\"")),
        "{main}"
    );
    let page = get(&app, &format!("/a/{t}/reschedule")).await;
    assert_eq!(page.status, 200);
    assert_page_headers(&page);
    let page = text(&page);
    assert!(page.contains("Rp50.000"), "{page}");
    assert!(page.contains("<label for=\"date\">"), "{page}");
    assert!(!offered(&page).is_empty());
    let (confirm, r) = move_by_pages(&app, &t, "id", "schedule_change").await;
    assert!(confirm.contains("Rp50.000"), "{confirm}");
    assert!(confirm.contains("Perubahan jadwal gratis dengan pemberitahuan 72 jam."));
    assert!(
        confirm.contains("<label for=\"reason\">Alasan</label>"),
        "{confirm}"
    );
    assert_eq!(r.status, 303, "{}", text(&r));
    assert_eq!(
        r.header("location"),
        Some(format!("/a/{t}?lang=id&msg=moved").as_str())
    );
    let start = field(&confirm, "start").unwrap();
    let v = app.get(&format!("/v1/appointments/{id}")).await;
    let v = v.expect(200).clone();
    assert_eq!(at(v["start"].as_str().unwrap()), at(&start));
    assert_eq!(v["version"], 2);
    let fees = app.get("/v1/fees").await;
    let fees = fees.expect(200)["items"].as_array().unwrap().clone();
    assert_eq!(fees.len(), 1);
    assert_eq!(fees[0]["amount"], 5_000_000, "{}", fees[0]);
    let after = text(&get(&app, &format!("/a/{t}?lang=id&msg=moved")).await);
    assert!(after.contains("Jadwal Anda sudah diubah."), "{after}");

    // Replaying the form moves nothing more and charges nothing more.
    let form: Vec<(String, String)> = ["version", "form_token", "start", "fee", "currency"]
        .iter()
        .map(|n| (n.to_string(), field(&confirm, n).unwrap()))
        .chain([("reason_category".to_owned(), "schedule_change".to_owned())])
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let again = post_form(&app, &format!("/a/{t}/reschedule"), &form).await;
    assert_eq!(again.status, 303);
    assert!(again.header("location").unwrap().ends_with("msg=changed"));
    assert_eq!(
        app.get("/v1/fees").await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A confirm form's field cannot move it.
    let page = text(&get(&app, &format!("/a/{t}")).await);
    if let Some(confirm_field) = field(&page, "form_token") {
        let mut form = form.clone();
        form[0].1 = "2";
        form[1].1 = &confirm_field;
        let r = post_form(&app, &format!("/a/{t}/reschedule"), &form).await;
        assert_eq!(r.status, 403);
    }
}

async fn another_day_and_a_refused_time_are_explained(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let page = text(&get(&app, &format!("/a/{t}/reschedule?date=2026-12-02&lang=en")).await);
    let picks = offered(&page);
    assert!(!picks.is_empty(), "{page}");
    assert!(page.contains("Wednesday, 2 December 2026"), "{page}");
    assert!(page.contains("value=\"2026-12-02\""), "{page}");
    // A time the location is closed (Sunday) is refused in words, with times that work.
    let sunday = "2026-11-29T09:00:00+07:00";
    let r = get(
        &app,
        &format!(
            "/a/{t}/reschedule/confirm?lang=en&start={}",
            sunday.replace('+', "%2B")
        ),
    )
    .await;
    assert_eq!(r.status, 409, "{}", text(&r));
    assert_page_headers(&r);
    let refused = text(&r);
    assert!(refused.contains("This change cannot be made"), "{refused}");
    assert!(!offered(&refused).is_empty(), "{refused}");
    // Nothing changed by reading.
    assert_eq!(status_of(&app, &id).await, ("booked".to_owned(), 1));
}

async fn after_a_no_show_the_pages_rebook(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    app.clock.set(at("2026-11-30T11:00:00+07:00"));
    app.post(&format!("/v1/appointments/{id}/no-show"), json!({}))
        .await
        .expect(200);
    let main = text(&get(&app, &format!("/a/{t}?lang=en")).await);
    assert!(main.contains("Book a new time"), "{main}");
    assert!(main.contains("Missed"), "{main}");
    let (confirm, r) = move_by_pages(&app, &t, "en", "forgot").await;
    assert!(
        confirm.contains("IDR 50,000") || confirm.contains("Rp50.000"),
        "{confirm}"
    );
    assert_eq!(r.status, 303, "{}", text(&r));
    assert_eq!(status_of(&app, &id).await.0, "booked");
}

async fn a_customer_cancels_by_the_page_and_the_link_dies(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let main = text(&get(&app, &format!("/a/{t}?lang=en")).await);
    assert!(
        main.contains(&format!("href=\"/a/{t}/cancel?lang=en\"")),
        "{main}"
    );
    let r = get(&app, &format!("/a/{t}/cancel?lang=en")).await;
    assert_eq!(r.status, 200);
    assert_page_headers(&r);
    let page = text(&r);
    assert!(page.contains("Cancellation fee"), "{page}");
    assert!(
        page.contains("Monday, 30 November 2026, 09:00 WIB"),
        "{page}"
    );
    let form: Vec<(String, String)> = ["version", "form_token", "fee", "currency"]
        .iter()
        .map(|n| (n.to_string(), field(&page, n).unwrap()))
        .chain([("reason_category".to_owned(), "illness".to_owned())])
        .collect();
    let form: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let path = format!("/a/{t}/cancel?lang=en");
    // Without the page's field, or with a confirm form's, nothing happens.
    let confirm_field = field(&main, "form_token").unwrap();
    let mut forged = form.clone();
    forged[1].1 = &confirm_field;
    assert_eq!(post_form(&app, &path, &forged).await.status, 403);
    assert_eq!(post_form(&app, &path, &form[..1]).await.status, 403);
    assert_eq!(status_of(&app, &id).await, ("booked".to_owned(), 1));

    let done = post_form(&app, &path, &form).await;
    assert_eq!(done.status, 200, "{}", text(&done));
    assert_page_headers(&done);
    assert!(text(&done).contains("is cancelled. This link no longer works."));
    assert_eq!(status_of(&app, &id).await.0, "cancelled");
    // A replay finds a dead link and changes nothing more.
    let again = post_form(&app, &path, &form).await;
    assert_eq!(again.status, 404);
    assert!(text(&again).contains("This link does not work"));
    let dead = get(&app, &format!("/a/{t}")).await;
    assert_eq!(dead.status, 404);
}

async fn the_calendar_file_keeps_its_uid_across_a_move(app: TestApp) {
    let (_, id, t) = booked(&app).await;
    let r = get(&app, &format!("/a/{t}/calendar.ics")).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/calendar; charset=utf-8")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let ics = text(&r);
    let uid = format!("UID:{id}@janji");
    for want in [
        uid.as_str(),
        "SEQUENCE:1",
        "DTSTART:20261130T020000Z",
        "BEGIN:VEVENT",
    ] {
        assert!(ics.contains(want), "{want} in {ics}");
    }
    assert!(
        !ics.contains("METHOD:") && !ics.contains("ORGANIZER"),
        "{ics}"
    );
    app.clock.set(at("2026-11-27T10:00:00+07:00"));
    let (_, moved) = move_by_pages(&app, &t, "id", "schedule_change").await;
    assert_eq!(moved.status, 303);
    let ics = text(&get(&app, &format!("/a/{t}/calendar.ics")).await);
    assert!(ics.contains(&uid) && ics.contains("SEQUENCE:2"), "{ics}");
    assert!(!ics.contains("DTSTART:20261130T020000Z"), "{ics}");
    let dead = get(&app, &format!("/a/{}/calendar.ics", "A".repeat(43))).await;
    assert_eq!(dead.status, 404);
}

/// The pages count against the same per-link bucket as `/v1/self`; the stylesheet,
/// which has no token, against none.
async fn the_pages_share_the_links_rate_limit(app: TestApp) {
    let (_, _, t) = booked(&app).await;
    for _ in 0..20 {
        assert_eq!(get(&app, &format!("/a/{t}")).await.status, 200);
    }
    for _ in 0..10 {
        app.call(Method::GET, &format!("/v1/self/{t}"))
            .no_key()
            .send()
            .await
            .expect(200);
    }
    let r = get(&app, &format!("/a/{t}")).await;
    assert_eq!(r.status, 429);
    assert!(r.header("retry-after").is_some() || r.body["retry_after_seconds"].is_number());
    assert_eq!(get(&app, "/a/static/janji.css").await.status, 200);
}
