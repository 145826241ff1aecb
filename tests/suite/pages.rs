use crate::common;

use std::time::Duration;

use common::{
    accounts::{PASSWORD, unique_email},
    spawn_app,
};

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

/// Listing the routes (done when a server starts) switches Leptos resource
/// loading off for the whole process while it runs; a page whose data
/// started loading at that moment used to wait forever. Several servers
/// start in one process here, as in the test suite, while pages render.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_finish_rendering_while_other_servers_start() {
    let app = spawn_app().await;
    let token = app.sign_up(&unique_email(), PASSWORD).await;

    let starting = tokio::spawn(async {
        for _ in 0..30 {
            drop(spawn_app().await);
        }
    });
    let mut rendered = 0;
    while !starting.is_finished() {
        let page = tokio::time::timeout(Duration::from_secs(10), async {
            let response = app.get_with_cookie("/todos", &token).await;
            assert_eq!(response.status(), 200);
            response.text().await.unwrap()
        })
        .await
        .expect("the page finished rendering");
        assert!(page.contains("Add your first todo above."), "{page}");
        rendered += 1;
    }
    starting.await.unwrap();
    assert!(rendered > 0);
}
