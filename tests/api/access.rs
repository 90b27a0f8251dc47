//! The console's access table (`web::console::access::RULES`) drives these tests: every route
//! that needs an owner or administrator refuses a viewer with 403 and changes nothing; every
//! route a viewer may read opens for them; a change no rule names is refused to everyone.

use roster::db::audit::Actor;
use roster::domain::account::Status;
use roster::domain::clock::At;
use roster::web::console::access::{Need, RULES, rule_for};

use crate::helpers::*;

/// Counts that any change would move.
async fn footprint(app: &TestApp) -> Vec<i64> {
    use diesel::prelude::*;
    use roster::db::schema::*;
    app.db
        .run(|c| {
            let settings: At =
                organization_settings::table.select(organization_settings::updated_at).first(c)?;
            Ok(vec![
                accounts::table.count().get_result(c)?,
                groups::table.count().get_result(c)?,
                group_members::table.count().get_result(c)?,
                attributes::table.count().get_result(c)?,
                attribute_values::table.count().get_result(c)?,
                one_time_tokens::table.count().get_result(c)?,
                outbox::table.count().get_result(c)?,
                roster::db::audit::audit_log::table
                    .filter(roster::db::audit::audit_log::action.ne("signin.succeeded"))
                    .count()
                    .get_result(c)?,
                accounts::table.filter(accounts::status.eq("locked")).count().get_result(c)?,
                settings.and_utc().timestamp_micros(),
            ])
        })
        .await
        .unwrap()
}

/// A customer and a group for the routes' ids: (customer id, group id).
async fn customer_and_group(app: &TestApp) -> (String, String) {
    let customer = app
        .insert_customers(vec![customer("pat@example.com", "Pat", "Doe", Status::Active)])
        .await
        .remove(0);
    let directory = roster::accounts::groups::GroupDirectory::default();
    let group = roster::accounts::groups::create(&app.db, &directory, Actor::system("t"), "gold")
        .await
        .ok()
        .unwrap();
    (customer, group)
}

#[actix_web::test]
async fn every_route_for_managers_refuses_a_viewer_and_changes_nothing() {
    let app = viewer_app().await;
    let (customer, group) = customer_and_group(&app).await;
    let input = roster::domain::attribute::AttributeInput {
        name: "nickname".into(),
        display_name: "Nickname".into(),
        data_type: "text".into(),
        display_order: "1".into(),
        ..Default::default()
    };
    let attribute = roster::accounts::attributes::create(&app.db, Actor::system("t"), input)
        .await
        .ok()
        .unwrap();
    let real = |pattern: &str| {
        let mut parts: Vec<String> = Vec::new();
        let segments: Vec<&str> = pattern.split('/').collect();
        for (i, s) in segments.iter().enumerate() {
            let owner = if i > 0 { segments[i - 1] } else { "" };
            parts.push(match (*s, owner) {
                ("{id}", "users") | ("{account_id}", _) => customer.clone(),
                ("{id}", "groups") | ("{group_id}", _) => group.clone(),
                ("{id}", "attributes") => attribute.clone(),
                (s, _) if s.starts_with('{') => "x".into(),
                (s, _) => s.into(),
            });
        }
        parts.join("/")
    };
    let token = app.csrf("/console/users").await;
    let before = footprint(&app).await;
    let mut checked = 0;
    for rule in RULES {
        let path = real(rule.path);
        let res = if rule.method == "GET" {
            app.get(&path).await
        } else {
            // A plausible form for each: the fields forms send, ticked confirmations.
            let form = [
                ("csrf_token", token.as_str()),
                ("confirm", "on"),
                ("name", "hacked"),
                ("first_name", "Hacked"),
                ("last_name", "Hacked"),
            ];
            app.post_form(&path, &form).await
        };
        let status = res.status().as_u16();
        match rule.need {
            Need::Manager | Need::Owner => assert_eq!(status, 403, "{} {path}", rule.method),
            // A page, a redirect to one (the invitation route), or an unknown id.
            // Pages (or a redirect to one, or an unknown id), and changes to one's own
            // profile (this form is not theirs: refused as a bad form, never as a role).
            Need::Viewer => {
                assert!(
                    [200, 303, 400, 404, 422].contains(&status),
                    "{} {path} → {status}",
                    rule.method
                )
            }
        }
        checked += 1;
    }
    assert!(checked >= 50, "{checked} routes");
    assert_eq!(footprint(&app).await, before, "nothing changed");
}

