//! Passwords: 8 to 128 characters, hashed with bcrypt over a SHA-256 pre-hash
//! so that every character counts (bcrypt alone ignores bytes after 72).
//! Unicode-normalised (NFC) first: "ü" typed as one character on one device
//! and as u + dots on another is the same password.

use std::fmt;

use base64_engine::encode;
use sha2::{Digest, Sha256};

use super::FieldError;

pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// A password that satisfies the policy. Debug never prints it.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

impl Password {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let input = &super::text::nfc(input);
        let n = input.chars().count();
        // Only spaces is no password (and not what anyone meant to type).
        if input.trim().is_empty() {
            return Err(FieldError::Required);
        }
        if n < MIN_CHARS {
            return Err(FieldError::PasswordTooShort);
        }
        if n > MAX_CHARS {
            return Err(FieldError::PasswordTooLong);
        }
        if input.chars().any(|c| c.is_control()) {
            return Err(FieldError::InvalidCharacters);
        }
        if is_common(input) {
            return Err(FieldError::PasswordTooCommon);
        }
        Ok(Self(input.to_owned()))
    }

    /// A random password for people without email (readable, 16 characters).
    pub fn generate() -> Self {
        use rand::RngExt;
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        let mut rng = rand::rng();
        let s: String = (0..16)
            .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
            .collect();
        Self(s)
    }

    /// The start password handed over through `seed`, a random id only the
    /// admin's browser holds: the same seed and key always give the same
    /// password, so it can be shown again (a reload, a language switch)
    /// without being stored anywhere.
    pub fn derive(key: &[u8], seed: &str) -> Self {
        use hmac::{Hmac, KeyInit, Mac};
        const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        // HMAC takes keys of any length; the error case cannot happen.
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
            return Self::generate();
        };
        mac.update(b"einlass start password\0");
        mac.update(seed.as_bytes());
        let bytes = mac.finalize().into_bytes();
        let s: String = bytes
            .chunks(2)
            .map(|pair| {
                let n = u16::from_be_bytes([pair[0], pair[1]]) as usize;
                ALPHABET[n % ALPHABET.len()] as char
            })
            .collect();
        Self(s)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self, cost: u32) -> Result<String, bcrypt::BcryptError> {
        bcrypt::hash(prehash(&self.0), cost)
    }
}

/// Whether two typed passwords are the same password (a repetition, a new
/// one against the current): alike once Unicode-normalised.
pub fn same(a: &str, b: &str) -> bool {
    super::text::nfc(a) == super::text::nfc(b)
}

/// Checks a typed password against a stored hash. A malformed hash is a mismatch.
pub fn verify(candidate: &str, hash: &str) -> bool {
    let normal = super::text::nfc(candidate);
    let check = |p: &str| bcrypt::verify(prehash(p), hash).unwrap_or(false);
    // A hash made before passwords were normalised holds the text as typed.
    check(&normal) || (normal != candidate && check(candidate))
}

/// A valid bcrypt hash of a random password, checked against when the account
/// does not exist so that both answers take the same time.
pub fn dummy_hash(cost: u32) -> String {
    Password::generate()
        .hash(cost)
        .unwrap_or_else(|_| "$2b$12$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva".into())
}

/// The 20,000 most common passwords (Django's list, see
/// `common-passwords.LICENSE`), sorted bytewise, one per line.
const COMMON: &str = include_str!("common-passwords.txt");

/// Whether a password is among the most common ones, ignoring case and
/// surrounding spaces (as Django compares).
pub fn is_common(password: &str) -> bool {
    static LIST: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let list = LIST.get_or_init(|| COMMON.lines().collect());
    let candidate = password.trim().to_lowercase();
    list.binary_search(&candidate.as_str()).is_ok()
}

fn prehash(password: &str) -> String {
    encode(&Sha256::digest(password.as_bytes()))
}

/// Standard base64 without a crate: 32 bytes in, 44 characters out.
mod base64_engine {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    pub fn encode(bytes: &[u8]) -> String {
        let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
        for chunk in bytes.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_bounds() {
        assert_eq!(Password::parse("").err(), Some(FieldError::Required));
        assert_eq!(
            Password::parse("1234567").err(),
            Some(FieldError::PasswordTooShort)
        );
        assert!(Password::parse("7gq-2zhx").is_ok());
        assert!(Password::parse(&"ä".repeat(128)).is_ok());
        assert_eq!(
            Password::parse(&"a".repeat(129)).err(),
            Some(FieldError::PasswordTooLong)
        );
        assert_eq!(
            Password::parse("abc\ndefgh").err(),
            Some(FieldError::InvalidCharacters)
        );
    }

    #[test]
    fn no_silent_truncation_after_72_bytes() {
        let a = "x".repeat(72) + "tail-one";
        let b = "x".repeat(72) + "tail-two";
        let hash = Password::parse(&a).unwrap().hash(4).unwrap();
        assert!(verify(&a, &hash));
        assert!(!verify(&b, &hash));
    }

    #[test]
    fn one_text_in_either_unicode_form_is_one_password() {
        let composed = "Grüße-aus-Köln";
        let decomposed = "Gru\u{308}ße-aus-Ko\u{308}ln";
        let hash = Password::parse(composed).unwrap().hash(4).unwrap();
        assert!(verify(decomposed, &hash));
        let hash = Password::parse(decomposed).unwrap().hash(4).unwrap();
        assert!(verify(composed, &hash));
        // A hash of the text as typed (before normalising) still matches it.
        let old = bcrypt::hash(prehash(decomposed), 4).unwrap();
        assert!(verify(decomposed, &old));
        assert!(!verify("Grüße-aus-Bonn", &hash));
        // 128 characters as typed count once composed.
        assert!(Password::parse(&"u\u{308}".repeat(128)).is_ok());
    }

    #[test]
    fn debug_hides_the_secret() {
        assert_eq!(
            format!("{:?}", Password::parse("geheim-4711-x").unwrap()),
            "Password(***)"
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        for p in [
            "passwort",
            "Passwort",
            "password",
            "12345678",
            "qwertzuiop",
            " iloveyou ",
        ] {
            assert_eq!(
                Password::parse(p).map(|_| ()),
                Err(FieldError::PasswordTooCommon),
                "{p}"
            );
        }
        assert!(Password::parse("richtig-geheim-123").is_ok());
        assert!(COMMON.lines().count() >= 10_000);
        let lines: Vec<&str> = COMMON.lines().collect();
        assert!(
            lines.windows(2).all(|w| w[0] < w[1]),
            "sorted for the binary search"
        );
    }

    #[test]
    fn derived_passwords_depend_on_key_and_seed() {
        let a = Password::derive(b"key", "seed-1");
        assert_eq!(a.expose(), Password::derive(b"key", "seed-1").expose());
        assert_ne!(a.expose(), Password::derive(b"key", "seed-2").expose());
        assert_ne!(a.expose(), Password::derive(b"other", "seed-1").expose());
        assert_eq!(a.expose().chars().count(), 16);
        assert!(Password::parse(a.expose()).is_ok());
    }

    #[test]
    fn generated_passwords_pass_the_policy() {
        let p = Password::generate();
        assert!(Password::parse(p.expose()).is_ok());
        assert_ne!(p.expose(), Password::generate().expose());
    }

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64_engine::encode(b"Man"), "TWFu");
        assert_eq!(base64_engine::encode(b"Ma"), "TWE=");
        assert_eq!(base64_engine::encode(b"M"), "TQ==");
        assert_eq!(base64_engine::encode(&[0u8; 32]).len(), 44);
    }
}
