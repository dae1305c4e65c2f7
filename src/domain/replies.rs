//! What a customer's reply to a message asks for, and the words of Janji's answer.
//! People answer a WhatsApp reminder with a number or a word: `1`/`YA`/`OK` confirms,
//! `2`/`GANTI`/`UBAH` asks for other times, `3`/`BATAL` asks about cancelling (a bare word
//! never cancels anything); anything else is kept for staff.

use super::Locale;

/// What a reply asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Intent {
    Confirm,
    Change,
    Cancel,
    Other,
}

impl Intent {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// Reads a reply: its first word, whatever the case and trailing punctuation.
pub fn classify(text: &str) -> Intent {
    let word: String = text
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_uppercase();
    match word.as_str() {
        "1" | "YA" | "Y" | "IYA" | "OK" | "OKE" | "YES" | "CONFIRM" => Intent::Confirm,
        "2" | "GANTI" | "UBAH" | "CHANGE" | "RESCHEDULE" => Intent::Change,
        "3" | "BATAL" | "CANCEL" => Intent::Cancel,
        _ => Intent::Other,
    }
}

/// The answer to a reply, in the customer's locale. `when` is the appointment's local
/// time; `times` the other times offered, each with its fee already written.
pub fn answer(intent: Intent, locale: Locale, a: &Answer<'_>) -> String {
    match (locale, intent) {
        (Locale::Id, Intent::Confirm) => format!(
            "Terima kasih {}, {} pada {} sudah dikonfirmasi.",
            a.customer_name, a.service, a.when
        ),
        (Locale::En, Intent::Confirm) => format!(
            "Thank you {}, your {} on {} is confirmed.",
            a.customer_name, a.service, a.when
        ),
        (Locale::Id, Intent::Change) if a.times.is_empty() => format!(
            "Maaf, belum ada waktu lain untuk {}. Silakan hubungi {}.",
            a.service, a.contact
        ),
        (Locale::En, Intent::Change) if a.times.is_empty() => format!(
            "Sorry, there is no other time for your {} yet. Please contact {}.",
            a.service, a.contact
        ),
        (Locale::Id, Intent::Change) => format!(
            "Waktu lain untuk {}: {}. Untuk memindah jadwal, hubungi {}.",
            a.service,
            a.times.join("; "),
            a.contact
        ),
        (Locale::En, Intent::Change) => format!(
            "Other times for your {}: {}. To move it, contact {}.",
            a.service,
            a.times.join("; "),
            a.contact
        ),
        (Locale::Id, Intent::Cancel) => format!(
            "Pembatalan {} pada {}: {}. Belum ada yang dibatalkan; untuk membatalkan, hubungi {}.",
            a.service, a.when, a.fee, a.contact
        ),
        (Locale::En, Intent::Cancel) => format!(
            "Cancelling your {} on {}: {}. Nothing is cancelled yet; to cancel, contact {}.",
            a.service, a.when, a.fee, a.contact
        ),
        (Locale::Id, Intent::Other) => {
            "Pesan Anda sudah kami terima; staf kami akan menghubungi Anda.".to_owned()
        }
        (Locale::En, Intent::Other) => {
            "We have your message; our staff will get back to you.".to_owned()
        }
    }
}

/// What an answer can name.
#[derive(Clone, Debug, Default)]
pub struct Answer<'a> {
    pub customer_name: &'a str,
    pub service: &'a str,
    pub when: &'a str,
    /// The cancellation fee, written (`tanpa biaya` / `no fee` when none).
    pub fee: &'a str,
    /// The location's phone, or its name when it has none.
    pub contact: &'a str,
    pub times: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_people_reply_with() {
        for t in ["1", "ya", "YA.", "Ok", "oke siap", " iya! "] {
            assert_eq!(classify(t), Intent::Confirm, "{t}");
        }
        for t in ["2", "ganti", "UBAH jadwal", "change"] {
            assert_eq!(classify(t), Intent::Change, "{t}");
        }
        for t in ["3", "batal", "Cancel"] {
            assert_eq!(classify(t), Intent::Cancel, "{t}");
        }
        for t in ["", "halo", "12", "jam berapa?", "yaa"] {
            assert_eq!(classify(t), Intent::Other, "{t}");
        }
    }

    #[test]
    fn a_cancel_answer_cancels_nothing_and_says_so() {
        let a = Answer {
            customer_name: "Budi",
            service: "Servis berkala",
            when: "Senin, 30 November 2026, 09.00 WIB",
            fee: "biaya Rp50.000",
            contact: "+62215550100",
            times: vec![],
        };
        let text = answer(Intent::Cancel, Locale::Id, &a);
        assert!(text.contains("Belum ada yang dibatalkan") && text.contains("Rp50.000"));
    }
}
