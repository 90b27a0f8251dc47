//! Emails from askama templates: a subject, a plain-text body and an HTML body. Links are built
//! only from the configured base URL, never from a request.

use askama::Template;

use crate::db::accounts::display_name;
use crate::db::outbox::Message;
use crate::db::tokens::StoredToken;
use crate::domain::mail::Template as Kind;
use crate::domain::token::LinkKey;
use crate::web::urls;

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
    }
}

/// Whether the link in a composed email is the real one (to send) or hidden (to preview).
pub enum LinkMode<'a> {
    Real(&'a LinkKey),
    Hidden,
}

pub const HIDDEN_TOKEN: &str = "(link hidden in the preview)";

#[derive(Template)]
#[template(path = "emails/invitation.txt")]
struct InvitationText<'a> {
    name: &'a str,
    org_name: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "emails/invitation.html")]
struct InvitationHtml<'a> {
    subject: &'a str,
    name: &'a str,
    org_name: &'a str,
    recipient: &'a str,
    link: &'a str,
    expires: &'a str,
}

#[derive(Template)]
#[template(path = "emails/account_created.txt")]
struct AccountCreatedText<'a> {
    name: &'a str,
    org_name: &'a str,
    recipient: &'a str,
    link: &'a str,
}

#[derive(Template)]
#[template(path = "emails/account_created.html")]
struct AccountCreatedHtml<'a> {
    subject: &'a str,
    name: &'a str,
    org_name: &'a str,
    recipient: &'a str,
    link: &'a str,
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

pub fn compose(
    message: &Message,
    token: Option<&StoredToken>,
    org_name: &str,
    base_url: &str,
    links: LinkMode<'_>,
) -> Result<Composed, ComposeError> {
    let kind = message
        .template()
        .ok_or_else(|| ComposeError::UnknownTemplate(message.template.clone()))?;
    let name = display_name(&message.recipient_name, "", &message.recipient);
    let (subject, recipient) = (message.subject.as_str(), message.recipient.as_str());
    let (text, html) = match kind {
        Kind::Invitation => {
            let token = token.ok_or(ComposeError::MissingLink)?;
            let secret = match links {
                LinkMode::Real(key) => key.token_for(&token.id),
                LinkMode::Hidden => HIDDEN_TOKEN.to_owned(),
            };
            let link = format!("{base_url}{}", urls::invitation(&secret));
            let expires = crate::web::render::date_time(&token.expires_at);
            let (link, expires) = (link.as_str(), expires.as_str());
            (
                InvitationText { name: &name, org_name, link, expires }.render()?,
                InvitationHtml { subject, name: &name, org_name, recipient, link, expires }
                    .render()?,
            )
        }
        Kind::AccountCreated => {
            let link = format!("{base_url}{}", urls::MYACCOUNT_LOGIN);
            let link = link.as_str();
            (
                AccountCreatedText { name: &name, org_name, recipient, link }.render()?,
                AccountCreatedHtml { subject, name: &name, org_name, recipient, link }.render()?,
            )
        }
    };
    Ok(Composed { subject: subject.to_owned(), text, html })
}
