//! The built-in delivery adapters an organization can choose instead of its gateway, each
//! for its own channel: e-mail over SMTP, WhatsApp through the WhatsApp Business Cloud
//! API. Credentials are sealed before they are written and opened only to send or to
//! verify an inbound signature; the webhook verify token is kept as a hash.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use super::Ctx;
use crate::db::DbConnection;
use crate::delivery::sealed::{self, Secret};
use crate::domain::delivery_route::Routes;
use crate::error::Error;
use crate::repo::delivery_adapters::{self, AdapterRow};
use crate::repo::{from_db, to_db};
use crate::secret_key::SecretKey;

/// The stored name of the SMTP adapter.
pub const SMTP: &str = "smtp";
/// The stored name of the WhatsApp Business Cloud API adapter.
pub const WHATSAPP_CLOUD: &str = "whatsapp_cloud";

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain text (a relay on the dealer's own network only).
    None,
    /// Plain connection upgraded with STARTTLS, required (usually port 587).
    Starttls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

/// What of the SMTP adapter is not secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    /// The sender, `name <address>` or a bare address.
    pub from: String,
}

/// The SMTP adapter with its password in clear (in memory only).
#[derive(Clone, Debug)]
pub struct Smtp {
    pub settings: SmtpSettings,
    pub password: Option<Secret>,
    pub updated_at: DateTime<Utc>,
}

/// What of the WhatsApp Cloud API adapter is not secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatsappSettings {
    /// The Graph API's base, with its version (tests point it at loopback).
    pub api_base_url: String,
    pub phone_number_id: String,
}

/// The WhatsApp Cloud API adapter with its credentials in clear (in memory only).
#[derive(Clone, Debug)]
pub struct WhatsappCloud {
    pub settings: WhatsappSettings,
    pub access_token: Secret,
    /// Signs the webhooks Meta posts (`X-Hub-Signature-256`); none: inbound refused.
    pub app_secret: Option<Secret>,
    verify_token_hash: Option<String>,
    pub updated_at: DateTime<Utc>,
}

impl WhatsappCloud {
    pub fn has_verify_token(&self) -> bool {
        self.verify_token_hash.is_some()
    }

    /// Whether `token` is the verify token of the webhook set-up handshake.
    pub fn verify_token_is(&self, token: &str) -> bool {
        self.verify_token_hash.as_deref() == Some(hash(token).as_str())
    }
}

