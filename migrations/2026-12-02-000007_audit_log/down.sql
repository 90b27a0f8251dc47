DROP INDEX audit_events_action;
DROP INDEX audit_events_actor;
DROP INDEX audit_events_subject_label;
DROP INDEX audit_events_subject;
CREATE INDEX audit_events_subject ON audit_events (subject_id, occurred_at);
ALTER TABLE audit_events DROP COLUMN actor_name;
