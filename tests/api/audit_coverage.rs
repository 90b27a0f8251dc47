//! Every route that changes something writes an audit event. The two tables of changes (the
//! console's access table and `web::changes::PUBLIC`; the server refuses any POST neither
//! names) say which event each writes; this test drives every listed POST once, on a fresh
//! server with what it needs, and finds that event written. A route without a fixture here
//! fails the test, so a new change cannot skip it; one that only renders must write nothing.
//! After each, the whole trail is scanned for secrets.

use roster::db::audit::Actor;
use roster::domain::account::{Kind, Status};
use roster::web::changes::PUBLIC;
use roster::web::console::access::RULES;

use crate::helpers::*;
use crate::smtp::{SmtpSink, link_in};

const PASSWORD: &str = "juniper lantern 1987";
const NEW: &str = "a brand new passphrase";

/// A server with its owner signed in (`app.client`) and a mail server that keeps what it gets.
struct World {
    app: TestApp,
    sink: SmtpSink,
}

impl World {
    async fn new() -> Self {
        let sink = SmtpSink::start().await;
        let url = sink.url();
        let app = signed_in_app_with(move |c| c.mail.smtp_url = Some(url)).await;
        Self { app, sink }
    }

    /// An active customer who signs in with `PASSWORD`.
    async fn customer(&self) -> String {
        self.app.active_customer("pat@example.com", PASSWORD).await
    }

    async fn group(&self) -> String {
        let directory = roster::accounts::groups::GroupDirectory::default();
        roster::accounts::groups::create(&self.app.db, &directory, Actor::system("t"), "gold")
            .await
            .ok()
            .unwrap()
    }

    /// A customer's own browser, signed in to My Account.
    async fn customer_browser(&self) -> reqwest::Client {
        let (browser, res) = self.app.myaccount_sign_in("pat@example.com", PASSWORD).await;
        assert_eq!(res.status(), 303);
        browser
    }

