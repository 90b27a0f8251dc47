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
    let indexed: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT COUNT(*) FROM customer_search)",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert_eq!(indexed, 3010);
    let some: Vec<(String, String, String)> = accounts::table
        .select((accounts::email, accounts::first_name_key, accounts::last_name_key))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>("rowid IN (1, 1500, 3005)"))
        .load(&mut conn)
        .unwrap();
    for (email, first, last) in some {
        let middle: String = email.chars().skip(2).take(6).collect();
        for term in [middle, format!("{first} {last}")] {
            use roster::db::customer_list::{ListQuery, SortField, count_capped};
            let q = ListQuery {
                search: Some(term.clone()),
                status: None,
                sort: SortField::Created,
                descending: true,
                limit: 26,
                cursor: None,
                backwards: false,
                dense_search: false,
                group: None,
                matches: None,
            };
            assert!(count_capped(&mut conn, &q, 5000).unwrap() >= 1, "{term}");
        }
    }
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
