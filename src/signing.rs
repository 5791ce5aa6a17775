//! ed25519 keys and signatures as vitrin writes them: lower-case hex in small text files and
//! config values. One place reads them, so `keygen`, `publish`, `sync`, `check` and the screen
//! config agree on what a key is.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};

/// Why a key or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigningError {
    #[error("expected {0} hex digits")]
    NotHex(usize),
    #[error("not an ed25519 public key")]
    NotAKey,
    #[error("the signature does not match (wrong key, or the signed bytes were changed)")]
    Mismatch,
}

fn hex_bytes<const N: usize>(text: &str) -> Result<[u8; N], SigningError> {
    hex::decode(text.trim())
        .ok()
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or(SigningError::NotHex(N * 2))
}

/// A public key from its 64 hex digits (what `vitrin keygen` prints).
pub fn parse_public_key(text: &str) -> Result<[u8; 32], SigningError> {
    let bytes = hex_bytes::<32>(text)?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| SigningError::NotAKey)?;
    Ok(bytes)
}

/// A secret key from the 64 hex digits of a key file.
pub fn parse_secret_key(text: &str) -> Result<SigningKey, SigningError> {
    Ok(SigningKey::from_bytes(&hex_bytes::<32>(text)?))
}

/// A new secret key from the system's random source, and its text for a key file.
pub fn new_secret_key() -> Result<(SigningKey, String), getrandom::Error> {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret)?;
    Ok((
        SigningKey::from_bytes(&secret),
        format!("{}\n", hex::encode(secret)),
    ))
}

/// The public half of a secret key, as hex.
pub fn public_hex(key: &SigningKey) -> String {
    hex::encode(key.verifying_key().to_bytes())
}

/// A signature of `bytes`, as the text of a signature file.
pub fn sign(key: &SigningKey, bytes: &[u8]) -> String {
    format!("{}\n", hex::encode(key.sign(bytes).to_bytes()))
}

/// Checks the text of a signature file against `bytes` and a public key.
pub fn verify(public_key: &[u8; 32], bytes: &[u8], signature: &str) -> Result<(), SigningError> {
    let signature = Signature::from_bytes(&hex_bytes::<64>(signature)?);
    let key = VerifyingKey::from_bytes(public_key).map_err(|_| SigningError::NotAKey)?;
    key.verify(bytes, &signature)
        .map_err(|_| SigningError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_only_with_its_key_and_bytes() {
        let (key, text) = new_secret_key().unwrap();
        let again = parse_secret_key(&text).unwrap();
        assert_eq!(public_hex(&key), public_hex(&again));
        let public = parse_public_key(&public_hex(&key)).unwrap();
        let signature = sign(&key, b"manifest");
        assert_eq!(verify(&public, b"manifest", &signature), Ok(()));
        assert_eq!(
            verify(&public, b"changed", &signature),
            Err(SigningError::Mismatch)
        );
        let (other, _) = new_secret_key().unwrap();
        let other = parse_public_key(&public_hex(&other)).unwrap();
        assert_eq!(
            verify(&other, b"manifest", &signature),
            Err(SigningError::Mismatch)
        );
        assert_eq!(
            verify(&public, b"manifest", "abc"),
            Err(SigningError::NotHex(128))
        );
    }

    #[test]
    fn keys_must_be_64_hex_digits() {
        assert_eq!(parse_public_key("zz"), Err(SigningError::NotHex(64)));
        assert!(parse_secret_key(&"ab".repeat(31)).is_err());
        assert!(parse_public_key(&format!("  {}\n", "11".repeat(32))).is_ok());
    }

    #[test]
    fn the_ed25519_base_point_is_a_public_key() {
        let base = "5866666666666666666666666666666666666666666666666666666666666666";
        assert_eq!(
            parse_public_key(&format!(" {base} ")).map(|k| k[0]),
            Ok(0x58)
        );
        assert_eq!(parse_public_key(&base[..62]), Err(SigningError::NotHex(64)));
    }
}
