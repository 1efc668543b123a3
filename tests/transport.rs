//! Retries, pacing, progress, compression and proxies, through the C ABI over loopback HTTP.

mod support;

use std::ffi::CStr;
use std::io::Write;
use std::ptr;
use std::time::{Duration, Instant, SystemTime};

use mg_provisioning::abi::*;
use mg_provisioning::MgStatus;
use serde_json::{json, Value};
use support::*;

const SUCCESS_BODY: &str = r#"{"key":"{\"result\":\"Success\",\"details\":{}}","value":"{}"}"#;
const THROTTLED_BODY: &str = r#"{"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"date":"2026-11-20T09:15:02"}}}"#;

/// An envelope with its own application id, so that each test has its own pacing window.
fn envelope(application_id: &str, extra: Value) -> String {
    let mut envelope: Value = serde_json::from_str(&user_envelope(application_id, "job")).unwrap();
    envelope["pacing"] = json!({ "enabled": false });
    if let Value::Object(members) = extra {
        for (key, value) in members {
            envelope[key] = value;
        }
    }
    envelope.to_string()
}

unsafe fn progress(call: *mut MgCall) -> Value {
    let mut text = ptr::null_mut();
    assert_eq!(mg_call_progress(call, &mut text), MgStatus::Ok);
    let parsed = serde_json::from_str(CStr::from_ptr(text).to_str().unwrap()).unwrap();
    mg_string_free(text);
    parsed
}

#[test]
fn retry_after_seconds_then_success() {
    let server = TestServer::sequence(vec![
        json_reply(429, &[("Retry-After", "0.2")], THROTTLED_BODY),
        json_reply(200, &[], SUCCESS_BODY),
    ]);
    let context = context(&server.url, "token");

    let started = Instant::now();
    let (status, outcome) = run(context, &envelope("retry-seconds", json!({})));

    assert_eq!(status, MgStatus::Ok);
    assert_eq!(outcome["attempts"], 2);
    assert!(started.elapsed() >= Duration::from_millis(200));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].header("retry-attempt"), None);
    assert_eq!(requests[1].header("retry-attempt"), Some("1"));
    assert_eq!(requests[0].header("client-request-id"), requests[1].header("client-request-id"));
    unsafe { mg_context_free(context) };
}

#[test]
fn retry_after_http_date_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(1));
    let server = TestServer::sequence(vec![json_reply(503, &[("Retry-After", &date)], ""), json_reply(200, &[], SUCCESS_BODY)]);
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &envelope("retry-date", json!({})));

    assert_eq!(status, MgStatus::Ok);
    assert_eq!(outcome["attempts"], 2);
    unsafe { mg_context_free(context) };
}

#[test]
fn missing_retry_after_doubles_the_delay() {
    let server = TestServer::sequence(vec![json_reply(504, &[], ""), json_reply(503, &[], ""), json_reply(200, &[], SUCCESS_BODY)]);
    let context = context(&server.url, "token");

    let started = Instant::now();
    let (status, outcome) = run(context, &envelope("retry-backoff", json!({ "retry": { "retryDelaySeconds": 0.1 } })));

    assert_eq!(status, MgStatus::Ok);
    assert_eq!(outcome["attempts"], 3);
    assert!(started.elapsed() >= Duration::from_millis(300), "waited {:?}", started.elapsed());
    assert_eq!(server.requests()[2].header("retry-attempt"), Some("2"));
    unsafe { mg_context_free(context) };
}

#[test]
fn exhausted_retries_report_the_last_error_and_attempts() {
    let server = TestServer::start(json_reply(429, &[("Retry-After", "0")], THROTTLED_BODY));
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &envelope("retry-exhausted", json!({ "retry": { "maxRetry": 2 } })));

    assert_eq!(status, MgStatus::HttpError);
    assert_eq!(outcome["attempts"], 3);
    assert_eq!(outcome["error"]["code"], "TooManyRequests");
    assert_eq!(outcome["error"]["message"], "Too many requests. The request was sent 3 times.");
    assert_eq!(server.requests().len(), 3);
    unsafe { mg_context_free(context) };
}

#[test]
fn no_retry_when_max_retry_is_zero() {
    let server = TestServer::start(json_reply(503, &[], ""));
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &envelope("retry-none", json!({ "retry": { "maxRetry": 0 } })));

    assert_eq!(status, MgStatus::HttpError);
    assert_eq!(outcome["attempts"], 1);
    assert_eq!(server.requests().len(), 1);
    unsafe { mg_context_free(context) };
}

