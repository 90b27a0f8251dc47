-- Self-service: "forgot password" links (a new token purpose) and the settings pages' new
-- knobs (password composition rules, blocklist and name-part switches, email verification of
-- self-registered accounts).

-- SQLite cannot change a CHECK constraint in place: the table is rebuilt, the documented way
-- (foreign keys off, so dropping the old table does not null `outbox.token_id`; one
-- transaction, so a failure leaves the database as it was). Hence metadata.toml: diesel must
-- not wrap this file in its own transaction.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE one_time_tokens_new (
    id TEXT PRIMARY KEY NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'verification', 'recovery')),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
INSERT INTO one_time_tokens_new SELECT id, token_hash, account_id, purpose, created_at, expires_at, used_at, revoked_at FROM one_time_tokens;
DROP TABLE one_time_tokens;
ALTER TABLE one_time_tokens_new RENAME TO one_time_tokens;
CREATE INDEX one_time_tokens_account_purpose ON one_time_tokens (account_id, purpose);

ALTER TABLE organization_settings ADD COLUMN password_require_upper BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organization_settings ADD COLUMN password_require_lower BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organization_settings ADD COLUMN password_require_digit BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organization_settings ADD COLUMN password_require_symbol BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE organization_settings ADD COLUMN password_blocklist BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE organization_settings ADD COLUMN password_no_name_part BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE organization_settings ADD COLUMN registration_verification BOOLEAN NOT NULL DEFAULT TRUE;
COMMIT;
PRAGMA foreign_keys = ON;
