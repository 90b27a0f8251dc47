//! Emails from one pair of askama templates (plain text and HTML): a greeting, paragraphs, an
//! optional button, and fine print. What each email says is decided here. Links are built only
//! from the configured base URL, never from a request.

use askama::Template;

use crate::db::accounts::display_name;
use crate::db::outbox::Message;
use crate::db::settings::Settings;
use crate::db::tokens::StoredToken;
use crate::domain::format::Zone;
use crate::domain::format::duration_words;
use crate::domain::mail::Template as Kind;
use crate::domain::token::{LinkKey, Purpose};
use crate::domain::urls;

pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The subject line, decided when the message is queued (the outbox lists it).
pub fn subject(kind: Kind, org_name: &str) -> String {
    match kind {
        Kind::Invitation => format!("You are invited to {org_name}: set your password"),
        Kind::AccountCreated => format!("Your {org_name} account was created"),
        Kind::PasswordReset => format!("Choose a new password for {org_name}"),
        Kind::TemporaryPassword => format!("Your {org_name} password was reset"),
        Kind::AccountLocked => format!("Your {org_name} account was locked"),
        Kind::AccountUnlocked => format!("Your {org_name} account was unlocked"),
        Kind::LockedAfterFailures => {
            format!("Your {org_name} account is locked after failed sign-ins")
        }
        Kind::PasswordChanged => format!("Your {org_name} password was changed"),
        Kind::PasswordRecovery => format!("Reset your {org_name} password"),
        Kind::Verification => format!("Verify your email for {org_name}"),
        Kind::AlreadyRegistered => format!("You already have a {org_name} account"),
    }
}

/// Whether the link in a composed email is the real one (to send) or hidden (to preview).
pub enum LinkMode<'a> {
    Real(&'a LinkKey),
    Hidden,
}

pub const HIDDEN_TOKEN: &str = "(link hidden in the preview)";

/// What a message's `params` may hold (never a secret).
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct Params {
    /// The email is for an administrator: its sign-in link is the console's.
    pub console: bool,
    /// A lock for failed sign-ins: how long, and until when (`YYYY-MM-DD HH:MM`, UTC).
    pub minutes: i64,
    pub until: String,
}

pub struct Button {
    pub label: &'static str,
    pub url: String,
    /// Also print the address (for links people may need to copy).
    pub show_url: bool,
}

#[derive(Template)]
#[template(path = "emails/message.txt")]
struct Text<'a> {
    name: &'a str,
    paragraphs: &'a [String],
    button: &'a Option<Button>,
    fine_print: &'a [String],
}

#[derive(Template)]
#[template(path = "emails/message.html")]
struct Html<'a> {
    subject: &'a str,
    name: &'a str,
    org_name: &'a str,
    recipient: &'a str,
    paragraphs: &'a [String],
    button: &'a Option<Button>,
    fine_print: &'a [String],
}

#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    #[error("unknown email template {0:?}")]
    UnknownTemplate(String),
    #[error("the message's link no longer exists")]
    MissingLink,
    #[error(transparent)]
    Render(#[from] askama::Error),
}

/// What an email says.
struct Content {
    paragraphs: Vec<String>,
    button: Option<Button>,
    fine_print: Vec<String>,
}

fn link_url(
    base_url: &str,
    token: Option<&StoredToken>,
    links: &LinkMode<'_>,
    console: bool,
    zone: Zone,
) -> Result<(String, String), ComposeError> {
    let token = token.ok_or(ComposeError::MissingLink)?;
    let secret = match links {
        LinkMode::Real(key) => key.token_for(&token.id),
        LinkMode::Hidden => HIDDEN_TOKEN.to_owned(),
    };
    let path = match token.purpose() {
        Some(Purpose::PasswordReset) => urls::password_reset(&secret),
        Some(Purpose::Recovery) => urls::password_recovery(&secret),
        Some(Purpose::Verification) => urls::verification(&secret),
        Some(Purpose::Invitation) | None if console => urls::console_invitation(&secret),
        Some(Purpose::Invitation) | None => urls::invitation(&secret),
    };
    Ok((format!("{base_url}{path}"), zone.stamp(&token.expires_at).text))
}

