//! The seed's two methods to set a customer's password — invite them (a link, emailed or to
//! copy) or set a temporary one (typed or Generated, with the policy's live checklist) — as
//! the New User wizard and Reset password both show them.

/// The fieldset's state: the choice made, the typed password, and the words around it.
pub struct PasswordChoice {
    pub legend: &'static str,
    pub invite_hint: &'static str,
    /// "invite" or "temporary".
    pub method: String,
    /// "email" or "offline".
    pub delivery: String,
    pub password: String,
    /// After Generate: shown in clear so the administrator can read it.
    pub reveal_password: bool,
    pub smtp: bool,
    /// The form's own address, which Generate posts to.
    pub form_href: String,
}
