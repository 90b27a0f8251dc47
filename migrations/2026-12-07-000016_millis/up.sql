-- Times as integers: milliseconds since 1970 in UTC (`db::millis`) instead of text such as
-- '2026-12-07 14:18:33.670506' — 6 bytes instead of 26 a value, compared and read without
-- parsing. SQLite keeps the declared type (TIMESTAMP, numeric affinity); only the values change.
-- Milliseconds are truncated, as chrono truncates them. Triggers on accounts fire only on
-- other columns (UPDATE OF), so this rewrites rows and the indexes that hold a time, nothing else.

-- The large tables' indexes that hold a time are dropped first and built again at the end: one
-- sort each instead of a delete and an insert per entry (1M customers and 1M events: 53 s → ~20 s).
-- One set aside by an interrupted `roster seed` (bulk_load_pending) is built here, in its new form.
DROP INDEX IF EXISTS accounts_kind_created;
DROP INDEX IF EXISTS accounts_kind_status_created;
DROP INDEX IF EXISTS accounts_kind_last_sign_in;
DROP INDEX IF EXISTS accounts_locked_until;
DROP INDEX IF EXISTS audit_events_action;
DROP INDEX IF EXISTS audit_events_actor;
DROP INDEX IF EXISTS audit_events_occurred;
DROP INDEX IF EXISTS audit_events_subject;
DROP INDEX IF EXISTS audit_events_subject_label;

