//! Builds the C program in ffi/ against the generated header and the cdylib, and runs it
//! against the emulator over real loopback HTTP.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The emulator as a child process, stopped when dropped.
struct Emulator {
    child: Child,
    url: String,
}

impl Emulator {
    fn start() -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mg-graph-emulator"))
            .args(["--port", "0", "--control", "--throttle", "off", "--accept-unsigned-tokens"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the emulator starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Emulator { child, url: line.trim().to_string() }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut text = String::new();
    for chunk in bytes.chunks(3) {
        let value = chunk.iter().enumerate().fold(0u32, |acc, (i, byte)| acc | (u32::from(*byte) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            text.push(ALPHABET[((value >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    text
}

/// An unsigned JWT that the emulator accepts, valid for an hour.
fn test_token() -> String {
    let expiry = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() + 3600;
    let claims = format!(r#"{{"aud":"https://graph.microsoft.com","roles":["Synchronization.ReadWrite.All"],"exp":{expiry}}}"#);
    format!("{}.{}.", base64url(br#"{"alg":"none","typ":"JWT"}"#), base64url(claims.as_bytes()))
}

/// Returns the folder holding the cdylib, building the cdylib first when `cargo test` did not:
/// the test binary runs from target/<profile>/deps, and cargo builds only the rlib for tests.
fn library_dir() -> PathBuf {
    let directory = std::env::current_exe().unwrap().parent().unwrap().parent().unwrap().to_path_buf();
    let file = if cfg!(target_os = "macos") { "libmg_provisioning.dylib" } else { "libmg_provisioning.so" };
    if directory.join(file).exists() {
        return directory;
    }

    // build.ps1 passes the arguments that select the crate source, as a JSON array.
    let source_arguments: Vec<String> = std::env::var("MGPROVISIONING_CARGO_ARGS")
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "--lib", "--manifest-path", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")]);
    if directory.ends_with("release") {
        build.arg("--release");
    }
    let status = build.args(&source_arguments).status().expect("cargo runs");
    assert!(status.success(), "building the cdylib for the C program failed");
    directory
}

fn build_program(output: &Path) {
    let root = env!("CARGO_MANIFEST_DIR");
    let library_dir = library_dir();
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror"])
        .arg(format!("-I{root}/include"))
        .arg(format!("{root}/ffi/provision.c"))
        .arg(format!("-L{}", library_dir.display()))
        .arg("-lmg_provisioning")
        .arg(format!("-Wl,-rpath,{}", library_dir.display()))
        .arg("-o")
        .arg(output)
        .status()
        .unwrap_or_else(|error| panic!("the C compiler '{compiler}' could not run: {error}"));
    assert!(status.success(), "ffi/provision.c did not compile");
}

const PARAMETERS: &str = r#"[{"ruleId":"e1a2b3c4-0001-4000-8000-000000000001","subjects":[{"objectId":"11111111-aaaa-4bbb-8ccc-000000000002","objectTypeName":"User"}]}]"#;

fn run_program(program: &Path, emulator: &Emulator, token: &str, extra: &[&str]) -> (i32, serde_json::Value) {
    let output = Command::new(program)
        .env("MG_ACCESS_TOKEN", token)
        .args([&emulator.url, "5b0c6e1a-2f4d-4c1e-9a6b-1d2e3f4a5b60", "scim.8f14e45fceea167a5a36dedd4bea2543", PARAMETERS])
        .args(extra)
        .output()
        .unwrap();
    let outcome = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("the program printed no JSON ({error}): {}", String::from_utf8_lossy(&output.stdout)));
    (output.status.code().unwrap_or(-1), outcome)
}

#[test]
fn c_program_provisions_through_the_abi() {
    let directory = std::env::temp_dir().join(format!("mg-ffi-{}", std::process::id()));
    std::fs::create_dir_all(&directory).unwrap();
    let program = directory.join("provision");
    build_program(&program);
    let emulator = Emulator::start();
    let token = test_token();

    let (code, first) = run_program(&program, &emulator, &token, &[]);
    assert_eq!(code, 0, "{first}");
    assert_eq!(first["statusName"], "MG_STATUS_OK");
    let key: serde_json::Value = serde_json::from_str(first["result"]["key"].as_str().unwrap()).unwrap();
    assert_eq!(key["result"], "Success");

    let (code, again) = run_program(&program, &emulator, &token, &["3"]);
    assert_eq!(code, 0, "{again}");
    let key: serde_json::Value = serde_json::from_str(again["result"]["key"].as_str().unwrap()).unwrap();
    assert_eq!(key["details"]["errorCode"], "RedundantExport");
    assert!(!again.to_string().contains(&token));

    let (code, refused) = run_program(&program, &emulator, "not-a-jwt", &[]);
    assert_eq!(code, 1);
    assert_eq!(refused["error"]["statusCode"], 401);
    assert_eq!(refused["error"]["code"], "InvalidAuthenticationToken");

    std::fs::remove_dir_all(&directory).ok();
}
