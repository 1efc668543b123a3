//! Resolving a request: the parameter set, the ids, the body, the headers and the URL.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::body::{describe, BodyConverter, ProvisionOnDemandBody};
use crate::pacing::PacingSettings;
use crate::retry::RetrySettings;
use crate::status::{Error, MgStatus, Result};

/// Every byte outside RFC 3986's unreserved set is percent-encoded in a path segment.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Headers that the library sets itself and a caller cannot replace.
const RESERVED_HEADERS: &[&str] = &["Authorization", "Content-Type", "Content-Length", "Host"];

/// The maximum time a call may take, in seconds (one day).
const MAX_TIMEOUT_SECONDS: f64 = 86_400.0;

/// The four parameter sets of the provisionOnDemand commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParameterSet {
    /// Ids by name, body from -Parameters and -AdditionalProperties.
    ProvisionExpanded,
    /// Ids by name, body from -BodyParameter.
    Provision,
    /// Ids from -InputObject, body from -Parameters and -AdditionalProperties.
    ProvisionViaIdentityExpanded,
    /// Ids from -InputObject, body from -BodyParameter.
    ProvisionViaIdentity,
}

impl ParameterSet {
    /// Parses a set name as PowerShell reports it.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "ProvisionExpanded" => Some(Self::ProvisionExpanded),
            "Provision" => Some(Self::Provision),
            "ProvisionViaIdentityExpanded" => Some(Self::ProvisionViaIdentityExpanded),
            "ProvisionViaIdentity" => Some(Self::ProvisionViaIdentity),
            _ => None,
        }
    }

    fn via_identity(self) -> bool {
        matches!(self, Self::ProvisionViaIdentityExpanded | Self::ProvisionViaIdentity)
    }

    fn expanded(self) -> bool {
        matches!(self, Self::ProvisionExpanded | Self::ProvisionViaIdentityExpanded)
    }
}

/// Which collection the id addresses: applications or service principals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    /// `/applications/{application object id}`.
    Applications,
    /// `/servicePrincipals/{service principal object id}`.
    ServicePrincipals,
}

impl Root {
    fn segment(self) -> &'static str {
        match self {
            Root::Applications => "applications",
            Root::ServicePrincipals => "servicePrincipals",
        }
    }

    /// The name of the parameter, and of the identity key, that carries the id.
    pub fn id_name(self) -> &'static str {
        match self {
            Root::Applications => "ApplicationId",
            Root::ServicePrincipals => "ServicePrincipalId",
        }
    }
}

/// The request as the PowerShell layer hands it over: bound parameters in a generic JSON form.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestEnvelope {
    /// The command name, used in messages.
    #[serde(default)]
    pub command: Option<String>,
    /// The parameter set that PowerShell resolved.
    pub parameter_set: String,
    /// `beta` or `v1.0`.
    #[serde(default = "default_api_version")]
    pub api_version: String,
    /// `applications` or `servicePrincipals`.
    #[serde(default = "default_root")]
    pub root: String,
    /// -ApplicationId or -ServicePrincipalId.
    #[serde(default)]
    pub id: Option<Value>,
    /// -SynchronizationJobId.
    #[serde(default)]
    pub synchronization_job_id: Option<Value>,
    /// -InputObject.
    #[serde(default)]
    pub input_object: Option<Value>,
    /// -Parameters.
    #[serde(default)]
    pub parameters: Option<Value>,
    /// -AdditionalProperties.
    #[serde(default)]
    pub additional_properties: Option<Value>,
    /// -BodyParameter.
    #[serde(default)]
    pub body_parameter: Option<Value>,
    /// -Headers, values already converted to strings.
    #[serde(default)]
    pub headers: Option<Map<String, Value>>,
    /// The time limit of the whole call, retries and waits included, in seconds.
    #[serde(default)]
    pub timeout_seconds: Option<f64>,
    /// Retries of 429, 503 and 504 responses.
    #[serde(default)]
    pub retry: RetrySettings,
    /// Waiting for a free slot under the rate limit before sending.
    #[serde(default)]
    pub pacing: PacingSettings,
    /// -Proxy and its credentials; without it the proxy environment variables apply.
    #[serde(default)]
    pub proxy: Option<ProxySettings>,
    /// Whether the outcome carries the raw response body, for -Debug.
    #[serde(default)]
    pub include_response_body: bool,
    /// What to do with the request: send it, only build it, send a changed copy, or decode a response.
    #[serde(default)]
    pub mode: Mode,
    /// The request as pipeline steps left it, for `Mode::SendPrepared`.
    #[serde(default)]
    pub prepared: Option<PreparedRequest>,
    /// A response from a pipeline step, for `Mode::Decode`.
    #[serde(default)]
    pub answer: Option<ProvidedAnswer>,
}

