//! A service's load balancer bindings name their target groups: a group of the stack's
//! `targetGroups` by its `Name`, an existing group by ARN, or one of the account by `name:NAME`.

use std::collections::BTreeSet;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::load::closest;
use crate::stack::Stack;
use crate::validate::Rule;

use super::CREATE_SERVICE_DOC;

/// What a target group reference starts with to look a group of the account up by name.
const NAME_PREFIX: &str = "name:";

/// A binding's `targetGroupArn` is an ARN, a look-up, or a target group of the stack.
pub(crate) const UNKNOWN_TARGET_GROUP: Rule = Rule {
    code: "stack-unknown-target-group",
    severity: Severity::Error,
    summary: "A service's `loadBalancers[].targetGroupArn` is a target group ARN, `name:NAME` (a group of the account, looked up), or the Name of a group in the stack's `targetGroups`.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// Checks the services' bindings, with paths from the stack's root.
pub(crate) fn check(stack: &Stack, out: &mut Vec<Diagnostic>) {
    let groups: Vec<&str> = stack
        .target_groups
        .iter()
        .filter_map(|g| g.name.as_deref())
        .collect();
    let known: BTreeSet<&str> = groups.iter().copied().collect();
    for (i, service) in stack.services.iter().enumerate() {
        for (j, binding) in service.load_balancers.iter().flatten().enumerate() {
            let Some(reference) = binding.target_group_arn.as_deref() else {
                continue;
            };
            if reference.starts_with("arn:")
                || reference.starts_with(NAME_PREFIX)
                || known.contains(reference)
            {
                continue;
            }
            let hint = match closest(reference, &groups) {
                Some(near) => format!("did you mean `{near}`, a target group of the stack?"),
                None => format!(
                    "add it to `targetGroups`, give the group's ARN, or write `name:{reference}` \
                     to look up a group of the account"
                ),
            };
            out.push(
                UNKNOWN_TARGET_GROUP
                    .at(
                        JsonPath::root()
                            .key("services")
                            .index(i)
                            .key("loadBalancers")
                            .index(j)
                            .key("targetGroupArn"),
                        format!(
                            "`{reference}` is not a target group of the stack, an ARN, or a \
                             look-up"
                        ),
                    )
                    .with_hint(hint),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::load::from_value;

    fn found(target_group_arn: &str) -> Vec<(String, String, Option<String>)> {
        let stack = from_value::<Stack>(&json!({
            "targetGroups": [ { "Name": "shop-web", "Protocol": "HTTP", "Port": 80 } ],
            "services": [ { "serviceName": "web", "taskDefinition": "web",
                            "loadBalancers": [ { "targetGroupArn": target_group_arn,
                                                 "containerName": "web", "containerPort": 80 } ] } ]
        }))
        .value
        .expect("a stack");
        let mut out = Vec::new();
        check(&stack, &mut out);
        out.into_iter()
            .map(|d| (d.code.clone(), d.path.to_string(), d.hint))
            .collect()
    }

    #[test]
    fn a_group_of_the_stack_an_arn_or_a_look_up_is_known() {
        for known in [
            "shop-web",
            "name:legacy-web",
            "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/0123456789abcdef",
        ] {
            assert_eq!(found(known), vec![], "{known}");
        }
    }

    #[test]
    fn another_name_is_an_error_with_the_nearest_group() {
        let found = found("shop-wbe");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "stack-unknown-target-group");
        assert_eq!(found[0].1, "services[0].loadBalancers[0].targetGroupArn");
        assert!(
            found[0]
                .2
                .as_deref()
                .is_some_and(|h| h.contains("shop-web")),
            "{found:?}"
        );
    }
}
