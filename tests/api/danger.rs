//! The danger zone, through HTTP exactly as a browser does it (CSRF token, the checkbox field):
//! Reset password both ways, the Lock user toggle, Delete User, and a viewer's refusals.

use roster::accounts::signin::GENERIC_FAILURE;
use roster::db::ids::PublicId;
use roster::domain::account::{Kind, Role, Status};

use crate::helpers::*;
use crate::smtp::{SmtpSink, link_in, recipient, text_part};

const PASSWORD: &str = "juniper lantern 1987";
const NEW_PASSWORD: &str = "copper meadow sailing 7";

fn page_of(id: &str) -> String {
    format!("/console/users/{id}")
}

/// A customer signed in to My Account in a browser of their own.
async fn signed_in_customer(app: &TestApp, email: &str) -> (String, reqwest::Client) {
    let id = app.active_customer(email, PASSWORD).await;
    let (browser, res) = app.myaccount_sign_in(email, PASSWORD).await;
    assert_eq!(res.status(), 303, "the customer signs in");
    assert_eq!(get_with(&browser, &app.url("/myaccount")).await.0, 200);
    (id, browser)
}

/// Whether a browser's My Account session still works (a signed-out one is sent to sign in).
async fn still_signed_in(app: &TestApp, browser: &reqwest::Client) -> bool {
    let res = browser.get(app.url("/myaccount")).send().await.unwrap();
    match res.status().as_u16() {
        200 => true,
        303 => {
            assert_eq!(header(res.headers(), "location"), "/myaccount/login");
            false
        }
        other => panic!("unexpected {other}"),
    }
}

fn shows_generic_failure(html: &str) -> bool {
    html.contains(&GENERIC_FAILURE.replace('\'', "&#39;")) || html.contains(GENERIC_FAILURE)
}

