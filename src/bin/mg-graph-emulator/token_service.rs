//! The emulator's token service: Entra's client credentials grant at
//! `POST /{tenant}/oauth2/v2.0/token` (client secret or RS256 client assertion) and App Service's
//! managed identity endpoint `GET /msi/token`. Both issue HS256 tokens signed with the
//! emulator's key, which the Graph routes accept.
//!
//! Errors follow Entra: `{error, error_description, error_codes, timestamp, trace_id,
//! correlation_id, error_uri}` with the AADSTS code in the description.

use std::time::SystemTime;

use hyper::header::{HeaderMap, CONTENT_TYPE};
use hyper::{Body, Method, Response, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{json, Map, Value};

use crate::auth::{self, GRAPH_APP_ID, GRAPH_ROOT};
use crate::certificate::Certificate;
use crate::clock;
use crate::fixture::Client;
use crate::graph_error::{json_response, RequestIds};
use crate::state::Emulator;
use crate::tokens;

/// The only `client_assertion_type` Entra takes.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// The API version of App Service's managed identity endpoint.
pub const MSI_API_VERSION: &str = "2019-08-01";

/// Returns the tenant named by a token endpoint path `/{tenant}/oauth2/v2.0/token`, decoded.
pub fn token_endpoint_tenant(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    if segments.len() != 5
        || !segments[0].is_empty()
        || segments[1].is_empty()
        || !segments[2].eq_ignore_ascii_case("oauth2")
        || !segments[3].eq_ignore_ascii_case("v2.0")
        || !segments[4].eq_ignore_ascii_case("token")
    {
        return None;
    }
    percent_decode_str(segments[1])
        .decode_utf8()
        .ok()
        .map(|tenant| tenant.into_owned())
}

/// An error in Entra's shape.
struct EntraError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    description: String,
}

impl EntraError {
    fn new(status: StatusCode, error: &'static str, code: u32, description: impl Into<String>) -> EntraError {
        EntraError {
            status,
            error,
            code,
            description: description.into(),
        }
    }

    fn invalid_request(code: u32, description: impl Into<String>) -> EntraError {
        EntraError::new(StatusCode::BAD_REQUEST, "invalid_request", code, description)
    }

    fn invalid_client(code: u32, description: impl Into<String>) -> EntraError {
        EntraError::new(StatusCode::UNAUTHORIZED, "invalid_client", code, description)
    }

    fn missing(parameter: &str) -> EntraError {
        EntraError::invalid_request(
            900144,
            format!("The request body must contain the following parameter: '{parameter}'."),
        )
    }

    fn into_response(self, emulator: &Emulator, ids: &RequestIds) -> Response<Body> {
        let now = SystemTime::now();
        let timestamp = format!("{}Z", clock::error_date(now).replace('T', " "));
        let body = json!({
            "error": self.error,
            "error_description": format!(
                "AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: {}",
                self.code, self.description, ids.request_id, ids.client_request_id, timestamp
            ),
            "error_codes": [self.code],
            "timestamp": timestamp,
            "trace_id": ids.request_id,
            "correlation_id": ids.client_request_id,
            "error_uri": format!("{}/error?code={}", emulator.settings.base_url, self.code),
        });
        let mut response =
            json_response(self.status, "application/json; charset=utf-8", body.to_string(), ids);
        response
            .headers_mut()
            .insert("cache-control", hyper::header::HeaderValue::from_static("no-store, no-cache"));
        response
    }
}

/// Claims every issued token carries; `roles` is left out when empty, as Entra does.
pub fn issued_claims(
    emulator: &Emulator,
    app_id: &str,
    roles: &[String],
    audience: &str,
    authentication_method: &str,
) -> Map<String, Value> {
    let now = clock::unix_seconds(SystemTime::now()) as u64;
    let lifetime = emulator.settings.token_lifetime.as_secs();
    let tenant_id = &emulator.tenant.tenant_id;
    let object_id = principal_id(app_id);
    let mut claims = Map::new();
    claims.insert("aud".into(), json!(audience));
    claims.insert(
        "iss".into(),
        json!(format!("{}/{tenant_id}/v2.0", emulator.settings.base_url)),
    );
    claims.insert("iat".into(), json!(now));
    claims.insert("nbf".into(), json!(now));
    claims.insert("exp".into(), json!(now + lifetime));
    claims.insert("tid".into(), json!(tenant_id));
    claims.insert("appid".into(), json!(app_id));
    claims.insert("azp".into(), json!(app_id));
    claims.insert("appidacr".into(), json!(authentication_method));
    claims.insert("idtyp".into(), json!("app"));
    claims.insert("oid".into(), json!(object_id));
    claims.insert("sub".into(), json!(object_id));
    claims.insert("uti".into(), json!(uuid::Uuid::new_v4().simple().to_string()));
    if !roles.is_empty() {
        claims.insert("roles".into(), json!(roles));
    }
    claims
}

