//! Takes each HTTP request, decides which rule answers it, logs it and writes the answer.
//!
//! Served:
//! - `POST /{beta|v1.0}/{applications|servicePrincipals}/{id}/synchronization/jobs/{jobId}/{action}`
//!   where `{action}` is `provisionOnDemand` or `microsoft.graph.provisionOnDemand`;
//! - `GET …/synchronization/jobs`, `GET …/jobs/{jobId}` and `GET …/jobs/{jobId}/schema`;
//! - `POST /{tenant}/oauth2/v2.0/token` and `GET /msi/token` (see `token_service`);
//! - with `--control`, the control API under `/_emulator/`.
//!
//! A queued fault (see `faults`) that matches a request acts before all of this.
//!
//! provisionOnDemand checks run in this order, the first failing one answering:
//! 1. the path is a served route (404 `NotFound`), the method is POST (405 `MethodNotAllowed`);
//! 2. the bearer token (401 `InvalidAuthenticationToken`) and its permissions (403 `Authorization_RequestDenied`);
//! 3. the body is at most 1 MB (413 `RequestEntityTooLarge`);
//! 4. `Content-Type` is `application/json` (415 `UnsupportedMediaType`);
//! 5. the body is a JSON object with a `parameters` array of well-formed entries (400 `BadRequest`);
//! 6. the application or service principal and the job exist (404 `Request_ResourceNotFound`);
//! 7. the application's throttle window has room (429 `TooManyRequests`);
//! 8. the request asks for something the job can do (400 `RequestParameterInvalid`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::body::HttpBody;
use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Body, Method, Request, Response, StatusCode};
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use crate::auth::{self, Access};
use crate::control;
use crate::faults::{self, FaultAction};
use crate::fixture::Application;
use crate::graph_error::{json_response, GraphError, RequestIds, ODATA_JSON};
use crate::jobs;
use crate::results::{self, Outcome, SubjectRequest, Target};
use crate::state::{Emulator, LoggedRequest};
use crate::throttle;
use crate::token_service;

/// The largest request body the emulator takes (1 MB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// How much of a too-large body is read and thrown away before the connection is given up.
const MAX_DRAIN_BYTES: usize = 16 * 1024 * 1024;

/// How long reading a body may take.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Most members a group may carry in one request.
const MAX_GROUP_MEMBERS: usize = 5;

/// The prefix of the control API's paths.
pub const CONTROL_PREFIX: &str = "/_emulator";

/// The error that makes hyper close a connection without answering (the `drop` fault).
#[derive(Debug)]
pub struct ConnectionDropped;

impl std::fmt::Display for ConnectionDropped {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a drop fault closed the connection without an answer")
    }
}

impl std::error::Error for ConnectionDropped {}

/// Answers one request. Every problem becomes an HTTP answer; only a `drop` fault returns an
/// error, which makes hyper close the connection.
pub async fn handle(
    emulator: Arc<Emulator>,
    request: Request<Body>,
) -> Result<Response<Body>, ConnectionDropped> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let is_control = path == CONTROL_PREFIX || path.starts_with("/_emulator/");

    let body = read_body(body).await;
    if is_control && emulator.settings.control_enabled {
        let response = control::handle(&emulator, &parts.method, &path, &body.bytes);
        log_line(&parts.method, &path, response.status().as_u16(), started);
        return Ok(response);
    }

    let ids = RequestIds::new(
        parts
            .headers
            .get("client-request-id")
            .and_then(|value| value.to_str().ok()),
    );
    let fault = emulator.take_fault(parts.method.as_str(), &path);
    let response = match &fault {
        Some(FaultAction::Drop) => None,
        Some(FaultAction::Delay(wait)) => {
            tokio::time::sleep(*wait).await;
            Some(dispatch(&emulator, &parts, &path, &query, &body, &ids))
        }
        Some(FaultAction::Truncate) => Some(
            faults::truncate(dispatch(&emulator, &parts, &path, &query, &body, &ids)).await,
        ),
        Some(action) => faults::respond(action, &ids),
        None => Some(dispatch(&emulator, &parts, &path, &query, &body, &ids)),
    };
    let status = response.as_ref().map_or(0, |response| response.status().as_u16());

    emulator.record_request(LoggedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        query,
        headers: logged_headers(&parts.headers),
        body_text: if body.too_large {
            String::new()
        } else {
            logged_body_text(&parts.headers, &body.bytes)
        },
        body: if body.too_large {
            Value::Null
        } else {
            serde_json::from_slice(&body.bytes).unwrap_or(Value::Null)
        },
        status,
    });
    log_line(&parts.method, &path, status, started);
    response.ok_or(ConnectionDropped)
}

