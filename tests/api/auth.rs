use roster::accounts::signin::GENERIC_FAILURE;
use roster::domain::account::{Kind, Role, Status};

use crate::helpers::*;

#[actix_web::test]
async fn the_owner_signs_in_and_sees_the_users_list() {
    let app = spawn_app_with_owner().await;
    let res = app.sign_in("  Owner@Example.com ", OWNER_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/console/users");
    let (status, html) = app.get_text("/console/users").await;
    assert_eq!(status, 200);
    assert!(html.contains("<h1>Users</h1>"));
    assert!(html.contains("Sign out"));
    let actions = app.audit_actions().await;
    assert_eq!(actions.first().map(String::as_str), Some("signin.succeeded"));
}

#[actix_web::test]
async fn every_failed_sign_in_gets_the_same_message() {
    let app = spawn_app_with_owner().await;
    app.insert_account(
        Kind::Administrator,
        Some(Role::Viewer),
        "locked@example.com",
        Status::Locked,
        Some(OWNER_PASSWORD),
    )
    .await;
    app.insert_account(
        Kind::Administrator,
        Some(Role::Viewer),
        "pending@example.com",
        Status::PendingPassword,
        None,
    )
    .await;
    app.insert_account(
        Kind::Customer,
        None,
        "customer@example.com",
        Status::Active,
        Some(OWNER_PASSWORD),
    )
    .await;

    let attempts = [
        (OWNER_EMAIL, "a wrong password here"),
        ("nobody@example.com", OWNER_PASSWORD),
        ("locked@example.com", OWNER_PASSWORD),
        ("pending@example.com", OWNER_PASSWORD),
        // A customer is not an administrator: the console does not know them.
        ("customer@example.com", OWNER_PASSWORD),
        ("not an email", OWNER_PASSWORD),
    ];
    let mut bodies = Vec::new();
    for (email, password) in attempts {
        let res = app.sign_in(email, password).await;
        assert_eq!(res.status(), 422, "{email} is refused");
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&GENERIC_FAILURE.replace('\'', "&#39;"))
                || html.contains(GENERIC_FAILURE)
        );
        // The page differs only by the email typed back and the CSRF token.
        let email_shown = email.trim().replace('@', "&#64;");
        bodies.push(html.replace(&csrf_in(&html), "").replace(email, "").replace(&email_shown, ""));
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "failure pages are identical");
    let (status, _) = app.get_text("/console/users").await;
    assert_eq!(status, 303, "still signed out");
    let failures = app.audit_actions().await.iter().filter(|a| *a == "signin.failed").count();
    assert_eq!(failures, attempts.len());
}

#[actix_web::test]
async fn sign_out_ends_the_session_and_a_replayed_cookie_is_signed_out() {
    let app = spawn_app_with_owner().await;
    // A client without a cookie jar: the test holds the cookies itself, as a thief would.
    let bare =
        reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let get = |cookie: String| {
        let req = bare.get(app.url("/console/users")).header("cookie", cookie);
        async move { req.send().await.unwrap() }
    };
    let login = bare.get(app.url("/console/login")).send().await.unwrap();
    let before = first_cookie(login.headers());
    let token = csrf_in(&login.text().await.unwrap());
    let res = bare
        .post(app.url("/console/login"))
        .header("cookie", &before)
        .form(&[
            ("csrf_token", token.as_str()),
            ("email", OWNER_EMAIL),
            ("password", OWNER_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let signed_in = first_cookie(res.headers());
    assert_ne!(signed_in, before, "the session id is renewed at sign-in");
    assert_eq!(get(before.clone()).await.status(), 303, "the pre-sign-in key opens nothing");

    let page = get(signed_in.clone()).await;
    assert_eq!(page.status(), 200);
    let token = csrf_in(&page.text().await.unwrap());
    let out = bare
        .post(app.url("/console/logout"))
        .header("cookie", &signed_in)
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert!(header(out.headers(), "location").starts_with("/console/login"));

    let replay = get(signed_in).await;
    assert_eq!(replay.status(), 303, "the replayed cookie is signed out");
    assert_eq!(header(replay.headers(), "location"), "/console/login");
    assert!(app.audit_actions().await.contains(&"signout".to_owned()));
}

fn first_cookie(headers: &reqwest::header::HeaderMap) -> String {
    header(headers, "set-cookie").split(';').next().unwrap().to_owned()
}

#[actix_web::test]
async fn an_idle_session_expires() {
    let app = signed_in_app().await;
    assert_eq!(app.get("/console/users").await.status(), 200);
    app.db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::sessions::dsl::*;
            let past = roster::db::now() - chrono::Duration::minutes(31);
            diesel::update(sessions)
                .set((idle_expires_at.eq(past), last_seen_at.eq(past)))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(app.get("/console/users").await.status(), 303);
}

#[actix_web::test]
async fn a_locked_administrator_loses_the_open_session() {
    let app = signed_in_app().await;
    assert_eq!(app.get("/console/users").await.status(), 200);
    app.db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::accounts::dsl::*;
            diesel::update(accounts.filter(email.eq(OWNER_EMAIL)))
                .set(status.eq("locked"))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let res = app.get("/console/users").await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/console/login");
}

#[actix_web::test]
async fn repeated_failures_from_one_address_are_throttled() {
    let app = spawn_app_with_owner().await;
    for _ in 0..10 {
        assert_eq!(app.sign_in(OWNER_EMAIL, "wrong wrong wrong").await.status(), 422);
    }
    let res = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status(), 429, "even the right password waits");
}

#[actix_web::test]
async fn a_session_ends_after_its_absolute_lifetime_even_when_active() {
    let app = signed_in_app().await;
    app.db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::sessions::dsl::*;
            let past = roster::db::now() - chrono::Duration::seconds(1);
            diesel::update(sessions).set(absolute_expires_at.eq(past)).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    assert_eq!(app.get("/console/users").await.status(), 303);
}

#[actix_web::test]
async fn sessions_are_stored_only_as_hashes() {
    let app = signed_in_app().await;
    let res = app.client.get(app.url("/console/login")).send().await.unwrap();
    drop(res);
    let stored: Vec<String> = app
        .db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::sessions::dsl::*;
            Ok(sessions.select(id_hash).load(c)?)
        })
        .await
        .unwrap();
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|h| h.len() == 64 && h.chars().all(|c| c.is_ascii_hexdigit())));
}

/// Roster's own argon2id hashes are stored compact; any other (a different algorithm, such as
/// one imported) is stored as its text's bytes and read back exactly as written.
#[actix_web::test]
async fn a_hash_without_a_compact_form_is_stored_and_read_back_as_written() {
    let app = spawn_app().await;
    let id = app.active_customer("bcrypt@example.com", "a long enough password").await;
    let key = app.key(&id).await;
    let bcrypt = "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW";
    app.db
        .run(move |c| {
            Ok(roster::db::accounts::set_password(
                c,
                key,
                bcrypt,
                Status::Active,
                roster::db::now(),
            )?)
        })
        .await
        .unwrap();
    assert_eq!(app.account(&id).await.unwrap().password_hash.as_deref(), Some(bcrypt));
}
