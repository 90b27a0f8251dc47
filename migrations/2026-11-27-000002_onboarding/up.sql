-- Onboarding: the email outbox and the wizard's replay guard.

-- Every email, written in the same transaction as the change that causes it; a worker sends it.
-- No secret is stored here: a link's token is derived at send time from `token_id` and the
-- server's secret, and only its SHA-256 is in one_time_tokens.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    -- which email: 'invitation', 'account_created' (checked in code; the list grows)
    template TEXT NOT NULL,
    account_id TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    subject TEXT NOT NULL,
    token_id TEXT REFERENCES one_time_tokens (id) ON DELETE SET NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'retrying', 'sent', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_attempt_at TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
-- The worker's question: what is due now? Only unsent rows are in the index.
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state IN ('queued', 'retrying');
CREATE INDEX outbox_created ON outbox (created_at, id);
CREATE INDEX outbox_account ON outbox (account_id, created_at);
CREATE INDEX outbox_token ON outbox (token_id);

-- The New User wizard's Finish carries a random key; the first request with it creates the
-- customer, a repeat (double click, reload) finds the same customer instead of a second one.
CREATE TABLE form_submissions (
    submission_key TEXT PRIMARY KEY NOT NULL,
    actor_id TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX form_submissions_created ON form_submissions (created_at);
