-- When the customer proved they receive mail at their address: by following a link we emailed
-- there (an emailed invitation, a reset or recovery link, the registration's verification).
-- A link copied by an administrator or a temporary password proves nothing. ID tokens and
-- userinfo say `email_verified` from it.
ALTER TABLE accounts ADD COLUMN email_verified_at TIMESTAMP NULL;

-- Accounts that already followed an emailed link before this column existed.
UPDATE accounts SET email_verified_at = (
    SELECT MAX(t.used_at) FROM one_time_tokens t
    WHERE t.account_id = accounts.id AND t.used_at IS NOT NULL
      AND EXISTS (SELECT 1 FROM outbox o WHERE o.token_id = t.id)
);
