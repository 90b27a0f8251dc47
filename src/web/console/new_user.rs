//! Manage > Users > New User > Customer: the wizard. Step 1 takes the details and the password
//! method, step 2 the groups (skipped while there are none), Finish creates the customer and
//! shows their page with what is to be shown once. Server-side steps: it works without
//! JavaScript; htmx only swaps the password block (Generate, live policy checklist).

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse};
use askama::Template;

use crate::accounts::FormError;
use crate::accounts::onboarding::{self, NewCustomer, PasswordMethod, Reveal};
use crate::web::flash;
use crate::web::render::see_other;
use crate::web::reveal::{self, Kind};
use std::collections::HashMap;

use super::password_choice::PasswordChoice;
use crate::db::settings;
use crate::db::{attributes, groups};
use crate::domain::FieldErrors;
use crate::domain::attribute::Place;
use crate::domain::email::EmailAddress;
use crate::domain::password::Password;
use crate::domain::token::random_token;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::form::{Pairs, UNEXPECTED};
use crate::web::password_policy::{PolicyFragment, PolicyView};
use crate::web::profile_fields::{self, AttributeField};
use crate::web::render::{Chrome, html};
use crate::web::{State, urls};

/// The wizard's fields, as posted (every step carries them all, in hidden fields if need be).
#[derive(Debug, Clone, Default)]
struct Fields {
    submission: String,
    email: String,
    first_name: String,
    last_name: String,
    /// "invite" or "temporary"
    method: String,
    /// "email" or "offline"
    delivery: String,
    password: String,
    groups: Vec<String>,
    /// Console-required custom attributes, by attribute name.
    attributes: HashMap<String, String>,
}

impl Fields {
    fn fresh(smtp: bool) -> Self {
        Self {
            submission: random_token(),
            method: "invite".into(),
            delivery: if smtp { "email" } else { "offline" }.into(),
            ..Self::default()
        }
    }

    /// Reads the form; `action` is the button pressed.
    fn parse(body: &Bytes) -> Result<(Self, String), AppError> {
        let mut p = Pairs::parse(body)?;
        let action = p.take("action");
        let fields = Self {
            submission: p.take("submission"),
            email: p.take("email"),
            first_name: p.take("first_name"),
            last_name: p.take("last_name"),
            method: p.take("method"),
            delivery: p.take("delivery"),
            password: p.take("password"),
            groups: p.take_all("groups"),
            attributes: p.take_prefixed("attr_"),
        };
        p.finish()?;
        if fields.submission.len() != 43
            || !matches!(fields.method.as_str(), "invite" | "temporary")
        {
            return Err(UNEXPECTED);
        }
        Ok((fields, action))
    }

    fn method(&self) -> PasswordMethod {
        match (self.method.as_str(), self.delivery.as_str()) {
            ("temporary", _) => PasswordMethod::Temporary(self.password.clone()),
            (_, "email") => PasswordMethod::InviteByEmail,
            _ => PasswordMethod::InviteOffline,
        }
    }

    fn to_input(&self) -> NewCustomer {
        NewCustomer {
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            method: self.method(),
            group_ids: self.groups.clone(),
            attributes: self.attributes.clone(),
            submission: self.submission.clone(),
        }
    }
}

pub struct GroupChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "console/new_user.html")]
struct WizardPage {
    chrome: Chrome,
    step: u8,
    f: Fields,
    errors: FieldErrors,
    has_groups: bool,
    groups: Vec<GroupChoice>,
    m: PasswordChoice,
    policy: PolicyView,
    /// The attributes the organization requires in the console, as fields.
    attribute_fields: Vec<AttributeField>,
    /// For the shared attribute fields (only managers reach the wizard).
    can_manage: bool,
}

/// The checklist refreshes while the email or the password is typed.
const TRIGGER: &str =
    "input changed delay:200ms from:#password, input changed delay:200ms from:#email";

fn policy_view(f: &Fields, policy: &crate::domain::password::PasswordPolicy) -> PolicyView {
    let email = EmailAddress::parse(&f.email).ok();
    PolicyView::new(
        urls::CONSOLE_NEW_USER_POLICY.to_owned(),
        TRIGGER,
        &f.password,
        policy,
        email.as_ref(),
    )
}

struct Step {
    number: u8,
    status: StatusCode,
    errors: FieldErrors,
    reveal_password: bool,
}

