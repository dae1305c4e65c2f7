//! An organization's reply words and answers to replies as the notification settings row
//! keeps them (JSON in `notification_settings.reply_words` and `.reply_answers`).

use serde::{Deserialize, Serialize};

use crate::domain::reply_answers::CustomAnswer;
use crate::domain::reply_words::CustomWords;
use crate::domain::{AnswerKind, Locale, ReplyIntent};
use crate::error::Error;

#[derive(Debug, Serialize, Deserialize)]
struct StoredWords {
    locale: Locale,
    intent: ReplyIntent,
    words: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StoredAnswer {
    kind: AnswerKind,
    locale: Locale,
    text: String,
}

/// The words as stored.
pub fn words_json(words: &[CustomWords]) -> String {
    let stored: Vec<StoredWords> = words
        .iter()
        .map(|w| StoredWords {
            locale: w.locale,
            intent: w.intent,
            words: w.words.clone(),
        })
        .collect();
    serde_json::to_string(&stored).expect("plain values")
}

/// The stored words.
pub fn read_words(json: &str) -> Result<Vec<CustomWords>, Error> {
    let stored: Vec<StoredWords> = serde_json::from_str(json)
        .map_err(|e| Error::internal(format!("stored reply words: {e}")))?;
    Ok(stored
        .into_iter()
        .map(|w| CustomWords {
            locale: w.locale,
            intent: w.intent,
            words: w.words,
        })
        .collect())
}

/// The answers as stored.
pub fn answers_json(answers: &[CustomAnswer]) -> String {
    let stored: Vec<StoredAnswer> = answers
        .iter()
        .map(|a| StoredAnswer {
            kind: a.kind,
            locale: a.locale,
            text: a.text.clone(),
        })
        .collect();
    serde_json::to_string(&stored).expect("plain values")
}

/// The stored answers.
pub fn read_answers(json: &str) -> Result<Vec<CustomAnswer>, Error> {
    let stored: Vec<StoredAnswer> = serde_json::from_str(json)
        .map_err(|e| Error::internal(format!("stored reply answers: {e}")))?;
    Ok(stored
        .into_iter()
        .map(|a| CustomAnswer {
            kind: a.kind,
            locale: a.locale,
            text: a.text,
        })
        .collect())
}
