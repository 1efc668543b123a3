//! Graph's bearer token checks, in this order: a Bearer header with a compact JWT; a signature made
//! with the emulator's key (unsigned `alg: none` tokens only with `--accept-unsigned-tokens`);
//! `exp` in the future and `nbf` not more than five minutes ahead; an audience that means Graph;
//! and, per route, a permission that allows the action.

use std::time::SystemTime;

use serde_json::{Map, Value};

use crate::clock;
use crate::graph_error::GraphError;
use crate::state::Emulator;
use crate::tokens;

/// Graph's application id, which Entra also accepts as Graph's audience.
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";

/// Graph's public root, the audience of tokens Entra issues for Graph.
pub const GRAPH_ROOT: &str = "https://graph.microsoft.com";

/// Application permissions (`roles`) that allow provisioning on demand.
const WRITE_ROLES: &[&str] = &[
    "Application.ReadWrite.OwnedBy",
    "Synchronization.ReadWrite.All",
    "Directory.ReadWrite.All",
];

/// Delegated permissions (`scp`) that allow provisioning on demand.
const WRITE_SCOPES: &[&str] = &["Synchronization.ReadWrite.All", "Directory.ReadWrite.All"];

/// Permissions that allow reading jobs and schemas, besides the write ones.
const READ_ONLY: &[&str] = &[
    "Synchronization.Read.All",
    "Application.Read.All",
    "Directory.Read.All",
];

/// What a request does, for the permission check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading jobs and schemas.
    Read,
    /// Provisioning on demand.
    Write,
}

/// Checks the `Authorization` header value (None when the header is missing) and returns the
/// token's claims.
pub fn authenticate(
    emulator: &Emulator,
    header: Option<&[u8]>,
) -> Result<Map<String, Value>, GraphError> {
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

    let decoded = tokens::decode(token).map_err(|reason| {
        GraphError::unauthorized(format!(
            "Access token validation failure. Invalid token: {reason}."
        ))
    })?;
    check_signature(emulator, &decoded)?;
    check_lifetime(&decoded.claims, clock::unix_seconds(SystemTime::now()))?;
    check_audience(emulator, &decoded.claims)?;
    Ok(decoded.claims)
}

fn check_signature(
    emulator: &Emulator,
    decoded: &tokens::DecodedToken<'_>,
) -> Result<(), GraphError> {
    let algorithm = decoded
        .header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or("");
    match algorithm {
        "HS256" => {
            if emulator.signing_key.verify(decoded.signed_text, &decoded.signature) {
                Ok(())
            } else {
                Err(GraphError::unauthorized(
                    "Access token validation failure. Invalid signature: the token was not signed by this emulator (its key changes every time it starts).",
                ))
            }
        }
        "none" if emulator.settings.accept_unsigned_tokens => {
            if decoded.signature.is_empty() {
                Ok(())
            } else {
                Err(GraphError::unauthorized(
                    "Access token validation failure. Invalid token: alg is none but the token has a signature.",
                ))
            }
        }
        "none" => Err(GraphError::unauthorized(
            "Access token validation failure. The token is unsigned (alg none). Get a signed token from the token endpoint or POST /_emulator/token, or start the emulator with --accept-unsigned-tokens.",
        )),
        other => Err(GraphError::unauthorized(format!(
            "Access token validation failure. Invalid signature: the emulator checks only HS256 tokens it signed, and this token uses alg '{other}'."
        ))),
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

/// Whether an audience (a token's `aud`, or a token request's resource) means this Graph:
/// `https://graph.microsoft.com`, Graph's application id, or the emulator's own base URL,
/// each with or without a trailing slash.
pub fn is_graph_audience(emulator: &Emulator, audience: &str) -> bool {
    let audience = audience.trim_end_matches('/');
    audience.eq_ignore_ascii_case(GRAPH_ROOT)
        || audience.eq_ignore_ascii_case(GRAPH_APP_ID)
        || audience.eq_ignore_ascii_case(&emulator.settings.base_url)
        || audience.eq_ignore_ascii_case(&emulator.settings.localhost_url)
}

fn check_audience(emulator: &Emulator, claims: &Map<String, Value>) -> Result<(), GraphError> {
    let audiences: Vec<&str> = match claims.get("aud") {
        Some(Value::String(audience)) => vec![audience.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if audiences
        .iter()
        .any(|audience| is_graph_audience(emulator, audience))
    {
        return Ok(());
    }
    Err(GraphError::unauthorized(format!(
        "Access token validation failure. Invalid audience: the token's aud is {}; this Graph takes {GRAPH_ROOT}, {} or {GRAPH_APP_ID}.",
        if audiences.is_empty() {
            "missing".to_string()
        } else {
            format!("'{}'", audiences.join("', '"))
        },
        emulator.settings.base_url
    )))
}

/// Returns 403 `Authorization_RequestDenied` unless the token's `roles` or `scp` allow the action.
pub fn authorize(claims: &Map<String, Value>, access: Access) -> Result<(), GraphError> {
    let roles: Vec<&str> = match claims.get("roles") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(role)) => vec![role.as_str()],
        _ => Vec::new(),
    };
    let scopes: Vec<&str> = match claims.get("scp") {
        Some(Value::String(scopes)) => scopes.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let allows = |granted: &[&str], wanted: &[&str]| {
        granted.iter().any(|permission| {
            wanted
                .iter()
                .any(|allowed| permission.eq_ignore_ascii_case(allowed))
                || (access == Access::Read
                    && READ_ONLY
                        .iter()
                        .any(|allowed| permission.eq_ignore_ascii_case(allowed)))
        })
    };
    if allows(&roles, WRITE_ROLES) || allows(&scopes, WRITE_SCOPES) {
        return Ok(());
    }
    Err(GraphError::forbidden())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().expect("object").clone()
    }

    #[test]
    fn permissions_allow_by_kind() {
        let write = Access::Write;
        assert!(authorize(&claims(json!({"roles": ["Application.ReadWrite.OwnedBy"]})), write).is_ok());
        assert!(authorize(&claims(json!({"scp": "User.Read Synchronization.ReadWrite.All"})), write).is_ok());
        assert!(authorize(&claims(json!({"scp": "Application.ReadWrite.OwnedBy"})), write).is_err());
        assert!(authorize(&claims(json!({"roles": ["Synchronization.Read.All"]})), write).is_err());
        assert!(authorize(&claims(json!({"roles": ["Synchronization.Read.All"]})), Access::Read).is_ok());
        assert!(authorize(&claims(json!({})), Access::Read).is_err());
    }

    #[test]
    fn refuses_expired_token() {
        let error = check_lifetime(&claims(json!({"exp": 1})), 100.0).unwrap_err();
        assert_eq!(
            error.message,
            "Lifetime validation failed, the token is expired."
        );
    }
}
