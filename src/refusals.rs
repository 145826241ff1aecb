//! What each store's refusal says to a person: every sentence a store's
//! [`StoreError::Refused`](crate::db::StoreError) becomes, in one place,
//! for the pages and the JSON API alike. The stores name the fact (an
//! enum per module); the wording, the status (through the [`AppError`]
//! variant) and the field at fault are decided here.

use crate::{
    admin::store::AdminRefusal,
    auth::store::AccountRefusal,
    error::AppError,
    lists::{INBOX_NAME, MAX_LISTS_PER_USER, store::ListRefusal},
    ordering::PlacementRefusal,
    push::store::PushRefusal,
    signup::{
        MAX_USABLE_INVITATIONS,
        store::{InvitationProblem, SignupRefusal},
    },
    todos::store::TodoRefusal,
    transfer::import_run::ImportConflict,
    undo::{store::UndoRefusal, todos_counted},
};

/// `name` in curly quotes, as every message quotes a name.
fn quoted(name: &str) -> String {
    format!("\u{201c}{name}\u{201d}")
}

impl From<PlacementRefusal> for AppError {
    fn from(refusal: PlacementRefusal) -> Self {
        match refusal {
            PlacementRefusal::NextToItself { field } => {
                AppError::Invalid("Nothing can be placed next to itself.".into()).in_field(field)
            }
            PlacementRefusal::NeighbourElsewhere { field } => {
                AppError::Invalid("That neighbour is not in the list it would be placed in.".into())
                    .in_field(field)
            }
            PlacementRefusal::NeighboursReversed => AppError::Invalid(
                "The neighbour given as after must come before the one given as before.".into(),
            )
            .in_field("after"),
        }
    }
}

impl From<ListRefusal> for AppError {
    fn from(refusal: ListRefusal) -> Self {
        match refusal {
            ListRefusal::NoSuchList { field } => {
                AppError::Invalid("There is no such list among yours.".into()).in_field(field)
            }
            ListRefusal::NameTaken { name } => AppError::Conflict(format!(
                "You already have a list named {}. Choose another name.",
                quoted(&name)
            )),
            ListRefusal::TooMany { count } => AppError::Conflict(format!(
                "You have {count} lists, as many as one account can keep. Delete one to make another."
            )),
            ListRefusal::InboxKeepsItsName => {
                AppError::Conflict(format!("The {INBOX_NAME} keeps its name."))
            }
            ListRefusal::InboxStaysFirst => {
                AppError::Conflict(format!("The {INBOX_NAME} stays first."))
            }
            ListRefusal::NothingBeforeInbox => {
                AppError::Invalid(format!("Nothing goes before the {INBOX_NAME}."))
                    .in_field("before")
            }
            ListRefusal::Placement(refusal) => refusal.into(),
        }
    }
}

impl From<TodoRefusal> for AppError {
    fn from(refusal: TodoRefusal) -> Self {
        match refusal {
            TodoRefusal::AtCap { limit } => AppError::Conflict(format!(
                "You have {limit} todos, as many as one account can keep. Delete some to add more."
            )),
            TodoRefusal::NextPastCap { limit } => AppError::Conflict(format!(
                "This todo repeats, and you have {limit} todos, as many as one account can \
                 keep: its next one has no room. Delete some todos, then mark it done again."
            )),
            TodoRefusal::ForeignCursor => AppError::Invalid(
                "That page link is not valid; start again from the first page.".into(),
            )
            .in_field("cursor"),
            TodoRefusal::List(refusal) => refusal.into(),
            TodoRefusal::Placement(refusal) => refusal.into(),
        }
    }
}

impl From<UndoRefusal> for AppError {
    fn from(refusal: UndoRefusal) -> Self {
        AppError::Conflict(match refusal {
            UndoRefusal::Placement(refusal) => return refusal.into(),
            UndoRefusal::TooLate => {
                "It is too late to undo that: deletes can be undone for a short while only.".into()
            }
            UndoRefusal::WouldPassTodoCap { limit } => format!(
                "Undoing this would take you past {limit} todos, as many as one account can keep. \
                 Delete some first."
            ),
            UndoRefusal::WouldPassListCap => format!(
                "Undoing this would take you past {MAX_LISTS_PER_USER} lists, as many as one \
                 account can keep. Delete one first."
            ),
            UndoRefusal::NameTakenSince { name } => format!(
                "You have made another list named {} since. Rename it, then undo.",
                quoted(&name)
            ),
            UndoRefusal::InboxUndeletable => {
                format!("The {INBOX_NAME} can't be deleted: it is where new todos go.")
            }
            UndoRefusal::ListHasTodos { name, count } => format!(
                "{} has {}: say whether to delete them or move them to the {INBOX_NAME}.",
                quoted(&name),
                todos_counted(count)
            ),
        })
    }
}

