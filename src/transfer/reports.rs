//! Import reports: the outcome of an import made from the account page,
//! kept for an hour so the page the form redirects to can show it (its
//! address carries only the report's id, never text anyone could write).

use uuid::Uuid;

use super::{ImportRefusal, ImportReport};
use crate::{
    db::{Db, now},
    error::AppError,
    on_db,
};

/// Reports an account keeps: every upload to the account page makes one
/// (refused ones too), so without a bound a signed-in client could add
/// rows as fast as it sends requests; the newest are the ones shown.
pub const MAX_REPORTS_PER_ACCOUNT: i64 = 10;

/// Keeps `report` for the user, forgetting their oldest past
/// [`MAX_REPORTS_PER_ACCOUNT`]; its id.
pub async fn save(db: &Db, user_id: Uuid, report: &ImportReport) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    on_db!(db, pool => {
        async {
            let mut transaction = pool.begin().await?;
            sqlx::query(
                "INSERT INTO import_reports (id, user_id, succeeded, message, problems, \
                 created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(user_id)
            .bind(report.succeeded)
            .bind(&report.message)
            .bind(report.problems.join("\n"))
            .bind(now())
            .execute(&mut *transaction)
            .await?;
            sqlx::query(
                "DELETE FROM import_reports WHERE user_id = $1 AND id NOT IN \
                 (SELECT id FROM import_reports WHERE user_id = $1 \
                  ORDER BY created_at DESC, id LIMIT $2)",
            )
            .bind(user_id)
            .bind(MAX_REPORTS_PER_ACCOUNT)
            .execute(&mut *transaction)
            .await?;
            transaction.commit().await
        }
        .await
    })?;
    Ok(id)
}

/// The user's report `id`, if it is theirs and still kept.
pub async fn find(db: &Db, user_id: Uuid, id: Uuid) -> Result<Option<ImportReport>, AppError> {
    let found: Option<(bool, String, String)> = on_db!(db, pool => {
        sqlx::query_as(
            "SELECT succeeded, message, problems FROM import_reports WHERE id = $1 AND user_id = $2",
        )
        .bind(id)
        .bind(user_id)
        .fetch_optional(pool)
        .await
    })?;
    Ok(found.map(|(succeeded, message, problems)| ImportReport {
        succeeded,
        message,
        problems: problems.lines().map(str::to_owned).collect(),
    }))
}

impl From<&ImportRefusal> for ImportReport {
    fn from(refusal: &ImportRefusal) -> Self {
        ImportReport {
            succeeded: false,
            message: refusal.message(),
            problems: match refusal {
                ImportRefusal::File { problems, .. } => problems
                    .iter()
                    .map(|problem| problem.detail.clone())
                    .collect(),
                ImportRefusal::Other(_) => Vec::new(),
            },
        }
    }
}
