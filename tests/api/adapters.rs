//! The built-in delivery adapters: e-mail over SMTP with an `.ics` attachment, and the
//! WhatsApp Business Cloud API (messages out, the webhook in), each against a local server
//! that speaks the protocol; credentials never at rest in clear.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use actix_web::http::Method;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::fixtures::{Dealer, dealer};
use crate::helpers::TestApp;
use crate::on_both_backends;
use janji::delivery::{Dispatcher, whatsapp};
use janji::domain::MessageStatus;
use janji::domain::ics::unfold;
use janji::repo::{delivery_adapters, outbox};

on_both_backends!(
    an_email_carries_the_appointment_as_a_calendar_that_follows_its_changes,
    smtp_refusals_are_retried_when_temporary_and_final_when_permanent,
    whatsapp_messages_go_to_the_cloud_api_with_the_token,
    cloud_api_errors_are_retried_or_final_by_their_code,
    a_signed_whatsapp_webhook_confirms_and_a_bad_signature_is_refused,
    the_webhook_handshake_echoes_the_challenge_only_for_the_verify_token,
    credentials_are_sealed_at_rest_and_never_shown,
    adapter_settings_are_checked,
    racing_saves_of_an_adapter_leave_one_whole_row,
);

// ---------------------------------------------------------------- a loopback SMTP server

/// A minimal SMTP server on loopback (EHLO, MAIL, RCPT, DATA, QUIT; no TLS, no AUTH):
/// keeps every message's data, and answers RCPT with the replies a test scripts.
struct SmtpServer {
    port: u16,
    mails: Arc<Mutex<Vec<String>>>,
    rcpt_replies: Arc<Mutex<VecDeque<String>>>,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let rcpt_replies = Arc::new(Mutex::new(VecDeque::new()));
        let (m, r) = (mails.clone(), rcpt_replies.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (m, r) = (m.clone(), r.clone());
                std::thread::spawn(move || session(stream, m, r));
            }
        });
        SmtpServer {
            port,
            mails,
            rcpt_replies,
        }
    }

    fn answer_rcpt_with(&self, replies: &[&str]) {
        let mut q = self.rcpt_replies.lock().unwrap();
        q.extend(replies.iter().map(|s| s.to_string()));
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.mails.lock().unwrap())
    }
}

fn session(
    stream: std::net::TcpStream,
    mails: Arc<Mutex<Vec<String>>>,
    rcpt: Arc<Mutex<VecDeque<String>>>,
) {
    let mut out = stream.try_clone().unwrap();
    let mut input = BufReader::new(stream);
    let mut say = |s: &str| {
        let _ = out.write_all(format!("{s}\r\n").as_bytes());
    };
    say("220 loopback ESMTP test");
    let mut line = String::new();
    loop {
        line.clear();
        if input.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let verb = line.trim_end().to_ascii_uppercase();
        if verb.starts_with("EHLO") || verb.starts_with("HELO") {
            say("250-loopback\r\n250 8BITMIME");
        } else if verb.starts_with("MAIL FROM")
            || verb.starts_with("RSET")
            || verb.starts_with("NOOP")
        {
            say("250 OK");
        } else if verb.starts_with("RCPT TO") {
            let reply = rcpt.lock().unwrap().pop_front();
            say(reply.as_deref().unwrap_or("250 OK"));
        } else if verb == "DATA" {
            say("354 end with <CRLF>.<CRLF>");
            let mut data = String::new();
            loop {
                let mut l = String::new();
                if input.read_line(&mut l).unwrap_or(0) == 0 {
                    return;
                }
                if l == ".\r\n" {
                    break;
                }
                data.push_str(
                    l.strip_prefix('.')
                        .filter(|_| l.starts_with(".."))
                        .unwrap_or(&l),
                );
            }
            mails.lock().unwrap().push(data);
            say("250 OK queued");
        } else if verb == "QUIT" {
            say("221 bye");
            return;
        } else {
            say("502 not implemented");
        }
    }
}

