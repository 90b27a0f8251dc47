use std::io::Write;
use std::process::{Command, Stdio};

/// Runs the `roster` binary on `data_dir` with `args`, feeding `stdin`.
pub fn roster(data_dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env("ROSTER_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn create_owner_reads_the_password_from_stdin_and_refuses_a_second_owner() {
    let dir = tempfile::tempdir().unwrap();
    let weak = roster(dir.path(), &["create-owner", "--email", "a@example.com"], "short\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("at least 12 characters"));

    let ok = roster(
        dir.path(),
        &["create-owner", "--email", "A@Example.com", "--first-name", "Ada"],
        "a long owner passphrase\n",
    );
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("a@example.com"));

    let second = roster(
        dir.path(),
        &["create-owner", "--email", "b@example.com"],
        "another long passphrase\n",
    );
    assert!(!second.status.success());
    assert!(String::from_utf8_lossy(&second.stderr).contains("already has an owner"));
}

#[test]
fn seed_adds_customers_with_varied_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let out = roster(dir.path(), &["seed", "--customers", "3000", "--groups", "4"], "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Seeded 3000 customers, 4 groups"));
    let again = roster(dir.path(), &["seed", "--customers", "10"], "");
    assert!(again.status.success(), "seeding twice adds more, without clashing emails");

    let db = roster::db::Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    use diesel::prelude::*;
    use roster::db::schema::accounts;
    let total: i64 = accounts::table.count().get_result(&mut conn).unwrap();
    assert_eq!(total, 3010);
    let statuses: Vec<String> =
        accounts::table.select(accounts::status).distinct().load(&mut conn).unwrap();
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    use roster::db::schema::{group_members, groups};
    let kept: Vec<i32> = groups::table.select(groups::member_count).load(&mut conn).unwrap();
    let real: i64 = group_members::table.count().get_result(&mut conn).unwrap();
    assert_eq!(kept.iter().map(|n| *n as i64).sum::<i64>(), real, "member counts match");
    assert!(real > 0);

    // What the triggers keep, which the seed fills itself: the counts by status and the search
    // index (one entry per customer; each found by a middle part of its email and by its name).
    let kept = roster::db::customer_counts::by_status(&mut conn).unwrap();
    for (status, n) in kept {
        let counted: i64 = accounts::table
            .filter(accounts::status.eq(status.as_str()))
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(n, counted, "{status:?}");
    }
    // Every seeded email has "example" in its domain: each customer is in the index once.
    let indexed = roster::db::customer_search::matching_ids(&mut conn, "example", 10_000).unwrap();
    let customers: Vec<roster::db::ids::AccountId> = accounts::table
        .filter(roster::db::accounts::of_kind(roster::domain::account::Kind::Customer))
        .select(accounts::id)
        .order(accounts::id)
        .load(&mut conn)
        .unwrap();
    assert_eq!(indexed, customers.iter().map(|k| k.get()).collect::<Vec<_>>());
    assert_eq!(indexed.len(), 3010);
    let some: Vec<(String, String, String)> = accounts::table
        .select((accounts::email, accounts::first_name_key, accounts::last_name_key))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("rowid IN (1, 1500, 3005)"))
        .load(&mut conn)
        .unwrap();
    for (email, first, last) in some {
        let middle: String = email.chars().skip(2).take(6).collect();
        for term in [middle, format!("{first} {last}")] {
            let q = crate::users::search_query(&term);
            assert!(
                roster::db::customer_list::count_capped(&mut conn, &q, 5000).unwrap() >= 1,
                "{term}"
            );
        }
    }
}

/// The database's indexes and triggers by name, and what is left of a load (none after a seed).
pub fn schema_objects(conn: &mut diesel::SqliteConnection) -> Vec<String> {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let names: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY name",
    )
    .load(conn)
    .unwrap();
    names.into_iter().map(|n| n.name).collect()
}

