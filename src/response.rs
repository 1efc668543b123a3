//! Decoding Graph's answers: the stringKeyStringValuePair result and the error envelope.

use serde_json::{Map, Value};

use crate::body::shorten;

/// Response headers in the order received; a name appears once with all of its values.
pub type Headers = Vec<(String, Vec<String>)>;

/// An HTTP answer as received.
#[derive(Debug, Clone)]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Headers,
    /// The body, decoded as UTF-8 with invalid bytes replaced.
    pub body: String,
}

impl HttpAnswer {
    /// Returns the first value of a header, matching its name without regard to case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .and_then(|(_, values)| values.first())
            .map(String::as_str)
    }
}

/// A decoded 2xx answer: `key` and `value` exactly as received, and every other member.
#[derive(Debug, Clone, PartialEq)]
pub struct ProvisionResult {
    /// The `key` string; JSON text (`{"result":...}`) or a type name, depending on the job.
    pub key: Option<String>,
    /// The `value` string; JSON text of one result object or of an array of them.
    pub value: Option<String>,
    /// `@odata.context` and any other members.
    pub additional_properties: Map<String, Value>,
}

/// Decodes a 2xx body. Returns a message when it is not a JSON object.
pub fn decode_result(body: &str) -> Result<ProvisionResult, String> {
    let parsed: Value = serde_json::from_str(body).map_err(|error| {
        if body.trim().is_empty() {
            "The server answered with an empty body where a result was expected.".to_string()
        } else {
            format!("The server answered with a body that is not JSON ({error}): {}", shorten(body.trim(), 200))
        }
    })?;
    let Value::Object(mut object) = parsed else {
        return Err(format!("The server answered with JSON that is not an object: {}", shorten(body.trim(), 200)));
    };

    let key = take_text(&mut object, "key");
    let value = take_text(&mut object, "value");
    Ok(ProvisionResult { key, value, additional_properties: object })
}

/// Removes a member and returns it as text: strings as they are, other JSON as its compact text.
fn take_text(object: &mut Map<String, Value>, name: &str) -> Option<String> {
    match object.remove(name)? {
        Value::Null => None,
        Value::String(text) => Some(text),
        other => Some(other.to_string()),
    }
}

/// A decoded error answer.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    /// Graph's error code, or the status name when the body has none.
    pub code: String,
    /// Graph's message, or a generic one naming the status.
    pub message: String,
    /// The HTTP status code.
    pub status_code: u16,
    /// The status name as .NET spells it, such as `BadRequest`.
    pub status_name: String,
    /// `innerError.date`, without a zone suffix as Graph writes it.
    pub date: Option<String>,
    /// `innerError.request-id`, or the `request-id` header.
    pub request_id: Option<String>,
    /// `innerError.client-request-id`, or the `client-request-id` header.
    pub client_request_id: Option<String>,
    /// Whether the body held Graph's error envelope with a code and a message.
    pub from_envelope: bool,
    /// The body, shortened, for errors whose body had no envelope.
    pub raw_body: Option<String>,
}

/// Decodes an error answer: Graph's envelope in any of its spellings, else a generic error.
pub fn decode_error(answer: &HttpAnswer) -> GraphError {
    let status_name = status_name(answer.status).to_string();
    let envelope = serde_json::from_str::<Value>(&answer.body).ok();
    let error = envelope.as_ref().and_then(|value| member(value, "error")).filter(|value| value.is_object());
    let inner = error.and_then(|error| member(error, "innerError"));

    let text_of = |value: Option<&Value>, name: &str| {
        value.and_then(|value| member(value, name)).and_then(Value::as_str).map(str::to_string)
    };
    let code = text_of(error, "code").or_else(|| text_of(inner, "code")).filter(|code| !code.is_empty());
    let message = text_of(error, "message").or_else(|| text_of(inner, "message"));
    let date = text_of(inner, "date").or_else(|| answer.header("Date").map(str::to_string));
    let request_id = text_of(inner, "request-id").or_else(|| answer.header("request-id").map(str::to_string));
    let client_request_id =
        text_of(inner, "client-request-id").or_else(|| answer.header("client-request-id").map(str::to_string));

    match (code, message) {
        (Some(code), Some(message)) => GraphError {
            code,
            message,
            status_code: answer.status,
            status_name,
            date,
            request_id,
            client_request_id,
            from_envelope: true,
            raw_body: None,
        },
        _ => {
            let kind = if answer.status >= 500 { "Server" } else { "Request" };
            GraphError {
                code: status_name.clone(),
                message: format!("The server responded with a {kind} Error, Status: {status_name}"),
                status_code: answer.status,
                status_name,
                date,
                request_id,
                client_request_id,
                from_envelope: false,
                raw_body: Some(shorten(answer.body.trim(), 2000)),
            }
        }
    }
}

