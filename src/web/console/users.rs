//! Manage > Users: the list (search, filter, sort, keyset pages). A customer's page is in
//! `customer`.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::users_text::{self, Shown};
use crate::accounts::list::{self, ListParams, ListRequest, PAGE_SIZES};
use crate::db::customer_list::CustomerRow;
use crate::db::groups;
use crate::domain::account::{LockReason, Status};
use crate::domain::format::{Stamp, Zone};
use crate::error::AppError;
use crate::web::auth::CurrentAdmin;
use crate::web::render::{Chrome, html, is_htmx};
use crate::web::{State, flash, urls};

/// A status as a badge: CSS modifier and words.
pub struct Badge {
    pub class: &'static str,
    pub label: &'static str,
    pub reason: Option<&'static str>,
}

/// The status as a badge. An active account that must still replace a temporary password is
/// not plainly "Active": it is waiting for the customer.
pub fn badge(status: &str, lock_reason: Option<&str>, must_change_password: bool) -> Badge {
    let status = Status::parse(status);
    if status == Some(Status::Active) && must_change_password {
        return Badge {
            class: "pending",
            label: "Temporary password",
            reason: Some("to be replaced at next sign-in"),
        };
    }
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
    pub created: Stamp,
    pub last_sign_in: Option<Stamp>,
    pub groups: Vec<String>,
}

impl Row {
    fn of(r: &CustomerRow, groups: Option<&Vec<String>>, zone: Zone) -> Self {
        Self {
            href: urls::console_user(r.id),
            email: r.email.clone(),
            first_name: r.first_name.clone(),
            last_name: r.last_name.clone(),
            badge: badge(&r.status, r.lock_reason.as_deref(), r.must_change_password),
            created: zone.stamp(&r.created_at),
            last_sign_in: r.last_sign_in_at.as_ref().map(|t| zone.stamp(t)),
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
    /// The empty state's heading: what was searched and filtered.
    pub nothing_found: String,
    /// The line under the page's heading (the order); the htmx fragment carries it out of band.
    pub order_line: &'static str,
    pub fragment: bool,
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
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "console/users.html", block = "results")]
struct UsersFragment {
    results: Results,
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
        ("at", q.at.map(|n| n.to_string()).unwrap_or_default()),
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
        at: None,
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

    let base = ListParams { after: None, before: None, at: None, ..params.clone() };
    let filtered =
        !request.search.is_empty() || request.status.is_some() || request.group.is_some();
    let rows = page.rows.len() as i64;
    let first_page = request.after.is_none() && request.before.is_none();
    let first = users_text::first_position(request.at, first_page, rows, page.total);
    let count_label = users_text::count_label(&Shown {
        filtered,
        total: page.total,
        count: page.count,
        cap: page.count_cap,
        first,
        rows,
    });
    // Page links carry the position only where it is shown (a known total).
    let (next_at, prev_at) = match first.filter(|_| page.total.is_some()) {
        Some(first) => (Some(first + rows), Some((first - request.per_page).max(1))),
        None => (None, None),
    };
    let nothing_found =
        users_text::nothing_found(&params.q, request.status, page.group_name.as_deref());
    let fragment = is_htmx(&req);
    let results = Results {
        rows: page
            .rows
            .iter()
            .map(|r| Row::of(r, page.groups_of.get(&r.key), state.zone()))
            .collect(),
        q: params.q.clone(),
        status: params.status.clone(),
        group: params.group.clone(),
        per_page: request.per_page,
        sort: request.sort_name(),
        dir: if request.descending { "desc" } else { "asc" },
        count_label,
        filtered,
        nothing_found,
        order_line: users_text::order_line(request.sort, request.descending),
        fragment,
        next_href: page
            .next
            .map(|c| list_href(&ListParams { after: Some(c), at: next_at, ..base.clone() })),
        prev_href: page
            .prev
            .map(|c| list_href(&ListParams { before: Some(c), at: prev_at, ..base.clone() })),
        sort_created: sort_link(&base, &request, "created"),
        sort_last_sign_in: sort_link(&base, &request, "last_sign_in"),
        sort_email: sort_link(&base, &request, "email"),
    };
    if fragment {
        return html(StatusCode::OK, &UsersFragment { results });
    }
    let page = UsersPage {
        chrome: Chrome::new(&state, &session, &admin, "users"),
        results,
        statuses: Status::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        group_options: state.groups.all(&state.db).await?,
        page_sizes: PAGE_SIZES,
        can_manage: admin.can_manage_customers(),
        notice: flash::take(&session),
    };
    html(StatusCode::OK, &page)
}
