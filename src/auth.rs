//! Sign-in: where access tokens come from, how they are cached and renewed.
//!
//! A context holds either a token the caller brought, or a credential from which the core
//! requests tokens itself: a client secret or a certificate (the OAuth 2.0 client-credentials
//! grant against Microsoft Entra ID), or a managed identity in the App Service style
//! (IDENTITY_ENDPOINT with the IDENTITY_HEADER secret). Tokens are cached until five minutes
//! before they expire. Secrets are kept in zeroizing buffers and never appear in messages.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex as AsyncMutex;
use zeroize::Zeroizing;

use crate::status::{Error, MgStatus, Result};

/// How long before expiry a cached token is renewed.
const RENEW_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// The lifetime of a client assertion.
const ASSERTION_LIFETIME: Duration = Duration::from_secs(600);

/// The options of a credential, as JSON from the caller; the secret itself travels apart.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CredentialOptions {
    /// `clientSecret`, `certificate` or `managedIdentity`.
    pub kind: String,
    /// The sign-in authority, such as `https://login.microsoftonline.com`.
    #[serde(default)]
    pub authority_endpoint: Option<String>,
    /// The tenant id or domain.
    #[serde(default)]
    pub tenant_id: Option<String>,
    /// The application (client) id; for a managed identity, the user-assigned identity's client id.
    #[serde(default)]
    pub client_id: Option<String>,
    /// The certificate in DER form, base64, for `certificate`.
    #[serde(default)]
    pub certificate_der: Option<String>,
    /// The certificates of the chain in DER form, base64, leaf first, sent as x5c on request.
    #[serde(default)]
    pub chain_der: Vec<String>,
    /// Whether to send the chain (x5c) in the assertion's header.
    #[serde(default)]
    pub send_certificate_chain: bool,
    /// The managed-identity endpoint (IDENTITY_ENDPOINT), for `managedIdentity`.
    #[serde(default)]
    pub identity_endpoint: Option<String>,
}

/// A source of access tokens.
pub(crate) enum Credential {
    /// A token the caller brought; it is never renewed.
    Static(Zeroizing<String>),
    /// The client-credentials grant with a client secret.
    ClientSecret { token_url: String, client_id: String, secret: Zeroizing<String> },
    /// The client-credentials grant with an RS256 client assertion.
    Certificate { token_url: String, client_id: String, key: Zeroizing<Vec<u8>>, thumbprint_sha1: String, thumbprint_sha256: String, chain: Option<Vec<String>> },
    /// An App Service style managed-identity endpoint.
    ManagedIdentity { endpoint: String, header: Zeroizing<String>, client_id: Option<String> },
}

/// A token and when it expires.
pub(crate) struct CachedToken {
    pub token: Zeroizing<String>,
    pub expires_at: SystemTime,
}

/// Tokens for one context: the credential and the cached token.
pub(crate) struct TokenSource {
    credential: Credential,
    scope: String,
    cache: AsyncMutex<Option<CachedToken>>,
}

impl TokenSource {
    /// A source that always returns the caller's token.
    pub fn fixed(token: &str) -> Self {
        TokenSource { credential: Credential::Static(Zeroizing::new(token.to_string())), scope: String::new(), cache: AsyncMutex::new(None) }
    }

