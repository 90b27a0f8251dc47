//! Manage > Users: the list (search, filter, sort, keyset pages) and a customer's summary.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use crate::accounts::FormError;
use crate::accounts::invitations::{self, Delivery, Pending, ResendBy};
use crate::accounts::list::{self, COUNT_CAP, ListParams, ListRequest, PAGE_SIZES};
use crate::accounts::onboarding::Reveal;
use crate::accounts::profile::{self, ProfileInput};
use crate::db::customer_list::CustomerRow;
use crate::db::tokens::TokenState;
use std::collections::HashMap;

use super::profile_fields::{AttributeField, console_fields, split_form};
use crate::db::{accounts, attributes, groups};
use crate::domain::FieldErrors;
use crate::domain::account::{Kind, LockReason, Status};
use crate::domain::mail::MailState;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, date_time, html, is_htmx, iso, see_other};
use crate::web::{State, flash, urls};

/// A status as a badge: CSS modifier and words.
pub struct Badge {
    pub class: &'static str,
    pub label: &'static str,
    pub reason: Option<&'static str>,
}

pub fn badge(status: &str, lock_reason: Option<&str>) -> Badge {
    let status = Status::parse(status);
    Badge {
        class: match status {
            Some(Status::Active) => "active",
            Some(Status::Locked) => "locked",
            _ => "pending",
        },
        label: status.map(Status::label).unwrap_or("Unknown"),
        reason: lock_reason.and_then(LockReason::parse).map(LockReason::label),
    }
}

pub struct Row {
    pub href: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub badge: Badge,
    pub created: String,
    pub created_iso: String,
    pub last_sign_in: String,
    pub last_sign_in_iso: String,
    pub groups: Vec<String>,
}

impl Row {
    fn of(r: &CustomerRow, groups: Option<&Vec<String>>) -> Self {
        Self {
            href: urls::console_user(&r.id),
            email: r.email.clone(),
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            badge: badge(&r.status, r.lock_reason.as_deref()),
            created: date_time(&r.created_at),
            created_iso: iso(&r.created_at),
            last_sign_in: r.last_sign_in_at.as_ref().map(date_time).unwrap_or_default(),
            last_sign_in_iso: r.last_sign_in_at.as_ref().map(iso).unwrap_or_default(),
            groups: groups.cloned().unwrap_or_default(),
        }
    }
}

/// A column header that sorts: its link and the arrow showing the current order.
pub struct SortLink {
    pub href: String,
    pub arrow: &'static str,
    pub aria: &'static str,
}

/// Everything the results block shows (the part htmx swaps).
pub struct Results {
    pub rows: Vec<Row>,
    pub q: String,
    pub status: String,
    pub group: String,
    pub per_page: i64,
    pub sort: &'static str,
    pub dir: &'static str,
    pub count_label: String,
    pub filtered: bool,
    pub next_href: Option<String>,
    pub prev_href: Option<String>,
    pub sort_created: SortLink,
    pub sort_last_sign_in: SortLink,
    pub sort_email: SortLink,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    chrome: Chrome,
    results: Results,
    statuses: Vec<(&'static str, &'static str)>,
    group_options: std::sync::Arc<Vec<groups::Group>>,
    page_sizes: [i64; 3],
    can_manage: bool,
}

#[derive(Template)]
#[template(path = "console/users.html", block = "results")]
struct UsersFragment {
    results: Results,
}

