//! Manage > Attributes: the profile schema's rules, defaults, edits, deletion with values.

use crate::helpers::*;
use roster::domain::account::Status;

const ATTRIBUTES: &str = "/console/attributes";

fn tier() -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", "loyalty_tier"),
        ("display_name", "Loyalty tier"),
        ("data_type", "options"),
        ("options", "gold|Gold\nsilver|Silver"),
        ("display_order", "40"),
        ("console_displayed", "on"),
        ("console_required", "on"),
        ("myaccount_displayed", "on"),
        ("myaccount_read_only", "on"),
    ]
}

impl TestApp {
    async fn post_attribute(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let token = self.csrf(ATTRIBUTES).await;
        let mut form = vec![("csrf_token", token.as_str())];
        form.extend(fields.iter().copied());
        self.post_form(path, &form).await
    }

    async fn attribute(&self, name: &str) -> roster::db::attributes::Attribute {
        let name = name.to_owned();
        self.db
            .run(move |c| Ok(roster::db::attributes::all(c)?.into_iter().find(|a| a.name == name)))
            .await
            .unwrap()
            .expect("the attribute exists")
    }
}

#[actix_web::test]
async fn the_schema_lists_built_ins_and_editable_defaults() {
    let app = signed_in_app().await;
    let (status, page) = app.get_text(ATTRIBUTES).await;
    assert_eq!(status, 200);
    for text in ["Email (Username)", "First Name", "Last Name", "Built in"] {
        assert!(page.contains(text), "{text}");
    }
    for (name, display) in
        [("mobile_number", "Mobile number"), ("country", "Country"), ("birth_date", "Birth date")]
    {
        let a = app.attribute(name).await;
        assert_eq!(a.display_name, display);
        assert!(a.console_displayed && a.myaccount_displayed && !a.console_required);
        assert!(
            page.contains(&format!("/console/attributes/{}", a.public_id)),
            "{name} is editable"
        );
    }
}

#[actix_web::test]
async fn an_attribute_is_created_with_its_choices_and_grid() {
    let app = signed_in_app().await;
    let res = app.post_attribute("/console/attributes/new", &tier()).await;
    assert_eq!(res.status(), 303);
    let a = app.attribute("loyalty_tier").await;
    assert_eq!(a.data_type, "options");
    assert_eq!(a.choices().len(), 2);
    assert!(a.console_required && a.myaccount_read_only && !a.registration_displayed);
    let (_, page) = app.get_text(ATTRIBUTES).await;
    assert!(page.contains("Attribute loyalty_tier was created."));
    assert!(app.audit_actions().await.iter().any(|a| a == "attribute.created"));
}

#[actix_web::test]
async fn the_rules_are_enforced_with_messages_next_to_the_fields() {
    let app = signed_in_app().await;
    let with = |changes: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, &str)> =
            tier().into_iter().filter(|(k, _)| !changes.iter().any(|(c, _)| c == k)).collect();
        f.extend(changes.iter().copied().filter(|(_, v)| !v.is_empty()));
        f
    };
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (with(&[("name", "x")]), "Use 3 to 30 letters, digits or underscores."),
        (with(&[("name", "Mobile_Number")]), "An attribute with this name already exists."),
        (with(&[("name", "first_name")]), "built-in attribute"),
        (with(&[("console_displayed", "")]), "Console: a required attribute must be displayed."),
        (
            with(&[("console_read_only", "on")]),
            "Console: a read-only attribute cannot be required.",
        ),
        (with(&[("options", "")]), "List at least one choice"),
        (with(&[("data_type", "text"), ("regex", "[a-z")]), "This is not a valid pattern"),
        (with(&[("data_type", "boolean"), ("unique", "on")]), "cannot be unique"),
        (with(&[("display_order", "ten")]), "Use a whole number from 0 to 9999."),
    ];
    for (form, message) in cases {
        let res = app.post_attribute("/console/attributes/new", &form).await;
        assert_eq!(res.status(), 422, "{message}");
        let body = unescape(&res.text().await.unwrap());
        assert!(body.contains(message), "{message:?} missing");
        assert!(body.contains("Nothing was saved."));
    }
    let count = app.db.run(|c| Ok(roster::db::attributes::all(c)?.len())).await.unwrap();
    assert_eq!(count, 3, "only the defaults");
    // A field the form does not have is a 400.
    let res =
        app.post_attribute("/console/attributes/new", &with(&[("console_hidden", "on")])).await;
    assert_eq!(res.status(), 400);
}

