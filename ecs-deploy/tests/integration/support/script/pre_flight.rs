//! A layer in front of the local endpoint for what moto lacks around the calls of `verify`
//! ([`PreFlight`]).
//!
//! SSM DescribeParameters returns results "on a best-effort basis": "the number of items
//! returned ... can be between zero and the value of MaxResults. If the service reaches an
//! internal limit while processing the results, it stops the operation and returns the
//! matching values up to that point and a NextToken"
//! (<https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeParameters.html>).
//! So a filter on one name may come back as an empty page with a token, the parameter on a
//! later page. moto 5.2.5 answers every match on the first page. The layer answers the first
//! DescribeParameters of each request chain with no parameters and a `NextToken`, and the
//! request carrying that token with moto's answer to the request without it: a caller that
//! stops at the first page reports an existing parameter missing.
//!
//! Everything else is relayed to moto byte for byte (moto already answers as AWS does where
//! `verify` looks: IAM's URL-encoded trust policies and `NoSuchEntity`, ECR's
//! `RepositoryNotFoundException` and `ImageNotFoundException`, Secrets Manager's
//! `ResourceNotFoundException` and partial ARNs; checked against moto 5.2.5).

use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::{header, listen, read_message, respond};

/// The token of the layer's empty first page.
const TOKEN: &str = "scripted-best-effort-page";

/// The proxy: point the SDK at [`PreFlight::url`].
#[derive(Clone)]
pub struct PreFlight {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    empty_pages: Arc<Mutex<u64>>,
}

impl PreFlight {
    /// Starts the layer in front of `upstream` (the local endpoint's URL).
    pub fn start(upstream: &str) -> Self {
        let empty_pages = Arc::new(Mutex::new(0));
        let url = listen(upstream, empty_pages.clone(), serve);
        Self { url, empty_pages }
    }

    /// How many DescribeParameters calls the layer answered with an empty page and a token.
    pub fn empty_pages(&self) -> u64 {
        self.empty_pages.lock().map(|n| *n).unwrap_or_default()
    }
}

fn serve(mut client: TcpStream, upstream: &str, empty_pages: &Mutex<u64>) -> std::io::Result<()> {
    let (head, body) = read_message(&mut client)?;
    let target = header(&head, "x-amz-target").unwrap_or_default();
    if target == "AmazonSSM.DescribeParameters" {
        let mut request: Value = serde_json::from_slice(&body).unwrap_or_else(|_| json!({}));
        if request.get("NextToken").and_then(Value::as_str) != Some(TOKEN) {
            if let Ok(mut n) = empty_pages.lock() {
                *n += 1;
            }
            let page = json!({"Parameters": [], "NextToken": TOKEN});
            return respond(&mut client, "200 OK", None, page.to_string().as_bytes());
        }
        if let Some(object) = request.as_object_mut() {
            object.remove("NextToken");
        }
        let answer = super::request_head::call_as(upstream, &head, &target, None, &request)?;
        return respond(
            &mut client,
            &answer.status,
            answer.error_type.as_deref(),
            &answer.body,
        );
    }
    let raw = super::request_head::exchange(upstream, &head, &body)?;
    client.write_all(&raw)?;
    client.flush()
}
