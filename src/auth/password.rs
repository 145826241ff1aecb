//! Password rules (shared, so the browser could check early) and, on the
//! server, argon2id hashing on the blocking pool behind a concurrency bound.

pub const MIN_PASSWORD_CHARS: usize = 8;
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Checks the length rule only; strength is judged on the server.
pub fn check_length(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(format!(
            "Use at least {MIN_PASSWORD_CHARS} characters for your password."
        ))
    } else if chars > MAX_PASSWORD_CHARS {
        Err(format!(
            "Use at most {MAX_PASSWORD_CHARS} characters for your password."
        ))
    } else {
        Ok(())
    }
}

#[cfg(feature = "ssr")]
pub use server::*;

#[cfg(feature = "ssr")]
mod server {
    use std::{sync::Arc, time::Duration};

    use argon2::{
        Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version,
        password_hash::SaltString,
    };
    use tokio::sync::{OnceCell, Semaphore};

    use super::check_length;
    use crate::{auth::email::Email, config::PasswordHashing, error::AppError};

    /// A new password that passed every rule. Only [`NewPassword::parse`]
    /// makes one.
    pub struct NewPassword(String);

    impl NewPassword {
        /// Length 8 to 128 characters, no composition rules; refused when
        /// easy to guess (zxcvbn score below 3) or when it contains the
        /// email's local part.
        pub fn parse(password: &str, email: &Email) -> Result<Self, String> {
            check_length(password)?;
            let local = email.local_part();
            if local.chars().count() >= 3 && password.to_lowercase().contains(local) {
                return Err("Your password can't contain your email address.".into());
            }
            let estimate = zxcvbn::zxcvbn(password, &[email.as_str(), local, "taskward"]);
            if u8::from(estimate.score()) < 3 {
                let hint = estimate
                    .feedback()
                    .and_then(|feedback| feedback.warning())
                    .map(|warning| format!(" ({warning})"))
                    .unwrap_or_default();
                return Err(format!(
                    "That password is too easy to guess{hint}. Try a longer phrase of unrelated words."
                ));
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
    /// requests.
    #[derive(Clone)]
    pub struct PasswordHasherPool {
        params: Params,
        permits: Arc<Semaphore>,
        dummy_hash: Arc<OnceCell<String>>,
    }

    impl PasswordHasherPool {
        pub fn new(cost: PasswordHashing, concurrency: usize) -> Self {
            let params = Params::new(cost.memory_kib, cost.iterations, cost.parallelism, None)
                .expect("argon2 parameters are valid constants");
            Self {
                params,
                permits: Arc::new(Semaphore::new(concurrency.max(1))),
                dummy_hash: Arc::new(OnceCell::new()),
            }
        }

        fn argon2(params: Params) -> Argon2<'static> {
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        }

        /// Runs `work` on the blocking pool once a hashing slot is free.
        async fn run<T: Send + 'static>(
            &self,
            work: impl FnOnce(Params) -> T + Send + 'static,
        ) -> Result<T, AppError> {
            let _permit = tokio::time::timeout(QUEUE_TIMEOUT, self.permits.clone().acquire_owned())
                .await
                .map_err(|_| {
                    tracing::warn!("password hashing queue is full");
                    AppError::Unavailable
                })?
                .map_err(AppError::internal)?;
            let params = self.params.clone();
            tokio::task::spawn_blocking(move || work(params))
                .await
                .map_err(AppError::internal)
        }

        pub async fn hash(&self, password: &NewPassword) -> Result<String, AppError> {
            let password = password.expose().to_owned();
            self.run(move |params| hash_with(params, &password)).await?
        }

        /// True when `password` matches `stored_hash`. Verifies with the
        /// parameters recorded in the hash itself.
        pub async fn verify(&self, password: &str, stored_hash: &str) -> Result<bool, AppError> {
            let (password, stored_hash) = (password.to_owned(), stored_hash.to_owned());
            self.run(move |params| verify_with(params, &password, &stored_hash))
                .await?
        }

        /// The work of [`PasswordHasherPool::verify`] on the calling thread,
        /// for benchmarks. The app always goes through the bounded pool.
        pub fn verify_blocking(&self, password: &str, stored_hash: &str) -> Result<bool, AppError> {
            verify_with(self.params.clone(), password, stored_hash)
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
                    pool.run(|params| hash_with(params, "taskward-dummy-password-never-matches"))
                        .await?
                })
                .await?
                .clone();
            self.verify(password, &dummy).await.map(|_| ())
        }
    }

    fn verify_with(params: Params, password: &str, stored_hash: &str) -> Result<bool, AppError> {
        let parsed = PasswordHash::new(stored_hash).map_err(AppError::internal)?;
        Ok(PasswordHasherPool::argon2(params)
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
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
                assert!(error.contains("too easy to guess"), "{weak}: {error}");
            }
        }

        #[test]
        fn a_password_containing_the_email_local_part_is_refused() {
            let error = NewPassword::parse("my-Grace.Hopper-vault-2931", &email())
                .err()
                .unwrap();
            assert!(error.contains("email"), "{error}");
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
    }
}
