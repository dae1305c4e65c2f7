//! The `janji` command: serve the API (default) and the operator's tasks.

use std::process::ExitCode;

use clap::Parser;

use janji::config::Config;

mod cli;

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
    let cli = Cli::parse();
    janji::telemetry::init(cli.config.log_format);
    janji::db::connection::log_statements_if_enabled();
    let result = match cli.command.unwrap_or(cli::Command::Serve) {
        cli::Command::Serve => {
            actix_web::rt::System::new().block_on(janji::server::serve(cli.config))
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
