-- Member counts kept with the memberships (updated in the same transaction), so Manage > Groups
-- shows them without counting a million memberships per page.
ALTER TABLE groups ADD COLUMN member_count INTEGER NOT NULL DEFAULT 0;
UPDATE groups SET member_count = (SELECT COUNT(*) FROM group_members m WHERE m.group_id = groups.id);