/// What a call does with its request; the modes other than `Send` serve -HttpPipeline steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Mode {
    /// Build, send and decode.
    #[default]
    Send,
    /// Build and validate only; the outcome carries the request.
    Prepare,
    /// Send the request given in `prepared` instead of the one built.
    SendPrepared,
    /// Decode the answer given in `answer`; nothing is sent.
    Decode,
}

/// A request after pipeline steps changed it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreparedRequest {
    /// The HTTP method.
    pub method: String,
    /// The absolute URI.
    pub uri: String,
    /// The headers as name and value pairs, without Authorization.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body text.
    #[serde(default)]
    pub body: String,
}

/// A response that a pipeline step returned.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProvidedAnswer {
    /// The HTTP status code.
    pub status_code: u16,
    /// The headers, each with one or more values.
    #[serde(default)]
    pub headers: Map<String, Value>,
    /// The body text.
    #[serde(default)]
    pub body: String,
}

/// A proxy given with -Proxy, -ProxyCredential and -ProxyUseDefaultCredentials.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ProxySettings {
    /// The proxy's absolute http or https URI; empty when only default credentials were asked for.
    pub uri: Option<String>,
    /// The user name for basic authentication at the proxy.
    pub username: Option<String>,
    /// The password for basic authentication at the proxy.
    pub password: Option<String>,
    /// Whether to authenticate with the signed-in user's integrated credentials.
    pub use_default_credentials: bool,
}

impl std::fmt::Debug for ProxySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxySettings")
            .field("uri", &self.uri)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("use_default_credentials", &self.use_default_credentials)
            .finish()
    }
}

fn default_api_version() -> String {
    "beta".into()
}

fn default_root() -> String {
    "applications".into()
}

/// A request ready to send: everything validated, the body serialized.
#[derive(Debug, Clone)]
pub struct ResolvedRequest {
    /// The parameter set it was resolved from.
    pub parameter_set: ParameterSet,
    /// Applications or service principals.
    pub root: Root,
    /// The application or service principal id, as given.
    pub id: String,
    /// The synchronization job id, as given.
    pub synchronization_job_id: String,
    /// The path below the Graph endpoint, starting with `/`, segments percent-encoded.
    pub path: String,
    /// The body as sent.
    pub body: ProvisionOnDemandBody,
    /// The body's JSON text.
    pub body_json: String,
    /// Extra headers from -Headers, in the order given, reserved names excluded.
    pub headers: Vec<(String, String)>,
    /// The time limit of the whole call.
    pub timeout: std::time::Duration,
    /// Warnings for input that was dropped.
    pub warnings: Vec<String>,
    /// Retries of 429, 503 and 504 responses.
    pub retry: RetrySettings,
    /// Waiting for a free slot under the rate limit.
    pub pacing: PacingSettings,
    /// The proxy given with -Proxy, if any.
    pub proxy: Option<ProxySettings>,
}

impl RequestEnvelope {
    /// Parses an envelope from JSON text.
    pub fn from_json(text: &str) -> Result<Self> {
        serde_json::from_str(text).map_err(|error| {
            Error::new(MgStatus::InvalidRequestJson, format!("The request envelope is not valid: {error}."))
        })
    }

