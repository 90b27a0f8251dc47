//! The console's own people: inviting administrators and viewers (through the same one-time
//! links as customers' invitations), resending and revoking an invitation, changing a role,
//! removing someone, and handing the ownership over. The rules, checked here inside each write
//! transaction against the acting administrator as stored now: nobody but the owner acts on
//! the owner (and the owner's only way to change their own account is My profile), nobody
//! removes or demotes themself, and only the owner transfers the ownership.

use serde_json::json;

use super::links::{self, SendBy};
use super::{FormError, Services};
use crate::db::accounts::{self, Account, NewAccount};
use crate::db::audit::{self, Actor};
use crate::db::ids::{AccountId, PublicId};
use crate::db::{Conn, Db, now, outbox};
use crate::domain::FieldErrors;
use crate::domain::account::{Kind, Role, Status};
use crate::domain::email::EmailAddress;
use crate::domain::name::PersonName;
use crate::domain::token::Purpose;
use crate::error::AppError;

pub const VIEWERS_REFUSED: AppError =
    AppError::Forbidden("Viewers can see this but not change it. Ask an owner or administrator.");
pub const EMAIL_TAKEN: &str = "An administrator with this email already exists.";
pub const CHOOSE_ROLE: &str = "Choose Administrator or Viewer.";
pub const OWNER_PROTECTED: AppError =
    AppError::Forbidden("Only the owner changes the owner's account, from My profile.");
pub const NOT_YOURSELF: AppError = AppError::Forbidden(
    "You cannot change your own role or remove yourself. Ask another administrator.",
);
pub const OWNER_ONLY: AppError = AppError::Forbidden("Only the owner can transfer the ownership.");
pub const NOT_PENDING: AppError =
    AppError::Forbidden("This administrator has already accepted the invitation.");
pub const TRANSFER_TO_ACTIVE: &str =
    "The ownership can only go to an administrator who has signed in (not a pending invitation).";
pub const TRANSFER_REFUSED: AppError = AppError::Forbidden(
    "Only the owner hands the ownership over, to another administrator or viewer who has signed in.",
);
pub const WRONG_PASSWORD: &str = "This is not your current password.";

/// The roles an invitation or a role change may give (there is one owner; it is handed over,
/// never given).
pub fn assignable(raw: &str) -> Option<Role> {
    Role::parse(raw).filter(|r| *r != Role::Owner)
}

/// What Invite administrator's form gave, unparsed.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    /// `email` or `offline`.
    pub delivery: String,
}

pub struct Invited {
    pub account_id: String,
    /// The link to copy, when the invitation was not emailed (shown once).
    pub link: Option<String>,
}

/// The acting administrator as stored now, and the administrator `target_id`, with the rules
/// every action on another administrator obeys.
fn acting_on(
    conn: &mut Conn,
    by: AccountId,
    target_id: &str,
) -> Result<(Account, Account), AppError> {
    let by = accounts::find(conn, by)?.ok_or(AppError::Unauthenticated)?;
    if !matches!(by.role(), Some(Role::Owner | Role::Administrator)) {
        return Err(VIEWERS_REFUSED);
    }
    let target = accounts::find_public(conn, target_id)?
        .filter(|a| a.kind() == Some(Kind::Administrator))
        .ok_or(AppError::NotFound)?;
    if target.id == by.id {
        return Err(NOT_YOURSELF);
    }
    if target.role() == Some(Role::Owner) {
        return Err(OWNER_PROTECTED);
    }
    Ok((by, target))
}

