//! The proxy environment variables. This file is its own test process because the variables
//! apply to every call in a process.

mod support;

use mg_provisioning::MgStatus;
use serde_json::json;
use support::*;

const SUCCESS_BODY: &str = r#"{"key":"k","value":"v"}"#;

#[test]
fn environment_proxy_used_unless_no_proxy_matches() {
    let proxy = TestServer::json(200, SUCCESS_BODY);
    let direct = TestServer::json(200, SUCCESS_BODY);
    let mut envelope: serde_json::Value = serde_json::from_str(&user_envelope("environment-proxy", "job")).unwrap();
    envelope["pacing"] = json!({ "enabled": false });

    std::env::set_var("HTTP_PROXY", &proxy.url);
    std::env::set_var("NO_PROXY", "localhost");
    let context = context(&direct.url, "token");
    let (status, _) = run(context, &envelope.to_string());
    assert_eq!(status, MgStatus::Ok);
    assert_eq!(proxy.requests().len(), 1);
    assert_eq!(direct.requests().len(), 0);
    assert!(proxy.requests()[0].path.starts_with(&direct.url));

    std::env::set_var("NO_PROXY", "127.0.0.1");
    let (status, _) = run(context, &envelope.to_string());
    assert_eq!(status, MgStatus::Ok);
    assert_eq!(proxy.requests().len(), 1);
    assert_eq!(direct.requests().len(), 1);

    std::env::remove_var("HTTP_PROXY");
    std::env::remove_var("NO_PROXY");
    unsafe { mg_provisioning::abi::mg_context_free(context) };
}