    /// Validates the envelope and builds the request it describes.
    pub fn resolve(&self) -> Result<ResolvedRequest> {
        let parameter_set = ParameterSet::parse(&self.parameter_set).ok_or_else(|| {
            Error::at(
                MgStatus::InvalidParameterSet,
                "parameterSet",
                format!(
                    "Unknown parameter set '{}'; expected ProvisionExpanded, Provision, ProvisionViaIdentityExpanded or ProvisionViaIdentity.",
                    self.parameter_set
                ),
            )
        })?;
        let root = match self.root.as_str() {
            "applications" => Root::Applications,
            "servicePrincipals" => Root::ServicePrincipals,
            other => {
                return Err(Error::at(
                    MgStatus::InvalidParameterSet,
                    "root",
                    format!("Unknown root '{other}'; expected applications or servicePrincipals."),
                ))
            }
        };
        if self.api_version != "beta" && self.api_version != "v1.0" {
            return Err(Error::at(
                MgStatus::InvalidParameterSet,
                "apiVersion",
                format!("Unknown API version '{}'; expected beta or v1.0.", self.api_version),
            ));
        }
        self.check_set_members(parameter_set)?;

        let (id, synchronization_job_id) = self.resolve_ids(parameter_set, root)?;
        let mut converter = BodyConverter::new();
        let body = self.resolve_body(parameter_set, &mut converter)?;
        let headers = self.resolve_headers()?;
        let timeout = self.resolve_timeout()?;
        self.retry.validate().map_err(|message| Error::at(MgStatus::InvalidInput, "retry", message))?;
        self.pacing.validate().map_err(|message| Error::at(MgStatus::InvalidInput, "pacing", message))?;
        let proxy = self.resolve_proxy()?;

        let path = format!(
            "/{}/{}/{}/synchronization/jobs/{}/provisionOnDemand",
            self.api_version,
            root.segment(),
            encode_segment(&id),
            encode_segment(&synchronization_job_id)
        );
        let body_json = body.to_json();
        Ok(ResolvedRequest {
            parameter_set,
            root,
            id,
            synchronization_job_id,
            path,
            body,
            body_json,
            headers,
            timeout,
            warnings: converter.warnings,
            retry: self.retry,
            pacing: self.pacing,
            proxy,
        })
    }

    fn command(&self) -> &str {
        self.command.as_deref().unwrap_or("the command")
    }

    /// Rejects values that the parameter set does not take, as PowerShell's binder would.
    fn check_set_members(&self, set: ParameterSet) -> Result<()> {
        let given = |value: &Option<Value>| value.as_ref().is_some_and(|value| !value.is_null());
        let misplaced = if set.via_identity() {
            [("Id", given(&self.id)), ("SynchronizationJobId", given(&self.synchronization_job_id))]
                .into_iter()
                .find(|(_, present)| *present)
        } else {
            [("InputObject", given(&self.input_object))].into_iter().find(|(_, present)| *present)
        }
        .or_else(|| {
            if set.expanded() {
                [("BodyParameter", given(&self.body_parameter))].into_iter().find(|(_, present)| *present)
            } else {
                [("Parameters", given(&self.parameters)), ("AdditionalProperties", given(&self.additional_properties))]
                    .into_iter()
                    .find(|(_, present)| *present)
            }
        });
        match misplaced {
            Some((name, _)) => Err(Error::at(
                MgStatus::InvalidParameterSet,
                name,
                format!("Parameter set '{set:?}' of {} does not take -{name}.", self.command()),
            )),
            None => Ok(()),
        }
    }

