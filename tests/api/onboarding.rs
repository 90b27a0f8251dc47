//! Onboarding: the New User wizard, invitations (emailed and offline), temporary passwords,
//! and mail that is never lost.

use std::time::{Duration, Instant};

use crate::helpers::*;
use crate::smtp::{HangingServer, SmtpSink, free_port, link_in, recipient, text_part};
use roster::domain::account::Status;

const STRONG: &str = "maple orbit canyon 42";

fn invite_by_email(email: &str) -> Vec<(&str, &str)> {
    vec![
        ("email", email),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("method", "invite"),
        ("delivery", "email"),
        ("password", ""),
    ]
}

fn fields<'a>(
    email: &'a str,
    method: &'a str,
    delivery: &'a str,
    password: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("email", email),
        ("first_name", "Ada"),
        ("last_name", "Lovelace"),
        ("method", method),
        ("delivery", delivery),
        ("password", password),
    ]
}

/// The invitation link shown on the customer page after an offline invite.
fn shown_secret(page: &str) -> String {
    element_text(page, "reveal-value").expect("the page shows the secret once")
}

#[actix_web::test]
async fn an_emailed_invitation_sets_the_password_once_and_then_my_account_sign_in_works() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;

    let (status, page) = app.new_customer(&invite_by_email("Ada@Example.com")).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Customer ada@example.com was created"), "{page}");
    assert!(!page.contains("reveal-value"), "nothing to copy when the invitation is emailed");

    let messages = sink.wait_for(1).await;
    assert!(recipient(&messages[0]).contains("ada@example.com"));
    let link = link_in(&messages[0], "/myaccount/invitation/");
    assert!(link.starts_with(&app.base), "links are built from the base URL: {link}");

    let customer = app.customer_by_email("ada@example.com").await;
    assert_eq!(customer.status, "pending_password");
    let (_, console_page) = app.get_text(&format!("/console/users/{}", customer.public_id)).await;
    let said = text_of(&console_page);
    assert!(said.contains("Invitation pending Invitation sent"), "{said}");
    assert!(console_page.contains("Resend invitation"));

    let browser = client();
    let (status, form) = get_with(&browser, &link).await;
    assert_eq!(status, 200);
    assert!(form.contains("Set your password"), "GET only shows the form");
    assert_eq!(app.customer_by_email("ada@example.com").await.status, "pending_password");

    let res = submit_page(&browser, &link, &[("password", STRONG), ("confirm", STRONG)]).await;
    assert_eq!(res.status(), 303);
    // The customer lands signed in, on their account.
    assert_eq!(header(res.headers(), "location"), "/myaccount");
    let (status, landed) = get_with(&browser, &app.url("/myaccount")).await;
    assert_eq!(status, 200);
    assert!(landed.contains("Welcome! Your password is set and you are signed in."), "{landed}");
    let accepted = app.customer_by_email("ada@example.com").await;
    assert_eq!(accepted.status, "active");
    assert!(accepted.email_verified_at.is_some(), "the emailed link proves the address");
    let (_, console_page) = app.get_text(&format!("/console/users/{}", accepted.public_id)).await;
    assert!(console_page.contains("ada@example.com · email verified"), "{console_page}");

    let (customer_browser, res) = app.myaccount_sign_in("ada@example.com", STRONG).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), "/myaccount");
    let (status, home) = get_with(&customer_browser, &app.url("/myaccount")).await;
    assert_eq!(status, 200);
    assert!(home.contains(r#"name="first_name" type="text" value="Ada""#), "{home}");

    let (status, again) = get_with(&client(), &link).await;
    assert_eq!(status, 410);
    assert!(again.contains("already used"), "{again}");
    let phrase = "another good phrase";
    let res =
        post_myaccount(&app, &client(), &link, &[("password", phrase), ("confirm", phrase)]).await;
    assert_eq!(res.status(), 410, "the used link cannot set a password again");

    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1, "exactly one email");
    let actions = app.audit_actions().await;
    for expected in
        ["customer.created", "invitation.sent", "invitation.accepted", "signin.succeeded"]
    {
        assert!(actions.iter().any(|a| a == expected), "{expected} in {actions:?}");
    }
}

