-- The organization's time zone (Settings > General): every time the console, My Account and
-- emails show is in it, labelled with it. An IANA name; UTC until someone chooses.
ALTER TABLE organization_settings ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
