//! The local ECS endpoint for integration tests: moto's server on 127.0.0.1, one per test
//! binary, stopped when the binary exits.
//!
//! `ECS_RS_TEST_ENDPOINT=http://127.0.0.1:PORT` makes the tests use a server that is already
//! running instead. Otherwise the server is `scripts/local-ecs path` (which installs moto into
//! `.moto/venv` on first use) started on a free port. Tests share the server; each uses its own
//! resource names, or its own AWS account through moto's `x-moto-account-id` header.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A running local endpoint.
pub struct LocalEcs {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    child: Option<Child>,
}

impl Drop for LocalEcs {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            // SIGTERM, which the watchdog shell traps to stop the server: a SIGKILL would end
            // the shell alone and leave the server running.
            let stopped = Command::new("sh")
                .args(["-c", "kill -TERM \"$0\"", &child.id().to_string()])
                .status()
                .is_ok_and(|status| status.success());
            if !stopped {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

static SERVER: OnceLock<LocalEcs> = OnceLock::new();

/// The endpoint shared by this test binary.
pub fn endpoint() -> &'static str {
    &SERVER.get_or_init(start).url
}

fn start() -> LocalEcs {
    if let Ok(url) = std::env::var("ECS_RS_TEST_ENDPOINT") {
        return LocalEcs { url, child: None };
    }
    spawn(&[])
}

/// A local endpoint of its own, with moto's settings `envs` (such as
/// `MOTO_ECS_SERVICE_RUNNING=1`, which reports a new service's tasks running, so that its
/// first deployment completes); stopped when dropped, or when this test process is gone.
pub fn start_with(envs: &[(&str, &str)]) -> LocalEcs {
    spawn(envs)
}

fn spawn(envs: &[(&str, &str)]) -> LocalEcs {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let output = Command::new(root.join("scripts/local-ecs"))
        .arg("path")
        .stderr(Stdio::inherit())
        .output()
        .expect("scripts/local-ecs runs");
    assert!(output.status.success(), "scripts/local-ecs path failed");
    let server = String::from_utf8(output.stdout).expect("a path");
    let port = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener.local_addr().expect("an address").port()
    };
    // A watchdog shell runs the server and stops it once this test process is gone: test
    // binaries exit without running the destructors of statics.
    let watchdog = r#"
        "$1" -H 127.0.0.1 -p "$2" >/dev/null 2>&1 &
        server=$!
        trap 'kill "$server" 2>/dev/null' EXIT
        trap 'exit 0' TERM
        while kill -0 "$3" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 0.5; done
    "#;
    let child = Command::new("sh")
        .envs(envs.iter().copied())
        .args(["-c", watchdog, "local-ecs"])
        .args([
            server.trim(),
            &port.to_string(),
            &std::process::id().to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the local ECS endpoint starts");
    let server = LocalEcs {
        url: format!("http://127.0.0.1:{port}"),
        child: Some(child),
    };
    wait_until_up(SocketAddr::from(([127, 0, 0, 1], port)));
    server
}

fn wait_until_up(addr: SocketAddr) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        if let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) {
            use std::io::Write;
            let _ = stream
                .write_all(b"GET /moto-api/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            let mut buf = [0_u8; 12];
            if stream.read_exact(&mut buf).is_ok() && buf.starts_with(b"HTTP/1.") {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("the local ECS endpoint did not answer on {addr} within 20 s");
}