#[actix_web::test]
async fn an_offline_invitation_link_is_shown_once_and_works_once() {
    let app = signed_in_app().await;
    let (status, page) =
        app.new_customer(&fields("grace@example.com", "invite", "offline", "")).await;
    assert_eq!(status, 200, "{page}");
    let link = shown_secret(&page);
    assert!(link.starts_with(&format!("{}/myaccount/invitation/", app.base)), "{link}");

    let customer = app.customer_by_email("grace@example.com").await;
    let (_, later) = app.get_text(&format!("/console/users/{}", customer.public_id)).await;
    assert!(!later.contains(&link), "the link is never shown again");
    assert!(later.contains("link shown in the console to copy"), "{later}");
    assert!(app.outbox().await.is_empty(), "an offline invitation sends no email");

    let res = submit_page(&client(), &link, &[("password", STRONG), ("confirm", STRONG)]).await;
    assert_eq!(res.status(), 303);
    let res =
        post_myaccount(&app, &client(), &link, &[("password", STRONG), ("confirm", STRONG)]).await;
    assert_eq!(res.status(), 410);
    let (_, res) = app.myaccount_sign_in("grace@example.com", STRONG).await;
    assert_eq!(res.status(), 303);
    let grace = app.customer_by_email("grace@example.com").await;
    assert!(grace.email_verified_at.is_none(), "a copied link proves nothing of the address");
    let (_, console_page) = app.get_text(&format!("/console/users/{}", grace.public_id)).await;
    assert!(console_page.contains("grace@example.com · email not verified"));
}

#[actix_web::test]
async fn a_temporary_password_must_be_replaced_at_first_sign_in_and_then_stops_working() {
    let app = signed_in_app().await;
    let temporary = "temporary pass 9911";
    let (status, page) =
        app.new_customer(&fields("alan@example.com", "temporary", "email", temporary)).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(shown_secret(&page), temporary);
    let customer = app.customer_by_email("alan@example.com").await;
    assert!(customer.must_change_password);
    assert_eq!(customer.status, "active");

    let (other_device, _) = app.myaccount_sign_in("alan@example.com", temporary).await;
    let (browser, res) = app.myaccount_sign_in("alan@example.com", temporary).await;
    assert_eq!(res.status(), 303);
    let res = browser.get(app.url("/myaccount")).send().await.unwrap();
    assert_eq!(res.status(), 303, "nothing else before the new password");
    assert_eq!(header(res.headers(), "location"), "/myaccount/password");

    let url = app.url("/myaccount/password");
    let res = submit_page(&browser, &url, &[("password", temporary), ("confirm", temporary)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("the temporary one cannot be kept"));
    let res =
        submit_page(&browser, &url, &[("password", STRONG), ("confirm", "different words here")])
            .await;
    assert_eq!(res.status(), 422);
    let res = submit_page(&browser, &url, &[("password", STRONG), ("confirm", STRONG)]).await;
    assert_eq!(res.status(), 303);
    let (status, home) = get_with(&browser, &app.url("/myaccount")).await;
    assert_eq!(status, 200, "still signed in, under a renewed session");
    assert!(home.contains("Your new password is set."));
    let res = other_device.get(app.url("/myaccount")).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/myaccount/login", "other sessions ended");

    let (_, res) = app.myaccount_sign_in("alan@example.com", temporary).await;
    assert_eq!(res.status(), 422, "the temporary password no longer works");
    let (_, res) = app.myaccount_sign_in("alan@example.com", STRONG).await;
    assert_eq!(res.status(), 303);
    assert!(!app.customer_by_email("alan@example.com").await.must_change_password);
    let actions = app.audit_actions().await;
    assert!(actions.iter().any(|a| a == "password.temporary_set"));
    assert!(actions.iter().any(|a| a == "password.changed"));
}

#[actix_web::test]
async fn the_temporary_password_path_queues_an_account_created_notice_without_the_password() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    let temporary = "temporary pass 9911";
    app.new_customer(&fields("notice@example.com", "temporary", "email", temporary)).await;
    let messages = sink.wait_for(1).await;
    assert!(messages[0].contains("account was created"), "{}", messages[0]);
    let text = text_part(&messages[0]);
    assert!(!text.contains(temporary) && !messages[0].contains(temporary));
    assert!(text.contains("/myaccount/login"));
}

