-- Integer keys inside the database: accounts, groups and attributes are keyed by an integer
-- (SQLite's rowid; AUTOINCREMENT so that a deleted row's number is never given to another),
-- and every table that points at them holds that integer instead of a 36-character UUID. The
-- UUID stays as the public id (16 bytes), used in URLs, emails, the audit log, OpenID's `sub`
-- and every API, never the integer. An account's key is its old rowid, so the "Created" order
-- and the search index (keyed by rowid, migration 17) carry over untouched.
--
-- Each table is copied into its new form, the old ones dropped (children first, so no cascade
-- reaches a copied row), the copies renamed (SQLite renames their foreign keys with them), and
-- the indexes and triggers made again. One transaction: a file is converted or it is not.

CREATE TABLE new_accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- the public id: a UUID's 16 bytes (v7 for accounts made here)
    public_id BLOB NOT NULL CHECK (length(public_id) = 16),
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'administrator')),
    -- only for administrators
    role TEXT CHECK (role IS NULL OR role IN ('owner', 'administrator', 'viewer')),
    -- stored lower-cased: unique per kind, case-insensitively
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    -- lower-cased copies of the names: indexed prefix search without LIKE
    first_name_key TEXT NOT NULL,
    last_name_key TEXT NOT NULL,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    status TEXT NOT NULL CHECK (status IN ('active', 'pending_password', 'pending_verification', 'locked')),
    lock_reason TEXT CHECK (lock_reason IS NULL OR lock_reason IN ('admin', 'failed_attempts')),
    locked_until TIMESTAMP,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    last_sign_in_at TIMESTAMP,
    locked_at TIMESTAMP,
    locked_by TEXT,
    unlocked_status TEXT
        CHECK (unlocked_status IS NULL OR unlocked_status IN ('active', 'pending_password', 'pending_verification')),
    lockouts INTEGER NOT NULL DEFAULT 0,
    email_verified_at TIMESTAMP NULL,
    CHECK ((kind = 'administrator') = (role IS NOT NULL))
);
INSERT INTO new_accounts (id, public_id, kind, role, email, first_name, last_name,
    first_name_key, last_name_key, password_hash, must_change_password, status, lock_reason,
    locked_until, failed_attempts, created_at, updated_at, last_sign_in_at, locked_at, locked_by,
    unlocked_status, lockouts, email_verified_at)
SELECT rowid, unhex(replace(id, '-', '')), kind, role, email, first_name, last_name,
    first_name_key, last_name_key, password_hash, must_change_password, status, lock_reason,
    locked_until, failed_attempts, created_at, updated_at, last_sign_in_at, locked_at, locked_by,
    unlocked_status, lockouts, email_verified_at
FROM accounts ORDER BY rowid;

CREATE TABLE new_groups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id BLOB NOT NULL UNIQUE CHECK (length(public_id) = 16),
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    member_count INTEGER NOT NULL DEFAULT 0
);
INSERT INTO new_groups (id, public_id, name, name_key, created_at, updated_at, member_count)
SELECT rowid, unhex(replace(id, '-', '')), name, name_key, created_at, updated_at, member_count
FROM groups ORDER BY rowid;

CREATE TABLE new_attributes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id BLOB NOT NULL UNIQUE CHECK (length(public_id) = 16),
    -- the immutable key: 3-30 letters, digits or underscores, starting with a letter
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    data_type TEXT NOT NULL CHECK (data_type IN ('text', 'number', 'boolean', 'date', 'options', 'email', 'phone', 'url')),
    -- for 'options': a JSON list of {"value": ..., "label": ...}
    options TEXT NOT NULL DEFAULT '[]',
    regex TEXT,
    display_order INTEGER NOT NULL DEFAULT 0,
    unique_values BOOLEAN NOT NULL DEFAULT FALSE,
    -- The grid: where the attribute is displayed, required, read-only. Required implies
    -- displayed and excludes read-only; self-registration has no read-only.
    console_displayed BOOLEAN NOT NULL DEFAULT FALSE,
    console_required BOOLEAN NOT NULL DEFAULT FALSE,
    console_read_only BOOLEAN NOT NULL DEFAULT FALSE,
    myaccount_displayed BOOLEAN NOT NULL DEFAULT FALSE,
    myaccount_required BOOLEAN NOT NULL DEFAULT FALSE,
    myaccount_read_only BOOLEAN NOT NULL DEFAULT FALSE,
    registration_displayed BOOLEAN NOT NULL DEFAULT FALSE,
    registration_required BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK (NOT console_required OR (console_displayed AND NOT console_read_only)),
    CHECK (NOT myaccount_required OR (myaccount_displayed AND NOT myaccount_read_only)),
    CHECK (NOT registration_required OR registration_displayed)
);
INSERT INTO new_attributes (id, public_id, name, display_name, description, data_type, options,
    regex, display_order, unique_values, console_displayed, console_required, console_read_only,
    myaccount_displayed, myaccount_required, myaccount_read_only, registration_displayed,
    registration_required, created_at, updated_at)
