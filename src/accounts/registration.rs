//! Self-registration from the My Account sign-in page (Settings > Self-registration), and the
//! email verification that activates the account. An address that already has an account gets
//! the same answer as a new one, and an email saying so: registering tells nobody which
//! addresses are customers (while verification is on; with it off a new account is signed in
//! at once, which an existing address cannot be).

use std::collections::HashMap;

use chrono::Duration;
use serde_json::json;

use super::links::{self, AcceptError, Link, SendBy};
use super::{FormError, Services, profile, queue_email};
use crate::db::accounts::{self, Account, NewAccount};
use crate::db::audit::{self, Actor};
use crate::db::ids::PublicId;
use crate::db::stored_hash::HashText;
use crate::db::tokens::{self, TokenState};
use crate::db::{attributes, settings};
use crate::domain::FieldErrors;
use crate::domain::account::{Kind, Status};
use crate::domain::attribute::Place;
use crate::domain::email::EmailAddress;
use crate::domain::mail::Template;
use crate::domain::name::PersonName;
use crate::domain::password::{Password, checklist};
use crate::domain::token::Purpose;
use crate::error::AppError;

pub struct RegistrationInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: String,
    pub confirm: String,
    /// By attribute name.
    pub attributes: HashMap<String, String>,
}

/// What the visitor is told.
pub enum Registered {
    /// "Check your email" (a new pending account, or an address that already had one).
    CheckEmail,
    /// Verification is off: the new account is active; sign it in.
    Active(Box<Account>),
}

/// Self-registration is off: its pages do not exist.
pub async fn ensure_enabled(s: &Services<'_>) -> Result<settings::Settings, AppError> {
    let org = s.db.run(|c| Ok(settings::load(c)?)).await?;
    if org.self_registration_enabled { Ok(org) } else { Err(AppError::NotFound) }
}

pub async fn register(
    s: &Services<'_>,
    input: RegistrationInput,
    ip: &str,
) -> Result<Registered, FormError> {
    let org = ensure_enabled(s).await?;
    let schema = s.db.run(|c| Ok(attributes::all(c)?)).await?;
    let mut errors = FieldErrors::default();
    let email = EmailAddress::parse(&input.email).map_err(|m| errors.add("email", m)).ok();
    let names = PersonName::parse_both(&input.first_name, &input.last_name, &mut errors);
    let policy = org.password_policy();
    let password = match &email {
        Some(e) => Password::parse_confirmed(
            &input.password,
            &input.confirm,
            &policy,
            e,
            ("password", "confirm"),
            &mut errors,
        ),
        None => {
            // No address to check the name part against yet; the rest of the policy still is.
            if !checklist(&input.password, &policy, None).iter().all(|c| c.met) {
                errors.add("password", "Choose a password that meets every rule below.");
            }
            None
        }
    };
    let checked = profile::check_attributes(
        &schema,
        &input.attributes,
        Place::Registration,
        false,
        &mut errors,
    )?;
    let (Some(email), Some((first, last)), Some(password)) = (email, names, password) else {
        return Err(FormError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    // Hashed whether or not the address is taken: both answers take the same time.
    let hash = s.hasher.hash(password.expose().to_owned()).await?;
    let verify = org.registration_verification;
    let (links_tx, ip, at) = (s.links.clone(), ip.to_owned(), s.clock.now());
    let outcome =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let anonymous = Actor::anonymous(&ip);
                if let Some(existing) =
                    accounts::find_by_email(conn, Kind::Customer, email.as_str())?
                {
                    queue_email(conn, &existing, Template::AlreadyRegistered, None, json!({}))?;
                    audit::record(
                        conn,
                        &anonymous,
                        "registration.existing_email",
                        Some((&existing.public_id.to_string(), &existing.email)),
                        json!({}),
                    )?;
                    return Ok(Ok(None));
                }
                let clash = profile::clashes(conn, None, &checked)?;
                if !clash.is_empty() {
                    return Ok(Err(clash));
                }
                let public_id = PublicId::new();
                let status = if verify { Status::PendingVerification } else { Status::Active };
                let id = accounts::insert(
                    conn,
                    &NewAccount {
                        public_id,
                        kind: Kind::Customer.as_str(),
                        role: None,
                        email: email.as_str(),
                        first_name: first.as_str(),
                        last_name: last.as_str(),
                        first_name_key: &first.search_key(),
                        last_name_key: &last.search_key(),
                        password_hash: Some(HashText(&hash)),
                        must_change_password: false,
                        status: status.as_str(),
                        lock_reason: None,
                        created_at: at,
                        updated_at: at,
                        last_sign_in_at: None,
                    },
                )?;
                for (attribute, value) in &checked {
                    attributes::set_value(conn, attribute.id, id, value.as_ref())?;
                }
                let account = accounts::find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
                if verify {
                    links::issue(
                        conn,
                        &links_tx,
                        &account,
                        Purpose::Verification,
                        SendBy::Email,
                        at,
                    )?;
                }
                let actor = Actor::account(id, public_id, email.as_str(), &ip);
                audit::record(
                    conn,
                    &actor,
                    "customer.registered",
                    Some((&public_id.to_string(), email.as_str())),
                    json!({ "verification": verify }),
                )?;
                Ok::<_, diesel::result::Error>(Ok(Some(account)))
            })
            .map_err(AppError::from)
        })
        .await?;
    s.outbox.wake();
    match outcome {
        Err(clash) => Err(FormError::Invalid(clash)),
        Ok(Some(account)) if !verify => Ok(Registered::Active(Box::new(account))),
        Ok(_) => Ok(Registered::CheckEmail),
    }
}

