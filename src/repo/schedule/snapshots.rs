//! What one process keeps of schedules between requests, and when it may use it.
//!
//! Two kinds of snapshot, each tagged with the version it was read at:
//! - a location's **setup** for one service (the location, the service, the resources
//!   able to perform it, closures, booking rules), current while the organization's
//!   `setup_version` is unchanged;
//! - a resource's **busy blocks** over a stretch of time, current while the resource's
//!   `busy_version` is unchanged.
//!
//! Database triggers bump both versions in the same transaction as every change that
//! could make a snapshot wrong (migration 000008), whichever process or tool makes it.
//! A request reads the stored versions first and then anything it must reload, so a
//! snapshot is never tagged with a version newer than its contents: at worst it is
//! reloaded once more than needed. Two processes on one database therefore never offer a
//! time that the other has just taken (tests/processes.rs).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use crate::domain::availability::{Blocks, Slot};
use crate::domain::interval::Interval;

use super::setup::Setup;

/// Beyond this many locations (setups) or resources (busy blocks) kept, that kind of
/// snapshot starts again empty: memory stays bounded by what recent requests use, not
/// by everything ever asked.
const MAX_ENTRIES: usize = 4096;

/// A resource's active busy blocks whose start lies in `covers`, by start.
#[derive(Debug)]
pub struct Busy {
    pub version: i64,
    pub covers: Interval,
    pub blocks: Arc<[Interval]>,
}

impl Busy {
    /// The stretch of blocks that can overlap `[lo, hi)` (blocks are never longer than
    /// `max_block`), shared, not copied: those starting after `lo - max_block` and
    /// before `hi`.
    pub fn overlapping(
        &self,
        lo: chrono::DateTime<chrono::Utc>,
        hi: chrono::DateTime<chrono::Utc>,
        max_block: chrono::Duration,
    ) -> Blocks {
        let first = self.blocks.partition_point(|b| b.start <= lo - max_block);
        let last = first + self.blocks[first..].partition_point(|b| b.start < hi);
        Blocks::stretch(self.blocks.clone(), first, last)
    }
}

/// The snapshots of one process, shared by its requests. Cloning shares them.
#[derive(Clone, Default)]
pub struct Snapshots {
    inner: Arc<Store>,
}

/// What an availability answer was asked for: the window and a pinned resource, at a
/// location for a service, in an organization.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AnswerKey {
    pub org: String,
    pub location: String,
    pub service: String,
    pub resource: Option<String>,
    pub from: chrono::DateTime<chrono::Utc>,
    pub to: chrono::DateTime<chrono::Utc>,
}

/// The bookable slots of a window, found before the lead time and the horizon are
/// applied (so they hold at any `now`), with the versions they were found at.
#[derive(Debug)]
pub struct Answer {
    pub setup_version: i64,
    pub busy_versions: Vec<i64>,
    pub slots: Vec<Slot>,
}

/// Beyond this many answers kept, they start again empty: a month of 50 resources is
/// about 20 KB.
const MAX_ANSWERS: usize = 256;

#[derive(Default)]
struct Store {
    answers: RwLock<HashMap<AnswerKey, Arc<Answer>>>,
    /// By location id (looked up without allocating a key), then one per service; the
    /// organization is checked on the setup itself.
    setups: RwLock<HashMap<String, Vec<Arc<Setup>>>>,
    busy: RwLock<HashMap<String, Arc<Busy>>>,
    /// One gate per location, held while its busy blocks are read from the database.
    loading: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// Reads of busy blocks from the database so far.
    busy_reads: AtomicU64,
}

impl fmt::Debug for Snapshots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let setups = self.inner.setups.read().map(|m| m.len()).unwrap_or(0);
        let busy = self.inner.busy.read().map(|m| m.len()).unwrap_or(0);
        write!(f, "Snapshots {{ setups: {setups}, busy: {busy} }}")
    }
}