    fn resolve_ids(&self, set: ParameterSet, root: Root) -> Result<(String, String)> {
        if !set.via_identity() {
            let id = required_id(self.id.as_ref(), root.id_name())?;
            let job = required_id(self.synchronization_job_id.as_ref(), "SynchronizationJobId")?;
            return Ok((id, job));
        }

        let identity = match self.input_object.as_ref() {
            Some(Value::String(text)) if text.trim_start().starts_with('{') => serde_json::from_str(text).map_err(|error| {
                Error::at(MgStatus::InvalidInput, "InputObject", format!("'InputObject' is not valid JSON: {error}."))
            })?,
            Some(value) => value.clone(),
            None => Value::Null,
        };
        let object = match &identity {
            Value::Object(object) => object.clone(),
            Value::Null => Map::new(),
            other => {
                return Err(Error::at(
                    MgStatus::InvalidInput,
                    "InputObject",
                    format!(
                        "Invalid value for 'InputObject': expected an object with {} and SynchronizationJobId, got {}.",
                        root.id_name(),
                        describe(other)
                    ),
                ))
            }
        };
        let id = identity_id(&object, root.id_name())?;
        let job = identity_id(&object, "SynchronizationJobId")?;
        Ok((id, job))
    }

    fn resolve_body(&self, set: ParameterSet, converter: &mut BodyConverter) -> Result<ProvisionOnDemandBody> {
        if !set.expanded() {
            return match self.body_parameter.as_ref() {
                Some(value) if !value.is_null() => converter.body(value, "BodyParameter"),
                _ => Err(Error::at(
                    MgStatus::InvalidInput,
                    "BodyParameter",
                    format!("-BodyParameter is required in parameter set '{set:?}'; pass a body with a 'parameters' list."),
                )),
            };
        }

        let mut body = ProvisionOnDemandBody::default();
        if let Some(parameters) = self.parameters.as_ref() {
            body.parameters = converter.parameters_list(parameters, "Parameters")?;
        }
        if let Some(additional) = self.additional_properties.as_ref() {
            converter.merge_additional(&mut body, additional, "AdditionalProperties")?;
        }
        Ok(body)
    }

    fn resolve_headers(&self) -> Result<Vec<(String, String)>> {
        let Some(headers) = self.headers.as_ref() else {
            return Ok(Vec::new());
        };
        let mut resolved: Vec<(String, String)> = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            if let Some(reserved) = RESERVED_HEADERS.iter().find(|reserved| reserved.eq_ignore_ascii_case(name)) {
                return Err(Error::at(
                    MgStatus::InvalidHeader,
                    format!("Headers.{name}"),
                    format!("The header '{reserved}' cannot be set through -Headers because the module sets it itself; remove it."),
                ));
            }
            if name.is_empty() || !name.bytes().all(is_token_byte) {
                return Err(Error::at(
                    MgStatus::InvalidHeader,
                    format!("Headers.{name}"),
                    format!("'{name}' is not a valid header name; use letters, digits and - only."),
                ));
            }
            let text = match value {
                Value::Null => continue,
                Value::String(text) => text.clone(),
                Value::Number(number) => number.to_string(),
                Value::Bool(flag) => flag.to_string(),
                other => {
                    return Err(Error::at(
                        MgStatus::InvalidHeader,
                        format!("Headers.{name}"),
                        format!("The value of header '{name}' must be text, got {}.", describe(other)),
                    ))
                }
            };
            if text.bytes().any(|byte| byte == b'\r' || byte == b'\n' || byte == 0) {
                return Err(Error::at(
                    MgStatus::InvalidHeader,
                    format!("Headers.{name}"),
                    format!("The value of header '{name}' contains a line break or NUL, which a header cannot carry."),
                ));
            }
            if resolved.iter().any(|(existing, _)| existing.eq_ignore_ascii_case(name)) {
                return Err(Error::at(
                    MgStatus::InvalidHeader,
                    format!("Headers.{name}"),
                    format!("The header '{name}' is given twice in -Headers; give it once."),
                ));
            }
            resolved.push((name.clone(), text));
        }
        Ok(resolved)
    }

    fn resolve_proxy(&self) -> Result<Option<ProxySettings>> {
        let Some(proxy) = self.proxy.as_ref() else {
            return Ok(None);
        };
        if proxy.use_default_credentials {
            return Err(Error::at(
                MgStatus::InvalidInput,
                "ProxyUseDefaultCredentials",
                "-ProxyUseDefaultCredentials needs integrated (Negotiate or NTLM) proxy authentication, which this module does not support; pass -ProxyCredential instead.",
            ));
        }
        let uri = match proxy.uri.as_deref() {
            Some(uri) if !uri.is_empty() => uri,
            _ if proxy.username.is_some() => {
                return Err(Error::at(
                    MgStatus::InvalidInput,
                    "ProxyCredential",
                    "-ProxyCredential needs -Proxy; pass the proxy's URI too.",
                ))
            }
            _ => return Ok(None),
        };
        let parsed = url::Url::parse(uri).map_err(|error| {
            Error::at(MgStatus::InvalidInput, "Proxy", format!("The proxy '{uri}' is not an absolute URI ({error}); use a form like http://proxy.example:8080."))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(Error::at(
                MgStatus::InvalidInput,
                "Proxy",
                format!("The proxy '{uri}' must be an http or https URI with a host."),
            ));
        }
        Ok(Some(proxy.clone()))
    }

    fn resolve_timeout(&self) -> Result<std::time::Duration> {
        let seconds = self.timeout_seconds.unwrap_or(300.0);
        if !(seconds > 0.0 && seconds <= MAX_TIMEOUT_SECONDS) {
            return Err(Error::at(
                MgStatus::InvalidInput,
                "timeoutSeconds",
                format!("The time limit {seconds} s is out of range; use more than 0 and at most {MAX_TIMEOUT_SECONDS} seconds."),
            ));
        }
        Ok(std::time::Duration::from_secs_f64(seconds))
    }
}

