//! The reschedule pages' HTML: the times offered, the confirmation of one, a refusal.

use maud::{Markup, html};

use super::markup::{lang_query, layout};
use super::words::{reason, w};
use crate::app::quotes::RescheduleQuote;
use crate::app::suggestions::PricedTime;
use crate::domain::message_text::local_when;
use crate::domain::money_display::display;
use crate::domain::{Currency, Locale};
use chrono_tz::Tz;

/// A link to the confirmation of one time.
fn pick_href(base: &str, l: Locale, t: &PricedTime) -> String {
    let start = t.suggestion.slot.start.to_rfc3339();
    format!(
        "{base}/reschedule/confirm{}&start={}",
        lang_query(l),
        urlencoding(&start)
    )
}

/// Percent-encodes what a query value cannot hold as it is (`+` and `:` of a time).
fn urlencoding(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)])
        .unwrap_or_default()
        .trim_start_matches("v=")
        .to_owned()
}

/// The times as a list of links, each with its fee.
pub fn times(base: &str, l: Locale, tz: Tz, currency: Currency, list: &[PricedTime]) -> Markup {
    html! {
        ul.times {
            @for t in list.iter().filter(|t| t.decision.refusals.is_empty()) {
                li {
                    a href=(pick_href(base, l, t)) {
                        (local_when(t.suggestion.slot.start, tz, l))
                    }
                    " — "
                    (w(l, "biaya ", "fee "))
                    strong { (display(t.decision.due(), currency, l)) }
                }
            }
        }
    }
}

/// The reschedule page: the best times and a day to look at instead.
pub struct ChoosePage<'a> {
    pub locale: Locale,
    pub base: &'a str,
    pub current: String,
    pub rebooking: bool,
    pub tz: Tz,
    pub currency: Currency,
    pub offered: &'a [PricedTime],
    pub date: Option<String>,
}

pub fn choose(p: &ChoosePage) -> Markup {
    let l = p.locale;
    let title = if p.rebooking {
        w(l, "Buat janji temu baru", "Book a new time")
    } else {
        w(l, "Ganti jadwal", "Change the time")
    };
    let lang = lang_query(l).trim_start_matches("?lang=");
    let any = p.offered.iter().any(|t| t.decision.refusals.is_empty());
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            p { (w(l, "Jadwal sekarang: ", "Now: ")) (p.current) }
            h2 { (w(l, "Waktu yang tersedia", "Times available")) }
            @if any {
                (times(p.base, l, p.tz, p.currency, p.offered))
            } @else {
                p { (w(l, "Tidak ada waktu yang tersedia di sekitar tanggal itu.", "No time is free around that day.")) }
            }
            form method="get" action={ (p.base) "/reschedule" } {
                input type="hidden" name="lang" value=(lang);
                label for="date" { (w(l, "Cari tanggal lain", "Look at another day")) }
                input #date type="date" name="date" value=[p.date.as_deref()];
                button type="submit" { (w(l, "Tampilkan waktu", "Show times")) }
            }
            p { a href={ (p.base) (lang_query(l)) } { (w(l, "Kembali ke janji temu", "Back to the appointment")) } }
        },
    )
}

/// The confirmation of one time: the fee, the policy, the reason when one is needed.
pub struct ConfirmPage<'a> {
    pub locale: Locale,
    pub base: &'a str,
    pub quote: &'a RescheduleQuote,
    pub tz: Tz,
    pub form_token: &'a str,
    pub fee_changed: bool,
}

pub fn confirm(p: &ConfirmPage) -> Markup {
    let (l, q) = (p.locale, p.quote);
    let tz = p.tz;
    let title = w(l, "Konfirmasi waktu baru", "Confirm the new time");
    let fee = q.decision.due();
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            @if p.fee_changed {
                p.notice.warn role="status" { (w(l,
                    "Biaya untuk waktu ini baru saja berubah. Periksa biaya baru di bawah.",
                    "The fee for this time has just changed. Please check the new fee below.")) }
            }
            dl {
                dt { (w(l, "Waktu baru", "New time")) } dd { (local_when(q.start, tz, l)) }
                dt { (w(l, "Biaya", "Fee")) } dd { strong { (display(fee, q.policy.currency, l)) } }
            }
            @if let Some(text) = super::markup::policy_text(&q.policy.text, l) {
                h2 { (w(l, "Ketentuan perubahan jadwal", "Rescheduling policy")) }
                p.policy { (text) }
            }
            form method="post" action={ (p.base) "/reschedule" (lang_query(l)) } {
                input type="hidden" name="version" value=(q.appointment.version);
                input type="hidden" name="form_token" value=(p.form_token);
                input type="hidden" name="start" value=(q.start.to_rfc3339());
                input type="hidden" name="fee" value=(fee);
                input type="hidden" name="currency" value=(q.policy.currency.code());
                @if q.reasons.required {
                    label for="reason" { (w(l, "Alasan", "Reason")) }
                    select #reason name="reason_category" required {
                        @for r in &q.reasons.categories {
                            option value=(r.as_str()) { (reason(l, *r)) }
                        }
                    }
                }
                button type="submit" {
                    (w(l, "Setuju, pindahkan dengan biaya ", "Agree, move for "))
                    (display(fee, q.policy.currency, l))
                }
            }
            p { a href={ (p.base) "/reschedule" (lang_query(l)) } { (w(l, "Pilih waktu lain", "Choose another time")) } }
        },
    )
}

/// Why a change cannot be made, in plain words, and the times that would work.
pub struct RefusedPage<'a> {
    pub locale: Locale,
    pub base: &'a str,
    pub why: Vec<String>,
    pub tz: Tz,
    pub currency: Currency,
    pub offered: &'a [PricedTime],
    pub phone: Option<&'a str>,
}

pub fn refused(p: &RefusedPage) -> Markup {
    let l = p.locale;
    let title = w(
        l,
        "Perubahan ini tidak dapat dilakukan",
        "This change cannot be made",
    );
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            ul { @for why in &p.why { li { (why) } } }
            @if p.offered.iter().any(|t| t.decision.refusals.is_empty()) {
                h2 { (w(l, "Waktu yang bisa dipilih", "Times that would work")) }
                (times(p.base, l, p.tz, p.currency, p.offered))
            }
            @if let Some(phone) = p.phone {
                p {
                    (w(l, "Butuh bantuan? Hubungi ", "Need help? Call "))
                    a href={ "tel:" (phone) } { (phone) }
                }
            }
            p { a href={ (p.base) (lang_query(l)) } { (w(l, "Kembali ke janji temu", "Back to the appointment")) } }
        },
    )
}
