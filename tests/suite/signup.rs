//! Who may make an account: the sign-up modes, the email domain list and
//! invitations, tried over the API, the forms, the pages and the command
//! line, as an operator, an invitee and an attacker would.

use crate::common;

use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    api::Answer,
    spawn_app,
};
use reqwest::Method;
use serde_json::{Value, json};

impl TestApp {
    /// Registers through the API with `invite` as the invitation's token.
    async fn register_invited(&self, email: &str, invite: &str) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/register",
            None,
            Some(json!({ "email": email, "password": PASSWORD, "invite": invite })),
        )
        .await
    }

    /// Runs `taskward admin <args>`, asserting success; what it printed.
    async fn admin_cli(&self, args: &[&str]) -> String {
        let mut all = vec!["admin"];
        all.extend_from_slice(args);
        let output = self.cli(&all).await;
        let printed = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{args:?}: {printed}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        printed
    }

    /// An invitation made through the API by the administrator `admin`
    /// (an API token); its token.
    async fn invitation(&self, admin: &str, body: Value) -> String {
        let made = self
            .api_ok(Method::POST, "/admin/invites", admin, Some(body))
            .await;
        assert!(made["url"].as_str().unwrap().starts_with("http"), "{made}");
        token_of(made["url"].as_str().unwrap())
    }

    /// A new administrator, signed in to the API; its bearer token.
    async fn api_admin(&self) -> String {
        let (email, _) = self.new_admin().await;
        let answer = self
            .api_send(
                Method::POST,
                "/auth/signin",
                None,
                Some(json!({ "email": email, "password": PASSWORD })),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        answer.body["access_token"].as_str().unwrap().to_owned()
    }

    async fn set_mode(&self, admin: &str, mode: &str) {
        self.api_ok(
            Method::PATCH,
            "/admin/settings",
            admin,
            Some(json!({ "signup_mode": mode })),
        )
        .await;
    }
}

/// The token of an invitation link.
fn token_of(url: &str) -> String {
    url.split_once("/signup?invite=")
        .unwrap_or_else(|| panic!("not an invitation link: {url}"))
        .1
        .trim()
        .to_owned()
}

#[tokio::test]
async fn a_closed_instance_refuses_every_sign_up_and_says_so_before_the_form() {
    let app = spawn_app().await;
    let printed = app.admin_cli(&["signup", "closed"]).await;
    assert!(printed.contains("Closed"), "{printed}");

    let refused = app.register(&unique_email(), PASSWORD).await;
    assert_eq!(refused.problem_code(403), "signup_closed");
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("not taking new accounts")
    );

    // The form post gets the same refusal, and no account exists after.
    let email = unique_email();
    let form = app
        .post_form(
            "/api/auth/signup",
            &[("email", &email), ("password", PASSWORD)],
            None,
        )
        .await;
    assert_eq!(form.status(), 403);
    let signed_in = app.sign_in(&email, PASSWORD).await;
    assert_eq!(signed_in.status(), 401);

    // The page says why, with no form to type a password into.
    let page = app.get("/signup").await.text().await.unwrap();
    assert!(page.contains("not taking new accounts"), "{page}");
    assert!(!page.contains("type=\"password\""), "{page}");

    // Even a valid invitation does not open a closed instance.
    let made = app.admin_cli(&["invite"]).await;
    let token = token_of(made.lines().next().unwrap());
    let invited = app.register_invited(&unique_email(), &token).await;
    assert_eq!(invited.problem_code(403), "signup_closed");
}

