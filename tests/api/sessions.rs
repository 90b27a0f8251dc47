//! The customer's Sessions tab (Terminate, Terminate all), and nothing stored for anonymous
//! visitors: stateless CSRF on the sign-in and link pages, private data files.

use crate::helpers::*;

const PASSWORD: &str = "juniper lantern 1987";
const CHROME_LINUX: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like \
                            Gecko) Chrome/156.0.0.0 Safari/537.36";
const FIREFOX_MAC: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0";

/// A browser with its own user agent, signed in to My Account.
async fn browser_as(app: &TestApp, email: &str, user_agent: &str) -> reqwest::Client {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent)
        .build()
        .unwrap();
    let login = app.url("/myaccount/login");
    let token = csrf_in(&get_with(&browser, &login).await.1);
    let form = [("csrf_token", token.as_str()), ("email", email), ("password", PASSWORD)];
    assert_eq!(browser.post(&login).form(&form).send().await.unwrap().status(), 303);
    browser
}

/// The Terminate buttons' addresses on the Sessions tab, in order.
fn terminate_hrefs(html: &str) -> Vec<String> {
    html.split("action=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .filter(|href| href.ends_with("/terminate"))
        .collect()
}

#[actix_web::test]
async fn the_sessions_tab_lists_each_session_and_terminate_ends_it_on_its_next_request() {
    let app = signed_in_app().await;
    let email = "two.devices@example.com";
    let id = app.active_customer(email, PASSWORD).await;
    let laptop = browser_as(&app, email, CHROME_LINUX).await;
    let mac = browser_as(&app, email, FIREFOX_MAC).await;
    let tab = format!("/console/users/{id}/sessions");

    let (status, html) = app.get_text(&tab).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Chrome 156 on Linux") && html.contains("Firefox 121 on macOS"),
        "{html}"
    );
    assert!(html.contains("127.0.0.1"));
    assert!(html.contains("Sessions <span class=\"count\">2</span>"));
    let hrefs = terminate_hrefs(&html);
    assert_eq!(hrefs.len(), 2);
    let account = id.clone();
    let stored: Vec<String> = app
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use roster::db::schema::sessions;
            Ok(sessions::table
                .filter(sessions::account_id.eq(account_key(c, &account)))
                .select(sessions::id_hash)
                .load(c)?)
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|h| !html.contains(h.as_str())), "the stored hashes stay private");

    // The Firefox session was seen last, so it is listed first.
    let _ = get_with(&mac, &app.url("/myaccount")).await;
    let firefox_row = html.find("Firefox 121").unwrap();
    let chrome_row = html.find("Chrome 156").unwrap();
    let firefox_href = if firefox_row < chrome_row { &hrefs[0] } else { &hrefs[1] };
    let res = app.post_on(&tab, firefox_href, &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), tab);
    assert_eq!(get_with(&mac, &app.url("/myaccount")).await.0, 303, "signed out");
    assert_eq!(get_with(&laptop, &app.url("/myaccount")).await.0, 200, "the other goes on");
    let (_, html) = app.get_text(&tab).await;
    assert!(html.contains("The session was terminated."));
    assert!(!html.contains("Firefox 121"));

    let res = app.post_on(&tab, &format!("{tab}/terminate-all"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(get_with(&laptop, &app.url("/myaccount")).await.0, 303);
    let (_, html) = app.get_text(&tab).await;
    assert!(html.contains("No active sessions."));
    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "session.terminated").count(), 2);
    // A handle that is not one of theirs ends nothing.
    let res = app.post_on(&tab, &format!("{tab}/0123456789abcdef/terminate"), &[]).await;
    assert_eq!(res.status(), 303);
    assert!(app.get_text(&tab).await.1.contains("That session had already ended."));
}

