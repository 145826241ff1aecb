//! A database made by the previous release (migrations up to
//! 20261202000007: todos without lists, due dates, priorities or notes)
//! migrates without losing anything: every todo lands in its owner's
//! Inbox, in the order the list showed, with no due date and no priority.

use crate::common;

use chrono::{DateTime, Duration, Utc};
use common::{
    TestDatabase, accounts::PASSWORD, backend_under_test, site::titles, spawn_app_with_database,
};
use reqwest::Method;
use serde_json::json;
use sqlx::{Connection, migrate::Migrator};
use taskward::{
    auth::{
        email::Email,
        password::{NewPassword, PasswordHasherPool},
    },
    config::PasswordHashing,
    db::Backend,
};
use uuid::Uuid;

/// The last migration of the previous release.
const PREVIOUS_RELEASE: i64 = 20261202000007;

/// The previous release's migrations, from the same files (so their
/// checksums match when the app later applies the rest).
async fn previous_release(backend: Backend) -> (Migrator, tempfile::TempDir) {
    let source = format!(
        "{}/migrations/{}",
        env!("CARGO_MANIFEST_DIR"),
        backend.name()
    );
    let folder = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        let version: i64 = name.split('_').next().unwrap().parse().unwrap();
        if version <= PREVIOUS_RELEASE {
            std::fs::copy(&path, folder.path().join(&name)).unwrap();
        }
    }
    (Migrator::new(folder.path()).await.unwrap(), folder)
}

struct OldUser {
    id: Uuid,
    email: String,
    /// (id, title, completed, created_at), newest last.
    todos: Vec<(Uuid, String, bool, DateTime<Utc>)>,
}

fn old_user(name: &str, count: usize) -> OldUser {
    let start = taskward::db::now() - Duration::days(30);
    OldUser {
        id: Uuid::new_v4(),
        email: format!("{name}-{}@example.com", Uuid::new_v4().simple()),
        todos: (0..count)
            .map(|n| {
                (
                    Uuid::new_v4(),
                    format!("{name}'s todo {n}"),
                    n % 4 == 0,
                    start + Duration::minutes(n as i64),
                )
            })
            .collect(),
    }
}

