//! Logging: `ROSTER_LOG` (or `RUST_LOG`) picks what is shown; `info` by default.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

pub fn init() {
    let filter = std::env::var("ROSTER_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "info".to_owned());
    // try_init: tests start many apps in one process and only the first may install it.
    // Logs go to stderr, so a command's own output (stdout) stays clean for scripts; colours
    // only on a terminal (a log file or journald would keep the escape codes as text).
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(EnvFilter::new(filter))
        .with_target(false)
        .try_init();
}
