//! Listener rules, listeners and load balancers across the `awsQuery` edge (see the parent
//! module): the AWS JSON of conditions and actions copied member by member into the SDK's
//! types, and the SDK's `Rule`, `Listener` and `LoadBalancer` written back as AWS JSON.
//!
//! # What crosses
//!
//! Conditions: `Field`, `Values`, `RegexValues` and every `*Config` (host header, path
//! pattern, HTTP header, query string, HTTP request method, source IP). Actions: `Type`,
//! `Order`, `TargetGroupArn`, `ForwardConfig` (weighted target groups, stickiness),
//! `RedirectConfig` and `FixedResponseConfig`. Authentication actions (OIDC, Cognito, JWT) and
//! `Transforms` do not cross in this version.
//!
//! Nothing is dropped silently: every request is converted to the SDK's types and back, and
//! a member of the JSON that does not come back (one of those above, or one newer than this
//! converter) refuses the call with [`AwsError::Unsendable`] naming it, before anything is
//! sent.

use aws_sdk_elasticloadbalancingv2 as elb;
use elb::types::{self as t};
use serde_json::{Map, Value, json};

use super::super::{AwsError, Operation};

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn int(value: &Value, key: &str) -> Option<i32> {
    value
        .get(key)
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
}

fn texts(value: &Value, key: &str) -> Option<Vec<String>> {
    value.get(key).and_then(Value::as_array).map(|list| {
        list.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    })
}

fn put(object: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        object.insert(key.to_owned(), value);
    }
}

fn put_texts(object: &mut Map<String, Value>, key: &str, value: &Option<Vec<String>>) {
    put(object, key, value.as_ref().map(|v| json!(v)));
}

/// A condition of a request, as the SDK's type.
pub(super) fn sdk_condition(c: &Value) -> t::RuleCondition {
    let values_config = |key: &str| {
        c.get(key)
            .map(|v| (texts(v, "Values"), texts(v, "RegexValues")))
    };
    t::RuleCondition::builder()
        .set_field(text(c, "Field"))
        .set_values(texts(c, "Values"))
        .set_regex_values(texts(c, "RegexValues"))
        .set_host_header_config(values_config("HostHeaderConfig").map(|(v, r)| {
            t::HostHeaderConditionConfig::builder()
                .set_values(v)
                .set_regex_values(r)
                .build()
        }))
        .set_path_pattern_config(values_config("PathPatternConfig").map(|(v, r)| {
            t::PathPatternConditionConfig::builder()
                .set_values(v)
                .set_regex_values(r)
                .build()
        }))
        .set_http_header_config(c.get("HttpHeaderConfig").map(|h| {
            t::HttpHeaderConditionConfig::builder()
                .set_http_header_name(text(h, "HttpHeaderName"))
                .set_values(texts(h, "Values"))
                .set_regex_values(texts(h, "RegexValues"))
                .build()
        }))
        .set_query_string_config(c.get("QueryStringConfig").map(|q| {
            let pairs = q.get("Values").and_then(Value::as_array).map(|pairs| {
                pairs
                    .iter()
                    .map(|p| {
                        t::QueryStringKeyValuePair::builder()
                            .set_key(text(p, "Key"))
                            .set_value(text(p, "Value"))
                            .build()
                    })
                    .collect()
            });
            t::QueryStringConditionConfig::builder()
                .set_values(pairs)
                .build()
        }))
        .set_http_request_method_config(c.get("HttpRequestMethodConfig").map(|m| {
            t::HttpRequestMethodConditionConfig::builder()
                .set_values(texts(m, "Values"))
                .build()
        }))
        .set_source_ip_config(c.get("SourceIpConfig").map(|s| {
            t::SourceIpConditionConfig::builder()
                .set_values(texts(s, "Values"))
                .build()
        }))
        .build()
}

