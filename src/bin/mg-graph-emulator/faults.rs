//! Faults on demand: `POST /_emulator/faults` queues one for the next `count` requests that match
//! a method and a path prefix or regex. Kinds:
//!
//! - `error`: a status with Graph's error body (`code`, `message`), optionally `Retry-After`;
//! - `empty`: a status with an empty body; `html`: a status with an HTML page, as gateways send;
//! - `delay`: waits `delayMs`, then answers normally;
//! - `drop`: closes the connection without answering;
//! - `truncate`: the normal answer with its full `Content-Length` but only half its body, then a close;
//! - `chunked`: a status (429 by default) with a chunked Graph error body and no `Content-Length`.
//!
//! `retryAfter` is a number of seconds (sent as given, fractions allowed) or a string sent
//! verbatim; `retryAfterDate` is seconds from now, sent as an HTTP date.

use std::time::{Duration, SystemTime};

use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Body, Response, StatusCode};
use regex::Regex;
use serde_json::{json, Map, Value};

use crate::graph_error::{json_response, GraphError, RequestIds};

/// The longest delay a fault may ask for.
const MAX_DELAY_MS: u64 = 120_000;

/// A queued fault: which requests it matches, how many more it applies to, and what it does.
#[derive(Debug, Clone)]
pub struct FaultRule {
    /// The method to match (upper case); None matches every method.
    method: Option<String>,
    /// A raw path prefix to match; None matches every path.
    path_prefix: Option<String>,
    /// A regex the raw path must match; None matches every path.
    path_regex: Option<Regex>,
    /// How many more requests this fault applies to.
    pub remaining: u32,
    /// What happens to a matching request.
    pub action: FaultAction,
}

/// What a fault does to a request.
#[derive(Debug, Clone)]
pub enum FaultAction {
    /// Answers with a Graph error body.
    Error {
        status: StatusCode,
        code: String,
        message: String,
        retry_after: Option<RetryAfter>,
    },
    /// Answers with an empty body.
    Empty {
        status: StatusCode,
        retry_after: Option<RetryAfter>,
    },
    /// Answers with an HTML page.
    Html {
        status: StatusCode,
        retry_after: Option<RetryAfter>,
    },
    /// Waits, then answers normally.
    Delay(Duration),
    /// Closes the connection without answering.
    Drop,
    /// Sends half of the normal answer's body under its full Content-Length, then closes.
    Truncate,
    /// Answers with a chunked Graph error body and no Content-Length.
    Chunked {
        status: StatusCode,
        retry_after: Option<RetryAfter>,
    },
}

/// A `Retry-After` value.
#[derive(Debug, Clone)]
pub enum RetryAfter {
    /// Sent exactly as given.
    Text(String),
    /// Seconds from the moment of the answer, sent as an HTTP date.
    DateIn(Duration),
}

impl RetryAfter {
    fn header_value(&self) -> String {
        match self {
            RetryAfter::Text(text) => text.clone(),
            RetryAfter::DateIn(wait) => httpdate::fmt_http_date(SystemTime::now() + *wait),
        }
    }
}

