//! Adoption ([`Options::adopt`]): the changes to resources the stack names that exist without
//! any stack's tag carry [`Reason::Adopted`], which keeps the reason they had besides.
//!
//! The kinds plan an adopted resource as one of the stack's (their ownership check is
//! `ownership::adoptable`): the stack's tag is among the differences, and the tag steps of the
//! kind add it with a call that leaves the resource's other tags as they are:
//!
//! - ECS (capacity providers, clusters, services, task definition revisions): TagResource
//!   (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TagResource.html>: "If
//!   existing tags on a resource aren't specified in the request parameters, they aren't
//!   changed");
//! - ELBv2 (target groups, listener rules): AddTags ("If a resource already has a tag with the
//!   same key, AddTags updates its value",
//!   <https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AddTags.html>);
//! - Cloud Map (namespaces, discovery services): TagResource ("Adds one or more tags to the
//!   specified resource",
//!   <https://docs.aws.amazon.com/cloud-map/latest/api/API_TagResource.html>).
//!
//! Tags the stack does not set are then removed as for any resource of the stack, and the plan
//! shows their removal as a field difference: the resource is the stack's now, so the stack's
//! tags are its tags. An import writes the tags it finds into the stack, so none are; `aws:`
//! keys (CloudFormation's) are never removed nor compared. The ownership check is made when
//! the plan is, from what AWS showed then: a stack that tags the resource between the plan and
//! the apply has its tag overwritten, so adopt from a plan just made. An adopted resource whose
//! fixed members differ from the stack's is replaced as any resource of the stack is (an ECS
//! service, a Cloud Map discovery service nothing is registered in): the replacement deletes
//! the resource AWS has, and the plan shows it with both reasons. Here the changes are only
//! marked, so the plan says which resources it takes over.
//!
//! # Kinds adopted
//!
//! Capacity providers, clusters, task definition families and services (the kinds an import
//! writes); target groups and Cloud Map namespaces and discovery services, which are read by
//! the name the stack gives them whatever their tags; and listener rules, a rule without the
//! key tag being found by its `Name` tag or its priority (see `kinds::listener_rule`).
//!
//! Not adopted, and not managed without the stack's tag:
//!
//! - schedules: EventBridge Scheduler tags schedule groups only
//!   (<https://docs.aws.amazon.com/scheduler/latest/APIReference/API_TagResource.html>), so a
//!   schedule cannot carry the stack's tag; a group's schedules are the stack's when the group
//!   carries its tag;
//! - schedule groups: the plan never changes a group's tags, and adopting one would make every
//!   schedule in it the stack's, so that a prune would delete the schedules the stack does not
//!   name;
//! - scaling: scalable targets keep no tag the engine reads; the scaling of a service is the
//!   stack's when the service carries the stack's tag, so the scaling of an adopted service is
//!   managed from the plan after the apply that tags the service.

use ecs_model::types::Tag;

use super::{Action, Actual, Address, Change, Options, Reason};
use crate::ownership::owner;

/// Marks the changes that adopt a resource: see the module documentation.
pub(super) fn mark(changes: &mut [Change], actual: &Actual, options: &Options) {
    if !options.adopt {
        return;
    }
    for change in changes.iter_mut() {
        let acts = matches!(
            change.action,
            Action::Update | Action::UpdateAndDeploy | Action::Register | Action::Replace
        );
        if !acts {
            continue;
        }
        let untagged =
            tags_of(&change.address, actual).is_some_and(|t| owner(t.as_deref()).is_none());
        if untagged {
            change.reason = Some(Reason::Adopted {
                stack: options.stack.clone(),
                then: change.reason.take().map(Box::new),
            });
        }
    }
}

/// The tags AWS shows of the resource at `address`, when it exists and is of a kind adopted
/// (as ECS tags: the ownership check reads those).
fn tags_of(address: &Address, actual: &Actual) -> Option<Option<Vec<Tag>>> {
    let tags = match address {
        Address::CapacityProvider { name } => {
            actual.capacity_providers.get(name)?.input.tags.clone()
        }
        Address::Cluster { name } => actual.clusters.get(name)?.input.tags.clone(),
        Address::TaskDefinition { family } => {
            actual.task_definitions.get(family)?.input.tags.clone()
        }
        Address::Service { cluster, name } => actual
            .services
            .get(&(cluster.clone(), name.clone()))?
            .input
            .tags
            .clone(),
        Address::TargetGroup { name } => actual.target_groups.get(name)?.tags(),
        Address::ListenerRule { listener, key } => {
            let arn = crate::kinds::listener_rule::listener_arn(listener, actual)?;
            crate::kinds::listener_rule::find(actual, &arn, key)?.tags()
        }
        Address::Namespace { name } => actual.namespaces.get(name)?.tags(),
        Address::DiscoveryService { namespace, name } => actual
            .discovery_services
            .get(&(namespace.clone(), name.clone()))?
            .tags(),
        _ => return None,
    };
    Some(tags)
}

