//! Failed sign-in lockout (Settings > Login security) driven by an injectable clock, never by
//! sleeping; the per-address throttle, trusted proxies, and link guessing.

use chrono::Duration;
use roster::domain::clock::Clock;

use crate::cli::roster;
use crate::helpers::*;
use crate::smtp::{SmtpSink, text_part};

const PASSWORD: &str = "juniper lantern 1987";
const WRONG: &str = "not the password at all";

async fn set_lockout(app: &TestApp, attempts: &str, minutes: &str, factor: &str) {
    let page = "/console/settings/login-security";
    let form =
        [("enabled", "on"), ("attempts", attempts), ("minutes", minutes), ("factor", factor)];
    let res = app.post_on(page, page, &form).await;
    assert_eq!(res.status(), 303);
}

/// The My Account sign-in page's body after an attempt, without what differs per request.
async fn attempt(app: &TestApp, email: &str, password: &str) -> (u16, String) {
    let (_, res) = app.myaccount_sign_in(email, password).await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    let token = if status == 422 { csrf_in(&body) } else { String::new() };
    (status, body.replace(&token, ""))
}

/// Minutes from `clock`'s now until the account's lock ends.
async fn lock_minutes_left(app: &TestApp, id: &str, clock: &Clock) -> i64 {
    let account = app.account(id).await.unwrap();
    assert_eq!(account.status, "locked");
    assert_eq!(account.lock_reason.as_deref(), Some("failed_attempts"));
    let until = account.locked_until.expect("a timed lock");
    (until - clock.now()).num_seconds().div_euclid(60) + 1
}

#[actix_web::test]
async fn failed_sign_ins_lock_for_a_growing_time_and_the_lock_lifts_itself() {
    let sink = SmtpSink::start().await;
    let clock = Clock::default();
    let app = signed_in_app_with(|c| {
        c.mail.smtp_url = Some(sink.url());
        c.clock = clock.clone();
    })
    .await;
    set_lockout(&app, "3", "10", "3").await;
    let settings = app.get_text("/console/settings/login-security").await.1;
    assert!(settings.contains("locked for 10 minutes, then 30 minutes, then 1 hour 30 minutes"));
    let email = "guessed@example.com";
    let id = app.active_customer(email, PASSWORD).await;

    let (status, wrong_page) = attempt(&app, email, WRONG).await;
    assert_eq!(status, 422);
    attempt(&app, email, WRONG).await;
    assert_eq!(app.account(&id).await.unwrap().status, "active", "two failures do not lock");
    attempt(&app, email, WRONG).await;
    assert_eq!(lock_minutes_left(&app, &id, &clock).await, 10);

    // During the lock the right password gets the very page a wrong one gets.
    let (status, right_page) = attempt(&app, email, PASSWORD).await;
    assert_eq!(status, 422);
    assert_eq!(right_page, wrong_page);
    let (_, console) = app.get_text(&format!("/console/users/{id}")).await;
    assert!(console.contains("Locked after failed sign-ins until"), "{console}");
    let mail = sink.wait_for(1).await;
    assert!(text_part(&mail[0]).contains("locked for 10 minutes"), "{}", text_part(&mail[0]));

    // Time passes: the lock lifts itself at the next sign-in. Failing again locks for 10 × 3.
    clock.advance(Duration::minutes(11));
    attempt(&app, email, WRONG).await;
    assert_eq!(app.account(&id).await.unwrap().status, "active", "the lock ran out");
    attempt(&app, email, WRONG).await;
    attempt(&app, email, WRONG).await;
    assert_eq!(lock_minutes_left(&app, &id, &clock).await, 30, "the second lock is longer");
    clock.advance(Duration::minutes(29));
    assert_eq!(attempt(&app, email, PASSWORD).await.0, 422, "still locked a minute before");
    clock.advance(Duration::minutes(2));
    assert_eq!(attempt(&app, email, PASSWORD).await.0, 303, "signs in when the time is up");
    let account = app.account(&id).await.unwrap();
    assert_eq!((account.lockouts, account.failed_attempts), (0, 0), "a success starts afresh");

    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "account.locked").count(), 2);
    assert!(actions.contains(&"settings.login_security_updated".to_owned()));
    // The second lock's email went out too (and is not cut off mid-send by the test's end).
    assert!(text_part(&sink.wait_for(2).await[1]).contains("locked for 30 minutes"));
}

