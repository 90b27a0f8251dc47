//! Parsed values: once a value of these types exists it is valid, so code past the edge of the
//! program does not check again.

/// A closed set of values stored as text (`as_str`/`parse`) and shown in words (`label`).
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

pub mod account;
pub mod application;
pub mod attribute;
pub mod clock;
pub mod email;
pub mod format;
pub mod group;
pub mod lockout;
pub mod mail;
pub mod name;
pub mod net;
pub mod oidc;
pub mod password;
pub mod settings;
pub mod signing;
pub mod token;
pub mod urls;
pub mod user_agent;

/// Messages for the fields of a form, in the order the form shows them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    /// `field` is the form field's name (custom attributes have names only known at run time).
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// True for characters that never belong in a name or an address: C0/C1 controls, and the
/// Unicode format characters used to spoof text direction.
pub fn is_forbidden_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}
