//! The command line of the `taskward` binary besides serving: making the
//! first administrator, the way operators expect, with the same
//! `DATABASE_URL` (and `.env`) as the server. `taskward --help` lists it.
//!
//! ```text
//! taskward                       serve the app
//! taskward admin grant <email>
//! taskward admin revoke <email>
//! taskward admin list
//! ```

use clap::{Parser, Subcommand};

use crate::{
    admin::store::{self, AdminRefusal},
    auth::{Role, email::Email, service::AuthService},
    client::Client,
    config::Config,
    db::{Db, StoreError},
    mail::Mailer,
    signup::{
        self, DEFAULT_INVITE_DAYS, MAX_INVITE_DAYS, MAX_INVITE_USES, SignupMode,
        store::{NewInvitation, SignupPolicy},
    },
};

/// Taskward: serves the app with no arguments; `admin` commands work on
/// the database named by DATABASE_URL (and .env), like the server.
#[derive(Debug, Parser, PartialEq, Eq)]
#[command(
    name = "taskward",
    version = concat!(env!("CARGO_PKG_VERSION"), " (commit ", env!("TASKWARD_COMMIT"), ")")
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum Command {
    /// Administer accounts.
    #[command(subcommand)]
    Admin(Admin),
}

#[derive(Debug, Subcommand, PartialEq, Eq)]
pub enum Admin {
    /// Make an account an administrator.
    Grant { email: String },
    /// Make an administrator an ordinary user.
    Revoke { email: String },
    /// List the administrators.
    List,
    /// Set who may make an account: anyone (open), only with an
    /// invitation (invite), or no one (closed).
    Signup {
        #[arg(value_parser = ["open", "invite", "closed"])]
        mode: String,
        /// Only addresses at these domains, separated by commas ("" for
        /// any); unchanged when left out.
        #[arg(long)]
        domains: Option<String>,
        /// Whether todos wait until the account's address is confirmed;
        /// unchanged when left out.
        #[arg(long, value_parser = ["yes", "no"])]
        require_verified_email: Option<String>,
    },
    /// Make an invitation and print its link (shown this once).
    Invite {
        /// Only this address may use it.
        #[arg(long)]
        email: Option<String>,
        /// The account it makes is an administrator.
        #[arg(long)]
        admin: bool,
        /// How many accounts it can make.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_INVITE_USES)))]
        uses: u32,
        /// How many days it can be used.
        #[arg(long, default_value_t = DEFAULT_INVITE_DAYS, value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_INVITE_DAYS)))]
        days: u32,
    },
    /// Make a one-time password reset link for an account (30 minutes) and
    /// print it, for instances without mail.
    ResetLink {
        /// The account's email.
        email: String,
    },
    /// Remove an account's two-step sign-in (authenticator app and
    /// recovery codes), for someone who lost both: their password alone
    /// signs in again. Logged; the account is told by mail when mail is
    /// configured.
    #[command(name = "reset-2fa")]
    ResetSecondFactor {
        /// The account's email.
        email: String,
    },
    /// Check the configuration as the server reads it, and what it needs
    /// (database and migrations, mail relay, data folder), one line each;
    /// exits with 0 only when all is fine. Changes nothing.
    Check,
    /// Copy the embedded SQLite database to FILE (a new file), consistent
    /// while instances serve. PostgreSQL: use pg_dump.
    Backup { file: std::path::PathBuf },
    /// Put the backup FILE in place of the SQLite database (kept beside it
    /// as `.replaced-<time>`), refused while an instance uses it; migrated
    /// forward.
    Restore { file: std::path::PathBuf },
}

