-- Back to labels held in each event, and indexes ending in (occurred_at, id).
DROP TRIGGER audit_log_insert;
CREATE TABLE old_audit_events (
    id INTEGER PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    action TEXT NOT NULL,
    subject_id TEXT,
    subject_label TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT ''
);
INSERT INTO old_audit_events (id, occurred_at, actor_id, actor_label, actor_name, action,
    subject_id, subject_label, details, ip)
SELECT id, occurred_at, actor_id, actor_label, actor_name, action, subject_id, subject_label,
    details, ip
FROM audit_log ORDER BY id;
DROP VIEW audit_log;
DROP TABLE audit_events;
DROP TABLE audit_words;
ALTER TABLE old_audit_events RENAME TO audit_events;
DELETE FROM bulk_load_pending WHERE name LIKE 'audit_events_%';
CREATE INDEX audit_events_action ON audit_events (action, occurred_at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_label, occurred_at, id);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at, id);
CREATE INDEX audit_events_subject ON audit_events (subject_id, occurred_at, id);
CREATE INDEX audit_events_subject_label ON audit_events (subject_label, occurred_at, id);
