//! The outcome of a call as JSON for the PowerShell layer: the request sent, the answer, and
//! either the decoded result or the error.

use serde_json::{json, Map, Value};

use crate::request::ResolvedRequest;
use crate::response::{decode_error, decode_result, status_name, HttpAnswer};
use crate::status::{Error, MgStatus};

/// A finished call: its final status and the outcome JSON.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The final status of the call.
    pub status: MgStatus,
    /// The outcome JSON described in docs/architecture.md.
    pub json: String,
}

/// A request as it went out, for the outcome's `request` member.
pub struct SentRequest {
    /// The HTTP method.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// The body text sent.
    pub body_text: String,
    /// The client-request-id header sent.
    pub client_request_id: String,
    /// The headers sent, without Authorization.
    pub headers: Vec<(String, String)>,
    /// The resolved request.
    pub request: ResolvedRequest,
}

impl SentRequest {
    /// Records a request, keeping its headers except Authorization.
    pub fn new(url: String, client_request_id: String, headers: &reqwest::header::HeaderMap, request: ResolvedRequest) -> Self {
        let headers = headers
            .iter()
            .filter(|(name, _)| *name != reqwest::header::AUTHORIZATION)
            .map(|(name, value)| (name.as_str().to_string(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
            .collect();
        let body_text = request.body_json.clone();
        SentRequest { method: "POST".into(), url, body_text, client_request_id, headers, request }
    }

    fn to_json(&self) -> Value {
        let body: Value = serde_json::from_str(&self.body_text).unwrap_or(Value::Null);
        json!({
            "method": self.method,
            "uri": self.url,
            "bodyText": self.body_text,
            "id": self.request.id,
            "synchronizationJobId": self.request.synchronization_job_id,
            "body": body,
            "clientRequestId": self.client_request_id,
            "headers": self.headers.iter().map(|(name, value)| json!([name, value])).collect::<Vec<_>>(),
        })
    }
}

/// Builds the outcome of a call that ended without an HTTP answer, or before sending.
pub fn from_error(error: &Error, sent: Option<&SentRequest>, warnings: Vec<String>) -> Outcome {
    let mut outcome = base(error.status, warnings);
    if let Some(sent) = sent {
        outcome.insert("request".into(), sent.to_json());
    }
    let mut detail = Map::new();
    detail.insert("message".into(), Value::String(error.message.clone()));
    if let Some(field) = &error.field {
        detail.insert("field".into(), Value::String(field.clone()));
    }
    if let Some(Value::Object(details)) = error.details.as_deref() {
        detail.extend(details.clone());
    }
    outcome.insert("error".into(), Value::Object(detail));
    finish(error.status, outcome)
}

/// Builds the outcome of a call that received an HTTP answer.
pub fn from_answer(sent: &SentRequest, answer: HttpAnswer, attempts: u32, include_body: bool) -> Outcome {
    let success = (200..300).contains(&answer.status);
    let decoded = if success { Some(decode_result(&answer.body)) } else { None };
    let status = match &decoded {
        Some(Ok(_)) => MgStatus::Ok,
        Some(Err(_)) => MgStatus::InvalidResponse,
        None => MgStatus::HttpError,
    };

    let mut outcome = base(status, sent.request.warnings.clone());
    outcome.insert("attempts".into(), Value::from(attempts));
    outcome.insert("request".into(), sent.to_json());
    let headers: Map<String, Value> = answer
        .headers
        .iter()
        .map(|(name, values)| (name.clone(), Value::from(values.clone())))
        .collect();
    let mut response = json!({ "statusCode": answer.status, "reasonPhrase": status_name(answer.status), "headers": headers });
    if include_body {
        response["body"] = Value::String(answer.body.clone());
    }
    outcome.insert("response".into(), response);

    match decoded {
        Some(Ok(result)) => {
            outcome.insert(
                "result".into(),
                json!({ "key": result.key, "value": result.value, "additionalProperties": result.additional_properties }),
            );
        }
        Some(Err(message)) => {
            outcome.insert(
                "error".into(),
                json!({
                    "message": message,
                    "statusCode": answer.status,
                    "statusName": status_name(answer.status),
                    "requestId": answer.header("request-id"),
                    "clientRequestId": answer.header("client-request-id"),
                }),
            );
        }
        None => {
            let mut error = decode_error(&answer);
            if attempts > 1 {
                error.message = format!("{} The request was sent {attempts} times.", error.message.trim_end());
            }
            outcome.insert(
                "error".into(),
                json!({
                    "message": error.message,
                    "code": error.code,
                    "statusCode": error.status_code,
                    "statusName": error.status_name,
                    "date": error.date,
                    "requestId": error.request_id,
                    "clientRequestId": error.client_request_id,
                    "details": error.details(&answer.headers),
                    "rawBody": error.raw_body,
                    "fromEnvelope": error.from_envelope,
                }),
            );
        }
    }
    finish(status, outcome)
}

/// Builds the outcome of a successful sign-in: the token's claims and expiry, never the token.
pub fn signed_in(claims: Value, expires_on: Option<u64>) -> Outcome {
    let mut outcome = base(MgStatus::Ok, Vec::new());
    outcome.insert("signIn".into(), json!({ "claims": claims, "expiresOn": expires_on }));
    finish(MgStatus::Ok, outcome)
}

/// Builds the outcome of a request that was prepared for pipeline steps and not sent.
pub fn prepared(sent: &SentRequest) -> Outcome {
    let mut outcome = base(MgStatus::Ok, sent.request.warnings.clone());
    outcome.insert("request".into(), sent.to_json());
    finish(MgStatus::Ok, outcome)
}

fn base(status: MgStatus, warnings: Vec<String>) -> Map<String, Value> {
    let mut outcome = Map::new();
    outcome.insert("status".into(), Value::from(status as i32));
    outcome.insert("statusName".into(), Value::from(status.name()));
    outcome.insert("warnings".into(), Value::from(warnings));
    outcome
}

fn finish(status: MgStatus, outcome: Map<String, Value>) -> Outcome {
    Outcome { status, json: Value::Object(outcome).to_string() }
}