#[tokio::test]
async fn by_invitation_only_the_command_line_makes_the_first_administrator() {
    let app = spawn_app().await;
    app.admin_cli(&["signup", "invite"]).await;
    let refused = app.register(&unique_email(), PASSWORD).await;
    assert_eq!(refused.problem_code(403), "signup_closed");
    let page = app.get("/signup").await.text().await.unwrap();
    assert!(page.contains("by invitation only"), "{page}");

    let email = unique_email();
    let printed = app
        .admin_cli(&[
            "invite",
            "--email",
            &email.to_uppercase(),
            "--admin",
            "--days",
            "2",
        ])
        .await;
    let link = printed.lines().next().unwrap();
    assert!(link.starts_with("http"), "{printed}");
    assert!(printed.contains("as an administrator"), "{printed}");
    let token = token_of(link);

    // The link's page offers the form, for the bound address.
    let page = app
        .get(&format!("/signup?invite={token}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("type=\"password\""), "{page}");
    assert!(page.contains(&email), "{page}");

    // Another address cannot use it; the bound one can, once.
    let other = app.register_invited(&unique_email(), &token).await;
    assert_eq!(other.problem_code(403), "invite_invalid");
    assert!(
        other.body["detail"]
            .as_str()
            .unwrap()
            .contains("another email")
    );
    let made = app.register_invited(&email, &token).await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert_eq!(made.body["user"]["role"], "admin");
    let again = app.register_invited(&unique_email(), &token).await;
    assert_eq!(again.problem_code(403), "invite_invalid");

    // The new administrator can run the instance through the API.
    let admin = made.body["access_token"].as_str().unwrap();
    let settings = app
        .api_ok(Method::GET, "/admin/settings", admin, None)
        .await;
    assert_eq!(settings["signup_mode"], "invite");
}

#[tokio::test]
async fn an_invitation_with_one_use_makes_one_account_however_many_try_at_once() {
    let app = spawn_app().await;
    let admin = app.api_admin().await;
    let token = app.invitation(&admin, json!({})).await;
    app.set_mode(&admin, "invite").await;
    let attempts = (0..8).map(|_| {
        let (app, token) = (&app, token.clone());
        async move { app.register_invited(&unique_email(), &token).await.status }
    });
    let statuses = futures::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|status| **status == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|status| **status == 403).count(),
        7,
        "{statuses:?}"
    );

    let listed = app
        .api_ok(Method::GET, "/admin/invites", &admin, None)
        .await;
    let invitation = &listed["items"][0];
    assert_eq!(invitation["uses_left"], 0);
    assert_eq!(invitation["status"], "used_up");
}

