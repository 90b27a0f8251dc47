//! Settings > Signing keys: keys made and opened when the first application is registered (so
//! the first token requests do not each make one), the published keys listed, and Rotate keys
//! from the console — audited, the previous keys still published, viewers only looking.

use crate::helpers::*;

const PAGE: &str = "/console/settings/signing-keys";

async fn keys(app: &TestApp) -> Vec<roster::db::signing_keys::StoredKey> {
    app.db.run(|c| Ok(roster::db::signing_keys::published(c, roster::db::now())?)).await.unwrap()
}

#[actix_web::test]
async fn registering_the_first_application_makes_the_keys_ahead_of_any_token_request() {
    let app = signed_in_app().await;
    let (_, page) = app.get_text(PAGE).await;
    assert!(page.contains("No keys yet"), "{page}");
    let form = [
        ("name", "Shop"),
        ("client_type", "public"),
        ("redirect_uris", "https://shop.example.com/cb"),
        ("access_token_minutes", "5"),
        ("refresh_token_days", "30"),
        ("id_token_alg", "RS256"),
    ];
    let res = app.post_on("/console/applications/new", "/console/applications/new", &form).await;
    assert_eq!(res.status(), 303);
    // Made in the background (an RSA key takes a moment, longer in a debug build); nothing
    // asked for them.
    let mut made = Vec::new();
    for _ in 0..600 {
        made = keys(&app).await;
        if made.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut algs: Vec<String> = made.iter().map(|k| k.alg.clone()).collect();
    algs.sort();
    assert_eq!(algs, ["EdDSA", "RS256"]);
    let (_, page) = app.get_text(PAGE).await;
    for k in &made {
        assert!(page.contains(&k.kid), "{page}");
    }
    assert_eq!(page.matches("Signs ID tokens").count(), 2);
}

#[actix_web::test]
async fn rotate_keys_from_the_console_keeps_the_previous_keys_published_and_is_audited() {
    let app = signed_in_app().await;
    assert_eq!(app.get("/oidc/jwks").await.status(), 200);
    let before: Vec<String> = keys(&app).await.into_iter().map(|k| k.kid).collect();
    assert_eq!(before.len(), 2);

    let res = app.post_on(PAGE, &format!("{PAGE}/rotate"), &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(header(res.headers(), "location"), PAGE);
    let (_, page) = app.get_text(PAGE).await;
    assert!(page.contains("New signing keys sign from now on."), "{page}");
    assert_eq!(page.matches("Signs ID tokens").count(), 2);
    assert_eq!(page.matches("Retired; published until").count(), 2);

    let after = keys(&app).await;
    assert_eq!(after.len(), 4);
    let signing: Vec<&str> =
        after.iter().filter(|k| k.retired_at.is_none()).map(|k| k.kid.as_str()).collect();
    assert!(signing.iter().all(|k| !before.iter().any(|b| b == k)), "new keys sign");
    let (_, set) = app.get_text("/oidc/jwks").await;
    for k in &after {
        assert!(set.contains(&k.kid), "published: {set}");
    }

    let events = app.db.run(|c| Ok(roster::db::audit::recent(c, 10)?)).await.unwrap();
    let rotated = events.iter().find(|e| e.action == "signing_keys.rotated").expect("audited");
    let details: serde_json::Value = serde_json::from_str(&rotated.details).unwrap();
    let mut retired: Vec<String> = serde_json::from_value(details["retired_keys"].clone()).unwrap();
    let mut expected = before.clone();
    retired.sort();
    expected.sort();
    assert_eq!(retired, expected);
    assert_eq!(details["new_keys"].as_array().unwrap().len(), 2);
    app.assert_no_secrets_in_audit().await;
}

#[actix_web::test]
async fn a_viewer_sees_the_keys_and_cannot_rotate_them() {
    let app = viewer_app().await;
    assert_eq!(app.get("/oidc/jwks").await.status(), 200);
    let (status, page) = app.get_text(PAGE).await;
    assert_eq!(status, 200);
    assert!(page.contains("Signs ID tokens") && !page.contains(">Rotate keys</button>"));
    let res = app.post_on(PAGE, &format!("{PAGE}/rotate"), &[]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(keys(&app).await.len(), 2, "nothing rotated");
}
