//! The `taskward` binary: read the configuration, then serve until SIGTERM
//! or Ctrl-C, or run an administration command (`taskward admin ...`, see
//! `taskward::cli`). Everything of substance lives in the library.

use std::process::ExitCode;

use clap::Parser;
use taskward::{
    cli::{self, Cli, Command},
    config::Config,
    telemetry,
    web::Application,
};

/// mimalloc rather than glibc's malloc. A page render makes and drops many
/// small objects (the view tree, its reactive owners, strings) between
/// buffers of tens of kilobytes; glibc answered each larger request by
/// consolidating its free lists, a large share of the CPU of a fresh
/// `/todos` render (perf; docs/benchmarks.md gives the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc commits its 1 GiB arenas eagerly on Linux, and memory it then
/// frees stays resident, raising the peak RSS under load (docs/benchmarks.md
/// gives the figures). It reads this setting from the
/// environment when it starts, before `main` (its constructor has
/// priority 101), so it is set from a constructor of priority 100; a value
/// the operator set is kept.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array.00100")]
static COMMIT_ARENAS_ON_DEMAND: extern "C" fn() = commit_arenas_on_demand;

#[cfg(target_os = "linux")]
extern "C" fn commit_arenas_on_demand() {
    // SAFETY: runs before main and before any other thread exists; setenv
    // copies both C strings, which are NUL-terminated literals.
    unsafe {
        libc::setenv(c"MIMALLOC_ARENA_EAGER_COMMIT".as_ptr(), c"0".as_ptr(), 0);
    }
}

fn main() -> ExitCode {
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

    // Help and usage errors print and exit here (status 2 for a usage error).
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("taskward: configuration error: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(Command::Admin(command)) = &cli.command {
        return match cli::run_admin(command, &config).await {
            Ok(said) => {
                println!("{said}");
                ExitCode::SUCCESS
            }
            // A check's report goes where its fine lines went.
            Err(report) if matches!(command, cli::Admin::Check) => {
                println!("{report}");
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("taskward: {error}");
                ExitCode::FAILURE
            }
        };
    }
    telemetry::init(&config.log_level, config.log_format);

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

#[cfg(test)]
mod tests {
    /// The test binary links the same allocator and constructor.
    #[cfg(target_os = "linux")]
    #[test]
    fn mimalloc_starts_with_arenas_committed_on_demand() {
        assert_eq!(
            std::env::var("MIMALLOC_ARENA_EAGER_COMMIT").as_deref(),
            Ok("0")
        );
    }
}
