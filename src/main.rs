//! The `taskward` binary: read the configuration, then serve until SIGTERM
//! or Ctrl-C, or run an administration command (`taskward admin ...`, see
//! `taskward::cli`). Everything of substance lives in the library.

use std::process::ExitCode;

use taskward::{
    cli::{self, Command},
    config::Config,
    telemetry,
    web::Application,
};

fn main() -> ExitCode {
    return_large_blocks_to_the_os();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("taskward: could not start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    // A missing `.env` is normal (production sets real environment variables).
    let _ = dotenvy::dotenv();

    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match Command::parse(&args) {
        Ok(command) => command,
        Err(usage) => {
            eprintln!("{usage}");
            return ExitCode::from(2);
        }
    };
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("taskward: configuration error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if command != Command::Serve {
        return match cli::run_admin(&command, &config).await {
            Ok(said) => {
                println!("{said}");
                ExitCode::SUCCESS
            }
            Err(error) => {
                eprintln!("taskward: {error}");
                ExitCode::FAILURE
            }
        };
    }
    telemetry::init(&config.log_level);

    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(error) => {
            tracing::error!(%error, "taskward could not start");
            return ExitCode::FAILURE;
        }
    };

    match app.run_until(taskward::web::shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "server stopped with an error");
            ExitCode::FAILURE
        }
    }
}

/// Each argon2id hash allocates a 19 MiB block. glibc serves a block that
/// large with mmap and returns it on free, but after the first such free it
/// raises its threshold and keeps later blocks in its heaps, where they stay
/// resident (measured: 775 MiB after 5 s of sign-ins at 8 connections, 57
/// MiB with this fixed threshold).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_to_the_os() {
    const ONE_MIB: libc::c_int = 1024 * 1024;
    // SAFETY: mallopt only changes allocator tuning; it is called once, from
    // main, before the runtime or anything else starts another thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, ONE_MIB);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_to_the_os() {}
