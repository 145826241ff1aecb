//! Password rules (shared, so the browser could check early) and, on the
//! server, argon2id hashing on the blocking pool behind a concurrency bound.

use crate::error::AppError;

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks the length rule only; strength is judged on the server.
pub fn check_length(password: &str) -> Result<(), AppError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(AppError::Invalid(format!(
            "Use at least {MIN_PASSWORD_CHARS} characters for your password."
        )))
    } else if chars > MAX_PASSWORD_CHARS {
        Err(AppError::Invalid(format!(
            "Use at most {MAX_PASSWORD_CHARS} characters for your password."
        )))
    } else {
        Ok(())
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use std::{
        sync::{
            Arc, Mutex,
            atomic::{AtomicUsize, Ordering},
        },
        time::{Duration, Instant},
    };

    use argon2::{
        Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher, Version,
        password_hash::{Output, SaltString},
    };
    use prometheus_client::metrics::{gauge::Gauge, histogram::Histogram};
    use tokio::sync::{OnceCell, Semaphore};

    use super::AppError;
    use super::check_length;
    use crate::{auth::email::Email, config::PasswordHashing};

    /// A new password that passed every rule. Only [`NewPassword::parse`]
    /// makes one.
    pub struct NewPassword(String);

    impl NewPassword {
        /// Length 8 to 128 characters, no composition rules; refused when
        /// easy to guess (zxcvbn score below 3) or when it contains the
        /// email's local part. Forms name the field differently (`password`,
        /// `new_password`), so the caller names it with `in_field`.
        pub fn parse(password: &str, email: &Email) -> Result<Self, AppError> {
            check_length(password)?;
            let local = email.local_part();
            if local.chars().count() >= 3 && password.to_lowercase().contains(local) {
                return Err(AppError::Invalid(
                    "Your password can't contain your email address.".into(),
                ));
            }
            let estimate = zxcvbn::zxcvbn(password, &[email.as_str(), local, "taskward"]);
            if u8::from(estimate.score()) < 3 {
                let hint = estimate
                    .feedback()
                    .and_then(|feedback| feedback.warning())
                    .map(|warning| format!(" ({warning})"))
                    .unwrap_or_default();
                return Err(AppError::Invalid(format!(
                    "That password is too easy to guess{hint}. Try a longer phrase of unrelated words."
                )));
            }
            Ok(Self(password.to_owned()))
        }

        pub fn expose(&self) -> &str {
            &self.0
        }
    }

    /// How long a request waits for a free hashing slot before it is told
    /// the service is busy.
    const QUEUE_TIMEOUT: Duration = Duration::from_secs(10);

    /// Hashes and verifies passwords with argon2id on tokio's blocking pool.
    /// A semaphore bounds how many run at once, so a burst of sign-ins can
    /// neither exhaust memory (19 MiB each) nor take every core from page
    /// requests. The permit travels with the blocking job: a client that
    /// disconnects drops its request, but the hash it started keeps its
    /// permit until it finishes.
    #[derive(Clone)]
    pub struct PasswordHasherPool {
        params: Params,
        concurrency: usize,
        permits: Arc<Semaphore>,
        dummy_hash: Arc<OnceCell<String>>,
        /// Working memory of finished verifications, reused by the next:
        /// at most one 19 MiB buffer per permit, and no fresh pages to
        /// fault in on each sign-in.
        buffers: Arc<Mutex<Vec<Vec<Block>>>>,
        running: Arc<AtomicUsize>,
        peak_running: Arc<AtomicUsize>,
        measured: HashingMetrics,
    }

    /// What the hasher tells `/metrics`: how many wait for a slot, how
    /// long they waited, and how long the hashing took.
    #[derive(Clone)]
    struct HashingMetrics {
        queued: Gauge,
        waited: Histogram,
        hashing: Histogram,
    }

    /// How busy the hasher is and has been, for tests and operators.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct HashingLoad {
        /// The configured bound (`PASSWORD_HASHING_CONCURRENCY`).
        pub limit: usize,
        pub running: usize,
        /// The most that ever ran at once.
        pub peak_running: usize,
        /// Working-memory buffers kept for reuse (never more than `limit`).
        pub buffers_kept: usize,
    }

    impl PasswordHasherPool {
        pub fn new(cost: PasswordHashing, concurrency: usize) -> Self {
            let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
                .expect("argon2 parameters are valid constants");
            let concurrency = concurrency.max(1);
            Self {
                params,
                concurrency,
                permits: Arc::new(Semaphore::new(concurrency)),
                dummy_hash: Arc::new(OnceCell::new()),
                buffers: Arc::new(Mutex::new(Vec::new())),
                running: Arc::default(),
                peak_running: Arc::default(),
                measured: HashingMetrics {
                    queued: Gauge::default(),
                    waited: crate::metrics::seconds_histogram(),
                    hashing: crate::metrics::seconds_histogram(),
                },
            }
        }

        pub fn register_metrics(&self, registry: &mut crate::metrics::Registry) {
            let measured = &self.measured;
            registry.register(
                "queued",
                "Password checks and hashes waiting for a hashing slot",
                measured.queued.clone(),
            );
            registry.register(
                "wait_seconds",
                "Time a password check or hash waited for a hashing slot",
                measured.waited.clone(),
            );
            registry.register(
                "seconds",
                "Time one argon2id hash or verification took",
                measured.hashing.clone(),
            );
            let limit = self.concurrency;
            registry.register(
                "slots",
                "Hashes that may run at once (PASSWORD_HASHING_CONCURRENCY)",
                crate::metrics::ReadOnScrape(move || i64::try_from(limit).unwrap_or(i64::MAX)),
            );
        }

        pub fn load(&self) -> HashingLoad {
            HashingLoad {
                limit: self.concurrency,
                running: self.running.load(Ordering::SeqCst),
                peak_running: self.peak_running.load(Ordering::SeqCst),
                buffers_kept: lock(&self.buffers).len(),
            }
        }

        fn argon2(params: Params) -> Argon2<'static> {
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        }

        /// Runs `work` on the blocking pool once a hashing slot is free.
        async fn run<T: Send + 'static>(
            &self,
            work: impl FnOnce(Params, &mut Vec<Block>) -> T + Send + 'static,
        ) -> Result<T, AppError> {
            let queued_at = Instant::now();
            // Left when the slot is had, or when the waiting request goes away.
            let in_queue = crate::metrics::Held::enter(&self.measured.queued);
            let permit = tokio::time::timeout(QUEUE_TIMEOUT, self.permits.clone().acquire_owned())
                .await
                .map_err(|_| {
                    tracing::warn!("password hashing queue is full");
                    AppError::Unavailable
                })?
                .map_err(AppError::internal)?;
            drop(in_queue);
            self.measured
                .waited
                .observe(queued_at.elapsed().as_secs_f64());
            let pool = self.clone();
            tokio::task::spawn_blocking(move || {
                // Held here, not by the awaiting request, which may go away.
                let _permit = permit;
                let running = pool.running.fetch_add(1, Ordering::SeqCst) + 1;
                pool.peak_running.fetch_max(running, Ordering::SeqCst);
                let mut buffer = lock(&pool.buffers).pop().unwrap_or_default();
                let started = Instant::now();
                let result = work(pool.params.clone(), &mut buffer);
                pool.measured
                    .hashing
                    .observe(started.elapsed().as_secs_f64());
                let mut kept = lock(&pool.buffers);
                if kept.len() < pool.concurrency {
                    kept.push(buffer);
                }
                drop(kept);
                pool.running.fetch_sub(1, Ordering::SeqCst);
                result
            })
            .await
            .map_err(AppError::internal)
        }

        pub async fn hash(&self, password: &NewPassword) -> Result<String, AppError> {
            let password = password.expose().to_owned();
            self.run(move |params, _| hash_with(params, &password))
                .await?
        }

        /// True when `password` matches `stored_hash`. Verifies with the
        /// parameters recorded in the hash itself.
        pub async fn verify(&self, password: &str, stored_hash: &str) -> Result<bool, AppError> {
            let (password, stored_hash) = (password.to_owned(), stored_hash.to_owned());
            self.run(move |_, buffer| verify_with(&password, &stored_hash, buffer))
                .await?
        }

        /// The work of [`PasswordHasherPool::verify`] on the calling thread,
        /// for benchmarks. The app always goes through the bounded pool.
        pub fn verify_blocking(&self, password: &str, stored_hash: &str) -> Result<bool, AppError> {
            let mut buffer = lock(&self.buffers).pop().unwrap_or_default();
            let result = verify_with(password, stored_hash, &mut buffer);
            lock(&self.buffers).push(buffer);
            result
        }

        /// A hash computed on the calling thread, for benchmarks and seeding.
        pub fn hash_blocking(&self, password: &NewPassword) -> Result<String, AppError> {
            hash_with(self.params.clone(), password.expose())
        }

        /// Spends the same time as a real verification, for sign-ins with an
        /// unknown email, so timing does not reveal which emails exist.
        pub async fn verify_against_dummy(&self, password: &str) -> Result<(), AppError> {
            let pool = self.clone();
            let dummy = self
                .dummy_hash
                .get_or_try_init(|| async move {
                    pool.run(|params, _| hash_with(params, "taskward-dummy-password-never-matches"))
                        .await?
                })
                .await?
                .clone();
            self.verify(password, &dummy).await.map(|_| ())
        }
    }

    fn lock(buffers: &Mutex<Vec<Vec<Block>>>) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        buffers
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Recomputes the hash with the algorithm, version, parameters and salt
    /// recorded in `stored_hash`, in `buffer`, and compares in constant time.
    /// (argon2's own `verify_password` would allocate and fault in 19 MiB
    /// afresh for every sign-in; this is the same computation in reused
    /// memory.)
    fn verify_with(
        password: &str,
        stored_hash: &str,
        buffer: &mut Vec<Block>,
    ) -> Result<bool, AppError> {
        let parsed = PasswordHash::new(stored_hash).map_err(AppError::internal)?;
        let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
            return Err(AppError::internal(
                "stored password hash lacks a salt or output",
            ));
        };
        let algorithm = Algorithm::try_from(parsed.algorithm).map_err(AppError::internal)?;
        let version = match parsed.version {
            Some(version) => Version::try_from(version).map_err(AppError::internal)?,
            None => Version::default(),
        };
        let params = Params::try_from(&parsed).map_err(AppError::internal)?;
        let mut salt_bytes = [0u8; 64];
        let salt = salt
            .decode_b64(&mut salt_bytes)
            .map_err(AppError::internal)?;
        let blocks = params.block_count();
        if buffer.len() < blocks {
            buffer.resize(blocks, Block::default());
        }
        let mut computed = vec![0u8; expected.len()];
        Argon2::new(algorithm, version, params)
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt,
                &mut computed,
                &mut buffer[..blocks],
            )
            .map_err(AppError::internal)?;
        // `Output` compares in constant time, so the time taken says
        // nothing about how much of a guess was right.
        let computed = Output::new(&computed).map_err(AppError::internal)?;
        Ok(computed == expected)
    }

    fn hash_with(params: Params, password: &str) -> Result<String, AppError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(AppError::internal)?;
        let salt = SaltString::encode_b64(&salt).map_err(AppError::internal)?;
        PasswordHasherPool::argon2(params)
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        fn email() -> Email {
            Email::parse("grace.hopper@example.com").unwrap()
        }

        #[test]
        fn length_is_8_to_128_characters_counted_as_characters() {
            assert!(NewPassword::parse("short", &email()).is_err());
            assert!(NewPassword::parse(&"x".repeat(129), &email()).is_err());
            // 8 characters, 16 bytes: fine by length.
            assert!(check_length("éééééééé").is_ok());
        }

        #[test]
        fn common_and_guessable_passwords_are_refused_with_a_reason() {
            for weak in [
                "password",
                "password123",
                "12345678",
                "qwertyuiop",
                "iloveyou1",
            ] {
                let error = NewPassword::parse(weak, &email()).err().expect(weak);
                assert!(
                    error.to_string().contains("too easy to guess"),
                    "{weak}: {error}"
                );
            }
        }

        #[test]
        fn a_password_containing_the_email_local_part_is_refused() {
            let error = NewPassword::parse("my-Grace.Hopper-vault-2931", &email())
                .err()
                .unwrap();
            assert!(error.to_string().contains("email"), "{error}");
        }

        #[test]
        fn a_long_unrelated_phrase_is_accepted_without_composition_rules() {
            assert!(NewPassword::parse("correct horse battery staple", &email()).is_ok());
            assert!(NewPassword::parse("velvet tractor umbrella sings", &email()).is_ok());
        }

        #[tokio::test]
        async fn hashes_are_argon2id_with_owasp_parameters_and_verify() {
            let pool = PasswordHasherPool::new(PasswordHashing::OWASP, 1);
            let password = NewPassword::parse("velvet tractor umbrella sings", &email()).unwrap();
            let hash = pool.hash(&password).await.unwrap();
            assert!(
                hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
                "{hash}"
            );
            assert!(
                pool.verify("velvet tractor umbrella sings", &hash)
                    .await
                    .unwrap()
            );
            assert!(
                !pool
                    .verify("velvet tractor umbrella sing", &hash)
                    .await
                    .unwrap()
            );
            pool.verify_against_dummy("anything").await.unwrap();
        }

        #[tokio::test]
        async fn hashes_made_with_other_parameters_still_verify() {
            let cheap = PasswordHasherPool::new(
                PasswordHashing {
                    memory_kib: 1024,
                    iterations: 1,
                    parallelism: 1,
                },
                1,
            );
            let password = NewPassword::parse("velvet tractor umbrella sings", &email()).unwrap();
            let hash = cheap.hash(&password).await.unwrap();
            let pool = PasswordHasherPool::new(PasswordHashing::OWASP, 1);
            // Twice: the second run reuses the first one's buffer.
            for _ in 0..2 {
                assert!(
                    pool.verify("velvet tractor umbrella sings", &hash)
                        .await
                        .unwrap()
                );
                assert!(!pool.verify("velvet tractor umbrella", &hash).await.unwrap());
            }
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn abandoned_requests_never_run_more_hashes_than_the_bound() {
            let pool = PasswordHasherPool::new(PasswordHashing::OWASP, 2);
            let hash = pool
                .hash(&NewPassword::parse("velvet tractor umbrella sings", &email()).unwrap())
                .await
                .unwrap();
            // Twelve verifications whose callers give up at once, as clients
            // that disconnect do, then twelve more that wait.
            for _ in 0..12 {
                let (pool, hash) = (pool.clone(), hash.clone());
                let abandoned = tokio::spawn(async move { pool.verify("guess", &hash).await });
                tokio::time::sleep(Duration::from_millis(1)).await;
                abandoned.abort();
            }
            let waiting: Vec<_> = (0..12)
                .map(|_| {
                    let (pool, hash) = (pool.clone(), hash.clone());
                    tokio::spawn(async move { pool.verify("guess", &hash).await })
                })
                .collect();
            for verification in waiting {
                assert!(!verification.await.unwrap().unwrap());
            }
            let load = pool.load();
            assert!(load.peak_running <= 2, "{load:?}");
            assert!(load.buffers_kept <= 2, "{load:?}");
            assert_eq!(load.running, 0, "{load:?}");
        }
    }
}
