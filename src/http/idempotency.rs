//! `Idempotency-Key` on POST. The middleware only reads the key and fingerprints the
//! request; the handler's unit of work claims the key, makes the change and remembers
//! its answer in one transaction ([`Idempotency::write`]), after the handler checked the
//! caller's role. So:
//! - a retry of a committed request gets the first answer again (`Idempotent-Replayed`),
//!   and a request that did not commit leaves nothing behind, even after a crash;
//! - an answer is only replayed to the API key that sent the request;
//! - a refusal (any problem answer) is not remembered: a retry runs again;
//! - an answer that carried a secret (a new API key's) is remembered without it.

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::error::{Code, Error};
use crate::http::extract::read_body;
use crate::http::precondition::etag;
use crate::http::state::AppState;
use crate::repo::api_keys::Principal;
use crate::repo::idempotency::{self, Claim, Remembered, Ticket};

pub const HEADER: &str = "Idempotency-Key";

/// Reads and checks the key of a POST and leaves a [`Ticket`] for the handler.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let raw = match req.headers().get(HEADER) {
        Some(v) if req.method() == Method::POST => v.to_str().unwrap_or("").to_owned(),
        _ => {
            return next
                .call(req)
                .await
                .map(ServiceResponse::map_into_boxed_body);
        }
    };
    let key = match parse_key(&raw) {
        Ok(key) => key,
        Err(e) => return Ok(req.error_response(e)),
    };
    let principal = req.extensions().get::<Principal>().cloned();
    if let Some(principal) = principal {
        let body = match read_body(&mut req.take_payload()).await {
            Ok(body) => body,
            Err(e) => return Ok(req.error_response(e)),
        };
        let ticket = Ticket {
            organization_id: principal.organization_id,
            api_key_id: principal.key_id,
            key,
            fingerprint: fingerprint(req.method(), &req.uri().to_string(), &body),
        };
        req.set_payload(Payload::from(body));
        req.extensions_mut().insert(ticket);
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

/// The request's `Idempotency-Key`, if it sent one: hand it to [`Idempotency::write`].
pub struct Idempotency(Option<Ticket>);

impl FromRequest for Idempotency {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Idempotency(req.extensions().get::<Ticket>().cloned())))
    }
}

/// How a unit of work under a key ended: an answer to remember, or a refusal that the
/// handler turns into a problem (and that is not remembered).
pub enum Answer<T> {
    Reply(Reply),
    Refused(T),
}

impl Idempotency {
    /// Runs `f` as one write unit of work that also claims the key and remembers the
    /// answer; a replay of an earlier answer does not run `f` at all.
    pub async fn write<T, F>(self, state: &AppState, mut f: F) -> Result<Answer<T>, Error>
    where
        F: FnMut(&mut DbConnection) -> Result<Answer<T>, Error> + Send + 'static,
        T: Send + 'static,
    {
        let Idempotency(ticket) = self;
        let (retention, now) = (state.idempotency_retention, state.clock.now());
        state
            .db
            .write(move |c| {
                if let Some(ticket) = &ticket {
                    match idempotency::claim(c, ticket, retention, now)? {
                        Claim::Fresh => {}
                        Claim::Replay(r) => return Ok(Answer::Reply(Reply::replay(r))),
                        Claim::Mismatch => return Err(reused()),
                    }
                }
                let answer = f(c)?;
                if let Some(ticket) = &ticket {
                    match &answer {
                        Answer::Reply(reply) => {
                            idempotency::remember(c, ticket, &reply.remembered())?
                        }
                        Answer::Refused(_) => idempotency::release(c, ticket)?,
                    }
                }
                Ok(answer)
            })
            .await
    }

    /// [`write`](Self::write) for a unit of work that ends in a reply or in a refusal
    /// already told as its problem (which is not remembered).
    pub async fn respond<F>(self, state: &AppState, f: F) -> Result<HttpResponse, Error>
    where
        F: FnMut(&mut DbConnection) -> Result<Answer<Error>, Error> + Send + 'static,
    {
        match self.write(state, f).await? {
            Answer::Reply(reply) => Ok(reply.into_response()),
            Answer::Refused(problem) => Err(problem),
        }
    }

