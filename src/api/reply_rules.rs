//! The parts of `/v1/notification-settings` about customers' replies: the words a reply
//! is read by, and the answers Janji gives, each per locale.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::notification_rules::MAX_TEMPLATE_CHARS;
use crate::domain::reply_answers::{self, CustomAnswer};
use crate::domain::reply_words::{self, CustomWords, MAX_WORDS};
use crate::domain::{AnswerKind, Locale, ReplyIntent, text};
use crate::error::{Code, Error};

/// The organization's words for one intent in one locale, instead of the shipped ones
/// (`id`: `1 YA Y IYA OK OKE`, `2 GANTI UBAH`, `3 BATAL`; `en`: `1 YES Y OK CONFIRM`,
/// `2 CHANGE RESCHEDULE`, `3 CANCEL`). A reply is read by its first word, whatever its
/// case, in the customer's locale first and then in the other; an intent and locale not
/// listed keeps the shipped words, an empty list has none.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"locale": "id", "intent": "confirm", "words": ["1", "YA", "SIAP", "OKE"]}))]
pub struct ReplyWordsBody {
    pub locale: Locale,
    pub intent: ReplyIntent,
    /// 1 to 32 characters each, no white space, each once; in no other of the
    /// organization's lists for the same locale (a shipped word given here is taken from
    /// the shipped list it was in).
    #[schema(max_items = 20, example = json!(["1", "YA", "SIAP", "OKE"]))]
    pub words: Vec<String>,
}

/// Words for at most one list per locale and intent, each word checked.
pub fn parse_words(list: Vec<ReplyWordsBody>) -> Result<Vec<CustomWords>, Error> {
    let mut out: Vec<CustomWords> = Vec::with_capacity(list.len());
    for (i, w) in list.into_iter().enumerate() {
        if w.words.len() > MAX_WORDS {
            return Err(Error::invalid(
                format!("reply_words[{i}].words"),
                Code::OutOfRange,
                format!("at most {MAX_WORDS} words"),
            ));
        }
        for (j, word) in w.words.iter().enumerate() {
            if let Some(problem) = reply_words::word_problem(word) {
                return Err(Error::invalid(
                    format!("reply_words[{i}].words[{j}]"),
                    Code::InvalidValue,
                    problem,
                ));
            }
        }
        if out
            .iter()
            .any(|o| o.locale == w.locale && o.intent == w.intent)
        {
            return Err(Error::invalid(
                format!("reply_words[{i}].intent"),
                Code::InvalidValue,
                format!("another list is for {} in {}", w.intent, w.locale),
            ));
        }
        out.push(CustomWords {
            locale: w.locale,
            intent: w.intent,
            words: w.words,
        });
    }
    if let Some(c) = reply_words::clash(&out) {
        let list = &out[c.list];
        let word = &list.words[c.word];
        let detail = if c.other == list.intent {
            format!("'{word}' is in this list twice (whatever the case)")
        } else {
            format!(
                "'{word}' already asks to {} in {}: a word asks for one thing per locale",
                c.other, list.locale
            )
        };
        return Err(Error::invalid(
            format!("reply_words[{}].words[{}]", c.list, c.word),
            Code::InvalidValue,
            detail,
        ));
    }
    Ok(out)
}

/// The organization's words as shown.
pub fn words_body(w: &CustomWords) -> ReplyWordsBody {
    ReplyWordsBody {
        locale: w.locale,
        intent: w.intent,
        words: w.words.clone(),
    }
}

/// The organization's answer to a reply of one kind in one locale, instead of the
/// shipped one. Placeholders: those of message templates (`{customer_name}`, `{when}`,
/// `{location}`, `{service}`, `{link}`, `{fee}`, `{survey_url}`) plus `{times}` (the other
/// times offered, each with its fee, joined with `; `) and `{contact}` (the location's
/// phone, else its name). `{fee}` is the cancellation fee as a phrase ("biaya Rp50.000",
/// "tanpa biaya"). A placeholder the kind has nothing for is empty (`{times}` outside
/// `change`, `{fee}` outside `cancel`).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyAnswerBody {
    pub kind: AnswerKind,
    pub locale: Locale,
    #[schema(
        example = "Siap {customer_name}, pilihan waktu lain: {times}. Balas nomornya atau hubungi {contact}.",
        max_length = 1000
    )]
    pub text: String,
}

/// Answer templates, each checked as a message template is: 1 to 1000 characters naming
/// only known placeholders (`422 unknown_placeholder`), one per kind and locale.
pub fn parse_answers(list: Vec<ReplyAnswerBody>) -> Result<Vec<CustomAnswer>, Error> {
    let mut out: Vec<CustomAnswer> = Vec::with_capacity(list.len());
    for (i, a) in list.into_iter().enumerate() {
        let field = |f: &str| format!("reply_answers[{i}].{f}");
        let words = text::required(&field("text"), &a.text, MAX_TEMPLATE_CHARS)?;
        if let Some(name) = reply_answers::unknown_placeholder(&words) {
            return Err(Error::invalid(
                field("text"),
                Code::UnknownPlaceholder,
                format!(
                    "{name} is not a placeholder (braces are for placeholders only); use {}",
                    reply_answers::PLACEHOLDERS
                        .iter()
                        .map(|p| format!("{{{p}}}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .with_param("placeholder", name));
        }
        if out.iter().any(|o| o.kind == a.kind && o.locale == a.locale) {
            return Err(Error::invalid(
                field("locale"),
                Code::InvalidValue,
                format!("another answer is for {} in {}", a.kind, a.locale),
            ));
        }
        out.push(CustomAnswer {
            kind: a.kind,
            locale: a.locale,
            text: words,
        });
    }
    Ok(out)
}

/// An answer template as shown.
pub fn answer_body(a: &CustomAnswer) -> ReplyAnswerBody {
    ReplyAnswerBody {
        kind: a.kind,
        locale: a.locale,
        text: a.text.clone(),
    }
}
