-- Back to TEXT UUID keys (the release before): the same copy in reverse. Rowids are kept, so
-- the search index still points at the right accounts.
CREATE TABLE old_accounts (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('customer', 'administrator')),
    role TEXT CHECK (role IS NULL OR role IN ('owner', 'administrator', 'viewer')),
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
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
    last_sign_in_at TIMESTAMP, locked_at TIMESTAMP, locked_by TEXT, unlocked_status TEXT
    CHECK (unlocked_status IS NULL OR unlocked_status IN ('active', 'pending_password', 'pending_verification')), lockouts INTEGER NOT NULL DEFAULT 0, email_verified_at TIMESTAMP NULL,
    CHECK ((kind = 'administrator') = (role IS NOT NULL))
);
INSERT INTO old_accounts (rowid, id, kind, role, email, first_name, last_name, first_name_key,
    last_name_key, password_hash, must_change_password, status, lock_reason, locked_until,
    failed_attempts, created_at, updated_at, last_sign_in_at, locked_at, locked_by,
    unlocked_status, lockouts, email_verified_at)
SELECT id, lower(substr(hex(public_id),1,8)||'-'||substr(hex(public_id),9,4)||'-'||substr(hex(public_id),13,4)||'-'||substr(hex(public_id),17,4)||'-'||substr(hex(public_id),21)), kind, role, email, first_name, last_name, first_name_key,
    last_name_key, password_hash, must_change_password, status, lock_reason, locked_until,
    failed_attempts, created_at, updated_at, last_sign_in_at, locked_at, locked_by,
    unlocked_status, lockouts, email_verified_at
FROM accounts ORDER BY id;

CREATE TABLE old_groups (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
, member_count INTEGER NOT NULL DEFAULT 0);
INSERT INTO old_groups (rowid, id, name, name_key, created_at, updated_at, member_count)
SELECT id, lower(substr(hex(public_id),1,8)||'-'||substr(hex(public_id),9,4)||'-'||substr(hex(public_id),13,4)||'-'||substr(hex(public_id),17,4)||'-'||substr(hex(public_id),21)), name, name_key, created_at, updated_at, member_count FROM groups;

CREATE TABLE old_attributes (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    data_type TEXT NOT NULL CHECK (data_type IN ('text', 'number', 'boolean', 'date', 'options', 'email', 'phone', 'url')),
    options TEXT NOT NULL DEFAULT '[]',
    regex TEXT,
    display_order INTEGER NOT NULL DEFAULT 0,
    unique_values BOOLEAN NOT NULL DEFAULT FALSE,
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
INSERT INTO old_attributes (rowid, id, name, display_name, description, data_type, options,
    regex, display_order, unique_values, console_displayed, console_required, console_read_only,
    myaccount_displayed, myaccount_required, myaccount_read_only, registration_displayed,
    registration_required, created_at, updated_at)
SELECT id, lower(substr(hex(public_id),1,8)||'-'||substr(hex(public_id),9,4)||'-'||substr(hex(public_id),13,4)||'-'||substr(hex(public_id),17,4)||'-'||substr(hex(public_id),21)), name, display_name, description, data_type, options,
    regex, display_order, unique_values, console_displayed, console_required, console_read_only,
    myaccount_displayed, myaccount_required, myaccount_read_only, registration_displayed,
    registration_required, created_at, updated_at
FROM attributes;

CREATE TABLE old_group_members (
    group_id TEXT NOT NULL REFERENCES old_groups (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES old_accounts (id) ON DELETE CASCADE,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, account_id)
) WITHOUT ROWID;
INSERT INTO old_group_members SELECT g.id, a.id, m.added_at FROM group_members m
JOIN old_groups g ON g.rowid = m.group_id JOIN old_accounts a ON a.rowid = m.account_id;

CREATE TABLE old_attribute_values (
    attribute_id TEXT NOT NULL REFERENCES old_attributes (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES old_accounts (id) ON DELETE CASCADE,
    value TEXT NOT NULL,
    value_key TEXT NOT NULL,
    PRIMARY KEY (attribute_id, account_id)
) WITHOUT ROWID;
INSERT INTO old_attribute_values SELECT t.id, a.id, v.value, v.value_key FROM attribute_values v
JOIN old_attributes t ON t.rowid = v.attribute_id JOIN old_accounts a ON a.rowid = v.account_id;

CREATE TABLE old_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('console', 'myaccount')),
    account_id TEXT REFERENCES old_accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    idle_expires_at TIMESTAMP NOT NULL,
    absolute_expires_at TIMESTAMP NOT NULL
);
INSERT INTO old_sessions SELECT s.id_hash, s.scope, a.id, s.state, s.user_agent, s.ip,
    s.created_at, s.last_seen_at, s.idle_expires_at, s.absolute_expires_at
