//! The words of a problem's `detail` in Indonesian or English: a problem is written in
//! English where it arises, with the values it names as parameters, and told again here
//! in the language [`super::language`] chose.

use crate::domain::Locale;
use crate::domain::message_text::local_when;
use crate::error::{Code, Error, Param};

mod by_code;

/// `Content-Language` of a problem in `locale`.
pub fn tag(locale: Locale) -> &'static str {
    match locale {
        Locale::Id => "id",
        Locale::En => "en",
    }
}

/// The problem's detail in `locale`. Every code has Indonesian: worded with the
/// problem's values where [`indonesian`] knows them, else the code's sentence, after
/// the field it names.
pub fn detail(e: &Error, locale: Locale) -> String {
    match locale {
        Locale::En => e.detail.clone(),
        Locale::Id => indonesian(e).unwrap_or_else(|| {
            let sentence = by_code::sentence(e.code);
            let said = match &e.field {
                // A sentence that names its field (`limit`) says it once.
                Some(field) if !sentence.contains(&format!("`{field}`")) => {
                    format!("{field}: {sentence}")
                }
                _ => sentence.to_owned(),
            };
            // The services a refusal names (a location or resource they still use) are
            // named in Indonesian too, as the English detail names them.
            match services_named(e) {
                Some(names) => format!("{said} (layanan: {names})"),
                None => said,
            }
        }),
    }
}

