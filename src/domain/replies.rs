//! What a customer's reply to a message asks for. People answer a WhatsApp reminder with
//! a number or a word (`1`/`YA`/`OK` confirms, `2`/`GANTI`/`UBAH` asks for other times,
//! `3`/`BATAL` asks about cancelling: a bare word never cancels anything); the words are
//! the organization's or Janji's (`domain::reply_words`); anything else is kept for staff.

use strum::VariantArray;

use super::reply_words::{self, CustomWords};
use super::{Locale, ReplyIntent};

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

impl From<ReplyIntent> for Intent {
    fn from(i: ReplyIntent) -> Self {
        match i {
            ReplyIntent::Confirm => Intent::Confirm,
            ReplyIntent::Change => Intent::Change,
            ReplyIntent::Cancel => Intent::Cancel,
        }
    }
}

/// Reads a reply by its first word, whatever its case: as written, or without the
/// punctuation around it (`YA.`, `ok!`; a word that is punctuation itself, `👍`, is read
/// as written). The words of the customer's locale are tried first, then the other
/// locale's, so a word each locale uses for something else means what the customer's
/// language means by it.
pub fn classify(text: &str, words: &[CustomWords], locale: Locale) -> Intent {
    let first = text.split_whitespace().next().unwrap_or_default();
    let forms = [
        first.to_uppercase(),
        first
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_uppercase(),
    ];
    let matches = |w: &str| !w.is_empty() && forms.iter().any(|f| *f == w.to_uppercase());
    let other = match locale {
        Locale::Id => Locale::En,
        Locale::En => Locale::Id,
    };
    for l in [locale, other] {
        for &intent in ReplyIntent::VARIANTS {
            if reply_words::words_for(words, l, intent)
                .into_iter()
                .any(matches)
            {
                return intent.into();
            }
        }
    }
    Intent::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(locale: Locale, intent: ReplyIntent, words: &[&str]) -> CustomWords {
        CustomWords {
            locale,
            intent,
            words: words.iter().map(|w| (*w).to_owned()).collect(),
        }
    }

    #[test]
    fn words_people_reply_with() {
        for locale in [Locale::Id, Locale::En] {
            let read = |t| classify(t, &[], locale);
            for t in [
                "1", "ya", "YA.", "Ok", "oke siap", " iya! ", "yes", "Confirm",
            ] {
                assert_eq!(read(t), Intent::Confirm, "{t}");
            }
            for t in ["2", "ganti", "UBAH jadwal", "change", "reschedule"] {
                assert_eq!(read(t), Intent::Change, "{t}");
            }
            for t in ["3", "batal", "Cancel"] {
                assert_eq!(read(t), Intent::Cancel, "{t}");
            }
            for t in ["", "halo", "12", "jam berapa?", "yaa", "👍"] {
                assert_eq!(read(t), Intent::Other, "{t}");
            }
        }
    }

    #[test]
    fn an_organizations_own_words_are_read_whatever_their_case() {
        let words = vec![
            custom(Locale::Id, ReplyIntent::Confirm, &["Siap", "👍"]),
            custom(Locale::Id, ReplyIntent::Cancel, &["STOP!"]),
        ];
        let read = |t| classify(t, &words, Locale::Id);
        assert_eq!(read("siap pak"), Intent::Confirm);
        assert_eq!(read("SIAP!!"), Intent::Confirm);
        assert_eq!(read("👍"), Intent::Confirm);
        assert_eq!(read("stop!"), Intent::Cancel);
        // Words left out keep the shipped ones.
        assert_eq!(read("ganti"), Intent::Change);
        // Confirming in Indonesian is now the organization's words only; English still
        // knows "1", "OK" and "YES".
        assert_eq!(read("iya"), Intent::Other);
        assert_eq!(read("ok"), Intent::Confirm);
        assert_eq!(read("batal"), Intent::Other);
        assert_eq!(read("cancel"), Intent::Cancel);
    }

    #[test]
    fn the_customers_locale_is_read_first() {
        // "OK" asks for another time in this organization's Indonesian, and confirms in
        // its (shipped) English.
        let words = vec![
            custom(Locale::Id, ReplyIntent::Confirm, &["1", "YA"]),
            custom(Locale::Id, ReplyIntent::Change, &["2", "OK"]),
        ];
        assert_eq!(classify("ok", &words, Locale::Id), Intent::Change);
        assert_eq!(classify("ok", &words, Locale::En), Intent::Confirm);
        // A word only the other locale has still counts.
        assert_eq!(classify("ya", &words, Locale::En), Intent::Confirm);
    }

    #[test]
    fn an_empty_list_means_no_word_asks_for_it() {
        let words = vec![
            custom(Locale::Id, ReplyIntent::Cancel, &[]),
            custom(Locale::En, ReplyIntent::Cancel, &[]),
        ];
        assert_eq!(classify("3", &words, Locale::Id), Intent::Other);
        assert_eq!(classify("batal", &words, Locale::En), Intent::Other);
    }
}
