//! The JSON of availability answers, kept beside the answers they were written from.
//!
//! A month of one resource's slots is a response of about 75 KB, and writing it
//! (every slot's local times, zone and resources) cost more than everything else a
//! request did once the slots themselves were kept (`app::availability::list_slots`).
//! A response depends only on the kept answer (which versions, window, resource and
//! zone it was found at) and on the run of its slots bookable at the request's `now`,
//! which moves only when `now` crosses a slot's start: so it is written once per answer
//! and run, and served again while both are the same.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, Weak};

use actix_web::web::Bytes;

use crate::app::availability::Answer;

/// Past this many bytes kept, they start again empty (a month of 50 resources is about
/// 200 KB): the windows asked for again and again are few.
const BUDGET: usize = 4 << 20;

/// Responses written from kept answers. Cloning shares them.
#[derive(Clone, Default)]
pub struct RenderedSlots {
    inner: Arc<Mutex<Kept>>,
}

#[derive(Default)]
struct Kept {
    /// By the answer's address. Each entry holds a weak reference to its answer, which
    /// keeps the address from being reused while the entry lives, so an entry found by
    /// address is that answer's.
    by_answer: HashMap<usize, Entry>,
    bytes: usize,
}

struct Entry {
    answer: Weak<Answer>,
    bookable: Range<usize>,
    body: Bytes,
}

fn address(answer: &Arc<Answer>) -> usize {
    Arc::as_ptr(answer) as usize
}

impl RenderedSlots {
    /// The response written from `answer` for the slots in `bookable`, if kept.
    pub fn get(&self, answer: &Arc<Answer>, bookable: &Range<usize>) -> Option<Bytes> {
        let kept = self.inner.lock().ok()?;
        kept.by_answer
            .get(&address(answer))
            .filter(|e| e.answer.strong_count() > 0 && e.bookable == *bookable)
            .map(|e| e.body.clone())
    }

    /// Keeps the response written from `answer` for the slots in `bookable`, in place of
    /// one written for another run.
    pub fn keep(&self, answer: &Arc<Answer>, bookable: Range<usize>, body: Bytes) {
        let Ok(mut kept) = self.inner.lock() else {
            return;
        };
        if kept.bytes + body.len() > BUDGET {
            kept.by_answer.clear();
            kept.bytes = 0;
        }
        kept.bytes += body.len();
        let entry = Entry {
            answer: Arc::downgrade(answer),
            bookable,
            body,
        };
        if let Some(old) = kept.by_answer.insert(address(answer), entry) {
            kept.bytes -= old.body.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> Arc<Answer> {
        Arc::new(Answer {
            setup_version: 1,
            busy_versions: vec![1],
            slots: Vec::new(),
        })
    }

    #[test]
    fn a_response_is_served_for_its_answer_and_run_only() {
        let kept = RenderedSlots::default();
        let (a, b) = (answer(), answer());
        kept.keep(&a, 0..3, Bytes::from_static(b"a03"));
        assert_eq!(kept.get(&a, &(0..3)).as_deref(), Some(&b"a03"[..]));
        assert_eq!(
            kept.get(&a, &(1..3)),
            None,
            "another run of the same answer"
        );
        assert_eq!(kept.get(&b, &(0..3)), None, "another answer");
        kept.keep(&a, 1..3, Bytes::from_static(b"a13"));
        assert_eq!(kept.get(&a, &(0..3)), None, "replaced by the newer run");
        assert_eq!(kept.get(&a, &(1..3)).as_deref(), Some(&b"a13"[..]));
        assert_eq!(kept.inner.lock().unwrap().bytes, 3);
    }

    #[test]
    fn an_answer_dropped_is_never_served_again() {
        let kept = RenderedSlots::default();
        let a = answer();
        kept.keep(&a, 0..0, Bytes::from_static(b"old"));
        drop(a);
        // The entry's weak reference keeps the old address taken, so a new answer
        // never shares it; and the old entry, found by address, is dead.
        let b = answer();
        assert_eq!(kept.get(&b, &(0..0)), None);
    }

    #[test]
    fn past_the_budget_what_was_kept_starts_again_empty() {
        let kept = RenderedSlots::default();
        let (a, b) = (answer(), answer());
        kept.keep(&a, 0..1, Bytes::from(vec![b'x'; BUDGET - 10]));
        kept.keep(&b, 0..1, Bytes::from(vec![b'y'; 20]));
        assert_eq!(kept.get(&a, &(0..1)), None);
        assert!(kept.get(&b, &(0..1)).is_some());
        assert_eq!(kept.inner.lock().unwrap().bytes, 20);
    }
}
