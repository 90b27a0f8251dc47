//! Two Roster processes on one database, as behind a load balancer: what one process does
//! takes effect on the other's very next request, and limits count the tries made through
//! both. Everything shared lives in the database; a process keeps only what it can read again.

use roster::domain::account::{Kind, Status};
use roster::domain::clock::Clock;

use crate::helpers::*;
use crate::smtp::{SmtpSink, recipient};

const PASSWORD: &str = "juniper lantern 1987";
const WRONG: &str = "not the password at all";

/// A wrong My Account password from this test's address (127.0.0.1) at `base`: its status.
async fn wrong_password(base: &str) -> u16 {
    myaccount_sign_in_at(base, "someone@example.com", WRONG).await.1.status().as_u16()
}

#[actix_web::test]
async fn the_sign_in_throttle_counts_the_tries_made_through_both_processes() {
    let clock = Clock::default();
    let app = spawn_app_with(|c| c.clock = clock.clone()).await;
    let other = app.second_process(|c| c.clock = clock.clone()).await;
    for base in [&app.base, &other].repeat(5) {
        assert_eq!(wrong_password(base).await, 422, "ten tries in all: five through each");
    }
    assert_eq!(wrong_password(&app.base).await, 429, "the eleventh waits, through either");
    assert_eq!(wrong_password(&other).await, 429);
    // A process started now finds the count, as a restarted one would: a restart forgives
    // nothing.
    let later = app.second_process(|c| c.clock = clock.clone()).await;
    assert_eq!(wrong_password(&later).await, 429);
    // The window is over after five minutes, for every process.
    clock.advance(chrono::Duration::minutes(5));
    assert_eq!(wrong_password(&other).await, 422);
    let (failures, _) = app
        .db
        .run(|c| Ok(roster::db::client_failures::find(c, "sign_in", "127.0.0.1")?.unwrap()))
        .await
        .unwrap();
    assert_eq!(failures, 1, "a new window, counted from this try");
}

#[actix_web::test]
async fn a_sign_in_through_one_process_clears_the_count_for_both() {
    let app = spawn_app().await;
    let other = app.second_process(|_| {}).await;
    let email = "ok@example.com";
    app.insert_account(Kind::Customer, None, email, Status::Active, Some(PASSWORD)).await;
    for _ in 0..9 {
        assert_eq!(wrong_password(&app.base).await, 422);
    }
    assert_eq!(myaccount_sign_in_at(&other, email, PASSWORD).await.1.status(), 303);
    for _ in 0..10 {
        assert_eq!(wrong_password(&app.base).await, 422, "counted from nothing again");
    }
    assert_eq!(wrong_password(&other).await, 429);
}

#[actix_web::test]
async fn emails_asked_for_through_both_processes_count_toward_one_limit() {
    // The form asks for an email only when the organization can send one.
    let sink = SmtpSink::start().await;
    let app = spawn_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    let other = app.second_process(|c| c.mail.smtp_url = Some(sink.url())).await;
    let ask = |base: String| async move {
        let browser = client();
        let url = format!("{base}/myaccount/forgot-password");
        let token = csrf_in(&get_with(&browser, &url).await.1);
        let form = [("csrf_token", token.as_str()), ("email", "anyone@example.com")];
        browser.post(&url).form(&form).send().await.unwrap().status().as_u16()
    };
    for base in [&app.base, &other].repeat(5) {
        assert_ne!(ask(base.clone()).await, 429, "ten emails in all");
    }
    for _ in 0..5 {
        assert_eq!(ask(app.base.clone()).await, 429);
        assert_eq!(ask(other.clone()).await, 429);
    }
    // Refused requests wrote nothing: the count is the ten that went on.
    let (failures, _) = app
        .db
        .run(|c| Ok(roster::db::client_failures::find(c, "mail", "127.0.0.1")?.unwrap()))
        .await
        .unwrap();
    assert_eq!(failures, 10);
}

