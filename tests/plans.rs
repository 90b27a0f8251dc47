//! Query plans of the statements whose speed depends on one index: each is run as the server
//! runs it, its SQL captured with diesel's instrumentation, and SQLite's `EXPLAIN QUERY PLAN`
//! of that exact text is checked. SQLite is built with query planner stability
//! (`.cargo/config.toml`): plans follow the SQL text alone, never a bound value, so a partial
//! index is only usable when the query spells its condition — these tests hold that.

use std::sync::{Arc, Mutex};

use diesel::connection::{Connection, InstrumentationEvent};
use diesel::sql_types::Text;
use diesel::{QueryableByName, RunQueryDsl};
use roster::db::customer_list::{self, Cursor, GroupFilter, ListQuery, SortField};
use roster::db::{Conn, Db};

#[derive(QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = Text)]
    detail: String,
}

/// The plan of every statement `f` runs on a fresh database, one string per statement.
fn plans(f: impl FnOnce(&mut Conn)) -> Vec<String> {
    let (_dir, db) = open();
    plans_of(&mut db.conn().unwrap(), f)
}

/// The plan of every statement `f` runs, one string per statement.
fn plans_of(conn: &mut Conn, f: impl FnOnce(&mut Conn)) -> Vec<String> {
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let sink = seen.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let text = query.to_string();
            sink.lock().unwrap().push(text.split(" -- binds: ").next().unwrap_or("").to_owned());
        }
    });
    f(conn);
    conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
    let statements = seen.lock().unwrap().clone();
    statements
        .iter()
        .map(|sql| {
            // Unbound parameters are NULL, which EXPLAIN QUERY PLAN accepts.
            diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
                .load::<PlanRow>(conn)
                .unwrap()
                .into_iter()
                .map(|r| r.detail)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect()
}

fn open() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(dir.path()).unwrap();
    (dir, db)
}

#[test]
fn the_senders_polls_use_the_partial_index_of_unsent_messages() {
    let at = roster::db::now();
    let plans = plans(|c| {
        roster::db::outbox::due(c, at, 10).unwrap();
        roster::db::outbox::next_due_at(c).unwrap();
    });
    assert_eq!(plans.len(), 2);
    for plan in plans {
        assert!(plan.contains("outbox_due"), "{plan}");
    }
}

#[test]
fn the_lock_sweeper_uses_the_partial_index_of_timed_locks() {
    let at = roster::db::now();
    let plans = plans(|c| {
        roster::db::accounts::expired_locks(c, at, 10).unwrap();
    });
    assert!(plans[0].contains("accounts_locked_until"), "{}", plans[0]);
}

fn list(group: Option<GroupFilter>, cursor: Option<Cursor>) -> ListQuery {
    ListQuery {
        search: None,
        status: None,
        sort: SortField::Created,
        descending: true,
        limit: 26,
        cursor,
        backwards: false,
        dense_search: false,
        group,
        matches: None,
    }
}