FROM sessions s LEFT JOIN old_accounts a ON a.rowid = s.account_id;

CREATE TABLE "old_one_time_tokens" (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES old_accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'verification', 'recovery')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
INSERT INTO old_one_time_tokens SELECT t.id, t.token_hash, a.id, t.purpose, t.created_at,
    t.expires_at, t.used_at, t.revoked_at
FROM one_time_tokens t JOIN old_accounts a ON a.rowid = t.account_id;

CREATE TABLE old_outbox (
    id TEXT PRIMARY KEY NOT NULL,
    template TEXT NOT NULL,
    account_id TEXT REFERENCES old_accounts (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    token_id TEXT REFERENCES old_one_time_tokens (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'retrying', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
, params TEXT NOT NULL DEFAULT '{}');
INSERT INTO old_outbox SELECT o.id, o.template, a.id, o.recipient, o.recipient_name, o.subject,
    o.token_id, o.state, o.attempts, o.next_attempt_at, o.last_attempt_at, o.last_error,
    o.created_at, o.updated_at, o.sent_at, o.params
FROM outbox o LEFT JOIN old_accounts a ON a.rowid = o.account_id;

CREATE TABLE old_form_submissions (
    submission_key TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES old_accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
INSERT INTO old_form_submissions SELECT f.submission_key, actor.id, a.id, f.created_at
FROM form_submissions f JOIN old_accounts actor ON actor.rowid = f.actor_id
JOIN old_accounts a ON a.rowid = f.account_id;

CREATE TABLE old_authorization_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES old_accounts (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO old_authorization_codes SELECT c.code_hash, c.grant_id, c.application_id, a.id,
    c.redirect_uri, c.scope, c.nonce, c.code_challenge, c.auth_time, c.created_at, c.expires_at,
    c.used_at
FROM authorization_codes c JOIN old_accounts a ON a.rowid = c.account_id;

CREATE TABLE old_oidc_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES old_accounts (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    auth_time TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
INSERT INTO old_oidc_tokens SELECT t.token_hash, t.kind, t.grant_id, t.application_id, a.id,
    t.scope, t.auth_time, t.created_at, t.expires_at, t.used_at, t.revoked_at
FROM oidc_tokens t JOIN old_accounts a ON a.rowid = t.account_id;

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
ALTER TABLE old_accounts RENAME TO accounts;
ALTER TABLE old_groups RENAME TO groups;
ALTER TABLE old_attributes RENAME TO attributes;
ALTER TABLE old_group_members RENAME TO group_members;
ALTER TABLE old_attribute_values RENAME TO attribute_values;
ALTER TABLE old_sessions RENAME TO sessions;
ALTER TABLE old_one_time_tokens RENAME TO one_time_tokens;
ALTER TABLE old_outbox RENAME TO outbox;
ALTER TABLE old_form_submissions RENAME TO form_submissions;
ALTER TABLE old_authorization_codes RENAME TO authorization_codes;
ALTER TABLE old_oidc_tokens RENAME TO oidc_tokens;

CREATE UNIQUE INDEX accounts_kind_email ON accounts (kind, email);
CREATE INDEX accounts_kind_first_name ON accounts (kind, first_name_key);
CREATE INDEX accounts_kind_last_name ON accounts (kind, last_name_key);
CREATE INDEX accounts_kind_full_name ON accounts (kind, first_name_key || ' ' || last_name_key);
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
    VALUES (new.rowid, new.email, new.first_name_key || ' ' || new.last_name_key);
END;
CREATE TRIGGER customer_search_delete AFTER DELETE ON accounts WHEN old.kind = 'customer'
BEGIN
    DELETE FROM customer_search WHERE rowid = old.rowid;
END;
CREATE TRIGGER customer_search_update
AFTER UPDATE OF kind, email, first_name_key, last_name_key ON accounts
WHEN old.kind IS NOT new.kind OR old.email IS NOT new.email
    OR old.first_name_key IS NOT new.first_name_key OR old.last_name_key IS NOT new.last_name_key
BEGIN
    DELETE FROM customer_search WHERE rowid = old.rowid AND old.kind = 'customer';
    INSERT INTO customer_search (rowid, email_text, name_text)
    SELECT new.rowid, new.email, new.first_name_key || ' ' || new.last_name_key
    WHERE new.kind = 'customer';
END;
