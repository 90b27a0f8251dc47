-- How an application's ID tokens are signed: RS256 (every library) or EdDSA (Ed25519).
ALTER TABLE applications ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'RS256'
    CHECK (id_token_alg IN ('RS256', 'EdDSA'));