/// The calendar attached to a mail, decoded and unfolded.
fn calendar_of(mail: &str) -> String {
    let at = mail
        .find("Content-Type: text/calendar")
        .unwrap_or_else(|| panic!("no calendar in\n{mail}"));
    let part = &mail[at..];
    let (headers, rest) = part.split_once("\r\n\r\n").unwrap();
    let body = &rest[..rest.find("\r\n--").unwrap_or(rest.len())];
    let encoding = headers.to_ascii_lowercase();
    let text = if encoding.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(joined)
                .unwrap(),
        )
        .unwrap()
    } else if encoding.contains("quoted-printable") {
        quoted_printable(body)
    } else {
        body.to_owned()
    };
    assert!(headers.contains("method="), "{headers}");
    unfold(&text)
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            out.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn line<'a>(calendar: &'a str, name: &str) -> &'a str {
    calendar
        .split("\r\n")
        .find_map(|l| l.strip_prefix(name))
        .unwrap_or_else(|| panic!("no {name} in\n{calendar}"))
}

// ------------------------------------------------------- a loopback Cloud API stand-in

#[derive(Clone, Debug)]
struct CloudCall {
    path: String,
    authorization: String,
    json: Value,
}

#[derive(Clone, Default)]
struct CloudShared {
    calls: Arc<Mutex<Vec<CloudCall>>>,
    script: Arc<Mutex<VecDeque<(u16, Value)>>>,
}

struct CloudApi {
    base: String,
    shared: CloudShared,
}

