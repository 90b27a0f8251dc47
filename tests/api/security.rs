use chrono::Duration;
use roster::db::now;
use roster::domain::account::Status;

use crate::helpers::*;

#[actix_web::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = signed_in_app().await;
    let before = app.audit_actions().await.len();

    let res = app.post_form("/console/logout", &[]).await;
    assert_eq!(res.status(), 403);
    let res = app.post_form("/console/logout", &[("csrf_token", "forged")]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.get("/console/users").await.status(), 200, "still signed in");

    // Sign-in itself needs the token too.
    let other = client();
    let res = other
        .post(app.url("/console/login"))
        .form(&[("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.audit_actions().await.len(), before, "nothing was recorded or changed");
}

#[actix_web::test]
async fn a_request_from_a_foreign_origin_is_refused() {
    let app = spawn_app_with_owner().await;
    let token = app.csrf("/console/login").await;
    let form =
        [("csrf_token", token.as_str()), ("email", OWNER_EMAIL), ("password", OWNER_PASSWORD)];
    let res = app
        .client
        .post(app.url("/console/login"))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = app
        .client
        .post(app.url("/console/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(app.get("/console/users").await.status(), 303, "not signed in");
    // From our own origin the same form works.
    let res = app
        .client
        .post(app.url("/console/login"))
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status();
    assert_eq!(status, 303, "{}", res.text().await.unwrap());
}

fn assert_security_headers(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    let csp = header(h, "content-security-policy");
    assert!(csp.contains("default-src 'self'"), "{what}: CSP {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}");
    assert!(!csp.contains("unsafe-inline"), "{what}");
    assert_eq!(header(h, "x-content-type-options"), "nosniff", "{what}");
    assert_eq!(header(h, "x-frame-options"), "DENY", "{what}");
    assert_eq!(header(h, "referrer-policy"), "same-origin", "{what}");
    assert_eq!(header(h, "cache-control"), "no-store", "{what}");
    assert_eq!(header(h, "x-request-id").len(), 12, "{what}");
}

#[actix_web::test]
async fn pages_and_error_pages_carry_the_security_headers() {
    let app = signed_in_app().await;
    for path in ["/console/login", "/console/users", "/no/such/page", "/console/users/nobody"] {
        let res = app.get(path).await;
        assert_security_headers(&res, path);
    }
    let res = app.get("/no/such/page").await;
    assert_eq!(res.status(), 404);
    let id = header(res.headers(), "x-request-id").to_owned();
    let html = res.text().await.unwrap();
    assert!(html.contains(&id), "the error page shows the request id");
    assert!(html.contains("Not found"));

    let res = app.post_form("/console/logout", &[]).await;
    assert_eq!(res.status(), 403);
    assert_security_headers(&res, "403");
    let id = header(res.headers(), "x-request-id").to_owned();
    assert!(res.text().await.unwrap().contains(&id));
}

#[actix_web::test]
async fn bad_query_parameters_get_a_400_page_without_internals() {
    let app = signed_in_app().await;
    for path in
        ["/console/users?sort=drop_table", "/console/users?role=owner", "/console/users?after=%%%"]
    {
        let res = app.get(path).await;
        assert_eq!(res.status(), 400, "{path}");
        assert_security_headers(&res, path);
        let html = res.text().await.unwrap().to_lowercase();
        assert!(!html.contains("diesel") && !html.contains("sqlite") && !html.contains("select "));
    }
}

#[actix_web::test]
async fn a_form_with_fields_it_does_not_have_is_refused() {
    let app = spawn_app_with_owner().await;
    let token = app.csrf("/console/login").await;
    let res = app
        .post_form(
            "/console/login",
            &[
                ("csrf_token", &token),
                ("email", OWNER_EMAIL),
                ("password", OWNER_PASSWORD),
                ("role", "owner"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.get("/console/users").await.status(), 303);
}

#[actix_web::test]
async fn anonymous_visitors_never_see_customer_data() {
    let app = spawn_app_with_owner().await;
    let ids = app
        .insert_customers(vec![Customer {
            email: "secret.customer@example.com",
            first: "Secret",
            last: "Customer",
            status: Status::Active,
            created_at: now() - Duration::days(1),
            last_sign_in_at: None,
        }])
        .await;
    for path in [
        "/console/users".to_owned(),
        "/console/users?q=secret".to_owned(),
        format!("/console/users/{}", ids[0]),
        "/console/anything".to_owned(),
        "/console".to_owned(),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), 303, "{path}");
        let location = header(res.headers(), "location").to_owned();
        assert!(
            location.starts_with("/console/login") || location == "/console/users",
            "{path} → {location}"
        );
        assert!(!res.text().await.unwrap().contains("secret.customer"), "{path}");
    }
    // htmx requests are sent to sign in with HX-Redirect.
    let res = app
        .client
        .get(app.url("/console/users"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "hx-redirect"), "/console/login");
}

#[actix_web::test]
async fn an_internal_error_shows_a_request_id_and_no_sql() {
    let app = spawn_app_with_owner().await;
    // Break the database under the running server: the audit insert of a sign-in fails.
    app.db
        .run(|c| {
            use diesel::connection::SimpleConnection;
            c.batch_execute("DROP TABLE audit_events;")?;
            Ok(())
        })
        .await
        .unwrap();
    let res = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status(), 500);
    assert_security_headers(&res, "500");
    let id = header(res.headers(), "x-request-id").to_owned();
    let html = res.text().await.unwrap();
    assert!(html.contains(&id));
    assert!(html.contains("Something went wrong"));
    let lower = html.to_lowercase();
    assert!(
        !lower.contains("no such table")
            && !lower.contains("audit_events")
            && !lower.contains("diesel")
    );
}

#[actix_web::test]
async fn the_icon_is_served_and_every_page_points_to_it() {
    let app = spawn_app_with_owner().await;
    // Asked for by browsers on answers without a page (JSON, images): no 404 in every log.
    let res = app.get("/favicon.ico").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(res.headers(), "content-type"), "image/svg+xml");
    assert_eq!(header(res.headers(), "cache-control"), "public, max-age=86400");
    assert!(res.text().await.unwrap().starts_with("<svg"));
    let res = app.get("/static/favicon.svg").await;
    assert_eq!(res.status(), 200);
    for page in ["/console/login", "/myaccount/login", "/no/such/page"] {
        let (_, html) = app.get_text(page).await;
        assert!(html.contains(r#"<link rel="icon" href="/static/favicon.svg""#), "{page}");
    }
}