/// Sends a request to the token service or the Graph routes.
fn dispatch(
    emulator: &Emulator,
    parts: &hyper::http::request::Parts,
    path: &str,
    query: &str,
    body: &ReadBody,
    ids: &RequestIds,
) -> Response<Body> {
    if path.trim_end_matches('/').eq_ignore_ascii_case("/msi/token") {
        return token_service::managed_identity(emulator, &parts.method, query, &parts.headers, ids);
    }
    if let Some(tenant) = token_service::token_endpoint_tenant(path) {
        return token_service::client_credentials(
            emulator,
            &parts.method,
            path,
            &tenant,
            &parts.headers,
            &body.bytes,
            ids,
        );
    }
    match serve_graph(emulator, &parts.method, path, &parts.headers, body) {
        Ok(answer) => json_response(StatusCode::OK, ODATA_JSON, answer, ids),
        Err(error) => error.into_response(ids),
    }
}

/// Writes the one stderr line per request: method, path, status and time taken. Never the token.
fn log_line(method: &Method, path: &str, status: u16, started: Instant) {
    eprintln!("{method} {path} {status} {}ms", started.elapsed().as_millis());
}

/// A request body as far as it was read.
struct ReadBody {
    /// The bytes kept (at most `MAX_BODY_BYTES`).
    bytes: Vec<u8>,
    /// Whether the body was larger than `MAX_BODY_BYTES`.
    too_large: bool,
    /// Why reading stopped early, if it did.
    failure: Option<String>,
}

async fn read_body(mut body: Body) -> ReadBody {
    let mut read = ReadBody {
        bytes: Vec::new(),
        too_large: false,
        failure: None,
    };
    let mut total = 0usize;
    let deadline = tokio::time::Instant::now() + BODY_READ_TIMEOUT;
    loop {
        let chunk = match tokio::time::timeout_at(deadline, body.data()).await {
            Err(_) => {
                read.failure = Some("the body did not arrive within 30 seconds".to_string());
                break;
            }
            Ok(None) => break,
            Ok(Some(Err(error))) => {
                read.failure = Some(format!("the body could not be read: {error}"));
                break;
            }
            Ok(Some(Ok(chunk))) => chunk,
        };
        total = total.saturating_add(chunk.len());
        if total > MAX_BODY_BYTES {
            read.too_large = true;
            read.bytes = Vec::new();
            if total > MAX_DRAIN_BYTES {
                break;
            }
        } else {
            read.bytes.extend_from_slice(&chunk);
        }
    }
    read
}

/// Header names to values for the log, with Authorization masked.
fn logged_headers(headers: &HeaderMap) -> Map<String, Value> {
    let mut map = Map::new();
    for (name, value) in headers {
        let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
        let text = if name == AUTHORIZATION {
            mask_authorization(&text)
        } else if name == "x-identity-header" {
            "***".to_string()
        } else {
            text
        };
        match map.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(&text);
            }
            _ => {
                map.insert(name.as_str().to_string(), Value::String(text));
            }
        }
    }
    map
}

