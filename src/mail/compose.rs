//! What each mail says, as plain text and HTML: short, one action at most,
//! every link on the instance's public origin.

use uuid::Uuid;

use super::MailKind;

/// A mail ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub kind: MailKind,
    /// The account it is about, if any.
    pub user_id: Option<Uuid>,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A mail's words before they are laid out twice.
struct Letter<'a> {
    subject: String,
    paragraphs: Vec<String>,
    /// A button in HTML, a line of its own in text: (label, URL).
    action: Option<(&'a str, String)>,
    /// Below the action: why they got it, what to do if it was not them.
    footnote: Option<String>,
}

impl Letter<'_> {
    fn into_mail(self, to: &str, kind: MailKind, user_id: Option<Uuid>, origin: &str) -> Mail {
        let mut text = String::new();
        let mut html = String::from(
            "<!doctype html><html><body style=\"font-family: system-ui, sans-serif; \
             line-height: 1.5; color: #1f2933; max-width: 34rem\">",
        );
        for paragraph in &self.paragraphs {
            text.push_str(paragraph);
            text.push_str("\n\n");
            html.push_str(&format!("<p>{}</p>", escape(paragraph)));
        }
        if let Some((label, url)) = &self.action {
            text.push_str(&format!("{label}: {url}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{url}\" style=\"display: inline-block; padding: 0.5rem 1rem; \
                 background: #2457c5; color: #ffffff; border-radius: 0.375rem; \
                 text-decoration: none\">{label}</a></p><p style=\"font-size: 0.875rem\">\
                 Or open this link: {url}</p>",
                url = escape(url),
                label = escape(label),
            ));
        }
        if let Some(footnote) = &self.footnote {
            text.push_str(footnote);
            text.push_str("\n\n");
            html.push_str(&format!(
                "<p style=\"font-size: 0.875rem; color: #52606d\">{}</p>",
                escape(footnote)
            ));
        }
        text.push_str(&format!("-- \nTaskward at {origin}\n"));
        html.push_str(&format!(
            "<p style=\"font-size: 0.875rem; color: #52606d\">Taskward at \
             <a href=\"{origin}\">{origin}</a></p></body></html>",
            origin = escape(origin)
        ));
        Mail {
            to: to.to_owned(),
            kind,
            user_id,
            subject: self.subject,
            text,
            html,
        }
    }
}

fn escape(text: &str) -> String {
    html_escape::encode_double_quoted_attribute(text).into_owned()
}

/// The console's "send a test mail".
pub fn test_mail(to: &str, sent_by: &str, origin: &str) -> Mail {
    Letter {
        subject: "Taskward test mail".into(),
        paragraphs: vec![
            "This is a test mail from Taskward. If you can read it, this instance can send mail."
                .into(),
            format!("It was sent by the administrator {sent_by} from the mail page."),
        ],
        action: Some(("Open the mail page", format!("{origin}/admin/mail"))),
        footnote: None,
    }
    .into_mail(to, MailKind::Test, None, origin)
}

/// The longest title a reminder's subject carries; the body has it whole.
const SUBJECT_TITLE_CHARS: usize = 80;

/// A todo's reminder: `when` says when it is due in the user's words
/// ("today at 09:00"); `late` when it could not go out at its minute.
pub fn reminder(
    to: &str,
    user_id: Uuid,
    title: &str,
    when: &str,
    late: bool,
    origin: &str,
) -> Mail {
    let mut subject_title: String = title.chars().take(SUBJECT_TITLE_CHARS).collect();
    if title.chars().count() > SUBJECT_TITLE_CHARS {
        subject_title.push('\u{2026}');
    }
    let mut paragraphs = vec![format!("\u{201c}{title}\u{201d} is due {when}.")];
    if late {
        paragraphs
            .push("This reminder is late: Taskward could not send it at its time.".to_owned());
    }
    Letter {
        subject: format!("Reminder: {subject_title}"),
        paragraphs,
        action: Some(("Open your todos", format!("{origin}/todos"))),
        footnote: Some(format!(
            "You get this because the todo has a reminder. Choose how you are reminded at \
             {origin}/account/notifications."
        )),
    }
    .into_mail(to, MailKind::Reminder, Some(user_id), origin)
}

/// The answer to "send me a test" on the notifications page.
pub fn reminder_test(to: &str, user_id: Uuid, origin: &str) -> Mail {
    Letter {
        subject: "Taskward test reminder".into(),
        paragraphs: vec![
            "This is a test reminder. If you can read it, your reminders reach you by mail.".into(),
        ],
        action: Some((
            "Open your notification settings",
            format!("{origin}/account/notifications"),
        )),
        footnote: None,
    }
    .into_mail(to, MailKind::Reminder, Some(user_id), origin)
}

/// A link to set a new password, valid for `minutes`.
pub fn password_reset(to: &str, user_id: Uuid, url: &str, minutes: i64, origin: &str) -> Mail {
    Letter {
        subject: "Reset your Taskward password".into(),
        paragraphs: vec![
            "Someone (we hope you) asked to reset the password of your Taskward account.".into(),
            format!(
                "The link below lets you choose a new one. It works once, for {minutes} minutes; \
                 asking again makes a new link and this one stops working."
            ),
        ],
        action: Some(("Choose a new password", url.to_owned())),
        footnote: Some(
            "If you did not ask, ignore this mail: your password stays as it is.".into(),
        ),
    }
    .into_mail(to, MailKind::PasswordReset, Some(user_id), origin)
}

