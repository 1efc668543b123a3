//! Calls every export of the C ABI as a C program would: NULL pointers, invalid UTF-8, bad
//! envelopes, and real calls over loopback HTTP with success, errors, cancellation and timeouts.

mod support;

use std::ptr;
use std::time::{Duration, Instant};

use mg_provisioning::abi::*;
use mg_provisioning::MgStatus;
use serde_json::json;
use support::*;

const SUCCESS_BODY: &str = r#"{"@odata.context":"https://graph.microsoft.com/beta/$metadata#microsoft.graph.stringKeyStringValuePair","key":"{\"result\":\"Success\",\"details\":{}}","value":"{}","extra":7}"#;

#[test]
fn null_pointers_rejected_everywhere() {
    let endpoint = c("https://graph.microsoft.com");
    let token = c("token");
    let agent = c("agent");
    let mut context = ptr::null_mut();
    let mut call = ptr::null_mut();
    let mut text = ptr::null_mut();

    unsafe {
        assert_eq!(mg_context_new(ptr::null(), token.as_ptr(), agent.as_ptr(), &mut context), MgStatus::NullArgument);
        assert_eq!(mg_context_new(endpoint.as_ptr(), ptr::null(), agent.as_ptr(), &mut context), MgStatus::NullArgument);
        assert_eq!(mg_context_new(endpoint.as_ptr(), token.as_ptr(), ptr::null(), &mut context), MgStatus::NullArgument);
        assert_eq!(mg_context_new(endpoint.as_ptr(), token.as_ptr(), agent.as_ptr(), ptr::null_mut()), MgStatus::NullArgument);
        assert_eq!(mg_call_start(ptr::null(), c("{}").as_ptr(), &mut call), MgStatus::NullArgument);
        assert_eq!(mg_call_wait(ptr::null_mut(), 0), MgStatus::NullArgument);
        assert_eq!(mg_call_outcome(ptr::null(), &mut text), MgStatus::NullArgument);
        assert_eq!(mg_call_cancel(ptr::null_mut()), MgStatus::NullArgument);
        mg_call_free(ptr::null_mut());
        mg_context_free(ptr::null_mut());
        mg_string_free(ptr::null_mut());
    }
    assert!(context.is_null());
    assert!(call.is_null());
    assert!(text.is_null());
}

#[test]
fn invalid_utf8_rejected() {
    let bad = [0x68u8, 0xff, 0xfe, 0];
    let mut context = ptr::null_mut();

    let status = unsafe { mg_context_new(bad.as_ptr().cast(), c("t").as_ptr(), c("a").as_ptr(), &mut context) };

    assert_eq!(status, MgStatus::InvalidUtf8);
    assert!(context.is_null());
}

#[test]
fn context_errors_leave_output_untouched() {
    let sentinel = 0x1234usize as *mut MgContext;
    for (endpoint, token, expected) in [
        ("http://graph.example.com", "t", MgStatus::InsecureEndpoint),
        ("not a url", "t", MgStatus::InvalidEndpoint),
        ("https://graph.microsoft.com", "", MgStatus::InvalidToken),
        ("https://graph.microsoft.com", "a\nb", MgStatus::InvalidToken),
    ] {
        let mut context = sentinel;

        let status = unsafe { mg_context_new(c(endpoint).as_ptr(), c(token).as_ptr(), c("a").as_ptr(), &mut context) };

        assert_eq!(status, expected, "{endpoint}");
        assert_eq!(context, sentinel, "{endpoint}");
    }
}

#[test]
fn envelope_that_is_not_json_rejected() {
    let context = context("http://127.0.0.1:9", "token");
    let sentinel = 0x1234usize as *mut MgCall;
    let mut call = sentinel;

    let status = unsafe { mg_call_start(context, c("{not json").as_ptr(), &mut call) };

    assert_eq!(status, MgStatus::InvalidRequestJson);
    assert_eq!(call, sentinel);
    unsafe { mg_context_free(context) };
}