#[cfg(test)]
mod tests {
    use ecs_model::Stack;
    use ecs_model::load::from_value;
    use ecs_model::types::{CreateClusterRequest, CreateServiceRequest};
    use serde_json::{Value, json};

    use crate::plan::{Action, Actual, Existing, Options, Reason, STACK_TAG, Step, plan};

    const TD_ARN: &str = "arn:aws:ecs:us-east-1:1:task-definition/web:3";

    fn stack() -> Stack {
        from_value::<Stack>(&json!({
            "clusters": [{"clusterName": "shop"}],
            "taskDefinitions": [{"family": "web", "containerDefinitions": [
                {"name": "web", "image": "nginx:1.27", "memory": 256}]}],
            "services": [{"serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                "desiredCount": 1, "launchType": "EC2"}]
        }))
        .value
        .expect("a stack")
    }

    /// AWS with the stack's resources as they are, tagged `tags` (`[]`: none).
    fn actual(tags: Value) -> Actual {
        let mut actual = Actual::default();
        let cluster: CreateClusterRequest =
            from_value(&json!({"clusterName": "shop", "tags": tags}))
                .value
                .expect("a cluster");
        actual.clusters.insert(
            "shop".into(),
            Existing::new("arn:aws:ecs:us-east-1:1:cluster/shop", cluster),
        );
        let mut td = stack().task_definitions[0].clone();
        td.tags = from_value(&tags).value;
        let mut existing = Existing::new(TD_ARN, td);
        existing.revision = Some(3);
        actual.task_definitions.insert("web".into(), existing);
        let service: CreateServiceRequest = from_value(&json!({
            "serviceName": "web", "cluster": "shop", "taskDefinition": TD_ARN,
            "desiredCount": 1, "launchType": "EC2", "tags": tags
        }))
        .value
        .expect("a service");
        actual.services.insert(
            ("shop".into(), "web".into()),
            Existing::new("arn:aws:ecs:us-east-1:1:service/shop/web", service),
        );
        actual
    }

    fn tag_keys(step: &Step) -> Vec<String> {
        match step {
            Step::TagResource(request) => request
                .tags
                .iter()
                .flatten()
                .filter_map(|t| t.key.clone())
                .collect(),
            other => panic!("expected TagResource, got {other:?}"),
        }
    }

    #[test]
    fn untagged_resources_are_not_managed_unless_adopted() {
        let untagged = actual(json!([{"key": "team", "value": "web"}]));
        let plain = plan(&stack(), &untagged, &Options::new("shop"));
        assert!(
            plain
                .changes
                .iter()
                .all(|c| c.action == Action::NotManaged && c.reason == Some(Reason::Untagged))
        );

        let adopted = plan(&stack(), &untagged, &Options::new("shop").adopt(true));
        assert_eq!(adopted.changes.len(), 3);
        for change in &adopted.changes {
            // Only the tags differ: tagged in place, the family's revision too (no new one),
            // and the service is not deployed.
            assert_eq!(change.action, Action::Update, "{}", change.address);
            assert_eq!(
                change.reason,
                Some(Reason::Adopted {
                    stack: "shop".into(),
                    then: None
                })
            );
            // The stack's tag is added; the tag the stack does not set is removed, as for any
            // resource of the stack (an import writes the tags it finds into the stack).
            assert_eq!(change.steps.len(), 2, "{}", change.address);
            assert_eq!(tag_keys(&change.steps[0]), [STACK_TAG]);
            assert!(
                matches!(&change.steps[1], Step::UntagResource(r) if r.tag_keys == Some(vec!["team".to_owned()]))
            );
            assert!(
                change
                    .fields
                    .iter()
                    .all(|f| f.path.to_string().starts_with("tags"))
            );
        }
        let td = &adopted.changes[1];
        assert!(
            matches!(&td.steps[0], Step::TagResource(r) if r.resource_arn.as_deref() == Some(TD_ARN))
        );
        assert_eq!(
            adopted.changes[0].reason.as_ref().map(ToString::to_string),
            Some(format!("adopt (tag {STACK_TAG}=shop added)"))
        );
    }

    #[test]
    fn an_adopted_family_that_differs_gets_a_new_revision_and_keeps_both_reasons() {
        let mut wanted = stack();
        if let Some(containers) = wanted.task_definitions[0].container_definitions.as_mut() {
            containers[0].image = Some("nginx:1.28".into());
        }
        let adopted = plan(
            &wanted,
            &actual(json!([])),
            &Options::new("shop").adopt(true),
        );
        let td = &adopted.changes[1];
        assert_eq!(td.action, Action::Register);
        assert_eq!(
            td.reason,
            Some(Reason::Adopted {
                stack: "shop".into(),
                then: Some(Box::new(Reason::RevisionDiffers { revision: 3 }))
            })
        );
        assert!(matches!(&td.steps[..], [Step::RegisterTaskDefinition(_)]));
        let service = &adopted.changes[2];
        assert_eq!(service.action, Action::UpdateAndDeploy);
        assert!(matches!(service.reason, Some(Reason::Adopted { .. })));
    }

    #[test]
    fn a_service_cloudformation_made_is_adopted_once_and_then_plans_no_change() {
        let cdk = json!([{"key": "aws:cloudformation:stack-name", "value": "ShopStack"}]);
        let adopted = plan(&stack(), &actual(cdk), &Options::new("shop").adopt(true));
        for change in &adopted.changes {
            // Only our tag: AWS's own are neither removed nor shown.
            assert_eq!(change.steps.len(), 1, "{}", change.address);
            assert_eq!(tag_keys(&change.steps[0]), [STACK_TAG]);
        }
        let tagged = json!([
            {"key": "aws:cloudformation:stack-name", "value": "ShopStack"},
            {"key": STACK_TAG, "value": "shop"}
        ]);
        let again = plan(&stack(), &actual(tagged), &Options::new("shop").adopt(true));
        assert!(!again.has_changes(), "{again:?}");
    }

    #[test]
    fn another_stacks_resources_are_never_adopted() {
        let theirs = actual(json!([{"key": STACK_TAG, "value": "billing"}]));
        let adopted = plan(&stack(), &theirs, &Options::new("shop").adopt(true));
        for change in &adopted.changes {
            assert_eq!(change.action, Action::NotManaged);
            assert_eq!(
                change.reason,
                Some(Reason::OtherStack {
                    stack: "billing".into()
                })
            );
            assert!(change.steps.is_empty());
        }
    }

    #[test]
    fn the_stacks_own_resources_carry_no_adoption() {
        let ours = actual(json!([{"key": STACK_TAG, "value": "shop"}]));
        let adopted = plan(&stack(), &ours, &Options::new("shop").adopt(true));
        assert!(adopted.changes.iter().all(|c| c.action == Action::NoChange));
        assert!(!adopted.has_changes());
    }

    /// Adoption of the ELBv2 and Cloud Map kinds: a target group, a listener rule forwarding
    /// to it, a private DNS namespace and a discovery service in it.
    mod load_balancing_and_cloud_map {
        use ecs_model::Stack;
        use ecs_model::load::from_value;
        use serde_json::{Value, json};

        use crate::aws::Operation;
        use crate::kinds::listener_rule::{ObservedRule, RULE_TAG};
        use crate::kinds::namespace::{discovery_service_of, namespace_of};
        use crate::kinds::target_group::{ObservedTargetGroup, with_defaults};
        use crate::plan::{
            Action, Actual, Address, Change, Options, Reason, STACK_TAG, destroy, plan, to_json,
        };

        const LISTENER: &str = "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/front/1/2";
        const GROUP: &str = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/1";

        fn stack() -> Stack {
            from_value::<Stack>(&json!({
                "targetGroups": [{"Name": "web", "Protocol": "HTTP", "Port": 80,
                                  "VpcId": "vpc-1", "TargetType": "ip"}],
                "listenerRules": [{
                    "ListenerArn": "name:front:80", "Priority": 10,
                    "Conditions": [{"Field": "path-pattern", "Values": ["/api/*"]}],
                    "Actions": [{"Type": "forward", "TargetGroupArn": "web"}]
                }],
                "namespaces": [{"Name": "internal", "Vpc": "vpc-1", "Description": "east-west"}],
                "discoveryServices": [{
                    "Name": "api", "NamespaceId": "internal",
                    "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 60}]},
                    "HealthCheckCustomConfig": {}
                }]
            }))
            .value
            .expect("a stack")
        }

        /// AWS with the four resources as the stack has them, made by another tool and tagged
        /// `tags` (the rule also `rule_tags`).
        fn actual(tags: &Value, rule_tags: &Value) -> Actual {
            let mut actual = Actual::default();
            let mut group = to_json(&with_defaults(&stack().target_groups[0]));
            group["Tags"] = tags.clone();
            actual.target_groups.insert(
                "web".into(),
                ObservedTargetGroup {
                    arn: GROUP.into(),
                    load_balancers: vec!["arn:lb".into()],
                    input: from_value(&group).value.expect("a group"),
                },
            );
            actual
                .listeners
                .insert("name:front:80".into(), LISTENER.into());
            let rule = json!({
                "ListenerArn": LISTENER, "Priority": 10,
                "Conditions": [{"Field": "path-pattern", "Values": ["/api/*"],
                                "PathPatternConfig": {"Values": ["/api/*"]}}],
                "Actions": [{"Type": "forward", "TargetGroupArn": GROUP, "Order": 1,
                             "ForwardConfig": {
                                 "TargetGroups": [{"TargetGroupArn": GROUP, "Weight": 1}],
                                 "TargetGroupStickinessConfig": {"Enabled": false}}}],
                "Tags": rule_tags
            });
            actual.listener_rules.push(ObservedRule {
                arn: "arn:rule/1".into(),
                listener_arn: LISTENER.into(),
                input: from_value(&rule).value.expect("a rule"),
            });
            let summary = json!({
                "Id": "ns-abc", "Arn": "arn:aws:servicediscovery:us-east-1:1:namespace/ns-abc",
                "Name": "internal", "Type": "DNS_PRIVATE", "Description": "east-west",
                "ServiceCount": 1,
                "Properties": {"DnsProperties": {"HostedZoneId": "Z1", "SOA": {"TTL": 15}}}
            });
            let namespace = namespace_of(&summary, tags.clone()).expect("a namespace");
            actual.namespaces.insert("internal".into(), namespace);
            let service = json!({
                "Id": "srv-api", "Arn": "arn:aws:servicediscovery:us-east-1:1:service/srv-api",
                "Name": "api", "NamespaceId": "ns-abc", "Type": "DNS_HTTP", "InstanceCount": 0,
                "DnsConfig": {"NamespaceId": "ns-abc", "RoutingPolicy": "MULTIVALUE",
                              "DnsRecords": [{"Type": "A", "TTL": 60}]},
                "HealthCheckCustomConfig": {"FailureThreshold": 1}
            });
            let found =
                discovery_service_of(&service, tags.clone(), "internal", "ns-abc").expect("one");
            actual
                .discovery_services
                .insert(("internal".into(), "api".into()), found);
            actual
        }

        /// The changes to the four resources, in the order of [`actual`].
        fn four(changes: &[Change]) -> Vec<&Change> {
            let is = |c: &&Change, kind: &str| {
                matches!(
                    (&c.address, kind),
                    (Address::TargetGroup { .. }, "group")
                        | (Address::ListenerRule { .. }, "rule")
                        | (Address::Namespace { .. }, "namespace")
                        | (Address::DiscoveryService { .. }, "service")
                )
            };
            let out: Vec<&Change> = ["group", "rule", "namespace", "service"]
                .iter()
                .filter_map(|kind| changes.iter().find(|c| is(c, kind)))
                .collect();
            assert_eq!(out.len(), 4, "{changes:?}");
            out
        }

        /// The operation of each step, with the tag keys it sets or removes.
        fn tag_calls(change: &Change) -> Vec<(Operation, Vec<String>)> {
            change
                .steps
                .iter()
                .map(|step| {
                    let input = step.input();
                    let keys = match input.get("Tags") {
                        Some(tags) => tags
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|t| t["Key"].as_str().map(str::to_owned))
                            .collect(),
                        None => input["TagKeys"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|k| k.as_str().map(str::to_owned))
                            .collect(),
                    };
                    (step.operation(), keys)
                })
                .collect()
        }

        fn team() -> Value {
            json!([{"Key": "team", "Value": "web"}])
        }

        #[test]
        fn untagged_ones_the_stack_names_are_not_managed_unless_adopted() {
            let untagged = actual(&team(), &team());
            let plain = plan(&stack(), &untagged, &Options::new("shop"));
            for change in four(&plain.changes) {
                assert_eq!(change.action, Action::NotManaged, "{}", change.address);
                assert_eq!(change.reason, Some(Reason::Untagged), "{}", change.address);
                assert!(change.steps.is_empty());
            }

            let adopted = plan(&stack(), &untagged, &Options::new("shop").adopt(true));
            let changes = four(&adopted.changes);
            for change in &changes {
                // Only the tags differ: tagged in place, nothing replaced.
                assert_eq!(change.action, Action::Update, "{}", change.address);
                assert_eq!(
                    change.reason,
                    Some(Reason::Adopted {
                        stack: "shop".into(),
                        then: None
                    }),
                    "{}",
                    change.address
                );
                assert!(
                    change
                        .fields
                        .iter()
                        .all(|f| f.path.to_string().starts_with("Tags")),
                    "{}: {:?}",
                    change.address,
                    change.fields
                );
            }
            // The stack's tag added (AddTags, Cloud Map's TagResource: the other tags stay),
            // then the tag the stack does not set removed, shown as a field difference.
            let (add, remove) = (Operation::AddTags, Operation::RemoveTags);
            assert_eq!(
                tag_calls(changes[0]),
                [(add, vec![STACK_TAG.into()]), (remove, vec!["team".into()])]
            );
            assert_eq!(
                tag_calls(changes[1]),
                [
                    (add, vec![RULE_TAG.into(), STACK_TAG.into()]),
                    (remove, vec!["team".into()])
                ]
            );
            let (tag, untag) = (
                Operation::TagCloudMapResource,
                Operation::UntagCloudMapResource,
            );
            for change in &changes[2..] {
                assert_eq!(
                    tag_calls(change),
                    [(tag, vec![STACK_TAG.into()]), (untag, vec!["team".into()])]
                );
            }
            for change in &changes {
                let shown = change.fields.iter().any(|f| {
                    f.before
                        .as_ref()
                        .is_some_and(|v| v.to_string().contains("team"))
                });
                assert!(shown, "{}: {:?}", change.address, change.fields);
            }
        }

        #[test]
        fn once_adopted_they_plan_no_change_and_cloudformations_tags_stay_unshown() {
            let cdk = json!([{"Key": "aws:cloudformation:stack-name", "Value": "ShopStack"}]);
            let adopted = plan(
                &stack(),
                &actual(&cdk, &cdk),
                &Options::new("shop").adopt(true),
            );
            for change in four(&adopted.changes) {
                // Only the stack's tags are added: AWS's own are neither removed nor shown.
                let calls = tag_calls(change);
                assert_eq!(calls.len(), 1, "{}: {calls:?}", change.address);
                assert!(calls[0].1.contains(&STACK_TAG.to_owned()));
                assert!(matches!(change.reason, Some(Reason::Adopted { .. })));
            }
            let ours = json!([
                {"Key": "aws:cloudformation:stack-name", "Value": "ShopStack"},
                {"Key": STACK_TAG, "Value": "shop"}
            ]);
            let mut rule = ours.clone();
            rule.as_array_mut()
                .expect("a list")
                .push(json!({"Key": RULE_TAG, "Value": "10"}));
            for adopt in [false, true] {
                let again = plan(
                    &stack(),
                    &actual(&ours, &rule),
                    &Options::new("shop").adopt(adopt),
                );
                assert!(!again.has_changes(), "{again:?}");
            }
        }

        #[test]
        fn another_stacks_ones_are_never_adopted() {
            let theirs = json!([{"Key": STACK_TAG, "Value": "billing"}]);
            let adopted = plan(
                &stack(),
                &actual(&theirs, &theirs),
                &Options::new("shop").adopt(true),
            );
            for change in four(&adopted.changes) {
                assert_eq!(change.action, Action::NotManaged, "{}", change.address);
                assert_eq!(
                    change.reason,
                    Some(Reason::OtherStack {
                        stack: "billing".into()
                    })
                );
                assert!(change.steps.is_empty());
            }
        }

        #[test]
        fn prune_and_destroy_never_delete_an_untagged_one_even_when_adopting() {
            let untagged = actual(&team(), &team());
            let mut options = Options::new("shop").adopt(true);
            options.prune = true;
            // The stack names none of them any more: a prune finds nothing of the stack's.
            let pruned = plan(&Stack::default(), &untagged, &options);
            assert!(
                pruned.changes.iter().all(|c| c.action != Action::Delete),
                "{pruned:?}"
            );
            // Destroying the stack that names them leaves them, not managed.
            let destroyed = destroy(&stack(), &untagged, &options);
            assert!(
                destroyed.changes.iter().all(|c| c.action != Action::Delete),
                "{destroyed:?}"
            );
            // Once the stack's, they are deleted.
            let ours = json!([{"Key": STACK_TAG, "Value": "shop"}]);
            let mut rule = ours.clone();
            rule.as_array_mut()
                .expect("a list")
                .push(json!({"Key": RULE_TAG, "Value": "10"}));
            let destroyed = destroy(&stack(), &actual(&ours, &rule), &options);
            let deleted = destroyed
                .changes
                .iter()
                .filter(|c| c.action == Action::Delete)
                .count();
            assert_eq!(deleted, 4, "{destroyed:?}");
        }
    }
}
