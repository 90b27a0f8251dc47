-- Finding people (issue 19): search by any part of a customer's email address (a domain too) or
-- by their full name, and the number of customers by status. The search index and the counts
-- are kept by triggers on `accounts`, so they change in the transaction of every insert, update
-- and delete, whatever code path makes it. SQLite-specific (FTS5); PostgreSQL will use pg_trgm
-- and its own triggers.

-- A trigram index of every customer's email address, for "any part of the email" (a domain too).
-- Contentless: the text is already in `accounts`; the index keeps only trigrams and their
-- positions (a substring is a phrase of consecutive trigrams). contentless_delete=1 lets the
-- triggers delete a row by its rowid. Keyed by `accounts.rowid`: accounts has no integer key,
-- and VACUUM keeps the rowids of a table with indexes (a test holds that).
-- Names are not in it: their trigrams ("son", "mar", ...) are in a large share of all rows, and
-- a phrase over them took 1.5-2 ms at a million customers (FTS5 walks those long lists); the
-- full name is matched from its start by the index below instead.
CREATE VIRTUAL TABLE customer_search USING fts5(
    email_text, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO customer_search (rowid, email_text)
    SELECT rowid, email FROM accounts WHERE kind = 'customer';

CREATE TRIGGER customer_search_insert AFTER INSERT ON accounts WHEN new.kind = 'customer'
BEGIN
    INSERT INTO customer_search (rowid, email_text) VALUES (new.rowid, new.email);
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON accounts WHEN old.kind = 'customer'
BEGIN
    DELETE FROM customer_search WHERE rowid = old.rowid;
END;
-- Only when the email or the kind really changes (a form that saves every field sets them all).
CREATE TRIGGER customer_search_update AFTER UPDATE OF kind, email ON accounts
WHEN old.kind IS NOT new.kind OR old.email IS NOT new.email
BEGIN
    DELETE FROM customer_search WHERE rowid = old.rowid AND old.kind = 'customer';
    INSERT INTO customer_search (rowid, email_text)
    SELECT new.rowid, new.email WHERE new.kind = 'customer';
END;

-- "First last" from its start: "Donna", "Donna Yam", "Donna Yamamoto" (the same expression in
-- the queries, so SQLite matches it to this index).
CREATE INDEX accounts_kind_full_name ON accounts (kind, first_name_key || ' ' || last_name_key);

-- A status's customers in the default order, now carrying the search keys like the other order
-- indexes: a search narrowed by a status walks it deciding each entry from the index alone
-- ("example.org" among 40,000 locked customers at a million: counted in 1.4 ms instead of 17,
-- a term none of them has in 9.5 ms instead of 110).
DROP INDEX accounts_kind_status_created;
CREATE INDEX accounts_kind_status_created
    ON accounts (kind, status, created_at, id, email, first_name_key, last_name_key);

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
