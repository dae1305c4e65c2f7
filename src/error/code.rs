//! Every stable problem `code` the API can answer with, each with its one HTTP status, a
//! title and a sentence of help. `docs/errors.md` is generated from this list.

use serde::Serialize;
use utoipa::ToSchema;

/// Declares [`Code`] and its table: `Variant => ("snake_case", status, "Title", "Help.")`.
macro_rules! codes {
    ($( $variant:ident => ($text:literal, $status:literal, $title:literal, $help:literal), )*) => {
        /// A stable, machine-readable problem code. Programs branch on it; `detail` is for
        /// people. Each code always comes with the same HTTP status.
        // The variant names are the texts in CamelCase (a unit test holds them to it).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        #[schema(as = ProblemCode)]
        pub enum Code {
            $( $variant, )*
        }

        impl Code {
            /// Every code, in the order of the table.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as it appears in `code` and at the end of `type`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// The HTTP status every problem with this code has.
            pub const fn status(self) -> u16 {
                match self { $(Code::$variant => $status,)* }
            }

            /// A short summary of the problem type (RFC 9457 `title`).
            pub const fn title(self) -> &'static str {
                match self { $(Code::$variant => $title,)* }
            }

            /// What the code means and what a client should do about it.
            pub const fn help(self) -> &'static str {
                match self { $(Code::$variant => $help,)* }
            }
        }
    };
}

