//! The `taskward` server binary: read the configuration, start, serve until
//! SIGTERM or Ctrl-C. Everything of substance lives in the library.

use std::process::ExitCode;

use taskward::{config::Config, server::Application, telemetry};

#[tokio::main]
async fn main() -> ExitCode {
    // A missing `.env` is normal (production sets real environment variables).
    let _ = dotenvy::dotenv();

    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("taskward: configuration error: {error}");
            return ExitCode::FAILURE;
        }
    };
    telemetry::init(&config.log_level);

    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "taskward could not start");
            return ExitCode::FAILURE;
        }
    };

    match app.run_until(taskward::server::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped with an error");
            ExitCode::FAILURE
        }
    }
}
