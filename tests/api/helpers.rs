use reqwest::header::HeaderMap;
use reqwest::redirect::Policy;
use std::time::Duration;

use roster::config::{Argon2Cost, Config};
use roster::db::accounts::NewAccount;
use roster::db::ids::{AccountId, GroupId, PublicId};
use roster::db::{Db, now};
use roster::domain::account::{Kind, Role, Status};
use roster::domain::clock::At;
use roster::domain::name::search_key;
use roster::mail::MailConfig;
use roster::passwords::Hasher;
use roster::startup::Application;

pub const OWNER_EMAIL: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "a long owner passphrase";

pub const CHEAP: Argon2Cost = Argon2Cost { memory_kib: 64, iterations: 1, parallelism: 1 };

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub setup_url: Option<String>,
    /// A browser: keeps cookies, does not follow redirects (tests look at them).
    pub client: reqwest::Client,
    pub data_dir: tempfile::TempDir,
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder().cookie_store(true).redirect(Policy::none()).build().unwrap()
}

/// The configuration tests start the app with: any free port, cheap hashing.
pub fn test_config(data_dir: &std::path::Path) -> Config {
    Config {
        bind: "127.0.0.1:0".into(),
        data_dir: data_dir.to_owned(),
        base_url: None,
        session_secret: None,
        argon2: CHEAP,
        mail: MailConfig {
            smtp_url: None,
            from: Some("Roster Tests <roster@example.com>".into()),
            send_timeout: Duration::from_secs(2),
            retry_base: Duration::from_millis(100),
            max_attempts: 50,
        },
        trusted_proxies: Vec::new(),
        clock: Default::default(),
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// An app started with a changed configuration (e.g. an SMTP server).
pub async fn spawn_app_with(change: impl FnOnce(&mut Config)) -> TestApp {
    let data_dir = tempfile::tempdir().unwrap();
    let mut config = test_config(data_dir.path());
    change(&mut config);
    let app = Application::build(config).await.expect("the application starts");
    let base = app.base_url().to_owned();
    let db = app.db();
    let setup_url = app.setup_url().map(str::to_owned);
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp { base, db, setup_url, client: client(), data_dir }
}

/// An app whose owner exists, not yet signed in.
pub async fn spawn_app_with_owner() -> TestApp {
    let app = spawn_app().await;
    app.insert_account(
        Kind::Administrator,
        Some(Role::Owner),
        OWNER_EMAIL,
        Status::Active,
        Some(OWNER_PASSWORD),
    )
    .await;
    app
}

/// An app with its owner signed in.
pub async fn signed_in_app() -> TestApp {
    signed_in_app_with(|_| {}).await
}

pub async fn signed_in_app_with(change: impl FnOnce(&mut Config)) -> TestApp {
    let app = spawn_app_with(change).await;
    app.insert_account(
        Kind::Administrator,
        Some(Role::Owner),
        OWNER_EMAIL,
        Status::Active,
        Some(OWNER_PASSWORD),
    )
    .await;
    let res = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status(), 303, "the owner signs in");
    app
}

pub const VIEWER_EMAIL: &str = "viewer@example.com";

/// An app where a viewer (an administrator who may only look) is signed in.
pub async fn viewer_app() -> TestApp {
    let app = spawn_app_with_owner().await;
    let password = "a long viewer passphrase";
    app.insert_account(
        Kind::Administrator,
        Some(Role::Viewer),
        VIEWER_EMAIL,
        Status::Active,
        Some(password),
    )
    .await;
    assert_eq!(app.sign_in(VIEWER_EMAIL, password).await.status(), 303, "the viewer signs in");
    app
}

/// The value of `name="csrf_token"` in a page.
pub fn csrf_in(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("the page has a CSRF field") + marker.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// Undo HTML escaping: named entities and numeric ones (askama writes `&#38;` for `&`).
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let Some(end) = tail.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ if entity.starts_with("#x") => {
                u32::from_str_radix(&entity[2..], 16).ok().and_then(char::from_u32)
            }
            _ if entity.starts_with('#') => entity[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub struct Customer<'a> {
    pub email: &'a str,
    pub first: &'a str,
    pub last: &'a str,
    pub status: Status,
    pub created_at: At,
    pub last_sign_in_at: Option<At>,
}

/// A customer created now who never signed in.
pub fn customer<'a>(email: &'a str, first: &'a str, last: &'a str, status: Status) -> Customer<'a> {
    Customer { email, first, last, status, created_at: now(), last_sign_in_at: None }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let res = self.get(path).await;
        (res.status().as_u16(), res.text().await.unwrap())
    }

    /// The CSRF token of the current session, read from the sign-in page or a console page.
    pub async fn csrf(&self, page: &str) -> String {
        csrf_in(&self.get_text(page).await.1)
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client.post(self.url(path)).form(form).send().await.unwrap()
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        let token = self.csrf("/console/login").await;
        self.post_form(
            "/console/login",
            &[("csrf_token", &token), ("email", email), ("password", password)],
        )
        .await
    }

    pub async fn insert_account(
        &self,
        kind: Kind,
        role: Option<Role>,
        email: &str,
        status: Status,
        password: Option<&str>,
    ) -> String {
        let hash = password.map(|p| Hasher::new(CHEAP).unwrap().hash_blocking(p).unwrap());
        let (email, id) = (email.to_owned(), PublicId::new());
        self.db
            .run(move |c| {
                let at = now();
                roster::db::accounts::insert(
                    c,
                    &NewAccount {
                        public_id: id,
                        kind: kind.as_str(),
                        role: role.map(Role::as_str),
                        email: &email,
                        first_name: "Test",
                        last_name: "Person",
                        first_name_key: "test",
                        last_name_key: "person",
                        password_hash: hash.as_deref().map(roster::db::stored_hash::HashText),
                        must_change_password: false,
                        status: status.as_str(),
                        lock_reason: None,
                        created_at: at,
                        updated_at: at,
                        last_sign_in_at: None,
                    },
                )?;
                Ok(())
            })
            .await
            .unwrap();
        id.to_string()
    }

    pub async fn insert_customers(&self, customers: Vec<Customer<'_>>) -> Vec<String> {
        let owned: Vec<_> = customers
            .into_iter()
            .map(|c| {
                (
                    PublicId::new(),
                    c.email.to_owned(),
                    c.first.to_owned(),
                    c.last.to_owned(),
                    c.status,
                    c.created_at,
                    c.last_sign_in_at,
                )
            })
            .collect();
        let ids = owned.iter().map(|o| o.0.to_string()).collect();
        self.db
            .run(move |c| {
                for (id, email, first, last, status, created, last_sign_in) in &owned {
                    roster::db::accounts::insert(
                        c,
                        &NewAccount {
                            public_id: *id,
                            kind: Kind::Customer.as_str(),
                            role: None,
                            email,
                            first_name: first,
                            last_name: last,
                            first_name_key: &search_key(first),
                            last_name_key: &search_key(last),
                            password_hash: None,
                            must_change_password: false,
                            status: status.as_str(),
                            lock_reason: None,
                            created_at: *created,
                            updated_at: *created,
                            last_sign_in_at: *last_sign_in,
                        },
                    )?;
                }
                Ok(())
            })
            .await
            .unwrap();
        ids
    }

    /// POSTs `fields` to `path` with the CSRF token read from `page` (signed-in pages).
    pub async fn post_on(
        &self,
        page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.csrf(page).await;
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend(fields.iter().copied());
        self.post_form(path, &form).await
    }

    /// An active customer who can sign in to My Account with `password`; returns their id.
    pub async fn active_customer(&self, email: &str, password: &str) -> String {
        self.insert_account(Kind::Customer, None, email, Status::Active, Some(password)).await
    }

    /// Fails if any audit event holds a secret: a password hash, a link token's hash, a session
    /// id's hash, or anything shaped like an Argon2 hash. The trail records names of fields and
    /// non-secret values only.
    pub async fn assert_no_secrets_in_audit(&self) {
        use diesel::prelude::*;
        use roster::db::audit::audit_log;
        use roster::db::schema::*;
        let (events, secrets) = self
            .db
            .run(|c| {
                let events: Vec<(String, String, Option<String>, String)> = audit_log::table
                    .select((
                        audit_log::details,
                        audit_log::actor_label,
                        audit_log::subject_label,
                        audit_log::actor_name,
                    ))
                    .load(c)?;
                let mut secrets: Vec<String> = accounts::table
                    .select(accounts::password_hash)
                    .load::<Option<String>>(c)?
                    .into_iter()
                    .flatten()
                    .collect();
                secrets.extend(
                    one_time_tokens::table.select(one_time_tokens::token_hash).load::<String>(c)?,
                );
                secrets.extend(sessions::table.select(sessions::id_hash).load::<String>(c)?);
                Ok((events, secrets))
            })
            .await
            .unwrap();
        assert!(!events.is_empty(), "the scenario recorded events");
        for (details, actor, subject, name) in &events {
            let text = format!("{details} {actor} {} {name}", subject.as_deref().unwrap_or(""));
            assert!(!text.contains("$argon2"), "a hash in the audit trail: {text}");
            for s in &secrets {
                assert!(!text.contains(s.as_str()), "a secret in the audit trail: {text}");
            }
        }
    }

    /// The account's value of the custom attribute named `attribute`.
    pub async fn attribute_value(&self, id: &str, attribute: &str) -> Option<String> {
        let (id, attribute) = (id.to_owned(), attribute.to_owned());
        self.db
            .run(move |c| {
                let schema = roster::db::attributes::all(c)?;
                let a = schema.iter().find(|a| a.name == attribute).unwrap();
                let key = roster::db::accounts::find_public(c, &id)?.unwrap().id;
                Ok(roster::db::attributes::values_of(c, key)?
                    .into_iter()
                    .find(|(k, _)| *k == a.id)
                    .map(|(_, v)| v))
            })
            .await
            .unwrap()
    }

    /// The customer's account row, fresh from the database.
    pub async fn account(&self, id: &str) -> Option<roster::db::accounts::Account> {
        let id = id.to_owned();
        self.db.run(move |c| Ok(roster::db::accounts::find_public(c, &id)?)).await.unwrap()
    }

    /// A group of `members` (public ids): its public id and key.
    pub async fn make_group(&self, name: &str, members: &[String]) -> (String, GroupId) {
        let (name, members) = (name.to_owned(), members.to_vec());
        let public_id = PublicId::new();
        let key = self
            .db
            .run(move |c| {
                let at = now();
                let key = roster::db::groups::insert(c, public_id, &name, &name, at)?;
                for m in &members {
                    let account = account_key(c, m);
                    roster::db::groups::add_member(c, account, &[key], at)?;
                }
                Ok(key)
            })
            .await
            .unwrap();
        (public_id.to_string(), key)
    }

    /// The key of the account with this public id (panics if there is none).
    pub async fn key(&self, id: &str) -> AccountId {
        self.account(id).await.expect("an account with this id").id
    }

    /// Rows naming the account (by key: it may be deleted) in each table that refers to
    /// accounts.
    pub async fn rows_of_account(&self, id: AccountId) -> Vec<(&'static str, i64)> {
        use diesel::prelude::*;
        use roster::db::schema::*;
        self.db
            .run(move |c| {
                Ok(vec![
                    (
                        "accounts",
                        accounts::table.filter(accounts::id.eq(id)).count().get_result(c)?,
                    ),
                    (
                        "attribute_values",
                        attribute_values::table
                            .filter(attribute_values::account_id.eq(id))
                            .count()
                            .get_result(c)?,
                    ),
                    (
                        "group_members",
                        group_members::table
                            .filter(group_members::account_id.eq(id))
                            .count()
                            .get_result(c)?,
                    ),
                    (
                        "sessions",
                        sessions::table
                            .filter(sessions::account_id.eq(id))
                            .count()
                            .get_result(c)?,
                    ),
                    (
                        "one_time_tokens",
                        one_time_tokens::table
                            .filter(one_time_tokens::account_id.eq(id))
                            .count()
                            .get_result(c)?,
                    ),
                    (
                        "outbox",
                        outbox::table.filter(outbox::account_id.eq(id)).count().get_result(c)?,
                    ),
                    (
                        "form_submissions",
                        form_submissions::table
                            .filter(form_submissions::account_id.eq(id))
                            .count()
                            .get_result(c)?,
                    ),
                ])
            })
            .await
            .unwrap()
    }

    pub async fn session_rows(&self) -> i64 {
        self.db.run(|c| Ok(roster::db::sessions::count(c)?)).await.unwrap()
    }

    /// Audit actions, newest first.
    pub async fn audit_actions(&self) -> Vec<String> {
        self.db
            .run(|c| Ok(roster::db::audit::recent(c, 100)?))
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

/// The customer ids a Users page lists, in order.
pub fn listed_ids(html: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    let body = html.split("<tbody>").nth(1).unwrap_or("");
    for part in body.split("href=\"/console/users/").skip(1) {
        let id = part[..part.find('"').unwrap()].to_owned();
        if ids.last() != Some(&id) {
            ids.push(id);
        }
    }
    ids
}

/// The href of the link with `rel="next"` or `rel="prev"`.
pub fn rel_link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    Some(unescape(&html[start..start + html[start..].find('"')?]))
}

