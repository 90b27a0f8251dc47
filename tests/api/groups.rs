//! Manage > Groups: names, memberships from both sides, rename, delete with confirmation,
//! search-and-add, escaping, and who may do what.

use crate::helpers::*;
use roster::domain::account::Status;

const GROUPS: &str = "/console/groups";

impl TestApp {
    async fn create_group(&self, name: &str) -> reqwest::Response {
        let token = self.csrf("/console/groups/new").await;
        self.post_form("/console/groups/new", &[("csrf_token", &token), ("name", name)]).await
    }

    async fn group_id(&self, name: &str) -> String {
        let name = name.to_owned();
        self.db
            .run(move |c| {
                use diesel::prelude::*;
                use roster::db::schema::groups;
                Ok(groups::table
                    .filter(groups::name.eq(name))
                    .select(groups::public_id)
                    .first::<roster::db::ids::PublicId>(c)?
                    .to_string())
            })
            .await
            .unwrap()
    }

    /// (the group's kept count, its real memberships); the kept one is -1 when the group is gone.
    async fn member_count(&self, id: &str) -> (i32, i64) {
        let id = id.to_owned();
        self.db
            .run(move |c| {
                use diesel::prelude::*;
                use roster::db::schema::group_members;
                let Some(group) = roster::db::groups::find(c, &id)? else {
                    return Ok((-1, 0));
                };
                let real: i64 = group_members::table
                    .filter(group_members::group_id.eq(group.id))
                    .count()
                    .get_result(c)?;
                let kept = group.member_count;
                Ok((kept, real))
            })
            .await
            .unwrap()
    }
}

#[actix_web::test]
async fn group_names_are_checked_and_unique_regardless_of_case() {
    let app = signed_in_app().await;
    let cases = [
        ("ab", "3 to 30 characters"),
        ("two words", "cannot contain spaces"),
        (&"x".repeat(31) as &str, "3 to 30 characters"),
    ];
    for (name, message) in cases {
        let res = app.create_group(name).await;
        assert_eq!(res.status(), 422, "{name:?}");
        assert!(res.text().await.unwrap().contains(message), "{name:?}");
    }
    let res = app.create_group("vip").await;
    assert_eq!(res.status(), 303);
    let res = app.create_group("VIP").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("A group with this name already exists."));
    let (status, list) = app.get_text(GROUPS).await;
    assert_eq!(status, 200);
    assert_eq!(list.matches("<strong>vip</strong>").count(), 1);
    assert!(app.audit_actions().await.iter().any(|a| a == "group.created"));
}

#[actix_web::test]
async fn memberships_are_added_and_removed_from_both_sides_and_counted() {
    let app = signed_in_app().await;
    app.create_group("gold").await;
    let group = app.group_id("gold").await;
    let ids = app
        .insert_customers(vec![customer("ann@example.com", "Ann", "Archer", Status::Active)])
        .await;
    let (customer_id, group_page) = (&ids[0], format!("{GROUPS}/{group}"));
    let customer_page = format!("/console/users/{customer_id}");

    // From the group's page.
    let res = app
        .post_on(&group_page, &format!("{group_page}/members"), &[("account_id", customer_id)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.member_count(&group).await, (1, 1));
    let (_, page) = app.get_text(&group_page).await;
    assert!(page.contains("ann@example.com") && page.contains("1 member "), "{page}");
    let (_, page) = app.get_text(&format!("{customer_page}/groups")).await;
    assert!(page.contains("<span class=\"tag-name\">gold</span>"));
    // Adding twice changes nothing.
    app.post_on(&group_page, &format!("{group_page}/members"), &[("account_id", customer_id)])
        .await;
    assert_eq!(app.member_count(&group).await, (1, 1));

    // From the customer's page.
    let res =
        app.post_on(&customer_page, &format!("{customer_page}/groups/{group}/remove"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.member_count(&group).await, (0, 0));
    let res = app
        .post_on(&customer_page, &format!("{customer_page}/groups"), &[("group_id", &group)])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.member_count(&group).await, (1, 1));
    let res =
        app.post_on(&group_page, &format!("{group_page}/members/{customer_id}/remove"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.member_count(&group).await, (0, 0));

    let actions = app.audit_actions().await;
    assert_eq!(actions.iter().filter(|a| *a == "group.member_added").count(), 2);
    assert_eq!(actions.iter().filter(|a| *a == "group.member_removed").count(), 2);
    // Unknown ids are 404s, not errors.
    let res = app
        .post_on(&group_page, &format!("{group_page}/members"), &[("account_id", "nobody")])
        .await;
    assert_eq!(res.status(), 404);
}

#[actix_web::test]
async fn the_add_search_finds_customers_by_prefix_and_marks_members() {
    let app = signed_in_app().await;
    app.create_group("search-me").await;
    let group = app.group_id("search-me").await;
    let ids = app
        .insert_customers(vec![
            customer("zed@example.com", "Zed", "Zulu", Status::Active),
            customer("zoe@example.com", "Zoe", "Zimmer", Status::Active),
            customer("amy@example.com", "Amy", "Adams", Status::Active),
        ])
        .await;
    let page = format!("{GROUPS}/{group}");
    app.post_on(&page, &format!("{page}/members"), &[("account_id", &ids[0])]).await;
    let (_, found) = app.get_text(&format!("{page}?q=z")).await;
    let candidates =
        &found[found.find("id=\"candidates\"").unwrap()..found.find("<h2>Members</h2>").unwrap()];
    assert!(candidates.contains("zed@example.com") && candidates.contains("zoe@example.com"));
    assert!(!candidates.contains("amy@example.com"));
    assert_eq!(candidates.matches("badge active\">Member").count(), 1, "zed is already in");
    assert_eq!(candidates.matches(">Add</button>").count(), 1);
}

#[actix_web::test]
async fn rename_checks_the_name_and_records_before_and_after() {
    let app = signed_in_app().await;
    app.create_group("silver").await;
    app.create_group("bronze").await;
    let group = app.group_id("silver").await;
    let page = format!("{GROUPS}/{group}");
    let res = app.post_on(&page, &format!("{page}/rename"), &[("name", "Bronze")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("already exists"));
    let (_, users) = app.get_text("/console/users").await;
    assert!(users.contains(&format!("<option value=\"{group}\">silver</option>")), "the filter");
    let res = app.post_on(&page, &format!("{page}/rename"), &[("name", "platinum")]).await;
    assert_eq!(res.status(), 303);
    let (_, users) = app.get_text("/console/users").await;
    assert!(
        users.contains(&format!("<option value=\"{group}\">platinum</option>")),
        "the filter shows a rename at once"
    );
    let (_, list) = app.get_text(GROUPS).await;
    assert!(list.contains("platinum") && !list.contains(">silver<"));
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 5)?)).await.unwrap();
    let renamed = events.iter().find(|e| e.action == "group.renamed").expect("renamed");
    assert!(
        renamed.details.contains("\"before\":\"silver\"")
            && renamed.details.contains("\"after\":\"platinum\"")
    );
}

