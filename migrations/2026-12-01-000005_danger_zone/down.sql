ALTER TABLE outbox DROP COLUMN params;
DROP INDEX accounts_locked_until;
ALTER TABLE accounts DROP COLUMN lockouts;
ALTER TABLE accounts DROP COLUMN unlocked_status;
ALTER TABLE accounts DROP COLUMN locked_by;
ALTER TABLE accounts DROP COLUMN locked_at;