/// Derives a stable service principal object id from a client id.
fn principal_id(client_id: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, client_id.to_ascii_lowercase().as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest.as_ref()[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
}

/// Returns the audience a token for this resource carries: Graph's application id becomes Graph's root;
/// a trailing slash is dropped.
fn audience_for(resource: &str) -> String {
    let resource = resource.trim_end_matches('/');
    if resource.eq_ignore_ascii_case(GRAPH_APP_ID) {
        GRAPH_ROOT.to_string()
    } else {
        resource.to_string()
    }
}

/// `POST /{tenant}/oauth2/v2.0/token` with `grant_type=client_credentials`.
pub fn client_credentials(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
    ids: &RequestIds,
) -> Response<Body> {
    match issue_for_client(emulator, method, path, tenant, headers, body) {
        Ok(answer) => json_response(
            StatusCode::OK,
            "application/json; charset=utf-8",
            answer.to_string(),
            ids,
        ),
        Err(error) => error.into_response(emulator, ids),
    }
}

fn issue_for_client(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, EntraError> {
    if method != Method::POST {
        return Err(EntraError::invalid_request(
            900561,
            format!("The endpoint only accepts POST requests. Received a {method} request."),
        ));
    }
    if !emulator.tenant.is_named(tenant) {
        return Err(EntraError::invalid_request(
            90002,
            format!(
                "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID ({}) or domain ({}).",
                emulator.tenant.tenant_id, emulator.tenant.initial_domain
            ),
        ));
    }
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
        .unwrap_or(false);
    if !is_form {
        return Err(EntraError::invalid_request(
            900144,
            "The request body must contain the following parameter: 'grant_type'. Send the body as application/x-www-form-urlencoded.",
        ));
    }
    let form: Vec<(String, String)> = url::form_urlencoded::parse(body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let field = |name: &str| {
        form.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    };

    let grant_type = field("grant_type").ok_or_else(|| EntraError::missing("grant_type"))?;
    if grant_type != "client_credentials" {
        return Err(EntraError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'. The emulator supports client_credentials only."),
        ));
    }
    let assertion = field("client_assertion");
    let client_id = match (field("client_id"), assertion) {
        (Some(client_id), _) => client_id.to_string(),
        (None, Some(assertion)) => tokens::decode(assertion)
            .ok()
            .and_then(|decoded| decoded.claims.get("iss").and_then(Value::as_str).map(str::to_string))
            .ok_or_else(|| EntraError::missing("client_id"))?,
        (None, None) => return Err(EntraError::missing("client_id")),
    };
    let scope = field("scope").ok_or_else(|| EntraError::missing("scope"))?;

    let client = emulator.client(&client_id).ok_or_else(|| {
        EntraError::new(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. Register the client in the fixture's clients or with POST /_emulator/clients.",
                emulator.tenant.tenant_id
            ),
        )
    })?;

    let method_claim = match (field("client_secret"), assertion) {
        (Some(_), Some(_)) => {
            return Err(EntraError::invalid_request(
                90015,
                "The request contains both client_secret and client_assertion; send only one.",
            ))
        }
        (Some(secret), None) => {
            check_secret(&client, secret)?;
            "1"
        }
        (None, Some(assertion)) => {
            let assertion_type = field("client_assertion_type").unwrap_or("");
            if assertion_type != JWT_BEARER {
                return Err(EntraError::invalid_client(
                    700027,
                    format!("client_assertion_type is '{assertion_type}'; it must be '{JWT_BEARER}'."),
                ));
            }
            let audience = format!("{}{}", emulator.settings.base_url, path.trim_end_matches('/'));
            check_assertion(&client, assertion, &audience)?;
            "2"
        }
        (None, None) => {
            return Err(EntraError::invalid_client(
                7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.",
            ))
        }
    };

    let resource = check_scope(emulator, scope)?;
    let claims = issued_claims(
        emulator,
        &client.client_id,
        &client.roles,
        &audience_for(resource),
        method_claim,
    );
    let lifetime = emulator.settings.token_lifetime.as_secs();
    Ok(json!({
        "token_type": "Bearer",
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": emulator.signing_key.mint(&claims),
    }))
}

fn check_secret(client: &Client, secret: &str) -> Result<(), EntraError> {
    let matches = client.secrets.iter().any(|known| {
        ring::constant_time::verify_slices_are_equal(known.as_bytes(), secret.as_bytes()).is_ok()
    });
    if matches {
        return Ok(());
    }
    Err(EntraError::invalid_client(
        7000215,
        format!(
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{}' ({}).",
            client.client_id, client.display_name
        ),
    ))
}

/// Returns the resource of a `{resource}/.default` scope that means Graph, else error 70011.
fn check_scope<'a>(emulator: &Emulator, scope: &'a str) -> Result<&'a str, EntraError> {
    let invalid = |reason: &str| {
        EntraError::new(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!("The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid: {reason}"),
        )
    };
    let scopes: Vec<&str> = scope.split_whitespace().collect();
    if scopes.len() != 1 {
        return Err(invalid("the client credentials grant takes exactly one scope, '{Graph root}/.default'."));
    }
    let resource = scopes[0]
        .strip_suffix("/.default")
        .ok_or_else(|| invalid("the client credentials grant needs a scope ending in '/.default'."))?;
    if !auth::is_graph_audience(emulator, resource) {
        return Err(invalid(&format!(
            "the emulator issues tokens only for Graph: '{}/.default' or '{GRAPH_ROOT}/.default'.",
            emulator.settings.base_url
        )));
    }
    Ok(resource)
}