#[actix_web::test]
async fn a_change_no_rule_names_is_refused_even_to_the_owner() {
    let app = signed_in_app().await;
    let token = app.csrf("/console/users").await;
    let res = app.post_form("/console/users/x/not-a-route", &[("csrf_token", &token)]).await;
    assert_eq!(res.status(), 403);
    // A page that does not exist is still a 404.
    assert_eq!(app.get("/console/not-a-page").await.status(), 404);
}

#[actix_web::test]
async fn settings_administrators_lists_the_owner_first_with_roles() {
    let app = viewer_app().await;
    let (status, page) = app.get_text("/console/settings/administrators").await;
    assert_eq!(status, 200);
    let html = &page[page.find("<tbody>").unwrap()..];
    let owner = html.find(OWNER_EMAIL).expect("the owner");
    let viewer = html.find(VIEWER_EMAIL).expect("the viewer");
    assert!(owner < viewer, "the owner first");
    assert!(
        html.contains(r#"data-label="Role">Owner<"#)
            && html.contains(r#"data-label="Role">Viewer<"#)
    );
    assert!(html.contains("(you)"));
}

/// The `action` of every POST form in a page that has a submit button (a working one: a form
/// shown with its fields disabled and no button changes nothing).
fn post_actions(html: &str) -> Vec<String> {
    html.split("<form")
        .skip(1)
        .map(|f| &f[..f.find("</form>").unwrap_or(f.len())])
        .filter(|f| f[..f.find('>').unwrap_or(0)].contains("method=\"post\""))
        .filter(|f| f.contains("type=\"submit\""))
        .filter_map(|f| {
            let start = f.find("action=\"")? + 8;
            Some(unescape(&f[start..start + f[start..].find('"')?]))
        })
        .collect()
}

#[actix_web::test]
async fn a_viewer_is_shown_no_form_they_may_not_use_on_any_page() {
    let app = viewer_app().await;
    let (customer, group) = customer_and_group(&app).await;
    roster::accounts::groups::add_member(&app.db, Actor::system("t"), &group, &customer)
        .await
        .unwrap();
    let real = |pattern: &str| {
        pattern
            .replace("/users/{id}", &format!("/users/{customer}"))
            .replace("/groups/{id}", &format!("/groups/{group}"))
    };
    let mut pages = 0;
    for rule in RULES.iter().filter(|r| r.method == "GET" && r.need == Need::Viewer) {
        let path = real(rule.path);
        if path.contains('{') || path.ends_with(".csv") {
            continue; // pages of objects this scenario has none of; the export has no forms
        }
        let res = app.get(&path).await;
        if res.status() != 200 {
            continue;
        }
        let html = res.text().await.unwrap();
        pages += 1;
        for action in post_actions(&html) {
            let path_only = action.split('?').next().unwrap();
            if let Some(r) = rule_for(&actix_web::http::Method::POST, path_only) {
                assert_eq!(r.need, Need::Viewer, "{path} shows a viewer the form {action}");
            }
        }
    }
    assert!(pages >= 15, "{pages} pages looked at");
    // The same look as the owner finds their change buttons (the check can fail).
    let owner = client();
    let login = get_with(&owner, &app.url("/console/login")).await.1;
    let form = [
        ("csrf_token", csrf_in(&login)),
        ("email", OWNER_EMAIL.to_owned()),
        ("password", OWNER_PASSWORD.to_owned()),
    ];
    assert_eq!(
        owner.post(app.url("/console/login")).form(&form).send().await.unwrap().status(),
        303
    );
    let html = get_with(&owner, &app.url(&format!("/console/users/{customer}"))).await.1;
    let managed = post_actions(&html)
        .iter()
        .filter_map(|a| rule_for(&actix_web::http::Method::POST, a.split('?').next().unwrap()))
        .filter(|r| r.need == Need::Manager)
        .count();
    assert!(managed >= 3, "the owner's customer page has {managed} change forms");
}
