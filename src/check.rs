//! `taskward admin check`: the configuration as the server reads it, and
//! whether each part it depends on works, one line each: the database and
//! its migrations, the signing secret, the public origin and cookies, the
//! trusted proxies, the mail relay (connected and greeted, no mail sent)
//! and the data folder. The server runs the same checks when it starts and
//! logs them.

use std::{fmt, time::Instant};

use crate::{
    config::{Config, DEV_SECRET_FILE, Environment},
    db::Db,
    mail::Mailer,
};

/// What one check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub part: &'static str,
    pub fine: bool,
    pub said: String,
}

impl Finding {
    fn fine(part: &'static str, said: impl Into<String>) -> Self {
        Self {
            part,
            fine: true,
            said: said.into(),
        }
    }

    fn failed(part: &'static str, said: impl Into<String>) -> Self {
        Self {
            part,
            fine: false,
            said: said.into(),
        }
    }
}

impl fmt::Display for Finding {
    /// `ok    database     sqlite, answered in 2 ms; migrations current (15)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.fine { "ok" } else { "FAIL" };
        write!(f, "{verdict:<5} {:<13} {}", self.part, self.said)
    }
}

/// Every check, as `taskward admin check` runs them: it connects to the
/// database itself and changes nothing there.
pub async fn everything(config: &Config) -> Vec<Finding> {
    use secrecy::ExposeSecret;
    let mut findings = vec![configuration(config)];
    match Db::connect_with(
        config.database_url.expose_secret(),
        1,
        config.database_acquire_timeout,
    )
    .await
    {
        Ok(db) => {
            findings.push(database(&db).await);
            db.close().await;
        }
        Err(error) => findings.push(Finding::failed("database", error.to_string())),
    }
    match Mailer::new(&config.mail, config.environment) {
        Ok(mailer) => findings.push(mail(&mailer, config.environment).await),
        Err(error) => findings.push(Finding::failed("mail", error.to_string())),
    }
    findings.extend(settings(config));
    findings
}

/// The checks of a starting server, on its own pool (already migrated)
/// and mailer.
pub async fn at_start(config: &Config, db: &Db, mailer: &Mailer) -> Vec<Finding> {
    let mut findings = vec![configuration(config), database(db).await];
    findings.push(mail(mailer, config.environment).await);
    findings.extend(settings(config));
    findings
}

fn configuration(config: &Config) -> Finding {
    let environment = match config.environment {
        Environment::Development => "development",
        Environment::Production => "production",
    };
    Finding::fine(
        "configuration",
        format!(
            "read; APP_ENV={environment}, listening on {}",
            config.listen_addr
        ),
    )
}

async fn database(db: &Db) -> Finding {
    let started = Instant::now();
    if let Err(error) = db.ping().await {
        return Finding::failed("database", format!("does not answer: {error}"));
    }
    let answered = started.elapsed();
    let state = db.migration_state().await;
    let kind = db.backend().name();
    let reached = format!("{kind}, answered in {} ms", answered.as_millis());
    if state.unknown > 0 {
        return Finding::failed(
            "database",
            format!(
                "{reached}; {} migration(s) applied that this release does not know: it was \
                 migrated by a newer release",
                state.unknown
            ),
        );
    }
    if state.pending > 0 {
        return Finding::failed(
            "database",
            format!(
                "{reached}; {} of {} migrations not applied yet (the server applies them when it \
                 starts)",
                state.pending, state.known
            ),
        );
    }
    Finding::fine(
        "database",
        format!("{reached}; migrations current ({})", state.known),
    )
}

async fn mail(mailer: &Mailer, environment: Environment) -> Finding {
    match mailer.reach_relay().await {
        Ok(Some(relay)) => Finding::fine("mail", format!("{relay} answered (no mail sent)")),
        Ok(None) if environment == Environment::Production => Finding::fine(
            "mail",
            "off: SMTP_URL is not set, so no mail is sent (reset links by an administrator only)",
        ),
        Ok(None) => Finding::fine("mail", "kept at /dev/mail (development, no SMTP_URL)"),
        Err(error) => Finding::failed("mail", format!("the relay cannot be reached: {error}")),
    }
}

