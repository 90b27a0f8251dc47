// @generated automatically by Diesel CLI.

diesel::table! {
    accounts (id) {
        id -> Text,
        kind -> Text,
        role -> Nullable<Text>,
        email -> Text,
        first_name -> Text,
        last_name -> Text,
        first_name_key -> Text,
        last_name_key -> Text,
        password_hash -> Nullable<Text>,
        must_change_password -> Bool,
        status -> Text,
        lock_reason -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        failed_attempts -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_sign_in_at -> Nullable<Timestamp>,
        locked_at -> Nullable<Timestamp>,
        locked_by -> Nullable<Text>,
        unlocked_status -> Nullable<Text>,
        lockouts -> Integer,
        email_verified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    attribute_values (attribute_id, account_id) {
        attribute_id -> Text,
        account_id -> Text,
        value -> Text,
        value_key -> Text,
    }
}

diesel::table! {
    attributes (id) {
        id -> Text,
        name -> Text,
        display_name -> Text,
        description -> Text,
        data_type -> Text,
        options -> Text,
        regex -> Nullable<Text>,
        display_order -> Integer,
        unique_values -> Bool,
        console_displayed -> Bool,
        console_required -> Bool,
        console_read_only -> Bool,
        myaccount_displayed -> Bool,
        myaccount_required -> Bool,
        myaccount_read_only -> Bool,
        registration_displayed -> Bool,
        registration_required -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> Text,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_label -> Text,
        action -> Text,
        subject_id -> Nullable<Text>,
        subject_label -> Nullable<Text>,
        details -> Text,
        ip -> Text,
        actor_name -> Text,
    }
}

diesel::table! {
    form_submissions (submission_key) {
        submission_key -> Text,
        actor_id -> Text,
        account_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    group_members (group_id, account_id) {
        group_id -> Text,
        account_id -> Text,
        added_at -> Timestamp,
    }
}

diesel::table! {
    groups (id) {
        id -> Text,
        name -> Text,
        name_key -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        member_count -> Integer,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> Text,
        token_hash -> Text,
        account_id -> Text,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    organization_settings (id) {
        id -> Integer,
        name -> Text,
        password_min_length -> Integer,
        password_max_length -> Integer,
        session_idle_minutes -> Integer,
        session_absolute_minutes -> Integer,
        invitation_expiry_minutes -> Integer,
        password_reset_expiry_minutes -> Integer,
        verification_expiry_minutes -> Integer,
        self_registration_enabled -> Bool,
        lockout_enabled -> Bool,
        lockout_attempts -> Integer,
        lockout_minutes -> Integer,
        lockout_factor -> Integer,
        mail_from_name -> Text,
        mail_from_address -> Text,
        updated_at -> Timestamp,
        password_require_upper -> Bool,
        password_require_lower -> Bool,
        password_require_digit -> Bool,
        password_require_symbol -> Bool,
        password_blocklist -> Bool,
        password_no_name_part -> Bool,
        registration_verification -> Bool,
        time_zone -> Text,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        template -> Text,
        account_id -> Nullable<Text>,
        recipient -> Text,
        recipient_name -> Text,
        subject -> Text,
        token_id -> Nullable<Text>,
        state -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        params -> Text,
    }
}

diesel::table! {
    sessions (id_hash) {
        id_hash -> Text,
        scope -> Text,
        account_id -> Nullable<Text>,
        state -> Text,
        user_agent -> Text,
        ip -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        idle_expires_at -> Timestamp,
        absolute_expires_at -> Timestamp,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        name -> Text,
        client_id -> Text,
        client_type -> Text,
        secret_hash -> Nullable<Text>,
        redirect_uris -> Text,
        post_logout_redirect_uris -> Text,
        refresh_tokens -> Bool,
        access_token_minutes -> Integer,
        refresh_token_days -> Integer,
        claims -> Text,
        attribute_names -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        id_token_alg -> Text,
    }
}

diesel::table! {
    authorization_codes (code_hash) {
        code_hash -> Text,
        grant_id -> Text,
        application_id -> Text,
        account_id -> Text,
        redirect_uri -> Text,
        scope -> Text,
        nonce -> Nullable<Text>,
        code_challenge -> Nullable<Text>,
        auth_time -> Timestamp,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    oidc_tokens (token_hash) {
        token_hash -> Text,
        kind -> Text,
        grant_id -> Text,
        application_id -> Text,
        account_id -> Text,
        scope -> Text,
        auth_time -> Timestamp,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    signing_keys (kid) {
        kid -> Text,
        alg -> Text,
        private_sealed -> Text,
        public_jwk -> Text,
        created_at -> Timestamp,
        retired_at -> Nullable<Timestamp>,
        published_until -> Nullable<Timestamp>,
    }
}

diesel::joinable!(attribute_values -> accounts (account_id));
diesel::joinable!(attribute_values -> attributes (attribute_id));
diesel::joinable!(form_submissions -> accounts (account_id));
diesel::joinable!(group_members -> accounts (account_id));
diesel::joinable!(group_members -> groups (group_id));
diesel::joinable!(one_time_tokens -> accounts (account_id));
diesel::joinable!(outbox -> accounts (account_id));
diesel::joinable!(outbox -> one_time_tokens (token_id));
diesel::joinable!(sessions -> accounts (account_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounts,
    applications,
    attribute_values,
    authorization_codes,
    attributes,
    audit_events,
    form_submissions,
    group_members,
    groups,
    oidc_tokens,
    one_time_tokens,
    organization_settings,
    outbox,
    sessions,
    signing_keys,
);