#[actix_web::test]
async fn edits_keep_the_name_save_only_changes_and_record_them() {
    let app = signed_in_app().await;
    let mobile = app.attribute("mobile_number").await;
    let page = format!("{ATTRIBUTES}/{}", mobile.public_id);
    let res = app
        .post_attribute(
            &page,
            &[
                ("name", "renamed_key"),
                ("display_name", "Mobile phone"),
                ("data_type", "phone"),
                ("display_order", "10"),
                ("description", &mobile.description),
                ("console_displayed", "on"),
                ("myaccount_displayed", "on"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let after = app.attribute("mobile_number").await;
    assert_eq!(after.display_name, "Mobile phone", "the name (key) stays");
    let (_, shown) = app.get_text(&page).await;
    assert!(shown.contains("Saved: Display name."), "{shown}");
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 5)?)).await.unwrap();
    let e = events.iter().find(|e| e.action == "attribute.updated").unwrap();
    assert!(
        e.details.contains(r#""display_name":{"after":"Mobile phone","before":"Mobile number"}"#),
        "{}",
        e.details
    );
}

#[actix_web::test]
async fn deleting_an_attribute_needs_confirmation_and_removes_its_values() {
    let app = signed_in_app().await;
    let country = app.attribute("country").await;
    let ids =
        app.insert_customers(vec![customer("val@example.com", "V", "A", Status::Active)]).await;
    let (attribute, account) = (country.id, ids[0].clone());
    app.db
        .run(move |c| {
            use diesel::prelude::*;
            use roster::db::schema::attribute_values as v;
            diesel::insert_into(v::table)
                .values((
                    v::attribute_id.eq(&attribute),
                    v::account_id.eq(account_key(c, &account)),
                    v::value.eq("Wales"),
                    v::value_key.eq("wales"),
                ))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let page = format!("{ATTRIBUTES}/{}", country.public_id);
    assert!(app.get_text(&page).await.1.contains("1 customer value"));
    let res = app.post_attribute(&format!("{page}/delete"), &[]).await;
    assert_eq!(res.status(), 422, "refused without the box ticked");
    assert!(res.text().await.unwrap().contains("Tick the box to confirm"));
    assert_eq!(app.get(&page).await.status(), 200, "kept without the box ticked");
    let res = app.post_attribute(&format!("{page}/delete"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get(&page).await.status(), 404);
    let id = country.id;
    let left = app.db.run(move |c| Ok(roster::db::attributes::value_count(c, id)?)).await.unwrap();
    assert_eq!(left, 0, "the values went with it");
    assert!(app.get_text(ATTRIBUTES).await.1.contains("with 1 customer value(s)"));
    assert!(app.audit_actions().await.iter().any(|a| a == "attribute.deleted"));
}

#[actix_web::test]
async fn display_names_are_escaped_and_viewers_only_look() {
    let app = signed_in_app().await;
    let mut form = tier();
    form.retain(|(k, _)| *k != "display_name");
    form.push(("display_name", "<script>tier</script>"));
    assert_eq!(app.post_attribute("/console/attributes/new", &form).await.status(), 303);
    let (_, page) = app.get_text(ATTRIBUTES).await;
    assert!(!page.contains("<script>tier") && page.contains("&#60;script&#62;tier"));

    let viewer = viewer_app().await;
    let (status, list) = viewer.get_text(ATTRIBUTES).await;
    assert_eq!(status, 200);
    assert!(!list.contains("New Attribute"));
    assert_eq!(viewer.get("/console/attributes/new").await.status(), 403);
    let res = viewer.post_attribute("/console/attributes/new", &tier()).await;
    assert_eq!(res.status(), 403);
    // Without the CSRF token: refused.
    let res = app.post_form("/console/attributes/new", &tier()).await;
    assert_eq!(res.status(), 403);
}
