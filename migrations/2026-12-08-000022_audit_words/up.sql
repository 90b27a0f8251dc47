-- Audit events hold numbers: each label, name, action and public id is written once in
-- `audit_words` and events point at it (10M events: 340 -> ~110 bytes an event). A word is
-- never changed or deleted, so an event keeps the labels of people since renamed or deleted.
-- The log is read and written through the view `audit_log`, which has the columns the table
-- had; its trigger interns the words of each new event. Events are ordered by their key (the
-- order they were recorded in), so no index repeats the time: the time index serves the
-- From/Until filters alone, turned into key bounds. For that, keys follow time: events are
-- numbered here in time order, and the trigger never records an event earlier than the one
-- before it (a clock stepped back, or a time read before waiting for the write lock).
CREATE TABLE audit_words (
    id INTEGER PRIMARY KEY,
    word TEXT NOT NULL UNIQUE
);
INSERT OR IGNORE INTO audit_words (word)
SELECT actor_id FROM audit_events WHERE actor_id IS NOT NULL
UNION SELECT actor_label FROM audit_events
UNION SELECT actor_name FROM audit_events
UNION SELECT action FROM audit_events
UNION SELECT subject_id FROM audit_events WHERE subject_id IS NOT NULL
UNION SELECT subject_label FROM audit_events WHERE subject_label IS NOT NULL;
CREATE TABLE new_audit_events (
    id INTEGER PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    -- words: the acting account's public id, and its label and name as they were
    actor_id INTEGER,
    actor_label INTEGER NOT NULL,
    actor_name INTEGER NOT NULL,
    -- a word
    action INTEGER NOT NULL,
    -- words: the public id and label of what the event is about (an account, group,
    -- attribute, application)
    subject_id INTEGER,
    subject_label INTEGER,
    details TEXT NOT NULL DEFAULT '{}',
    ip TEXT NOT NULL DEFAULT ''
);
INSERT INTO new_audit_events (occurred_at, actor_id, actor_label, actor_name, action,
    subject_id, subject_label, details, ip)
SELECT e.occurred_at,
    (SELECT w.id FROM audit_words w WHERE w.word = e.actor_id),
    (SELECT w.id FROM audit_words w WHERE w.word = e.actor_label),
    (SELECT w.id FROM audit_words w WHERE w.word = e.actor_name),
    (SELECT w.id FROM audit_words w WHERE w.word = e.action),
    (SELECT w.id FROM audit_words w WHERE w.word = e.subject_id),
    (SELECT w.id FROM audit_words w WHERE w.word = e.subject_label),
    e.details, e.ip
FROM audit_events e ORDER BY e.occurred_at, e.id;
DROP TABLE audit_events;
ALTER TABLE new_audit_events RENAME TO audit_events;
-- An interrupted seed's set-aside audit indexes are made here, in their new form.
DELETE FROM bulk_load_pending WHERE name LIKE 'audit_events_%';
CREATE INDEX audit_events_action ON audit_events (action);
CREATE INDEX audit_events_actor ON audit_events (actor_label);
CREATE INDEX audit_events_occurred ON audit_events (occurred_at);
CREATE INDEX audit_events_subject ON audit_events (subject_id);
CREATE INDEX audit_events_subject_label ON audit_events (subject_label);
-- The words an event's label, name and action columns point at always exist: inner joins,
-- which let the planner start from a filter's word.
CREATE VIEW audit_log AS
SELECT e.id AS id, e.occurred_at AS occurred_at, ai.word AS actor_id,
    al.word AS actor_label, ac.word AS action, si.word AS subject_id,
    sl.word AS subject_label, e.details AS details, e.ip AS ip, an.word AS actor_name
FROM audit_events e
JOIN audit_words al ON al.id = e.actor_label
JOIN audit_words an ON an.id = e.actor_name
JOIN audit_words ac ON ac.id = e.action
LEFT JOIN audit_words ai ON ai.id = e.actor_id
LEFT JOIN audit_words si ON si.id = e.subject_id
LEFT JOIN audit_words sl ON sl.id = e.subject_label;
-- A NULL is not a word: NOT NULL makes OR IGNORE skip it. An event is never earlier than the
-- one before it (one lookup of the last key).
CREATE TRIGGER audit_log_insert INSTEAD OF INSERT ON audit_log
BEGIN
    INSERT OR IGNORE INTO audit_words (word) VALUES (NEW.actor_id), (NEW.actor_label),
        (COALESCE(NEW.actor_name, '')), (NEW.action), (NEW.subject_id), (NEW.subject_label);
    INSERT INTO audit_events (occurred_at, actor_id, actor_label, actor_name, action,
        subject_id, subject_label, details, ip)
    VALUES (MAX(NEW.occurred_at, COALESCE(
            (SELECT occurred_at FROM audit_events ORDER BY id DESC LIMIT 1), NEW.occurred_at)),
        (SELECT id FROM audit_words WHERE word = NEW.actor_id),
        (SELECT id FROM audit_words WHERE word = NEW.actor_label),
        (SELECT id FROM audit_words WHERE word = COALESCE(NEW.actor_name, '')),
        (SELECT id FROM audit_words WHERE word = NEW.action),
        (SELECT id FROM audit_words WHERE word = NEW.subject_id),
        (SELECT id FROM audit_words WHERE word = NEW.subject_label),
        COALESCE(NEW.details, '{}'), COALESCE(NEW.ip, ''));
END;
