//! The account page's view of an import's report.

use leptos::prelude::*;

use crate::error::AppError;
use crate::transfer::ImportReport;
#[cfg(feature = "ssr")]
use crate::{auth::request::todo_session, context, todos::parse_id_in};

/// The caller's import report `id`; `None` for anything else.
#[server(prefix = "/api", endpoint = "account/import-report")]
pub async fn read_import_report(id: String) -> Result<Option<ImportReport>, AppError> {
    context::respond(async {
        let session = todo_session()?;
        let Ok(id) = parse_id_in(&id, "id") else {
            return Ok(None);
        };
        crate::transfer::reports::find(&context::db()?, session.user_id, id).await
    })
    .await
}
