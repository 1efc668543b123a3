//! Test support: a loopback HTTP/1.1 server that records requests and answers as told, and
//! helpers to call the C ABI the way a C program does.
#![allow(dead_code)]

use std::ffi::{CStr, CString};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::ptr;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use mg_provisioning::abi::*;
use mg_provisioning::MgStatus;

/// A request as the test server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    pub fn header_count(&self, name: &str) -> usize {
        self.headers.iter().filter(|(key, _)| key.eq_ignore_ascii_case(name)).count()
    }
}

/// What the server sends back.
#[derive(Clone)]
pub enum Reply {
    /// A status line, headers and a body.
    Answer { status: u16, headers: Vec<(String, String)>, body: String },
    /// Read the request, then keep the connection open without answering.
    Hang,
    /// Send these bytes as they are, then close the connection.
    Raw(Vec<u8>),
}

/// A loopback server on 127.0.0.1 that answers every request with the same reply.
pub struct TestServer {
    pub url: String,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl TestServer {
    pub fn start(reply: Reply) -> TestServer {
        Self::sequence(vec![reply])
    }

    /// Answers the n-th request with the n-th reply; the last reply repeats.
    pub fn sequence(replies: Vec<Reply>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&received);
        let replies = Arc::new(replies);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let replies = Arc::clone(&replies);
                let log = Arc::clone(&log);
                thread::spawn(move || serve(stream, &replies, log));
            }
        });
        TestServer { url, received }
    }

    pub fn json(status: u16, body: &str) -> TestServer {
        Self::start(json_reply(status, &[], body))
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, replies: &[Reply], log: Arc<Mutex<Vec<Received>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or_default().to_string();
        let path = parts.next().unwrap_or_default().to_string();
        let mut headers = Vec::new();
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                headers.push((name.trim().to_string(), value.trim().to_string()));
            }
        }
        let length: usize = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let reply = {
            let mut log = log.lock().unwrap();
            log.push(Received { method, path, headers, body: String::from_utf8_lossy(&body).into_owned() });
            replies[(log.len() - 1).min(replies.len() - 1)].clone()
        };

        match &reply {
            Reply::Raw(bytes) => {
                let _ = reader.get_ref().write_all(bytes);
                return;
            }
            Reply::Hang => {
                thread::sleep(Duration::from_secs(30));
                return;
            }
            Reply::Answer { status, headers, body } => {
                let mut text = format!("HTTP/1.1 {status} Status\r\nContent-Length: {}\r\n", body.len());
                for (name, value) in headers {
                    text.push_str(&format!("{name}: {value}\r\n"));
                }
                text.push_str("\r\n");
                text.push_str(body);
                let mut stream = reader.get_ref();
                if stream.write_all(text.as_bytes()).is_err() {
                    return;
                }
            }
        }
    }
}

/// A JSON answer with a request-id header and any extra headers.
pub fn json_reply(status: u16, extra_headers: &[(&str, &str)], body: &str) -> Reply {
    let mut headers = vec![
        ("Content-Type".to_string(), "application/json".to_string()),
        ("request-id".to_string(), "11111111-2222-4333-8444-555555555555".to_string()),
    ];
    headers.extend(extra_headers.iter().map(|(name, value)| (name.to_string(), value.to_string())));
    Reply::Answer { status, headers, body: body.into() }
}

/// Owns a C string for the duration of a test.
pub fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// Creates a context through the C ABI, panicking on failure.
pub fn context(endpoint: &str, token: &str) -> *mut MgContext {
    let mut context = ptr::null_mut();
    let status = unsafe { mg_context_new(c(endpoint).as_ptr(), c(token).as_ptr(), c("abi-tests/1.0").as_ptr(), &mut context) };
    assert_eq!(status, MgStatus::Ok);
    context
}

/// Starts a call, waits for it and returns its final status and outcome JSON.
pub fn run(context: *mut MgContext, envelope: &str) -> (MgStatus, serde_json::Value) {
    unsafe {
        let mut call = ptr::null_mut();
        assert_eq!(mg_call_start(context, c(envelope).as_ptr(), &mut call), MgStatus::Ok);
        let status = loop {
            let status = mg_call_wait(call, 100);
            if status != MgStatus::Pending {
                break status;
            }
        };
        let outcome = take_outcome(call);
        mg_call_free(call);
        (status, outcome)
    }
}

/// Reads a finished call's outcome and frees the string.
pub unsafe fn take_outcome(call: *mut MgCall) -> serde_json::Value {
    let mut text = ptr::null_mut();
    assert_eq!(mg_call_outcome(call, &mut text), MgStatus::Ok);
    let parsed = serde_json::from_str(CStr::from_ptr(text).to_str().unwrap()).unwrap();
    mg_string_free(text);
    parsed
}

/// An envelope for the ProvisionExpanded set with one user.
pub fn user_envelope(application_id: &str, job_id: &str) -> String {
    serde_json::json!({
        "command": "New-MgBetaApplicationSynchronizationJobOnDemand",
        "parameterSet": "ProvisionExpanded",
        "id": application_id,
        "synchronizationJobId": job_id,
        "parameters": [{ "RuleId": "rule-1", "Subjects": [{ "ObjectId": "user-1", "ObjectTypeName": "User" }] }]
    })
    .to_string()
}
