//! My profile in the console: an administrator's own name, password (with the current one;
//! the other console sessions end) and sessions — open to every role, since it is their own.

use crate::helpers::*;

const PAGE: &str = "/console/profile";

#[actix_web::test]
async fn an_administrator_renames_themself_and_changes_their_password() {
    let app = signed_in_app().await;
    let other = client();
    let login = get_with(&other, &app.url("/console/login")).await.1;
    let form = [
        ("csrf_token", csrf_in(&login)),
        ("email", OWNER_EMAIL.into()),
        ("password", OWNER_PASSWORD.into()),
    ];
    assert_eq!(
        other.post(app.url("/console/login")).form(&form).send().await.unwrap().status(),
        303
    );
    let (status, page) = app.get_text(PAGE).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("This device") && page.matches("class=\"session-item\"").count() == 2,
        "{page}"
    );

    let res = app.post_on(PAGE, PAGE, &[("first_name", "Ada"), ("last_name", "Owner")]).await;
    assert_eq!(res.status(), 303);
    assert!(app.get_text("/console/users").await.1.contains("<strong>Ada Owner</strong>"));
    assert!(app.audit_actions().await.contains(&"administrator.updated".to_owned()));

    let change = format!("{PAGE}/password");
    let new = "cobalt harbour lantern 88";
    let res = app
        .post_on(PAGE, &change, &[("current", "wrong one"), ("password", new), ("confirm", new)])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("This is not your current password."));
    let res = app
        .post_on(PAGE, &change, &[("current", OWNER_PASSWORD), ("password", new), ("confirm", new)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get(PAGE).await.status(), 200, "this session continues");
    assert_eq!(
        other.get(app.url("/console/users")).send().await.unwrap().status(),
        303,
        "the other ended"
    );
    assert_eq!(client().get(app.url("/console/login")).send().await.unwrap().status(), 200);
    let fresh = spawn_sign_in(&app, new).await;
    assert_eq!(fresh, 303, "the new password works");
    app.assert_no_secrets_in_audit().await;
}

async fn spawn_sign_in(app: &TestApp, password: &str) -> u16 {
    let browser = client();
    let login = get_with(&browser, &app.url("/console/login")).await.1;
    let form = [
        ("csrf_token", csrf_in(&login)),
        ("email", OWNER_EMAIL.into()),
        ("password", password.into()),
    ];
    browser.post(app.url("/console/login")).form(&form).send().await.unwrap().status().as_u16()
}

#[actix_web::test]
async fn a_viewer_looks_after_their_own_account_and_signs_out_other_sessions() {
    let app = viewer_app().await;
    let res = app.post_on(PAGE, PAGE, &[("first_name", "Vic"), ("last_name", "Viewer")]).await;
    assert_eq!(res.status(), 303, "their own profile is open to viewers");
    // A second session of the viewer, then Sign out all other sessions.
    let other = client();
    let login = get_with(&other, &app.url("/console/login")).await.1;
    let form = [
        ("csrf_token", csrf_in(&login)),
        ("email", VIEWER_EMAIL.into()),
        ("password", "a long viewer passphrase".into()),
    ];
    assert_eq!(
        other.post(app.url("/console/login")).form(&form).send().await.unwrap().status(),
        303
    );
    let res = app.post_on(PAGE, &format!("{PAGE}/sessions/end-others"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(other.get(app.url("/console/users")).send().await.unwrap().status(), 303);
    let (status, page) = app.get_text(PAGE).await;
    assert_eq!(status, 200);
    assert!(page.contains("That session was signed out."), "{page}");
}
