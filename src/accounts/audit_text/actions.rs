//! Every event the audit trail records, by its code, with its name in words: the log's Action
//! filter lists them, grouped.

/// Every event the trail records, grouped as the log's Action filter lists them: (group,
/// [(code, name)]).
pub const ACTIONS: &[(&str, &[(&str, &str)])] = &[
    (
        "Customers",
        &[
            ("customer.created", "Customer created"),
            ("customer.registered", "Account created (self-registration)"),
            ("customer.verified", "Email address verified"),
            ("verification.resent", "Verification link sent again"),
            ("registration.existing_email", "Registration with a taken address"),
            ("customer.updated", "Profile updated"),
            ("account.locked", "Account locked"),
            ("account.unlocked", "Account unlocked"),
            ("account.deleted", "Account deleted"),
        ],
    ),
    (
        "Passwords and links",
        &[
            ("invitation.sent", "Invitation sent"),
            ("invitation.resent", "Invitation sent again"),
            ("invitation.accepted", "Invitation accepted"),
            ("password.temporary_set", "Temporary password set"),
            ("password.reset", "Password reset by an administrator"),
            ("password_reset.resent", "Reset link sent again"),
            ("password_reset.completed", "Password chosen with a reset link"),
            ("password_recovery.requested", "Forgot password"),
            ("password.recovered", "Password chosen after forgetting it"),
            ("password.changed", "Password changed"),
            ("email.resent", "Email sent again"),
        ],
    ),
    (
        "Sign-in",
        &[
            ("signin.succeeded", "Signed in"),
            ("signin.failed", "Sign-in failed"),
            ("signout", "Signed out"),
            ("session.terminated", "Sessions ended"),
        ],
    ),
    (
        "Groups and attributes",
        &[
            ("group.created", "Group created"),
            ("group.renamed", "Group renamed"),
            ("group.deleted", "Group deleted"),
            ("group.member_added", "Added to a group"),
            ("group.member_removed", "Removed from a group"),
            ("attribute.created", "Attribute created"),
            ("attribute.updated", "Attribute changed"),
            ("attribute.deleted", "Attribute deleted"),
        ],
    ),
    (
        "Applications",
        &[
            ("application.created", "Application registered"),
            ("application.updated", "Application changed"),
            ("application.secret_regenerated", "Client secret regenerated"),
            ("application.deleted", "Application deleted"),
            ("application.signed_in", "Signed in to an application"),
            ("application.tokens_issued", "Tokens issued to an application"),
            ("tokens.revoked", "Application sign-in ended"),
            ("signing_keys.rotated", "Signing keys rotated"),
        ],
    ),
    (
        "Administrators and settings",
        &[
            ("owner.created", "Owner created"),
            ("administrator.invited", "Administrator invited"),
            ("administrator.invitation_resent", "Administrator invitation sent again"),
            ("administrator.invitation_revoked", "Administrator invitation withdrawn"),
            ("administrator.updated", "Administrator's profile updated"),
            ("administrator.role_changed", "Role changed"),
            ("administrator.removed", "Administrator removed"),
            ("ownership.transferred", "Ownership transferred"),
            ("settings.general_updated", "General settings changed"),
            ("settings.password_policy_updated", "Password policy changed"),
            ("settings.self_registration_updated", "Self-registration settings changed"),
            ("settings.links_updated", "Link expiry changed"),
            ("settings.login_security_updated", "Login security changed"),
        ],
    ),
];

/// The name of an event's code, when the catalogue has it.
pub fn action_name(code: &str) -> Option<&'static str> {
    ACTIONS.iter().flat_map(|(_, list)| list.iter()).find(|(c, _)| *c == code).map(|(_, n)| *n)
}