    /// [`write`](Self::write) for a unit of work whose only success is its reply.
    pub async fn reply<F>(self, state: &AppState, mut f: F) -> Result<HttpResponse, Error>
    where
        F: FnMut(&mut DbConnection) -> Result<Reply, Error> + Send + 'static,
    {
        match self
            .write::<Infallible, _>(state, move |c| f(c).map(Answer::Reply))
            .await?
        {
            Answer::Reply(reply) => Ok(reply.into_response()),
            Answer::Refused(never) => match never {},
        }
    }
}

/// A JSON answer built inside the unit of work, so that it can be remembered with it.
#[derive(Debug)]
pub struct Reply {
    status: StatusCode,
    location: Option<String>,
    etag: Option<String>,
    body: Vec<u8>,
    /// What a replay sends instead of `body` (the same without a secret), if different.
    remembered_body: Option<Vec<u8>>,
    no_store: bool,
    replayed: bool,
}

impl Reply {
    pub fn json<B: Serialize>(status: StatusCode, body: &B) -> Result<Reply, Error> {
        Ok(Reply {
            status,
            location: None,
            etag: None,
            body: to_json(body)?,
            remembered_body: None,
            no_store: false,
            replayed: false,
        })
    }

    /// A body with its version as `ETag` and, when it was just created, its `Location`.
    pub fn versioned<B: Serialize>(
        status: StatusCode,
        version: i64,
        location: String,
        body: &B,
    ) -> Result<Reply, Error> {
        let mut reply = Reply::json(status, body)?;
        reply.etag = Some(etag(version).1);
        if status == StatusCode::CREATED {
            reply.location = Some(location);
        }
        Ok(reply)
    }

    pub fn with_location(mut self, location: String) -> Self {
        self.location = Some(location);
        self
    }

    /// `Cache-Control: no-store` (the body holds a secret).
    pub fn no_store(mut self) -> Self {
        self.no_store = true;
        self
    }

    /// Remembers `body` for replays instead of the real one, which holds a secret that
    /// must not rest in the database in clear.
    pub fn remember_as<B: Serialize>(mut self, body: &B) -> Result<Self, Error> {
        self.remembered_body = Some(to_json(body)?);
        Ok(self)
    }

    fn remembered(&self) -> Remembered {
        Remembered {
            status_code: self.status.as_u16(),
            location: self.location.clone(),
            etag: self.etag.clone(),
            body: self.remembered_body.as_ref().unwrap_or(&self.body).clone(),
        }
    }

    fn replay(r: Remembered) -> Reply {
        Reply {
            status: StatusCode::from_u16(r.status_code).unwrap_or(StatusCode::OK),
            location: r.location,
            etag: r.etag,
            body: r.body,
            remembered_body: None,
            no_store: false,
            replayed: true,
        }
    }

    pub fn into_response(self) -> HttpResponse {
        let mut resp = HttpResponse::build(self.status);
        resp.content_type("application/json");
        if let Some(v) = self.location {
            resp.insert_header((header::LOCATION, v));
        }
        if let Some(v) = self.etag {
            resp.insert_header((header::ETAG, v));
        }
        if self.no_store {
            resp.insert_header((header::CACHE_CONTROL, "no-store"));
        }
        if self.replayed {
            resp.insert_header(("Idempotent-Replayed", "true"));
        }
        resp.body(self.body)
    }
}

fn to_json<B: Serialize>(body: &B) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(body).map_err(|e| Error::internal(format!("response body: {e}")))
}

fn reused() -> Error {
    Error::new(
        Code::IdempotencyKeyReused,
        "this Idempotency-Key was used for a different request",
    )
    .with_field(HEADER)
}

fn parse_key(raw: &str) -> Result<String, Error> {
    if raw.is_empty() || raw.len() > 255 || !raw.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Error::new(
            Code::InvalidIdempotencyKey,
            "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good choice)",
        )
        .with_field(HEADER));
    }
    Ok(raw.to_owned())
}

fn fingerprint(method: &Method, uri: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_str());
    h.update(b" ");
    h.update(uri);
    h.update(b"\n");
    h.update(body);
    crate::api_key::hex(&h.finalize())
}