SELECT rowid, unhex(replace(id, '-', '')), name, display_name, description, data_type, options,
    regex, display_order, unique_values, console_displayed, console_required, console_read_only,
    myaccount_displayed, myaccount_required, myaccount_read_only, registration_displayed,
    registration_required, created_at, updated_at
FROM attributes ORDER BY rowid;

-- A group's members in the order they became customers: the key's second column is the
-- account's, so the group-filtered list walks it newest first without a sort.
CREATE TABLE new_group_members (
    group_id INTEGER NOT NULL REFERENCES new_groups (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES new_accounts (id) ON DELETE CASCADE,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, account_id)
) WITHOUT ROWID;
INSERT INTO new_group_members (group_id, account_id, added_at)
SELECT g.rowid, a.rowid, m.added_at
FROM group_members m JOIN groups g ON g.id = m.group_id JOIN accounts a ON a.id = m.account_id
ORDER BY g.rowid, a.rowid;

CREATE TABLE new_attribute_values (
    attribute_id INTEGER NOT NULL REFERENCES new_attributes (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES new_accounts (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    -- the value as uniqueness compares it (lower-cased where case does not matter)
    value_key TEXT NOT NULL,
    PRIMARY KEY (attribute_id, account_id)
) WITHOUT ROWID;
INSERT INTO new_attribute_values (attribute_id, account_id, value, value_key)
SELECT t.rowid, a.rowid, v.value, v.value_key
FROM attribute_values v JOIN attributes t ON t.id = v.attribute_id
JOIN accounts a ON a.id = v.account_id
ORDER BY t.rowid, a.rowid;

CREATE TABLE new_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('console', 'myaccount')),
    account_id INTEGER REFERENCES new_accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    idle_expires_at TIMESTAMP NOT NULL,
    absolute_expires_at TIMESTAMP NOT NULL
);
INSERT INTO new_sessions (id_hash, scope, account_id, state, user_agent, ip, created_at,
    last_seen_at, idle_expires_at, absolute_expires_at)
SELECT s.id_hash, s.scope, a.rowid, s.state, s.user_agent, s.ip, s.created_at, s.last_seen_at,
    s.idle_expires_at, s.absolute_expires_at
FROM sessions s LEFT JOIN accounts a ON a.id = s.account_id;

CREATE TABLE new_one_time_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES new_accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'verification', 'recovery')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
INSERT INTO new_one_time_tokens (id, token_hash, account_id, purpose, created_at, expires_at,
    used_at, revoked_at)
SELECT t.id, t.token_hash, a.rowid, t.purpose, t.created_at, t.expires_at, t.used_at, t.revoked_at
FROM one_time_tokens t JOIN accounts a ON a.id = t.account_id;

