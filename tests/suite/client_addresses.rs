//! The client's address behind a trusted proxy, as the per-address budgets
//! see it: entries an attacker writes into `X-Forwarded-For` themselves
//! cannot make them pass for someone else.

use crate::common;

use common::{accounts::unique_email, spawn_app_configured};

#[tokio::test]
async fn rotating_a_forged_entry_does_not_escape_the_budget_of_the_address_the_proxy_appended() {
    let app = spawn_app_configured(|config| {
        config.auth.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
        config.auth.attempts_per_minute_per_address = 2;
    })
    .await;
    // What a proxy (this test, on 127.0.0.1) may append for the attacker:
    // their address with its port, an IPv6 one in brackets, or `unknown`
    // (then the budget is the proxy's own).
    for appended in ["203.0.113.9:4711", "[2001:db8:9::9]:4711", "unknown"] {
        let mut statuses = Vec::new();
        for attempt in 0..3 {
            let forwarded_for = format!("198.51.100.{attempt}, {appended}");
            let response = app
                .client
                .post(app.url("/api/auth/signin"))
                .header("x-forwarded-for", forwarded_for)
                .form(&[
                    ("email", unique_email().as_str()),
                    ("password", "not the password at all"),
                ])
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        assert_eq!(statuses, [401, 401, 429], "appended {appended}");
    }
}