async fn cloud_receive(
    req: HttpRequest,
    body: web::Bytes,
    s: web::Data<CloudShared>,
) -> HttpResponse {
    s.calls.lock().unwrap().push(CloudCall {
        path: req.path().to_owned(),
        authorization: req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned(),
        json: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let (status, answer) = s.script.lock().unwrap().pop_front().unwrap_or((
        200,
        json!({"messaging_product": "whatsapp", "messages": [{"id": "wamid.OUT"}]}),
    ));
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap()).json(answer)
}

impl CloudApi {
    async fn start() -> CloudApi {
        let shared = CloudShared::default();
        let data = web::Data::new(shared.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(cloud_receive))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let addr = server.addrs()[0];
        actix_web::rt::spawn(server.run());
        CloudApi {
            base: format!("http://{addr}/v21.0"),
            shared,
        }
    }

    fn answer_with(&self, answers: &[(u16, Value)]) {
        self.shared
            .script
            .lock()
            .unwrap()
            .extend(answers.iter().cloned());
    }

    fn take(&self) -> Vec<CloudCall> {
        std::mem::take(&mut *self.shared.calls.lock().unwrap())
    }
}

// ----------------------------------------------------------------------------- helpers

const TOKEN: &str = "EAAG-access-token-very-secret";
const APP_SECRET: &str = "app-secret-4f1c9e";
const VERIFY: &str = "verify-me-please";
const PASSWORD: &str = "smtp-password-s3cret";

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn dispatcher(app: &TestApp) -> Dispatcher {
    Dispatcher::new(app.state.db.clone(), app.state.secret_key.clone(), true)
}

/// Sends what is due on the dispatcher's own task, as the server does, so the test's
/// runtime stays free for the loopback servers.
async fn dispatch(app: &TestApp, t: &str) {
    dispatcher(app).dispatch_due(at(t)).await.unwrap();
}

async fn put(app: &TestApp, path: &str, body: Value) -> crate::helpers::Resp {
    app.call(Method::PUT, path).json(body).send().await
}

async fn smtp_adapter(app: &TestApp, server: &SmtpServer) {
    let r = put(
        app,
        "/v1/notification-settings/smtp",
        json!({"host": "127.0.0.1", "port": server.port, "tls": "none",
               "from": "Sinar Motor <servis@sinarmotor.example>"}),
    )
    .await;
    assert_eq!(r.expect(200)["password_set"], false);
}

async fn whatsapp_adapter(app: &TestApp, api: &CloudApi) {
    let r = put(
        app,
        "/v1/notification-settings/whatsapp-cloud",
        json!({"api_base_url": api.base, "phone_number_id": "106540352242922",
               "access_token": TOKEN, "app_secret": APP_SECRET, "verify_token": VERIFY}),
    )
    .await;
    let body = r.expect(200);
    assert_eq!(body["access_token_set"], true);
    assert_eq!(body["app_secret_set"], true);
    assert_eq!(body["verify_token_set"], true);
}

/// A customer reached by e-mail, booked for Monday 30 November, 09:00 WIB.
async fn book_by_email(app: &TestApp, d: &Dealer) -> String {
    let c = app
        .post(
            "/v1/customers",
            json!({"name": "Sari Dewi", "email": "sari@example.com", "phone": "+6281311112222",
                   "preferred_channel": "email"}),
        )
        .await;
    let customer = c.expect(201)["id"].as_str().unwrap().to_owned();
    let r = app
        .post(
            "/v1/appointments",
            json!({"location_id": d.location, "service_id": d.service,
                   "start": "2026-11-30T09:00:00+07:00", "customer_id": customer}),
        )
        .await;
    r.expect(201)["id"].as_str().unwrap().to_owned()
}

fn statuses(app: &TestApp, appointment: &str) -> Vec<(String, MessageStatus, i32)> {
    let mut conn = app.state.db.pool().get().unwrap();
    outbox::of_appointment(&mut conn, &app.org_id, appointment)
        .unwrap()
        .into_iter()
        .map(|m| (format!("{:?}", m.kind), m.status, m.attempts))
        .collect()
}

// ------------------------------------------------------------------------------- tests

async fn an_email_carries_the_appointment_as_a_calendar_that_follows_its_changes(app: TestApp) {
    let (d, server) = (dealer(&app).await, SmtpServer::start());
    // No gateway at all: the SMTP adapter alone makes the organization send.
    smtp_adapter(&app, &server).await;
    let id = book_by_email(&app, &d).await;
    dispatch(&app, "2026-11-23T10:00:00+07:00").await;
    let mails = server.take();
    assert_eq!(mails.len(), 1, "the booking confirmation");
    let mail = &mails[0];
    assert!(mail.contains("To: sari@example.com"), "{mail}");
    assert!(mail.contains("servis@sinarmotor.example"), "{mail}");
    assert!(
        mail.contains("Subject: Booking dikonfirmasi: Servis berkala"),
        "{mail}"
    );
    assert!(mail.contains("filename=\"janji.ics\""), "{mail}");
    let cal = calendar_of(mail);
    // The customer's link, written in at send time, opens the appointment.
    let url = line(&cal, "URL:");
    let token = url.rsplit('/').next().unwrap();
    assert!(url.starts_with("http://127.0.0.1:8080/a/"), "{url}");
    let view = app
        .call(Method::GET, &format!("/v1/self/{token}"))
        .no_key()
        .send()
        .await;
    assert_eq!(view.expect(200)["appointment_id"], id.as_str());
    assert_eq!(line(&cal, "METHOD:"), "REQUEST");
    assert_eq!(line(&cal, "UID:"), format!("{id}@janji"));
    assert_eq!(line(&cal, "SEQUENCE:"), "1");
    assert_eq!(line(&cal, "DTSTART:"), "20261130T020000Z");
    assert_eq!(line(&cal, "DTEND:"), "20261130T030000Z");
    assert_eq!(
        line(&cal, "SUMMARY:"),
        "Servis berkala\\, Sinar Motor Kemayoran"
    );
    assert_eq!(line(&cal, "STATUS:"), "CONFIRMED");
    assert!(line(&cal, "DESCRIPTION:").contains("Sari Dewi"));
    assert_eq!(
        statuses(&app, &id)[0],
        ("BookingConfirmation".to_owned(), MessageStatus::Sent, 1)
    );

    app.post(
        &format!("/v1/appointments/{id}/reschedule"),
        json!({"start": "2026-12-02T13:00:00+07:00", "reason_category": "schedule_change"}),
    )
    .await
    .expect(200);
    dispatch(&app, "2026-11-23T10:00:00+07:00").await;
    let moved = calendar_of(&server.take()[0]);
    assert_eq!(
        line(&moved, "UID:"),
        format!("{id}@janji"),
        "the same entry"
    );
    assert_eq!(line(&moved, "SEQUENCE:"), "2", "a later version wins");
    assert_eq!(line(&moved, "DTSTART:"), "20261202T060000Z");

    app.post(
        &format!("/v1/appointments/{id}/cancel"),
        json!({"reason_category": "schedule_change"}),
    )
    .await
    .expect(200);
    dispatch(&app, "2026-11-23T10:00:00+07:00").await;
    let cancelled = calendar_of(&server.take()[0]);
    assert_eq!(line(&cancelled, "METHOD:"), "CANCEL");
    assert_eq!(line(&cancelled, "STATUS:"), "CANCELLED");
    assert_eq!(line(&cancelled, "UID:"), format!("{id}@janji"));
    assert_eq!(line(&cancelled, "SEQUENCE:"), "3");
}

async fn smtp_refusals_are_retried_when_temporary_and_final_when_permanent(app: TestApp) {
    let (d, server) = (dealer(&app).await, SmtpServer::start());
    smtp_adapter(&app, &server).await;
    let id = book_by_email(&app, &d).await;
    server.answer_rcpt_with(&["451 4.3.0 try again later"]);
    dispatch(&app, "2026-11-23T10:00:00+07:00").await;
    assert!(server.take().is_empty());
    let (_, status, attempts) = statuses(&app, &id)[0].clone();
    assert_eq!(
        (status, attempts),
        (MessageStatus::Pending, 1),
        "retried later"
    );
    let log = app
        .get(&format!("/v1/deliveries?appointment_id={id}"))
        .await;
    let first = &log.expect(200)["items"][0];
    assert_eq!(first["attempts"][0]["status_code"], 451);

    server.answer_rcpt_with(&["550 5.1.1 no such mailbox"]);
    dispatch(&app, "2026-11-23T10:05:00+07:00").await;
    let (_, status, attempts) = statuses(&app, &id)[0].clone();
    assert_eq!(
        (status, attempts),
        (MessageStatus::Failed, 2),
        "no retry after a 5xx"
    );
    let log = app
        .get(&format!("/v1/deliveries?appointment_id={id}"))
        .await;
    let first = &log.expect(200)["items"][0];
    assert_eq!(first["attempts"][1]["status_code"], 550);
    assert!(first["last_error"].as_str().unwrap().contains("550"));
}

async fn whatsapp_messages_go_to_the_cloud_api_with_the_token(app: TestApp) {
    let (d, api) = (dealer(&app).await, CloudApi::start().await);
    whatsapp_adapter(&app, &api).await;
    let r = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let id = r.expect(201)["id"].as_str().unwrap().to_owned();
    dispatch(&app, "2026-11-23T10:00:00+07:00").await;
    let calls = api.take();
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.path, "/v21.0/106540352242922/messages");
    assert_eq!(call.authorization, format!("Bearer {TOKEN}"));
    assert_eq!(call.json["messaging_product"], "whatsapp");
    assert_eq!(call.json["to"], "6281234567890");
    assert_eq!(call.json["type"], "text");
    let text = call.json["text"]["body"].as_str().unwrap();
    assert!(
        text.contains("Budi Santoso") && text.contains("09.00 WIB"),
        "{text}"
    );
    assert!(
        text.contains("http://127.0.0.1:8080/a/"),
        "the link: {text}"
    );
    assert_eq!(statuses(&app, &id)[0].1, MessageStatus::Sent);
}

