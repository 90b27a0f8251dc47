//! `roster seed`: many realistic customers, fast. Bulk multi-row INSERTs inside large immediate
//! transactions, one precomputed password hash for everyone, a deterministic RNG.

use chrono::{Duration, NaiveDateTime};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::accounts::NewAccount;
use super::schema::{accounts, group_members, groups};
use super::{Conn, now};
use crate::domain::account::{Kind, LockReason, Status};
use crate::domain::name::search_key;

const FIRST_NAMES: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Dorothy",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Edward",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Timothy",
    "Rebecca",
    "Jason",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
    "Nicholas",
    "Angela",
    "Eric",
    "Shirley",
    "Jonathan",
    "Anna",
    "Stephen",
    "Brenda",
    "Larry",
    "Pamela",
    "Justin",
    "Emma",
    "Scott",
    "Nicole",
    "Brandon",
    "Helen",
    "Benjamin",
    "Samantha",
    "Samuel",
    "Katherine",
    "Gregory",
    "Christine",
    "Alexander",
    "Debra",
    "Frank",
    "Rachel",
    "Patrick",
    "Carolyn",
    "Raymond",
    "Janet",
    "Jack",
    "Catherine",
    "Dennis",
    "Maria",
    "Jerry",
    "Heather",
    "Tyler",
    "Diane",
    "Aaron",
    "Ruth",
    "José",
    "Zoë",
    "Łukasz",
    "Søren",
    "Aoife",
    "Chloé",
    "Mei",
    "Hiroshi",
    "Priya",
    "Arjun",
    "Fatima",
    "Omar",
    "Olga",
    "Dmitri",
    "Ingrid",
    "Lars",
    "Sofia",
    "Mateo",
    "Lucía",
    "Amara",
    "Kwame",
    "Nia",
    "Yusuf",
    "Leila",
    "Noah",
    "Liam",
    "Olivia",
    "Ava",
    "Smilla",
    "Ethan",
    "Mia",
    "Lucas",
    "Isabella",
];

const LAST_NAMES: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Gomez",
    "Phillips",
    "Evans",
    "Turner",
    "Diaz",
    "Parker",
    "Cruz",
    "Edwards",
    "Collins",
    "Reyes",
    "Stewart",
    "Morris",
    "Morales",
    "Murphy",
    "Cook",
    "Rogers",
    "Gutierrez",
    "Ortiz",
    "Morgan",
    "Cooper",
    "Peterson",
    "Bailey",
    "Reed",
    "Kelly",
    "Howard",
    "Ramos",
    "Kim",
    "Cox",
    "Ward",
    "Richardson",
    "Watson",
    "Brooks",
    "Chavez",
    "Wood",
    "James",
    "Bennett",
    "Gray",
    "Mendoza",
    "Ruiz",
    "Hughes",
    "Price",
    "Alvarez",
    "Castillo",
    "Sanders",
    "Patel",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Jimenez",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Bell",
    "Coleman",
    "Butler",
    "Henderson",
    "Barnes",
    "Gonzales",
    "Fisher",
    "Vasquez",
    "Simmons",
    "Romero",
    "Jordan",
    "Patterson",
    "Alexander",
    "Hamilton",
    "Graham",
    "Reynolds",
    "Griffin",
    "Wallace",
    "Moreno",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Herrera",
    "Gibson",
    "Ellis",
    "Tran",
    "Medina",
    "Aguilar",
    "Stevens",
    "Murray",
    "Ford",
    "Castro",
    "Marshall",
    "Owens",
    "Harrison",
    "Fernandez",
    "McDonald",
    "Woods",
    "Washington",
    "Kennedy",
    "Wells",
    "Vargas",
    "Henry",
    "Chen",
    "Freeman",
    "Webb",
    "Tucker",
    "Guzman",
    "Burns",
    "Crawford",
    "Olson",
    "Simpson",
    "Porter",
    "Hunter",
    "Gordon",
    "Mendez",
    "Silva",
    "Shaw",
    "Snyder",
    "Mason",
    "Dixon",
    "Muñoz",
    "Hunt",
    "Hicks",
    "Holmes",
    "Palmer",
    "Wagner",
    "Black",
    "Robertson",
    "Boyd",
    "Rose",
    "Stone",
    "Salazar",
    "Fox",
    "Warren",
    "Mills",
    "Meyer",
    "Rice",
    "Schmidt",
    "Garza",
    "Daniels",
    "Ferguson",
    "Nichols",
    "Stephens",
    "Soto",
    "Weaver",
    "Ryan",
    "Gardner",
    "Payne",
    "Grant",
    "Dunn",
    "Kowalski",
    "Müller",
    "Østergaard",
    "O'Brien",
    "Nakamura",
    "Sato",
    "Yamamoto",
    "Singh",
    "Kumar",
    "Okafor",
    "Mensah",
    "Haddad",
    "Ivanova",
    "Novak",
    "Smithers",
    "Goldsmith",
    "Smit",
];

