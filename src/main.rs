//! The `roster` binary: parse the command line, start logging, hand over to the library.

use clap::Parser;
use roster::config::Cli;

fn main() -> std::process::ExitCode {
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