async fn cloud_api_errors_are_retried_or_final_by_their_code(app: TestApp) {
    let (d, api) = (dealer(&app).await, CloudApi::start().await);
    whatsapp_adapter(&app, &api).await;
    let r = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let id = r.expect(201)["id"].as_str().unwrap().to_owned();
    let error = |code: i64, message: &str| {
        json!({"error": {"message": message, "type": "OAuthException", "code": code,
                         "fbtrace_id": "AbC"}})
    };
    api.answer_with(&[(429, error(130429, "Rate limit hit"))]);
    dispatch(&app, "2026-11-23T10:00:00+07:00").await;
    assert_eq!(
        statuses(&app, &id)[0].1,
        MessageStatus::Pending,
        "rate limits wait"
    );
    api.answer_with(&[(400, error(131026, "Message undeliverable"))]);
    dispatch(&app, "2026-11-23T10:05:00+07:00").await;
    assert_eq!(api.take().len(), 2);
    let (_, status, attempts) = statuses(&app, &id)[0].clone();
    assert_eq!(
        (status, attempts),
        (MessageStatus::Failed, 2),
        "undeliverable is final"
    );
    let log = app
        .get(&format!("/v1/deliveries?appointment_id={id}"))
        .await;
    let first = &log.expect(200)["items"][0];
    assert_eq!(first["attempts"][0]["status_code"], 429);
    assert!(first["last_error"].as_str().unwrap().contains("131026"));
    // The front desk learns of it on the appointment's history.
    let events = app.get(&format!("/v1/appointments/{id}/events")).await;
    let kinds: Vec<&str> = events.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"message_failed"), "{kinds:?}");
}

fn webhook(id: &str, from: &str, text: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Budi"}, "wa_id": from}],
            "messages": [{"from": from, "id": id, "timestamp": "1764460800", "type": "text",
                          "text": {"body": text}}]
        }}]}]
    }))
    .unwrap()
}

