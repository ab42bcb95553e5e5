//! Calls to Elastic Load Balancing v2 through `aws-sdk-elasticloadbalancingv2` (the
//! `load-balancing` feature): target groups, listener rules (`rules`), their tags, and load
//! balancer and listener look-ups, with the
//! AWS JSON of `ecs_model::load_balancing` in and out, like every client of the [parent
//! module](super).
//!
//! # Why this client converts, unlike the others
//!
//! ELBv2 speaks the `awsQuery` protocol: a request is a form-encoded body
//! (`Action=CreateTargetGroup&Name=web&Tags.member.1.Key=...`) and an answer is XML. Neither is
//! the JSON that `ecs-model` writes, so the raw-JSON body of [`RawJson`] cannot be sent as is.
//! Rather than writing a second query serializer and XML reader of our own, this client keeps
//! the parent's shape (`call(operation, &Value) -> Value`, with its retries and call counts)
//! and converts at the edge: the request JSON is read into the `ecs-model` input type
//! (lossless, so nothing is dropped silently), copied member by member into the SDK's typed
//! builder, sent by the SDK (which serializes the query form and parses the XML), and the SDK's
//! typed output is written back member by member as the AWS JSON of the output shape. The
//! engine above stays JSON in, JSON out.
//!
//! The price is the one the parent module warns about: a member must be known to both the
//! SDK and our model to cross. A request member our model keeps as unknown (newer than it)
//! cannot be sent by the typed SDK: the call is refused before sending
//! ([`AwsError::Unsendable`]) rather than sent without it. An output member newer than this
//! converter is not shown, so the planner never compares it.

mod rules;

use aws_sdk_elasticloadbalancingv2 as elb;
use ecs_model::load_balancing::{
    AddTagsInput, CreateRuleInput, CreateTargetGroupInput, DeleteRuleInput, DeleteTargetGroupInput,
    DescribeListenersInput, DescribeLoadBalancersInput, DescribeRulesInput, DescribeTagsInput,
    DescribeTargetGroupsInput, ModifyRuleInput, ModifyTargetGroupInput, RemoveTagsInput,
    SetRulePrioritiesInput,
};
use ecs_model::load_balancing::{Matcher, Tag};
use elb::types::{self as t};
use serde_json::{Map, Value, json};

use super::{Api, AwsError, Client, Operation, RawJson, RawSend, classify, sealed};

/// The Elastic Load Balancing v2 client: [`Client`] over `aws-sdk-elasticloadbalancingv2`, with
/// the methods of [`Ecs`](super::Ecs) (`new`, `call`, `calls`, `retries`).
pub type LoadBalancing = Client<elb::Client>;

impl sealed::Sealed for elb::Client {}

impl RawSend for elb::Client {
    const API: Api = Api::LoadBalancing;

    fn from_config(config: &aws_types::SdkConfig) -> Self {
        Self::new(config)
    }

    /// Converts the JSON request into the SDK's builder, sends it, and keeps the answer as JSON
    /// in `raw` (see the module documentation).
    async fn send_raw(&self, operation: Operation, raw: RawJson) -> Result<(), AwsError> {
        let input: Value = serde_json::from_slice(&raw.request)
            .map_err(|source| AwsError::Request { operation, source })?;
        let answer = send_typed(self, operation, &input).await?;
        let bytes = serde_json::to_vec(&answer)
            .map_err(|source| AwsError::Response { operation, source })?;
        if let Ok(mut slot) = raw.response.lock() {
            *slot = Some(bytes);
        }
        Ok(())
    }
}

/// `input` read as the request type `T`; members our model does not know refuse the call.
fn read<T>(operation: Operation, input: &Value) -> Result<T, AwsError>
where
    T: ecs_model::load::FromJson + ecs_model::Shape,
{
    let loaded = ecs_model::load::from_value::<T>(input);
    let Some(value) = loaded.value else {
        return Err(AwsError::Unsendable {
            operation,
            members: vec!["(the request does not read as its input shape)".to_owned()],
        });
    };
    let unknown: Vec<String> = value.extra().keys().cloned().collect();
    if unknown.is_empty() {
        Ok(value)
    } else {
        Err(AwsError::Unsendable {
            operation,
            members: unknown,
        })
    }
}

fn sdk_tags(tags: &Option<Vec<Tag>>) -> Option<Vec<t::Tag>> {
    tags.as_ref().map(|tags| {
        tags.iter()
            .map(|tag| {
                t::Tag::builder()
                    .set_key(tag.key.clone())
                    .set_value(tag.value.clone())
                    .build()
            })
            .collect()
    })
}

