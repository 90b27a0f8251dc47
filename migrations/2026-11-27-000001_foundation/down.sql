DROP TABLE organization_settings;
DROP TABLE audit_events;
DROP TABLE one_time_tokens;
DROP TABLE sessions;
DROP TABLE group_members;
DROP TABLE groups;
DROP TABLE accounts;
