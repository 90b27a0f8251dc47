-- Back to TEXT UUID keys for applications.
CREATE TABLE old_applications (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    client_type TEXT NOT NULL CHECK (client_type IN ('confidential', 'public')),
    secret_hash TEXT,
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL DEFAULT '',
    refresh_tokens BOOLEAN NOT NULL DEFAULT TRUE,
    access_token_minutes INTEGER NOT NULL DEFAULT 5,
    refresh_token_days INTEGER NOT NULL DEFAULT 30,
    claims TEXT NOT NULL DEFAULT 'email profile',
    attribute_names TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL, id_token_alg TEXT NOT NULL DEFAULT 'RS256'
    CHECK (id_token_alg IN ('RS256', 'EdDSA')),
    CHECK ((client_type = 'confidential') = (secret_hash IS NOT NULL))
);
INSERT INTO old_applications (rowid, id, name, client_id, client_type, secret_hash,
    redirect_uris, post_logout_redirect_uris, refresh_tokens, access_token_minutes,
    refresh_token_days, claims, attribute_names, created_at, updated_at, id_token_alg)
SELECT id, lower(substr(hex(public_id),1,8)||'-'||substr(hex(public_id),9,4)||'-'||substr(hex(public_id),13,4)||'-'||substr(hex(public_id),17,4)||'-'||substr(hex(public_id),21)), name, client_id, client_type, secret_hash,
    redirect_uris, post_logout_redirect_uris, refresh_tokens, access_token_minutes,
    refresh_token_days, claims, attribute_names, created_at, updated_at, id_token_alg
FROM applications;

CREATE TABLE old_authorization_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES old_applications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    code_challenge TEXT,
    auth_time TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
INSERT INTO old_authorization_codes SELECT c.code_hash, c.grant_id, p.id, c.account_id,
    c.redirect_uri, c.scope, c.nonce, c.code_challenge, c.auth_time, c.created_at, c.expires_at,
    c.used_at
FROM authorization_codes c JOIN old_applications p ON p.rowid = c.application_id;

CREATE TABLE old_oidc_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id TEXT NOT NULL,
    application_id TEXT NOT NULL REFERENCES old_applications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scope TEXT NOT NULL,
    auth_time TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
INSERT INTO old_oidc_tokens SELECT t.token_hash, t.kind, t.grant_id, p.id, t.account_id,
    t.scope, t.auth_time, t.created_at, t.expires_at, t.used_at, t.revoked_at
FROM oidc_tokens t JOIN old_applications p ON p.rowid = t.application_id;

DROP TABLE authorization_codes;
DROP TABLE oidc_tokens;
DROP TABLE applications;
ALTER TABLE old_applications RENAME TO applications;
ALTER TABLE old_authorization_codes RENAME TO authorization_codes;
ALTER TABLE old_oidc_tokens RENAME TO oidc_tokens;
CREATE INDEX applications_name ON applications (name);
CREATE INDEX authorization_codes_grant ON authorization_codes (grant_id);
CREATE INDEX oidc_tokens_grant ON oidc_tokens (grant_id);
CREATE INDEX oidc_tokens_account ON oidc_tokens (account_id, application_id);
