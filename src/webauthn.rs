//! Passkeys in the browser: WebAuthn's options (JSON text from the server)
//! go through `PublicKeyCredential.parseCreationOptionsFromJSON` /
//! `parseRequestOptionsFromJSON` to `navigator.credentials`, and the
//! credential comes back through its `toJSON()`: the browser does the
//! binary encoding, so nothing here handles bytes. (These JSON forms are in
//! Chrome and Edge 129, Firefox 119 and Safari 18.4 on.)
//!
//! The server build has the same functions, which only refuse: the pages
//! call them from click handlers, which run in the browser alone.

/// What the person is told when the browser has no passkey support.
const UNSUPPORTED: &str =
    "This browser cannot use passkeys. Use a current browser, or sign in with your password.";

/// Asks the browser to make a passkey for the registration `options`
/// (`{publicKey: ...}` as JSON); the credential's JSON, or what to tell
/// the person.
pub async fn create_passkey(options: &str) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    {
        browser::ceremony(options, browser::Kind::Create).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err(UNSUPPORTED.into())
    }
}

/// Asks the browser for a passkey's signature on the sign-in `options`.
pub async fn use_passkey(options: &str) -> Result<String, String> {
    #[cfg(feature = "hydrate")]
    {
        browser::ceremony(options, browser::Kind::Get).await
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = options;
        Err(UNSUPPORTED.into())
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Function, JSON, Object, Promise, Reflect};
    use wasm_bindgen::{JsCast, prelude::*};
    use wasm_bindgen_futures::JsFuture;

    use super::UNSUPPORTED;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(catch, js_namespace = PublicKeyCredential, js_name = parseCreationOptionsFromJSON)]
        fn parse_creation_options(json: &JsValue) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = PublicKeyCredential, js_name = parseRequestOptionsFromJSON)]
        fn parse_request_options(json: &JsValue) -> Result<JsValue, JsValue>;
        #[wasm_bindgen(catch, js_namespace = ["navigator", "credentials"], js_name = create)]
        fn credentials_create(options: &JsValue) -> Result<Promise, JsValue>;
        #[wasm_bindgen(catch, js_namespace = ["navigator", "credentials"], js_name = get)]
        fn credentials_get(options: &JsValue) -> Result<Promise, JsValue>;
    }

    pub enum Kind {
        Create,
        Get,
    }

    pub async fn ceremony(options: &str, kind: Kind) -> Result<String, String> {
        let unsupported = |_| UNSUPPORTED.to_owned();
        let options = JSON::parse(options).map_err(unsupported)?;
        let public_key = Reflect::get(&options, &"publicKey".into()).map_err(unsupported)?;
        let parsed = match kind {
            Kind::Create => parse_creation_options(&public_key),
            Kind::Get => parse_request_options(&public_key),
        }
        .map_err(unsupported)?;
        let request = Object::new();
        Reflect::set(&request, &"publicKey".into(), &parsed).map_err(unsupported)?;
        let promise = match kind {
            Kind::Create => credentials_create(&request),
            Kind::Get => credentials_get(&request),
        }
        .map_err(unsupported)?;
        let credential = JsFuture::from(promise).await.map_err(refusal)?;
        let to_json = Reflect::get(&credential, &"toJSON".into())
            .ok()
            .and_then(|method| method.dyn_into::<Function>().ok())
            .ok_or_else(|| UNSUPPORTED.to_owned())?;
        let json = to_json.call0(&credential).map_err(unsupported)?;
        JSON::stringify(&json)
            .map(String::from)
            .map_err(unsupported)
    }

    /// The browser's refusal (a `DOMException`), in words.
    fn refusal(error: JsValue) -> String {
        let name = Reflect::get(&error, &"name".into())
            .ok()
            .and_then(|name| name.as_string())
            .unwrap_or_default();
        match name.as_str() {
            "NotAllowedError" | "AbortError" => {
                "The passkey request was cancelled or timed out. Try again.".into()
            }
            "InvalidStateError" => "This device has a passkey for your account already.".into(),
            "SecurityError" => {
                "This browser refused passkeys for this address (it needs a domain name and \
                 HTTPS, or localhost)."
                    .into()
            }
            _ => UNSUPPORTED.into(),
        }
    }
}
