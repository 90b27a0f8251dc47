//! An application that signs customers in through Roster (an OpenID Connect client): its kind,
//! redirect URIs (matched exactly; https, or http on loopback only), token lifetimes and the
//! claims it receives, parsed from the console's form with a message per field.

use super::signing::Algorithm;
use super::{FieldErrors, is_forbidden_char};

text_enum!(ClientType {
    Confidential = "confidential": "Traditional web application",
    Public = "public": "Single-page or native application",
});

impl ClientType {
    /// What the console says of it under the choice.
    pub fn hint(self) -> &'static str {
        match self {
            Self::Confidential => {
                "Runs on a server that can keep a secret. Signs in with a client secret; PKCE \
                 is accepted."
            }
            Self::Public => {
                "Runs in the browser or on a device, where no secret is safe. Must use PKCE \
                 (S256); no client secret."
            }
        }
    }
}

/// The claim groups an application may receive (besides `sub`, always).
pub const CLAIM_GROUPS: [(&str, &str); 3] = [
    ("email", "Email and whether it is verified"),
    ("profile", "First and last name"),
    ("groups", "Group names"),
];

pub const ACCESS_MINUTES: (i32, i32) = (1, 60);
pub const REFRESH_DAYS: (i32, i32) = (1, 365);
const MAX_URIS: usize = 20;

/// The form as submitted, unparsed.
#[derive(Debug, Clone, Default)]
pub struct ApplicationInput {
    pub name: String,
    pub client_type: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub refresh_tokens: bool,
    pub access_token_minutes: String,
    pub refresh_token_days: String,
    pub claims: Vec<String>,
    pub attribute_names: Vec<String>,
    /// `RS256` or `EdDSA`; empty means RS256.
    pub id_token_alg: String,
}

/// A checked definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDefinition {
    pub name: String,
    pub client_type: ClientType,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub refresh_tokens: bool,
    pub access_token_minutes: i32,
    pub refresh_token_days: i32,
    /// In `CLAIM_GROUPS` order.
    pub claims: Vec<String>,
    pub attribute_names: Vec<String>,
    pub id_token_alg: Algorithm,
}

/// A redirect URI as the provider will compare it: absolute, no fragment, https — or http
/// on a loopback address (a developer's machine, a native app's local listener).
pub fn check_redirect_uri(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|_| format!("“{raw}” is not an absolute URL."))?;
    if url.fragment().is_some() {
        return Err(format!("“{raw}” has a fragment (#…), which redirect URIs may not have."));
    }
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" if url.host().is_some() => Ok(raw.to_owned()),
        "http" if loopback => Ok(raw.to_owned()),
        "http" => Err(format!("“{raw}” must use https (http only on localhost or 127.0.0.1).")),
        _ => Err(format!("“{raw}” must be an https URL.")),
    }
}

/// The origin (`scheme://host[:port]`) a redirect URI's pages run at: the one a single-page
/// application calls the provider's endpoints from.
pub fn origin_of(uri: &str) -> Option<String> {
    let origin = url::Url::parse(uri).ok()?.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

fn uri_lines(raw: &str, field: &str, required: bool, errors: &mut FieldErrors) -> Vec<String> {
    let lines: Vec<&str> = raw.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() && required {
        errors.add(field, "Enter at least one redirect URI.");
    }
    if lines.len() > MAX_URIS {
        errors.add(field, format!("At most {MAX_URIS} URIs."));
        return Vec::new();
    }
    let mut uris: Vec<String> = Vec::new();
    for line in lines {
        match check_redirect_uri(line) {
            Ok(uri) if !uris.contains(&uri) => uris.push(uri),
            Ok(_) => {}
            Err(m) => {
                errors.add(field, m);
                return Vec::new();
            }
        }
    }
    uris
}

fn whole_number(raw: &str, (min, max): (i32, i32), field: &str, errors: &mut FieldErrors) -> i32 {
    match raw.trim().parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            errors.add(field, format!("Enter a whole number from {min} to {max}."));
            min
        }
    }
}

