//! The words of Janji's answer to a customer's reply: a template per answer kind and
//! locale (Janji's own, or an organization's instead), filled like a message's
//! (`message_text::fill`) with the appointment's details, the other times offered and
//! whom to contact.

use super::message_text;
use super::replies::Intent;
use super::{AnswerKind, Locale};

/// What an answer template can name, each written `{name}`: a message's placeholders,
/// plus `{times}` and `{contact}`. A kind that has nothing for one fills it with nothing
/// (`{times}` outside `change`, `{fee}` outside `cancel`), as a message template does
/// with `{fee}` outside a `fee_notice`.
pub const PLACEHOLDERS: [&str; 9] = [
    "customer_name",
    "when",
    "location",
    "service",
    "link",
    "fee",
    "survey_url",
    "times",
    "contact",
];

/// An organization's words for an answer kind in a locale, instead of the shipped ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomAnswer {
    pub kind: AnswerKind,
    pub locale: Locale,
    pub text: String,
}

/// The answer to a reply read as `intent`; `offered` says whether other times were found
/// (a change with none is answered apart).
pub fn kind_of(intent: Intent, offered: bool) -> AnswerKind {
    match intent {
        Intent::Confirm => AnswerKind::Confirmed,
        Intent::Change if offered => AnswerKind::Change,
        Intent::Change => AnswerKind::ChangeNone,
        Intent::Cancel => AnswerKind::Cancel,
        Intent::Other => AnswerKind::Other,
    }
}

/// What an answer can name.
#[derive(Clone, Debug, Default)]
pub struct Answer<'a> {
    pub customer_name: &'a str,
    pub service: &'a str,
    pub location: &'a str,
    /// The appointment's local time (see `message_text::local_when`).
    pub when: &'a str,
    /// The customer's self-service link (its marker, written in at send time), or empty.
    pub link: &'a str,
    /// The cancellation fee, written (`biaya Rp50.000`, or `tanpa biaya` / `no fee`).
    pub fee: &'a str,
    pub survey_url: &'a str,
    /// The location's phone, or its name when it has none.
    pub contact: &'a str,
    /// The other times offered, each with its fee already written.
    pub times: Vec<String>,
}

/// The first brace of an answer template that is not one of [`PLACEHOLDERS`] (see
/// `message_text::unknown_placeholder`).
pub fn unknown_placeholder(template: &str) -> Option<&str> {
    message_text::stray_brace(template, &PLACEHOLDERS)
}

/// The organization's answer template for a kind and locale, else the shipped one.
pub fn template_for(custom: &[CustomAnswer], kind: AnswerKind, locale: Locale) -> &str {
    custom
        .iter()
        .find(|t| t.kind == kind && t.locale == locale)
        .map_or_else(|| default_template(kind, locale), |t| t.text.as_str())
}

/// The answer template shipped for a kind in a locale.
pub fn default_template(kind: AnswerKind, locale: Locale) -> &'static str {
    use AnswerKind::*;
    match (locale, kind) {
        (Locale::Id, Confirmed) => {
            "Terima kasih {customer_name}, {service} pada {when} sudah dikonfirmasi."
        }
        (Locale::En, Confirmed) => {
            "Thank you {customer_name}, your {service} on {when} is confirmed."
        }
        (Locale::Id, Change) => {
            "Waktu lain untuk {service}: {times}. Pilih waktu baru di {link} atau hubungi {contact}."
        }
        (Locale::En, Change) => {
            "Other times for your {service}: {times}. Pick a new time at {link} or contact {contact}."
        }
        (Locale::Id, ChangeNone) => {
            "Maaf, belum ada waktu lain untuk {service}. Lihat {link} atau hubungi {contact}."
        }
        (Locale::En, ChangeNone) => {
            "Sorry, there is no other time for your {service} yet. See {link} or contact {contact}."
        }
        (Locale::Id, Cancel) => {
            "Pembatalan {service} pada {when}: {fee}. Belum ada yang dibatalkan; untuk membatalkan, buka {link} atau hubungi {contact}."
        }
        (Locale::En, Cancel) => {
            "Cancelling your {service} on {when}: {fee}. Nothing is cancelled yet; to cancel, open {link} or contact {contact}."
        }
        (Locale::Id, Other) => "Pesan Anda sudah kami terima; staf kami akan menghubungi Anda.",
        (Locale::En, Other) => "We have your message; our staff will get back to you.",
    }
}

/// Fills an answer template: the times joined with `; `; a placeholder the kind has
/// nothing for is empty and its spaces closed up.
pub fn render(template: &str, a: &Answer<'_>) -> String {
    let times = a.times.join("; ");
    message_text::fill(
        template,
        &[
            ("customer_name", a.customer_name),
            ("when", a.when),
            ("location", a.location),
            ("service", a.service),
            ("link", a.link),
            ("fee", a.fee),
            ("survey_url", a.survey_url),
            ("times", &times),
            ("contact", a.contact),
        ],
    )
}

#[cfg(test)]
mod tests {
    use strum::VariantArray;

    use super::*;

