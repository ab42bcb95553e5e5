//! Shared by the integration tests: the local ECS endpoint and clients pointed at it.

#![allow(dead_code)]

pub mod clients;
pub mod cloud_map;
pub mod deployments;
pub mod ec2;
pub mod local_ecs;
pub mod read_back;
pub mod scheduler;
pub mod script;

use ecs_deploy::aws::Ecs;

/// `prefix`, made unique with this process's id, the time and a counter: a name no other test
/// (nor an earlier run against a server left running) uses.
pub fn unique(prefix: &str) -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    )
}

/// An ECS client for the local endpoint, with dummy credentials, in its own moto account so
/// tests running at the same time do not see each other's resources.
pub async fn ecs(account: &str) -> Ecs {
    ecs_at(local_ecs::endpoint(), account).await
}

/// An ECS client for the endpoint at `url` (the local endpoint, or a scripted layer in front of
/// it), in moto account `account`. Retries start after 10 ms instead of 1 s, so tests that
/// throttle stay quick; the SDK makes its standard 3 attempts, and the engine 8 more tries.
pub async fn ecs_at(url: &str, account: &str) -> Ecs {
    let config = clients::sdk_config(url).await;
    let client = aws_sdk_ecs::Client::from_conf(
        aws_sdk_ecs::config::Builder::from(&config)
            .interceptor(MotoAccount(account.to_owned()))
            .build(),
    );
    // The engine's own tries after the SDK's, as quick as the SDK's here.
    Ecs::from_client(client).retries(ecs_deploy::Retries::new(
        8,
        std::time::Duration::from_millis(10),
        std::time::Duration::from_millis(200),
    ))
}

/// `ecs-deploy` as a user runs it against the endpoint at `url` (moto's default account): dummy
/// credentials, region us-east-1, no AWS configuration file, profile or session token, the
/// CLI's own retry settings, no colour and no terminal.
pub fn cli_at(url: &str) -> std::process::Command {
    program_at(env!("CARGO_BIN_EXE_ecs-deploy"), url)
}

/// Runs `ecs-deploy ARGS` as [`cli_at`] does: its exit code, stdout and stderr.
pub fn cli_outcome(url: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let output = cli_at(url).args(args).output().expect("ecs-deploy runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Asserts that none of `secrets` shows in what a command printed, on stdout or stderr (the
/// values the tests put in variables named like secrets: they must never print).
pub fn assert_never_printed(output: &std::process::Output, secrets: &[&str]) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for secret in secrets {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "a secret was printed:\n{stdout}\n{stderr}"
        );
    }
}

/// Writes `value` as `<name>.json` in the folder `folder` of the tests' temporary directory.
pub fn write_json(folder: &str, name: &str, value: &serde_json::Value) -> std::path::PathBuf {
    let folder = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(folder);
    std::fs::create_dir_all(&folder).expect("a folder for the files");
    let path = folder.join(format!("{name}.json"));
    std::fs::write(&path, serde_json::to_string_pretty(value).expect("json")).expect("written");
    path
}

/// `program` run as [`cli_at`] runs the CLI: against the endpoint at `url`, with dummy
/// credentials and no AWS configuration file.
pub fn program_at(program: impl AsRef<std::ffi::OsStr>, url: &str) -> std::process::Command {
    let mut command = std::process::Command::new(program);
    command
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_MAX_ATTEMPTS")
        .env_remove("AWS_RETRY_MODE")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null());
    command
}

/// Asserts that the CLI's `stdout` followed the deployment of `service` (`CLUSTER/NAME`): at
/// least two progress lines, the first in progress, the last completed, with the time taken.
pub fn assert_followed_to_completion(stdout: &str, service: &str) {
    let progress: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(&format!("  service {service}: deployment ")))
        .collect();
    assert!(
        progress.len() >= 2
            && progress[0].contains("in progress")
            && progress[progress.len() - 1].contains(" completed (")
            && progress[progress.len() - 1].ends_with(" s)"),
        "{stdout}"
    );
}

/// Sends moto's `x-moto-account-id` header: each test gets an account of its own.
#[derive(Debug)]
pub struct MotoAccount(pub String);

impl aws_smithy_runtime_api::client::interceptors::Intercept for MotoAccount {
    fn name(&self) -> &'static str {
        "moto account"
    }

    fn modify_before_signing(
        &self,
        context: &mut aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut<'_>,
        _components: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
        _cfg: &mut aws_smithy_types::config_bag::ConfigBag,
    ) -> Result<(), aws_smithy_runtime_api::box_error::BoxError> {
        context
            .request_mut()
            .headers_mut()
            .insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

/// One ECS call to `url` (the scripted layer or moto) without the SDK, so without retries: its
/// HTTP status and body.
pub fn raw(
    url: &str,
    account: &str,
    operation: &str,
    input: &serde_json::Value,
) -> (u16, serde_json::Value) {
    let body = input.to_string();
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("the endpoint answers");
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-amz-json-1.1\r\n\
         X-Amz-Target: AmazonEC2ContainerServiceV20141113.{operation}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ecs/aws4_request, SignedHeaders=host, Signature=0\r\n\
         x-moto-account-id: {account}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    std::io::Write::write_all(&mut stream, request.as_bytes()).expect("a request");
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).expect("an answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status");
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::Null),
    )
}