#[test]
fn retries_time_limit_stops_retrying() {
    let server = TestServer::start(json_reply(429, &[("Retry-After", "5")], THROTTLED_BODY));
    let context = context(&server.url, "token");

    let started = Instant::now();
    let (status, outcome) = run(context, &envelope("retry-limit", json!({ "retry": { "retriesTimeLimitSeconds": 1 } })));

    assert_eq!(status, MgStatus::HttpError);
    assert_eq!(outcome["attempts"], 1);
    assert!(started.elapsed() < Duration::from_secs(3));
    unsafe { mg_context_free(context) };
}

#[test]
fn chunked_throttled_answer_is_retried() {
    let chunked = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".to_vec();
    let truncated = b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 500\r\n\r\n{\"error\":".to_vec();
    let server = TestServer::sequence(vec![Reply::Raw(chunked), Reply::Raw(truncated), json_reply(200, &[], SUCCESS_BODY)]);
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &envelope("retry-chunked", json!({})));

    assert_eq!(status, MgStatus::Ok, "{outcome}");
    assert_eq!(outcome["attempts"], 3);
    unsafe { mg_context_free(context) };
}

#[test]
fn invalid_retry_settings_name_the_value() {
    let context = context("http://127.0.0.1:9", "token");

    let (status, outcome) = run(context, &envelope("retry-invalid", json!({ "retry": { "maxRetry": 11 } })));

    assert_eq!(status, MgStatus::InvalidInput);
    assert!(outcome["error"]["message"].as_str().unwrap().contains("MaxRetry 11 is out of range; use 0 to 10."));
    unsafe { mg_context_free(context) };
}

#[test]
fn pacing_waits_for_a_free_slot_and_reports_it() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "token");
    let paced = envelope("pacing-wait", json!({ "pacing": { "enabled": true, "limit": 2, "windowSeconds": 0.6 } }));

    run(context, &paced);
    run(context, &paced);
    let started = Instant::now();
    unsafe {
        let mut call = ptr::null_mut();
        assert_eq!(mg_call_start(context, c(&paced).as_ptr(), &mut call), MgStatus::Ok);
        assert_eq!(mg_call_wait(call, 100), MgStatus::Pending);
        let report = progress(call);
        assert_eq!(report["phase"], "pacing", "{report}");
        assert!(report["remainingSeconds"].as_f64().unwrap() > 0.0);

        while mg_call_wait(call, 100) == MgStatus::Pending {}
        assert_eq!(progress(call)["phase"], "finished");
        mg_call_free(call);
        mg_context_free(context);
    }
    assert!(started.elapsed() >= Duration::from_millis(400), "waited {:?}", started.elapsed());
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn cancel_during_pacing_wait_is_quick() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "token");
    let paced = envelope("pacing-cancel", json!({ "pacing": { "enabled": true, "limit": 1, "windowSeconds": 30 } }));
    run(context, &paced);

    unsafe {
        let mut call = ptr::null_mut();
        assert_eq!(mg_call_start(context, c(&paced).as_ptr(), &mut call), MgStatus::Ok);
        assert_eq!(mg_call_wait(call, 100), MgStatus::Pending);
        let started = Instant::now();
        mg_call_cancel(call);
        assert_eq!(mg_call_wait(call, 1000), MgStatus::Cancelled);
        assert!(started.elapsed() < Duration::from_millis(250));
        mg_call_free(call);
        mg_context_free(context);
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn gzip_answers_are_decoded() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(SUCCESS_BODY.as_bytes()).unwrap();
    let compressed = encoder.finish().unwrap();
    let mut raw = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n", compressed.len()).into_bytes();
    raw.extend_from_slice(&compressed);
    let server = TestServer::start(Reply::Raw(raw));
    let context = context(&server.url, "token");

    let (status, outcome) = run(context, &envelope("gzip", json!({})));

    assert_eq!(status, MgStatus::Ok, "{outcome}");
    assert_eq!(outcome["result"]["value"], "{}");
    assert_eq!(server.requests()[0].header("accept-encoding"), Some("gzip"));
    unsafe { mg_context_free(context) };
}

#[test]
fn explicit_proxy_receives_the_request_with_credentials() {
    let proxy = TestServer::json(200, SUCCESS_BODY);
    let context = context("http://127.0.0.1:9", "token");
    let proxied = envelope("proxy", json!({ "proxy": { "uri": proxy.url, "username": "proxy-user", "password": "proxy-pass" } }));

    let (status, outcome) = run(context, &proxied);

    assert_eq!(status, MgStatus::Ok, "{outcome}");
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "http://127.0.0.1:9/beta/applications/proxy/synchronization/jobs/job/provisionOnDemand");
    // base64 of "proxy-user:proxy-pass"
    assert_eq!(requests[0].header("proxy-authorization"), Some("Basic cHJveHktdXNlcjpwcm94eS1wYXNz"));
    assert!(!outcome.to_string().contains("proxy-pass"));
    unsafe { mg_context_free(context) };
}