    /// Checks the options and the secret and builds a source; no request is sent yet.
    pub fn from_options(options: &CredentialOptions, secret: Zeroizing<Vec<u8>>, graph_endpoint: &str) -> Result<Self> {
        let scope = format!("{}/.default", graph_endpoint.trim_end_matches('/'));
        let credential = match options.kind.as_str() {
            "clientSecret" => {
                let secret = String::from_utf8(secret.to_vec()).map_err(|_| invalid("ClientSecretCredential", "The client secret is not valid UTF-8."))?;
                if secret.is_empty() {
                    return Err(invalid("ClientSecretCredential", "The client secret is empty; pass the secret as the credential's password."));
                }
                Credential::ClientSecret { token_url: token_url(options)?, client_id: required(&options.client_id, "ClientId")?, secret: Zeroizing::new(secret) }
            }
            "certificate" => {
                let certificate = base64::decode(options.certificate_der.as_deref().unwrap_or_default())
                    .map_err(|_| invalid("Certificate", "The certificate is not valid base64 DER."))?;
                if certificate.is_empty() {
                    return Err(invalid("Certificate", "The certificate is missing."));
                }
                ring::signature::RsaKeyPair::from_pkcs8(&secret).map_err(|rejected| {
                    invalid("Certificate", format!("The certificate's private key cannot sign RS256 assertions ({rejected}); use an RSA key of 2048 bits or more."))
                })?;
                let chain = if options.send_certificate_chain {
                    let chain = if options.chain_der.is_empty() { vec![base64::encode(&certificate)] } else { options.chain_der.clone() };
                    Some(chain)
                } else {
                    None
                };
                Credential::Certificate {
                    token_url: token_url(options)?,
                    client_id: required(&options.client_id, "ClientId")?,
                    key: Zeroizing::new(secret.to_vec()),
                    thumbprint_sha1: base64url(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &certificate).as_ref()),
                    thumbprint_sha256: base64url(ring::digest::digest(&ring::digest::SHA256, &certificate).as_ref()),
                    chain,
                }
            }
            "managedIdentity" => {
                let endpoint = options.identity_endpoint.clone().unwrap_or_default();
                check_identity_endpoint(&endpoint)?;
                let header = String::from_utf8(secret.to_vec()).map_err(|_| invalid("IDENTITY_HEADER", "IDENTITY_HEADER is not valid UTF-8."))?;
                if header.is_empty() {
                    return Err(invalid("IDENTITY_HEADER", "IDENTITY_HEADER is not set; managed identity works where App Service or Functions set IDENTITY_ENDPOINT and IDENTITY_HEADER."));
                }
                Credential::ManagedIdentity { endpoint, header: Zeroizing::new(header), client_id: options.client_id.clone().filter(|id| !id.is_empty()) }
            }
            other => return Err(invalid("kind", format!("Unknown credential kind '{other}'; use clientSecret, certificate or managedIdentity."))),
        };
        Ok(TokenSource { credential, scope, cache: AsyncMutex::new(None) })
    }

    /// Whether a new token can be requested, so that a 401 is worth one renewal.
    pub fn renewable(&self) -> bool {
        !matches!(self.credential, Credential::Static(_))
    }

    /// Returns a valid token: the cached one until five minutes before it expires, else a new one.
    pub async fn token(&self, client: &reqwest::Client, force_renewal: bool) -> Result<Zeroizing<String>> {
        if let Credential::Static(token) = &self.credential {
            return Ok(token.clone());
        }
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            if !force_renewal && SystemTime::now() + RENEW_BEFORE_EXPIRY < cached.expires_at {
                return Ok(cached.token.clone());
            }
        }
        let fresh = self.request(client).await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    /// The claims of the current token, for Get-MgContext; never the token itself.
    pub async fn claims(&self) -> Option<(Value, Option<u64>)> {
        if let Credential::Static(token) = &self.credential {
            let claims = token_claims(token).unwrap_or(Value::Null);
            let expires = claims.get("exp").and_then(Value::as_u64);
            return Some((claims, expires));
        }
        let cache = self.cache.lock().await;
        let cached = cache.as_ref()?;
        let expires = cached.expires_at.duration_since(UNIX_EPOCH).ok().map(|duration| duration.as_secs());
        Some((token_claims(&cached.token).unwrap_or(Value::Null), expires))
    }

    async fn request(&self, client: &reqwest::Client) -> Result<CachedToken> {
        match &self.credential {
            Credential::Static(_) => unreachable!("a fixed token is returned before any request"),
            Credential::ClientSecret { token_url, client_id, secret } => {
                let form = Zeroizing::new(
                    url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("client_id", client_id)
                        .append_pair("scope", &self.scope)
                        .append_pair("grant_type", "client_credentials")
                        .append_pair("client_secret", secret)
                        .finish(),
                );
                post_token_form(client, token_url, form).await
            }
            Credential::Certificate { token_url, client_id, key, thumbprint_sha1, thumbprint_sha256, chain } => {
                let assertion = Zeroizing::new(client_assertion(token_url, client_id, key, thumbprint_sha1, thumbprint_sha256, chain.as_deref())?);
                let form = Zeroizing::new(
                    url::form_urlencoded::Serializer::new(String::new())
                        .append_pair("client_id", client_id)
                        .append_pair("scope", &self.scope)
                        .append_pair("grant_type", "client_credentials")
                        .append_pair("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
                        .append_pair("client_assertion", &assertion)
                        .finish(),
                );
                post_token_form(client, token_url, form).await
            }
            Credential::ManagedIdentity { endpoint, header, client_id } => {
                let resource = self.scope.trim_end_matches("/.default");
                let mut url = url::Url::parse(endpoint).map_err(|error| invalid("IDENTITY_ENDPOINT", format!("IDENTITY_ENDPOINT is not a URL ({error}).")))?;
                url.query_pairs_mut().append_pair("resource", resource).append_pair("api-version", "2019-08-01");
                if let Some(client_id) = client_id {
                    url.query_pairs_mut().append_pair("client_id", client_id);
                }
                let response = client
                    .get(url)
                    .header("X-IDENTITY-HEADER", header.as_str())
                    .send()
                    .await
                    .map_err(|error| sign_in_transport_error(&error, endpoint))?;
                read_token_response(response, "managed identity").await
            }
        }
    }
}

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::at(MgStatus::InvalidCredential, field, message)
}

