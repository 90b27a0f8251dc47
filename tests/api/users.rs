use std::collections::HashSet;

use chrono::Duration;
use roster::db::now;
use roster::domain::account::Status;
use roster::domain::clock::At;

use crate::helpers::*;

/// 60 customers, added in this order; created times come in groups of 4 equal values, and a
/// third never signed in (NULL last sign-in, which sorts as the oldest).
async fn sixty_customers(app: &TestApp) -> Vec<(String, String, At, Option<At>)> {
    let base = now() - Duration::days(100);
    let emails: Vec<String> =
        (0..60).map(|i| format!("user{:02}.{}@example.com", (i * 37) % 60, i)).collect();
    let rows: Vec<_> = (0..60)
        .map(|i| {
            let created = base + Duration::hours(i / 4);
            let signed = (i % 3 != 0).then(|| base + Duration::days(50) + Duration::hours(i % 7));
            (emails[i as usize].clone(), created, signed)
        })
        .collect();
    let ids = app
        .insert_customers(
            rows.iter()
                .map(|(e, c, s)| Customer {
                    email: e,
                    first: "Same",
                    last: "Name",
                    status: Status::Active,
                    created_at: *c,
                    last_sign_in_at: *s,
                })
                .collect(),
        )
        .await;
    ids.into_iter().zip(rows).map(|(id, (e, c, s))| (id, e, c, s)).collect()
}

/// Follows Next from `start` to the end; returns the ids in order and the last page's HTML.
async fn walk_forward(app: &TestApp, start: &str) -> (Vec<String>, String) {
    let (status, mut html) = app.get_text(start).await;
    assert_eq!(status, 200, "{start}");
    let mut ids = listed_ids(&html);
    let mut pages = 1;
    while let Some(next) = rel_link(&html, "next") {
        html = app.get_text(&next).await.1;
        ids.extend(listed_ids(&html));
        pages += 1;
        assert!(pages < 100, "the walk ends");
    }
    (ids, html)
}

async fn walk_backward(app: &TestApp, mut html: String) -> Vec<String> {
    let mut pages = vec![listed_ids(&html)];
    while let Some(prev) = rel_link(&html, "prev") {
        html = app.get_text(&prev).await.1;
        pages.push(listed_ids(&html));
        assert!(pages.len() < 100);
    }
    pages.into_iter().rev().flatten().collect()
}

#[actix_web::test]
async fn paging_loses_and_repeats_no_row_in_every_sort_and_direction() {
    let app = signed_in_app().await;
    let customers = sixty_customers(&app).await;
    // "Created" is the order customers were added in, whatever their times say.
    let added = |c: &(String, String, At, Option<At>)| customers.iter().position(|x| x == c);
    let key = |c: &(String, String, At, Option<At>), sort: &str| -> String {
        match sort {
            "created" => format!("{:03}", added(c).unwrap_or_default()),
            "last_sign_in" => {
                c.3.map(|t| t.format("%Y-%m-%d %H:%M:%S%.f").to_string()).unwrap_or_default()
            }
            _ => c.1.clone(),
        }
    };
    for sort in ["created", "last_sign_in", "email"] {
        for dir in ["desc", "asc"] {
            let mut expected = customers.clone();
            expected.sort_by(|a, b| (key(a, sort), &a.0).cmp(&(key(b, sort), &b.0)));
            if dir == "desc" {
                expected.reverse();
            }
            let expected: Vec<String> = expected.into_iter().map(|c| c.0).collect();

            let start = format!("/console/users?sort={sort}&dir={dir}&per_page=7");
            let (ids, last_page) = walk_forward(&app, &start).await;
            assert_eq!(ids.len(), 60, "{sort} {dir}: every row once");
            assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 60, "{sort} {dir}: no repeats");
            assert_eq!(ids, expected, "{sort} {dir}: in order, ties broken by id");
            let back = walk_backward(&app, last_page).await;
            assert_eq!(back, expected, "{sort} {dir}: Previous walks back the same rows");
        }
    }
}

/// A search's few matches page forwards and back in the default order (the page's rows are
/// picked from the collected matches before any row is read).
#[actix_web::test]
async fn a_search_with_few_matches_pages_both_ways_newest_first() {
    let app = signed_in_app().await;
    let customers = sixty_customers(&app).await;
    let expected: Vec<String> =
        customers.iter().rev().filter(|c| c.1.starts_with("user1")).map(|c| c.0.clone()).collect();
    assert_eq!(expected.len(), 10);
    let (ids, last_page) = walk_forward(&app, "/console/users?q=user1&per_page=3").await;
    assert_eq!(ids, expected);
    assert_eq!(walk_backward(&app, last_page).await, expected);
}

