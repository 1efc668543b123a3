//! The numbered status codes shared by the Rust API and the C ABI.

/// A status code returned by every fallible function of the library.
///
/// Codes start at 7000, far from 0 and from errno values, and are grouped by origin: 71xx for
/// arguments and parameter sets, 72xx for the transport, 73xx for HTTP answers, 74xx for
/// response decoding, 75xx for internal failures and 76xx for sign-in. A code is never renumbered.
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MgStatus {
    /// The function succeeded; for a call, Graph answered with a 2xx status.
    Ok = 7000,
    /// The call is still running.
    Pending = 7001,
    /// A pointer argument was NULL.
    NullArgument = 7100,
    /// A string argument was not valid UTF-8.
    InvalidUtf8 = 7101,
    /// The request envelope was not valid JSON or lacked a required member.
    InvalidRequestJson = 7102,
    /// The parameter set is unknown, or a value was given that the set does not take.
    InvalidParameterSet = 7103,
    /// The identity object (-InputObject) lacks an id that the request needs.
    MissingIdentity = 7104,
    /// An id, the body or one of its values is invalid.
    InvalidInput = 7105,
    /// A request header cannot be sent as given.
    InvalidHeader = 7106,
    /// The Graph endpoint is not an absolute http or https URL.
    InvalidEndpoint = 7107,
    /// The Graph endpoint uses plain http to a host that is not a loopback address.
    InsecureEndpoint = 7108,
    /// The access token is empty or contains characters a header cannot carry.
    InvalidToken = 7109,
    /// The call was cancelled before it finished.
    Cancelled = 7200,
    /// The call did not finish within its time limit.
    TimedOut = 7201,
    /// The connection to the server could not be made.
    ConnectFailed = 7202,
    /// The connection failed while the request or the response was in flight.
    TransportFailed = 7203,
    /// A redirect was not followed: too many, or from https to http.
    RedirectRejected = 7204,
    /// The server answered with a status outside 2xx.
    HttpError = 7300,
    /// The server answered 2xx with a body that is not the expected JSON object.
    InvalidResponse = 7400,
    /// The library panicked; the panic was caught at the ABI boundary.
    Panic = 7500,
    /// An internal failure, such as the runtime failing to start.
    Internal = 7501,
    /// Sign-in failed: the token service refused the credential or answered without a token.
    AuthenticationFailed = 7600,
    /// A credential is unusable before any request: a missing id, an empty secret, a bad key.
    InvalidCredential = 7601,
}

impl MgStatus {
    /// Returns the name that the C header gives this code, such as `MG_STATUS_OK`.
    pub fn name(self) -> &'static str {
        match self {
            MgStatus::Ok => "MG_STATUS_OK",
            MgStatus::Pending => "MG_STATUS_PENDING",
            MgStatus::NullArgument => "MG_STATUS_NULL_ARGUMENT",
            MgStatus::InvalidUtf8 => "MG_STATUS_INVALID_UTF8",
            MgStatus::InvalidRequestJson => "MG_STATUS_INVALID_REQUEST_JSON",
            MgStatus::InvalidParameterSet => "MG_STATUS_INVALID_PARAMETER_SET",
            MgStatus::MissingIdentity => "MG_STATUS_MISSING_IDENTITY",
            MgStatus::InvalidInput => "MG_STATUS_INVALID_INPUT",
            MgStatus::InvalidHeader => "MG_STATUS_INVALID_HEADER",
            MgStatus::InvalidEndpoint => "MG_STATUS_INVALID_ENDPOINT",
            MgStatus::InsecureEndpoint => "MG_STATUS_INSECURE_ENDPOINT",
            MgStatus::InvalidToken => "MG_STATUS_INVALID_TOKEN",
            MgStatus::Cancelled => "MG_STATUS_CANCELLED",
            MgStatus::TimedOut => "MG_STATUS_TIMED_OUT",
            MgStatus::ConnectFailed => "MG_STATUS_CONNECT_FAILED",
            MgStatus::TransportFailed => "MG_STATUS_TRANSPORT_FAILED",
            MgStatus::RedirectRejected => "MG_STATUS_REDIRECT_REJECTED",
            MgStatus::HttpError => "MG_STATUS_HTTP_ERROR",
            MgStatus::InvalidResponse => "MG_STATUS_INVALID_RESPONSE",
            MgStatus::Panic => "MG_STATUS_PANIC",
            MgStatus::Internal => "MG_STATUS_INTERNAL",
            MgStatus::AuthenticationFailed => "MG_STATUS_AUTHENTICATION_FAILED",
            MgStatus::InvalidCredential => "MG_STATUS_INVALID_CREDENTIAL",
        }
    }
}

/// An error of the Rust API: a status code and a message for people.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    /// The status code that the C ABI reports for this error.
    pub status: MgStatus,
    /// What failed, naming the field and the value where there is one.
    pub message: String,
    /// The path of the offending input field, such as `BodyParameter.parameters[0].ruleId`.
    pub field: Option<String>,
    /// Structured details for the outcome, such as the sign-in service's error code.
    pub details: Option<Box<serde_json::Value>>,
}

impl Error {
    /// Creates an error with a status and a message.
    pub fn new(status: MgStatus, message: impl Into<String>) -> Self {
        Error { status, message: message.into(), field: None, details: None }
    }

    /// Creates an error about one input field.
    pub fn at(status: MgStatus, field: impl Into<String>, message: impl Into<String>) -> Self {
        Error { status, message: message.into(), field: Some(field.into()), details: None }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The result type of the Rust API.
pub type Result<T> = std::result::Result<T, Error>;
