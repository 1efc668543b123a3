//! The C ABI: opaque handles, numbered status codes and UTF-8 strings.
//!
//! Every export follows the same steps: check and convert pointers, check state, do the work,
//! and write out-parameters only on success. Each runs inside [`ffi_boundary`], so a panic
//! becomes `MG_STATUS_PANIC` instead of unwinding into the caller.

use std::ffi::{c_char, CStr, CString};
use std::sync::Arc;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::auth::CredentialOptions;
use crate::status::MgStatus;
use crate::transport::{Call, Context, Phase};

mod panic;
use panic::ffi_boundary;

/// A signed-in session: the Graph endpoint, the access token and the User-Agent.
pub struct MgContext {
    inner: Arc<Context>,
}

/// One provisionOnDemand call.
pub struct MgCall {
    inner: Call,
}

/// Reads a NUL-terminated UTF-8 string argument.
unsafe fn read_str<'a>(text: *const c_char) -> Result<&'a str, MgStatus> {
    if text.is_null() {
        return Err(MgStatus::NullArgument);
    }
    CStr::from_ptr(text).to_str().map_err(|_| MgStatus::InvalidUtf8)
}

/// Hands a string to the caller, who frees it with `mg_string_free`.
fn into_c_string(text: String) -> *mut c_char {
    // JSON text never contains NUL: serde_json escapes it as \u0000.
    CString::new(text).unwrap_or_default().into_raw()
}

/// Creates a context for calls to one Graph endpoint with one access token.
///
/// `graph_endpoint` is an absolute URL such as `https://graph.microsoft.com`; plain http is
/// accepted only for loopback hosts. `access_token` is sent as `Authorization: Bearer` and is
/// zeroed when the context is freed. `user_agent` is sent as the User-Agent of every call.
/// On success writes a new context to `*context_out`; release it with `mg_context_free`.
/// A context may be used by several threads at once.
///
/// Returns `MG_STATUS_OK`, `MG_STATUS_NULL_ARGUMENT`, `MG_STATUS_INVALID_UTF8`,
/// `MG_STATUS_INVALID_ENDPOINT`, `MG_STATUS_INSECURE_ENDPOINT`, `MG_STATUS_INVALID_TOKEN`,
/// `MG_STATUS_INVALID_INPUT` (a User-Agent a header cannot carry) or `MG_STATUS_PANIC`.
///
/// # Safety
/// The strings must be NUL-terminated and valid for the call; `context_out` must be writable.
#[no_mangle]
pub unsafe extern "C" fn mg_context_new(
    graph_endpoint: *const c_char,
    access_token: *const c_char,
    user_agent: *const c_char,
    context_out: *mut *mut MgContext,
) -> MgStatus {
    ffi_boundary(|| {
        if context_out.is_null() {
            return MgStatus::NullArgument;
        }
        let (endpoint, token, agent) = match (read_str(graph_endpoint), read_str(access_token), read_str(user_agent)) {
            (Ok(endpoint), Ok(token), Ok(agent)) => (endpoint, token, agent),
            (Err(status), _, _) | (_, Err(status), _) | (_, _, Err(status)) => return status,
        };

        match Context::new(endpoint, token, agent) {
            Ok(context) => {
                *context_out = Box::into_raw(Box::new(MgContext { inner: Arc::new(context) }));
                MgStatus::Ok
            }
            Err(error) => error.status,
        }
    })
}

/// Creates a context that requests its own tokens: with a client secret or a certificate (the
/// client-credentials grant) or a managed identity (App Service style). No request is sent until
/// `mg_context_sign_in` or the first call.
///
/// `options_json` holds `kind` (`clientSecret`, `certificate` or `managedIdentity`),
/// `authorityEndpoint`, `tenantId`, `clientId`, and for a certificate `certificateDer` (base64),
/// `chainDer` and `sendCertificateChain`, for a managed identity `identityEndpoint`.
/// `secret` (`secret_len` bytes) is the client secret as UTF-8, the certificate's private key as
/// PKCS#8 DER, or the IDENTITY_HEADER value. The library copies it into memory that it zeroes when
/// the context is freed; the caller should zero its own copy after this call.
/// On success writes a new context to `*context_out`; release it with `mg_context_free`.
///
/// Returns `MG_STATUS_OK`, `MG_STATUS_NULL_ARGUMENT`, `MG_STATUS_INVALID_UTF8`,
/// `MG_STATUS_INVALID_REQUEST_JSON` (options that do not parse), `MG_STATUS_INVALID_ENDPOINT`,
/// `MG_STATUS_INSECURE_ENDPOINT`, `MG_STATUS_INVALID_CREDENTIAL` or `MG_STATUS_PANIC`.
///
/// # Safety
/// The strings must be NUL-terminated, `secret` readable for `secret_len` bytes, and
/// `context_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mg_context_new_with_credential(
    graph_endpoint: *const c_char,
    options_json: *const c_char,
    secret: *const u8,
    secret_len: usize,
    user_agent: *const c_char,
    context_out: *mut *mut MgContext,
) -> MgStatus {
    ffi_boundary(|| {
        if context_out.is_null() || (secret.is_null() && secret_len > 0) {
            return MgStatus::NullArgument;
        }
        let (endpoint, options, agent) = match (read_str(graph_endpoint), read_str(options_json), read_str(user_agent)) {
            (Ok(endpoint), Ok(options), Ok(agent)) => (endpoint, options, agent),
            (Err(status), _, _) | (_, Err(status), _) | (_, _, Err(status)) => return status,
        };
        let Ok(options) = serde_json::from_str::<CredentialOptions>(options) else {
            return MgStatus::InvalidRequestJson;
        };
        let secret = if secret_len == 0 {
            Zeroizing::new(Vec::new())
        } else {
            Zeroizing::new(std::slice::from_raw_parts(secret, secret_len).to_vec())
        };

        match Context::with_credential(endpoint, &options, secret, agent) {
            Ok(context) => {
                *context_out = Box::into_raw(Box::new(MgContext { inner: Arc::new(context) }));
                MgStatus::Ok
            }
            Err(error) => error.status,
        }
    })
}

