//! Every setting in one place: command-line flag > `ROSTER_*` environment variable > default.
//! Values are validated here, at start, so the rest of the program can trust them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::domain::clock::Clock;
use crate::domain::net::Cidr;
use crate::mail::MailConfig;

#[derive(Debug, Parser)]
#[command(name = "roster", version, about = "Roster: a self-hosted customer identity console")]
pub struct Cli {
    /// Directory holding the SQLite database and the session secret.
    #[arg(long, env = "ROSTER_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,

    #[command(flatten)]
    pub serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web console (what plain `roster` does).
    Serve,
    /// Create the organization owner; the password is read from the terminal or stdin.
    CreateOwner(CreateOwnerArgs),
    /// Fill the database with realistic demo customers.
    Seed(SeedArgs),
    /// Unlock an account locked by an administrator or by failed sign-ins (an owner who
    /// locked themself out included).
    Unlock(UnlockArgs),
    /// Make new signing keys for ID tokens (the previous ones stay published until the tokens
    /// they signed expire).
    RotateKeys,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "ROSTER_BIND", default_value = "127.0.0.1:8080", global = true)]
    pub bind: String,

    /// Public URL of the console, used in every link Roster prints or sends
    /// (default: http://<bind>).
    #[arg(long, env = "ROSTER_BASE_URL", global = true)]
    pub base_url: Option<String>,

    /// SMTP server for outgoing email, in lettre's URL form: smtp://127.0.0.1:2525 (plain),
    /// smtp://host:587?tls=required (STARTTLS), smtps://user:password@host (TLS). Without it,
    /// emails are written as .eml files under <data-dir>/mail.
    #[arg(long, env = "ROSTER_SMTP_URL", global = true)]
    pub smtp_url: Option<String>,

    /// Sender of every email, "Name <address>" or "address" (default: the organization's
    /// name at roster@localhost).
    #[arg(long, env = "ROSTER_MAIL_FROM", global = true)]
    pub mail_from: Option<String>,

    /// Seconds one email may take, connect to the server's last answer, before it is retried.
    #[arg(long, env = "ROSTER_SMTP_TIMEOUT", default_value_t = 30, global = true)]
    pub smtp_timeout: u64,

    /// A reverse proxy (address or CIDR block) whose `X-Forwarded-For` names the client; repeat
    /// the flag or separate with commas. Without it, the client is the TCP peer, whatever the
    /// headers say.
    #[arg(
        long = "trusted-proxy",
        env = "ROSTER_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CreateOwnerArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long, default_value = "")]
    pub first_name: String,
    #[arg(long, default_value = "")]
    pub last_name: String,
    /// The organization's name, as pages and emails say it (unchanged when left out).
    #[arg(long)]
    pub organization: Option<String>,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// How many customers to add.
    #[arg(long, default_value_t = 0)]
    pub customers: u64,
    /// How many groups to create; customers join 0–3 of them.
    #[arg(long, default_value_t = 0)]
    pub groups: u64,
    /// How many audit events to add, over the last year, about a sample of the customers.
    #[arg(long, default_value_t = 0)]
    pub events: u64,
}

#[derive(Debug, Args)]
pub struct UnlockArgs {
    #[arg(long)]
    pub email: String,
    /// Unlock the customer with this email rather than the administrator.
    #[arg(long)]
    pub customer: bool,
}

/// Argon2id cost. Production uses OWASP's m=19456 KiB, t=2, p=1; tests pass cheaper values.
#[derive(Debug, Clone, Copy)]
pub struct Argon2Cost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Cost {
    fn default() -> Self {
        Self { memory_kib: 19_456, iterations: 2, parallelism: 1 }
    }
}

