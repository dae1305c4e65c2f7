//! When each API key was last used. Authentication only notes it in memory, so that a
//! read stays a read (on SQLite a write would queue behind every other writer); the
//! housekeeping task writes the notes in one transaction a minute.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// Last uses not yet written, by API key id.
#[derive(Clone, Default)]
pub struct LastUse(Arc<Mutex<HashMap<String, DateTime<Utc>>>>);

impl LastUse {
    pub fn record(&self, key_id: &str, at: DateTime<Utc>) {
        let mut pending = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match pending.get_mut(key_id) {
            Some(t) if *t >= at => {}
            Some(t) => *t = at,
            None => {
                pending.insert(key_id.to_owned(), at);
            }
        }
    }

    /// The latest use of `key_id` not yet written, if any.
    pub fn pending(&self, key_id: &str) -> Option<DateTime<Utc>> {
        let pending = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pending.get(key_id).copied()
    }

    /// Takes every pending use, to write them.
    pub fn take(&self) -> Vec<(String, DateTime<Utc>)> {
        let mut pending = self.0.lock().unwrap_or_else(|e| e.into_inner());
        pending.drain().collect()
    }

    /// Puts uses back after a failed write, keeping any newer one noted meanwhile.
    pub fn restore(&self, uses: Vec<(String, DateTime<Utc>)>) {
        for (id, at) in uses {
            self.record(&id, at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn keeps_the_latest_use_per_key_until_taken() {
        let uses = LastUse::default();
        let t = |m| Utc.with_ymd_and_hms(2026, 11, 30, 10, m, 0).unwrap();
        uses.record("a", t(5));
        uses.record("a", t(3));
        uses.record("b", t(1));
        assert_eq!(uses.pending("a"), Some(t(5)));
        let mut taken = uses.take();
        taken.sort();
        assert_eq!(taken, vec![("a".into(), t(5)), ("b".into(), t(1))]);
        assert_eq!(uses.pending("a"), None);
        uses.record("a", t(9));
        uses.restore(taken);
        assert_eq!(uses.pending("a"), Some(t(9)));
        assert_eq!(uses.pending("b"), Some(t(1)));
    }
}
