//! Finding people in Manage > Users: any part of an email address, a domain, a full name;
//! the position of a page when kept counts know the total; what an empty search looked for; the
//! order in words; and the counts by status kept by triggers, through the console's own forms.

use std::collections::HashSet;

use chrono::Duration;
use roster::db::now;
use roster::domain::account::Status;

use crate::helpers::*;

fn found(html: &str) -> HashSet<String> {
    listed_ids(html).into_iter().collect()
}

fn set(ids: &[&String]) -> HashSet<String> {
    ids.iter().map(|s| (*s).clone()).collect()
}

/// A group of `members`; returns its id.
async fn group_with(app: &TestApp, name: &str, members: &[String]) -> String {
    app.make_group(name, members).await.0
}

#[actix_web::test]
async fn a_search_finds_any_part_of_an_email_a_domain_or_a_full_name_in_any_case() {
    let app = signed_in_app().await;
    let c = |email, first, last, status| customer(email, first, last, status);
    let ids = app
        .insert_customers(vec![
            c("donna.y@acme.example", "Donna", "Yamamoto", Status::Locked),
            c("d.yamamoto@corp.example", "Donald", "Yamamoto", Status::Active),
            c("yamamoto.donna@mail.example", "Yamamoto", "Donna", Status::Active),
            c("ann@acme.example.org", "Ann", "Lee", Status::Active),
            c("acmeexample@post.example", "Bo", "Acme", Status::Active),
            c("dy2@zzz.example", "Donna", "Yamamoto", Status::Active),
        ])
        .await;
    let search = |q: &str| {
        let path = format!("/console/users?q={}", q.replace(' ', "+"));
        let app = &app;
        async move { app.get_text(&path).await }
    };

    // The middle of an email address.
    let (status, html) = search("onna.y").await;
    assert_eq!(status, 200);
    assert_eq!(found(&html), set(&[&ids[0]]), "{html}");
    assert_eq!(found(&search("AMAMOTO@").await.1), set(&[&ids[1]]));
    // A domain, and only where its dots are.
    assert_eq!(found(&search("acme.example").await.1), set(&[&ids[0], &ids[3]]));
    assert_eq!(found(&search("@corp.example").await.1), set(&[&ids[1]]));
    // A full name as "first last", with its space, in any case, as far as it is typed; not the
    // other order, nor a Donald.
    let (_, html) = search("Donna Yamamoto").await;
    assert_eq!(found(&html), set(&[&ids[0], &ids[5]]));
    assert!(html.contains("2 matching customers"), "{html}");
    assert_eq!(found(&search("donna yam").await.1), set(&[&ids[0], &ids[5]]));
    assert_eq!(found(&search("yamamoto donna").await.1), set(&[&ids[2]]));
    // Without a space, any part of a name or an email.
    assert_eq!(found(&search("yamamoto").await.1), set(&[&ids[0], &ids[1], &ids[2], &ids[5]]));
    assert_eq!(found(&search("amamoto").await.1), set(&[&ids[0], &ids[1], &ids[2], &ids[5]]));
    assert_eq!(found(&search("onald").await.1), set(&[&ids[1]]), "the middle of a first name");
    // One or two letters are still a prefix of the email, first or last name.
    assert_eq!(found(&search("ac").await.1), set(&[&ids[4]]), "acmeexample@, Acme");
    assert_eq!(found(&search("ya").await.1), set(&[&ids[0], &ids[1], &ids[2], &ids[5]]));
    // FTS5 query syntax in a term is only text.
    assert!(found(&search("\"donna\" OR x*").await.1).is_empty());
    assert_eq!(search("\"\"\"").await.0, 200);

    // With the status filter, the group filter, and both.
    let (_, html) = search("donna yamamoto&status=locked").await;
    assert_eq!(found(&html), set(&[&ids[0]]));
    assert_eq!(found(&search("donna yamamoto&status=active").await.1), set(&[&ids[5]]));
    let gid = group_with(&app, "partners", &[ids[3].clone(), ids[5].clone()]).await;
    let in_group = |q: &str| format!("{q}&group={gid}");
    assert_eq!(found(&search(&in_group("donna yamamoto")).await.1), set(&[&ids[5]]));
    assert_eq!(found(&search(&in_group("acme.example")).await.1), set(&[&ids[3]]));
    assert_eq!(found(&search(&in_group("donna y&status=active")).await.1), set(&[&ids[5]]));
    let (status, html) = search(&in_group("donna yamamoto&status=locked")).await;
    assert_eq!(status, 200);
    assert!(found(&html).is_empty());
    assert!(
        unescape(&html).contains(
            "No customers with status Locked in the group partners match \"donna yamamoto\" in \
             email addresses or names"
        ),
        "{html}"
    );
}

