//! SQL statements per page, counted with diesel's instrumentation: a small constant, whatever
//! the number of rows shown, attributes defined or groups joined. Its own test binary, since
//! the counter sees every connection of the process. It also checks that a warm page runs only
//! statements kept in diesel's statement cache (a statement diesel will not cache, such as a
//! plain `sql_query`, is parsed and planned by SQLite on every request).

#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::collections::HashSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use helpers::*;
use roster::db::audit::Actor;
use roster::db::ids::PublicId;
use roster::domain::account::Status;
use roster::domain::attribute::{AttributeInput, Grid};

static QUERIES: AtomicUsize = AtomicUsize::new(0);
/// The SQL of every statement diesel put in a connection's statement cache.
static CACHED: Mutex<Option<HashSet<String>>> = Mutex::new(None);
/// Statements run that were never cached: SQLite parses and plans them on every run.
static UNCACHED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn counting() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(|event: InstrumentationEvent<'_>| match event {
        InstrumentationEvent::CacheQuery { sql, .. } => {
            CACHED.lock().unwrap().get_or_insert_default().insert(sql.to_owned());
        }
        InstrumentationEvent::StartQuery { query, .. } => {
            QUERIES.fetch_add(1, Ordering::SeqCst);
            // The statement's text without diesel's "-- binds: [...]" suffix.
            let text = query.to_string();
            let sql = text.split(" -- binds: ").next().unwrap_or_default().to_owned();
            if !CACHED.lock().unwrap().get_or_insert_default().contains(&sql) {
                UNCACHED.lock().unwrap().push(sql);
            }
        }
        _ => {}
    }))
}

/// Statements run to answer one GET of `path` (the session's own lookup included).
async fn queries(app: &TestApp, path: &str) -> usize {
    queries_as(&app.client, &app.url(path)).await
}

/// The same, in `browser`'s session (a customer's, in My Account).
async fn queries_as(browser: &reqwest::Client, path: &str) -> usize {
    UNCACHED.lock().unwrap().clear();
    let before = QUERIES.load(Ordering::SeqCst);
    let res = browser.get(path).send().await.unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let _ = res.text().await;
    QUERIES.load(Ordering::SeqCst) - before
}

async fn add_attributes(app: &TestApp, from: usize, to: usize) {
    for i in from..to {
        let input = AttributeInput {
            name: format!("extra_{i:02}"),
            display_name: format!("Extra {i}"),
            data_type: "text".into(),
            grid: Grid { console: [true, false, false], ..Grid::default() },
            ..AttributeInput::default()
        };
        assert!(
            roster::accounts::attributes::create(&app.db, Actor::system("t"), input).await.is_ok()
        );
    }
}