/// The body as text for the log. In a form body, `client_secret` and `client_assertion` values
/// become `***`.
fn logged_body_text(headers: &HeaderMap, bytes: &[u8]) -> String {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map_or(false, |value| {
            value
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    if !is_form {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut masked = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(bytes) {
        let secret = name == "client_secret" || name == "client_assertion";
        masked.append_pair(&name, if secret { "***" } else { &value });
    }
    masked.finish()
}

/// `Bearer ***`: the scheme stays, the credentials never appear.
fn mask_authorization(value: &str) -> String {
    match value.trim().split_once(char::is_whitespace) {
        Some((scheme, _)) => format!("{scheme} ***"),
        None => "***".to_string(),
    }
}

/// Whether a path names applications or service principals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Applications,
    ServicePrincipals,
}

/// What a synchronization path asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Resource {
    /// `…/synchronization/jobs`
    Jobs,
    /// `…/synchronization/jobs/{jobId}`
    Job(String),
    /// `…/synchronization/jobs/{jobId}/schema`
    Schema(String),
    /// `…/synchronization/jobs/{jobId}/provisionOnDemand`
    ProvisionOnDemand(String),
}

/// A synchronization path, its ids decoded.
#[derive(Debug)]
struct Route {
    version: &'static str,
    root: Root,
    id: String,
    resource: Resource,
}

impl Route {
    /// The method the route takes.
    fn method(&self) -> Method {
        match self.resource {
            Resource::ProvisionOnDemand(_) => Method::POST,
            _ => Method::GET,
        }
    }

    /// `applications('{id}')` or `servicePrincipals('{id}')`, as in `@odata.context`.
    fn root_path(&self) -> String {
        let root = match self.root {
            Root::Applications => "applications",
            Root::ServicePrincipals => "servicePrincipals",
        };
        format!("{root}('{}')", self.id.replace('\'', "''"))
    }
}

/// Splits the raw path on `/` and decodes each segment, so encoded `/`, `?`, `#` and `%` stay inside ids.
fn parse_route(path: &str) -> Result<Route, GraphError> {
    let mut raw: Vec<&str> = path.split('/').collect();
    if raw.len() > 6 && raw.last() == Some(&"") {
        raw.pop(); // a trailing slash
    }
    let unknown = || {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The emulator serves no resource at this path. It serves /{beta|v1.0}/{applications|servicePrincipals}/{id}/synchronization/jobs[/{jobId}[/schema|/provisionOnDemand]], /{tenant}/oauth2/v2.0/token and /msi/token.",
        )
    };
    if !(6..=8).contains(&raw.len()) || !raw[0].is_empty() {
        return Err(unknown());
    }
    let mut segments = Vec::with_capacity(8);
    for segment in &raw {
        let decoded = percent_decode_str(segment).decode_utf8().map_err(|_| {
            GraphError::bad_request(format!(
                "The path segment '{segment}' does not decode to UTF-8 text."
            ))
        })?;
        segments.push(decoded.into_owned());
    }

    let version = match segments[1].to_ascii_lowercase().as_str() {
        "beta" => "beta",
        "v1.0" => "v1.0",
        _ => return Err(unknown()),
    };
    let root = match segments[2].to_ascii_lowercase().as_str() {
        "applications" => Root::Applications,
        "serviceprincipals" => Root::ServicePrincipals,
        _ => return Err(unknown()),
    };
    if !segments[4].eq_ignore_ascii_case("synchronization")
        || !segments[5].eq_ignore_ascii_case("jobs")
    {
        return Err(unknown());
    }
    let resource = match segments.len() {
        6 => Resource::Jobs,
        7 => Resource::Job(segments[6].clone()),
        _ => {
            let action = segments[7].to_ascii_lowercase();
            let job_id = segments[6].clone();
            match action.as_str() {
                "schema" => Resource::Schema(job_id),
                "provisionondemand" | "microsoft.graph.provisionondemand" => {
                    Resource::ProvisionOnDemand(job_id)
                }
                _ => return Err(unknown()),
            }
        }
    };
    Ok(Route {
        version,
        root,
        id: segments[3].clone(),
        resource,
    })
}

/// The Graph side of the emulator: the synchronization routes. Returns the OData body.
fn serve_graph(
    emulator: &Emulator,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &ReadBody,
) -> Result<String, GraphError> {
    let route = parse_route(path)?;
    let expected = route.method();
    if method != expected {
        return Err(GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!("This resource takes {expected}; this request used {method}."),
        )
        .with_header("allow", expected.as_str()));
    }

    let claims = auth::authenticate(
        emulator,
        headers.get(AUTHORIZATION).map(|value| value.as_bytes()),
    )?;
    let access = if expected == Method::POST {
        Access::Write
    } else {
        Access::Read
    };
    auth::authorize(&claims, access)?;

    match &route.resource {
        Resource::Jobs => {
            let application = find_application(emulator, &route)?;
            Ok(jobs::job_list(route.version, &route.root_path(), &application.jobs))
        }
        Resource::Job(job_id) => {
            let application = find_application(emulator, &route)?;
            let job = application
                .job(job_id)
                .ok_or_else(|| GraphError::resource_not_found(job_id))?;
            Ok(jobs::job(route.version, &route.root_path(), job))
        }
        Resource::Schema(job_id) => {
            let application = find_application(emulator, &route)?;
            let job = application
                .job(job_id)
                .ok_or_else(|| GraphError::resource_not_found(job_id))?;
            Ok(jobs::schema(route.version, &route.root_path(), job))
        }
        Resource::ProvisionOnDemand(job_id) => {
            provision_on_demand(emulator, &route, job_id, headers, body).map(|outcome| outcome.to_body())
        }
    }
}