#[test]
fn seed_adds_audit_events_and_leaves_every_index_and_trigger_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let db = roster::db::Db::open(dir.path()).unwrap();
        schema_objects(&mut db.conn().unwrap())
    };
    let out = roster(
        dir.path(),
        &["seed", "--customers", "2500", "--groups", "3", "--events", "4000"],
        "",
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("Seeded 2500 customers, 3 groups") && said.contains("4000 audit events"));
    // Not a terminal: the progress comes as lines, the last of them the index rebuild.
    let progress = String::from_utf8_lossy(&out.stderr);
    assert!(progress.contains("customers [") && progress.contains("100%"), "{progress}");
    assert!(progress.contains("indexes ["), "{progress}");

    let db = roster::db::Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    assert_eq!(schema_objects(&mut conn), before, "every index and trigger is back");
    assert!(!roster::db::bulk_load::pending(&mut conn).unwrap());
    use diesel::prelude::*;
    use roster::db::audit::audit_log as audit_events;
    use roster::db::schema::accounts;
    let events: i64 = audit_events::table.count().get_result(&mut conn).unwrap();
    assert_eq!(events, 4000);
    // About seeded customers, newest last, in the order their ids sort.
    let subjects: Vec<String> = audit_events::table
        .filter(audit_events::subject_id.is_not_null())
        .select(audit_events::subject_id.assume_not_null())
        .load(&mut conn)
        .unwrap();
    assert!(subjects.len() > 2000, "{}", subjects.len());
    for subject in [&subjects[0], &subjects[subjects.len() - 1]] {
        let found = roster::db::accounts::find_public(&mut conn, subject).unwrap();
        assert!(found.is_some(), "{subject} is a seeded customer's public id");
    }
    // Events are keyed in the order they happened.
    let by_time: Vec<i64> = audit_events::table
        .order(audit_events::occurred_at)
        .select(audit_events::id)
        .load(&mut conn)
        .unwrap();
    let mut by_id = by_time.clone();
    by_id.sort();
    assert_eq!(by_time, by_id);
    // Customers too: created in the order of their keys and of their public ids, so every key
    // is appended.
    let by_time: Vec<(roster::db::ids::AccountId, roster::db::ids::PublicId)> = accounts::table
        .order(accounts::created_at)
        .select((accounts::id, accounts::public_id))
        .load(&mut conn)
        .unwrap();
    let mut by_key = by_time.clone();
    by_key.sort_by_key(|a| a.0);
    assert_eq!(by_time, by_key);
    let mut by_public_id = by_time.clone();
    by_public_id.sort_by_key(|a| a.1);
    assert_eq!(by_time, by_public_id);
    // The file is back in WAL mode for the server.
    #[derive(QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(&mut conn).unwrap();
    assert_eq!(mode.journal_mode, "wal");

    // Events alone, about customers already there.
    drop(conn);
    drop(db);
    let more = roster(dir.path(), &["seed", "--events", "10"], "");
    assert!(more.status.success(), "{}", String::from_utf8_lossy(&more.stderr));
    let db = roster::db::Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    let events: i64 = audit_events::table.count().get_result(&mut conn).unwrap();
    assert_eq!(events, 4010);
    // After the events already there, so keys still follow time (From/Until rely on it).
    let by_time: Vec<i64> = audit_events::table
        .order((audit_events::occurred_at, audit_events::id))
        .select(audit_events::id)
        .load(&mut conn)
        .unwrap();
    let mut by_id = by_time.clone();
    by_id.sort();
    assert_eq!(by_time, by_id, "the second seed's events come after the first's");
}

#[test]
fn a_seed_refuses_while_roster_holds_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = roster::db::Db::open(dir.path()).unwrap();
    let _serving = db.conn().unwrap(); // as a running server keeps its connections
    let out = roster(dir.path(), &["seed", "--customers", "10"], "");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("stop Roster before seeding"));
    use diesel::prelude::*;
    let n: i64 =
        roster::db::schema::accounts::table.count().get_result(&mut db.conn().unwrap()).unwrap();
    assert_eq!(n, 0, "nothing was added");
    assert!(!roster::db::bulk_load::pending(&mut db.conn().unwrap()).unwrap());
}

#[test]
fn an_interrupted_load_is_finished_before_the_database_is_used() {
    let dir = tempfile::tempdir().unwrap();
    let before = {
        let db = roster::db::Db::open(dir.path()).unwrap();
        schema_objects(&mut db.conn().unwrap())
    };
    {
        // A seed that set the indexes aside, added a customer, and stopped there.
        let mut conn = roster::db::Db::open_alone(dir.path()).unwrap();
        roster::db::bulk_load::set_aside(&mut conn).unwrap();
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "INSERT INTO accounts (public_id, kind, email, first_name, last_name, \
             first_name_key, last_name_key, status, created_at, updated_at) VALUES \
             (unhex('0190a0000000700080000000000000aa'), 'customer', 'halfway@example.org', \
             'Hal', 'Way', 'hal', 'way', 'active', 1767225600000, 1767225600000)",
        )
        .unwrap();
        assert_ne!(schema_objects(&mut conn), before);
    }
    let db = roster::db::Db::open(dir.path()).unwrap();
    let mut conn = db.conn().unwrap();
    assert_eq!(schema_objects(&mut conn), before, "rebuilt on open");
    assert!(!roster::db::bulk_load::pending(&mut conn).unwrap());
    let kept = roster::db::customer_counts::by_status(&mut conn).unwrap();
    assert!(kept.iter().any(|(s, n)| s.as_str() == "active" && *n == 1), "{kept:?}");
    let q = crate::users::search_query("fway@exam");
    assert_eq!(
        roster::db::customer_list::count_capped(&mut conn, &q, 5000).unwrap(),
        1,
        "in the search index"
    );
}

#[test]
fn a_short_session_secret_stops_serve_with_a_message_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("--data-dir")
        .arg(dir.path())
        .env("ROSTER_SESSION_SECRET", "short")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ROSTER_SESSION_SECRET"));
}