async fn give_values(app: &TestApp, account: &str) {
    let account = app.key(account).await;
    app.db
        .run(move |c| {
            for a in roster::db::attributes::all(c)? {
                let v = roster::domain::attribute::AttributeValue {
                    value: "+44 1".into(),
                    key: "+441".into(),
                };
                roster::db::attributes::set_value(c, a.id, account, Some(&v))?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

/// `n` live My Account sessions of the account.
async fn add_sessions(app: &TestApp, account: &str, n: usize) {
    let account = app.key(account).await;
    app.db
        .run(move |c| {
            let at = roster::db::now();
            for _ in 0..n {
                roster::db::sessions::insert(
                    c,
                    &roster::db::sessions::NewSession {
                        id_hash: &roster::domain::token::hash_token(&roster::domain::token::random_token()),
                        scope: "myaccount",
                        account_id: Some(account),
                        state: "{}",
                        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0.0.0 Safari/537.36",
                        ip: "192.0.2.1",
                        created_at: at,
                        last_seen_at: at,
                        idle_expires_at: at + chrono::Duration::minutes(30),
                        absolute_expires_at: at + chrono::Duration::hours(12),
                    },
                )?;
            }
            Ok(())
        })
        .await
        .unwrap();
}

#[actix_web::test]
async fn pages_take_a_constant_number_of_queries_whatever_the_rows_attributes_and_groups() {
    set_default_instrumentation(counting).unwrap();
    let app = signed_in_app().await;
    let emails: Vec<String> = (0..120).map(|i| format!("c{i:03}@example.com")).collect();
    let ids = app
        .insert_customers(
            emails.iter().map(|e| customer(e, "Q", "Count", Status::Active)).collect(),
        )
        .await;
    // Three groups; every customer in one to three of them.
    let gids: Vec<PublicId> = (0..3).map(|_| PublicId::new()).collect();
    let (g, members) = (gids.clone(), ids.clone());
    app.db
        .run(move |c| {
            let mut keys = Vec::new();
            for (i, id) in g.iter().enumerate() {
                keys.push(roster::db::groups::insert(
                    c,
                    *id,
                    &format!("g{i}"),
                    &format!("g{i}"),
                    roster::db::now(),
                )?);
            }
            for (n, m) in members.iter().enumerate() {
                let mine: Vec<_> = keys.iter().take(1 + n % 3).copied().collect();
                let m = roster::db::accounts::find_public(c, m)?.unwrap().id;
                roster::db::groups::add_member(c, m, &mine, roster::db::now())?;
            }
            Ok(())
        })
        .await
        .unwrap();
    let customer_page = format!("/console/users/{}", ids[0]);
    give_values(&app, &ids[0]).await;
    for path in [customer_page.as_str(), "/console/users", "/console/users?per_page=100"] {
        queries(&app, path).await; // warm: the group names are then in memory
    }

    let with_3 = queries(&app, &customer_page).await;
    add_attributes(&app, 0, 17).await;
    give_values(&app, &ids[0]).await;
    queries(&app, &customer_page).await;
    let with_20 = queries(&app, &customer_page).await;
    assert_eq!(*UNCACHED.lock().unwrap(), Vec::<String>::new(), "statements prepared every time");
    assert_eq!(with_3, with_20, "the customer page: 3 or 20 attributes");

    let rows_25 = queries(&app, "/console/users").await;
    assert_eq!(*UNCACHED.lock().unwrap(), Vec::<String>::new(), "statements prepared every time");
    let rows_100 = queries(&app, "/console/users?per_page=100").await;
    assert_eq!(rows_25, rows_100, "the list: 25 or 100 rows, each with its groups");
    let group = format!("/console/users?group={}", gids[0]);
    let group_25 = queries(&app, &group).await;
    let group_100 = queries(&app, &format!("{group}&per_page=100")).await;
    assert_eq!(group_25, group_100, "the list filtered by a group");
    let searched = queries(&app, "/console/users?q=c0").await;
    queries(&app, "/console/users?q=xample.c").await;
    let substring = queries(&app, "/console/users?q=xample.c").await;
    assert_eq!(*UNCACHED.lock().unwrap(), Vec::<String>::new(), "a warm substring search");

    // The Sessions tab (and the session count on every tab): one query, however many.
    let sessions_tab = format!("{customer_page}/sessions");
    add_sessions(&app, &ids[0], 1).await;
    let sessions_1 = queries(&app, &sessions_tab).await;
    add_sessions(&app, &ids[0], 9).await;
    let sessions_10 = queries(&app, &sessions_tab).await;
    assert_eq!(sessions_1, sessions_10, "the Sessions tab: 1 or 10 sessions");
    assert_eq!(queries(&app, &customer_page).await, with_20, "the Profile tab with its sessions");
    // My Account, as the customer: the profile with every attribute, and Security with one
    // or ten sessions.
    let me = app.active_customer("me@example.com", "juniper lantern 1987").await;
    give_values(&app, &me).await;
    let (browser, _) = app.myaccount_sign_in("me@example.com", "juniper lantern 1987").await;
    let profile = queries_as(&browser, &app.url("/myaccount")).await;
    let security_1 = queries_as(&browser, &app.url("/myaccount/security")).await;
    add_sessions(&app, &me, 9).await;
    let security_10 = queries_as(&browser, &app.url("/myaccount/security")).await;
    assert_eq!(security_1, security_10, "My Account > Security: 1 or 10 sessions");
    eprintln!(
        "statements per page: customer {with_20} (Sessions tab {sessions_10}), list {rows_25}, \
         list by group {group_25}, search {searched} (substring {substring}), My Account profile {profile}, \
         security {security_10}"
    );
    assert!(
        with_20 <= 8 && sessions_10 <= 8 && rows_25 <= 8 && group_25 <= 8 && searched <= 10,
        "a small constant"
    );
    assert!(profile <= 5 && security_10 <= 4, "My Account: a small constant");
}
