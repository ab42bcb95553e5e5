//! Rules for the stack's `listenerRules`: Elastic Load Balancing v2 CreateRule inputs, the
//! listener rules that forward to the stack's target groups.

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::stack::Stack;
use crate::validate::Rule;

const CREATE_RULE_DOC: &str =
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html";

/// What a target group reference starts with to look a group of the account up by name.
const NAME_PREFIX: &str = "name:";

/// A forward action names a target group of the stack, an ARN, or `name:NAME`.
pub(crate) const UNKNOWN_RULE_TARGET_GROUP: Rule = Rule {
    code: "stack-listener-rule-unknown-target-group",
    severity: Severity::Warning,
    summary: "A listener rule's forward action names a target group of the stack's `targetGroups` by its Name, an existing group by ARN, or one of the account by `name:NAME`.",
    doc: CREATE_RULE_DOC,
    cross_field: true,
};

/// Priority 1 to 50000, one rule per priority and listener.
pub(crate) const RULE_PRIORITY: Rule = Rule {
    code: "stack-listener-rule-priority",
    severity: Severity::Error,
    summary: "A listener rule's Priority is between 1 and 50000, and no two rules of one listener share a priority.",
    doc: CREATE_RULE_DOC,
    cross_field: true,
};

/// At least one condition and one action.
pub(crate) const RULE_CONTENTS: Rule = Rule {
    code: "stack-listener-rule-contents",
    severity: Severity::Error,
    summary: "A listener rule has at least one condition and at least one action.",
    doc: CREATE_RULE_DOC,
    cross_field: true,
};

/// The highest priority a listener rule may have (CreateRule's `Priority`: "Valid Range:
/// Minimum value of 1. Maximum value of 50000.").
pub const MAX_PRIORITY: i32 = 50_000;

