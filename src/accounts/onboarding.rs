//! The New User wizard's Finish: a customer with either an invitation (by email or a link to
//! copy) or a temporary password, optional groups, the emails it causes and the audit events,
//! all in one transaction. A repeated submission (double click, reload) finds the customer
//! the first one created instead of making a second.

use serde_json::json;

use std::collections::HashMap;

use super::{FormError, Services, profile};
use crate::db::accounts::{self, NewAccount};
use crate::db::attributes::{self, Attribute};
use crate::db::audit::{self, Actor};
use crate::db::ids::{GroupId, PublicId};
use crate::db::outbox::{self, NewMessage};
use crate::db::stored_hash::HashText;
use crate::db::{Db, groups, now, settings, submissions, tokens};
use crate::domain::FieldErrors;
use crate::domain::account::{Kind, Status};
use crate::domain::attribute::{AttributeValue, Place};
use crate::domain::email::EmailAddress;
use crate::domain::mail::Template;
use crate::domain::name::PersonName;
use crate::domain::password::Password;
use crate::domain::token::Purpose;
use crate::error::AppError;
use crate::mail::compose;

/// How the customer gets a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordMethod {
    /// An email with a link to set it.
    InviteByEmail,
    /// A link the console shows once, for the administrator to pass on.
    InviteOffline,
    /// The administrator's temporary password, to be replaced at first sign-in.
    Temporary(String),
}

