//! A passkey authenticator of the tests' own (WebAuthn level 3, ES256,
//! "none" attestation), written from the specification rather than with
//! the server's crate: it answers the server's options as a browser's
//! `PublicKeyCredential.toJSON()` would, so the suite can register and
//! sign in with passkeys over plain HTTP, and forge what an attacker would.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// What the authenticator asserts about its holder.
const USER_PRESENT: u8 = 0x01;
const USER_VERIFIED: u8 = 0x04;
const ATTESTED_CREDENTIAL_DATA: u8 = 0x40;

pub struct SoftPasskey {
    key: SigningKey,
    pub credential_id: Vec<u8>,
    /// The account's WebAuthn user handle, learnt at registration.
    pub user_handle: Vec<u8>,
    counter: u32,
    rp_id: String,
    origin: String,
    /// Whether it claims to have verified its holder (a PIN, a face).
    pub verifies_user: bool,
}

impl SoftPasskey {
    /// A new key for the site at `origin` (e.g. `http://localhost`).
    pub fn new(origin: &str) -> Self {
        let seed = Sha256::digest(uuid::Uuid::new_v4().as_bytes());
        let rp_id = origin
            .split("://")
            .nth(1)
            .unwrap()
            .split(':')
            .next()
            .unwrap()
            .to_owned();
        Self {
            key: SigningKey::from_slice(&seed).expect("a P-256 scalar"),
            credential_id: uuid::Uuid::new_v4().as_bytes().to_vec(),
            user_handle: Vec::new(),
            counter: 0,
            rp_id,
            origin: origin.to_owned(),
            verifies_user: true,
        }
    }

    /// The answer to registration options (`{publicKey: {...}}`).
    pub fn register(&mut self, options: &Value) -> Value {
        let public_key = &options["publicKey"];
        self.user_handle = URL_SAFE_NO_PAD
            .decode(public_key["user"]["id"].as_str().expect("user.id"))
            .unwrap();
        let client_data = self.client_data("webauthn.create", public_key);
        let mut auth_data = self.auth_data(ATTESTED_CREDENTIAL_DATA);
        auth_data.extend([0u8; 16]); // AAGUID: none claimed
        auth_data.extend(
            u16::try_from(self.credential_id.len())
                .unwrap()
                .to_be_bytes(),
        );
        auth_data.extend(&self.credential_id);
        auth_data.extend(self.cose_key());
        let mut attestation = vec![0xa3];
        cbor_text(&mut attestation, "fmt");
        cbor_text(&mut attestation, "none");
        cbor_text(&mut attestation, "attStmt");
        attestation.push(0xa0);
        cbor_text(&mut attestation, "authData");
        cbor_bytes(&mut attestation, &auth_data);
        json!({
            "id": URL_SAFE_NO_PAD.encode(&self.credential_id),
            "rawId": URL_SAFE_NO_PAD.encode(&self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "attestationObject": URL_SAFE_NO_PAD.encode(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
        })
    }

    /// The answer to sign-in options: an assertion signed by this key.
    pub fn sign_in(&mut self, options: &Value) -> Value {
        let public_key = &options["publicKey"];
        let client_data = self.client_data("webauthn.get", public_key);
        let auth_data = self.auth_data(0);
        let mut signed = auth_data.clone();
        signed.extend(Sha256::digest(client_data.as_bytes()));
        let signature: Signature = self.key.sign(&signed);
        json!({
            "id": URL_SAFE_NO_PAD.encode(&self.credential_id),
            "rawId": URL_SAFE_NO_PAD.encode(&self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": URL_SAFE_NO_PAD.encode(client_data),
                "authenticatorData": URL_SAFE_NO_PAD.encode(auth_data),
                "signature": URL_SAFE_NO_PAD.encode(signature.to_der().as_bytes()),
                "userHandle": URL_SAFE_NO_PAD.encode(&self.user_handle),
            },
            "clientExtensionResults": {},
        })
    }

    fn client_data(&self, kind: &str, public_key: &Value) -> String {
        json!({
            "type": kind,
            "challenge": public_key["challenge"].as_str().expect("challenge"),
            "origin": self.origin,
            "crossOrigin": false,
        })
        .to_string()
    }

    /// rpIdHash, flags and the signature counter (which moves on with
    /// each use, as a real authenticator's does).
    fn auth_data(&mut self, extra_flags: u8) -> Vec<u8> {
        self.counter += 1;
        let mut flags = USER_PRESENT | extra_flags;
        if self.verifies_user {
            flags |= USER_VERIFIED;
        }
        let mut data = Sha256::digest(self.rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend(self.counter.to_be_bytes());
        data
    }

    /// The public key as COSE (EC2, P-256, ES256).
    fn cose_key(&self) -> Vec<u8> {
        let point = self.key.verifying_key().to_encoded_point(false);
        let mut key = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        cbor_bytes(&mut key, point.x().unwrap());
        key.push(0x22);
        cbor_bytes(&mut key, point.y().unwrap());
        key
    }
}

fn cbor_text(out: &mut Vec<u8>, text: &str) {
    cbor_head(out, 0x60, text.len());
    out.extend(text.as_bytes());
}

fn cbor_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    cbor_head(out, 0x40, bytes.len());
    out.extend(bytes);
}

fn cbor_head(out: &mut Vec<u8>, major: u8, len: usize) {
    match len {
        0..=23 => out.push(major | u8::try_from(len).unwrap()),
        24..=255 => out.extend([major | 24, u8::try_from(len).unwrap()]),
        _ => {
            out.push(major | 25);
            out.extend(u16::try_from(len).unwrap().to_be_bytes());
        }
    }
}
