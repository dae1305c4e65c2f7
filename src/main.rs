//! The `janji` command: serve the API (default) and the operator's tasks.

use std::process::ExitCode;

use clap::Parser;

use janji::config::Config;

mod cli;
mod cli_customers;
mod cli_db;

#[derive(Parser)]
#[command(
    name = "janji",
    version,
    about = "Appointment booking API that handles rescheduling properly"
)]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<cli::Command>,
}

fn main() -> ExitCode {
    few_malloc_arenas();
    let cli = Cli::parse();
    janji::telemetry::init(cli.config.log_format);
    janji::db::connection::log_statements_if_enabled();
    let result = match cli.command.unwrap_or(cli::Command::Serve) {
        cli::Command::Serve => {
            actix_web::rt::System::new().block_on(janji::server::serve(cli.config))
        }
        cli::Command::Dispatch => {
            actix_web::rt::System::new().block_on(janji::server::dispatch(cli.config))
        }
        other => cli::run(other, &cli.config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("janji: {message}");
            ExitCode::FAILURE
        }
    }
}

/// glibc gives each thread that allocates its own malloc arena, up to eight per core,
/// and keeps what was freed in it resident. Each actix worker builds its application
/// in its own thread, and database work runs on blocking threads: on many cores most of
/// the resident memory was freed space in arenas no thread would use again. Two arenas
/// are plenty for a process whose threads mostly wait on the database; set before any
/// thread starts (`MALLOC_ARENA_MAX` in the environment still overrides it).
fn few_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets an allocator parameter; no thread has started yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}