/// Starts signing in with a context's credential: a new token is requested, bypassing the
/// cache, so that a wrong secret or certificate shows at once. Wait for the call, and read its
/// outcome, as for `mg_call_start`; a successful outcome has `signIn` with the token's `claims`
/// and `expiresOn` (seconds since 1970), never the token itself, and a failed one has `error`
/// with Entra's `code` (such as `AADSTS7000215`), `oauthError`, `traceId` and `correlationId`.
/// For a context made from a token, the outcome has the token's claims.
/// `timeout_ms` bounds the whole sign-in. On success writes a new call to `*call_out`; release it
/// with `mg_call_free`.
///
/// Returns `MG_STATUS_OK`, `MG_STATUS_NULL_ARGUMENT`, `MG_STATUS_INTERNAL` or `MG_STATUS_PANIC`.
///
/// # Safety
/// `context` must be a live context and `call_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mg_context_sign_in(context: *const MgContext, timeout_ms: u32, call_out: *mut *mut MgCall) -> MgStatus {
    ffi_boundary(|| {
        if context.is_null() || call_out.is_null() {
            return MgStatus::NullArgument;
        }
        let context = Arc::clone(&(*context).inner);

        match Call::start_sign_in(context, Duration::from_millis(u64::from(timeout_ms.max(1)))) {
            Ok(call) => {
                *call_out = Box::into_raw(Box::new(MgCall { inner: call }));
                MgStatus::Ok
            }
            Err(error) => error.status,
        }
    })
}

/// Frees a context and zeroes its token. Calls started from it keep what they need and finish
/// normally. NULL is ignored.
///
/// # Safety
/// `context` must come from `mg_context_new` and must not be used after this call.
#[no_mangle]
pub unsafe extern "C" fn mg_context_free(context: *mut MgContext) {
    ffi_boundary(|| {
        if !context.is_null() {
            drop(Box::from_raw(context));
        }
        MgStatus::Ok
    });
}

/// Starts a provisionOnDemand call described by a request envelope (JSON, see the README).
///
/// The request is validated and built before this returns. A request that fails validation
/// still gives a call, already finished, whose outcome holds the error; so this function fails
/// only for NULL pointers, invalid UTF-8, an envelope that is not JSON, or an internal failure.
/// On success writes a new call to `*call_out`; release it with `mg_call_free`.
///
/// Returns `MG_STATUS_OK`, `MG_STATUS_NULL_ARGUMENT`, `MG_STATUS_INVALID_UTF8`,
/// `MG_STATUS_INVALID_REQUEST_JSON`, `MG_STATUS_INTERNAL` or `MG_STATUS_PANIC`.
///
/// # Safety
/// `context` must be a live context, `request_json` a NUL-terminated string and `call_out`
/// writable.
#[no_mangle]
pub unsafe extern "C" fn mg_call_start(
    context: *const MgContext,
    request_json: *const c_char,
    call_out: *mut *mut MgCall,
) -> MgStatus {
    ffi_boundary(|| {
        if context.is_null() || call_out.is_null() {
            return MgStatus::NullArgument;
        }
        let request_json = match read_str(request_json) {
            Ok(text) => text,
            Err(status) => return status,
        };
        let context = Arc::clone(&(*context).inner);

        match Call::start(context, request_json) {
            Ok(call) => {
                *call_out = Box::into_raw(Box::new(MgCall { inner: call }));
                MgStatus::Ok
            }
            Err(error) => error.status,
        }
    })
}

