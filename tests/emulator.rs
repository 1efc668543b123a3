//! Drives the built `mg-graph-emulator` binary over real HTTP.
//!
//! Each test starts its own emulator with `--control` on a free port, reads the base URL from the
//! first line of its standard output, and talks HTTP/1.1 to it through a small client written on
//! `std::net::TcpStream`, so that malformed requests can be sent as well.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

const APP: &str = "5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60";
const APP_SP: &str = "6d7e8f90-0000-4000-8000-0000000000b1";
const SCIM_JOB: &str = "scim.8f14e45fceea167a5a36dedd4bea2543";
const USER_RULE: &str = "e1a2b3c4-0001-4000-8000-000000000001";
const GROUP_RULE: &str = "e1a2b3c4-0002-4000-8000-000000000002#V2";

const CLOUD_SYNC_APP: &str = "7c2d9e10-3a5b-4d6c-8e7f-2a3b4c5d6e70";
const CLOUD_SYNC_JOB: &str = "AD2AADProvisioning.c9f0f895fb98ab9159f51fd0297e236d";
const CLOUD_SYNC_RULE: &str = "c5d6e7f8-0001-4000-8000-000000000011";

const WORKDAY_APP: &str = "9e4f1a2b-6c7d-4e8f-9a0b-3c4d5e6f7a80";
const WORKDAY_JOB: &str =
    "Workday2AD.45c48cce2e2d7fbdea1afc51c7c6ad26.0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
const WORKDAY_RULE: &str = "a9b8c7d6-0001-4000-8000-000000000021";

const CROSS_TENANT_APP: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c90";
const CROSS_TENANT_JOB: &str = "Azure2Azure.6512bd43d9caa6e02c990b0a82652dca";
const CROSS_TENANT_RULE: &str = "b1c2d3e4-0001-4000-8000-000000000031";

const SHAPE_B_KEY: &str =
    "Microsoft.Identity.Health.CPP.Common.DataContracts.SyncFabric.StatusInfo";
const SYNCFABRIC_CONTEXT: &str =
    "https://syncfabric.windowsazure.com/api/$metadata#microsoft.synchronization.stringKeyStringValuePair";
const ODATA_JSON: &str =
    "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

// ---------------------------------------------------------------------------------------------
// Support: starting the emulator, tokens, a raw HTTP/1.1 client.

/// A running emulator, stopped when dropped.
struct Emulator {
    child: Child,
    /// `127.0.0.1:port`.
    address: String,
    /// `http://127.0.0.1:port`.
    base_url: String,
}

impl Emulator {
    fn start() -> Emulator {
        Emulator::start_with(&["--control"], Stdio::null())
    }

    fn start_with(args: &[&str], stderr: Stdio) -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("the emulator binary starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut first_line = String::new();
        BufReader::new(stdout)
            .read_line(&mut first_line)
            .expect("the emulator prints a line");
        let base_url = first_line.trim_end().to_string();
        let address = base_url
            .strip_prefix("http://")
            .expect("an http URL")
            .to_string();
        Emulator {
            child,
            address,
            base_url,
        }
    }

    /// Sends raw bytes and returns the raw answer (up to EOF or a 10 s silence).
    fn send_raw(&self, bytes: &[u8]) -> Vec<u8> {
        self.send_raw_waiting(bytes, Duration::from_secs(10))
    }

    /// Sends raw bytes and returns what arrives until EOF or `patience` of silence.
    fn send_raw_waiting(&self, bytes: &[u8], patience: Duration) -> Vec<u8> {
        let mut stream = TcpStream::connect(&self.address).expect("connect");
        stream.set_read_timeout(Some(patience)).expect("timeout");
        let _ = stream.write_all(bytes);
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        answer
    }

    fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut text = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.address
        );
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method == "POST" {
            text.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        text.push_str("\r\n");
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(body);
        Reply::parse(&self.send_raw(&bytes))
            .unwrap_or_else(|| panic!("no HTTP answer to {method} {path}"))
    }

    /// POSTs a JSON body with a valid token and `Content-Type: application/json`.
    fn post(&self, path: &str, body: &Value) -> Reply {
        let token = token(&json!({ "exp": now() + 3600 }));
        let authorization = format!("Bearer {token}");
        self.request(
            "POST",
            path,
            &[
                ("Authorization", &authorization),
                ("Content-Type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
    }

    fn requests_log(&self) -> Vec<Value> {
        let reply = self.request("GET", "/_emulator/requests", &[], b"");
        assert_eq!(reply.status, 200);
        reply.json()["value"]
            .as_array()
            .expect("value array")
            .clone()
    }

    fn reset(&self) {
        assert_eq!(
            self.request("POST", "/_emulator/reset", &[], b"").status,
            204
        );
    }

    /// Sends a signal with `kill` and waits up to 10 s for the exit code.
    fn stop_with(mut self, signal: &str) -> Option<i32> {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "the emulator did not stop within 10 s"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A parsed HTTP answer.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn parse(raw: &[u8]) -> Option<Reply> {
        let end = raw.windows(4).position(|window| window == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&raw[..end]).ok()?;
        let mut lines = head.split("\r\n");
        let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_string()))
            .collect();
        let mut body = raw[end + 4..].to_vec();
        let chunked = headers
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
        if chunked {
            body = dechunk(&body);
        }
        Some(Reply {
            status,
            headers,
            body,
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The Graph error code of an error answer.
    fn error_code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn error_message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// `key` parsed as JSON.
    fn key_json(&self) -> Value {
        serde_json::from_str(self.json()["key"].as_str().expect("key is a string"))
            .expect("key is JSON")
    }

    /// `value` parsed as JSON.
    fn value_json(&self) -> Value {
        serde_json::from_str(self.json()["value"].as_str().expect("value is a string"))
            .expect("value is JSON")
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size = std::str::from_utf8(&data[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok());
        let Some(size) = size else { return out };
        if size == 0 || data.len() < line_end + 2 + size {
            return out;
        }
        out.extend_from_slice(&data[line_end + 2..line_end + 2 + size]);
        data = &data[(line_end + 4 + size).min(data.len())..];
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// An unsigned JWT (`alg: none`) with this payload.
fn token(payload: &Value) -> String {
    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    format!("{header}.{}.", base64url(payload.to_string().as_bytes()))
}

fn path(version: &str, root: &str, id: &str, job: &str, action: &str) -> String {
    format!("/{version}/{root}/{id}/synchronization/jobs/{job}/{action}")
}

fn scim_path() -> String {
    path("beta", "applications", APP, SCIM_JOB, "provisionOnDemand")
}

fn body(rule: &str, subjects: Value) -> Value {
    json!({ "parameters": [{ "ruleId": rule, "subjects": subjects }] })
}

fn user_body(rule: &str, object_id: &str, type_name: &str) -> Value {
    body(
        rule,
        json!([{ "objectId": object_id, "objectTypeName": type_name }]),
    )
}

fn group_body(group: &str, members: &[&str]) -> Value {
    let members: Vec<Value> = members
        .iter()
        .map(|id| json!({ "objectId": id, "objectTypeName": "User" }))
        .collect();
    body(
        GROUP_RULE,
        json!([{ "objectId": group, "objectTypeName": "Group", "links": { "members": members } }]),
    )
}

fn step_names(value: &Value) -> Vec<String> {
    value["provisioningSteps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| step["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn assert_error(reply: &Reply, status: u16, code: &str) {
    assert_eq!(
        reply.status,
        status,
        "body: {}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.error_code(), code);
    assert_eq!(reply.header("content-type"), Some("application/json"));
}

// ---------------------------------------------------------------------------------------------
// Startup, routes and answers.

#[test]
fn prints_a_loopback_base_url_first() {
    let emulator = Emulator::start();
    assert!(
        emulator.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        emulator.base_url
    );
    let port: u16 = emulator
        .address
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(port, 0);
}

#[test]
fn serves_every_route_spelling() {
    let emulator = Emulator::start();
    for version in ["beta", "v1.0"] {
        for (root, id) in [("applications", APP), ("servicePrincipals", APP_SP)] {
            for action in ["provisionOnDemand", "microsoft.graph.provisionOnDemand"] {
                emulator.reset();
                let route = path(version, root, id, SCIM_JOB, action);
                let reply = emulator.post(
                    &route,
                    &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"),
                );
                assert_eq!(reply.status, 200, "{route}");
                assert_eq!(reply.header("content-type"), Some(ODATA_JSON));
                assert_eq!(
                    reply.key_json(),
                    json!({ "result": "Success", "details": {} })
                );
                assert_eq!(
                    reply.json()["@odata.context"],
                    format!("https://graph.microsoft.com/{version}/$metadata#microsoft.graph.stringKeyStringValuePair")
                );
            }
        }
    }
}

#[test]
fn first_provisioning_creates_and_the_second_is_redundant() {
    let emulator = Emulator::start();
    let first = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000001", "User"),
    );
    assert_eq!(first.status, 200);
    let created = first.value_json();
    assert_eq!(created["action"], "Create");
    assert_eq!(created["statusInfo"]["status"], "Success");
    assert_eq!(created["reportableIdentifier"], "alex.doe@example.com");
    assert_eq!(
        step_names(&created),
        [
            "EntryImport",
            "EntrySynchronizationScoping",
            "EntryImportObjectNotFound",
            "EntryExportAdd"
        ]
    );
    let types: Vec<&str> = created["provisioningSteps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["Import", "Scoping", "Matching", "Export"]);
    assert_eq!(created["targetSystem"]["name"], "customappsso");
    assert_eq!(created["sourceIdentity"]["type"], "User");

    let second = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000001", "User"),
    );
    assert_eq!(second.status, 200);
    assert_eq!(second.key_json()["result"], "Skipped");
    assert_eq!(second.key_json()["details"]["errorCode"], "RedundantExport");
    let skipped = second.value_json();
    assert_eq!(skipped["action"], "Other");
    assert_eq!(skipped["statusInfo"]["status"], "Skipped");
    assert_eq!(
        skipped["targetIdentity"]["id"],
        created["targetIdentity"]["id"]
    );
    assert_ne!(skipped["changeId"], created["changeId"]);
}

#[test]
fn application_and_service_principal_share_one_job_state() {
    let emulator = Emulator::start();
    let subject = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000006", "User");
    assert_eq!(
        emulator.post(&scim_path(), &subject).key_json()["result"],
        "Success"
    );
    let via_sp = emulator.post(
        &path(
            "v1.0",
            "servicePrincipals",
            APP_SP,
            SCIM_JOB,
            "provisionOnDemand",
        ),
        &subject,
    );
    assert_eq!(via_sp.key_json()["details"]["errorCode"], "RedundantExport");
}

#[test]
fn cross_tenant_answers_in_shape_b() {
    let emulator = Emulator::start();
    let route = path(
        "beta",
        "applications",
        CROSS_TENANT_APP,
        CROSS_TENANT_JOB,
        "provisionOnDemand",
    );
    let reply = emulator.post(
        &route,
        &user_body(
            CROSS_TENANT_RULE,
            "11111111-aaaa-4bbb-8ccc-000000000005",
            "User",
        ),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["key"], SHAPE_B_KEY);
    let value = reply.value_json();
    let results = value.as_array().expect("value is an array");
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["action"], "Create");
    assert_eq!(results[0]["statusInfo"]["status"], "Success");
}

#[test]
fn cloud_sync_uses_ad_step_names_and_the_syncfabric_context() {
    let emulator = Emulator::start();
    let route = path(
        "beta",
        "applications",
        CLOUD_SYNC_APP,
        CLOUD_SYNC_JOB,
        "provisionOnDemand",
    );
    let dn = "CN=Kim Lee,OU=Staff,DC=corp,DC=example,DC=com";
    let reply = emulator.post(&route, &user_body(CLOUD_SYNC_RULE, dn, "user"));
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["@odata.context"], SYNCFABRIC_CONTEXT);
    let value = reply.value_json();
    assert_eq!(value["action"], "Create");
    assert_eq!(value["reportableIdentifier"], "klee@corp.example.com");
    assert_eq!(value["sourceIdentity"]["id"], dn);
    let names = step_names(&value);
    assert_eq!(names[0], "EntryImportAdd");
    assert!(value["provisioningSteps"][0]["description"]
        .as_str()
        .unwrap()
        .contains("'Kim Lee'"));

    let escaped = "CN=Doe\\, Jane,OU=Staff,DC=corp,DC=example,DC=com";
    let reply = emulator.post(&route, &user_body(CLOUD_SYNC_RULE, escaped, "user"));
    assert_eq!(
        reply.value_json()["reportableIdentifier"],
        "jane.doe@corp.example.com"
    );
}

#[test]
fn workday_worker_keeps_leading_zeros() {
    let emulator = Emulator::start();
    let route = path(
        "beta",
        "applications",
        WORKDAY_APP,
        WORKDAY_JOB,
        "provisionOnDemand",
    );
    let reply = emulator.post(&route, &user_body(WORKDAY_RULE, "000123", "Worker"));
    assert_eq!(reply.status, 200);
    let value = reply.value_json();
    assert_eq!(value["action"], "Create");
    assert_eq!(value["reportableIdentifier"], "Rin Oda");
    let unknown = emulator.post(&route, &user_body(WORKDAY_RULE, "123", "Worker"));
    assert_eq!(
        unknown.key_json()["details"]["errorCode"],
        "SourceObjectNotFound"
    );
    let inactive = emulator.post(&route, &user_body(WORKDAY_RULE, "000124", "Worker"));
    assert_eq!(
        inactive.key_json()["details"]["errorCode"],
        "NotEffectivelyEntitled"
    );
}

#[test]
fn unassigned_users_are_skipped_as_not_entitled() {
    let emulator = Emulator::start();
    // 003 is listed as not assigned; 005 is in neither list of the SCIM job.
    for user in [
        "11111111-aaaa-4bbb-8ccc-000000000003",
        "11111111-aaaa-4bbb-8ccc-000000000005",
    ] {
        let reply = emulator.post(&scim_path(), &user_body(USER_RULE, user, "User"));
        assert_eq!(reply.status, 200);
        assert_eq!(reply.key_json()["result"], "Skipped");
        assert_eq!(
            reply.key_json()["details"]["errorCode"],
            "NotEffectivelyEntitled"
        );
        let value = reply.value_json();
        assert_eq!(value["action"], "Other");
        assert_eq!(
            value["provisioningSteps"][1]["details"]["Assigned to the application"],
            "False"
        );
    }
}

#[test]
fn disabled_account_is_skipped_with_inactive_scoping() {
    let emulator = Emulator::start();
    let reply = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000004", "User"),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.key_json()["details"]["errorCode"],
        "NotEffectivelyEntitled"
    );
    let value = reply.value_json();
    let scoping = &value["provisioningSteps"][1];
    assert_eq!(scoping["type"], "Scoping");
    assert_eq!(scoping["details"]["Active in the source system"], "False");
}

#[test]
fn unknown_subject_fails_in_import() {
    let emulator = Emulator::start();
    let reply = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "99999999-0000-4000-8000-000000000000", "User"),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.key_json()["result"], "Failure");
    assert_eq!(
        reply.key_json()["details"]["errorCode"],
        "SourceObjectNotFound"
    );
    let value = reply.value_json();
    assert_eq!(value["statusInfo"]["status"], "Failure");
    assert_eq!(value["provisioningSteps"][0]["type"], "Import");
    assert_eq!(value["provisioningSteps"][0]["status"], "Failure");
}

#[test]
fn group_succeeds_with_empty_value_and_provisions_its_members() {
    let emulator = Emulator::start();
    let reply = emulator.post(
        &scim_path(),
        &group_body(
            "22222222-aaaa-4bbb-8ccc-000000000001",
            &[
                "11111111-aaaa-4bbb-8ccc-000000000007",
                "11111111-aaaa-4bbb-8ccc-000000000008",
            ],
        ),
    );
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.key_json(),
        json!({ "result": "Success", "details": {} })
    );
    assert_eq!(reply.json()["value"], "{}");
    assert_eq!(reply.json()["@odata.context"], SYNCFABRIC_CONTEXT);

    let member = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000007", "User"),
    );
    assert_eq!(member.key_json()["details"]["errorCode"], "RedundantExport");
}

#[test]
fn group_with_extra_link_members_keeps_working() {
    let emulator = Emulator::start();
    let body = body(
        GROUP_RULE,
        json!([{ "objectId": "22222222-aaaa-4bbb-8ccc-000000000001", "objectTypeName": "Group",
                 "links": { "CustomHint": "keep", "members": [{ "objectId": "11111111-aaaa-4bbb-8ccc-000000000007", "objectTypeName": "User" }] } }]),
    );
    let mut body = body;
    body["Trace_Tag"] = json!("nightly-run");
    let reply = emulator.post(&scim_path(), &body);
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["value"], "{}");
}

#[test]
fn percent_encoded_ids_are_decoded_per_segment() {
    let emulator = Emulator::start();
    // Application "odd/app?#% ü", service principal "odd sp/ü?#%", job "scim.odd job/1?#%ü".
    let job = "scim.odd%20job%2F1%3F%23%25%C3%BC";
    let body = user_body(
        "d0d0d0d0-0001-4000-8000-000000000051",
        "11111111-aaaa-4bbb-8ccc-000000000001",
        "User",
    );
    let reply = emulator.post(
        &path(
            "beta",
            "applications",
            "odd%2Fapp%3F%23%25%20%C3%BC",
            job,
            "provisionOnDemand",
        ),
        &body,
    );
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let reply = emulator.post(
        &path(
            "v1.0",
            "servicePrincipals",
            "odd%20sp%2F%C3%BC%3F%23%25",
            job,
            "provisionOnDemand",
        ),
        &body,
    );
    assert_eq!(reply.status, 200);
    assert_eq!(reply.key_json()["details"]["errorCode"], "RedundantExport");

    let unknown = emulator.post(
        &path(
            "beta",
            "applications",
            "odd%2Fapp",
            job,
            "provisionOnDemand",
        ),
        &body,
    );
    assert_error(&unknown, 404, "Request_ResourceNotFound");
    assert!(unknown
        .error_message()
        .starts_with("Resource 'odd/app' does not exist"));
}

// ---------------------------------------------------------------------------------------------
// Graph errors.

#[test]
fn error_envelope_and_headers_follow_graph() {
    let emulator = Emulator::start();
    let token = token(&json!({}));
    let authorization = format!("Bearer {token}");
    let client_id = "0b5e9d8c-1111-4222-8333-444455556666";
    let reply = emulator.request(
        "POST",
        &path(
            "beta",
            "applications",
            APP,
            "scim.00000000000000000000000000000000",
            "provisionOnDemand",
        ),
        &[
            ("Authorization", &authorization),
            ("Content-Type", "application/json"),
            ("client-request-id", client_id),
        ],
        user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User")
            .to_string()
            .as_bytes(),
    );
    assert_error(&reply, 404, "Request_ResourceNotFound");
    assert_eq!(
        reply.error_message(),
        "Resource 'scim.00000000000000000000000000000000' does not exist or one of its queried reference-property objects are not present."
    );
    assert_eq!(reply.header("client-request-id"), Some(client_id));
    let request_id = reply
        .header("request-id")
        .expect("request-id header")
        .to_string();
    assert_eq!(request_id.len(), 36);
    assert!(reply.header("date").expect("Date header").ends_with(" GMT"));
    let inner = &reply.json()["error"]["innerError"];
    assert_eq!(inner["client-request-id"], client_id);
    assert_eq!(inner["request-id"], request_id.as_str());
    let date = inner["date"].as_str().expect("date");
    assert_eq!(date.len(), 19, "{date}");
    assert_eq!(&date[10..11], "T");
    assert!(!date.ends_with('Z'));

    // Without a client-request-id, a fresh one is made up and echoed in both places.
    let reply = emulator.post(
        &path(
            "beta",
            "applications",
            "no-such-app",
            SCIM_JOB,
            "provisionOnDemand",
        ),
        &json!({ "parameters": [] }),
    );
    assert_error(&reply, 404, "Request_ResourceNotFound");
    let generated = reply
        .header("client-request-id")
        .expect("client-request-id")
        .to_string();
    assert_eq!(
        reply.json()["error"]["innerError"]["client-request-id"],
        generated.as_str()
    );
}

#[test]
fn unknown_application_service_principal_or_job_is_not_found() {
    let emulator = Emulator::start();
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");
    for route in [
        path(
            "beta",
            "applications",
            "00000000-0000-4000-8000-000000000000",
            SCIM_JOB,
            "provisionOnDemand",
        ),
        path(
            "beta",
            "servicePrincipals",
            APP,
            SCIM_JOB,
            "provisionOnDemand",
        ), // an application id is not a service principal id
        path(
            "v1.0",
            "applications",
            APP,
            "scim.nope",
            "provisionOnDemand",
        ),
        path("v1.0", "applications", APP, "", "provisionOnDemand"),
    ] {
        assert_error(
            &emulator.post(&route, &body),
            404,
            "Request_ResourceNotFound",
        );
    }
}

#[test]
fn rule_the_job_lacks_is_a_parameter_error_naming_both() {
    let emulator = Emulator::start();
    let reply = emulator.post(
        &scim_path(),
        &user_body("", "11111111-aaaa-4bbb-8ccc-000000000002", "User"),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert_eq!(
        reply.error_message(),
        "The request identified this synchronization job: scim.8f14e45fceea167a5a36dedd4bea2543.  The request also identified this synchronization rule: .  However, the job does not include the rule."
    );
    let reply = emulator.post(
        &scim_path(),
        &user_body(
            CLOUD_SYNC_RULE,
            "11111111-aaaa-4bbb-8ccc-000000000002",
            "User",
        ),
    );
    assert_eq!(
        reply.error_message(),
        format!("The request identified this synchronization job: {SCIM_JOB}.  The request also identified this synchronization rule: {CLOUD_SYNC_RULE}.  However, the job does not include the rule.")
    );
    // A missing ruleId reads as an empty one.
    let reply = emulator.post(
        &scim_path(),
        &json!({ "parameters": [{ "subjects": [{ "objectId": "x", "objectTypeName": "User" }] }] }),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
}

#[test]
fn more_than_one_entry_or_subject_is_refused() {
    let emulator = Emulator::start();
    let entry = json!({ "ruleId": USER_RULE, "subjects": [{ "objectId": "11111111-aaaa-4bbb-8ccc-000000000002", "objectTypeName": "User" }] });
    let reply = emulator.post(
        &scim_path(),
        &json!({ "parameters": [entry.clone(), entry] }),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
    let reply = emulator.post(&scim_path(), &json!({ "parameters": [] }));
    assert_error(&reply, 400, "RequestParameterInvalid");

    let two = json!([
        { "objectId": "11111111-aaaa-4bbb-8ccc-000000000001", "objectTypeName": "User" },
        { "objectId": "11111111-aaaa-4bbb-8ccc-000000000002", "objectTypeName": "User" }
    ]);
    assert_error(
        &emulator.post(&scim_path(), &body(USER_RULE, two)),
        400,
        "RequestParameterInvalid",
    );
    assert_error(
        &emulator.post(&scim_path(), &body(USER_RULE, json!([]))),
        400,
        "RequestParameterInvalid",
    );
}

#[test]
fn group_with_six_members_is_refused() {
    let emulator = Emulator::start();
    let members = [
        "11111111-aaaa-4bbb-8ccc-000000000001",
        "11111111-aaaa-4bbb-8ccc-000000000002",
        "11111111-aaaa-4bbb-8ccc-000000000006",
        "11111111-aaaa-4bbb-8ccc-000000000007",
        "11111111-aaaa-4bbb-8ccc-000000000008",
        "11111111-aaaa-4bbb-8ccc-000000000004",
    ];
    let reply = emulator.post(
        &scim_path(),
        &group_body("22222222-aaaa-4bbb-8ccc-000000000002", &members),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert_eq!(
        reply.error_message(),
        "Provision on demand accepts one group with at most 5 members per request; this request has 6 members."
    );
    let reply = emulator.post(
        &scim_path(),
        &group_body("22222222-aaaa-4bbb-8ccc-000000000002", &members[..5]),
    );
    assert_eq!(reply.status, 200);
}

#[test]
fn groups_on_workday_and_cross_tenant_jobs_are_refused() {
    let emulator = Emulator::start();
    let group =
        json!([{ "objectId": "22222222-aaaa-4bbb-8ccc-000000000001", "objectTypeName": "Group" }]);
    let workday = path(
        "beta",
        "applications",
        WORKDAY_APP,
        WORKDAY_JOB,
        "provisionOnDemand",
    );
    let reply = emulator.post(&workday, &body(WORKDAY_RULE, group.clone()));
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert!(
        reply.error_message().contains("Workday"),
        "{}",
        reply.error_message()
    );
    let cross = path(
        "beta",
        "applications",
        CROSS_TENANT_APP,
        CROSS_TENANT_JOB,
        "provisionOnDemand",
    );
    let reply = emulator.post(&cross, &body(CROSS_TENANT_RULE, group));
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert!(
        reply.error_message().contains("cross-tenant"),
        "{}",
        reply.error_message()
    );
}

#[test]
fn object_type_name_is_case_sensitive_per_rule() {
    let emulator = Emulator::start();
    let reply = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "user"),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert!(
        reply.error_message().contains("'User'"),
        "{}",
        reply.error_message()
    );

    let cloud_sync = path(
        "beta",
        "applications",
        CLOUD_SYNC_APP,
        CLOUD_SYNC_JOB,
        "provisionOnDemand",
    );
    let reply = emulator.post(
        &cloud_sync,
        &user_body(
            CLOUD_SYNC_RULE,
            "CN=Kim Lee,OU=Staff,DC=corp,DC=example,DC=com",
            "User",
        ),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert!(reply.error_message().contains("'user'"));

    let reply = emulator.post(
        &scim_path(),
        &user_body(GROUP_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert!(reply.error_message().contains("'Group'"));

    let workday = path(
        "beta",
        "applications",
        WORKDAY_APP,
        WORKDAY_JOB,
        "provisionOnDemand",
    );
    let reply = emulator.post(&workday, &user_body(WORKDAY_RULE, "000123", "worker"));
    assert!(reply.error_message().contains("'Worker'"));
}

#[test]
fn bodies_that_are_not_a_parameters_object_are_bad_requests() {
    let emulator = Emulator::start();
    let authorization = format!("Bearer {}", token(&json!({})));
    let headers = [
        ("Authorization", authorization.as_str()),
        ("Content-Type", "application/json"),
    ];
    for bad in [
        &b"not json"[..],
        b"",
        b"[1,2]",
        b"\"text\"",
        b"{}",
        b"{\"parameters\":{}}",
        b"{\"parameters\":[1]}",
        b"{\"parameters\":[{\"ruleId\":5}]}",
        b"{\"parameters\":[{\"ruleId\":\"x\",\"subjects\":{}}]}",
        b"\xff\xfe{",
    ] {
        let reply = emulator.request("POST", &scim_path(), &headers, bad);
        assert_error(&reply, 400, "BadRequest");
        assert!(!reply.error_message().is_empty());
    }
}

#[test]
fn content_type_must_be_json() {
    let emulator = Emulator::start();
    let authorization = format!("Bearer {}", token(&json!({})));
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User").to_string();
    let reply = emulator.request(
        "POST",
        &scim_path(),
        &[
            ("Authorization", &authorization),
            ("Content-Type", "text/plain"),
        ],
        body.as_bytes(),
    );
    assert_error(&reply, 415, "UnsupportedMediaType");
    let reply = emulator.request(
        "POST",
        &scim_path(),
        &[("Authorization", &authorization)],
        body.as_bytes(),
    );
    assert_error(&reply, 415, "UnsupportedMediaType");
    let reply = emulator.request(
        "POST",
        &scim_path(),
        &[
            ("Authorization", &authorization),
            ("Content-Type", "Application/JSON; charset=utf-8"),
        ],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200);
}

#[test]
fn bodies_over_one_megabyte_are_too_large() {
    let emulator = Emulator::start();
    let authorization = format!("Bearer {}", token(&json!({})));
    let padding = "x".repeat(1024 * 1024);
    let body = json!({ "padding": padding, "parameters": [] }).to_string();
    let reply = emulator.request(
        "POST",
        &scim_path(),
        &[
            ("Authorization", &authorization),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    assert_error(&reply, 413, "RequestEntityTooLarge");
}

#[test]
fn other_methods_and_paths_are_refused() {
    let emulator = Emulator::start();
    let reply = emulator.request("GET", &scim_path(), &[], b"");
    assert_error(&reply, 405, "MethodNotAllowed");
    assert_eq!(reply.header("allow"), Some("POST"));
    for other in [
        "/",
        "/beta",
        "/beta/users",
        "/v2.0/applications/a/synchronization/jobs/j/provisionOnDemand",
        "/beta/applications/a/synchronization/jobs/j/start",
    ] {
        assert_error(&emulator.request("POST", other, &[], b""), 404, "NotFound");
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens.

#[test]
fn missing_malformed_or_expired_tokens_are_unauthorized() {
    let emulator = Emulator::start();
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User").to_string();
    let header = base64url(br#"{"alg":"none"}"#);
    let expired = token(&json!({ "exp": now() - 60 }));
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "Access token is empty."),
        (Some("Bearer".to_string()), "Access token is empty."),
        (Some("Bearer    ".to_string()), "Access token is empty."),
        (
            Some(format!("Basic {}", base64url(b"user:pass"))),
            "Bearer scheme",
        ),
        (
            Some("Bearer opaque-token".to_string()),
            "three dot-separated parts",
        ),
        (
            Some(format!("Bearer {header}.{}", base64url(b"{}"))),
            "three dot-separated parts",
        ),
        (Some(format!("Bearer {header}.!!!.")), "not base64url"),
        (
            Some(format!("Bearer {header}.{}.", base64url(b"[1]"))),
            "not a JSON object",
        ),
        (
            Some(format!(
                "Bearer {}.{}.",
                base64url(b"not json"),
                base64url(b"{}")
            )),
            "not JSON",
        ),
        (
            Some(format!(
                "Bearer {header}.{}.",
                base64url(br#"{"exp":"soon"}"#)
            )),
            "exp",
        ),
        (
            Some(format!("Bearer {expired}")),
            "Lifetime validation failed, the token is expired.",
        ),
    ];
    for (authorization, expected) in cases {
        let mut headers = vec![("Content-Type", "application/json")];
        if let Some(value) = &authorization {
            headers.push(("Authorization", value));
        }
        let reply = emulator.request("POST", &scim_path(), &headers, body.as_bytes());
        assert_error(&reply, 401, "InvalidAuthenticationToken");
        assert!(
            reply.error_message().contains(expected),
            "{authorization:?}: {}",
            reply.error_message()
        );
        assert!(reply.header("www-authenticate").is_some());
    }
}

#[test]
fn valid_tokens_are_accepted() {
    let emulator = Emulator::start();
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User").to_string();
    let signed = format!(
        "{}.{}",
        token(&json!({ "exp": now() + 600, "scp": "Synchronization.ReadWrite.All" }))
            .trim_end_matches('.'),
        base64url(b"signature")
    );
    for value in [
        format!("Bearer {}", token(&json!({}))),
        format!("bearer {}", token(&json!({ "exp": now() + 600 }))),
        format!("Bearer {signed}"),
    ] {
        let reply = emulator.request(
            "POST",
            &scim_path(),
            &[
                ("Authorization", &value),
                ("Content-Type", "application/json"),
            ],
            body.as_bytes(),
        );
        assert_eq!(reply.status, 200, "{value}");
    }
}

// ---------------------------------------------------------------------------------------------
// Control API.

#[test]
fn control_api_logs_requests_and_resets_state() {
    let emulator = Emulator::start();
    let authorization = format!("Bearer {}", token(&json!({})));
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");
    let route = format!("{}?trace=1", scim_path());
    let reply = emulator.request(
        "POST",
        &route,
        &[
            ("Authorization", &authorization),
            ("Content-Type", "application/json"),
            ("client-request-id", "abc"),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200);
    let missing_auth = emulator.request(
        "POST",
        &scim_path(),
        &[("Content-Type", "application/json")],
        b"{}",
    );
    assert_eq!(missing_auth.status, 401);

    let log = emulator.requests_log();
    assert_eq!(log.len(), 2, "control requests are not logged: {log:?}");
    let first = &log[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["path"], scim_path());
    assert_eq!(first["query"], "trace=1");
    assert_eq!(first["headers"]["authorization"], "Bearer ***");
    assert_eq!(first["headers"]["client-request-id"], "abc");
    assert_eq!(first["body"], body);
    assert_eq!(first["bodyText"], body.to_string());
    assert_eq!(first["status"], 200);
    assert_eq!(log[1]["status"], 401);
    assert!(!log.iter().any(|entry| entry
        .to_string()
        .contains(authorization.trim_start_matches("Bearer "))));

    emulator.reset();
    assert!(emulator.requests_log().is_empty());
    let again = emulator.post(&scim_path(), &body);
    assert_eq!(
        again.key_json()["result"],
        "Success",
        "reset forgets what was provisioned"
    );

    assert_error(
        &emulator.request("GET", "/_emulator/nothing", &[], b""),
        404,
        "NotFound",
    );
    assert_error(
        &emulator.request("GET", "/_emulator/reset", &[], b""),
        405,
        "MethodNotAllowed",
    );
}

#[test]
fn control_api_is_absent_without_the_flag() {
    let emulator = Emulator::start_with(&[], Stdio::null());
    assert_eq!(
        emulator
            .request("GET", "/_emulator/requests", &[], b"")
            .status,
        404
    );
    assert_eq!(
        emulator
            .request("POST", "/_emulator/reset", &[], b"")
            .status,
        404
    );
}

// ---------------------------------------------------------------------------------------------
// Robustness and process life.

#[test]
fn malformed_requests_do_not_break_the_emulator() {
    let emulator = Emulator::start();
    let huge_header = format!(
        "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(2 * 1024 * 1024)
    );
    let many_headers: String = (0..500).map(|i| format!("X-H{i}: v\r\n")).collect();
    let inputs: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02\xff\xfe garbage \r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"POST /beta HTTP/1.1\r\nContent-Length: nope\r\n\r\n".to_vec(),
        b"POST /beta HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        b"POST /x%ZZ/\xc3\xbc HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        huge_header.into_bytes(),
        format!("GET / HTTP/1.1\r\n{many_headers}\r\n").into_bytes(),
        Vec::new(),
    ];
    for input in inputs {
        let _ = emulator.send_raw_waiting(&input, Duration::from_millis(500));
    }
    // Invalid UTF-8 in a percent-encoded id is a clean 400.
    let reply = emulator.post(
        &path(
            "beta",
            "applications",
            "%FF%FE",
            SCIM_JOB,
            "provisionOnDemand",
        ),
        &json!({ "parameters": [] }),
    );
    assert_error(&reply, 400, "BadRequest");
    // Still serving.
    let reply = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"),
    );
    assert_eq!(reply.status, 200);
}

#[test]
fn serves_many_connections_at_once() {
    let emulator = Emulator::start();
    // A connection that never finishes its request must not hold up the others.
    let mut stalled = TcpStream::connect(&emulator.address).expect("connect");
    stalled
        .write_all(b"POST /beta HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        .expect("write");

    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..32)
            .map(|i| {
                let emulator = &emulator;
                scope.spawn(move || {
                    let user = format!(
                        "11111111-aaaa-4bbb-8ccc-00000000000{}",
                        [1, 2, 6, 7, 8, 9][i % 6]
                    );
                    emulator
                        .post(&scim_path(), &user_body(USER_RULE, &user, "User"))
                        .status
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().expect("thread"), 200);
        }
    });
    let log = emulator.requests_log();
    assert_eq!(log.len(), 32);
    drop(stalled);
}

#[test]
fn the_same_subject_at_once_is_created_only_once() {
    let emulator = Emulator::start();
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000008", "User");
    let results: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                scope.spawn(|| emulator.post(&scim_path(), &body).key_json()["result"].to_string())
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("thread"))
            .collect()
    });
    assert_eq!(
        results
            .iter()
            .filter(|result| result.as_str() == "\"Success\"")
            .count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results
            .iter()
            .filter(|result| result.as_str() == "\"Skipped\"")
            .count(),
        15
    );
}

#[test]
fn sigterm_and_sigint_stop_it_with_exit_code_zero() {
    let emulator = Emulator::start();
    assert_eq!(
        emulator
            .post(&scim_path(), &json!({ "parameters": [] }))
            .status,
        400
    );
    assert_eq!(emulator.stop_with("-TERM"), Some(0));

    let emulator = Emulator::start();
    // An idle open connection does not keep it alive.
    let _idle = TcpStream::connect(&emulator.address).expect("connect");
    assert_eq!(emulator.stop_with("-INT"), Some(0));
}

#[test]
fn stderr_has_one_line_per_request_without_the_token() {
    let emulator = Emulator::start_with(&["--control"], Stdio::piped());
    let secret = token(&json!({ "exp": now() + 600, "secret": "do-not-log-me" }));
    let authorization = format!("Bearer {secret}");
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User").to_string();
    let reply = emulator.request(
        "POST",
        &scim_path(),
        &[
            ("Authorization", &authorization),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    assert_eq!(reply.status, 200);

    let mut emulator = emulator;
    let mut stderr = emulator.child.stderr.take().expect("piped stderr");
    let code = emulator.stop_with("-TERM");
    assert_eq!(code, Some(0));
    let mut text = String::new();
    stderr.read_to_string(&mut text).expect("read stderr");
    let line = text
        .lines()
        .find(|line| line.starts_with("POST /beta/applications/"))
        .expect("a request line");
    assert!(line.contains(" 200 "), "{line}");
    assert!(!text.contains(&secret) && !text.contains("do-not-log-me"));
}

#[test]
fn port_flag_binds_that_port() {
    // Find a free port, release it, then ask for it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let emulator = Emulator::start_with(&["--port", &port.to_string()], Stdio::null());
    assert_eq!(emulator.base_url, format!("http://127.0.0.1:{port}"));
}