/// The search index knows which trigrams a customer holds, not where: a customer holding every
/// trigram of a term, but apart (or some in the email, the rest in the name), is not a match,
/// in any order, counted or listed, with or without a filter; nor one holding the trigrams a
/// term is looked up by (those that cover it without overlapping) but not the term.
#[actix_web::test]
async fn a_term_matches_only_where_its_letters_stand_together() {
    let app = signed_in_app().await;
    let c = |email, first, last| customer(email, first, last, Status::Active);
    let ids = app
        .insert_customers(vec![
            c("nna.ann@apart.example", "Bo", "Berg"),
            c("ann@split.example", "Nna", "Berg"),
            c("joanna@together.example", "Jo", "Berg"),
            c("x1@names.example", "Ann", "Annan"),
            c("x2@names.example", "Annan", "Ann"),
            // Every trigram "example.org" is looked up by (exa, mpl, e.o, org), apart.
            c("exa.mpl@e.org", "Cover", "Only"),
            c("pat@example.org", "Pat", "Whole"),
        ])
        .await;
    let (_, html) = app.get_text("/console/users?q=example.org").await;
    assert_eq!(found(&html), set(&[&ids[6]]), "{html}");
    assert!(html.contains("1 matching customer"), "{html}");
    for sort in ["", "&sort=email&dir=asc", "&sort=last_sign_in"] {
        let (_, html) = app.get_text(&format!("/console/users?q=anna{sort}")).await;
        assert_eq!(found(&html), set(&[&ids[2], &ids[3], &ids[4]]), "{sort}: {html}");
        assert!(html.contains("3 matching customers"), "{html}");
    }
    let (_, html) = app.get_text("/console/users?q=ann+ann&status=active").await;
    assert_eq!(found(&html), set(&[&ids[3]]), "{html}");
    let (_, html) = app.get_text("/console/users?q=annan+ann").await;
    assert_eq!(found(&html), set(&[&ids[4]]), "{html}");

    // The same when the candidates stream from the index (as they do with many matches): each
    // is confirmed on its row.
    let q =
        roster::db::customer_list::ListQuery { stream: true, ..crate::users::search_query("anna") };
    let rows = app.db.run(move |c| Ok(roster::db::customer_list::page(c, &q)?)).await.unwrap();
    let streamed: HashSet<String> = rows.iter().map(|r| r.id.to_string()).collect();
    assert_eq!(streamed, set(&[&ids[2], &ids[3], &ids[4]]));
    let q = roster::db::customer_list::ListQuery {
        stream: true,
        ..crate::users::search_query("example.org")
    };
    let rows = app.db.run(move |c| Ok(roster::db::customer_list::page(c, &q)?)).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.id.to_string()).collect::<HashSet<_>>(), set(&[&ids[6]]));

    // A term longer than any email or full name matches nothing, and is not searched.
    let (status, html) = app.get_text(&format!("/console/users?q={}", "an".repeat(200))).await;
    assert_eq!(status, 200);
    assert!(found(&html).is_empty(), "{html}");
}

