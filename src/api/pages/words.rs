//! The pages' words in both languages: Indonesian first, as customers of Indonesian
//! dealers read them, English by the page's switch.

use crate::domain::{AppointmentStatus, Locale, ReasonCategory};

/// Indonesian or English, as the page is shown.
pub fn w(l: Locale, id: &'static str, en: &'static str) -> &'static str {
    match l {
        Locale::Id => id,
        Locale::En => en,
    }
}

/// A status as a customer reads it.
pub fn status(l: Locale, s: AppointmentStatus) -> &'static str {
    use AppointmentStatus::*;
    match s {
        Booked => w(
            l,
            "Terjadwal, belum dikonfirmasi",
            "Booked, not yet confirmed",
        ),
        Confirmed => w(l, "Dikonfirmasi", "Confirmed"),
        CheckedIn => w(l, "Sudah datang", "Checked in"),
        Completed => w(l, "Selesai", "Completed"),
        Cancelled => w(l, "Dibatalkan", "Cancelled"),
        NoShow => w(l, "Tidak hadir", "Missed"),
    }
}

/// The short message a page shows after a change (`?msg=`): a fixed code, never text
/// from the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    Confirmed,
    Moved,
    Changed,
    NotPossible,
}

impl Notice {
    pub fn parse(code: &str) -> Option<Notice> {
        match code {
            "confirmed" => Some(Notice::Confirmed),
            "moved" => Some(Notice::Moved),
            "changed" => Some(Notice::Changed),
            "not_possible" => Some(Notice::NotPossible),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Notice::Confirmed => "confirmed",
            Notice::Moved => "moved",
            Notice::Changed => "changed",
            Notice::NotPossible => "not_possible",
        }
    }

    /// Whether it reports a success (else a warning).
    pub fn good(self) -> bool {
        matches!(self, Notice::Confirmed | Notice::Moved)
    }

    pub fn text(self, l: Locale) -> &'static str {
        match self {
            Notice::Confirmed => w(
                l,
                "Terima kasih, kedatangan Anda sudah dikonfirmasi.",
                "Thank you, your visit is confirmed.",
            ),
            Notice::Moved => w(
                l,
                "Jadwal Anda sudah diubah. Sampai jumpa pada waktu yang baru.",
                "Your appointment has been moved. See you at the new time.",
            ),
            Notice::Changed => w(
                l,
                "Janji temu ini baru saja berubah. Silakan periksa detail terbaru di bawah, lalu coba lagi bila perlu.",
                "This appointment has just changed. Please check the details below and try again if needed.",
            ),
            Notice::NotPossible => w(
                l,
                "Permintaan itu tidak dapat dilakukan untuk janji temu ini sekarang.",
                "That cannot be done for this appointment now.",
            ),
        }
    }
}

/// A reason category as a customer reads it.
pub fn reason(l: Locale, r: ReasonCategory) -> &'static str {
    use ReasonCategory::*;
    match r {
        UrgentMatter => w(l, "Ada urusan mendesak", "An urgent matter"),
        Illness => w(l, "Sakit", "Illness"),
        RunningLate => w(l, "Terlambat", "Running late"),
        ScheduleChange => w(l, "Perubahan jadwal", "A change of plans"),
        Forgot => w(l, "Lupa", "I forgot"),
        Other => w(l, "Lainnya", "Other"),
    }
}
