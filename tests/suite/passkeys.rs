//! Passkeys (WebAuthn) through the API, with the suite's own authenticator
//! (`common::passkey`): adding, listing and deleting them, signing in with
//! one and no password, a passkey as the second step after a password,
//! and what an attacker would try: a ceremony used twice, an answer
//! replayed into a new ceremony, another account's passkey or user
//! handle, a key that did not verify its holder, a personal API token,
//! and more passkeys than an account may have.

use crate::common;

use common::{
    TestApp,
    accounts::{PASSWORD, unique_email},
    api::Answer,
    passkey::SoftPasskey,
    spawn_app, spawn_app_configured,
};
use reqwest::Method;
use serde_json::{Value, json};

/// Browsers allow passkeys on a domain name only; `localhost` is one.
const ORIGIN: &str = "http://localhost";

async fn passkey_app() -> TestApp {
    spawn_app_configured(|config| config.public_origin = ORIGIN.into()).await
}

impl TestApp {
    async fn session_of_new_account(&self) -> (String, String) {
        let email = unique_email();
        let session = self.register(&email, PASSWORD).await.body["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        (email, session)
    }

    async fn registration_options(&self, session: &str) -> Value {
        self.api_ok(
            Method::POST,
            "/auth/passkeys/registration",
            session,
            Some(json!({ "password": PASSWORD })),
        )
        .await
    }

    async fn finish_registration(
        &self,
        session: &str,
        ceremony: &Value,
        name: &str,
        credential: Value,
    ) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/passkeys",
            Some(session),
            Some(json!({ "ceremony": ceremony, "name": name, "credential": credential })),
        )
        .await
    }

    /// A new passkey for the account of `session`, added through the API.
    async fn add_passkey(&self, session: &str, name: &str) -> (SoftPasskey, String) {
        let mut key = SoftPasskey::new(ORIGIN);
        let started = self.registration_options(session).await;
        let credential = key.register(&started["options"]);
        let added = self
            .finish_registration(session, &started["ceremony"], name, credential)
            .await;
        assert_eq!(added.status, 201, "{}", added.body);
        (key, added.body["id"].as_str().unwrap().to_owned())
    }

    /// Signs in with `key` and no password: the answer.
    async fn passkey_sign_in(&self, key: &mut SoftPasskey) -> Answer {
        let started = self
            .api_send(Method::POST, "/auth/passkeys/signin", None, None)
            .await;
        assert_eq!(started.status, 200, "{}", started.body);
        let credential = key.sign_in(&started.body["options"]);
        self.api_send(
            Method::POST,
            "/auth/passkeys/signin/finish",
            None,
            Some(json!({ "ceremony": started.body["ceremony"], "credential": credential })),
        )
        .await
    }

    async fn passkey_list(&self, session: &str) -> Vec<Value> {
        self.api_ok(Method::GET, "/auth/passkeys", session, None)
            .await["items"]
            .as_array()
            .unwrap()
            .clone()
    }

    async fn password_step(&self, email: &str) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": email, "password": PASSWORD })),
        )
        .await
    }

    /// The options of a sign-in step's passkey request.
    async fn second_step_options(&self, challenge: &str) -> Value {
        let asked = self
            .api_send(
                Method::POST,
                "/auth/passkeys/second-factor",
                None,
                Some(json!({ "challenge": challenge })),
            )
            .await;
        assert_eq!(asked.status, 200, "{}", asked.body);
        asked.body["options"].clone()
    }

    async fn second_step_with(&self, challenge: &str, credential: Value) -> Answer {
        self.api_send(
            Method::POST,
            "/auth/passkeys/second-factor/finish",
            None,
            Some(json!({ "challenge": challenge, "credential": credential })),
        )
        .await
    }
}