/// What the server needs to start. Built from the CLI by `Config::from_cli`, or directly by tests.
#[derive(Debug, Clone)]
pub struct Config {
    pub bind: String,
    pub data_dir: PathBuf,
    /// `None`: derived from the address actually bound (so port 0 works).
    pub base_url: Option<String>,
    /// From `ROSTER_SESSION_SECRET`; `None` means "use the one kept in the data dir".
    pub session_secret: Option<String>,
    pub argon2: Argon2Cost,
    pub mail: MailConfig,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<Cidr>,
    /// The time of timed locks; tests move it.
    pub clock: Clock,
}

pub const SESSION_SECRET_VAR: &str = "ROSTER_SESSION_SECRET";
pub const MIN_SESSION_SECRET_BYTES: usize = 64;

impl Config {
    pub fn from_cli(cli: &Cli) -> anyhow::Result<Self> {
        let session_secret = match std::env::var(SESSION_SECRET_VAR) {
            Ok(s) => Some(s),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                anyhow::bail!("{SESSION_SECRET_VAR} must be valid UTF-8")
            }
        };
        let config = Self {
            bind: cli.serve.bind.clone(),
            data_dir: cli.data_dir.clone(),
            base_url: cli.serve.base_url.clone(),
            session_secret,
            argon2: Argon2Cost::default(),
            mail: MailConfig {
                smtp_url: cli.serve.smtp_url.clone().filter(|u| !u.trim().is_empty()),
                from: cli.serve.mail_from.clone().filter(|f| !f.trim().is_empty()),
                send_timeout: std::time::Duration::from_secs(cli.serve.smtp_timeout.max(1)),
                ..MailConfig::default()
            },
            trusted_proxies: cli
                .serve
                .trusted_proxies
                .iter()
                .filter(|p| !p.trim().is_empty())
                .map(|p| {
                    Cidr::parse(p).map_err(|e| {
                        anyhow::anyhow!("--trusted-proxy / ROSTER_TRUSTED_PROXIES: {e}")
                    })
                })
                .collect::<anyhow::Result<_>>()?,
            clock: Clock::default(),
        };
        config.validate()?;
        Ok(config)
    }

    pub fn validate(&self) -> anyhow::Result<()> {
        if let Some(secret) = &self.session_secret
            && secret.len() < MIN_SESSION_SECRET_BYTES
        {
            anyhow::bail!(
                "{SESSION_SECRET_VAR} must be at least {MIN_SESSION_SECRET_BYTES} bytes long \
                 (it has {}); unset it to let Roster generate one in the data directory",
                secret.len()
            );
        }
        if let Some(url) = &self.base_url {
            parse_base_url(url)?;
        }
        if let Some(from) = &self.mail.from {
            from.parse::<lettre::message::Mailbox>().map_err(|e| {
                anyhow::anyhow!(
                    "ROSTER_MAIL_FROM / --mail-from {from:?} is not an address ({e}); use \
                     \"Acme <id@acme.example>\" or id@acme.example"
                )
            })?;
        }
        Ok(())
    }
}

/// A base URL is `http(s)://host[:port][/path]` without query or fragment; returned without a
/// trailing slash so links can be built as `{base}{path}`.
pub fn parse_base_url(url: &str) -> anyhow::Result<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or_else(|| anyhow::anyhow!("base URL {url:?} must start with http:// or https://"))?;
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#', ' ']) {
        anyhow::bail!("base URL {url:?} must be like https://id.example.com");
    }
    Ok(trimmed.to_owned())
}

/// The origin (`scheme://host[:port]`) of a base URL, which browsers send in `Origin`.
pub fn origin_of(base_url: &str) -> String {
    let scheme_end = base_url.find("://").map(|i| i + 3).unwrap_or(0);
    match base_url[scheme_end..].find('/') {
        Some(i) => base_url[..scheme_end + i].to_owned(),
        None => base_url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalised_and_checked() {
        assert_eq!(parse_base_url("https://id.example.com/").unwrap(), "https://id.example.com");
        assert!(parse_base_url("id.example.com").is_err());
        assert!(parse_base_url("https://").is_err());
        assert_eq!(origin_of("https://id.example.com/roster"), "https://id.example.com");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}
