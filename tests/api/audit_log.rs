//! Settings > Audit log and the History tab: a scripted scenario's events with before → after,
//! filters, keyset pages, the CSV export (formula cells made text, quotes doubled), and no
//! secret anywhere in the trail.

use roster::db::audit::{self, Actor};
use roster::domain::account::Status;

use crate::helpers::*;

const LOG: &str = "/console/settings/audit-log";

#[actix_web::test]
async fn a_scenario_reads_back_in_order_with_before_and_after_and_filters() {
    let app = signed_in_app().await;
    let id = app
        .insert_customers(vec![customer("pat@example.com", "Pat", "Doe", Status::Active)])
        .await
        .remove(0);
    let page = format!("/console/users/{id}");
    let res = app.post_on(&page, &page, &[("first_name", "Patricia"), ("last_name", "Doe")]).await;
    assert_eq!(res.status(), 303);
    app.post_on(&page, &format!("{page}/lock"), &[("confirm", "on")]).await;
    app.post_on(&page, &format!("{page}/unlock"), &[("confirm", "on")]).await;
    let settings = "/console/settings/links";
    app.post_on(settings, settings, &[("invitation_minutes", "90"), ("reset_minutes", "60")]).await;

    let (status, html) = app.get_text(LOG).await;
    assert_eq!(status, 200);
    // Newest first: the settings change, the unlock, the lock, the profile change.
    let order: Vec<usize> =
        ["settings.links_updated", "account.unlocked", "account.locked", "customer.updated"]
            .iter()
            .map(|a| {
                html.find(&format!("title=\"{a}\"")).unwrap_or_else(|| panic!("{a} in {html}"))
            })
            .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "newest first: {order:?}");
    // In sentences, people by name, fields by their labels, values in words.
    let said = text_of(&html);
    for line in [
        "Test Person changed how long links stay valid",
        "Invitation link expiry: 1 day → 1 hour 30 minutes",
        "Test Person unlocked Patricia Doe",
        "Test Person locked Patricia Doe",
        "Test Person updated the profile of Patricia Doe",
        "First Name: Pat → Patricia",
    ] {
        assert!(said.contains(line), "{line:?} in {said}");
    }
    assert!(!said.contains("invitation_minutes") && !said.contains("1440"), "{said}");

    // Filters: by action, by subject, by actor; a bad date is refused next to its field.
    let (_, only) = app.get_text(&format!("{LOG}?action=account.locked")).await;
    assert!(
        only.contains(r#"title="account.locked""#) && !only.contains(r#"title="customer.updated""#)
    );
    let (_, about) = app.get_text(&format!("{LOG}?subject=pat%40example.com")).await;
    assert!(
        about.contains(r#"title="customer.updated""#)
            && !about.contains(r#"title="settings.links_updated""#)
    );
    let (_, by_nobody) = app.get_text(&format!("{LOG}?actor=nobody%40example.com")).await;
    assert!(by_nobody.contains("No events match these filters."));
    let (status, bad) = app.get_text(&format!("{LOG}?from=yesterday")).await;
    assert_eq!(status, 422);
    assert!(bad.contains(r#"id="from-error""#));
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let (_, dated) = app.get_text(&format!("{LOG}?from={today}&to={today}")).await;
    assert!(dated.contains(r#"title="customer.updated""#));

    // The customer's History tab: the events about them only.
    let (status, history) = app.get_text(&format!("{page}/history")).await;
    assert_eq!(status, 200);
    assert!(
        history.contains(r#"title="account.locked""#)
            && history.contains(r#"title="customer.updated""#)
    );
    assert!(!history.contains(r#"title="settings.links_updated""#));

    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn pages_follow_one_another_without_gaps_or_repeats() {
    let app = signed_in_app().await;
    app.db
        .run(|c| {
            for i in 0..120 {
                audit::record(
                    c,
                    &Actor::system("bench"),
                    &format!("test.event_{i:03}"),
                    None,
                    serde_json::json!({}),
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut next = format!("{LOG}?action=");
    let mut pages = 0;
    while pages < 10 {
        let (status, html) = app.get_text(&next).await;
        assert_eq!(status, 200);
        pages += 1;
        seen.extend(
            html.match_indices("title=\"test.event_")
                .map(|(at, _)| html[at + 7..at + 21].to_owned()),
        );
        match rel_link(&html, "next") {
            Some(href) => next = href,
            None => break,
        }
    }
    assert!(pages >= 3, "{pages} pages");
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(seen, sorted, "newest first across pages");
    sorted.dedup();
    assert_eq!(sorted.len(), 120, "every event once");
}

#[actix_web::test]
async fn the_csv_export_makes_formulas_text_and_doubles_quotes() {
    let app = signed_in_app().await;
    let id = app
        .insert_customers(vec![customer("eve@example.com", "Eve", "Doe", Status::Active)])
        .await
        .remove(0);
    let page = format!("/console/users/{id}");
    let res = app
        .post_on(
            &page,
            &page,
            &[("first_name", "=HYPERLINK(\"http://x\")"), ("last_name", "@SUM(A1)")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = app.get(&format!("{LOG}/export.csv?action=customer.updated")).await;
    assert_eq!(res.status(), 200);
    assert!(header(res.headers(), "content-type").starts_with("text/csv"));
    assert!(header(res.headers(), "content-disposition").starts_with("attachment;"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "\"occurred_at\",\"actor_name\",\"actor\",\"action\",\"summary\",\"subject\",\"subject_id\",\"details\",\"ip\""
        )
    );
    let row = lines.next().expect("one event");
    assert!(row.contains("\"customer.updated\""), "{row}");
    // The details cell starts with the field name, not with the value: values inside it cannot
    // start a formula; a cell that would is prefixed.
    assert!(
        row.contains("First Name: Eve → =HYPERLINK(\"\"http://x\"\")"),
        "quotes doubled: {row}"
    );
    assert_eq!(lines.next(), None, "filtered to one event");

    // A subject label that starts like a formula becomes text.
    app.db
        .run(|c| {
            audit::record(
                c,
                &Actor::system("=cmd|' /C calc'!A0"),
                "test.formula",
                Some(("x", "+1-2")),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await
        .unwrap();
    let csv = app.get(&format!("{LOG}/export.csv?action=test.formula")).await.text().await.unwrap();
    assert!(csv.contains("\"'=cmd|' /C calc'!A0\""), "{csv}");
    assert!(csv.contains("\"'+1-2\""), "{csv}");
}

#[actix_web::test]
async fn a_large_export_streams_every_event_once() {
    let app = signed_in_app().await;
    app.db
        .run(|c| {
            for i in 0..2_500 {
                audit::record(
                    c,
                    &Actor::system("bulk"),
                    "test.bulk",
                    Some(("s", &format!("s{i:05}"))),
                    serde_json::json!({}),
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let csv = app.get(&format!("{LOG}/export.csv?action=test.bulk")).await.text().await.unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2_500, "three chunks, no gap, no repeat");
    let mut subjects: Vec<&str> = rows.iter().map(|r| r.split("\",\"").nth(5).unwrap()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 2_500);
}

#[actix_web::test]
async fn viewers_read_the_log_and_anonymous_visitors_do_not() {
    let app = viewer_app().await;
    assert_eq!(app.get_text(LOG).await.0, 200);
    assert_eq!(app.get(&format!("{LOG}/export.csv")).await.status(), 200);
    let res = client().get(app.url(LOG)).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let res = client().get(app.url(&format!("{LOG}/export.csv"))).send().await.unwrap();
    assert_eq!(res.status(), 303);
}

#[test]
fn the_action_filter_lists_every_recorded_action_once_each_with_its_sentence() {
    use roster::accounts::audit_text::{ACTIONS, describe};
    let listed: Vec<&str> =
        ACTIONS.iter().flat_map(|(_, list)| list.iter().map(|(c, _)| *c)).collect();
    let mut unique = listed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "each code once");
    let routes = roster::web::console::access::RULES
        .iter()
        .filter_map(|r| r.audits)
        .chain(roster::web::changes::PUBLIC.iter().filter_map(|c| c.audits));
    for code in routes {
        assert!(listed.contains(&code), "{code} is not in the Action filter");
    }
    for code in listed {
        let sentence = describe(code, "{}", false).text("Ada", "Tom");
        assert!(!sentence.contains(code), "{code} has a sentence of its own: {sentence}");
    }
}

/// Events recorded at known times (one an hour, as the clock moves): From and Until select
/// exactly the events of their hours, alone and with a word filter; a word no event has
/// matches nothing; the counts since a time agree. An event given a time before the newest
/// one's (a clock stepped back) is recorded at the newest one's, so keys keep following time.
#[test]
fn from_and_until_select_exactly_the_events_of_their_hours() {
    use diesel::prelude::*;
    use roster::db::audit::{Filter, audit_log};
    use roster::domain::clock::At;
    let dir = tempfile::tempdir().unwrap();
    let db = roster::db::Db::open(dir.path()).unwrap();
    let c = &mut db.conn().unwrap();
    let hour = 3_600_000;
    let start = At::now().millis() - 24 * hour;
    let at = move |h: i64| At::from_millis(start + h * hour).unwrap();
    let mut insert = |h: i64, actor: &str| {
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::occurred_at.eq(at(h)),
                audit_log::actor_label.eq(actor),
                audit_log::actor_name.eq(""),
                audit_log::action.eq("signin.failed"),
                audit_log::details.eq("{}"),
                audit_log::ip.eq(""),
            ))
            .execute(c)
            .unwrap();
    };
    for h in 0..10 {
        insert(h, if h % 2 == 0 { "even" } else { "odd" });
    }
    // Back in time: recorded at hour 9.
    insert(4, "late");
    let mut hours = |f: Filter| -> Vec<i64> {
        let rows = audit::page(c, &f, None, 100).unwrap();
        rows.iter().map(|e| (e.occurred_at.millis() - start) / hour).collect()
    };
    let all = Filter::default();
    let window = Filter { from: Some(at(3)), until: Some(at(7)), ..all.clone() };
    let odd = Filter { actor: Some("odd".into()), ..window.clone() };
    assert_eq!(hours(window), vec![6, 5, 4, 3], "From 3 until 7, newest first");
    assert_eq!(hours(odd), vec![5, 3], "and by the odd hours' actor");
    assert_eq!(hours(Filter { from: Some(at(8)), ..all.clone() }), vec![9, 9, 8], "from 8 on");
    assert_eq!(hours(Filter { until: Some(at(2)), ..all.clone() }), vec![1, 0], "until 2");
    assert_eq!(hours(Filter { actor: Some("late".into()), ..all.clone() }), vec![9]);
    assert!(hours(Filter { actor: Some("nobody".into()), ..all }).is_empty());
    assert_eq!(audit::count_since(c, "signin.failed", at(6)).unwrap(), 5, "6, 7, 8, 9, late");
    assert_eq!(audit::count_since(c, "no.such_action", at(0)).unwrap(), 0);
}