#[tokio::test]
async fn the_whole_journey_add_sign_in_without_a_password_then_as_a_second_step_and_delete() {
    let app = passkey_app().await;
    let (email, session) = app.session_of_new_account().await;

    // Adding one asks for the password first.
    let wrong = app
        .api_send(
            Method::POST,
            "/auth/passkeys/registration",
            Some(&session),
            Some(json!({ "password": "not the password" })),
        )
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let started = app.registration_options(&session).await;
    let options = &started["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(
        options["authenticatorSelection"]["residentKey"],
        "preferred"
    );
    assert_eq!(
        options["authenticatorSelection"]["userVerification"],
        "required"
    );
    let mut key = SoftPasskey::new(ORIGIN);
    let credential = key.register(&started["options"]);
    let added = app
        .finish_registration(&session, &started["ceremony"], "  Laptop  ", credential)
        .await;
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(added.body["name"], "Laptop");
    assert_eq!(added.body["last_used_at"], Value::Null);

    let listed = app.passkey_list(&session).await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "Laptop");
    assert!(listed[0]["created_at"].is_string());
    let me = app.api_ok(Method::GET, "/auth/me", &session, None).await;
    assert_eq!(me["second_factor"], json!(["passkey"]));

    // Signing in with it needs neither the email nor the password.
    let signed_in = app.passkey_sign_in(&mut key).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(signed_in.body["user"]["email"], email.as_str());
    let token = signed_in.body["access_token"].as_str().unwrap().to_owned();
    app.api_ok(Method::GET, "/todos", &token, None).await;
    assert!(app.passkey_list(&session).await[0]["last_used_at"].is_string());

    // The password alone no longer signs in: the passkey is the second step.
    let step = app.password_step(&email).await;
    assert_eq!(step.status, 200, "{}", step.body);
    assert_eq!(step.body["second_factor_required"], true);
    assert_eq!(step.body["methods"], json!(["passkey"]));
    assert!(step.body.get("access_token").is_none());
    let challenge = step.body["challenge"].as_str().unwrap().to_owned();
    let options = app.second_step_options(&challenge).await;
    let finished = app
        .second_step_with(&challenge, key.sign_in(&options))
        .await;
    assert_eq!(finished.status, 200, "{}", finished.body);
    assert!(finished.body["access_token"].is_string());
    // The step works once.
    let again = app
        .second_step_with(&challenge, key.sign_in(&options))
        .await;
    assert_eq!(again.problem_code(401), "sign_in_expired");

    // Deleting it asks for the password, and it signs in no more.
    let id = listed[0]["id"].as_str().unwrap();
    let refused = app
        .api_send(
            Method::DELETE,
            &format!("/auth/passkeys/{id}"),
            Some(&session),
            Some(json!({ "password": "wrong" })),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    let deleted = app
        .api_send(
            Method::DELETE,
            &format!("/auth/passkeys/{id}"),
            Some(&session),
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    let gone = app.passkey_sign_in(&mut key).await;
    assert_eq!(gone.problem_code(401), "passkey_refused");
    let me = app.api_ok(Method::GET, "/auth/me", &session, None).await;
    assert_eq!(me["second_factor"], Value::Null);
    assert!(app.password_step(&email).await.body["access_token"].is_string());

    // Every step is in the security log.
    let kinds: Vec<String> = app
        .api_ok(Method::GET, "/auth/events?limit=100", &session, None)
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["type"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["passkey_added", "passkey_deleted", "second_factor_asked"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn ceremonies_work_once_and_an_answer_cannot_be_replayed_into_another() {
    let app = passkey_app().await;
    let (_, session) = app.session_of_new_account().await;

    // A registration's ceremony is finished once.
    let started = app.registration_options(&session).await;
    let mut key = SoftPasskey::new(ORIGIN);
    let credential = key.register(&started["options"]);
    let first = app
        .finish_registration(&session, &started["ceremony"], "Phone", credential.clone())
        .await;
    assert_eq!(first.status, 201, "{}", first.body);
    let twice = app
        .finish_registration(&session, &started["ceremony"], "Phone", credential)
        .await;
    assert_eq!(twice.status, 422, "{}", twice.body);
    assert_eq!(twice.body["errors"][0]["pointer"], "#/ceremony");

    // The same device cannot be registered twice (a browser refuses
    // before asking; a client that tries anyway is refused here).
    let started = app.registration_options(&session).await;
    let excluded = started["options"]["publicKey"]["excludeCredentials"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(excluded, 1);
    let again = app
        .finish_registration(
            &session,
            &started["ceremony"],
            "Phone again",
            key.register(&started["options"]),
        )
        .await;
    assert_eq!(again.problem_code(401), "passkey_refused");
    assert_eq!(app.passkey_list(&session).await.len(), 1);

    // A sign-in's answer, replayed: into the same ceremony, then a new one.
    let started = app
        .api_send(Method::POST, "/auth/passkeys/signin", None, None)
        .await;
    let answer = key.sign_in(&started.body["options"]);
    let finish = |ceremony: Value, credential: Value| {
        app.api_send(
            Method::POST,
            "/auth/passkeys/signin/finish",
            None,
            Some(json!({ "ceremony": ceremony, "credential": credential })),
        )
    };
    let first = finish(started.body["ceremony"].clone(), answer.clone()).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let replayed = finish(started.body["ceremony"].clone(), answer.clone()).await;
    assert_eq!(replayed.status, 422, "{}", replayed.body);
    let fresh = app
        .api_send(Method::POST, "/auth/passkeys/signin", None, None)
        .await;
    let replayed = finish(fresh.body["ceremony"].clone(), answer).await;
    assert_eq!(replayed.problem_code(401), "passkey_refused");

    // One answer sent twice at once: one sign-in, one refusal.
    let started = app
        .api_send(Method::POST, "/auth/passkeys/signin", None, None)
        .await;
    let answer = key.sign_in(&started.body["options"]);
    let (first, second) = tokio::join!(
        finish(started.body["ceremony"].clone(), answer.clone()),
        finish(started.body["ceremony"].clone(), answer),
    );
    let mut statuses = [first.status, second.status];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 422]);

    // An unknown or malformed ceremony or credential is a clear 422.
    let nonsense = finish(json!("not-a-ceremony"), json!({ "id": 1 })).await;
    assert_eq!(nonsense.status, 422, "{}", nonsense.body);
    let fresh = app
        .api_send(Method::POST, "/auth/passkeys/signin", None, None)
        .await;
    let nonsense = finish(fresh.body["ceremony"].clone(), json!("x".repeat(10_000))).await;
    assert_eq!(nonsense.status, 422, "{}", nonsense.body);
    assert_eq!(nonsense.body["errors"][0]["pointer"], "#/credential");
}

#[tokio::test]
async fn another_accounts_passkey_handle_or_ceremony_is_refused() {
    // A budget roomier than the step's own five answers.
    let app = spawn_app_configured(|config| {
        config.public_origin = ORIGIN.into();
        config.auth.max_failed_signins = 100;
    })
    .await;
    let (_, alice) = app.session_of_new_account().await;
    let (bob_email, bob) = app.session_of_new_account().await;
    let (mut alice_key, _) = app.add_passkey(&alice, "Alice's key").await;
    let (mut bob_key, _) = app.add_passkey(&bob, "Bob's key").await;

    // Alice's passkey claiming Bob's user handle signs in as nobody.
    let bob_handle = bob_key.user_handle.clone();
    let handle = std::mem::replace(&mut alice_key.user_handle, bob_handle);
    assert_eq!(
        app.passkey_sign_in(&mut alice_key).await.problem_code(401),
        "passkey_refused"
    );
    alice_key.user_handle = handle;

    // Bob's sign-in step (Bob's password known) finished with Alice's
    // passkey: refused, and it counts as a wrong code.
    let challenge = app.password_step(&bob_email).await.body["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let options = app.second_step_options(&challenge).await;
    let refused = app
        .second_step_with(&challenge, alice_key.sign_in(&options))
        .await;
    assert_eq!(refused.problem_code(401), "passkey_refused");
    let failures = app
        .api_ok(Method::GET, "/auth/events?limit=100", &bob, None)
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|event| event["type"] == "second_factor_failed")
        .count();
    assert_eq!(failures, 1);
    // Five wrong answers end the step, even the right key after them.
    for _ in 0..4 {
        let options = app.second_step_options(&challenge).await;
        let refused = app
            .second_step_with(&challenge, alice_key.sign_in(&options))
            .await;
        assert_eq!(refused.problem_code(401), "passkey_refused");
    }
    let ended = app
        .api_send(
            Method::POST,
            "/auth/passkeys/second-factor",
            None,
            Some(json!({ "challenge": challenge })),
        )
        .await;
    assert_eq!(ended.problem_code(401), "sign_in_expired");

    // An answer to options never asked for is refused.
    let challenge = app.password_step(&bob_email).await.body["challenge"]
        .as_str()
        .unwrap()
        .to_owned();
    let unasked = app
        .second_step_with(
            &challenge,
            bob_key.sign_in(&json!({ "publicKey": { "challenge": "AAAA" } })),
        )
        .await;
    assert_eq!(unasked.problem_code(401), "passkey_refused");

    // Alice's registration ceremony cannot be finished by Bob's session.
    let started = app.registration_options(&alice).await;
    let mut key = SoftPasskey::new(ORIGIN);
    let stolen = app
        .finish_registration(
            &bob,
            &started["ceremony"],
            "Stolen",
            key.register(&started["options"]),
        )
        .await;
    assert_eq!(stolen.status, 422, "{}", stolen.body);
    assert_eq!(app.passkey_list(&bob).await.len(), 1);

    // Neither can delete the other's passkey.
    let alices = app.passkey_list(&alice).await[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = app
        .api_send(
            Method::DELETE,
            &format!("/auth/passkeys/{alices}"),
            Some(&bob),
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(refused.status, 404);
    assert_eq!(app.passkey_list(&alice).await.len(), 1);
}

#[tokio::test]
async fn a_key_that_did_not_verify_its_holder_is_not_a_passkey() {
    let app = passkey_app().await;
    let (_, session) = app.session_of_new_account().await;
    let (mut key, _) = app.add_passkey(&session, "Key").await;
    key.verifies_user = false;
    assert_eq!(
        app.passkey_sign_in(&mut key).await.problem_code(401),
        "passkey_refused"
    );

    let started = app.registration_options(&session).await;
    let mut careless = SoftPasskey::new(ORIGIN);
    careless.verifies_user = false;
    let refused = app
        .finish_registration(
            &session,
            &started["ceremony"],
            "Careless",
            careless.register(&started["options"]),
        )
        .await;
    assert_eq!(refused.problem_code(401), "passkey_refused");
}

#[tokio::test]
async fn names_and_the_number_of_passkeys_are_bounded() {
    let app = passkey_app().await;
    let (_, session) = app.session_of_new_account().await;
    for name in ["", "   ", &"x".repeat(61)] {
        let started = app.registration_options(&session).await;
        let refused = app
            .finish_registration(
                &session,
                &started["ceremony"],
                name,
                SoftPasskey::new(ORIGIN).register(&started["options"]),
            )
            .await;
        assert_eq!(refused.status, 422, "{name:?}: {}", refused.body);
        assert_eq!(refused.body["errors"][0]["pointer"], "#/name");
    }
    for n in 0..10 {
        app.add_passkey(&session, &format!("Key {n}")).await;
    }
    let full = app
        .api_send(
            Method::POST,
            "/auth/passkeys/registration",
            Some(&session),
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(full.status, 409, "{}", full.body);
    assert!(full.body["detail"].as_str().unwrap().contains("at most 10"));
}

#[tokio::test]
async fn a_passkey_meets_the_policy_and_an_administrator_removes_it() {
    let app = passkey_app().await;
    let (admin_email, _) = app.new_admin().await;
    let admin = app.password_step(&admin_email).await.body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.api_ok(
        Method::PATCH,
        "/admin/settings",
        &admin,
        Some(json!({ "require_second_factor": "everyone" })),
    )
    .await;
    let (email, session) = app.session_of_new_account().await;
    let held = app
        .api_send(Method::GET, "/todos", Some(&session), None)
        .await;
    assert_eq!(held.problem_code(403), "second_factor_required");
    // Adding a passkey is open to an account the policy holds back...
    let (mut key, _) = app.add_passkey(&session, "Phone").await;
    // ...and a session that signs in with it passes the policy.
    let signed_in = app.passkey_sign_in(&mut key).await;
    let token = signed_in.body["access_token"].as_str().unwrap();
    app.api_ok(Method::GET, "/todos", token, None).await;

    // The administrator's removal takes the passkeys too.
    let id = app.user_id(&email).await;
    let removed = app
        .api_send(
            Method::DELETE,
            &format!("/admin/users/{id}/second-factor"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(removed.status, 403, "only administrators");
    // The policy holds the administrator back too, until they add one.
    let held = app
        .api_send(
            Method::DELETE,
            &format!("/admin/users/{id}/second-factor"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(held.problem_code(403), "second_factor_required");
    app.add_passkey(&admin, "Admin's key").await;
    let removed = app
        .api_send(
            Method::DELETE,
            &format!("/admin/users/{id}/second-factor"),
            Some(&admin),
            None,
        )
        .await;
    assert_eq!(removed.status, 204, "{}", removed.body);
    assert_eq!(
        app.passkey_sign_in(&mut key).await.problem_code(401),
        "passkey_refused"
    );
    assert!(app.password_step(&email).await.body["access_token"].is_string());
}

#[tokio::test]
async fn an_instance_reached_by_an_ip_address_says_why_it_has_no_passkeys() {
    let app = spawn_app().await;
    let (email, session) = app.session_of_new_account().await;
    let refused = app
        .api_send(
            Method::POST,
            "/auth/passkeys/registration",
            Some(&session),
            Some(json!({ "password": PASSWORD })),
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.body);
    assert!(
        refused.body["detail"]
            .as_str()
            .unwrap()
            .contains("domain name")
    );
    let refused = app
        .api_send(Method::POST, "/auth/passkeys/signin", None, None)
        .await;
    assert_eq!(refused.status, 409);
    assert!(app.password_step(&email).await.body["access_token"].is_string());
}