#[tokio::test]
async fn revoked_expired_unknown_and_malformed_invitations_are_refused() {
    let app = spawn_app().await;
    let admin = app.api_admin().await;
    let token = app
        .invitation(&admin, json!({ "uses": 5, "days": 1 }))
        .await;
    app.set_mode(&admin, "invite").await;
    let listed = app
        .api_ok(Method::GET, "/admin/invites", &admin, None)
        .await;
    let id = listed["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(listed["items"][0]["uses_left"], 5);

    let revoke = app
        .api_send(
            Method::DELETE,
            &format!("/admin/invites/{id}"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(revoke.status, 204);
    let revoked = app.register_invited(&unique_email(), &token).await;
    assert_eq!(revoked.problem_code(403), "invite_invalid");
    assert!(
        revoked.body["detail"]
            .as_str()
            .unwrap()
            .contains("withdrawn")
    );
    let unknown_id = app
        .api_send(
            Method::DELETE,
            &format!("/admin/invites/{}", uuid::Uuid::new_v4()),
            Some(&admin),
            None,
        )
        .await;
    unknown_id.problem(404);

    // An invitation past its day.
    let expiring = app.invitation(&admin, json!({ "days": 1 })).await;
    let db = app.db().await;
    taskward::on_db!(&db, pool => {
        sqlx::query("UPDATE invitations SET expires_at = $1 WHERE revoked_at IS NULL")
            .bind(chrono::Utc::now() - chrono::TimeDelta::minutes(1))
            .execute(pool)
            .await
            .unwrap();
    });
    let expired = app.register_invited(&unique_email(), &expiring).await;
    assert_eq!(expired.problem_code(403), "invite_invalid");
    assert!(expired.body["detail"].as_str().unwrap().contains("expired"));

    // Made-up tokens, of every shape.
    for made_up in [
        "A".repeat(43),
        "A".repeat(65),
        "../../etc/passwd".to_owned(),
        "%00".to_owned(),
        "x".repeat(10_000),
    ] {
        let refused = app.register_invited(&unique_email(), &made_up).await;
        assert_eq!(refused.problem_code(403), "invite_invalid", "{made_up:.20}");
        let page = app
            .get(&format!("/signup?invite={}", urlencoding(&made_up)))
            .await;
        assert_eq!(page.status(), 200);
        let page = page.text().await.unwrap();
        assert!(page.contains("not valid"), "{page}");
        assert!(!page.contains("type=\"password\""));
    }
}

#[tokio::test]
async fn invitation_tokens_are_kept_only_as_hashes() {
    let app = spawn_app().await;
    let admin = app.api_admin().await;
    let token = app
        .invitation(&admin, json!({ "email": unique_email() }))
        .await;
    assert!(token.len() >= 43, "{token}");
    let db = app.db().await;
    let hashes: Vec<(String,)> = taskward::on_db!(&db, pool => {
        sqlx::query_as("SELECT token_hash FROM invitations").fetch_all(pool).await.unwrap()
    });
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0].0, token);
    assert!(!hashes[0].0.contains(&token));
}

#[tokio::test]
async fn a_domain_list_limits_sign_up_without_an_invitation() {
    let app = spawn_app().await;
    let admin = app.api_admin().await;
    let (_, console) = app.new_admin().await;
    let bad = app
        .api_send(
            Method::PATCH,
            "/admin/settings",
            Some(&admin),
            Some(json!({ "signup_email_domains": ["localhost"] })),
        )
        .await;
    bad.problem(422);
    assert_eq!(bad.pointers(), vec!["#/signup_email_domains"]);
    let too_many: Vec<String> = (0..51).map(|n| format!("d{n}.example")).collect();
    let refused = app
        .api_send(
            Method::PATCH,
            "/admin/settings",
            Some(&admin),
            Some(json!({ "signup_email_domains": too_many })),
        )
        .await;
    refused.problem(422);

    let settings = app
        .api_ok(
            Method::PATCH,
            "/admin/settings",
            &admin,
            Some(json!({ "signup_email_domains": ["Team.Example"] })),
        )
        .await;
    assert_eq!(
        settings,
        json!({
            "signup_mode": "open",
            "signup_email_domains": ["team.example"],
            "require_second_factor": "none",
            "require_verified_email": false
        })
    );

    let outsider = app.register("ann@elsewhere.example", PASSWORD).await;
    assert_eq!(outsider.problem_code(403), "signup_closed");
    assert!(
        outsider.body["detail"]
            .as_str()
            .unwrap()
            .contains("team.example")
    );
    let lookalike = app.register("ann@team.example.evil.test", PASSWORD).await;
    assert_eq!(lookalike.problem_code(403), "signup_closed");
    let member = app
        .register(
            &format!("{}@team.example", uuid::Uuid::new_v4().simple()),
            PASSWORD,
        )
        .await;
    assert_eq!(member.status, 201, "{}", member.body);

    // An invitation admits the address it names whatever its domain.
    let token = app.invitation(&admin, json!({})).await;
    let invited = app.register_invited("bob@elsewhere.example", &token).await;
    assert_eq!(invited.status, 201, "{}", invited.body);

    // The changes are in the security log, with who made them.
    let log = app
        .get_with_cookie("/admin?kind=signup_policy_changed", &console)
        .await
        .text()
        .await
        .unwrap();
    assert!(log.contains("open; domains: team.example"), "{log}");
}

#[tokio::test]
async fn every_admin_endpoint_answers_403_to_a_user_and_401_to_no_one() {
    let app = spawn_app().await;
    let user = app.api_user().await;
    let document = app.openapi_document().await;
    let mut tried = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        let Some(rest) = path.strip_prefix("/api/v1/admin") else {
            continue;
        };
        let rest = rest.replace("{id}", &uuid::Uuid::new_v4().to_string());
        for method in operations.as_object().unwrap().keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = matches!(method, Method::POST | Method::PATCH).then(|| json!({}));
            let path = format!("/admin{rest}");
            let answer = app
                .api_send(method.clone(), &path, Some(&user), body.clone())
                .await;
            assert_eq!(answer.problem_code(403), "forbidden", "{method} {path}");
            let anonymous = app.api_send(method.clone(), &path, None, body).await;
            anonymous.problem(401);
            tried += 1;
        }
    }
    assert!(tried >= 5, "only {tried} admin operations in the document");

    // And the console's server functions and pages.
    let web = app.sign_up(&unique_email(), PASSWORD).await;
    for page in ["/admin/signup", "/admin/invitations"] {
        let answer = app.get_with_cookie(page, &web).await;
        assert_eq!(answer.status(), 403, "{page}");
    }
    for (path, form) in [
        ("/api/admin/set-signup", &[("mode", "open")][..]),
        ("/api/admin/invite", &[][..]),
        ("/api/admin/invitations", &[][..]),
        ("/api/admin/signup-settings", &[][..]),
        (
            "/api/admin/revoke-invitation",
            &[("id", "00000000-0000-0000-0000-000000000000")][..],
        ),
    ] {
        let (status, _) = app.site_call(&web, path, form).await;
        assert_eq!(status, 403, "{path}");
    }
}

