-- Leaner search and indexes (issue 20): 1M customers, fresh seed, by dbstat.
--
-- The trigram index keeps only which customers hold each trigram (detail=none), not where in
-- which column (127 → 37 bytes per customer), and no per-row column sizes (columnsize=0,
-- 13 bytes): a term is then every trigram of it, anywhere in the row, and for more than one
-- trigram the row's own columns confirm the match (`customer_search`). Without
-- `contentless_delete` (which needs the sizes), a row leaves the index by the 'delete' command
-- with the values it was indexed with, which the triggers have (old.*).
DROP TRIGGER IF EXISTS customer_search_update;
DROP TRIGGER IF EXISTS customer_search_delete;
DROP TRIGGER IF EXISTS customer_search_insert;
DROP TABLE customer_search;
CREATE VIRTUAL TABLE customer_search USING fts5(
    email_text, name_text, tokenize = 'trigram', content = '', detail = none, columnsize = 0
);
-- In rowid order, with a large in-memory buffer for this one statement (see
-- customer_search::index_after), then back to the default for the triggers' single rows.
INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 67108864);
INSERT INTO customer_search (rowid, email_text, name_text)
    SELECT id, email, first_name_key || ' ' || last_name_key FROM accounts
    WHERE +kind = 'customer' ORDER BY id;
INSERT INTO customer_search (customer_search) VALUES ('optimize');
INSERT INTO customer_search (customer_search, rank) VALUES ('hashsize', 1048576);

CREATE TRIGGER customer_search_insert AFTER INSERT ON accounts WHEN new.kind = 'customer'
BEGIN
    INSERT INTO customer_search (rowid, email_text, name_text)
    VALUES (new.id, new.email, new.first_name_key || ' ' || new.last_name_key);
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON accounts WHEN old.kind = 'customer'
BEGIN
    INSERT INTO customer_search (customer_search, rowid, email_text, name_text)
    VALUES ('delete', old.id, old.email, old.first_name_key || ' ' || old.last_name_key);
END;
CREATE TRIGGER customer_search_update
AFTER UPDATE OF kind, email, first_name_key, last_name_key ON accounts
WHEN old.kind IS NOT new.kind OR old.email IS NOT new.email
    OR old.first_name_key IS NOT new.first_name_key OR old.last_name_key IS NOT new.last_name_key
BEGIN
    INSERT INTO customer_search (customer_search, rowid, email_text, name_text)
    SELECT 'delete', old.id, old.email, old.first_name_key || ' ' || old.last_name_key
    WHERE old.kind = 'customer';
    INSERT INTO customer_search (rowid, email_text, name_text)
    SELECT new.id, new.email, new.first_name_key || ' ' || new.last_name_key
    WHERE new.kind = 'customer';
END;

-- A term with a space ("donna yam") is the start of "first last": found in an index of
-- (first name, last name) keys, which also serves a first name's prefix, instead of an index
-- of the concatenation beside one of first names (31 + 24 → 22 bytes per customer).
DROP INDEX IF EXISTS accounts_kind_full_name;

-- The Last sign-in order without the email and name keys (70 → ~15 bytes per customer): a
-- dense search in that order reads the row of each entry it walks, as the email order does.
-- It, the two name indexes and the email index are partial
-- indexes, one kind each, instead of the kind's 9 bytes in every entry; an email stays unique
-- within its kind. Queries spell the kind (`kind = 'customer'`, `accounts::of_kind`) as SQLite
-- needs to use them; with the kind no longer leading an index, none can be served by the
-- whole of a kind instead (SQLite chose that over a name's range on a file without statistics).
DROP INDEX IF EXISTS accounts_kind_last_sign_in;
CREATE INDEX accounts_customer_last_sign_in ON accounts (COALESCE(last_sign_in_at, 0))
    WHERE kind = 'customer';
DROP INDEX IF EXISTS accounts_kind_first_name;
CREATE INDEX accounts_customer_full_name ON accounts (first_name_key, last_name_key)
    WHERE kind = 'customer';
DROP INDEX IF EXISTS accounts_kind_last_name;
CREATE INDEX accounts_customer_last_name ON accounts (last_name_key) WHERE kind = 'customer';
DROP INDEX IF EXISTS accounts_kind_email;
CREATE UNIQUE INDEX accounts_customer_email ON accounts (email) WHERE kind = 'customer';
CREATE UNIQUE INDEX accounts_administrator_email ON accounts (email)
    WHERE kind = 'administrator';

-- Only the statuses that are a small share of customers are indexed (16 → ~2 bytes per
-- customer): a list of the active ones walks the table, nearly every row of which it keeps.
-- Queries spell `status <> 'active'` for SQLite to use it (see customer_list::filters).
DROP INDEX IF EXISTS accounts_status;
CREATE INDEX accounts_status ON accounts (status) WHERE status <> 'active';

-- Password hashes in their compact form (db::stored_hash: 97 → 55 bytes); a function of
-- Roster's own, registered on its connections, so this runs only under Roster. A hash of
-- another kind keeps its text.
UPDATE accounts SET password_hash = roster_compact_hash(password_hash)
    WHERE typeof(password_hash) = 'text' AND roster_compact_hash(password_hash) IS NOT NULL;

-- An interrupted `roster seed` had set the old objects aside: its restore makes these instead.
DELETE FROM bulk_load_pending WHERE name IN
    ('customer_search_insert', 'customer_search_delete', 'customer_search_update',
     'accounts_kind_full_name', 'accounts_kind_last_sign_in', 'accounts_kind_first_name',
     'accounts_kind_last_name', 'accounts_kind_email', 'accounts_status');
UPDATE bulk_load_pending SET after_rowid = (SELECT COALESCE(MAX(id), 0) FROM accounts);