#[test]
fn proxy_settings_checked() {
    let context = context("http://127.0.0.1:9", "token");
    for (proxy, field) in [
        (json!({ "useDefaultCredentials": true }), "ProxyUseDefaultCredentials"),
        (json!({ "uri": "not a uri" }), "Proxy"),
        (json!({ "uri": "ftp://127.0.0.1:1" }), "Proxy"),
        (json!({ "username": "u", "password": "p" }), "ProxyCredential"),
    ] {
        let (status, outcome) = run(context, &envelope("proxy-invalid", json!({ "proxy": proxy })));

        assert_eq!(status, MgStatus::InvalidInput, "{outcome}");
        assert_eq!(outcome["error"]["field"], field);
    }
    unsafe { mg_context_free(context) };
}

#[test]
fn prepare_builds_without_sending() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "secret-token");

    let (status, outcome) = run(context, &envelope("mode-prepare", json!({ "mode": "prepare" })));

    assert_eq!(status, MgStatus::Ok);
    assert!(outcome.get("result").is_none());
    let request = &outcome["request"];
    assert_eq!(request["method"], "POST");
    assert!(request["bodyText"].as_str().unwrap().contains("\"ruleId\":\"rule-1\""));
    let headers = request["headers"].as_array().unwrap();
    assert!(headers.iter().any(|pair| pair[0] == "client-request-id"));
    assert!(!outcome.to_string().contains("secret-token"));
    assert!(server.requests().is_empty());
    unsafe { mg_context_free(context) };
}

#[test]
fn send_prepared_uses_the_changed_request() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "secret-token");
    let uri = format!("{}/beta/applications/mode-send/synchronization/jobs/job/provisionOnDemand", server.url);
    let prepared = json!({
        "method": "POST", "uri": uri, "body": "{\"parameters\":[],\"stepTag\":1}",
        "headers": [["Content-Type", "application/json"], ["x-step", "added"], ["Authorization", "Bearer forged"]]
    });

    let (status, outcome) = run(context, &envelope("mode-send", json!({ "mode": "sendPrepared", "prepared": prepared })));

    assert_eq!(status, MgStatus::Ok, "{outcome}");
    assert_eq!(outcome["response"]["body"], SUCCESS_BODY);
    let request = &server.requests()[0];
    assert_eq!(request.header("x-step"), Some("added"));
    assert_eq!(request.header("authorization"), Some("Bearer secret-token"));
    assert_eq!(request.body, "{\"parameters\":[],\"stepTag\":1}");
    unsafe { mg_context_free(context) };
}

#[test]
fn send_prepared_keeps_the_token_on_its_host() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let elsewhere = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "secret-token");
    let prepared = json!({ "method": "POST", "uri": format!("{}/beta/x", elsewhere.url), "body": "{}" });

    let (status, outcome) = run(context, &envelope("mode-host", json!({ "mode": "sendPrepared", "prepared": prepared })));

    assert_eq!(status, MgStatus::InvalidInput);
    assert_eq!(outcome["error"]["field"], "Request.Uri");
    assert!(server.requests().is_empty());
    assert!(elsewhere.requests().is_empty());
    unsafe { mg_context_free(context) };
}

#[test]
fn decode_reads_a_provided_answer() {
    let context = context("http://127.0.0.1:9", "token");
    let answer = json!({ "statusCode": 404, "headers": { "request-id": ["r-1"] },
        "body": "{\"error\":{\"code\":\"Request_ResourceNotFound\",\"message\":\"gone\"}}" });

    let (status, outcome) = run(context, &envelope("mode-decode", json!({ "mode": "decode", "answer": answer })));

    assert_eq!(status, MgStatus::HttpError);
    assert_eq!(outcome["error"]["code"], "Request_ResourceNotFound");
    assert_eq!(outcome["error"]["requestId"], "r-1");
    unsafe { mg_context_free(context) };
}

#[test]
fn response_body_included_on_request() {
    let server = TestServer::json(200, SUCCESS_BODY);
    let context = context(&server.url, "token");

    let (_, without) = run(context, &envelope("body-off", json!({})));
    let (_, with) = run(context, &envelope("body-on", json!({ "includeResponseBody": true })));

    assert!(without["response"].get("body").is_none());
    assert_eq!(with["response"]["body"], SUCCESS_BODY);
    unsafe { mg_context_free(context) };
}
