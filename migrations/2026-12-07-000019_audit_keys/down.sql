-- Back to TEXT ids (UUID-shaped, in the order of the integer keys).
CREATE TABLE old_audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_id TEXT,
    subject_label TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT ''
, actor_name TEXT NOT NULL DEFAULT '');
INSERT INTO old_audit_events (id, occurred_at, actor_id, actor_label, action, subject_id,
    subject_label, details, ip, actor_name)
SELECT printf('00000000-0000-7000-8000-%012x', id), occurred_at, actor_id, actor_label, action,
    subject_id, subject_label, details, ip, actor_name
FROM audit_events ORDER BY id;
DROP TABLE audit_events;
ALTER TABLE old_audit_events RENAME TO audit_events;
DELETE FROM bulk_load_pending WHERE name LIKE 'audit_events_%';
CREATE INDEX audit_events_action ON audit_events (action, occurred_at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_label, occurred_at, id);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at, id);
CREATE INDEX audit_events_subject ON audit_events (subject_id, occurred_at, id);
CREATE INDEX audit_events_subject_label ON audit_events (subject_label, occurred_at, id);