#[actix_web::test]
async fn the_counters_survive_a_restart_and_the_toggle_unlocks_early() {
    let clock = Clock::default();
    let app = signed_in_app_with(|c| c.clock = clock.clone()).await;
    set_lockout(&app, "2", "60", "2").await;
    let email = "restart@example.com";
    let id = app.active_customer(email, PASSWORD).await;
    attempt(&app, email, WRONG).await;
    assert_eq!(app.account(&id).await.unwrap().failed_attempts, 1);

    // A second server on the same data: the count is in the database.
    let mut config = test_config(app.data_dir.path());
    config.clock = clock.clone();
    let again = roster::startup::Application::build(config).await.unwrap();
    let base = again.base_url().to_owned();
    actix_web::rt::spawn(again.run_until_stopped());
    let browser = client();
    let login = format!("{base}/myaccount/login");
    let token = csrf_in(&get_with(&browser, &login).await.1);
    let form = [("csrf_token", token.as_str()), ("email", email), ("password", WRONG)];
    assert_eq!(browser.post(&login).form(&form).send().await.unwrap().status(), 422);
    assert_eq!(lock_minutes_left(&app, &id, &clock).await, 60);

    // An administrator lifts it early with the Lock user toggle (unlock).
    let page = format!("/console/users/{id}");
    let res = app.post_on(&page, &format!("{page}/unlock"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(attempt(&app, email, PASSWORD).await.0, 303);
}

#[actix_web::test]
async fn a_locked_out_owner_is_unlocked_from_the_command_line() {
    let clock = Clock::default();
    let app = signed_in_app_with(|c| c.clock = clock.clone()).await;
    set_lockout(&app, "2", "15", "2").await;
    let other = client();
    for _ in 0..2 {
        let page = get_with(&other, &app.url("/console/login")).await.1;
        let form = [
            ("csrf_token", csrf_in(&page)),
            ("email", OWNER_EMAIL.into()),
            ("password", WRONG.into()),
        ];
        other.post(app.url("/console/login")).form(&form).send().await.unwrap();
    }
    let owner = app.customer_or_admin(OWNER_EMAIL).await;
    assert_eq!(owner.status, "locked", "administrators are locked out too");
    assert_eq!(app.get("/console/users").await.status(), 303, "the owner's session ended");
    assert_eq!(
        app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.status(),
        422,
        "even the right password"
    );

    let out = roster(app.data_dir.path(), &["unlock", "--email", "Owner@Example.com"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("is unlocked"));
    assert_eq!(app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await.status(), 303);
    let nobody = roster(app.data_dir.path(), &["unlock", "--email", "nobody@example.com"], "");
    assert!(!nobody.status.success());
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("no administrator"));
}

#[actix_web::test]
async fn a_spoofed_forwarded_for_from_an_untrusted_peer_does_not_dodge_the_throttle() {
    let app = spawn_app_with_owner().await;
    let browser = client();
    let login = app.url("/console/login");
    let token = csrf_in(&get_with(&browser, &login).await.1);
    let form = [("csrf_token", token.as_str()), ("email", OWNER_EMAIL), ("password", WRONG)];
    for i in 0..10 {
        let res = browser
            .post(&login)
            .header("x-forwarded-for", format!("203.0.113.{i}"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
    }
    let audit_before = app.audit_actions().await.len();
    let res = browser
        .post(&login)
        .header("x-forwarded-for", "198.51.100.77")
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", OWNER_EMAIL),
            ("password", OWNER_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429, "the socket's address is the client");
    assert_eq!(app.audit_actions().await.len(), audit_before, "refused before any work");
}

#[actix_web::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_throttle() {
    let app = spawn_app_with(|c| {
        c.trusted_proxies = roster::domain::net::parse_list("127.0.0.1/32").unwrap();
    })
    .await;
    let browser = client();
    let login = app.url("/myaccount/login");
    let token = csrf_in(&get_with(&browser, &login).await.1);
    let form = [("csrf_token", token.as_str()), ("email", "x@example.com"), ("password", WRONG)];
    let post = |client_ip: &'static str| {
        browser.post(&login).header("x-forwarded-for", client_ip).form(&form).send()
    };
    for _ in 0..10 {
        assert_eq!(post("192.0.2.10").await.unwrap().status(), 422);
    }
    assert_eq!(post("192.0.2.10").await.unwrap().status(), 429);
    assert_eq!(post("192.0.2.11").await.unwrap().status(), 422, "another client is not held");
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 5)?)).await.unwrap();
    assert_eq!(events[0].ip, "192.0.2.11", "the audit trail names the forwarded client");
}

#[actix_web::test]
async fn guessing_links_is_throttled_before_any_lookup() {
    let app = spawn_app().await;
    let guesser = client();
    for i in 0..10 {
        let (status, _) =
            get_with(&guesser, &app.url(&format!("/myaccount/reset/guess{i:040}"))).await;
        assert_eq!(status, 404);
    }
    let (status, _) = get_with(&guesser, &app.url("/myaccount/invitation/another-guess")).await;
    assert_eq!(status, 429);
}

impl TestApp {
    /// The administrator (or customer) with this email.
    async fn customer_or_admin(&self, email: &str) -> roster::db::accounts::Account {
        let email = email.to_owned();
        self.db
            .run(move |c| {
                use roster::domain::account::Kind;
                Ok(roster::db::accounts::find_by_email(c, Kind::Administrator, &email)?
                    .or(roster::db::accounts::find_by_email(c, Kind::Customer, &email)?))
            })
            .await
            .unwrap()
            .unwrap()
    }
}
