//! Drives the built `mg-graph-emulator` binary over real HTTP.
//!
//! Each test starts its own emulator with `--control` on a free port, reads the base URL from the
//! first line of its standard output, and talks HTTP/1.1 to it through a small client written on
//! `std::net::TcpStream`, so that malformed requests can be sent as well. Graph requests carry a
//! token minted through `POST /_emulator/token`; throttling is off unless a test turns it on.

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
    /// A token with the default claims of `POST /_emulator/token`; empty without `--control`.
    token: String,
}

impl Emulator {
    fn start() -> Emulator {
        Emulator::start_with(&["--control", "--throttle", "off"], Stdio::null())
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
        let mut emulator = Emulator {
            child,
            address,
            base_url,
            token: String::new(),
        };
        if args.contains(&"--control") {
            emulator.token = emulator.mint(&json!({}));
        }
        emulator
    }

    /// Mints a signed token through `POST /_emulator/token` with these claim overrides.
    fn mint(&self, spec: &Value) -> String {
        let reply = self.request(
            "POST",
            "/_emulator/token",
            &[("Content-Type", "application/json")],
            spec.to_string().as_bytes(),
        );
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        reply.json()["access_token"]
            .as_str()
            .expect("access_token")
            .to_string()
    }

    /// POSTs a JSON body with this bearer token and `Content-Type: application/json`.
    fn post_with_token(&self, path: &str, token: &str, body: &Value) -> Reply {
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

    /// GETs a path with this bearer token.
    fn get_with_token(&self, path: &str, token: &str) -> Reply {
        let authorization = format!("Bearer {token}");
        self.request("GET", path, &[("Authorization", &authorization)], b"")
    }

    /// POSTs a form body to a token endpoint path.
    fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = url_form(fields);
        self.request(
            "POST",
            path,
            &[("Content-Type", "application/x-www-form-urlencoded")],
            body.as_bytes(),
        )
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

    /// POSTs a JSON body with the default minted token and `Content-Type: application/json`.
    fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_with_token(path, &self.token, body)
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

/// `name=value&…`, form-encoded.
fn url_form(fields: &[(&str, &str)]) -> String {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        form.append_pair(name, value);
    }
    form.finish()
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
    let authorization = format!("Bearer {}", emulator.token);
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
    let authorization = format!("Bearer {}", emulator.token);
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
    let authorization = format!("Bearer {}", emulator.token);
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
    let authorization = format!("Bearer {}", emulator.token);
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
    let emulator = Emulator::start_with(
        &["--control", "--throttle", "off", "--accept-unsigned-tokens"],
        Stdio::null(),
    );
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User").to_string();
    let header = base64url(br#"{"alg":"none"}"#);
    let expired = token(&json!({ "exp": now() - 60, "aud": "https://graph.microsoft.com" }));
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
fn unsigned_tokens_need_the_flag() {
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");
    let unsigned = token(&json!({
        "exp": now() + 600,
        "aud": "https://graph.microsoft.com",
        "scp": "Synchronization.ReadWrite.All",
    }));

    let strict = Emulator::start();
    let reply = strict.post_with_token(&scim_path(), &unsigned, &body);
    assert_error(&reply, 401, "InvalidAuthenticationToken");
    assert!(reply.error_message().contains("unsigned"), "{}", reply.error_message());

    let lenient = Emulator::start_with(
        &["--control", "--throttle", "off", "--accept-unsigned-tokens"],
        Stdio::null(),
    );
    let reply = lenient.post_with_token(&scim_path(), &unsigned, &body);
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let lowercase_scheme = format!("bearer {unsigned}");
    let reply = lenient.request(
        "POST",
        &scim_path(),
        &[("Authorization", &lowercase_scheme), ("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(reply.status, 200);

    // Unsigned tokens still need an audience and a permission.
    let no_audience = token(&json!({ "exp": now() + 600, "scp": "Synchronization.ReadWrite.All" }));
    assert_error(&lenient.post_with_token(&scim_path(), &no_audience, &body), 401, "InvalidAuthenticationToken");
    let no_permission = token(&json!({ "exp": now() + 600, "aud": "https://graph.microsoft.com" }));
    assert_error(&lenient.post_with_token(&scim_path(), &no_permission, &body), 403, "Authorization_RequestDenied");
    // An alg none token that carries a signature is malformed.
    let with_signature = format!("{unsigned}{}", base64url(b"signature"));
    assert_error(&lenient.post_with_token(&scim_path(), &with_signature, &body), 401, "InvalidAuthenticationToken");
}

// ---------------------------------------------------------------------------------------------
// Control API.

#[test]
fn control_api_logs_requests_and_resets_state() {
    let emulator = Emulator::start();
    let authorization = format!("Bearer {}", emulator.token);
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
    let secret = emulator.mint(&json!({ "claims": { "secret": "do-not-log-me" } }));
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

// ---------------------------------------------------------------------------------------------
// Graph's token checks and permissions.

/// Decodes the claims of a compact JWT without checking anything.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT payload");
    let bytes = base64::decode_config(payload, base64::URL_SAFE_NO_PAD).expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

#[test]
fn minted_tokens_are_checked_for_signature_lifetime_and_audience() {
    let emulator = Emulator::start();
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");

    let default_claims = claims_of(&emulator.token);
    assert_eq!(default_claims["aud"], "https://graph.microsoft.com");
    assert_eq!(default_claims["roles"], json!(["Synchronization.ReadWrite.All"]));
    assert_eq!(default_claims["tid"], "3f2e1d0c-9b8a-4766-8554-433221100fed");
    for name in ["iat", "nbf", "exp", "appid", "iss"] {
        assert!(default_claims.get(name).is_some(), "{name} is missing: {default_claims}");
    }

    let expired = emulator.mint(&json!({ "expiresIn": -60 }));
    let reply = emulator.post_with_token(&scim_path(), &expired, &body);
    assert_error(&reply, 401, "InvalidAuthenticationToken");
    assert_eq!(reply.error_message(), "Lifetime validation failed, the token is expired.");

    let wrong_audience = emulator.mint(&json!({ "aud": "https://management.azure.com" }));
    let reply = emulator.post_with_token(&scim_path(), &wrong_audience, &body);
    assert_error(&reply, 401, "InvalidAuthenticationToken");
    assert!(reply.error_message().contains("Invalid audience"), "{}", reply.error_message());
    assert!(reply.error_message().contains("https://management.azure.com"));

    let own_audience = emulator.mint(&json!({ "aud": emulator.base_url }));
    assert_eq!(emulator.post_with_token(&scim_path(), &own_audience, &body).status, 200);
    let app_id_audience = emulator.mint(&json!({ "aud": "00000003-0000-0000-c000-000000000000" }));
    assert_eq!(emulator.post_with_token(&scim_path(), &app_id_audience, &body).status, 200);

    // A changed payload breaks the signature.
    let mut parts: Vec<String> = emulator.token.split('.').map(str::to_string).collect();
    let mut claims = claims_of(&emulator.token);
    claims["roles"] = json!(["Directory.ReadWrite.All"]);
    parts[1] = base64url(claims.to_string().as_bytes());
    let tampered = parts.join(".");
    let reply = emulator.post_with_token(&scim_path(), &tampered, &body);
    assert_error(&reply, 401, "InvalidAuthenticationToken");
    assert!(reply.error_message().contains("Invalid signature"), "{}", reply.error_message());

    // A token from another emulator process has another key.
    let other = Emulator::start();
    let reply = emulator.post_with_token(&scim_path(), &other.token, &body);
    assert_error(&reply, 401, "InvalidAuthenticationToken");

    let header = base64url(br#"{"alg":"RS256","typ":"JWT"}"#);
    let foreign = format!("{header}.{}.{}", base64url(claims.to_string().as_bytes()), base64url(b"sig"));
    let reply = emulator.post_with_token(&scim_path(), &foreign, &body);
    assert_error(&reply, 401, "InvalidAuthenticationToken");
    assert!(reply.error_message().contains("RS256"), "{}", reply.error_message());
}

#[test]
fn permissions_decide_between_200_and_403() {
    let emulator = Emulator::start();
    let cases = [
        (json!({ "roles": ["Application.ReadWrite.OwnedBy"] }), 200),
        (json!({ "roles": ["Synchronization.ReadWrite.All"] }), 200),
        (json!({ "roles": ["Directory.ReadWrite.All"] }), 200),
        (json!({ "scp": "openid Synchronization.ReadWrite.All" }), 200),
        (json!({ "scp": "Directory.ReadWrite.All" }), 200),
        (json!({ "roles": [] }), 403),
        (json!({ "roles": ["Synchronization.Read.All"] }), 403),
        (json!({ "roles": ["User.Read.All"] }), 403),
        (json!({ "scp": "Application.ReadWrite.OwnedBy" }), 403),
        (json!({ "scp": "User.Read" }), 403),
    ];
    for (index, (spec, status)) in cases.iter().enumerate() {
        emulator.reset();
        let token = emulator.mint(spec);
        let user = format!("11111111-aaaa-4bbb-8ccc-00000000000{}", 1 + index % 2);
        let reply = emulator.post_with_token(&scim_path(), &token, &user_body(USER_RULE, &user, "User"));
        assert_eq!(reply.status, *status, "{spec}: {}", String::from_utf8_lossy(&reply.body));
        if *status == 403 {
            assert_error(&reply, 403, "Authorization_RequestDenied");
            assert_eq!(reply.error_message(), "Insufficient privileges to complete the operation.");
            assert!(reply.header("request-id").is_some());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Jobs and schemas.

#[test]
fn jobs_job_and_schema_have_graph_shapes() {
    let emulator = Emulator::start();
    let token = emulator.token.clone();
    for root in [format!("/beta/applications/{APP}"), format!("/v1.0/servicePrincipals/{APP_SP}")] {
        let reply = emulator.get_with_token(&format!("{root}/synchronization/jobs"), &token);
        assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
        assert!(reply.header("content-type").unwrap_or("").starts_with("application/json"));
        let jobs = reply.json();
        assert!(jobs["@odata.context"].as_str().unwrap_or("").contains("synchronization/jobs"));
        let list = jobs["value"].as_array().expect("value array");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["id"], SCIM_JOB);
        assert_eq!(list[0]["templateId"], "scim");
        assert_eq!(list[0]["schedule"]["interval"], "PT40M");
        assert_eq!(list[0]["schedule"]["state"], "Active");
        assert_eq!(list[0]["status"]["code"], "Active");
        let settings = list[0]["synchronizationJobSettings"].as_array().expect("settings");
        assert!(settings.iter().all(|setting| setting["name"].is_string() && setting["value"].is_string()));

        let job = emulator.get_with_token(&format!("{root}/synchronization/jobs/{SCIM_JOB}"), &token);
        assert_eq!(job.status, 200);
        assert_eq!(job.json()["id"], SCIM_JOB);
        assert!(job.json()["schedule"].is_object());

        let schema = emulator.get_with_token(&format!("{root}/synchronization/jobs/{SCIM_JOB}/schema"), &token);
        assert_eq!(schema.status, 200);
        let schema = schema.json();
        let rules = schema["synchronizationRules"].as_array().expect("rules");
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0]["id"], USER_RULE);
        assert_eq!(rules[0]["name"], "USER_OUTBOUND_USER");
        assert_eq!(rules[0]["sourceDirectoryName"], "Azure Active Directory");
        assert!(rules[0]["metadata"]
            .as_array()
            .expect("metadata")
            .contains(&json!({ "key": "supportsProvisionOnDemand", "value": "true" })));
        let mappings = rules[0]["objectMappings"].as_array().expect("objectMappings");
        assert_eq!(mappings[0]["sourceObjectName"], "User");
        assert_eq!(rules[1]["id"], GROUP_RULE);
        assert!(!schema["directories"].as_array().expect("directories").is_empty());
    }

    let cloud_sync = emulator.get_with_token(
        &format!("/beta/applications/{CLOUD_SYNC_APP}/synchronization/jobs/{CLOUD_SYNC_JOB}"),
        &token,
    );
    assert_eq!(cloud_sync.json()["templateId"], "AD2AADProvisioning");
    assert_eq!(cloud_sync.json()["schedule"]["interval"], "PT2M");
    let odd_schema = emulator.get_with_token(
        "/beta/applications/odd%2Fapp%3F%23%25%20%C3%BC/synchronization/jobs/scim.odd%20job%2F1%3F%23%25%C3%BC/schema",
        &token,
    );
    assert_eq!(odd_schema.status, 200);
    let rules = odd_schema.json()["synchronizationRules"].clone();
    assert!(rules[1]["metadata"]
        .as_array()
        .expect("metadata")
        .contains(&json!({ "key": "supportsProvisionOnDemand", "value": "false" })));

    assert_error(
        &emulator.get_with_token(&format!("/beta/applications/{APP}/synchronization/jobs/nope"), &token),
        404,
        "Request_ResourceNotFound",
    );
    assert_error(
        &emulator.get_with_token(&format!("/beta/applications/{APP}/synchronization/jobs/nope/schema"), &token),
        404,
        "Request_ResourceNotFound",
    );
    assert_error(
        &emulator.get_with_token("/beta/applications/unknown/synchronization/jobs", &token),
        404,
        "Request_ResourceNotFound",
    );
    let reply = emulator.post(&format!("/beta/applications/{APP}/synchronization/jobs"), &json!({}));
    assert_error(&reply, 405, "MethodNotAllowed");
    assert_eq!(reply.header("allow"), Some("GET"));

    let read_only = emulator.mint(&json!({ "roles": ["Synchronization.Read.All"] }));
    assert_eq!(emulator.get_with_token(&format!("/beta/applications/{APP}/synchronization/jobs"), &read_only).status, 200);
    let nothing = emulator.mint(&json!({ "roles": [] }));
    assert_error(
        &emulator.get_with_token(&format!("/beta/applications/{APP}/synchronization/jobs"), &nothing),
        403,
        "Authorization_RequestDenied",
    );
    let reply = emulator.request("GET", &format!("/beta/applications/{APP}/synchronization/jobs"), &[], b"");
    assert_error(&reply, 401, "InvalidAuthenticationToken");
}

#[test]
fn rule_without_on_demand_support_is_refused() {
    let emulator = Emulator::start();
    let reply = emulator.post(
        "/beta/applications/odd%2Fapp%3F%23%25%20%C3%BC/synchronization/jobs/scim.odd%20job%2F1%3F%23%25%C3%BC/provisionOnDemand",
        &user_body("d0d0d0d0-0002-4000-8000-000000000052", "11111111-aaaa-4bbb-8ccc-000000000001", "User"),
    );
    assert_error(&reply, 400, "RequestParameterInvalid");
    assert!(reply.error_message().contains("does not support provisioning on demand"));
}

#[test]
fn filtered_out_subject_is_skipped_naming_the_filter() {
    let emulator = Emulator::start();
    let reply = emulator.post(
        &scim_path(),
        &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-00000000000a", "User"),
    );
    assert_eq!(reply.status, 200);
    let key = reply.key_json();
    assert_eq!(key["result"], "Skipped");
    assert_eq!(key["details"]["errorCode"], "NotEffectivelyEntitled");
    assert!(key["details"]["errorMessage"].as_str().unwrap_or("").contains("scoping filter"));
    let value = reply.value_json();
    assert_eq!(value["action"], "Other");
    let scoping = value["provisioningSteps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|step| step["type"] == "Scoping")
        .expect("a scoping step")
        .clone();
    assert_eq!(scoping["status"], "Skipped");
    assert_eq!(scoping["details"]["Scoping filter evaluation passed"], "False");
    assert_eq!(scoping["details"]["Failed scoping filter"], "department EQUALS 'Engineering'");
    assert_eq!(scoping["details"]["Assigned to the application"], "True");
}

// ---------------------------------------------------------------------------------------------
// Token endpoint: client secrets.

const TENANT: &str = "3f2e1d0c-9b8a-4766-8554-433221100fed";
const SECRET_CLIENT: &str = "c0ffee00-1234-4abc-8def-00000000c11e";
const SECRET: &str = "emulator-test-secret";

fn token_path() -> String {
    format!("/{TENANT}/oauth2/v2.0/token")
}

fn assert_entra_error(reply: &Reply, status: u16, error: &str, code: u64) {
    assert_eq!(reply.status, status, "{}", String::from_utf8_lossy(&reply.body));
    let body = reply.json();
    assert_eq!(body["error"], error, "{body}");
    assert_eq!(body["error_codes"], json!([code]), "{body}");
    let description = body["error_description"].as_str().expect("error_description");
    assert!(description.starts_with(&format!("AADSTS{code}: ")), "{description}");
    for name in ["timestamp", "trace_id", "correlation_id"] {
        assert!(body[name].is_string(), "{name} is missing: {body}");
    }
    assert!(body["timestamp"].as_str().unwrap_or("").ends_with('Z'));
}

#[test]
fn client_secret_grant_issues_a_token_graph_accepts() {
    let emulator = Emulator::start();
    let scope = format!("{}/.default", emulator.base_url);
    let reply = emulator.post_form(
        &token_path(),
        &[("client_id", SECRET_CLIENT), ("client_secret", SECRET), ("grant_type", "client_credentials"), ("scope", &scope)],
    );
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let answer = reply.json();
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["expires_in"], 3600);
    let token = answer["access_token"].as_str().expect("access_token").to_string();
    let claims = claims_of(&token);
    assert_eq!(claims["aud"], emulator.base_url.as_str());
    assert_eq!(claims["appid"], SECRET_CLIENT);
    assert_eq!(claims["tid"], TENANT);
    assert_eq!(claims["roles"], json!(["Synchronization.ReadWrite.All"]));
    assert_eq!(claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(), 3600);
    assert!(claims["nbf"].is_u64());
    assert_eq!(claims_of(&token)["iss"], format!("{}/{TENANT}/v2.0", emulator.base_url));

    let reply = emulator.post_with_token(&scim_path(), &token, &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"));
    assert_eq!(reply.status, 200);

    // The tenant's domain works in place of its id, and Graph's public root as the scope.
    let reply = emulator.post_form(
        "/example.onmicrosoft.com/oauth2/v2.0/token",
        &[("client_id", SECRET_CLIENT), ("client_secret", SECRET), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(claims_of(reply.json()["access_token"].as_str().unwrap())["aud"], "https://graph.microsoft.com");

    // A client without granted roles gets a token without roles, which Graph answers with 403.
    let reply = emulator.post_form(
        &token_path(),
        &[("client_id", "c0ffee00-1234-4abc-8def-00000000c12e"), ("client_secret", "emulator-test-secret-no-roles"), ("grant_type", "client_credentials"), ("scope", &scope)],
    );
    assert_eq!(reply.status, 200);
    let token = reply.json()["access_token"].as_str().unwrap().to_string();
    assert!(claims_of(&token).get("roles").is_none());
    let reply = emulator.post_with_token(&scim_path(), &token, &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"));
    assert_error(&reply, 403, "Authorization_RequestDenied");

    // The log never shows the secret.
    let log = emulator.requests_log();
    let token_request = log.iter().find(|entry| entry["path"] == token_path()).expect("logged");
    assert!(token_request["bodyText"].as_str().unwrap().contains("client_secret=***"));
    assert!(!serde_json::to_string(&log).unwrap().contains(SECRET));
}

#[test]
fn token_endpoint_errors_follow_entra() {
    let emulator = Emulator::start();
    let scope = format!("{}/.default", emulator.base_url);
    let good = [("client_id", SECRET_CLIENT), ("client_secret", SECRET), ("grant_type", "client_credentials"), ("scope", scope.as_str())];
    let with = |name: &str, value: &str| -> Vec<(String, String)> {
        good.iter()
            .map(|(key, old)| (key.to_string(), if *key == name { value.to_string() } else { old.to_string() }))
            .filter(|(_, value)| !value.is_empty())
            .collect()
    };
    let send = |path: &str, fields: Vec<(String, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        emulator.post_form(path, &fields)
    };

    let reply = send(&token_path(), with("client_secret", "wrong-secret"));
    assert_entra_error(&reply, 401, "invalid_client", 7000215);
    assert!(!String::from_utf8_lossy(&reply.body).contains("wrong-secret"));

    let reply = send(&token_path(), with("client_id", "11111111-0000-0000-0000-000000000000"));
    assert_entra_error(&reply, 400, "unauthorized_client", 700016);
    assert!(reply.json()["error_description"].as_str().unwrap().contains("11111111-0000-0000-0000-000000000000"));

    let reply = send("/contoso.example/oauth2/v2.0/token", with("client_id", SECRET_CLIENT));
    assert_entra_error(&reply, 400, "invalid_request", 90002);
    assert!(reply.json()["error_description"].as_str().unwrap().contains("contoso.example"));

    for bad_scope in ["https://management.azure.com/.default", "https://graph.microsoft.com/User.Read", "a/.default b/.default"] {
        let reply = send(&token_path(), with("scope", bad_scope));
        assert_entra_error(&reply, 400, "invalid_scope", 70011);
        assert!(reply.json()["error_description"].as_str().unwrap().contains(bad_scope));
    }

    let reply = send(&token_path(), with("grant_type", ""));
    assert_entra_error(&reply, 400, "invalid_request", 900144);
    assert!(reply.json()["error_description"].as_str().unwrap().contains("'grant_type'"));
    let reply = send(&token_path(), with("grant_type", "password"));
    assert_entra_error(&reply, 400, "unsupported_grant_type", 70003);
    let reply = send(&token_path(), with("client_secret", ""));
    assert_entra_error(&reply, 401, "invalid_client", 7000216);

    let reply = emulator.request(
        "POST",
        &token_path(),
        &[("Content-Type", "application/json"), ("client-request-id", "5d6e7f80-0000-4000-8000-000000000001")],
        b"{}",
    );
    assert_entra_error(&reply, 400, "invalid_request", 900144);
    assert_eq!(reply.json()["correlation_id"], "5d6e7f80-0000-4000-8000-000000000001");
    let reply = emulator.request("GET", &token_path(), &[], b"");
    assert_entra_error(&reply, 400, "invalid_request", 900561);
}

#[test]
fn token_lifetime_flag_sets_expiry() {
    let emulator = Emulator::start_with(&["--control", "--throttle", "off", "--token-lifetime", "1"], Stdio::null());
    let scope = format!("{}/.default", emulator.base_url);
    let reply = emulator.post_form(
        &token_path(),
        &[("client_id", SECRET_CLIENT), ("client_secret", SECRET), ("grant_type", "client_credentials"), ("scope", &scope)],
    );
    assert_eq!(reply.json()["expires_in"], 1);
    let token = reply.json()["access_token"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(2_100));
    let reply = emulator.post_with_token(&scim_path(), &token, &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"));
    assert_error(&reply, 401, "InvalidAuthenticationToken");
    assert_eq!(reply.error_message(), "Lifetime validation failed, the token is expired.");

    let refused = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator"))
        .args(["--token-lifetime", "0"])
        .output()
        .expect("runs");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--token-lifetime"));
}

#[test]
fn registered_secret_client_can_sign_in() {
    let emulator = Emulator::start();
    let reply = emulator.request(
        "POST",
        "/_emulator/clients",
        &[("Content-Type", "application/json")],
        json!({ "clientId": "aaaa0000-0000-4000-8000-000000000001", "clientSecret": "s3", "roles": ["Application.ReadWrite.OwnedBy"] })
            .to_string()
            .as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let reply = emulator.post_form(
        &token_path(),
        &[("client_id", "aaaa0000-0000-4000-8000-000000000001"), ("client_secret", "s3"), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")],
    );
    assert_eq!(reply.status, 200);
    assert_eq!(claims_of(reply.json()["access_token"].as_str().unwrap())["roles"], json!(["Application.ReadWrite.OwnedBy"]));

    let bad = emulator.request(
        "POST",
        "/_emulator/clients",
        &[("Content-Type", "application/json")],
        br#"{"clientId":"x","certificate":"not a certificate"}"#,
    );
    assert_error(&bad, 400, "BadRequest");
    assert!(bad.error_message().contains("certificate"));
    let bad = emulator.request("POST", "/_emulator/clients", &[], br#"{"clientId":"x"}"#);
    assert_error(&bad, 400, "BadRequest");

    // A reset forgets clients registered at run time.
    emulator.reset();
    let reply = emulator.post_form(
        &token_path(),
        &[("client_id", "aaaa0000-0000-4000-8000-000000000001"), ("client_secret", "s3"), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")],
    );
    assert_entra_error(&reply, 400, "unauthorized_client", 700016);
}

// ---------------------------------------------------------------------------------------------
// Token endpoint: certificate client assertions. The key pair is made at run time with the
// openssl command, so no private key is committed.

struct TestCertificate {
    folder: std::path::PathBuf,
    pem: String,
    der: Vec<u8>,
}

impl TestCertificate {
    fn create(name: &str) -> TestCertificate {
        let folder = std::env::temp_dir().join(format!("mg-emulator-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("temp folder");
        let status = Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=emulator-test"])
            .arg("-keyout")
            .arg(folder.join("key.pem"))
            .arg("-out")
            .arg(folder.join("cert.pem"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("the openssl command runs");
        assert!(status.success(), "openssl req failed");
        let pem = std::fs::read_to_string(folder.join("cert.pem")).expect("cert.pem");
        let base64_text: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
        let der = base64::decode(base64_text).expect("PEM base64");
        TestCertificate { folder, pem, der }
    }

    fn x5t(&self) -> String {
        base64url(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, &self.der).as_ref())
    }

    fn x5t_s256(&self) -> String {
        base64url(ring::digest::digest(&ring::digest::SHA256, &self.der).as_ref())
    }

    /// Signs these header and claims into an RS256 JWT with the private key, using openssl.
    fn sign(&self, header: &Value, claims: &Value) -> String {
        let signed_text = format!("{}.{}", base64url(header.to_string().as_bytes()), base64url(claims.to_string().as_bytes()));
        let input = self.folder.join(format!("input-{}", uuid::Uuid::new_v4()));
        std::fs::write(&input, &signed_text).expect("write input");
        let output = Command::new("openssl")
            .args(["dgst", "-sha256", "-sign"])
            .arg(self.folder.join("key.pem"))
            .arg(&input)
            .output()
            .expect("openssl dgst runs");
        assert!(output.status.success(), "openssl dgst failed");
        format!("{signed_text}.{}", base64url(&output.stdout))
    }
}

impl Drop for TestCertificate {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

#[test]
fn certificate_assertions_are_verified() {
    let emulator = Emulator::start();
    let certificate = TestCertificate::create("assertion");
    let stranger = TestCertificate::create("stranger");
    let client_id = "bbbb0000-0000-4000-8000-000000000002";
    let reply = emulator.request(
        "POST",
        "/_emulator/clients",
        &[("Content-Type", "application/json")],
        json!({ "clientId": client_id, "certificate": certificate.pem, "roles": ["Synchronization.ReadWrite.All"] })
            .to_string()
            .as_bytes(),
    );
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.json()["thumbprint"].as_str().unwrap().len(), 40);

    let audience = format!("{}{}", emulator.base_url, token_path());
    let claims = |overrides: Value| {
        let mut claims = json!({
            "aud": audience, "iss": client_id, "sub": client_id,
            "exp": now() + 600, "nbf": now() - 10, "jti": uuid::Uuid::new_v4().to_string(),
        });
        for (name, value) in overrides.as_object().unwrap() {
            claims[name] = value.clone();
        }
        claims
    };
    let header = json!({ "alg": "RS256", "typ": "JWT", "x5t": certificate.x5t() });
    let send = |assertion: &str| {
        emulator.post_form(
            &token_path(),
            &[
                ("client_id", client_id),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", assertion),
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ],
        )
    };

    let reply = send(&certificate.sign(&header, &claims(json!({}))));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let token = reply.json()["access_token"].as_str().unwrap().to_string();
    assert_eq!(claims_of(&token)["appidacr"], "2");
    let provisioned = emulator.post_with_token(&scim_path(), &token, &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"));
    assert_eq!(provisioned.status, 200);

    // x5t#S256 and x5c work too.
    let full_header = json!({
        "alg": "RS256", "typ": "JWT", "x5t#S256": certificate.x5t_s256(),
        "x5c": [base64::encode(&certificate.der)],
    });
    assert_eq!(send(&certificate.sign(&full_header, &claims(json!({})))).status, 200);

    // A certificate the client does not have.
    let reply = send(&stranger.sign(&json!({ "alg": "RS256", "x5t": stranger.x5t() }), &claims(json!({}))));
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    assert!(reply.json()["error_description"].as_str().unwrap().contains("not registered"));
    // The registered thumbprint, signed with another key.
    let reply = send(&stranger.sign(&header, &claims(json!({}))));
    assert_entra_error(&reply, 401, "invalid_client", 700027);
    assert!(reply.json()["error_description"].as_str().unwrap().contains("signature validation"));
    // Wrong audience, issuer, missing jti.
    for overrides in [json!({ "aud": "https://login.microsoftonline.com/x/oauth2/v2.0/token" }), json!({ "iss": "someone-else" }), json!({ "jti": null })] {
        let reply = send(&certificate.sign(&header, &claims(overrides.clone())));
        assert_entra_error(&reply, 401, "invalid_client", 700027);
    }
    // Expired.
    let reply = send(&certificate.sign(&header, &claims(json!({ "exp": now() - 3600 }))));
    assert_entra_error(&reply, 401, "invalid_client", 700024);
    // Malformed and wrong type.
    assert_entra_error(&send("not-a-jwt"), 401, "invalid_client", 700027);
    let reply = emulator.post_form(
        &token_path(),
        &[("client_id", client_id), ("client_assertion_type", "password"), ("client_assertion", "x.y.z"), ("grant_type", "client_credentials"), ("scope", "https://graph.microsoft.com/.default")],
    );
    assert_entra_error(&reply, 401, "invalid_client", 700027);

    let log = emulator.requests_log();
    assert!(log.iter().all(|entry| !entry["bodyText"].as_str().unwrap_or("").contains("eyJ")), "assertions are masked");
}

#[test]
fn fixture_certificates_are_read_and_checked() {
    let certificate = TestCertificate::create("fixture-certificate");
    let folder = certificate.folder.clone();
    let fixture = json!({
        "tenantId": TENANT,
        "clients": [{ "clientId": "cccc0000-0000-4000-8000-000000000003", "certificates": [{ "pem": certificate.pem }], "roles": ["Synchronization.ReadWrite.All"] }],
    });
    let path = folder.join("fixture.json");
    std::fs::write(&path, fixture.to_string()).unwrap();
    let emulator = Emulator::start_with(&["--control", "--fixture", path.to_str().unwrap()], Stdio::null());
    let audience = format!("{}{}", emulator.base_url, token_path());
    let assertion = certificate.sign(
        &json!({ "alg": "RS256", "x5t": certificate.x5t() }),
        &json!({ "aud": audience, "iss": "cccc0000-0000-4000-8000-000000000003", "sub": "cccc0000-0000-4000-8000-000000000003", "exp": now() + 600, "nbf": now(), "jti": "1" }),
    );
    let reply = emulator.post_form(
        &token_path(),
        &[
            ("client_id", "cccc0000-0000-4000-8000-000000000003"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", &assertion),
            ("grant_type", "client_credentials"),
            ("scope", &format!("{}/.default", emulator.base_url)),
        ],
    );
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));

    // A thumbprint that does not belong to the PEM is refused at start.
    let fixture = json!({
        "tenantId": TENANT,
        "clients": [{ "clientId": "c", "certificates": [{ "pem": certificate.pem, "thumbprint": "00" }] }],
    });
    std::fs::write(&path, fixture.to_string()).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator")).arg("--fixture").arg(&path).output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("$.clients[0].certificates[0].thumbprint"));
}

// ---------------------------------------------------------------------------------------------
// Managed identity.

#[test]
fn managed_identity_endpoint_issues_tokens_for_the_right_identity() {
    let emulator = Emulator::start();
    let identity = emulator.request("GET", "/_emulator/identity", &[], b"").json();
    let secret = identity["header"].as_str().expect("header").to_string();
    assert_eq!(identity["endpoint"], format!("{}/msi/token", emulator.base_url));
    assert!(secret.len() >= 32);

    let query = "/msi/token?resource=https%3A%2F%2Fgraph.microsoft.com&api-version=2019-08-01";
    let reply = emulator.request("GET", query, &[("X-IDENTITY-HEADER", &secret)], b"");
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    let answer = reply.json();
    assert_eq!(answer["token_type"], "Bearer");
    assert_eq!(answer["resource"], "https://graph.microsoft.com");
    assert_eq!(answer["client_id"], "5ca1ab1e-0000-4000-8000-00000000aa01");
    let expires_on: u64 = answer["expires_on"].as_str().expect("a string").parse().expect("seconds");
    assert!(expires_on > now() + 3000);
    let token = answer["access_token"].as_str().unwrap().to_string();
    assert_eq!(claims_of(&token)["appid"], "5ca1ab1e-0000-4000-8000-00000000aa01");
    let provisioned = emulator.post_with_token(&scim_path(), &token, &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User"));
    assert_eq!(provisioned.status, 200);

    let user_assigned = emulator.request(
        "GET",
        &format!("{query}&client_id=5ca1ab1e-0000-4000-8000-00000000aa02"),
        &[("X-IDENTITY-HEADER", &secret)],
        b"",
    );
    assert_eq!(user_assigned.status, 200);
    assert_eq!(user_assigned.json()["client_id"], "5ca1ab1e-0000-4000-8000-00000000aa02");
    assert_eq!(claims_of(user_assigned.json()["access_token"].as_str().unwrap())["roles"], json!(["Application.ReadWrite.OwnedBy"]));

    let own_resource = emulator.request(
        "GET",
        &format!("/msi/token?resource={}&api-version=2019-08-01", emulator.base_url),
        &[("X-IDENTITY-HEADER", &secret)],
        b"",
    );
    assert_eq!(own_resource.status, 200);

    let failures = [
        (query.to_string(), None, 401),
        (query.to_string(), Some("wrong"), 401),
        ("/msi/token?resource=https%3A%2F%2Fgraph.microsoft.com".to_string(), Some(secret.as_str()), 400),
        ("/msi/token?resource=https%3A%2F%2Fgraph.microsoft.com&api-version=2017-09-01".to_string(), Some(secret.as_str()), 400),
        ("/msi/token?api-version=2019-08-01".to_string(), Some(secret.as_str()), 400),
        ("/msi/token?resource=https%3A%2F%2Fvault.azure.net&api-version=2019-08-01".to_string(), Some(secret.as_str()), 400),
        (format!("{query}&client_id=00000000-0000-0000-0000-000000000000"), Some(secret.as_str()), 400),
    ];
    for (path, header, status) in failures {
        let headers: Vec<(&str, &str)> = header.map(|value| vec![("X-IDENTITY-HEADER", value)]).unwrap_or_default();
        let reply = emulator.request("GET", &path, &headers, b"");
        assert_eq!(reply.status, status, "{path}: {}", String::from_utf8_lossy(&reply.body));
        assert!(reply.json()["message"].as_str().map_or(false, |message| !message.is_empty()));
    }

    let log = serde_json::to_string(&emulator.requests_log()).unwrap();
    assert!(!log.contains(&secret), "the identity secret is masked in the log");
}

#[test]
fn identity_header_flag_sets_the_secret() {
    let emulator = Emulator::start_with(&["--control", "--identity-header", "my-test-secret"], Stdio::null());
    assert_eq!(emulator.request("GET", "/_emulator/identity", &[], b"").json()["header"], "my-test-secret");
    let reply = emulator.request(
        "GET",
        "/msi/token?resource=https://graph.microsoft.com&api-version=2019-08-01",
        &[("X-IDENTITY-HEADER", "my-test-secret")],
        b"",
    );
    assert_eq!(reply.status, 200);
}

// ---------------------------------------------------------------------------------------------
// Throttling.

#[test]
fn sixth_call_in_ten_seconds_is_throttled_by_default() {
    let emulator = Emulator::start_with(&["--control"], Stdio::null());
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");
    for _ in 0..3 {
        assert_eq!(emulator.post(&scim_path(), &body).status, 200);
    }
    // The service principal shares the application's window.
    for _ in 0..2 {
        let reply = emulator.post(&path("beta", "servicePrincipals", APP_SP, SCIM_JOB, "provisionOnDemand"), &body);
        assert_eq!(reply.status, 200);
    }
    let started = Instant::now();
    let reply = emulator.post(&scim_path(), &body);
    assert_error(&reply, 429, "TooManyRequests");
    let retry_after: f64 = reply.header("retry-after").expect("Retry-After").parse().expect("seconds");
    assert!(retry_after > 0.0, "{retry_after}");
    assert!(retry_after <= 10.0, "{retry_after}");
    assert!(reply.header("request-id").is_some());
    assert!(reply.header("date").is_some());
    // Another application has its own window.
    let other = emulator.post(
        &path("beta", "applications", CLOUD_SYNC_APP, CLOUD_SYNC_JOB, "provisionOnDemand"),
        &user_body(CLOUD_SYNC_RULE, "CN=Kim Lee,OU=Staff,DC=corp,DC=example,DC=com", "user"),
    );
    assert_eq!(other.status, 200);
    // Reads are not throttled.
    let jobs = emulator.get_with_token(&format!("/beta/applications/{APP}/synchronization/jobs"), &emulator.token);
    assert_eq!(jobs.status, 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    // A reset empties the windows.
    emulator.reset();
    assert_eq!(emulator.post(&scim_path(), &body).status, 200);
}

#[test]
fn throttle_flag_changes_or_disables_the_limit() {
    let emulator = Emulator::start_with(&["--control", "--throttle", "2/1"], Stdio::null());
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");
    assert_eq!(emulator.post(&scim_path(), &body).status, 200);
    assert_eq!(emulator.post(&scim_path(), &body).status, 200);
    let reply = emulator.post(&scim_path(), &body);
    assert_error(&reply, 429, "TooManyRequests");
    let retry_after: f64 = reply.header("retry-after").unwrap().parse().unwrap();
    assert!(retry_after > 0.0, "{retry_after}");
    assert!(retry_after <= 1.0, "{retry_after}");
    std::thread::sleep(Duration::from_secs_f64(retry_after + 0.05));
    assert_eq!(emulator.post(&scim_path(), &body).status, 200);

    let unlimited = Emulator::start_with(&["--control", "--throttle", "off"], Stdio::null());
    for _ in 0..30 {
        assert_eq!(unlimited.post(&scim_path(), &body).status, 200);
    }

    for bad in ["0/10", "5", "five/10", "5/0"] {
        let output = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator")).args(["--throttle", bad]).output().unwrap();
        assert!(!output.status.success(), "{bad}");
        assert!(String::from_utf8_lossy(&output.stderr).contains(bad), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// Faults on demand.

impl Emulator {
    fn add_fault(&self, spec: Value) -> Reply {
        self.request("POST", "/_emulator/faults", &[("Content-Type", "application/json")], spec.to_string().as_bytes())
    }

    /// Sends the default provisionOnDemand request and returns the raw bytes of the answer.
    fn raw_provision(&self) -> Vec<u8> {
        let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User").to_string();
        let request = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            scim_path(), self.address, self.token, body.len()
        );
        self.send_raw_waiting(request.as_bytes(), Duration::from_secs(5))
    }
}

#[test]
fn error_faults_answer_with_status_body_and_retry_after() {
    let emulator = Emulator::start();
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");

    assert_eq!(emulator.add_fault(json!({ "fault": "error", "status": 429, "retryAfter": 2.5, "count": 2, "method": "POST", "path": "/beta/" })).status, 200);
    for _ in 0..2 {
        let reply = emulator.post(&scim_path(), &body);
        assert_error(&reply, 429, "TooManyRequests");
        assert_eq!(reply.header("retry-after"), Some("2.5"));
        assert!(reply.header("request-id").is_some());
    }
    assert_eq!(emulator.post(&scim_path(), &body).status, 200, "the fault applied twice only");

    emulator.add_fault(json!({ "fault": "error", "status": 429, "retryAfterDate": 3 }));
    let reply = emulator.post(&scim_path(), &body);
    assert_eq!(reply.status, 429);
    let date = reply.header("retry-after").expect("Retry-After");
    let when = httpdate::parse_http_date(date).expect("an HTTP date");
    assert!(when > SystemTime::now(), "{date}");
    assert!(when < SystemTime::now() + Duration::from_secs(5), "{date}");

    for status in [503, 504] {
        emulator.add_fault(json!({ "status": status }));
        let reply = emulator.post(&scim_path(), &body);
        assert_eq!(reply.status, status);
        assert!(reply.header("retry-after").is_none());
        assert_eq!(reply.error_code(), if status == 503 { "ServiceUnavailable" } else { "GatewayTimeout" });
    }

    emulator.add_fault(json!({ "status": 500, "code": "generalException", "message": "Something broke." }));
    let reply = emulator.post(&scim_path(), &body);
    assert_error(&reply, 500, "generalException");
    assert_eq!(reply.error_message(), "Something broke.");

    emulator.add_fault(json!({ "fault": "empty", "status": 503 }));
    let reply = emulator.post(&scim_path(), &body);
    assert_eq!(reply.status, 503);
    assert!(reply.body.is_empty());

    emulator.add_fault(json!({ "fault": "html", "status": 502 }));
    let reply = emulator.post(&scim_path(), &body);
    assert_eq!(reply.status, 502);
    assert!(reply.header("content-type").unwrap().starts_with("text/html"));
    assert!(String::from_utf8_lossy(&reply.body).contains("<html>"));
}

#[test]
fn faults_match_by_method_prefix_and_regex() {
    let emulator = Emulator::start();
    let body = user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000002", "User");
    emulator.add_fault(json!({ "method": "GET", "status": 503 }));
    emulator.add_fault(json!({ "pathRegex": "^/v1\\.0/servicePrincipals/.*/provisionOnDemand$", "status": 504 }));
    emulator.add_fault(json!({ "path": "/msi/", "status": 500 }));
    let listed = emulator.request("GET", "/_emulator/faults", &[], b"").json();
    assert_eq!(listed["value"].as_array().unwrap().len(), 3);

    assert_eq!(emulator.post(&scim_path(), &body).status, 200, "no fault matches");
    let reply = emulator.post(&path("v1.0", "servicePrincipals", APP_SP, SCIM_JOB, "provisionOnDemand"), &body);
    assert_eq!(reply.status, 504);
    let reply = emulator.get_with_token(&format!("/beta/applications/{APP}/synchronization/jobs"), &emulator.token);
    assert_eq!(reply.status, 503);
    assert_eq!(emulator.request("GET", "/msi/token", &[], b"").status, 500);
    assert!(emulator.request("GET", "/_emulator/faults", &[], b"").json()["value"].as_array().unwrap().is_empty());

    emulator.add_fault(json!({ "status": 503, "count": 5 }));
    emulator.reset();
    assert_eq!(emulator.post(&scim_path(), &body).status, 200, "a reset clears faults");

    for (spec, named) in [
        (json!({ "fault": "explode" }), "explode"),
        (json!({ "status": 99 }), "status"),
        (json!({ "count": 0 }), "count"),
        (json!({ "pathRegex": "(" }), "pathRegex"),
        (json!({ "fault": "delay" }), "delayMs"),
        (json!({ "retryAfter": 1, "retryAfterDate": 1 }), "retryAfterDate"),
        (json!([1]), "object"),
    ] {
        let reply = emulator.add_fault(spec.clone());
        assert_error(&reply, 400, "BadRequest");
        assert!(reply.error_message().contains(named), "{spec}: {}", reply.error_message());
    }
}

#[test]
fn delay_drop_truncate_and_chunked_faults_change_the_transport() {
    let emulator = Emulator::start();

    emulator.add_fault(json!({ "fault": "delay", "delayMs": 600 }));
    let started = Instant::now();
    let reply = Reply::parse(&emulator.raw_provision()).expect("an answer");
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(reply.status, 200);

    emulator.add_fault(json!({ "fault": "drop" }));
    assert!(emulator.raw_provision().is_empty(), "a dropped connection sends nothing");

    emulator.add_fault(json!({ "fault": "truncate" }));
    let raw = emulator.raw_provision();
    let reply = Reply::parse(&raw).expect("a head");
    assert_eq!(reply.status, 200);
    let declared: usize = reply.header("content-length").expect("Content-Length").parse().unwrap();
    assert!(reply.body.len() < declared, "{} of {declared} bytes", reply.body.len());
    assert!(!reply.body.is_empty());

    emulator.add_fault(json!({ "fault": "chunked", "retryAfter": "1" }));
    let raw = emulator.raw_provision();
    let reply = Reply::parse(&raw).expect("an answer");
    assert_eq!(reply.status, 429);
    assert!(reply.header("content-length").is_none());
    assert_eq!(reply.header("transfer-encoding"), Some("chunked"));
    assert_eq!(reply.header("retry-after"), Some("1"));
    assert_eq!(reply.error_code(), "TooManyRequests");

    let log = emulator.requests_log();
    assert_eq!(log[1]["status"], 0, "the dropped request is logged with status 0");
    assert_eq!(emulator.post(&scim_path(), &user_body(USER_RULE, "11111111-aaaa-4bbb-8ccc-000000000001", "User")).status, 200);
}

// ---------------------------------------------------------------------------------------------
// Fixtures.

#[test]
fn fixture_file_replaces_the_built_in_tenant() {
    let folder = std::env::temp_dir().join(format!("mg-emulator-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let path = folder.join("tenant.json");
    std::fs::write(
        &path,
        json!({
            "tenantId": "99999999-0000-4000-8000-000000000000",
            "applications": [{
                "id": "app-1", "servicePrincipalId": "sp-1",
                "jobs": [{
                    "id": "scim.1", "templateId": "scim",
                    "rules": [{ "id": "rule-1", "name": "USER_OUTBOUND_USER", "metadata": [{ "key": "supportsProvisionOnDemand", "value": "true" }] }],
                    "scope": { "assigned": ["u-1"] },
                }],
            }],
            "users": [{ "id": "u-1", "userPrincipalName": "one@example.com" }],
        })
        .to_string(),
    )
    .unwrap();
    let emulator = Emulator::start_with(&["--control", "--fixture", path.to_str().unwrap()], Stdio::null());
    let reply = emulator.post(&path_of("app-1", "scim.1"), &user_body("rule-1", "u-1", "User"));
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    assert_eq!(reply.key_json()["result"], "Success");
    assert_error(&emulator.post(&scim_path(), &user_body(USER_RULE, "u-1", "User")), 404, "Request_ResourceNotFound");
    std::fs::remove_dir_all(&folder).unwrap();
}

fn path_of(app: &str, job: &str) -> String {
    path("beta", "applications", app, job, "provisionOnDemand")
}

#[test]
fn invalid_fixtures_are_refused_at_start_naming_the_path() {
    let folder = std::env::temp_dir().join(format!("mg-emulator-bad-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let cases = [
        ("{", "$: not valid JSON"),
        ("[]", "$: expected an object, found an array"),
        (r#"{"applications":[]}"#, "$.tenantId: missing"),
        (r#"{"tenantId":"t","applications":[{"id":"a","jobs":[{"id":"j","templateId":"scim","rules":[{"id":"r"}]}]}]}"#, "$.applications[0].jobs[0].rules[0].name: missing"),
        (r#"{"tenantId":"t","applications":[{"id":"a","jobs":[{"id":"j","templateId":"scim","scope":{"assigned":[1]}}]}]}"#, "$.applications[0].jobs[0].scope.assigned[0]: expected a string, found a number"),
        (r#"{"tenantId":"t","applications":[{"id":"a"},{"id":"A"}]}"#, "$.applications[1].id: duplicate application id 'A', already used at $.applications[0].id"),
        (r#"{"tenantId":"t","groups":[{"id":"g","members":"u"}]}"#, "$.groups[0].members: expected an array, found a string"),
        (r#"{"tenantId":"t","clients":[{"clientId":"c"}]}"#, "$.clients[0]: client 'c' has no clientSecret"),
        (r#"{"tenantId":"t","clients":[{"clientId":"c","certificates":[{"pem":"x"}]}]}"#, "$.clients[0].certificates[0].pem: no '-----BEGIN CERTIFICATE-----'"),
        (r#"{"tenantId":"t","applications":[{"id":"a","jobs":[{"id":"j","templateId":"scim","rules":[{"id":"r","name":"n","supportsProvisionOnDemand":"yes"}]}]}]}"#, "$.applications[0].jobs[0].rules[0].supportsProvisionOnDemand: expected true or false"),
    ];
    for (index, (text, expected)) in cases.iter().enumerate() {
        let path = folder.join(format!("bad-{index}.json"));
        std::fs::write(&path, text).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator")).arg("--fixture").arg(&path).output().unwrap();
        assert_eq!(output.status.code(), Some(1), "{text}");
        assert!(output.stdout.is_empty(), "no URL is printed for {text}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{text}: {stderr}");
        assert!(stderr.contains("is invalid"), "{stderr}");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator")).args(["--fixture", "/nonexistent/tenant.json"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/nonexistent/tenant.json"));
    std::fs::remove_dir_all(&folder).unwrap();
}