#[test]
fn validation_failure_is_a_finished_call() {
    let context = context("http://127.0.0.1:9", "token");
    let envelope = json!({
        "parameterSet": "ProvisionViaIdentityExpanded",
        "inputObject": { "ApplicationId": "app" },
        "parameters": []
    });

    let (status, outcome) = run(context, &envelope.to_string());

    assert_eq!(status, MgStatus::MissingIdentity);
    assert_eq!(outcome["status"], 7104);
    assert_eq!(outcome["error"]["message"], "InputObject has null value for InputObject.SynchronizationJobId");
    assert!(outcome.get("request").is_none());
    unsafe { mg_context_free(context) };
}

#[test]
fn success_sends_the_request_and_decodes_the_result() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "secret-token-value");

    let (status, outcome) = run(context, &user_envelope("app 1/x", "scim.123"));

    assert_eq!(status, MgStatus::Ok);
    assert_eq!(outcome["result"]["key"], r#"{"result":"Success","details":{}}"#);
    assert_eq!(outcome["result"]["value"], "{}");
    assert_eq!(outcome["result"]["additionalProperties"]["extra"], 7);
    assert_eq!(outcome["response"]["statusCode"], 200);
    assert!(!outcome.to_string().contains("secret-token-value"));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/beta/applications/app%201%2Fx/synchronization/jobs/scim.123/provisionOnDemand");
    assert_eq!(request.header("authorization"), Some("Bearer secret-token-value"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(request.header("user-agent"), Some("abi-tests/1.0"));
    assert_eq!(request.header("client-request-id"), outcome["request"]["clientRequestId"].as_str());
    let body: serde_json::Value = serde_json::from_str(&request.body).unwrap();
    assert_eq!(body, json!({ "parameters": [{ "ruleId": "rule-1", "subjects": [{ "objectId": "user-1", "objectTypeName": "User" }] }] }));
    unsafe { mg_context_free(context) };
}

#[test]
fn each_call_gets_a_fresh_client_request_id() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "token");

    run(context, &user_envelope("app", "job"));
    run(context, &user_envelope("app", "job"));

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_ne!(requests[0].header("client-request-id"), requests[1].header("client-request-id"));
    assert_eq!(requests[0].header_count("user-agent"), 1);
    unsafe { mg_context_free(context) };
}

#[test]
fn extra_headers_sent_once_and_client_request_id_replaced() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "token");
    let mut envelope: serde_json::Value = serde_json::from_str(&user_envelope("app", "job")).unwrap();
    envelope["headers"] = json!({ "x-ms-trace": "t1", "client-request-id": "my-id" });

    let (status, outcome) = run(context, &envelope.to_string());

    assert_eq!(status, MgStatus::Ok);
    let request = &server.requests()[0];
    assert_eq!(request.header("x-ms-trace"), Some("t1"));
    assert_eq!(request.header("client-request-id"), Some("my-id"));
    assert_eq!(request.header_count("client-request-id"), 1);
    assert_eq!(outcome["request"]["clientRequestId"], "my-id");
    unsafe { mg_context_free(context) };
}

#[test]
fn graph_error_decoded_with_details() {
    let server = TestServer::json(
        404,
        r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist.","innerError":{"date":"2026-11-20T09:15:02","request-id":"rid","client-request-id":"crid"}}}"#,
    );
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &user_envelope("app", "job"));

    assert_eq!(status, MgStatus::HttpError);
    let error = &outcome["error"];
    assert_eq!(error["code"], "Request_ResourceNotFound");
    assert_eq!(error["statusCode"], 404);
    assert_eq!(error["statusName"], "NotFound");
    assert_eq!(error["requestId"], "rid");
    assert!(error["details"].as_str().unwrap().contains("Status: 404 (NotFound)"));
    assert_eq!(outcome["response"]["headers"]["request-id"][0], "11111111-2222-4333-8444-555555555555");
    unsafe { mg_context_free(context) };
}