#[actix_web::test]
async fn a_burst_of_wrong_passwords_at_once_through_both_processes_gets_ten_tries() {
    let app = spawn_app().await;
    let other = app.second_process(|_| {}).await;
    let tries = (0..30).map(|i| {
        let base = if i % 2 == 0 { app.base.clone() } else { other.clone() };
        async move { wrong_password(&base).await }
    });
    let statuses = futures_util::future::join_all(tries).await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (10, 20), "{statuses:?}");
}

#[actix_web::test]
async fn lock_user_through_one_process_ends_the_session_held_through_the_other() {
    let app = signed_in_app().await;
    let other = app.second_process(|_| {}).await;
    let email = "held@example.com";
    let id = app.active_customer(email, PASSWORD).await;
    let (customer, res) = myaccount_sign_in_at(&other, email, PASSWORD).await;
    assert_eq!(res.status(), 303);
    let myaccount = format!("{other}/myaccount");
    assert_eq!(get_with(&customer, &myaccount).await.0, 200);

    let page = format!("/console/users/{id}");
    let res = app.post_on(&page, &format!("{page}/lock"), &[("confirm", "on")]).await;
    assert_eq!(res.status(), 303);
    let res = customer.get(&myaccount).send().await.unwrap();
    assert_eq!(res.status(), 303, "the very next request through the other process");
    assert_eq!(header(res.headers(), "location"), "/myaccount/login");
    assert_eq!(myaccount_sign_in_at(&other, email, PASSWORD).await.1.status(), 422);
}

#[actix_web::test]
async fn the_organizations_new_name_shows_through_the_other_process_within_seconds() {
    let app = signed_in_app().await;
    let other = app.second_process(|_| {}).await;
    let page = "/console/settings/general";
    let fields = [
        ("name", "Renamed Elsewhere"),
        ("time_zone", "UTC"),
        ("mail_from_name", "Acme"),
        ("mail_from_address", "hello@acme.example"),
    ];
    assert_eq!(app.post_on(page, page, &fields).await.status(), 303);
    let login = format!("{other}/myaccount/login");
    let deadline = std::time::Instant::now() + roster::startup::SETTINGS_FRESH_FOR * 3;
    while !get_with(&client(), &login).await.1.contains("Renamed Elsewhere") {
        assert!(std::time::Instant::now() < deadline, "the other process never showed it");
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn invitations_queued_through_both_processes_are_each_emailed_exactly_once() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    let other = app.second_process(|c| c.mail.smtp_url = Some(sink.url())).await;
    // The owner's browser is signed in to both: one session, in the database.
    for i in 0..200 {
        let base = if i % 2 == 0 { app.base.clone() } else { other.clone() };
        let email = format!("invitee{i:03}@example.com");
        let fields = [
            ("email", email.as_str()),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
            ("method", "invite"),
            ("delivery", "email"),
            ("password", ""),
        ];
        let res = app.new_customer_at(&base, &fields).await;
        assert_eq!(res.status(), 303, "invitation {i} queued");
    }
    // Up to 30 s: 200 emails through one SMTP listener on a busy CI machine.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while sink.messages().len() < 200 && std::time::Instant::now() < deadline {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let received = sink.messages();
    // Both senders poll and are woken by their own process's changes: a moment for a
    // duplicate to arrive, if one were sent.
    actix_web::rt::time::sleep(std::time::Duration::from_millis(500)).await;
    let received = sink.messages().len().max(received.len());
    assert_eq!(received, 200, "each invitation once");
    let mut to: Vec<String> = sink.messages().iter().map(|m| recipient(m)).collect();
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 200, "two hundred different recipients");
    let outbox = app.outbox().await;
    assert!(outbox.iter().all(|m| m.state == "sent" && m.attempts == 1), "{outbox:?}");
}