    /// The owner signed in a second time, elsewhere.
    async fn second_owner_session(&self) {
        let other = client();
        let login = get_with(&other, &self.app.url("/console/login")).await.1;
        let form = [
            ("csrf_token", csrf_in(&login)),
            ("email", OWNER_EMAIL.into()),
            ("password", OWNER_PASSWORD.into()),
        ];
        let res = other.post(self.app.url("/console/login")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
    }

    /// A customer invited offline through the wizard: (id, the link shown to copy).
    async fn invited_customer(&self) -> (String, String) {
        let fields = [
            ("email", "ivy@example.com"),
            ("first_name", "Ivy"),
            ("last_name", "Invited"),
            ("method", "invite"),
            ("delivery", "offline"),
            ("password", ""),
        ];
        let (status, page) = self.app.new_customer(&fields).await;
        assert_eq!(status, 200, "{page}");
        let link = element_text(&page, "reveal-value").unwrap();
        (self.app.customer_by_email("ivy@example.com").await.public_id.to_string(), link)
    }

    /// An administrator invited offline: (id, link).
    async fn invited_admin(&self, role: &str) -> (String, String) {
        let page = "/console/settings/administrators/invite";
        let fields = [("email", "ada@example.com"), ("role", role), ("delivery", "offline")];
        let res = self.app.post_on(page, page, &fields).await;
        assert_eq!(res.status(), 303);
        let link = element_text(&self.app.followed(res).await.1, "reveal-value").unwrap();
        let email = "ada@example.com".to_owned();
        let admin = self
            .app
            .db
            .run(move |c| Ok(roster::db::accounts::find_by_email(c, Kind::Administrator, &email)?))
            .await
            .unwrap()
            .unwrap();
        (admin.public_id.to_string(), link)
    }

    async fn joined_admin(&self) -> String {
        let (id, link) = self.invited_admin("administrator").await;
        let res = submit_page(&client(), &link, &[("password", NEW), ("confirm", NEW)]).await;
        assert_eq!(res.status(), 303);
        id
    }

    /// A registered web application and an authorization code for the customer, through the
    /// provider's own use cases: (client id, secret, code).
    async fn application_code(&self) -> (String, String, String) {
        use roster::accounts::authorize::{self, AuthorizationRequest, Checked, Customer};
        let id = self.customer().await;
        let input = roster::domain::application::ApplicationInput {
            name: "Shop".into(),
            client_type: "confidential".into(),
            redirect_uris: "http://127.0.0.1:9/cb".into(),
            access_token_minutes: "5".into(),
            refresh_token_days: "30".into(),
            claims: vec!["email".into()],
            refresh_tokens: true,
            ..Default::default()
        };
        let db = &self.app.db;
        let created = roster::accounts::applications::create(db, Actor::system("t"), input)
            .await
            .ok()
            .unwrap();
        let app_id = created.id.clone();
        let row = db
            .run(move |c| Ok(roster::db::applications::find_public(c, &app_id)?))
            .await
            .unwrap()
            .unwrap();
        let req = AuthorizationRequest {
            response_type: "code".into(),
            client_id: row.client_id.clone(),
            redirect_uri: "http://127.0.0.1:9/cb".into(),
            scope: "openid email".into(),
            ..Default::default()
        };
        let Checked::Valid(valid) = authorize::check(db, &self.app.base, &req).await.unwrap()
        else {
            panic!("a valid request")
        };
        let account = self.app.account(&id).await.unwrap();
        let who = Customer {
            id: account.id,
            public_id: account.public_id,
            email: "pat@example.com",
            name: "Pat",
            auth_time: roster::db::now(),
            ip: "127.0.0.1",
        };
        let back = authorize::issue_code(db, &self.app.base, &valid, who).await.unwrap();
        let code = back.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned();
        (row.client_id, created.secret.unwrap(), code)
    }

    /// A fresh code of the test application as the form that exchanges it at `/oidc/token`,
    /// with the client's id and secret.
    async fn exchange_form(&self) -> (Vec<(&'static str, String)>, String, String) {
        let (client_id, secret, code) = self.application_code().await;
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", code),
            ("redirect_uri", "http://127.0.0.1:9/cb".to_owned()),
            ("client_id", client_id.clone()),
            ("client_secret", secret.clone()),
        ];
        (form, client_id, secret)
    }

    /// The token endpoint's answer to a fresh exchange, with the client's id and secret.
    async fn tokens(&self) -> (serde_json::Value, String, String) {
        let (form, client_id, secret) = self.exchange_form().await;
        let res = client().post(self.app.url("/oidc/token")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 200);
        (serde_json::from_str(&res.text().await.unwrap()).unwrap(), client_id, secret)
    }

    async fn registration_on(&self) {
        let page = "/console/settings/self-registration";
        let form = [("enabled", "on"), ("verification", "on"), ("expiry_minutes", "1440")];
        assert_eq!(self.app.post_on(page, page, &form).await.status(), 303);
    }

    /// The owner posts `fields` to `path` with the CSRF token of `page`.
    async fn console(&self, page: &str, path: &str, fields: &[(&str, &str)]) -> Prepared {
        let token = self.app.csrf(page).await;
        Prepared::new(self.app.client.clone(), self.app.url(path), &token, fields)
    }
}

/// The one POST a fixture leads up to.
struct Prepared {
    browser: reqwest::Client,
    url: String,
    form: Vec<(String, String)>,
}

impl Prepared {
    fn new(browser: reqwest::Client, url: String, token: &str, fields: &[(&str, &str)]) -> Self {
        let mut form = vec![("csrf_token".to_owned(), token.to_owned())];
        form.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Self { browser, url, form }
    }

