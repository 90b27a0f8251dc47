//! Settings > Administrators: invite (emailed through a real SMTP listener, or a link to copy),
//! accept on the console's page and land signed in; resend, revoke, change role (live on the
//! next request), remove (sessions end, the audit trail keeps the name), transfer ownership
//! (needs the password); and the owner protections.

use roster::domain::account::{Kind, Role, Status};

use crate::helpers::*;
use crate::smtp::{SmtpSink, link_in, recipient};

const ADMINS: &str = "/console/settings/administrators";
const INVITE: &str = "/console/settings/administrators/invite";
const NEW_PASSWORD: &str = "a fresh admin passphrase";

/// Invite administrator as the app's signed-in administrator.
async fn invite(app: &TestApp, email: &str, role: &str, delivery: &str) -> reqwest::Response {
    let token = app.csrf(INVITE).await;
    let form = [
        ("csrf_token", token.as_str()),
        ("email", email),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("role", role),
        ("delivery", delivery),
    ];
    app.post_form(INVITE, &form).await
}

/// The invitation link revealed on the page after an offline invitation.
fn revealed(page: &str) -> String {
    unescape(&element_text(page, "reveal-value").expect("the link is shown"))
}

/// Follows the link in a new browser, sets the password; returns the browser (signed in).
async fn accept(link: &str) -> (reqwest::Client, reqwest::Response) {
    let browser = client();
    let res =
        submit_page(&browser, link, &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]).await;
    (browser, res)
}

async fn admin_by_email(app: &TestApp, email: &str) -> roster::db::accounts::Account {
    let email = email.to_owned();
    app.db
        .run(move |c| Ok(roster::db::accounts::find_by_email(c, Kind::Administrator, &email)?))
        .await
        .unwrap()
        .expect("the administrator exists")
}

/// An administrator or viewer invited offline who has accepted: (id, their signed-in browser).
async fn joined(app: &TestApp, email: &str, role: &str) -> (String, reqwest::Client) {
    let res = invite(app, email, role, "offline").await;
    assert_eq!(res.status(), 303);
    let link = revealed(&app.followed(res).await.1);
    let (browser, res) = accept(&link).await;
    assert_eq!(res.status(), 303);
    (admin_by_email(app, email).await.public_id.to_string(), browser)
}

async fn post_as(
    app: &TestApp,
    browser: &reqwest::Client,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = get_with(browser, &app.url("/console/profile")).await.1;
    let mut form = vec![("csrf_token", csrf_in(&page))];
    form.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    browser.post(app.url(path)).form(&form).send().await.unwrap()
}

