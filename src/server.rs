//! The HTTP server: shared state, the axum router with Leptos mounted on it,
//! middleware, and graceful shutdown.

use std::{
    future::Future,
    net::SocketAddr,
    sync::{Arc, OnceLock},
};

use axum::{
    Router,
    extract::FromRef,
    middleware::{from_fn, from_fn_with_state},
    routing::get,
};
use leptos::config::{Env, LeptosOptions};
use leptos::prelude::provide_context;
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::{
    CompressionLevel,
    compression::CompressionLayer,
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, RequestId, SetRequestIdLayer},
    services::ServeDir,
    trace::{DefaultOnResponse, TraceLayer},
};
use tracing::Level;

use crate::{
    api,
    app::{App, shell},
    auth::{service::AuthService, session::session_middleware},
    config::{Config, Environment, PasswordHashing},
    db::{Db, DbError},
    health,
    page_cache::{self, PageCache},
    security,
};

/// Largest request body accepted. Forms and JSON here are small; anything
/// bigger is refused with 413 before it is read.
pub const REQUEST_BODY_LIMIT: usize = 64 * 1024;

/// Everything a handler or server function needs, built once at start.
/// Server functions get it with `expect_context::<AppState>()`.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<Config>,
    pub auth: Arc<AuthService>,
    pub page_cache: Arc<PageCache>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("production must hash passwords with the OWASP argon2id parameters")]
    WeakPasswordHashing,
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A configured server, bound to its port and ready to run.
pub struct Application {
    listener: TcpListener,
    router: Router,
    db: Db,
    local_addr: SocketAddr,
}

impl Application {
    /// Connects to the database, applies migrations and binds the listener.
    /// Port 0 picks a free port (see [`Application::local_addr`]).
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        if config.environment == Environment::Production
            && config.auth.password_hashing != PasswordHashing::OWASP
        {
            return Err(StartupError::WeakPasswordHashing);
        }
        let db = Db::connect(
            config.database_url.expose(),
            config.database_max_connections,
        )
        .await?;
        db.migrate().await?;

        let bind_error = |source| StartupError::Bind {
            addr: config.listen_addr,
            source,
        };
        let listener = TcpListener::bind(config.listen_addr)
            .await
            .map_err(bind_error)?;
        let local_addr = listener.local_addr().map_err(bind_error)?;

        tracing::info!(
            environment = ?config.environment,
            database = db.backend().name(),
            public_origin = %config.public_origin,
            "Taskward is listening on http://{local_addr}"
        );

        let auth = AuthService::new(db.clone(), &config.jwt_secret, config.auth.clone());
        let state = AppState {
            leptos_options: leptos_options(local_addr),
            db: db.clone(),
            config: Arc::new(config),
            auth,
            page_cache: Arc::default(),
        };
        Ok(Self {
            listener,
            router: router(state),
            db,
            local_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `shutdown` completes, then stops accepting connections,
    /// lets in-flight requests finish and closes the database pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let service = self
            .router
            .into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service)
            .with_graceful_shutdown(shutdown)
            .await?;
        self.db.close().await;
        tracing::info!("Taskward stopped");
        Ok(())
    }
}

/// The whole HTTP surface: health check, Leptos pages and server functions,
/// static files, and the middleware around them.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let leptos_options = state.leptos_options.clone();

    let middleware = ServiceBuilder::new()
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let request_id = request
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or_default();
                    // The path only: query strings may carry secrets.
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        request_id,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        // Pages and JSON are compressed per response, so at the fastest
        // level: brotli's default spent more CPU than rendering a cached
        // page (perf, GET /todos at 64 connections).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        // Inside compression, outside the body limit: sees its 413.
        .layer(from_fn(api::problem::problem_responses))
        .layer(RequestBodyLimitLayer::new(REQUEST_BODY_LIMIT));

    // Runs for every page render and server function call.
    let leptos_context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            security::provide_nonce_and_policy();
        }
    };

    // The browser bundle, as the files scripts/build-release precompressed
    // (brotli 11, gzip 9) when the client accepts them; a development build
    // has none and falls back to the plain file, compressed on the fly.
    let bundle_dir =
        std::path::Path::new(&*leptos_options.site_root).join(&*leptos_options.site_pkg_dir);
    let bundle = ServeDir::new(bundle_dir)
        .precompressed_br()
        .precompressed_gzip();

    Router::new()
        .route("/healthz", get(health::healthz))
        .nest_service(&format!("/{}", leptos_options.site_pkg_dir), bundle)
        .merge(api::router())
        .leptos_routes_with_context(&state, routes, leptos_context.clone(), move || {
            shell(leptos_options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(leptos_context, shell))
        // Inner to outer: serve unchanged signed-in pages from the page
        // cache, resolve the session, refuse cross-origin writes, add
        // security headers, then the generic HTTP layers.
        .layer(from_fn_with_state(
            state.clone(),
            page_cache::serve_cached_pages,
        ))
        .layer(from_fn_with_state(state.clone(), session_middleware))
        .layer(from_fn_with_state(
            state.clone(),
            security::reject_cross_origin_writes,
        ))
        .layer(from_fn(security::security_headers))
        .layer(middleware)
        .with_state(state)
}

/// The app's routes, listed once per process. Listing them renders the app
/// with resource loading switched off by a process-wide flag, so a page
/// rendered meanwhile by another server in the same process (the test
/// suite starts many) would wait forever for its data (leptos-rs/leptos#4773).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Leptos settings. cargo-leptos passes them as `LEPTOS_*` variables; a
/// binary started on its own (tests, production) gets the same defaults as
/// `[package.metadata.leptos]` in Cargo.toml.
fn leptos_options(site_addr: SocketAddr) -> LeptosOptions {
    let var = |name: &str, default: &str| std::env::var(name).unwrap_or_else(|_| default.into());
    let env = match var("LEPTOS_ENV", "DEV").to_ascii_lowercase().as_str() {
        "prod" | "production" => Env::PROD,
        _ => Env::DEV,
    };
    LeptosOptions::builder()
        .output_name(var("LEPTOS_OUTPUT_NAME", "taskward"))
        .site_root(var("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(var("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(site_addr)
        .reload_port(var("LEPTOS_RELOAD_PORT", "3001").parse().unwrap_or(3001))
        .env(env)
        .build()
}

/// Resolves on Ctrl-C or SIGTERM (what container platforms send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();

    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutdown requested; finishing in-flight requests");
}