fn provision_on_demand(
    emulator: &Emulator,
    route: &Route,
    job_id: &str,
    headers: &HeaderMap,
    body: &ReadBody,
) -> Result<Outcome, GraphError> {
    let declared_too_large = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .is_some_and(|length| length > MAX_BODY_BYTES as u64);
    if body.too_large || declared_too_large {
        return Err(GraphError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("The request body is larger than 1 MB ({MAX_BODY_BYTES} bytes)."),
        ));
    }
    if let Some(reason) = &body.failure {
        return Err(GraphError::bad_request(format!(
            "The request body was incomplete: {reason}."
        )));
    }
    check_content_type(headers)?;

    let request = parse_body(&body.bytes)?;

    let application = find_application(emulator, route)?;
    let job = application
        .job(job_id)
        .ok_or_else(|| GraphError::resource_not_found(job_id))?;
    let kind = job.kind();

    if let Err(wait) = emulator.admit(&application.id) {
        return Err(GraphError::too_many_requests(&throttle::retry_after_text(wait)));
    }

    if request.parameter_count != 1 {
        return Err(GraphError::parameter_invalid(format!(
            "Provision on demand accepts exactly one parameters entry per request; this request has {}.",
            request.parameter_count
        )));
    }
    let rule = job.rule(&request.rule_id).ok_or_else(|| {
        GraphError::parameter_invalid(format!(
            "The request identified this synchronization job: {}.  The request also identified this synchronization rule: {}.  However, the job does not include the rule.",
            job.id, request.rule_id
        ))
    })?;
    if !rule.supports_provision_on_demand {
        return Err(GraphError::parameter_invalid(format!(
            "The synchronization rule {} ({}) does not support provisioning on demand.",
            rule.id, rule.name
        )));
    }
    if request.subjects.len() != 1 {
        return Err(GraphError::parameter_invalid(format!(
            "Provision on demand accepts exactly one subject per request (a group's members go in its links.members); this request has {}.",
            request.subjects.len()
        )));
    }
    let subject = &request.subjects[0];
    if subject.object_type_name == "Group"
        && matches!(kind, crate::fixture::JobKind::Workday | crate::fixture::JobKind::CrossTenant)
    {
        return Err(GraphError::parameter_invalid(format!(
            "Provision on demand does not take groups on {} jobs; provision the group's users one at a time.",
            kind.describe()
        )));
    }
    let accepted = rule.accepted_object_type(kind);
    if subject.object_type_name != accepted {
        return Err(GraphError::parameter_invalid(format!(
            "The synchronization rule {} ({}) takes objectTypeName '{}'; this request has '{}'. The name is case-sensitive.",
            rule.id, rule.name, accepted, subject.object_type_name
        )));
    }
    if subject.member_ids.len() > MAX_GROUP_MEMBERS {
        return Err(GraphError::parameter_invalid(format!(
            "Provision on demand accepts one group with at most 5 members per request; this request has {} members.",
            subject.member_ids.len()
        )));
    }

    let target = Target {
        version: route.version,
        application,
        job,
        rule,
    };
    Ok(results::provision(emulator, &target, subject))
}

fn find_application<'a>(
    emulator: &'a Emulator,
    route: &Route,
) -> Result<&'a Application, GraphError> {
    let found = match route.root {
        Root::Applications => emulator.tenant.application_by_id(&route.id),
        Root::ServicePrincipals => emulator.tenant.application_by_service_principal(&route.id),
    };
    found.ok_or_else(|| GraphError::resource_not_found(&route.id))
}

/// Requires `application/json` (parameters such as `charset` allowed). Anything else is 415.
fn check_content_type(headers: &HeaderMap) -> Result<(), GraphError> {
    let value = headers
        .get(CONTENT_TYPE)
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
    let media_type = value.as_deref().map(|value| {
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    match media_type.as_deref() {
        Some("application/json") => Ok(()),
        Some(other) => Err(GraphError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            format!(
                "The content type '{other}' is not supported. Send the body as application/json."
            ),
        )),
        None => Err(GraphError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            "The request has no Content-Type header. Send the body as application/json.",
        )),
    }
}