codes! {
    // Requests that could not be read.
    MalformedJson => ("malformed_json", 400, "Malformed JSON",
        "The body is not valid JSON; fix its syntax and send it again."),
    UnknownField => ("unknown_field", 400, "Unknown field",
        "The body has a field this endpoint does not take (named in `field`); remove it or check its spelling."),
    InvalidField => ("invalid_field", 400, "Invalid field",
        "A field has the wrong type or form (a time without an offset, a fractional amount, a year outside 0001-9999); send it as the schema says."),
    InvalidQuery => ("invalid_query", 400, "Invalid query parameter",
        "A query parameter is missing, malformed or holds a NUL character (named in `field`); correct it."),
    InvalidLimit => ("invalid_limit", 400, "Invalid limit",
        "`limit` is outside the range the endpoint accepts (1 to 200 for lists, 1 to 20 for suggestions and alternatives); ask for fewer."),
    InvalidCursor => ("invalid_cursor", 400, "Invalid cursor",
        "`cursor` is not one this API returned; pass the `next_cursor` of the previous page unchanged, or none for the first page."),
    InvalidIfMatch => ("invalid_if_match", 400, "Invalid If-Match",
        "`If-Match` is not an ETag this API returned; send the `ETag` of your last read, such as \"3\"."),
    InvalidIdempotencyKey => ("invalid_idempotency_key", 400, "Invalid Idempotency-Key",
        "`Idempotency-Key` must be 1 to 255 visible ASCII characters; a UUID is a good choice."),
    UnreadableBody => ("unreadable_body", 400, "Unreadable body",
        "The request body could not be read to its end; send the request again."),
    RequestTimeout => ("request_timeout", 408, "Request timeout",
        "The body did not arrive whole within 10 seconds; send it again, faster or smaller."),
    MethodNotAllowed => ("method_not_allowed", 405, "Method not allowed",
        "The path exists but not under this method; use one of the methods in `Allow`."),
    BodyTooLarge => ("body_too_large", 413, "Request body too large",
        "The body is over 64 KiB; send less."),
    UnsupportedMediaType => ("unsupported_media_type", 415, "Unsupported media type",
        "The body is not `application/json`; set `Content-Type: application/json`."),

    // Who is asking.
    Unauthorized => ("unauthorized", 401, "Authentication required",
        "The API key is missing, malformed or revoked; send `Authorization: Bearer <key>` with an active key."),
    Forbidden => ("forbidden", 403, "Not allowed",
        "The key's role may not do this; use a key with the role the endpoint names."),
    OverrideNotAllowed => ("override_not_allowed", 403, "Override not allowed",
        "Only staff and admin keys may override a policy; send the change without `override`, or have staff make it."),

    // Shared machinery.
    NotFound => ("not_found", 404, "Not found",
        "No such object in your organization (or at all: the two are not told apart); check the id."),
    VersionMismatch => ("version_mismatch", 412, "Version mismatch",
        "`If-Match` is not the current version (`data.current_version`); read the object again, reapply your change and retry."),
    IdempotencyKeyReused => ("idempotency_key_reused", 422, "Idempotency key reused",
        "This `Idempotency-Key` was used for a different request; use a new key for a new request."),
    AlreadyExists => ("already_exists", 409, "Already exists",
        "A record with the same unique value already exists; read it instead of creating it again."),
    ReferenceChanged => ("reference_changed", 409, "Reference changed",
        "A record this request refers to, or that refers to it, changed at the same time; read it again and retry."),
    InvalidValue => ("invalid_value", 422, "Invalid value",
        "A value breaks a rule the database enforces; check the values against the schema."),
    DatabaseUnavailable => ("database_unavailable", 503, "Service unavailable",
        "The database cannot be reached right now; retry after `Retry-After` seconds."),
    DatabaseContention => ("database_contention", 503, "Too much contention",
        "Too many changes to the same records at once; retry after `Retry-After` seconds."),
    TooManyRequests => ("too_many_requests", 429, "Too many requests",
        "A customer link (or the address it is opened from) sent too many requests in a short time; wait `Retry-After` seconds."),
    NotLinkable => ("not_linkable", 409, "No link for this appointment",
        "The appointment is cancelled or past the time its link would live (its end plus the no-show rebooking window); a link would open nothing."),
    InternalError => ("internal_error", 500, "Internal error",
        "Something failed on the server; the request id in the logs names the cause, and a retry may succeed."),

    // Values that break a rule.
    Required => ("required", 422, "Required",
        "The field is empty or missing but must have a value; give one."),
    TooLong => ("too_long", 422, "Too long",
        "The text is longer than the field allows; shorten it."),
    OutOfRange => ("out_of_range", 422, "Out of range",
        "The number is outside the range the field allows (the range is in `detail`); choose one inside it."),
    InvalidCharacters => ("invalid_characters", 422, "Invalid characters",
        "A text holds a NUL (`\\u0000`) character, which no field needs; remove it."),
    InvalidPhone => ("invalid_phone", 422, "Invalid phone number",
        "The text is not a valid phone number: send it internationally (+6281234567890, +62 812-3456-7890) or as a national number of the organization's country (0812-3456-7890); digits, spaces, `-`, `.`, parentheses and one leading `+` only."),
    InvalidEmail => ("invalid_email", 422, "Invalid e-mail address",
        "The value is not an e-mail address; correct it."),
    UnknownTimeZone => ("unknown_time_zone", 422, "Unknown time zone",
        "Not an IANA time zone name; use one such as Asia/Jakarta."),
    UnknownCurrency => ("unknown_currency", 422, "Unknown currency",
        "Not an ISO 4217 currency code; use one such as IDR."),

    // Locations, hours and closures.
    InvalidInterval => ("invalid_interval", 422, "Invalid interval",
        "An opening interval ends at or before its start; make it end after it starts."),
    OverlappingIntervals => ("overlapping_intervals", 422, "Overlapping intervals",
        "Two opening intervals of one day overlap (or are out of order); merge or reorder them."),
    ClosureSpanRequired => ("closure_span_required", 422, "Closure span required",
        "A closure needs either `date` (and optionally `end_date`) or both `starts_at` and `ends_at`; give one of the two."),
    ClosureEndsBeforeStart => ("closure_ends_before_start", 422, "Closure ends before it starts",
        "The closure's end is before its start; swap or correct them."),
    InvalidDate => ("invalid_date", 422, "Invalid date",
        "A closure would end after the year 9999; choose an earlier date."),
    LocationInUse => ("location_in_use", 409, "Location in use",
        "The location still has resources or appointments, or services name it in `location_ids` (listed in `data.services`); delete its resources or take it off those lists first (appointments keep it as their history)."),
    LocationNotFound => ("location_not_found", 422, "Location not found",
        "A location the body refers to is not in your organization; check the id."),

    // Resources and services.
    ResourceNotFound => ("resource_not_found", 422, "Resource not found",
        "A resource the body refers to is not in your organization; check the id."),
    ResourceNotAtLocation => ("resource_not_at_location", 422, "Resource not at this location",
        "The resource belongs to another location; choose one of this location's resources."),
    ResourceInactive => ("resource_inactive", 422, "Resource inactive",
        "The resource is not active; choose an active one, or activate it."),
    ResourceCannotPerform => ("resource_cannot_perform", 422, "Resource cannot perform the service",
        "The resource is not of a kind the service needs, or not among its `resource_ids`; choose one that is."),
    ResourceKindNotRequired => ("resource_kind_not_required", 422, "Resource kind not required",
        "A listed resource is of a kind the service's `resource_kinds` does not include; add the kind or remove the resource."),
    ResourceInUse => ("resource_in_use", 409, "Resource in use",
        "Services name the resource in `resource_ids` (listed in `data.services`; or would not need its new kind), or appointments refer to it; change those services first, or set `active: false` (appointments keep it as their history)."),
    DuplicateResource => ("duplicate_resource", 422, "Duplicate resource",
        "A resource id is listed twice; list each once."),
    DuplicateLocation => ("duplicate_location", 422, "Duplicate location",
        "A location id is listed twice; list each once."),
    DuplicateResourceKind => ("duplicate_resource_kind", 422, "Duplicate resource kind",
        "A resource kind is listed twice; list each once."),
    ServiceNotFound => ("service_not_found", 422, "Service not found",
        "A service the body refers to is not in your organization; check the id."),
    ServiceNotOffered => ("service_not_offered", 422, "Service not offered",
        "The service is inactive or not offered at the location; choose another service or location."),
    ServiceInUse => ("service_in_use", 409, "Service in use",
        "Appointments refer to the service, which keeps it as their history; deactivate it instead of deleting it."),

    // Customers.
    ContactRequired => ("contact_required", 422, "Contact required",
        "A customer needs a phone number or an e-mail address; give at least one."),
    ChannelNeedsContact => ("channel_needs_contact", 422, "Channel needs contact",
        "The preferred channel needs a contact the customer does not have (a phone for WhatsApp or SMS, an e-mail address for e-mail); add it or choose another channel."),
    CustomerHasAppointments => ("customer_has_appointments", 409, "Customer has appointments",
        "Appointments refer to the customer, which keeps them as their history; the customer cannot be deleted."),
    CustomerRequired => ("customer_required", 422, "Customer required",
        "Give exactly one of `customer_id`, `customer_external_ref` or `customer`."),

    // Vehicles.
    InvalidPlate => ("invalid_plate", 422, "Invalid plate number",
        "The plate is not an Indonesian plate number: 1-2 region letters, 1-4 digits (not starting with 0) and up to 3 letters, as in B 1234 XYZ; spaces, hyphens and case do not matter."),
    PlateTaken => ("plate_taken", 409, "Plate taken",
        "Another vehicle of this organization has this plate (its owner is in `data`); find it with `GET /v1/vehicles?plate=` instead of registering it again."),
    VehicleInUse => ("vehicle_in_use", 409, "Vehicle in use",
        "Appointments refer to the vehicle, which keeps it as their history; the vehicle cannot be deleted."),
    VehicleNotCustomers => ("vehicle_not_customers", 422, "Vehicle of another customer",
        "The vehicle named is not one of the booking's customer's vehicles (or does not exist); choose one of theirs, or none."),

    // Booking and availability.
    StartInPast => ("start_in_past", 422, "Start in the past",
        "The start has passed; choose a later time."),
    InsideLeadTime => ("inside_lead_time", 422, "Inside the lead time",
        "The start is before now plus the lead time (`data.earliest`); choose a later time, such as one of `data.alternatives`."),
    BeyondBookingHorizon => ("beyond_booking_horizon", 422, "Beyond the booking horizon",
        "The start (for suggestions and alternatives: `from`) is after now plus the booking horizon (`data.latest`); choose an earlier time."),
    OutsideOpeningHours => ("outside_opening_hours", 422, "Outside opening hours",
        "The service time is not within the location's opening hours; choose another time, such as one of `data.alternatives`."),
    LocationClosed => ("location_closed", 422, "Location closed",
        "A closure of the location covers part of the service time; choose another time, such as one of `data.alternatives`."),
    SlotUnavailable => ("slot_unavailable", 409, "Slot unavailable",
        "The start is not a listed slot: every capable resource (or the pinned one) is busy or off its own hours, the start is off the grid, or another booking just won it; ask availability or take one of `data.alternatives`."),
    PhoneTaken => ("phone_taken", 409, "Phone number taken",
        "Another customer of this organization has this phone number (one customer per number); find them with `GET /v1/customers?phone=`, or merge the two with `janji customers merge`."),
    ExternalRefTaken => ("external_ref_taken", 409, "External reference taken",
        "Another appointment of the organization has this `external_ref`; use another, or read that appointment."),
    WindowTooLarge => ("window_too_large", 422, "Window too large",
        "The availability window is over 31 days; ask for a shorter one."),
    WindowEndsBeforeStart => ("window_ends_before_start", 422, "Window ends before it starts",
        "`to` is not after `from`; swap or correct them."),

    // Appointment lifecycle.
    InvalidTransition => ("invalid_transition", 409, "Invalid transition",
        "The action does not apply to the appointment's status (`data.status`); read it again and choose an action that does."),
    AppointmentNotStarted => ("appointment_not_started", 409, "Appointment not started",
        "A no-show can be recorded only from the start time; wait until then."),
    CheckInTooEarly => ("check_in_too_early", 409, "Check-in too early",
        "Check-in opens 12 hours before the start (`data.opens_at`); check in from then."),

    // Moving and cancelling under a policy.
    NotReschedulable => ("not_reschedulable", 409, "Not reschedulable",
        "Only booked or confirmed appointments, and no-shows their policy rebooks, can be moved or offered times to move to (`data.status`); book a new appointment instead."),
    NotCancellable => ("not_cancellable", 409, "Not cancellable",
        "Only booked or confirmed appointments can be cancelled (`data.status`)."),
    NoShowWindowPassed => ("no_show_window_passed", 409, "No-show rebooking window passed",
        "A no-show could be rebooked (or offered times to rebook) only until `data.until`; book a new appointment instead."),
    NoticeTooShort => ("notice_too_short", 409, "Notice too short",
        "The change gives less notice than the policy requires (`data.required_minutes`, `data.given_minutes`); staff may override it with a note."),
    RescheduleLimitReached => ("reschedule_limit_reached", 409, "Reschedule limit reached",
        "The appointment has been moved as often as the policy allows (`data.max`, `data.used`); staff may override it with a note."),
    CustomerLimitReached => ("customer_limit_reached", 409, "Customer limit reached",
        "The customer has moved as many appointments in the window as the policy allows (`data.max`, `data.used`, `data.window_days`); staff may override it with a note."),
    ReasonRequired => ("reason_required", 422, "Reason required",
        "The policy asks for a reason; send a `reason_category`."),
    ReasonNotAccepted => ("reason_not_accepted", 422, "Reason not accepted",
        "The reason is not among the policy's `reason_categories`; choose one of them."),
    ReasonCategoryMissing => ("reason_category_missing", 422, "Reason category missing",
        "A `reason_text` goes with a `reason_category`; send both."),
    TooFar => ("too_far", 422, "Too far",
        "The new time is further from the originally booked start than the policy's `max_distance_days`; choose a nearer time."),
    SameStart => ("same_start", 422, "Same start",
        "The appointment already starts then; choose another time."),
    FeeChanged => ("fee_changed", 409, "Fee changed",
        "The fee due differs from `accepted_fee` (absent counts as none); show the customer `data.quote` and send the fee they accept."),
    CurrencyMismatch => ("currency_mismatch", 422, "Currency mismatch",
        "`accepted_fee` is not in the policy's currency (`data.currency`); send the fee in that currency."),
    NegativeFee => ("negative_fee", 422, "Negative fee",
        "A fee amount is negative; send zero or more."),
    NoteRequired => ("note_required", 422, "Note required",
        "An override needs a note saying why; add `override.note`."),
    FeeNotDue => ("fee_not_due", 409, "Fee not due",
        "The fee is already waived or paid (`data.status`); nothing is left to do."),

    // Policies.
    PolicyExists => ("policy_exists", 409, "Policy exists",
        "This scope already has a policy; change that one instead of creating another."),
    TiersNotOrdered => ("tiers_not_ordered", 422, "Fee tiers not ordered",
        "Fee tiers must go from the largest notice to the smallest, each notice once; reorder them."),
    LateFeeMissing => ("late_fee_missing", 422, "Late fee missing",
        "Late changes are charged, so the tiers need a last one with `notice_at_least_minutes` 0; add it."),
    WindowRequired => ("window_required", 422, "Window required",
        "`max_per_customer` needs `customer_window_days`; give both or neither."),
    DuplicateReason => ("duplicate_reason", 422, "Duplicate reason",
        "A reason category is listed twice; list each once."),

    // API keys.
    LastAdminKey => ("last_admin_key", 409, "Last admin key",
        "This is the organization's last active admin key; create another admin key first."),

    // Messages and their gateway.
    InvalidUrl => ("invalid_url", 422, "Invalid URL",
        "The URL is not an absolute http or https URL without a user or password; correct it."),
    PrivateTarget => ("private_target", 422, "Internal address",
        "The URL's host resolves to a loopback, private or link-local address (or does not resolve); Janji sends there only when the server runs with `JANJI_ALLOW_PRIVATE_TARGETS=true`."),
    InvalidTimeOfDay => ("invalid_time_of_day", 422, "Invalid time of day",
        "A time of day is not `HH:MM` on a 24-hour clock, or quiet hours start when they end; correct it."),
    NotRetryable => ("not_retryable", 409, "Not retryable",
        "Only a failed message whose appointment has not begun can be sent again; the message is pending, sent or cancelled, or too late."),
    InvalidSignature => ("invalid_signature", 401, "Invalid signature",
        "An inbound message must carry `webhook-id`, a `webhook-timestamp` within five minutes and a `webhook-signature` made with the organization's gateway secret."),
    GatewayNotSet => ("gateway_not_set", 409, "No gateway",
        "The organization has no `gateway_url`, so there is no secret to rotate; set the gateway first (its first secret comes with that answer)."),
    UnknownPlaceholder => ("unknown_placeholder", 422, "Unknown placeholder",
        "A template names a `{placeholder}` Janji does not fill, or has a brace outside one (braces are for placeholders only); use only `{customer_name}`, `{when}`, `{location}`, `{service}`, `{link}`, `{fee}` and `{survey_url}`."),
    NoCallNeeded => ("no_call_needed", 409, "No call needed",
        "The appointment is not flagged for a call (or another call was just recorded); read it again (`needs_call`)."),

    // Integration webhooks.
    UnknownEventType => ("unknown_event_type", 422, "Unknown event type",
        "An event type is not one Janji publishes, or is listed twice; `event_types` takes one or more of the names in docs/webhooks.md (`appointment.booked`, `fee.paid`, …)."),
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `docs/errors.md`: every code with its status, title and help, as a Markdown table.
pub fn reference_markdown() -> String {
    let mut out = String::from(
        "# Error codes\n\n\
         <!-- Generated from src/error/code.rs by `JANJI_UPDATE_DOCS=1 cargo test --test api \
         docs`; do not edit by hand. -->\n\n\
         Every error is an RFC 9457 problem (`application/problem+json`) whose `code` is one \
         of these. A code always comes with the same HTTP status; `type` is \
         `https://janji.dev/problems/<code>` and `title` is the title below. `detail` says \
         what happened this time, `field` names the input at fault and `data` carries what \
         a program needs (the current version, alternatives, a new quote). A 401 carries \
         `WWW-Authenticate`, a 503 `Retry-After`.\n\n\
         | code | status | title | help |\n|---|---|---|---|\n",
    );
    for code in Code::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.as_str(),
            code.status(),
            code.title(),
            code.help()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The statuses a problem may have; anything else is a typo in the table.
    const STATUSES: [u16; 14] = [
        400, 401, 403, 404, 405, 408, 409, 412, 413, 415, 422, 429, 500, 503,
    ];

    #[test]
    fn every_code_has_a_known_status_a_title_and_help() {
        for &code in Code::ALL {
            assert!(
                STATUSES.contains(&code.status()),
                "{code}: {}",
                code.status()
            );
            let title = code.title();
            assert!(
                !title.is_empty() && title.len() <= 40,
                "{code}: title {title:?}"
            );
            assert!(
                title.starts_with(|c: char| c.is_ascii_uppercase()),
                "{code}"
            );
            let help = code.help();
            assert!(
                help.len() > 20 && help.ends_with('.'),
                "{code}: help {help:?}"
            );
            assert!(
                !help.contains('|') && !help.contains('\n'),
                "{code}: breaks the table"
            );
        }
    }

    #[test]
    fn codes_are_unique_snake_case_and_serialise_as_their_text() {
        let mut seen = HashSet::new();
        for &code in Code::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(
                s.starts_with(|c: char| c.is_ascii_lowercase())
                    && !s.ends_with('_')
                    && !s.contains("__")
                    && s.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "{s} is not snake_case"
            );
            assert_eq!(serde_json::to_value(code).unwrap(), s);
            assert_eq!(code.to_string(), s);
        }
    }

    #[test]
    fn statuses_of_codes_clients_branch_on() {
        let expected = [
            (Code::MalformedJson, 400),
            (Code::InvalidLimit, 400),
            (Code::Unauthorized, 401),
            (Code::Forbidden, 403),
            (Code::OverrideNotAllowed, 403),
            (Code::NotFound, 404),
            (Code::SlotUnavailable, 409),
            (Code::FeeChanged, 409),
            (Code::NoticeTooShort, 409),
            (Code::VersionMismatch, 412),
            (Code::BodyTooLarge, 413),
            (Code::UnsupportedMediaType, 415),
            (Code::IdempotencyKeyReused, 422),
            (Code::ReasonRequired, 422),
            (Code::InternalError, 500),
            (Code::DatabaseUnavailable, 503),
            (Code::DatabaseContention, 503),
        ];
        for (code, status) in expected {
            assert_eq!(code.status(), status, "{code}");
        }
    }

    #[test]
    fn the_schema_lists_every_code() {
        let schema = serde_json::to_value(<Code as utoipa::PartialSchema>::schema()).unwrap();
        let listed: Vec<&str> = schema["enum"]
            .as_array()
            .expect("an enum schema")
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let all: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, all);
    }
}
