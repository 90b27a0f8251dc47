DROP INDEX accounts_status;
CREATE INDEX accounts_kind_created
    ON accounts (kind, created_at, id, email, first_name_key, last_name_key);
CREATE INDEX accounts_kind_status_created
    ON accounts (kind, status, created_at, id, email, first_name_key, last_name_key);

DROP TRIGGER customer_search_update;
DROP TRIGGER customer_search_delete;
DROP TRIGGER customer_search_insert;
DROP TABLE customer_search;
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
CREATE TRIGGER customer_search_update AFTER UPDATE OF kind, email ON accounts
WHEN old.kind IS NOT new.kind OR old.email IS NOT new.email
BEGIN
    DELETE FROM customer_search WHERE rowid = old.rowid AND old.kind = 'customer';
    INSERT INTO customer_search (rowid, email_text)
    SELECT new.rowid, new.email WHERE new.kind = 'customer';
END;
