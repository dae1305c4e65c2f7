//! Configuration from the environment (or flags), with the defaults the README lists.

use clap::Args;

use crate::secret_key::SecretKey;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `postgres://user:pass@host/db`, or a SQLite file path (`sqlite://` optional).
    #[arg(long, env = "DATABASE_URL", default_value = "janji.db", global = true)]
    pub database_url: DatabaseUrl,

    /// Address and port to listen on.
    #[arg(
        long,
        env = "JANJI_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// The address customers open their links at: a link is `{JANJI_PUBLIC_URL}/a/{token}`
    /// (docs/self-service.md). Unset: `http://` and `JANJI_BIND`, right only on the
    /// machine itself; set it to the public HTTPS address in production.
    #[arg(long, env = "JANJI_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Requests a minute each client address may send to customers' link endpoints
    /// (`/v1/self/…`), all at once or spread; each link alone gets 30 at once, then one
    /// every 2 s (docs/self-service.md). Kept per process.
    #[arg(
        long,
        env = "JANJI_LINK_REQUESTS_PER_MINUTE",
        default_value_t = 120,
        value_parser = clap::value_parser!(u32).range(1..),
        global = true
    )]
    pub link_requests_per_minute: u32,

    /// Database connections in the pool.
    #[arg(long, env = "JANJI_DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub pool_size: u32,

    /// Busy blocks read into memory at start, at most (every location's next five weeks,
    /// a location whole or not at all; about 24 bytes each): the first requests after a
    /// start then find them kept. 0: none.
    #[arg(
        long,
        env = "JANJI_WARM_BLOCKS",
        default_value_t = 200_000,
        global = true
    )]
    pub warm_blocks: usize,

    /// Hours an answer to a POST with an `Idempotency-Key` is kept and replayed; older
    /// ones are purged.
    #[arg(
        long,
        env = "JANJI_IDEMPOTENCY_RETENTION_HOURS",
        default_value_t = 24,
        value_parser = clap::value_parser!(u32).range(1..=720),
        global = true
    )]
    pub idempotency_retention_hours: u32,

    /// The server's secret key (base64, at least 32 bytes), from which signing secrets
    /// are derived. Unset: read from `JANJI_SECRET_KEY_FILE`.
    #[arg(long, env = "JANJI_SECRET_KEY", hide_env_values = true, global = true)]
    pub secret_key: Option<String>,

    /// File holding the secret key when `JANJI_SECRET_KEY` is unset; created (mode 0600)
    /// with a random key on first start. Every process on one database needs the same key.
    #[arg(
        long,
        env = "JANJI_SECRET_KEY_FILE",
        default_value = "janji.key",
        global = true
    )]
    pub secret_key_file: std::path::PathBuf,

    /// Allow gateway and webhook URLs that resolve to loopback, private or link-local
    /// addresses (tests, gateways on the dealer's own network).
    #[arg(
        long,
        env = "JANJI_ALLOW_PRIVATE_TARGETS",
        default_value_t = false,
        global = true
    )]
    pub allow_private_targets: bool,

    /// Run the outbox dispatcher inside `janji serve` (turn off to run `janji dispatch`
    /// processes on their own).
    #[arg(long, env = "JANJI_DISPATCH", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub dispatch: bool,

    /// Seconds a dispatcher holds the messages it claimed before another may take them
    /// (after a crash). Keep it above the 10-second send timeout.
    #[arg(
        long,
        env = "JANJI_DISPATCH_LEASE_SECONDS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u32).range(1..=3600),
        global = true
    )]
    pub dispatch_lease_seconds: u32,

    /// Log format: `text` or `json` (anything else is refused at start). Verbosity comes
    /// from `RUST_LOG` (default `info`).
    #[arg(
        long,
        env = "JANJI_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text,
        global = true
    )]
    pub log_format: LogFormat,
}

/// The public URL of a state built without a configuration (tests, tools).
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

impl Config {
    /// Where customers open their links, without a trailing `/`: `JANJI_PUBLIC_URL`, else
    /// `http://` and the bound address.
    pub fn public_url(&self) -> Result<String, String> {
        match self
            .public_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
        {
            Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                Ok(u.trim_end_matches('/').to_owned())
            }
            Some(u) => Err(format!(
                "JANJI_PUBLIC_URL must start with https:// or http://, not {u:?}"
            )),
            None => Ok(format!("http://{}", self.bind)),
        }
    }

    /// The server's secret key, as configured (see [`SecretKey::load`]).
    pub fn load_secret_key(&self) -> Result<SecretKey, String> {
        SecretKey::load(self.secret_key.as_deref(), &self.secret_key_file)
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, fields flattened.
    Json,
}

/// `DATABASE_URL`, which may hold a password: its `Debug` and `Display` show it redacted,
/// so printing a configuration never leaks it; [`DatabaseUrl::expose`] gives the URL to
/// connect with.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DatabaseUrl {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(DatabaseUrl(s.to_owned()))
    }
}

impl From<String> for DatabaseUrl {
    fn from(s: String) -> Self {
        DatabaseUrl(s)
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", crate::db::url::redact(&self.0))
    }
}

impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::db::url::redact(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::DatabaseUrl;

    #[test]
    fn a_database_password_is_never_printed() {
        let url: DatabaseUrl = "postgres://janji:hunter2@db:5432/janji".parse().unwrap();
        assert!(!format!("{url:?} {url}").contains("hunter2"));
        assert!(url.expose().contains("hunter2"));
    }
}
