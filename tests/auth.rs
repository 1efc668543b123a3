//! Sign-in through the C ABI: client secret, certificate and managed identity against loopback
//! token servers, token caching, renewal, the 401-then-renew path, and Entra's errors.

mod support;

use std::ffi::CString;
use std::process::Command;
use std::ptr;

use mg_provisioning::abi::*;
use mg_provisioning::auth::base64url;
use mg_provisioning::MgStatus;
use serde_json::{json, Value};
use support::*;

const SUCCESS_BODY: &str = r#"{"key":"{\"result\":\"Success\",\"details\":{}}","value":"{}"}"#;
const SECRET: &str = "s3cret-Value~With.Marks";

fn jwt(claims: Value) -> String {
    format!("{}.{}.", base64url(br#"{"alg":"none","typ":"JWT"}"#), base64url(claims.to_string().as_bytes()))
}

fn token_reply(token: &str, expires_in: u64) -> Reply {
    json_reply(200, &[], &json!({ "token_type": "Bearer", "expires_in": expires_in, "access_token": token }).to_string())
}

fn credential_context(graph: &str, options: Value, secret: &[u8]) -> Result<*mut MgContext, MgStatus> {
    let mut context = ptr::null_mut();
    let endpoint = CString::new(graph).unwrap();
    let options = CString::new(options.to_string()).unwrap();
    let agent = CString::new("auth-tests/1.0").unwrap();
    let status = unsafe { mg_context_new_with_credential(endpoint.as_ptr(), options.as_ptr(), secret.as_ptr(), secret.len(), agent.as_ptr(), &mut context) };
    if status == MgStatus::Ok {
        Ok(context)
    } else {
        Err(status)
    }
}

fn sign_in(context: *mut MgContext) -> (MgStatus, Value) {
    unsafe {
        let mut call = ptr::null_mut();
        assert_eq!(mg_context_sign_in(context, 10_000, &mut call), MgStatus::Ok);
        let status = loop {
            let status = mg_call_wait(call, 100);
            if status != MgStatus::Pending {
                break status;
            }
        };
        let outcome = take_outcome(call);
        mg_call_free(call);
        (status, outcome)
    }
}

fn call_envelope(application_id: &str) -> String {
    let mut envelope: Value = serde_json::from_str(&user_envelope(application_id, "job")).unwrap();
    envelope["pacing"] = json!({ "enabled": false });
    envelope.to_string()
}

fn form_value(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes()).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

#[test]
fn client_secret_signs_in_and_caches_the_token() {
    let token = jwt(json!({ "tid": "tenant-1", "appid": "client-1", "roles": ["Synchronization.ReadWrite.All"] }));
    let authority = TestServer::start(token_reply(&token, 3599));
    let graph = TestServer::json(200, SUCCESS_BODY);
    let options = json!({ "kind": "clientSecret", "authorityEndpoint": authority.url, "tenantId": "tenant-1", "clientId": "client-1" });
    let context = credential_context(&graph.url, options, SECRET.as_bytes()).unwrap();

    let (status, outcome) = sign_in(context);
    assert_eq!(status, MgStatus::Ok, "{outcome}");
    assert_eq!(outcome["signIn"]["claims"]["roles"][0], "Synchronization.ReadWrite.All");
    assert!(outcome["signIn"]["expiresOn"].as_u64().unwrap() > 0);
    assert!(!outcome.to_string().contains(&token));

    run(context, &call_envelope("secret-1"));
    run(context, &call_envelope("secret-2"));

    let token_requests = authority.requests();
    assert_eq!(token_requests.len(), 1);
    let request = &token_requests[0];
    assert_eq!(request.path, "/tenant-1/oauth2/v2.0/token");
    assert_eq!(request.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(form_value(&request.body, "grant_type").as_deref(), Some("client_credentials"));
    assert_eq!(form_value(&request.body, "client_id").as_deref(), Some("client-1"));
    assert_eq!(form_value(&request.body, "client_secret").as_deref(), Some(SECRET));
    assert_eq!(form_value(&request.body, "scope"), Some(format!("{}/.default", graph.url)));
    let calls = graph.requests();
    assert_eq!(calls.len(), 2);
    assert!(calls.iter().all(|call| call.header("authorization") == Some(&format!("Bearer {token}"))));
    unsafe { mg_context_free(context) };
}

#[test]
fn wrong_secret_reports_entra_code_without_the_secret() {
    let refusal = json!({
        "error": "invalid_client",
        "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value.\r\nTrace ID: t\r\nCorrelation ID: c",
        "error_codes": [7000215], "timestamp": "2026-12-04 21:00:00Z", "trace_id": "trace-1", "correlation_id": "correlation-1"
    });
    let authority = TestServer::start(json_reply(401, &[], &refusal.to_string()));
    let options = json!({ "kind": "clientSecret", "authorityEndpoint": authority.url, "tenantId": "tenant-1", "clientId": "client-1" });
    let context = credential_context("http://127.0.0.1:9", options, SECRET.as_bytes()).unwrap();

    let (status, outcome) = sign_in(context);

    assert_eq!(status, MgStatus::AuthenticationFailed);
    let error = &outcome["error"];
    assert_eq!(error["code"], "AADSTS7000215");
    assert_eq!(error["oauthError"], "invalid_client");
    assert_eq!(error["traceId"], "trace-1");
    assert_eq!(error["correlationId"], "correlation-1");
    assert!(error["message"].as_str().unwrap().starts_with("Sign-in failed: AADSTS7000215: Invalid client secret provided."));
    assert!(!outcome.to_string().contains(SECRET));
    unsafe { mg_context_free(context) };
}

#[test]
fn credential_options_checked_before_any_request() {
    for (options, secret, expected) in [
        (json!({ "kind": "clientSecret", "tenantId": "t", "clientId": "c" }), &b""[..], MgStatus::InvalidCredential),
        (json!({ "kind": "clientSecret", "clientId": "c" }), &b"s"[..], MgStatus::InvalidCredential),
        (json!({ "kind": "clientSecret", "tenantId": "t", "clientId": "c", "authorityEndpoint": "http://login.example.com" }), &b"s"[..], MgStatus::InsecureEndpoint),
        (json!({ "kind": "managedIdentity" }), &b"h"[..], MgStatus::InvalidCredential),
        (json!({ "kind": "password" }), &b"s"[..], MgStatus::InvalidCredential),
    ] {
        assert_eq!(credential_context("https://graph.microsoft.com", options.clone(), secret).err(), Some(expected), "{options}");
    }
    let mut context = ptr::null_mut();
    let endpoint = CString::new("https://graph.microsoft.com").unwrap();
    let not_json = CString::new("{").unwrap();
    let status = unsafe { mg_context_new_with_credential(endpoint.as_ptr(), not_json.as_ptr(), ptr::null(), 0, endpoint.as_ptr(), &mut context) };
    assert_eq!(status, MgStatus::InvalidRequestJson);
    assert!(context.is_null());
}

#[test]
fn short_lived_tokens_are_renewed() {
    // A token within five minutes of expiry is renewed before the next call.
    let authority = TestServer::sequence(vec![token_reply("first.token.", 60), token_reply("second.token.", 60), token_reply("third.token.", 3600)]);
    let graph = TestServer::json(200, SUCCESS_BODY);
    let options = json!({ "kind": "clientSecret", "authorityEndpoint": authority.url, "tenantId": "t", "clientId": "c" });
    let context = credential_context(&graph.url, options, SECRET.as_bytes()).unwrap();

    sign_in(context);
    run(context, &call_envelope("renew-1"));
    run(context, &call_envelope("renew-2"));
    run(context, &call_envelope("renew-3"));

    assert_eq!(authority.requests().len(), 3);
    let used: Vec<_> = graph.requests().iter().map(|call| call.header("authorization").unwrap().to_string()).collect();
    assert_eq!(used, ["Bearer second.token.", "Bearer third.token.", "Bearer third.token."]);
    unsafe { mg_context_free(context) };
}

#[test]
fn unauthorized_answer_renews_once_and_resends() {
    let authority = TestServer::sequence(vec![token_reply("old.token.", 3600), token_reply("new.token.", 3600)]);
    let unauthorized = r#"{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}"#;
    let graph = TestServer::sequence(vec![json_reply(401, &[], unauthorized), json_reply(200, &[], SUCCESS_BODY), json_reply(401, &[], unauthorized)]);
    let options = json!({ "kind": "clientSecret", "authorityEndpoint": authority.url, "tenantId": "t", "clientId": "c" });
    let context = credential_context(&graph.url, options, SECRET.as_bytes()).unwrap();
    sign_in(context);

    let (status, _) = run(context, &call_envelope("unauthorized-1"));
    assert_eq!(status, MgStatus::Ok);
    let calls = graph.requests();
    assert_eq!(calls[0].header("authorization"), Some("Bearer old.token."));
    assert_eq!(calls[1].header("authorization"), Some("Bearer new.token."));

    // A second 401 after the renewal is reported, not renewed again.
    let (status, outcome) = run(context, &call_envelope("unauthorized-2"));
    assert_eq!(status, MgStatus::HttpError, "{outcome}");
    unsafe { mg_context_free(context) };
}

#[test]
fn fixed_token_is_not_renewed_on_unauthorized() {
    let graph = TestServer::json(401, r#"{"error":{"code":"InvalidAuthenticationToken","message":"expired"}}"#);
    let context = context(&graph.url, "fixed.token.");

    let (status, outcome) = run(context, &call_envelope("fixed"));

    assert_eq!(status, MgStatus::HttpError);
    assert_eq!(outcome["error"]["code"], "InvalidAuthenticationToken");
    assert_eq!(graph.requests().len(), 1);
    unsafe { mg_context_free(context) };
}

#[test]
fn managed_identity_app_service_style() {
    let token = jwt(json!({ "oid": "identity-1" }));
    let expires_on = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600).to_string();
    let identity = TestServer::start(json_reply(200, &[], &json!({ "access_token": token, "expires_on": expires_on, "resource": "r", "token_type": "Bearer" }).to_string()));
    let graph = TestServer::json(200, SUCCESS_BODY);
    let options = json!({ "kind": "managedIdentity", "identityEndpoint": format!("{}/msi/token", identity.url), "clientId": "user-assigned-1" });
    let context = credential_context(&graph.url, options, b"identity-header-secret").unwrap();

    let (status, outcome) = sign_in(context);

    assert_eq!(status, MgStatus::Ok, "{outcome}");
    assert_eq!(outcome["signIn"]["expiresOn"].as_u64().unwrap().to_string(), expires_on);
    let request = &identity.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.header("x-identity-header"), Some("identity-header-secret"));
    let query = request.path.split_once('?').unwrap().1;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    assert!(pairs.contains(&("resource".into(), graph.url.clone())));
    assert!(pairs.contains(&("api-version".into(), "2019-08-01".into())));
    assert!(pairs.contains(&("client_id".into(), "user-assigned-1".into())));
    assert!(!outcome.to_string().contains("identity-header-secret"));
    unsafe { mg_context_free(context) };
}

#[test]
fn managed_identity_error_message_kept() {
    let refusal = json!({ "statusCode": 401, "message": "The X-IDENTITY-HEADER header does not match.", "correlationId": "c-9" });
    let identity = TestServer::start(json_reply(401, &[], &refusal.to_string()));
    let options = json!({ "kind": "managedIdentity", "identityEndpoint": format!("{}/msi/token", identity.url) });
    let context = credential_context("http://127.0.0.1:9", options, b"wrong-header").unwrap();

    let (status, outcome) = sign_in(context);

    assert_eq!(status, MgStatus::AuthenticationFailed);
    assert_eq!(outcome["error"]["message"], "Sign-in failed: The X-IDENTITY-HEADER header does not match.");
    assert_eq!(outcome["error"]["correlationId"], "c-9");
    assert!(!outcome.to_string().contains("wrong-header"));
    unsafe { mg_context_free(context) };
}

/// A throwaway RSA key and self-signed certificate made with the openssl command.
struct TestCertificate {
    key_pkcs8_der: Vec<u8>,
    certificate_der: Vec<u8>,
    public_key_pkcs1_der: Vec<u8>,
}

fn make_certificate() -> TestCertificate {
    let directory = std::env::temp_dir().join(format!("mg-auth-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let path = |name: &str| directory.join(name).to_string_lossy().into_owned();
    let openssl = |arguments: &[&str]| {
        let status = Command::new("openssl").args(arguments).stderr(std::process::Stdio::null()).status().expect("the openssl command runs");
        assert!(status.success(), "openssl {arguments:?} failed");
    };
    openssl(&["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &path("key.pem"), "-out", &path("cert.pem"), "-days", "1", "-subj", "/CN=mg-auth-test"]);
    openssl(&["pkcs8", "-topk8", "-nocrypt", "-in", &path("key.pem"), "-outform", "DER", "-out", &path("key.der")]);
    openssl(&["x509", "-in", &path("cert.pem"), "-outform", "DER", "-out", &path("cert.der")]);
    openssl(&["rsa", "-in", &path("key.pem"), "-RSAPublicKey_out", "-outform", "DER", "-out", &path("public.der")]);
    let certificate = TestCertificate {
        key_pkcs8_der: std::fs::read(path("key.der")).unwrap(),
        certificate_der: std::fs::read(path("cert.der")).unwrap(),
        public_key_pkcs1_der: std::fs::read(path("public.der")).unwrap(),
    };
    std::fs::remove_dir_all(&directory).ok();
    certificate
}

#[test]
fn certificate_signs_a_verifiable_client_assertion() {
    let certificate = make_certificate();
    let authority = TestServer::start(token_reply("cert.token.", 3600));
    let options = json!({
        "kind": "certificate", "authorityEndpoint": authority.url, "tenantId": "tenant-1", "clientId": "client-1",
        "certificateDer": base64::encode(&certificate.certificate_der), "sendCertificateChain": true
    });
    let context = credential_context("http://127.0.0.1:9", options, &certificate.key_pkcs8_der).unwrap();

    let (status, outcome) = sign_in(context);
    assert_eq!(status, MgStatus::Ok, "{outcome}");

    let body = &authority.requests()[0].body;
    assert_eq!(form_value(body, "client_assertion_type").as_deref(), Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
    assert_eq!(form_value(body, "client_secret"), None);
    let assertion = form_value(body, "client_assertion").unwrap();
    let parts: Vec<&str> = assertion.split('.').collect();
    assert_eq!(parts.len(), 3);
    let decode = |part: &str| -> Value { serde_json::from_slice(&base64::decode_config(part, base64::URL_SAFE_NO_PAD).unwrap()).unwrap() };
    let header = decode(parts[0]);
    let claims = decode(parts[1]);
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &certificate.certificate_der);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["x5t"], base64url(sha1.as_ref()));
    assert_eq!(header["x5c"][0], base64::encode(&certificate.certificate_der));
    assert_eq!(claims["aud"], format!("{}/tenant-1/oauth2/v2.0/token", authority.url));
    assert_eq!(claims["iss"], "client-1");
    assert_eq!(claims["sub"], "client-1");
    assert!(claims["exp"].as_u64().unwrap() > claims["nbf"].as_u64().unwrap());
    assert!(claims["jti"].as_str().unwrap().len() >= 32);

    let signature = base64::decode_config(parts[2], base64::URL_SAFE_NO_PAD).unwrap();
    let public_key = ring::signature::UnparsedPublicKey::new(&ring::signature::RSA_PKCS1_2048_8192_SHA256, &certificate.public_key_pkcs1_der);
    public_key.verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &signature).expect("the assertion's signature verifies");
    unsafe { mg_context_free(context) };
}
