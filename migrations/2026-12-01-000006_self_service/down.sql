ALTER TABLE organization_settings DROP COLUMN registration_verification;
ALTER TABLE organization_settings DROP COLUMN password_no_name_part;
ALTER TABLE organization_settings DROP COLUMN password_blocklist;
ALTER TABLE organization_settings DROP COLUMN password_require_symbol;
ALTER TABLE organization_settings DROP COLUMN password_require_digit;
ALTER TABLE organization_settings DROP COLUMN password_require_lower;
ALTER TABLE organization_settings DROP COLUMN password_require_upper;
DELETE FROM one_time_tokens WHERE purpose = 'recovery';