pub fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The value of the hidden field `name` in a page.
pub fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} field")) + marker.len();
    unescape(&html[start..start + html[start..].find('"').unwrap()])
}

/// The text of the element with `id` (its first text run), unescaped.
pub fn element_text(html: &str, id: &str) -> Option<String> {
    let marker = format!("id=\"{id}\"");
    let at = html.find(&marker)?;
    let start = at + html[at..].find('>')? + 1;
    Some(unescape(html[start..start + html[start..].find('<')?].trim()))
}

pub const WIZARD: &str = "/console/users/new";

impl TestApp {
    /// Opens the New User wizard and submits step 1 with `fields` (plus its CSRF token and
    /// submission key), pressing Next (which is Finish when there are no groups).
    pub async fn new_customer(&self, fields: &[(&str, &str)]) -> (u16, String) {
        let res = self.new_customer_at(&self.base, fields).await;
        self.followed(res).await
    }

    /// `new_customer` through the process at `base` (this browser is signed in to every
    /// process on the database): the wizard's answer, not followed.
    pub async fn new_customer_at(&self, base: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let wizard = format!("{base}{WIZARD}");
        let page = get_with(&self.client, &wizard).await.1;
        let mut form = vec![
            ("csrf_token".to_owned(), csrf_in(&page)),
            ("submission".to_owned(), hidden_field(&page, "submission")),
            ("action".to_owned(), "next".to_owned()),
        ];
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.client.post(&wizard).form(&form).send().await.unwrap()
    }