#[derive(Serialize, Deserialize)]
struct SmtpSealed {
    password: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct WhatsappSealed {
    access_token: String,
    app_secret: Option<String>,
}

/// An organization's adapters, opened.
#[derive(Clone, Debug, Default)]
pub struct Adapters {
    pub smtp: Option<Smtp>,
    pub whatsapp_cloud: Option<WhatsappCloud>,
}

impl Adapters {
    /// The ways out, with or without a gateway beside them.
    pub fn routes(&self, gateway: bool) -> Routes {
        Routes {
            gateway,
            smtp: self.smtp.is_some(),
            whatsapp_cloud: self.whatsapp_cloud.is_some(),
        }
    }
}

fn hash(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unreadable(kind: &str) -> Error {
    Error::internal(format!(
        "the {kind} credentials do not open with this server's secret key (was JANJI_SECRET_KEY changed?); save the adapter again"
    ))
}

fn open_json<T: for<'de> Deserialize<'de>>(key: &SecretKey, row: &AdapterRow) -> Result<T, Error> {
    let plain = sealed::open(
        key,
        &row.organization_id,
        &row.kind,
        &row.sealed_credentials,
    )
    .ok_or_else(|| unreadable(&row.kind))?;
    serde_json::from_slice(&plain).map_err(|_| unreadable(&row.kind))
}

fn settings_of<T: for<'de> Deserialize<'de>>(row: &AdapterRow) -> Result<T, Error> {
    serde_json::from_str(&row.settings)
        .map_err(|e| Error::internal(format!("stored {} settings: {e}", row.kind)))
}

fn open_smtp(key: &SecretKey, row: &AdapterRow) -> Result<Smtp, Error> {
    let s: SmtpSealed = open_json(key, row)?;
    Ok(Smtp {
        settings: settings_of(row)?,
        password: s.password.map(Secret::new),
        updated_at: from_db(row.updated_at),
    })
}

fn open_whatsapp(key: &SecretKey, row: &AdapterRow) -> Result<WhatsappCloud, Error> {
    let s: WhatsappSealed = open_json(key, row)?;
    Ok(WhatsappCloud {
        settings: settings_of(row)?,
        access_token: Secret::new(s.access_token),
        app_secret: s.app_secret.map(Secret::new),
        verify_token_hash: row.verify_token_hash.clone(),
        updated_at: from_db(row.updated_at),
    })
}

/// The adapters of any organization, opened (the dispatcher, inbound webhooks).
pub fn of(conn: &mut DbConnection, key: &SecretKey, org: &str) -> Result<Adapters, Error> {
    let mut adapters = Adapters::default();
    for row in delivery_adapters::of(conn, org)? {
        match row.kind.as_str() {
            SMTP => adapters.smtp = Some(open_smtp(key, &row)?),
            WHATSAPP_CLOUD => adapters.whatsapp_cloud = Some(open_whatsapp(key, &row)?),
            _ => {}
        }
    }
    Ok(adapters)
}

/// The ways out of an organization, without opening any credential (the outbox writer).
pub fn routes(conn: &mut DbConnection, org: &str, gateway: bool) -> Result<Routes, Error> {
    let kinds = delivery_adapters::kinds_of(conn, org)?;
    Ok(Routes {
        gateway,
        smtp: kinds.iter().any(|k| k == SMTP),
        whatsapp_cloud: kinds.iter().any(|k| k == WHATSAPP_CLOUD),
    })
}

fn row(ctx: &Ctx, kind: &str, settings: String, sealed: String) -> AdapterRow {
    AdapterRow {
        organization_id: ctx.org.clone(),
        kind: kind.to_owned(),
        settings,
        sealed_credentials: sealed,
        verify_token_hash: None,
        created_at: to_db(ctx.now),
        updated_at: to_db(ctx.now),
    }
}

/// New SMTP settings, each already checked (the API checks them).
#[derive(Clone, Debug)]
pub struct PutSmtp {
    pub settings: SmtpSettings,
    pub password: Option<Secret>,
}

/// Sets (or replaces) the SMTP adapter: the e-mail channel goes through it from now on.
pub fn put_smtp(
    conn: &mut DbConnection,
    ctx: &Ctx,
    key: &SecretKey,
    cmd: PutSmtp,
) -> Result<Smtp, Error> {
    let plain = serde_json::to_vec(&SmtpSealed {
        password: cmd.password.as_ref().map(|p| p.expose().to_owned()),
    })
    .expect("strings");
    let r = row(
        ctx,
        SMTP,
        serde_json::to_string(&cmd.settings).expect("plain values"),
        sealed::seal(key, &ctx.org, SMTP, &plain),
    );
    open_smtp(key, &delivery_adapters::save(conn, &r)?)
}

pub fn get_smtp(conn: &mut DbConnection, ctx: &Ctx, key: &SecretKey) -> Result<Smtp, Error> {
    let row = delivery_adapters::get(conn, &ctx.org, SMTP)?
        .ok_or_else(|| Error::not_found("SMTP adapter"))?;
    open_smtp(key, &row)
}

/// New WhatsApp Cloud API settings, each already checked.
#[derive(Clone, Debug)]
pub struct PutWhatsapp {
    pub settings: WhatsappSettings,
    pub access_token: Secret,
    pub app_secret: Option<Secret>,
    pub verify_token: Option<Secret>,
}

/// Sets (or replaces) the WhatsApp Cloud API adapter: WhatsApp messages go through it.
pub fn put_whatsapp(
    conn: &mut DbConnection,
    ctx: &Ctx,
    key: &SecretKey,
    cmd: PutWhatsapp,
) -> Result<WhatsappCloud, Error> {
    let plain = serde_json::to_vec(&WhatsappSealed {
        access_token: cmd.access_token.expose().to_owned(),
        app_secret: cmd.app_secret.as_ref().map(|s| s.expose().to_owned()),
    })
    .expect("strings");
    let mut r = row(
        ctx,
        WHATSAPP_CLOUD,
        serde_json::to_string(&cmd.settings).expect("plain values"),
        sealed::seal(key, &ctx.org, WHATSAPP_CLOUD, &plain),
    );
    r.verify_token_hash = cmd.verify_token.as_ref().map(|t| hash(t.expose()));
    open_whatsapp(key, &delivery_adapters::save(conn, &r)?)
}

pub fn get_whatsapp(
    conn: &mut DbConnection,
    ctx: &Ctx,
    key: &SecretKey,
) -> Result<WhatsappCloud, Error> {
    let row = delivery_adapters::get(conn, &ctx.org, WHATSAPP_CLOUD)?
        .ok_or_else(|| Error::not_found("WhatsApp Cloud API adapter"))?;
    open_whatsapp(key, &row)
}

/// Removes an adapter (`SMTP` or `WHATSAPP_CLOUD`): its channel goes back to the gateway.
pub fn remove(conn: &mut DbConnection, ctx: &Ctx, kind: &str) -> Result<(), Error> {
    if delivery_adapters::delete(conn, &ctx.org, kind)? {
        Ok(())
    } else {
        Err(Error::not_found("delivery adapter"))
    }
}