impl FaultRule {
    /// Reads a fault from the control API's JSON. The error names the member and the value.
    pub fn from_json(spec: &Value) -> Result<FaultRule, String> {
        let spec = spec
            .as_object()
            .ok_or("the body must be a JSON object such as {\"fault\":\"error\",\"status\":503}")?;
        let text = |name: &str| -> Result<Option<String>, String> {
            match spec.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text.clone())),
                Some(other) => Err(format!("'{name}' must be a string, not {other}")),
            }
        };
        let number = |name: &str| -> Result<Option<f64>, String> {
            match spec.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(number)) => Ok(number.as_f64()),
                Some(other) => Err(format!("'{name}' must be a number, not {other}")),
            }
        };

        let method = text("method")?.map(|method| method.to_ascii_uppercase());
        let path_prefix = text("path")?;
        let path_regex = match text("pathRegex")? {
            None => None,
            Some(pattern) => Some(
                Regex::new(&pattern)
                    .map_err(|error| format!("'pathRegex' '{pattern}' is not a valid regex: {error}"))?,
            ),
        };
        let count = match number("count")? {
            None => 1,
            Some(count) if count >= 1.0 && count <= 1_000_000.0 && count.fract() == 0.0 => count as u32,
            Some(count) => {
                return Err(format!(
                    "'count' must be a whole number from 1 to 1000000, not {count}"
                ))
            }
        };
        let status = |default: u16| -> Result<StatusCode, String> {
            let value = number("status")?.unwrap_or(f64::from(default));
            if value.fract() != 0.0 || !(100.0..=599.0).contains(&value) {
                return Err(format!("'status' must be an HTTP status from 100 to 599, not {value}"));
            }
            StatusCode::from_u16(value as u16)
                .map_err(|_| format!("'status' {value} is not an HTTP status"))
        };
        let retry_after_value = spec.get("retryAfter").filter(|value| !value.is_null());
        let retry_after = match (retry_after_value, number("retryAfterDate")?) {
            (Some(_), Some(_)) => {
                return Err("give 'retryAfter' or 'retryAfterDate', not both".to_string())
            }
            (None, None) => None,
            (None, Some(seconds)) => {
                if !(0.0..=86_400.0).contains(&seconds) {
                    return Err(format!(
                        "'retryAfterDate' must be seconds from 0 to 86400, not {seconds}"
                    ));
                }
                Some(RetryAfter::DateIn(Duration::from_secs_f64(seconds)))
            }
            (Some(Value::Number(seconds)), None) => Some(RetryAfter::Text(seconds.to_string())),
            (Some(Value::String(text)), None) => {
                if HeaderValue::from_str(text).is_err() {
                    return Err(format!("'retryAfter' '{text}' is not a valid header value"));
                }
                Some(RetryAfter::Text(text.clone()))
            }
            (Some(other), None) => {
                return Err(format!(
                    "'retryAfter' must be a number of seconds or a string, not {other}"
                ))
            }
        };

        let kind = text("fault")?.unwrap_or_else(|| "error".to_string());
        let action = match kind.as_str() {
            "error" => {
                let status = status(503)?;
                FaultAction::Error {
                    status,
                    code: text("code")?.unwrap_or_else(|| default_code(status).to_string()),
                    message: text("message")?.unwrap_or_else(|| {
                        format!("The emulator answered with {} on request.", status.as_u16())
                    }),
                    retry_after,
                }
            }
            "empty" => FaultAction::Empty {
                status: status(503)?,
                retry_after,
            },
            "html" => FaultAction::Html {
                status: status(502)?,
                retry_after,
            },
            "delay" => {
                let millis = number("delayMs")?.ok_or("a 'delay' fault needs 'delayMs'")?;
                if !(0.0..=MAX_DELAY_MS as f64).contains(&millis) {
                    return Err(format!(
                        "'delayMs' must be from 0 to {MAX_DELAY_MS}, not {millis}"
                    ));
                }
                FaultAction::Delay(Duration::from_millis(millis as u64))
            }
            "drop" => FaultAction::Drop,
            "truncate" => FaultAction::Truncate,
            "chunked" => FaultAction::Chunked {
                status: status(429)?,
                retry_after,
            },
            other => {
                return Err(format!(
                    "'fault' '{other}' is not a fault kind; use error, empty, html, delay, drop, truncate or chunked"
                ))
            }
        };
        Ok(FaultRule {
            method,
            path_prefix,
            path_regex,
            remaining: count,
            action,
        })
    }

    /// Whether a request with this method and raw path matches.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.method
            .as_deref()
            .map_or(true, |wanted| wanted.eq_ignore_ascii_case(method))
            && self
                .path_prefix
                .as_deref()
                .map_or(true, |prefix| path.starts_with(prefix))
            && self
                .path_regex
                .as_ref()
                .map_or(true, |regex| regex.is_match(path))
    }

    /// The fault as `GET /_emulator/faults` lists it.
    pub fn describe(&self) -> Value {
        let mut map = Map::new();
        map.insert("method".into(), json!(self.method));
        map.insert("path".into(), json!(self.path_prefix));
        map.insert(
            "pathRegex".into(),
            json!(self.path_regex.as_ref().map(Regex::as_str)),
        );
        map.insert("remaining".into(), json!(self.remaining));
        let kind = match &self.action {
            FaultAction::Error { .. } => "error",
            FaultAction::Empty { .. } => "empty",
            FaultAction::Html { .. } => "html",
            FaultAction::Delay(_) => "delay",
            FaultAction::Drop => "drop",
            FaultAction::Truncate => "truncate",
            FaultAction::Chunked { .. } => "chunked",
        };
        map.insert("fault".into(), json!(kind));
        Value::Object(map)
    }
}