    /// The page a form's answer leads to: after a 303, the page at its `Location` (as a browser
    /// goes there); otherwise the answer itself (a form shown again with its errors).
    pub async fn followed(&self, res: reqwest::Response) -> (u16, String) {
        if res.status() == 303 {
            let to = header(res.headers(), "location").to_owned();
            return self.get_text(&to).await;
        }
        (res.status().as_u16(), res.text().await.unwrap())
    }

    pub async fn count_customers(&self) -> i64 {
        use diesel::prelude::*;
        use roster::db::schema::accounts;
        self.db
            .run(|c| {
                Ok(accounts::table.filter(accounts::kind.eq("customer")).count().get_result(c)?)
            })
            .await
            .unwrap()
    }

    pub async fn customer_by_email(&self, email: &str) -> roster::db::accounts::Account {
        let email = email.to_owned();
        self.db
            .run(move |c| Ok(roster::db::accounts::find_by_email(c, Kind::Customer, &email)?))
            .await
            .unwrap()
            .expect("the customer exists")
    }

    /// The outbox, oldest first.
    pub async fn outbox(&self) -> Vec<roster::db::outbox::Message> {
        let mut all =
            self.db.run(|c| Ok(roster::db::outbox::page(c, None, None, 1000)?)).await.unwrap();
        all.reverse();
        all
    }

