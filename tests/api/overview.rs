//! The Overview: customers by status from the kept counters, today's sign-ins and failures,
//! failed emails, the latest events; and a customer with a temporary password is not badged
//! plainly "Active".

use roster::domain::account::Status;

use crate::helpers::*;

/// The figure shown above `label` on the Overview.
fn figure(page: &str, label: &str) -> String {
    let tail = format!(r#"</span><span class="stat-label">{label}</span>"#);
    let at = page.find(&tail).unwrap_or_else(|| panic!("{label} in {page}"));
    let start = page[..at].rfind('>').unwrap() + 1;
    page[start..at].to_owned()
}

#[actix_web::test]
async fn the_overview_counts_customers_by_status_and_todays_sign_ins() {
    let app = signed_in_app().await;
    app.insert_customers(vec![
        customer("a@example.com", "Ann", "A", Status::Active),
        customer("b@example.com", "Ben", "B", Status::Active),
        customer("c@example.com", "Cy", "C", Status::Locked),
        customer("d@example.com", "Di", "D", Status::PendingPassword),
    ])
    .await;
    let (_, res) = app.myaccount_sign_in("a@example.com", "wrong password, surely").await;
    assert_eq!(res.status(), 422);
    let (status, page) = app.get_text("/console/overview").await;
    assert_eq!(status, 200);
    assert_eq!(figure(&page, "Customers"), "4");
    assert_eq!(figure(&page, "Active"), "2");
    assert_eq!(figure(&page, "Invited, no password yet"), "1");
    assert_eq!(figure(&page, "Locked"), "1");
    assert_eq!(figure(&page, "Sign-ins today"), "1", "the owner's");
    assert_eq!(figure(&page, "Failed sign-ins today"), "1");
    assert_eq!(figure(&page, "Emails that could not be sent"), "0");
    assert!(
        page.contains(r#"href="/console/users?status=locked""#),
        "each figure leads to its list"
    );
    assert!(text_of(&page).contains("Test Person signed in to the console"), "the latest events");
}

#[actix_web::test]
async fn a_customer_with_a_temporary_password_is_not_badged_plainly_active() {
    let app = signed_in_app().await;
    let (status, _) = app
        .new_customer(&[
            ("email", "temp@example.com"),
            ("first_name", "Tem"),
            ("last_name", "Porary"),
            ("method", "temporary"),
            ("delivery", "offline"),
            ("password", "copper kettle whistles 9"),
        ])
        .await;
    assert_eq!(status, 200);
    let (_, list) = app.get_text("/console/users?q=temp%40example.com").await;
    let said = text_of(&list);
    assert!(said.contains("Temporary password to be replaced at next sign-in"), "{said}");
    let id = app.customer_by_email("temp@example.com").await.public_id.to_string();
    let (_, page) = app.get_text(&format!("/console/users/{id}")).await;
    assert!(text_of(&page).contains("Active, with a temporary password"));
}