/// RFC 7230 token characters, the only ones a header name may contain.
fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

fn required_id(value: Option<&Value>, name: &str) -> Result<String> {
    match id_text(value, name)? {
        Some(id) => Ok(id),
        None => Err(Error::at(
            MgStatus::InvalidInput,
            name,
            format!("-{name} is missing or empty; pass the id as a string."),
        )),
    }
}

fn identity_id(object: &Map<String, Value>, name: &str) -> Result<String> {
    let value = object.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value);
    match id_text(value, &format!("InputObject.{name}"))? {
        Some(id) => Ok(id),
        None => Err(Error::at(
            MgStatus::MissingIdentity,
            format!("InputObject.{name}"),
            format!("InputObject has null value for InputObject.{name}"),
        )),
    }
}

/// Reads an id: a non-empty string, or an integer as its decimal text. Dot segments are rejected
/// because URL parsers resolve `.` and `..`, even percent-encoded, which would change the path.
fn id_text(value: Option<&Value>, field: &str) -> Result<Option<String>> {
    let text = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) if number.is_i64() || number.is_u64() => number.to_string(),
        Some(other) => {
            return Err(Error::at(
                MgStatus::InvalidInput,
                field,
                format!("Invalid value for '{field}': expected a string id, got {}.", describe(other)),
            ))
        }
    };
    if text.is_empty() {
        return Ok(None);
    }
    if text == "." || text == ".." {
        return Err(Error::at(
            MgStatus::InvalidInput,
            field,
            format!("Invalid value for '{field}': '{text}' is not an id."),
        ));
    }
    Ok(Some(text))
}

