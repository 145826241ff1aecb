//! A page's data, loaded once per render however often its view asks.
//!
//! Leptos's server render calls the children of a `<Suspense>` twice: a
//! dry run, which finds the resources they read, then the render. A future
//! made in the children is made twice, and the dry run's copy is dropped
//! after one poll, which cancels its database query in flight (sqlx then
//! closes that connection, and a later request opens a new one and
//! prepares every statement again). A [`LoadOnce`] made outside the
//! `<Suspense>` runs its future once: each call of the view awaits a copy,
//! and the copy the view keeps means none of them is ever the last.

use std::future::Future;

use futures::future::{BoxFuture, FutureExt, Shared};

#[derive(Clone)]
pub struct LoadOnce<T: Clone>(Shared<BoxFuture<'static, T>>);

impl<T: Clone + Send + Sync + 'static> LoadOnce<T> {
    /// Starts nothing yet: `load` first runs when a view awaits it.
    pub fn new(load: impl Future<Output = T> + Send + 'static) -> Self {
        Self(load.boxed().shared())
    }

    /// The loaded value, from the one run of the load.
    pub fn get(&self) -> impl Future<Output = T> + Send + 'static {
        self.0.clone()
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use futures::FutureExt;

    use super::LoadOnce;

    /// What Leptos's server render does: one copy polled once and dropped
    /// while the load waits (the dry run), then another awaited.
    #[tokio::test]
    async fn a_copy_dropped_mid_load_neither_cancels_nor_repeats_it() {
        let (runs, finished) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (gate, opened) = futures::channel::oneshot::channel::<()>();
        let loaded = {
            let (runs, finished) = (runs.clone(), finished.clone());
            LoadOnce::new(async move {
                runs.fetch_add(1, Ordering::SeqCst);
                let _ = opened.await;
                finished.fetch_add(1, Ordering::SeqCst);
                "the listing"
            })
        };

        let dry_run = loaded.get();
        assert_eq!(dry_run.now_or_never(), None, "the load is still waiting");
        gate.send(()).expect("the load is listening");

        assert_eq!(loaded.get().await, "the listing");
        assert_eq!(loaded.get().await, "the listing");
        assert_eq!(runs.load(Ordering::SeqCst), 1, "started once");
        assert_eq!(finished.load(Ordering::SeqCst), 1, "ran to its end once");
    }
}
