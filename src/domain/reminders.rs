//! When reminders go out: a set of offsets before the appointment, moved out of the
//! location's quiet hours, caught up at once when an appointment is booked or moved too
//! late for one, and never after the appointment has begun.
//!
//! Pure: the appointment's start, the location's zone, the organization's rules and
//! `now` in; the instants out. Quiet hours are wall-clock times in the location's zone,
//! resolved per local day, so they follow DST changes.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use super::local_time::resolve_forward;

pub mod follow_ups;
pub mod overrides;

/// Reminder offsets an organization starts with: a day before and two hours before.
pub const DEFAULT_OFFSETS_MINUTES: [i64; 2] = [24 * 60, 2 * 60];
/// How close to the start a late reminder is still worth sending.
pub const DEFAULT_CATCH_UP_MINUTES: i64 = 15;

/// Hours in which no reminder goes out, in the location's wall-clock time. `start` after
/// `end` spans midnight (21:00–07:00); they are never equal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// How an organization's reminders are timed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReminderRules {
    /// Before the appointment's start, each a positive duration.
    pub offsets: Vec<Duration>,
    pub quiet: Option<QuietHours>,
    /// A reminder whose time has passed is sent at once while the appointment is at least
    /// this far away, and skipped otherwise. Also the least distance kept between a
    /// reminder moved out of quiet hours and the start.
    pub catch_up: Duration,
}

impl Default for ReminderRules {
    fn default() -> Self {
        ReminderRules {
            offsets: DEFAULT_OFFSETS_MINUTES
                .iter()
                .map(|&m| Duration::minutes(m))
                .collect(),
            quiet: None,
            catch_up: Duration::minutes(DEFAULT_CATCH_UP_MINUTES),
        }
    }
}

/// One reminder to send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannedReminder {
    /// The offset it was planned for (it may go out earlier or later, see [`plan`]).
    pub offset: Duration,
    pub due: DateTime<Utc>,
}

/// The reminders for an appointment starting at `start`, planned at `now` (when it is
/// booked or moved), in the order they go out.
///
/// - Each offset gives `start - offset`.
/// - A time already past is `now` (a catch-up) while `start` is at least `catch_up`
///   away; otherwise that reminder is skipped.
/// - A time inside quiet hours moves to their end when that is still at least
///   `min(offset, catch_up)` before the start, else to one minute before they began;
///   when that is already past, the reminder is skipped rather than sent in the night.
/// - Reminders that land on the same instant, or out of order, collapse into the one
///   nearest the appointment: a customer never gets two at once.
pub fn plan(
    start: DateTime<Utc>,
    tz: Tz,
    rules: &ReminderRules,
    now: DateTime<Utc>,
) -> Vec<PlannedReminder> {
    let mut offsets: Vec<Duration> = rules
        .offsets
        .iter()
        .copied()
        .filter(|o| *o > Duration::zero())
        .collect();
    offsets.sort();
    offsets.dedup();
    let mut kept: Vec<PlannedReminder> = Vec::new();
    for offset in offsets {
        let Some(due) = due_for(start, tz, rules, offset, now) else {
            continue;
        };
        // Offsets run nearest first: keep this one only if it goes out strictly before
        // every reminder nearer the appointment.
        if kept.iter().all(|k| due < k.due) {
            kept.push(PlannedReminder { offset, due });
        }
    }
    kept.sort_by_key(|r| r.due);
    kept
}

fn due_for(
    start: DateTime<Utc>,
    tz: Tz,
    rules: &ReminderRules,
    offset: Duration,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    if start <= now {
        return None;
    }
    let mut due = start - offset;
    if due < now {
        if start - now < rules.catch_up {
            return None;
        }
        due = now;
    }
    if let Some(quiet) = rules.quiet
        && let Some((begins, ends)) = quiet_span(tz, quiet, due)
    {
        let comfort = offset.min(rules.catch_up);
        if ends <= start - comfort {
            due = ends;
        } else {
            let before = begins - Duration::minutes(1);
            if before < now {
                return None;
            }
            due = before;
        }
    }
    (due < start).then_some(due)
}

/// The quiet span holding `t`, as instants `[begins, ends)`, if any.
pub fn quiet_span(
    tz: Tz,
    quiet: QuietHours,
    t: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let today = t.with_timezone(&tz).date_naive();
    // A span that crosses midnight may have begun the local day before.
    [today.pred_opt(), Some(today)]
        .into_iter()
        .flatten()
        .map(|day| span_on(tz, quiet, day))
        .find(|(begins, ends)| *begins <= t && t < *ends)
}

fn span_on(tz: Tz, quiet: QuietHours, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let begins = resolve_forward(tz, day.and_time(quiet.start));
    let end_day = if quiet.start < quiet.end {
        day
    } else {
        day.succ_opt().unwrap_or(day)
    };
    (begins, resolve_forward(tz, end_day.and_time(quiet.end)))
}

#[cfg(test)]
mod tests;