/// Runs an administration command; `Ok` is what to print, `Err` the error
/// to print before exiting with a failure.
pub async fn run_admin(command: &Admin, config: &Config) -> Result<String, String> {
    if *command == Admin::Check {
        // Connects by itself, without migrating: it reports, it changes nothing.
        let findings = crate::check::everything(config).await;
        let report = findings
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        return if findings.iter().all(|finding| finding.fine) {
            Ok(report)
        } else {
            Err(report)
        };
    }
    let url = secrecy::ExposeSecret::expose_secret(&config.database_url);
    if let Admin::Restore { file } = command {
        // Opens the database itself, once the copy is in place.
        let restored = crate::db::backup::restore(url, file)
            .await
            .map_err(|error| error.to_string())?;
        return Ok(restored_in_words(file, &restored));
    }
    let db = Db::connect_with(url, 1, config.database_acquire_timeout)
        .await
        .map_err(|error| error.to_string())?;
    if let Admin::Backup { file } = command {
        // As the database is: a backup migrates nothing.
        let result = crate::db::backup::backup(&db, file)
            .await
            .map(|bytes| format!("backed up to {} ({bytes} bytes)", file.display()))
            .map_err(|error| error.to_string());
        db.close().await;
        return result;
    }
    db.migrate().await.map_err(|error| error.to_string())?;
    let result = match command {
        Admin::List => list_admins(&db).await,
        Admin::Grant { email } => change_role(&db, email, Role::Admin).await,
        Admin::Revoke { email } => change_role(&db, email, Role::User).await,
        Admin::Signup {
            mode,
            domains,
            require_verified_email,
        } => {
            let required = require_verified_email
                .as_deref()
                .map(|answer| answer == "yes");
            set_signup(&db, mode, domains.as_deref(), required).await
        }
        Admin::Invite {
            email,
            admin,
            uses,
            days,
        } => invite(&db, config, email.as_deref(), *admin, *uses, *days).await,
        Admin::ResetLink { email } => reset_link(&db, config, email).await,
        Admin::ResetSecondFactor { email } => reset_second_factor(&db, config, email).await,
        Admin::Check | Admin::Backup { .. } | Admin::Restore { .. } => {
            unreachable!("handled above")
        }
    };
    db.close().await;
    result
}

/// The account service as the command line uses it: mail it writes goes
/// to the outbox, which a running instance sends.
fn account_service(db: &Db, config: &Config) -> Result<std::sync::Arc<AuthService>, String> {
    let mailer =
        Mailer::new(&config.mail, config.environment).map_err(|error| error.to_string())?;
    Ok(AuthService::new(
        db.clone(),
        &config.jwt_secret,
        config.auth.clone(),
        mailer,
        &config.public_origin,
    ))
}

async fn reset_second_factor(db: &Db, config: &Config, email: &str) -> Result<String, String> {
    let user_id = store::user_id_by_email(db, email)
        .await
        .map_err(refused)?
        .ok_or_else(|| format!("no account has the email {email}"))?;
    let auth = account_service(db, config)?;
    let removed = auth
        .remove_second_factor(user_id, None, &Client::command_line())
        .await
        .map_err(|error| error.to_string())?;
    if !removed {
        return Err(format!("{email} has no two-step sign-in to remove"));
    }
    let told = if auth.mailer().can_send() {
        "; a notice is queued for the account's address"
    } else {
        ""
    };
    Ok(format!(
        "removed two-step sign-in from {email}: the password alone signs in now{told}"
    ))
}

async fn reset_link(db: &Db, config: &Config, email: &str) -> Result<String, String> {
    let user_id = store::user_id_by_email(db, email)
        .await
        .map_err(refused)?
        .ok_or_else(|| format!("no account has the email {email}"))?;
    // No mail goes out from here: the link is printed.
    let auth = account_service(db, config)?;
    let (url, expires_at) = auth
        .make_reset_link(user_id, None, &Client::command_line())
        .await
        .map_err(|error| error.to_string())?;
    Ok(format!(
        "{url}\nworks once, until {} (any older link of {email} no longer works)",
        expires_at.format("%Y-%m-%d %H:%M UTC")
    ))
}

fn restored_in_words(file: &std::path::Path, restored: &crate::db::backup::Restored) -> String {
    let mut said = format!(
        "restored {}: {} account(s), {} todo(s)",
        file.display(),
        restored.accounts,
        restored.todos
    );
    if restored.migrated > 0 {
        said.push_str(&format!(
            "; {} migration(s) applied to bring it up to this release",
            restored.migrated
        ));
    }
    if let Some(kept) = &restored.kept {
        said.push_str(&format!(
            "\nthe database it replaced is kept as {}",
            kept.display()
        ));
    }
    said
}

fn refused(error: sqlx::Error) -> String {
    format!("the database refused: {error}")
}

async fn list_admins(db: &Db) -> Result<String, String> {
    let admins = store::admin_emails(db).await.map_err(refused)?;
    Ok(if admins.is_empty() {
        "No administrators yet: taskward admin grant <email>".to_owned()
    } else {
        admins.join("\n")
    })
}

