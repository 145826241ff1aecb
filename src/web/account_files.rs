//! The account page's files, on the site surface (cookie session, the
//! cross-origin check): `GET /account/export.json` and
//! `/account/export.csv` download the user's data, and `POST
//! /account/import` takes a file from the page's upload form, imports it,
//! and returns to the account page with the import's report.

use std::sync::Arc;

use axum::{
    Extension, Router,
    extract::{DefaultBodyLimit, Multipart, State},
    http::{StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

use super::AppState;
use crate::{
    api::transfer::{ExportFormat, export_file},
    auth::service::{AuthService, Session, SessionState},
    db::Db,
    error::AppError,
    todos::TodoLimit,
    transfer::{
        ImportOutcome, ImportRefusal, ImportReport, MAX_IMPORT_BYTES, REPORT_QUERY_KEY,
        import::{self, ImportFile},
        reports,
        stream::{EXPORT_RETRY_AFTER_SECS, RunningExports},
    },
};

/// The routes, with the upload's own body limit: the file, and room for
/// the form around it.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account/export.json", get(export_json))
        .route("/account/export.csv", get(export_csv))
        .route(
            "/account/import",
            post(import).layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES + 64 * 1024)),
        )
}

fn signed_in(session: SessionState) -> Option<Session> {
    match session {
        SessionState::Valid(session) => Some(session),
        _ => None,
    }
}

/// Where a request without a session goes.
fn to_sign_in() -> Response {
    Redirect::to("/signin?next=%2Faccount").into_response()
}

async fn export_json(
    State(db): State<Db>,
    State(exports): State<Arc<RunningExports>>,
    Extension(session): Extension<SessionState>,
) -> Response {
    download(&db, &exports, session, ExportFormat::Json).await
}

async fn export_csv(
    State(db): State<Db>,
    State(exports): State<Arc<RunningExports>>,
    Extension(session): Extension<SessionState>,
) -> Response {
    download(&db, &exports, session, ExportFormat::Csv).await
}

/// The download, or a page saying why not: a person followed the link.
async fn download(
    db: &Db,
    exports: &Arc<RunningExports>,
    session: SessionState,
    format: ExportFormat,
) -> Response {
    let Some(session) = signed_in(session) else {
        return to_sign_in();
    };
    let slot = match exports.claim(session.user_id) {
        Ok(slot) => slot,
        Err(busy) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    (header::RETRY_AFTER, EXPORT_RETRY_AFTER_SECS.to_string()),
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                ],
                busy.message(),
            )
                .into_response();
        }
    };
    match export_file(db, slot, &session, format).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    }
}

async fn import(
    State(db): State<Db>,
    State(auth): State<Arc<AuthService>>,
    State(state): State<AppState>,
    Extension(session): Extension<SessionState>,
    multipart: Multipart,
) -> Response {
    let Some(session) = signed_in(session) else {
        return to_sign_in();
    };
    let limit = TodoLimit(state.config.max_todos_per_user);
    let report = match import_upload(&db, &auth, &session, limit, multipart).await {
        Ok(outcome) => ImportReport {
            succeeded: true,
            message: outcome.message(),
            problems: Vec::new(),
        },
        Err(refusal) => ImportReport::from(&refusal),
    };
    match reports::save(&db, session.user_id, &report).await {
        Ok(id) => {
            Redirect::to(&format!("/account?{REPORT_QUERY_KEY}={id}#your-data")).into_response()
        }
        Err(error) => error.into_response(),
    }
}

/// The uploaded file, imported.
async fn import_upload(
    db: &Db,
    auth: &AuthService,
    session: &Session,
    limit: TodoLimit,
    mut multipart: Multipart,
) -> Result<ImportOutcome, ImportRefusal> {
    let too_large = || {
        ImportRefusal::file(format!(
            "That file is over {} MiB, more than an import takes. Split it and import the parts one by one.",
            MAX_IMPORT_BYTES / (1024 * 1024)
        ))
    };
    let unreadable = |error: axum::extract::multipart::MultipartError| {
        if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_large()
        } else {
            ImportRefusal::file("The upload could not be read. Please try again.")
        }
    };
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(unreadable)? {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or_default().to_lowercase();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            if bytes.len() + chunk.len() > MAX_IMPORT_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        upload = Some((name, bytes));
    }
    let (name, bytes) = match upload {
        Some((name, bytes)) if !(name.is_empty() && bytes.is_empty()) => (name, bytes),
        _ => return Err(AppError::Invalid("Choose a file to import.".into()).into()),
    };
    // Only an upload of the right size costs an import.
    auth.spend_import(session).await?;
    // By its name, else by its first character: an export is an object.
    let is_json = name.ends_with(".json")
        || (!name.ends_with(".csv")
            && bytes
                .iter()
                .find(|byte| !byte.is_ascii_whitespace())
                .is_some_and(|byte| *byte == b'{'));
    let file = if is_json {
        ImportFile::Json(bytes)
    } else {
        ImportFile::Csv(bytes)
    };
    import::import(db, session.user_id, session.time_zone, file, limit).await
}