pub async fn invite(
    s: &Services<'_>,
    by: AccountId,
    actor: Actor,
    input: InviteInput,
) -> Result<Invited, FormError> {
    let mut errors = FieldErrors::default();
    let email = EmailAddress::parse(&input.email).map_err(|m| errors.add("email", m)).ok();
    let names = PersonName::parse_optional_both(&input.first_name, &input.last_name, &mut errors);
    let role = assignable(&input.role);
    if role.is_none() {
        errors.add("role", CHOOSE_ROLE);
    }
    let by_email = match input.delivery.as_str() {
        "email" if s.smtp_available => SendBy::Email,
        "email" => {
            errors.add("delivery", super::onboarding::NO_MAIL_SERVER);
            SendBy::Email
        }
        "offline" => SendBy::Offline,
        _ => {
            errors.add("delivery", "Choose how to send the invitation.");
            SendBy::Offline
        }
    };
    let (Some(email), Some((first, last)), Some(role)) = (email, names, role) else {
        return Err(FormError::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(FormError::Invalid(errors));
    }
    let (links, by) = (s.links.clone(), by);
    let outcome =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let inviter = accounts::find(conn, by)?;
                if !inviter
                    .is_some_and(|a| matches!(a.role(), Some(Role::Owner | Role::Administrator)))
                {
                    return Ok(Err(VIEWERS_REFUSED));
                }
                if accounts::find_by_email(conn, Kind::Administrator, email.as_str())?.is_some() {
                    return Ok(Ok(None));
                }
                let (public_id, at) = (PublicId::new(), now());
                let id = accounts::insert(
                    conn,
                    &NewAccount {
                        public_id,
                        kind: Kind::Administrator.as_str(),
                        role: Some(role.as_str()),
                        email: email.as_str(),
                        first_name: first.as_str(),
                        last_name: last.as_str(),
                        first_name_key: &first.search_key(),
                        last_name_key: &last.search_key(),
                        password_hash: None,
                        must_change_password: false,
                        status: Status::PendingPassword.as_str(),
                        lock_reason: None,
                        created_at: at,
                        updated_at: at,
                        last_sign_in_at: None,
                    },
                )?;
                let account = accounts::find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
                let token =
                    links::issue(conn, &links, &account, Purpose::Invitation, by_email, at)?;
                audit::record(
                    conn,
                    &actor,
                    "administrator.invited",
                    Some((&public_id.to_string(), email.as_str())),
                    json!({ "role": role.as_str(), "delivery": by_email.audit_name() }),
                )?;
                Ok::<_, diesel::result::Error>(Ok(Some((public_id.to_string(), token))))
            })
            .map_err(AppError::from)
        })
        .await??;
    let Some((account_id, token)) = outcome else {
        let mut errors = FieldErrors::default();
        errors.add("email", EMAIL_TAKEN);
        return Err(FormError::Invalid(errors));
    };
    let link = match by_email {
        SendBy::Email => {
            s.outbox.wake();
            None
        }
        SendBy::Offline => Some(s.links.console_invitation_url(&token)),
    };
    Ok(Invited { account_id, link })
}

/// A new invitation link for a pending administrator; the previous one stops working (and an
/// unsent email carrying it is cancelled). Returns the link when it is to be copied.
pub async fn resend(
    s: &Services<'_>,
    by: AccountId,
    actor: Actor,
    target_id: &str,
    send: SendBy,
) -> Result<Option<String>, AppError> {
    let (links, by, id) = (s.links.clone(), by, target_id.to_owned());
    let token =
        s.db.run(move |conn| {
            crate::db::write(conn, |conn| {
                let (_, target) = match acting_on(conn, by, &id) {
                    Ok(pair) => pair,
                    Err(e) => return Ok(Err(e)),
                };
                if target.status() != Some(Status::PendingPassword) {
                    return Ok(Err(NOT_PENDING));
                }
                let at = now();
                let revoked = links::revoke_password_links(
                    conn,
                    target.id,
                    "a newer link replaced this one",
                    at,
                )?;
                let token = links::issue(conn, &links, &target, Purpose::Invitation, send, at)?;
                audit::record(
                    conn,
                    &actor,
                    "administrator.invitation_resent",
                    Some((&id, &target.email)),
                    json!({ "delivery": send.audit_name(), "revoked": revoked }),
                )?;
                Ok::<_, diesel::result::Error>(Ok(token))
            })
            .map_err(AppError::from)
        })
        .await??;
    Ok(match send {
        SendBy::Email => {
            s.outbox.wake();
            None
        }
        SendBy::Offline => Some(s.links.console_invitation_url(&token)),
    })
}

/// Who was removed, for the page that says so.
pub struct Removed {
    pub email: String,
    pub name: String,
}