/// A full name is found from its start however its words divide into first and last name.
#[actix_web::test]
async fn a_full_name_is_found_whichever_name_holds_its_words() {
    let app = signed_in_app().await;
    let c = |email, first, last| customer(email, first, last, Status::Active);
    let ids = app
        .insert_customers(vec![
            c("m1@example.com", "Mary Ann", "Smith"),
            c("m2@example.com", "Mary", "Annesley"),
            c("m3@example.com", "Mary", "Ann Smythe"),
            c("m4@example.com", "Rosemary", "Ann"),
            c("m5@example.com", "Ana María Luisa de la", "Cruz"),
        ])
        .await;
    for (term, expected) in [
        ("mary an", vec![&ids[0], &ids[1], &ids[2]]),
        ("mary ann s", vec![&ids[0], &ids[2]]),
        ("mary ann smi", vec![&ids[0]]),
        ("mary ann smy", vec![&ids[2]]),
        ("ary ann", vec![]),
        ("ana maría luisa de la cru", vec![&ids[4]]),
    ] {
        let (_, html) = app.get_text(&format!("/console/users?q={}", term.replace(' ', "+"))).await;
        assert_eq!(found(&html), set(&expected), "{term}: {html}");
    }
}

#[actix_web::test]
async fn an_empty_search_says_what_it_looked_for() {
    let app = signed_in_app().await;
    app.insert_customers(vec![customer("a@example.com", "Ada", "Byron", Status::Active)]).await;
    let (_, html) = app.get_text("/console/users?q=donna+x").await;
    assert!(found(&html).is_empty());
    assert!(
        unescape(&html).contains("No customers match \"donna x\" in email addresses or names"),
        "{html}"
    );
    let (_, html) = app.get_text("/console/users?status=locked").await;
    assert!(unescape(&html).contains("No customers with status Locked<"), "{html}");
    assert!(html.contains("0 matching customers"), "the kept count of locked customers");
}

/// Customers with these emails and one name, created a minute apart (ten days ago, in this
/// order) with the status `status(i)`; their ids, oldest first.
async fn one_a_minute(
    app: &TestApp,
    emails: &[String],
    (first, last): (&str, &str),
    status: impl Fn(usize) -> Status,
) -> Vec<String> {
    let base = now() - Duration::days(10);
    let customers = emails.iter().enumerate().map(|(i, e)| Customer {
        email: e,
        first,
        last,
        status: status(i),
        created_at: base + Duration::minutes(i as i64),
        last_sign_in_at: None,
    });
    app.insert_customers(customers.collect()).await
}

#[actix_web::test]
async fn a_search_with_more_than_a_thousand_matches_pages_through_them_with_its_filters() {
    let app = signed_in_app().await;
    let emails: Vec<String> = (0..1_030).map(|i| format!("m{i:04}@bulk.example")).collect();
    let locked_every_100th = |i: usize| if i % 100 == 7 { Status::Locked } else { Status::Active };
    let ids = one_a_minute(&app, &emails, ("Many", "Matches"), locked_every_100th).await;
    app.insert_customers(vec![customer("other@else.example", "Many", "Other", Status::Locked)])
        .await;

    // Newest first: the last inserted come first.
    // A search in this order is counted to 100 (a row read to confirm each match).
    let (_, html) = app.get_text("/console/users?q=bulk.example").await;
    assert!(html.contains("More than 100 matching customers"), "{html}");
    let newest: Vec<String> = ids.iter().rev().take(25).cloned().collect();
    assert_eq!(listed_ids(&html), newest);
    // Its tenth page is still the next 25, newest first.
    let mut page = html;
    for _ in 0..9 {
        let next = rel_link(&page, "next").expect("a next page");
        page = app.get_text(&next).await.1;
    }
    let tenth: Vec<String> = ids.iter().rev().skip(225).take(25).cloned().collect();
    assert_eq!(listed_ids(&page), tenth);
    // Sorted by email, A to Z: m0000, m0001, ... The matches are collected to be sorted, so
    // they are counted as far as they are collected (5,000).
    let (_, html) = app.get_text("/console/users?q=BULK.EXAMPLE&sort=email&dir=asc").await;
    assert_eq!(listed_ids(&html), ids[..25].to_vec());
    assert!(html.contains("1,030 matching customers"), "{html}");
    // The status filter keeps only the locked among them (every hundredth from the 7th).
    let (_, html) = app.get_text("/console/users?q=bulk.example&status=locked&per_page=100").await;
    let locked: HashSet<String> =
        ids.iter().enumerate().filter(|(i, _)| i % 100 == 7).map(|(_, id)| id.clone()).collect();
    assert_eq!(found(&html), locked);
    assert!(html.contains("11 matching customers"), "{html}");
    // Many matches narrowed by a status are counted to 100, not 1,000 (a row read each).
    let (_, html) = app.get_text("/console/users?q=bulk.example&status=active").await;
    assert!(html.contains("More than 100 matching customers"), "{html}");
    let active = ids.iter().enumerate().rev().filter(|(i, _)| i % 100 != 7);
    let newest_active: Vec<String> = active.take(50).map(|(_, id)| id.clone()).collect();
    assert_eq!(listed_ids(&html), newest_active[..25]);
    // The next page (its own pass over the matches) and back.
    let next = rel_link(&html, "next").expect("a next page");
    let (_, second) = app.get_text(&next).await;
    assert!(second.contains("More than 100 matching customers"), "{second}");
    assert_eq!(listed_ids(&second), newest_active[25..]);
    let prev = rel_link(&second, "prev").expect("a previous page");
    assert_eq!(listed_ids(&app.get_text(&prev).await.1), newest_active[..25]);
}

