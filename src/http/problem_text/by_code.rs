//! One Indonesian sentence for every code, said when a problem carries none of the
//! values [`super::indonesian`] words it with. The match names every code, so a new code
//! does not compile until it has its Indonesian text.

use crate::error::Code;

/// What a problem with `code` means, in Indonesian, for a front desk to read.
pub fn sentence(code: Code) -> &'static str {
    match code {
        Code::MalformedJson => "isi permintaan bukan JSON yang valid",
        Code::UnknownField => {
            "permintaan berisi kolom yang tidak dikenal di sini; hapus atau periksa ejaannya"
        }
        Code::InvalidField => "isi kolom ini salah jenis atau bentuknya; kirim sesuai skema",
        Code::InvalidQuery => "parameter kueri tidak ada atau tidak valid; perbaiki",
        Code::InvalidLimit => "`limit` di luar rentang yang diterima; minta lebih sedikit",
        Code::InvalidCursor => {
            "`cursor` tidak dikenal; kirim `next_cursor` dari halaman sebelumnya apa adanya"
        }
        Code::InvalidIfMatch => {
            "`If-Match` bukan ETag dari API ini; kirim `ETag` dari pembacaan terakhir"
        }
        Code::InvalidIdempotencyKey => {
            "`Idempotency-Key` harus 1 sampai 255 karakter ASCII yang terlihat"
        }
        Code::UnreadableBody => "isi permintaan tidak terbaca sampai habis; kirim ulang",
        Code::RequestTimeout => {
            "isi permintaan tidak tiba utuh dalam 10 detik; kirim ulang, lebih cepat atau lebih kecil"
        }
        Code::MethodNotAllowed => {
            "alamat ini ada, tetapi tidak untuk metode ini; pakai salah satu metode di `Allow`"
        }
        Code::BodyTooLarge => "isi permintaan lebih dari 64 KiB; kirim lebih sedikit",
        Code::UnsupportedMediaType => {
            "isi permintaan bukan `application/json`; pasang `Content-Type: application/json`"
        }
        Code::Unauthorized => {
            "kunci API tidak ada, tidak valid atau sudah dicabut; kirim \
             'Authorization: Bearer <kunci>' dengan kunci yang aktif"
        }
        Code::Forbidden => "peran kunci API ini tidak boleh melakukan ini",
        Code::OverrideNotAllowed => {
            "hanya kunci staf dan admin yang boleh mengesampingkan kebijakan"
        }
        Code::NotFound => "data tidak ditemukan",
        Code::TooManyRequests => {
            "terlalu banyak permintaan dari tautan atau alamat ini; tunggu `Retry-After` detik"
        }
        Code::NotLinkable => {
            "janji temu ini sudah dibatalkan atau sudah lewat masa tautannya; tautan tidak akan berfungsi"
        }
        Code::VersionMismatch => "data sudah berubah; baca lagi, terapkan perubahan dan coba lagi",
        Code::IdempotencyKeyReused => {
            "`Idempotency-Key` ini sudah dipakai untuk permintaan lain; pakai kunci baru"
        }
        Code::AlreadyExists => "data dengan nilai yang sama sudah ada",
        Code::ReferenceChanged => {
            "data yang dirujuk berubah pada saat yang sama; baca lagi dan coba lagi"
        }
        Code::InvalidValue => "sebuah nilai melanggar aturan basis data; periksa nilainya",
        Code::DatabaseUnavailable => {
            "basis data sedang tidak dapat dihubungi; coba lagi sebentar lagi"
        }
        Code::DatabaseContention => {
            "terlalu banyak perubahan pada data yang sama sekaligus; coba lagi sebentar lagi"
        }
        Code::InternalError => "terjadi kesalahan di server; coba lagi",
        Code::Required => "kolom ini wajib diisi",
        Code::TooLong => "teks ini terlalu panjang",
        Code::OutOfRange => "angka ini di luar rentang yang diizinkan",
        Code::InvalidCharacters => "teks ini berisi karakter NUL; hapus karakter itu",
        Code::InvalidPhone => {
            "bukan nomor telepon yang valid (misalnya +6281234567890 atau 0812-3456-7890)"
        }
        Code::InvalidEmail => "bukan alamat e-mail",
        Code::UnknownTimeZone => "zona waktu tidak dikenal; pakai nama IANA seperti Asia/Jakarta",
        Code::UnknownCurrency => "mata uang tidak dikenal; pakai kode ISO 4217 seperti IDR",
        Code::InvalidInterval => "jam buka harus selesai setelah mulai",
        Code::OverlappingIntervals => {
            "dua rentang jam buka pada hari yang sama bertumpuk atau tidak berurutan"
        }
        Code::ClosureSpanRequired => {
            "penutupan perlu `date` (boleh dengan `end_date`) atau `starts_at` dan `ends_at`"
        }
        Code::ClosureEndsBeforeStart => "penutupan berakhir sebelum mulai",
        Code::InvalidDate => "penutupan akan berakhir setelah tahun 9999; pilih tanggal lebih awal",
        Code::LocationInUse => {
            "lokasi ini masih punya sumber daya atau janji temu, atau masih disebut oleh \
             layanan, jadi tidak dapat dihapus"
        }
        Code::LocationNotFound => "lokasi itu tidak ada di organisasi Anda",
        Code::ResourceNotFound => "sumber daya itu tidak ada di organisasi Anda",
        Code::ResourceNotAtLocation => "sumber daya itu milik lokasi lain",
        Code::ResourceInactive => "sumber daya itu tidak aktif",
        Code::ResourceCannotPerform => "sumber daya itu tidak dapat mengerjakan layanan ini",
        Code::ResourceKindNotRequired => {
            "jenis sumber daya itu tidak termasuk `resource_kinds` layanan ini"
        }
        Code::ResourceInUse => {
            "sumber daya ini masih disebut oleh layanan atau janji temu; ubah layanannya \
             dulu, atau nonaktifkan"
        }
        Code::DuplicateResource => "sumber daya yang sama disebut dua kali",
        Code::DuplicateLocation => "lokasi yang sama disebut dua kali",
        Code::DuplicateResourceKind => "jenis sumber daya yang sama disebut dua kali",
        Code::ServiceNotFound => "layanan itu tidak ada di organisasi Anda",
        Code::ServiceNotOffered => "layanan itu tidak aktif atau tidak tersedia di lokasi ini",
        Code::ServiceInUse => {
            "layanan ini masih disebut oleh janji temu; nonaktifkan saja, jangan dihapus"
        }
        Code::ContactRequired => "pelanggan perlu nomor telepon atau alamat e-mail",
        Code::ChannelNeedsContact => {
            "saluran pilihan perlu kontak yang belum dimiliki pelanggan (telepon untuk \
             WhatsApp atau SMS, e-mail untuk e-mail)"
        }
        Code::CustomerHasAppointments => {
            "pelanggan ini masih punya janji temu, jadi tidak dapat dihapus"
        }
        Code::CustomerRequired => {
            "isi tepat satu dari `customer_id`, `customer_external_ref` atau `customer`"
        }
        Code::InvalidPlate => "bukan nomor polisi Indonesia, misalnya B 1234 XYZ",
        Code::PlateTaken => "nomor polisi ini sudah terdaftar untuk kendaraan lain",
        Code::VehicleInUse => {
            "kendaraan ini masih disebut oleh janji temu, jadi tidak dapat dihapus"
        }
        Code::VehicleNotCustomers => "kendaraan itu bukan milik pelanggan ini",
        Code::StartInPast => "waktu mulainya sudah lewat; pilih waktu yang lebih lambat",
        Code::InsideLeadTime => {
            "pemesanan perlu pemberitahuan lebih awal; pilih waktu lebih lambat"
        }
        Code::BeyondBookingHorizon => "waktu itu terlalu jauh ke depan; pilih waktu lebih awal",
        Code::OutsideOpeningHours => "janji temu itu tidak berada dalam jam buka lokasi",
        Code::LocationClosed => "lokasi tutup pada waktu itu",
        Code::SlotUnavailable => {
            "waktu itu tidak tersedia (sudah terisi, atau bukan awal slot); lihat \
             ketersediaan untuk waktu yang kosong"
        }
        Code::PhoneTaken => "pelanggan lain sudah memakai nomor telepon ini",
        Code::ExternalRefTaken => "janji temu lain sudah memakai `external_ref` ini",
        Code::WindowTooLarge => "rentang ketersediaan lebih dari 31 hari; minta yang lebih pendek",
        Code::WindowEndsBeforeStart => "`to` harus setelah `from`",
        Code::InvalidTransition => "tindakan itu tidak berlaku untuk status janji temu ini",
        Code::AppointmentNotStarted => {
            "tidak datang baru dapat dicatat sejak waktu mulai janji temu"
        }
        Code::CheckInTooEarly => "check-in dibuka 12 jam sebelum waktu mulai",
        Code::NotReschedulable => "janji temu ini tidak dapat dipindahkan",
        Code::NotCancellable => "janji temu ini tidak dapat dibatalkan",
        Code::NoShowWindowPassed => {
            "batas waktu untuk memesan ulang janji temu yang tidak didatangi sudah lewat; \
             buat janji temu baru"
        }
        Code::NoticeTooShort => "perubahan ini kurang dari pemberitahuan yang diminta kebijakan",
        Code::RescheduleLimitReached => {
            "janji temu ini sudah dipindah sebanyak yang diizinkan kebijakan"
        }
        Code::CustomerLimitReached => {
            "pelanggan ini sudah memindah janji temu sebanyak yang diizinkan kebijakan"
        }
        Code::ReasonRequired => "kebijakan meminta alasan (reason_category)",
        Code::ReasonNotAccepted => "kebijakan tidak menerima alasan itu",
        Code::ReasonCategoryMissing => "`reason_text` harus disertai `reason_category`",
        Code::TooFar => "waktu baru terlalu jauh dari waktu yang semula dipesan",
        Code::SameStart => "janji temu ini memang sudah mulai pada waktu itu",
        Code::FeeChanged => "biayanya sudah berubah; tunjukkan penawaran baru kepada pelanggan",
        Code::CurrencyMismatch => "`accepted_fee` tidak dalam mata uang kebijakan",
        Code::NegativeFee => "biaya tidak boleh negatif",
        Code::NoteRequired => "pengesampingan kebijakan perlu catatan alasannya (`override.note`)",
        Code::FeeNotDue => "biaya ini sudah dibebaskan atau dibayar",
        Code::PolicyExists => "cakupan ini sudah punya kebijakan; ubah yang itu",
        Code::TiersNotOrdered => {
            "tingkat biaya harus berurutan dari pemberitahuan terlama ke tersingkat, \
             masing-masing sekali"
        }
        Code::LateFeeMissing => {
            "tingkat biaya perlu tingkat terakhir dengan `notice_at_least_minutes` 0"
        }
        Code::WindowRequired => "`max_per_customer` perlu `customer_window_days`",
        Code::DuplicateReason => "kategori alasan yang sama disebut dua kali",
        Code::LastAdminKey => {
            "ini kunci admin aktif terakhir organisasi; buat kunci admin lain dulu"
        }
        Code::InvalidUrl => "bukan URL http atau https yang lengkap tanpa nama pengguna dan sandi",
        Code::PrivateTarget => "host URL itu mengarah ke alamat internal atau tidak ditemukan",
        Code::InvalidTimeOfDay => {
            "jam harus `HH:MM` dalam format 24 jam, dan jam tenang tidak boleh mulai dan \
             selesai bersamaan"
        }
        Code::NotRetryable => {
            "hanya pesan gagal yang janji temunya belum mulai yang dapat dikirim ulang"
        }
        Code::InvalidSignature => "tanda tangan pesan masuk tidak ada, kedaluwarsa atau salah",
        Code::GatewayNotSet => "organisasi belum punya `gateway_url`; atur gateway dulu",
        Code::UnknownEventType => {
            "jenis peristiwa tidak dikenal atau disebut dua kali; lihat docs/webhooks.md"
        }
        Code::UnknownPlaceholder => {
            "template memakai `{placeholder}` yang tidak diisi Janji, atau kurung kurawal di \
             luar placeholder; gunakan hanya `{customer_name}`, `{when}`, `{location}`, \
             `{service}`, `{link}`, `{fee}` dan `{survey_url}`"
        }
        Code::NoCallNeeded => {
            "janji temu ini tidak ditandai perlu ditelepon (atau telepon lain baru saja \
             dicatat); baca lagi `needs_call`"
        }
    }
}
