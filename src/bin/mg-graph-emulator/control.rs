//! The control API, served under `/_emulator/` only when the emulator runs with `--control`.
//! Tests use it to see what reached the emulator and to start over.
//!
//! - `GET /_emulator/requests`: `{"value":[request]}`, every request except control requests, oldest first.
//! - `POST /_emulator/reset`: forgets the request log and everything every job provisioned (204).
//!
//! Control requests need no token and are not logged. New endpoints go into [`handle`]'s table.

use hyper::{Body, Method, Response, StatusCode};
use serde_json::json;

use crate::graph_error::{json_response, GraphError, RequestIds};
use crate::state::Emulator;

/// Answers one control request.
pub fn handle(emulator: &Emulator, method: &Method, path: &str) -> Response<Body> {
    let ids = RequestIds::new(None);
    let endpoint = path.trim_end_matches('/');
    match (method, endpoint) {
        (&Method::GET, "/_emulator/requests") => {
            let body = json!({ "value": emulator.requests() }).to_string();
            json_response(StatusCode::OK, "application/json", body, &ids)
        }
        (&Method::POST, "/_emulator/reset") => {
            emulator.reset();
            let mut response = json_response(
                StatusCode::NO_CONTENT,
                "application/json",
                String::new(),
                &ids,
            );
            response.headers_mut().remove(hyper::header::CONTENT_TYPE);
            response
        }
        (_, "/_emulator/requests") | (_, "/_emulator/reset") => GraphError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            "Use GET /_emulator/requests and POST /_emulator/reset.",
        )
        .with_header(
            "allow",
            if endpoint.ends_with("requests") {
                "GET"
            } else {
                "POST"
            },
        )
        .into_response(&ids),
        _ => GraphError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "The control API has GET /_emulator/requests and POST /_emulator/reset.",
        )
        .into_response(&ids),
    }
}