fn required(value: &Option<String>, field: &str) -> Result<String> {
    value.clone().filter(|text| !text.trim().is_empty()).ok_or_else(|| invalid(field, format!("-{field} is missing; pass the application (client) id.")))
}

fn token_url(options: &CredentialOptions) -> Result<String> {
    let authority = options.authority_endpoint.as_deref().unwrap_or("https://login.microsoftonline.com").trim_end_matches('/');
    let tenant = options.tenant_id.as_deref().unwrap_or_default().trim();
    if tenant.is_empty() {
        return Err(invalid("TenantId", "-TenantId is missing; app-only sign-in needs the tenant id or domain."));
    }
    if !tenant.bytes().all(|byte| byte.is_ascii_alphanumeric() || b"-._".contains(&byte)) {
        return Err(invalid("TenantId", format!("The tenant '{tenant}' is not a tenant id or domain name.")));
    }
    let url = format!("{authority}/{tenant}/oauth2/v2.0/token");
    check_secure(&url, "AzureADEndpoint")?;
    Ok(url)
}

/// Rejects plain http to a host that is not loopback, so a secret never travels unencrypted.
fn check_secure(url: &str, field: &str) -> Result<()> {
    let parsed = url::Url::parse(url).map_err(|error| invalid(field, format!("'{url}' is not an absolute URL ({error}).")))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => address.is_loopback(),
        Some(url::Host::Ipv6(address)) => address.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(Error::at(MgStatus::InsecureEndpoint, field, format!("'{url}' must use https; plain http is allowed to loopback hosts only."))),
    }
}

fn check_identity_endpoint(endpoint: &str) -> Result<()> {
    if endpoint.is_empty() {
        return Err(invalid(
            "IDENTITY_ENDPOINT",
            "IDENTITY_ENDPOINT is not set; managed identity works where App Service or Functions set IDENTITY_ENDPOINT and IDENTITY_HEADER.",
        ));
    }
    let parsed = url::Url::parse(endpoint).map_err(|error| invalid("IDENTITY_ENDPOINT", format!("IDENTITY_ENDPOINT '{endpoint}' is not a URL ({error}).")))?;
    // The instance metadata service is a different protocol that this module does not speak.
    if parsed.host_str() == Some("169.254.169.254") {
        return Err(invalid("IDENTITY_ENDPOINT", "IDENTITY_ENDPOINT points at the instance metadata service, which is not supported; use the App Service style endpoint."));
    }
    check_secure(endpoint, "IDENTITY_ENDPOINT")
}

