//! Bearer-key authentication for `/v1` and the role checks handlers apply.

use std::future::{Ready, ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::domain::Role;
use crate::error::Error;
use crate::http::state::AppState;
use crate::repo::api_keys;
pub use crate::repo::api_keys::Principal;

/// Resolves `Authorization: Bearer <key>` and stores the [`Principal`] for handlers.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    match resolve(&req).await {
        Ok(principal) => {
            tracing::Span::current().record("org", principal.organization_id.as_str());
            req.extensions_mut().insert(principal);
            next.call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body)
        }
        Err(e) => Ok(req.error_response(e)),
    }
}

async fn resolve(req: &ServiceRequest) -> Result<Principal, Error> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_owned)
        .ok_or_else(|| Error::unauthorized("send an API key as 'Authorization: Bearer <key>'"))?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| Error::internal("application state missing"))?
        .clone();
    let principal = state
        .db
        .run_read(move |c| api_keys::authenticate(c, &token))
        .await?;
    state.last_use.record(&principal.key_id, state.clock.now());
    Ok(principal)
}

/// The token of an `Authorization` value in the `Bearer` scheme; the scheme's name is
/// case-insensitive (RFC 9110 §11.1), so `bearer` and `BEARER` are taken too.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

impl FromRequest for Principal {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Principal>()
                .cloned()
                .ok_or_else(|| Error::unauthorized("authentication required")),
        )
    }
}

impl Principal {
    /// Admin-only configuration.
    pub fn require_admin(&self) -> Result<(), Error> {
        if self.role == Role::Admin {
            Ok(())
        } else {
            Err(Error::forbidden("this needs an API key with role admin"))
        }
    }

    /// Front-desk decisions such as overrides: staff or admin, never an integration.
    pub fn require_staff(&self) -> Result<(), Error> {
        if self.role.is_staff_or_admin() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "this needs an API key with role staff or admin",
            ))
        }
    }

    pub fn org(&self) -> &str {
        &self.organization_id
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_case_insensitive() {
        for v in ["Bearer jk_1", "bearer jk_1", "BEARER  jk_1 ", "bEaReR jk_1"] {
            assert_eq!(bearer_token(v), Some("jk_1"), "{v}");
        }
        for v in ["Basic jk_1", "Bearer", "Bearer ", "Bearerjk_1", "jk_1"] {
            assert_eq!(bearer_token(v), None, "{v}");
        }
    }
}
