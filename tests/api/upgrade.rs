//! Upgrading: a database made by an earlier release opens in this one. The pending migrations
//! run at start, every value reads back as it was, and what worked before the upgrade (a
//! console session, a My Account session, an invitation link) still works after it.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_migrations::MigrationHarness;
use roster::db::{DB_FILE, Db, MIGRATIONS};
use roster::startup::Application;

use crate::helpers::*;

/// Takes `conn`'s database back to the release before the migration whose name ends with
/// `suffix`, running the down steps of it and of every later one.
fn back_to_before(conn: &mut SqliteConnection, suffix: &str) {
    let pending = |conn: &mut SqliteConnection| -> Vec<String> {
        conn.pending_migrations(MIGRATIONS).unwrap().iter().map(|m| m.name().to_string()).collect()
    };
    while !pending(conn).iter().any(|n| n.ends_with(suffix)) {
        conn.revert_last_migration(MIGRATIONS).unwrap();
    }
}

#[derive(QueryableByName)]
struct Kind {
    #[diesel(sql_type = Text)]
    kind: String,
}

fn type_of(conn: &mut SqliteConnection, sql: &str) -> String {
    diesel::sql_query(sql).get_result::<Kind>(conn).unwrap().kind
}

#[actix_web::test]
async fn times_written_as_text_by_the_previous_release_read_back_to_the_millisecond() {
    let dir = tempfile::tempdir().unwrap();
    {
        let path = dir.path().join(DB_FILE);
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        roster::db::stored_hash::register_functions(&mut conn).unwrap();
        conn.run_pending_migrations(MIGRATIONS).unwrap();
        back_to_before(&mut conn, "_millis");
        // As diesel wrote them (six decimals), as SQL's CURRENT_TIMESTAMP wrote them (none),
        // and a shorter fraction.
        conn.batch_execute(
            "INSERT INTO accounts (id, kind, email, first_name, last_name, first_name_key, \
             last_name_key, status, created_at, updated_at, last_sign_in_at) VALUES \
             ('0190a000-0000-7000-8000-0000000000aa', 'customer', 'ada@example.org', 'Ada', \
             'Lovelace', 'ada', 'lovelace', 'active', '2026-12-07 14:18:33.670506', \
             '2026-12-07 14:18:33', '2026-12-07 14:18:33.5');
             INSERT INTO audit_events (id, occurred_at, actor_label, actor_name, action, \
             details, ip) VALUES ('0190a000-0000-7000-8000-0000000000ab', \
             '1999-12-31 23:59:59.999999', 'system', 'System', 'customer.created', '{}', '');
             ANALYZE;
             INSERT INTO accounts (id, kind, email, first_name, last_name, first_name_key, \
             last_name_key, status, created_at, updated_at) VALUES \
             ('0190a000-0000-7000-8000-0000000000ac', 'customer', 'bob@example.org', 'Bob', \
             'Lee', 'bob', 'lee', 'active', '2026-12-08 00:00:00', '2026-12-08 00:00:00');",
        )
        .unwrap();
    }
    let db = Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    let ada =
        roster::db::accounts::find_customer(&mut conn, "0190a000-0000-7000-8000-0000000000aa")
            .unwrap();
    let ms = |s: &str| {
        let t = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
        t.and_utc().timestamp_millis()
    };
    assert_eq!(ada.created_at.millis(), ms("2026-12-07 14:18:33.670"));
    assert_eq!(ada.updated_at.millis(), ms("2026-12-07 14:18:33.000"));
    assert_eq!(ada.last_sign_in_at.map(|t| t.millis()), Some(ms("2026-12-07 14:18:33.500")));
    assert_eq!(ada.locked_until, None, "no time stays none");
    assert_eq!(type_of(&mut conn, "SELECT typeof(created_at) AS kind FROM accounts"), "integer");
    assert_eq!(
        type_of(&mut conn, "SELECT CAST(occurred_at AS TEXT) AS kind FROM audit_events"),
        ms("1999-12-31 23:59:59.999").to_string(),
        "milliseconds are truncated, as chrono truncates them"
    );
    // The planner's statistics describe the converted values (its samples of text times had
    // it walk whole indexes), and count the customer added after the earlier ANALYZE.
    let stat = type_of(
        &mut conn,
        "SELECT stat AS kind FROM sqlite_stat1 WHERE idx = 'accounts_customer_last_sign_in'",
    );
    assert!(stat.starts_with("2 "), "{stat}");

    // A new file gets no statistics (SQLite's defaults suit small tables).
    let fresh = tempfile::tempdir().unwrap();
    let db = Db::open(fresh.path()).unwrap();
    let kind = type_of(
        &mut db.conn().unwrap(),
        "SELECT CAST(COUNT(*) AS TEXT) AS kind FROM sqlite_master WHERE name = 'sqlite_stat1'",
    );
    assert_eq!(kind, "0");
}

