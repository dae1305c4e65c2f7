//! The words customers reply with, per locale and intent: Janji's own (`1`/`YA`/`OK`
//! confirms, `2`/`GANTI`/`UBAH` asks for other times, `3`/`BATAL` asks about cancelling),
//! or an organization's instead, one list per locale and intent. A list the organization
//! leaves out keeps the shipped words, less any the organization gave another intent of
//! the same locale (its own word wins).

use super::{Locale, ReplyIntent};

/// A word's longest form, in characters.
pub const MAX_WORD_CHARS: usize = 32;
/// Most words an organization gives one intent in one locale.
pub const MAX_WORDS: usize = 20;

/// An organization's words for an intent in a locale, instead of the shipped ones (an
/// empty list: no word asks for it in that locale).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomWords {
    pub locale: Locale,
    pub intent: ReplyIntent,
    pub words: Vec<String>,
}

/// The words shipped for an intent in a locale. Together they are the words Janji read
/// before organizations could change them.
pub fn default_words(locale: Locale, intent: ReplyIntent) -> &'static [&'static str] {
    match (locale, intent) {
        (Locale::Id, ReplyIntent::Confirm) => &["1", "YA", "Y", "IYA", "OK", "OKE"],
        (Locale::Id, ReplyIntent::Change) => &["2", "GANTI", "UBAH"],
        (Locale::Id, ReplyIntent::Cancel) => &["3", "BATAL"],
        (Locale::En, ReplyIntent::Confirm) => &["1", "YES", "Y", "OK", "CONFIRM"],
        (Locale::En, ReplyIntent::Change) => &["2", "CHANGE", "RESCHEDULE"],
        (Locale::En, ReplyIntent::Cancel) => &["3", "CANCEL"],
    }
}

/// The words for an intent in a locale: the organization's, else the shipped ones less
/// those the organization gave another intent of the locale (so `OK` for changing needs
/// no list for confirming to take it out of).
pub fn words_for(custom: &[CustomWords], locale: Locale, intent: ReplyIntent) -> Vec<&str> {
    match custom
        .iter()
        .find(|c| c.locale == locale && c.intent == intent)
    {
        Some(c) => c.words.iter().map(String::as_str).collect(),
        None => default_words(locale, intent)
            .iter()
            .copied()
            .filter(|w| {
                !custom.iter().any(|c| {
                    c.locale == locale
                        && c.intent != intent
                        && c.words.iter().any(|x| same_word(x, w))
                })
            })
            .collect(),
    }
}

/// Why a word cannot be a reply word, `None` when it can: 1 to [`MAX_WORD_CHARS`]
/// characters with no white space (only a reply's first word is read).
pub fn word_problem(word: &str) -> Option<&'static str> {
    if word.is_empty() {
        Some("a word has at least one character")
    } else if word.chars().count() > MAX_WORD_CHARS {
        Some("a word has at most 32 characters")
    } else if word.chars().any(char::is_whitespace) {
        Some("a word has no white space: only the first word of a reply is read")
    } else {
        None
    }
}

/// Two words that are the same whatever their case.
pub fn same_word(a: &str, b: &str) -> bool {
    a.to_uppercase() == b.to_uppercase()
}

/// A word of the organization's that an earlier of its lists for the same locale also has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clash {
    /// Which of the organization's lists, and which word in it.
    pub list: usize,
    pub word: usize,
    pub other: ReplyIntent,
}

/// The first word that would ask for two things in one locale, or a word given twice in
/// one list (`other` is then the list's own intent).
pub fn clash(custom: &[CustomWords]) -> Option<Clash> {
    for (list, c) in custom.iter().enumerate() {
        for (word, w) in c.words.iter().enumerate() {
            if c.words[..word].iter().any(|x| same_word(x, w)) {
                return Some(Clash {
                    list,
                    word,
                    other: c.intent,
                });
            }
            // The later of two lists is named: the earlier had the word first.
            let other = custom[..list]
                .iter()
                .find(|o| {
                    o.locale == c.locale
                        && o.intent != c.intent
                        && o.words.iter().any(|x| same_word(x, w))
                })
                .map(|o| o.intent);
            if let Some(other) = other {
                return Some(Clash { list, word, other });
            }
        }
    }
    None
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
    fn an_organizations_list_replaces_the_shipped_one_for_its_locale_and_intent_only() {
        let c = vec![custom(Locale::Id, ReplyIntent::Confirm, &["siap", "👍"])];
        assert_eq!(
            words_for(&c, Locale::Id, ReplyIntent::Confirm),
            ["siap", "👍"]
        );
        assert_eq!(
            words_for(&c, Locale::En, ReplyIntent::Confirm),
            default_words(Locale::En, ReplyIntent::Confirm)
        );
        assert_eq!(
            words_for(&c, Locale::Id, ReplyIntent::Change),
            default_words(Locale::Id, ReplyIntent::Change)
        );
    }

    #[test]
    fn a_word_is_short_and_has_no_white_space() {
        assert_eq!(word_problem("SIAP"), None);
        assert_eq!(word_problem("👍"), None);
        assert_eq!(word_problem(&"x".repeat(32)), None);
        assert!(word_problem("").is_some());
        assert!(word_problem(&"x".repeat(33)).is_some());
        assert!(word_problem("ya dong").is_some());
        assert!(word_problem("ya\u{a0}").is_some());
    }

    #[test]
    fn a_word_for_two_intents_of_one_locale_clashes_whatever_its_case() {
        let c = vec![
            custom(Locale::Id, ReplyIntent::Confirm, &["1", "YA", "ok"]),
            custom(Locale::Id, ReplyIntent::Change, &["GANTI", "OK"]),
        ];
        assert_eq!(
            clash(&c),
            Some(Clash {
                list: 1,
                word: 1,
                other: ReplyIntent::Confirm
            })
        );
        // "ok" is a shipped confirming word in Indonesian: the organization's own list
        // takes it, and the shipped confirming words lose it.
        let c = vec![custom(Locale::Id, ReplyIntent::Change, &["GANTI", "ok"])];
        assert_eq!(clash(&c), None);
        assert_eq!(
            words_for(&c, Locale::Id, ReplyIntent::Confirm),
            ["1", "YA", "Y", "IYA", "OKE"]
        );
        assert_eq!(
            words_for(&c, Locale::En, ReplyIntent::Confirm),
            default_words(Locale::En, ReplyIntent::Confirm)
        );
        // Another locale may use a word for something else: the customer's locale reads first.
        let c = vec![custom(Locale::En, ReplyIntent::Cancel, &["GANTI"])];
        assert_eq!(clash(&c), None);
        let c = vec![custom(Locale::En, ReplyIntent::Cancel, &["stop", "STOP"])];
        assert_eq!(
            clash(&c),
            Some(Clash {
                list: 0,
                word: 1,
                other: ReplyIntent::Cancel
            })
        );
    }

    #[test]
    fn the_shipped_words_clash_nowhere() {
        assert_eq!(clash(&[]), None);
        use strum::VariantArray;
        for &l in Locale::VARIANTS {
            for &i in ReplyIntent::VARIANTS {
                let c = vec![custom(l, i, default_words(l, i))];
                assert_eq!(clash(&c), None, "{l} {i}");
            }
        }
    }
}