const DOMAINS: &[&str] =
    &["example.com", "example.org", "example.net", "mail.example", "post.example", "inbox.example"];

#[derive(Debug, Clone, Copy, Default)]
pub struct SeedReport {
    pub customers: u64,
    pub groups: u64,
    pub memberships: u64,
}

struct Row {
    id: String,
    email: String,
    first: &'static str,
    last: &'static str,
    first_key: String,
    last_key: String,
    status: Status,
    lock_reason: Option<LockReason>,
    created_at: NaiveDateTime,
    last_sign_in_at: Option<NaiveDateTime>,
}

/// Rows per INSERT: 15 bound columns × 2,000 stays under SQLite's 32,766-parameter limit.
const INSERT_ROWS: usize = 2_000;
/// How often progress is reported.
const PROGRESS_EVERY: u64 = 100_000;

fn ascii_slug(name: &str) -> String {
    name.chars()
        .filter_map(|c| match c {
            'a'..='z' | 'A'..='Z' => Some(c.to_ascii_lowercase()),
            'é' | 'É' => Some('e'),
            'ë' | 'ö' | 'ø' | 'Ø' => Some('o'),
            'ü' | 'ú' => Some('u'),
            'ł' | 'Ł' => Some('l'),
            'ñ' => Some('n'),
            'í' => Some('i'),
            _ => None,
        })
        .collect()
}