async fn change_role(db: &Db, email: &str, role: Role) -> Result<String, String> {
    let Some(user) = store::user_id_by_email(db, email).await.map_err(refused)? else {
        return Err(format!("no account has the email {email}"));
    };
    match store::change_role(db, user, role, None, &Client::command_line()).await {
        Ok(()) if role == Role::Admin => Ok(format!("{email} is an administrator")),
        Ok(()) => Ok(format!("{email} is no longer an administrator")),
        Err(StoreError::Refused(AdminRefusal::LastAdmin)) => Err(format!(
            "{email} is the last active administrator; grant another account first"
        )),
        Err(
            StoreError::NotFound
            | StoreError::NoAccount
            | StoreError::Refused(AdminRefusal::Yourself),
        ) => Err(format!("no account has the email {email}")),
        Err(StoreError::Broken(what)) => Err(format!("the stored data is inconsistent: {what}")),
        Err(StoreError::Database(error)) => Err(refused(error)),
    }
}

async fn set_signup(
    db: &Db,
    mode: &str,
    domains: Option<&str>,
    require_verified_email: Option<bool>,
) -> Result<String, String> {
    let mode = SignupMode::parse(mode).ok_or_else(|| format!("no sign-up mode {mode}"))?;
    let current = signup::store::policy(db).await.map_err(refused)?;
    let email_domains = match domains {
        Some(text) => signup::parse_domains(text)?,
        None => current.email_domains,
    };
    let policy = SignupPolicy {
        mode,
        email_domains,
        require_verified_email: require_verified_email.unwrap_or(current.require_verified_email),
        require_second_factor: current.require_second_factor,
    };
    store::set_signup_policy(db, &policy, None, &Client::command_line())
        .await
        .map_err(refused)?;
    let domains = match policy.email_domains.as_slice() {
        [] => String::new(),
        domains => format!("; only addresses at {}", domains.join(", ")),
    };
    let confirmed = if policy.require_verified_email {
        "; todos wait until an address is confirmed"
    } else {
        ""
    };
    Ok(format!("Sign-up: {}{domains}{confirmed}", mode.describe()))
}

async fn invite(
    db: &Db,
    config: &Config,
    email: Option<&str>,
    admin: bool,
    uses: u32,
    days: u32,
) -> Result<String, String> {
    let email = match email {
        Some(email) => Some(
            Email::parse(email)
                .map_err(|error| error.to_string())?
                .as_str()
                .to_owned(),
        ),
        None => None,
    };
    let new = NewInvitation {
        email,
        makes_admin: admin,
        uses,
        lifetime: chrono::TimeDelta::days(i64::from(days)),
        created_by: None,
    };
    // Printed, not mailed: whoever runs the command hands the link over.
    let (_, token) = store::create_invitation(db, &new, &Client::command_line(), |_| None)
        .await
        .map_err(|error| match error {
            StoreError::Database(error) => refused(error),
            other => crate::error::AppError::from(other).to_string(),
        })?;
    Ok(format!(
        "{}\n{} use{}, for {} days{}{}",
        signup::invitation_url(&config.public_origin, &token),
        uses,
        if uses == 1 { "" } else { "s" },
        days,
        new.email
            .map(|email| format!(", for {email} only"))
            .unwrap_or_default(),
        if admin { ", as an administrator" } else { "" },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, ErrorKind> {
        Cli::try_parse_from(std::iter::once("taskward").chain(args.iter().copied()))
            .map_err(|error| error.kind())
    }

    #[test]
    fn commands_parse_and_anything_else_is_a_usage_error() {
        assert_eq!(parse(&[]), Ok(Cli { command: None }));
        assert_eq!(
            parse(&["admin", "grant", "ada@example.com"]),
            Ok(Cli {
                command: Some(Command::Admin(Admin::Grant {
                    email: "ada@example.com".into()
                }))
            })
        );
        assert_eq!(
            parse(&["admin", "list"]),
            Ok(Cli {
                command: Some(Command::Admin(Admin::List))
            })
        );
        for wrong in [
            &["admin"][..],
            &["admin", "grant"],
            &["serve", "now"],
            &["admin", "list", "x"],
        ] {
            assert!(parse(wrong).is_err(), "{wrong:?}");
        }
    }

    #[test]
    fn the_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
