//! Manage > Applications: register (a confidential client's secret shown once and stored as a
//! hash; a public client has none), validate next to the fields, edit with before → after,
//! regenerate the secret, delete with checkbox + Confirm; viewers read only.

use roster::domain::token::hash_token;

use crate::helpers::*;

const APPS: &str = "/console/applications";
const NEW: &str = "/console/applications/new";

fn form<'a>(name: &'a str, kind: &'a str, redirect: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("client_type", kind),
        ("redirect_uris", redirect),
        ("post_logout_redirect_uris", ""),
        ("refresh_tokens", "on"),
        ("access_token_minutes", "5"),
        ("refresh_token_days", "30"),
        ("claims", "email"),
        ("claims", "profile"),
    ]
}

async fn register(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    app.post_on(NEW, NEW, fields).await
}

async fn stored(app: &TestApp, name: &str) -> Option<roster::db::applications::Application> {
    let name = name.to_owned();
    app.db
        .run(move |c| Ok(roster::db::applications::all(c)?.into_iter().find(|a| a.name == name)))
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_web_application_gets_a_secret_shown_once_and_kept_only_as_a_hash() {
    let app = signed_in_app().await;
    let res = register(&app, &form("Shop", "confidential", "https://shop.example.com/cb")).await;
    assert_eq!(res.status(), 303, "the form answers with a redirect: a reload posts nothing");
    let page = app.followed(res).await.1;
    let secret = element_text(&page, "reveal-value").expect("the secret is shown");
    assert_eq!(secret.len(), 43, "256 random bits");
    let row = stored(&app, "Shop").await.unwrap();
    assert_eq!(row.secret_hash.as_deref(), Some(hash_token(&secret).as_str()));
    assert!(page.contains(&row.client_id), "the client id is shown");
    assert!(page.contains(&format!("OIDC_CLIENT_ID={}", row.client_id)), "ready to paste");
    assert!(page.contains("/.well-known/openid-configuration"), "the discovery URL");
    // Never again.
    let (status, again) = app.get_text(&format!("{APPS}/{}", row.public_id)).await;
    assert_eq!(status, 200);
    assert!(!again.contains(&secret) && !again.contains("reveal-value"));
    let (_, list) = app.get_text(APPS).await;
    assert!(list.contains("Shop") && list.contains(&row.client_id));
    assert!(app.audit_actions().await.contains(&"application.created".to_owned()));
    app.assert_no_secrets_in_audit().await;
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 5)?)).await.unwrap();
    assert!(events.iter().all(|e| !e.details.contains(&secret)), "the secret is not in the log");
}

/// Every session's stored state, as one text (to look for what must not be there).
async fn session_states(app: &TestApp) -> String {
    use diesel::prelude::*;
    use roster::db::schema::sessions;
    let states: Vec<String> =
        app.db.run(|c| Ok(sessions::table.select(sessions::state).load(c)?)).await.unwrap();
    states.join("\n")
}

#[actix_web::test]
async fn register_answers_with_a_redirect_so_a_reload_posts_nothing_and_the_secret_waits_sealed() {
    let app = signed_in_app().await;
    let res = register(&app, &form("Shop", "confidential", "https://shop.example.com/cb")).await;
    assert_eq!(res.status(), 303);
    let to = header(res.headers(), "location").to_owned();
    let row = stored(&app, "Shop").await.unwrap();
    assert_eq!(to, format!("{APPS}/{}", row.public_id), "to the application's own page");
    // Between the answer and the page, the secret waits in the session, but never readable.
    let waiting = session_states(&app).await;
    assert!(waiting.contains("reveal"), "{waiting}");
    let (status, page) = app.get_text(&to).await;
    assert_eq!(status, 200);
    let secret = element_text(&page, "reveal-value").expect("the page shows the secret");
    assert_eq!(row.secret_hash.as_deref(), Some(hash_token(&secret).as_str()));
    assert!(!waiting.contains(&secret), "the session never holds the secret in the clear");
    assert!(!session_states(&app).await.contains("reveal"), "taken out as it was shown");
    // A reload is a GET of the page: no second application, no error, the secret gone.
    let (status, reloaded) = app.get_text(&to).await;
    assert_eq!(status, 200);
    assert!(!reloaded.contains("reveal-value") && !reloaded.contains("already exists"));
    let all = app.db.run(|c| Ok(roster::db::applications::all(c)?)).await.unwrap();
    assert_eq!(all.len(), 1);
}

#[actix_web::test]
async fn a_secret_waiting_for_one_page_is_not_shown_by_another() {
    let app = signed_in_app().await;
    let res = register(&app, &form("Shop", "confidential", "https://shop.example.com/cb")).await;
    assert_eq!(res.status(), 303);
    register(&app, &form("Other", "public", "https://other.example.com/cb")).await;
    let other = stored(&app, "Other").await.unwrap();
    let (_, page) = app.get_text(&format!("{APPS}/{}", other.public_id)).await;
    assert!(!page.contains("reveal-value"), "{page}");
}

#[actix_web::test]
async fn a_single_page_application_has_no_secret_and_cannot_get_one() {
    let app = signed_in_app().await;
    let res = register(&app, &form("Widget", "public", "http://127.0.0.1:5173/cb")).await;
    assert_eq!(res.status(), 303);
    let row = stored(&app, "Widget").await.unwrap();
    assert!(row.secret_hash.is_none());
    let page = format!("{APPS}/{}", row.public_id);
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains("PKCE (S256) required") && !html.contains("Regenerate secret"));
    let res = app.post_on(&page, &format!("{page}/secret"), &[]).await;
    assert_eq!(res.status(), 403);
}

