//! Indonesian national public holidays for `janji demo`, as closures of the demo dealer.

use chrono::{Days, Months, NaiveDate};

/// How far ahead public holidays become closures.
const HOLIDAY_HORIZON: Months = Months::new(6);

/// One national public holiday (hari libur nasional): `days` whole local days from `date`.
pub struct Holiday {
    date: (i32, u32, u32),
    days: u64,
    pub reason: &'static str,
}

const fn holiday(y: i32, m: u32, d: u32, reason: &'static str) -> Holiday {
    Holiday {
        date: (y, m, d),
        days: 1,
        reason,
    }
}

/// National public holidays as set by the joint decree of three ministers (SKB 3 Menteri)
/// for 2026 and for 2027. Cuti bersama (collective leave) days are left out: they bind
/// civil servants, and each dealer decides for itself whether to close. Islamic holidays
/// can still move by a day after the government's sighting (sidang isbat). Extend the
/// table when the next year's decree is published.
const HOLIDAYS: &[Holiday] = &[
    holiday(2026, 1, 1, "Tahun Baru 2026 Masehi"),
    holiday(2026, 1, 16, "Isra Mi'raj Nabi Muhammad SAW"),
    holiday(2026, 2, 17, "Tahun Baru Imlek 2577 Kongzili"),
    holiday(2026, 3, 19, "Hari Suci Nyepi (Tahun Baru Saka 1948)"),
    Holiday {
        date: (2026, 3, 21),
        days: 2,
        reason: "Hari Raya Idul Fitri 1447 H",
    },
    holiday(2026, 4, 3, "Wafat Yesus Kristus"),
    holiday(2026, 4, 5, "Kebangkitan Yesus Kristus (Paskah)"),
    holiday(2026, 5, 1, "Hari Buruh Internasional"),
    holiday(2026, 5, 14, "Kenaikan Yesus Kristus"),
    holiday(2026, 5, 27, "Hari Raya Idul Adha 1447 H"),
    holiday(2026, 5, 31, "Hari Raya Waisak 2570 BE"),
    holiday(2026, 6, 1, "Hari Lahir Pancasila"),
    holiday(2026, 6, 16, "Tahun Baru Islam 1448 H"),
    holiday(2026, 8, 17, "Hari Kemerdekaan Republik Indonesia"),
    holiday(2026, 8, 25, "Maulid Nabi Muhammad SAW"),
    holiday(2026, 12, 25, "Hari Raya Natal"),
    holiday(2027, 1, 1, "Tahun Baru 2027 Masehi"),
    holiday(2027, 1, 5, "Isra Mi'raj Nabi Muhammad SAW"),
    holiday(2027, 2, 6, "Tahun Baru Imlek 2578 Kongzili"),
    holiday(2027, 3, 8, "Hari Suci Nyepi (Tahun Baru Saka 1949)"),
    Holiday {
        date: (2027, 3, 10),
        days: 2,
        reason: "Hari Raya Idul Fitri 1448 H",
    },
    holiday(2027, 3, 26, "Wafat Yesus Kristus"),
    holiday(2027, 3, 28, "Kebangkitan Yesus Kristus (Paskah)"),
    holiday(2027, 5, 1, "Hari Buruh Internasional"),
    holiday(2027, 5, 6, "Kenaikan Yesus Kristus"),
    holiday(2027, 5, 17, "Hari Raya Idul Adha 1448 H"),
    holiday(2027, 5, 20, "Hari Raya Waisak 2571 BE"),
    holiday(2027, 6, 1, "Hari Lahir Pancasila"),
    holiday(2027, 6, 6, "Tahun Baru Islam 1449 H"),
    holiday(2027, 8, 15, "Maulid Nabi Muhammad SAW"),
    holiday(2027, 8, 17, "Hari Kemerdekaan Republik Indonesia"),
    holiday(2027, 12, 25, "Hari Raya Natal"),
];

impl Holiday {
    pub fn first(&self) -> NaiveDate {
        let (y, m, d) = self.date;
        NaiveDate::from_ymd_opt(y, m, d).expect("valid holiday date")
    }

    /// The day after the holiday's last day.
    pub fn end(&self) -> NaiveDate {
        self.first() + Days::new(self.days)
    }
}

/// The holidays not yet over on local date `today` that start within the horizon.
pub fn holidays_ahead(today: NaiveDate) -> impl Iterator<Item = &'static Holiday> {
    let until = today + HOLIDAY_HORIZON;
    HOLIDAYS
        .iter()
        .filter(move |h| h.end() > today && h.first() < until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn holiday_table_is_ordered_and_valid() {
        assert!(
            HOLIDAYS
                .windows(2)
                .all(|w| w[0].end() <= w[1].first() && w[0].days >= 1)
        );
    }

    #[test]
    fn picks_the_coming_six_months_only() {
        let ahead: Vec<_> = holidays_ahead(date(2026, 11, 23))
            .map(|h| (h.first(), h.reason))
            .collect();
        assert_eq!(ahead.first().unwrap().0, date(2026, 12, 25));
        assert_eq!(ahead.last().unwrap().0, date(2027, 5, 20));
        assert!(ahead.contains(&(date(2027, 3, 10), "Hari Raya Idul Fitri 1448 H")));
        // A holiday is still ahead on its own (last) day, and over the day after.
        assert_eq!(
            holidays_ahead(date(2027, 3, 11)).next().unwrap().first(),
            date(2027, 3, 10)
        );
        assert_eq!(
            holidays_ahead(date(2027, 3, 12)).next().unwrap().first(),
            date(2027, 3, 26)
        );
        assert_eq!(holidays_ahead(date(2030, 1, 1)).count(), 0);
    }
}