/// Writes `users` into a database at the previous release's schema, with
/// the SQL that release ran.
macro_rules! write_old_data {
    ($connection:expr, $users:expr, $hash:expr) => {{
        for user in $users {
            sqlx::query(
                "INSERT INTO users (id, email, password_hash, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(user.id)
            .bind(&user.email)
            .bind($hash)
            .bind(Utc::now() - Duration::days(31))
            .execute(&mut *$connection)
            .await
            .unwrap();
            for (id, title, completed, created_at) in &user.todos {
                sqlx::query(
                    "INSERT INTO todos (id, user_id, title, completed, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $5)",
                )
                .bind(id)
                .bind(user.id)
                .bind(title)
                .bind(completed)
                .bind(created_at)
                .execute(&mut *$connection)
                .await
                .unwrap();
            }
        }
    }};
}

#[tokio::test]
async fn a_database_of_the_previous_release_migrates_and_keeps_every_todo() {
    let backend = backend_under_test();
    let database = TestDatabase::create(backend).await;
    let (migrator, _folder) = previous_release(backend).await;
    let hasher = PasswordHasherPool::new(
        PasswordHashing {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        },
        1,
    );
    let users = [old_user("ada", 130), old_user("bob", 3), old_user("cy", 0)];
    let hash = {
        let email = Email::parse(&users[0].email).unwrap();
        hasher
            .hash_blocking(&NewPassword::parse(PASSWORD, &email).unwrap())
            .unwrap()
    };
    match backend {
        Backend::Sqlite => {
            let mut connection =
                sqlx::SqliteConnection::connect(&format!("{}?mode=rwc", database.url))
                    .await
                    .unwrap();
            migrator.run(&mut connection).await.unwrap();
            write_old_data!(&mut connection, &users, &hash);
            connection.close().await.unwrap();
        }
        Backend::Postgres => {
            let mut connection = sqlx::PgConnection::connect(&database.url).await.unwrap();
            migrator.run(&mut connection).await.unwrap();
            write_old_data!(&mut connection, &users, &hash);
            connection.close().await.unwrap();
        }
    }

    // The new release starts on it, applying the rest.
    let url = database.url.clone();
    let app = spawn_app_with_database(database, url).await;
    let ada = &users[0];
    let signin = app
        .api_send(
            Method::POST,
            "/auth/signin",
            None,
            Some(json!({ "email": ada.email, "password": PASSWORD })),
        )
        .await;
    assert_eq!(signin.status, 200, "{}", signin.body);
    let token = signin.body["access_token"].as_str().unwrap().to_owned();
    let me = app
        .api_send(Method::GET, "/auth/me", Some(&token), None)
        .await;
    assert_eq!(me.body["time_zone"], "UTC");

    let lists = app
        .api_send(Method::GET, "/lists", Some(&token), None)
        .await;
    assert_eq!(lists.body["items"].as_array().unwrap().len(), 1);
    let inbox = &lists.body["items"][0];
    assert_eq!(
        (&inbox["name"], &inbox["inbox"]),
        (&json!("Inbox"), &json!(true))
    );
    let open = ada.todos.iter().filter(|todo| !todo.2).count();
    assert_eq!(
        (inbox["todo_count"].as_u64(), inbox["open_count"].as_u64()),
        (Some(130), Some(open as u64))
    );

    // Every todo, as it was, in the order the list showed: newest first.
    let mut migrated = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = app
            .api_send(
                Method::GET,
                &format!("/todos?list=inbox&limit=100&cursor={cursor}"),
                Some(&token),
                None,
            )
            .await
            .body;
        migrated.extend(page["items"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(migrated.len(), 130);
    for (todo, (id, title, completed, created_at)) in migrated.iter().zip(ada.todos.iter().rev()) {
        assert_eq!(todo["id"], id.to_string().as_str());
        assert_eq!(todo["title"], title.as_str());
        assert_eq!(todo["completed"], *completed);
        assert_eq!(todo["created_at"], json!(created_at));
        assert_eq!(
            (&todo["due"], &todo["priority"], &todo["notes"]),
            (&json!(null), &json!("none"), &json!(""))
        );
        assert_eq!(todo["list_id"], inbox["id"]);
    }

    // The old todos are searchable, and new ones go on top.
    let found = app
        .api_send(Method::GET, "/todos?q=todo%20129", Some(&token), None)
        .await
        .body;
    assert_eq!(titles(&found), ["ada's todo 129"]);
    app.add_todo(&token, "After the upgrade").await;
    let top = app
        .api_send(Method::GET, "/todos?list=inbox&limit=2", Some(&token), None)
        .await
        .body;
    assert_eq!(titles(&top), ["After the upgrade", "ada's todo 129"]);
    let mine = app
        .api_send(Method::GET, "/todos?limit=100", Some(&token), None)
        .await
        .body;
    assert!(
        titles(&mine).iter().all(|title| !title.starts_with("bob")),
        "bob's stay bob's"
    );

    // The other accounts kept theirs, each in their own Inbox.
    for (user, expected) in [
        (
            &users[1],
            vec!["bob's todo 2", "bob's todo 1", "bob's todo 0"],
        ),
        (&users[2], vec![]),
    ] {
        let signin = app
            .api_send(
                Method::POST,
                "/auth/signin",
                None,
                Some(json!({ "email": user.email, "password": PASSWORD })),
            )
            .await;
        let token = signin.body["access_token"].as_str().unwrap().to_owned();
        let inbox = app
            .api_send(Method::GET, "/todos?list=inbox", Some(&token), None)
            .await
            .body;
        assert_eq!(titles(&inbox), expected);
    }
}
