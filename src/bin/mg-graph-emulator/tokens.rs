//! Compact JWTs: the emulator's own HS256 signing key, minting, and taking tokens apart.
//!
//! The emulator signs its tokens with HMAC-SHA256 and a 256-bit key drawn at random when the
//! process starts, so no token outlives the process. Entra signs with RS256, but ring 0.16 cannot
//! generate RSA keys and no other RSA crate is available offline; callers of the emulator only
//! need tokens that the emulator itself can check.

use ring::hmac;
use ring::rand::{SecureRandom, SystemRandom};
use serde_json::{json, Map, Value};

/// The emulator's signing key for this process.
pub struct SigningKey {
    key: hmac::Key,
    /// The `kid` header of every minted token.
    key_id: String,
}

/// A JWT split into its parts, not yet checked.
pub struct DecodedToken<'a> {
    /// The decoded header.
    pub header: Map<String, Value>,
    /// The decoded claims.
    pub claims: Map<String, Value>,
    /// `header.payload`, the signed text.
    pub signed_text: &'a str,
    /// The decoded signature; empty for `alg: none`.
    pub signature: Vec<u8>,
}

impl SigningKey {
    /// Draws a fresh random key.
    pub fn generate() -> Result<SigningKey, String> {
        let random = SystemRandom::new();
        let mut bytes = [0u8; 32];
        random
            .fill(&mut bytes)
            .map_err(|_| "the system random number generator failed".to_string())?;
        let mut id = [0u8; 8];
        random
            .fill(&mut id)
            .map_err(|_| "the system random number generator failed".to_string())?;
        Ok(SigningKey {
            key: hmac::Key::new(hmac::HMAC_SHA256, &bytes),
            key_id: id.iter().map(|byte| format!("{byte:02x}")).collect(),
        })
    }

    /// Signs the claims into a compact JWT with `alg: HS256`.
    pub fn mint(&self, claims: &Map<String, Value>) -> String {
        let header = json!({ "typ": "JWT", "alg": "HS256", "kid": self.key_id });
        let signed_text = format!(
            "{}.{}",
            base64url_encode(header.to_string().as_bytes()),
            base64url_encode(Value::Object(claims.clone()).to_string().as_bytes())
        );
        let signature = hmac::sign(&self.key, signed_text.as_bytes());
        format!("{signed_text}.{}", base64url_encode(signature.as_ref()))
    }

    /// Whether an HS256 signature over `signed_text` was made with this key.
    pub fn verify(&self, signed_text: &str, signature: &[u8]) -> bool {
        hmac::verify(&self.key, signed_text.as_bytes(), signature).is_ok()
    }
}

/// Splits a compact JWT and decodes its header, claims and signature.
/// The error is a phrase such as "a JWT has three dot-separated parts, this token has 2".
pub fn decode(token: &str) -> Result<DecodedToken<'_>, String> {
    let segments: Vec<&str> = token.split('.').collect();
    if segments.len() != 3 {
        return Err(format!(
            "a JWT has three dot-separated parts, this token has {}",
            segments.len()
        ));
    }
    if segments[0].is_empty() || segments[1].is_empty() {
        return Err("the header or the payload part is empty".to_string());
    }
    let signature = base64url_decode(segments[2])
        .ok_or_else(|| "the signature part is not base64url".to_string())?;
    let header = decode_json_object(segments[0], "header")?;
    let claims = decode_json_object(segments[1], "payload")?;
    let signed_length = segments[0].len() + 1 + segments[1].len();
    Ok(DecodedToken {
        header,
        claims,
        signed_text: &token[..signed_length],
        signature,
    })
}

fn decode_json_object(segment: &str, what: &str) -> Result<Map<String, Value>, String> {
    let bytes = base64url_decode(segment).ok_or_else(|| format!("the {what} is not base64url"))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("the {what} is not a JSON object")),
        Err(_) => Err(format!("the {what} is not JSON")),
    }
}

/// Encodes bytes as unpadded base64url.
pub fn base64url_encode(bytes: &[u8]) -> String {
    base64::encode_config(bytes, base64::URL_SAFE_NO_PAD)
}

/// Decodes unpadded (or padded) base64url; None for any other character or an impossible length.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.trim_end_matches('=');
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer: u32 = 0;
    let mut bits = 0u32;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_base64url() {
        assert_eq!(
            base64url_decode("eyJhbGciOiJub25lIn0").as_deref(),
            Some(&b"{\"alg\":\"none\"}"[..])
        );
        assert_eq!(base64url_decode("-_8").as_deref(), Some(&[0xfb, 0xff][..]));
        assert!(base64url_decode("a").is_none());
        assert!(base64url_decode("ab+c").is_none());
    }

    #[test]
    fn minted_tokens_verify_and_tampered_ones_do_not() {
        let key = SigningKey::generate().expect("key");
        let mut claims = Map::new();
        claims.insert("roles".into(), json!(["Synchronization.ReadWrite.All"]));
        let token = key.mint(&claims);
        let decoded = decode(&token).expect("decodes");
        assert_eq!(decoded.header["alg"], "HS256");
        assert!(key.verify(decoded.signed_text, &decoded.signature));
        let other = SigningKey::generate().expect("key");
        assert!(!other.verify(decoded.signed_text, &decoded.signature));
    }
}
