//! Self-registration: off → its pages do not exist; on → register, verify by the emailed link
//! (a real SMTP listener), sign in; verification off → signed in at once; an existing address
//! gets the same page and an "already have an account" email; unverified accounts cannot sign
//! in.

use crate::helpers::*;
use crate::smtp::{SmtpSink, link_in, recipient, text_part};

const PASSWORD: &str = "juniper lantern 1987";

async fn set_registration(app: &TestApp, enabled: bool, verification: bool) {
    let page = "/console/settings/self-registration";
    let mut form = vec![("expiry_minutes", "1440")];
    if enabled {
        form.push(("enabled", "on"));
    }
    if verification {
        form.push(("verification", "on"));
    }
    let res = app.post_on(page, page, &form).await;
    assert_eq!(res.status(), 303);
}

/// Registers from a fresh browser; returns it and the response.
async fn register(
    app: &TestApp,
    email: &str,
    password: &str,
) -> (reqwest::Client, reqwest::Response) {
    let browser = client();
    let page = get_with(&browser, &app.url("/myaccount/register")).await.1;
    let form = [
        ("csrf_token", csrf_in(&page)),
        ("email", email.to_owned()),
        ("first_name", "Ada".into()),
        ("last_name", "Lovelace".into()),
        ("password", password.into()),
        ("confirm", password.into()),
    ];
    let res = browser.post(app.url("/myaccount/register")).form(&form).send().await.unwrap();
    (browser, res)
}

#[actix_web::test]
async fn off_by_default_its_pages_do_not_exist() {
    let app = signed_in_app().await;
    let login = app.get_text("/myaccount/login").await.1;
    assert!(!login.contains("Create an account"));
    for path in ["/myaccount/register", "/myaccount/register/pending?email=a%40b.c"] {
        assert_eq!(client().get(app.url(path)).send().await.unwrap().status(), 404, "{path}");
    }
    let page = get_with(&client(), &app.url("/myaccount/login")).await.1;
    let browser = client();
    let _ = page;
    let login = get_with(&browser, &app.url("/myaccount/login")).await.1;
    let form = [("csrf_token", csrf_in(&login)), ("email", "x@example.com".into())];
    let res = browser.post(app.url("/myaccount/register")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(app.count_customers().await, 0);
}

#[actix_web::test]
async fn register_verify_by_the_emailed_link_then_sign_in() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    set_registration(&app, true, true).await;
    let login = get_with(&client(), &app.url("/myaccount/login")).await.1;
    assert!(login.contains(r#"href="/myaccount/register">Create an account"#));

    // Bad input: 422 with messages next to the fields, nothing created.
    let (_, res) = register(&app, "not an email", "short").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"id="email-error""#) && html.contains(r#"id="password-error""#));
    assert_eq!(app.count_customers().await, 0);

    let (_, res) = register(&app, "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303);
    let pending_page = header(res.headers(), "location").to_owned();
    assert_eq!(pending_page, "/myaccount/register/pending?email=ada%40example.com");
    let account = app.customer_by_email("ada@example.com").await;
    assert_eq!(account.status, "pending_verification");
    let users = app.get_text("/console/users").await.1;
    assert!(users.contains("Pending verification"), "the console lists them as pending");
    let (status, page) = app.get_text(&format!("/console/users/{}", account.public_id)).await;
    assert_eq!(status, 200);
    assert!(page.contains("Pending verification"), "and shows it on their page");

    // Not yet verified: the generic failure.
    let (_, res) = app.myaccount_sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 422);

    // Resend: a new link, the old one stops working.
    let mail = sink.wait_for(1).await;
    assert!(recipient(&mail[0]).ends_with("<ada@example.com>"));
    let first = link_in(&mail[0], "/myaccount/verify/");
    let browser = client();
    let page = get_with(&browser, &app.url(&pending_page)).await.1;
    assert!(page.contains("Resend"));
    // (Resend waits a minute between links per account; the first link is kept here.)
    let (status, verify_page) = get_with(&browser, &first).await;
    assert_eq!(status, 200);
    assert!(verify_page.contains("Verify my email"));
    assert_eq!(
        app.customer_by_email("ada@example.com").await.status,
        "pending_verification",
        "GET changes nothing"
    );
    let res = submit_page(&browser, &first, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(header(res.headers(), "location").starts_with("/myaccount/login?notice=verified"));
    let verified = app.customer_by_email("ada@example.com").await;
    assert_eq!(verified.status, "active");
    assert!(verified.email_verified_at.is_some());
    let (status, used) = get_with(&browser, &first).await;
    assert_eq!(status, 410, "once only");
    assert!(used.contains("already verified"));

    let (signed_in, res) = app.myaccount_sign_in("ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert!(get_with(&signed_in, &app.url("/myaccount")).await.1.contains(r#"value="Ada""#));
    let actions = app.audit_actions().await;
    assert!(actions.contains(&"customer.registered".to_owned()));
    assert!(actions.contains(&"customer.verified".to_owned()));

    // The same address again: the very same answer, and an email to the owner instead.
    let (_, again) = register(&app, "ada@example.com", "another fine phrase 42").await;
    assert_eq!(again.status(), 303);
    assert_eq!(header(again.headers(), "location"), pending_page);
    let mail = sink.wait_for(2).await;
    assert!(text_part(&mail[1]).contains("you already have one"), "{}", text_part(&mail[1]));
    assert_eq!(app.count_customers().await, 1);
    assert_eq!(
        app.myaccount_sign_in("ada@example.com", "another fine phrase 42").await.1.status(),
        422
    );
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn resend_replaces_the_verification_link() {
    let sink = SmtpSink::start().await;
    let clock = roster::domain::clock::Clock::default();
    let app = signed_in_app_with(|c| {
        c.mail.smtp_url = Some(sink.url());
        c.clock = clock.clone();
    })
    .await;
    set_registration(&app, true, true).await;
    let (browser, _) = register(&app, "bob@example.com", PASSWORD).await;
    let first = link_in(&sink.wait_for(1).await[0], "/myaccount/verify/");
    clock.advance(chrono::Duration::minutes(2));
    let page =
        get_with(&browser, &app.url("/myaccount/register/pending?email=bob%40example.com")).await.1;
    let form = [("csrf_token", csrf_in(&page)), ("email", "bob@example.com".into())];
    let res = browser.post(app.url("/myaccount/register/resend")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let second = link_in(&sink.wait_for(2).await[1], "/myaccount/verify/");
    assert_ne!(first, second);
    assert_eq!(get_with(&client(), &first).await.0, 410, "the old link was replaced");
    assert_eq!(get_with(&client(), &second).await.0, 200);
    // Expired after the configured time.
    clock.advance(chrono::Duration::minutes(24 * 60 + 1));
    assert_eq!(get_with(&client(), &second).await.0, 410);
}

#[actix_web::test]
async fn without_verification_the_new_customer_is_signed_in_at_once() {
    let app = signed_in_app().await;
    set_registration(&app, true, false).await;
    let (browser, res) = register(&app, "cy@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/myaccount");
    let (status, page) = get_with(&browser, &app.url("/myaccount")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Welcome! Your account is ready."));
    let cy = app.customer_by_email("cy@example.com").await;
    assert_eq!(cy.status, "active");
    assert!(cy.email_verified_at.is_none(), "nobody proved the address");
}
