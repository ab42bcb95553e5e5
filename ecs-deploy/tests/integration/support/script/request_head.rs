//! Calls the layer makes to moto on its own, with the headers of the ECS request it is
//! answering: [`super::call_upstream`] (ECS), the Cloud Map calls of
//! [`super::service_connect`] and the Application Auto Scaling calls of
//! [`super::autoscaling`]. moto's server picks the AWS service of a JSON-protocol call by its
//! `X-Amz-Target` header (and, for some services, the signing scope of `Authorization`); the
//! account and credentials headers are kept, so the call lands in the same moto account.
//! [`exchange`] is the one round trip to moto every forwarded request makes.

use std::io::{Read, Write};
use std::net::TcpStream;

use serde_json::Value;

use super::{Answer, forward};

/// Sends moto `input` as the JSON-protocol call `target` (`Service_Version.Operation`) with the
/// headers of the request whose head is `head`: its `X-Amz-Target` becomes `target`, its
/// `Content-Length` the new body's, and, with `signing_name`, the signing scope `/ecs/` of its
/// `Authorization` becomes that service's. A head without `X-Amz-Target` is sent without one.
pub(super) fn call_as(
    upstream: &str,
    head: &str,
    target: &str,
    signing_name: Option<&str>,
    input: &Value,
) -> std::io::Result<Answer> {
    let body = input.to_string();
    let mut out = String::new();
    for line in head.split("\r\n").filter(|l| !l.is_empty()) {
        let name = line
            .split_once(':')
            .map(|(n, _)| n.trim().to_ascii_lowercase());
        let line = match (name.as_deref(), signing_name) {
            (Some("x-amz-target"), _) => format!("X-Amz-Target: {target}"),
            (Some("content-length"), _) => format!("Content-Length: {}", body.len()),
            (Some("authorization"), Some(signing)) => {
                line.replace("/ecs/aws4_request", &format!("/{signing}/aws4_request"))
            }
            _ => line.to_owned(),
        };
        out.push_str(&line);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    forward(upstream, &out, body.as_bytes())
}

/// Sends moto one request (`head`, asked to close the connection after the answer, then
/// `body`) and reads its whole answer, head and body, as moto wrote it.
pub(super) fn exchange(upstream: &str, head: &str, body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream)?;
    let head = head.replace("Connection: keep-alive", "Connection: close");
    server.write_all(head.as_bytes())?;
    server.write_all(body)?;
    let mut raw = Vec::new();
    server.read_to_end(&mut raw)?;
    Ok(raw)
}
