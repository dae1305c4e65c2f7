//! What every HTTP endpoint shares, apart from the resources: authentication, request
//! extractors and their problems, idempotency, preconditions (`If-Match`, ETags),
//! pagination, time parameters, the request log and the application state.

pub mod auth;
pub mod extract;
pub mod form_token;
pub mod idempotency;
pub mod json_numbers;
pub mod json_shape;
pub mod language;
pub mod link_limits;
pub mod method_not_allowed;
pub mod missing_fields;
pub mod page_headers;
pub mod pagination;
pub mod patch;
pub mod precondition;
pub mod problem;
pub mod problem_text;
pub mod rate_limit;
pub mod rendered_slots;
pub mod request_log;
pub mod responses;
pub mod shared_params;
pub mod short_text;
pub mod state;
pub mod time;
