//! The words of a message to a customer: a template per kind and locale, filled with the
//! appointment's details, its time written as people in the location read it
//! ("Senin, 7 Desember 2026, 09.00 WIB").

use chrono::{DateTime, Datelike, Timelike, Utc, Weekday};
use chrono_tz::Tz;

use super::{Locale, MessageKind};

/// What a template can name.
#[derive(Clone, Debug, Default)]
pub struct Details<'a> {
    pub customer_name: &'a str,
    /// The local date and time with the zone's abbreviation (see [`local_when`]).
    pub when: &'a str,
    pub location: &'a str,
    pub service: &'a str,
    /// The customer's self-service link (its marker, written in at send time), or empty.
    pub link: &'a str,
    /// The fee charged, as the customer reads it ("Rp 50.000"); empty when none.
    pub fee: &'a str,
    /// The organization's survey link; empty when it has none.
    pub survey_url: &'a str,
}

/// What a template can name, each written `{name}`.
pub const PLACEHOLDERS: [&str; 7] = [
    "customer_name",
    "when",
    "location",
    "service",
    "link",
    "fee",
    "survey_url",
];

/// An organization's own words for a kind in a locale, instead of the shipped ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomTemplate {
    pub kind: MessageKind,
    pub locale: Locale,
    pub text: String,
}

/// Whether a kind's words come from a message template (a reply's answer comes from the
/// answer templates of `domain::reply_answers`; a webhook is JSON for an integration, not
/// words for a customer).
pub fn is_templated(kind: MessageKind) -> bool {
    !matches!(kind, MessageKind::ReplyAnswer | MessageKind::Webhook)
}

/// The organization's template for a kind and locale, else the shipped one.
pub fn template_for(custom: &[CustomTemplate], kind: MessageKind, locale: Locale) -> &str {
    custom
        .iter()
        .find(|t| t.kind == kind && t.locale == locale)
        .map_or_else(|| default_template(kind, locale), |t| t.text.as_str())
}

/// The first brace in a template that does not belong to one of [`PLACEHOLDERS`]: an
/// unknown `{name}`, or a `{` or `}` outside a placeholder (braces are for placeholders
/// only, so a typo never reaches a customer half-filled). `None` when there is none.
pub fn unknown_placeholder(template: &str) -> Option<&str> {
    stray_brace(template, &PLACEHOLDERS)
}

/// The first brace in a template that does not belong to one of `known`, as in
/// [`unknown_placeholder`]; shared with the answers to replies, which know more names.
pub fn stray_brace<'t>(template: &'t str, known: &[&str]) -> Option<&'t str> {
    let mut rest = template;
    while let Some(at) = rest.find(['{', '}']) {
        rest = &rest[at..];
        if rest.starts_with('}') {
            return Some("}");
        }
        let Some(close) = rest.find('}') else {
            return Some("{");
        };
        let name = &rest[1..close];
        if !known.contains(&name) {
            return Some(&rest[..=close]);
        }
        rest = &rest[close + 1..];
    }
    None
}

