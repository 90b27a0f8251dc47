//! My Account as a customer uses it: Profile (through the My Account column of the attribute
//! grid), Security (change password, own sessions), Your data, Forgot password, coming back to
//! the page that asked for sign-in, and the two areas never sharing a session.

use chrono::Duration;
use roster::db::audit::Actor;
use roster::domain::account::{Kind, Status};
use roster::domain::attribute::{AttributeInput, Grid};
use roster::domain::clock::Clock;

use crate::helpers::*;
use crate::smtp::{SmtpSink, link_in, recipient, text_part};

const PASSWORD: &str = "juniper lantern 1987";
const NEW_PASSWORD: &str = "copper meadow sailing 7";

/// Defines an attribute with the given grid.
async fn define(app: &TestApp, name: &str, grid: Grid) {
    let input = AttributeInput {
        name: name.into(),
        display_name: name.replace('_', " "),
        data_type: "text".into(),
        display_order: "50".into(),
        grid,
        ..AttributeInput::default()
    };
    roster::accounts::attributes::create(&app.db, Actor::system("test"), input)
        .await
        .unwrap_or_else(|_| panic!("{name} is a valid definition"));
}

/// POSTs `fields` from a signed-in customer's page, with that page's CSRF token.
async fn post_as(
    app: &TestApp,
    browser: &reqwest::Client,
    page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let html = get_with(browser, &app.url(page)).await.1;
    let mut form = vec![("csrf_token", csrf_in(&html))];
    form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    browser.post(app.url(path)).form(&form).send().await.unwrap()
}

async fn signed_in(app: &TestApp, email: &str) -> (String, reqwest::Client) {
    let id = app.active_customer(email, PASSWORD).await;
    let (browser, res) = app.myaccount_sign_in(email, PASSWORD).await;
    assert_eq!(res.status(), 303);
    (id, browser)
}

