//! `/api/v1/push`: the instance's VAPID public key, and the browsers the
//! caller subscribed to reminders by Web Push ([`crate::push`]). An
//! endpoint is accepted only as `https` to a public host (or a host
//! `WEB_PUSH_ALLOWED_HOSTS` names); another account's subscription id
//! answers like an unknown one.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    extract::{ApiJson, TodoSession},
    problem::{Conflict, JsonBodyRefusals, NotFound, Problem, Unauthorized},
};
use crate::{
    db::Db,
    error::AppError,
    push::{self, NewSubscription, sender::PushSender, store::SubscriptionRow},
};

pub const TAG: &str = "push";

/// The key a browser subscribes with.
#[derive(Serialize, ToSchema)]
pub struct PushKey {
    /// The instance's VAPID public key (an uncompressed P-256 point,
    /// base64url): `applicationServerKey` for `pushManager.subscribe`.
    pub public_key: String,
}

/// The instance's VAPID public key. Public: it identifies the instance to
/// push services and is no secret.
#[utoipa::path(
    get,
    path = "/api/v1/push/key",
    tag = TAG,
    responses((status = 200, description = "The key.", body = PushKey))
)]
pub async fn key(State(push): State<PushSender>) -> Json<PushKey> {
    Json(PushKey {
        public_key: push.keys().public_key().to_owned(),
    })
}

/// A subscribed browser.
#[derive(Serialize, ToSchema)]
pub struct Subscription {
    pub id: Uuid,
    /// What you called it.
    pub name: String,
    /// The push service it goes through (the endpoint itself is not
    /// shown again).
    #[schema(example = "https://fcm.googleapis.com")]
    pub push_service: String,
    pub created_at: DateTime<Utc>,
    /// When a push last reached its push service.
    pub last_sent_at: Option<DateTime<Utc>>,
}

impl From<SubscriptionRow> for Subscription {
    fn from(row: SubscriptionRow) -> Self {
        let push_service = url::Url::parse(&row.endpoint)
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_default();
        Self {
            id: row.id,
            name: row.name,
            push_service,
            created_at: row.created_at,
            last_sent_at: row.last_sent_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SubscriptionList {
    /// Newest first; an account keeps at most 20.
    pub items: Vec<Subscription>,
}

/// The browsers you subscribed.
#[utoipa::path(
    get,
    path = "/api/v1/push/subscriptions",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The subscriptions.", body = SubscriptionList),
        (status = 401, response = Unauthorized),
    )
)]
pub async fn subscriptions(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
) -> Result<Json<SubscriptionList>, Problem> {
    let rows = push::store::of_user(&db, session.user_id).await?;
    Ok(Json(SubscriptionList {
        items: rows.into_iter().map(Subscription::from).collect(),
    }))
}

/// The browser's keys, as `PushSubscription.toJSON()` writes them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, base64url (65 bytes).
    #[schema(max_length = 200)]
    pub p256dh: String,
    /// Its authentication secret, base64url (16 bytes).
    #[schema(max_length = 200)]
    pub auth: String,
}

/// A browser's subscription: `PushSubscription.toJSON()`, and a name.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPushSubscription {
    /// The push service's URL for this browser: `https`, to a public host,
    /// at most 1,024 bytes.
    #[schema(
        example = "https://fcm.googleapis.com/fcm/send/dL3x…",
        max_length = 1024
    )]
    pub endpoint: String,
    pub keys: SubscriptionKeys,
    /// What to call it, up to 100 characters ("A browser" when omitted).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub name: Option<String>,
    /// As the browser writes it; not used.
    #[serde(default, rename = "expirationTime")]
    pub expiration_time: Option<f64>,
}

/// Subscribe a browser to your reminders. The same endpoint again (the
/// same browser) updates its keys and answers 200.
#[utoipa::path(
    post,
    path = "/api/v1/push/subscriptions",
    tag = TAG,
    security(("bearer" = [])),
    request_body = NewPushSubscription,
    responses(
        JsonBodyRefusals,
        (status = 201, description = "Subscribed.", body = Subscription),
        (status = 200, description = "Already subscribed: its keys and name updated.", body = Subscription),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
    )
)]
pub async fn subscribe(
    State(db): State<Db>,
    State(push): State<PushSender>,
    TodoSession(session): TodoSession,
    ApiJson(body): ApiJson<NewPushSubscription>,
) -> Result<(StatusCode, Json<Subscription>), Problem> {
    let new = NewSubscription::parse(
        &body.endpoint,
        &body.keys.p256dh,
        &body.keys.auth,
        body.name.as_deref(),
        push.policy(),
    )
    .await?;
    let (created, row) = push::store::subscribe(&db, session.user_id, &new)
        .await
        .map_err(AppError::from)?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(Subscription::from(row))))
}

/// Unsubscribe a browser: it gets no more reminders.
#[utoipa::path(
    delete,
    path = "/api/v1/push/subscriptions/{id}",
    tag = TAG,
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The subscription's id")),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
pub async fn unsubscribe(
    State(db): State<Db>,
    TodoSession(session): TodoSession,
    Path(id): Path<String>,
) -> Result<StatusCode, Problem> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| Problem::from(AppError::NotFound))?;
    if push::store::unsubscribe(&db, session.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound.into())
    }
}
