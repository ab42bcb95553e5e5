//! ListServices in pages, as AWS answers it ([`super::Scripted::paginate_list_services`]).
//!
//! The ListServices page
//! (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServices.html>):
//! `maxResults` is "between 1 and 100. If this parameter isn't used, then ListServices returns
//! up to 10 results and a nextToken value if applicable"; the remaining results come from
//! another request with the `nextToken` answered, which is null "when there are no more
//! results to return", and is an opaque value. moto 5 ignores `maxResults` and `nextToken` and
//! answers every service at once (research notes: `list_services(maxResults=5)` returned all 16
//! services with no `nextToken`), so a client that never follows `nextToken` passes against it
//! and misses services on AWS. The layer cuts moto's full answer into AWS's pages, and, as the
//! page also says ("If maxResults was provided, it is possible the number of results to be
//! fewer than maxResults"), a page may hold fewer: at most the test's `cap`, so that a few
//! services are enough to need several pages.

use serde_json::{Value, json};

/// The prefix of the layer's tokens (the offset follows): opaque to the client.
const TOKEN: &str = "scripted-page-";

/// Cuts `answer`, moto's full ListServices answer to `request`, to the page `request` asks for,
/// of at most `cap` services.
pub(super) fn page(request: &Value, answer: &mut Value, cap: usize) {
    let Some(arns) = answer.get("serviceArns").and_then(Value::as_array).cloned() else {
        return;
    };
    let size = request
        .get("maxResults")
        .and_then(Value::as_u64)
        .map_or(10, |n| n.clamp(1, 100)) as usize;
    let size = size.min(cap.max(1));
    let start = request
        .get("nextToken")
        .and_then(Value::as_str)
        .and_then(|t| t.strip_prefix(TOKEN))
        .and_then(|offset| offset.parse::<usize>().ok())
        .unwrap_or(0)
        .min(arns.len());
    let end = (start + size).min(arns.len());
    answer["serviceArns"] = Value::Array(arns[start..end].to_vec());
    match answer.as_object_mut() {
        Some(members) if end < arns.len() => {
            members.insert("nextToken".to_owned(), json!(format!("{TOKEN}{end}")));
        }
        Some(members) => {
            members.remove("nextToken");
        }
        None => {}
    }
}