#[actix_web::test]
async fn with_the_smtp_server_down_a_customer_is_created_at_once_and_the_email_goes_out_once_it_is_up()
 {
    let port = free_port();
    let app =
        signed_in_app_with(|c| c.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let (status, _) = app.new_customer(&invite_by_email("down@example.com")).await;
    assert_eq!(status, 200);
    let retrying = app.wait_for_outbox_state("retrying").await;
    assert!(retrying.last_error.is_some());

    let sink = SmtpSink::start_on(port).await;
    let messages = sink.wait_for(1).await;
    assert!(recipient(&messages[0]).contains("down@example.com"));
    app.wait_for_outbox_state("sent").await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1, "delivered exactly once");
}

#[actix_web::test]
async fn a_hanging_smtp_server_neither_slows_the_console_nor_loses_the_email() {
    let hanging = HangingServer::start().await;
    let port = hanging.port;
    let app = signed_in_app_with(|c| {
        c.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail.send_timeout = Duration::from_secs(1);
    })
    .await;
    let started = Instant::now();
    let (status, _) = app.new_customer(&invite_by_email("hang@example.com")).await;
    assert_eq!(status, 200);
    // Not a benchmark: the request must not wait for the mail server at all, and the outer
    // send timeout (1 s) is the smallest delay that waiting would show.
    assert!(started.elapsed() < Duration::from_secs(1), "answered without waiting for SMTP");
    let retrying = app.wait_for_outbox_state("retrying").await;
    assert!(retrying.last_error.unwrap_or_default().contains("no answer"));

    hanging.stop().await;
    let sink = SmtpSink::start_on(port).await;
    sink.wait_for(1).await;
    app.wait_for_outbox_state("sent").await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sink.messages().len(), 1, "delivered exactly once");
}

#[actix_web::test]
async fn bad_details_are_refused_next_to_the_field_and_nothing_is_created() {
    let app = signed_in_app().await;
    let (status, _) = app.new_customer(&fields("bob@x.io", "invite", "offline", "")).await;
    assert_eq!(status, 200);
    let long_name = "n".repeat(101);
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (fields("Bob@X.io", "invite", "offline", ""), "A customer with this email already exists."),
        (
            fields("not-an-email", "invite", "offline", ""),
            "Enter an email address like name@example.com.",
        ),
        (
            fields("a\u{7}b@x.io", "invite", "offline", ""),
            "cannot contain spaces or control characters",
        ),
        (fields("weak@x.io", "temporary", "email", "short"), "Use at least 12 characters."),
        (fields("common@x.io", "temporary", "email", "1234567890123"), "too common"),
        (fields("carol.smith@x.io", "temporary", "email", "carol.smith-2026!"), "name part"),
        (
            vec![
                ("email", "long@x.io"),
                ("first_name", &long_name),
                ("last_name", "L"),
                ("method", "invite"),
                ("delivery", "offline"),
                ("password", ""),
            ],
            "at most 100 characters",
        ),
        (
            vec![
                ("email", "empty@x.io"),
                ("first_name", " "),
                ("last_name", "L"),
                ("method", "invite"),
                ("delivery", "offline"),
                ("password", ""),
            ],
            "Enter a first name.",
        ),
        (fields("mail@x.io", "invite", "email", ""), "No mail server is configured"),
    ];
    for (form, message) in cases {
        let (status, page) = app.new_customer(&form).await;
        assert_eq!(status, 422, "{form:?}");
        assert!(page.contains(&askama_escape(message)), "{message:?} missing for {form:?}");
        assert!(page.contains("class=\"field-error\""), "the message sits next to the field");
    }
    // The values typed are kept.
    let (_, page) = app.new_customer(&fields("weak@x.io", "temporary", "email", "short")).await;
    assert!(page.contains("value=\"weak@x.io\""));
    assert_eq!(app.count_customers().await, 1, "nothing created");
}

