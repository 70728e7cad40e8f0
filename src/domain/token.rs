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
    /// An invitation: the invitee sets his password and is `aktiv`.
    Invitation,
    /// "Passwort vergessen": a new password (valid one hour).
    PasswordReset,
    /// Confirms an email address a person added himself.
    EmailConfirmation,
    /// A Zugangslink: whoever holds it registers once (`access_links`, not
    /// `one_time_tokens`: it belongs to nobody until it is used).
    AccessLink,
}

impl TokenPurpose {
    pub const ALL: [TokenPurpose; 5] = [
        TokenPurpose::Setup,
        TokenPurpose::Invitation,
        TokenPurpose::PasswordReset,
        TokenPurpose::EmailConfirmation,
        TokenPurpose::AccessLink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::Setup => "setup",
            TokenPurpose::Invitation => "invitation",
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::EmailConfirmation => "email_confirmation",
            TokenPurpose::AccessLink => "access_link",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            TokenPurpose::Setup => "ELS",
            TokenPurpose::Invitation => "ELI",
            TokenPurpose::PasswordReset => "ELR",
            TokenPurpose::EmailConfirmation => "ELC",
            TokenPurpose::AccessLink => "ELA",
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
        Self(value.trim().chars().take(100).collect())
    }

    /// Whether the text has the shape of a token of this purpose (prefix and
    /// 64 hex digits); anything else is refused before any lookup.
    pub fn is_shaped_for(&self, purpose: TokenPurpose) -> bool {
        self.0
            .strip_prefix(purpose.prefix())
            .and_then(|rest| rest.strip_prefix('_'))
            .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The token handed over through `seed`, a random id only the admin's
    /// browser holds (see `Password::derive`): the same key, seed and
    /// purpose always give the same token, so a QR code can be drawn again
    /// (the page, its PNG and SVG, the printed letter) without the token
    /// being stored anywhere. As strong as the seed (256 random bits).
    pub fn derive(purpose: TokenPurpose, key: &[u8], seed: &str) -> Self {
        use hmac::{Hmac, KeyInit, Mac};
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
            // HMAC takes keys of any length: this cannot happen.
            return Self::generate(purpose);
        };
        mac.update(b"einlass handed-over token\0");
        mac.update(purpose.as_str().as_bytes());
        mac.update(b"\0");
        mac.update(seed.as_bytes());
        Self(format!(
            "{}_{}",
            purpose.prefix(),
            hex::encode(mac.finalize().into_bytes())
        ))
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

/// A secret derived from others (HMAC-SHA-256 under `key`, as hex), for a
/// purpose named by `label`: the same inputs give it again, nothing else
/// does.
pub fn derive_secret(key: &[u8], label: &str, from: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        // HMAC takes keys of any length: this cannot happen.
        return random_secret();
    };
    mac.update(label.as_bytes());
    mac.update(b"\0");
    mac.update(from.as_bytes());
    hex::encode(mac.finalize().into_bytes())
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

    #[test]
    fn derived_tokens_depend_on_purpose_key_and_seed() {
        let t = |p, k: &[u8], s| PlainToken::derive(p, k, s).expose().to_owned();
        let a = t(TokenPurpose::Invitation, b"key", "seed");
        assert_eq!(a, t(TokenPurpose::Invitation, b"key", "seed"));
        assert!(PlainToken::from_untrusted(&a).is_shaped_for(TokenPurpose::Invitation));
        assert_ne!(a, t(TokenPurpose::Invitation, b"key", "seed2"));
        assert_ne!(a, t(TokenPurpose::Invitation, b"key2", "seed"));
        assert_ne!(
            a[4..],
            t(TokenPurpose::PasswordReset, b"key", "seed")[4..],
            "another purpose, another secret"
        );
    }
}