#[actix_web::test]
async fn the_profile_obeys_the_my_account_column_of_the_grid() {
    let app = signed_in_app().await;
    let editable = Grid { myaccount: [true, false, false], ..Grid::default() };
    define(&app, "nickname", editable).await;
    define(&app, "member_code", Grid { myaccount: [true, false, true], ..Grid::default() }).await;
    define(&app, "risk_score", Grid { console: [true, false, false], ..Grid::default() }).await;
    define(&app, "city", Grid { myaccount: [true, true, false], ..Grid::default() }).await;
    let (id, browser) = signed_in(&app, "pat@example.com").await;

    let (status, page) = get_with(&browser, &app.url("/myaccount")).await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"name="attr_nickname""#), "editable in My Account");
    assert!(page.contains("member code") && page.contains("(read-only)"), "shown, read-only");
    assert!(!page.contains(r#"name="attr_member_code""#), "not an input");
    assert!(!page.contains("risk score"), "console-only attributes are not shown");

    // Crafted fields: read-only, console-only, unknown → 400, nothing changed.
    for forged in ["attr_member_code", "attr_risk_score", "attr_nope"] {
        let fields =
            [("first_name", "Pat"), ("last_name", "Doe"), ("attr_city", "Oslo"), (forged, "x")];
        let res = post_as(&app, &browser, "/myaccount", "/myaccount/profile", &fields).await;
        assert_eq!(res.status(), 400, "{forged}");
    }
    assert_eq!(app.attribute_value(&id, "city").await, None, "nothing was saved");
    assert_eq!(app.account(&id).await.unwrap().first_name, "Test");

    // A required attribute left empty: 422 with the message next to it, nothing saved.
    let fields = [("first_name", "Pat"), ("last_name", "Doe"), ("attr_nickname", "Patty")];
    let res = post_as(&app, &browser, "/myaccount", "/myaccount/profile", &fields).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("city is required."), "{html}");
    assert!(html.contains(r#"value="Patty""#), "what was typed is kept");
    assert_eq!(app.attribute_value(&id, "nickname").await, None);

    // Valid: saved, said, audited with the customer as the actor and before → after.
    let fields = [
        ("first_name", "Pat"),
        ("last_name", "Doe"),
        ("attr_nickname", "Patty"),
        ("attr_city", "Oslo"),
    ];
    let res = post_as(&app, &browser, "/myaccount", "/myaccount/profile", &fields).await;
    assert_eq!(res.status(), 303);
    let page = get_with(&browser, &app.url("/myaccount")).await.1;
    assert!(page.contains("Saved: First Name, Last Name, city, nickname."), "{page}");
    assert_eq!(app.attribute_value(&id, "city").await.as_deref(), Some("Oslo"));
    let event = app.db.run(|c| Ok(roster::db::audit::recent(c, 1)?.remove(0))).await.unwrap();
    assert_eq!(event.action, "customer.updated");
    assert_eq!(event.actor_id.as_deref(), Some(id.as_str()));
    assert!(
        event.details.contains(r#""first_name":{"after":"Pat","before":"Test"}"#),
        "{}",
        event.details
    );

    // Again with the same values: nothing changed, nothing recorded.
    let res = post_as(&app, &browser, "/myaccount", "/myaccount/profile", &fields).await;
    assert_eq!(res.status(), 303);
    assert!(get_with(&browser, &app.url("/myaccount")).await.1.contains("Nothing changed."));
}

#[actix_web::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    let (id, phone) = signed_in(&app, "pat@example.com").await;
    let (laptop, _) = app.myaccount_sign_in("pat@example.com", PASSWORD).await;
    let security = "/myaccount/security";
    let page = get_with(&phone, &app.url(security)).await.1;
    assert!(page.contains("This device"), "{page}");
    assert_eq!(page.matches("class=\"session-item\"").count(), 2);
    let before = app.account(&id).await.unwrap().password_hash;

    let change = "/myaccount/security/password";
    let wrong =
        [("current", "not it at all"), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
    let res = post_as(&app, &phone, security, change, &wrong).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("This is not your current password."));
    let weak = [("current", PASSWORD), ("password", "short"), ("confirm", "short")];
    let res = post_as(&app, &phone, security, change, &weak).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.account(&id).await.unwrap().password_hash, before, "nothing changed");

    let good = [("current", PASSWORD), ("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)];
    let res = post_as(&app, &phone, security, change, &good).await;
    assert_eq!(res.status(), 303);
    let (status, page) = get_with(&phone, &app.url(security)).await;
    assert_eq!(status, 200, "this session continues (under a new id)");
    assert!(page.contains("Your password was changed."));
    assert_eq!(page.matches("class=\"session-item\"").count(), 1);
    assert_eq!(get_with(&laptop, &app.url("/myaccount")).await.0, 303, "the other one ended");
    assert_eq!(app.myaccount_sign_in("pat@example.com", PASSWORD).await.1.status(), 422);
    assert_eq!(app.myaccount_sign_in("pat@example.com", NEW_PASSWORD).await.1.status(), 303);
    let mail = sink.wait_for(1).await;
    assert!(recipient(&mail[0]).ends_with("<pat@example.com>"));
    assert!(text_part(&mail[0]).contains("password of your"), "{}", text_part(&mail[0]));
    assert!(app.audit_actions().await.contains(&"password.changed".to_owned()));
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn a_customer_signs_out_another_session_or_all_others() {
    let app = signed_in_app().await;
    let (_, phone) = signed_in(&app, "pat@example.com").await;
    let (laptop, _) = app.myaccount_sign_in("pat@example.com", PASSWORD).await;
    let (tablet, _) = app.myaccount_sign_in("pat@example.com", PASSWORD).await;
    let security = "/myaccount/security";
    let page = get_with(&phone, &app.url(security)).await.1;
    // The first other session's own Sign out form.
    let action = page
        .split("action=\"")
        .map(|s| &s[..s.find('"').unwrap()])
        .find(|a| a.ends_with("/end") && a.contains("/sessions/"))
        .unwrap()
        .to_owned();
    let res = post_as(&app, &phone, security, &action, &[]).await;
    assert_eq!(res.status(), 303);
    let alive = [
        get_with(&laptop, &app.url("/myaccount")).await.0,
        get_with(&tablet, &app.url("/myaccount")).await.0,
    ];
    assert_eq!(alive.iter().filter(|s| **s == 200).count(), 1, "exactly one other ended");
    // Its own session cannot be ended from the list (Sign out at the top does that).
    let own = page.contains(&action);
    assert!(own);
    let res = post_as(&app, &phone, security, "/myaccount/security/sessions/end-others", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(get_with(&laptop, &app.url("/myaccount")).await.0, 303);
    assert_eq!(get_with(&tablet, &app.url("/myaccount")).await.0, 303);
    assert_eq!(get_with(&phone, &app.url("/myaccount")).await.0, 200, "this one stays");
}

#[actix_web::test]
async fn download_my_data_holds_the_profile_groups_sessions_and_events_and_no_secret() {
    let app = signed_in_app().await;
    define(&app, "nickname", Grid { myaccount: [true, false, false], ..Grid::default() }).await;
    let (id, browser) = signed_in(&app, "pat@example.com").await;
    let fields = [("first_name", "Pat"), ("last_name", "Doe"), ("attr_nickname", "Patty")];
    post_as(&app, &browser, "/myaccount", "/myaccount/profile", &fields).await;
    let directory = roster::accounts::groups::GroupDirectory::default();
    let group = roster::accounts::groups::create(
        &app.db,
        &directory,
        Actor::system("test"),
        "Gold-members",
    )
    .await
    .unwrap();
    roster::accounts::groups::add_member(&app.db, Actor::system("test"), &group, &id)
        .await
        .unwrap();

    let res = browser.get(app.url("/myaccount/data/download")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(header(res.headers(), "content-disposition").starts_with("attachment;"));
    let text = res.text().await.unwrap();
    let data: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["profile"]["email"], "pat@example.com");
    assert_eq!(data["profile"]["attributes"]["nickname"]["value"], "Patty");
    assert_eq!(data["groups"][0], "Gold-members");
    assert_eq!(data["sessions"].as_array().unwrap().len(), 1);
    let actions: Vec<&str> = data["audit_events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"customer.updated") && actions.contains(&"signin.succeeded"),
        "{actions:?}"
    );
    let hash = app.account(&id).await.unwrap().password_hash.unwrap();
    for secret in [hash.as_str(), "$argon2", "password_hash", "id_hash", "token"] {
        assert!(!text.contains(secret), "{secret} leaked");
    }
    // Another customer's session gets their own data only; no session, no data.
    assert_eq!(
        client().get(app.url("/myaccount/data/download")).send().await.unwrap().status(),
        303
    );
}

/// POSTs the Forgot password form from a fresh browser; returns (status, location, body).
async fn forgot(app: &TestApp, email: &str) -> (u16, String, String) {
    let browser = client();
    let page = get_with(&browser, &app.url("/myaccount/forgot-password")).await.1;
    let form = [("csrf_token", csrf_in(&page)), ("email", email.to_owned())];
    let res = browser.post(app.url("/myaccount/forgot-password")).form(&form).send().await.unwrap();
    let location = header(res.headers(), "location").to_owned();
    (res.status().as_u16(), location, res.text().await.unwrap())
}

#[actix_web::test]
async fn forgot_password_answers_alike_and_its_link_works_once_and_clears_a_failure_lock() {
    let sink = SmtpSink::start().await;
    let clock = Clock::default();
    let app = signed_in_app_with(|c| {
        c.mail.smtp_url = Some(sink.url());
        c.clock = clock.clone();
    })
    .await;
    let active = app.active_customer("known@example.com", PASSWORD).await;
    let pending = app
        .insert_account(Kind::Customer, None, "pending@example.com", Status::PendingPassword, None)
        .await;
    let locked = app.active_customer("locked@example.com", PASSWORD).await;
    let page = format!("/console/users/{locked}");
    app.post_on(&page, &format!("{page}/lock"), &[("confirm", "on")]).await;
    sink.wait_for(1).await; // the "account locked" email

    let answers = [
        forgot(&app, "known@example.com").await,
        forgot(&app, "nobody@example.com").await,
        forgot(&app, "locked@example.com").await,
        forgot(&app, "pending@example.com").await,
    ];
    for a in &answers {
        assert_eq!(a, &answers[0], "the same answer whatever the account");
    }
    assert_eq!(answers[0].0, 303);
    assert_eq!(answers[0].1, "/myaccount/forgot-password?sent=1");
    let mail = sink.wait_for(2).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 2, "only the known, usable account got a link");
    assert!(recipient(&mail[1]).ends_with("<known@example.com>"));
    let first_link = link_in(&mail[1], "/myaccount/recover/");
    assert_eq!(app.account(&pending).await.unwrap().status, "pending_password");

    // A new request (a few minutes later) revokes the older link.
    clock.advance(Duration::minutes(2));
    forgot(&app, "known@example.com").await;
    let mail = sink.wait_for(3).await;
    let link = link_in(&mail[2], "/myaccount/recover/");
    let browser = client();
    let (status, html) = get_with(&browser, &first_link).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link was replaced"), "{html}");

    // The customer is signed in somewhere and has failed enough to be locked.
    let (elsewhere, _) = app.myaccount_sign_in("known@example.com", PASSWORD).await;
    app.db
        .run({
            let id = active.clone();
            move |c| {
                use diesel::prelude::*;
                use roster::db::schema::accounts::dsl as a;
                diesel::update(a::accounts.find(account_key(c, &id)))
                    .set((a::status.eq("locked"), a::lock_reason.eq("failed_attempts")))
                    .execute(c)?;
                Ok(())
            }
        })
        .await
        .unwrap();
    let (status, form) = get_with(&browser, &link).await;
    assert_eq!(status, 200, "a lock for failed sign-ins does not stop the link");
    assert!(form.contains("Choose a new password"));
    let res =
        submit_page(&browser, &link, &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)])
            .await;
    assert_eq!(res.status(), 303);
    assert!(header(res.headers(), "location").starts_with("/myaccount/login?notice=password_set"));
    assert!(
        res.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap().contains("roster_myaccount=")),
        "not signed in"
    );
    let account = app.account(&active).await.unwrap();
    assert_eq!(account.status, "active", "the failure lock is lifted");
    assert_eq!(get_with(&elsewhere, &app.url("/myaccount")).await.0, 303, "every session ended");
    assert_eq!(app.myaccount_sign_in("known@example.com", NEW_PASSWORD).await.1.status(), 303);
    let mail = sink.wait_for(4).await;
    assert!(text_part(&mail[3]).contains("was just changed"), "{}", text_part(&mail[3]));
    // Once only.
    let again = [("password", "another fine pass 9"), ("confirm", "another fine pass 9")];
    let res = post_myaccount(&app, &browser, &link, &again).await;
    assert_eq!(res.status(), 410);

    // An administrator's lock is never lifted by a link (none is even sent).
    assert_eq!(app.account(&locked).await.unwrap().status, "locked");

    // An expired link is refused.
    clock.advance(Duration::minutes(2));
    forgot(&app, "known@example.com").await;
    let mail = sink.wait_for(5).await;
    let link = link_in(&mail[4], "/myaccount/recover/");
    clock.advance(Duration::minutes(24 * 60 + 1));
    let (status, html) = get_with(&client(), &link).await;
    assert_eq!(status, 410);
    assert!(html.contains("This link has expired"));
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn sign_in_returns_to_the_page_that_asked_and_only_to_a_page_of_its_area() {
    let app = signed_in_app().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let browser = client();
    let res = browser.get(app.url("/myaccount/security")).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/myaccount/login?next=%2Fmyaccount%2Fsecurity");
    let login =
        get_with(&browser, &app.url("/myaccount/login?next=%2Fmyaccount%2Fsecurity")).await.1;
    assert!(login.contains(r#"name="next" value="/myaccount/security""#), "{login}");

    async fn sign_in_with_next(app: &TestApp, next: &str) -> String {
        let browser = client();
        let page = get_with(&browser, &app.url("/myaccount/login")).await.1;
        let form = [
            ("csrf_token", csrf_in(&page)),
            ("email", "pat@example.com".into()),
            ("password", PASSWORD.into()),
            ("next", next.into()),
        ];
        let res = browser.post(app.url("/myaccount/login")).form(&form).send().await.unwrap();
        assert_eq!(res.status(), 303);
        header(res.headers(), "location").to_owned()
    }
    assert_eq!(sign_in_with_next(&app, "/myaccount/security").await, "/myaccount/security");
    for evil in [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/console/users",
        "/myaccount/../console",
    ] {
        assert_eq!(sign_in_with_next(&app, evil).await, "/myaccount", "{evil}");
    }
    // The console too, with its own area.
    let console = client();
    let res = console.get(app.url("/console/groups")).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/console/login?next=%2Fconsole%2Fgroups");
    let page = get_with(&console, &app.url("/console/login")).await.1;
    let form = [
        ("csrf_token", csrf_in(&page)),
        ("email", OWNER_EMAIL.into()),
        ("password", OWNER_PASSWORD.into()),
        ("next", "/console/groups".to_owned()),
    ];
    let res = console.post(app.url("/console/login")).form(&form).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/console/groups");
    let form = [
        ("csrf_token", csrf_in(&get_with(&client(), &app.url("/console/login")).await.1)),
        ("email", OWNER_EMAIL.into()),
        ("password", OWNER_PASSWORD.into()),
        ("next", "/myaccount/security".to_owned()),
    ];
    let other = client();
    let page = get_with(&other, &app.url("/console/login")).await.1;
    let form = [("csrf_token", csrf_in(&page)), form[1].clone(), form[2].clone(), form[3].clone()];
    let res = other.post(app.url("/console/login")).form(&form).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/console/users", "not the other area");
}

/// The session cookie a sign-in response set.
fn set_cookie(res: &reqwest::Response, name: &str) -> String {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix(&format!("{name}=")))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .unwrap_or_else(|| panic!("no {name} cookie"))
}

#[actix_web::test]
async fn customers_and_administrators_never_share_a_session() {
    let app = spawn_app_with_owner().await;
    app.active_customer("pat@example.com", PASSWORD).await;
    let (_, res) = app.myaccount_sign_in("pat@example.com", PASSWORD).await;
    let customer_cookie = set_cookie(&res, "roster_myaccount");
    let res = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    let admin_cookie = set_cookie(&res, "roster_console");
    let bare =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let get = |path: &str, cookie: String| bare.get(app.url(path)).header("cookie", cookie).send();
    // Each cookie works where it belongs…
    assert_eq!(
        get("/myaccount", format!("roster_myaccount={customer_cookie}")).await.unwrap().status(),
        200
    );
    assert_eq!(
        get("/console/users", format!("roster_console={admin_cookie}")).await.unwrap().status(),
        200
    );
    // …and gives nothing in the other area, under either name.
    for cookie in
        [format!("roster_console={customer_cookie}"), format!("roster_myaccount={customer_cookie}")]
    {
        let res = get("/console/users", cookie).await.unwrap();
        assert_eq!(res.status(), 303);
        assert!(header(res.headers(), "location").starts_with("/console/login"));
    }
    for cookie in
        [format!("roster_myaccount={admin_cookie}"), format!("roster_console={admin_cookie}")]
    {
        let res = get("/myaccount", cookie).await.unwrap();
        assert_eq!(res.status(), 303);
        assert!(header(res.headers(), "location").starts_with("/myaccount/login"));
    }
}