fn askama_escape(s: &str) -> String {
    s.replace('&', "&#38;").replace('\'', "&#39;").replace('"', "&#34;")
}

#[actix_web::test]
async fn a_double_clicked_finish_creates_one_customer() {
    let app = signed_in_app().await;
    let page = app.get_text(WIZARD).await.1;
    let mut form = vec![
        ("csrf_token".to_owned(), csrf_in(&page)),
        ("submission".to_owned(), hidden_field(&page, "submission")),
        ("action".to_owned(), "finish".to_owned()),
    ];
    for (k, v) in fields("twice@example.com", "invite", "offline", "") {
        form.push((k.to_owned(), v.to_owned()));
    }
    let send = || app.client.post(app.url(WIZARD)).form(&form).send();
    let (a, b) = futures_join(send(), send()).await;
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (303, 303));
    assert_eq!(header(a.headers(), "location"), header(b.headers(), "location"), "one customer");
    // Whichever answer the browser follows, the page shows the link (once).
    let (status, page) = app.followed(b).await;
    assert_eq!(status, 200);
    assert!(shown_secret(&page).contains("/myaccount/invitation/"));
    assert_eq!(app.count_customers().await, 1);
}

async fn futures_join<A: std::future::Future, B: std::future::Future>(
    a: A,
    b: B,
) -> (A::Output, B::Output) {
    tokio::join!(a, b)
}

#[actix_web::test]
async fn resend_invitation_revokes_the_previous_link() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    app.new_customer(&invite_by_email("again@example.com")).await;
    let first = link_in(&sink.wait_for(1).await[0], "/myaccount/invitation/");
    let customer = app.customer_by_email("again@example.com").await;
    let page = format!("/console/users/{}", customer.public_id);
    let token = app.csrf(&page).await;
    let res = app
        .post_form(&format!("{page}/invitation"), &[("csrf_token", &token), ("delivery", "email")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, after) = app.get_text(&page).await;
    assert!(after.contains("A new invitation is on its way"), "{after}");

    let second = link_in(&sink.wait_for(2).await[1], "/myaccount/invitation/");
    assert_ne!(first, second);
    let (status, old) = get_with(&client(), &first).await;
    assert_eq!(status, 410);
    assert!(old.contains("replaced"), "{old}");
    let res = submit_page(&client(), &second, &[("password", STRONG), ("confirm", STRONG)]).await;
    assert_eq!(res.status(), 303);
    assert!(app.audit_actions().await.iter().any(|a| a == "invitation.resent"));

    let token = app.csrf(&page).await;
    let res = app
        .post_form(&format!("{page}/invitation"), &[("csrf_token", &token), ("delivery", "email")])
        .await;
    assert_eq!(res.status(), 403, "an active customer has no invitation to resend");
}

