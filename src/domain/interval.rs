//! Half-open UTC intervals `[start, end)` and sorted sets of them.

use chrono::{DateTime, Utc};

use crate::error::{Code, Error};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Interval { start, end }
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

/// A window a request asks for, `[from, to)`, must end after it starts (when both are
/// given); the problem names `to`.
pub fn check_order(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Result<(), Error> {
    match (from, to) {
        (Some(from), Some(to)) if to <= from => Err(Error::invalid(
            "to",
            Code::WindowEndsBeforeStart,
            "to must be after from",
        )),
        _ => Ok(()),
    }
}

/// Sorts and merges touching or overlapping intervals; drops empty ones.
pub fn normalize(mut v: Vec<Interval>) -> Vec<Interval> {
    v.retain(|i| !i.is_empty());
    v.sort_unstable();
    let mut out: Vec<Interval> = Vec::with_capacity(v.len());
    for i in v {
        match out.last_mut() {
            Some(last) if i.start <= last.end => last.end = last.end.max(i.end),
            _ => out.push(i),
        }
    }
    out
}

/// `a` minus `b`; both normalized.
pub fn subtract(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &iv in a {
        let mut cur = iv;
        while j < b.len() && b[j].end <= cur.start {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].start < cur.end {
            if b[k].start > cur.start {
                out.push(Interval::new(cur.start, b[k].start));
            }
            cur.start = cur.start.max(b[k].end);
            if cur.is_empty() {
                break;
            }
            k += 1;
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// `a` ∩ `b`; both normalized.
pub fn intersect(a: &[Interval], b: &[Interval]) -> Vec<Interval> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let start = a[i].start.max(b[j].start);
        let end = a[i].end.min(b[j].end);
        if start < end {
            out.push(Interval::new(start, end));
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// Whether `probe` lies wholly inside one interval of the normalized set.
pub fn covered(set: &[Interval], probe: &Interval) -> bool {
    let idx = set.partition_point(|i| i.end < probe.end);
    set.get(idx).is_some_and(|i| i.contains(probe))
}

/// Whether `probe` overlaps any interval of the normalized set.
pub fn hits(set: &[Interval], probe: &Interval) -> bool {
    let idx = set.partition_point(|i| i.end <= probe.start);
    set.get(idx).is_some_and(|i| i.start < probe.end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn iv(a: i64, b: i64) -> Interval {
        let t = |m: i64| Utc.timestamp_opt(m * 60, 0).unwrap();
        Interval::new(t(a), t(b))
    }

    #[test]
    fn set_operations() {
        assert_eq!(
            normalize(vec![iv(5, 8), iv(0, 2), iv(2, 3), iv(7, 9), iv(4, 4)]),
            vec![iv(0, 3), iv(5, 9)]
        );
        let open = vec![iv(0, 10), iv(20, 30)];
        assert_eq!(
            subtract(&open, &[iv(2, 4), iv(8, 22), iv(29, 40)]),
            vec![iv(0, 2), iv(4, 8), iv(22, 29)]
        );
        assert_eq!(subtract(&open, &[]), open);
        assert_eq!(intersect(&open, &[iv(5, 25)]), vec![iv(5, 10), iv(20, 25)]);
        assert!(covered(&open, &iv(20, 30)));
        assert!(!covered(&open, &iv(9, 21)));
        assert!(!covered(&open, &iv(30, 31)));
        assert!(hits(&open, &iv(9, 11)));
        assert!(!hits(&open, &iv(10, 20)), "half-open: touching is free");
        assert!(!hits(&[], &iv(0, 1)));
    }
}
