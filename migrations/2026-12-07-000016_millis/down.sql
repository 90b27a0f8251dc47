-- Back to text times, to the millisecond.

UPDATE accounts SET locked_until = CASE WHEN typeof(locked_until) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', locked_until / 1000.0, 'unixepoch') ELSE locked_until END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', updated_at / 1000.0, 'unixepoch') ELSE updated_at END,
    last_sign_in_at = CASE WHEN typeof(last_sign_in_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', last_sign_in_at / 1000.0, 'unixepoch') ELSE last_sign_in_at END,
    locked_at = CASE WHEN typeof(locked_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', locked_at / 1000.0, 'unixepoch') ELSE locked_at END,
    email_verified_at = CASE WHEN typeof(email_verified_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', email_verified_at / 1000.0, 'unixepoch') ELSE email_verified_at END;

UPDATE attributes SET created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', updated_at / 1000.0, 'unixepoch') ELSE updated_at END;

UPDATE audit_events SET occurred_at = CASE WHEN typeof(occurred_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', occurred_at / 1000.0, 'unixepoch') ELSE occurred_at END;

UPDATE form_submissions SET created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END;

UPDATE group_members SET added_at = CASE WHEN typeof(added_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', added_at / 1000.0, 'unixepoch') ELSE added_at END;

UPDATE groups SET created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', updated_at / 1000.0, 'unixepoch') ELSE updated_at END;

UPDATE one_time_tokens SET created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', expires_at / 1000.0, 'unixepoch') ELSE expires_at END,
    used_at = CASE WHEN typeof(used_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', used_at / 1000.0, 'unixepoch') ELSE used_at END,
    revoked_at = CASE WHEN typeof(revoked_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', revoked_at / 1000.0, 'unixepoch') ELSE revoked_at END;

UPDATE organization_settings SET updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', updated_at / 1000.0, 'unixepoch') ELSE updated_at END;

UPDATE outbox SET next_attempt_at = CASE WHEN typeof(next_attempt_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', next_attempt_at / 1000.0, 'unixepoch') ELSE next_attempt_at END,
    last_attempt_at = CASE WHEN typeof(last_attempt_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', last_attempt_at / 1000.0, 'unixepoch') ELSE last_attempt_at END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', updated_at / 1000.0, 'unixepoch') ELSE updated_at END,
    sent_at = CASE WHEN typeof(sent_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', sent_at / 1000.0, 'unixepoch') ELSE sent_at END;

UPDATE sessions SET created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    last_seen_at = CASE WHEN typeof(last_seen_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', last_seen_at / 1000.0, 'unixepoch') ELSE last_seen_at END,
    idle_expires_at = CASE WHEN typeof(idle_expires_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', idle_expires_at / 1000.0, 'unixepoch') ELSE idle_expires_at END,
    absolute_expires_at = CASE WHEN typeof(absolute_expires_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', absolute_expires_at / 1000.0, 'unixepoch') ELSE absolute_expires_at END;

UPDATE applications SET created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    updated_at = CASE WHEN typeof(updated_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', updated_at / 1000.0, 'unixepoch') ELSE updated_at END;

UPDATE authorization_codes SET auth_time = CASE WHEN typeof(auth_time) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', auth_time / 1000.0, 'unixepoch') ELSE auth_time END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', expires_at / 1000.0, 'unixepoch') ELSE expires_at END,
    used_at = CASE WHEN typeof(used_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', used_at / 1000.0, 'unixepoch') ELSE used_at END;

UPDATE oidc_tokens SET auth_time = CASE WHEN typeof(auth_time) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', auth_time / 1000.0, 'unixepoch') ELSE auth_time END,
    created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    expires_at = CASE WHEN typeof(expires_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', expires_at / 1000.0, 'unixepoch') ELSE expires_at END,
    used_at = CASE WHEN typeof(used_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', used_at / 1000.0, 'unixepoch') ELSE used_at END,
    revoked_at = CASE WHEN typeof(revoked_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', revoked_at / 1000.0, 'unixepoch') ELSE revoked_at END;

UPDATE signing_keys SET created_at = CASE WHEN typeof(created_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', created_at / 1000.0, 'unixepoch') ELSE created_at END,
    retired_at = CASE WHEN typeof(retired_at) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', retired_at / 1000.0, 'unixepoch') ELSE retired_at END,
    published_until = CASE WHEN typeof(published_until) = 'integer' THEN strftime('%Y-%m-%d %H:%M:%f', published_until / 1000.0, 'unixepoch') ELSE published_until END;


DROP INDEX accounts_kind_last_sign_in;
CREATE INDEX accounts_kind_last_sign_in ON accounts (kind, COALESCE(last_sign_in_at, ''), id, email, first_name_key, last_name_key);
