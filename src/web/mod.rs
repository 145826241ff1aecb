//! The HTTP edge: shared state, one router per surface, the layers all
//! surfaces share, and graceful shutdown.
//!
//! - [`site`]: the Leptos pages and their server functions, with the
//!   cookie session ([`session`]), the cross-origin check and the
//!   [`page_cache`];
//! - `/api/v1` ([`crate::api`]): bearer tokens and RFC 9457 problems;
//! - `/healthz` ([`health`]), the browser bundle and the site's files.
//!
//! Nothing below this module knows [`AppState`] or a URL prefix: each
//! surface gets the services it uses, and its layers are added to its own
//! router before the routers are merged.

mod account_files;
mod calendar_feed;
mod dev_mail;
mod error_reference;
mod health;
mod lifecycle;
mod metrics;
mod page_cache;
mod security;
mod serve;
mod session;
mod site;

use std::{
    future::Future,
    net::{IpAddr, SocketAddr},
    sync::Arc,
};

use axum::{
    Router,
    extract::{ConnectInfo, FromRef, MatchedPath, Request, State},
    middleware::{Next, from_fn_with_state},
    response::Response,
    routing::get,
};
use leptos::config::{Env, LeptosOptions};
use secrecy::ExposeSecret;
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
    api::{self, ApiState},
    auth::{password::PasswordHasherPool, service::AuthService},
    client::Client,
    config::{
        Config, Environment, PasswordHashing, PublicOrigin, REQUEST_BODY_LIMIT, ServerLimits,
        SiteConfig,
    },
    db::{Db, DbError},
    mail::{Mailer, transport::BadRelayUrl},
    todos::TodoLimit,
    transfer::stream::RunningExports,
};
use lifecycle::RequestBounds;
use page_cache::PageCache;
use security::ContentSecurityPolicy;

/// Everything the surfaces need, built once at start. Private to the web
/// layer: each surface takes the parts it uses (`FromRef`).
#[derive(Clone, FromRef)]
struct AppState {
    leptos_options: LeptosOptions,
    db: Db,
    config: Arc<Config>,
    auth: Arc<AuthService>,
    page_cache: Arc<PageCache>,
    content_security_policy: ContentSecurityPolicy,
    exports: Arc<RunningExports>,
    mailer: Mailer,
    push: crate::push::sender::PushSender,
    requests: metrics::RequestMetrics,
}

