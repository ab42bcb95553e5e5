//! A layer in front of the local endpoint for what moto lacks around load balancers
//! ([`TargetGroupRules`]), and the ELBv2 SDK client the tests make their load balancer with.
//!
//! ECS refuses to bind a service to a target group that no load balancer uses: CreateService
//! (and UpdateService) with such a `loadBalancers[].targetGroupArn` fails with
//! `InvalidParameterException` ("The target group with targetGroupArn ... does not have an
//! associated load balancer"). The Amazon ECS Developer Guide has the listener (and its rules)
//! made before the service that uses the target group
//! (<https://docs.aws.amazon.com/AmazonECS/latest/developerguide/create-application-load-balancer.html>),
//! and the CreateService reference describes `loadBalancers` as "a load balancer object
//! representing the load balancers to use with your service"
//! (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html>). The
//! refusal's text is not in the API reference; it is the one users report
//! (hashicorp/terraform#32908). moto 5.2.5 stores `loadBalancers` as given, even a made-up ARN.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{header, listen, read_message, respond};

/// An ELBv2 client for `endpoint` in moto account `account`, with dummy credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_elasticloadbalancingv2::Client {
    let config = aws_sdk_elasticloadbalancingv2::Config::builder()
        .behavior_version(aws_sdk_elasticloadbalancingv2::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(aws_sdk_elasticloadbalancingv2::config::Region::new(
            "us-east-1",
        ))
        .credentials_provider(aws_credential_types::Credentials::new(
            "test",
            "test",
            None,
            None,
            "ecs-rs tests",
        ))
        .interceptor(crate::support::MotoAccount(account.to_owned()))
        .build();
    aws_sdk_elasticloadbalancingv2::Client::from_conf(config)
}

/// The proxy: point the ECS client at [`TargetGroupRules::url`]; every other call passes
/// through unchanged.
#[derive(Clone)]
pub struct TargetGroupRules {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    refused: Arc<Mutex<Vec<String>>>,
}

impl TargetGroupRules {
    /// Starts the layer in front of `upstream` (the local endpoint's URL).
    pub fn start(upstream: &str) -> Self {
        let refused = Arc::new(Mutex::new(Vec::new()));
        let url = listen(upstream, refused.clone(), serve);
        Self { url, refused }
    }

    /// The target group ARNs the layer refused a CreateService or UpdateService for, in order.
    pub fn refused(&self) -> Vec<String> {
        self.refused.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn serve(
    mut client: TcpStream,
    upstream: &str,
    refused: &Mutex<Vec<String>>,
) -> std::io::Result<()> {
    let (head, body) = read_message(&mut client)?;
    let operation = header(&head, "x-amz-target")
        .and_then(|t| t.rsplit('.').next().map(str::to_owned))
        .unwrap_or_default();
    if matches!(operation.as_str(), "CreateService" | "UpdateService") {
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let account = header(&head, "x-moto-account-id").unwrap_or_default();
        let arns = request
            .get("loadBalancers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|b| b.get("targetGroupArn").and_then(Value::as_str));
        for arn in arns {
            if !attached(upstream, &account, arn)? {
                if let Ok(mut r) = refused.lock() {
                    r.push(arn.to_owned());
                }
                let message = format!(
                    "The target group with targetGroupArn {arn} does not have an associated load balancer."
                );
                let error = json!({"__type": "InvalidParameterException", "message": message});
                return respond(
                    &mut client,
                    "400 Bad Request",
                    Some("InvalidParameterException"),
                    error.to_string().as_bytes(),
                );
            }
        }
    }
    relay(&mut client, upstream, &head, &body)
}

/// Sends the request to moto and copies its answer back byte for byte (ELBv2 answers XML).
fn relay(client: &mut TcpStream, upstream: &str, head: &str, body: &[u8]) -> std::io::Result<()> {
    let mut server = TcpStream::connect(upstream)?;
    let head = head.replace("Connection: keep-alive", "Connection: close");
    server.write_all(head.as_bytes())?;
    server.write_all(body)?;
    let mut raw = Vec::new();
    server.read_to_end(&mut raw)?;
    client.write_all(&raw)?;
    client.flush()
}

/// Whether moto's ELBv2 shows a load balancer forwarding to the target group `arn` (in moto
/// account `account`); a group it does not know is not attached.
fn attached(upstream: &str, account: &str, arn: &str) -> std::io::Result<bool> {
    let form = format!(
        "Action=DescribeTargetGroups&Version=2015-12-01&TargetGroupArns.member.1={}",
        encode(arn)
    );
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: {upstream}\r\n\
         Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\
         Content-Length: {}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/elasticloadbalancing/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Connection: close\r\n",
        form.len()
    );
    if !account.is_empty() {
        request.push_str(&format!("x-moto-account-id: {account}\r\n"));
    }
    request.push_str("\r\n");
    let mut server = TcpStream::connect(upstream)?;
    server.write_all(request.as_bytes())?;
    server.write_all(form.as_bytes())?;
    let mut raw = Vec::new();
    server.read_to_end(&mut raw)?;
    let answer = String::from_utf8_lossy(&raw);
    if !answer.starts_with("HTTP/1.1 200") && !answer.starts_with("HTTP/1.0 200") {
        return Ok(false);
    }
    Ok(answer
        .split("<LoadBalancerArns>")
        .nth(1)
        .and_then(|rest| rest.split("</LoadBalancerArns>").next())
        .is_some_and(|arns| arns.contains("<member>")))
}

/// `value` percent-encoded for a form body.
fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