CREATE TABLE new_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    -- which email: 'invitation', 'account_created' (checked in code; the list grows)
    template TEXT NOT NULL,
    account_id INTEGER REFERENCES new_accounts (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    token_id TEXT REFERENCES new_one_time_tokens (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'retrying', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    params TEXT NOT NULL DEFAULT '{}'
);
INSERT INTO new_outbox (id, template, account_id, recipient, recipient_name, subject, token_id,
    state, attempts, next_attempt_at, last_attempt_at, last_error, created_at, updated_at,
    sent_at, params)
SELECT o.id, o.template, a.rowid, o.recipient, o.recipient_name, o.subject, o.token_id, o.state,
    o.attempts, o.next_attempt_at, o.last_attempt_at, o.last_error, o.created_at, o.updated_at,
    o.sent_at, o.params
FROM outbox o LEFT JOIN accounts a ON a.id = o.account_id;

-- The replay guard's keys live minutes: those of an administrator since removed go.
CREATE TABLE new_form_submissions (
    submission_key TEXT PRIMARY KEY NOT NULL,
    actor_id INTEGER NOT NULL,
    account_id INTEGER NOT NULL REFERENCES new_accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO new_form_submissions (submission_key, actor_id, account_id, created_at)
SELECT f.submission_key, actor.rowid, a.rowid, f.created_at
FROM form_submissions f JOIN accounts actor ON actor.id = f.actor_id
JOIN accounts a ON a.id = f.account_id;

CREATE TABLE new_authorization_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES new_accounts (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    -- PKCE: the S256 challenge, when the application sent one
    code_challenge TEXT,
    auth_time TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO new_authorization_codes (code_hash, grant_id, application_id, account_id,
    redirect_uri, scope, nonce, code_challenge, auth_time, created_at, expires_at, used_at)
SELECT c.code_hash, c.grant_id, c.application_id, a.rowid, c.redirect_uri, c.scope, c.nonce,
    c.code_challenge, c.auth_time, c.created_at, c.expires_at, c.used_at
FROM authorization_codes c JOIN accounts a ON a.id = c.account_id;

CREATE TABLE new_oidc_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES new_accounts (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    auth_time TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    -- a refresh token that was exchanged for the next one
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
INSERT INTO new_oidc_tokens (token_hash, kind, grant_id, application_id, account_id, scope,
    auth_time, created_at, expires_at, used_at, revoked_at)
SELECT t.token_hash, t.kind, t.grant_id, t.application_id, a.rowid, t.scope, t.auth_time,
    t.created_at, t.expires_at, t.used_at, t.revoked_at
FROM oidc_tokens t JOIN accounts a ON a.id = t.account_id;

-- An interrupted `roster seed` left rows after `after_rowid` out of the search index and the
-- counts: brought up to date here, since the triggers are made again below.
INSERT INTO customer_search (rowid, email_text, name_text)
    SELECT id, email, first_name_key || ' ' || last_name_key FROM new_accounts
    WHERE +kind = 'customer' AND id > (SELECT MIN(after_rowid) FROM bulk_load_pending
        WHERE name LIKE 'customer_search_%')
    ORDER BY id;
UPDATE customer_counts SET customers = (SELECT COUNT(*) FROM new_accounts
    WHERE kind = 'customer' AND new_accounts.status = customer_counts.status)
    WHERE EXISTS (SELECT 1 FROM bulk_load_pending WHERE name LIKE 'customer_counts_%');
DELETE FROM bulk_load_pending;

DROP TABLE form_submissions;
DROP TABLE outbox;
DROP TABLE one_time_tokens;
DROP TABLE sessions;
DROP TABLE group_members;
DROP TABLE attribute_values;
DROP TABLE authorization_codes;
DROP TABLE oidc_tokens;
DROP TABLE accounts;
DROP TABLE groups;
DROP TABLE attributes;

ALTER TABLE new_accounts RENAME TO accounts;
ALTER TABLE new_groups RENAME TO groups;
ALTER TABLE new_attributes RENAME TO attributes;
ALTER TABLE new_group_members RENAME TO group_members;
ALTER TABLE new_attribute_values RENAME TO attribute_values;
ALTER TABLE new_sessions RENAME TO sessions;
ALTER TABLE new_one_time_tokens RENAME TO one_time_tokens;
ALTER TABLE new_outbox RENAME TO outbox;
ALTER TABLE new_form_submissions RENAME TO form_submissions;
ALTER TABLE new_authorization_codes RENAME TO authorization_codes;
ALTER TABLE new_oidc_tokens RENAME TO oidc_tokens;

CREATE UNIQUE INDEX accounts_public_id ON accounts (public_id);
CREATE UNIQUE INDEX accounts_kind_email ON accounts (kind, email);
CREATE INDEX accounts_kind_first_name ON accounts (kind, first_name_key);
CREATE INDEX accounts_kind_last_name ON accounts (kind, last_name_key);
CREATE INDEX accounts_kind_full_name ON accounts (kind, first_name_key || ' ' || last_name_key);
-- The Last sign-in order, its ties broken by the key, and what a search tests without reading
-- the row.
CREATE INDEX accounts_kind_last_sign_in
    ON accounts (kind, COALESCE(last_sign_in_at, 0), id, email, first_name_key, last_name_key);
CREATE INDEX accounts_locked_until ON accounts (locked_until) WHERE locked_until IS NOT NULL;
CREATE INDEX accounts_status ON accounts (status);
CREATE INDEX group_members_account ON group_members (account_id);
CREATE INDEX attributes_order ON attributes (display_order, name);
CREATE INDEX attribute_values_account ON attribute_values (account_id);
CREATE INDEX attribute_values_key ON attribute_values (attribute_id, value_key);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_idle_expires ON sessions (idle_expires_at);
CREATE INDEX one_time_tokens_account_purpose ON one_time_tokens (account_id, purpose);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('queued', 'retrying');
CREATE INDEX outbox_created ON outbox (created_at, id);
CREATE INDEX outbox_account ON outbox (account_id, created_at);
CREATE INDEX outbox_token ON outbox (token_id);
CREATE INDEX outbox_failed ON outbox (created_at) WHERE state = 'failed';
CREATE INDEX form_submissions_created ON form_submissions (created_at);
CREATE INDEX authorization_codes_grant ON authorization_codes (grant_id);
CREATE INDEX oidc_tokens_grant ON oidc_tokens (grant_id);
CREATE INDEX oidc_tokens_account ON oidc_tokens (account_id, application_id);

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
