-- Finding people (issue 19): search by any part of a customer's email address (a domain too) or
-- of their full name, and the number of customers by status. Both are kept by triggers on
-- `accounts`, so they change in the transaction of every insert, update and delete, whatever
-- code path makes it. SQLite-specific (FTS5); PostgreSQL will use pg_trgm and its own triggers.

-- A trigram index of every customer's email and full name ("first last", from the lower-cased
-- name keys). Contentless: the text is already in `accounts`, the index keeps only trigrams and
-- their positions (a substring is a phrase of consecutive trigrams). contentless_delete=1 lets
-- the triggers delete a row by its rowid. Keyed by `accounts.rowid`: accounts has no integer
-- key, and VACUUM keeps the rowids of a table with indexes (a test holds that).
CREATE VIRTUAL TABLE customer_search USING fts5(
    email_text, full_name, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO customer_search (rowid, email_text, full_name)
    SELECT rowid, email, first_name_key || ' ' || last_name_key FROM accounts
    WHERE kind = 'customer';

CREATE TRIGGER customer_search_insert AFTER INSERT ON accounts WHEN new.kind = 'customer'
BEGIN
    INSERT INTO customer_search (rowid, email_text, full_name)
    VALUES (new.rowid, new.email, new.first_name_key || ' ' || new.last_name_key);
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON accounts WHEN old.kind = 'customer'
BEGIN
    DELETE FROM customer_search WHERE rowid = old.rowid;
END;
-- Only when a searched value really changes (a form that saves every field sets them all).
CREATE TRIGGER customer_search_update
AFTER UPDATE OF kind, email, first_name_key, last_name_key ON accounts
WHEN old.kind IS NOT new.kind OR old.email IS NOT new.email
    OR old.first_name_key IS NOT new.first_name_key OR old.last_name_key IS NOT new.last_name_key
BEGIN
    DELETE FROM customer_search WHERE rowid = old.rowid AND old.kind = 'customer';
    INSERT INTO customer_search (rowid, email_text, full_name)
    SELECT new.rowid, new.email, new.first_name_key || ' ' || new.last_name_key
    WHERE new.kind = 'customer';
END;

-- Customers by status, so the Users list says "1–25 of 1,000,000" without counting a million
-- rows per request. One row per status of the `accounts.status` CHECK: a migration that adds a
-- status adds its row here.
CREATE TABLE customer_counts (
    status TEXT PRIMARY KEY NOT NULL,
    customers INTEGER NOT NULL
) WITHOUT ROWID; -- SQLite: the key is the table (PostgreSQL: drop the clause)
INSERT INTO customer_counts (status, customers)
    SELECT s.status, (SELECT COUNT(*) FROM accounts a WHERE a.kind = 'customer' AND a.status = s.status)
    FROM (SELECT 'active' AS status UNION ALL SELECT 'pending_password'
          UNION ALL SELECT 'pending_verification' UNION ALL SELECT 'locked') s;

CREATE TRIGGER customer_counts_insert AFTER INSERT ON accounts WHEN new.kind = 'customer'
BEGIN
    UPDATE customer_counts SET customers = customers + 1 WHERE status = new.status;
END;
CREATE TRIGGER customer_counts_delete AFTER DELETE ON accounts WHEN old.kind = 'customer'
BEGIN
    UPDATE customer_counts SET customers = customers - 1 WHERE status = old.status;
END;
CREATE TRIGGER customer_counts_update AFTER UPDATE OF kind, status ON accounts
WHEN old.kind IS NOT new.kind OR old.status IS NOT new.status
BEGIN
    UPDATE customer_counts SET customers = customers - 1
    WHERE status = old.status AND old.kind = 'customer';
    UPDATE customer_counts SET customers = customers + 1
    WHERE status = new.status AND new.kind = 'customer';
END;
