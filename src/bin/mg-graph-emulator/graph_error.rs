//! Graph's error answers and the headers every answer carries.
//!
//! An error body is `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`
//! with `Content-Type: application/json`; every answer, error or not, has `request-id`,
//! `client-request-id` and `Date` headers.

use std::borrow::Cow;
use std::time::SystemTime;

use hyper::header::{HeaderValue, CONTENT_TYPE, DATE};
use hyper::{Body, Response, StatusCode};
use serde_json::json;

use crate::clock;

/// The content type of a successful OData answer.
pub const ODATA_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

/// The ids one request's answer carries.
#[derive(Debug, Clone)]
pub struct RequestIds {
    /// A fresh GUID for this answer.
    pub request_id: String,
    /// The caller's `client-request-id`, or a fresh GUID when it sent none.
    pub client_request_id: String,
}

impl RequestIds {
    /// Ids for a request whose `client-request-id` header (if any) is given.
    pub fn new(client_request_id: Option<&str>) -> RequestIds {
        let client_request_id = client_request_id
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        RequestIds {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id,
        }
    }
}

/// An error as Graph reports it: an HTTP status, a stable code and a message in plain words.
#[derive(Debug, Clone)]
pub struct GraphError {
    /// The HTTP status.
    pub status: StatusCode,
    /// Graph's error code, such as `RequestParameterInvalid`; clients branch on it.
    pub code: Cow<'static, str>,
    /// The message for people.
    pub message: String,
    /// Extra response headers, such as `WWW-Authenticate` or `Allow`.
    pub headers: Vec<(&'static str, String)>,
}

impl GraphError {
    /// An error with no extra headers.
    pub fn new(
        status: StatusCode,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> GraphError {
        GraphError {
            status,
            code: code.into(),
            message: message.into(),
            headers: Vec::new(),
        }
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> GraphError {
        self.headers.push((name, value.into()));
        self
    }

    /// 400 `BadRequest`: the body or the URL cannot be understood.
    pub fn bad_request(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "BadRequest", message)
    }

    /// 400 `RequestParameterInvalid`: the body is understood but asks for something the job cannot do.
    pub fn parameter_invalid(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::BAD_REQUEST, "RequestParameterInvalid", message)
    }

    /// 404 `Request_ResourceNotFound` for an application, service principal or job id.
    pub fn resource_not_found(id: &str) -> GraphError {
        GraphError::new(
            StatusCode::NOT_FOUND,
            "Request_ResourceNotFound",
            format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }

    /// 401 `InvalidAuthenticationToken`, with the `WWW-Authenticate` challenge Graph sends.
    pub fn unauthorized(message: impl Into<String>) -> GraphError {
        GraphError::new(StatusCode::UNAUTHORIZED, "InvalidAuthenticationToken", message).with_header(
            "www-authenticate",
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"",
        )
    }

    /// 403 `Authorization_RequestDenied`: the token carries no permission that allows the action.
    pub fn forbidden() -> GraphError {
        GraphError::new(
            StatusCode::FORBIDDEN,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        )
    }

    /// 429 `TooManyRequests` with `Retry-After` in seconds (fractions allowed).
    pub fn too_many_requests(retry_after: &str) -> GraphError {
        GraphError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "TooManyRequests",
            format!("Too many requests. This action allows a limited number of calls per application; retry after {retry_after} seconds."),
        )
        .with_header("retry-after", retry_after)
    }

    /// The JSON error body.
    pub fn body_text(&self, ids: &RequestIds) -> String {
        json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "innerError": {
                    "date": clock::error_date(SystemTime::now()),
                    "request-id": ids.request_id,
                    "client-request-id": ids.client_request_id,
                }
            }
        })
        .to_string()
    }

    /// The whole HTTP answer for this error.
    pub fn into_response(self, ids: &RequestIds) -> Response<Body> {
        let body = self.body_text(ids);
        let mut response = json_response(self.status, "application/json", body, ids);
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response.headers_mut().append(name, value);
            }
        }
        response
    }
}

/// An answer with a JSON body, the given content type and the id and date headers.
pub fn json_response(
    status: StatusCode,
    content_type: &str,
    body: String,
    ids: &RequestIds,
) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&ids.request_id) {
        headers.insert("request-id", value);
    }
    // The caller's id came in as a header value, so it is a valid one; a fresh GUID always is.
    if let Ok(value) = HeaderValue::from_str(&ids.client_request_id) {
        headers.insert("client-request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(SystemTime::now())) {
        headers.insert(DATE, value);
    }
    headers.insert("cache-control", HeaderValue::from_static("no-cache"));
    response
}