    /// Waits (up to 10 s) until the outbox has a message in `state`.
    pub async fn wait_for_outbox_state(&self, state: &str) -> roster::db::outbox::Message {
        for _ in 0..200 {
            if let Some(m) = self.outbox().await.into_iter().find(|m| m.state == state) {
                return m;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no message became {state}: {:?}", self.outbox().await);
    }

    /// Signs in to My Account with a fresh browser; returns it and the sign-in response.
    pub async fn myaccount_sign_in(
        &self,
        email: &str,
        password: &str,
    ) -> (reqwest::Client, reqwest::Response) {
        myaccount_sign_in_at(&self.base, email, password).await
    }

    /// Another Roster process on this app's database, started with `change` made to the
    /// configuration: the same data dir (so the same file and session secret), but its own
    /// connections, caches and background tasks, as a second process behind a load balancer
    /// has. Its base URL.
    pub async fn second_process(&self, change: impl FnOnce(&mut Config)) -> String {
        let mut config = test_config(self.data_dir.path());
        change(&mut config);
        let other = Application::build(config).await.expect("the second process starts");
        let base = other.base_url().to_owned();
        actix_web::rt::spawn(other.run_until_stopped());
        base
    }
}

/// Signs in to My Account at `base` with a fresh browser; returns it and the sign-in response.
pub async fn myaccount_sign_in_at(
    base: &str,
    email: &str,
    password: &str,
) -> (reqwest::Client, reqwest::Response) {
    let browser = client();
    let login = format!("{base}/myaccount/login");
    let page = browser.get(&login).send().await.unwrap();
    let token = csrf_in(&page.text().await.unwrap());
    let res = browser
        .post(&login)
        .form(&[("csrf_token", token.as_str()), ("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    (browser, res)
}

/// GET with a given browser.
pub async fn get_with(browser: &reqwest::Client, url: &str) -> (u16, String) {
    let res = browser.get(url).send().await.unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

/// Follows a link's form: GET the page, then POST `fields` with its CSRF token to the same URL.
pub async fn submit_page(
    browser: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = browser.get(url).send().await.unwrap().text().await.unwrap();
    let mut form = vec![("csrf_token", csrf_in(&page))];
    form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    browser.post(url).form(&form).send().await.unwrap()
}

/// POSTs `fields` to `url` with the CSRF token of `browser`'s My Account session (for pages
/// that have no form, such as a used link's).
pub async fn post_myaccount(
    app: &TestApp,
    browser: &reqwest::Client,
    url: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = get_with(browser, &app.url("/myaccount/login")).await.1;
    let mut form = vec![("csrf_token", csrf_in(&page))];
    form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    browser.post(url).form(&form).send().await.unwrap()
}

/// A page's text as a person reads it: tags made spaces, entities undone, runs of white space
/// made one space (so sentences built from several elements read whole).
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    unescape(&out).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Inside `Db::run`: the key of the account with this public id (panics if there is none).
pub fn account_key(c: &mut roster::db::Conn, public_id: &str) -> AccountId {
    roster::db::accounts::find_public(c, public_id).unwrap().expect("an account with this id").id
}