#[actix_web::test]
async fn locking_needs_the_box_ends_sessions_at_once_and_sign_in_fails_generically() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    let (id, customer) = signed_in_customer(&app, "lock.me@example.com").await;
    let page = page_of(&id);

    // Without the box: refused next to the box, nothing changed.
    let res = app.post_on(&page, &format!("{page}/lock"), &[]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Tick the box to confirm"));
    assert_eq!(app.account(&id).await.unwrap().status, "active");
    assert!(still_signed_in(&app, &customer).await, "the session survives a refused lock");

    let res = app.post_on(&page, &format!("{page}/lock"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    let locked = app.account(&id).await.unwrap();
    assert_eq!(locked.status, "locked");
    assert_eq!(locked.lock_reason.as_deref(), Some("admin"));
    assert_eq!(locked.locked_by.as_deref(), Some(OWNER_EMAIL));
    assert!(locked.locked_at.is_some());

    // The open session ends on its very next request, and sign-in fails like any other.
    assert!(!still_signed_in(&app, &customer).await);
    assert_eq!(app.rows_of_account(app.key(&id).await).await[3], ("sessions", 0));
    let (_, res) = app.myaccount_sign_in("lock.me@example.com", PASSWORD).await;
    assert_eq!(res.status(), 422);
    assert!(shows_generic_failure(&res.text().await.unwrap()));

    let (_, console) = app.get_text(&page).await;
    assert!(console.contains(&format!("Locked by {OWNER_EMAIL} on")), "{console}");
    assert!(console.contains("Not available while the account is locked"));
    let mail = sink.wait_for(1).await;
    assert!(recipient(&mail[0]).contains("lock.me@example.com"));
    assert!(text_part(&mail[0]).contains("locked your account"), "{}", text_part(&mail[0]));

    // Unlock asks the same way, and works at once.
    let res = app.post_on(&page, &format!("{page}/unlock"), &[]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.account(&id).await.unwrap().status, "locked");
    let res = app.post_on(&page, &format!("{page}/unlock"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    let unlocked = app.account(&id).await.unwrap();
    assert_eq!(unlocked.status, "active");
    assert!(unlocked.lock_reason.is_none() && unlocked.locked_by.is_none());
    let (_, res) = app.myaccount_sign_in("lock.me@example.com", PASSWORD).await;
    assert_eq!(res.status(), 303, "signs in again");
    let mail = sink.wait_for(2).await;
    assert!(text_part(&mail[1]).contains("was unlocked"), "{}", text_part(&mail[1]));

    let actions = app.audit_actions().await;
    assert!(actions.contains(&"account.locked".to_owned()));
    assert!(actions.contains(&"account.unlocked".to_owned()));
}

#[actix_web::test]
async fn a_lock_revokes_a_pending_invitation_link() {
    let app = signed_in_app().await;
    let (status, created) = app
        .new_customer(&[
            ("email", "pending@example.com"),
            ("first_name", "Pen"),
            ("last_name", "Ding"),
            ("method", "invite"),
            ("delivery", "offline"),
            ("password", ""),
        ])
        .await;
    assert_eq!(status, 200);
    let link = element_text(&created, "reveal-value").unwrap();
    let id = app.customer_by_email("pending@example.com").await.public_id.to_string();
    let page = page_of(&id);
    app.post_on(&page, &format!("{page}/lock"), &[("confirm", "on")]).await;
    let (status, body) = get_with(&client(), &link).await;
    assert_eq!(status, 410, "{body}");
    // Unlocked, the customer is pending again and needs a new link.
    app.post_on(&page, &format!("{page}/unlock"), &[("confirm", "on")]).await;
    assert_eq!(app.account(&id).await.unwrap().status, "pending_password");
    assert_eq!(get_with(&client(), &link).await.0, 410);
}

#[actix_web::test]
async fn reset_by_email_stops_the_old_password_at_once_and_the_link_sets_a_new_one_once() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    let (id, customer) = signed_in_customer(&app, "reset.me@example.com").await;
    let page = page_of(&id);

    let form = [("method", "invite"), ("delivery", "email"), ("password", "")];
    let res = app.post_on(&page, &format!("{page}/reset"), &form).await;
    assert_eq!(res.status(), 303);
    let body = app.followed(res).await.1;
    assert!(body.contains("was reset. A link to choose a new one is on its way"), "{body}");
    assert!(!body.contains("reveal-value"), "nothing to copy when it is emailed");

    let account = app.account(&id).await.unwrap();
    assert_eq!(account.status, "pending_password");
    assert!(account.password_hash.is_none(), "the old password stops working at once");
    assert!(!still_signed_in(&app, &customer).await, "open sessions end");
    let (_, res) = app.myaccount_sign_in("reset.me@example.com", PASSWORD).await;
    assert_eq!(res.status(), 422);

    let mail = sink.wait_for(1).await;
    let link = link_in(&mail[0], "/myaccount/reset/");
    let (_, console) = app.get_text(&page).await;
    let said = text_of(&console);
    assert!(said.contains("Password reset pending Password reset requested"), "{said}");
    assert!(console.contains("Resend reset link"));

    let browser = client();
    let (status, form) = get_with(&browser, &link).await;
    assert_eq!(status, 200);
    assert!(form.contains("Choose a new password"));
    assert_eq!(app.account(&id).await.unwrap().status, "pending_password", "GET changes nothing");
    let res =
        submit_page(&browser, &link, &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)])
            .await;
    assert_eq!(res.status(), 303);
    let (_, res) = app.myaccount_sign_in("reset.me@example.com", NEW_PASSWORD).await;
    assert_eq!(res.status(), 303, "the new password works");
    let (status, again) = get_with(&client(), &link).await;
    assert_eq!(status, 410);
    assert!(again.contains("This reset link was already used"));

    let actions = app.audit_actions().await;
    assert!(actions.contains(&"password.reset".to_owned()));
    assert!(actions.contains(&"password_reset.completed".to_owned()));
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn a_reset_link_to_copy_is_shown_once_and_replaces_the_previous_one() {
    let app = signed_in_app().await;
    let id = app.active_customer("copy.link@example.com", PASSWORD).await;
    let page = page_of(&id);
    let form = [("method", "invite"), ("delivery", "offline"), ("password", "")];
    let first = app.followed(app.post_on(&page, &format!("{page}/reset"), &form).await).await.1;
    let first_link = element_text(&first, "reveal-value").expect("the link is shown");
    assert!(first_link.contains("/myaccount/reset/"));
    assert!(!app.get_text(&page).await.1.contains(&first_link), "shown once");

    // Resend (a new link to copy) revokes the first.
    let res = app.post_on(&page, &format!("{page}/invitation"), &[("delivery", "offline")]).await;
    let second = element_text(&app.followed(res).await.1, "reveal-value").unwrap();
    assert_ne!(first_link, second);
    let (status, body) = get_with(&client(), &first_link).await;
    assert_eq!(status, 410);
    assert!(body.contains("This reset link was replaced"));
    assert_eq!(get_with(&client(), &second).await.0, 200);
}

#[actix_web::test]
async fn reset_while_locked_is_refused_and_changes_nothing() {
    let app = signed_in_app().await;
    let id = app.active_customer("locked.reset@example.com", PASSWORD).await;
    let page = page_of(&id);
    app.post_on(&page, &format!("{page}/lock"), &[("confirm", "on")]).await;
    let before = app.account(&id).await.unwrap();
    let audit_before = app.audit_actions().await.len();

    for form in [
        vec![("method", "invite"), ("delivery", "offline"), ("password", "")],
        vec![("method", "temporary"), ("delivery", "offline"), ("password", NEW_PASSWORD)],
    ] {
        let res = app.post_on(&page, &format!("{page}/reset"), &form).await;
        assert_eq!(res.status(), 403);
        assert!(res.text().await.unwrap().contains("Unlock it before resetting its password"));
    }
    let after = app.account(&id).await.unwrap();
    assert_eq!(after.password_hash, before.password_hash);
    assert_eq!(after.status, "locked");
    assert_eq!(app.audit_actions().await.len(), audit_before);
    let (_, console) = app.get_text(&page).await;
    assert!(console.contains("disabled aria-describedby=\"reset-locked-hint\""), "{console}");
}

#[actix_web::test]
async fn a_temporary_password_is_shown_once_and_must_be_changed_at_next_sign_in() {
    let app = signed_in_app().await;
    let (id, customer) = signed_in_customer(&app, "temp.reset@example.com").await;
    let page = page_of(&id);

    // Bad input: a message next to the field, nothing changed.
    let form = [("method", "temporary"), ("delivery", "offline"), ("password", "short")];
    let res = app.post_on(&page, &format!("{page}/reset"), &form).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Use at least 12 characters."));
    assert!(still_signed_in(&app, &customer).await);

    // Generate fills in a password that satisfies the policy, and changes nothing yet.
    let form = [
        ("method", "temporary"),
        ("delivery", "offline"),
        ("password", ""),
        ("action", "generate"),
    ];
    let res = app.post_on(&page, &format!("{page}/reset"), &form).await;
    assert_eq!(res.status(), 200);
    let generated = hidden_value_of_input(&res.text().await.unwrap(), "password");
    assert!(generated.chars().count() >= 12, "{generated}");
    assert!(still_signed_in(&app, &customer).await);

    let form = [("method", "temporary"), ("delivery", "offline"), ("password", generated.as_str())];
    let res = app.post_on(&page, &format!("{page}/reset"), &form).await;
    assert_eq!(res.status(), 303);
    let body = app.followed(res).await.1;
    assert_eq!(element_text(&body, "reveal-value").as_deref(), Some(generated.as_str()));
    assert!(!still_signed_in(&app, &customer).await, "sessions end");

    let (_, res) = app.myaccount_sign_in("temp.reset@example.com", PASSWORD).await;
    assert_eq!(res.status(), 422, "the old password no longer works");
    let (browser, res) = app.myaccount_sign_in("temp.reset@example.com", &generated).await;
    assert_eq!(res.status(), 303);
    let res = browser.get(app.url("/myaccount")).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/myaccount/password", "forced change");
    app.assert_no_secrets_in_audit().await;
}

/// The `value` of the `<input id="...">`.
fn hidden_value_of_input(html: &str, id: &str) -> String {
    let at = html.find(&format!("id=\"{id}\"")).expect("the input");
    let rest = &html[at..];
    let start = rest.find("value=\"").unwrap() + 7;
    unescape(&rest[start..start + rest[start..].find('"').unwrap()])
}

#[actix_web::test]
async fn deleting_a_customer_leaves_no_row_anywhere_and_frees_the_email() {
    let app = signed_in_app().await;
    let email = "gone@example.com";
    let temporary = "violet harbour engine 5";
    let (status, _) = app
        .new_customer(&[
            ("email", email),
            ("first_name", "Gone"),
            ("last_name", "Soon"),
            ("method", "temporary"),
            ("delivery", "offline"),
            ("password", temporary),
        ])
        .await;
    assert_eq!(status, 200);
    let id = app.customer_by_email(email).await.public_id.to_string();
    let page = page_of(&id);
    // A session, a membership, an attribute value and a link to go with it.
    let (customer, res) = app.myaccount_sign_in(email, temporary).await;
    assert_eq!(res.status(), 303);
    let key = app.key(&id).await;
    let (a, group) = (key, PublicId::new());
    app.db
        .run(move |c| {
            let at = roster::db::now();
            let g = roster::db::groups::insert(c, group, "leavers", "leavers", at)?;
            roster::db::groups::add_member(c, a, &[g], at)?;
            let country =
                roster::db::attributes::all(c)?.into_iter().find(|x| x.name == "country").unwrap();
            let v = roster::domain::attribute::AttributeValue {
                value: "Wales".into(),
                key: "wales".into(),
            };
            roster::db::attributes::set_value(c, country.id, a, Some(&v))?;
            let p = roster::domain::token::Purpose::Verification;
            roster::db::tokens::replace(c, a, p, |t| format!("h{t}"), at, at)?;
            Ok(())
        })
        .await
        .unwrap();
    assert!(app.rows_of_account(key).await.iter().all(|(_, n)| *n >= 1), "every table has a row");

    let res = app.post_on(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(res.status(), 422);
    assert!(app.account(&id).await.is_some(), "kept without the box ticked");

    let res = app.post_on(&page, &format!("{page}/delete"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/console/users");
    let (_, list) = app.get_text("/console/users").await;
    assert!(list.contains("Customer gone@example.com was deleted."));
    assert!(!list.contains(&id));

    for (table, n) in app.rows_of_account(key).await {
        assert_eq!(n, 0, "{table} still holds a row of the deleted account");
    }
    let g = group.to_string();
    let count = app
        .db
        .run(move |c| Ok(roster::db::groups::find(c, &g)?.unwrap().member_count))
        .await
        .unwrap();
    assert_eq!(count, 0, "the group's count follows");
    assert!(!still_signed_in(&app, &customer).await);

    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 50)?)).await.unwrap();
    let deleted = events.iter().find(|e| e.action == "account.deleted").expect("audited");
    assert_eq!(deleted.subject_label.as_deref(), Some(email));
    assert_eq!(deleted.actor_label, OWNER_EMAIL);
    assert!(deleted.details.contains("Gone Soon"), "{}", deleted.details);

    // The address can be used again at once.
    let (status, page) = app
        .new_customer(&[
            ("email", email),
            ("first_name", "Back"),
            ("last_name", "Again"),
            ("method", "invite"),
            ("delivery", "offline"),
            ("password", ""),
        ])
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("already exists"), "{page}");
    // A group exists now, so Next led to step 2: finish there.
    let mut form: Vec<(&str, String)> =
        ["submission", "email", "first_name", "last_name", "method", "delivery", "password"]
            .into_iter()
            .map(|name| (name, hidden_field(&page, name)))
            .collect();
    form.push(("csrf_token", csrf_in(&page)));
    form.push(("action", "finish".into()));
    let res = app.client.post(app.url(WIZARD)).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(app.followed(res).await.1.contains("Customer gone@example.com was created"));
}

#[actix_web::test]
async fn a_viewer_gets_403_on_every_new_route_and_nothing_changes() {
    let app = viewer_app().await;
    let id = app.active_customer("watched@example.com", PASSWORD).await;
    let page = page_of(&id);
    let before = app.account(&id).await.unwrap();
    let audit_before = app.audit_actions().await.len();

    let (status, html) = app.get_text(&page).await;
    assert_eq!(status, 200);
    assert!(!html.contains("Danger zone"), "viewers change nothing");
    for what in ["reset", "lock", "unlock", "delete"] {
        assert_eq!(app.get(&format!("{page}/{what}")).await.status(), 403, "GET {what}");
    }
    let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
        (format!("{page}/reset"), vec![("method", "temporary"), ("password", NEW_PASSWORD)]),
        (format!("{page}/reset/policy"), vec![("method", "temporary"), ("password", "x")]),
        (format!("{page}/lock"), vec![("confirm", "on")]),
        (format!("{page}/unlock"), vec![("confirm", "on")]),
        (format!("{page}/delete"), vec![("confirm", "on")]),
        (format!("{page}/sessions/terminate-all"), vec![]),
        (format!("{page}/sessions/0123456789abcdef/terminate"), vec![]),
        (
            "/console/settings/login-security".to_owned(),
            vec![("enabled", "on"), ("attempts", "1"), ("minutes", "1"), ("factor", "1")],
        ),
    ];
    for (path, form) in posts {
        let res = app.post_on(&page, &path, &form).await;
        assert_eq!(res.status(), 403, "POST {path}");
    }
    let after = app.account(&id).await.unwrap();
    assert_eq!((after.status, after.password_hash), (before.status, before.password_hash));
    assert_eq!(app.audit_actions().await.len(), audit_before, "nothing was recorded");
    let (status, settings) = app.get_text("/console/settings/login-security").await;
    assert_eq!(status, 200, "viewers see the settings");
    assert!(!settings.contains(">Save<"));
    // Another administrator's account is not a customer: no danger zone routes for it.
    let admin = app
        .insert_account(
            Kind::Administrator,
            Some(Role::Administrator),
            "a@example.com",
            Status::Active,
            None,
        )
        .await;
    assert_eq!(app.get(&page_of(&admin)).await.status(), 404);
}

#[actix_web::test]
async fn danger_zone_routes_refuse_a_missing_csrf_token_and_unknown_customers() {
    let app = signed_in_app().await;
    let id = app.active_customer("csrf@example.com", PASSWORD).await;
    let page = page_of(&id);
    for what in ["lock", "delete", "unlock", "reset", "sessions/terminate-all"] {
        let res = app.post_form(&format!("{page}/{what}"), &[("confirm", "on")]).await;
        assert_eq!(res.status(), 403, "{what} without a token");
    }
    assert_eq!(app.account(&id).await.unwrap().status, "active");
    let nobody = page_of("00000000-0000-0000-0000-000000000000");
    let res = app.post_on(&page, &format!("{nobody}/lock"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 404);
    let res = app.post_on(&page, &format!("{nobody}/delete"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 404);
}
