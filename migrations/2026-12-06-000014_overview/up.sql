-- The Overview's "emails failing" counts only failed messages: a small partial index, so the
-- count reads those rows alone whatever the outbox holds.
CREATE INDEX outbox_failed ON outbox (created_at) WHERE state = 'failed';