#[actix_web::test]
async fn anonymous_visits_to_sign_in_and_link_pages_store_nothing() {
    let app = signed_in_app().await;
    let invited = app.offline_invitation("invited@example.com").await;
    let id = app.active_customer("resetting@example.com", PASSWORD).await;
    let page = format!("/console/users/{id}");
    let form = [("method", "invite"), ("delivery", "offline"), ("password", "")];
    let res = app.post_on(&page, &format!("{page}/reset"), &form).await;
    let reset = element_text(&app.followed(res).await.1, "reveal-value").unwrap();

    let before = app.session_rows().await;
    let visitor =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    for url in
        [app.url("/console/login"), app.url("/myaccount/login"), invited.clone(), reset.clone()]
    {
        for _ in 0..1000 {
            let res = visitor.get(&url).send().await.unwrap();
            assert_eq!(res.status(), 200, "{url}");
            assert!(res.headers().get_all("set-cookie").iter().all(|c| {
                let c = c.to_str().unwrap();
                c.starts_with("roster_csrf=")
            }));
        }
    }
    assert_eq!(app.session_rows().await, before, "no session row for anonymous visitors");

    // Their forms work with the stateless token: the link sets a password, sign-in signs in.
    let browser = client();
    let strong = "copper meadow sailing 7";
    let res = submit_page(&browser, &reset, &[("password", strong), ("confirm", strong)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.session_rows().await, before, "still nothing stored");
    let (_, res) = app.myaccount_sign_in("resetting@example.com", strong).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.session_rows().await, before + 1, "a row once someone signs in");
    // Accepting an invitation signs the customer in: that is a sign-in too.
    let res = submit_page(&client(), &invited, &[("password", strong), ("confirm", strong)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.session_rows().await, before + 2);
}

#[actix_web::test]
async fn stateless_forms_refuse_a_missing_forged_or_borrowed_token() {
    let app = spawn_app_with_owner().await;
    let browser = client();
    let login = app.url("/console/login");
    let token = csrf_in(&get_with(&browser, &login).await.1);
    let (issued, mac) = token.split_once('.').expect("an issue time and a signature");
    let audit_before = app.audit_actions().await.len();
    let forged_mac = format!("{issued}.{}", "A".repeat(mac.len()));
    let forged_time = format!("{}.{mac}", issued.parse::<i64>().unwrap() + 1);
    for sent in [None, Some(forged_mac.as_str()), Some(forged_time.as_str()), Some("garbage")] {
        let mut form = vec![("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)];
        if let Some(t) = sent {
            form.push(("csrf_token", t));
        }
        let res = browser.post(&login).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 403, "{sent:?}");
    }
    // The token only works with the cookie it was issued with.
    let other = client();
    let _ = get_with(&other, &login).await;
    let form =
        [("csrf_token", token.as_str()), ("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)];
    assert_eq!(
        other.post(&login).form(&form).send().await.unwrap().status(),
        403,
        "another cookie"
    );
    assert_eq!(client().post(&login).form(&form).send().await.unwrap().status(), 403, "no cookie");
    assert_eq!(app.audit_actions().await.len(), audit_before, "nothing was tried");
    assert_eq!(browser.post(&login).form(&form).send().await.unwrap().status(), 303);
}

#[actix_web::test]
async fn the_data_directory_and_database_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    let mut config = test_config(&dir);
    config.data_dir = dir.clone();
    let app = roster::startup::Application::build(config).await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700);
    for file in ["roster.sqlite3", "roster.sqlite3-wal", "roster.sqlite3-shm"] {
        assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
    }
    drop(app);
}

impl TestApp {
    /// An invitation link to copy, from the New User wizard.
    async fn offline_invitation(&self, email: &str) -> String {
        let (status, page) = self
            .new_customer(&[
                ("email", email),
                ("first_name", "In"),
                ("last_name", "Vited"),
                ("method", "invite"),
                ("delivery", "offline"),
                ("password", ""),
            ])
            .await;
        assert_eq!(status, 200);
        element_text(&page, "reveal-value").unwrap()
    }
}

#[actix_web::test]
async fn a_session_ended_while_its_request_runs_is_not_brought_back_for_its_account() {
    use actix_session::storage::SessionStore;
    use roster::web::session_store::{DbSessionStore, KEY_ACCOUNT, KEY_LOADED_ACCOUNT};
    let app = spawn_app().await;
    let id = app.active_customer("racing@example.com", "juniper lantern 1987").await;
    let store = DbSessionStore::new(
        app.db.clone(),
        "myaccount",
        chrono::Duration::minutes(30),
        chrono::Duration::hours(12),
    );
    let ttl = actix_web::cookie::time::Duration::minutes(30);
    let mut state = std::collections::HashMap::new();
    state.insert(KEY_ACCOUNT.to_owned(), serde_json::to_string(&id).unwrap());
    let key = store.save(state.clone(), &ttl).await.unwrap();
    assert!(store.load(&key).await.unwrap().unwrap().contains_key(KEY_LOADED_ACCOUNT));

    // Terminated between the request's load and its save (which carries a new flash).
    let account = app.key(&id).await;
    app.db
        .run(move |c| Ok(roster::db::sessions::delete_all_of_account(c, account)?))
        .await
        .unwrap();
    state.insert("flash".to_owned(), serde_json::to_string("Saved.").unwrap());
    let renewed = store.update(key, state, &ttl).await.unwrap();
    let loaded = store.load(&renewed).await.unwrap().unwrap();
    assert!(!loaded.contains_key(KEY_ACCOUNT) && !loaded.contains_key(KEY_LOADED_ACCOUNT));
    assert_eq!(app.rows_of_account(account).await[3], ("sessions", 0));
}
