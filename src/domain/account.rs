//! Account kinds, administrator roles and statuses, as stored (`as_str`) and as shown (`label`).

text_enum!(Kind {
    Customer = "customer": "Customer",
    Administrator = "administrator": "Administrator",
});

text_enum!(Role {
    Owner = "owner": "Owner",
    Administrator = "administrator": "Administrator",
    Viewer = "viewer": "Viewer",
});

text_enum!(Status {
    Active = "active": "Active",
    PendingPassword = "pending_password": "Pending password",
    PendingVerification = "pending_verification": "Pending verification",
    Locked = "locked": "Locked",
});

text_enum!(LockReason {
    Admin = "admin": "locked by an administrator",
    FailedAttempts = "failed_attempts": "too many failed sign-in attempts",
});
