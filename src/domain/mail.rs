//! Which emails exist, and the states of a message in the outbox.

text_enum!(Template {
    Invitation = "invitation": "Invitation",
    AccountCreated = "account_created": "Account created",
});

text_enum!(MailState {
    Queued = "queued": "Queued",
    Retrying = "retrying": "Retrying",
    Sent = "sent": "Sent",
    Failed = "failed": "Failed",
    Cancelled = "cancelled": "Cancelled",
});