impl ApplicationDefinition {
    /// Checks the form; `known_attributes` are the custom attributes that exist now.
    pub fn parse(
        input: &ApplicationInput,
        known_attributes: &[String],
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = input.name.trim().to_owned();
        if name.is_empty() {
            errors.add("name", "Enter the application's name.");
        } else if name.chars().count() > 100 || name.chars().any(is_forbidden_char) {
            errors.add("name", "Use at most 100 characters, without control characters.");
        }
        let client_type = ClientType::parse(&input.client_type);
        if client_type.is_none() {
            errors.add("client_type", "Choose the kind of application.");
        }
        let redirect_uris = uri_lines(&input.redirect_uris, "redirect_uris", true, &mut errors);
        let post_logout_redirect_uris = uri_lines(
            &input.post_logout_redirect_uris,
            "post_logout_redirect_uris",
            false,
            &mut errors,
        );
        let access_token_minutes = whole_number(
            &input.access_token_minutes,
            ACCESS_MINUTES,
            "access_token_minutes",
            &mut errors,
        );
        let refresh_token_days = whole_number(
            &input.refresh_token_days,
            REFRESH_DAYS,
            "refresh_token_days",
            &mut errors,
        );
        let claims: Vec<String> = CLAIM_GROUPS
            .iter()
            .filter(|(c, _)| input.claims.iter().any(|i| i == c))
            .map(|(c, _)| (*c).to_owned())
            .collect();
        if input.claims.iter().any(|c| !CLAIM_GROUPS.iter().any(|(g, _)| g == c)) {
            errors.add("claims", "Choose among the claims listed.");
        }
        let mut attribute_names = Vec::new();
        for a in &input.attribute_names {
            if !known_attributes.contains(a) {
                errors.add("attribute_names", "Choose among the attributes listed.");
                break;
            }
            if !attribute_names.contains(a) {
                attribute_names.push(a.clone());
            }
        }
        let id_token_alg = match input.id_token_alg.as_str() {
            "" => Some(Algorithm::Rs256),
            raw => Algorithm::parse(raw),
        };
        if id_token_alg.is_none() {
            errors.add("id_token_alg", "Choose RS256 or EdDSA.");
        }
        match (client_type, id_token_alg) {
            (Some(client_type), Some(id_token_alg)) if errors.is_empty() => Ok(Self {
                name,
                client_type,
                redirect_uris,
                post_logout_redirect_uris,
                refresh_tokens: input.refresh_tokens,
                access_token_minutes,
                refresh_token_days,
                claims,
                attribute_names,
                id_token_alg,
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris_are_https_or_loopback_http_without_fragments() {
        assert!(check_redirect_uri("https://app.example.com/callback").is_ok());
        assert!(check_redirect_uri("http://127.0.0.1:8080/cb").is_ok());
        assert!(check_redirect_uri("http://localhost/cb").is_ok());
        assert!(check_redirect_uri("http://[::1]:9000/cb").is_ok());
        assert!(check_redirect_uri("http://app.example.com/cb").is_err());
        assert!(check_redirect_uri("https://app.example.com/cb#x").is_err());
        assert!(check_redirect_uri("/relative").is_err());
        assert!(check_redirect_uri("javascript:alert(1)").is_err());
        assert!(check_redirect_uri("http://localhost.evil.com/cb").is_err());
    }

    #[test]
    fn a_definition_needs_a_name_a_kind_and_a_redirect_uri() {
        let errors = ApplicationDefinition::parse(&ApplicationInput::default(), &[]).unwrap_err();
        for f in ["name", "client_type", "redirect_uris", "access_token_minutes"] {
            assert!(errors.get(f).is_some(), "{f}");
        }
        let input = ApplicationInput {
            name: " Shop ".into(),
            client_type: "public".into(),
            redirect_uris: "https://shop.example.com/cb\n\nhttps://shop.example.com/cb\n".into(),
            access_token_minutes: "5".into(),
            refresh_token_days: "30".into(),
            claims: vec!["groups".into(), "email".into()],
            attribute_names: vec!["tier".into()],
            ..Default::default()
        };
        let d = ApplicationDefinition::parse(&input, &["tier".to_owned()]).unwrap();
        assert_eq!(d.name, "Shop");
        assert_eq!(d.redirect_uris, ["https://shop.example.com/cb"]);
        assert_eq!(d.claims, ["email", "groups"]);
        let unknown = ApplicationDefinition::parse(&input, &[]).unwrap_err();
        assert!(unknown.get("attribute_names").is_some());
    }
}
