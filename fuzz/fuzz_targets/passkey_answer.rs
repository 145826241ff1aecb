//! What a browser (or anyone) sends back in a passkey ceremony: any bytes,
//! read as the JSON answer of a registration and of a sign-in, then checked
//! by the relying party against fresh ceremonies it never sent them for.
//! Whatever the bytes: no panic, and never a passkey made or a sign-in
//! accepted. The relying party's id comes from an origin made of the same
//! bytes too: it exists only for a domain name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use taskward::auth::second_factor::{
    passkey::{RelyingParty, read_credential},
    passkeys_possible,
};
use webauthn_rs::prelude::{PublicKeyCredential, RegisterPublicKeyCredential, Uuid};

fuzz_target!(|data: &[u8]| {
    let origin = String::from_utf8_lossy(data);
    if RelyingParty::new(&origin).is_some() {
        assert!(passkeys_possible(&origin), "{origin}");
    }

    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    let party = RelyingParty::new("https://todo.example.com").expect("a domain");
    let webauthn = party.webauthn();
    if let Ok(answer) = read_credential::<RegisterPublicKeyCredential>(value.clone()) {
        let (_, state) = webauthn
            .start_passkey_registration(Uuid::nil(), "fuzz", "fuzz", None)
            .expect("options");
        assert!(webauthn.finish_passkey_registration(&answer, &state).is_err());
    }
    if let Ok(answer) = read_credential::<PublicKeyCredential>(value) {
        let (_, state) = webauthn
            .start_discoverable_authentication()
            .expect("options");
        let _ = webauthn.identify_discoverable_authentication(&answer);
        // No key is registered, so nothing can sign in.
        #[allow(deprecated)]
        let accepted = webauthn.finish_discoverable_authentication(&answer, state, &[]);
        assert!(accepted.is_err());
    }
});
