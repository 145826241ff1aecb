//! The accept loop, with the bounds that keep slow or greedy clients from
//! holding the server: a deadline for a request's headers (from the moment
//! a connection is accepted, so a silent one is closed too), a cap on the
//! connections served at once, and graceful shutdown. (`axum::serve` sets
//! neither bound.)

use std::{future::Future, io, sync::Arc, time::Duration};

use axum::{Router, extract::ConnectInfo, http::Request};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto::Builder, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::{net::TcpListener, sync::Semaphore};
use tower::ServiceExt;

use crate::config::ServerLimits;

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting and lets the connections in flight finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &ServerLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // HTTP/1 only: telling HTTP/1 from HTTP/2 waits for the client's first
    // bytes with no deadline, and an idle HTTP/2 connection has none either,
    // so either would let silent sockets hold every connection slot. With
    // HTTP/1 alone the header deadline runs from the moment a connection is
    // accepted (and again while a kept-alive one waits for its next request).
    let mut http = Builder::new(TokioExecutor::new()).http1_only();
    http.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);

    loop {
        // Past the cap, connections wait in the kernel's listen queue.
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => {
                permit.map_err(io::Error::other)?
            }
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait, do not spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = router
            .clone()
            .map_request(move |mut request: Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let (http, watcher) = (http.clone(), graceful.watcher());
        tokio::spawn(async move {
            let _permit = permit;
            let connection =
                http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            if let Err(error) = watcher.watch(connection.into_owned()).await {
                tracing::debug!(%error, %peer, "connection ended with an error");
            }
        });
    }

    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
