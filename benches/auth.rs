//! Micro-benchmarks of the per-request and per-sign-in costs:
//! `cargo bench --bench auth`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use secrecy::SecretString;
use taskward::{
    auth::{
        email::Email,
        password::{NewPassword, PasswordHasherPool},
        token::{AUDIENCE, Claims, ISSUER, TokenKeys},
    },
    config::PasswordHashing,
};
use uuid::Uuid;

const SECRET: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

fn session_tokens(c: &mut Criterion) {
    let keys = TokenKeys::new(&SecretString::from(SECRET), None);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = Claims {
        sub: Uuid::new_v4(),
        email: "ada@example.com".into(),
        iat: now,
        nbf: now,
        exp: now + 3600,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        jti: Uuid::new_v4(),
        sid: Uuid::new_v4(),
    };
    let token = keys.issue(&claims).unwrap();

    c.bench_function("session token: issue", |b| {
        b.iter(|| keys.issue(black_box(&claims)).unwrap())
    });
    c.bench_function("session token: verify", |b| {
        b.iter(|| keys.verify(black_box(&token)).unwrap())
    });
}

fn password_verify(c: &mut Criterion) {
    let pool = PasswordHasherPool::new(PasswordHashing::OWASP, 1);
    let email = Email::parse("ada@example.com").unwrap();
    let password = NewPassword::parse("velvet tractor umbrella sings", &email).unwrap();
    let hash = pool.hash_blocking(&password).unwrap();

    let mut group = c.benchmark_group("argon2id");
    group.sample_size(20);
    group.bench_function("verify (m=19456 KiB, t=2, p=1)", |b| {
        b.iter(|| {
            assert!(
                pool.verify_blocking(black_box("velvet tractor umbrella sings"), &hash)
                    .unwrap()
            )
        })
    });
    group.finish();
}

/// The password rules (length, email, zxcvbn) on the slowest 128-character
/// inputs found: dictionary words run together, a repeated word, keyboard
/// walks, digits, one repeated letter, random letters. Whatever the figure,
/// the server runs this check on the blocking pool.
fn new_password_rules(c: &mut Criterion) {
    let email = Email::parse("ada@example.com").unwrap();
    let inputs = [
        ("dictionary words", "passwordmonkeydragonbaseballfootballletmeinshadowmastersunshineprincessqwertyuiopsuperman".repeat(2)),
        ("one word repeated", "password".repeat(16)),
        ("keyboard walks", "qwertyuiopasdfghjklzxcvbnm1234567890".repeat(4)),
        ("digits", "1234567890".repeat(13)),
        ("one letter", "a".repeat(128)),
        ("random letters", "xkcdqvbnmtrzlpwyhgfsjdkeuioanbvcqwpoiuytrewqlkjhgfdsamnbvcxzplokmijnuhbygvtfcrdxeszwaqmkoijnbhuygvcftrdxzseawqplmkonjibhuvgyc".into()),
    ];
    let mut group = c.benchmark_group("new password rules, 128 characters");
    group.sample_size(20);
    for (name, input) in &inputs {
        let input: String = input.chars().take(128).collect();
        group.bench_function(*name, |b| {
            b.iter(|| {
                let _ = NewPassword::parse(black_box(&input), &email);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, session_tokens, password_verify, new_password_rules);
criterion_main!(benches);