#[test]
fn users_pages_walk_an_index_in_order_without_sorting() {
    let cursor = Cursor { value: "1767225600000".into(), id: "x".into() };
    let dense = GroupFilter { id: "g".into(), sparse: false };
    let plans = plans(|c| {
        customer_list::page(c, &list(None, None)).unwrap();
        customer_list::page(c, &list(None, Some(cursor))).unwrap();
        customer_list::page(c, &list(Some(dense), None)).unwrap();
    });
    for plan in &plans {
        assert!(plan.contains("accounts_kind_created"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}

fn search(term: &str, dense: bool, sort: SortField) -> ListQuery {
    ListQuery { search: Some(term.into()), dense_search: dense, sort, ..list(None, None) }
}

/// A search of three letters or more with few matches collects them from three indexes (the
/// trigram index of emails, "first last", the last name), then fetches each by rowid: so on a
/// database without statistics too (this one), where SQLite otherwise walked the sort index
/// testing every row. Its count reads the indexes alone, unless narrowed by a status; the list
/// collects the matches once and starts the count and the page from them. Without one of the
/// indexes they fail.
#[test]
fn a_sparse_search_collects_its_matches_from_the_trigram_and_name_indexes() {
    use roster::domain::account::Status;
    let locked =
        |sort| ListQuery { status: Some(Status::Locked), ..search("donna yam", false, sort) };
    let plans = plans(|c| {
        customer_list::page(c, &search("donna yam", false, SortField::Created)).unwrap();
        customer_list::page(c, &locked(SortField::Created)).unwrap();
        customer_list::count_capped(c, &search("donna yam", false, SortField::Created), 1001)
            .unwrap();
        customer_list::count_capped(c, &locked(SortField::Email), 1001).unwrap();
        roster::db::customer_search::matching_ids(c, "donna yam", 1001).unwrap();
        let collected = ListQuery {
            matches: Some("[1,2,3]".into()),
            ..search("donna yam", false, SortField::Created)
        };
        customer_list::page(c, &collected).unwrap();
    });
    // The two pages, the count, the narrowed count; the matches collected, a page from them.
    assert_eq!(plans.len(), 6, "{plans:#?}");
    let indexes = [
        "SCAN customer_search VIRTUAL TABLE INDEX",
        "COVERING INDEX accounts_kind_full_name (kind=? AND <expr>>? AND <expr><?)",
        "COVERING INDEX accounts_kind_last_name (kind=? AND last_name_key>? AND last_name_key<?)",
    ];
    for plan in [&plans[0], &plans[1], &plans[3]] {
        let (matches, rows) = plan
            .split_once("SEARCH accounts USING INTEGER PRIMARY KEY (rowid=?)")
            .unwrap_or_else(|| panic!("matches fetched by rowid: {plan}"));
        for index in indexes {
            assert!(matches.contains(index), "{index}: {plan}");
        }
        assert!(!rows.contains("accounts_kind"), "{plan}");
    }
    for plan in [&plans[2], &plans[4]] {
        for index in indexes {
            assert!(plan.contains(index), "{index}: {plan}");
        }
        assert!(!plan.contains("INTEGER PRIMARY KEY"), "no row read: {plan}");
    }
    let (ids, rows) = plans[5]
        .split_once("SEARCH accounts USING INTEGER PRIMARY KEY (rowid=?)")
        .unwrap_or_else(|| panic!("collected matches fetched by rowid: {}", plans[5]));
    assert!(ids.contains("json_each") && !rows.contains("accounts_kind"), "{}", plans[5]);
}

/// With many matches it walks the sort order's index, which carries the email and name keys,
/// in order: no sort, and (see the SQL) no row fetched to test a match.
#[test]
fn a_dense_substring_search_walks_the_sort_index_without_sorting() {
    let plans = plans(|c| {
        customer_list::page(c, &search("example.com", true, SortField::Created)).unwrap();
        customer_list::page(c, &search("donna yam", true, SortField::LastSignIn)).unwrap();
    });
    assert!(plans[0].contains("accounts_kind_created"), "{}", plans[0]);
    assert!(plans[1].contains("accounts_kind_last_sign_in"), "{}", plans[1]);
    for plan in &plans {
        assert!(!plan.contains("TEMP B-TREE") && !plan.contains("customer_search"), "{plan}");
    }
}

/// A search narrowed by a small status, walked (see `accounts::list::walks_status`): the
/// status's index is in the default order and carries the email and name keys, so the count
/// reads no row and the page fetches only the rows it shows.
#[test]
fn a_search_narrowed_by_a_status_walks_the_status_index_deciding_from_it() {
    let q = ListQuery {
        status: Some(roster::domain::account::Status::Locked),
        ..search("example.org", true, SortField::Created)
    };
    let plans = plans(|c| {
        customer_list::count_capped(c, &q, 1001).unwrap();
        customer_list::page(c, &q).unwrap();
    });
    let index = "accounts_kind_status_created (kind=? AND status=?)";
    assert!(plans[0].contains(&format!("COVERING INDEX {index}")), "{}", plans[0]);
    assert!(plans[1].contains(index) && !plans[1].contains("TEMP B-TREE"), "{}", plans[1]);
}

#[derive(QueryableByName)]
struct CompileOption {
    #[diesel(sql_type = Text)]
    compile_options: String,
}

/// The two build flags of `.cargo/config.toml` reached the bundled SQLite (a build without
/// them re-plans nearly every cached statement on every run, and serializes page reads), and
/// FTS5, which the search index needs, is built in (libsqlite3-sys enables it by default).
#[test]
fn sqlite_is_built_with_planner_stability_and_per_connection_page_caches() {
    let (_dir, db) = open();
    let mut conn = db.conn().unwrap();
    let options: Vec<String> = diesel::sql_query("PRAGMA compile_options")
        .load::<CompileOption>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|o| o.compile_options)
        .collect();
    assert!(options.iter().any(|o| o == "ENABLE_QPSG"), "{options:?}");
    assert!(options.iter().any(|o| o == "ENABLE_FTS5"), "the search index: {options:?}");
    assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
}