/// The template shipped for a kind in a locale, naming some of [`PLACEHOLDERS`].
pub fn default_template(kind: MessageKind, locale: Locale) -> &'static str {
    use MessageKind::*;
    match (locale, kind) {
        (Locale::Id, BookingConfirmation) => {
            "Halo {customer_name}, booking {service} di {location} pada {when} sudah kami terima. {link}"
        }
        (Locale::Id, Reminder) => {
            "Halo {customer_name}, pengingat: {service} di {location} pada {when}. Balas 1 untuk konfirmasi, 2 untuk ganti jadwal, 3 untuk batal. {link}"
        }
        (Locale::Id, Rescheduled) => {
            "Halo {customer_name}, jadwal {service} Anda di {location} dipindah ke {when}. {link}"
        }
        (Locale::Id, Cancelled) => {
            "Halo {customer_name}, booking {service} Anda di {location} pada {when} dibatalkan. {link}"
        }
        (Locale::En, BookingConfirmation) => {
            "Hello {customer_name}, your {service} at {location} on {when} is booked. {link}"
        }
        (Locale::En, Reminder) => {
            "Hello {customer_name}, a reminder: {service} at {location} on {when}. Reply 1 to confirm, 2 to change the time, 3 to cancel. {link}"
        }
        (Locale::En, Rescheduled) => {
            "Hello {customer_name}, your {service} at {location} has moved to {when}. {link}"
        }
        (Locale::En, Cancelled) => {
            "Hello {customer_name}, your {service} at {location} on {when} is cancelled. {link}"
        }
        (Locale::Id, UnconfirmedFollowUp) => {
            "Halo {customer_name}, {service} Anda di {location} pada {when} belum dikonfirmasi. Balas 1 untuk konfirmasi, 2 untuk ganti jadwal, 3 untuk batal. {link}"
        }
        (Locale::Id, NoShowFollowUp) => {
            "Halo {customer_name}, sayang sekali kita tidak bertemu untuk {service} di {location} pada {when}. Hubungi kami untuk memilih waktu baru. {link}"
        }
        (Locale::Id, Survey) => {
            "Terima kasih {customer_name} sudah datang untuk {service} di {location} pada {when}. Bagaimana pelayanan kami? {survey_url}"
        }
        (Locale::Id, FeeNotice) => {
            "Halo {customer_name}, biaya {fee} dikenakan untuk perubahan {service} Anda di {location} ({when}). {link}"
        }
        (Locale::En, UnconfirmedFollowUp) => {
            "Hello {customer_name}, your {service} at {location} on {when} is not confirmed yet. Reply 1 to confirm, 2 to change the time, 3 to cancel. {link}"
        }
        (Locale::En, NoShowFollowUp) => {
            "Hello {customer_name}, we missed you for your {service} at {location} on {when}. Contact us to pick a new time. {link}"
        }
        (Locale::En, Survey) => {
            "Thank you {customer_name} for your visit for {service} at {location} on {when}. How did we do? {survey_url}"
        }
        (Locale::En, FeeNotice) => {
            "Hello {customer_name}, a fee of {fee} applies to the change of your {service} at {location} ({when}). {link}"
        }
        // From the answer templates of `domain::reply_answers`, one per answer kind.
        (_, ReplyAnswer) => "",
        // Not a text to a customer: an integration's JSON event (`app::webhooks`).
        (_, Webhook) => "",
    }
}

/// Fills a template. A placeholder it does not know stays as written; spaces left by an
/// empty value are closed up.
pub fn render(template: &str, d: &Details<'_>) -> String {
    fill(
        template,
        &[
            ("customer_name", d.customer_name),
            ("when", d.when),
            ("location", d.location),
            ("service", d.service),
            ("link", d.link),
            ("fee", d.fee),
            ("survey_url", d.survey_url),
        ],
    )
}