impl Snapshots {
    /// The setup of a location for a service, if one was read at `version`.
    pub fn setup(
        &self,
        org: &str,
        location: &str,
        service: &str,
        version: i64,
    ) -> Option<Arc<Setup>> {
        let map = self.inner.setups.read().ok()?;
        map.get(location)?
            .iter()
            .find(|s| {
                s.location.organization_id == org && s.service.id == service && s.version == version
            })
            .cloned()
    }

    /// The answer kept for `key` if it was found at exactly these versions.
    pub fn answer(
        &self,
        key: &AnswerKey,
        setup_version: i64,
        busy_versions: &[i64],
    ) -> Option<Arc<Answer>> {
        let map = self.inner.answers.read().ok()?;
        map.get(key)
            .filter(|a| a.setup_version == setup_version && a.busy_versions == busy_versions)
            .cloned()
    }

    pub fn keep_answer(&self, key: AnswerKey, answer: Arc<Answer>) {
        if let Ok(mut map) = self.inner.answers.write() {
            if map.len() >= MAX_ANSWERS {
                map.clear();
            }
            map.insert(key, answer);
        }
    }

    /// Forgets everything kept (after writes that were read back never committed).
    pub fn clear(&self) {
        if let Ok(mut map) = self.inner.answers.write() {
            map.clear();
        }
        if let Ok(mut map) = self.inner.setups.write() {
            map.clear();
        }
        if let Ok(mut map) = self.inner.busy.write() {
            map.clear();
        }
    }

