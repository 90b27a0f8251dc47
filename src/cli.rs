//! The subcommands: `serve` (default), `create-owner`, `seed`, `unlock`, `rotate-keys`.

use std::io::{BufRead, IsTerminal};
use std::time::Instant;

use anyhow::Context;

use crate::accounts::lock;
use crate::accounts::owner::{self, CreateOwnerError, OwnerInput};
use crate::accounts::signing_keys::{Keys, rotate};
use crate::config::{Cli, Command, Config, CreateOwnerArgs, SeedArgs, UnlockArgs};
use crate::db::audit::Actor;
use crate::db::{self, Db};
use crate::domain::account::Kind;
use crate::error::AppError;
use crate::passwords::Hasher;
use crate::startup::Application;

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = Config::from_cli(&cli)?;
    match &cli.command {
        None | Some(Command::Serve) => serve(config),
        Some(Command::CreateOwner(args)) => create_owner(config, args),
        Some(Command::Seed(args)) => seed(config, args),
        Some(Command::Unlock(args)) => unlock(config, args),
        Some(Command::RotateKeys) => rotate_keys(config),
    }
}

/// New signing keys for ID tokens; the previous ones stay published until their tokens expire.
/// Run it with the server's session secret (the keys are sealed under it).
fn rotate_keys(config: Config) -> anyhow::Result<()> {
    let db = Db::open(&config.data_dir)?;
    let secret = crate::startup::load_session_secret(&config)?;
    let keys = Keys::new(crate::domain::signing::SealKey::derive(&secret));
    let runtime = tokio::runtime::Runtime::new()?;
    let made = runtime
        .block_on(rotate(&db, &keys, Actor::system("roster rotate-keys")))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "New signing keys {}. The previous ones stay published for an hour, until the ID tokens \
         they signed expire.",
        made.join(" and ")
    );
    Ok(())
}

/// Unlocks an account from the machine Roster runs on: the way back in for an owner who is
/// locked out of the console. The email goes out when the server next runs its outbox.
fn unlock(config: Config, args: &UnlockArgs) -> anyhow::Result<()> {
    let db = Db::open(&config.data_dir)?;
    let kind = if args.customer { Kind::Customer } else { Kind::Administrator };
    let runtime = tokio::runtime::Runtime::new()?;
    let actor = Actor::system("roster unlock");
    let unlocked = runtime.block_on(lock::unlock_by_email(
        &db,
        &crate::mail::Outbox::default(),
        kind,
        &args.email,
        actor,
    ));
    let email = args.email.trim().to_lowercase();
    let who = if args.customer { "customer" } else { "administrator" };
    match unlocked {
        Ok(true) => {
            println!("The {who} {email} is unlocked and can sign in again.");
            Ok(())
        }
        Ok(false) => {
            println!("The {who} {email} was not locked; nothing changed.");
            Ok(())
        }
        Err(AppError::NotFound) => anyhow::bail!(
            "there is no {who} with the email {email}{}",
            if args.customer { "" } else { " (add --customer to unlock a customer)" }
        ),
        Err(e) => Err(anyhow::anyhow!("{e}")),
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config).await?;
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password for the owner: ")?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing was created");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("reading the password from stdin")?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

fn create_owner(config: Config, args: &CreateOwnerArgs) -> anyhow::Result<()> {
    let db = Db::open(&config.data_dir)?;
    let hasher = Hasher::new(config.argon2)?;
    let password = read_password()?;
    let input = OwnerInput {
        email: args.email.clone(),
        first_name: args.first_name.clone(),
        last_name: args.last_name.clone(),
        password,
        organization: args.organization.clone(),
    };
    let runtime = tokio::runtime::Runtime::new()?;
    let result = runtime.block_on(owner::create_owner(
        &db,
        &hasher,
        input,
        Actor::system("roster create-owner"),
    ));
    match result {
        Ok(_) => {
            let email = args.email.trim().to_lowercase();
            println!("Owner {email} created. Sign in to the console at /console/login.");
            Ok(())
        }
        Err(CreateOwnerError::OwnerExists) => anyhow::bail!("{}", owner::OWNER_EXISTS),
        Err(CreateOwnerError::Invalid(errors)) => {
            let lines: Vec<String> =
                errors.0.iter().map(|(field, msg)| format!("  {field}: {msg}")).collect();
            anyhow::bail!("the owner was not created:\n{}", lines.join("\n"))
        }
        Err(CreateOwnerError::Other(e)) => Err(anyhow::anyhow!("{e}")),
    }
}

fn seed(config: Config, args: &SeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.customers + args.groups + args.events > 0,
        "nothing to seed: give --customers, --groups or --events"
    );
    let mut conn = Db::open_alone(&config.data_dir)?;
    let started = Instant::now();
    // One hash for every seeded customer: their password is "customer-password".
    let hash = Hasher::new(config.argon2)?.hash_blocking("customer-password")?;
    let plan =
        db::seed::SeedPlan { customers: args.customers, groups: args.groups, events: args.events };
    let mut bar = ProgressBar::new(started);
    let report = db::seed::seed(&mut conn, plan, &hash, |p| bar.show(p))?;
    bar.finish();
    let size = std::fs::metadata(config.data_dir.join(db::DB_FILE)).map(|m| m.len()).unwrap_or(0);
    println!(
        "Seeded {} customers, {} groups, {} memberships, {} audit events in {:.1} s; \
         database file {:.1} MiB.",
        report.customers,
        report.groups,
        report.memberships,
        report.events,
        started.elapsed().as_secs_f64(),
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}

/// The seed's progress on standard error: one line redrawn in place on a terminal, a line per
/// tenth (and per index) otherwise, so a log stays short.
struct ProgressBar {
    started: Instant,
    terminal: bool,
    last_tenth: Option<(&'static str, u64)>,
    drawn: bool,
}

impl ProgressBar {
    fn new(started: Instant) -> Self {
        use std::io::IsTerminal;
        Self { started, terminal: std::io::stderr().is_terminal(), last_tenth: None, drawn: false }
    }

    fn show(&mut self, p: db::seed::Progress<'_>) {
        use db::seed::Progress;
        let (what, done, total, detail) = match p {
            Progress::Customers { done, total } => ("customers", done, total, String::new()),
            Progress::Events { done, total } => ("audit events", done, total, String::new()),
            Progress::Indexes { done, total, name } => {
                ("indexes", done as u64, total as u64, format!(" · {name}"))
            }
        };
        if total == 0 {
            return;
        }
        let secs = self.started.elapsed().as_secs_f64();
        let share = done as f64 / total as f64;
        let filled = (share * 30.0).round() as usize;
        let line = format!(
            "{what:>12} [{}{}] {:>3.0}% {}/{}{detail} · {secs:.0} s",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            share * 100.0,
            crate::domain::format::thousands(done as i64),
            crate::domain::format::thousands(total as i64),
        );
        if self.terminal {
            eprint!("\r\x1b[2K{line}");
            self.drawn = true;
        } else {
            let tenth = (what, if what == "indexes" { done } else { done * 10 / total });
            if self.last_tenth != Some(tenth) {
                self.last_tenth = Some(tenth);
                eprintln!("{line}");
            }
        }
    }

    fn finish(&self) {
        if self.drawn {
            eprintln!();
        }
    }
}