/// The names in the problem's `data.services`, joined, if it lists any.
fn services_named(e: &Error) -> Option<String> {
    let names: Vec<&str> = e
        .data
        .as_ref()?
        .get("services")?
        .as_array()?
        .iter()
        .filter_map(|s| s.get("name")?.as_str())
        .collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// The detail in Indonesian, from the code, the field and the parameters, for the codes
/// whose values make the text; `None` for the rest (and where a value is missing).
pub fn indonesian(e: &Error) -> Option<String> {
    let field = e.field.as_deref().unwrap_or("nilai");
    let p = |name: &str| {
        e.param(name).map(|v| match v {
            Param::Text(t) => t.clone(),
            Param::Instant(t, tz) => local_when(*t, *tz, Locale::Id),
        })
    };
    let data = |key: &str| {
        e.data
            .as_ref()
            .and_then(|d| d.get(key))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
    };
    let status = || {
        data("status")
            .map(|s| format!(" (statusnya {})", status_id(&s)))
            .unwrap_or_default()
    };
    Some(match e.code {
        Code::MalformedJson => match (p("line"), p("column")) {
            (Some(l), Some(c)) => format!("JSON tidak valid pada baris {l}, kolom {c}"),
            _ => "isi permintaan bukan JSON yang valid".to_owned(),
        },
        Code::Required => format!("{field} wajib diisi"),
        Code::InvalidField if data("missing").is_some() => {
            format!("kolom wajib belum diisi: {}", missing_list(e))
        }
        Code::WindowTooLarge if p("days").is_some() => format!(
            "minta paling banyak {} hari sekaligus",
            p("days").unwrap_or_default()
        ),
        Code::UnknownPlaceholder if p("placeholder").is_some() => format!(
            "{} bukan placeholder yang diisi Janji (kurung kurawal hanya untuk placeholder); \
             gunakan hanya {{customer_name}}, {{when}}, {{location}}, {{service}}, {{link}}, \
             {{fee}} dan {{survey_url}}",
            p("placeholder").unwrap_or_default()
        ),
        Code::TooLong => match p("max") {
            Some(max) => format!("{field} paling banyak {max} karakter"),
            None => format!("{field} terlalu panjang"),
        },
        Code::InvalidLimit => format!("limit harus antara 1 dan {}", p("max")?),
        Code::OutOfRange => match (p("min"), p("max")) {
            (Some(min), Some(max)) => format!("{field} harus antara {min} dan {max}"),
            (None, Some(max)) => format!("{field} paling besar {max}"),
            _ => format!("{field} di luar rentang yang diizinkan"),
        },
        Code::InvalidPhone => format!(
            "'{}' bukan nomor telepon yang valid (misalnya +6281234567890 atau 0812-3456-7890)",
            p("value")?
        ),
        Code::InvalidEmail => format!("'{}' bukan alamat e-mail", p("value")?),
        Code::InvalidPlate => format!(
            "'{}' bukan nomor polisi Indonesia: 1-2 huruf wilayah, 1-4 angka dan paling \
             banyak 3 huruf, misalnya B 1234 XYZ",
            p("value")?
        ),
        Code::NotFound => format!("{} tidak ditemukan", noun_id(&p("what")?)),
        Code::VersionMismatch => format!(
            "data sudah berubah; versinya sekarang {}",
            data("current_version")?
        ),
        Code::SlotUnavailable => "waktu itu tidak tersedia (sudah terisi, atau bukan awal \
                                  slot); lihat ketersediaan untuk waktu yang kosong"
            .to_owned(),
        Code::InsideLeadTime => format!(
            "pemesanan perlu pemberitahuan lebih awal; paling cepat mulai {}",
            p("earliest")?
        ),
        Code::BeyondBookingHorizon => {
            format!("pemesanan hanya diterima sampai {}", p("latest")?)
        }
        Code::CheckInTooEarly => format!(
            "check-in dibuka 12 jam sebelum waktu mulai, pada {}",
            p("opens_at")?
        ),
        Code::AppointmentNotStarted => format!(
            "tidak datang baru dapat dicatat sejak waktu mulai, {}",
            p("starts_at")?
        ),
        Code::NoShowWindowPassed => format!(
            "janji temu yang tidak didatangi hanya dapat dipesan ulang sampai {}; buat janji \
             temu baru",
            p("until")?
        ),
        Code::OutsideOpeningHours => "janji temu itu tidak berada dalam jam buka lokasi".to_owned(),
        Code::LocationClosed => "lokasi tutup pada waktu itu".to_owned(),
        Code::FeeChanged => {
            let accepted = match p("accepted").filter(|a| !a.is_empty()) {
                Some(a) => format!("yang disetujui {a}"),
                None => "belum ada yang disetujui".to_owned(),
            };
            format!(
                "biayanya sekarang {} dan {accepted}; tunjukkan penawaran baru kepada pelanggan",
                p("due")?
            )
        }
        Code::InvalidTransition => format!(
            "tidak dapat {} janji temu yang statusnya {}",
            action_id(&data("action")?),
            status_id(&data("status")?)
        ),
        Code::NotReschedulable => format!("janji temu ini tidak dapat dipindahkan{}", status()),
        Code::NotCancellable => format!("janji temu ini tidak dapat dibatalkan{}", status()),
        Code::CustomerHasAppointments => {
            "pelanggan ini masih punya janji temu, jadi tidak dapat dihapus".to_owned()
        }
        Code::Unauthorized => "kunci API tidak ada, tidak valid atau sudah dicabut; kirim \
                               'Authorization: Bearer <kunci>' dengan kunci yang aktif"
            .to_owned(),
        Code::Forbidden => "peran kunci API ini tidak boleh melakukan ini".to_owned(),
        Code::NoticeTooShort => format!(
            "perubahan perlu pemberitahuan {}; yang ini hanya {}",
            duration_id(&data("required_minutes")?),
            duration_id(&data("given_minutes")?)
        ),
        Code::RescheduleLimitReached => format!(
            "janji temu ini sudah dipindah {} kali; batasnya {}",
            data("used")?,
            data("max")?
        ),
        Code::CustomerLimitReached => format!(
            "pelanggan ini sudah memindah {} janji temu dalam {} hari terakhir; batasnya {}",
            data("used")?,
            data("window_days")?,
            data("max")?
        ),
        Code::ReasonRequired => "kebijakan meminta alasan (reason_category)".to_owned(),
        Code::ReasonNotAccepted => "kebijakan tidak menerima alasan itu".to_owned(),
        Code::TooFar => format!(
            "waktu baru paling jauh {} dari waktu yang semula dipesan",
            duration_id(&data("max_minutes")?)
        ),
        Code::PhoneTaken => "pelanggan lain sudah memakai nomor telepon ini".to_owned(),
        Code::PlateTaken => match data("customer_name") {
            Some(owner) => format!("nomor polisi ini sudah terdaftar untuk {owner}"),
            None => "nomor polisi ini sudah terdaftar untuk pelanggan lain".to_owned(),
        },
        Code::VehicleInUse => {
            "kendaraan ini masih disebut oleh janji temu, jadi tidak dapat dihapus".to_owned()
        }
        Code::VehicleNotCustomers => "kendaraan itu bukan milik pelanggan ini".to_owned(),
        _ => return None,
    })
}

/// Minutes as people say them: `3 hari`, `72 jam` is `3 hari`, `90 menit`.
fn duration_id(minutes: &str) -> String {
    match minutes.parse::<i64>() {
        Ok(m) if m > 0 && m % 1440 == 0 => format!("{} hari", m / 1440),
        Ok(m) if m > 0 && m % 60 == 0 => format!("{} jam", m / 60),
        Ok(m) => format!("{m} menit"),
        Err(_) => format!("{minutes} menit"),
    }
}

fn missing_list(e: &Error) -> String {
    e.data
        .as_ref()
        .and_then(|d| d.get("missing"))
        .and_then(|m| m.as_array())
        .map(|names| {
            names
                .iter()
                .filter_map(|n| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

/// What was not found, in Indonesian (the nouns `Error::not_found` is given).
fn noun_id(what: &str) -> &'static str {
    match what {
        "API key" => "kunci API",
        "appointment" => "janji temu",
        "closure" => "penutupan",
        "customer" | "customer with that external_ref" => "pelanggan",
        "fee" => "biaya",
        "location" => "lokasi",
        "message" => "pesan",
        "organization" | "organization with that id or name" => "organisasi",
        "policy" => "kebijakan",
        "resource" => "sumber daya",
        "route" => "alamat",
        "service" => "layanan",
        "vehicle" => "kendaraan",
        _ => "data",
    }
}

/// A lifecycle action as the verb a front desk uses.
fn action_id(action: &str) -> &str {
    match action {
        "confirm" => "mengonfirmasi",
        "check_in" => "mencatat check-in",
        "complete" => "menyelesaikan",
        "no_show" => "mencatat tidak datang untuk",
        "cancel" => "membatalkan",
        other => other,
    }
}

fn status_id(status: &str) -> &str {
    match status {
        "booked" => "dipesan",
        "confirmed" => "dikonfirmasi",
        "checked_in" => "sudah check-in",
        "completed" => "selesai",
        "cancelled" => "dibatalkan",
        "no_show" => "tidak datang",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Codes whose detail has an Indonesian text; every other code is told in English.
    /// The list makes the gap visible: add a text, then add the code here.
    #[test]
    fn which_codes_have_an_indonesian_text() {
        let with_params = |code| {
            Error::new(code, "x")
                .with_field("f")
                .with_param("value", "v")
                .with_param("what", "customer")
                .with_param("earliest", "t")
                .with_param("latest", "t")
                .with_param("opens_at", "t")
                .with_param("starts_at", "t")
                .with_param("until", "t")
                .with_param("due", "Rp1")
                .with_data(serde_json::json!({
                    "current_version": 1, "required_minutes": 4320, "given_minutes": 90,
                    "used": 2, "max": 2, "window_days": 90, "max_minutes": 20160,
                }))
        };
        let both: Vec<&str> = Code::ALL
            .iter()
            .filter(|&&c| indonesian(&with_params(c)).is_some())
            .map(|c| c.as_str())
            .collect();
        assert_eq!(
            both,
            [
                "malformed_json",
                "unauthorized",
                "forbidden",
                "not_found",
                "version_mismatch",
                "required",
                "too_long",
                "out_of_range",
                "invalid_phone",
                "invalid_email",
                "customer_has_appointments",
                "invalid_plate",
                "plate_taken",
                "vehicle_in_use",
                "vehicle_not_customers",
                "inside_lead_time",
                "beyond_booking_horizon",
                "outside_opening_hours",
                "location_closed",
                "slot_unavailable",
                "phone_taken",
                "appointment_not_started",
                "check_in_too_early",
                "not_reschedulable",
                "not_cancellable",
                "no_show_window_passed",
                "notice_too_short",
                "reschedule_limit_reached",
                "customer_limit_reached",
                "reason_required",
                "reason_not_accepted",
                "too_far",
                "fee_changed",
            ]
        );
        assert_eq!(
            detail(&with_params(Code::ServiceInUse), Locale::Id),
            "f: layanan ini masih disebut oleh janji temu; nonaktifkan saja, jangan dihapus",
            "the code's sentence, after the field"
        );
    }

    /// A new code without Indonesian does not compile (`by_code::sentence` names every
    /// code); this holds each code's Indonesian detail to be there and not the English.
    #[test]
    fn every_code_has_an_indonesian_detail() {
        for &code in Code::ALL {
            for e in [
                Error::new(code, "english text"),
                Error::new(code, "english text").with_field("name"),
            ] {
                let id = detail(&e, Locale::Id);
                assert!(
                    !id.is_empty() && !id.contains("english text"),
                    "{code}: {id:?}"
                );
                assert_eq!(detail(&e, Locale::En), "english text", "{code}");
            }
        }
    }

    #[test]
    fn parameters_fill_the_indonesian_text() {
        let e = crate::domain::text::required("name", &"x".repeat(9), 5).unwrap_err();
        assert_eq!(detail(&e, Locale::Id), "name paling banyak 5 karakter");
        assert_eq!(detail(&e, Locale::En), "name must be at most 5 characters");
        let t = "2026-11-30T02:00:00Z".parse().unwrap();
        let e = Error::new(Code::InsideLeadTime, "x")
            .with_param("earliest", Param::Instant(t, chrono_tz::Asia::Jakarta));
        assert_eq!(
            detail(&e, Locale::Id),
            "pemesanan perlu pemberitahuan lebih awal; paling cepat mulai Senin, 30 November \
             2026, 09.00 WIB"
        );
        assert_eq!(
            detail(&Error::not_found("vehicle"), Locale::Id),
            "kendaraan tidak ditemukan"
        );
        let e = Error::new(Code::NoticeTooShort, "x").with_data(serde_json::json!({
            "required_minutes": 4320, "given_minutes": 90
        }));
        assert_eq!(
            detail(&e, Locale::Id),
            "perubahan perlu pemberitahuan 3 hari; yang ini hanya 90 menit"
        );
    }
}