/// A condition as the AWS JSON of `RuleCondition`.
pub(super) fn condition_json(c: &t::RuleCondition) -> Value {
    let mut o = Map::new();
    put(&mut o, "Field", c.field().map(Value::from));
    put_texts(&mut o, "Values", &c.values);
    put_texts(&mut o, "RegexValues", &c.regex_values);
    let values_config = |values: &Option<Vec<String>>, regex: &Option<Vec<String>>| {
        let mut m = Map::new();
        put_texts(&mut m, "Values", values);
        put_texts(&mut m, "RegexValues", regex);
        Value::Object(m)
    };
    if let Some(h) = c.host_header_config() {
        let v = values_config(&h.values, &h.regex_values);
        o.insert("HostHeaderConfig".to_owned(), v);
    }
    if let Some(p) = c.path_pattern_config() {
        let v = values_config(&p.values, &p.regex_values);
        o.insert("PathPatternConfig".to_owned(), v);
    }
    if let Some(h) = c.http_header_config() {
        let mut m = Map::new();
        put(
            &mut m,
            "HttpHeaderName",
            h.http_header_name().map(Value::from),
        );
        put_texts(&mut m, "Values", &h.values);
        put_texts(&mut m, "RegexValues", &h.regex_values);
        o.insert("HttpHeaderConfig".to_owned(), Value::Object(m));
    }
    if let Some(q) = c.query_string_config() {
        let mut m = Map::new();
        let pairs = q.values.as_ref().map(|pairs| {
            Value::Array(
                pairs
                    .iter()
                    .map(|p| {
                        let mut pair = Map::new();
                        put(&mut pair, "Key", p.key().map(Value::from));
                        put(&mut pair, "Value", p.value().map(Value::from));
                        Value::Object(pair)
                    })
                    .collect(),
            )
        });
        put(&mut m, "Values", pairs);
        o.insert("QueryStringConfig".to_owned(), Value::Object(m));
    }
    if let Some(m) = c.http_request_method_config() {
        let mut config = Map::new();
        put_texts(&mut config, "Values", &m.values);
        o.insert("HttpRequestMethodConfig".to_owned(), Value::Object(config));
    }
    if let Some(s) = c.source_ip_config() {
        let mut config = Map::new();
        put_texts(&mut config, "Values", &s.values);
        o.insert("SourceIpConfig".to_owned(), Value::Object(config));
    }
    Value::Object(o)
}

/// An action of a request, as the SDK's type.
pub(super) fn sdk_action(a: &Value) -> t::Action {
    let forward = a.get("ForwardConfig").map(|f| {
        let groups = f
            .get("TargetGroups")
            .and_then(Value::as_array)
            .map(|groups| {
                groups
                    .iter()
                    .map(|g| {
                        t::TargetGroupTuple::builder()
                            .set_target_group_arn(text(g, "TargetGroupArn"))
                            .set_weight(int(g, "Weight"))
                            .build()
                    })
                    .collect()
            });
        let stickiness = f.get("TargetGroupStickinessConfig").map(|s| {
            t::TargetGroupStickinessConfig::builder()
                .set_enabled(s.get("Enabled").and_then(Value::as_bool))
                .set_duration_seconds(int(s, "DurationSeconds"))
                .build()
        });
        t::ForwardActionConfig::builder()
            .set_target_groups(groups)
            .set_target_group_stickiness_config(stickiness)
            .build()
    });
    let redirect = a.get("RedirectConfig").map(|r| {
        t::RedirectActionConfig::builder()
            .set_protocol(text(r, "Protocol"))
            .set_port(text(r, "Port"))
            .set_host(text(r, "Host"))
            .set_path(text(r, "Path"))
            .set_query(text(r, "Query"))
            .set_status_code(text(r, "StatusCode").map(|s| s.as_str().into()))
            .build()
    });
    let fixed = a.get("FixedResponseConfig").map(|f| {
        t::FixedResponseActionConfig::builder()
            .set_message_body(text(f, "MessageBody"))
            .set_status_code(text(f, "StatusCode"))
            .set_content_type(text(f, "ContentType"))
            .build()
    });
    t::Action::builder()
        .set_type(text(a, "Type").map(|s| s.as_str().into()))
        .set_target_group_arn(text(a, "TargetGroupArn"))
        .set_order(int(a, "Order"))
        .set_forward_config(forward)
        .set_redirect_config(redirect)
        .set_fixed_response_config(fixed)
        .build()
}

