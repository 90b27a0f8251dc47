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
use roster::db::ids::{GroupId, PublicId};
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

/// A group to filter by.
fn a_group(c: &mut Conn) -> GroupId {
    let at = roster::db::now();
    roster::db::groups::insert(c, PublicId::new(), "Group", "group", at).unwrap()
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
        stream: false,
    }
}

/// A "Created" cursor is first looked up by public id; this database is empty, so its row is
/// gone and its place is found by its time (an unindexed walk back from the newest, rare).
const CURSOR_ROW: &str = "SEARCH accounts USING COVERING INDEX accounts_public_id (public_id=?)";

/// The default order is rowid order: the table itself, from the cursor's rowid on; a status's
/// customers from the status index, whose entries are in rowid order within a status.
#[test]
fn users_pages_walk_the_table_or_the_status_index_in_order_without_sorting() {
    use roster::domain::account::Status;
    let cursor = Cursor { value: "1767225600000".into(), id: "x".into() };
    let locked = ListQuery { status: Some(Status::Locked), ..list(None, None) };
    let (_dir, db) = open();
    let conn = &mut db.conn().unwrap();
    let dense = GroupFilter { id: a_group(conn), sparse: false };
    let plans = plans_of(conn, |c| {
        customer_list::page(c, &list(None, None)).unwrap();
        customer_list::page(c, &list(None, Some(cursor.clone()))).unwrap();
        customer_list::page(c, &list(Some(dense), None)).unwrap();
        customer_list::page(c, &locked).unwrap();
        customer_list::page(c, &ListQuery { cursor: Some(cursor), ..locked.clone() }).unwrap();
    });
    let expected = [
        "SCAN accounts",
        CURSOR_ROW,
        "SCAN accounts",
        "SEARCH accounts USING INTEGER PRIMARY KEY (rowid<?)",
        "SCAN accounts; SEARCH group_members EXISTS USING COVERING INDEX group_members_account",
        "SEARCH accounts USING INDEX accounts_status (status=?)",
        CURSOR_ROW,
        "SCAN accounts",
        "SEARCH accounts USING INDEX accounts_status (status=? AND rowid<?)",
    ];
    assert_eq!(plans.len(), expected.len(), "{plans:#?}");
    for (plan, start) in plans.iter().zip(expected) {
        assert!(plan.starts_with(start), "{start}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}

fn search(term: &str, dense: bool, sort: SortField) -> ListQuery {
    ListQuery { search: Some(term.into()), dense_search: dense, sort, ..list(None, None) }
}

fn streamed(term: &str) -> ListQuery {
    ListQuery { stream: true, ..search(term, false, SortField::Created) }
}

/// In the default order a search without a space reads its candidates from the trigram index in
/// rowid order, fetching each by rowid, and stops after a page: no sort, whatever the number
/// of matches, with a cursor, a status or a large group tested on each match.
#[test]
fn a_search_streams_from_the_trigram_index_in_rowid_order() {
    use roster::domain::account::Status;
    let cursor = Cursor { value: "1767225600000".into(), id: "x".into() };
    let active = ListQuery { status: Some(Status::Active), ..streamed("example.org") };
    let (_dir, db) = open();
    let conn = &mut db.conn().unwrap();
    let dense = GroupFilter { id: a_group(conn), sparse: false };
    let plans = plans_of(conn, |c| {
        customer_list::page(c, &streamed("example.org")).unwrap();
        customer_list::page(c, &ListQuery { cursor: Some(cursor), ..streamed("example.org") })
            .unwrap();
        customer_list::page(c, &active).unwrap();
        customer_list::count_capped(c, &active, 1001).unwrap();
        customer_list::page(c, &ListQuery { group: Some(dense), ..streamed("example") }).unwrap();
        customer_list::page(c, &streamed("exa")).unwrap();
    });
    let plans: Vec<_> =
        plans.into_iter().filter(|p| p != CURSOR_ROW && p != "SCAN accounts").collect();
    assert_eq!(plans.len(), 6, "{plans:#?}");
    for plan in &plans {
        let (matches, rows) = plan
            .split_once("SEARCH accounts USING INTEGER PRIMARY KEY (rowid=?)")
            .unwrap_or_else(|| panic!("matches fetched by rowid: {plan}"));
        assert!(matches.contains("SCAN customer_search VIRTUAL TABLE"), "{plan}");
        assert!(!rows.contains("accounts") && !plan.contains("TEMP B-TREE"), "{plan}");
    }
}

/// Few matches are collected from one index (the trigram index, reading no row for a single
/// trigram and confirming longer terms on the row; for a term with a space the customers'
/// (first, last) name index, reading no row), then a page fetches them by rowid.
#[test]
fn a_sparse_search_collects_its_matches_from_one_index() {
    let plans = plans(|c| {
        roster::db::customer_search::matching_ids(c, "exa", 1001).unwrap();
        roster::db::customer_search::matching_ids(c, "example", 1001).unwrap();
        roster::db::customer_search::matching_ids(c, "donna yam", 1001).unwrap();
        roster::db::customer_search::matching_ids(c, "mary ann smi", 1001).unwrap();
        customer_list::count_capped(c, &search("donna yam", false, SortField::Created), 1001)
            .unwrap();
        let collected = ListQuery {
            matches: Some(vec![1, 2, 3]),
            ..search("donna yam", false, SortField::Created)
        };
        customer_list::page(c, &collected).unwrap();
    });
    assert_eq!(plans.len(), 6, "{plans:#?}");
    assert!(plans[0].contains("customer_search") && !plans[0].contains("accounts"), "{plans:?}");
    let (matches, rows) = plans[1]
        .split_once("SEARCH accounts USING INTEGER PRIMARY KEY (rowid=?)")
        .unwrap_or_else(|| panic!("candidates confirmed by rowid: {}", plans[1]));
    assert!(matches.contains("SCAN customer_search VIRTUAL TABLE"), "{}", plans[1]);
    assert!(!rows.contains("accounts") && !plans[1].contains("TEMP B-TREE"), "{}", plans[1]);
    for plan in &plans[2..5] {
        assert!(plan.contains("COVERING INDEX accounts_customer_full_name"), "{plan}");
        assert!(!plan.contains("SCAN accounts") && !plan.contains("PRIMARY KEY"), "{plan}");
    }
    let (ids, rows) = plans[5]
        .split_once("SEARCH accounts USING INTEGER PRIMARY KEY (rowid=?)")
        .unwrap_or_else(|| panic!("collected matches fetched by rowid: {}", plans[5]));
    assert!(ids.contains("json_each") && !rows.contains("accounts"), "{}", plans[5]);
}

/// Many matches, when not streamed (a term with a space), are found by walking the order (the
/// table in rowid order;
/// the customers' last sign-in index, reading each entry's row), and a search narrowed by a
/// small status walks the status index in rowid order: no sort. A one- or two-letter prefix is
/// read from the customers' email and name indexes.
#[test]
fn a_dense_search_walks_the_order_without_sorting() {
    let locked = ListQuery {
        status: Some(roster::domain::account::Status::Locked),
        ..search("example.org", true, SortField::Created)
    };
    let plans = plans(|c| {
        customer_list::page(c, &search("donna yam", true, SortField::Created)).unwrap();
        customer_list::page(c, &search("example.com", true, SortField::LastSignIn)).unwrap();
        customer_list::page(c, &locked).unwrap();
        customer_list::count_capped(c, &locked, 1001).unwrap();
        customer_list::count_capped(c, &search("ab", false, SortField::Created), 1001).unwrap();
    });
    let (plans, prefix) = plans.split_at(4);
    let prefix = prefix.join(" | ");
    for index in
        ["accounts_customer_email", "accounts_customer_full_name", "accounts_customer_last_name"]
    {
        assert!(prefix.contains(&format!("INDEX {index}")), "{index}: {prefix}");
    }
    assert!(!prefix.contains("SCAN accounts"), "{prefix}");
    assert_eq!(plans[0], "SCAN accounts");
    assert!(plans[1].contains("accounts_customer_last_sign_in"), "{}", plans[1]);
    for plan in &plans[2..] {
        assert!(plan.contains("SEARCH accounts USING INDEX accounts_status (status=?)"), "{plan}");
    }
    for plan in plans {
        assert!(!plan.contains("TEMP B-TREE") && !plan.contains("customer_search"), "{plan}");
    }
}

/// Finding an account by email (signing in, a new customer's email taken), and the
/// administrators, read the one kind's email index, never the table.
#[test]
fn accounts_by_email_and_the_administrators_use_their_kinds_email_index() {
    use roster::domain::account::Kind;
    let plans = plans(|c| {
        roster::db::accounts::find_by_email(c, Kind::Customer, "a@example.com").unwrap();
        roster::db::accounts::find_by_email(c, Kind::Administrator, "a@example.com").unwrap();
        roster::db::accounts::administrators(c).unwrap();
        roster::db::accounts::owner_exists(c).unwrap();
    });
    let indexes = [
        "accounts_customer_email (email=?)",
        "accounts_administrator_email (email=?)",
        "accounts_administrator_email",
        "accounts_administrator_email",
    ];
    assert_eq!(plans.len(), indexes.len(), "{plans:#?}");
    for (plan, index) in plans.iter().zip(indexes) {
        assert!(plan.contains(index), "{index}: {plan}");
    }
}

/// The audit log's pages walk one index in key order, newest first, never sorting: the table
/// itself, or the index of the filter's word (found first in `audit_words`); a time bound is
/// a key found in the time index. The overview's count is a range of the action index alone.
#[test]
fn audit_log_pages_walk_one_index_in_key_order() {
    use roster::db::audit::{self, Filter};
    let at = roster::db::now();
    let plans = plans(|c| {
        let word = |w: &str| Some(w.to_owned());
        let filters = [
            Filter::default(),
            Filter { actor: word("a@example.com"), ..Filter::default() },
            Filter { subject: word("b@example.com"), ..Filter::default() },
            Filter {
                subject_id: word("0190a000-0000-7000-8000-0000000000b1"),
                ..Filter::default()
            },
            Filter {
                action: word("signin.failed"),
                from: Some(at),
                until: Some(at),
                ..Filter::default()
            },
            Filter { from: Some(at), until: Some(at), ..Filter::default() },
        ];
        for f in &filters {
            audit::page(c, f, Some(1_000), 51).unwrap();
        }
        audit::count_since(c, "signin.failed", at).unwrap();
    });
    let walks = [
        "SEARCH e USING INTEGER PRIMARY KEY (rowid<?)",
        "SEARCH e USING INDEX audit_events_actor (actor_label=? AND rowid<?)",
        "SEARCH e USING INDEX audit_events_subject_label (subject_label=? AND rowid<?)",
        "SEARCH e USING INDEX audit_events_subject (subject_id=? AND rowid<?)",
        "SEARCH e USING INDEX audit_events_action (action=? AND rowid>? AND rowid<?)",
        "SEARCH e USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)",
        "SEARCH audit_events USING COVERING INDEX audit_events_action (action=? AND rowid>?)",
    ];
    assert_eq!(plans.len(), walks.len(), "{plans:#?}");
    for (plan, walk) in plans.iter().zip(walks) {
        assert!(plan.contains(walk), "{walk}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
    for plan in &plans[4..] {
        assert!(plan.contains("USING COVERING INDEX audit_events_occurred"), "{plan}");
    }
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
