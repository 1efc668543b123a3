//! Bearer token checks.
//!
//! This version accepts any structurally valid JWT: three dot-separated base64url segments
//! (the signature may be empty, as with `alg: none`), a header and a payload that decode to JSON
//! objects, and, when the payload has them, an `exp` in the future and an `nbf` in the past.
//! Signatures, audiences and scopes are not checked.

use std::time::SystemTime;

use serde_json::{Map, Value};

use crate::clock;
use crate::graph_error::GraphError;

/// Checks the `Authorization` header value (None when the header is missing).
pub fn check_authorization(header: Option<&[u8]>) -> Result<(), GraphError> {
    let header = match header {
        Some(value) => value,
        None => return Err(GraphError::unauthorized("Access token is empty.")),
    };
    let header = std::str::from_utf8(header)
        .map_err(|_| {
            GraphError::unauthorized(
                "Access token validation failure. The Authorization header is not valid text.",
            )
        })?
        .trim();
    if header.is_empty() {
        return Err(GraphError::unauthorized("Access token is empty."));
    }

    let (scheme, token) = match header.split_once(char::is_whitespace) {
        Some((scheme, token)) => (scheme, token.trim()),
        None => (header, ""),
    };
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(GraphError::unauthorized(
            "Access token validation failure. The Authorization header must use the Bearer scheme.",
        ));
    }
    if token.is_empty() {
        return Err(GraphError::unauthorized("Access token is empty."));
    }

    let claims = decode_claims(token).map_err(|reason| {
        GraphError::unauthorized(format!(
            "Access token validation failure. Invalid token: {reason}."
        ))
    })?;
    check_lifetime(&claims, clock::unix_seconds(SystemTime::now()))
}

/// Decodes a compact JWT and returns its payload's claims.
fn decode_claims(token: &str) -> Result<Map<String, Value>, String> {
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
    if !segments[2].is_empty() && base64url_decode(segments[2]).is_none() {
        return Err("the signature part is not base64url".to_string());
    }
    decode_json_object(segments[0], "header")?;
    decode_json_object(segments[1], "payload")
}

fn decode_json_object(segment: &str, what: &str) -> Result<Map<String, Value>, String> {
    let bytes = base64url_decode(segment).ok_or_else(|| format!("the {what} is not base64url"))?;
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(format!("the {what} is not a JSON object")),
        Err(_) => Err(format!("the {what} is not JSON")),
    }
}

/// Checks `exp` and `nbf` against `now` (seconds since the epoch).
fn check_lifetime(claims: &Map<String, Value>, now: f64) -> Result<(), GraphError> {
    if let Some(exp) = claims.get("exp") {
        let exp = exp.as_f64().ok_or_else(|| {
            GraphError::unauthorized(
                "Access token validation failure. Invalid token: the exp claim is not a number.",
            )
        })?;
        if exp <= now {
            return Err(GraphError::unauthorized(
                "Lifetime validation failed, the token is expired.",
            ));
        }
    }
    if let Some(nbf) = claims.get("nbf") {
        let nbf = nbf.as_f64().ok_or_else(|| {
            GraphError::unauthorized(
                "Access token validation failure. Invalid token: the nbf claim is not a number.",
            )
        })?;
        // Entra allows five minutes of clock skew.
        if nbf > now + 300.0 {
            return Err(GraphError::unauthorized(
                "Lifetime validation failed, the token is not yet valid.",
            ));
        }
    }
    Ok(())
}

/// Decodes unpadded (or padded) base64url; None for any other character or an impossible length.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
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
    fn accepts_unsigned_token_without_exp() {
        assert!(check_authorization(Some(b"Bearer eyJhbGciOiJub25lIn0.e30.")).is_ok());
    }

    #[test]
    fn refuses_expired_token() {
        // {"exp":1}
        let error =
            check_authorization(Some(b"Bearer eyJhbGciOiJub25lIn0.eyJleHAiOjF9.")).unwrap_err();
        assert_eq!(
            error.message,
            "Lifetime validation failed, the token is expired."
        );
    }
}
