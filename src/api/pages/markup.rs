//! The pages' HTML, written with maud: markup checked by the compiler and every value
//! escaped unless marked otherwise (none is).

use maud::{DOCTYPE, Markup, html};

use super::words::{Notice, status, w};
use crate::app::self_service::SelfView;
use crate::domain::message_text::local_when;
use crate::domain::money_display::display;
use crate::domain::policy_doc::PolicyText;
use crate::domain::{AppointmentStatus, Locale};

/// The frame every page shares: language, title, stylesheet, the language switch.
pub fn layout(l: Locale, title: &str, switch_to: Option<&str>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(l.as_str()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) }
                link rel="stylesheet" href="/a/static/janji.css";
            }
            body {
                main {
                    @if let Some(href) = switch_to {
                        p.lang {
                            @match l {
                                Locale::Id => a href=(href) lang="en" { "English" },
                                Locale::En => a href=(href) lang="id" { "Bahasa Indonesia" },
                            }
                        }
                    }
                    (body)
                }
            }
        }
    }
}

/// The query that keeps the page's language in its links and forms.
pub fn lang_query(l: Locale) -> &'static str {
    match l {
        Locale::Id => "?lang=id",
        Locale::En => "?lang=en",
    }
}

pub fn policy_text(p: &PolicyText, l: Locale) -> Option<&str> {
    match l {
        Locale::Id => p.id.as_deref().or(p.en.as_deref()),
        Locale::En => p.en.as_deref().or(p.id.as_deref()),
    }
}

/// The appointment page, with what the customer can do now.
pub struct AppointmentPage<'a> {
    pub view: &'a SelfView,
    pub locale: Locale,
    pub notice: Option<Notice>,
    /// The confirm form's field, when confirming applies.
    pub confirm_field: Option<String>,
    /// This page's path (`/a/{token}`).
    pub base: &'a str,
}

pub fn appointment(p: &AppointmentPage) -> Markup {
    let (v, l) = (p.view, p.locale);
    let c = &v.context;
    let when = local_when(v.start, c.time_zone.tz(), l);
    let other = match l {
        Locale::Id => Locale::En,
        Locale::En => Locale::Id,
    };
    let switch = format!("{}{}", p.base, lang_query(other));
    let title = w(l, "Janji temu Anda", "Your appointment");
    let body = html! {
        h1 { (title) }
        @if let Some(n) = p.notice {
            p.notice.warn[!n.good()] role="status" { (n.text(l)) }
        }
        dl {
            dt { (w(l, "Nama", "Name")) } dd { (c.customer_name) }
            dt { (w(l, "Layanan", "Service")) } dd { (c.service_name) }
            dt { (w(l, "Waktu", "Time")) } dd { (when) }
            dt { (w(l, "Lokasi", "Location")) }
            dd {
                (c.location_name)
                @if let Some(a) = &c.location_address { br; (a) }
                @if let Some(phone) = &c.location_phone {
                    br;
                    a href={ "tel:" (phone) } { (w(l, "Telepon ", "Call ")) (phone) }
                }
            }
            dt { (w(l, "Status", "Status")) } dd.status { (status(l, v.status)) }
        }
        p { a href={ (p.base) "/calendar.ics" } { (w(l, "Tambahkan ke kalender", "Add to calendar")) } }
        @if let Some(field) = &p.confirm_field {
            form method="post" action={ (p.base) "/confirm" (lang_query(l)) } {
                input type="hidden" name="version" value=(v.version);
                input type="hidden" name="form_token" value=(field);
                button type="submit" { (w(l, "Ya, saya akan datang", "Yes, I will come")) }
            }
        }
        @if v.can_cancel() || v.can_reschedule() {
            h2 { (w(l, "Perlu mengubah jadwal?", "Need to change it?")) }
            @if v.can_cancel() {
                p {
                    (w(l, "Biaya pembatalan bila dibatalkan sekarang: ", "Cancelling now would cost: "))
                    strong { (display(v.cancel_fee, v.policy.currency, l)) }
                }
            }
            @if v.can_reschedule() {
                p { a href={ (p.base) "/reschedule" (lang_query(l)) } {
                    @if v.status == AppointmentStatus::NoShow {
                        (w(l, "Buat janji temu baru", "Book a new time"))
                    } @else {
                        (w(l, "Ganti jadwal", "Change the time"))
                    }
                } }
            }
            @if v.can_cancel() {
                p { a href={ (p.base) "/cancel" (lang_query(l)) } {
                    (w(l, "Batalkan janji temu", "Cancel the appointment"))
                } }
            }
            @if let Some(phone) = &c.location_phone {
                p {
                    (w(l, "Atau hubungi ", "Or call "))
                    a href={ "tel:" (phone) } { (phone) }
                    "."
                }
            }
        }
        @if let Some(text) = policy_text(&v.policy.text, l) {
            h2 { (w(l, "Ketentuan perubahan jadwal", "Rescheduling policy")) }
            p.policy { (text) }
        }
    };
    layout(l, title, Some(&switch), body)
}

/// The page for a link that opens nothing (unknown, expired or cancelled alike).
pub fn dead(l: Locale) -> Markup {
    let title = w(l, "Tautan tidak berlaku", "This link does not work");
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            p { (w(l,
                "Tautan ini tidak ditemukan atau sudah tidak berlaku. Bila Anda masih memiliki janji temu, hubungi bengkel Anda atau buka tautan dari pesan terbaru.",
                "This link was not found or is no longer valid. If you still have an appointment, contact your service desk or open the link in the latest message.")) }
        },
    )
}

/// The page for a form that was not the page's own (an old or foreign form).
pub fn refused_form(l: Locale, back: &str) -> Markup {
    let title = w(
        l,
        "Formulir tidak dapat diproses",
        "This form could not be used",
    );
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            p { (w(l,
                "Tidak ada yang diubah. Buka kembali halaman janji temu Anda dan coba lagi.",
                "Nothing was changed. Open your appointment page again and try once more.")) }
            p { a href=(back) { (w(l, "Kembali ke janji temu", "Back to the appointment")) } }
        },
    )
}

/// The page for anything else that went wrong.
pub fn trouble(l: Locale) -> Markup {
    let title = w(l, "Maaf, terjadi gangguan", "Sorry, something went wrong");
    layout(
        l,
        title,
        None,
        html! {
            h1 { (title) }
            p { (w(l, "Silakan coba lagi sebentar lagi.", "Please try again in a moment.")) }
        },
    )
}
