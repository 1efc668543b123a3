//! The control API, served under `/_emulator/` only when the emulator runs with `--control`.
//! Tests use it to see what reached the emulator, to start over, to get tokens, to register
//! sign-in clients and to queue faults.
//!
//! - `GET /_emulator/requests`: `{"value":[request]}`, every request except control requests, oldest first.
//! - `POST /_emulator/reset`: back to the state after start (204).
//! - `POST /_emulator/token`: a signed token with the claims the body gives.
//! - `POST /_emulator/clients`: registers a client with a secret, a certificate or both, and roles.
//! - `GET /_emulator/identity`: the managed identity endpoint and its `X-IDENTITY-HEADER` secret.
//! - `POST /_emulator/faults` queues a fault; `GET /_emulator/faults` lists the queued ones.
//!
//! Control requests need no token and are not logged.

use std::time::SystemTime;

use hyper::{Body, Method, Response, StatusCode};
use serde_json::{json, Map, Value};

use crate::certificate::Certificate;
use crate::clock;
use crate::faults::FaultRule;
use crate::fixture::Client;
use crate::graph_error::{json_response, GraphError, RequestIds};
use crate::state::Emulator;
use crate::token_service;

/// The client id of tokens minted by `POST /_emulator/token` unless the body names another.
pub const DEFAULT_TEST_CLIENT_ID: &str = "c0ffee00-1234-4abc-8def-00000000c11e";

/// The endpoints: path, allowed methods.
const ENDPOINTS: &[(&str, &str)] = &[
    ("/_emulator/requests", "GET"),
    ("/_emulator/reset", "POST"),
    ("/_emulator/token", "POST"),
    ("/_emulator/clients", "POST"),
    ("/_emulator/identity", "GET"),
    ("/_emulator/faults", "GET, POST"),
];

/// Answers one control request.
pub fn handle(emulator: &Emulator, method: &Method, path: &str, body: &[u8]) -> Response<Body> {
    let ids = RequestIds::new(None);
    let endpoint = path.trim_end_matches('/');
    let result = match (method, endpoint) {
        (&Method::GET, "/_emulator/requests") => {
            Ok(json!({ "value": emulator.requests() }))
        }
        (&Method::POST, "/_emulator/reset") => {
            emulator.reset();
            let mut response =
                json_response(StatusCode::NO_CONTENT, "application/json", String::new(), &ids);
            response.headers_mut().remove(hyper::header::CONTENT_TYPE);
            return response;
        }
        (&Method::POST, "/_emulator/token") => parse_object(body).and_then(|spec| mint(emulator, &spec)),
        (&Method::POST, "/_emulator/clients") => {
            parse_object(body).and_then(|spec| register_client(emulator, &spec))
        }
        (&Method::GET, "/_emulator/identity") => Ok(json!({
            "endpoint": format!("{}/msi/token", emulator.settings.base_url),
            "header": emulator.settings.identity_header,
            "apiVersion": token_service::MSI_API_VERSION,
        })),
        (&Method::GET, "/_emulator/faults") => Ok(json!({ "value": emulator.faults() })),
        (&Method::POST, "/_emulator/faults") => parse_json(body).and_then(|spec| {
            let fault = FaultRule::from_json(&spec)
                .map_err(|problem| GraphError::bad_request(format!("Invalid fault: {problem}.")))?;
            let described = fault.describe();
            emulator.add_fault(fault);
            Ok(described)
        }),
        _ => Err(match ENDPOINTS.iter().find(|(known, _)| *known == endpoint) {
            Some((_, allowed)) => GraphError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                format!("{endpoint} takes {allowed}; this request used {method}."),
            )
            .with_header("allow", *allowed),
            None => GraphError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!(
                    "The control API has {}.",
                    ENDPOINTS
                        .iter()
                        .map(|(path, methods)| format!("{methods} {path}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }),
    };
    match result {
        Ok(value) => json_response(StatusCode::OK, "application/json", value.to_string(), &ids),
        Err(error) => error.into_response(&ids),
    }
}

fn parse_json(body: &[u8]) -> Result<Value, GraphError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Map::new()));
    }
    serde_json::from_slice(body)
        .map_err(|error| GraphError::bad_request(format!("The body is not valid JSON: {error}.")))
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, GraphError> {
    match parse_json(body)? {
        Value::Object(map) => Ok(map),
        _ => Err(GraphError::bad_request("The body must be a JSON object.")),
    }
}

fn strings(spec: &Map<String, Value>, name: &str) -> Result<Option<Vec<String>>, GraphError> {
    match spec.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str().map(str::to_string).ok_or_else(|| {
                    GraphError::bad_request(format!("'{name}' must be an array of strings; it holds {item}."))
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(other) => Err(GraphError::bad_request(format!(
            "'{name}' must be an array of strings, not {other}."
        ))),
    }
}

fn text(spec: &Map<String, Value>, name: &str) -> Result<Option<String>, GraphError> {
    match spec.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(other) => Err(GraphError::bad_request(format!(
            "'{name}' must be a string, not {other}."
        ))),
    }
}

fn number(spec: &Map<String, Value>, name: &str) -> Result<Option<i64>, GraphError> {
    match spec.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) if number.as_i64().is_some() => Ok(number.as_i64()),
        Some(other) => Err(GraphError::bad_request(format!(
            "'{name}' must be a whole number of seconds, not {other}."
        ))),
    }
}