impl FromRef<AppState> for ApiState {
    fn from_ref(state: &AppState) -> Self {
        ApiState {
            db: state.db.clone(),
            auth: state.auth.clone(),
            todo_limit: TodoLimit(state.config.max_todos_per_user),
            clock: state.config.clock,
            undo_window: state.config.undo_window,
            exports: state.exports.clone(),
            public_origin: PublicOrigin(state.config.public_origin.clone()),
            mailer: state.mailer.clone(),
            push: state.push.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("production must hash passwords with the OWASP argon2id parameters")]
    WeakPasswordHashing,
    #[error(transparent)]
    Mail(#[from] BadRelayUrl),
    #[error(transparent)]
    InstanceLock(#[from] crate::db::backup::BackupError),
    #[error("could not set up Web Push: {0}")]
    Push(String),
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
    auth: Arc<AuthService>,
    mailer: Mailer,
    limits: ServerLimits,
    request_bounds: Arc<RequestBounds>,
    local_addr: SocketAddr,
    /// `METRICS_ADDR`'s listener and its router, when set.
    metrics_listener: Option<(TcpListener, Router)>,
    /// What the reminder worker this instance runs needs.
    reminders: crate::reminders::worker::ReminderWorker,
    /// Held while this instance runs: a restore waits for no instance.
    _instance_lock: crate::db::backup::InstanceLock,
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
        let instance_lock =
            crate::db::backup::InstanceLock::take(config.database_url.expose_secret())?;
        let db = Db::connect_with(
            config.database_url.expose_secret(),
            config.database_max_connections,
            config.database_acquire_timeout,
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

        let mailer = Mailer::new(&config.mail, config.environment)?;
        match mailer.state() {
            crate::mail::DeliveryState::Smtp { relay } => {
                tracing::info!(%relay, "mail goes out through the SMTP relay");
            }
            crate::mail::DeliveryState::Kept => {
                tracing::info!("no SMTP_URL: mail is kept and shown at /dev/mail");
            }
            crate::mail::DeliveryState::Off => tracing::warn!(
                "no SMTP_URL: mail is off; password reset by mail, verification and test mail \
                 are not offered (an administrator can still make reset links)"
            ),
        }

        let push = crate::push::sender::PushSender::new(
            crate::push::keys::load_or_create(&db)
                .await
                .map_err(|error| StartupError::Push(error.to_string()))?,
            crate::push::endpoint::EndpointPolicy::allowing(config.web_push.allowed_hosts.clone()),
            push_contact(&config.public_origin),
            config.web_push.timeout,
        )
        .map_err(|error| StartupError::Push(error.to_string()))?;

        let auth = AuthService::new(
            db.clone(),
            &config.jwt_secret,
            config.auth.clone(),
            mailer.clone(),
            &config.public_origin,
        );
        let content_security_policy = ContentSecurityPolicy::new(config.site.live_reload);
        let state = AppState {
            leptos_options: leptos_options(&config.site, local_addr),
            db: db.clone(),
            page_cache: Arc::new(PageCache::new(
                content_security_policy.clone(),
                config.clock,
            )),
            content_security_policy,
            exports: RunningExports::new(
                config.database_max_connections,
                config.limits.request_timeout,
                auth.refusals(),
            ),
            mailer: mailer.clone(),
            push: push.clone(),
            requests: metrics::RequestMetrics::new(),
            auth,
            config: Arc::new(config),
        };
        let instance_metrics = metrics::InstanceMetrics::new(metrics::Sources {
            requests: &state.requests,
            db: &state.db,
            auth: &state.auth,
            page_cache: &state.page_cache,
            mailer: &state.mailer,
        });
        let scrape_access =
            metrics::ScrapeAccess::new(instance_metrics, state.config.metrics.token.as_ref());
        let metrics_listener = match state.config.metrics.addr {
            Some(addr) => {
                let listener = TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartupError::Bind { addr, source })?;
                tracing::info!(
                    "metrics are served at http://{}/metrics",
                    listener.local_addr().unwrap_or(addr)
                );
                Some((listener, metrics::router(scrape_access.clone())))
            }
            None => None,
        };
        let request_bounds = RequestBounds::new(&state.config.limits);
        // With a listener of its own, `/metrics` is not on the public one.
        let public_metrics =
            state.config.metrics.addr.is_none() && state.config.metrics.token.is_some();
        // The checks of `taskward admin check`, logged: in the background,
        // since an unreachable relay takes its send timeout to say so.
        {
            let (config, db, mailer) = (state.config.clone(), db.clone(), mailer.clone());
            tokio::spawn(async move {
                for finding in crate::check::at_start(&config, &db, &mailer).await {
                    if finding.fine {
                        tracing::info!(check = finding.part, "{}", finding.said);
                    } else {
                        tracing::warn!(check = finding.part, "{}", finding.said);
                    }
                }
            });
        }
        let reminders = crate::reminders::worker::ReminderWorker {
            db: db.clone(),
            mailer: mailer.clone(),
            push,
            clock: state.config.clock,
            origin: state.config.public_origin.clone(),
            poll_interval: state.config.reminder_poll_interval,
        };
        Ok(Self {
            listener,
            reminders,
            auth: state.auth.clone(),
            limits: state.config.limits.clone(),
            router: router(
                state,
                request_bounds.clone(),
                public_metrics.then_some(scrape_access),
            ),
            request_bounds,
            metrics_listener,
            db,
            mailer,
            local_addr,
            _instance_lock: instance_lock,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Where `METRICS_ADDR`'s listener is bound, when it is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener
            .as_ref()
            .and_then(|(listener, _)| listener.local_addr().ok())
    }

    /// The password hasher, whose load figures show the hashing bound.
    pub fn password_hasher(&self) -> PasswordHasherPool {
        self.auth.hasher().clone()
    }

    /// Serves until `shutdown` completes, then stops accepting connections,
    /// lets in-flight requests finish (those whose clients left included)
    /// and closes the database pool.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let pruning = tokio::spawn(prune_periodically(self.auth.clone(), self.db.clone()));
        let purging = tokio::spawn(purge_undo_periodically(self.db.clone()));
        let (stop_mail, mail_stopped) = tokio::sync::watch::channel(false);
        let mailing = tokio::spawn(crate::mail::worker::run(
            self.db.clone(),
            self.mailer.clone(),
            mail_stopped,
        ));
        let (stop_reminders, reminders_stopped) = tokio::sync::watch::channel(false);
        let reminding = tokio::spawn(crate::reminders::worker::run(
            self.reminders.clone(),
            reminders_stopped,
        ));
        let (stop_metrics, metrics_stopped) = tokio::sync::watch::channel(false);
        let metrics_serving = self.metrics_listener.map(|(listener, router)| {
            let limits = self.limits.clone();
            tokio::spawn(async move {
                let mut stopped = metrics_stopped;
                let stop = async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                };
                if let Err(error) = serve::serve(listener, router, &limits, stop).await {
                    tracing::warn!(%error, "the metrics listener stopped");
                }
            })
        });
        let served = serve::serve(self.listener, self.router, &self.limits, shutdown).await;
        let _ = stop_metrics.send(true);
        if let Some(metrics_serving) = metrics_serving {
            let _ = metrics_serving.await;
        }
        self.request_bounds.handlers_finished().await;
        pruning.abort();
        purging.abort();
        // A batch of reminders being fired commits (or rolls back) whole.
        let _ = stop_reminders.send(true);
        let _ = reminding.await;
        // The mail being handed over is finished (within its timeout) and
        // recorded, so it is neither lost nor sent twice.
        let _ = stop_mail.send(true);
        let _ = mailing.await;
        served?;
        self.db.close().await;
        tracing::info!("Taskward stopped");
        Ok(())
    }
}

/// The whole HTTP edge: each surface's router with its own layers, merged,
/// inside the layers every response passes through.
fn router(
    state: AppState,
    request_bounds: Arc<RequestBounds>,
    public_metrics: Option<metrics::ScrapeAccess>,
) -> Router {
    let site_root = std::path::Path::new(&*state.leptos_options.site_root);
    // The browser bundle, as the files scripts/build-release precompressed
    // (brotli 11, gzip 9) when the client accepts them; a development build
    // has none and falls back to the plain file, compressed on the fly.
    let bundle = ServeDir::new(site_root.join(&*state.leptos_options.site_pkg_dir))
        .precompressed_br()
        .precompressed_gzip();

    let trusted_proxies = Arc::<[IpAddr]>::from(state.config.auth.trusted_proxies.as_slice());
    let common = ServiceBuilder::new()
        // Outermost: every answer is counted, refusals by the layers below
        // included, with its whole time.
        .layer(from_fn_with_state(
            state.requests.clone(),
            metrics::measure_requests,
        ))
        .map_request({
            let trusted_proxies = trusted_proxies.clone();
            move |request| drop_unfit_request_id(request, &trusted_proxies)
        })
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::http::Request<_>| {
                    let request_id = request
                        .extensions()
                        .get::<RequestId>()
                        .and_then(|id| id.header_value().to_str().ok())
                        .unwrap_or_default();
                    // The route's template (`/api/v1/todos/{id}`), which a
                    // log collector can group by: no ids, no tokens.
                    let route = request
                        .extensions()
                        .get::<MatchedPath>()
                        .map_or(metrics::UNMATCHED_ROUTE, MatchedPath::as_str);
                    // The path only: query strings may carry secrets (and
                    // a feed's path is one). The user is recorded once the
                    // session is known.
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %loggable_path(request.uri().path(), route),
                        route,
                        request_id,
                        user_id = tracing::field::Empty,
                    )
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        // Before compression, so that a failure's body can be read.
        .layer(axum::middleware::from_fn(error_reference::name_the_request))
        // Pages and JSON are compressed per response, so at the fastest
        // level: brotli's default spent more CPU than rendering a cached
        // page (perf, GET /todos at 64 connections).
        .layer(CompressionLayer::new().quality(CompressionLevel::Fastest))
        .layer(security::security_headers())
        .option_layer(
            state
                .config
                .public_origin
                .starts_with("https://")
                .then(security::strict_transport_security),
        )
        // The body received whole within the deadline (else 408, nothing
        // done), then the handler run to its end in a task of its own.
        .layer(from_fn_with_state(
            request_bounds,
            lifecycle::receive_then_handle,
        ))
        .layer(from_fn_with_state(trusted_proxies, resolve_client_address));

    let metrics = public_metrics.map_or_else(Router::new, metrics::router);
    Router::new()
        .route(
            "/healthz",
            get(health::healthz).with_state(state.db.clone()),
        )
        .merge(metrics)
        .nest_service(&format!("/{}", state.leptos_options.site_pkg_dir), bundle)
        .merge(api::router(ApiState::from_ref(&state)))
        .merge(dev_mail::router(&state))
        .merge(calendar_feed::router(&state))
        .merge(site::router(&state))
        .fallback_service(
            ServiceBuilder::new()
                .layer(RequestBodyLimitLayer::new(REQUEST_BODY_LIMIT))
                .service(site::files_or_not_found(&state)),
        )
        .layer(common)
}

/// The VAPID `sub` (RFC 8292): the instance's address when it is https,
/// which push services accept as a contact; a placeholder address
/// otherwise (a development instance).
fn push_contact(origin: &str) -> String {
    if origin.starts_with("https://") {
        origin.to_owned()
    } else {
        "mailto:taskward@localhost".to_owned()
    }
}

/// A request's path as the log shows it: a calendar feed's address is
/// its secret, so the log shows the route's template instead.
fn loggable_path<'a>(path: &'a str, route: &'a str) -> &'a str {
    if route == calendar_feed::ROUTE || path.starts_with("/calendar/") {
        "/calendar/{file}"
    } else {
        path
    }
}

/// How often an instance deletes attempt counters, sessions and reset links
/// that have run out, and mail finished long ago. Every instance does; the
/// deletes are idempotent.
const PRUNE_EVERY: std::time::Duration = std::time::Duration::from_secs(5 * 60);

async fn prune_periodically(auth: Arc<AuthService>, db: Db) {
    let mut ticks = tokio::time::interval(PRUNE_EVERY);
    loop {
        ticks.tick().await;
        match auth.prune_expired().await {
            Ok(rows) => tracing::debug!(rows, "pruned expired attempt counters and sessions"),
            Err(error) => tracing::warn!(%error, "could not prune expired rows"),
        }
        let before =
            crate::db::now() - chrono::TimeDelta::days(crate::mail::store::KEEP_FINISHED_DAYS);
        match crate::mail::store::prune_finished(&db, before).await {
            Ok(rows) => tracing::debug!(rows, "pruned finished mail"),
            Err(error) => tracing::warn!(%error, "could not prune finished mail"),
        }
        let before = crate::reminders::store::keep_from(crate::db::now());
        match crate::reminders::store::prune(&db, before).await {
            Ok(rows) => tracing::debug!(rows, "pruned old reminder deliveries"),
            Err(error) => tracing::warn!(%error, "could not prune reminder deliveries"),
        }
    }
}

/// How often an instance purges what can no longer be undone (deleted data
/// is gone at most this long after its undo window ends) and removes the
/// imports that stopped half-way.
pub const PURGE_UNDO_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

async fn purge_undo_periodically(db: Db) {
    let mut ticks = tokio::time::interval(PURGE_UNDO_EVERY);
    loop {
        ticks.tick().await;
        match crate::undo::store::purge_expired(&db, crate::db::now()).await {
            Ok(rows) => tracing::debug!(rows, "purged expired undo batches and import reports"),
            Err(error) => tracing::warn!(%error, "could not purge expired undo batches"),
        }
        match crate::transfer::import_run::sweep(&db, crate::db::now()).await {
            Ok(0) => {}
            Ok(runs) => tracing::info!(runs, "removed imports that stopped half-way"),
            Err(error) => tracing::warn!(%error, "could not remove imports that stopped half-way"),
        }
    }
}

/// Longest `X-Request-Id` taken from a client or proxy: a UUID is 36.
const MAX_REQUEST_ID_BYTES: usize = 64;

/// Forgets an incoming `X-Request-Id` unless a trusted proxy sent it (its
/// id then follows the request from the proxy's log into ours), and one
/// that is too long or holds anything but letters, digits, `-`, `_` and
/// `.`; a new one is made instead. The id is written into every log line
/// of the request and echoed in the answer, so a client must not choose it
/// (one request could pose as another in the logs), what it holds (forged
/// log lines) or its size.
fn drop_unfit_request_id<B>(
    mut request: axum::http::Request<B>,
    trusted_proxies: &[IpAddr],
) -> axum::http::Request<B> {
    let from_trusted_proxy = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some_and(|ConnectInfo(peer)| {
            let peer = peer.ip().to_canonical();
            trusted_proxies
                .iter()
                .any(|proxy| proxy.to_canonical() == peer)
        });
    if !from_trusted_proxy {
        request.headers_mut().remove("x-request-id");
        return request;
    }
    let fit = |value: &axum::http::HeaderValue| {
        let bytes = value.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= MAX_REQUEST_ID_BYTES
            && bytes
                .iter()
                .all(|byte| byte.is_ascii_alphanumeric() || b"-_.".contains(byte))
    };
    let headers = request.headers();
    let ids = headers.get_all("x-request-id");
    if ids.iter().count() > 1 || ids.iter().any(|value| !fit(value)) {
        request.headers_mut().remove("x-request-id");
    }
    request
}

/// Resolves the client's address once per request, for every surface.
async fn resolve_client_address(
    State(trusted_proxies): State<Arc<[IpAddr]>>,
    mut request: Request,
    next: Next,
) -> Response {
    if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() {
        let client = Client::resolve(*peer, request.headers(), &trusted_proxies);
        request.extensions_mut().insert(client);
    }
    next.run(request).await
}

/// Leptos's settings, from the site configuration.
fn leptos_options(site: &SiteConfig, site_addr: SocketAddr) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name(site.output_name.clone())
        .site_root(site.site_root.clone())
        .site_pkg_dir(site.pkg_dir.clone())
        .site_addr(site_addr)
        .reload_port(site.reload_port)
        .env(if site.release { Env::PROD } else { Env::DEV })
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
