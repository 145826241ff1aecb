//! The command line of the `taskward` binary besides serving: making the
//! first administrator, the way operators expect, with the same
//! `DATABASE_URL` (and `.env`) as the server.
//!
//! ```text
//! taskward admin grant <email>
//! taskward admin revoke <email>
//! taskward admin list
//! ```

use crate::{
    admin::store::{self, Outcome},
    auth::Role,
    client::Client,
    config::Config,
    db::Db,
};

/// What the command line was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Serve,
    Grant(String),
    Revoke(String),
    List,
}

pub const USAGE: &str = "usage: taskward                       serve the app
       taskward admin grant <email>   make an account an administrator
       taskward admin revoke <email>  make an administrator an ordinary user
       taskward admin list            list the administrators";

impl Command {
    /// The command in `args` (without the program name), or the usage.
    pub fn parse(args: &[String]) -> Result<Self, &'static str> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            [] => Ok(Command::Serve),
            ["admin", "grant", email] => Ok(Command::Grant((*email).to_owned())),
            ["admin", "revoke", email] => Ok(Command::Revoke((*email).to_owned())),
            ["admin", "list"] => Ok(Command::List),
            _ => Err(USAGE),
        }
    }
}

/// Runs an administration command; `Ok` is what to print, `Err` the error
/// to print before exiting with a failure.
pub async fn run_admin(command: &Command, config: &Config) -> Result<String, String> {
    let db = Db::connect_with(
        secrecy::ExposeSecret::expose_secret(&config.database_url),
        1,
        config.database_acquire_timeout,
    )
    .await
    .map_err(|error| error.to_string())?;
    db.migrate().await.map_err(|error| error.to_string())?;
    let failed = |error: sqlx::Error| format!("the database refused: {error}");
    let result = match command {
        Command::Serve => Err(USAGE.to_owned()),
        Command::List => {
            let admins = store::admin_emails(&db).await.map_err(failed)?;
            Ok(if admins.is_empty() {
                "No administrators yet: taskward admin grant <email>".to_owned()
            } else {
                admins.join("\n")
            })
        }
        Command::Grant(email) | Command::Revoke(email) => {
            let role = if matches!(command, Command::Grant(_)) {
                Role::Admin
            } else {
                Role::User
            };
            let Some(user) = store::user_id_by_email(&db, email).await.map_err(failed)? else {
                return Err(format!("no account has the email {email}"));
            };
            match store::change_role(&db, user, role, None, &Client::command_line())
                .await
                .map_err(failed)?
            {
                Outcome::Done if role == Role::Admin => Ok(format!("{email} is an administrator")),
                Outcome::Done => Ok(format!("{email} is no longer an administrator")),
                Outcome::LastAdmin => Err(format!(
                    "{email} is the last active administrator; grant another account first"
                )),
                Outcome::NotFound | Outcome::Yourself => {
                    Err(format!("no account has the email {email}"))
                }
            }
        }
    };
    db.close().await;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Command, &'static str> {
        Command::parse(&args.iter().map(|arg| arg.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn commands_parse_and_anything_else_gets_the_usage() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
        assert_eq!(
            parse(&["admin", "grant", "ada@example.com"]),
            Ok(Command::Grant("ada@example.com".into()))
        );
        assert_eq!(parse(&["admin", "list"]), Ok(Command::List));
        for wrong in [
            &["admin"][..],
            &["admin", "grant"],
            &["serve", "now"],
            &["admin", "list", "x"],
        ] {
            assert_eq!(parse(wrong), Err(USAGE), "{wrong:?}");
        }
    }
}