UPDATE accounts SET locked_until = CASE WHEN typeof(locked_until) = 'text' THEN unixepoch(locked_until) * 1000 + CASE WHEN substr(locked_until, 20, 1) = '.' THEN CAST(substr(substr(locked_until, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE locked_until END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN unixepoch(updated_at) * 1000 + CASE WHEN substr(updated_at, 20, 1) = '.' THEN CAST(substr(substr(updated_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE updated_at END,
    last_sign_in_at = CASE WHEN typeof(last_sign_in_at) = 'text' THEN unixepoch(last_sign_in_at) * 1000 + CASE WHEN substr(last_sign_in_at, 20, 1) = '.' THEN CAST(substr(substr(last_sign_in_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE last_sign_in_at END,
    locked_at = CASE WHEN typeof(locked_at) = 'text' THEN unixepoch(locked_at) * 1000 + CASE WHEN substr(locked_at, 20, 1) = '.' THEN CAST(substr(substr(locked_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE locked_at END,
    email_verified_at = CASE WHEN typeof(email_verified_at) = 'text' THEN unixepoch(email_verified_at) * 1000 + CASE WHEN substr(email_verified_at, 20, 1) = '.' THEN CAST(substr(substr(email_verified_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE email_verified_at END;

UPDATE attributes SET created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN unixepoch(updated_at) * 1000 + CASE WHEN substr(updated_at, 20, 1) = '.' THEN CAST(substr(substr(updated_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE updated_at END;

UPDATE audit_events SET occurred_at = CASE WHEN typeof(occurred_at) = 'text' THEN unixepoch(occurred_at) * 1000 + CASE WHEN substr(occurred_at, 20, 1) = '.' THEN CAST(substr(substr(occurred_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE occurred_at END;

UPDATE form_submissions SET created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END;

UPDATE group_members SET added_at = CASE WHEN typeof(added_at) = 'text' THEN unixepoch(added_at) * 1000 + CASE WHEN substr(added_at, 20, 1) = '.' THEN CAST(substr(substr(added_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE added_at END;

UPDATE groups SET created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN unixepoch(updated_at) * 1000 + CASE WHEN substr(updated_at, 20, 1) = '.' THEN CAST(substr(substr(updated_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE updated_at END;

UPDATE one_time_tokens SET created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'text' THEN unixepoch(expires_at) * 1000 + CASE WHEN substr(expires_at, 20, 1) = '.' THEN CAST(substr(substr(expires_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE expires_at END,
    used_at = CASE WHEN typeof(used_at) = 'text' THEN unixepoch(used_at) * 1000 + CASE WHEN substr(used_at, 20, 1) = '.' THEN CAST(substr(substr(used_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE used_at END,
    revoked_at = CASE WHEN typeof(revoked_at) = 'text' THEN unixepoch(revoked_at) * 1000 + CASE WHEN substr(revoked_at, 20, 1) = '.' THEN CAST(substr(substr(revoked_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE revoked_at END;

UPDATE organization_settings SET updated_at = CASE WHEN typeof(updated_at) = 'text' THEN unixepoch(updated_at) * 1000 + CASE WHEN substr(updated_at, 20, 1) = '.' THEN CAST(substr(substr(updated_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE updated_at END;

UPDATE outbox SET next_attempt_at = CASE WHEN typeof(next_attempt_at) = 'text' THEN unixepoch(next_attempt_at) * 1000 + CASE WHEN substr(next_attempt_at, 20, 1) = '.' THEN CAST(substr(substr(next_attempt_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE next_attempt_at END,
    last_attempt_at = CASE WHEN typeof(last_attempt_at) = 'text' THEN unixepoch(last_attempt_at) * 1000 + CASE WHEN substr(last_attempt_at, 20, 1) = '.' THEN CAST(substr(substr(last_attempt_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE last_attempt_at END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN unixepoch(updated_at) * 1000 + CASE WHEN substr(updated_at, 20, 1) = '.' THEN CAST(substr(substr(updated_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE updated_at END,
    sent_at = CASE WHEN typeof(sent_at) = 'text' THEN unixepoch(sent_at) * 1000 + CASE WHEN substr(sent_at, 20, 1) = '.' THEN CAST(substr(substr(sent_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE sent_at END;

UPDATE sessions SET created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    last_seen_at = CASE WHEN typeof(last_seen_at) = 'text' THEN unixepoch(last_seen_at) * 1000 + CASE WHEN substr(last_seen_at, 20, 1) = '.' THEN CAST(substr(substr(last_seen_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE last_seen_at END,
    idle_expires_at = CASE WHEN typeof(idle_expires_at) = 'text' THEN unixepoch(idle_expires_at) * 1000 + CASE WHEN substr(idle_expires_at, 20, 1) = '.' THEN CAST(substr(substr(idle_expires_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE idle_expires_at END,
    absolute_expires_at = CASE WHEN typeof(absolute_expires_at) = 'text' THEN unixepoch(absolute_expires_at) * 1000 + CASE WHEN substr(absolute_expires_at, 20, 1) = '.' THEN CAST(substr(substr(absolute_expires_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE absolute_expires_at END;

UPDATE applications SET created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'text' THEN unixepoch(updated_at) * 1000 + CASE WHEN substr(updated_at, 20, 1) = '.' THEN CAST(substr(substr(updated_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE updated_at END;

UPDATE authorization_codes SET auth_time = CASE WHEN typeof(auth_time) = 'text' THEN unixepoch(auth_time) * 1000 + CASE WHEN substr(auth_time, 20, 1) = '.' THEN CAST(substr(substr(auth_time, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE auth_time END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'text' THEN unixepoch(expires_at) * 1000 + CASE WHEN substr(expires_at, 20, 1) = '.' THEN CAST(substr(substr(expires_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE expires_at END,
    used_at = CASE WHEN typeof(used_at) = 'text' THEN unixepoch(used_at) * 1000 + CASE WHEN substr(used_at, 20, 1) = '.' THEN CAST(substr(substr(used_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE used_at END;

UPDATE oidc_tokens SET auth_time = CASE WHEN typeof(auth_time) = 'text' THEN unixepoch(auth_time) * 1000 + CASE WHEN substr(auth_time, 20, 1) = '.' THEN CAST(substr(substr(auth_time, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE auth_time END,
    created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'text' THEN unixepoch(expires_at) * 1000 + CASE WHEN substr(expires_at, 20, 1) = '.' THEN CAST(substr(substr(expires_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE expires_at END,
    used_at = CASE WHEN typeof(used_at) = 'text' THEN unixepoch(used_at) * 1000 + CASE WHEN substr(used_at, 20, 1) = '.' THEN CAST(substr(substr(used_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE used_at END,
    revoked_at = CASE WHEN typeof(revoked_at) = 'text' THEN unixepoch(revoked_at) * 1000 + CASE WHEN substr(revoked_at, 20, 1) = '.' THEN CAST(substr(substr(revoked_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE revoked_at END;

UPDATE signing_keys SET created_at = CASE WHEN typeof(created_at) = 'text' THEN unixepoch(created_at) * 1000 + CASE WHEN substr(created_at, 20, 1) = '.' THEN CAST(substr(substr(created_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE created_at END,
    retired_at = CASE WHEN typeof(retired_at) = 'text' THEN unixepoch(retired_at) * 1000 + CASE WHEN substr(retired_at, 20, 1) = '.' THEN CAST(substr(substr(retired_at, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE retired_at END,
    published_until = CASE WHEN typeof(published_until) = 'text' THEN unixepoch(published_until) * 1000 + CASE WHEN substr(published_until, 20, 1) = '.' THEN CAST(substr(substr(published_until, 21) || '000', 1, 3) AS INTEGER) ELSE 0 END ELSE published_until END;


DELETE FROM bulk_load_pending WHERE name IN ('accounts_kind_created', 'accounts_kind_status_created', 'accounts_kind_last_sign_in', 'accounts_locked_until', 'audit_events_action', 'audit_events_actor', 'audit_events_occurred', 'audit_events_subject', 'audit_events_subject_label');

CREATE INDEX accounts_kind_created ON accounts (kind, created_at, id, email, first_name_key, last_name_key);
CREATE INDEX accounts_kind_status_created
    ON accounts (kind, status, created_at, id, email, first_name_key, last_name_key);
-- Customers who never signed in sort as the oldest: 0 where the text ordering used ''.
CREATE INDEX accounts_kind_last_sign_in ON accounts (kind, COALESCE(last_sign_in_at, 0), id, email, first_name_key, last_name_key);
CREATE INDEX accounts_locked_until ON accounts (locked_until) WHERE locked_until IS NOT NULL;
CREATE INDEX audit_events_action ON audit_events (action, occurred_at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_label, occurred_at, id);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at, id);
CREATE INDEX audit_events_subject ON audit_events (subject_id, occurred_at, id);
CREATE INDEX audit_events_subject_label ON audit_events (subject_label, occurred_at, id);
