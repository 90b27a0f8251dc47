//! Creating the organization owner (from `roster create-owner` or the first-run setup page).

use serde_json::json;

use crate::db::accounts::{self, NewAccount};
use crate::db::audit::{self, Actor};
use crate::db::ids::PublicId;
use crate::db::stored_hash::HashText;
use crate::db::{Db, now, settings};
use crate::domain::account::{Kind, Role, Status};
use crate::domain::email::EmailAddress;
use crate::domain::name::PersonName;
use crate::domain::password::Password;
use crate::domain::settings::NAME_MAX;
use crate::domain::{FieldErrors, is_forbidden_char};
use crate::error::AppError;
use crate::passwords::Hasher;

/// What the form or the command line gave, unparsed.
#[derive(Debug, Clone, Default)]
pub struct OwnerInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password: String,
    /// The organization's name, asked at first-run setup (emails and pages say it); `None`
    /// keeps the current one (the command line without `--organization`).
    pub organization: Option<String>,
}

#[derive(Debug)]
pub enum CreateOwnerError {
    Invalid(FieldErrors),
    OwnerExists,
    Other(AppError),
}

impl From<AppError> for CreateOwnerError {
    fn from(e: AppError) -> Self {
        Self::Other(e)
    }
}

pub const OWNER_EXISTS: &str = "This organization already has an owner. \
     Ask them to invite you as an administrator.";

pub async fn create_owner(
    db: &Db,
    hasher: &Hasher,
    input: OwnerInput,
    actor: Actor,
) -> Result<PublicId, CreateOwnerError> {
    let policy = db.run(|c| Ok(settings::load(c)?.password_policy())).await?;
    let mut errors = FieldErrors::default();
    let email = EmailAddress::parse(&input.email).map_err(|m| errors.add("email", m)).ok();
    let names = PersonName::parse_optional_both(&input.first_name, &input.last_name, &mut errors);
    let password = email.as_ref().and_then(|email| {
        Password::parse(&input.password, &policy, email).map_err(|m| errors.add("password", m)).ok()
    });
    let organization = match input.organization.as_deref().map(str::trim) {
        None => None,
        Some("") => {
            errors.add("organization", "Enter your organization's name.");
            None
        }
        Some(name) if name.chars().count() > NAME_MAX || name.chars().any(is_forbidden_char) => {
            errors.add(
                "organization",
                format!("Use at most {NAME_MAX} characters, without control characters."),
            );
            None
        }
        Some(name) => Some(name.to_owned()),
    };
    if !errors.is_empty() {
        return Err(CreateOwnerError::Invalid(errors));
    }
    let (Some(email), Some((first, last)), Some(password)) = (email, names, password) else {
        return Err(CreateOwnerError::Invalid(errors));
    };
    if db.run(|c| Ok(accounts::owner_exists(c)?)).await? {
        return Err(CreateOwnerError::OwnerExists);
    }
    let hash = hasher.hash(password.expose().to_owned()).await?;

    let created = db
        .run(move |conn| {
            crate::db::write(conn, |conn| {
                // Checked again inside the write transaction: two setups racing create one owner.
                if accounts::owner_exists(conn)? {
                    return Ok(None);
                }
                let at = now();
                if let Some(name) = &organization {
                    settings::set_name(conn, name, at)?;
                }
                let id = PublicId::new();
                accounts::insert(
                    conn,
                    &NewAccount {
                        public_id: id,
                        kind: Kind::Administrator.as_str(),
                        role: Some(Role::Owner.as_str()),
                        email: email.as_str(),
                        first_name: first.as_str(),
                        last_name: last.as_str(),
                        first_name_key: &first.search_key(),
                        last_name_key: &last.search_key(),
                        password_hash: Some(HashText(&hash)),
                        must_change_password: false,
                        status: Status::Active.as_str(),
                        lock_reason: None,
                        created_at: at,
                        updated_at: at,
                        last_sign_in_at: None,
                    },
                )?;
                audit::record(
                    conn,
                    &actor,
                    "owner.created",
                    Some((&id.to_string(), email.as_str())),
                    match &organization {
                        Some(name) => json!({ "email": email.as_str(), "organization": name }),
                        None => json!({ "email": email.as_str() }),
                    },
                )?;
                Ok::<_, diesel::result::Error>(Some(id))
            })
            .map_err(AppError::from)
        })
        .await?;
    created.ok_or(CreateOwnerError::OwnerExists)
}
