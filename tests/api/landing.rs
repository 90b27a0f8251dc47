//! Every address a person can land on answers a GET: the address of a change (a form's
//! POST) leads to the page above it, after a reload, a bookmark or a return from sign-in;
//! error pages lead back into their own area.

use roster::web::changes::PUBLIC;
use roster::web::console::access::RULES;

use crate::helpers::*;

const PASSWORD: &str = "a long customer passphrase";

/// `pattern` with each `{name}` replaced by `value`.
fn fill(pattern: &str, value: &str) -> String {
    pattern
        .split('/')
        .map(|s| if s.starts_with('{') { value } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

#[actix_web::test]
async fn a_get_of_any_change_address_leads_to_a_page_never_a_404() {
    let app = signed_in_app().await;
    let page = "/console/settings/self-registration";
    let on = [("enabled", "on"), ("verification", "on"), ("expiry_minutes", "1440")];
    assert_eq!(
        app.post_on(page, page, &on).await.status(),
        303,
        "registration on: its pages exist"
    );
    let id = app.active_customer("pat@example.com", PASSWORD).await;
    let (customer, res) = app.myaccount_sign_in("pat@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303);
    // The changes without a page of their own at the same address (those with one answer
    // their GET themselves, a 404 for an id that does not exist included).
    let console_get = |path: &str| RULES.iter().any(|r| r.method == "GET" && r.path == path);
    let changes = RULES
        .iter()
        .filter(|r| r.method == "POST" && !console_get(r.path))
        .map(|r| r.path)
        .chain(PUBLIC.iter().map(|c| c.path).filter(|p| !p.contains("{token}")))
        // The provider's endpoints are APIs that applications call, not pages.
        .filter(|p| !p.starts_with("/oidc/"));
    let mut checked = 0;
    for pattern in changes {
        let path = fill(pattern, &id);
        let browser = if path.starts_with("/myaccount") { &customer } else { &app.client };
        // A page, or the way to one (the page above it, or sign-in); never a 404 or 405.
        let status = browser.get(app.url(&path)).send().await.unwrap().status().as_u16();
        assert!(status == 200 || status == 303, "GET {path}: {status}");
        checked += 1;
    }
    assert!(checked >= 30, "{checked}");
    // The pages above the common ones, exactly.
    for (path, page) in [
        ("/myaccount/profile", "/myaccount"),
        ("/myaccount/security/password", "/myaccount/security"),
        ("/console/profile/password", "/console/profile"),
        (&format!("/console/users/{id}/groups/g1/remove"), &format!("/console/users/{id}/groups")),
        (&format!("/console/users/{id}/invitation"), &format!("/console/users/{id}")),
    ] {
        let browser = if path.starts_with("/myaccount") { &customer } else { &app.client };
        let res = browser.get(app.url(path)).send().await.unwrap();
        assert_eq!(header(res.headers(), "location"), page, "{path}");
    }
}

#[actix_web::test]
async fn a_customer_sent_back_to_the_profile_form_after_sign_in_lands_on_their_profile() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    // A browser that follows redirects, as people's do.
    let browser = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let login = browser.get(app.url("/myaccount/profile")).send().await.unwrap();
    assert_eq!(login.status(), 200);
    let url = login.url().clone();
    assert_eq!(url.path(), "/myaccount/login");
    let page = login.text().await.unwrap();
    let mut form = vec![
        ("csrf_token", csrf_in(&page)),
        ("email", "pat@example.com".to_owned()),
        ("password", PASSWORD.to_owned()),
    ];
    if page.contains(r#"name="next""#) {
        form.push(("next", hidden_field(&page, "next")));
    }
    let res = browser.post(url).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200, "a page, not a 404");
    assert_eq!(res.url().path(), "/myaccount");
    assert!(res.text().await.unwrap().contains("pat@example.com"));
}

#[actix_web::test]
async fn a_profile_form_with_errors_reloaded_shows_the_profile_again() {
    let app = spawn_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let (browser, _) = app.myaccount_sign_in("pat@example.com", PASSWORD).await;
    let page = get_with(&browser, &app.url("/myaccount")).await.1;
    let form = [
        ("csrf_token", csrf_in(&page)),
        ("first_name", "x".repeat(500)),
        ("last_name", "Doe".into()),
    ];
    let res = browser.post(app.url("/myaccount/profile")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 422, "shown again with its message, at the form's address");
    // Reloading that address (a GET) shows the profile, not a 404.
    let res = browser.get(app.url("/myaccount/profile")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/myaccount");
    assert_eq!(get_with(&browser, &app.url("/myaccount")).await.0, 200);
}

#[actix_web::test]
async fn error_pages_lead_back_into_their_own_area() {
    let app = spawn_app_with_owner().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let (customer, _) = app.myaccount_sign_in("pat@example.com", PASSWORD).await;
    let (status, page) = get_with(&customer, &app.url("/myaccount/no-such-page")).await;
    assert_eq!(status, 404);
    assert!(page.contains(r#"href="/myaccount""#) && page.contains("Back to My Account"), "{page}");
    assert!(!page.contains("/console"), "a customer is not sent to the console: {page}");
    let (status, page) = get_with(&client(), &app.url("/console/no-such-page")).await;
    assert!(status == 404 || status == 303, "{status}");
    if status == 404 {
        assert!(page.contains("Back to the console") && !page.contains("My Account"));
    }
    let (status, page) = get_with(&client(), &app.url("/no-such-page")).await;
    assert_eq!(status, 404);
    assert!(page.contains(r#"href="/myaccount""#) && page.contains(r#"href="/console""#), "{page}");
}