/// Fills each `{name}` of a template with its value, in one pass (a value that happens
/// to contain a `{name}` of its own, a customer called "{fee}", is written as it is); a
/// name not among `values` stays as written, and spaces left by an empty value are
/// closed up.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        rest = &rest[open..];
        let value = rest.find('}').and_then(|close| {
            let name = &rest[1..close];
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, close))
        });
        match value {
            Some((v, close)) => {
                out.push_str(v);
                rest = &rest[close + 1..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An instant as a customer of a location reads it: weekday, date, 24-hour time and the
/// zone's abbreviation, in the locale's words and separators.
pub fn local_when(t: DateTime<Utc>, tz: Tz, locale: Locale) -> String {
    let l = t.with_timezone(&tz);
    let zone = l.format("%Z").to_string();
    let zone = if zone.starts_with(['+', '-']) {
        format!("UTC{zone}")
    } else {
        zone
    };
    let (day, month) = (l.weekday(), l.month0() as usize);
    match locale {
        Locale::Id => format!(
            "{}, {} {} {}, {:02}.{:02} {zone}",
            hari(day),
            l.day(),
            BULAN[month],
            l.year(),
            l.hour(),
            l.minute()
        ),
        Locale::En => format!(
            "{}, {} {} {}, {:02}:{:02} {zone}",
            l.format("%A"),
            l.day(),
            l.format("%B"),
            l.year(),
            l.hour(),
            l.minute()
        ),
    }
}

const BULAN: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

fn hari(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn times_as_people_in_the_location_read_them() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        let jakarta = chrono_tz::Asia::Jakarta;
        assert_eq!(
            local_when(t, jakarta, Locale::Id),
            "Senin, 7 Desember 2026, 09.00 WIB"
        );
        assert_eq!(
            local_when(t, jakarta, Locale::En),
            "Monday, 7 December 2026, 09:00 WIB"
        );
        assert_eq!(
            local_when(t, chrono_tz::Asia::Makassar, Locale::Id),
            "Senin, 7 Desember 2026, 10.00 WITA"
        );
        assert_eq!(
            local_when(t, chrono_tz::Asia::Jayapura, Locale::Id),
            "Senin, 7 Desember 2026, 11.00 WIT"
        );
    }

    #[test]
    fn a_zone_without_an_abbreviation_shows_its_offset() {
        let t = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        let s = local_when(t, chrono_tz::Asia::Dubai, Locale::En);
        assert_eq!(s, "Monday, 7 December 2026, 06:00 UTC+04");
    }

    #[test]
    fn every_template_names_the_time_and_place() {
        use strum::VariantArray;
        for &kind in MessageKind::VARIANTS {
            if matches!(kind, MessageKind::ReplyAnswer | MessageKind::Webhook) {
                continue;
            }
            for &locale in Locale::VARIANTS {
                let t = default_template(kind, locale);
                for p in ["{customer_name}", "{when}", "{location}", "{service}"] {
                    assert!(t.contains(p), "{kind} {locale}: {p}");
                }
            }
        }
    }

    #[test]
    fn rendering_fills_placeholders_and_closes_up_empty_ones() {
        let d = Details {
            customer_name: "Budi",
            when: "Senin, 7 Desember 2026, 09.00 WIB",
            location: "Sinar Motor Kemang",
            service: "Servis berkala",
            link: "",
            ..Details::default()
        };
        assert_eq!(
            render(default_template(MessageKind::Rescheduled, Locale::Id), &d),
            "Halo Budi, jadwal Servis berkala Anda di Sinar Motor Kemang dipindah ke Senin, 7 Desember 2026, 09.00 WIB."
        );
        assert_eq!(
            render("{unknown} {service}", &d),
            "{unknown} Servis berkala"
        );
        let d = Details {
            fee: "Rp 50.000",
            survey_url: "https://survei.example/sinar",
            ..d
        };
        assert_eq!(
            render("{fee} / {survey_url}", &d),
            "Rp 50.000 / https://survei.example/sinar"
        );
    }

    #[test]
    fn a_value_is_written_as_it_is_even_when_it_looks_like_a_placeholder() {
        let d = Details {
            customer_name: "{fee}",
            fee: "Rp 50.000",
            ..Details::default()
        };
        assert_eq!(
            render("Halo {customer_name}: {fee}", &d),
            "Halo {fee}: Rp 50.000"
        );
        assert_eq!(fill("{a}{b}{", &[("a", "x"), ("b", "")]), "x{");
        assert_eq!(fill("{ {a} }", &[("a", "1")]), "{ 1 }");
    }

    #[test]
    fn every_shipped_template_names_only_known_placeholders() {
        use strum::VariantArray;
        for &kind in MessageKind::VARIANTS {
            for &locale in Locale::VARIANTS {
                let t = default_template(kind, locale);
                assert_eq!(unknown_placeholder(t), None, "{kind} {locale}");
            }
        }
        assert!(default_template(MessageKind::FeeNotice, Locale::Id).contains("{fee}"));
        assert!(default_template(MessageKind::Survey, Locale::En).contains("{survey_url}"));
    }

    #[test]
    fn an_unknown_placeholder_or_a_stray_brace_is_found() {
        let found = |t| unknown_placeholder(t);
        assert_eq!(found("Halo {nama}, {when}"), Some("{nama}"));
        assert_eq!(found("Halo {customer_name} {Fee}"), Some("{Fee}"));
        assert_eq!(found("diskon {50%}"), Some("{50%}"));
        assert_eq!(found("{when} {"), Some("{"));
        assert_eq!(found("{when} }"), Some("}"));
        assert_eq!(found("{{when}}"), Some("{{when}"));
        assert_eq!(found("{customer_name}{fee}{survey_url}"), None);
        assert_eq!(found("no braces at all"), None);
    }

    #[test]
    fn an_organizations_template_replaces_the_shipped_one_for_its_kind_and_locale_only() {
        let custom = vec![CustomTemplate {
            kind: MessageKind::Reminder,
            locale: Locale::Id,
            text: "Sampai jumpa {when}".into(),
        }];
        assert_eq!(
            template_for(&custom, MessageKind::Reminder, Locale::Id),
            "Sampai jumpa {when}"
        );
        assert_eq!(
            template_for(&custom, MessageKind::Reminder, Locale::En),
            default_template(MessageKind::Reminder, Locale::En)
        );
    }
}