    pub fn keep_setup(&self, setup: Arc<Setup>) {
        if let Ok(mut map) = self.inner.setups.write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            let kept = map.entry(setup.location.id.clone()).or_default();
            // A request that read an older version may finish after one that read a
            // newer: the newer stays.
            match kept.iter_mut().find(|s| s.service.id == setup.service.id) {
                Some(old) if old.version > setup.version => {}
                Some(old) => *old = setup,
                None => kept.push(setup),
            }
        }
    }

    /// The gate to hold while reading a location's busy blocks. Requests that find the
    /// same blocks stale at once (the first ones after a start or a booking, arriving
    /// together) would each read and decode thousands of rows; behind the gate, the
    /// first reads and the others find its snapshot kept.
    pub fn loading_gate(&self, location: &str) -> Arc<Mutex<()>> {
        let mut map = self.inner.loading.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.entry(location.to_owned()).or_default().clone()
    }

    /// How many times busy blocks were read from the database (for tests and diagnosis).
    pub fn busy_reads(&self) -> u64 {
        self.inner.busy_reads.load(Ordering::Relaxed)
    }

    pub(super) fn count_busy_read(&self) {
        self.inner.busy_reads.fetch_add(1, Ordering::Relaxed);
    }

    /// The busy blocks of `resource` read at `version`, if they cover `[lo, hi)`.
    pub fn busy(&self, resource: &str, version: i64, wanted: Interval) -> Option<Arc<Busy>> {
        let map = self.inner.busy.read().ok()?;
        map.get(resource)
            .filter(|b| {
                b.version == version && b.covers.start <= wanted.start && b.covers.end >= wanted.end
            })
            .cloned()
    }

    /// After one block was added to `resource` by a write that bumped its busy version
    /// from `version` by one, with no other write between (SQLite's one writer): the
    /// blocks kept at `version` plus `block` are the blocks at the next version, so they
    /// are kept as that, instead of being read again by the next booking.
    pub fn add_busy(&self, resource: &str, version: i64, block: Interval) {
        let Ok(mut map) = self.inner.busy.write() else {
            return;
        };
        let Some(kept) = map.get(resource).filter(|b| b.version == version) else {
            return;
        };
        let mut blocks = kept.blocks.to_vec();
        if kept.covers.start <= block.start && block.start < kept.covers.end {
            let at = blocks.partition_point(|b| b.start <= block.start);
            blocks.insert(at, block);
        }
        let next = Arc::new(Busy {
            version: version + 1,
            covers: kept.covers,
            blocks: blocks.into(),
        });
        map.insert(resource.to_owned(), next);
    }

    /// Forgets the blocks kept for `resource` (a write that added to them was undone).
    pub fn forget_busy(&self, resource: &str) {
        if let Ok(mut map) = self.inner.busy.write() {
            map.remove(resource);
        }
    }

    pub fn keep_busy(&self, resource: &str, busy: Arc<Busy>) {
        if let Ok(mut map) = self.inner.busy.write() {
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
            match map.get(resource) {
                Some(kept) if kept.version > busy.version => {}
                _ => {
                    map.insert(resource.to_owned(), busy);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone, Utc};

    fn at(h: i64) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn busy(version: i64, blocks: &[(i64, i64)]) -> Arc<Busy> {
        Arc::new(Busy {
            version,
            covers: Interval::new(at(0), at(100)),
            blocks: blocks
                .iter()
                .map(|&(s, e)| Interval::new(at(s), at(e)))
                .collect::<Vec<_>>()
                .into(),
        })
    }

    #[test]
    fn a_snapshot_serves_only_its_own_version_and_cover() {
        let s = Snapshots::default();
        s.keep_busy("bay", busy(3, &[(1, 2)]));
        assert!(s.busy("bay", 3, Interval::new(at(10), at(20))).is_some());
        assert!(s.busy("bay", 4, Interval::new(at(10), at(20))).is_none());
        assert!(s.busy("bay", 3, Interval::new(at(10), at(101))).is_none());
        assert!(s.busy("other", 3, Interval::new(at(10), at(20))).is_none());
    }

    #[test]
    fn a_block_added_at_the_kept_version_is_kept_at_the_next() {
        let s = Snapshots::default();
        s.keep_busy("bay", busy(3, &[(1, 2), (5, 6)]));
        s.add_busy("bay", 3, Interval::new(at(3), at(4)));
        assert!(s.busy("bay", 3, Interval::new(at(0), at(9))).is_none());
        let next = s
            .busy("bay", 4, Interval::new(at(0), at(9)))
            .expect("kept at 4");
        let starts: Vec<_> = next.blocks.iter().map(|b| b.start).collect();
        assert_eq!(starts, vec![at(1), at(3), at(5)], "in start order");
        // Added at a version not kept (another write came between): nothing is kept
        // that the database does not hold.
        s.add_busy("bay", 3, Interval::new(at(7), at(8)));
        assert_eq!(
            s.busy("bay", 4, Interval::new(at(0), at(9)))
                .unwrap()
                .blocks
                .len(),
            3
        );
        assert!(s.busy("bay", 5, Interval::new(at(0), at(9))).is_none());
        // A block starting outside what is kept leaves the blocks as they are.
        s.add_busy("bay", 4, Interval::new(at(150), at(151)));
        assert_eq!(
            s.busy("bay", 5, Interval::new(at(0), at(9)))
                .unwrap()
                .blocks
                .len(),
            3
        );
        s.forget_busy("bay");
        assert!(s.busy("bay", 5, Interval::new(at(0), at(9))).is_none());
    }

    #[test]
    fn an_older_read_never_replaces_a_newer_one() {
        let s = Snapshots::default();
        s.keep_busy("bay", busy(5, &[]));
        s.keep_busy("bay", busy(4, &[(1, 2)]));
        assert!(s.busy("bay", 5, Interval::new(at(1), at(2))).is_some());
        assert!(s.busy("bay", 4, Interval::new(at(1), at(2))).is_none());
    }

    #[test]
    fn overlapping_finds_exactly_the_blocks_touching_the_window() {
        let b = busy(1, &[(0, 2), (3, 5), (5, 6), (8, 9)]);
        // Every block that can touch [4, 6): starting after 1 (4 - 3) and before 6.
        let found = b.overlapping(at(4), at(6), Duration::hours(3));
        assert_eq!(
            &found[..],
            &[Interval::new(at(3), at(5)), Interval::new(at(5), at(6))]
        );
        let later = b.overlapping(at(6), at(8), Duration::hours(3));
        assert_eq!(&later[..], &[Interval::new(at(5), at(6))]);
        assert!(
            later.iter().all(|x| x.end <= at(6)),
            "touches, does not overlap"
        );
    }
}
