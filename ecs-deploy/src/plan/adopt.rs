//! Adoption ([`Options::adopt`]): the changes to resources the stack names that exist without
//! any stack's tag carry [`Reason::Adopted`], which keeps the reason they had besides.
//!
//! The kinds plan an adopted resource as one of the stack's (their ownership check is
//! `ownership::adoptable`): the stack's tag is among the differences, and the tag steps of the
//! kind add it with TagResource, which leaves the resource's other tags as they are
//! (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TagResource.html>: "If
//! existing tags on a resource aren't specified in the request parameters, they aren't
//! changed"; capacity providers, services, task definition revisions and clusters take tags).
//! Tags the stack does not set are then removed as for any resource of the stack; an import
//! writes the tags it finds into the stack, so none are. The ownership check is made when the
//! plan is, from what AWS showed then: a stack that tags the resource between the plan and the
//! apply has its tag overwritten, so adopt from a plan just made. Here the changes are only marked, so the plan says which resources it takes
//! over. Only the kinds an import writes are adopted (capacity providers, clusters, task
//! definition families, services); the others stay not managed without their tag.

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
        let untagged = tags_of(&change.address, actual).is_some_and(|t| owner(t).is_none());
        if untagged {
            change.reason = Some(Reason::Adopted {
                stack: options.stack.clone(),
                then: change.reason.take().map(Box::new),
            });
        }
    }
}

/// The tags AWS shows of the resource at `address`, when it exists and is of a kind adopted.
fn tags_of<'a>(address: &Address, actual: &'a Actual) -> Option<Option<&'a [Tag]>> {
    let tags = match address {
        Address::CapacityProvider { name } => &actual.capacity_providers.get(name)?.input.tags,
        Address::Cluster { name } => &actual.clusters.get(name)?.input.tags,
        Address::TaskDefinition { family } => &actual.task_definitions.get(family)?.input.tags,
        Address::Service { cluster, name } => {
            &actual
                .services
                .get(&(cluster.clone(), name.clone()))?
                .input
                .tags
        }
        _ => return None,
    };
    Some(tags.as_deref())
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
}
