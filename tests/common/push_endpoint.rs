//! A local Web Push endpoint: a push service and a browser in one. It
//! holds a browser's keys (a P-256 key pair and an authentication secret),
//! answers each POST as told, and keeps what it received: the headers,
//! and the payload decrypted with its own keys (RFC 8291), so a test sees
//! exactly what a browser's service worker would.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::post,
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde_json::Value;
use web_push_native::{
    Auth,
    jwt_simple::{
        algorithms::{ECDSAP256PublicKeyLike as _, ES256PublicKey},
        claims::NoCustomClaims,
    },
    p256::{SecretKey, elliptic_curve::sec1::ToEncodedPoint as _},
};

/// How the endpoint answers.
#[derive(Debug, Clone)]
pub enum Answer {
    /// 201, as push services take a push.
    Created,
    /// This status, with no body.
    Status(u16),
    /// A redirect elsewhere, which must not be followed.
    RedirectTo(String),
    /// 201 with a body of this many bytes, of which the sender must read
    /// little.
    HugeBody(usize),
    /// 201, after this long.
    Slow(Duration),
}

/// A push as the endpoint received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub headers: HeaderMap,
    /// The payload, decrypted with the browser's keys, as JSON.
    pub message: Value,
}

struct Shared {
    secret: SecretKey,
    auth: Auth,
    answer: Mutex<Answer>,
    received: Mutex<Vec<Received>>,
}

pub struct PushEndpoint {
    shared: Arc<Shared>,
    address: SocketAddr,
}

impl PushEndpoint {
    pub async fn start(answer: Answer) -> Self {
        let mut auth = [0u8; 16];
        getrandom::fill(&mut auth).unwrap();
        let mut scalar = [0u8; 32];
        getrandom::fill(&mut scalar).unwrap();
        let shared = Arc::new(Shared {
            secret: SecretKey::from_slice(&scalar).expect("a P-256 scalar"),
            auth: Auth::clone_from_slice(&auth),
            answer: Mutex::new(answer),
            received: Mutex::new(Vec::new()),
        });
        let router = Router::new()
            .route("/push/{id}", post(receive))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { shared, address }
    }

    /// `host:port`, as `WEB_PUSH_ALLOWED_HOSTS` names it.
    pub fn host(&self) -> String {
        self.address.to_string()
    }

    /// An endpoint URL on it (each browser has its own).
    pub fn endpoint(&self, id: &str) -> String {
        format!("http://{}/push/{id}", self.address)
    }

    /// The browser's keys as `PushSubscription.toJSON()` gives them.
    pub fn keys(&self) -> Value {
        let public = self
            .shared
            .secret
            .public_key()
            .as_affine()
            .to_encoded_point(false);
        serde_json::json!({
            "p256dh": URL_SAFE_NO_PAD.encode(public.as_bytes()),
            "auth": URL_SAFE_NO_PAD.encode(self.shared.auth),
        })
    }

    pub fn answer_with(&self, answer: Answer) {
        *self.shared.answer.lock().unwrap() = answer;
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits up to 30 s for `count` pushes.
    pub async fn wait_for(&self, count: usize) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
        loop {
            let received = self.received();
            if received.len() >= count {
                return received;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} of {count} pushes arrived",
                received.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn receive(State(shared): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let plain = web_push_native::decrypt(body.to_vec(), &shared.secret, &shared.auth)
        .expect("the push decrypts with the browser's keys (RFC 8291)");
    let message = serde_json::from_slice(&plain).expect("the push is JSON");
    shared
        .received
        .lock()
        .unwrap()
        .push(Received { headers, message });
    let answer = shared.answer.lock().unwrap().clone();
    match answer {
        Answer::Created => StatusCode::CREATED.into_response(),
        Answer::Status(status) => StatusCode::from_u16(status).unwrap().into_response(),
        Answer::RedirectTo(location) => (
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Answer::HugeBody(bytes) => (StatusCode::CREATED, vec![b'x'; bytes]).into_response(),
        Answer::Slow(wait) => {
            tokio::time::sleep(wait).await;
            StatusCode::CREATED.into_response()
        }
    }
}

/// Checks a push's VAPID `Authorization` (RFC 8292): `vapid t=<JWT>,
/// k=<key>`, the key the instance publishes, the JWT signed with it, for
/// the endpoint's origin, not expired, with a contact. Its claims.
pub fn check_vapid(headers: &HeaderMap, instance_key: &str, audience: &str) -> Value {
    let authorization = headers[header::AUTHORIZATION].to_str().unwrap();
    let rest = authorization
        .strip_prefix("vapid ")
        .expect("a vapid authorization");
    let mut token = None;
    let mut key = None;
    for part in rest.split(',').map(str::trim) {
        if let Some(value) = part.strip_prefix("t=") {
            token = Some(value);
        } else if let Some(value) = part.strip_prefix("k=") {
            key = Some(value);
        }
    }
    let (token, key) = (token.unwrap(), key.unwrap());
    assert_eq!(
        key, instance_key,
        "signed with the key browsers subscribe with"
    );
    let public = ES256PublicKey::from_bytes(&URL_SAFE_NO_PAD.decode(key).unwrap()).unwrap();
    let claims = public
        .verify_token::<NoCustomClaims>(token, None)
        .expect("a valid ES256 signature");
    let audiences = claims.audiences.expect("an audience").into_set();
    assert!(audiences.contains(audience), "{audiences:?}");
    assert!(claims.subject.is_some_and(|subject| !subject.is_empty()));
    assert!(claims.expires_at.is_some());
    serde_json::json!({ "audience": audience })
}