/// The checks that need nothing but the configuration and the disk.
fn settings(config: &Config) -> Vec<Finding> {
    vec![
        secret(config),
        origin(config),
        proxies(config),
        metrics(config),
        data_folder(config),
    ]
}

fn secret(config: &Config) -> Finding {
    // The configuration refuses a weak JWT_SECRET (or previous one) outright.
    let rotating = if config.auth.jwt_secret_previous.is_some() {
        "; JWT_SECRET_PREVIOUS set for a rotation"
    } else {
        ""
    };
    use secrecy::ExposeSecret;
    let generated = std::fs::read_to_string(config.data_dir.join(DEV_SECRET_FILE))
        .is_ok_and(|kept| kept.trim() == config.jwt_secret.expose_secret());
    let source = if generated {
        "generated for development and kept in the data folder"
    } else {
        "JWT_SECRET set, strong enough"
    };
    Finding::fine("signing key", format!("{source}{rotating}"))
}

fn origin(config: &Config) -> Finding {
    let origin = &config.public_origin;
    let secure_cookie = config.auth.cookie_secure;
    match (config.environment, origin.starts_with("https://")) {
        (Environment::Production, false) => Finding::failed(
            "origin",
            format!(
                "PUBLIC_ORIGIN is {origin}: in production it must be https://, or browsers will \
                 not send the Secure session cookie back"
            ),
        ),
        (_, true) if !secure_cookie => Finding::failed(
            "origin",
            format!("{origin} is https, but SESSION_COOKIE_SECURE=false: set it to true"),
        ),
        (_, _) => Finding::fine(
            "origin",
            format!(
                "{origin}; session cookie {}",
                if secure_cookie {
                    "Secure"
                } else {
                    "not Secure (development over plain http)"
                }
            ),
        ),
    }
}

fn proxies(config: &Config) -> Finding {
    let proxies = &config.auth.trusted_proxies;
    if let Some(wide) = proxies.iter().find(|proxy| proxy.is_unspecified()) {
        return Finding::failed(
            "proxies",
            format!("{wide} is not a proxy's address: list the proxies' own addresses"),
        );
    }
    if proxies.is_empty() {
        return Finding::fine(
            "proxies",
            "none trusted: clients are known by the address that connects",
        );
    }
    let listed: Vec<String> = proxies.iter().map(ToString::to_string).collect();
    Finding::fine(
        "proxies",
        format!("X-Forwarded-For is read from {}", listed.join(", ")),
    )
}

fn metrics(config: &Config) -> Finding {
    let guarded = if config.metrics.token.is_some() {
        "to the holder of METRICS_TOKEN"
    } else {
        "to anyone who reaches it"
    };
    match (config.metrics.addr, &config.metrics.token) {
        (None, None) => Finding::fine("metrics", "off (set METRICS_TOKEN or METRICS_ADDR)"),
        (None, Some(_)) => Finding::fine(
            "metrics",
            format!("{}/metrics, {guarded}", config.public_origin),
        ),
        (Some(addr), _) if addr == config.listen_addr => Finding::failed(
            "metrics",
            format!("METRICS_ADDR is LISTEN_ADDR ({addr}): give the metrics a port of their own"),
        ),
        (Some(addr), _) => Finding::fine("metrics", format!("http://{addr}/metrics, {guarded}")),
    }
}

fn data_folder(config: &Config) -> Finding {
    let folder = &config.data_dir;
    let probe = folder.join(format!(".taskward-check-{}", uuid::Uuid::new_v4()));
    let written = std::fs::create_dir_all(folder)
        .and_then(|()| std::fs::write(&probe, b"check"))
        .and_then(|()| std::fs::remove_file(&probe));
    match written {
        Ok(()) => Finding::fine("data folder", format!("{} is writable", folder.display())),
        Err(error) => Finding::failed(
            "data folder",
            format!("{} cannot be written: {error}", folder.display()),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_is_one_aligned_line() {
        assert_eq!(
            Finding::fine("mail", "kept").to_string(),
            "ok    mail          kept"
        );
        assert_eq!(
            Finding::failed("database", "down").to_string(),
            "FAIL  database      down"
        );
    }
}
