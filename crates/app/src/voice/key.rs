//! The secrets and names of one piece of feedback: the submission key (also the
//! secret of the private return link), its hash, and the short reference.

use base64ct::{Base64UrlUnpadded, Encoding};
use sha2::{Digest, Sha256};

use super::VoiceError;

/// The reference alphabet: capitals and digits without the look-alikes 0/O, 1/I/L, U/V.
const REFERENCE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTWXYZ23456789";

/// A fresh submission key: 128 random bits, URL-safe (22 characters). It is put in
/// the form when the person starts, makes a double submit harmless, and becomes
/// the secret of their private return link.
pub fn new_submission_key() -> String {
    Base64UrlUnpadded::encode_string(&random::<16>())
}

/// A short reference a person can read out on the phone, like `K7QM-4TXD`.
pub fn new_reference() -> String {
    let letters: Vec<char> = random::<8>()
        .iter()
        // 29 letters: 256 % 29 leaves a bias of under 1 in 250, harmless for a reference.
        .map(|b| char::from(REFERENCE_ALPHABET[usize::from(*b) % REFERENCE_ALPHABET.len()]))
        .collect();
    format!("{}-{}", String::from_iter(&letters[..4]), String::from_iter(&letters[4..]))
}

/// The key's SHA-256 in hex: what the store keeps. The key is long and random, so
/// a fast hash suffices.
pub fn key_hash(key: &str) -> Result<String, VoiceError> {
    let well_formed =
        (16..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        return Err(VoiceError::Refused(
            "This feedback link is not valid: check it was copied in full, or start again".into(),
        ));
    }
    Ok(Sha256::digest(key.as_bytes()).iter().map(|b| format!("{b:02x}")).collect())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The operating system's source does not fail once the system is up; there is
    // no safe way to go on without it.
    getrandom::fill(&mut bytes).expect("the system's random number source works");
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_random_url_safe_and_accepted() {
        let (a, b) = (new_submission_key(), new_submission_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 22);
        assert!(key_hash(&a).is_ok());
    }

    #[test]
    fn key_hashes_are_sha256_in_hex() {
        let key = "abcdefghijklmnop";
        assert_eq!(key_hash(key).unwrap(), "f39dac6cbaba535e2c207cd0cd8f154974223c848f727f98b3564cea569b41cf");
    }

    #[test]
    fn badly_shaped_keys_are_refused() {
        for bad in ["", "short", &"a".repeat(129), "has spaces in it ok", "slash/es/are/not/ok", "dots.are.not.ok.here"]
        {
            assert!(matches!(key_hash(bad), Err(VoiceError::Refused(_))), "{bad:?}");
        }
        assert!(key_hash(&"a".repeat(128)).is_ok());
        assert!(key_hash("Idempotency-Key_1").is_ok());
    }

    #[test]
    fn references_are_short_and_unambiguous() {
        let r = new_reference();
        assert_eq!(r.len(), 9);
        assert_eq!(&r[4..5], "-");
        assert!(r.chars().filter(|&c| c != '-').all(|c| REFERENCE_ALPHABET.contains(&(c as u8))));
        assert!(!r.contains(['0', 'O', '1', 'I', 'L', 'U', 'V']));
    }
}
