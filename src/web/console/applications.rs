//! Manage > Applications: the list, Register application, each application's page (its client
//! id and settings, the secret shown once, Regenerate secret, Delete with checkbox + Confirm).
//! Viewers see everything but the secret (never shown after the answer that made it) and change
//! nothing.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::confirm::{self, Confirm, ConfirmForm};
use crate::accounts::FormError;
use crate::accounts::applications as use_case;
use crate::db::applications::Application;
use crate::domain::FieldErrors;
use crate::domain::application::{
    ACCESS_MINUTES, ApplicationInput, CLAIM_GROUPS, ClientType, REFRESH_DAYS,
};
use crate::domain::format::Stamp;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::form::Pairs;
use crate::web::render::{Chrome, html, see_other};
use crate::web::reveal::{self, Kind};
use crate::web::{State, flash, urls};

pub struct Row {
    pub href: String,
    pub name: String,
    pub kind: &'static str,
    pub client_id: String,
    pub redirects: usize,
    pub created: Stamp,
}

#[derive(Template)]
#[template(path = "console/applications.html")]
struct ListPage {
    chrome: Chrome,
    notice: Option<String>,
    rows: Vec<Row>,
    can_manage: bool,
}

pub async fn list(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let all = state.db.run(|c| Ok(crate::db::applications::all(c)?)).await?;
    let rows = all
        .into_iter()
        .map(|a| Row {
            href: urls::console_application(a.public_id),
            kind: a.client_type().map(ClientType::label).unwrap_or("—"),
            redirects: a.redirect_uris().len(),
            created: state.stamp(&a.created_at),
            client_id: a.client_id,
            name: a.name,
        })
        .collect();
    let page = ListPage {
        chrome: Chrome::new(&state, &session, &admin, "applications"),
        notice: flash::take(&session),
        rows,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}

/// The form's values (as saved, or as submitted with errors) and its choices.
pub struct AppForm {
    pub name: String,
    pub client_type: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub refresh_tokens: bool,
    pub access_token_minutes: String,
    pub refresh_token_days: String,
    pub claims: Vec<String>,
    pub attribute_names: Vec<String>,
    pub id_token_alg: String,
    /// The custom attributes an application may receive.
    pub attributes: Vec<String>,
    pub kinds: Vec<(&'static str, &'static str, &'static str)>,
    pub claim_groups: &'static [(&'static str, &'static str)],
    pub access_range: (i32, i32),
    pub refresh_range: (i32, i32),
}

impl AppForm {
    fn new(input: ApplicationInput, attributes: Vec<String>) -> Self {
        Self {
            name: input.name,
            client_type: input.client_type,
            redirect_uris: input.redirect_uris,
            post_logout_redirect_uris: input.post_logout_redirect_uris,
            refresh_tokens: input.refresh_tokens,
            access_token_minutes: input.access_token_minutes,
            refresh_token_days: input.refresh_token_days,
            claims: input.claims,
            attribute_names: input.attribute_names,
            id_token_alg: if input.id_token_alg.is_empty() {
                "RS256".into()
            } else {
                input.id_token_alg
            },
            attributes,
            kinds: [ClientType::Confidential, ClientType::Public]
                .into_iter()
                .map(|k| (k.as_str(), k.label(), k.hint()))
                .collect(),
            claim_groups: &CLAIM_GROUPS,
            access_range: ACCESS_MINUTES,
            refresh_range: REFRESH_DAYS,
        }
    }

    pub fn has_claim(&self, c: &&str) -> bool {
        self.claims.iter().any(|x| x == c)
    }

    /// "From 1 to 60 minutes."
    pub fn range_hint(&self, range: &(i32, i32), unit: &str) -> String {
        format!("From {} to {} {unit}.", range.0, range.1)
    }

    pub fn has_attribute(&self, a: &str) -> bool {
        self.attribute_names.iter().any(|x| x == a)
    }
}

fn saved_input(a: &Application) -> ApplicationInput {
    ApplicationInput {
        name: a.name.clone(),
        client_type: a.client_type.clone(),
        redirect_uris: a.redirect_uris().join("\n"),
        post_logout_redirect_uris: a.post_logout_redirect_uris().join("\n"),
        refresh_tokens: a.refresh_tokens,
        access_token_minutes: a.access_token_minutes.to_string(),
        refresh_token_days: a.refresh_token_days.to_string(),
        claims: a.claims(),
        attribute_names: a.attribute_names(),
        id_token_alg: a.id_token_alg.clone(),
    }
}

fn parse_form(body: &Bytes) -> Result<ApplicationInput, AppError> {
    let mut p = Pairs::parse(body)?;
    let input = ApplicationInput {
        name: p.take("name"),
        client_type: p.take("client_type"),
        redirect_uris: p.take("redirect_uris"),
        post_logout_redirect_uris: p.take("post_logout_redirect_uris"),
        refresh_tokens: p.take("refresh_tokens") == "on",
        access_token_minutes: p.take("access_token_minutes"),
        refresh_token_days: p.take("refresh_token_days"),
        claims: p.take_all("claims"),
        attribute_names: p.take_all("attribute_names"),
        id_token_alg: p.take("id_token_alg"),
    };
    p.finish()?;
    Ok(input)
}

#[derive(Template)]
#[template(path = "console/application_new.html")]
struct NewPage {
    chrome: Chrome,
    f: AppForm,
    errors: FieldErrors,
    can_manage: bool,
}

async fn new_page(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    input: ApplicationInput,
    errors: FieldErrors,
) -> Result<HttpResponse, AppError> {
    let attributes = use_case::attribute_names(&state.db).await?;
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = NewPage {
        chrome: Chrome::new(state, session, admin, "applications"),
        f: AppForm::new(input, attributes),
        errors,
        can_manage: true,
    };
    html(status, &page)
}

pub async fn new_form(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    // Defaults: a server-side application, refresh tokens, 5-minute access tokens.
    let input = ApplicationInput {
        client_type: ClientType::Confidential.as_str().into(),
        refresh_tokens: true,
        access_token_minutes: "5".into(),
        refresh_token_days: "30".into(),
        claims: vec!["email".into(), "profile".into()],
        ..Default::default()
    };
    new_page(&state, &session, &admin, input, FieldErrors::default()).await
}

pub async fn create(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    body: Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let input = parse_form(&body)?;
    match use_case::create(&state.db, admin.actor(&req), input.clone()).await {
        Ok(created) => {
            crate::web::prepare_keys(&state);
            flash::set(&session, "The application is registered.");
            let page = urls::console_application(&created.id);
            Ok(match created.secret {
                Some(secret) => {
                    reveal::see_other_showing(&req, &session, &page, Kind::ClientSecret, &secret)
                }
                None => see_other(&req, &page),
            })
        }
        Err(FormError::Invalid(errors)) => new_page(&state, &session, &admin, input, errors).await,
        Err(FormError::Other(e)) => Err(e),
    }
}

#[derive(Template)]
#[template(path = "console/application.html")]
struct AppPage {
    chrome: Chrome,
    notice: Option<String>,
    /// The client secret, shown once.
    secret: Option<String>,
    base: String,
    name: String,
    client_id: String,
    kind: &'static str,
    confidential: bool,
    issuer: String,
    discovery: String,
    /// Ready to paste into the application's settings.
    config: String,
    created: Stamp,
    updated: Stamp,
    f: AppForm,
    errors: FieldErrors,
    can_manage: bool,
    delete: Confirm,
}

/// The settings an application needs, as environment variables (most OpenID Connect client
/// libraries take these names or near ones).
fn config(issuer: &str, a: &Application) -> String {
    let mut scopes = vec!["openid".to_owned()];
    scopes.extend(a.claims());
    if a.refresh_tokens {
        scopes.push("offline_access".into());
    }
    let mut lines = vec![
        format!("OIDC_ISSUER={issuer}"),
        format!("OIDC_DISCOVERY_URL={issuer}{}", urls::DISCOVERY),
        format!("OIDC_CLIENT_ID={}", a.client_id),
    ];
    if a.client_type() == Some(ClientType::Confidential) {
        lines.push("OIDC_CLIENT_SECRET=<the secret shown when it was made>".into());
    }
    lines.push(format!(
        "OIDC_REDIRECT_URI={}",
        a.redirect_uris().first().cloned().unwrap_or_default()
    ));
    lines.push(format!("OIDC_SCOPES={}", scopes.join(" ")));
    lines.push("OIDC_PKCE_METHOD=S256".into());
    lines.join("\n")
}

fn delete_confirm(a: &Application) -> Confirm {
    Confirm::deletion(
        "Delete application",
        format!(
            "{} will no longer be able to sign customers in, and everything Roster issued to it \
             stops working. This cannot be undone.",
            a.name
        ),
        "I understand that this application will be deleted.",
        urls::console_application(a.public_id),
    )
}

async fn render(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    id: &str,
    secret: Option<String>,
    edit: Option<(ApplicationInput, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let app = use_case::find(&state.db, id).await?;
    let attributes = use_case::attribute_names(&state.db).await?;
    let (input, errors) = edit.unwrap_or_else(|| (saved_input(&app), FieldErrors::default()));
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = AppPage {
        chrome: Chrome::new(state, session, admin, "applications"),
        notice: flash::take(session),
        secret,
        base: urls::console_application(app.public_id),
        kind: app.client_type().map(ClientType::label).unwrap_or("—"),
        confidential: app.client_type() == Some(ClientType::Confidential),
        issuer: state.base_url.clone(),
        discovery: format!("{}{}", state.base_url, urls::DISCOVERY),
        config: config(&state.base_url, &app),
        created: state.stamp(&app.created_at),
        updated: state.stamp(&app.updated_at),
        f: AppForm::new(input, attributes),
        errors,
        can_manage: admin.can_manage_customers(),
        delete: delete_confirm(&app),
        name: app.name,
        client_id: app.client_id,
    };
    html(status, &page)
}

/// The application's page; right after it was registered or its secret regenerated, with the
/// secret, once.
pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let page = urls::console_application(&id);
    let secret = reveal::take(&req, &session, &page, &[Kind::ClientSecret]);
    render(&state, &session, &admin, &id, secret.map(|r| r.value), None).await
}

pub async fn update(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    body: Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let input = parse_form(&body)?;
    match use_case::update(&state.db, admin.actor(&req), &id, input.clone()).await {
        Ok(changed) if changed.is_empty() => {
            flash::set(&session, "Nothing changed.");
            Ok(see_other(&req, &urls::console_application(&id)))
        }
        Ok(changed) => {
            flash::set(&session, &format!("Saved: {}.", changed.join(", ")));
            Ok(see_other(&req, &urls::console_application(&id)))
        }
        Err(FormError::Invalid(errors)) => {
            render(&state, &session, &admin, &id, None, Some((input, errors))).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

/// Regenerate secret: the new one is shown once; the old one stops working at once.
pub async fn regenerate_secret(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let secret = use_case::regenerate_secret(&state.db, admin.actor(&req), &id).await?;
    flash::set(&session, "A new client secret was made. The previous one no longer works.");
    let page = urls::console_application(&id);
    Ok(reveal::see_other_showing(&req, &session, &page, Kind::ClientSecret, &secret))
}

/// Delete application on a page of its own (the dialog's form, without script).
pub async fn show_delete(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let app = use_case::find(&state.db, &id).await?;
    confirm::page(&state, &session, &admin, "applications", &app.name, delete_confirm(&app), false)
}

pub async fn delete(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ConfirmForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    if !form.confirmed() {
        let app = use_case::find(&state.db, &id).await?;
        let c = delete_confirm(&app);
        return confirm::page(&state, &session, &admin, "applications", &app.name, c, true);
    }
    let name = use_case::delete(&state.db, admin.actor(&req), &id).await?;
    flash::set(&session, &format!("The application {name} was deleted."));
    Ok(see_other(&req, urls::CONSOLE_APPLICATIONS))
}
