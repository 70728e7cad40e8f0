//! Passwords: 8 to 128 characters, hashed with bcrypt over a SHA-256 pre-hash
//! so that every character counts (bcrypt alone ignores bytes after 72).

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
        let n = input.chars().count();
        if n == 0 {
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

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self, cost: u32) -> Result<String, bcrypt::BcryptError> {
        bcrypt::hash(prehash(&self.0), cost)
    }
}

/// Checks a typed password against a stored hash. A malformed hash is a mismatch.
pub fn verify(candidate: &str, hash: &str) -> bool {
    bcrypt::verify(prehash(candidate), hash).unwrap_or(false)
}

/// A valid bcrypt hash of a random password, checked against when the account
/// does not exist so that both answers take the same time.
pub fn dummy_hash(cost: u32) -> String {
    Password::generate()
        .hash(cost)
        .unwrap_or_else(|_| "$2b$12$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva".into())
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
        assert!(Password::parse("12345678").is_ok());
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
    fn debug_hides_the_secret() {
        assert_eq!(
            format!("{:?}", Password::parse("geheim123").unwrap()),
            "Password(***)"
        );
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