/// Between 101 and 1,000 matches (once counted exactly and collected, now counted to 100 and
/// streamed from the search index): every match is listed once, in order, forwards and back,
/// and the last page has no Next.
#[actix_web::test]
async fn a_search_with_a_few_hundred_matches_pages_through_every_one_of_them() {
    let app = signed_in_app().await;
    let emails: Vec<String> = (0..150).map(|i| format!("f{i:03}@few.example")).collect();
    let ids = one_a_minute(&app, &emails, ("Few", "Hundred"), |_| Status::Active).await;
    app.insert_customers(vec![customer("other@else.example", "Not", "Listed", Status::Active)])
        .await;
    let newest: Vec<String> = ids.iter().rev().cloned().collect();
    let mut pages = vec![app.get_text("/console/users?q=few.example").await.1];
    while let Some(next) = rel_link(pages.last().unwrap(), "next") {
        pages.push(app.get_text(&next).await.1);
    }
    assert_eq!(pages.len(), 6, "150 matches, 25 a page");
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("More than 100 matching customers"), "page {i}");
        assert_eq!(listed_ids(page), newest[i * 25..(i + 1) * 25], "page {i}");
    }
    let back = rel_link(&pages[5], "prev").expect("a previous page");
    assert_eq!(listed_ids(&app.get_text(&back).await.1), newest[100..125]);
}

#[actix_web::test]
async fn the_list_says_where_a_page_is_when_the_total_is_known() {
    let app = signed_in_app().await;
    let base = now() - Duration::days(10);
    let emails: Vec<String> = (0..60).map(|i| format!("p{i:02}@example.com")).collect();
    app.insert_customers(
        emails
            .iter()
            .enumerate()
            .map(|(i, e)| Customer {
                email: e,
                first: "Page",
                last: "Person",
                status: if i < 3 { Status::Locked } else { Status::Active },
                created_at: base + Duration::minutes(i as i64),
                last_sign_in_at: None,
            })
            .collect(),
    )
    .await;
    let (_, first) = app.get_text("/console/users").await;
    assert!(first.contains("1–25 of 60 customers"), "{first}");
    let next = rel_link(&first, "next").unwrap();
    assert!(next.contains("at=26"), "{next}");
    let (_, second) = app.get_text(&next).await;
    assert!(second.contains("26–50 of 60 customers"), "{second}");
    let (_, third) = app.get_text(&rel_link(&second, "next").unwrap()).await;
    assert!(third.contains("51–60 of 60 customers"), "{third}");
    let back = rel_link(&third, "prev").unwrap();
    assert!(back.contains("at=26"), "{back}");
    assert!(app.get_text(&back).await.1.contains("26–50 of 60 customers"));

    // The position is only words: a wrong one is clamped, a missing one left out.
    let after = next.split("after=").nth(1).unwrap().split('&').next().unwrap().to_owned();
    let (_, html) = app.get_text(&format!("/console/users?after={after}&at=900")).await;
    assert!(html.contains("36–60 of 60 customers"), "{html}");
    let (_, html) = app.get_text(&format!("/console/users?after={after}&at=-4")).await;
    assert!(html.contains("1–25 of 60 customers"), "{html}");
    let (_, html) = app.get_text(&format!("/console/users?after={after}")).await;
    assert!(html.contains(">60 customers<"), "{html}");
    assert_eq!(app.get("/console/users?at=x").await.status(), 400);

    // A status alone: its kept count. A group alone: its member count.
    let (_, html) = app.get_text("/console/users?status=locked").await;
    assert!(html.contains("1–3 of 3 matching customers"), "{html}");
    let ids = listed_ids(&app.get_text("/console/users?per_page=100").await.1);
    let gid = group_with(&app, "firsts", &ids[..30]).await;
    let (_, html) = app.get_text(&format!("/console/users?group={gid}")).await;
    assert!(html.contains("1–25 of 30 matching customers"), "{html}");
    // A search: counted, no position.
    let (_, html) = app.get_text("/console/users?q=p0").await;
    assert!(html.contains(">10 matching customers<"), "{html}");
}