/// An action as the AWS JSON of `Action`.
pub(super) fn action_json(a: &t::Action) -> Value {
    let mut o = Map::new();
    put(&mut o, "Type", a.r#type().map(|t| Value::from(t.as_str())));
    put(
        &mut o,
        "TargetGroupArn",
        a.target_group_arn().map(Value::from),
    );
    put(&mut o, "Order", a.order().map(Value::from));
    if let Some(f) = a.forward_config() {
        let mut m = Map::new();
        let groups = f.target_groups.as_ref().map(|groups| {
            Value::Array(
                groups
                    .iter()
                    .map(|g| {
                        let mut tuple = Map::new();
                        put(
                            &mut tuple,
                            "TargetGroupArn",
                            g.target_group_arn().map(Value::from),
                        );
                        put(&mut tuple, "Weight", g.weight().map(Value::from));
                        Value::Object(tuple)
                    })
                    .collect(),
            )
        });
        put(&mut m, "TargetGroups", groups);
        if let Some(s) = f.target_group_stickiness_config() {
            let mut stickiness = Map::new();
            put(&mut stickiness, "Enabled", s.enabled().map(Value::from));
            let duration = s.duration_seconds().map(Value::from);
            put(&mut stickiness, "DurationSeconds", duration);
            m.insert(
                "TargetGroupStickinessConfig".to_owned(),
                Value::Object(stickiness),
            );
        }
        o.insert("ForwardConfig".to_owned(), Value::Object(m));
    }
    if let Some(r) = a.redirect_config() {
        let mut m = Map::new();
        put(&mut m, "Protocol", r.protocol().map(Value::from));
        put(&mut m, "Port", r.port().map(Value::from));
        put(&mut m, "Host", r.host().map(Value::from));
        put(&mut m, "Path", r.path().map(Value::from));
        put(&mut m, "Query", r.query().map(Value::from));
        let code = r.status_code().map(|c| Value::from(c.as_str()));
        put(&mut m, "StatusCode", code);
        o.insert("RedirectConfig".to_owned(), Value::Object(m));
    }
    if let Some(f) = a.fixed_response_config() {
        let mut m = Map::new();
        put(&mut m, "MessageBody", f.message_body().map(Value::from));
        put(&mut m, "StatusCode", f.status_code().map(Value::from));
        put(&mut m, "ContentType", f.content_type().map(Value::from));
        o.insert("FixedResponseConfig".to_owned(), Value::Object(m));
    }
    if a.authenticate_oidc_config().is_some() {
        o.insert("AuthenticateOidcConfig".to_owned(), json!({}));
    }
    if a.authenticate_cognito_config().is_some() {
        o.insert("AuthenticateCognitoConfig".to_owned(), json!({}));
    }
    if a.jwt_validation_config().is_some() {
        o.insert("JwtValidationConfig".to_owned(), json!({}));
    }
    Value::Object(o)
}

/// The conditions and actions of `input` as the SDK's types; refused when one of their
/// members would not cross (see the module documentation).
#[allow(clippy::type_complexity)]
pub(super) fn conditions_and_actions(
    operation: Operation,
    input: &Value,
) -> Result<(Option<Vec<t::RuleCondition>>, Option<Vec<t::Action>>), AwsError> {
    let list = |key: &str| input.get(key).and_then(Value::as_array);
    let conditions: Option<Vec<t::RuleCondition>> =
        list("Conditions").map(|l| l.iter().map(sdk_condition).collect());
    let actions: Option<Vec<t::Action>> =
        list("Actions").map(|l| l.iter().map(sdk_action).collect());
    let mut lost = Vec::new();
    if let (Some(sent), Some(converted)) = (list("Conditions"), &conditions) {
        for (i, (sent, back)) in sent.iter().zip(converted).enumerate() {
            lost_members(
                &format!("Conditions[{i}]"),
                sent,
                &condition_json(back),
                &mut lost,
            );
        }
    }
    if let (Some(sent), Some(converted)) = (list("Actions"), &actions) {
        for (i, (sent, back)) in sent.iter().zip(converted).enumerate() {
            lost_members(
                &format!("Actions[{i}]"),
                sent,
                &action_json(back),
                &mut lost,
            );
        }
    }
    if input.get("Transforms").is_some_and(|t| !t.is_null()) {
        lost.push("Transforms".to_owned());
    }
    if lost.is_empty() {
        Ok((conditions, actions))
    } else {
        Err(AwsError::Unsendable {
            operation,
            members: lost,
        })
    }
}

/// Adds to `lost` the members of `sent` that `back` does not hold with the same value.
fn lost_members(path: &str, sent: &Value, back: &Value, lost: &mut Vec<String>) {
    match (sent, back) {
        (Value::Object(sent), Value::Object(back)) => {
            for (key, value) in sent {
                if value.is_null() {
                    continue;
                }
                match back.get(key) {
                    Some(returned) => {
                        lost_members(&format!("{path}.{key}"), value, returned, lost);
                    }
                    None => lost.push(format!("{path}.{key}")),
                }
            }
        }
        (Value::Array(sent), Value::Array(back)) if sent.len() == back.len() => {
            for (i, (s, b)) in sent.iter().zip(back).enumerate() {
                lost_members(&format!("{path}[{i}]"), s, b, lost);
            }
        }
        (sent, back) if sent == back => {}
        _ => lost.push(path.to_owned()),
    }
}

/// A rule as the AWS JSON of `Rule`.
pub(super) fn rule_json(rule: &t::Rule) -> Value {
    let mut o = Map::new();
    put(&mut o, "RuleArn", rule.rule_arn().map(Value::from));
    put(&mut o, "Priority", rule.priority().map(Value::from));
    put(&mut o, "IsDefault", rule.is_default().map(Value::from));
    o.insert(
        "Conditions".to_owned(),
        Value::Array(rule.conditions().iter().map(condition_json).collect()),
    );
    o.insert(
        "Actions".to_owned(),
        Value::Array(rule.actions().iter().map(action_json).collect()),
    );
    Value::Object(o)
}

/// `{"Rules": [...]}` (and `NextMarker` when there is one).
pub(super) fn rules_json(rules: &[t::Rule], next: Option<&str>) -> Value {
    let mut o = Map::new();
    o.insert(
        "Rules".to_owned(),
        Value::Array(rules.iter().map(rule_json).collect()),
    );
    put(&mut o, "NextMarker", next.map(Value::from));
    Value::Object(o)
}

/// `{"LoadBalancers": [...]}` with the members a look-up reads.
pub(super) fn load_balancers_json(lbs: &[t::LoadBalancer], next: Option<&str>) -> Value {
    let mut o = Map::new();
    let lbs: Vec<Value> = lbs
        .iter()
        .map(|lb| {
            let mut m = Map::new();
            put(
                &mut m,
                "LoadBalancerArn",
                lb.load_balancer_arn().map(Value::from),
            );
            put(
                &mut m,
                "LoadBalancerName",
                lb.load_balancer_name().map(Value::from),
            );
            put(&mut m, "Type", lb.r#type().map(|t| Value::from(t.as_str())));
            put(&mut m, "VpcId", lb.vpc_id().map(Value::from));
            Value::Object(m)
        })
        .collect();
    o.insert("LoadBalancers".to_owned(), Value::Array(lbs));
    put(&mut o, "NextMarker", next.map(Value::from));
    Value::Object(o)
}

/// `{"Listeners": [...]}` with the members a look-up reads.
pub(super) fn listeners_json(listeners: &[t::Listener], next: Option<&str>) -> Value {
    let mut o = Map::new();
    let listeners: Vec<Value> = listeners
        .iter()
        .map(|l| {
            let mut m = Map::new();
            put(&mut m, "ListenerArn", l.listener_arn().map(Value::from));
            put(
                &mut m,
                "LoadBalancerArn",
                l.load_balancer_arn().map(Value::from),
            );
            put(&mut m, "Port", l.port().map(Value::from));
            put(
                &mut m,
                "Protocol",
                l.protocol().map(|p| Value::from(p.as_str())),
            );
            m.insert(
                "DefaultActions".to_owned(),
                Value::Array(l.default_actions().iter().map(action_json).collect()),
            );
            Value::Object(m)
        })
        .collect();
    o.insert("Listeners".to_owned(), Value::Array(listeners));
    put(&mut o, "NextMarker", next.map(Value::from));
    Value::Object(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_and_actions_cross_unchanged() {
        let input = json!({
            "Conditions": [
                {"Field": "path-pattern", "Values": ["/api/*"]},
                {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-A", "Values": ["1"]}},
                {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "v", "Value": "2"}]}},
                {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}}
            ],
            "Actions": [
                {"Type": "forward", "Order": 1, "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": "arn:a", "Weight": 3}],
                    "TargetGroupStickinessConfig": {"Enabled": true, "DurationSeconds": 60}}},
                {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "StatusCode": "HTTP_301"}},
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}
            ]
        });
        let (conditions, actions) =
            conditions_and_actions(Operation::CreateRule, &input).expect("crosses");
        let conditions: Vec<Value> = conditions.iter().flatten().map(condition_json).collect();
        let actions: Vec<Value> = actions.iter().flatten().map(action_json).collect();
        assert_eq!(Value::Array(conditions), input["Conditions"]);
        assert_eq!(Value::Array(actions), input["Actions"]);
    }

    #[test]
    fn what_does_not_cross_refuses_the_call() {
        let input = json!({
            "Conditions": [{"Field": "path-pattern", "Values": ["/"], "Brand": "new"}],
            "Actions": [{"Type": "authenticate-oidc", "AuthenticateOidcConfig": {"Issuer": "x"}}],
            "Transforms": [{"Type": "url-rewrite"}]
        });
        match conditions_and_actions(Operation::ModifyRule, &input) {
            Err(AwsError::Unsendable { members, .. }) => assert_eq!(
                members,
                [
                    "Conditions[0].Brand",
                    "Actions[0].AuthenticateOidcConfig",
                    "Transforms"
                ]
            ),
            other => panic!("expected Unsendable, got {other:?}"),
        }
    }
}