impl PasswordMethod {
    fn audit_name(&self) -> &'static str {
        match self {
            Self::InviteByEmail => "invitation_email",
            Self::InviteOffline => "invitation_offline",
            Self::Temporary(_) => "temporary_password",
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewCustomer {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub method: PasswordMethod,
    pub group_ids: Vec<String>,
    /// Console-required custom attributes, by attribute name.
    pub attributes: HashMap<String, String>,
    /// The wizard's random key for this submission.
    pub submission: String,
}

/// What the console shows once after Finish, and never again.
pub enum Reveal {
    InvitationLink(String),
    TemporaryPassword(String),
}

pub struct Created {
    pub account_id: String,
    pub email: String,
    pub method: PasswordMethod,
    pub reveal: Option<Reveal>,
}

pub const EMAIL_TAKEN: &str = "A customer with this email already exists.";
pub const NO_MAIL_SERVER: &str =
    "No mail server is configured, so the invitation cannot be emailed. Choose to copy the link.";

/// Everything the wizard's first step checks; also used to decide whether to move on to step 2.
pub struct ValidDetails {
    pub email: EmailAddress,
    pub first: PersonName,
    pub last: PersonName,
    pub password: Option<Password>,
    /// The console-required custom attributes, checked.
    pub attributes: Vec<(Attribute, Option<AttributeValue>)>,
}

pub async fn validate(
    db: &Db,
    input: &NewCustomer,
    smtp_available: bool,
) -> Result<ValidDetails, FormError> {
    let (policy, schema) =
        db.run(|c| Ok((settings::load(c)?.password_policy(), attributes::all(c)?))).await?;
    let mut errors = FieldErrors::default();
    let email = EmailAddress::parse(&input.email).map_err(|m| errors.add("email", m)).ok();
    let names = PersonName::parse_both(&input.first_name, &input.last_name, &mut errors);
    let mut password = None;
    match &input.method {
        PasswordMethod::Temporary(raw) => match &email {
            Some(email) => match Password::parse(raw, &policy, email) {
                Ok(p) => password = Some(p),
                Err(m) => errors.add("password", m),
            },
            None if raw.is_empty() => errors.add("password", "Enter a temporary password."),
            None => {}
        },
        PasswordMethod::InviteByEmail if !smtp_available => errors.add("delivery", NO_MAIL_SERVER),
        _ => {}
    }
    if let Some(email) = &email {
        let e = email.as_str().to_owned();
        let taken = db.run(move |c| Ok(accounts::find_by_email(c, Kind::Customer, &e)?)).await?;
        if taken.is_some() {
            errors.add("email", EMAIL_TAKEN);
        }
    }
    let attributes =
        profile::check_attributes(&schema, &input.attributes, Place::Console, true, &mut errors)?;
    match (email, names) {
        (Some(email), Some((first, last))) if errors.is_empty() => {
            Ok(ValidDetails { email, first, last, password, attributes })
        }
        _ => Err(FormError::Invalid(errors)),
    }
}

/// How the write transaction ended.
enum Outcome {
    Created(PublicId, Option<String>),
    /// A twin request created the customer: its public id.
    Replay(PublicId),
    EmailTaken,
    Invalid(FieldErrors),
}

pub async fn create_customer(
    s: &Services<'_>,
    actor: Actor,
    input: NewCustomer,
) -> Result<Created, FormError> {
    let actor_id = actor.key.ok_or(AppError::Unauthenticated)?;
    // A repeat of a submission that already created its customer is answered first: the email
    // is taken by then, and the administrator should see the customer, not an error.
    let earlier = || {
        let key = input.submission.clone();
        s.db.run(move |c| Ok(submissions::find(c, &key, actor_id)?))
    };
    if let Some(id) = earlier().await? {
        return replay(s, id, input).await;
    }
    let valid = match validate(s.db, &input, s.smtp_available).await {
        Ok(valid) => valid,
        // A twin of this request may have created the customer a moment ago (so the email is
        // taken now): answer as the twin did.
        Err(FormError::Invalid(errors)) => match earlier().await? {
            Some(id) => return replay(s, id, input).await,
            None => return Err(FormError::Invalid(errors)),
        },
        Err(e) => return Err(e),
    };
    let hash = match &valid.password {
        Some(p) => Some(s.hasher.hash(p.expose().to_owned()).await?),
        None => None,
    };
    let org = s.db.run(|c| Ok(settings::load(c)?)).await?;
    let links = s.links.clone();
    let method = input.method.clone();
    let tx_input = input.clone();
    let email = valid.email.to_string();
    let outcome =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                // Checked again inside the write transaction, which serializes writers: two
                // racing requests cannot both pass.
                if let Some(id) = submissions::find(conn, &tx_input.submission, actor_id)? {
                    return Ok(Outcome::Replay(id));
                }
                if accounts::find_by_email(conn, Kind::Customer, valid.email.as_str())?.is_some() {
                    return Ok(Outcome::EmailTaken);
                }
                let clash = profile::clashes(conn, None, &valid.attributes)?;
                if !clash.is_empty() {
                    return Ok(Outcome::Invalid(clash));
                }
                let group_ids: Vec<GroupId> = groups::existing(conn, &tx_input.group_ids)?
                    .into_iter()
                    .map(|g| g.id)
                    .collect();
                let (public_id, at) = (PublicId::new(), now());
                let temporary = matches!(method, PasswordMethod::Temporary(_));
                let id = accounts::insert(
                    conn,
                    &NewAccount {
                        public_id,
                        kind: Kind::Customer.as_str(),
                        role: None,
                        email: valid.email.as_str(),
                        first_name: valid.first.as_str(),
                        last_name: valid.last.as_str(),
                        first_name_key: &valid.first.search_key(),
                        last_name_key: &valid.last.search_key(),
                        password_hash: hash.as_deref().map(HashText),
                        must_change_password: temporary,
                        status: if temporary {
                            Status::Active.as_str()
                        } else {
                            Status::PendingPassword.as_str()
                        },
                        lock_reason: None,
                        created_at: at,
                        updated_at: at,
                        last_sign_in_at: None,
                    },
                )?;
                let group_ids = groups::add_member(conn, id, &group_ids, at)?;
                for (attribute, value) in &valid.attributes {
                    attributes::set_value(conn, attribute.id, id, value.as_ref())?;
                }
                let public = public_id.to_string();
                let subject = (public.as_str(), valid.email.as_str());
                audit::record(
                    conn,
                    &actor,
                    "customer.created",
                    Some(subject),
                    json!({ "method": method.audit_name(), "groups": group_ids.len() }),
                )?;
                let recipient_name = format!("{} {}", valid.first.as_str(), valid.last.as_str());
                let mut message = NewMessage {
                    template: Template::AccountCreated,
                    account_id: id,
                    recipient: valid.email.as_str(),
                    recipient_name: &recipient_name,
                    subject: "",
                    token_id: None,
                    params: json!({}),
                };
                let mut token_id = None;
                if temporary {
                    audit::record(
                        conn,
                        &actor,
                        "password.temporary_set",
                        Some(subject),
                        json!({}),
                    )?;
                } else {
                    let expires = at + org.invitation_expiry();
                    let t = tokens::replace(
                        conn,
                        id,
                        Purpose::Invitation,
                        |tid| links.token_hash(tid),
                        at,
                        expires,
                    )?;
                    let delivery =
                        if method == PasswordMethod::InviteByEmail { "email" } else { "offline" };
                    audit::record(
                        conn,
                        &actor,
                        "invitation.sent",
                        Some(subject),
                        json!({ "delivery": delivery }),
                    )?;
                    message.template = Template::Invitation;
                    token_id = Some(t);
                }
                if method != PasswordMethod::InviteOffline {
                    let subject_line = compose::subject(message.template, &org.name);
                    message.subject = &subject_line;
                    message.token_id = token_id.as_deref();
                    outbox::enqueue(conn, &message, at)?;
                }
                submissions::insert(conn, &tx_input.submission, actor_id, id, at)?;
                Ok::<_, diesel::result::Error>(Outcome::Created(public_id, token_id))
            })
            .map_err(AppError::from)
        })
        .await?;
    match outcome {
        Outcome::Replay(existing) => replay(s, existing, input).await,
        Outcome::Invalid(errors) => Err(FormError::Invalid(errors)),
        Outcome::EmailTaken => {
            let mut errors = FieldErrors::default();
            errors.add("email", EMAIL_TAKEN);
            Err(FormError::Invalid(errors))
        }
        Outcome::Created(id, token_id) => {
            s.outbox.wake();
            let reveal = match (&input.method, token_id) {
                (PasswordMethod::InviteOffline, Some(t)) => {
                    Some(Reveal::InvitationLink(s.links.invitation_url(&t)))
                }
                (PasswordMethod::Temporary(p), _) => Some(Reveal::TemporaryPassword(p.clone())),
                _ => None,
            };
            Ok(Created { account_id: id.to_string(), email, method: input.method, reveal })
        }
    }
}

/// The answer to a repeated submission: the customer it created, with what the first answer
/// revealed, rebuilt (the offline link is derived again; the temporary password is in the
/// repeated form itself). Nothing secret was kept to do this.
async fn replay(
    s: &Services<'_>,
    account_id: PublicId,
    input: NewCustomer,
) -> Result<Created, FormError> {
    let (account, token) =
        s.db.run(move |c| {
            let account = accounts::find_by_public(c, account_id)?;
            let token = match &account {
                Some(a) => tokens::latest(c, a.id, Purpose::Invitation)?,
                None => None,
            };
            Ok((account, token))
        })
        .await?;
    let account = account.ok_or(AppError::NotFound)?;
    let account_id = account_id.to_string();
    let reveal = match &input.method {
        PasswordMethod::InviteOffline => token
            .filter(|t| t.state(now()) == tokens::TokenState::Usable)
            .map(|t| Reveal::InvitationLink(s.links.invitation_url(&t.id))),
        PasswordMethod::Temporary(p) if account.must_change_password => {
            Some(Reveal::TemporaryPassword(p.clone()))
        }
        _ => None,
    };
    Ok(Created { account_id, email: account.email, method: input.method, reveal })
}