#[actix_web::test]
async fn the_wizard_assigns_the_groups_ticked_in_step_two() {
    let app = signed_in_app().await;
    let gold = app.make_group("gold", &[]).await.0;
    app.make_group("<silver>", &[]).await;
    let (status, step2) =
        app.new_customer(&fields("grouped@example.com", "invite", "offline", "")).await;
    assert_eq!(status, 200);
    assert!(step2.contains("Assign groups"), "{step2}");
    assert!(step2.contains("&#60;silver&#62;") && !step2.contains("<silver>"), "names escaped");
    assert_eq!(app.count_customers().await, 0, "Next does not create");

    let mut form: Vec<(String, String)> = vec![
        ("csrf_token".into(), csrf_in(&step2)),
        ("submission".into(), hidden_field(&step2, "submission")),
        ("action".into(), "finish".into()),
        ("groups".into(), gold.clone()),
    ];
    for name in ["email", "first_name", "last_name", "method", "delivery", "password"] {
        form.push((name.into(), hidden_field(&step2, name)));
    }
    let res = app.client.post(app.url(WIZARD)).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 303);
    let page = app.followed(res).await.1;
    assert!(page.contains("Groups <span class=\"count\">1</span>"), "{page}");
    let id = app.customer_by_email("grouped@example.com").await.public_id.to_string();
    let (_, page) = app.get_text(&format!("/console/users/{id}/groups")).await;
    assert!(page.contains("<span class=\"tag-name\">gold</span>"), "{page}");
    assert!(!page.contains("<span class=\"tag-name\">&#60;silver&#62;</span>"));
}

#[actix_web::test]
async fn generate_fills_a_password_that_meets_the_policy_and_the_checklist_follows_typing() {
    let app = signed_in_app().await;
    let page = app.get_text(WIZARD).await.1;
    let base = vec![
        ("csrf_token".to_owned(), csrf_in(&page)),
        ("submission".to_owned(), hidden_field(&page, "submission")),
        ("email".to_owned(), "gen@example.com".to_owned()),
        ("first_name".to_owned(), "G".to_owned()),
        ("last_name".to_owned(), "H".to_owned()),
        ("method".to_owned(), "invite".to_owned()),
        ("delivery".to_owned(), "offline".to_owned()),
    ];
    let mut form = base.clone();
    form.push(("password".into(), String::new()));
    form.push(("action".into(), "generate".into()));
    let res = app.client.post(app.url(WIZARD)).form(&form).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let generated = hidden_field(
        &page.replace("type=\"text\" name=\"password\"", "name=\"password\""),
        "password",
    );
    assert!(generated.len() >= 20, "{generated}");
    assert_eq!(page.matches("class=\"met\"").count(), 3, "every rule met");
    assert_eq!(app.count_customers().await, 0);

    let mut typing = base.clone();
    typing.push(("password".into(), "gen-1234".into()));
    let res =
        app.client.post(app.url("/console/users/new/policy")).form(&typing).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let checklist = res.text().await.unwrap();
    assert!(checklist.starts_with("<ul id=\"policy\""), "a fragment: {checklist}");
    assert_eq!(
        checklist.matches("class=\"unmet\"").count(),
        2,
        "too short, contains the name part"
    );
}

#[actix_web::test]
async fn tokens_are_stored_only_as_hashes() {
    let sink = SmtpSink::start().await;
    let app = signed_in_app_with(|c| c.mail.smtp_url = Some(sink.url())).await;
    app.new_customer(&invite_by_email("hash@example.com")).await;
    let (_, page) = app.new_customer(&fields("offline@example.com", "invite", "offline", "")).await;
    let offline = shown_secret(&page);
    let emailed = link_in(&sink.wait_for(1).await[0], "/myaccount/invitation/");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(app.data_dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().contains("roster.sqlite3") {
            files.push(std::fs::read(&path).unwrap());
        }
    }
    assert!(!files.is_empty());
    for link in [offline, emailed] {
        let token = link.rsplit('/').next().unwrap().as_bytes().to_vec();
        for bytes in &files {
            assert!(
                !bytes.windows(token.len()).any(|w| w == token.as_slice()),
                "token in the database"
            );
        }
    }
}

