-- Applications that sign customers in through Roster (OpenID Connect clients), and the keys
-- that sign their ID tokens.
CREATE TABLE applications (
    id TEXT PRIMARY KEY NOT NULL,
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
    CHECK ((client_type = 'confidential') = (secret_hash IS NOT NULL))
);
CREATE INDEX applications_name ON applications (name);

CREATE TABLE signing_keys (
    kid TEXT PRIMARY KEY NOT NULL,
    alg TEXT NOT NULL CHECK (alg IN ('RS256', 'EdDSA')),
    -- the private key (PEM), sealed with a key derived from the session secret:
    -- base64(nonce || ChaCha20-Poly1305 ciphertext)
    private_sealed TEXT NOT NULL,
    -- the public key as a JWK (JSON)
    public_jwk TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- set when a newer key took over signing; the public key stays published until
    -- the tokens it signed have expired
    retired_at TIMESTAMP,
    published_until TIMESTAMP
);
