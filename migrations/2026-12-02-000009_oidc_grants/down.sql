DROP TABLE oidc_tokens;
DROP TABLE authorization_codes;