#[actix_web::test]
async fn a_failed_email_is_listed_in_the_outbox_and_resend_delivers_it() {
    let port = free_port();
    let app = signed_in_app_with(|c| {
        c.mail.smtp_url = Some(format!("smtp://127.0.0.1:{port}"));
        c.mail.max_attempts = 2;
    })
    .await;
    app.new_customer(&invite_by_email("failing@example.com")).await;
    let failed = app.wait_for_outbox_state("failed").await;
    assert_eq!(failed.attempts, 2);
    let (status, outbox) = app.get_text("/console/settings/outbox").await;
    assert_eq!(status, 200);
    assert!(outbox.contains("failing@example.com") && outbox.contains("Failed"), "{outbox}");
    let (_, preview) = app.get_text(&format!("/console/settings/outbox/{}", failed.id)).await;
    assert!(preview.contains("(link hidden in the preview)"), "{preview}");
    let res = app.get(&format!("/console/settings/outbox/{}/html", failed.id)).await;
    assert_eq!(res.status(), 200);
    let csp = header(res.headers(), "content-security-policy").to_owned();
    assert!(csp.starts_with("sandbox;") && csp.contains("frame-ancestors 'self'"), "{csp}");
    assert_eq!(header(res.headers(), "x-frame-options"), "SAMEORIGIN");
    let html = res.text().await.unwrap();
    assert!(html.contains("Set your password") && html.contains("(link hidden in the preview)"));
    let res = app.get(&format!("/console/settings/outbox/{}", failed.id)).await;
    assert_eq!(header(res.headers(), "x-frame-options"), "DENY", "console pages stay unframable");

    let sink = SmtpSink::start_on(port).await;
    let token = csrf_in(&outbox);
    let res = app
        .post_form(
            &format!("/console/settings/outbox/{}/resend", failed.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(res.status(), 303);
    sink.wait_for(1).await;
    app.wait_for_outbox_state("sent").await;
    let res = app
        .post_form(
            &format!("/console/settings/outbox/{}/resend", failed.id),
            &[("csrf_token", &token)],
        )
        .await;
    assert_eq!(res.status(), 403, "only failed emails are resent");
}

#[actix_web::test]
async fn every_new_route_needs_its_session_its_csrf_token_and_the_right_role() {
    let app = spawn_app_with_owner().await;
    // Anonymous: console routes send to the console sign-in, My Account ones to its own.
    for path in [
        "/console/users/new",
        "/console/settings/outbox",
        "/console/settings/outbox/x",
        "/console/settings/outbox/x/html",
        "/console/users/x/invitation",
    ] {
        let res = app.get(path).await;
        assert_eq!(
            header(res.headers(), "location").split('?').next(),
            Some("/console/login"),
            "{path}"
        );
    }
    for path in ["/myaccount", "/myaccount/password"] {
        let res = app.get(path).await;
        assert_eq!(
            header(res.headers(), "location").split('?').next(),
            Some("/myaccount/login"),
            "{path}"
        );
    }
    // Signed in, but without the CSRF token: refused, nothing created.
    let res = app.sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status(), 303);
    let page = app.get_text(WIZARD).await.1;
    let submission = hidden_field(&page, "submission");
    let mut form = vec![("submission", submission.as_str()), ("action", "next")];
    form.extend(fields("nocsrf@example.com", "invite", "offline", ""));
    for path in [WIZARD, "/console/users/new/policy"] {
        let res = app.post_form(path, &form).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    for path in ["/console/settings/outbox/x/resend", "/console/users/x/invitation"] {
        let res = app.post_form(path, &[("delivery", "offline")]).await;
        assert_eq!(res.status(), 403, "{path}");
    }
    assert_eq!(app.count_customers().await, 0);
    // Fields the wizard does not have (or a forged role or status) are a 400.
    let token = csrf_in(&page);
    let mut forged = vec![("csrf_token", token.as_str()), ("status", "active")];
    forged.extend(form.iter().copied());
    assert_eq!(app.post_form(WIZARD, &forged).await.status(), 400);
    assert_eq!(app.count_customers().await, 0);

    // A viewer sees customers but cannot create them or resend anything.
    let viewer = viewer_app().await;
    let (status, list) = viewer.get_text("/console/users").await;
    assert_eq!(status, 200);
    assert!(!list.contains("New User"), "no dead button for a viewer");
    assert_eq!(viewer.get(WIZARD).await.status(), 403);
    let token = csrf_in(&list);
    let mut form = vec![
        ("csrf_token", token.as_str()),
        ("submission", submission.as_str()),
        ("action", "next"),
    ];
    form.extend(fields("viewer-made@example.com", "invite", "offline", ""));
    assert_eq!(viewer.post_form(WIZARD, &form).await.status(), 403);
    assert_eq!(viewer.count_customers().await, 0);
    let ids = viewer
        .insert_customers(vec![customer("seen@example.com", "Seen", "Only", Status::Active)])
        .await;
    let page = format!("/console/users/{}", ids[0]);
    let (_, shown) = viewer.get_text(&page).await;
    assert!(
        shown.contains("disabled") && !shown.contains(">Update</button>"),
        "read-only for viewers"
    );
    let token = csrf_in(&shown);
    let res = viewer
        .post_form(
            &page,
            &[("csrf_token", &token), ("first_name", "Changed"), ("last_name", "Only")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(viewer.customer_by_email("seen@example.com").await.first_name, "Seen");

    // A console session is not a My Account session, and My Account's forms need its token.
    let (_, res) = app.myaccount_sign_in(OWNER_EMAIL, OWNER_PASSWORD).await;
    assert_eq!(res.status(), 422, "administrators do not sign in to My Account");
    let res = app
        .post_form("/myaccount/invitation/whatever", &[("password", STRONG), ("confirm", STRONG)])
        .await;
    assert_eq!(res.status(), 403);
}

#[actix_web::test]
async fn an_expired_invitation_says_so_and_sets_nothing() {
    let app = signed_in_app().await;
    let (_, page) = app.new_customer(&fields("late@example.com", "invite", "offline", "")).await;
    let link = shown_secret(&page);
    app.db
        .run(|c| {
            use diesel::prelude::*;
            use roster::db::schema::one_time_tokens as t;
            let past = roster::db::now() - chrono::Duration::minutes(1);
            diesel::update(t::table).set(t::expires_at.eq(past)).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let (status, body) = get_with(&client(), &link).await;
    assert_eq!(status, 410);
    assert!(body.contains("This invitation has expired") && body.contains("send a new invitation"));
    let res =
        post_myaccount(&app, &client(), &link, &[("password", STRONG), ("confirm", STRONG)]).await;
    assert_eq!(res.status(), 410);
    let customer = app.customer_by_email("late@example.com").await;
    assert_eq!(
        (customer.status.as_str(), customer.password_hash.is_none()),
        ("pending_password", true)
    );
    let (_, console) = app.get_text(&format!("/console/users/{}", customer.public_id)).await;
    assert!(console.contains("The link has expired: send a new invitation."), "{console}");
}

#[actix_web::test]
async fn my_account_sign_out_ends_the_session() {
    let app = signed_in_app().await;
    let temporary = "temporary pass 9911";
    app.new_customer(&fields("out@example.com", "temporary", "email", temporary)).await;
    let (browser, _) = app.myaccount_sign_in("out@example.com", temporary).await;
    let res = submit_page(
        &browser,
        &app.url("/myaccount/password"),
        &[("password", STRONG), ("confirm", STRONG)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let (_, home) = get_with(&browser, &app.url("/myaccount")).await;
    let token = csrf_in(&home);
    let res = browser
        .post(app.url("/myaccount/logout"))
        .form(&[("csrf_token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(header(res.headers(), "location"), "/myaccount/login?notice=signed_out");
    let res = browser.get(app.url("/myaccount")).send().await.unwrap();
    assert_eq!(header(res.headers(), "location"), "/myaccount/login");
    assert!(app.audit_actions().await.iter().any(|a| a == "signout"));
}
