//! Which emails exist, and the states of a message in the outbox.

text_enum!(Template {
    Invitation = "invitation": "Invitation",
    AccountCreated = "account_created": "Account created",
    PasswordReset = "password_reset": "Password reset",
    TemporaryPassword = "temporary_password": "Temporary password set",
    AccountLocked = "account_locked": "Account locked",
    AccountUnlocked = "account_unlocked": "Account unlocked",
    LockedAfterFailures = "locked_after_failures": "Locked after failed sign-ins",
    PasswordChanged = "password_changed": "Password changed",
    PasswordRecovery = "password_recovery": "Forgot password",
    Verification = "verification": "Verify email",
    AlreadyRegistered = "already_registered": "Already registered",
});

text_enum!(MailState {
    Queued = "queued": "Queued",
    Retrying = "retrying": "Retrying",
    Sent = "sent": "Sent",
    Failed = "failed": "Failed",
    Cancelled = "cancelled": "Cancelled",
});