/// Checks an RS256 client assertion against the client's registered certificates.
fn check_assertion(
    client: &Client,
    assertion: &str,
    audience: &str,
) -> Result<(), EntraError> {
    let bad = |description: String| EntraError::invalid_client(700027, description);
    let decoded = tokens::decode(assertion)
        .map_err(|reason| bad(format!("The client assertion is not a valid JWT: {reason}.")))?;
    let algorithm = decoded.header.get("alg").and_then(Value::as_str).unwrap_or("");
    if algorithm != "RS256" {
        return Err(bad(format!(
            "The client assertion's alg is '{algorithm}'; a certificate assertion must use RS256."
        )));
    }

    let header_bytes = |name: &str| -> Result<Option<Vec<u8>>, EntraError> {
        match decoded.header.get(name) {
            None => Ok(None),
            Some(Value::String(text)) => tokens::base64url_decode(text)
                .map(Some)
                .ok_or_else(|| bad(format!("The client assertion's {name} header is not base64url."))),
            Some(_) => Err(bad(format!("The client assertion's {name} header is not a string."))),
        }
    };
    let x5t = header_bytes("x5t")?;
    let x5t_s256 = header_bytes("x5t#S256")?;
    if x5t.is_none() && x5t_s256.is_none() {
        return Err(bad(
            "The client assertion has neither an x5t nor an x5t#S256 header, so the certificate that signed it cannot be found.".to_string(),
        ));
    }
    let certificate: &Certificate = client
        .certificates
        .iter()
        .find(|certificate| {
            x5t.as_deref().map_or(true, |x5t| certificate.matches_x5t(x5t))
                && x5t_s256
                    .as_deref()
                    .map_or(true, |x5t| certificate.matches_x5t_s256(x5t))
        })
        .ok_or_else(|| {
            bad(format!(
                "The certificate with identifier used to sign the client assertion is not registered on application '{}'. Thumbprint of the key used by the client: '{}'.",
                client.client_id,
                x5t.as_deref()
                    .map(|bytes| bytes.iter().map(|byte| format!("{byte:02X}")).collect::<String>())
                    .unwrap_or_default()
            ))
        })?;
    if let Some(chain) = decoded.header.get("x5c") {
        let first = chain
            .as_array()
            .and_then(|items| items.first())
            .and_then(Value::as_str)
            .and_then(|text| base64::decode(text).ok());
        if !first.map_or(false, |der| certificate.is_der(&der)) {
            return Err(bad(
                "The client assertion's x5c header does not start with the certificate its x5t names.".to_string(),
            ));
        }
    }
    if !certificate.verify_rs256(decoded.signed_text.as_bytes(), &decoded.signature) {
        return Err(bad("Client assertion failed signature validation.".to_string()));
    }

    let claims = &decoded.claims;
    let text_claim = |name: &str| claims.get(name).and_then(Value::as_str).unwrap_or("");
    for name in ["iss", "sub"] {
        if !text_claim(name).eq_ignore_ascii_case(&client.client_id) {
            return Err(bad(format!(
                "The client assertion's {name} claim is '{}'; it must be the client id '{}'.",
                text_claim(name),
                client.client_id
            )));
        }
    }
    let audience_matches = match claims.get("aud") {
        Some(Value::String(aud)) => aud.eq_ignore_ascii_case(audience),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .any(|aud| aud.eq_ignore_ascii_case(audience)),
        _ => false,
    };
    if !audience_matches {
        return Err(bad(format!(
            "The client assertion's aud claim is {}; it must be the token endpoint '{audience}'.",
            claims.get("aud").map_or("missing".to_string(), Value::to_string)
        )));
    }
    if text_claim("jti").is_empty() {
        return Err(bad("The client assertion has no jti claim.".to_string()));
    }
    let now = clock::unix_seconds(SystemTime::now());
    let out_of_range = |description: &str| {
        EntraError::invalid_client(
            700024,
            format!("Client assertion is not within its valid time range: {description}"),
        )
    };
    match claims.get("exp").and_then(Value::as_f64) {
        None => return Err(out_of_range("it has no numeric exp claim.")),
        Some(exp) if exp + 300.0 <= now => {
            return Err(out_of_range(&format!("it expired at {exp} and now is {}.", now as u64)))
        }
        Some(_) => {}
    }
    match claims.get("nbf").and_then(Value::as_f64) {
        None => return Err(out_of_range("it has no numeric nbf claim.")),
        Some(nbf) if nbf > now + 300.0 => {
            return Err(out_of_range(&format!("its nbf {nbf} lies in the future.")))
        }
        Some(_) => {}
    }
    Ok(())
}