fn sdk_matcher(matcher: &Option<Matcher>) -> Option<t::Matcher> {
    matcher.as_ref().map(|m| {
        t::Matcher::builder()
            .set_http_code(m.http_code.clone())
            .set_grpc_code(m.grpc_code.clone())
            .build()
    })
}

/// Inserts `key: value` when there is a value.
fn put(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value);
    }
}

/// A target group as the AWS JSON of the `TargetGroup` shape.
fn target_group_json(group: &t::TargetGroup) -> Value {
    let mut o = Map::new();
    let s = |v: Option<&str>| v.map(Value::from);
    let n = |v: Option<i32>| v.map(Value::from);
    put(&mut o, "TargetGroupArn", s(group.target_group_arn()));
    put(&mut o, "TargetGroupName", s(group.target_group_name()));
    put(&mut o, "Protocol", s(group.protocol().map(|p| p.as_str())));
    put(&mut o, "Port", n(group.port()));
    put(&mut o, "VpcId", s(group.vpc_id()));
    let health_protocol = group.health_check_protocol().map(|p| p.as_str());
    put(&mut o, "HealthCheckProtocol", s(health_protocol));
    put(&mut o, "HealthCheckPort", s(group.health_check_port()));
    put(
        &mut o,
        "HealthCheckEnabled",
        group.health_check_enabled().map(Value::from),
    );
    let interval = group.health_check_interval_seconds();
    put(&mut o, "HealthCheckIntervalSeconds", n(interval));
    let timeout = group.health_check_timeout_seconds();
    put(&mut o, "HealthCheckTimeoutSeconds", n(timeout));
    let healthy = group.healthy_threshold_count();
    put(&mut o, "HealthyThresholdCount", n(healthy));
    let unhealthy = group.unhealthy_threshold_count();
    put(&mut o, "UnhealthyThresholdCount", n(unhealthy));
    put(&mut o, "HealthCheckPath", s(group.health_check_path()));
    if let Some(matcher) = group.matcher() {
        let mut m = Map::new();
        put(&mut m, "HttpCode", s(matcher.http_code()));
        put(&mut m, "GrpcCode", s(matcher.grpc_code()));
        o.insert("Matcher".to_owned(), Value::Object(m));
    }
    o.insert(
        "LoadBalancerArns".to_owned(),
        json!(group.load_balancer_arns()),
    );
    put(
        &mut o,
        "TargetType",
        s(group.target_type().map(|t| t.as_str())),
    );
    put(&mut o, "ProtocolVersion", s(group.protocol_version()));
    let ip = group.ip_address_type().map(|t| t.as_str());
    put(&mut o, "IpAddressType", s(ip));
    put(&mut o, "TargetControlPort", n(group.target_control_port()));
    Value::Object(o)
}

/// `{"TargetGroups": [...]}` (and `NextMarker` when there is one).
fn target_groups_json(groups: &[t::TargetGroup], next: Option<&str>) -> Value {
    let mut o = Map::new();
    o.insert(
        "TargetGroups".to_owned(),
        Value::Array(groups.iter().map(target_group_json).collect()),
    );
    put(&mut o, "NextMarker", next.map(Value::from));
    Value::Object(o)
}