/// Graph's error code for a status.
fn default_code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "BadRequest",
        401 => "InvalidAuthenticationToken",
        403 => "Authorization_RequestDenied",
        404 => "Request_ResourceNotFound",
        429 => "TooManyRequests",
        500 => "InternalServerError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "UnknownError",
    }
}

fn add_retry_after(response: &mut Response<Body>, retry_after: &Option<RetryAfter>) {
    if let Some(retry_after) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&retry_after.header_value()) {
            response.headers_mut().insert("retry-after", value);
        }
    }
}

/// The answer of a fault that replaces the normal answer (`error`, `empty`, `html`, `chunked`).
/// None for the kinds that change how the normal answer is sent.
pub fn respond(action: &FaultAction, ids: &RequestIds) -> Option<Response<Body>> {
    let response = match action {
        FaultAction::Error {
            status,
            code,
            message,
            retry_after,
        } => {
            let mut response =
                GraphError::new(*status, code.clone(), message.clone()).into_response(ids);
            add_retry_after(&mut response, retry_after);
            response
        }
        FaultAction::Empty {
            status,
            retry_after,
        } => {
            let mut response = json_response(*status, "application/json", String::new(), ids);
            response.headers_mut().remove(CONTENT_TYPE);
            add_retry_after(&mut response, retry_after);
            response
        }
        FaultAction::Html {
            status,
            retry_after,
        } => {
            let reason = status.canonical_reason().unwrap_or("Error");
            let page = format!(
                "<!DOCTYPE html>\r\n<html><head><title>{code} {reason}</title></head><body><h1>{code} {reason}</h1><p>The gateway could not reach the service.</p></body></html>\r\n",
                code = status.as_u16()
            );
            let mut response = json_response(*status, "text/html; charset=utf-8", page, ids);
            add_retry_after(&mut response, retry_after);
            response
        }
        FaultAction::Chunked {
            status,
            retry_after,
        } => {
            let error = GraphError::new(
                *status,
                default_code(*status),
                "Too many requests were sent; retry after the time in Retry-After.",
            );
            let text = hyper::body::Bytes::from(error.body_text(ids));
            let (mut sender, body) = Body::channel();
            tokio::spawn(async move {
                let middle = text.len() / 2;
                if sender.send_data(text.slice(..middle)).await.is_ok() {
                    let _ = sender.send_data(text.slice(middle..)).await;
                }
            });
            let mut response = json_response(*status, "application/json", String::new(), ids);
            *response.body_mut() = body;
            add_retry_after(&mut response, retry_after);
            response
        }
        FaultAction::Delay(_) | FaultAction::Drop | FaultAction::Truncate => return None,
    };
    Some(response)
}

/// Rewrites a normal answer so that only half its body is sent under the full Content-Length,
/// after which the connection closes.
pub async fn truncate(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let bytes = hyper::body::to_bytes(body).await.unwrap_or_default();
    let full_length = bytes.len().max(2);
    let (mut sender, body) = Body::channel();
    tokio::spawn(async move {
        let half = bytes.slice(..bytes.len() / 2);
        let _ = sender.send_data(half).await;
        // Give the half body time to leave before the abort closes the connection.
        tokio::time::sleep(Duration::from_millis(50)).await;
        sender.abort();
    });
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(full_length));
    Response::from_parts(parts, body)
}