    /// `browser` posts to `url` with the token of the page at `page_url`.
    async fn on(
        browser: &reqwest::Client,
        page_url: &str,
        url: String,
        fields: &[(&str, &str)],
    ) -> Self {
        let page = get_with(browser, page_url).await.1;
        Self::new(browser.clone(), url, &csrf_in(&page), fields)
    }
}

/// The first form action in `html` under `prefix` that ends with `suffix` (not "…-others"/"…-all").
fn action(html: &str, prefix: &str, suffix: &str) -> String {
    html.split("action=\"")
        .skip(1)
        .map(|a| unescape(&a[..a.find('"').unwrap()]))
        .find(|a| a.starts_with(prefix) && a.ends_with(suffix) && !a.contains("-others"))
        .unwrap_or_else(|| panic!("no {prefix}…{suffix} form in the page"))
}

/// Sets up what the route `pattern` needs on a fresh server and prepares its POST; `None` when
/// this test has no fixture for it (the test fails then).
async fn fixture(pattern: &str) -> Option<(World, Prepared)> {
    let w = World::new().await;
    let app = &w.app;
    let users = |id: &str, what: &str| format!("/console/users/{id}{what}");
    let prepared = match pattern {
        "/console/profile" => {
            w.console(
                "/console/profile",
                pattern,
                &[("first_name", "Olive"), ("last_name", "Owner")],
            )
            .await
        }
        "/console/profile/password" => {
            let form = [("current", OWNER_PASSWORD), ("password", NEW), ("confirm", NEW)];
            w.console("/console/profile", pattern, &form).await
        }
        "/console/profile/policy" => {
            w.console("/console/profile", pattern, &[("password", "x")]).await
        }
        "/console/profile/sessions/end-others" => {
            w.second_owner_session().await;
            w.console("/console/profile", pattern, &[]).await
        }
        "/console/profile/sessions/{handle}/end" => {
            w.second_owner_session().await;
            let page = app.get_text("/console/profile").await.1;
            let path = action(&page, "/console/profile/sessions/", "/end");
            w.console("/console/profile", &path, &[]).await
        }
        "/console/users/new" => {
            let page = app.get_text(WIZARD).await.1;
            let submission = hidden_field(&page, "submission");
            let form = [
                ("submission", submission.as_str()),
                ("action", "next"),
                ("email", "new@example.com"),
                ("first_name", "New"),
                ("last_name", "Customer"),
                ("method", "temporary"),
                ("delivery", "offline"),
                ("password", "temporary pass 9911"),
            ];
            Prepared::new(app.client.clone(), app.url(WIZARD), &csrf_in(&page), &form)
        }
        "/console/users/new/policy" => {
            let page = app.get_text(WIZARD).await.1;
            let submission = hidden_field(&page, "submission");
            let form = [
                ("submission", submission.as_str()),
                ("method", "temporary"),
                ("password", "x"),
                ("email", "a@example.com"),
            ];
            Prepared::new(app.client.clone(), app.url(pattern), &csrf_in(&page), &form)
        }
        "/console/users/{id}" => {
            let id = w.customer().await;
            let form = [("first_name", "Patricia"), ("last_name", "Doe")];
            w.console(&users(&id, ""), &users(&id, ""), &form).await
        }
        "/console/users/{id}/invitation" => {
            let (id, _) = w.invited_customer().await;
            w.console(&users(&id, ""), &users(&id, "/invitation"), &[("delivery", "offline")]).await
        }
        "/console/users/{id}/groups" => {
            let (id, group) = (w.customer().await, w.group().await);
            w.console(&users(&id, "/groups"), &users(&id, "/groups"), &[("group_id", &group)]).await
        }
        "/console/users/{id}/groups/{group_id}/remove" => {
            let (id, group) = (w.customer().await, w.group().await);
            roster::accounts::groups::add_member(&app.db, Actor::system("t"), &group, &id)
                .await
                .unwrap();
            let path = users(&id, &format!("/groups/{group}/remove"));
            w.console(&users(&id, "/groups"), &path, &[]).await
        }
        "/console/users/{id}/reset" => {
            let id = w.customer().await;
            let form = [
                ("method", "temporary"),
                ("delivery", "offline"),
                ("password", "another temp 4411"),
            ];
            w.console(&users(&id, ""), &users(&id, "/reset"), &form).await
        }
        "/console/users/{id}/reset/policy" => {
            let id = w.customer().await;
            let form = [("method", "temporary"), ("password", "x")];
            w.console(&users(&id, ""), &users(&id, "/reset/policy"), &form).await
        }
        "/console/users/{id}/lock" | "/console/users/{id}/delete" => {
            let id = w.customer().await;
            let what = pattern.rsplit('/').next().unwrap();
            let path = users(&id, &format!("/{what}"));
            w.console(&users(&id, ""), &path, &[("confirm", "on")]).await
        }
        "/console/users/{id}/unlock" => {
            let id = w.customer().await;
            let page = users(&id, "");
            let res = app.post_on(&page, &users(&id, "/lock"), &[("confirm", "on")]).await;
            assert_eq!(res.status(), 303);
            w.console(&page, &users(&id, "/unlock"), &[("confirm", "on")]).await
        }
        "/console/users/{id}/sessions/terminate-all" => {
            let id = w.customer().await;
            w.customer_browser().await;
            let tab = users(&id, "/sessions");
            w.console(&tab, &users(&id, "/sessions/terminate-all"), &[]).await
        }
        "/console/users/{id}/sessions/{handle}/terminate" => {
            let id = w.customer().await;
            w.customer_browser().await;
            let tab = users(&id, "/sessions");
            let page = app.get_text(&tab).await.1;
            let path = action(&page, &format!("{tab}/"), "/terminate");
            w.console(&tab, &path, &[]).await
        }
        "/console/attributes/new" => {
            let form = [
                ("name", "nickname"),
                ("display_name", "Nickname"),
                ("data_type", "text"),
                ("display_order", "5"),
                ("console_displayed", "on"),
            ];
            w.console("/console/attributes", pattern, &form).await
        }
        "/console/attributes/{id}" | "/console/attributes/{id}/delete" => {
            let country = app
                .db
                .run(|c| Ok(roster::db::attributes::all(c)?))
                .await
                .unwrap()
                .into_iter()
                .find(|a| a.name == "country")
                .unwrap();
            let page = format!("/console/attributes/{}", country.public_id);
            if pattern.ends_with("/delete") {
                w.console(&page, &format!("{page}/delete"), &[("confirm", "on")]).await
            } else {
                let form = [
                    ("display_name", "Country of residence"),
                    ("data_type", "text"),
                    ("display_order", "3"),
                    ("console_displayed", "on"),
                ];
                w.console(&page, &page, &form).await
            }
        }
        "/console/groups/new" => w.console("/console/groups", pattern, &[("name", "gold")]).await,
        "/console/groups/{id}/rename" | "/console/groups/{id}/delete" => {
            let page = format!("/console/groups/{}", w.group().await);
            if pattern.ends_with("/rename") {
                w.console(&page, &format!("{page}/rename"), &[("name", "silver")]).await
            } else {
                w.console(&page, &format!("{page}/delete"), &[("confirm", "on")]).await
            }
        }
        "/console/groups/{id}/members" => {
            let (id, page) = (w.customer().await, format!("/console/groups/{}", w.group().await));
            w.console(&page, &format!("{page}/members"), &[("account_id", &id)]).await
        }
        "/console/groups/{id}/members/{account_id}/remove" => {
            let (id, group) = (w.customer().await, w.group().await);
            roster::accounts::groups::add_member(&app.db, Actor::system("t"), &group, &id)
                .await
                .unwrap();
            let page = format!("/console/groups/{group}");
            w.console(&page, &format!("{page}/members/{id}/remove"), &[]).await
        }
        "/console/settings/general" => {
            let form = [
                ("name", "Acme Corp"),
                ("time_zone", "Europe/London"),
                ("mail_from_name", "Acme"),
                ("mail_from_address", "hello@acme.example"),
            ];
            w.console(pattern, pattern, &form).await
        }
        "/console/settings/password-policy" => {
            w.console(pattern, pattern, &[("min_length", "10"), ("max_length", "64")]).await
        }
        "/console/settings/self-registration" => {
            let form = [("enabled", "on"), ("verification", "on"), ("expiry_minutes", "1440")];
            w.console(pattern, pattern, &form).await
        }
        "/console/settings/links" => {
            let form = [("invitation_minutes", "90"), ("reset_minutes", "60")];
            w.console(pattern, pattern, &form).await
        }
        "/console/settings/signing-keys/rotate" => {
            w.console("/console/settings/signing-keys", pattern, &[]).await
        }
        "/console/settings/login-security" => {
            let form = [("enabled", "on"), ("attempts", "5"), ("minutes", "15"), ("factor", "2")];
            w.console(pattern, pattern, &form).await
        }
        "/console/settings/outbox/{id}/resend" => {
            let id = w.customer().await;
            let message = app
                .db
                .run(move |c| {
                    let at = roster::db::now();
                    let m = roster::db::outbox::NewMessage {
                        template: roster::domain::mail::Template::AccountCreated,
                        account_id: account_key(c, &id),
                        recipient: "pat@example.com",
                        recipient_name: "Pat",
                        subject: "Welcome",
                        token_id: None,
                        params: serde_json::json!({}),
                    };
                    let mid = roster::db::outbox::enqueue(c, &m, at + chrono::Duration::days(1))?;
                    roster::db::outbox::mark_attempt_failed(c, &mid, 0, "refused", None, at)?;
                    Ok(mid)
                })
                .await
                .unwrap();
            let page = format!("/console/settings/outbox/{message}");
            w.console(&page, &format!("{page}/resend"), &[]).await
        }
        "/console/settings/administrators/invite" => {
            let form = [("email", "vic@example.com"), ("role", "viewer"), ("delivery", "offline")];
            w.console(pattern, pattern, &form).await
        }
        "/console/settings/administrators/{id}/invitation"
        | "/console/settings/administrators/{id}/revoke" => {
            let (id, _) = w.invited_admin("viewer").await;
            let page = format!("/console/settings/administrators/{id}");
            let what = pattern.rsplit('/').next().unwrap();
            w.console(
                &page,
                &format!("{page}/{what}"),
                &[("delivery", "offline")][..usize::from(what == "invitation")],
            )
            .await
        }
        "/console/settings/administrators/{id}/role"
        | "/console/settings/administrators/{id}/remove"
        | "/console/settings/administrators/{id}/transfer" => {
            let page = format!("/console/settings/administrators/{}", w.joined_admin().await);
            let (what, field) = match pattern.rsplit('/').next().unwrap() {
                "role" => ("role", ("role", "viewer")),
                "remove" => ("remove", ("confirm", "on")),
                _ => ("transfer", ("password", OWNER_PASSWORD)),
            };
            w.console(&page, &format!("{page}/{what}"), &[field]).await
        }
        "/console/applications/new" => {
            let form = [
                ("name", "Shop"),
                ("client_type", "confidential"),
                ("redirect_uris", "https://shop.example.com/cb"),
                ("access_token_minutes", "5"),
                ("refresh_token_days", "30"),
            ];
            w.console("/console/applications", pattern, &form).await
        }
        "/console/applications/{id}"
        | "/console/applications/{id}/secret"
        | "/console/applications/{id}/delete" => {
            let input = roster::domain::application::ApplicationInput {
                name: "Shop".into(),
                client_type: "confidential".into(),
                redirect_uris: "https://shop.example.com/cb".into(),
                access_token_minutes: "5".into(),
                refresh_token_days: "30".into(),
                ..Default::default()
            };
            let id = roster::accounts::applications::create(&app.db, Actor::system("t"), input)
                .await
                .ok()
                .unwrap()
                .id;
            let page = format!("/console/applications/{id}");
            let (path, fields): (String, Vec<(&str, &str)>) = match pattern.rsplit('/').next() {
                Some("secret") => (format!("{page}/secret"), vec![]),
                Some("delete") => (format!("{page}/delete"), vec![("confirm", "on")]),
                _ => (
                    page.clone(),
                    vec![
                        ("name", "Shop renamed"),
                        ("redirect_uris", "https://shop.example.com/cb"),
                        ("access_token_minutes", "5"),
                        ("refresh_token_days", "30"),
                    ],
                ),
            };
            w.console(&page, &path, &fields).await
        }
        "/console/users/{id}/applications/{grant}/terminate" => {
            w.tokens().await;
            let id = app.customer_by_email("pat@example.com").await.public_id.to_string();
            let tab = users(&id, "/sessions");
            let page = app.get_text(&tab).await.1;
            let path = action(&page, &format!("{}/applications/", users(&id, "")), "/terminate");
            w.console(&tab, &path, &[]).await
        }
        "/oidc/revoke" => {
            let (tokens, client_id, secret) = w.tokens().await;
            let form = [
                ("token", tokens["refresh_token"].as_str().unwrap()),
                ("client_id", client_id.as_str()),
                ("client_secret", secret.as_str()),
            ];
            Prepared::new(client(), app.url(pattern), "", &form)
        }
        "/oidc/token" => {
            let (form, _, _) = w.exchange_form().await;
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            Prepared::new(client(), app.url(pattern), "", &form)
        }
        "/oidc/userinfo" => {
            let (tokens, _, _) = w.tokens().await;
            let access = [("access_token", tokens["access_token"].as_str().unwrap())];
            Prepared::new(client(), app.url(pattern), "", &access)
        }
        "/setup/{token}" => {
            let fresh = spawn_app().await;
            let url = fresh.setup_url.clone().unwrap();
            let form = [
                ("organization", "Acme Corp"),
                ("email", "boss@example.com"),
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("password", NEW),
                ("password_confirm", NEW),
            ];
            let form = form.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let prepared = Prepared { browser: client(), url, form };
            return Some((World { app: fresh, sink: w.sink }, prepared));
        }
        "/console/login" | "/myaccount/login" => {
            let (email, password) = if pattern.starts_with("/console") {
                (OWNER_EMAIL, OWNER_PASSWORD)
            } else {
                w.customer().await;
                ("pat@example.com", PASSWORD)
            };
            let url = app.url(pattern);
            Prepared::on(&client(), &url, url.clone(), &[("email", email), ("password", password)])
                .await
        }
        "/console/logout" => w.console("/console/users", pattern, &[]).await,
        "/console/invitation/{token}" | "/console/invitation/{token}/policy" => {
            let (_, link) = w.invited_admin("viewer").await;
            if pattern.ends_with("/policy") {
                let fields = [("password", "x"), ("username", "ada@example.com")];
                Prepared::on(&client(), &link, format!("{link}/policy"), &fields).await
            } else {
                Prepared::on(&client(), &link, link.clone(), &[("password", NEW), ("confirm", NEW)])
                    .await
            }
        }
        "/myaccount/logout" | "/myaccount/profile" => {
            w.customer().await;
            let browser = w.customer_browser().await;
            let fields: &[(&str, &str)] = if pattern.ends_with("/logout") {
                &[]
            } else {
                &[("first_name", "Patty"), ("last_name", "Doe")]
            };
            Prepared::on(&browser, &app.url("/myaccount"), app.url(pattern), fields).await
        }
        "/myaccount/end-session" => {
            w.customer().await;
            let browser = w.customer_browser().await;
            let url = app.url(pattern);
            Prepared::on(&browser, &url, url.clone(), &[]).await
        }
        "/myaccount/policy" => {
            let login = app.url("/myaccount/login");
            Prepared::on(&client(), &login, app.url(pattern), &[("password", "x")]).await
        }
        "/myaccount/forgot-password" => {
            w.customer().await;
            let url = app.url(pattern);
            Prepared::on(&client(), &url, url.clone(), &[("email", "pat@example.com")]).await
        }
        "/myaccount/register" => {
            w.registration_on().await;
            let url = app.url(pattern);
            let form = [
                ("email", "reg@example.com"),
                ("first_name", "Reg"),
                ("last_name", "Istered"),
                ("password", NEW),
                ("confirm", NEW),
            ];
            Prepared::on(&client(), &url, url.clone(), &form).await
        }
        "/myaccount/register/resend" => {
            w.registration_on().await;
            app.insert_account(
                Kind::Customer,
                None,
                "reg@example.com",
                Status::PendingVerification,
                Some(NEW),
            )
            .await;
            let page = app.url("/myaccount/register/pending?email=reg%40example.com");
            Prepared::on(&client(), &page, app.url(pattern), &[("email", "reg@example.com")]).await
        }
        "/myaccount/verify/{token}" => {
            w.registration_on().await;
            let register = app.url("/myaccount/register");
            let form = [
                ("email", "reg@example.com"),
                ("first_name", "Reg"),
                ("last_name", "Istered"),
                ("password", NEW),
                ("confirm", NEW),
            ];
            let p = Prepared::on(&client(), &register, register.clone(), &form).await;
            assert_eq!(p.browser.post(&p.url).form(&p.form).send().await.unwrap().status(), 303);
            let link = link_in(&w.sink.wait_for(1).await[0], "/myaccount/verify/");
            Prepared::on(&client(), &link, link.clone(), &[]).await
        }
        "/myaccount/invitation/{token}" | "/myaccount/reset/{token}" => {
            let link = if pattern.contains("invitation") {
                w.invited_customer().await.1
            } else {
                let id = w.customer().await;
                let page = users(&id, "");
                let form = [("method", "invite"), ("delivery", "offline"), ("password", "")];
                let res = app.post_on(&page, &users(&id, "/reset"), &form).await;
                element_text(&app.followed(res).await.1, "reveal-value").unwrap()
            };
            Prepared::on(&client(), &link, link.clone(), &[("password", NEW), ("confirm", NEW)])
                .await
        }
        "/myaccount/recover/{token}" => {
            w.customer().await;
            let forgot = app.url("/myaccount/forgot-password");
            let p =
                Prepared::on(&client(), &forgot, forgot.clone(), &[("email", "pat@example.com")])
                    .await;
            assert_eq!(p.browser.post(&p.url).form(&p.form).send().await.unwrap().status(), 303);
            let link = link_in(&w.sink.wait_for(1).await[0], "/myaccount/recover/");
            Prepared::on(&client(), &link, link.clone(), &[("password", NEW), ("confirm", NEW)])
                .await
        }
        "/myaccount/password" => {
            let fields = [
                ("email", "terry@example.com"),
                ("first_name", "Terry"),
                ("last_name", "Hall"),
                ("method", "temporary"),
                ("delivery", "offline"),
                ("password", "temporary pass 9911"),
            ];
            let (status, page) = app.new_customer(&fields).await;
            assert_eq!(status, 200, "{page}");
            let (browser, res) =
                app.myaccount_sign_in("terry@example.com", "temporary pass 9911").await;
            assert_eq!(res.status(), 303);
            let url = app.url(pattern);
            Prepared::on(&browser, &url, url.clone(), &[("password", NEW), ("confirm", NEW)]).await
        }
        "/myaccount/security/password"
        | "/myaccount/security/policy"
        | "/myaccount/security/sessions/end-others"
        | "/myaccount/security/sessions/{handle}/end" => {
            w.customer().await;
            w.customer_browser().await;
            let browser = w.customer_browser().await;
            let security = app.url("/myaccount/security");
            let (path, fields): (String, &[(&str, &str)]) = match pattern {
                "/myaccount/security/password" => {
                    (pattern.into(), &[("current", PASSWORD), ("password", NEW), ("confirm", NEW)])
                }
                "/myaccount/security/policy" => (pattern.into(), &[("password", "x")]),
                "/myaccount/security/sessions/end-others" => (pattern.into(), &[]),
                _ => {
                    let page = get_with(&browser, &security).await.1;
                    (action(&page, "/myaccount/security/sessions/", "/end"), &[])
                }
            };
            Prepared::on(&browser, &security, app.url(&path), fields).await
        }
        _ => return None,
    };
    Some((w, prepared))
}

async fn count(app: &TestApp, action: Option<&'static str>) -> i64 {
    use diesel::prelude::*;
    use roster::db::audit::audit_log as e;
    app.db
        .run(move |c| {
            Ok(match action {
                Some(a) => e::table.filter(e::action.eq(a)).count().get_result(c)?,
                None => e::table.count().get_result(c)?,
            })
        })
        .await
        .unwrap()
}

#[actix_web::test]
async fn every_listed_change_writes_its_audit_event() {
    let posts = RULES
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| (r.path, r.audits))
        .chain(PUBLIC.iter().map(|c| (c.path, c.audits)));
    let (mut missing, mut checked) = (Vec::new(), 0);
    for (pattern, audits) in posts {
        let Some((w, p)) = fixture(pattern).await else {
            missing.push(pattern);
            continue;
        };
        let before = count(&w.app, audits).await;
        let res = p.browser.post(&p.url).form(&p.form).send().await.unwrap();
        let status = res.status().as_u16();
        assert!(status < 400, "{pattern}: {status} {}", res.text().await.unwrap());
        match audits {
            Some(action) => {
                // Some work is done after the answer (forgot password's): wait a little for it.
                let mut after = count(&w.app, audits).await;
                for _ in 0..40 {
                    if after > before {
                        break;
                    }
                    actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
                    after = count(&w.app, audits).await;
                }
                assert!(after > before, "{pattern} wrote no {action} event");
            }
            None => assert_eq!(count(&w.app, None).await, before, "{pattern} changes nothing"),
        }
        // Whatever the route recorded, and all it took to get there, holds no secret.
        w.app.assert_no_secrets_in_audit().await;
        checked += 1;
    }
    assert!(missing.is_empty(), "no fixture (and so no proof of an audit event) for {missing:?}");
    assert!(checked >= 55, "{checked} routes driven");
}
