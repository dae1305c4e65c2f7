//! E-mail over SMTP (lettre, tokio, rustls): the message's text as the body and the
//! appointment as an `.ics` attachment (`domain::ics`), so the customer's calendar adds
//! it, moves it when it is rescheduled and removes it when it is cancelled.
//!
//! An SMTP 5xx answer is permanent (the message fails at once); a 4xx, a refused
//! connection or a timeout is tried again on the usual schedule. The reply code is what
//! the delivery log shows as the attempt's status.

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::Deserialize;

use super::attempted::Attempted;
use super::{SEND_TIMEOUT, targets};
use crate::app::delivery_adapters::{Smtp, SmtpTls};
use crate::domain::ics::{self, CalendarEvent};
use crate::repo::outbox::{self, Claimed};

/// What an e-mail needs of the outbox payload (`app::notices`).
#[derive(Debug, Deserialize)]
struct Payload {
    kind: String,
    locale: String,
    text: String,
    /// The customer's link, written in by the dispatcher just before this send.
    #[serde(default)]
    link: Option<String>,
    appointment: Option<AppointmentPart>,
}

#[derive(Debug, Deserialize)]
struct AppointmentPart {
    id: String,
    status: String,
    version: i64,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    location: Named,
    service: Named,
}

#[derive(Debug, Deserialize)]
struct Named {
    name: String,
    #[serde(default)]
    address: Option<String>,
}

/// Sends one claimed message by e-mail.
pub async fn send(
    smtp: &Smtp,
    message: &Claimed,
    allow_private: bool,
    now: DateTime<Utc>,
) -> Attempted {
    let s = &smtp.settings;
    if let Err(r) = targets::check_host(&s.host, s.port, allow_private).await {
        return Attempted::retry(None, r.to_string());
    }
    let email = match compose(smtp, message, now) {
        Ok(m) => m,
        Err(why) => return Attempted::permanent(None, why),
    };
    let transport = match transport(smtp) {
        Ok(t) => t,
        Err(why) => return Attempted::retry(None, why),
    };
    match tokio::time::timeout(SEND_TIMEOUT, transport.send(email)).await {
        Err(_) => Attempted::retry(None, "timed out"),
        Ok(Ok(response)) => Attempted::sent(Some(u16::from(response.code()))),
        Ok(Err(e)) => {
            let code = e.status().map(u16::from);
            let why = format!("the SMTP server refused: {e}");
            if e.is_permanent() {
                Attempted::permanent(code, why)
            } else if e.is_transient() {
                Attempted::retry(code, why)
            } else if e.is_timeout() {
                Attempted::retry(None, "timed out")
            } else {
                Attempted::retry(None, format!("SMTP: {e}"))
            }
        }
    }
}

fn transport(smtp: &Smtp) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let s = &smtp.settings;
    let params = || TlsParameters::new(s.host.clone()).map_err(|e| format!("TLS parameters: {e}"));
    let tls = match s.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls => Tls::Required(params()?),
        SmtpTls::Tls => Tls::Wrapper(params()?),
    };
    let hello = s
        .from
        .parse::<Mailbox>()
        .ok()
        .map(|m| m.email.domain().to_owned())
        .unwrap_or_else(|| "janji.invalid".to_owned());
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
        .port(s.port)
        .tls(tls)
        .hello_name(ClientId::Domain(hello))
        .timeout(Some(SEND_TIMEOUT));
    if let Some(user) = &s.username {
        let password = smtp
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

/// The e-mail: text, and the calendar when the message is about an appointment. A
/// message that cannot be written (an address that does not parse) never will be.
fn compose(smtp: &Smtp, message: &Claimed, now: DateTime<Utc>) -> Result<Message, String> {
    let p: Payload = serde_json::from_str(&message.row.payload)
        .map_err(|e| format!("the stored message does not read: {e}"))?;
    let from: Mailbox = smtp
        .settings
        .from
        .parse()
        .map_err(|e| format!("the sender address: {e}"))?;
    let to: Mailbox = message
        .row
        .recipient
        .parse()
        .map_err(|e| format!("the recipient's address: {e}"))?;
    let webhook_id = outbox::webhook_id(&message.row.id);
    let builder = Message::builder()
        .from(from.clone())
        .to(to.clone())
        // The same on every attempt, so a server that got it twice can tell.
        .message_id(Some(format!("<{webhook_id}@janji>")))
        .date(now.into());
    let text = SinglePart::plain(p.text.clone());
    let Some(a) = &p.appointment else {
        return builder
            .subject(title(&p.kind, &p.locale).to_owned())
            .singlepart(text)
            .map_err(|e| e.to_string());
    };
    let summary = format!("{}, {}", a.service.name, a.location.name);
    let place = match &a.location.address {
        Some(addr) => format!("{}, {addr}", a.location.name),
        None => a.location.name.clone(),
    };
    let uid = format!("{}@janji", a.id);
    let event = CalendarEvent {
        uid: &uid,
        sequence: a.version,
        stamp: now,
        start: a.starts_at,
        end: a.ends_at,
        summary: &summary,
        location: Some(&place),
        description: Some(&p.text),
        url: p.link.as_deref(),
        organizer: from.email.as_ref(),
        attendee: to.email.as_ref(),
        cancelled: a.status == "cancelled",
    };
    let calendar = ics::write(&event);
    let content_type = ContentType::parse(&format!(
        "text/calendar; charset=utf-8; method={}",
        event.method()
    ))
    .map_err(|e| e.to_string())?;
    builder
        .subject(format!("{}: {summary}", title(&p.kind, &p.locale)))
        .multipart(
            MultiPart::mixed()
                .singlepart(text)
                .singlepart(Attachment::new("janji.ics".to_owned()).body(calendar, content_type)),
        )
        .map_err(|e| e.to_string())
}

/// The subject's first words, by the message's kind, in the customer's language.
fn title(kind: &str, locale: &str) -> &'static str {
    let english = locale == "en";
    match (kind, english) {
        ("booking_confirmation", false) => "Booking dikonfirmasi",
        ("booking_confirmation", true) => "Booking confirmed",
        ("reminder", false) => "Pengingat",
        ("reminder", true) => "Reminder",
        ("rescheduled", false) => "Jadwal diubah",
        ("rescheduled", true) => "Rescheduled",
        ("cancelled", false) => "Dibatalkan",
        ("cancelled", true) => "Cancelled",
        ("reply_answer", false) => "Balasan",
        ("reply_answer", true) => "Reply",
        (_, false) => "Pesan",
        (_, true) => "Message",
    }
}