#[actix_web::test]
async fn the_line_under_the_heading_says_the_order() {
    let app = signed_in_app().await;
    app.insert_customers(vec![customer("a@example.com", "Ada", "Byron", Status::Active)]).await;
    for (query, words) in [
        ("", "Your organization's customers, newest first."),
        ("?sort=email&dir=asc", "Sorted by email, A to Z."),
        ("?sort=email&dir=desc", "Sorted by email, Z to A."),
        ("?sort=last_sign_in&dir=desc", "Sorted by last sign-in, most recent first."),
        ("?sort=last_sign_in&dir=asc", "Sorted by last sign-in, least recent first."),
        ("?sort=created&dir=asc", "Sorted by date created, oldest first."),
    ] {
        let (_, html) = app.get_text(&format!("/console/users{query}")).await;
        assert!(unescape(&html).contains(words), "{query}: {html}");
    }
    // htmx swaps the results only; the line comes along out of band.
    let res = app
        .client
        .get(app.url("/console/users?sort=email&dir=asc"))
        .header("hx-request", "true")
        .send()
        .await
        .unwrap();
    let html = res.text().await.unwrap();
    assert!(html.contains("hx-swap-oob=\"true\""), "{html}");
    assert!(html.contains("Sorted by email, A to Z."), "{html}");
    let (_, page) = app.get_text("/console/users?sort=email&dir=asc").await;
    assert!(!page.contains("hx-swap-oob"), "a whole page has the line once, in place");
}

/// The kept counts by status equal a count of the rows, and the list's total agrees.
async fn assert_counts_kept(app: &TestApp, when: &str) {
    let (kept, real) = app
        .db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::accounts;
            let kept = roster::db::customer_counts::by_status(c)?;
            let real: Vec<(String, i64)> = accounts::table
                .filter(accounts::kind.eq("customer"))
                .group_by(accounts::status)
                .select((accounts::status, diesel::dsl::count_star()))
                .load(c)?;
            Ok((kept, real))
        })
        .await
        .unwrap();
    for (status, n) in &kept {
        let counted = real.iter().find(|(s, _)| s == status.as_str()).map_or(0, |r| r.1);
        assert_eq!(*n, counted, "{when}: {status:?}");
    }
    let total = app.db.run(|c| Ok(roster::db::customer_counts::total(c)?)).await.unwrap();
    assert_eq!(total, app.count_customers().await, "{when}");
    let (_, html) = app.get_text("/console/users").await;
    let shown = match total {
        0 => ">0 customers<".to_owned(),
        1 => "1 of 1 customer<".to_owned(),
        n => format!(" of {n} customers<"),
    };
    assert!(html.contains(&shown), "{when}: {html}");
}

