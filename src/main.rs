//! The `roster` binary: parse the command line, start logging, hand over to the library.

use clap::Parser;
use roster::config::Cli;

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    let cli = Cli::parse();
    roster::telemetry::init();
    match roster::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("roster: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// glibc gives each thread that allocates its own malloc arena and keeps freed memory in it;
/// with a pool of blocking threads that is tens of MiB of resident memory doing nothing.
/// Two arenas serve two cores (measured: 104 MiB → see bench/RESULTS.md).
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator tunable; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
