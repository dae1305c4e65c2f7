//! The few lines of iCalendar (RFC 5545) an appointment e-mail carries: one VEVENT in a
//! VCALENDAR with an iTIP method (RFC 5546), so a calendar adds, moves or removes it.
//!
//! The UID is the appointment's, so every message about it updates one entry; SEQUENCE
//! is the appointment's version, which only grows, so a later message wins; a
//! cancellation is `METHOD:CANCEL` with `STATUS:CANCELLED`. Times are UTC (`…Z`), which
//! every calendar shows in its own zone. Written by hand rather than with a crate: the
//! format needs only escaping, CRLF and folding, all tested below.

use chrono::{DateTime, Utc};

/// One appointment as a calendar event.
#[derive(Clone, Debug)]
pub struct CalendarEvent<'a> {
    /// Stable per appointment (`{appointment id}@janji`).
    pub uid: &'a str,
    pub sequence: i64,
    /// When this description was written.
    pub stamp: DateTime<Utc>,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub location: Option<&'a str>,
    pub description: Option<&'a str>,
    /// The customer's self-service link: a calendar app opens the appointment from it.
    pub url: Option<&'a str>,
    /// The sender's address (iTIP's organizer).
    pub organizer: &'a str,
    /// The customer's address.
    pub attendee: &'a str,
    pub cancelled: bool,
}

impl CalendarEvent<'_> {
    /// The iTIP method, also the `method` parameter of the attachment's content type.
    pub fn method(&self) -> &'static str {
        if self.cancelled { "CANCEL" } else { "REQUEST" }
    }
}

/// The calendar as text: CRLF line ends, long lines folded.
pub fn write(e: &CalendarEvent<'_>) -> String {
    render(e, true)
}

/// The calendar as a file to download and import (the customer's page): the same event
/// and UID, without the iTIP method, organizer and attendee of an invitation, so
/// `organizer` and `attendee` are not used.
pub fn write_download(e: &CalendarEvent<'_>) -> String {
    render(e, false)
}

fn render(e: &CalendarEvent<'_>, invitation: bool) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Janji//Janji appointments//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
    ];
    if invitation {
        lines.push(format!("METHOD:{}", e.method()));
    }
    lines.extend([
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}", escape(e.uid)),
        format!("SEQUENCE:{}", e.sequence),
        format!("DTSTAMP:{}", utc(e.stamp)),
        format!("DTSTART:{}", utc(e.start)),
        format!("DTEND:{}", utc(e.end)),
        format!("SUMMARY:{}", escape(e.summary)),
    ]);
    if let Some(l) = e.location {
        lines.push(format!("LOCATION:{}", escape(l)));
    }
    if let Some(d) = e.description {
        lines.push(format!("DESCRIPTION:{}", escape(d)));
    }
    if let Some(u) = e.url.filter(|u| u.starts_with("http")) {
        // A URI value, not TEXT: nothing that could end the line or the value.
        let uri: String = u
            .chars()
            .filter(|c| !c.is_control() && !c.is_whitespace())
            .collect();
        lines.push(format!("URL:{uri}"));
    }
    if invitation {
        lines.push(format!("ORGANIZER:mailto:{}", address(e.organizer)));
        lines.push(format!(
            "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=FALSE:mailto:{}",
            address(e.attendee)
        ));
    }
    lines.push(
        if e.cancelled {
            "STATUS:CANCELLED"
        } else {
            "STATUS:CONFIRMED"
        }
        .to_owned(),
    );
    lines.push("END:VEVENT".to_owned());
    lines.push("END:VCALENDAR".to_owned());
    lines.iter().map(|l| fold(l)).collect()
}

/// A UTC DATE-TIME (`20261130T020000Z`).
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// TEXT values (RFC 5545 3.3.11): backslash, semicolon and comma escaped, a line break
/// written as `\n`, other control characters dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// An address inside a `mailto:` URI: nothing that could end the line or the value.
fn address(a: &str) -> String {
    a.chars()
        .filter(|c| !c.is_control() && !matches!(c, ';' | ':' | ',' | ' '))
        .collect()
}

/// A content line folded at 75 octets (RFC 5545 3.1): each continuation begins with one
/// space, and no UTF-8 character is split. Ends with CRLF.
pub fn fold(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / LIMIT * 3 + 2);
    let mut used = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > LIMIT {
            out.push_str("\r\n ");
            used = 1;
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// Undoes `fold` (tests, and readers of what was sent).
pub fn unfold(text: &str) -> String {
    text.replace("\r\n ", "").replace("\r\n\t", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(cancelled: bool) -> CalendarEvent<'static> {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        CalendarEvent {
            uid: "0199-abc@janji",
            sequence: 3,
            stamp: t("2026-11-29T06:00:00Z"),
            start: t("2026-11-30T02:00:00Z"),
            end: t("2026-11-30T03:00:00Z"),
            summary: "Servis berkala, Sinar Motor Kemayoran",
            location: Some("Sinar Motor Kemayoran; Jl. Garuda 5\nJakarta"),
            description: None,
            url: Some("https://janji.example/a/3q2-7wE9"),
            organizer: "servis@sinarmotor.example",
            attendee: "budi@example.com",
            cancelled,
        }
    }

    #[test]
    fn an_event_in_utc_with_its_method_and_crlf_lines() {
        let text = write(&event(false));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "only CRLF ends lines"
        );
        for line in [
            "METHOD:REQUEST",
            "UID:0199-abc@janji",
            "SEQUENCE:3",
            "DTSTAMP:20261129T060000Z",
            "DTSTART:20261130T020000Z",
            "DTEND:20261130T030000Z",
            "SUMMARY:Servis berkala\\, Sinar Motor Kemayoran",
            "LOCATION:Sinar Motor Kemayoran\\; Jl. Garuda 5\\nJakarta",
            "ORGANIZER:mailto:servis@sinarmotor.example",
            "URL:https://janji.example/a/3q2-7wE9",
            "STATUS:CONFIRMED",
        ] {
            assert!(text.split("\r\n").any(|l| l == line), "{line} in\n{text}");
        }
        let cancel = write(&event(true));
        assert!(cancel.contains("\r\nMETHOD:CANCEL\r\n"));
        assert!(cancel.contains("\r\nSTATUS:CANCELLED\r\n"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape("one\r\ntwo\nthree\rfour"), r"one\ntwo\nthree\nfour");
        assert_eq!(escape("bell\u{7}"), "bell");
        assert_eq!(address("a@b.c\r\nX-EVIL:1"), "a@b.cX-EVIL1");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let line = format!("SUMMARY:{}", "Servis é ".repeat(30));
        let folded = fold(&line);
        for l in folded.trim_end_matches("\r\n").split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l:?}", l.len());
        }
        assert!(
            folded
                .split("\r\n")
                .skip(1)
                .all(|l| l.is_empty() || l.starts_with(' '))
        );
        assert_eq!(unfold(&folded), format!("{line}\r\n"));
        assert_eq!(fold("SHORT:1"), "SHORT:1\r\n");
        // Exactly 75 octets stay on one line.
        let exact = "X".repeat(75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
    }
}