/// **Resend** on the "check your email" page: a new verification link for a pending account
/// (the previous one stops working), at most once a minute. Says nothing either way.
pub async fn resend(s: &Services<'_>, raw_email: &str, ip: &str) -> Result<(), AppError> {
    ensure_enabled(s).await?;
    let Ok(email) = EmailAddress::parse(raw_email) else { return Ok(()) };
    let (links_tx, at) = (s.links.clone(), s.clock.now());
    let ip = ip.to_owned();
    let sent =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let Some(account) = accounts::find_by_email(conn, Kind::Customer, email.as_str())?
                    .filter(|a| links::awaits(Purpose::Verification, a))
                else {
                    return Ok(false);
                };
                let recent = tokens::latest(conn, account.id, Purpose::Verification)?
                    .is_some_and(|t| at - t.created_at < Duration::seconds(60));
                if recent {
                    return Ok(false);
                }
                let revoked = tokens::revoke_open(conn, account.id, Purpose::Verification, at)?;
                links::issue(conn, &links_tx, &account, Purpose::Verification, SendBy::Email, at)?;
                audit::record(
                    conn,
                    &Actor::anonymous(&ip),
                    "verification.resent",
                    Some((&account.public_id.to_string(), &account.email)),
                    json!({ "revoked": revoked.len() }),
                )?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if sent {
        s.outbox.wake();
    }
    Ok(())
}

/// Follows a verification link (POST: mail scanners only GET): the account becomes active.
/// Returns the email, for the sign-in page.
pub async fn verify(s: &Services<'_>, token: &str, ip: &str) -> Result<String, AcceptError> {
    let Some((stored, account)) =
        links::lookup(s.db, token, Purpose::Verification, Kind::Customer).await?
    else {
        return Err(AcceptError::Closed(Link::Unknown));
    };
    let at = s.clock.now();
    if let closed @ (TokenState::Used | TokenState::Revoked | TokenState::Expired) =
        links::link_state(&stored, &account, at)
    {
        return Err(AcceptError::Closed(Link::Closed(closed)));
    }
    let actor = Actor::account(account.id, account.public_id, &account.email, ip);
    let (token_id, id, public_id, email) =
        (stored.id, account.id, account.public_id.to_string(), account.email);
    let address = email.clone();
    let verified =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let pending = accounts::find(conn, id)?
                    .is_some_and(|a| links::awaits(Purpose::Verification, &a));
                if !pending || !tokens::consume(conn, &token_id, at)? {
                    return Ok(false);
                }
                accounts::set_status(conn, id, Status::Active, at)?;
                accounts::mark_email_verified(conn, id, at)?;
                let subject = Some((public_id.as_str(), email.as_str()));
                audit::record(conn, &actor, "customer.verified", subject, json!({}))?;
                Ok::<_, diesel::result::Error>(true)
            })
            .map_err(AppError::from)
        })
        .await?;
    if verified { Ok(address) } else { Err(AcceptError::Closed(Link::Closed(TokenState::Used))) }
}
