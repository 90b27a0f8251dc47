//! The Profile tab with custom attributes: rendering and validation by type, pattern, required
//! and uniqueness; read-only attributes; only changes saved.

use crate::helpers::*;
use roster::db::audit::Actor;
use roster::domain::account::Status;
use roster::domain::attribute::{AttributeInput, Grid};

/// Defines an attribute shown (and perhaps required or read-only) in the console.
async fn define(
    app: &TestApp,
    name: &str,
    data_type: &str,
    extra: impl FnOnce(&mut AttributeInput),
) {
    let mut input = AttributeInput {
        name: name.into(),
        display_name: name.replace('_', " "),
        data_type: data_type.into(),
        display_order: "50".into(),
        grid: Grid { console: [true, false, false], ..Grid::default() },
        ..AttributeInput::default()
    };
    extra(&mut input);
    roster::accounts::attributes::create(&app.db, Actor::system("test"), input)
        .await
        .unwrap_or_else(|_| panic!("{name} is a valid definition"));
}

async fn one_customer(app: &TestApp, email: &str) -> String {
    app.insert_customers(vec![customer(email, "Pat", "Doe", Status::Active)]).await.remove(0)
}

/// Posts the Profile form with the names kept and these attribute fields.
async fn update(app: &TestApp, id: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = format!("/console/users/{id}");
    let token = app.csrf(&page).await;
    let mut form =
        vec![("csrf_token", token.as_str()), ("first_name", "Pat"), ("last_name", "Doe")];
    form.extend(fields.iter().copied());
    app.post_form(&page, &form).await
}

#[actix_web::test]
async fn each_data_type_is_rendered_as_its_own_input() {
    let app = signed_in_app().await;
    define(&app, "shoe_size", "number", |_| {}).await;
    define(&app, "newsletter", "boolean", |_| {}).await;
    define(&app, "tier", "options", |i| i.options = "gold|Gold\nsilver|Silver".into()).await;
    define(&app, "work_email", "email", |_| {}).await;
    define(&app, "homepage", "url", |_| {}).await;
    define(&app, "nickname", "text", |_| {}).await;
    let id = one_customer(&app, "types@example.com").await;
    let (_, page) = app.get_text(&format!("/console/users/{id}")).await;
    for needle in [
        r#"id="attr_shoe_size" type="number""#,
        r#"type="checkbox" id="attr_newsletter""#,
        r#"<select id="attr_tier""#,
        r#"<option value="gold">Gold</option>"#,
        r#"id="attr_work_email" type="email""#,
        r#"id="attr_homepage" type="url""#,
        r#"id="attr_nickname" type="text""#,
        r#"id="attr_mobile_number" type="tel""#,
        r#"id="attr_birth_date" type="date""#,
    ] {
        assert!(page.contains(needle), "{needle}");
    }
}

#[actix_web::test]
async fn values_are_checked_by_type_pattern_and_required_and_nothing_bad_is_saved() {
    let app = signed_in_app().await;
    define(&app, "shoe_size", "number", |_| {}).await;
    define(&app, "member_code", "text", |i| {
        i.regex = "^[A-Z]{2}[0-9]{4}$".into();
        i.grid.console = [true, true, false];
    })
    .await;
    let id = one_customer(&app, "rules@example.com").await;
    // (form fields, the field the message belongs to, the message)
    type Case = (Vec<(&'static str, &'static str)>, &'static str, &'static str);
    let cases: Vec<Case> = vec![
        (
            vec![("attr_member_code", "AB1234"), ("attr_shoe_size", "big")],
            "attr_shoe_size",
            "Enter a number",
        ),
        (
            vec![("attr_member_code", "ab1234")],
            "attr_member_code",
            "member code is not in the expected form.",
        ),
        (vec![("attr_member_code", "")], "attr_member_code", "member code is required."),
        (
            vec![("attr_member_code", "AB1234"), ("attr_birth_date", "2026-02-30")],
            "attr_birth_date",
            "YYYY-MM-DD",
        ),
        (
            vec![("attr_member_code", "AB1234"), ("attr_mobile_number", "call me")],
            "attr_mobile_number",
            "phone number",
        ),
    ];
    for (fields, field, message) in cases {
        let res = update(&app, &id, &fields).await;
        assert_eq!(res.status(), 422, "{fields:?}");
        let body = unescape(&res.text().await.unwrap());
        assert!(body.contains(message), "{message} for {fields:?}");
        // The message is the field's own (its control points at it), not only in the summary.
        let own = body.find(&format!("id=\"{field}-error\"")).expect("a message by the field");
        assert!(body[own..].find(message).unwrap() < 200, "{message} by {field}");
        assert!(
            body.contains(&format!("aria-describedby=\"{field}-hint {field}-error\""))
                || body.contains(&format!("aria-describedby=\" {field}-error\"")),
            "{field} points at it"
        );
    }
    assert_eq!(app.attribute_value(&id, "member_code").await, None, "nothing saved");
    let res =
        update(&app, &id, &[("attr_member_code", "AB1234"), ("attr_shoe_size", "42.5")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.attribute_value(&id, "shoe_size").await.as_deref(), Some("42.5"));
}

#[actix_web::test]
async fn a_unique_attribute_refuses_a_second_customer_with_the_same_value() {
    let app = signed_in_app().await;
    define(&app, "passport", "text", |i| i.unique = true).await;
    let first = one_customer(&app, "one@example.com").await;
    let second = one_customer(&app, "two@example.com").await;
    assert_eq!(update(&app, &first, &[("attr_passport", "X123")]).await.status(), 303);
    let res = update(&app, &second, &[("attr_passport", "x123")]).await;
    assert_eq!(res.status(), 422, "case does not make it different");
    assert!(res.text().await.unwrap().contains("Another customer already has this passport."));
    assert_eq!(app.attribute_value(&second, "passport").await, None);
    assert_eq!(
        update(&app, &first, &[("attr_passport", "X123")]).await.status(),
        303,
        "its own value is fine"
    );
}

#[actix_web::test]
async fn a_read_only_attribute_is_shown_and_cannot_be_changed_even_by_a_crafted_post() {
    let app = signed_in_app().await;
    define(&app, "external_id", "text", |i| i.grid.console = [true, false, true]).await;
    let id = one_customer(&app, "ro@example.com").await;
    let (_, page) = app.get_text(&format!("/console/users/{id}")).await;
    assert!(page.contains("external id") && page.contains("(read-only)"));
    assert!(!page.contains("name=\"attr_external_id\""), "no input for it");
    let res = update(&app, &id, &[("attr_external_id", "forged")]).await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.attribute_value(&id, "external_id").await, None);
    for forged in [("status", "active"), ("role", "owner"), ("attr_no_such", "x")] {
        assert_eq!(update(&app, &id, &[forged]).await.status(), 400, "{forged:?}");
    }
}