/// "Next" still follows on when the last customer shown was deleted meanwhile: the cursor names
/// its row by public id, and its place is then found by its creation time.
#[actix_web::test]
async fn paging_goes_on_after_the_customer_the_page_ended_on_is_deleted() {
    let app = signed_in_app().await;
    let base = now() - Duration::days(10);
    let emails: Vec<String> = (0..30).map(|i| format!("c{i}@example.com")).collect();
    let customers = emails
        .iter()
        .enumerate()
        .map(|(i, e)| Customer {
            created_at: base + Duration::minutes(i as i64),
            ..customer(e, "Some", "One", Status::Active)
        })
        .collect();
    let ids = app.insert_customers(customers).await;
    let newest_first: Vec<String> = ids.into_iter().rev().collect();
    let (_, first) = app.get_text("/console/users?per_page=10").await;
    assert_eq!(listed_ids(&first), newest_first[..10]);
    let next = rel_link(&first, "next").expect("a next page");
    let gone = newest_first[9].clone();
    app.db
        .run(move |c| {
            use diesel::prelude::*;
            use roster::db::schema::accounts;
            diesel::delete(accounts::table.find(account_key(c, &gone))).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, second) = app.get_text(&next).await;
    assert_eq!(status, 200);
    assert_eq!(listed_ids(&second), newest_first[10..20]);
}

#[actix_web::test]
async fn the_list_is_newest_first_in_pages_of_25_and_says_how_many() {
    let app = signed_in_app().await;
    let customers = sixty_customers(&app).await;
    let (status, html) = app.get_text("/console/users").await;
    assert_eq!(status, 200);
    let ids = listed_ids(&html);
    assert_eq!(ids.len(), 25);
    let newest = customers.last().unwrap();
    assert_eq!(ids[0], newest.0);
    assert!(html.contains("60 customers"));
    assert!(rel_link(&html, "prev").is_none(), "the first page has no Previous");
    assert!(html.contains("Email (Username)") && html.contains("Last sign-in"));
    let (_, html) = app.get_text("/console/users?per_page=500").await;
    assert_eq!(listed_ids(&html).len(), 60, "pages are capped at 100");
}

#[actix_web::test]
async fn search_matches_any_part_of_the_email_or_the_name_in_any_case() {
    let app = signed_in_app().await;
    let c = |email, first, last| customer(email, first, last, Status::Active);
    let ids = app
        .insert_customers(vec![
            c("john.smith@example.com", "John", "Smith"),
            c("jane@example.com", "Smilla", "Jansen"),
            c("smithers@example.com", "Waylon", "Burns"),
            c("x@example.com", "Ann", "Goldsmith"),
            c("ann@example.com", "Ann", "Lee"),
            c("zoe@example.com", "Zoë", "Ørsted"),
        ])
        .await;
    let found = |html: &str| listed_ids(html).into_iter().collect::<HashSet<_>>();
    let (_, html) = app.get_text("/console/users?q=SMI").await;
    assert_eq!(
        found(&html),
        HashSet::from([ids[0].clone(), ids[1].clone(), ids[2].clone(), ids[3].clone()]),
        "an email or a name containing it (Goldsmith too)"
    );
    assert!(html.contains("4 matching customers"));
    let (_, html) = app.get_text("/console/users?q=olds").await;
    assert_eq!(found(&html), HashSet::from([ids[3].clone()]), "the middle of a name");
    let (_, html) = app.get_text("/console/users?q=Ann+L").await;
    assert_eq!(found(&html), HashSet::from([ids[4].clone()]), "the start of a full name");
    let (_, html) = app.get_text("/console/users?q=nn+lee").await;
    assert!(found(&html).is_empty(), "a full name is matched from its start");
    let (_, html) = app.get_text("/console/users?q=lee+ann").await;
    assert!(found(&html).is_empty(), "a full name is first name, then last name");
    let (_, html) = app.get_text("/console/users?q=Sm").await;
    assert_eq!(
        found(&html),
        HashSet::from([ids[0].clone(), ids[1].clone(), ids[2].clone()]),
        "two letters: a prefix of the email, first or last name"
    );
    let (_, html) = app.get_text("/console/users?q=th%40EXA").await;
    assert_eq!(found(&html), HashSet::from([ids[0].clone()]), "the middle of an email");
    let (_, html) = app.get_text("/console/users?q=%C3%B8rs").await;
    assert_eq!(found(&html), HashSet::from([ids[5].clone()]), "non-ASCII, any case");
    let (_, html) = app.get_text("/console/users?q=ann%40").await;
    assert_eq!(found(&html), HashSet::from([ids[4].clone()]));
    let (_, html) = app.get_text("/console/users?q=nobody").await;
    assert!(found(&html).is_empty());
    assert!(unescape(&html).contains("No customers match \"nobody\" in email addresses or names"));
}

#[actix_web::test]
async fn the_status_filter_shows_only_that_status() {
    let app = signed_in_app().await;
    let ids = app
        .insert_customers(vec![
            customer("a@example.com", "A", "A", Status::Active),
            customer("l@example.com", "L", "L", Status::Locked),
        ])
        .await;
    let (_, html) = app.get_text("/console/users?status=locked").await;
    assert_eq!(listed_ids(&html), vec![ids[1].clone()]);
    assert!(html.contains("badge locked"));
}

#[actix_web::test]
async fn htmx_gets_only_the_results_fragment() {
    let app = signed_in_app().await;
    sixty_customers(&app).await;
    let res = app
        .client
        .get(app.url("/console/users?q=user0"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.trim_start().starts_with("<section id=\"results\""));
    assert!(!html.contains("<html"));
    assert_eq!(listed_ids(&html).len(), 10, "user00..user09 prefixes");
}

#[actix_web::test]
async fn a_customer_named_like_a_script_is_shown_as_text() {
    let app = signed_in_app().await;
    let ids = app
        .insert_customers(vec![customer(
            "xss@example.com",
            "<script>alert(1)</script>",
            "\"><img src=x onerror=alert(2)>",
            Status::Active,
        )])
        .await;
    for path in [
        "/console/users".to_owned(),
        format!("/console/users/{}", ids[0]),
        "/console/users?q=%3Cscript".to_owned(),
    ] {
        let (status, html) = app.get_text(&path).await;
        assert_eq!(status, 200);
        // The raw markup never appears; once entities are decoded, the text is all there.
        assert!(!html.contains("<script>alert(1)"), "{path}");
        assert!(!html.contains("<img src=x"), "{path}");
        assert!(!html.contains("\"><img"), "{path}");
        assert!(unescape(&html).contains("<script>alert(1)</script>"), "{path}");
    }
}

#[actix_web::test]
async fn a_customer_page_shows_the_summary_and_other_ids_are_404() {
    let app = signed_in_app().await;
    let ids = app
        .insert_customers(vec![customer(
            "ruth@example.com",
            "Ruth",
            "Ellis",
            Status::PendingPassword,
        )])
        .await;
    let (status, html) = app.get_text(&format!("/console/users/{}", ids[0])).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("ruth@example.com")
            && html.contains("Pending password")
            && html.contains(&ids[0])
    );
    assert_eq!(app.get("/console/users/00000000-0000-0000-0000-000000000000").await.status(), 404);
    // An administrator is not a customer: no customer page for them.
    let admin = app
        .insert_account(
            roster::domain::account::Kind::Administrator,
            Some(roster::domain::account::Role::Viewer),
            "v@example.com",
            Status::Active,
            None,
        )
        .await;
    assert_eq!(app.get(&format!("/console/users/{admin}")).await.status(), 404);
}

#[actix_web::test]
async fn every_search_plan_returns_the_same_rows_in_the_same_order() {
    use roster::db::customer_list::{ListQuery, SortField};
    use roster::db::customer_search;
    let app = signed_in_app().await;
    sixty_customers(&app).await;
    // A two-letter prefix; a start, a middle of the email; a middle of the name; parts of
    // "first last" from its start; not its middle, nor "last first".
    for (term, matches) in [
        ("us", 60),
        ("user1", 10),
        ("1@exa", 6),
        ("ame", 60),
        ("same na", 60),
        ("ame na", 0),
        ("name same", 0),
    ] {
        let term_owned = term.to_owned();
        let collected = app
            .db
            .run(move |c| Ok(customer_search::matching_ids(c, &term_owned, 1_000)?))
            .await
            .unwrap();
        for sort in [SortField::Created, SortField::LastSignIn, SortField::Email] {
            for descending in [true, false] {
                let base = ListQuery { sort, descending, ..search_query(term) };
                // Walking the order, testing each row.
                let walk = all_pages(&app, ListQuery { dense_search: true, ..base.clone() });
                let walk = walk.await.unwrap();
                assert_eq!(walk.len(), matches, "{term}");
                let mut plans = vec![("stream", ListQuery { stream: true, ..base.clone() })];
                if customer_search::is_substring(term) {
                    let matches = Some(collected.clone());
                    plans.push(("collected", ListQuery { matches, ..base.clone() }));
                } else {
                    plans.push(("prefix indexes", base.clone()));
                }
                for (plan, q) in plans {
                    let rows = all_pages(&app, q).await.unwrap();
                    assert_eq!(rows, walk, "{plan}: {term} {sort:?} desc={descending}");
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_capped_count_is_exact_below_the_cap_and_the_cap_above_it() {
    use roster::db::customer_list;
    let app = signed_in_app().await;
    let c = |email, first, last| customer(email, first, last, Status::Active);
    app.insert_customers(vec![
        // "ka": three by email (one of them also by last name), two by first name.
        c("kate@example.com", "Ann", "Lee"),
        c("karl@example.com", "Bo", "Lee"),
        c("x1@example.com", "Kai", "Lee"),
        c("x2@example.com", "Kamala", "Lee"),
        c("kappa@example.com", "Zed", "Kane"),
        c("y@example.com", "Other", "Person"),
    ])
    .await;
    let count = |term: &'static str, cap: i64| {
        app.db.run(move |conn| {
            let q = search_query(term);
            Ok(customer_list::count_capped(conn, &q, cap)?)
        })
    };
    assert_eq!(count("ka", 100).await.unwrap(), 5, "exact: the overlap is counted once");
    assert_eq!(count("ka", 5).await.unwrap(), 5);
    assert_eq!(count("ka", 4).await.unwrap(), 4, "no column alone reaches 4; together they do");
    assert_eq!(count("ka", 2).await.unwrap(), 2, "one column alone reaches 2");
    assert_eq!(count("zz", 2).await.unwrap(), 0);
}

/// A first-page search in the default order, to adjust with struct-update syntax.
/// Every row of `q`, walked forward four at a time by keyset cursor.
async fn all_pages(
    app: &TestApp,
    q: roster::db::customer_list::ListQuery,
) -> Result<Vec<String>, roster::error::AppError> {
    use roster::db::customer_list::{self, Cursor, ListQuery};
    app.db
        .run(move |c| {
            let mut all = Vec::new();
            let mut cursor = None;
            loop {
                let page = ListQuery { limit: 4, cursor: cursor.clone(), ..q.clone() };
                let rows = customer_list::page(c, &page)?;
                let Some(last) = rows.last() else { break };
                cursor = Some(Cursor { value: last.sort_value.clone(), id: last.id.to_string() });
                all.extend(rows.iter().map(|r| r.id.to_string()));
            }
            Ok(all)
        })
        .await
}

pub fn search_query(term: &str) -> roster::db::customer_list::ListQuery {
    roster::db::customer_list::ListQuery {
        search: Some(term.into()),
        status: None,
        sort: roster::db::customer_list::SortField::Created,
        descending: true,
        limit: 26,
        cursor: None,
        backwards: false,
        dense_search: false,
        group: None,
        matches: None,
        stream: false,
    }
}

/// Puts every customer whose position (in `ids`) passes `pick` into a new group; returns its
/// public id and key.
async fn group_of(
    app: &TestApp,
    name: &str,
    ids: &[String],
    pick: impl Fn(usize) -> bool,
) -> (String, roster::db::ids::GroupId) {
    let members: Vec<String> =
        ids.iter().enumerate().filter(|(i, _)| pick(*i)).map(|(_, id)| id.clone()).collect();
    app.make_group(name, &members).await
}

#[actix_web::test]
async fn both_group_plans_return_the_same_members_in_the_same_order() {
    use roster::db::customer_list::{GroupFilter, ListQuery, SortField};
    let app = signed_in_app().await;
    let ids: Vec<String> = sixty_customers(&app).await.into_iter().map(|r| r.0).collect();
    let gid = group_of(&app, "thirds", &ids, |i| i % 3 == 0).await;
    for sort in [SortField::Created, SortField::LastSignIn, SortField::Email] {
        for descending in [true, false] {
            for search in [None, Some("user1")] {
                let walk = |sparse: bool| {
                    let q = ListQuery {
                        sort,
                        descending,
                        search: search.map(str::to_owned),
                        group: Some(GroupFilter { id: gid.1, sparse }),
                        ..search_query("")
                    };
                    all_pages(&app, q)
                };
                let sparse = walk(true).await.unwrap();
                let dense = walk(false).await.unwrap();
                assert_eq!(sparse, dense, "{sort:?} desc={descending} search={search:?}");
                let expected = if search.is_some() { 10 / 3 + 1 } else { 20 };
                assert!(
                    sparse.len() >= expected - 1 && sparse.len() <= expected,
                    "{}",
                    sparse.len()
                );
                for id in &sparse {
                    let i = ids.iter().position(|x| x == id).unwrap();
                    assert_eq!(i % 3, 0, "only members");
                }
            }
        }
    }
}

#[actix_web::test]
async fn the_group_filter_lists_only_members_and_every_row_shows_its_groups() {
    let app = signed_in_app().await;
    let ids: Vec<String> = sixty_customers(&app).await.into_iter().map(|r| r.0).collect();
    let evens = group_of(&app, "evens", &ids, |i| i % 2 == 0).await.0;
    group_of(&app, "<b>fives</b>", &ids, |i| i % 5 == 0).await;
    let (status, page) = app.get_text(&format!("/console/users?group={evens}&per_page=100")).await;
    assert_eq!(status, 200);
    assert!(page.contains("30 matching customers"), "the kept count");
    let listed = listed_ids(&page);
    assert_eq!(listed.len(), 30);
    assert!(listed.iter().all(|id| ids.iter().position(|x| x == id).unwrap() % 2 == 0));
    // Rows show their groups, escaped; a customer in both shows both.
    assert!(page.contains("<span class=\"tag\">evens</span>"));
    assert!(page.contains("<span class=\"tag\">&#60;b&#62;fives&#60;/b&#62;</span>"));
    assert!(!page.contains("<b>fives</b>"));
    // The filter keeps through the pages' links and combines with search.
    let (_, page) = app.get_text(&format!("/console/users?group={evens}&per_page=25")).await;
    let next = rel_link(&page, "next").expect("a next page");
    assert!(next.contains(&format!("group={evens}")), "{next}");
    let (_, searched) = app.get_text(&format!("/console/users?group={evens}&q=user1")).await;
    for id in listed_ids(&searched) {
        assert_eq!(ids.iter().position(|x| *x == id).unwrap() % 2, 0);
    }
    let res = app.get("/console/users?group=gone").await;
    assert_eq!(res.status(), 400, "an unknown group is a clear refusal");
}

#[actix_web::test]
async fn update_saves_only_what_changed_says_so_and_moves_the_modified_date() {
    let app = signed_in_app().await;
    let ids = app
        .insert_customers(vec![customer("edit@example.com", "Ada", "Byron", Status::Active)])
        .await;
    let page = format!("/console/users/{}", ids[0]);
    let before = app.customer_by_email("edit@example.com").await;
    let token = app.csrf(&page).await;
    let post = |first: &'static str, last: &'static str| {
        let token = token.clone();
        let page = page.clone();
        let app = &app;
        async move {
            app.post_form(
                &page,
                &[("csrf_token", &token), ("first_name", first), ("last_name", last)],
            )
            .await
        }
    };
    let res = post("Ada", "Lovelace").await;
    assert_eq!(res.status(), 303);
    let (_, shown) = app.get_text(&page).await;
    assert!(shown.contains("Saved: Last Name."), "{shown}");
    let after = app.customer_by_email("edit@example.com").await;
    assert_eq!((after.first_name.as_str(), after.last_name.as_str()), ("Ada", "Lovelace"));
    assert!(after.updated_at > before.updated_at, "the modified date moves");
    let (_, found) = app.get_text("/console/users?q=lovel").await;
    assert_eq!(listed_ids(&found), vec![ids[0].clone()], "search follows the new name");

    let res = post("Ada", "Lovelace").await;
    assert_eq!(res.status(), 303);
    assert!(app.get_text(&page).await.1.contains("Nothing changed."));
    assert_eq!(app.customer_by_email("edit@example.com").await.updated_at, after.updated_at);

    let res = post(" ", "Lovelace").await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("Enter a first name.") && body.contains("Nothing was saved."));
    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 10)?)).await.unwrap();
    let updates: Vec<_> = events.iter().filter(|e| e.action == "customer.updated").collect();
    assert_eq!(updates.len(), 1, "one change, one event");
    assert!(
        updates[0].details.contains(r#""last_name":{"after":"Lovelace","before":"Byron"}"#),
        "{}",
        updates[0].details
    );

    // Fields the form does not have are refused, and nothing changes.
    let res = app
        .post_form(
            &page,
            &[
                ("csrf_token", &token),
                ("first_name", "X"),
                ("last_name", "Y"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(res.status(), 400);
    let res = app
        .post_form(
            &page,
            &[("csrf_token", &token), ("first_name", "X"), ("last_name", "Y"), ("role", "owner")],
        )
        .await;
    assert_eq!(res.status(), 400);
    let res = app.post_form(&page, &[("first_name", "X"), ("last_name", "Y")]).await;
    assert_eq!(res.status(), 403, "no CSRF token");
    assert_eq!(app.customer_by_email("edit@example.com").await.first_name, "Ada");
}
