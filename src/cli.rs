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
    auth::Role,
    client::Client,
    config::Config,
    db::{Db, StoreError},
};

/// Taskward: serves the app with no arguments; `admin` commands work on
/// the database named by DATABASE_URL (and .env), like the server.
#[derive(Debug, Parser, PartialEq, Eq)]
#[command(name = "taskward", version)]
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
}

/// Runs an administration command; `Ok` is what to print, `Err` the error
/// to print before exiting with a failure.
pub async fn run_admin(command: &Admin, config: &Config) -> Result<String, String> {
    let db = Db::connect_with(
        secrecy::ExposeSecret::expose_secret(&config.database_url),
        1,
        config.database_acquire_timeout,
    )
    .await
    .map_err(|error| error.to_string())?;
    db.migrate().await.map_err(|error| error.to_string())?;
    let result = match command {
        Admin::List => list_admins(&db).await,
        Admin::Grant { email } => change_role(&db, email, Role::Admin).await,
        Admin::Revoke { email } => change_role(&db, email, Role::User).await,
    };
    db.close().await;
    result
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
