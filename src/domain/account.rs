//! Account kinds, administrator roles and statuses, as stored (`as_str`) and as shown (`label`).

macro_rules! text_enum {
    ($name:ident { $($variant:ident = $text:literal : $label:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

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