/// App Service's managed identity endpoint: `GET /msi/token?resource=…&api-version=2019-08-01`
/// with `X-IDENTITY-HEADER`, and optionally `client_id` or `principal_id` for a user-assigned identity.
pub fn managed_identity(
    emulator: &Emulator,
    method: &Method,
    query: &str,
    headers: &HeaderMap,
    ids: &RequestIds,
) -> Response<Body> {
    let fail = |status: StatusCode, message: String| {
        let body = json!({ "statusCode": status.as_u16(), "message": message, "correlationId": ids.client_request_id });
        json_response(status, "application/json; charset=utf-8", body.to_string(), ids)
    };
    if method != Method::GET {
        let mut response = fail(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("The managed identity endpoint takes GET; this request used {method}."),
        );
        response
            .headers_mut()
            .insert("allow", hyper::header::HeaderValue::from_static("GET"));
        return response;
    }
    let secret = headers
        .get("x-identity-header")
        .map(|value| value.as_bytes())
        .unwrap_or(b"");
    if secret.is_empty() {
        return fail(
            StatusCode::UNAUTHORIZED,
            "The X-IDENTITY-HEADER header is missing. Send the value of IDENTITY_HEADER.".to_string(),
        );
    }
    if ring::constant_time::verify_slices_are_equal(
        secret,
        emulator.settings.identity_header.as_bytes(),
    )
    .is_err()
    {
        return fail(
            StatusCode::UNAUTHORIZED,
            "The X-IDENTITY-HEADER header does not match this emulator's identity secret.".to_string(),
        );
    }

    let parameters: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let parameter = |name: &str| {
        parameters
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    };
    match parameter("api-version") {
        Some(MSI_API_VERSION) => {}
        Some(other) => {
            return fail(
                StatusCode::BAD_REQUEST,
                format!("The api-version '{other}' is not supported; use {MSI_API_VERSION}."),
            )
        }
        None => {
            return fail(
                StatusCode::BAD_REQUEST,
                format!("The api-version query parameter is missing; use {MSI_API_VERSION}."),
            )
        }
    }
    let resource = match parameter("resource") {
        Some(resource) => resource,
        None => {
            return fail(
                StatusCode::BAD_REQUEST,
                "The resource query parameter is missing; use https://graph.microsoft.com.".to_string(),
            )
        }
    };
    if !auth::is_graph_audience(emulator, resource) {
        return fail(
            StatusCode::BAD_REQUEST,
            format!(
                "AADSTS500011: The resource principal named '{resource}' was not found in the tenant '{}'. The emulator issues tokens only for Graph ({GRAPH_ROOT} or {}).",
                emulator.tenant.tenant_id, emulator.settings.base_url
            ),
        );
    }
    if parameter("mi_res_id").is_some() || parameter("msi_res_id").is_some() {
        return fail(
            StatusCode::BAD_REQUEST,
            "The emulator selects user-assigned identities by client_id or principal_id, not by resource id.".to_string(),
        );
    }

    let identities = &emulator.tenant.managed_identities;
    let identity = match (parameter("client_id"), parameter("principal_id")) {
        (Some(client_id), _) => identities
            .iter()
            .find(|identity| identity.client_id.eq_ignore_ascii_case(client_id)),
        (None, Some(principal_id)) => identities
            .iter()
            .find(|identity| identity.principal_id.eq_ignore_ascii_case(principal_id)),
        (None, None) => identities.iter().find(|identity| identity.system_assigned),
    };
    let identity = match identity {
        Some(identity) => identity,
        None => {
            return fail(
                StatusCode::BAD_REQUEST,
                "No managed identity found for the specified client_id or principal_id (or no system-assigned identity when neither is given).".to_string(),
            )
        }
    };

    let audience = audience_for(resource);
    let claims = issued_claims(emulator, &identity.client_id, &identity.roles, &audience, "2");
    let expires_on = claims.get("exp").and_then(Value::as_u64).unwrap_or(0);
    let body = json!({
        "access_token": emulator.signing_key.mint(&claims),
        "expires_on": expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
        "client_id": identity.client_id,
    });
    json_response(StatusCode::OK, "application/json; charset=utf-8", body.to_string(), ids)
}
