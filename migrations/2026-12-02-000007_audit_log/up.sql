-- Settings > Audit log: the actor's name as it was (it outlives their account), and one index
-- per filter, each ending in the newest-first order so a filtered page is a short index walk.
ALTER TABLE audit_events ADD COLUMN actor_name TEXT NOT NULL DEFAULT '';
DROP INDEX audit_events_subject;
CREATE INDEX audit_events_subject ON audit_events (subject_id, occurred_at, id);
CREATE INDEX audit_events_subject_label ON audit_events (subject_label, occurred_at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_label, occurred_at, id);
CREATE INDEX audit_events_action ON audit_events (action, occurred_at, id);