#[actix_web::test]
async fn update_saves_attribute_changes_only_and_records_them() {
    let app = signed_in_app().await;
    define(&app, "newsletter", "boolean", |_| {}).await;
    let id = one_customer(&app, "save@example.com").await;
    let before = app.customer_by_email("save@example.com").await.updated_at;
    // An unticked checkbox that was never set, and empty fields: nothing to save.
    let res = update(&app, &id, &[]).await;
    assert_eq!(res.status(), 303);
    assert!(app.get_text(&format!("/console/users/{id}")).await.1.contains("Nothing changed."));
    let res =
        update(&app, &id, &[("attr_mobile_number", "+44 20 7946 0958"), ("attr_newsletter", "on")])
            .await;
    assert_eq!(res.status(), 303);
    let (_, page) = app.get_text(&format!("/console/users/{id}")).await;
    assert!(page.contains("Saved: Mobile number, newsletter."), "{page}");
    assert!(page.contains(r#"value="+44 20 7946 0958""#));
    assert!(app.customer_by_email("save@example.com").await.updated_at > before, "modified moves");
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 3)?)).await.unwrap();
    let e = events.iter().find(|e| e.action == "customer.updated").unwrap();
    assert!(
        e.details.contains(r#""mobile_number":{"after":"+44 20 7946 0958","before":null}"#),
        "{}",
        e.details
    );
    // Clearing a value removes it.
    let res = update(&app, &id, &[("attr_mobile_number", ""), ("attr_newsletter", "on")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.attribute_value(&id, "mobile_number").await, None);
}

#[actix_web::test]
async fn attribute_values_are_escaped() {
    let app = signed_in_app().await;
    let id = one_customer(&app, "esc@example.com").await;
    assert_eq!(
        update(&app, &id, &[("attr_country", "<script>alert(1)</script>")]).await.status(),
        303
    );
    let (_, page) = app.get_text(&format!("/console/users/{id}")).await;
    assert!(!page.contains("<script>alert(1)"));
    assert!(page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
}

#[actix_web::test]
async fn the_wizard_asks_for_console_required_attributes_and_saves_them() {
    let app = signed_in_app().await;
    define(&app, "member_code", "text", |i| {
        i.regex = "^[A-Z]{2}[0-9]{4}$".into();
        i.grid.console = [true, true, false];
        i.unique = true;
    })
    .await;
    let (_, page) = app.get_text(WIZARD).await;
    assert!(page.contains(r#"id="attr_member_code""#), "step 1 shows the required attribute");
    assert!(!page.contains(r#"id="attr_mobile_number""#), "not the optional ones");
    let base = [
        ("first_name", "Wiz"),
        ("last_name", "Ard"),
        ("method", "invite"),
        ("delivery", "offline"),
        ("password", ""),
    ];
    let with = |email: &'static str, code: &'static str| {
        let mut f: Vec<(&str, &str)> = base.to_vec();
        f.push(("email", email));
        f.push(("attr_member_code", code));
        f
    };
    let (status, page) = app.new_customer(&with("wiz@example.com", "")).await;
    assert_eq!(status, 422);
    assert!(page.contains("member code is required."));
    let (status, _) = app.new_customer(&with("wiz@example.com", "bad")).await;
    assert_eq!(status, 422);
    assert_eq!(app.count_customers().await, 0);
    let (status, _) = app.new_customer(&with("wiz@example.com", "AB1234")).await;
    assert_eq!(status, 200);
    let id = app.customer_by_email("wiz@example.com").await.public_id.to_string();
    assert_eq!(app.attribute_value(&id, "member_code").await.as_deref(), Some("AB1234"));
    let (status, page) = app.new_customer(&with("wiz2@example.com", "AB1234")).await;
    assert_eq!(status, 422, "unique across customers");
    assert!(page.contains("Another customer already has this member code."));
    // A read-only or optional attribute cannot ride along in a crafted wizard POST.
    let mut forged = with("wiz3@example.com", "CD5678");
    forged.push(("attr_mobile_number", "+1 555 0100"));
    let (status, _) = app.new_customer(&forged).await;
    assert_eq!(status, 400);
}
