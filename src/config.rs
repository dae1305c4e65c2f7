//! Configuration from the environment (or flags), with the defaults the README lists.

use clap::Args;

#[derive(Debug, Clone, Args)]
pub struct Config {
    /// `postgres://user:pass@host/db`, or a SQLite file path (`sqlite://` optional).
    #[arg(long, env = "DATABASE_URL", default_value = "janji.db", global = true)]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(
        long,
        env = "JANJI_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,

    /// Base URL customers reach this server at; used in customer links.
    #[arg(
        long,
        env = "JANJI_PUBLIC_URL",
        default_value = "http://127.0.0.1:8080",
        global = true
    )]
    pub public_url: String,

    /// Database connections in the pool.
    #[arg(long, env = "JANJI_DB_POOL_SIZE", default_value_t = 10, global = true)]
    pub pool_size: u32,

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

    /// Log format: `text` or `json`. Verbosity comes from `RUST_LOG` (default `info`).
    #[arg(long, env = "JANJI_LOG_FORMAT", default_value = "text", global = true)]
    pub log_format: String,
}
