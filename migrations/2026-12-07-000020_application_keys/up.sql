-- Applications keyed by an integer too (as accounts, groups and attributes in migration 18):
-- the codes and tokens they issue point at it; the UUID stays their public id (URLs).
CREATE TABLE new_applications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id BLOB NOT NULL UNIQUE CHECK (length(public_id) = 16),
    name TEXT NOT NULL,
    client_id TEXT NOT NULL UNIQUE,
    -- confidential: a server-side web application with a secret; public: a single-page or
    -- native application, which must use PKCE
    client_type TEXT NOT NULL CHECK (client_type IN ('confidential', 'public')),
    -- SHA-256 (hex) of the client secret, a 256-bit random value shown once
    secret_hash TEXT,
    -- one per line, matched exactly
    redirect_uris TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL DEFAULT '',
    -- whether refresh tokens are issued (the authorization code grant always is)
    refresh_tokens BOOLEAN NOT NULL DEFAULT TRUE,
    access_token_minutes INTEGER NOT NULL DEFAULT 5,
    refresh_token_days INTEGER NOT NULL DEFAULT 30,
    -- claim groups it receives, space-separated: email profile groups
    claims TEXT NOT NULL DEFAULT 'email profile',
    -- names of the custom attributes it receives, one per line
    attribute_names TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    id_token_alg TEXT NOT NULL DEFAULT 'RS256' CHECK (id_token_alg IN ('RS256', 'EdDSA')),
    CHECK ((client_type = 'confidential') = (secret_hash IS NOT NULL))
);
INSERT INTO new_applications (id, public_id, name, client_id, client_type, secret_hash,
    redirect_uris, post_logout_redirect_uris, refresh_tokens, access_token_minutes,
    refresh_token_days, claims, attribute_names, created_at, updated_at, id_token_alg)
SELECT rowid, unhex(replace(id, '-', '')), name, client_id, client_type, secret_hash,
    redirect_uris, post_logout_redirect_uris, refresh_tokens, access_token_minutes,
    refresh_token_days, claims, attribute_names, created_at, updated_at, id_token_alg
FROM applications ORDER BY rowid;

CREATE TABLE new_authorization_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    grant_id TEXT NOT NULL,
    application_id INTEGER NOT NULL REFERENCES new_applications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
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
SELECT c.code_hash, c.grant_id, p.id, c.account_id, c.redirect_uri, c.scope, c.nonce,
    c.code_challenge, c.auth_time, c.created_at, c.expires_at, c.used_at
FROM authorization_codes c JOIN new_applications p ON p.public_id = unhex(replace(c.application_id, '-', ''));

CREATE TABLE new_oidc_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('access', 'refresh')),
    grant_id TEXT NOT NULL,
    application_id INTEGER NOT NULL REFERENCES new_applications (id) ON DELETE CASCADE,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
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
SELECT t.token_hash, t.kind, t.grant_id, p.id, t.account_id, t.scope, t.auth_time,
    t.created_at, t.expires_at, t.used_at, t.revoked_at
FROM oidc_tokens t JOIN new_applications p ON p.public_id = unhex(replace(t.application_id, '-', ''));

DROP TABLE authorization_codes;
DROP TABLE oidc_tokens;
DROP TABLE applications;
ALTER TABLE new_applications RENAME TO applications;
ALTER TABLE new_authorization_codes RENAME TO authorization_codes;
ALTER TABLE new_oidc_tokens RENAME TO oidc_tokens;
CREATE INDEX applications_name ON applications (name);
CREATE INDEX authorization_codes_grant ON authorization_codes (grant_id);
CREATE INDEX oidc_tokens_grant ON oidc_tokens (grant_id);
CREATE INDEX oidc_tokens_account ON oidc_tokens (account_id, application_id);