/// Checks the stack's listener rules, with paths from the stack's root.
pub(crate) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let groups: BTreeSet<&str> = stack
        .target_groups
        .iter()
        .filter_map(|g| g.name.as_deref())
        .collect();
    let mut taken: HashMap<(&str, i32), usize> = HashMap::new();
    for (i, rule) in stack.listener_rules.iter().enumerate() {
        let path = JsonPath::root().key("listenerRules").index(i);
        if let Some(priority) = rule.priority {
            if !(1..=MAX_PRIORITY).contains(&priority) {
                out.push(
                    RULE_PRIORITY
                        .at(
                            path.clone().key("Priority"),
                            format!("Priority is {priority}; a listener rule's priority is 1 to {MAX_PRIORITY}"),
                        )
                        .with_hint("pick a priority from 1 (evaluated first) to 50000"),
                );
            } else if let Some(listener) = rule.listener_arn.as_deref()
                && let Some(first) = taken.get(&(listener, priority))
            {
                out.push(
                    RULE_PRIORITY
                        .at(
                            path.clone().key("Priority"),
                            format!(
                                "listenerRules[{first}] has priority {priority} on the same listener"
                            ),
                        )
                        .with_hint("give each rule of a listener its own priority"),
                );
            } else if let Some(listener) = rule.listener_arn.as_deref() {
                taken.insert((listener, priority), i);
            }
        }
        if rule.conditions.as_ref().is_none_or(Vec::is_empty) {
            out.push(
                RULE_CONTENTS
                    .at(path.clone().key("Conditions"), "the rule has no condition")
                    .with_hint(
                        "add a condition, such as {\"Field\": \"path-pattern\", \"Values\": [\"/api/*\"]}",
                    ),
            );
        }
        let Some(actions) = rule.actions.as_ref().filter(|a| !a.is_empty()) else {
            out.push(
                RULE_CONTENTS
                    .at(path.clone().key("Actions"), "the rule has no action")
                    .with_hint("add an action, such as {\"Type\": \"forward\", \"TargetGroupArn\": \"web\"}"),
            );
            continue;
        };
        for (a, action) in actions.iter().enumerate() {
            let at = path.clone().key("Actions").index(a);
            let mut named: Vec<(JsonPath, &str)> = Vec::new();
            if let Some(arn) = action.target_group_arn.as_deref() {
                named.push((at.clone().key("TargetGroupArn"), arn));
            }
            let tuples = action
                .forward_config
                .as_ref()
                .and_then(|f| f.target_groups.as_ref());
            for (t, tuple) in tuples.into_iter().flatten().enumerate() {
                if let Some(arn) = tuple.target_group_arn.as_deref() {
                    let p = at
                        .clone()
                        .key("ForwardConfig")
                        .key("TargetGroups")
                        .index(t)
                        .key("TargetGroupArn");
                    named.push((p, arn));
                }
            }
            for (p, written) in named {
                if written.starts_with("arn:")
                    || written.starts_with(NAME_PREFIX)
                    || groups.contains(written)
                {
                    continue;
                }
                out.push(
                    UNKNOWN_RULE_TARGET_GROUP
                        .at(p, format!("`{written}` is not a target group of the stack"))
                        .with_hint(
                            "name a group of `targetGroups`, write an ARN, or `name:NAME` for a group of the account",
                        ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::load::from_value;

    fn found(rules: Value) -> Vec<(String, String)> {
        let stack = from_value::<Stack>(&json!({
            "targetGroups": [ { "Name": "web", "Protocol": "HTTP", "Port": 80, "TargetType": "ip" } ],
            "listenerRules": rules
        }))
        .value
        .expect("a stack");
        let mut out = Vec::new();
        check(&stack, &mut out);
        out.into_iter()
            .map(|d| (d.code.to_string(), d.path.to_string()))
            .collect()
    }

    fn rule(priority: i64, target: &str) -> Value {
        json!({
            "ListenerArn": "name:front:80", "Priority": priority,
            "Conditions": [ { "Field": "path-pattern", "Values": ["/api/*"] } ],
            "Actions": [ { "Type": "forward", "TargetGroupArn": target } ]
        })
    }

    #[test]
    fn a_rule_forwarding_to_a_stack_group_has_no_problem() {
        assert_eq!(found(json!([rule(10, "web"), rule(20, "name:other")])), []);
        let arn = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x/1";
        assert_eq!(found(json!([rule(10, arn)])), []);
    }

    #[test]
    fn an_unknown_group_is_a_warning_in_either_place() {
        assert_eq!(
            found(json!([rule(10, "api")])),
            [(
                UNKNOWN_RULE_TARGET_GROUP.code.to_owned(),
                "listenerRules[0].Actions[0].TargetGroupArn".to_owned()
            )]
        );
        let weighted = json!([{
            "ListenerArn": "name:front:80", "Priority": 1,
            "Conditions": [ { "Field": "path-pattern", "Values": ["/"] } ],
            "Actions": [ { "Type": "forward", "ForwardConfig": { "TargetGroups": [
                { "TargetGroupArn": "web", "Weight": 1 }, { "TargetGroupArn": "api", "Weight": 1 }
            ] } } ]
        }]);
        assert_eq!(
            found(weighted),
            [(
                UNKNOWN_RULE_TARGET_GROUP.code.to_owned(),
                "listenerRules[0].Actions[0].ForwardConfig.TargetGroups[1].TargetGroupArn"
                    .to_owned()
            )]
        );
    }

    #[test]
    fn priorities_are_in_range_and_unique_per_listener() {
        let code = RULE_PRIORITY.code.to_owned();
        assert_eq!(
            found(json!([rule(0, "web")])),
            [(code.clone(), "listenerRules[0].Priority".to_owned())]
        );
        assert_eq!(
            found(json!([rule(50_001, "web")])),
            [(code.clone(), "listenerRules[0].Priority".to_owned())]
        );
        assert_eq!(
            found(json!([rule(5, "web"), rule(5, "web")])),
            [(code, "listenerRules[1].Priority".to_owned())]
        );
        let mut other = rule(5, "web");
        other["ListenerArn"] = json!("name:front:443");
        assert_eq!(found(json!([rule(5, "web"), other])), []);
    }

    #[test]
    fn a_rule_needs_a_condition_and_an_action() {
        let empty = json!([{ "ListenerArn": "name:front:80", "Priority": 3,
                             "Conditions": [], "Actions": [] }]);
        let code = RULE_CONTENTS.code.to_owned();
        assert_eq!(
            found(empty),
            [
                (code.clone(), "listenerRules[0].Conditions".to_owned()),
                (code, "listenerRules[0].Actions".to_owned())
            ]
        );
    }
}