/// Builds the RS256 client assertion: aud is the token endpoint, iss and sub the client id.
fn client_assertion(token_url: &str, client_id: &str, key: &[u8], sha1: &str, sha256: &str, chain: Option<&[String]>) -> Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
    let mut header = json!({ "alg": "RS256", "typ": "JWT", "x5t": sha1, "x5t#S256": sha256 });
    if let Some(chain) = chain {
        header["x5c"] = json!(chain);
    }
    let claims = json!({
        "aud": token_url, "iss": client_id, "sub": client_id, "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now, "iat": now, "exp": now + ASSERTION_LIFETIME.as_secs(),
    });
    let signing_input = format!("{}.{}", base64url(header.to_string().as_bytes()), base64url(claims.to_string().as_bytes()));

    let key_pair = ring::signature::RsaKeyPair::from_pkcs8(key).map_err(|rejected| invalid("Certificate", format!("The private key was rejected ({rejected}).")))?;
    let mut signature = vec![0; key_pair.public_modulus_len()];
    key_pair
        .sign(&ring::signature::RSA_PKCS1_SHA256, &ring::rand::SystemRandom::new(), signing_input.as_bytes(), &mut signature)
        .map_err(|_| Error::new(MgStatus::Internal, "Signing the client assertion failed."))?;
    Ok(format!("{signing_input}.{}", base64url(&signature)))
}

async fn post_token_form(client: &reqwest::Client, token_url: &str, form: Zeroizing<String>) -> Result<CachedToken> {
    let response = client
        .post(token_url)
        .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form.to_string())
        .send()
        .await
        .map_err(|error| sign_in_transport_error(&error, token_url))?;
    read_token_response(response, "Microsoft Entra ID").await
}

fn sign_in_transport_error(error: &reqwest::Error, url: &str) -> Error {
    let host = url::Url::parse(url).ok().and_then(|url| url.host_str().map(str::to_string)).unwrap_or_default();
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    Error::new(MgStatus::ConnectFailed, format!("Sign-in could not reach '{host}': {cause}."))
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<Value>,
    expires_on: Option<Value>,
    error: Option<String>,
    error_description: Option<String>,
    #[serde(default)]
    error_codes: Vec<i64>,
    trace_id: Option<String>,
    correlation_id: Option<String>,
    /// The App Service managed-identity endpoint reports errors as `message` and `correlationId`.
    message: Option<String>,
    #[serde(rename = "correlationId")]
    correlation_id_camel: Option<String>,
}

async fn read_token_response(response: reqwest::Response, issuer: &str) -> Result<CachedToken> {
    let status = response.status().as_u16();
    let text = Zeroizing::new(response.text().await.map_err(|error| Error::new(MgStatus::TransportFailed, format!("Reading the answer of {issuer} failed: {error}.")))?);
    let answer: TokenAnswer = serde_json::from_str(&text).map_err(|_| {
        Error::new(MgStatus::AuthenticationFailed, format!("{issuer} answered status {status} with a body that is not a token response."))
    })?;

    if let Some(token) = answer.access_token.filter(|token| !token.is_empty() && (200..300).contains(&status)) {
        let now = SystemTime::now();
        let expires_at = seconds(&answer.expires_on)
            .map(|on| UNIX_EPOCH + Duration::from_secs(on))
            .or_else(|| seconds(&answer.expires_in).map(|lifetime| now + Duration::from_secs(lifetime)))
            .unwrap_or(now + Duration::from_secs(3600));
        return Ok(CachedToken { token: Zeroizing::new(token), expires_at });
    }

    let code = answer.error_codes.first().map(|code| format!("AADSTS{code}")).or_else(|| answer.error.clone()).unwrap_or_else(|| format!("HTTP{status}"));
    let description = answer
        .error_description
        .or(answer.message)
        .unwrap_or_else(|| format!("{issuer} answered status {status} without a token."));
    let first_line = description.lines().next().unwrap_or_default().to_string();
    let mut error = Error::new(MgStatus::AuthenticationFailed, format!("Sign-in failed: {first_line}"));
    error.details = Some(Box::new(json!({
        "code": code,
        "oauthError": answer.error,
        "statusCode": status,
        "traceId": answer.trace_id,
        "correlationId": answer.correlation_id.or(answer.correlation_id_camel),
    })));
    Err(error)
}