impl From<ImportConflict> for AppError {
    fn from(refusal: ImportConflict) -> Self {
        AppError::Conflict(match refusal {
            ImportConflict::AnotherImportRuns => {
                "Nothing was imported: another import into your account is still being written. \
                 Try again when it has finished."
                    .into()
            }
            ImportConflict::FileDoesNotFit {
                adding,
                count,
                limit,
            } => format!(
                "Nothing was imported: the file has {adding} todos and you have {count}, more than \
                 the {limit} one account can keep."
            ),
            ImportConflict::WouldPassListCap => format!(
                "Nothing was imported: it would take you past {MAX_LISTS_PER_USER} lists, as many \
                 as one account can keep."
            ),
            ImportConflict::Stopped => {
                "Nothing was imported: the import was stopped before it was written whole.".into()
            }
            ImportConflict::RestDoesNotFit { limit } => format!(
                "Nothing was imported: todos were added while it was written, and the rest no \
                 longer fits under the {limit} one account can keep."
            ),
            ImportConflict::ListDeletedMeanwhile => {
                "Nothing was imported: a list it was writing to was deleted meanwhile.".into()
            }
            ImportConflict::ListChangedMeanwhile => {
                "Nothing was imported: the list changed while it was written. Try again.".into()
            }
        })
    }
}

impl From<PushRefusal> for AppError {
    fn from(refusal: PushRefusal) -> Self {
        match refusal {
            PushRefusal::TooMany { limit } => AppError::Conflict(format!(
                "You have {limit} browsers set to get reminders, as many as one account can \
                 keep. Remove one you no longer use on the notifications page, then try again."
            )),
        }
    }
}

impl From<AccountRefusal> for AppError {
    fn from(refusal: AccountRefusal) -> Self {
        match refusal {
            AccountRefusal::EmailTaken => AppError::Conflict(
                "That email is already registered. Sign in instead, or use another email.".into(),
            ),
            AccountRefusal::NewAddressTaken => AppError::Conflict(
                "Another account uses that email address now, so yours cannot move to it.".into(),
            ),
            AccountRefusal::ConfirmationGone => {
                AppError::Invalid(crate::auth::verification::CONFIRMATION_LINK_INVALID.into())
                    .in_field("token")
            }
            AccountRefusal::TooManyApiTokens { limit } => AppError::Conflict(format!(
                "You have {limit} API tokens, as many as one account can keep. Delete one you no \
                 longer use, then make another."
            )),
            AccountRefusal::Signup(refusal) => refusal.into(),
        }
    }
}

/// The administrators' refusals where no caller names the change (the
/// console and the CLI word them with the change's name).
impl From<AdminRefusal> for AppError {
    fn from(refusal: AdminRefusal) -> Self {
        AppError::Conflict(match refusal {
            AdminRefusal::LastAdmin => "That would leave no active administrator. Make someone \
                 else an administrator first."
                .into(),
            AdminRefusal::Yourself => {
                "Administrators can't do that to their own account. Ask another administrator."
                    .into()
            }
        })
    }
}

impl From<SignupRefusal> for AppError {
    fn from(refusal: SignupRefusal) -> Self {
        let ask = "Ask whoever sent it for a new one.";
        match refusal {
            SignupRefusal::Closed => AppError::SignupClosed(
                "This Taskward is not taking new accounts. If you need one, ask whoever runs it."
                    .into(),
            ),
            SignupRefusal::InvitationNeeded => AppError::SignupClosed(
                "Accounts here are by invitation only: sign up through the link in your \
                 invitation."
                    .into(),
            ),
            SignupRefusal::DomainNotAdmitted { domains } => {
                const SHOWN: usize = 5;
                let mut named = domains
                    .iter()
                    .take(SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ");
                if domains.len() > SHOWN {
                    named.push_str(", \u{2026}");
                }
                AppError::SignupClosed(format!(
                    "Accounts here are for addresses at {named}. Use one of those, or ask for an \
                     invitation."
                ))
            }
            SignupRefusal::Invitation(problem) => AppError::InviteInvalid(match problem {
                InvitationProblem::Unknown => format!(
                    "That invitation link is not valid: check that it was copied whole. {ask}"
                ),
                InvitationProblem::Revoked => format!("That invitation was withdrawn. {ask}"),
                InvitationProblem::Expired => format!("That invitation has expired. {ask}"),
                InvitationProblem::UsedUp => format!("That invitation has been used up. {ask}"),
                InvitationProblem::ForAnotherEmail => "That invitation is for another email \
                     address: sign up with the address it was sent to."
                    .into(),
            }),
            SignupRefusal::TooManyInvitations => AppError::Conflict(format!(
                "{MAX_USABLE_INVITATIONS} invitations can be used already, as many as one \
                 Taskward keeps. Revoke some first."
            )),
        }
    }
}
