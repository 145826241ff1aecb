//! `/api/v1/export` and `/api/v1/import`: all of your data out as JSON (or
//! your todos as CSV), and a Taskward export or a CSV file of todos back
//! in, applied whole or not at all.

use axum::{
    Json,
    body::Body,
    extract::{Query, State, rejection::QueryRejection},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    extract::TodoSession,
    problem::{
        BadRequest, BodyTooLarge, Conflict, EmailUnconfirmed, Problem, TooManyRequests,
        Unauthorized, Unprocessable, UnsupportedMediaType,
    },
};
use crate::{
    auth::service::{AuthService, Session},
    db::{Db, now},
    error::AppError,
    todos::TodoLimit,
    transfer::{
        Export, ImportOutcome, ImportRefusal, MAX_IMPORT_BYTES,
        export::{self, ExportWriter},
        import::{self, ImportFile},
        stream::{self, EXPORT_RETRY_AFTER_SECS, ExportBusy, ExportSlot, RunningExports},
    },
};

pub const TAG: &str = "data";

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// `json` (everything, the default) or `csv` (your todos).
    #[param(value_type = Option<String>, pattern = "^(|json|csv)$")]
    pub format: Option<String>,
}

/// Which file an export is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Json,
    Csv,
}

impl ExportFormat {
    pub fn parse(text: Option<&str>) -> Result<Self, Problem> {
        match text.map(str::trim).unwrap_or_default() {
            "" | "json" => Ok(ExportFormat::Json),
            "csv" => Ok(ExportFormat::Csv),
            _ => Err(Problem::invalid_field(
                "#/format".into(),
                "Ask for format json or csv.".into(),
            )),
        }
    }
}

/// The download of the user's data as `format`, named for the day (also
/// the account page's download), streamed as it is read; `slot` is held
/// until it ends.
pub async fn export_file(
    db: &Db,
    slot: ExportSlot,
    session: &Session,
    format: ExportFormat,
) -> Result<Response, AppError> {
    let at = now();
    let day = session.time_zone.date_at(at).format("%Y-%m-%d");
    let (writer, content_type, extension): (Box<dyn ExportWriter>, _, _) = match format {
        ExportFormat::Json => (
            Box::new(export::JsonDocument::new(at)),
            "application/json",
            "json",
        ),
        ExportFormat::Csv => (
            Box::new(export::CsvFile::new()?),
            "text/csv; charset=utf-8",
            "csv",
        ),
    };
    let body = stream::export_body(db, slot, writer).await?;
    let disposition = format!("attachment; filename=\"taskward-{day}.{extension}\"");
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(disposition) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

/// Download all of your data: your account's email and time zone, your
/// lists and every todo with every field, as one JSON document; or, with
/// `format=csv`, your todos as CSV (`title,list,due,priority,notes,
/// completed,created_at,updated_at`). One export per account at a time
/// (429 while one runs); a download that stops being read is cut off.
#[utoipa::path(
    get,
    path = "/api/v1/export",
    tag = TAG,
    security(("bearer" = [])),
    params(ExportParams),
    responses(
        (status = 200, description = "Your data, as an attachment.",
            content((Export = "application/json"), (String = "text/csv"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn export(
    State(db): State<Db>,
    State(exports): State<std::sync::Arc<RunningExports>>,
    TodoSession(session): TodoSession,
    params: Result<Query<ExportParams>, QueryRejection>,
) -> Result<Response, Problem> {
    let Query(params) = params.map_err(|_| {
        Problem::from_status(
            StatusCode::BAD_REQUEST,
            "The query string could not be read; send format once.",
        )
    })?;
    let format = ExportFormat::parse(params.format.as_deref())?;
    let slot = exports.claim(session.user_id).map_err(export_busy)?;
    Ok(export_file(&db, slot, &session, format).await?)
}

/// A 429 for an export refused while others run, saying whose.
fn export_busy(busy: ExportBusy) -> Problem {
    let mut problem = Problem::from(AppError::RateLimited {
        retry_after_secs: EXPORT_RETRY_AFTER_SECS,
    });
    problem.detail = busy.message().to_owned();
    problem
}

/// What kind of file a body is, from its `Content-Type`: the file made
/// from the body's bytes.
fn import_file(headers: &HeaderMap) -> Option<fn(Vec<u8>) -> ImportFile> {
    let content_type = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    match essence.as_str() {
        "application/json" => Some(ImportFile::Json),
        "text/csv" => Some(ImportFile::Csv),
        _ => None,
    }
}

/// Import a Taskward export (`application/json`), which recreates its
/// lists and todos (lists matched by name; new ids; positions, due dates
/// and timestamps as in the file), or a CSV file of todos (`text/csv`:
/// a first line naming the columns, `title` required, `list`, `due`,
/// `priority`, `notes`, `completed` optional), which adds them. Nothing is
/// written unless the whole file is right; each problem is listed (the
/// first 50), with its CSV line. At most 8 MiB, 64 CSV columns, 200 lists
/// and as many todos as an account keeps; 10 imports an hour, counted only
/// for files of an accepted size and type. Written a batch at a time,
/// whole or not at all; one import per account at a time (409 after
/// waiting 15 s for the one before).
#[utoipa::path(
    post,
    path = "/api/v1/import",
    tag = TAG,
    security(("bearer" = [])),
    request_body(content((Export = "application/json"), (String = "text/csv"))),
    responses(
        (status = 200, description = "Imported.", body = ImportOutcome),
        (status = 401, response = Unauthorized),
        (status = 403, response = EmailUnconfirmed),
        (status = 409, response = Conflict),
        (status = 413, response = BodyTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
pub async fn import(
    State(db): State<Db>,
    State(auth): State<std::sync::Arc<AuthService>>,
    State(limit): State<TodoLimit>,
    TodoSession(session): TodoSession,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportOutcome>, Problem> {
    let file = import_file(&headers).ok_or_else(Problem::unsupported_import_type)?;
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BYTES)
        .await
        .map_err(|_| Problem::import_too_large())?;
    // Only a file of the right size and type costs an import.
    auth.spend_import(&session).await?;
    let file = file(bytes.into());
    match import::import(&db, session.user_id, session.time_zone, file, limit).await {
        Ok(outcome) => Ok(Json(outcome)),
        Err(refusal @ ImportRefusal::File { .. }) => Err(Problem::invalid_import(&refusal)),
        Err(ImportRefusal::Other(error)) => Err(error.into()),
    }
}
