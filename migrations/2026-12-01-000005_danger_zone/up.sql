-- The danger zone: who locked an account and when, what it returns to when unlocked, how many
-- times failed sign-ins locked it (the lock grows with each), and parameters of emails that say
-- more than their template (a lock's duration).

ALTER TABLE accounts ADD COLUMN locked_at TIMESTAMP;
-- the administrator's email (a label, like the audit trail's: it outlives their account)
ALTER TABLE accounts ADD COLUMN locked_by TEXT;
-- the status the account had before the lock, restored by an unlock
ALTER TABLE accounts ADD COLUMN unlocked_status TEXT
    CHECK (unlocked_status IS NULL OR unlocked_status IN ('active', 'pending_password', 'pending_verification'));
-- failed-sign-in locks since the last successful sign-in: the next lasts minutes x factor^lockouts
ALTER TABLE accounts ADD COLUMN lockouts INTEGER NOT NULL DEFAULT 0;
-- The sweeper's question: which timed locks are over? Only timed locks are in the index.
CREATE INDEX accounts_locked_until ON accounts (locked_until) WHERE locked_until IS NOT NULL;

-- Non-secret values an email shows (e.g. {"minutes": 30, "until": "..."}), as JSON.
ALTER TABLE outbox ADD COLUMN params TEXT NOT NULL DEFAULT '{}';