/// Revoke (a pending invitation) or Remove (anyone but the owner and oneself): the account
/// goes, and with it its sessions (so a signed-in administrator is signed out on their very
/// next request), links and emails. Their audit events keep their name.
pub async fn remove(
    db: &Db,
    by: AccountId,
    actor: Actor,
    target_id: &str,
    only_pending: bool,
) -> Result<Removed, AppError> {
    let (by, id) = (by, target_id.to_owned());
    db.run(move |conn| {
        crate::db::write(conn, |conn| {
            let (_, target) = match acting_on(conn, by, &id) {
                Ok(pair) => pair,
                Err(e) => return Ok(Err(e)),
            };
            let pending = target.status() == Some(Status::PendingPassword);
            if only_pending && !pending {
                return Ok(Err(NOT_PENDING));
            }
            outbox::delete_for_account(conn, target.id)?;
            accounts::delete(conn, target.id)?;
            let name = target.display_name();
            let action = if only_pending {
                "administrator.invitation_revoked"
            } else {
                "administrator.removed"
            };
            audit::record(
                conn,
                &actor,
                action,
                Some((&id, &target.email)),
                json!({ "name": name, "role": target.role.clone().unwrap_or_default() }),
            )?;
            Ok::<_, diesel::result::Error>(Ok(Removed { email: target.email, name }))
        })
        .map_err(AppError::from)
    })
    .await?
}

/// A new role for an administrator or viewer; in effect on their next request.
pub async fn change_role(
    db: &Db,
    by: AccountId,
    actor: Actor,
    target_id: &str,
    raw_role: &str,
) -> Result<bool, FormError> {
    let Some(role) = assignable(raw_role) else {
        let mut errors = FieldErrors::default();
        errors.add("role", CHOOSE_ROLE);
        return Err(FormError::Invalid(errors));
    };
    let (by, id) = (by, target_id.to_owned());
    let changed = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                let (_, target) = match acting_on(conn, by, &id) {
                    Ok(pair) => pair,
                    Err(e) => return Ok(Err(e)),
                };
                let before = target.role.clone().unwrap_or_default();
                if before == role.as_str() {
                    return Ok(Ok(false));
                }
                accounts::set_role(conn, target.id, role, now())?;
                audit::record(
                    conn,
                    &actor,
                    "administrator.role_changed",
                    Some((&target.public_id.to_string(), &target.email)),
                    json!({ "role": { "before": before, "after": role.as_str() } }),
                )?;
                Ok::<_, diesel::result::Error>(Ok(true))
            })
            .map_err(AppError::from)
        })
        .await??;
    Ok(changed)
}

/// Hands the ownership to an active administrator or viewer, who becomes the owner; the old
/// owner becomes an Administrator. Needs the owner's current password (a wrong one counts like
/// a failed sign-in, the caller's part).
pub async fn transfer_ownership(
    s: &Services<'_>,
    by: AccountId,
    actor: Actor,
    target_id: &str,
    password: &str,
) -> Result<(), FormError> {
    let owner = s.db.run(move |c| Ok(accounts::find(c, by)?)).await?;
    let owner = owner.ok_or(AppError::Unauthenticated)?;
    if owner.role() != Some(Role::Owner) {
        return Err(OWNER_ONLY.into());
    }
    if !s.hasher.verify(password.to_owned(), owner.password_hash.clone()).await? {
        let mut errors = FieldErrors::default();
        errors.add("password", WRONG_PASSWORD);
        return Err(FormError::Invalid(errors));
    }
    let id = target_id.to_owned();
    s.db.run(move |conn| {
        crate::db::write(conn, |conn| {
            // Checked again inside the write transaction: the ownership may have moved since.
            let (by, target) = match acting_on(conn, owner.id, &id) {
                Ok(pair) => pair,
                Err(e) => return Ok(Err(e.into())),
            };
            if by.role() != Some(Role::Owner) {
                return Ok(Err(OWNER_ONLY.into()));
            }
            if target.status() != Some(Status::Active) {
                let mut errors = FieldErrors::default();
                errors.add("password", TRANSFER_TO_ACTIVE);
                return Ok(Err(FormError::Invalid(errors)));
            }
            let at = now();
            accounts::set_role(conn, by.id, Role::Administrator, at)?;
            accounts::set_role(conn, target.id, Role::Owner, at)?;
            audit::record(
                conn,
                &actor,
                "ownership.transferred",
                Some((&target.public_id.to_string(), &target.email)),
                json!({
                    "from": by.email,
                    "role": { "before": target.role.clone().unwrap_or_default(), "after": "owner" },
                }),
            )?;
            Ok::<_, diesel::result::Error>(Ok(()))
        })
        .map_err(AppError::from)
    })
    .await?
}
