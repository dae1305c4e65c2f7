//! The cancel pages' HTML: what cancelling costs and why it may need a reason, and the
//! page after it.

use chrono_tz::Tz;
use maud::{Markup, html};

use super::markup::{lang_query, layout, policy_text};
use super::words::{reason, w};
use crate::app::quotes::CancelQuote;
use crate::domain::Locale;
use crate::domain::message_text::local_when;
use crate::domain::money_display::display;

/// The cancel page: the appointment, the fee, the policy, the reason when needed.
pub struct CancelPage<'a> {
    pub locale: Locale,
    pub base: &'a str,
    pub quote: &'a CancelQuote,
    pub when: String,
    pub form_token: &'a str,
    pub fee_changed: bool,
}

pub fn cancel(p: &CancelPage) -> Markup {
    let (l, q) = (p.locale, p.quote);
    let title = w(l, "Batalkan janji temu", "Cancel the appointment");
    let fee = q.decision.due();
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            @if p.fee_changed {
                p.notice.warn role="status" { (w(l,
                    "Biaya pembatalan baru saja berubah. Periksa biaya baru di bawah.",
                    "The cancellation fee has just changed. Please check the new fee below.")) }
            }
            dl {
                dt { (w(l, "Waktu", "Time")) } dd { (p.when) }
                dt { (w(l, "Biaya pembatalan", "Cancellation fee")) }
                dd { strong { (display(fee, q.policy.currency, l)) } }
            }
            @if let Some(text) = policy_text(&q.policy.text, l) {
                h2 { (w(l, "Ketentuan", "Policy")) }
                p.policy { (text) }
            }
            form method="post" action={ (p.base) "/cancel" (lang_query(l)) } {
                input type="hidden" name="version" value=(q.appointment.version);
                input type="hidden" name="form_token" value=(p.form_token);
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
                    (w(l, "Ya, batalkan dengan biaya ", "Yes, cancel for "))
                    (display(fee, q.policy.currency, l))
                }
            }
            p { a href={ (p.base) (lang_query(l)) } { (w(l, "Jangan batalkan, kembali", "Keep it, go back")) } }
        },
    )
}

/// After cancelling: the link opens nothing from now on, so this page says so.
pub fn cancelled(l: Locale, start: chrono::DateTime<chrono::Utc>, tz: Tz) -> Markup {
    let title = w(l, "Janji temu dibatalkan", "Appointment cancelled");
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            p.notice role="status" {
                (w(l, "Janji temu Anda pada ", "Your appointment on "))
                (local_when(start, tz, l))
                (w(l, " sudah dibatalkan. Tautan ini tidak berlaku lagi.",
                      " is cancelled. This link no longer works."))
            }
        },
    )
}