#[actix_web::test]
async fn delete_needs_the_box_ticked_and_keeps_the_customers() {
    let app = signed_in_app().await;
    app.create_group("doomed").await;
    let group = app.group_id("doomed").await;
    let ids = app
        .insert_customers(vec![customer("stay@example.com", "Stay", "Here", Status::Active)])
        .await;
    let page = format!("{GROUPS}/{group}");
    app.post_on(&page, &format!("{page}/members"), &[("account_id", &ids[0])]).await;

    let res = app.post_on(&page, &format!("{page}/delete"), &[]).await;
    assert_eq!(res.status(), 422, "refused without the box ticked");
    assert!(res.text().await.unwrap().contains("Tick the box to confirm"));
    assert_eq!(app.get(&page).await.status(), 200, "not deleted without the box");
    let res = app.post_on(&page, &format!("{page}/delete"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.get(&page).await.status(), 404);
    assert_eq!(app.member_count(&group).await, (-1, 0), "memberships went with it");
    assert_eq!(app.count_customers().await, 1);
    let (_, list) = app.get_text(GROUPS).await;
    assert!(list.contains("Group doomed was deleted"));
}

#[actix_web::test]
async fn group_names_are_escaped_everywhere() {
    let app = signed_in_app().await;
    assert_eq!(app.create_group("<script>x").await.status(), 303);
    let group = app.group_id("<script>x").await;
    let ids =
        app.insert_customers(vec![customer("esc@example.com", "E", "S", Status::Active)]).await;
    let page = format!("{GROUPS}/{group}");
    app.post_on(&page, &format!("{page}/members"), &[("account_id", &ids[0])]).await;
    for path in [GROUPS.to_owned(), page.clone(), format!("/console/users/{}/groups", ids[0])] {
        let (_, html) = app.get_text(&path).await;
        assert!(!html.contains("<script>x"), "{path}");
        assert!(html.contains("&#60;script&#62;x"), "{path}");
    }
}

#[actix_web::test]
async fn viewers_see_groups_but_change_nothing_and_every_change_needs_the_csrf_token() {
    let app = signed_in_app().await;
    app.create_group("locked-in").await;
    let group = app.group_id("locked-in").await;
    let page = format!("{GROUPS}/{group}");
    // No CSRF token: refused.
    for path in [format!("{page}/rename"), format!("{page}/delete"), "/console/groups/new".into()] {
        let res = app.post_form(&path, &[("name", "other-name")]).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    let viewer = viewer_app().await;
    let (status, list) = viewer.get_text(GROUPS).await;
    assert_eq!(status, 200);
    assert!(!list.contains("New Group"));
    assert_eq!(viewer.get("/console/groups/new").await.status(), 403);
    let token = csrf_in(&list);
    let res = viewer
        .post_form("/console/groups/new", &[("csrf_token", &token), ("name", "sneaky")])
        .await;
    assert_eq!(res.status(), 403);
    // Anonymous: to the sign-in page.
    let anonymous = spawn_app().await;
    let res = anonymous.get(GROUPS).await;
    assert_eq!(header(res.headers(), "location").split('?').next(), Some("/console/login"));
}

#[actix_web::test]
async fn a_groups_members_show_the_status_the_users_list_shows() {
    let app = signed_in_app().await;
    let temporary = "temporary pass 9911";
    let fields = [
        ("email", "alan@example.com"),
        ("first_name", "Alan"),
        ("last_name", "Turing"),
        ("method", "temporary"),
        ("delivery", "email"),
        ("password", temporary),
    ];
    assert_eq!(app.new_customer(&fields).await.0, 200);
    let alan = app.customer_by_email("alan@example.com").await;
    app.create_group("Pilots").await;
    let page = format!("{GROUPS}/{}", app.group_id("Pilots").await);
    app.post_on(&page, &format!("{page}/members"), &[("account_id", &alan.public_id.to_string())])
        .await;
    let (status, html) = app.get_text(&page).await;
    assert_eq!(status, 200);
    assert!(html.contains("Temporary password"), "not plainly Active: {html}");
    assert!(html.contains("to be replaced at next sign-in"), "{html}");
}
