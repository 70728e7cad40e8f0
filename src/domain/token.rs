//! One-time tokens: 256 random bits, prefixed by purpose, stored only as a
//! SHA-256 hash. The plain text lives in memory and in the link, nowhere else.

use std::fmt;

use rand::RngExt;
use sha2::{Digest, Sha256};

/// What a token may be used for; a token of one purpose never works for another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    /// The one-time link that creates the first administrator.
    Setup,
}

impl TokenPurpose {
    pub const ALL: [TokenPurpose; 1] = [TokenPurpose::Setup];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Setup => "setup",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            TokenPurpose::Setup => "ELS",
        }
    }
}

impl std::str::FromStr for TokenPurpose {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|p| p.as_str() == s).ok_or(())
    }
}

pub struct PlainToken(String);

impl PlainToken {
    pub fn generate(purpose: TokenPurpose) -> Self {
        let bytes: [u8; 32] = rand::rng().random();
        Self(format!("{}_{}", purpose.prefix(), hex::encode(bytes)))
    }

    pub fn from_untrusted(value: &str) -> Self {
        Self(value.trim().to_owned())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hashed(&self) -> String {
        hash_secret(&self.0)
    }
}

impl fmt::Debug for PlainToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PlainToken(***)")
    }
}

/// SHA-256 hex of a high-entropy secret (tokens, session ids).
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// 256 random bits as hex, for session ids and CSRF seeds.
pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::rng().random();
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_prefixed_and_hashed() {
        let a = PlainToken::generate(TokenPurpose::Setup);
        let b = PlainToken::generate(TokenPurpose::Setup);
        assert!(a.expose().starts_with("ELS_"));
        assert_eq!(a.expose().len(), 4 + 64);
        assert_ne!(a.expose(), b.expose());
        assert_eq!(a.hashed().len(), 64);
        assert_ne!(a.hashed(), a.expose());
        assert_eq!(PlainToken::from_untrusted(a.expose()).hashed(), a.hashed());
        assert_eq!(format!("{a:?}"), "PlainToken(***)");
    }
}
