//! The instance's VAPID key pair (RFC 8292): push services accept a push
//! only when it is signed with the key the browser subscribed with, so
//! the pair is made once, at the first start, and kept in the database
//! for every instance. This file owns the `push_keys` table.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use web_push_native::jwt_simple::algorithms::{ECDSAP256PublicKeyLike as _, ES256KeyPair};

use crate::{
    db::{Db, WritePool as _},
    on_db,
};

/// The key pair pushes are signed with.
#[derive(Clone)]
pub struct VapidKeys {
    pair: std::sync::Arc<ES256KeyPair>,
    /// The public key as browsers take it (`applicationServerKey`): the
    /// uncompressed point, base64url.
    public: String,
}

impl std::fmt::Debug for VapidKeys {
    /// The private half is never printed.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("VapidKeys")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl VapidKeys {
    pub fn public_key(&self) -> &str {
        &self.public
    }

    pub fn pair(&self) -> &ES256KeyPair {
        &self.pair
    }

    fn from_private(private: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(private).ok()?;
        let pair = ES256KeyPair::from_bytes(&bytes).ok()?;
        let public = URL_SAFE_NO_PAD.encode(pair.public_key().public_key().to_bytes_uncompressed());
        Some(Self {
            pair: std::sync::Arc::new(pair),
            public,
        })
    }
}

/// The instance's keys: those in the database, or a new pair stored
/// first. Instances starting at once agree: the first insert wins, and
/// every instance reads the row that won.
pub async fn load_or_create(db: &Db) -> Result<VapidKeys, sqlx::Error> {
    let made = ES256KeyPair::generate();
    let private = URL_SAFE_NO_PAD.encode(made.to_bytes());
    let public = URL_SAFE_NO_PAD.encode(made.public_key().public_key().to_bytes_uncompressed());
    let stored: (String,) = on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        sqlx::query(
            "INSERT INTO push_keys (id, private_key, public_key, created_at) \
             VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&private)
        .bind(&public)
        .bind(crate::db::now())
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query_as("SELECT private_key FROM push_keys WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        row
    });
    VapidKeys::from_private(&stored.0).ok_or_else(|| {
        sqlx::Error::Decode("the stored VAPID private key is not a P-256 key".into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_pair_reads_back_from_its_private_half_with_a_65_byte_public_point() {
        let made = ES256KeyPair::generate();
        let keys = VapidKeys::from_private(&URL_SAFE_NO_PAD.encode(made.to_bytes())).unwrap();
        let public = URL_SAFE_NO_PAD.decode(keys.public_key()).unwrap();
        assert_eq!(public.len(), 65);
        assert_eq!(public[0], 4, "uncompressed");
        assert!(!format!("{keys:?}").contains(&URL_SAFE_NO_PAD.encode(made.to_bytes())));
        assert!(VapidKeys::from_private("not base64!").is_none());
    }
}
