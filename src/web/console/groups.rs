//! Manage > Groups: the list (search, member counts), New group, and a group's page (rename,
//! members with search-and-add and remove, delete with confirmation). A customer's own Groups
//! tab is in `customer::groups`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::confirm::{self, Confirm, ConfirmForm};
use super::users::{Badge, badge};
use crate::accounts::FormError;
use crate::accounts::groups as use_case;
use crate::accounts::list::{self, ListParams, ListRequest};
use crate::db::groups::{self, GroupDetails};
use crate::db::ids::{AccountId, GroupId};
use crate::domain::FieldErrors;
use crate::domain::format::Stamp;
use crate::domain::name::search_key;
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html, see_other};
use crate::web::{State, flash, urls};

const PAGE: i64 = 50;
const MEMBERS_PAGE: i64 = 25;
const CANDIDATES: i64 = 10;

pub struct GroupRow {
    pub href: String,
    pub name: String,
    pub members: i32,
    pub created: Stamp,
}

#[derive(Template)]
#[template(path = "console/groups.html")]
struct GroupsPage {
    chrome: Chrome,
    notice: Option<String>,
    rows: Vec<GroupRow>,
    q: String,
    next_href: Option<String>,
    can_manage: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: Option<String>,
}

pub async fn list(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let ListQuery { q, after } = query.into_inner();
    let prefix = search_key(&q);
    let mut rows =
        state.db.run(move |c| Ok(groups::page(c, &prefix, after.as_deref(), PAGE)?)).await?;
    let more = rows.len() as i64 > PAGE;
    rows.truncate(PAGE as usize);
    let next_href = more.then(|| {
        let last = rows.last().map(|g| g.name_key.clone()).unwrap_or_default();
        let pairs: Vec<(&str, &str)> = [("q", q.as_str()), ("after", last.as_str())]
            .into_iter()
            .filter(|p| !p.1.is_empty())
            .collect();
        format!(
            "{}?{}",
            urls::CONSOLE_GROUPS,
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    });
    let page = GroupsPage {
        chrome: Chrome::new(&state, &session, &admin, "groups"),
        notice: flash::take(&session),
        rows: rows
            .iter()
            .map(|g| GroupRow {
                href: urls::console_group(g.public_id),
                name: g.name.clone(),
                members: g.member_count,
                created: state.stamp(&g.created_at),
            })
            .collect(),
        q,
        next_href,
        can_manage: admin.can_manage_customers(),
    };
    html(StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "console/group_new.html")]
struct NewGroupPage {
    chrome: Chrome,
    name: String,
    errors: FieldErrors,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameForm {
    name: String,
}

pub async fn new_form(
    state: State,
    admin: CurrentAdmin,
    session: Session,
) -> Result<HttpResponse, AppError> {
    let page = NewGroupPage {
        chrome: Chrome::new(&state, &session, &admin, "groups"),
        name: String::new(),
        errors: FieldErrors::default(),
    };
    html(StatusCode::OK, &page)
}

pub async fn create(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    form: web::Form<NameForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    match use_case::create(&state.db, &state.groups, admin.actor(&req), &form.name).await {
        Ok(id) => {
            flash::set(&session, "The group was created. Add its members below.");
            Ok(see_other(&req, &urls::console_group(&id)))
        }
        Err(FormError::Invalid(errors)) => {
            let page = NewGroupPage {
                chrome: Chrome::new(&state, &session, &admin, "groups"),
                name: form.into_inner().name,
                errors,
            };
            html(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
        Err(FormError::Other(e)) => Err(e),
    }
}

pub struct MemberRow {
    pub href: String,
    pub remove_href: String,
    pub email: String,
    pub name: String,
    pub badge: Badge,
}

#[derive(Template)]
#[template(path = "console/group.html")]
struct GroupPage {
    chrome: Chrome,
    notice: Option<String>,
    group: GroupDetails,
    name: String,
    errors: FieldErrors,
    created: Stamp,
    updated: Stamp,
    members: Vec<MemberRow>,
    next_href: Option<String>,
    can_manage: bool,
    base: String,
    q: String,
    candidates: Vec<Candidate>,
    delete: Confirm,
}

fn delete_confirm(group: &GroupDetails) -> Confirm {
    let n = group.member_count;
    Confirm::deletion(
        "Delete group",
        format!(
            "Deleting {} removes it and its {n} membership{}. The customers keep their \
             accounts. This cannot be undone.",
            group.name,
            if n == 1 { "" } else { "s" }
        ),
        "I understand that this group and its memberships will be deleted.",
        urls::console_group(group.public_id),
    )
}

async fn find_group(state: &State, id: &str) -> Result<GroupDetails, AppError> {
    let key = id.to_owned();
    state.db.run(move |c| groups::find(c, &key)?.ok_or(AppError::NotFound)).await
}

/// Delete group on a page of its own (the dialog's form, without script).
pub async fn show_delete(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let group = find_group(&state, &id).await?;
    confirm::page(&state, &session, &admin, "groups", &group.name, delete_confirm(&group), false)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersQuery {
    #[serde(default)]
    after: Option<String>,
    /// A search for customers to add.
    #[serde(default)]
    q: String,
}

async fn render_group(
    state: &State,
    session: &Session,
    admin: &CurrentAdmin,
    id: &str,
    query: MembersQuery,
    rename: Option<(String, FieldErrors)>,
) -> Result<HttpResponse, AppError> {
    let MembersQuery { after, q } = query;
    let key = id.to_owned();
    let (group, mut members) = state
        .db
        .run(move |c| {
            let group = groups::find(c, &key)?.ok_or(AppError::NotFound)?;
            let members = groups::members(c, group.id, after.as_deref(), MEMBERS_PAGE)?;
            Ok((group, members))
        })
        .await?;
    let more = members.len() as i64 > MEMBERS_PAGE;
    members.truncate(MEMBERS_PAGE as usize);
    let base = urls::console_group(group.public_id);
    let next_href = more.then(|| {
        let last = members.last().map(|m| m.id.to_string()).unwrap_or_default();
        format!("{base}?{}", serde_urlencoded::to_string([("after", last)]).unwrap_or_default())
    });
    let candidates = candidates(state, group.id, &q).await?;
    let (status, name, errors) = match rename {
        Some((name, errors)) => (StatusCode::UNPROCESSABLE_ENTITY, name, errors),
        None => (StatusCode::OK, group.name.clone(), FieldErrors::default()),
    };
    let page = GroupPage {
        chrome: Chrome::new(state, session, admin, "groups"),
        notice: flash::take(session),
        created: state.stamp(&group.created_at),
        updated: state.stamp(&group.updated_at),
        members: members
            .iter()
            .map(|m| MemberRow {
                href: urls::console_user(m.id),
                remove_href: format!("{base}/members/{}/remove", m.id),
                email: m.email.clone(),
                name: format!("{} {}", m.first_name, m.last_name).trim().to_owned(),
                badge: badge(&m.status, m.lock_reason.as_deref(), m.must_change_password),
            })
            .collect(),
        delete: delete_confirm(&group),
        group,
        name,
        errors,
        next_href,
        can_manage: admin.can_manage_customers(),
        base,
        candidates,
        q,
    };
    html(status, &page)
}

pub async fn show(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    query: web::Query<MembersQuery>,
) -> Result<HttpResponse, AppError> {
    render_group(&state, &session, &admin, &id, query.into_inner(), None).await
}

pub async fn rename(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<NameForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    match use_case::rename(&state.db, &state.groups, admin.actor(&req), &id, &form.name).await {
        Ok(changed) => {
            flash::set(
                &session,
                if changed { "The group was renamed." } else { "Nothing changed." },
            );
            Ok(see_other(&req, &urls::console_group(&id)))
        }
        Err(FormError::Invalid(errors)) => {
            let rename = Some((form.into_inner().name, errors));
            let query = MembersQuery { after: None, q: String::new() };
            render_group(&state, &session, &admin, &id, query, rename).await
        }
        Err(FormError::Other(e)) => Err(e),
    }
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
        let group = find_group(&state, &id).await?;
        return confirm::page(
            &state,
            &session,
            &admin,
            "groups",
            &group.name,
            delete_confirm(&group),
            true,
        );
    }
    let deleted = use_case::delete(&state.db, &state.groups, admin.actor(&req), &id).await?;
    flash::set(
        &session,
        &format!(
            "Group {} was deleted; its {} members keep their accounts.",
            deleted.name, deleted.member_count
        ),
    );
    Ok(see_other(&req, urls::CONSOLE_GROUPS))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MemberForm {
    account_id: String,
}

pub async fn add_member(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    id: web::Path<String>,
    form: web::Form<MemberForm>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let added = use_case::add_member(&state.db, admin.actor(&req), &id, &form.account_id).await?;
    flash::set(
        &session,
        if added {
            "The customer was added to the group."
        } else {
            "The customer was already a member."
        },
    );
    Ok(see_other(&req, &urls::console_group(&id)))
}

pub async fn remove_member(
    state: State,
    admin: CurrentAdmin,
    session: Session,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let (group_id, account_id) = path.into_inner();
    use_case::remove_member(&state.db, admin.actor(&req), &group_id, &account_id).await?;
    flash::set(&session, "The customer was removed from the group.");
    Ok(see_other(&req, &urls::console_group(&group_id)))
}

pub struct Candidate {
    pub id: String,
    pub email: String,
    pub name: String,
    pub member: bool,
}

/// Customers matching a search, to add to the group: the Users list's indexed search, ten at
/// a time, each marked when already a member. Never a list of everyone.
async fn candidates(state: &State, group: GroupId, q: &str) -> Result<Vec<Candidate>, AppError> {
    if search_key(q).is_empty() {
        return Ok(Vec::new());
    }
    let params =
        ListParams { q: q.to_owned(), per_page: Some(CANDIDATES), ..ListParams::default() };
    let rows = list::list_customers(&state.db, ListRequest::parse(&params)?).await?.rows;
    let keys: Vec<AccountId> = rows.iter().map(|r| r.key).collect();
    let members = state.db.run(move |c| Ok(groups::members_among(c, group, &keys)?)).await?;
    Ok(rows
        .into_iter()
        .map(|r| Candidate {
            member: members.contains(&r.key),
            name: format!("{} {}", r.first_name, r.last_name).trim().to_owned(),
            id: r.id.to_string(),
            email: r.email,
        })
        .collect())
}