async fn render(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    f: Fields,
    step: Step,
) -> Result<HttpResponse, AppError> {
    // One trip: the policy for the checklist, and the groups (step 2 lists them; step 1 only
    // needs to know whether there are any).
    let listing = step.number == 2;
    let (policy, all_groups, has_groups, schema) = state
        .db
        .run(move |c| {
            let policy = settings::load(c)?.password_policy();
            let schema = attributes::all(c)?;
            if listing {
                let all = groups::all(c)?;
                let any = !all.is_empty();
                Ok((policy, all, any, schema))
            } else {
                Ok((policy, Vec::new(), groups::any_exist(c)?, schema))
            }
        })
        .await?;
    let attribute_fields =
        profile_fields::fields(&schema, Place::Console, &HashMap::new(), Some(&f.attributes), true);
    let groups = all_groups
        .into_iter()
        .map(|g| {
            let id = g.public_id.to_string();
            GroupChoice { checked: f.groups.contains(&id), id, name: g.name }
        })
        .collect::<Vec<_>>();
    let m = PasswordChoice {
        legend: "Select the method to set the user password",
        invite_hint: "The customer sets a password with a one-time link and confirms the account.",
        method: f.method.clone(),
        delivery: f.delivery.clone(),
        password: f.password.clone(),
        reveal_password: step.reveal_password,
        smtp: state.smtp_available,
        form_href: urls::CONSOLE_NEW_USER.to_owned(),
    };
    let page = WizardPage {
        chrome: Chrome::new(state, session, admin, "users"),
        step: step.number,
        policy: policy_view(&f, &policy),
        m,
        has_groups,
        groups,
        f,
        errors: step.errors,
        attribute_fields,
        can_manage: true,
    };
    html(step.status, &page)
}

fn step(number: u8, status: StatusCode, errors: FieldErrors) -> Step {
    Step { number, status, errors, reveal_password: false }
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let f = Fields::fresh(state.smtp_available);
    render(&state, &session, &admin, f, step(1, StatusCode::OK, FieldErrors::default())).await
}

/// The live checklist (htmx, while the administrator types).
pub async fn policy(state: State, body: Bytes) -> Result<HttpResponse, AppError> {
    let (f, _) = Fields::parse(&body)?;
    let policy = state.db.run(|c| Ok(settings::load(c)?.password_policy())).await?;
    html(StatusCode::OK, &PolicyFragment { policy: policy_view(&f, &policy) })
}

pub async fn submit(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    body: Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (mut f, action) = Fields::parse(&body)?;
    let ok = FieldErrors::default;
    match action.as_str() {
        "generate" => {
            let policy = state.db.run(|c| Ok(settings::load(c)?.password_policy())).await?;
            f.password = Password::generate(&policy);
            f.method = "temporary".into();
            let s = Step { reveal_password: true, ..step(1, StatusCode::OK, ok()) };
            render(&state, &session, &admin, f, s).await
        }
        "back" => render(&state, &session, &admin, f, step(1, StatusCode::OK, ok())).await,
        "next" => {
            match onboarding::validate(&state.db, &f.to_input(), state.smtp_available).await {
                Err(FormError::Invalid(errors)) => {
                    render(
                        &state,
                        &session,
                        &admin,
                        f,
                        step(1, StatusCode::UNPROCESSABLE_ENTITY, errors),
                    )
                    .await
                }
                Err(FormError::Other(e)) => Err(e),
                Ok(_) if state.db.run(|c| Ok(groups::any_exist(c)?)).await? => {
                    render(&state, &session, &admin, f, step(2, StatusCode::OK, ok())).await
                }
                Ok(_) => finish(&state, &session, &admin, f, &req).await,
            }
        }
        "finish" => finish(&state, &session, &admin, f, &req).await,
        _ => Err(UNEXPECTED),
    }
}

async fn finish(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    f: Fields,
    req: &HttpRequest,
) -> Result<HttpResponse, AppError> {
    let actor = admin.actor(req);
    match onboarding::create_customer(&state.services(), actor, f.to_input()).await {
        Ok(created) => {
            let message = match created.method {
                PasswordMethod::InviteByEmail => format!(
                    "Customer {} was created. An invitation to set a password is on its way.",
                    created.email
                ),
                PasswordMethod::InviteOffline => format!(
                    "Customer {} was created. Copy the invitation link below and pass it on.",
                    created.email
                ),
                PasswordMethod::Temporary(_) => format!(
                    "Customer {} was created with a temporary password. They will choose their own \
                     at first sign-in.",
                    created.email
                ),
            };
            flash::set(session, &message);
            let page = urls::console_user(&created.account_id);
            Ok(match created.reveal {
                Some(Reveal::InvitationLink(link)) => {
                    reveal::see_other_showing(req, session, &page, Kind::InvitationLink, &link)
                }
                Some(Reveal::TemporaryPassword(p)) => {
                    reveal::see_other_showing(req, session, &page, Kind::TemporaryPassword, &p)
                }
                None => see_other(req, &page),
            })
        }
        Err(FormError::Invalid(errors)) => {
            render(state, session, admin, f, step(1, StatusCode::UNPROCESSABLE_ENTITY, errors))
                .await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}
