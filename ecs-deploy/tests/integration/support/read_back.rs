//! Reading back what an apply made, written once for the tests that check it: a service as
//! DescribeServices shows it, and the tags of an ELBv2 resource.

use ecs_deploy::Operation;
use ecs_deploy::aws::Ecs;
use serde_json::{Value, json};

/// The service `name` of `cluster` as DescribeServices answers it through `ecs` (the element of
/// `services`, JSON as AWS writes it); `Null` when the answer holds none.
pub async fn service(ecs: &Ecs, cluster: &str, name: &str) -> Value {
    let mut answer = ecs
        .call(
            Operation::DescribeServices,
            &json!({"cluster": cluster, "services": [name]}),
        )
        .await
        .expect("DescribeServices");
    answer["services"][0].take()
}

/// The tags of the ELBv2 resource `arn` (a target group, a listener rule...), as key-value
/// pairs in DescribeTags' order.
pub async fn elb_tags(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    arn: &str,
) -> Vec<(String, String)> {
    let described = elb
        .describe_tags()
        .resource_arns(arn)
        .send()
        .await
        .expect("DescribeTags");
    described
        .tag_descriptions()
        .first()
        .map(|d| d.tags())
        .unwrap_or_default()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