/// Waits up to `timeout_ms` milliseconds for a call to finish; 0 only polls.
///
/// Returns `MG_STATUS_PENDING` while the call runs, else its final status: `MG_STATUS_OK` for a
/// 2xx answer, `MG_STATUS_HTTP_ERROR` for any other answer, or the code of the failure.
/// A call may be waited on from one thread at a time.
///
/// # Safety
/// `call` must be a live call.
#[no_mangle]
pub unsafe extern "C" fn mg_call_wait(call: *mut MgCall, timeout_ms: u32) -> MgStatus {
    ffi_boundary(|| {
        if call.is_null() {
            return MgStatus::NullArgument;
        }

        (*call).inner.wait(Duration::from_millis(u64::from(timeout_ms)))
    })
}

/// Writes the outcome JSON of a finished call to `*outcome_json_out`; free it with
/// `mg_string_free`. The outcome holds the request sent, the answer's status and headers, and
/// the decoded result or the error (see the README).
///
/// Returns `MG_STATUS_OK`, `MG_STATUS_PENDING` while the call runs, `MG_STATUS_NULL_ARGUMENT`
/// or `MG_STATUS_PANIC`.
///
/// # Safety
/// `call` must be a live call and `outcome_json_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mg_call_outcome(call: *const MgCall, outcome_json_out: *mut *mut c_char) -> MgStatus {
    ffi_boundary(|| {
        if call.is_null() || outcome_json_out.is_null() {
            return MgStatus::NullArgument;
        }
        let Some((_, json)) = (*call).inner.outcome() else {
            return MgStatus::Pending;
        };

        *outcome_json_out = into_c_string(json);
        MgStatus::Ok
    })
}

/// Writes what a call is doing to `*progress_json_out`, for progress reports while waiting; free
/// it with `mg_string_free`. The JSON has `sequence` (grows each time the phase changes),
/// `phase` (`sending`, `pacing`, `retryWait` or `finished`), `attempt`, and for waits
/// `waitSeconds`, `remainingSeconds` and, before a retry, `statusCode`.
///
/// Returns `MG_STATUS_OK`, `MG_STATUS_NULL_ARGUMENT` or `MG_STATUS_PANIC`.
///
/// # Safety
/// `call` must be a live call and `progress_json_out` writable.
#[no_mangle]
pub unsafe extern "C" fn mg_call_progress(call: *const MgCall, progress_json_out: *mut *mut c_char) -> MgStatus {
    ffi_boundary(|| {
        if call.is_null() || progress_json_out.is_null() {
            return MgStatus::NullArgument;
        }
        let (sequence, phase, finished) = (*call).inner.phase();

        let now = std::time::Instant::now();
        let progress = match phase {
            _ if finished => serde_json::json!({ "sequence": sequence, "phase": "finished" }),
            Phase::Sending { attempt } => serde_json::json!({ "sequence": sequence, "phase": "sending", "attempt": attempt }),
            Phase::Pacing { wait, until } => serde_json::json!({
                "sequence": sequence, "phase": "pacing",
                "waitSeconds": wait.as_secs_f64(), "remainingSeconds": until.saturating_duration_since(now).as_secs_f64(),
            }),
            Phase::RetryWait { retry, wait, until, status } => serde_json::json!({
                "sequence": sequence, "phase": "retryWait", "attempt": retry + 1, "statusCode": status,
                "waitSeconds": wait.as_secs_f64(), "remainingSeconds": until.saturating_duration_since(now).as_secs_f64(),
            }),
        };
        *progress_json_out = into_c_string(progress.to_string());
        MgStatus::Ok
    })
}

/// Cancels a running call: its connection is dropped and its final status becomes
/// `MG_STATUS_CANCELLED`. A finished call is left as it is.
///
/// Returns `MG_STATUS_OK`, `MG_STATUS_NULL_ARGUMENT` or `MG_STATUS_PANIC`.
///
/// # Safety
/// `call` must be a live call.
#[no_mangle]
pub unsafe extern "C" fn mg_call_cancel(call: *mut MgCall) -> MgStatus {
    ffi_boundary(|| {
        if call.is_null() {
            return MgStatus::NullArgument;
        }

        (*call).inner.cancel();
        MgStatus::Ok
    })
}

/// Cancels a call if it still runs and frees it. NULL is ignored.
///
/// # Safety
/// `call` must come from `mg_call_start` and must not be used after this call.
#[no_mangle]
pub unsafe extern "C" fn mg_call_free(call: *mut MgCall) {
    ffi_boundary(|| {
        if !call.is_null() {
            drop(Box::from_raw(call));
        }
        MgStatus::Ok
    });
}

/// Frees a string returned by the library. NULL is ignored.
///
/// # Safety
/// `text` must come from this library and must not be used after this call.
#[no_mangle]
pub unsafe extern "C" fn mg_string_free(text: *mut c_char) {
    ffi_boundary(|| {
        if !text.is_null() {
            drop(CString::from_raw(text));
        }
        MgStatus::Ok
    });
}