fn content(
    kind: Kind,
    message: &Message,
    token: Option<&StoredToken>,
    org: &str,
    zone: Zone,
    base_url: &str,
    links: &LinkMode<'_>,
) -> Result<Content, ComposeError> {
    let params: Params = serde_json::from_str(&message.params).unwrap_or_default();
    let sign_in = Button {
        label: if params.console { "Sign in to the console" } else { "Sign in to My Account" },
        url: format!(
            "{base_url}{}",
            if params.console { urls::CONSOLE_LOGIN } else { urls::MYACCOUNT_LOGIN }
        ),
        show_url: false,
    };
    let forgot_url = format!("{base_url}{}", urls::MYACCOUNT_FORGOT);
    Ok(match kind {
        Kind::Invitation => {
            let (url, expires) = link_url(base_url, token, links, params.console, zone)?;
            Content {
                paragraphs: vec![if params.console {
                    format!(
                        "You are invited to help manage {org}'s customer accounts in its \
                         console. Choose your password to activate your administrator account."
                    )
                } else {
                    format!(
                        "{org} created an account for you. Choose your password to activate it."
                    )
                }],
                button: Some(Button { label: "Set your password", url, show_url: true }),
                fine_print: vec![
                    format!(
                        "The link works once and expires on {expires} UTC. If it has expired, \
                         ask {org} for a new one."
                    ),
                    "If you did not expect this email, you can ignore it.".into(),
                ],
            }
        }
        Kind::PasswordReset => {
            let (url, expires) = link_url(base_url, token, links, params.console, zone)?;
            Content {
                paragraphs: vec![format!(
                    "{org} reset your password: the previous one no longer works. Choose a new \
                     password to sign in again."
                )],
                button: Some(Button { label: "Choose a new password", url, show_url: true }),
                fine_print: vec![
                    format!(
                        "The link works once and expires on {expires} UTC. If it has expired, \
                         ask {org} for a new one."
                    ),
                    format!("If you did not expect this email, contact {org}."),
                ],
            }
        }
        Kind::AccountCreated => Content {
            paragraphs: vec![
                format!(
                    "{org} created an account for you with the username {}.",
                    message.recipient
                ),
                "Your administrator will give you a temporary password. When you first sign \
                 in, you will choose your own."
                    .into(),
            ],
            button: Some(sign_in),
            fine_print: vec![format!("If you did not expect this email, contact {org}.")],
        },
        Kind::TemporaryPassword => Content {
            paragraphs: vec![
                format!(
                    "An administrator of {org} reset your password: the previous one no longer works."
                ),
                "They will give you a temporary password. When you sign in with it, you will \
                 choose a new one."
                    .into(),
            ],
            button: Some(sign_in),
            fine_print: vec![format!("If you did not expect this email, contact {org}.")],
        },
        Kind::AccountLocked => Content {
            paragraphs: vec![
                format!("An administrator of {org} locked your account."),
                "You cannot sign in until it is unlocked, and every place you were signed in \
                 has been signed out."
                    .into(),
            ],
            button: None,
            fine_print: vec![format!("If you think this is a mistake, contact {org}.")],
        },
        Kind::AccountUnlocked => Content {
            paragraphs: vec![format!("Your {org} account was unlocked. You can sign in again.")],
            button: Some(sign_in),
            fine_print: vec![format!("If you did not expect this email, contact {org}.")],
        },
        Kind::LockedAfterFailures => Content {
            paragraphs: vec![
                format!(
                    "After several failed sign-in attempts in a row, your account is locked for \
                     {}, until {} UTC. Even the right password is refused until then.",
                    duration_words(params.minutes),
                    params.until
                ),
                "If these attempts were not yours, someone may be trying to guess your \
                 password. When the lock is over, sign in and, if you can, choose a stronger \
                 password."
                    .into(),
            ],
            button: None,
            fine_print: vec![format!("If you need access sooner, contact {org}.")],
        },
        Kind::PasswordChanged => Content {
            paragraphs: vec![
                format!("The password of your {org} account was just changed."),
                "Every other place you were signed in has been signed out.".into(),
            ],
            button: None,
            fine_print: vec![if params.console {
                format!(
                    "If you did not change it, someone else may know your password: tell the \
                     owner of {org}'s console at once."
                )
            } else {
                format!(
                    "If you did not change it, someone else may know your password: reset it at \
                     {forgot_url} and contact {org}."
                )
            }],
        },
        Kind::PasswordRecovery => {
            let (url, expires) = link_url(base_url, token, links, params.console, zone)?;
            Content {
                paragraphs: vec![format!(
                    "Someone asked to reset the password of your {org} account. If it was you, \
                     choose a new password with the link below."
                )],
                button: Some(Button { label: "Choose a new password", url, show_url: true }),
                fine_print: vec![
                    format!("The link works once and expires on {expires} UTC."),
                    "If you did not ask, ignore this email: your password has not changed.".into(),
                ],
            }
        }
        Kind::Verification => {
            let (url, expires) = link_url(base_url, token, links, params.console, zone)?;
            Content {
                paragraphs: vec![format!(
                    "Thank you for creating an account at {org}. Confirm that this address is \
                     yours to activate it."
                )],
                button: Some(Button { label: "Verify your email", url, show_url: true }),
                fine_print: vec![
                    format!(
                        "The link works once and expires on {expires} UTC. If it has expired, \
                         sign in to ask for a new one."
                    ),
                    "If you did not create an account, ignore this email.".into(),
                ],
            }
        }
        Kind::AlreadyRegistered => Content {
            paragraphs: vec![
                format!(
                    "Someone tried to create an account at {org} with this address, but you \
                     already have one."
                ),
                "Sign in with your password. If you forgot it, you can reset it.".into(),
            ],
            button: Some(sign_in),
            fine_print: vec![
                format!("Forgot your password? {forgot_url}"),
                "If this was not you, ignore this email: nothing was changed.".into(),
            ],
        },
    })
}

pub fn compose(
    message: &Message,
    token: Option<&StoredToken>,
    org: &Settings,
    base_url: &str,
    links: LinkMode<'_>,
) -> Result<Composed, ComposeError> {
    let org_name = org.name.as_str();
    let kind = message
        .template()
        .ok_or_else(|| ComposeError::UnknownTemplate(message.template.clone()))?;
    let name = display_name(&message.recipient_name, "", &message.recipient);
    let c = content(kind, message, token, org_name, org.zone(), base_url, &links)?;
    let subject = message.subject.as_str();
    let text = Text {
        name: &name,
        paragraphs: &c.paragraphs,
        button: &c.button,
        fine_print: &c.fine_print,
    }
    .render()?;
    let html = Html {
        subject,
        name: &name,
        org_name,
        recipient: &message.recipient,
        paragraphs: &c.paragraphs,
        button: &c.button,
        fine_print: &c.fine_print,
    }
    .render()?;
    Ok(Composed { subject: subject.to_owned(), text, html })
}