#[actix_web::test]
async fn the_counts_by_status_follow_every_change_made_in_the_console() {
    let app = signed_in_app().await;
    assert_counts_kept(&app, "empty").await;
    // An administrator is not a customer.
    app.insert_account(
        roster::domain::account::Kind::Administrator,
        Some(roster::domain::account::Role::Viewer),
        "viewer@example.com",
        Status::Active,
        None,
    )
    .await;
    assert_counts_kept(&app, "an administrator").await;
    let new = |email: &'static str, method: &'static str, password: &'static str| {
        let app = &app;
        async move {
            let (status, page) = app
                .new_customer(&[
                    ("email", email),
                    ("first_name", "Counted"),
                    ("last_name", "Person"),
                    ("method", method),
                    ("delivery", "offline"),
                    ("password", password),
                ])
                .await;
            assert_eq!(status, 200, "{page}");
            format!("/console/users/{}", app.customer_by_email(email).await.public_id)
        }
    };
    let invited = new("invited@example.com", "invite", "").await;
    let temporary = new("kept@example.com", "temporary", "temporary pass 9911").await;
    assert_counts_kept(&app, "created").await;

    for (page, action) in
        [(&temporary, "lock"), (&invited, "lock"), (&invited, "unlock"), (&temporary, "unlock")]
    {
        let res = app.post_on(page, &format!("{page}/{action}"), &[("confirm", "on")]).await;
        assert_eq!(res.status(), 303, "{action}");
        assert_counts_kept(&app, action).await;
    }
    let form = [("method", "invite"), ("delivery", "offline"), ("password", "")];
    let res = app.post_on(&temporary, &format!("{temporary}/reset"), &form).await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.customer_by_email("kept@example.com").await.status, "pending_password");
    assert_counts_kept(&app, "reset").await;
    let res = app.post_on(&invited, &format!("{invited}/delete"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    assert_counts_kept(&app, "deleted").await;
    assert_eq!(app.count_customers().await, 1);
}

#[actix_web::test]
async fn search_follows_edits_and_deletes_and_survives_a_vacuum() {
    let app = signed_in_app().await;
    let ids = app
        .insert_customers(vec![
            customer("keep.one@vac.example", "Ada", "Byron", Status::Active),
            customer("gone@vac.example", "Gone", "Soon", Status::Active),
            customer("keep.two@vac.example", "Donna", "Yamamoto", Status::Active),
        ])
        .await;
    let page = format!("/console/users/{}", ids[0]);
    let token = app.csrf(&page).await;
    let form = [("csrf_token", token.as_str()), ("first_name", "Ada"), ("last_name", "Lovelace")];
    assert_eq!(app.post_form(&page, &form).await.status(), 303);
    let gone = format!("/console/users/{}", ids[1]);
    let res = app.post_on(&gone, &format!("{gone}/delete"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    let check = |when: &'static str| {
        let app = &app;
        let ids = ids.clone();
        async move {
            let get = |q: &'static str| async move { found(&app.get_text(q).await.1) };
            assert_eq!(get("/console/users?q=ada+lovelace").await, set(&[&ids[0]]), "{when}");
            assert!(get("/console/users?q=ada+byron").await.is_empty(), "{when}");
            assert_eq!(get("/console/users?q=ovelac").await, set(&[&ids[0]]), "{when}");
            assert!(get("/console/users?q=byron").await.is_empty(), "{when}");
            assert!(get("/console/users?q=gone%40vac").await.is_empty(), "{when}");
            assert_eq!(get("/console/users?q=vac.example").await, set(&[&ids[0], &ids[2]]));
            assert_eq!(get("/console/users?q=donna+yam").await, set(&[&ids[2]]), "{when}");
        }
    };
    check("after the edit and the delete").await;
    // The index is keyed by rowid, and the "Created" order is rowid order: VACUUM must keep
    // the rowids (it does for a table with indexes; were that to change, this fails).
    app.db
        .run(|c| {
            use diesel::connection::SimpleConnection;
            c.batch_execute("VACUUM")?;
            Ok(())
        })
        .await
        .unwrap();
    check("after VACUUM").await;
}