impl GraphError {
    /// Formats the text PowerShell shows as ErrorDetails, in the layout Microsoft's module uses.
    /// The Authorization header never appears in it.
    pub fn details(&self, headers: &Headers) -> String {
        let mut text = String::new();
        text.push_str(&self.message);
        text.push_str("\n\n");
        text.push_str(&format!("Status: {} ({})\n", self.status_code, self.status_name));
        text.push_str(&format!("ErrorCode: {}\n", self.code));
        if let Some(date) = &self.date {
            text.push_str(&format!("Date: {date}\n"));
        }
        if let Some(body) = self.raw_body.as_ref().filter(|body| !body.is_empty()) {
            text.push_str(&format!("\nBody:\n{body}\n"));
        }
        text.push_str("\nHeaders:\n");
        for (name, values) in headers {
            if name.eq_ignore_ascii_case("authorization") {
                continue;
            }
            text.push_str(&format!("{:<30}: {}\n", display_header_name(name), values.join(",")));
        }
        text.trim_end().to_string()
    }
}

/// Capitalizes each dash-separated part of a header name, as HTTP/1.1 servers usually send it.
fn display_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// Finds a member by name without regard to case, as Graph spells `innerError` two ways.
fn member<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.as_object()?.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value)
}

/// Returns the name of an HTTP status as .NET's HttpStatusCode spells it.
pub fn status_name(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "NoContent",
        301 => "MovedPermanently",
        302 => "Found",
        303 => "SeeOther",
        304 => "NotModified",
        307 => "TemporaryRedirect",
        308 => "PermanentRedirect",
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        407 => "ProxyAuthenticationRequired",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "RequestEntityTooLarge",
        414 => "RequestUriTooLong",
        415 => "UnsupportedMediaType",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        431 => "RequestHeaderFieldsTooLarge",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        505 => "HttpVersionNotSupported",
        507 => "InsufficientStorage",
        _ => "Unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> HttpAnswer {
        HttpAnswer {
            status,
            headers: vec![
                ("request-id".into(), vec!["rid-header".into()]),
                ("content-type".into(), vec!["application/json".into()]),
            ],
            body: body.into(),
        }
    }

    #[test]
    fn shape_a_kept_verbatim() {
        let body = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#microsoft.graph.stringKeyStringValuePair","key":"{\"result\":\"Success\",\"details\":{}}","value":"{}"}"#;

        let result = decode_result(body).unwrap();
        assert_eq!(result.key.as_deref(), Some(r#"{"result":"Success","details":{}}"#));
        assert_eq!(result.value.as_deref(), Some("{}"));
        assert_eq!(result.additional_properties.len(), 1);
        assert!(result.additional_properties.contains_key("@odata.context"));
    }

    #[test]
    fn shape_b_kept_verbatim() {
        let body = r#"{"key":"Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo","value":"[{\"a\":1}]"}"#;

        let result = decode_result(body).unwrap();
        assert_eq!(result.key.as_deref(), Some("Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo"));
        assert_eq!(result.value.as_deref(), Some(r#"[{"a":1}]"#));
    }

    #[test]
    fn non_json_success_body_reported() {
        assert!(decode_result("<html>gateway</html>").unwrap_err().contains("not JSON"));
        assert!(decode_result("").unwrap_err().contains("empty body"));
        assert!(decode_result("[1]").unwrap_err().contains("not an object"));
    }

    #[test]
    fn graph_envelope_decoded() {
        let error = decode_error(&answer(
            400,
            r#"{"error":{"code":"RequestParameterInvalid","message":"bad rule","innerError":{"date":"2026-11-20T09:15:02","request-id":"rid","client-request-id":"crid"}}}"#,
        ));

        assert_eq!(error.code, "RequestParameterInvalid");
        assert_eq!(error.message, "bad rule");
        assert_eq!(error.date.as_deref(), Some("2026-11-20T09:15:02"));
        assert_eq!(error.request_id.as_deref(), Some("rid"));
        assert_eq!(error.client_request_id.as_deref(), Some("crid"));
        assert_eq!(error.status_name, "BadRequest");
    }

    #[test]
    fn lowercase_innererror_and_inner_code_decoded() {
        let error = decode_error(&answer(
            403,
            r#"{"error":{"innererror":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","status":403}}}"#,
        ));

        assert_eq!(error.code, "Authorization_RequestDenied");
        assert_eq!(error.request_id.as_deref(), Some("rid-header"));
    }

    #[test]
    fn bodies_without_envelope_fall_back() {
        for (status, body, kind) in [(502, "<html>Bad gateway</html>", "Server"), (400, "", "Request"), (404, r#"{"error":{"code":"X""#, "Request")] {
            let error = decode_error(&answer(status, body));

            assert!(!error.from_envelope);
            assert_eq!(error.code, status_name(status));
            assert_eq!(error.message, format!("The server responded with a {kind} Error, Status: {}", status_name(status)));
        }
    }

    #[test]
    fn details_follow_the_layout_without_authorization() {
        let error = decode_error(&answer(404, r#"{"error":{"code":"Request_ResourceNotFound","message":"gone","innerError":{"date":"2026-01-02T03:04:05"}}}"#));
        let headers = vec![
            ("authorization".to_string(), vec!["Bearer secret".to_string()]),
            ("request-id".to_string(), vec!["a".to_string(), "b".to_string()]),
        ];

        let details = error.details(&headers);
        assert!(details.starts_with("gone\n\nStatus: 404 (NotFound)\nErrorCode: Request_ResourceNotFound\nDate: 2026-01-02T03:04:05\n\nHeaders:\n"), "{details}");
        assert!(details.contains(&format!("{:<30}: a,b", "Request-Id")), "{details}");
        assert!(!details.contains("secret"));
    }
}