/// Mints a signed token. Body members, all optional: `appid`, `roles` (array; `[]` for none),
/// `scp` (string; a delegated token, which then has no roles unless `roles` is given too),
/// `aud`, `tid`, `expiresIn` (seconds from now, negative for an expired token), `exp`, `nbf`,
/// `iat` (seconds since 1970), and `claims` (an object merged over everything else).
fn mint(emulator: &Emulator, spec: &Map<String, Value>) -> Result<Value, GraphError> {
    let app_id = text(spec, "appid")?.unwrap_or_else(|| DEFAULT_TEST_CLIENT_ID.to_string());
    let scp = text(spec, "scp")?;
    let roles = match strings(spec, "roles")? {
        Some(roles) => roles,
        None if scp.is_some() => Vec::new(),
        None => vec!["Synchronization.ReadWrite.All".to_string()],
    };
    let audience = text(spec, "aud")?.unwrap_or_else(|| auth_root().to_string());
    let mut claims = token_service::issued_claims(emulator, &app_id, &roles, &audience, "1");
    if let Some(scp) = scp {
        claims.insert("scp".into(), json!(scp));
        claims.insert("idtyp".into(), json!("user"));
        claims.insert("upn".into(), json!("admin@example.com"));
    }
    if let Some(tid) = text(spec, "tid")? {
        claims.insert("tid".into(), json!(tid));
    }
    let now = clock::unix_seconds(SystemTime::now()) as i64;
    if let Some(expires_in) = number(spec, "expiresIn")? {
        claims.insert("exp".into(), json!(now + expires_in));
    }
    for name in ["exp", "nbf", "iat"] {
        if let Some(value) = number(spec, name)? {
            claims.insert(name.into(), json!(value));
        }
    }
    match spec.get("claims") {
        None | Some(Value::Null) => {}
        Some(Value::Object(extra)) => {
            for (name, value) in extra {
                if value.is_null() {
                    claims.remove(name);
                } else {
                    claims.insert(name.clone(), value.clone());
                }
            }
        }
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "'claims' must be an object, not {other}."
            )))
        }
    }
    let token = emulator.signing_key.mint(&claims);
    Ok(json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_on": claims.get("exp").cloned().unwrap_or(Value::Null),
        "claims": Value::Object(claims),
    }))
}

fn auth_root() -> &'static str {
    crate::auth::GRAPH_ROOT
}

/// Registers a client: `clientId`, then `clientSecret` and/or `certificate` (PEM), and `roles`.
fn register_client(emulator: &Emulator, spec: &Map<String, Value>) -> Result<Value, GraphError> {
    let client_id = text(spec, "clientId")?
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| GraphError::bad_request("'clientId' is missing; give the client id as a string."))?;
    let secret = text(spec, "clientSecret")?;
    let certificate = match text(spec, "certificate")? {
        None => None,
        Some(pem) => Some(Certificate::from_pem(&pem).map_err(|problem| {
            GraphError::bad_request(format!("'certificate' is not usable: {problem}."))
        })?),
    };
    if secret.is_none() && certificate.is_none() {
        return Err(GraphError::bad_request(
            "Give 'clientSecret', 'certificate' (PEM) or both, so the client can sign in.",
        ));
    }
    let roles = strings(spec, "roles")?.unwrap_or_default();
    let thumbprint = certificate.as_ref().map(Certificate::hex_thumbprint);
    emulator.register_client(Client {
        display_name: text(spec, "displayName")?.unwrap_or_else(|| client_id.clone()),
        client_id: client_id.clone(),
        secrets: secret.into_iter().collect(),
        certificates: certificate.into_iter().collect(),
        roles: roles.clone(),
    });
    Ok(json!({
        "clientId": client_id,
        "thumbprint": thumbprint,
        "roles": roles,
        "tokenEndpoint": format!("{}/{}/oauth2/v2.0/token", emulator.settings.base_url, emulator.tenant.tenant_id),
    }))
}