#[actix_web::test]
async fn a_claimed_email_is_left_alone_until_its_claim_runs_out() {
    use roster::db::outbox;
    let app = signed_in_app().await;
    let id = app.active_customer("claimed@example.com", PASSWORD).await;
    let key = app.key(&id).await;
    let at = roster::db::now();
    // One write transaction, so the app's own sender cannot take the message in between.
    let (claimed, by_another, due_meanwhile, due_after, reclaimed) = app
        .db
        .run(move |c| {
            roster::db::write(c, |c| {
                let m = outbox::enqueue(c, &locked_email(key), at)?;
                let until = at + chrono::Duration::minutes(3);
                let claimed = outbox::claim(c, &m, at, until)?;
                let by_another = outbox::claim(c, &m, at + chrono::Duration::seconds(1), until)?;
                let meanwhile = outbox::due(c, at + chrono::Duration::minutes(2), 10)?.len();
                let after = outbox::due(c, until, 10)?.len();
                let reclaimed = outbox::claim(c, &m, until, until + chrono::Duration::minutes(3))?;
                // The first sender's late failure does not undo the second's claim.
                outbox::mark_attempt_failed(c, &m, 1, "late", None, until)?;
                let still = outbox::find(c, &m)?.unwrap();
                assert_eq!((still.state.as_str(), still.attempts), ("queued", 2));
                Ok::<_, roster::error::AppError>((claimed, by_another, meanwhile, after, reclaimed))
            })
        })
        .await
        .unwrap();
    assert_eq!(claimed, Some(1), "the first sender claims it: its first attempt");
    assert_eq!(by_another, None, "another sender does not, while the claim holds");
    assert_eq!(due_meanwhile, 0);
    assert_eq!(due_after, 1, "a sender that died leaves it due again");
    assert_eq!(reclaimed, Some(2), "and any sender may take it then: a second attempt");
}

fn locked_email(key: roster::db::ids::AccountId) -> roster::db::outbox::NewMessage<'static> {
    roster::db::outbox::NewMessage {
        template: roster::domain::mail::Template::AccountLocked,
        account_id: key,
        recipient: "claimed@example.com",
        recipient_name: "",
        subject: "Your account is locked",
        token_id: None,
        params: serde_json::json!({}),
    }
}

#[actix_web::test]
async fn an_email_whose_senders_kept_dying_is_given_up_after_its_attempts() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app().await;
    let id = app.active_customer("claimed@example.com", PASSWORD).await;
    let key = app.key(&id).await;
    // Two claims that ran out without an outcome: as if two senders died sending it.
    let m = app
        .db
        .run(move |c| {
            use diesel::prelude::*;
            use roster::db::schema::outbox as o;
            let m = roster::db::outbox::enqueue(c, &locked_email(key), roster::db::now())?;
            diesel::update(o::table.find(&m)).set(o::attempts.eq(2)).execute(c)?;
            Ok(m)
        })
        .await
        .unwrap();
    // A process that may try each email twice finds it at start.
    app.second_process(|c| {
        c.mail.smtp_url = Some(sink.url());
        c.mail.max_attempts = 2;
    })
    .await;
    let message = app.wait_for_outbox_state("failed").await;
    assert_eq!(message.id, m);
    assert_eq!(message.attempts, 3);
    assert_eq!(message.last_error.as_deref(), Some("no outcome recorded after 2 attempts"));
    assert!(sink.messages().is_empty(), "not sent a third time");
}

#[test]
fn processes_started_together_on_a_new_database_migrate_it_once() {
    // Without the lock, this failed in about two runs of three: three runs.
    for _ in 0..3 {
        started_together();
    }
}

fn started_together() {
    let dir = tempfile::tempdir().unwrap();
    // Four `roster` processes at the same moment, each opening (so migrating) the new file.
    let children: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
                .arg("--data-dir")
                .arg(dir.path())
                .args(["unlock", "--email", "nobody@example.com"])
                .env("ROSTER_LOG", "warn")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // Each opened the database and got as far as looking for the account.
        assert!(stderr.contains("no administrator"), "{stderr}");
        assert!(!stderr.contains("migrating the database failed"), "{stderr}");
    }
}