/// Percent-encodes one path segment with RFC 3986 rules.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, PATH_SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(value: Value) -> RequestEnvelope {
        serde_json::from_value(value).unwrap()
    }

    fn expanded(id: &str, job: &str) -> RequestEnvelope {
        envelope(json!({
            "parameterSet": "ProvisionExpanded", "id": id, "synchronizationJobId": job,
            "parameters": [{ "ruleId": "r", "subjects": [{ "objectId": "o", "objectTypeName": "User" }] }]
        }))
    }

    #[test]
    fn path_keeps_dots_and_encodes_the_rest() {
        let request = expanded("app/1?x#y", "gitHubEnterpriseCloud.c20a.1a2b 3c%é").resolve().unwrap();

        assert_eq!(
            request.path,
            "/beta/applications/app%2F1%3Fx%23y/synchronization/jobs/gitHubEnterpriseCloud.c20a.1a2b%203c%25%C3%A9/provisionOnDemand"
        );
    }

    #[test]
    fn dot_segment_ids_rejected() {
        let error = expanded("..", "job").resolve().unwrap_err();

        assert_eq!(error.status, MgStatus::InvalidInput);
        assert_eq!(error.field.as_deref(), Some("ApplicationId"));
    }

    #[test]
    fn identity_without_job_id_names_it() {
        let error = envelope(json!({
            "parameterSet": "ProvisionViaIdentityExpanded",
            "inputObject": { "applicationid": "a" },
            "parameters": []
        }))
        .resolve()
        .unwrap_err();

        assert_eq!(error.status, MgStatus::MissingIdentity);
        assert_eq!(error.message, "InputObject has null value for InputObject.SynchronizationJobId");
    }

    #[test]
    fn identity_with_id_but_no_job_id_never_builds_an_empty_segment() {
        let error = envelope(json!({
            "parameterSet": "ProvisionViaIdentity",
            "inputObject": { "ApplicationId": "a", "Id": "scim.123", "SynchronizationJobId": "" },
            "bodyParameter": { "parameters": [] }
        }))
        .resolve()
        .unwrap_err();

        assert_eq!(error.status, MgStatus::MissingIdentity);
    }

    #[test]
    fn identity_keys_read_case_insensitively() {
        let request = envelope(json!({
            "parameterSet": "ProvisionViaIdentity", "root": "servicePrincipals", "apiVersion": "v1.0",
            "inputObject": { "SERVICEPRINCIPALID": "sp", "synchronizationjobid": "job", "UserId": "ignored" },
            "bodyParameter": "{\"parameters\":[]}"
        }))
        .resolve()
        .unwrap();

        assert_eq!(request.path, "/v1.0/servicePrincipals/sp/synchronization/jobs/job/provisionOnDemand");
        assert_eq!(request.body_json, r#"{"parameters":[]}"#);
    }

    #[test]
    fn expanded_without_parameters_sends_empty_object() {
        let request = envelope(json!({ "parameterSet": "ProvisionExpanded", "id": "a", "synchronizationJobId": "j" }))
            .resolve()
            .unwrap();

        assert_eq!(request.body_json, "{}");
    }

    #[test]
    fn reserved_headers_rejected() {
        for name in ["authorization", "Content-Type", "content-length", "HOST"] {
            let mut request = expanded("a", "j");
            request.headers = Some(serde_json::from_value(json!({ name: "x" })).unwrap());

            let error = request.resolve().unwrap_err();
            assert_eq!(error.status, MgStatus::InvalidHeader, "{name}");
        }
    }

    #[test]
    fn header_values_with_line_breaks_rejected() {
        let mut request = expanded("a", "j");
        request.headers = Some(serde_json::from_value(json!({ "x-trace": "a\r\nInjected: yes" })).unwrap());

        assert_eq!(request.resolve().unwrap_err().status, MgStatus::InvalidHeader);
    }

    #[test]
    fn set_members_checked() {
        let error = envelope(json!({
            "parameterSet": "Provision", "id": "a", "synchronizationJobId": "j",
            "bodyParameter": {}, "parameters": []
        }))
        .resolve()
        .unwrap_err();

        assert_eq!(error.status, MgStatus::InvalidParameterSet);
        assert_eq!(error.field.as_deref(), Some("Parameters"));
    }

    #[test]
    fn unknown_parameter_set_rejected() {
        let error = envelope(json!({ "parameterSet": "Delete" })).resolve().unwrap_err();

        assert_eq!(error.status, MgStatus::InvalidParameterSet);
    }
}