const ADA_HASH_TYPE: &str =
    "SELECT typeof(password_hash) AS kind FROM accounts WHERE email = 'ada@example.com'";

#[actix_web::test]
async fn sessions_and_links_of_the_previous_release_still_work_after_the_upgrade() {
    let app = signed_in_app().await;
    let fields = [
        ("email", "grace@example.com"),
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("method", "invite"),
        ("delivery", "offline"),
        ("password", ""),
    ];
    let (status, page) = app.new_customer(&fields).await;
    assert_eq!(status, 200, "{page}");
    let link = element_text(&page, "reveal-value").expect("the invitation link is shown once");
    app.active_customer("ada@example.com", "ada's long passphrase").await;
    let (customer, res) = app.myaccount_sign_in("ada@example.com", "ada's long passphrase").await;
    assert_eq!(res.status(), 303);

    // The same data directory as the previous release left it: times as text.
    {
        let mut conn = app.db.conn().unwrap();
        back_to_before(&mut conn, "_millis");
        let kind = type_of(&mut conn, "SELECT typeof(idle_expires_at) AS kind FROM sessions");
        assert_eq!(kind, "text");
        assert_eq!(type_of(&mut conn, ADA_HASH_TYPE), "text", "hashes as the release read them");
    }
    // This release starts on it (the earlier server is left idle).
    let upgraded = Application::build(test_config(app.data_dir.path())).await.unwrap();
    let base = upgraded.base_url().to_owned();
    actix_web::rt::spawn(upgraded.run_until_stopped());

    // Cookies are not kept per port: both browsers present their sessions to the new server.
    let (status, users) = get_with(&app.client, &format!("{base}/console/users")).await;
    assert_eq!(status, 200, "the owner is still signed in: {users}");
    assert!(users.contains("ada@example.com") && users.contains("grace@example.com"));
    let (status, mine) = get_with(&customer, &format!("{base}/myaccount")).await;
    assert_eq!(status, 200, "the customer is still signed in: {mine}");
    let link = link.replace(&app.base, &base);
    let strong = "a strong new passphrase 2026";
    let res = submit_page(&client(), &link, &[("password", strong), ("confirm", strong)]).await;
    assert_eq!(res.status(), 303, "the invitation link still works");
    // Ada's password hash, text before, is stored compact and still signs her in.
    assert_eq!(type_of(&mut app.db.conn().unwrap(), ADA_HASH_TYPE), "blob");
    let (_, res) = app.myaccount_sign_in("ada@example.com", "ada's long passphrase").await;
    assert_eq!(res.status(), 303, "signed in with the converted hash");
    let (_, res) = app.myaccount_sign_in("ada@example.com", "ada's long passphrasE").await;
    assert_ne!(res.status(), 303, "and only with her password");
    let (status, log) = get_with(&app.client, &format!("{base}/console/settings/audit-log")).await;
    assert_eq!(status, 200);
    assert!(log.contains("invitation"), "the earlier events are listed: {log}");
}

