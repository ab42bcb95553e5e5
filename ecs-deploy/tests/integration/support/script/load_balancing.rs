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
//! A listener rule forwarding to the group attaches it (moto records the load balancer on the
//! group at CreateRule), so the layer lets the service through once a rule of the stack exists.
//!
//! DeleteRule of a rule that does not exist answers `RuleNotFound` on AWS (the Errors of
//! <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DeleteRule.html>);
//! moto 5.2.5 answers success (`moto/elbv2/models.py`, `delete_rule`: "should raise RuleNotFound
//! Error according to the AWS API doc"). The layer answers `RuleNotFound` as AWS does, so the
//! engine's "already deleted" path is the one AWS takes.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{header, listen, read_message, respond};

/// An ELBv2 client for `endpoint` in moto account `account`, with dummy credentials.
pub fn client_at(endpoint: &str, account: &str) -> aws_sdk_elasticloadbalancingv2::Client {
    crate::support::clients::client_at!(aws_sdk_elasticloadbalancingv2, endpoint, account)
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
    if let Some(rule) = form_value(&body, "Action")
        .filter(|a| a == "DeleteRule")
        .and_then(|_| form_value(&body, "RuleArn"))
    {
        let account = header(&head, "x-moto-account-id").unwrap_or_default();
        let form = format!(
            "Action=DescribeRules&Version=2015-12-01&RuleArns.member.1={}",
            encode(&rule)
        );
        if !query(upstream, &account, &form)?.0 {
            return respond_xml(&mut client, "RuleNotFound", "One or more rules not found");
        }
    }
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
    let raw = super::request_head::exchange(upstream, head, body)?;
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
    let (ok, answer) = query(upstream, account, &form)?;
    if !ok {
        return Ok(false);
    }
    Ok(answer
        .split("<LoadBalancerArns>")
        .nth(1)
        .and_then(|rest| rest.split("</LoadBalancerArns>").next())
        .is_some_and(|arns| arns.contains("<member>")))
}

/// The value of `key` in a form-encoded body, decoded.
fn form_value(body: &[u8], key: &str) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

fn decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Sends the ELBv2 query `form` to moto (account `account`): whether it answered 200, and its
/// answer.
fn query(upstream: &str, account: &str, form: &str) -> std::io::Result<(bool, String)> {
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
    let answer = String::from_utf8_lossy(&raw).into_owned();
    let ok = answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200");
    Ok((ok, answer))
}

/// An ELBv2 (awsQuery) error answer: HTTP 400 with the XML `ErrorResponse`.
fn respond_xml(client: &mut TcpStream, code: &str, message: &str) -> std::io::Result<()> {
    let body = format!(
        "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\">\
         <Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>\
         <RequestId>scripted</RequestId></ErrorResponse>"
    );
    let head = format!(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    client.write_all(head.as_bytes())?;
    client.write_all(body.as_bytes())?;
    client.flush()
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

/// Makes, as a user makes them outside a stack, an application load balancer `name` in the
/// first two of `subnets` and its HTTP listener on port 80 answering a fixed 404 by default;
/// returns the load balancer's and the listener's ARNs.
pub async fn load_balancer(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    name: &str,
    subnets: &[String],
) -> (String, String) {
    use aws_sdk_elasticloadbalancingv2::types as t;
    let alb = elb
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(subnets.iter().take(2).cloned().collect()))
        .send()
        .await
        .expect("CreateLoadBalancer");
    let alb_arn = alb.load_balancers()[0]
        .load_balancer_arn()
        .expect("an ARN")
        .to_owned();
    let listener = elb
        .create_listener()
        .load_balancer_arn(&alb_arn)
        .protocol(t::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            t::Action::builder()
                .r#type(t::ActionTypeEnum::FixedResponse)
                .fixed_response_config(
                    t::FixedResponseActionConfig::builder()
                        .status_code("404")
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .expect("CreateListener");
    let listener_arn = listener.listeners()[0]
        .listener_arn()
        .expect("an ARN")
        .to_owned();
    (alb_arn, listener_arn)
}