/// Adds `customers` customers (and `group_count` groups they join 0–3 of) and reports what it
/// wrote. `progress` is told after each transaction.
pub fn seed(
    conn: &mut Conn,
    customers: u64,
    group_count: u64,
    password_hash: &str,
    mut progress: impl FnMut(u64),
) -> anyhow::Result<SeedReport> {
    // Bulk-load settings for this connection only: a crash mid-seed loses at most the seed.
    conn.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576;")?;
    let existing: i64 = accounts::table.count().get_result(conn)?;
    let mut rng = StdRng::seed_from_u64(0x5EED ^ existing as u64);
    let now = now();
    let span_secs = 4 * 365 * 24 * 3600_i64;
    let mut report = SeedReport::default();

    // One transaction for everything: the secondary indexes and the triggers on `accounts` are
    // dropped, the rows inserted, the indexes rebuilt (a sort, far cheaper than a million random
    // index insertions) and what the triggers keep (search index, counts by status) brought up
    // to date in one statement each. If the seed is interrupted, all of it rolls back.
    conn.immediate_transaction(|conn| -> anyhow::Result<()> {
        let indexes = schema_objects(conn, "index")?;
        let mut triggers = schema_objects(conn, "trigger")?;
        // Only the triggers whose work the seed does itself, below.
        triggers.retain(|(name, _)| {
            name.starts_with("customer_search_") || name.starts_with("customer_counts_")
        });
        for (kind, name) in indexes
            .iter()
            .map(|i| ("INDEX", &i.0))
            .chain(triggers.iter().map(|t| ("TRIGGER", &t.0)))
        {
            // An identifier cannot be a bound parameter; the names come from our own schema.
            let drop = format!("DROP {kind} \"{name}\"");
            diesel::sql_query(drop).execute(conn)?;
        }
        let last_rowid: i64 = accounts::table
            .select(diesel::dsl::sql::<diesel::sql_types::BigInt>("COALESCE(MAX(rowid), 0)"))
            .get_result(conn)?;
        let group_ids = insert_groups(conn, group_count, existing, now)?;
        report.groups = group_ids.len() as u64;
        let mut memberships: Vec<(usize, String, NaiveDateTime)> = Vec::new();
        let mut done = 0u64;
        while done < customers {
            let n = (INSERT_ROWS as u64).min(customers - done);
            let rows: Vec<Row> = (0..n)
                .map(|i| make_row(&mut rng, existing as u64 + done + i, now, span_secs))
                .collect();
            insert_rows(conn, &rows, password_hash)?;
            pick_memberships(&mut rng, &rows, group_ids.len(), &mut memberships);
            let before = done;
            done += n;
            report.customers = done;
            if done / PROGRESS_EVERY != before / PROGRESS_EVERY || done == customers {
                progress(done);
            }
        }
        // In key order, each insert appends to the primary key's B-tree instead of splitting it.
        memberships.sort_unstable_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        report.memberships = insert_memberships(conn, &memberships, &group_ids)?;
        // New rows got rowids above every existing one (SQLite gives max(rowid) + 1). Before the
        // indexes are rebuilt, while the page cache is not yet full of their pages: measured at
        // 1M customers with names in the index too, 7 s here against 43 s after the rebuild and
        // ~45 s as per-row triggers (the whole seed: 49 s, against 77 s with the triggers left
        // in place). With the emails alone the whole seed takes 50-54 s.
        super::customer_search::index_after(conn, last_rowid)?;
        for (_, sql) in indexes.iter().chain(&triggers) {
            diesel::sql_query(sql.as_str()).execute(conn)?;
        }
        super::customer_counts::recount(conn)?;
        Ok(())
    })?;
    conn.batch_execute(
        "PRAGMA synchronous = NORMAL; PRAGMA cache_size = -2000; ANALYZE; \
         PRAGMA wal_checkpoint(TRUNCATE);",
    )?;
    Ok(report)
}

/// The indexes of the seeded tables that are not part of a primary key or unique constraint, or
/// the triggers on `accounts`: (name, CREATE statement). SQLite-specific: read from
/// `sqlite_master`.
fn schema_objects(conn: &mut Conn, kind: &str) -> anyhow::Result<Vec<(String, String)>> {
    #[derive(QueryableByName)]
    struct Index {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        sql: String,
    }
    let rows: Vec<Index> = diesel::sql_query(
        "SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL \
         AND (tbl_name = 'accounts' OR (type = 'index' AND tbl_name = 'group_members'))",
    )
    .bind::<diesel::sql_types::Text, _>(kind)
    .load(conn)?;
    Ok(rows.into_iter().map(|i| (i.name, i.sql)).collect())
}

fn insert_rows(conn: &mut Conn, rows: &[Row], password_hash: &str) -> anyhow::Result<()> {
    let new: Vec<NewAccount<'_>> = rows
        .iter()
        .map(|r| NewAccount {
            id: &r.id,
            kind: Kind::Customer.as_str(),
            role: None,
            email: &r.email,
            first_name: r.first,
            last_name: r.last,
            first_name_key: &r.first_key,
            last_name_key: &r.last_key,
            password_hash: matches!(r.status, Status::Active | Status::Locked)
                .then_some(password_hash),
            must_change_password: false,
            status: r.status.as_str(),
            lock_reason: r.lock_reason.map(LockReason::as_str),
            created_at: r.created_at,
            updated_at: r.created_at,
            last_sign_in_at: r.last_sign_in_at,
        })
        .collect();
    diesel::insert_into(accounts::table).values(&new).execute(conn)?;
    Ok(())
}