#[test]
fn html_error_body_falls_back() {
    let server = TestServer::start(Reply::Answer {
        status: 502,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: "<html><body>Bad gateway</body></html>".into(),
    });
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &user_envelope("app", "job"));

    assert_eq!(status, MgStatus::HttpError);
    assert_eq!(outcome["error"]["code"], "BadGateway");
    assert_eq!(outcome["error"]["message"], "The server responded with a Server Error, Status: BadGateway");
    assert!(outcome["error"]["rawBody"].as_str().unwrap().contains("Bad gateway"));
    unsafe { mg_context_free(context) };
}

#[test]
fn success_status_with_html_is_invalid_response() {
    let server = TestServer::start(Reply::Answer { status: 200, headers: vec![], body: "<html>login</html>".into() });
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &user_envelope("app", "job"));

    assert_eq!(status, MgStatus::InvalidResponse);
    assert!(outcome["error"]["message"].as_str().unwrap().contains("not JSON"));
    unsafe { mg_context_free(context) };
}

#[test]
fn cancel_returns_quickly_and_outcome_says_cancelled() {
    let server = TestServer::start(Reply::Hang);
    let context = context(&server.url, "token");
    let mut call = ptr::null_mut();

    unsafe {
        assert_eq!(mg_call_start(context, c(&user_envelope("app", "job")).as_ptr(), &mut call), MgStatus::Ok);
        assert_eq!(mg_call_wait(call, 200), MgStatus::Pending);
        let mut text = ptr::null_mut();
        assert_eq!(mg_call_outcome(call, &mut text), MgStatus::Pending);
        assert!(text.is_null());

        let started = Instant::now();
        assert_eq!(mg_call_cancel(call), MgStatus::Ok);
        assert_eq!(mg_call_wait(call, 1000), MgStatus::Cancelled);
        assert!(started.elapsed() < Duration::from_millis(250), "cancel took {:?}", started.elapsed());
        assert_eq!(take_outcome(call)["statusName"], "MG_STATUS_CANCELLED");
        mg_call_free(call);
        mg_context_free(context);
    }
}

#[test]
fn time_limit_ends_the_call() {
    let server = TestServer::start(Reply::Hang);
    let context = context(&server.url, "token");
    let mut envelope: serde_json::Value = serde_json::from_str(&user_envelope("app", "job")).unwrap();
    envelope["timeoutSeconds"] = json!(0.3);

    let started = Instant::now();
    let (status, outcome) = run(context, &envelope.to_string());

    assert_eq!(status, MgStatus::TimedOut);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(outcome["error"]["message"].as_str().unwrap().contains("timed out"));
    unsafe { mg_context_free(context) };
}

#[test]
fn refused_connection_names_the_host() {
    let context = context("http://127.0.0.1:9", "token");

    let (status, outcome) = run(context, &user_envelope("app", "job"));

    assert_eq!(status, MgStatus::ConnectFailed);
    assert!(outcome["error"]["message"].as_str().unwrap().contains("'127.0.0.1'"));
    unsafe { mg_context_free(context) };
}

#[test]
fn freeing_a_running_call_is_safe() {
    let server = TestServer::start(Reply::Hang);
    let context = context(&server.url, "token");
    let mut call = ptr::null_mut();

    unsafe {
        assert_eq!(mg_call_start(context, c(&user_envelope("app", "job")).as_ptr(), &mut call), MgStatus::Ok);
        mg_context_free(context);
        mg_call_free(call);
    }
}

/// build.rs rewrites include/mg_provisioning.h from the sources on every build, so a header that
/// differs from the committed one means the ABI changed without the header being committed.
#[test]
fn committed_header_matches_generated() {
    let root = env!("CARGO_MANIFEST_DIR");
    let committed = std::process::Command::new("git")
        .args(["show", "HEAD:include/mg_provisioning.h"])
        .current_dir(root)
        .output()
        .expect("git runs in the checkout");
    assert!(committed.status.success(), "include/mg_provisioning.h is not committed: {}", String::from_utf8_lossy(&committed.stderr));
    let current = std::fs::read(format!("{root}/include/mg_provisioning.h")).unwrap();
    assert!(
        committed.stdout == current,
        "include/mg_provisioning.h differs from the committed copy: build.rs regenerated it from the sources; commit the new header"
    );
}
