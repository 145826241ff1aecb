mod common;

use common::spawn_app;

#[tokio::test]
async fn landing_page_is_rendered_on_the_server_with_the_way_in() {
    let app = spawn_app().await;

    let response = app.get("/").await;

    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(
        html.contains("<h1 class=\"hero__title\">Taskward</h1>"),
        "{html}"
    );
    assert!(html.contains("href=\"/signup\""));
    assert!(html.contains("href=\"/signin\""));
    // The hydration script is what turns this page into an app.
    assert!(html.contains("/pkg/taskward.js"), "{html}");
}

#[tokio::test]
async fn an_unknown_path_gets_a_friendly_404_page() {
    let app = spawn_app().await;

    let response = app.get("/no/such/page").await;

    assert_eq!(response.status(), 404);
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
}

#[tokio::test]
async fn pages_are_compressed_for_clients_that_accept_it() {
    let app = spawn_app().await;

    let response = app
        .client
        .get(app.url("/"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();

    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
}