/// Each customer joins 0–3 of the groups: (group index, account id, joined at).
fn pick_memberships(
    rng: &mut StdRng,
    rows: &[Row],
    groups: usize,
    out: &mut Vec<(usize, String, NaiveDateTime)>,
) {
    if groups == 0 {
        return;
    }
    for r in rows {
        let k = rng.random_range(0..=3usize).min(groups);
        let start = rng.random_range(0..groups);
        for j in 0..k {
            out.push(((start + j) % groups, r.id.clone(), r.created_at));
        }
    }
}

fn insert_memberships(
    conn: &mut Conn,
    memberships: &[(usize, String, NaiveDateTime)],
    group_ids: &[String],
) -> anyhow::Result<u64> {
    for chunk in memberships.chunks(10_000) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(g, account, at)| {
                (
                    group_members::group_id.eq(&group_ids[*g]),
                    group_members::account_id.eq(account),
                    group_members::added_at.eq(at),
                )
            })
            .collect();
        diesel::insert_into(group_members::table).values(&values).execute(conn)?;
    }
    let mut counts = vec![0i32; group_ids.len()];
    for (g, _, _) in memberships {
        counts[*g] += 1;
    }
    for (id, n) in group_ids.iter().zip(counts) {
        diesel::update(groups::table.find(id))
            .set(groups::member_count.eq(groups::member_count + n))
            .execute(conn)?;
    }
    Ok(memberships.len() as u64)
}

fn insert_groups(
    conn: &mut Conn,
    count: u64,
    salt: i64,
    at: NaiveDateTime,
) -> anyhow::Result<Vec<String>> {
    const TOPICS: &[&str] = &[
        "beta",
        "vip",
        "newsletter",
        "wholesale",
        "retail",
        "partners",
        "support",
        "trial",
        "premium",
        "students",
        "staff",
        "emea",
        "apac",
        "americas",
        "events",
    ];
    let mut ids = Vec::new();
    for i in 0..count {
        let name = format!("{}-{}", TOPICS[(i as usize) % TOPICS.len()], salt + i as i64);
        let id = super::new_id();
        diesel::insert_into(groups::table)
            .values((
                groups::id.eq(&id),
                groups::name_key.eq(search_key(&name)),
                groups::name.eq(&name),
                groups::created_at.eq(at),
                groups::updated_at.eq(at),
            ))
            .execute(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

fn make_row(rng: &mut StdRng, n: u64, now: NaiveDateTime, span_secs: i64) -> Row {
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let domain = DOMAINS[rng.random_range(0..DOMAINS.len())];
    let email = match n % 3 {
        0 => format!("{}.{}{}@{}", ascii_slug(first), ascii_slug(last), n, domain),
        1 => format!("{}{}{}@{}", &ascii_slug(first)[..1], ascii_slug(last), n, domain),
        _ => format!("{}_{}@{}", ascii_slug(last), n, domain),
    };
    let age = Duration::microseconds(rng.random_range(0..span_secs * 1_000_000));
    let created_at = now - age;
    let roll = rng.random_range(0..100);
    let (status, lock_reason) = match roll {
        0..=87 => (Status::Active, None),
        88..=92 => (Status::PendingPassword, None),
        93..=95 => (Status::PendingVerification, None),
        96..=97 => (Status::Locked, Some(LockReason::Admin)),
        _ => (Status::Locked, Some(LockReason::FailedAttempts)),
    };
    let last_sign_in_at = (matches!(status, Status::Active | Status::Locked)
        && rng.random_range(0..10) < 8)
        .then(|| {
            let since = (now - created_at).num_microseconds().unwrap_or(1).max(1);
            created_at + Duration::microseconds(rng.random_range(0..since))
        });
    let millis = created_at.and_utc().timestamp_millis().max(0) as u64;
    let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
        uuid::NoContext,
        millis / 1000,
        ((millis % 1000) * 1_000_000) as u32,
    ));
    Row {
        id: id.to_string(),
        email,
        first,
        last,
        first_key: search_key(first),
        last_key: search_key(last),
        status,
        lock_reason,
        created_at,
        last_sign_in_at,
    }
}