#[actix_web::test]
async fn a_seed_interrupted_under_the_previous_release_is_finished_in_the_new_form() {
    let fresh = tempfile::tempdir().unwrap();
    let expected = crate::cli::schema_objects(&mut Db::open(fresh.path()).unwrap().conn().unwrap());
    let dir = tempfile::tempdir().unwrap();
    {
        let path = dir.path().join(DB_FILE);
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        roster::db::stored_hash::register_functions(&mut conn).unwrap();
        conn.run_pending_migrations(MIGRATIONS).unwrap();
        back_to_before(&mut conn, "_millis");
        // Indexes and triggers set aside, a customer added, and no rebuild.
        roster::db::bulk_load::set_aside(&mut conn).unwrap();
        conn.batch_execute(
            "INSERT INTO accounts (id, kind, email, first_name, last_name, first_name_key, \
             last_name_key, status, created_at, updated_at) VALUES \
             ('0190a000-0000-7000-8000-0000000000ad', 'customer', 'halfway@example.org', 'Hal', \
             'Way', 'hal', 'way', 'active', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .unwrap();
    }
    let db = Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    assert_eq!(crate::cli::schema_objects(&mut conn), expected, "every index and trigger back");
    let sql = type_of(
        &mut conn,
        "SELECT sql AS kind FROM sqlite_master WHERE name = 'accounts_customer_last_sign_in'",
    );
    assert!(sql.contains("COALESCE(last_sign_in_at, 0)"), "built in its new form: {sql}");
    use roster::db::customer_list::ListQuery;
    let query = crate::users::search_query("halfway");
    let found = roster::db::customer_list::page(&mut conn, &query).unwrap();
    assert_eq!(found.len(), 1, "the customer added before the upgrade is found by search");
    assert_eq!(found[0].created_at.millis(), 1_767_225_600_000);
    let streamed = ListQuery { stream: true, ..query };
    assert_eq!(roster::db::customer_list::page(&mut conn, &streamed).unwrap().len(), 1);
    let in_index = roster::db::customer_search::matching_ids(&mut conn, "lfway@", 10).unwrap();
    assert_eq!(in_index.len(), 1, "in the search index, once");
}

/// The rows of each table, for a before-and-after comparison.
fn table_counts(conn: &mut SqliteConnection) -> Vec<(String, String)> {
    [
        "accounts",
        "groups",
        "group_members",
        "attributes",
        "attribute_values",
        "sessions",
        "one_time_tokens",
        "outbox",
        "form_submissions",
        "authorization_codes",
        "oidc_tokens",
        "audit_events",
        "applications",
    ]
    .iter()
    .map(|t| {
        let n = type_of(conn, &format!("SELECT CAST(COUNT(*) AS TEXT) AS kind FROM {t}"));
        (t.to_string(), n)
    })
    .collect()
}

/// A database made by the release before integer keys (customers in every state, a group, an
/// attribute, an application with a live sign-in, events, emails) is converted when this one
/// starts on it: every row is there under the same public ids, and every session, link and
/// token issued before still works.
#[actix_web::test]
async fn a_database_of_the_release_before_integer_keys_keeps_every_row_link_session_and_token() {
    use crate::oidc::{Client, authorize_url, exchange, register, sign_in_through};
    // A mail server that never answers: emails stay in the outbox, retrying.
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some("smtp://127.0.0.1:9".into())).await;
    // Pat: active, signed in to My Account and to an application (with a refresh token).
    let pat = app.active_customer("pat@example.com", crate::oidc::PASSWORD).await;
    let (pat_browser, res) = app.myaccount_sign_in("pat@example.com", crate::oidc::PASSWORD).await;
    assert_eq!(res.status(), 303);
    let app_client: Client = register(&app, "public").await;
    let code = sign_in_through(&app, &pat_browser, &authorize_url(&app, &app_client, &[])).await;
    let (status, tokens) = exchange(&app, &app_client, &code).await;
    assert_eq!(status, 200, "{tokens}");
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_owned();
    // Grace: invited offline (a link to follow later); Lin: invited by email (queued);
    // Tom: locked.
    let fields = [
        ("email", "grace@example.com"),
        ("first_name", "Grace"),
        ("last_name", "Hopper"),
        ("method", "invite"),
        ("delivery", "offline"),
        ("password", ""),
    ];
    let (status, page) = app.new_customer(&fields).await;
    assert_eq!(status, 200, "{page}");
    let link = element_text(&page, "reveal-value").expect("the invitation link is shown once");
    let lin = [
        ("email", "lin@example.com"),
        ("first_name", "Lin"),
        ("last_name", "Chen"),
        ("method", "invite"),
        ("delivery", "email"),
        ("password", ""),
    ];
    assert_eq!(app.new_customer(&lin).await.0, 200);
    let tom = app.active_customer("tom@example.com", crate::oidc::PASSWORD).await;
    let tom_page = format!("/console/users/{tom}");
    let locked = app.post_on(&tom_page, &format!("{tom_page}/lock"), &[("confirm", "on")]).await;
    assert_eq!(locked.status(), 303);
    // A group with two members, and an attribute value.
    let (group, _) = app.make_group("Pilots", &[pat.clone(), tom.clone()]).await;
    let input = roster::domain::attribute::AttributeInput {
        name: "member_code".into(),
        display_name: "Member code".into(),
        data_type: "text".into(),
        display_order: "50".into(),
        grid: roster::domain::attribute::Grid {
            console: [true, false, false],
            ..Default::default()
        },
        ..Default::default()
    };
    roster::accounts::attributes::create(&app.db, roster::db::audit::Actor::system("t"), input)
        .await
        .unwrap();
    let pat_page = format!("/console/users/{pat}");
    let res = app
        .post_on(
            &pat_page,
            &pat_page,
            &[("first_name", "Pat"), ("last_name", "Lee"), ("attr_member_code", "AB1234")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(app.attribute_value(&pat, "member_code").await.as_deref(), Some("AB1234"));

    // The file as the previous release left it: TEXT UUID keys everywhere.
    let before = {
        let mut conn = app.db.conn().unwrap();
        let counts = table_counts(&mut conn);
        back_to_before(&mut conn, "_integer_keys");
        assert_eq!(type_of(&mut conn, "SELECT typeof(id) AS kind FROM accounts LIMIT 1"), "text");
        assert_eq!(table_counts(&mut conn), counts, "the way back keeps every row");
        counts
    };
    let upgraded = Application::build(test_config(app.data_dir.path())).await.unwrap();
    let base = upgraded.base_url().to_owned();
    actix_web::rt::spawn(upgraded.run_until_stopped());
    {
        let mut conn = app.db.conn().unwrap();
        assert_eq!(
            type_of(&mut conn, "SELECT typeof(id) AS kind FROM accounts LIMIT 1"),
            "integer"
        );
        assert_eq!(table_counts(&mut conn), before, "every row converted");
        // The old tables' pages were given back: at most a quarter of the file is left free.
        let pages = type_of(
            &mut conn,
            "SELECT (SELECT freelist_count FROM pragma_freelist_count) || ' of ' || \
             (SELECT page_count FROM pragma_page_count) AS kind",
        );
        let (free, total) = pages.split_once(" of ").unwrap();
        let (free, total): (i64, i64) = (free.parse().unwrap(), total.parse().unwrap());
        assert!(free * 4 <= total, "{pages} pages free after the upgrade");
    }

    // The same public ids reach the same people, groups and values.
    let (status, page) = get_with(&app.client, &format!("{base}{pat_page}")).await;
    assert_eq!(status, 200, "the owner's session still works: {page}");
    assert!(page.contains("pat@example.com") && page.contains("AB1234"), "{page}");
    let (_, page) = get_with(&app.client, &format!("{base}{pat_page}/groups")).await;
    assert!(page.contains("Pilots"), "{page}");
    let (status, page) = get_with(&app.client, &format!("{base}/console/groups/{group}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("pat@example.com") && page.contains("tom@example.com"), "{page}");
    let (_, page) = get_with(&app.client, &format!("{base}{tom_page}")).await;
    assert!(page.contains("Locked"), "{page}");
    let (_, outbox) = get_with(&app.client, &format!("{base}/console/settings/outbox")).await;
    assert!(outbox.contains("lin@example.com"), "the queued invitation is kept: {outbox}");
    // Pat's My Account session, Grace's link and the application's refresh token still work.
    let (status, mine) = get_with(&pat_browser, &format!("{base}/myaccount")).await;
    assert_eq!(status, 200, "the customer is still signed in: {mine}");
    let link = link.replace(&app.base, &base);
    let strong = "a strong new passphrase 2026";
    let res = submit_page(&client(), &link, &[("password", strong), ("confirm", strong)]).await;
    assert_eq!(res.status(), 303, "the invitation link still works");
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token.as_str()),
        ("client_id", app_client.id.as_str()),
    ];
    let res = reqwest::Client::new().post(format!("{base}/oidc/token")).form(&form).send().await;
    let res = res.unwrap();
    assert_eq!(res.status(), 200, "the refresh token still works");
    let fresh: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    let access = fresh["access_token"].as_str().unwrap();
    let res = reqwest::Client::new()
        .get(format!("{base}/oidc/userinfo"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    let info: serde_json::Value = serde_json::from_str(&res.text().await.unwrap()).unwrap();
    assert_eq!(info["sub"].as_str(), Some(pat.as_str()), "the subject keeps its public id");
}

/// An upgrade that leaves more than a quarter of the file unused (as one that copies tables
/// does) compacts it before serving.
#[test]
fn an_upgrade_that_leaves_the_file_mostly_free_compacts_it() {
    let dir = tempfile::tempdir().unwrap();
    let free_pages = |conn: &mut SqliteConnection| -> (i64, i64) {
        let pages = type_of(
            conn,
            "SELECT (SELECT freelist_count FROM pragma_freelist_count) || ' ' || \
             (SELECT page_count FROM pragma_page_count) AS kind",
        );
        let (free, total) = pages.split_once(' ').unwrap();
        (free.parse().unwrap(), total.parse().unwrap())
    };
    {
        let path = dir.path().join(DB_FILE);
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        roster::db::stored_hash::register_functions(&mut conn).unwrap();
        conn.run_pending_migrations(MIGRATIONS).unwrap();
        back_to_before(&mut conn, "_audit_keys");
        // Pages written, then given up: most of the file is free.
        conn.batch_execute(
            "CREATE TABLE filler (b BLOB); \
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO filler SELECT randomblob(3000) FROM n; DROP TABLE filler;",
        )
        .unwrap();
        let (free, total) = free_pages(&mut conn);
        assert!(free * 4 > total, "{free} of {total} pages free before");
    }
    let db = Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    let (free, total) = free_pages(&mut conn);
    assert!(free * 4 <= total, "{free} of {total} pages free after the upgrade");
}

/// The events of the release before audit words read back through the log's view exactly as
/// they were written (labels of people since deleted, no subject, details, addresses), in the
/// same order; an event recorded after the upgrade shares the words already there.
#[test]
fn audit_events_of_the_release_before_audit_words_read_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let columns = "id || '|' || occurred_at || '|' || COALESCE(actor_id, '-') || '|' || \
                   actor_label || '|' || actor_name || '|' || action || '|' || \
                   COALESCE(subject_id, '-') || '|' || COALESCE(subject_label, '-') || '|' || \
                   details || '|' || ip";
    let rows = |conn: &mut SqliteConnection, from: &str| -> Vec<String> {
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            row: String,
        }
        diesel::sql_query(format!("SELECT {columns} AS row FROM {from} ORDER BY id"))
            .load::<Row>(conn)
            .unwrap()
            .into_iter()
            .map(|r| r.row)
            .collect()
    };
    let before = {
        let path = dir.path().join(DB_FILE);
        let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
        roster::db::stored_hash::register_functions(&mut conn).unwrap();
        conn.run_pending_migrations(MIGRATIONS).unwrap();
        back_to_before(&mut conn, "_audit_words");
        conn.batch_execute(
            "INSERT INTO audit_events (occurred_at, actor_id, actor_label, actor_name, action, \
             subject_id, subject_label, details, ip) VALUES \
             (1765000000000, '0190a000-0000-7000-8000-0000000000a1', 'ann@example.com', \
              'Ann Lee', 'customer.created', '0190a000-0000-7000-8000-0000000000b1', \
              'gone@example.com', '{}', '192.0.2.1'), \
             (1765000000001, NULL, 'anonymous', '', 'signin.failed', NULL, NULL, '{}', \
              '2001:db8::1'), \
             (1765000000002, '0190a000-0000-7000-8000-0000000000a1', 'ann@example.com', \
              'Ann Lee', 'customer.updated', '0190a000-0000-7000-8000-0000000000b1', \
              'gone@example.com', '{\"first_name\":{\"before\":\"A\",\"after\":\"B\"}}', ''), \
             (1765000000003, NULL, 'system', 'System', 'customer.deleted', \
              '0190a000-0000-7000-8000-0000000000b1', 'gone@example.com', '{}', '');",
        )
        .unwrap();
        rows(&mut conn, "audit_events")
    };
    assert_eq!(before.len(), 4);
    let db = Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    assert_eq!(rows(&mut conn, "audit_log"), before, "every event, every word, in order");
    let words = |conn: &mut SqliteConnection| {
        type_of(conn, "SELECT CAST(COUNT(*) AS TEXT) AS kind FROM audit_words")
    };
    // Each distinct id, label, name and action once: two accounts' ids, four labels
    // (with "anonymous" and "system"), three names (with no name), four actions.
    let distinct = words(&mut conn);
    assert_eq!(distinct, "13");
    roster::db::audit::record(
        &mut conn,
        &roster::db::audit::Actor::system("system").named("System"),
        "customer.deleted",
        Some(("0190a000-0000-7000-8000-0000000000b1", "gone@example.com")),
        serde_json::json!({}),
    )
    .unwrap();
    assert_eq!(words(&mut conn), distinct, "a repeated event adds no word");
    let after = rows(&mut conn, "audit_log");
    assert_eq!(after.len(), 5);
    assert!(after[4].ends_with("|system|System|customer.deleted|0190a000-0000-7000-8000-0000000000b1|gone@example.com|{}|"), "{}", after[4]);
}
