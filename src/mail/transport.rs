//! Where emails go: an SMTP server (lettre's URL form), or `.eml` files under the data
//! directory when no server is configured.

use std::path::PathBuf;
use std::time::Duration;

use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

pub enum Transport {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, shown: String },
    Files { transport: AsyncFileTransport<Tokio1Executor>, dir: PathBuf },
}

/// `smtps://user:secret@host:465` → `smtps://host:465`: for logs, without credentials.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            format!("{}{}", &url[..scheme_end + 3], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl Transport {
    /// `connect_timeout` bounds lettre's own connect; the worker wraps every send in an outer
    /// timeout too, since a server that accepts and then never answers is not a connect failure.
    pub fn smtp(url: &str, connect_timeout: Duration) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| {
                anyhow::anyhow!(
                    "ROSTER_SMTP_URL / --smtp-url {:?} is not a valid SMTP URL ({e}); use e.g. \
                     smtp://127.0.0.1:2525 or smtps://user:password@smtp.example.com",
                    redact_url(url)
                )
            })?
            .timeout(Some(connect_timeout))
            .build();
        Ok(Self::Smtp { transport, shown: redact_url(url) })
    }

    pub fn files(dir: PathBuf) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self::Files { transport: AsyncFileTransport::new(&dir), dir })
    }

    pub fn is_smtp(&self) -> bool {
        matches!(self, Self::Smtp { .. })
    }

    /// For the start-up log line.
    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { shown, .. } => format!("through {shown}"),
            Self::Files { dir, .. } => format!("as .eml files in {}", dir.display()),
        }
    }

    pub async fn send(&self, message: lettre::Message) -> Result<(), String> {
        match self {
            Self::Smtp { transport, .. } => {
                transport.send(message).await.map(drop).map_err(|e| e.to_string())
            }
            Self::Files { transport, .. } => {
                transport.send(message).await.map(drop).map_err(|e| e.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn credentials_never_reach_the_logs() {
        assert_eq!(
            redact_url("smtps://bob:s3cret@mail.example.com:465"),
            "smtps://mail.example.com:465"
        );
        assert_eq!(redact_url("smtp://127.0.0.1:2525"), "smtp://127.0.0.1:2525");
    }
}