#[actix_web::test]
async fn bad_settings_are_refused_next_to_their_fields_and_nothing_is_saved() {
    let app = signed_in_app().await;
    for (fields, field, message) in [
        (form("", "confidential", "https://a.example/cb"), "name", "Enter the application"),
        (form("A", "daemon", "https://a.example/cb"), "client_type", "Choose the kind"),
        (form("A", "public", ""), "redirect_uris", "Enter at least one redirect URI."),
        (form("A", "public", "http://shop.example.com/cb"), "redirect_uris", "must use https"),
        (form("A", "public", "https://a.example/cb#frag"), "redirect_uris", "fragment"),
    ] {
        let res = register(&app, &fields).await;
        assert_eq!(res.status(), 422, "{field}");
        let html = res.text().await.unwrap();
        assert!(html.contains(&format!("id=\"{field}-error\"")) || html.contains("field-error"));
        assert!(html.contains(message), "{message} in {field}");
    }
    // A second application of the same name (say, the form sent again by a reload).
    assert_eq!(register(&app, &form("Shop", "public", "https://a.example/cb")).await.status(), 303);
    let again = register(&app, &form("shop", "public", "https://a.example/cb")).await;
    assert_eq!(again.status(), 422);
    assert!(again.text().await.unwrap().contains("An application with this name already exists."));
    let mut long = form("A", "public", "https://a.example/cb");
    long[5] = ("access_token_minutes", "600");
    assert_eq!(register(&app, &long).await.status(), 422);
    assert_eq!(app.db.run(|c| Ok(roster::db::applications::all(c)?)).await.unwrap().len(), 1);
}

#[actix_web::test]
async fn edits_save_what_changed_with_before_and_after_and_keep_the_kind() {
    let app = signed_in_app().await;
    register(&app, &form("Shop", "confidential", "https://shop.example.com/cb")).await;
    let row = stored(&app, "Shop").await.unwrap();
    let page = format!("{APPS}/{}", row.public_id);
    let mut fields =
        form("Shop", "public", "https://shop.example.com/cb\nhttps://shop.example.com/cb2");
    fields.push(("claims", "groups"));
    let res = app.post_on(&page, &page, &fields).await;
    assert_eq!(res.status(), 303);
    let (_, html) = app.get_text(&page).await;
    assert!(html.contains("Saved: Redirect URIs, Claims."), "{html}");
    let after = stored(&app, "Shop").await.unwrap();
    assert_eq!(after.client_type, "confidential", "the kind stays");
    assert_eq!(after.redirect_uris().len(), 2);
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 5)?)).await.unwrap();
    let e = events.iter().find(|e| e.action == "application.updated").unwrap();
    let d: serde_json::Value = serde_json::from_str(&e.details).unwrap();
    assert_eq!(d["claims"]["before"], serde_json::json!(["email", "profile"]));
    assert_eq!(d["claims"]["after"], serde_json::json!(["email", "profile", "groups"]));
    // The same again: nothing to save.
    app.post_on(&page, &page, &fields).await;
    assert!(app.get_text(&page).await.1.contains("Nothing changed."));
}

#[actix_web::test]
async fn regenerate_replaces_the_secret_and_delete_needs_the_box() {
    let app = signed_in_app().await;
    let first = register(&app, &form("Shop", "confidential", "https://shop.example.com/cb")).await;
    let first = element_text(&app.followed(first).await.1, "reveal-value").unwrap();
    let row = stored(&app, "Shop").await.unwrap();
    let page = format!("{APPS}/{}", row.public_id);
    let res = app.post_on(&page, &format!("{page}/secret"), &[]).await;
    assert_eq!(res.status(), 303);
    let second = element_text(&app.followed(res).await.1, "reveal-value").unwrap();
    assert_ne!(first, second);
    let hash = stored(&app, "Shop").await.unwrap().secret_hash.unwrap();
    assert_eq!(hash, hash_token(&second));

    let res = app.post_on(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(res.status(), 422);
    assert!(stored(&app, "Shop").await.is_some());
    let res = app.post_on(&page, &format!("{page}/delete"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    assert!(stored(&app, "Shop").await.is_none());
    assert!(app.get_text(APPS).await.1.contains("The application Shop was deleted."));
    let actions = app.audit_actions().await;
    assert_eq!(
        &actions[..3],
        ["application.deleted", "application.secret_regenerated", "application.created"]
    );
}

#[actix_web::test]
async fn a_viewer_sees_applications_and_changes_nothing() {
    let app = viewer_app().await;
    let directory_owner = roster::db::audit::Actor::system("t");
    let input = roster::domain::application::ApplicationInput {
        name: "Shop".into(),
        client_type: "confidential".into(),
        redirect_uris: "https://shop.example.com/cb".into(),
        access_token_minutes: "5".into(),
        refresh_token_days: "30".into(),
        ..Default::default()
    };
    let created =
        roster::accounts::applications::create(&app.db, directory_owner, input).await.ok().unwrap();
    let (status, list) = app.get_text(APPS).await;
    assert_eq!(status, 200);
    assert!(list.contains("Shop") && !list.contains("Register application"));
    let (status, page) = app.get_text(&format!("{APPS}/{}", created.id)).await;
    assert_eq!(status, 200);
    assert!(!page.contains("Regenerate secret") && !page.contains(">Save<"));
    assert_eq!(app.get(NEW).await.status(), 403);
}
