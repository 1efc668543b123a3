//! Requests per second that `mg-graph-emulator` serves on loopback, with throttling off.
//!
//! Starts the emulator binary that cargo built for this bench, mints a token through its control
//! API, then runs CONNECTIONS client threads for SECONDS. Each thread keeps one HTTP/1.1
//! connection alive and sends provisionOnDemand requests one after another (after the first,
//! the answer is a RedundantExport result, which still checks the token, parses the body and
//! builds a full result). Prints requests/s, the mean latency and the error count.
//!
//! Run: `cargo bench --bench emulator_throughput`. Settings come from the environment:
//! `EMULATOR_BENCH_CONNECTIONS` (default 16) and `EMULATOR_BENCH_SECONDS` (default 5).
//! The client threads share the machine with the emulator, so the figure is a lower bound.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PATH: &str = "/beta/applications/5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60/synchronization/jobs/scim.8f14e45fceea167a5a36dedd4bea2543/provisionOnDemand";
const BODY: &str = r#"{"parameters":[{"ruleId":"e1a2b3c4-0001-4000-8000-000000000001","subjects":[{"objectId":"11111111-aaaa-4bbb-8ccc-000000000002","objectTypeName":"User"}]}]}"#;

struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// Reads one HTTP answer (head and Content-Length body) and returns its status.
fn read_answer(reader: &mut BufReader<TcpStream>) -> std::io::Result<u16> {
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad status line '{line}'")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    reader.read_exact(&mut body)?;
    Ok(status)
}

fn mint_token(address: &str) -> String {
    let mut stream = TcpStream::connect(address).expect("connect");
    write!(stream, "POST /_emulator/token HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{{}}").expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    let body = &answer[answer.find("\r\n\r\n").expect("head") + 4..];
    let value: serde_json::Value = serde_json::from_str(body).expect("JSON");
    value["access_token"].as_str().expect("access_token").to_string()
}

fn main() {
    let connections = setting("EMULATOR_BENCH_CONNECTIONS", 16);
    let seconds = setting("EMULATOR_BENCH_SECONDS", 5);

    let mut child = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator"))
        .args(["--control", "--throttle", "off"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the emulator starts");
    let mut url = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut url)
        .expect("the base URL");
    let _emulator = Emulator(child);
    let address = url.trim().trim_start_matches("http://").to_string();
    let token = mint_token(&address);
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let completed = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (stop, completed, errors) = (stop.clone(), completed.clone(), errors.clone());
            let (address, request) = (address.clone(), request.clone());
            std::thread::spawn(move || {
                let stream = TcpStream::connect(&address).expect("connect");
                stream.set_nodelay(true).expect("nodelay");
                let mut writer = stream.try_clone().expect("clone");
                let mut reader = BufReader::new(stream);
                while !stop.load(Ordering::Relaxed) {
                    if writer.write_all(request.as_bytes()).is_err() {
                        errors.fetch_add(1, Ordering::Relaxed);
                        return;
                    }
                    match read_answer(&mut reader) {
                        Ok(200) => {
                            completed.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(_) => {
                            errors.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                    }
                }
            })
        })
        .collect();

    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    for thread in threads {
        let _ = thread.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let done = completed.load(Ordering::Relaxed);
    let rate = done as f64 / elapsed;
    println!(
        "emulator_throughput: {done} provisionOnDemand requests in {elapsed:.2} s over {connections} keep-alive connections: {rate:.0} requests/s, mean latency {:.2} ms, {} errors",
        connections as f64 * 1000.0 / rate,
        errors.load(Ordering::Relaxed)
    );
}