#[actix_web::test]
async fn an_emailed_invitation_lands_the_administrator_signed_in_to_the_console() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    let res = invite(&app, "Ada@Example.com", "administrator", "email").await;
    assert_eq!(res.status(), 303);
    let ada = admin_by_email(&app, "ada@example.com").await;
    assert_eq!(ada.status(), Some(Status::PendingPassword));
    assert_eq!(ada.role(), Some(Role::Administrator));
    assert_eq!(header(res.headers(), "location"), format!("{ADMINS}/{}", ada.public_id));
    let (_, list) = app.get_text(ADMINS).await;
    assert!(list.contains("ada@example.com") && list.contains("Pending password"));

    let messages = sink.wait_for(1).await;
    assert!(recipient(&messages[0]).contains("ada@example.com"));
    let link = link_in(&messages[0], "/console/invitation/");
    assert!(link.starts_with(&app.base), "{link}");
    // The administrator's link does not open My Account's invitation page.
    let token = link.rsplit('/').next().unwrap();
    let (status, _) =
        get_with(&client(), &app.url(&format!("/myaccount/invitation/{token}"))).await;
    assert_eq!(status, 404);

    let browser = client();
    let (status, page) = get_with(&browser, &link).await;
    assert_eq!(status, 200);
    assert!(page.contains("Join the console") && page.contains("ada@example.com"), "{page}");
    // A bad password: a message next to the field (422), the link still works.
    let res = submit_page(&browser, &link, &[("password", "short"), ("confirm", "short")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("field-error"));
    let res =
        submit_page(&browser, &link, &[("password", NEW_PASSWORD), ("confirm", NEW_PASSWORD)])
            .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/console/users");
    let (status, page) = get_with(&browser, &app.url("/console/users")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Welcome! Your password is set"), "{page}");
    // An administrator may open what changes customers.
    assert_eq!(get_with(&browser, &app.url("/console/users/new")).await.0, 200);
    let ada = admin_by_email(&app, "ada@example.com").await;
    assert_eq!(ada.status(), Some(Status::Active));
    assert!(ada.last_sign_in_at.is_some(), "landing signed in counts as a sign-in");

    // Single use: the link is spent.
    assert_eq!(get_with(&client(), &link).await.0, 410);
    // And the password signs in on the console's sign-in page.
    let other = client();
    let login = get_with(&other, &app.url("/console/login")).await.1;
    let form = [
        ("csrf_token", csrf_in(&login)),
        ("email", "ada@example.com".into()),
        ("password", NEW_PASSWORD.into()),
    ];
    let res = other.post(app.url("/console/login")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn a_viewer_invited_with_a_link_to_copy_signs_in_and_may_change_nothing() {
    let app = signed_in_app().await;
    let res = invite(&app, "vera@example.com", "viewer", "offline").await;
    assert_eq!(res.status(), 303);
    let page = app.followed(res).await.1;
    let link = revealed(&page);
    assert!(link.contains("/console/invitation/"), "{link}");
    let (browser, res) = accept(&link).await;
    assert_eq!(res.status(), 303);
    assert_eq!(get_with(&browser, &app.url("/console/users")).await.0, 200);
    assert_eq!(get_with(&browser, &app.url("/console/users/new")).await.0, 403);
    let res =
        post_as(&app, &browser, INVITE, &[("email", "x@example.com"), ("role", "viewer")]).await;
    assert_eq!(res.status(), 403);
    let (_, list) = get_with(&browser, &app.url(ADMINS)).await;
    assert!(!list.contains("Invite administrator"), "no button a viewer cannot use");
}

#[actix_web::test]
async fn bad_invitations_are_refused_next_to_the_field_and_create_nothing() {
    let app = signed_in_app().await;
    let before = app.audit_actions().await.len();
    for (email, role, field_text) in [
        ("not-an-email", "viewer", "email"),
        ("x@example.com", "owner", "Choose Administrator or Viewer."),
        ("x@example.com", "", "Choose Administrator or Viewer."),
        (OWNER_EMAIL, "viewer", "An administrator with this email already exists."),
    ] {
        let res = invite(&app, email, role, "offline").await;
        assert_eq!(res.status(), 422, "{email} {role}");
        let page = res.text().await.unwrap();
        assert!(page.contains("field-error") && page.contains(field_text), "{page}");
    }
    // Emailing needs a mail server.
    let res = invite(&app, "x@example.com", "viewer", "email").await;
    assert_eq!(res.status(), 422);
    let admins = app.db.run(|c| Ok(roster::db::accounts::administrators(c)?)).await.unwrap();
    assert_eq!(admins.len(), 1, "nothing was created");
    assert_eq!(app.audit_actions().await.len(), before);
}

#[actix_web::test]
async fn resend_revokes_the_old_link_and_revoke_withdraws_the_invitation() {
    let app = signed_in_app().await;
    let first =
        revealed(&app.followed(invite(&app, "ada@example.com", "viewer", "offline").await).await.1);
    let ada = admin_by_email(&app, "ada@example.com").await;
    let page = format!("{ADMINS}/{}", ada.public_id);
    let token = app.csrf(&page).await;
    let res = app
        .post_form(
            &format!("{page}/invitation"),
            &[("csrf_token", &token), ("delivery", "offline")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let second = revealed(&app.followed(res).await.1);
    assert_ne!(first, second);
    assert_eq!(get_with(&client(), &first).await.0, 410, "the old link no longer works");
    assert_eq!(get_with(&client(), &second).await.0, 200);

    let res = app.post_form(&format!("{page}/revoke"), &[("csrf_token", &token)]).await;
    assert_eq!(res.status(), 303);
    assert!(app.account(&ada.public_id.to_string()).await.is_none(), "the invitation is withdrawn");
    assert_eq!(get_with(&client(), &second).await.0, 404);
    let (_, list) = app.get_text(ADMINS).await;
    assert!(list.contains("was not added: the invitation is revoked"));
    let actions = app.audit_actions().await;
    assert_eq!(
        &actions[..3],
        [
            "administrator.invitation_revoked",
            "administrator.invitation_resent",
            "administrator.invited"
        ]
    );
}

#[actix_web::test]
async fn a_role_change_applies_to_the_very_next_request_of_a_live_session() {
    let app = signed_in_app().await;
    let (id, browser) = joined(&app, "vic@example.com", "viewer").await;
    assert_eq!(get_with(&browser, &app.url("/console/users/new")).await.0, 403);
    let page = format!("{ADMINS}/{id}");
    let token = app.csrf(&page).await;
    let res = app
        .post_form(&format!("{page}/role"), &[("csrf_token", &token), ("role", "administrator")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(get_with(&browser, &app.url("/console/users/new")).await.0, 200);
    let res =
        app.post_form(&format!("{page}/role"), &[("csrf_token", &token), ("role", "viewer")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(get_with(&browser, &app.url("/console/users/new")).await.0, 403);
    // Not a role one can give.
    let res =
        app.post_form(&format!("{page}/role"), &[("csrf_token", &token), ("role", "owner")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(app.account(&id).await.unwrap().role(), Some(Role::Viewer));
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 10)?)).await.unwrap();
    let changes: Vec<_> =
        events.iter().filter(|e| e.action == "administrator.role_changed").collect();
    assert_eq!(changes.len(), 2);
    let details: serde_json::Value = serde_json::from_str(&changes[0].details).unwrap();
    assert_eq!(details["role"]["before"], "administrator");
    assert_eq!(details["role"]["after"], "viewer");
}

#[actix_web::test]
async fn nobody_acts_on_the_owner_or_on_themself() {
    let app = signed_in_app().await;
    let owner = admin_by_email(&app, OWNER_EMAIL).await.public_id.to_string();
    let (ada, browser) = joined(&app, "ada@example.com", "administrator").await;
    let owner_page = format!("{ADMINS}/{owner}");
    let ada_page = format!("{ADMINS}/{ada}");
    // An administrator, on the owner and on themself.
    for (path, fields) in [
        (format!("{owner_page}/role"), vec![("role", "viewer")]),
        (format!("{owner_page}/remove"), vec![("confirm", "on")]),
        (format!("{ada_page}/role"), vec![("role", "viewer")]),
        (format!("{ada_page}/remove"), vec![("confirm", "on")]),
        (format!("{owner_page}/transfer"), vec![("password", NEW_PASSWORD)]),
    ] {
        let res = post_as(&app, &browser, &path, &fields).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    // The owner's page offers them nothing to do on it.
    let (status, page) = get_with(&browser, &app.url(&owner_page)).await;
    assert_eq!(status, 200);
    assert!(!page.contains("Change role") && !page.contains("Remove administrator"));
    // The owner cannot remove or demote themself either.
    let token = app.csrf(&owner_page).await;
    let res = app
        .post_form(&format!("{owner_page}/remove"), &[("csrf_token", &token), ("confirm", "on")])
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .post_form(&format!("{owner_page}/role"), &[("csrf_token", &token), ("role", "viewer")])
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.account(&owner).await.unwrap().role(), Some(Role::Owner));
    assert_eq!(app.account(&ada).await.unwrap().role(), Some(Role::Administrator));
}

#[actix_web::test]
async fn remove_signs_the_administrator_out_at_once_and_the_trail_keeps_their_name() {
    let app = signed_in_app().await;
    let (ada, browser) = joined(&app, "ada@example.com", "administrator").await;
    // Something they did, under their name.
    let res = post_as(&app, &browser, "/console/groups/new", &[("name", "gold")]).await;
    assert_eq!(res.status(), 303);
    let page = format!("{ADMINS}/{ada}");
    let ada_key = app.key(&ada).await;
    let token = app.csrf(&page).await;
    // Without the box ticked: refused next to it, nothing changes.
    let res = app.post_form(&format!("{page}/remove"), &[("csrf_token", &token)]).await;
    assert_eq!(res.status(), 422);
    assert!(app.account(&ada).await.is_some());
    assert_eq!(get_with(&browser, &app.url("/console/users")).await.0, 200);

    let res = app
        .post_form(&format!("{page}/remove"), &[("csrf_token", &token), ("confirm", "on")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(app.account(&ada).await.is_none());
    let res = browser.get(app.url("/console/users")).send().await.unwrap();
    assert_eq!(res.status(), 303, "signed out on the very next request");
    assert!(header(res.headers(), "location").starts_with("/console/login"));
    let (_, log) = app.get_text("/console/settings/audit-log?action=group.created").await;
    assert!(log.contains("Ada Lovelace"), "the event keeps the name");
    assert_eq!(app.rows_of_account(ada_key).await.iter().map(|r| r.1).sum::<i64>(), 0);
}

#[actix_web::test]
async fn transfer_ownership_needs_the_owners_password() {
    let app = signed_in_app().await;
    let owner = admin_by_email(&app, OWNER_EMAIL).await.public_id.to_string();
    let (ada, browser) = joined(&app, "ada@example.com", "viewer").await;
    let page = format!("{ADMINS}/{ada}/transfer");
    let (status, form) = app.get_text(&page).await;
    assert_eq!(status, 200);
    let token = csrf_in(&form);
    let res = app.post_form(&page, &[("csrf_token", &token), ("password", "wrong guess")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("This is not your current password."));
    assert_eq!(app.account(&owner).await.unwrap().role(), Some(Role::Owner));

    let res = app.post_form(&page, &[("csrf_token", &token), ("password", OWNER_PASSWORD)]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.account(&ada).await.unwrap().role(), Some(Role::Owner));
    assert_eq!(app.account(&owner).await.unwrap().role(), Some(Role::Administrator));
    // The old owner can no longer transfer; the new one acts on them.
    let back = format!("{ADMINS}/{owner}/transfer");
    let res = app.post_form(&back, &[("csrf_token", &token), ("password", OWNER_PASSWORD)]).await;
    assert_eq!(res.status(), 403);
    let res =
        post_as(&app, &browser, &format!("{ADMINS}/{owner}/role"), &[("role", "viewer")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.account(&owner).await.unwrap().role(), Some(Role::Viewer));
    let transferred = app.db.run(|c| Ok(roster::db::audit::recent(c, 5)?)).await.unwrap();
    let event = transferred.iter().find(|e| e.action == "ownership.transferred").unwrap();
    assert_eq!(event.subject_id.as_deref(), Some(ada.as_str()));
}

#[actix_web::test]
async fn the_administrators_scenario_reads_back_in_order_with_before_and_after() {
    let app = signed_in_app().await;
    let (ada, _browser) = joined(&app, "ada@example.com", "viewer").await;
    let page = format!("{ADMINS}/{ada}");
    let token = app.csrf(&page).await;
    let role = [("csrf_token", token.as_str()), ("role", "administrator")];
    assert_eq!(app.post_form(&format!("{page}/role"), &role).await.status(), 303);
    let transfer = [("csrf_token", token.as_str()), ("password", OWNER_PASSWORD)];
    assert_eq!(app.post_form(&format!("{page}/transfer"), &transfer).await.status(), 303);
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 20)?)).await.unwrap();
    let story: Vec<(&str, &str, &str)> = events
        .iter()
        .rev()
        .filter(|e| !e.action.starts_with("signin"))
        .map(|e| {
            (e.action.as_str(), e.actor_label.as_str(), e.subject_label.as_deref().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        story,
        [
            ("administrator.invited", OWNER_EMAIL, "ada@example.com"),
            ("invitation.accepted", "ada@example.com", "ada@example.com"),
            ("administrator.role_changed", OWNER_EMAIL, "ada@example.com"),
            ("ownership.transferred", OWNER_EMAIL, "ada@example.com"),
        ]
    );
    let details = |action: &str| -> serde_json::Value {
        let e = events.iter().find(|e| e.action == action).unwrap();
        serde_json::from_str(&e.details).unwrap()
    };
    assert_eq!(details("administrator.invited")["role"], "viewer");
    assert_eq!(details("administrator.role_changed")["role"]["before"], "viewer");
    assert_eq!(details("administrator.role_changed")["role"]["after"], "administrator");
    assert_eq!(details("ownership.transferred")["role"]["before"], "administrator");
    assert_eq!(details("ownership.transferred")["role"]["after"], "owner");
    let accepted = events.iter().find(|e| e.action == "invitation.accepted").unwrap();
    assert_eq!(accepted.actor_name, "Ada Lovelace", "the newcomer, by name");
    // Read as people read it: the log page shows the change and who made it.
    let (_, log) =
        app.get_text("/console/settings/audit-log?action=administrator.role_changed").await;
    let said = text_of(&log);
    assert!(said.contains("Test Person changed the role of Ada Lovelace"), "{said}");
    assert!(said.contains("Role: Viewer → Administrator"), "{said}");
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn a_failed_invitation_whose_link_expired_is_resent_from_the_outbox_with_a_new_link() {
    let port = crate::smtp::free_port();
    let app = signed_in_app_with(|c| {
        c.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail.max_attempts = 1;
    })
    .await;
    assert_eq!(invite(&app, "ada@example.com", "viewer", "email").await.status(), 303);
    let failed = app.wait_for_outbox_state("failed").await;
    app.db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::one_time_tokens as t;
            let past = roster::db::now() - chrono::Duration::minutes(1);
            diesel::update(t::table).set(t::expires_at.eq(past)).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let sink = SmtpSink::start_on(port).await;
    let page = format!("/console/settings/outbox/{}", failed.id);
    let res = app.post_on(&page, &format!("{page}/resend"), &[]).await;
    assert_eq!(res.status(), 303);
    let messages = sink.wait_for(1).await;
    let link = link_in(&messages[0], "/console/invitation/");
    assert_eq!(get_with(&client(), &link).await.0, 200, "the new link opens the console's page");
    assert!(app.audit_actions().await.contains(&"administrator.invitation_resent".to_owned()));
}
