use crate::helpers::*;

#[actix_web::test]
async fn the_setup_link_creates_the_owner_once_then_answers_404() {
    let app = spawn_app().await;
    let setup = app.setup_url.clone().expect("without an owner the server prints a setup link");
    let path = setup.strip_prefix(&app.base).unwrap().to_owned();

    let wrong = app.get("/setup/not-the-token").await;
    assert_eq!(wrong.status(), 404);
    assert_eq!(app.get(&path).await.status(), 200);

    let weak = app
        .post_form(
            &path,
            &[
                ("organization", "Acme Corp"),
                ("email", "boss@example.com"),
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("password", "password1234"),
                ("password_confirm", "password1234"),
            ],
        )
        .await;
    assert_eq!(weak.status(), 422);
    assert!(weak.text().await.unwrap().contains("too common"));

    let res = app
        .post_form(
            &path,
            &[
                ("organization", "Acme Corp"),
                ("email", "boss@example.com"),
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("password", OWNER_PASSWORD),
                ("password_confirm", OWNER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/console/login?notice=setup");

    assert_eq!(app.get(&path).await.status(), 404, "gone once an owner exists");
    let again = app
        .post_form(
            &path,
            &[
                ("organization", "Other"),
                ("email", "x@example.com"),
                ("first_name", "X"),
                ("last_name", "Y"),
                ("password", OWNER_PASSWORD),
                ("password_confirm", OWNER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(again.status(), 404);
    assert_eq!(app.sign_in("boss@example.com", OWNER_PASSWORD).await.status(), 303);
    assert!(app.audit_actions().await.contains(&"owner.created".to_owned()));
    // The organization's name, asked at setup, is what pages (and emails) say at once.
    let saved = app.db.run(|c| Ok(roster::db::settings::load(c)?)).await.unwrap();
    assert_eq!(saved.name, "Acme Corp");
    assert!(app.get_text("/console/users").await.1.contains("Acme Corp"));
}

#[actix_web::test]
async fn setup_asks_for_the_organizations_name() {
    let app = spawn_app().await;
    let setup = app.setup_url.clone().unwrap();
    let path = setup.strip_prefix(&app.base).unwrap().to_owned();
    let res = app
        .post_form(
            &path,
            &[
                ("organization", "  "),
                ("email", "boss@example.com"),
                ("first_name", "Grace"),
                ("last_name", "Hopper"),
                ("password", OWNER_PASSWORD),
                ("password_confirm", OWNER_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(text_of(&html).contains("Enter your organization's name."), "{html}");
    assert!(html.contains(r#"id="organization-error""#));
    let owners = app.db.run(|c| Ok(roster::db::accounts::owner_exists(c)?)).await.unwrap();
    assert!(!owners, "nothing created");
}

#[actix_web::test]
async fn with_an_owner_there_is_no_setup_link() {
    let app = spawn_app_with_owner().await;
    // A restart now has an owner from the start.
    let config = test_config(app.data_dir.path());
    let again = roster::startup::Application::build(config).await.unwrap();
    assert!(again.setup_url().is_none());
}

#[actix_web::test]
async fn a_short_session_secret_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = roster::config::Config {
        session_secret: Some("too short".into()),
        ..test_config(dir.path())
    };
    let err = roster::startup::Application::build(config).await.err().expect("refused");
    assert!(err.to_string().contains("ROSTER_SESSION_SECRET"));
}

#[actix_web::test]
async fn the_generated_session_secret_is_private_and_kept_across_restarts() {
    use std::os::unix::fs::PermissionsExt;
    let app = signed_in_app().await;
    let path = app.data_dir.path().join(roster::startup::SECRET_FILE);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let before = std::fs::read(&path).unwrap();
    let config = test_config(app.data_dir.path());
    let _again = roster::startup::Application::build(config).await.unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
}
