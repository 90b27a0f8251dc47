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
    let db = Db::open(&config.data_dir)?;
    let started = Instant::now();
    // One hash for every seeded customer: their password is "customer-password".
    let hash = Hasher::new(config.argon2)?.hash_blocking("customer-password")?;
    let mut conn = db.conn()?;
    let report = db::seed::seed(&mut conn, args.customers, args.groups, &hash, |done| {
        tracing::info!(done, elapsed_s = started.elapsed().as_secs_f32(), "seeding");
    })?;
    let size = std::fs::metadata(config.data_dir.join(db::DB_FILE)).map(|m| m.len()).unwrap_or(0);
    println!(
        "Seeded {} customers, {} groups, {} memberships in {:.1} s; database file {:.1} MiB.",
        report.customers,
        report.groups,
        report.memberships,
        started.elapsed().as_secs_f64(),
        size as f64 / (1024.0 * 1024.0)
    );
    Ok(())
}
