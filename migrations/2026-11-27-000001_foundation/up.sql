-- The data model of the whole product. Portable SQL: Postgres will run the same
-- statements (TEXT ids holding UUIDs, TIMESTAMP in UTC, BOOLEAN, CHECK constraints).

CREATE TABLE accounts (
    id TEXT PRIMARY KEY NOT NULL,
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
    CHECK ((kind = 'administrator') = (role IS NOT NULL))
);
CREATE UNIQUE INDEX accounts_kind_email ON accounts (kind, email);
-- The default order. It carries the search keys so a search with many matches is decided from
-- the index alone, fetching only the rows it shows.
CREATE INDEX accounts_kind_created ON accounts (kind, created_at, id, email, first_name_key, last_name_key);
CREATE INDEX accounts_kind_status_created ON accounts (kind, status, created_at, id);
CREATE INDEX accounts_kind_first_name ON accounts (kind, first_name_key);
CREATE INDEX accounts_kind_last_name ON accounts (kind, last_name_key);
-- 'never signed in' sorts as the oldest; the list's keyset cursor uses the same expression
CREATE INDEX accounts_kind_last_sign_in ON accounts (kind, COALESCE(last_sign_in_at, ''), id, email, first_name_key, last_name_key);

CREATE TABLE groups (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE group_members (
    group_id TEXT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    added_at TIMESTAMP NOT NULL,
    PRIMARY KEY (group_id, account_id)
) WITHOUT ROWID; -- SQLite: the key is the table, no second copy of it (PostgreSQL: drop the clause)
CREATE INDEX group_members_account ON group_members (account_id);

-- Server-side sessions. The cookie carries a random key; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    scope TEXT NOT NULL CHECK (scope IN ('console', 'myaccount')),
    account_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
    state TEXT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    ip TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    idle_expires_at TIMESTAMP NOT NULL,
    absolute_expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id);
CREATE INDEX sessions_idle_expires ON sessions (idle_expires_at);

-- Invitation, password-reset and verification links. Only the SHA-256 of the token is kept.
CREATE TABLE one_time_tokens (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'verification')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX one_time_tokens_account_purpose ON one_time_tokens (account_id, purpose);

-- Who did what to whom. No foreign keys: the trail outlives the accounts it names.
CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_id TEXT,
    subject_label TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at, id);
CREATE INDEX audit_events_subject ON audit_events (subject_id, occurred_at);

-- One row: the organization's settings.
CREATE TABLE organization_settings (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    name TEXT NOT NULL,
    password_min_length INTEGER NOT NULL DEFAULT 12,
    password_max_length INTEGER NOT NULL DEFAULT 128,
    session_idle_minutes INTEGER NOT NULL DEFAULT 30,
    session_absolute_minutes INTEGER NOT NULL DEFAULT 720,
    invitation_expiry_minutes INTEGER NOT NULL DEFAULT 1440,
    password_reset_expiry_minutes INTEGER NOT NULL DEFAULT 1440,
    verification_expiry_minutes INTEGER NOT NULL DEFAULT 1440,
    self_registration_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    lockout_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    lockout_attempts INTEGER NOT NULL DEFAULT 5,
    lockout_minutes INTEGER NOT NULL DEFAULT 15,
    lockout_factor INTEGER NOT NULL DEFAULT 2,
    mail_from_name TEXT NOT NULL DEFAULT 'Roster',
    mail_from_address TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL
);
INSERT INTO organization_settings (id, name, updated_at) VALUES (1, 'My organization', CURRENT_TIMESTAMP);