#[tokio::test]
async fn the_console_makes_lists_and_revokes_invitations_without_javascript() {
    let app = spawn_app().await;
    let (_, admin) = app.new_admin().await;
    let made = app
        .post_form(
            "/api/admin/invite",
            &[
                ("email", ""),
                ("uses", "3"),
                ("days", "5"),
                ("role", "admin"),
            ],
            Some(&admin),
        )
        .await;
    assert!(
        made.status().is_redirection() || made.status().is_success(),
        "{}",
        made.status()
    );
    let page = app
        .get_with_cookie("/admin/invitations", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("3 of 3"), "{page}");
    assert!(page.contains("Usable"), "{page}");

    // An address cannot make the console show someone else's link.
    let crafted = app
        .get_with_cookie(
            "/admin/invitations?new_invitation=https%3A%2F%2Fevil.example%2Fsignup",
            &admin,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(!crafted.contains("evil.example"), "{crafted}");

    let bad = app
        .post_form("/api/admin/invite", &[("uses", "1001")], Some(&admin))
        .await;
    assert_eq!(bad.status(), 422);
    let bad = app
        .post_form(
            "/api/admin/invite",
            &[("email", "not an email")],
            Some(&admin),
        )
        .await;
    assert_eq!(bad.status(), 422);

    let set = app
        .post_form(
            "/api/admin/set-signup",
            &[("mode", "closed"), ("email_domains", "")],
            Some(&admin),
        )
        .await;
    assert!(
        set.status().is_redirection() || set.status().is_success(),
        "{}",
        set.status()
    );
    let page = app
        .get_with_cookie("/admin/signup", &admin)
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("value=\"closed\" checked"), "{page}");
}

/// `text` percent-encoded for a query value.
fn urlencoding(text: &str) -> String {
    text.bytes().map(|byte| format!("%{byte:02X}")).collect()
}

#[tokio::test]
async fn the_command_line_sets_whether_addresses_must_be_confirmed_and_keeps_it_when_silent() {
    let app = spawn_app().await;
    let token = app.api_user().await;
    let todos = |token: String| {
        let app = &app;
        async move {
            app.api_send(Method::GET, "/todos", Some(&token), None)
                .await
                .status
        }
    };
    assert_eq!(todos(token.clone()).await, 200);

    let printed = app
        .admin_cli(&["signup", "open", "--require-verified-email", "yes"])
        .await;
    assert!(printed.contains("confirmed"), "{printed}");
    assert_eq!(
        todos(token.clone()).await,
        403,
        "the address is not confirmed"
    );
    // Left out, the setting stays; the domains change alone.
    let printed = app
        .admin_cli(&["signup", "open", "--domains", "example.com"])
        .await;
    assert!(printed.contains("confirmed"), "{printed}");
    assert_eq!(todos(token.clone()).await, 403);
    app.admin_cli(&[
        "signup",
        "open",
        "--domains",
        "",
        "--require-verified-email",
        "no",
    ])
    .await;
    assert_eq!(todos(token.clone()).await, 200);

    let refused = app
        .cli(&[
            "admin",
            "signup",
            "open",
            "--require-verified-email",
            "maybe",
        ])
        .await;
    assert!(!refused.status.success());
}
