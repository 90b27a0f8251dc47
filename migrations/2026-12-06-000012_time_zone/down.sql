ALTER TABLE organization_settings DROP COLUMN time_zone;