fn seconds(value: &Option<Value>) -> Option<u64> {
    match value.as_ref()? {
        Value::Number(number) => number.as_u64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// Decodes a JWT's claims without checking it; `None` for an opaque token.
pub fn token_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::decode_config(payload, base64::URL_SAFE_NO_PAD).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Encodes bytes as unpadded base64url, as JWTs use it.
pub fn base64url(bytes: &[u8]) -> String {
    base64::encode_config(bytes, base64::URL_SAFE_NO_PAD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(kind: &str) -> CredentialOptions {
        serde_json::from_value(json!({ "kind": kind, "tenantId": "contoso.example", "clientId": "app" })).unwrap()
    }

    #[test]
    fn client_secret_checked() {
        let empty = TokenSource::from_options(&options("clientSecret"), Zeroizing::new(Vec::new()), "https://graph.microsoft.com");
        assert_eq!(empty.err().unwrap().status, MgStatus::InvalidCredential);

        let mut no_tenant = options("clientSecret");
        no_tenant.tenant_id = None;
        let error = TokenSource::from_options(&no_tenant, Zeroizing::new(b"s".to_vec()), "https://graph.microsoft.com").err().unwrap();
        assert_eq!(error.field.as_deref(), Some("TenantId"));
    }

    #[test]
    fn plain_http_authority_only_to_loopback() {
        let mut remote = options("clientSecret");
        remote.authority_endpoint = Some("http://login.example.com".into());
        let error = TokenSource::from_options(&remote, Zeroizing::new(b"s".to_vec()), "https://graph.microsoft.com").err().unwrap();
        assert_eq!(error.status, MgStatus::InsecureEndpoint);

        remote.authority_endpoint = Some("http://127.0.0.1:8080".into());
        assert!(TokenSource::from_options(&remote, Zeroizing::new(b"s".to_vec()), "https://graph.microsoft.com").is_ok());
    }

    #[test]
    fn metadata_service_never_used() {
        let mut identity = options("managedIdentity");
        identity.identity_endpoint = Some("http://169.254.169.254/metadata/identity/oauth2/token".into());
        let error = TokenSource::from_options(&identity, Zeroizing::new(b"h".to_vec()), "https://graph.microsoft.com").err().unwrap();
        assert!(error.message.contains("instance metadata service"));

        identity.identity_endpoint = None;
        let error = TokenSource::from_options(&identity, Zeroizing::new(b"h".to_vec()), "https://graph.microsoft.com").err().unwrap();
        assert_eq!(error.field.as_deref(), Some("IDENTITY_ENDPOINT"));
    }

    #[test]
    fn key_that_is_not_rsa_pkcs8_rejected() {
        let mut certificate = options("certificate");
        certificate.certificate_der = Some(base64::encode(b"not really a certificate"));
        let error = TokenSource::from_options(&certificate, Zeroizing::new(b"not a key".to_vec()), "https://graph.microsoft.com").err().unwrap();
        assert_eq!(error.status, MgStatus::InvalidCredential);
        assert!(error.message.contains("private key"));
    }

    #[test]
    fn claims_decoded_from_jwt() {
        let token = format!("{}.{}.", base64url(b"{\"alg\":\"none\"}"), base64url(b"{\"tid\":\"t\",\"roles\":[\"A\"]}"));
        assert_eq!(token_claims(&token).unwrap()["tid"], "t");
        assert!(token_claims("opaque").is_none());
    }
}
