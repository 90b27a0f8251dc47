//! The settings pages: each validates with messages next to its fields (422, nothing saved),
//! saves, records before → after, and takes effect at once; viewers see and change nothing.

use roster::domain::account::Status;

use crate::helpers::*;

async fn save(app: &TestApp, page: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.post_on(page, page, form).await
}

#[actix_web::test]
async fn general_renames_the_organization_everywhere_at_once() {
    let app = signed_in_app().await;
    let page = "/console/settings/general";
    let res = save(
        &app,
        page,
        &[("name", ""), ("mail_from_name", "Acme"), ("mail_from_address", "nope")],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"id="name-error""#) && html.contains(r#"id="mail_from_address-error""#)
    );
    let res = save(
        &app,
        page,
        &[
            ("name", "Acme Corp"),
            ("time_zone", "UTC"),
            ("mail_from_name", "Acme"),
            ("mail_from_address", "hello@acme.example"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(app.get_text("/console/users").await.1.contains("Acme Corp"), "the console shows it");
    assert!(get_with(&client(), &app.url("/myaccount/login")).await.1.contains("Acme Corp"));
    let event = app.db.run(|c| Ok(roster::db::audit::recent(c, 1)?.remove(0))).await.unwrap();
    assert_eq!(event.action, "settings.general_updated");
    assert!(
        event.details.contains(r#""name":"Acme Corp""#) && event.details.contains(r#""before""#)
    );
    // Unknown fields are a forged form.
    let res = save(
        &app,
        page,
        &[("name", "X"), ("mail_from_name", ""), ("mail_from_address", ""), ("evil", "1")],
    )
    .await;
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn a_raised_minimum_refuses_a_password_the_old_policy_took() {
    let app = signed_in_app().await;
    app.active_customer("pat@example.com", "juniper lantern 1987").await;
    let page = "/console/settings/password-policy";
    let res = save(&app, page, &[("min_length", "7"), ("max_length", "64")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Enter a whole number from 8 to 64."));
    let res = save(
        &app,
        page,
        &[
            ("min_length", "24"),
            ("max_length", "64"),
            ("blocklist", "on"),
            ("no_name_part", "on"),
            ("require_digit", "on"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    // The change-password form now refuses what was fine before (20 characters, with a digit).
    let (browser, _) = app.myaccount_sign_in("pat@example.com", "juniper lantern 1987").await;
    let security = get_with(&browser, &app.url("/myaccount/security")).await.1;
    assert!(security.contains("24 to 64 characters") && security.contains("A digit"));
    let form = [
        ("csrf_token", csrf_in(&security)),
        ("current", "juniper lantern 1987".into()),
        ("password", "copper meadow sailing 7".into()),
        ("confirm", "copper meadow sailing 7".into()),
    ];
    let res =
        browser.post(app.url("/myaccount/security/password")).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Use at least 24 characters."));
    assert!(app.audit_actions().await.contains(&"settings.password_policy_updated".to_owned()));
}

#[actix_web::test]
async fn links_expiry_applies_to_the_next_invitation() {
    let app = signed_in_app().await;
    let page = "/console/settings/links";
    // Durations are a number and a unit; a bad one says the range in words and is shown again.
    let res = save(
        &app,
        page,
        &[
            ("invitation_minutes", "4"),
            ("invitation_minutes_unit", "minutes"),
            ("reset_minutes", "1"),
            ("reset_minutes_unit", "hours"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(text_of(&html).contains("Enter a time from 5 minutes to 30 days."), "{html}");
    assert!(html.contains(r#"name="invitation_minutes" type="number" inputmode="numeric" min="1" step="1" value="4""#), "{html}");
    let res = save(
        &app,
        page,
        &[
            ("invitation_minutes", "90"),
            ("invitation_minutes_unit", "minutes"),
            ("reset_minutes", "2"),
            ("reset_minutes_unit", "days"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let html = app.get_text(page).await.1;
    assert!(html.contains(r#"value="2""#) && html.contains(r#"<option value="days" selected>"#));
    let saved = app.db.run(|c| Ok(roster::db::settings::load(c)?)).await.unwrap();
    assert_eq!((saved.invitation_expiry_minutes, saved.password_reset_expiry_minutes), (90, 2880));
    let (status, _) = app
        .new_customer(&[
            ("email", "new@example.com"),
            ("first_name", "N"),
            ("last_name", "U"),
            ("method", "invite"),
            ("delivery", "offline"),
        ])
        .await;
    assert!(status == 200 || status == 303, "{status}");
    let id = app.customer_by_email("new@example.com").await.public_id.to_string();
    let token = app
        .db
        .run(move |c| {
            let key = account_key(c, &id);
            Ok(roster::db::tokens::latest(c, key, roster::domain::token::Purpose::Invitation)?
                .unwrap())
        })
        .await
        .unwrap();
    assert_eq!((token.expires_at - token.created_at).num_minutes(), 90);
}

#[actix_web::test]
async fn viewers_see_every_settings_page_and_change_nothing() {
    let app = viewer_app().await;
    for page in [
        "/console/settings/general",
        "/console/settings/password-policy",
        "/console/settings/self-registration",
        "/console/settings/links",
    ] {
        let (status, html) = app.get_text(page).await;
        assert_eq!(status, 200, "{page}");
        assert!(!html.contains(">Save</button>"), "{page}");
        assert!(html.contains(" disabled"), "{page}");
        let res = app.post_on(page, page, &[("name", "Hacked")]).await;
        assert_eq!(res.status(), 403, "{page}");
    }
    assert!(!app.get_text("/console/users").await.1.contains("Hacked"));
}

#[actix_web::test]
async fn times_show_in_the_organizations_zone_labelled_and_date_filters_use_its_days() {
    let app = signed_in_app().await;
    let id = app
        .insert_customers(vec![customer("tz@example.com", "Tomoko", "Zen", Status::Active)])
        .await
        .remove(0);
    let (_, page) = app.get_text(&format!("/console/users/{id}")).await;
    assert!(text_of(&page).contains(" UTC"), "UTC until chosen");
    let general = [
        ("name", "Acme"),
        ("time_zone", "Asia/Tokyo"),
        ("mail_from_name", ""),
        ("mail_from_address", ""),
    ];
    let page_path = "/console/settings/general";
    assert_eq!(save(&app, page_path, &general).await.status(), 303);
    let (_, page) = app.get_text(&format!("/console/users/{id}")).await;
    let said = text_of(&page);
    assert!(said.contains(" JST") && !said.contains(" UTC"), "{said}");
    // The instant stays machine-readable for the viewer's own zone (shown by script).
    assert!(page.contains(r#"<time datetime=""#) && page.contains(r#"Z">"#));
    // "From today" means the organization's today: the events of the last hours are in it.
    let tokyo_today =
        (chrono::Utc::now() + chrono::Duration::hours(9)).format("%Y-%m-%d").to_string();
    let (status, log) = app
        .get_text(&format!("/console/settings/audit-log?from={tokyo_today}&to={tokyo_today}"))
        .await;
    assert_eq!(status, 200);
    assert!(log.contains(r#"title="settings.general_updated""#), "{log}");
}
