//! What the operator's commands share: opening the database and acting in an
//! organization named by id or name.

use janji::config::Config;
use janji::db::tx::write_tx;
use janji::db::{self, DbConnection};
use janji::error::Error;
use janji::repo::organizations;

/// Acting as the system in the organization an operator names (by id or name).
pub fn system_ctx(c: &mut DbConnection, org: &str) -> Result<janji::app::Ctx, Error> {
    let org = organizations::find_by_id_or_name(c, org)?;
    Ok(janji::app::Ctx::new(
        org.id,
        janji::domain::Actor::System,
        chrono::Utc::now(),
    ))
}

pub fn show(e: Error) -> String {
    match &e.field {
        Some(field) => format!("{field}: {}", e.detail),
        None => e.detail.clone(),
    }
}

/// Opens the database and applies pending migrations.
pub fn open(config: &Config) -> Result<DbConnection, String> {
    let mut conn = db::connect(config.database_url.expose())?;
    db::migrate_one(&mut conn)?;
    Ok(conn)
}

/// Opens the database (migrating it) and runs `f` in one write transaction.
pub fn with_db<T>(
    config: &Config,
    f: impl FnOnce(&mut DbConnection) -> Result<T, Error>,
) -> Result<T, String> {
    write_tx(&mut open(config)?, f).map_err(show)
}