    fn budi() -> Answer<'static> {
        Answer {
            customer_name: "Budi",
            service: "Servis berkala",
            location: "Sinar Motor Kemang",
            when: "Senin, 30 November 2026, 09.00 WIB",
            link: "https://janji.example/a/t0k3n",
            fee: "biaya Rp50.000",
            survey_url: "",
            contact: "+62215550100",
            times: vec![
                "Senin, 30 November 2026, 13.00 WIB (biaya Rp50.000)".into(),
                "Selasa, 1 Desember 2026, 09.00 WIB (tanpa biaya)".into(),
            ],
        }
    }

    fn shipped(kind: AnswerKind, locale: Locale, a: &Answer<'_>) -> String {
        render(default_template(kind, locale), a)
    }

    #[test]
    fn each_shipped_answer_in_indonesian() {
        let a = budi();
        assert_eq!(
            shipped(AnswerKind::Confirmed, Locale::Id, &a),
            "Terima kasih Budi, Servis berkala pada Senin, 30 November 2026, 09.00 WIB sudah dikonfirmasi."
        );
        assert_eq!(
            shipped(AnswerKind::Change, Locale::Id, &a),
            "Waktu lain untuk Servis berkala: Senin, 30 November 2026, 13.00 WIB (biaya Rp50.000); Selasa, 1 Desember 2026, 09.00 WIB (tanpa biaya). Pilih waktu baru di https://janji.example/a/t0k3n atau hubungi +62215550100."
        );
        assert_eq!(
            shipped(AnswerKind::ChangeNone, Locale::Id, &a),
            "Maaf, belum ada waktu lain untuk Servis berkala. Lihat https://janji.example/a/t0k3n atau hubungi +62215550100."
        );
        assert_eq!(
            shipped(AnswerKind::Cancel, Locale::Id, &a),
            "Pembatalan Servis berkala pada Senin, 30 November 2026, 09.00 WIB: biaya Rp50.000. Belum ada yang dibatalkan; untuk membatalkan, buka https://janji.example/a/t0k3n atau hubungi +62215550100."
        );
        assert_eq!(
            shipped(AnswerKind::Other, Locale::Id, &a),
            "Pesan Anda sudah kami terima; staf kami akan menghubungi Anda."
        );
    }

    #[test]
    fn each_shipped_answer_in_english() {
        let a = Answer {
            when: "Monday, 30 November 2026, 09:00 WIB",
            fee: "no fee",
            times: vec!["Monday, 30 November 2026, 13:00 WIB (fee IDR 50,000)".into()],
            ..budi()
        };
        assert_eq!(
            shipped(AnswerKind::Confirmed, Locale::En, &a),
            "Thank you Budi, your Servis berkala on Monday, 30 November 2026, 09:00 WIB is confirmed."
        );
        assert_eq!(
            shipped(AnswerKind::Change, Locale::En, &a),
            "Other times for your Servis berkala: Monday, 30 November 2026, 13:00 WIB (fee IDR 50,000). Pick a new time at https://janji.example/a/t0k3n or contact +62215550100."
        );
        assert_eq!(
            shipped(AnswerKind::ChangeNone, Locale::En, &a),
            "Sorry, there is no other time for your Servis berkala yet. See https://janji.example/a/t0k3n or contact +62215550100."
        );
        assert_eq!(
            shipped(AnswerKind::Cancel, Locale::En, &a),
            "Cancelling your Servis berkala on Monday, 30 November 2026, 09:00 WIB: no fee. Nothing is cancelled yet; to cancel, open https://janji.example/a/t0k3n or contact +62215550100."
        );
        assert_eq!(
            shipped(AnswerKind::Other, Locale::En, &a),
            "We have your message; our staff will get back to you."
        );
    }

    #[test]
    fn an_organizations_answer_replaces_the_shipped_one_for_its_kind_and_locale_only() {
        let custom = vec![CustomAnswer {
            kind: AnswerKind::Other,
            locale: Locale::Id,
            text: "Siap {customer_name}, pesan diteruskan ke {location} ({contact}).".into(),
        }];
        let t = template_for(&custom, AnswerKind::Other, Locale::Id);
        assert_eq!(
            render(t, &budi()),
            "Siap Budi, pesan diteruskan ke Sinar Motor Kemang (+62215550100)."
        );
        assert_eq!(
            template_for(&custom, AnswerKind::Other, Locale::En),
            default_template(AnswerKind::Other, Locale::En)
        );
        assert_eq!(
            template_for(&custom, AnswerKind::Confirmed, Locale::Id),
            default_template(AnswerKind::Confirmed, Locale::Id)
        );
    }

    #[test]
    fn a_placeholder_a_kind_has_nothing_for_is_empty_and_closed_up() {
        // A confirmation has no times and no fee.
        let a = Answer {
            fee: "",
            times: vec![],
            ..budi()
        };
        assert_eq!(
            render("Oke {customer_name} {times} {fee}, sampai jumpa.", &a),
            "Oke Budi , sampai jumpa."
        );
    }

    #[test]
    fn answer_templates_know_times_and_contact_and_nothing_else() {
        assert_eq!(unknown_placeholder("{times} {contact} {survey_url}"), None);
        assert_eq!(unknown_placeholder("{waktu}"), Some("{waktu}"));
        assert_eq!(unknown_placeholder("{times"), Some("{"));
        // Message templates do not know the answers' own names.
        assert_eq!(
            message_text::unknown_placeholder("{times}"),
            Some("{times}")
        );
        for &kind in AnswerKind::VARIANTS {
            for &locale in Locale::VARIANTS {
                let t = default_template(kind, locale);
                assert_eq!(unknown_placeholder(t), None, "{kind} {locale}");
            }
        }
    }

    #[test]
    fn a_change_without_times_has_its_own_answer() {
        assert_eq!(kind_of(Intent::Change, true), AnswerKind::Change);
        assert_eq!(kind_of(Intent::Change, false), AnswerKind::ChangeNone);
        assert_eq!(kind_of(Intent::Confirm, false), AnswerKind::Confirmed);
        assert_eq!(kind_of(Intent::Cancel, false), AnswerKind::Cancel);
        assert_eq!(kind_of(Intent::Other, true), AnswerKind::Other);
    }
}