/// The request body, checked for shape only.
#[derive(Debug)]
struct ProvisionBody {
    parameter_count: usize,
    /// The first entry's `ruleId`; empty when absent.
    rule_id: String,
    /// The first entry's subjects.
    subjects: Vec<SubjectRequest>,
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_body(bytes: &[u8]) -> Result<ProvisionBody, GraphError> {
    const EXAMPLE: &str = "{\"parameters\":[{\"ruleId\":\"...\",\"subjects\":[{\"objectId\":\"...\",\"objectTypeName\":\"User\"}]}]}";
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(GraphError::bad_request(format!(
            "The request body is empty. Send a JSON object such as {EXAMPLE}."
        )));
    }
    let body: Value = serde_json::from_slice(bytes).map_err(|error| {
        GraphError::bad_request(format!("The request body is not valid JSON: {error}."))
    })?;
    let body = match body {
        Value::Object(map) => map,
        other => {
            return Err(GraphError::bad_request(format!(
                "The request body must be a JSON object, not {}. Send {EXAMPLE}.",
                json_type(&other)
            )))
        }
    };
    let parameters = match body.get("parameters") {
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "'parameters' must be an array, not {}.",
                json_type(other)
            )))
        }
        None => {
            return Err(GraphError::bad_request(format!(
                "The request body has no 'parameters' array. Send {EXAMPLE}."
            )))
        }
    };
    let mut parsed = ProvisionBody {
        parameter_count: parameters.len(),
        rule_id: String::new(),
        subjects: Vec::new(),
    };
    let entry = match parameters.first() {
        None => return Ok(parsed),
        Some(Value::Object(entry)) => entry,
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "'parameters[0]' must be an object, not {}.",
                json_type(other)
            )))
        }
    };
    parsed.rule_id = match entry.get("ruleId") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(rule_id)) => rule_id.clone(),
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "'parameters[0].ruleId' must be a string, not {}.",
                json_type(other)
            )))
        }
    };
    let subjects = match entry.get("subjects") {
        None | Some(Value::Null) => return Ok(parsed),
        Some(Value::Array(subjects)) => subjects,
        Some(other) => {
            return Err(GraphError::bad_request(format!(
                "'parameters[0].subjects' must be an array, not {}.",
                json_type(other)
            )))
        }
    };
    for (index, subject) in subjects.iter().enumerate() {
        parsed.subjects.push(parse_subject(
            subject,
            &format!("parameters[0].subjects[{index}]"),
            true,
        )?);
    }
    Ok(parsed)
}

/// Reads one subject; `with_links` reads `links.members` too (not for the members themselves).
fn parse_subject(value: &Value, at: &str, with_links: bool) -> Result<SubjectRequest, GraphError> {
    let subject = match value {
        Value::Object(subject) => subject,
        other => {
            return Err(GraphError::bad_request(format!(
                "'{at}' must be an object, not {}.",
                json_type(other)
            )))
        }
    };
    let text = |name: &str| -> Result<String, GraphError> {
        match subject.get(name) {
            Some(Value::String(text)) if !text.is_empty() => Ok(text.clone()),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                Err(GraphError::parameter_invalid(format!(
                    "'{at}' has no {name}; every subject needs an objectId and an objectTypeName."
                )))
            }
            Some(other) => Err(GraphError::bad_request(format!(
                "'{at}.{name}' must be a string, not {}.",
                json_type(other)
            ))),
        }
    };
    let object_id = text("objectId")?;
    // A group's members need an objectId; their objectTypeName is not checked.
    let object_type_name = match (with_links, subject.get("objectTypeName")) {
        (true, _) => text("objectTypeName")?,
        (false, Some(Value::String(name))) => name.clone(),
        (false, _) => String::new(),
    };

    let mut member_ids = Vec::new();
    if with_links {
        match subject.get("links") {
            None | Some(Value::Null) => {}
            Some(Value::Object(links)) => match links.get("members") {
                None | Some(Value::Null) => {}
                Some(Value::Array(members)) => {
                    for (index, member) in members.iter().enumerate() {
                        let member =
                            parse_subject(member, &format!("{at}.links.members[{index}]"), false)?;
                        member_ids.push(member.object_id);
                    }
                }
                Some(other) => {
                    return Err(GraphError::bad_request(format!(
                        "'{at}.links.members' must be an array, not {}.",
                        json_type(other)
                    )))
                }
            },
            Some(other) => {
                return Err(GraphError::bad_request(format!(
                    "'{at}.links' must be an object, not {}.",
                    json_type(other)
                )))
            }
        }
    }
    Ok(SubjectRequest {
        object_id,
        object_type_name,
        member_ids,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_segment_on_its_own() {
        let route = parse_route("/v1.0/servicePrincipals/a%2Fb%3F%23%25%20%C3%BC/synchronization/jobs/x.y/microsoft.graph.provisionOnDemand")
            .expect("route");
        assert_eq!(route.id, "a/b?#% ü");
        assert_eq!(route.resource, Resource::ProvisionOnDemand("x.y".into()));
        assert_eq!(route.root, Root::ServicePrincipals);
        assert!(
            parse_route("/beta/applications/a/b/synchronization/jobs/x/provisionOnDemand").is_err()
        );
    }

    #[test]
    fn masks_the_token() {
        assert_eq!(mask_authorization("Bearer abc.def.ghi"), "Bearer ***");
        assert_eq!(mask_authorization("abc"), "***");
    }
}
