ALTER TABLE groups DROP COLUMN member_count;