/// One call of `operation` with the SDK's retries: `input` converted into its builder, the
/// output converted back to JSON.
async fn send_typed(
    client: &elb::Client,
    operation: Operation,
    input: &Value,
) -> Result<Value, AwsError> {
    {
        let this = client;
        match operation {
            Operation::CreateTargetGroup => {
                let i: CreateTargetGroupInput = read(operation, input)?;
                let out = this
                    .create_target_group()
                    .set_name(i.name)
                    .set_protocol(i.protocol.map(|p| p.as_str().into()))
                    .set_protocol_version(i.protocol_version)
                    .set_port(i.port)
                    .set_vpc_id(i.vpc_id)
                    .set_health_check_protocol(i.health_check_protocol.map(|p| p.as_str().into()))
                    .set_health_check_port(i.health_check_port)
                    .set_health_check_enabled(i.health_check_enabled)
                    .set_health_check_path(i.health_check_path)
                    .set_health_check_interval_seconds(i.health_check_interval_seconds)
                    .set_health_check_timeout_seconds(i.health_check_timeout_seconds)
                    .set_healthy_threshold_count(i.healthy_threshold_count)
                    .set_unhealthy_threshold_count(i.unhealthy_threshold_count)
                    .set_matcher(sdk_matcher(&i.matcher))
                    .set_target_type(i.target_type.map(|t| t.as_str().into()))
                    .set_tags(sdk_tags(&i.tags))
                    .set_ip_address_type(i.ip_address_type.map(|t| t.as_str().into()))
                    .set_target_control_port(i.target_control_port)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(target_groups_json(out.target_groups(), None))
            }
            Operation::DescribeTargetGroups => {
                let i: DescribeTargetGroupsInput = read(operation, input)?;
                let out = this
                    .describe_target_groups()
                    .set_load_balancer_arn(i.load_balancer_arn)
                    .set_target_group_arns(i.target_group_arns)
                    .set_names(i.names)
                    .set_marker(i.marker)
                    .set_page_size(i.page_size)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(target_groups_json(out.target_groups(), out.next_marker()))
            }
            Operation::ModifyTargetGroup => {
                let i: ModifyTargetGroupInput = read(operation, input)?;
                let out = this
                    .modify_target_group()
                    .set_target_group_arn(i.target_group_arn)
                    .set_health_check_protocol(i.health_check_protocol.map(|p| p.as_str().into()))
                    .set_health_check_port(i.health_check_port)
                    .set_health_check_path(i.health_check_path)
                    .set_health_check_enabled(i.health_check_enabled)
                    .set_health_check_interval_seconds(i.health_check_interval_seconds)
                    .set_health_check_timeout_seconds(i.health_check_timeout_seconds)
                    .set_healthy_threshold_count(i.healthy_threshold_count)
                    .set_unhealthy_threshold_count(i.unhealthy_threshold_count)
                    .set_matcher(sdk_matcher(&i.matcher))
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(target_groups_json(out.target_groups(), None))
            }
            Operation::DeleteTargetGroup => {
                let i: DeleteTargetGroupInput = read(operation, input)?;
                this.delete_target_group()
                    .set_target_group_arn(i.target_group_arn)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(json!({}))
            }
            Operation::AddTags => {
                let i: AddTagsInput = read(operation, input)?;
                this.add_tags()
                    .set_resource_arns(i.resource_arns)
                    .set_tags(sdk_tags(&i.tags))
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(json!({}))
            }
            Operation::RemoveTags => {
                let i: RemoveTagsInput = read(operation, input)?;
                this.remove_tags()
                    .set_resource_arns(i.resource_arns)
                    .set_tag_keys(i.tag_keys)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(json!({}))
            }
            Operation::DescribeTags => {
                let i: DescribeTagsInput = read(operation, input)?;
                let out = this
                    .describe_tags()
                    .set_resource_arns(i.resource_arns)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                let descriptions: Vec<Value> = out
                    .tag_descriptions()
                    .iter()
                    .map(|d| {
                        let tags: Vec<Value> = d
                            .tags()
                            .iter()
                            .map(|tag| {
                                let mut o = Map::new();
                                put(&mut o, "Key", tag.key().map(Value::from));
                                put(&mut o, "Value", tag.value().map(Value::from));
                                Value::Object(o)
                            })
                            .collect();
                        json!({"ResourceArn": d.resource_arn(), "Tags": tags})
                    })
                    .collect();
                Ok(json!({ "TagDescriptions": descriptions }))
            }
            Operation::CreateRule => {
                let i: CreateRuleInput = read(operation, input)?;
                let (conditions, actions) = rules::conditions_and_actions(operation, input)?;
                let out = this
                    .create_rule()
                    .set_listener_arn(i.listener_arn)
                    .set_priority(i.priority)
                    .set_conditions(conditions)
                    .set_actions(actions)
                    .set_tags(sdk_tags(&i.tags))
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(rules::rules_json(out.rules(), None))
            }
            Operation::ModifyRule => {
                let i: ModifyRuleInput = read(operation, input)?;
                let (conditions, actions) = rules::conditions_and_actions(operation, input)?;
                let out = this
                    .modify_rule()
                    .set_rule_arn(i.rule_arn)
                    .set_conditions(conditions)
                    .set_actions(actions)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(rules::rules_json(out.rules(), None))
            }
            Operation::SetRulePriorities => {
                let i: SetRulePrioritiesInput = read(operation, input)?;
                let pairs = i.rule_priorities.map(|pairs| {
                    pairs
                        .into_iter()
                        .map(|p| {
                            t::RulePriorityPair::builder()
                                .set_rule_arn(p.rule_arn)
                                .set_priority(p.priority)
                                .build()
                        })
                        .collect()
                });
                let out = this
                    .set_rule_priorities()
                    .set_rule_priorities(pairs)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(rules::rules_json(out.rules(), None))
            }
            Operation::DescribeRules => {
                let i: DescribeRulesInput = read(operation, input)?;
                let out = this
                    .describe_rules()
                    .set_listener_arn(i.listener_arn)
                    .set_rule_arns(i.rule_arns)
                    .set_marker(i.marker)
                    .set_page_size(i.page_size)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(rules::rules_json(out.rules(), out.next_marker()))
            }
            Operation::DeleteRule => {
                let i: DeleteRuleInput = read(operation, input)?;
                this.delete_rule()
                    .set_rule_arn(i.rule_arn)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(json!({}))
            }
            Operation::DescribeLoadBalancers => {
                let i: DescribeLoadBalancersInput = read(operation, input)?;
                let out = this
                    .describe_load_balancers()
                    .set_load_balancer_arns(i.load_balancer_arns)
                    .set_names(i.names)
                    .set_marker(i.marker)
                    .set_page_size(i.page_size)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(rules::load_balancers_json(
                    out.load_balancers(),
                    out.next_marker(),
                ))
            }
            Operation::DescribeListeners => {
                let i: DescribeListenersInput = read(operation, input)?;
                let out = this
                    .describe_listeners()
                    .set_load_balancer_arn(i.load_balancer_arn)
                    .set_listener_arns(i.listener_arns)
                    .set_marker(i.marker)
                    .set_page_size(i.page_size)
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?;
                Ok(rules::listeners_json(out.listeners(), out.next_marker()))
            }
            other => Err(AwsError::WrongClient {
                operation: other,
                api: Api::LoadBalancing,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::safe_to_repeat;

    fn answered(operation: Operation, code: &str) -> AwsError {
        AwsError::Service {
            operation,
            code: code.to_owned(),
            message: String::new(),
            status: 400,
            request_id: None,
        }
    }

    #[test]
    fn elbv2_codes_are_classified_for_elbv2_calls_only() {
        let missing = answered(Operation::DescribeTargetGroups, "TargetGroupNotFound");
        assert!(missing.is_not_found());
        assert!(!answered(Operation::DescribeServices, "TargetGroupNotFound").is_not_found());
        assert!(answered(Operation::DeleteTargetGroup, "ResourceInUse").is_resource_in_use());
        let duplicate = answered(Operation::CreateTargetGroup, "DuplicateTargetGroupName");
        assert!(duplicate.is_already_exists());
        assert!(answered(Operation::AddTags, "TooManyTags").is_too_many_tags());
        assert!(answered(Operation::DescribeTags, "Throttling").is_throttling());
        assert_eq!(Operation::CreateTargetGroup.api(), Api::LoadBalancing);
        assert_eq!(
            Operation::DescribeTags.to_string(),
            "Elastic Load Balancing DescribeTags"
        );
    }

    #[test]
    fn only_the_creation_is_not_repeated_after_a_server_error() {
        // CreateTargetGroup is idempotent on AWS (same name and settings: the same group), not
        // on moto; the planner looks the group up by name before creating it again.
        assert!(!safe_to_repeat(Operation::CreateTargetGroup, &json!({})));
        assert!(safe_to_repeat(Operation::ModifyTargetGroup, &json!({})));
        assert!(safe_to_repeat(Operation::DeleteTargetGroup, &json!({})));
    }

    #[test]
    fn a_member_unknown_to_the_model_refuses_the_call() {
        let error = read::<CreateTargetGroupInput>(
            Operation::CreateTargetGroup,
            &json!({"Name": "web", "Brand": "new"}),
        )
        .expect_err("an unknown member");
        match error {
            AwsError::Unsendable { members, .. } => assert_eq!(members, ["Brand"]),
            other => panic!("expected Unsendable, got {other:?}"),
        }
    }

    #[test]
    fn a_target_group_is_written_with_the_aws_member_names() {
        let group = t::TargetGroup::builder()
            .target_group_arn("arn:tg")
            .target_group_name("web")
            .protocol(t::ProtocolEnum::Http)
            .port(80)
            .health_check_path("/health")
            .matcher(t::Matcher::builder().http_code("200").build())
            .load_balancer_arns("arn:lb")
            .target_type(t::TargetTypeEnum::Ip)
            .build();
        let value = target_group_json(&group);
        assert_eq!(
            value,
            json!({
                "TargetGroupArn": "arn:tg", "TargetGroupName": "web", "Protocol": "HTTP",
                "Port": 80, "HealthCheckPath": "/health", "Matcher": {"HttpCode": "200"},
                "LoadBalancerArns": ["arn:lb"], "TargetType": "ip"
            })
        );
        let loaded = ecs_model::load::from_value::<ecs_model::load_balancing::TargetGroup>(&value);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    }
}