/// 12345 → "12,345".
fn thousands(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn list_href(p: &ListParams) -> String {
    // Leave defaults out so URLs stay short and readable.
    let mut q = p.clone();
    if q.per_page == Some(list::DEFAULT_PER_PAGE) {
        q.per_page = None;
    }
    let pairs: Vec<(&str, String)> = [
        ("q", q.q.clone()),
        ("status", q.status.clone()),
        ("group", q.group.clone()),
        ("sort", q.sort.clone()),
        ("dir", q.dir.clone()),
        ("per_page", q.per_page.map(|n| n.to_string()).unwrap_or_default()),
        ("after", q.after.clone().unwrap_or_default()),
        ("before", q.before.clone().unwrap_or_default()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let query = serde_urlencoded::to_string(pairs).unwrap_or_default();
    if query.is_empty() {
        urls::CONSOLE_USERS.to_owned()
    } else {
        format!("{}?{query}", urls::CONSOLE_USERS)
    }
}

fn sort_link(base: &ListParams, req: &ListRequest, field: &'static str) -> SortLink {
    let current = req.sort_name() == field;
    // Clicking the current column flips it; another column starts in its natural direction.
    let dir = match (current, req.descending) {
        (true, true) => "asc",
        (true, false) => "desc",
        (false, _) if field == "email" => "asc",
        (false, _) => "desc",
    };
    let params = ListParams {
        sort: field.to_owned(),
        dir: dir.to_owned(),
        after: None,
        before: None,
        ..base.clone()
    };
    let (arrow, aria) = match (current, req.descending) {
        (true, true) => ("↓", "descending"),
        (true, false) => ("↑", "ascending"),
        _ => ("", "none"),
    };
    SortLink { href: list_href(&params), arrow, aria }
}

pub async fn list(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    params: web::Query<ListParams>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let request = ListRequest::parse(&params)?;
    let page = list::list_customers(&state.db, request.clone()).await?;

    let base = ListParams { after: None, before: None, ..params.clone() };
    let filtered =
        !request.search.is_empty() || request.status.is_some() || request.group.is_some();
    let noun = if filtered { "matching customers" } else { "customers" };
    let count_label = if page.count > COUNT_CAP {
        format!("More than {} {noun}", thousands(COUNT_CAP))
    } else if page.count == 1 {
        format!("1 {}", noun.trim_end_matches('s'))
    } else {
        format!("{} {noun}", thousands(page.count))
    };
    let results = Results {
        rows: page.rows.iter().map(|r| Row::of(r, page.groups_of.get(&r.id))).collect(),
        q: params.q.clone(),
        status: params.status.clone(),
        group: params.group.clone(),
        per_page: request.per_page,
        sort: request.sort_name(),
        dir: if request.descending { "desc" } else { "asc" },
        count_label,
        filtered,
        next_href: page.next.map(|c| list_href(&ListParams { after: Some(c), ..base.clone() })),
        prev_href: page.prev.map(|c| list_href(&ListParams { before: Some(c), ..base.clone() })),
        sort_created: sort_link(&base, &request, "created"),
        sort_last_sign_in: sort_link(&base, &request, "last_sign_in"),
        sort_email: sort_link(&base, &request, "email"),
    };
    if is_htmx(&req) {
        return html(StatusCode::OK, &UsersFragment { results });
    }
    let page = UsersPage {
        chrome: Chrome::new(&session, &admin, "users"),
        results,
        statuses: Status::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        group_options: state.groups.all(&state.db).await?,
        page_sizes: PAGE_SIZES,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}

/// What the customer page says once, after an action: a confirmation, and perhaps a secret to
/// copy (an invitation link or a temporary password) that is never shown again.
pub struct Notice {
    pub message: String,
    pub reveal: Option<Reveal>,
}

/// The tabs of a customer's page.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    #[default]
    Profile,
    Groups,
}

/// How to show a customer's page: which tab, a one-time notice, and the Profile form as
/// submitted when it had errors.
#[derive(Default)]
pub struct CustomerView {
    pub tab: Tab,
    pub notice: Option<Notice>,
    pub edit: Option<ProfileEdit>,
}

/// The Profile form as submitted, shown again with its messages.
pub struct ProfileEdit {
    pub first_name: String,
    pub last_name: String,
    pub attributes: HashMap<String, String>,
    pub errors: FieldErrors,
}

/// A secret shown once, with what it is.
pub struct Shown {
    pub label: &'static str,
    pub value: String,
    pub hint: &'static str,
}

/// A group the customer is in, with the address that removes them from it.
pub struct GroupChip {
    pub name: String,
    pub remove_href: String,
}

/// The pending invitation, in words.
pub struct InvitationView {
    pub summary: String,
    pub sent: String,
    pub sent_iso: String,
    pub expires: String,
    pub problem: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "console/user.html")]
struct UserPage {
    chrome: Chrome,
    id: String,
    email: String,
    first_name: String,
    last_name: String,
    /// The Profile form's values (the saved ones, or those submitted with errors).
    form_first_name: String,
    form_last_name: String,
    errors: FieldErrors,
    attribute_fields: Vec<AttributeField>,
    tab: &'static str,
    profile_href: String,
    badge: Badge,
    created: String,
    updated: String,
    last_sign_in: String,
    must_change_password: bool,
    groups: Vec<GroupChip>,
    /// Groups the customer is not in, to add.
    other_groups: Vec<groups::Group>,
    groups_href: String,
    back_href: &'static str,
    notice: Option<String>,
    shown: Option<Shown>,
    invitation: Option<InvitationView>,
    can_manage: bool,
    smtp: bool,
    resend_href: String,
}

fn invitation_view(p: Pending) -> InvitationView {
    let summary = match p.delivery {
        Delivery::Offline => "link shown in the console to copy".to_owned(),
        Delivery::Email(state) => match state {
            MailState::Sent => "email delivered to the mail server".to_owned(),
            MailState::Queued => "email queued".to_owned(),
            MailState::Retrying => "email not delivered yet; retrying".to_owned(),
            MailState::Failed => "email could not be delivered".to_owned(),
            MailState::Cancelled => "email cancelled".to_owned(),
        },
    };
    let problem = match p.state {
        TokenState::Usable => None,
        TokenState::Expired => Some("The link has expired: send a new invitation."),
        TokenState::Revoked => Some("The link was revoked: send a new invitation."),
        TokenState::Used => Some("The link was used."),
    };
    InvitationView {
        summary,
        sent: date_time(&p.sent_at),
        sent_iso: iso(&p.sent_at),
        expires: date_time(&p.expires_at),
        problem,
    }
}

/// The customer's page, with an optional one-time notice.
pub async fn render_customer(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    id: &str,
    view: CustomerView,
) -> Result<HttpResponse, AppError> {
    let CustomerView { tab, notice, edit } = view;
    let key = id.to_owned();
    // One trip to the database: the account, its groups, its attribute values, the schema and,
    // while pending, its invitation. A constant number of queries, whatever the attributes.
    let (account, mine, pending, schema, values) = state
        .db
        .run(move |c| {
            let Some(account) =
                accounts::find(c, &key)?.filter(|a| a.kind() == Some(Kind::Customer))
            else {
                return Err(AppError::NotFound);
            };
            let mine = groups::of_account(c, &account.id)?;
            let pending = match account.status() {
                Some(Status::PendingPassword) => invitations::pending(c, &account.id)?,
                _ => None,
            };
            let schema = attributes::all(c)?;
            let values: HashMap<String, String> =
                attributes::values_of(c, &account.id)?.into_iter().collect();
            Ok((account, mine, pending, schema, values))
        })
        .await?;
    let invitation = pending.map(invitation_view);
    let others: Vec<groups::Group> = state
        .groups
        .all(&state.db)
        .await?
        .iter()
        .filter(|g| !mine.iter().any(|m| m.id == g.id))
        .cloned()
        .collect();
    let (message, reveal) = match notice {
        Some(n) => (Some(n.message), n.reveal),
        None => (flash::take(session), None),
    };
    let shown = reveal.map(|r| match r {
        Reveal::InvitationLink(value) => Shown {
            label: "Invitation link",
            value,
            hint: "Shown once. Pass it to the customer; it works once and expires.",
        },
        Reveal::TemporaryPassword(value) => Shown {
            label: "Temporary password",
            value,
            hint: "Shown once. The customer must replace it at first sign-in.",
        },
    });
    let status = if edit.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let attribute_fields =
        console_fields(&schema, &values, edit.as_ref().map(|e| &e.attributes), false);
    let (form_first_name, form_last_name, errors) = match edit {
        Some(e) => (e.first_name, e.last_name, e.errors),
        None => (account.first_name.clone(), account.last_name.clone(), FieldErrors::default()),
    };
    let page = UserPage {
        chrome: Chrome::new(session, admin, "users"),
        form_first_name,
        form_last_name,
        errors,
        attribute_fields,
        tab: match tab {
            Tab::Profile => "profile",
            Tab::Groups => "groups",
        },
        profile_href: urls::console_user(&account.id),
        resend_href: urls::console_user_invitation(&account.id),
        id: account.id.clone(),
        email: account.email.clone(),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        badge: badge(&account.status, account.lock_reason.as_deref()),
        created: date_time(&account.created_at),
        updated: date_time(&account.updated_at),
        last_sign_in: account
            .last_sign_in_at
            .as_ref()
            .map(date_time)
            .unwrap_or_else(|| "Never".into()),
        must_change_password: account.must_change_password,
        groups: mine
            .into_iter()
            .map(|g| GroupChip {
                remove_href: format!("{}/groups/{}/remove", urls::console_user(&account.id), g.id),
                name: g.name,
            })
            .collect(),
        other_groups: others,
        groups_href: format!("{}/groups", urls::console_user(&account.id)),
        back_href: urls::CONSOLE_USERS,
        notice: message,
        shown,
        invitation,
        can_manage: admin.can_manage_customers(),
        smtp: state.smtp_available,
    };
    html(status, &page)
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    render_customer(&state, &session, &admin, &id, CustomerView::default()).await
}

/// The Groups tab.
pub async fn show_groups(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let view = CustomerView { tab: Tab::Groups, ..CustomerView::default() };
    render_customer(&state, &session, &admin, &id, view).await
}

/// Profile > Update: saves what changed and says so.
pub async fn update(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    body: web::Bytes,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    super::new_user::ensure_can_manage(&admin)?;
    let (names, attribute_values) = split_form(&body, &["first_name", "last_name"])?;
    let [first_name, last_name]: [String; 2] =
        names.try_into().map_err(|_| crate::web::form::UNEXPECTED)?;
    let actor = admin.actor(&req);
    let input = ProfileInput {
        first_name: first_name.clone(),
        last_name: last_name.clone(),
        attributes: attribute_values.clone(),
    };
    match profile::update(&state.db, actor, &id, input).await {
        Ok(changed) if changed.is_empty() => {
            flash::set(&session, "Nothing changed.");
            Ok(see_other(&req, &urls::console_user(&id)))
        }
        Ok(changed) => {
            flash::set(&session, &format!("Saved: {}.", changed.join(", ")));
            Ok(see_other(&req, &urls::console_user(&id)))
        }
        Err(FormError::Invalid(errors)) => {
            let edit = ProfileEdit { first_name, last_name, attributes: attribute_values, errors };
            let view = CustomerView { edit: Some(edit), ..Default::default() };
            render_customer(&state, &session, &admin, &id, view).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResendForm {
    delivery: String,
}

/// Resend invitation: a new link (the previous one stops working), emailed or shown to copy.
pub async fn resend_invitation(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<ResendForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    super::new_user::ensure_can_manage(&admin)?;
    let by = match form.delivery.as_str() {
        "email" if state.smtp_available => ResendBy::Email,
        "offline" => ResendBy::Offline,
        _ => return Err(crate::web::form::UNEXPECTED),
    };
    let actor = admin.actor(&req);
    let link = invitations::resend(&state.db, &state.outbox, &state.links, actor, &id, by).await?;
    match link {
        None => {
            flash::set(
                &session,
                "A new invitation is on its way. The previous link no longer works.",
            );
            Ok(see_other(&req, &urls::console_user(&id)))
        }
        Some(link) => {
            let notice = Notice {
                message: "A new invitation link was created. The previous link no longer works."
                    .into(),
                reveal: Some(Reveal::InvitationLink(link)),
            };
            let view = CustomerView { notice: Some(notice), ..CustomerView::default() };
            render_customer(&state, &session, &admin, &id, view).await
        }
    }
}

/// The address of a POST-only action, opened directly (e.g. reloading after it): the page.
pub async fn to_customer(id: web::Path<String>, req: HttpRequest) -> HttpResponse {
    see_other(&req, &urls::console_user(&id))
}
