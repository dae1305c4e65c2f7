//! `janji serve`: open the database, bootstrap a first organization, serve HTTP until
//! SIGTERM or Ctrl-C, then finish in-flight requests.

use std::time::Duration;

use actix_web::HttpServer;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, Db, url::backend_of};
use crate::delivery::Dispatcher;
use crate::http::link_limits::LinkLimits;
use crate::http::state::AppState;
use crate::startup;
use crate::tenancy;

/// A client must send a request's head (line and headers) within this, or get a 408 and
/// a closed connection; set here rather than left to the framework's default. The body
/// has its own limit, [`crate::http::extract::BODY_READ_TIMEOUT`], applied as it is read.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection being closed may take to finish its shutdown.
pub const DISCONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (and migrates) the database named by the configuration.
pub fn open_db(config: &Config) -> Result<Db, String> {
    let pool = db::open_pool(config.database_url.expose(), config.pool_size)?;
    Ok(Db::new(pool, backend_of(config.database_url.expose())))
}

/// Prints a newly created organization's admin key, the one time it exists in clear.
pub fn announce(created: &tenancy::CreatedOrganization) {
    println!(
        "Created organization \"{}\" ({}).\nIts admin API key, shown only this once:\n\n    {}\n",
        created.organization.name, created.organization.id, created.admin_key
    );
}

pub async fn serve(config: Config) -> Result<(), String> {
    let db = open_db(&config)?;
    let pool = db.pool().clone();
    let mut state = AppState::new(db, Clock::System);
    state.idempotency_retention =
        chrono::Duration::hours(i64::from(config.idempotency_retention_hours));
    state.secret_key = config.load_secret_key()?;
    state.allow_private_targets = config.allow_private_targets;
    state.public_url = config.public_url()?;
    state.link_limits = LinkLimits::per_address_per_minute(config.link_requests_per_minute);
    let shared = startup::Shared::build()?;
    // Every blocking thread waits for a pooled connection at once, so more of them than
    // connections only hold memory (a stack and, with glibc, a malloc arena each);
    // actix's default is 512 across the workers.
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let blocking = (config.pool_size as usize).div_ceil(workers).max(1) + 1;
    let app_state = state.clone();
    // The port first: a start that cannot listen (the port taken) must leave no first
    // organization behind, whose admin key would be printed by a server that then exits.
    let server = HttpServer::new(move || startup::app_sharing(app_state.clone(), shared.clone()))
        .workers(workers)
        .worker_max_blocking_threads(blocking)
        .bind(&config.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", config.bind))?
        .client_request_timeout(HEADER_READ_TIMEOUT)
        .client_disconnect_timeout(DISCONNECT_TIMEOUT)
        .shutdown_timeout(30);
    let created = actix_web::web::block(move || {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        tenancy::bootstrap(&mut conn, chrono::Utc::now()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())??;
    if let Some(created) = &created {
        announce(created);
    }
    if config.warm_blocks > 0 {
        actix_web::rt::spawn(warm(state.clone(), config.warm_blocks));
    }
    let chores = actix_web::rt::spawn(crate::housekeeping::run(state.clone()));
    let dispatcher = config.dispatch.then(|| {
        let d = Dispatcher::new(
            state.db.clone(),
            state.secret_key.clone(),
            state.allow_private_targets,
        )
        .with_lease(lease_of(&config))
        .with_public_url(&state.public_url);
        actix_web::rt::spawn(d.run(state.clock.clone()))
    });
    tracing::info!(bind = %config.bind, database = %config.database_url, "janji listening");
    let state_for_exit = state;
    server.run().await.map_err(|e| e.to_string())?;
    chores.abort();
    if let Some(d) = dispatcher {
        d.abort();
    }
    if let Err(e) = crate::housekeeping::run_once(&state_for_exit).await {
        tracing::warn!(error = %e, "last housekeeping round failed");
    }
    tracing::info!("janji stopped");
    Ok(())
}

/// `janji dispatch`: only the outbox dispatcher, until SIGTERM or Ctrl-C.
pub async fn dispatch(config: Config) -> Result<(), String> {
    let db = open_db(&config)?;
    let key = config.load_secret_key()?;
    let d = Dispatcher::new(db, key, config.allow_private_targets)
        .with_lease(lease_of(&config))
        .with_public_url(&config.public_url()?);
    tracing::info!(database = %config.database_url, "janji dispatching");
    tokio::select! {
        () = d.run(Clock::System) => {}
        _ = tokio::signal::ctrl_c() => {}
        () = terminated() => {}
    }
    tracing::info!("janji dispatcher stopped");
    Ok(())
}

async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    }
    #[cfg(not(unix))]
    std::future::pending::<()>().await
}

fn lease_of(config: &Config) -> chrono::Duration {
    chrono::Duration::seconds(i64::from(config.dispatch_lease_seconds))
}

/// Reads the locations' busy blocks into memory beside the first requests
/// (`repo::schedule::warm`), so they do not all wait for the first one's read.
async fn warm(state: AppState, budget: usize) {
    let started = std::time::Instant::now();
    let schedules = state.schedules.clone();
    let now = state.clock.now();
    let warmed = state
        .db
        .run(move |c| crate::repo::schedule::warm::warm(c, &schedules, now, budget))
        .await;
    match warmed {
        Ok(w) => tracing::info!(
            locations = w.locations,
            blocks = w.blocks,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "busy blocks read at start"
        ),
        Err(e) => tracing::warn!(error = %e, "busy blocks could not be read at start"),
    }
}
