-- Back to the trigram index with positions and sizes, the full-name and covering indexes, and
-- every status indexed (migrations 17 and 18).
DROP TRIGGER IF EXISTS customer_search_update;
DROP TRIGGER IF EXISTS customer_search_delete;
DROP TRIGGER IF EXISTS customer_search_insert;
DROP TABLE customer_search;
CREATE VIRTUAL TABLE customer_search USING fts5(
    email_text, name_text, tokenize = 'trigram', content = '', contentless_delete = 1
);
INSERT INTO customer_search (rowid, email_text, name_text)
    SELECT id, email, first_name_key || ' ' || last_name_key FROM accounts
    WHERE +kind = 'customer' ORDER BY id;
INSERT INTO customer_search (customer_search) VALUES ('optimize');
CREATE TRIGGER customer_search_insert AFTER INSERT ON accounts WHEN new.kind = 'customer'
BEGIN
    INSERT INTO customer_search (rowid, email_text, name_text)
    VALUES (new.id, new.email, new.first_name_key || ' ' || new.last_name_key);
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON accounts WHEN old.kind = 'customer'
BEGIN
    DELETE FROM customer_search WHERE rowid = old.id;
END;
CREATE TRIGGER customer_search_update
AFTER UPDATE OF kind, email, first_name_key, last_name_key ON accounts
WHEN old.kind IS NOT new.kind OR old.email IS NOT new.email
    OR old.first_name_key IS NOT new.first_name_key OR old.last_name_key IS NOT new.last_name_key
BEGIN
    DELETE FROM customer_search WHERE rowid = old.id AND old.kind = 'customer';
    INSERT INTO customer_search (rowid, email_text, name_text)
    SELECT new.id, new.email, new.first_name_key || ' ' || new.last_name_key
    WHERE new.kind = 'customer';
END;

CREATE INDEX IF NOT EXISTS accounts_kind_full_name
    ON accounts (kind, first_name_key || ' ' || last_name_key);
DROP INDEX IF EXISTS accounts_customer_last_sign_in;
DROP INDEX IF EXISTS accounts_customer_full_name;
DROP INDEX IF EXISTS accounts_customer_last_name;
DROP INDEX IF EXISTS accounts_customer_email;
DROP INDEX IF EXISTS accounts_administrator_email;
CREATE UNIQUE INDEX IF NOT EXISTS accounts_kind_email ON accounts (kind, email);
CREATE INDEX IF NOT EXISTS accounts_kind_first_name ON accounts (kind, first_name_key);
CREATE INDEX IF NOT EXISTS accounts_kind_last_name ON accounts (kind, last_name_key);
CREATE INDEX accounts_kind_last_sign_in
    ON accounts (kind, COALESCE(last_sign_in_at, 0), id, email, first_name_key, last_name_key);
DROP INDEX IF EXISTS accounts_status;
CREATE INDEX accounts_status ON accounts (status);

-- Password hashes as text again, as the release before reads them.
UPDATE accounts SET password_hash = roster_hash_text(password_hash)
    WHERE typeof(password_hash) = 'blob';

DELETE FROM bulk_load_pending WHERE name IN
    ('customer_search_insert', 'customer_search_delete', 'customer_search_update',
     'accounts_customer_last_sign_in', 'accounts_customer_full_name',
     'accounts_customer_last_name', 'accounts_customer_email', 'accounts_administrator_email',
     'accounts_status');
UPDATE bulk_load_pending SET after_rowid = (SELECT COALESCE(MAX(id), 0) FROM accounts);
