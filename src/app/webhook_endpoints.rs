//! An organization's webhook endpoints (admin): where its events go, which ones, and the
//! secret they are signed with. The secret is derived from the server's key, the
//! endpoint's id and a generation (never stored), shown once when made; a rotation keeps
//! the previous one signing for an overlap, as the gateway's does.

use chrono::{DateTime, Duration, Utc};

use super::Ctx;
use super::deliveries::Delivery;
use super::webhooks;
use crate::db::DbConnection;
use crate::domain::webhook_event::WebhookEvent;
use crate::error::Error;
use crate::repo::outbox;
use crate::repo::webhook_endpoints::{self, EndpointRow};
use crate::repo::{Page, check_version, from_db, locks, new_id, to_db};
use crate::secret_key::SecretKey;

/// What an endpoint's signing secret is derived for (see `secret_key`); the endpoint's
/// id stands where the organization stands for the gateway.
pub const PURPOSE: &str = "webhook";

/// An endpoint as the use cases return it.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<WebhookEvent>,
    pub active: bool,
    pub secret_generation: i32,
    /// Until then deliveries are also signed with the previous generation's secret.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// When Janji turned it off (it answered 410 Gone), and why.
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<EndpointRow> for Endpoint {
    type Error = Error;

    fn try_from(r: EndpointRow) -> Result<Self, Error> {
        Ok(Endpoint {
            event_types: webhooks::event_types(&r)?,
            id: r.id,
            url: r.url,
            description: r.description,
            active: r.active,
            secret_generation: r.secret_generation,
            previous_secret_until: r.previous_secret_until.map(from_db),
            disabled_at: r.disabled_at.map(from_db),
            disabled_reason: r.disabled_reason,
            version: r.version,
            created_at: from_db(r.created_at),
            updated_at: from_db(r.updated_at),
        })
    }
}

/// The secrets a delivery sent at `now` is signed with: the current one, and the
/// previous one while its overlap lasts.
pub fn signing_secrets(row: &EndpointRow, key: &SecretKey, now: DateTime<Utc>) -> Vec<[u8; 32]> {
    let mut secrets = vec![key.derive(PURPOSE, &row.id, row.secret_generation)];
    if row.secret_generation > 1 && row.previous_secret_until.is_some_and(|t| now < from_db(t)) {
        secrets.push(key.derive(PURPOSE, &row.id, row.secret_generation - 1));
    }
    secrets
}

/// A new endpoint, each field already checked (the API checks the URL's target too).
#[derive(Clone, Debug)]
pub struct NewEndpoint {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<WebhookEvent>,
    pub active: bool,
}

/// An endpoint with the secret this change made: shown once, never stored.
#[derive(Clone, Debug)]
pub struct WithSecret {
    pub endpoint: Endpoint,
    pub secret: [u8; 32],
}

fn types_text(types: &[WebhookEvent]) -> String {
    serde_json::to_string(types).expect("names")
}

pub fn create(
    conn: &mut DbConnection,
    ctx: &Ctx,
    key: &SecretKey,
    new: NewEndpoint,
) -> Result<WithSecret, Error> {
    let now = to_db(ctx.now);
    let row = EndpointRow {
        id: new_id(),
        organization_id: ctx.org.clone(),
        url: new.url,
        description: new.description,
        event_types: types_text(&new.event_types),
        active: new.active,
        secret_generation: 1,
        previous_secret_until: None,
        disabled_at: None,
        disabled_reason: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    webhook_endpoints::insert(conn, &row)?;
    let secret = key.derive(PURPOSE, &row.id, 1);
    Ok(WithSecret {
        endpoint: row.try_into()?,
        secret,
    })
}

pub fn get(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Endpoint, Error> {
    webhook_endpoints::get(conn, &ctx.org, id)?.try_into()
}

/// A page of endpoints in the order they were made; `after` is the last id shown.
pub fn list(
    conn: &mut DbConnection,
    ctx: &Ctx,
    after: Option<&str>,
    limit: i64,
) -> Result<Page<Endpoint>, Error> {
    webhook_endpoints::list(conn, &ctx.org, after, limit)?.try_map(Endpoint::try_from)
}

/// Fields to change; `None` leaves one as it is.
#[derive(Clone, Debug, Default)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub event_types: Option<Vec<WebhookEvent>>,
    pub active: Option<bool>,
}

/// Changes an endpoint if its version is still the one expected. Turning it off cancels
/// its deliveries not yet sent; turning it on again clears why Janji had turned it off.
pub fn update(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
    changes: EndpointChanges,
) -> Result<Endpoint, Error> {
    let mut row = webhook_endpoints::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    let was_active = row.active;
    if let Some(url) = changes.url {
        row.url = url;
    }
    if let Some(d) = changes.description {
        row.description = d;
    }
    if let Some(t) = changes.event_types {
        row.event_types = types_text(&t);
    }
    if let Some(a) = changes.active {
        row.active = a;
    }
    if row.active && !was_active {
        row.disabled_at = None;
        row.disabled_reason = None;
    }
    let previous = row.version;
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    webhook_endpoints::save(conn, &row, previous)?;
    if was_active && !row.active {
        outbox::cancel_endpoint_pending(conn, &row.id)?;
    }
    row.try_into()
}

/// Deletes an endpoint if its version is still the one expected; its deliveries not yet
/// sent are cancelled, the others stay in the delivery log.
pub fn delete(
    conn: &mut DbConnection,
    ctx: &Ctx,
    id: &str,
    expected_version: Option<i64>,
) -> Result<(), Error> {
    let row = webhook_endpoints::get(conn, &ctx.org, id)?;
    check_version(expected_version, row.version)?;
    outbox::cancel_endpoint_pending(conn, &row.id)?;
    webhook_endpoints::delete(conn, &ctx.org, &row.id)?;
    Ok(())
}

/// Makes a new signing secret; the previous one still signs (beside the new one) for
/// `overlap`. Two rotations at once run one after the other (the organization's lock,
/// as for the gateway's secret), each answering its own secret.
pub fn rotate_secret(
    conn: &mut DbConnection,
    ctx: &Ctx,
    key: &SecretKey,
    id: &str,
    overlap: Duration,
) -> Result<WithSecret, Error> {
    locks::organization(conn, &ctx.org)?;
    let mut row = webhook_endpoints::get(conn, &ctx.org, id)?;
    let previous = row.version;
    row.secret_generation += 1;
    row.previous_secret_until = Some(to_db(ctx.now + overlap));
    row.version += 1;
    row.updated_at = to_db(ctx.now);
    webhook_endpoints::save(conn, &row, previous)?;
    let secret = key.derive(PURPOSE, &row.id, row.secret_generation);
    Ok(WithSecret {
        endpoint: row.try_into()?,
        secret,
    })
}

/// Queues a `webhook.test` event for the endpoint (active or not, whatever it is
/// subscribed to), due at once.
pub fn test(conn: &mut DbConnection, ctx: &Ctx, id: &str) -> Result<Delivery, Error> {
    let row = webhook_endpoints::get(conn, &ctx.org, id)?;
    let message = webhooks::test_delivery(&row, ctx);
    outbox::insert_all(conn, std::slice::from_ref(&message))?;
    Ok(Delivery {
        message,
        attempts: Vec::new(),
    })
}