async fn post_webhook(
    app: &TestApp,
    org: &str,
    body: Vec<u8>,
    signature: &str,
) -> crate::helpers::Resp {
    app.call(Method::POST, &format!("/v1/inbound/{org}/whatsapp"))
        .no_key()
        .header("x-hub-signature-256", signature)
        .raw("application/json", body)
        .send()
        .await
}

async fn a_signed_whatsapp_webhook_confirms_and_a_bad_signature_is_refused(app: TestApp) {
    let (d, api) = (dealer(&app).await, CloudApi::start().await);
    whatsapp_adapter(&app, &api).await;
    let r = app
        .post("/v1/appointments", d.booking("2026-11-30T09:00:00+07:00"))
        .await;
    let id = r.expect(201)["id"].as_str().unwrap().to_owned();
    let org = app.org_id.clone();

    let forged = webhook("wamid.HBgM1", "6281234567890", "YA");
    let r = post_webhook(
        &app,
        &org,
        forged.clone(),
        &whatsapp::sign("not-the-secret", &forged),
    )
    .await;
    r.problem(401, "invalid_signature");
    let r = post_webhook(&app, &org, forged.clone(), "").await;
    r.problem(401, "invalid_signature");
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(a.expect(200)["status"], "booked", "nothing acted on");

    let body = webhook("wamid.HBgM1", "6281234567890", "YA");
    let signed = whatsapp::sign(APP_SECRET, &body);
    let r = post_webhook(&app, &org, body.clone(), &signed).await;
    let got = &r.expect(200)["received"][0];
    assert_eq!(got["id"], "wamid.HBgM1");
    assert_eq!(got["status"], "answered");
    assert_eq!(got["intent"], "confirm");
    let a = app.get(&format!("/v1/appointments/{id}")).await;
    assert_eq!(a.expect(200)["status"], "confirmed");
    // Meta delivers a webhook again when unsure: the message id is seen once.
    let again = post_webhook(&app, &org, body, &signed).await;
    assert_eq!(again.expect(200)["received"][0]["status"], "duplicate");

    // The answer goes back through the Cloud API.
    api.take();
    dispatch(&app, "2026-11-23T10:00:00+07:00").await;
    let sent: Vec<String> = api
        .take()
        .iter()
        .map(|c| c.json["text"]["body"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        sent.iter().any(|t| t.contains("sudah dikonfirmasi")),
        "{sent:?}"
    );

    // Another organization's path does not take this organization's signature.
    let (other, _) = app.other_org();
    let body = webhook("wamid.HBgM2", "6281234567890", "YA");
    let r = post_webhook(
        &app,
        &other,
        body.clone(),
        &whatsapp::sign(APP_SECRET, &body),
    )
    .await;
    r.problem(401, "invalid_signature");
}

async fn the_webhook_handshake_echoes_the_challenge_only_for_the_verify_token(app: TestApp) {
    let api = CloudApi::start().await;
    let org = app.org_id.clone();
    let path = |token: &str| {
        format!(
            "/v1/inbound/{org}/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444"
        )
    };
    let before = app.call(Method::GET, &path(VERIFY)).no_key().send().await;
    before.problem(403, "forbidden");
    whatsapp_adapter(&app, &api).await;
    let ok = app.call(Method::GET, &path(VERIFY)).no_key().send().await;
    assert_eq!(ok.status.as_u16(), 200);
    assert_eq!(String::from_utf8(ok.bytes.clone()).unwrap(), "1158201444");
    let wrong = app.call(Method::GET, &path("guess")).no_key().send().await;
    wrong.problem(403, "forbidden");
}

async fn credentials_are_sealed_at_rest_and_never_shown(app: TestApp) {
    let (api, server) = (CloudApi::start().await, SmtpServer::start());
    whatsapp_adapter(&app, &api).await;
    let r = put(
        &app,
        "/v1/notification-settings/smtp",
        json!({"host": "127.0.0.1", "port": server.port, "tls": "starttls",
               "username": "servis", "password": PASSWORD, "from": "servis@sinarmotor.example"}),
    )
    .await;
    assert_eq!(r.expect(200)["password_set"], true);
    let rows = {
        let mut conn = app.state.db.pool().get().unwrap();
        delivery_adapters::of(&mut conn, &app.org_id).unwrap()
    };
    assert_eq!(rows.len(), 2);
    let stored = format!("{rows:?}");
    for secret in [TOKEN, APP_SECRET, VERIFY, PASSWORD] {
        assert!(
            !stored.contains(secret),
            "{secret} stored in clear: {stored}"
        );
    }
    assert!(rows.iter().all(|r| r.sealed_credentials.starts_with("v1.")));
    for path in [
        "/v1/notification-settings/smtp",
        "/v1/notification-settings/whatsapp-cloud",
    ] {
        let shown = app.get(path).await;
        let text = String::from_utf8(shown.bytes.clone()).unwrap();
        assert_eq!(shown.status.as_u16(), 200, "{text}");
        for secret in [TOKEN, APP_SECRET, VERIFY, PASSWORD] {
            assert!(!text.contains(secret), "{path} shows {secret}");
        }
    }
    let smtp = app.get("/v1/notification-settings/smtp").await;
    assert_eq!(smtp.body["username"], "servis");
    assert_eq!(smtp.body["port"], server.port);
    let wa = app.get("/v1/notification-settings/whatsapp-cloud").await;
    assert_eq!(wa.body["phone_number_id"], "106540352242922");
    assert_eq!(
        wa.body["inbound_path"],
        format!("/v1/inbound/{}/whatsapp", app.org_id)
    );

    app.delete("/v1/notification-settings/smtp")
        .await
        .expect(204);
    app.get("/v1/notification-settings/smtp")
        .await
        .problem(404, "not_found");
    app.delete("/v1/notification-settings/smtp")
        .await
        .problem(404, "not_found");
}

async fn adapter_settings_are_checked(app: TestApp) {
    let smtp = |extra: Value| {
        let mut b =
            json!({"host": "127.0.0.1", "tls": "none", "from": "servis@sinarmotor.example"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    for (body, field, code) in [
        (smtp(json!({"port": 0})), "port", "out_of_range"),
        (smtp(json!({"port": 70000})), "port", "out_of_range"),
        (
            smtp(json!({"from": "not an address"})),
            "from",
            "invalid_email",
        ),
        (smtp(json!({"host": "smtp host"})), "host", "invalid_value"),
        (smtp(json!({"username": "servis"})), "password", "required"),
        (
            smtp(json!({"username": "servis", "password": PASSWORD})),
            "tls",
            "invalid_value",
        ),
    ] {
        let r = put(&app, "/v1/notification-settings/smtp", body).await;
        assert_eq!(r.problem(422, code)["field"], field);
    }
    let wa = |extra: Value| {
        let mut b = json!({"phone_number_id": "106540352242922", "access_token": TOKEN});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    for (body, field, code) in [
        (
            wa(json!({"phone_number_id": "12/../34"})),
            "phone_number_id",
            "invalid_value",
        ),
        (
            wa(json!({"api_base_url": "ftp://x.example"})),
            "api_base_url",
            "invalid_url",
        ),
        (wa(json!({"access_token": " "})), "access_token", "required"),
    ] {
        let r = put(&app, "/v1/notification-settings/whatsapp-cloud", body).await;
        assert_eq!(r.problem(422, code)["field"], field);
    }
    // The default base is the Cloud API's.
    let r = put(
        &app,
        "/v1/notification-settings/whatsapp-cloud",
        wa(json!({})),
    )
    .await;
    assert_eq!(r.expect(200)["api_base_url"], whatsapp::DEFAULT_API_BASE);
}

/// A save is one upsert, no read first: ten at once (PostgreSQL runs them in parallel)
/// all succeed and leave one row, whole: the settings and the sealed password of the
/// same request.
async fn racing_saves_of_an_adapter_leave_one_whole_row(app: TestApp) {
    let requests = (0..10).map(|i| {
        app.call(Method::PUT, "/v1/notification-settings/smtp")
            .json(
                json!({"host": "127.0.0.1", "port": 2500 + i, "tls": "starttls",
                         "username": format!("user{i}"), "password": format!("pw{i}"),
                         "from": "servis@sinarmotor.example"}),
            )
            .send()
    });
    for r in join_all(requests).await {
        r.expect(200);
    }
    let adapters = {
        let mut conn = app.state.db.pool().get().unwrap();
        assert_eq!(
            delivery_adapters::of(&mut conn, &app.org_id).unwrap().len(),
            1
        );
        janji::app::delivery_adapters::of(&mut conn, &app.state.secret_key, &app.org_id).unwrap()
    };
    let smtp = adapters.smtp.unwrap();
    let i = smtp.settings.port - 2500;
    assert_eq!(
        smtp.settings.username.as_deref(),
        Some(format!("user{i}").as_str())
    );
    assert_eq!(smtp.password.unwrap().expose(), format!("pw{i}"));
}