/// The notice after a password was set with a reset link.
pub fn password_changed(to: &str, user_id: Uuid, origin: &str) -> Mail {
    Letter {
        subject: "Your Taskward password was changed".into(),
        paragraphs: vec![
            "The password of your Taskward account was just changed with a reset link, and \
             every device was signed out."
                .into(),
        ],
        action: Some(("Sign in", format!("{origin}/signin"))),
        footnote: Some(
            "If this was not you, ask for a new reset link at once and tell your administrator."
                .into(),
        ),
    }
    .into_mail(to, MailKind::PasswordChanged, Some(user_id), origin)
}

/// An invitation link, to the one address it admits.
pub fn invitation(to: &str, url: &str, days: u32, makes_admin: bool, origin: &str) -> Mail {
    let role = if makes_admin {
        " The account will be an administrator of this Taskward service."
    } else {
        ""
    };
    Letter {
        subject: "You are invited to Taskward".into(),
        paragraphs: vec![
            format!(
                "You are invited to make an account on the Taskward service at {origin}, a \
                 private todo list.{role}"
            ),
            format!(
                "The link below works for this address only, for {days} day{}.",
                if days == 1 { "" } else { "s" }
            ),
        ],
        action: Some(("Create your account", url.to_owned())),
        footnote: Some("If you did not expect this, ignore this mail.".into()),
    }
    .into_mail(to, MailKind::Invitation, None, origin)
}

/// The link that confirms an account's address, after sign-up or on
/// "send it again".
pub fn verify_email(to: &str, user_id: Uuid, url: &str, hours: i64, origin: &str) -> Mail {
    Letter {
        subject: "Confirm your email address for Taskward".into(),
        paragraphs: vec![
            "Please confirm that this is the address of your new Taskward account.".into(),
            format!(
                "The link below works once, for {hours} hours; asking for another makes this one                  stop working."
            ),
        ],
        action: Some(("Confirm this address", url.to_owned())),
        footnote: Some(
            "If you did not make a Taskward account, ignore this mail: without the link the              address stays unconfirmed."
                .into(),
        ),
    }
    .into_mail(to, MailKind::VerifyEmail, Some(user_id), origin)
}

/// The link that moves an account to a new address, sent to that address.
pub fn confirm_new_email(to: &str, user_id: Uuid, url: &str, hours: i64, origin: &str) -> Mail {
    Letter {
        subject: "Confirm your new email address for Taskward".into(),
        paragraphs: vec![
            "Someone (we hope you) asked to move a Taskward account to this address.".into(),
            format!(
                "The account moves when the link below is followed: it works once, for {hours}                  hours."
            ),
        ],
        action: Some(("Move my account to this address", url.to_owned())),
        footnote: Some(
            "If you did not ask, ignore this mail: nothing changes without the link.".into(),
        ),
    }
    .into_mail(to, MailKind::ConfirmNewEmail, Some(user_id), origin)
}

/// To the old address when a move to `new_address` is asked for.
pub fn email_change_notice(to: &str, user_id: Uuid, new_address: &str, origin: &str) -> Mail {
    Letter {
        subject: "Your Taskward address is about to change".into(),
        paragraphs: vec![
            format!(
                "Someone signed in to your Taskward account asked to move it to {new_address}.                  It moves only when the link sent there is followed."
            ),
            "If that was you, there is nothing to do here.".into(),
        ],
        action: Some(("Review your account", format!("{origin}/account"))),
        footnote: Some(
            "If it was not you, sign in, cancel the change on your account page and change              your password; if you cannot sign in, ask for a reset link."
                .into(),
        ),
    }
    .into_mail(to, MailKind::EmailChangeNotice, Some(user_id), origin)
}

/// To the account: an administrator removed its two-step sign-in.
pub fn second_factor_removed_notice(to: &str, user_id: Uuid, origin: &str) -> Mail {
    Letter {
        subject: "Two-step sign-in was turned off on your Taskward account".into(),
        paragraphs: vec![
            "An administrator removed the second factor (authenticator app and recovery codes) \
             from your Taskward account, as you may have asked them to. From now on your \
             password alone signs you in."
                .into(),
            "Set up two-step sign-in again on your security page.".into(),
        ],
        action: Some((
            "Open your security page",
            format!("{origin}/account/security"),
        )),
        footnote: Some(
            "If you did not ask for this, change your password now and tell your administrator."
                .into(),
        ),
    }
    .into_mail(to, MailKind::SecondFactorRemoved, Some(user_id), origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_bodies_carry_the_link_on_the_public_origin_and_html_is_escaped() {
        let mail = test_mail(
            "a@example.com",
            "<b>admin</b>@example.com",
            "https://tasks.example",
        );
        assert!(mail.text.contains("https://tasks.example/admin/mail"));
        assert!(
            mail.html
                .contains("href=\"https://tasks.example/admin/mail\"")
        );
        assert!(mail.html.contains("&lt;b&gt;admin&lt;/b&gt;"));
        assert!(!mail.html.contains("<b>admin"));
        assert!(mail.text.contains("<b>admin</b>@example.com"));
    }
}
