//! `--adopt` for the kinds beyond ECS, against the local endpoint: a target group, a listener
//! rule forwarding to it, a private DNS namespace and a discovery service in it, made directly
//! through the SDK without the stack's tag (as the console or CDK makes them), then a stack
//! naming them (the rule by its listener and priority). Without adopting, the plan shows them
//! not managed, and a destroy (even adopting) leaves them; `apply` with adopt tags them (read
//! back through the SDK: the stack's tag added, the tags the stack lists kept, the one it does
//! not list removed); the next plan without adopting has no changes; another stack, adopting,
//! never takes them.
//!
//! moto keeps a resource's other tags on ELBv2 AddTags and Cloud Map TagResource, as AWS does
//! (<https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_AddTags.html>,
//! <https://docs.aws.amazon.com/cloud-map/latest/api/API_TagResource.html>), so no scripted
//! layer is needed.

use crate::support;

use ecs_deploy::ownership::STACK_TAG;
use ecs_deploy::plan::{Action, Address, Reason};
use ecs_deploy::{ApplyOptions, Deployer, LoadBalancing, Operation, Options, Plan};
use ecs_model::Stack;
use serde_json::json;
use support::script::load_balancing::{client_at, load_balancer};

const STACK: &str = "adoptmore";

fn stack(group: &str, vpc: &str, listener: &str, namespace: &str) -> Stack {
    let value = json!({
        "targetGroups": [{
            "Name": group, "Protocol": "HTTP", "Port": 80, "VpcId": vpc, "TargetType": "ip",
            "HealthCheckPath": "/health", "Tags": [{"Key": "team", "Value": "web"}]
        }],
        "listenerRules": [{
            "ListenerArn": listener, "Priority": 10,
            "Conditions": [{"Field": "path-pattern", "Values": ["/api/*"]}],
            "Actions": [{"Type": "forward", "TargetGroupArn": group}],
            "Tags": [{"Key": "team", "Value": "web"}]
        }],
        "namespaces": [{
            "Name": namespace, "Vpc": vpc, "Tags": [{"Key": "team", "Value": "web"}]
        }],
        "discoveryServices": [{
            "Name": "api", "NamespaceId": namespace,
            "DnsConfig": {"DnsRecords": [{"Type": "A", "TTL": 60}]}
        }]
    });
    ecs_model::load::from_value::<Stack>(&value)
        .value
        .expect("a stack")
}

async fn deployer(account: &str, options: Options) -> Deployer {
    let elb = client_at(support::local_ecs::endpoint(), account);
    Deployer::new(support::ecs(account).await, options)
        .load_balancing(LoadBalancing::from_client(elb))
        .cloud_map(support::cloud_map::cloud_map(account))
        .apply_options(ApplyOptions::no_wait())
}

/// The changes of `plan` to the resources at `addresses`, in their order.
fn changes_at<'a>(plan: &'a Plan, addresses: &[Address]) -> Vec<&'a ecs_deploy::Change> {
    addresses
        .iter()
        .map(|address| {
            plan.changes
                .iter()
                .find(|c| &c.address == address)
                .unwrap_or_else(|| panic!("no change for {address}: {plan:?}"))
        })
        .collect()
}

/// The tags of an ELBv2 resource, as sorted (key, value) pairs.
async fn elb_tags(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    arn: &str,
) -> Vec<(String, String)> {
    let mut tags = support::read_back::elb_tags(elb, arn).await;
    tags.sort();
    tags
}

/// The tags of a Cloud Map resource, as sorted (key, value) pairs.
async fn cloud_map_tags(
    client: &aws_sdk_servicediscovery::Client,
    arn: &str,
) -> Vec<(String, String)> {
    let answer = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("ListTagsForResource");
    let mut tags: Vec<(String, String)> = answer
        .tags()
        .iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect();
    tags.sort();
    tags
}

#[tokio::test]
async fn untagged_target_group_rule_namespace_and_discovery_service_are_adopted_once_asked() {
    use aws_sdk_elasticloadbalancingv2::types as elb_types;
    use aws_sdk_servicediscovery::types as sd_types;
    let account = "430000000001";
    let elb = client_at(support::local_ecs::endpoint(), account);
    let sd = support::cloud_map::client(account);
    let vpc = support::ec2::default_vpc(&support::ec2::client(account)).await;
    let unique = support::unique("ad");
    let group: String = format!("a{}", &unique[unique.len().saturating_sub(28)..])
        .replace('_', "-")
        .replace("--", "-");
    let namespace = format!("{unique}.internal");

    // Made by another tool: the group and namespace with a tag the stack lists (team) and one
    // it does not (origin), the discovery service without tags.
    let tag = |key: &str, value: &str| elb_types::Tag::builder().key(key).value(value).build();
    let made = elb
        .create_target_group()
        .name(&group)
        .protocol(elb_types::ProtocolEnum::Http)
        .port(80)
        .vpc_id(&vpc)
        .target_type(elb_types::TargetTypeEnum::Ip)
        .health_check_path("/health")
        .tags(tag("team", "web"))
        .tags(tag("origin", "console"))
        .send()
        .await
        .expect("CreateTargetGroup");
    let group_arn = made.target_groups()[0]
        .target_group_arn()
        .expect("an ARN")
        .to_owned();
    let subnets = support::ec2::default_subnets(account).await;
    let alb: String = format!("b{}", &group[1..]);
    let (_, listener_arn) = load_balancer(&elb, &alb, &subnets).await;
    let rule_arn = elb
        .create_rule()
        .listener_arn(&listener_arn)
        .priority(10)
        .conditions(
            elb_types::RuleCondition::builder()
                .field("path-pattern")
                .values("/api/*")
                .build(),
        )
        .actions(
            elb_types::Action::builder()
                .r#type(elb_types::ActionTypeEnum::Forward)
                .target_group_arn(&group_arn)
                .build(),
        )
        .tags(tag("team", "web"))
        .send()
        .await
        .expect("CreateRule")
        .rules()[0]
        .rule_arn()
        .expect("an ARN")
        .to_owned();
    let sd_tag = |key: &str, value: &str| {
        sd_types::Tag::builder()
            .key(key)
            .value(value)
            .build()
            .expect("a tag")
    };
    sd.create_private_dns_namespace()
        .name(&namespace)
        .vpc(&vpc)
        .tags(sd_tag("team", "web"))
        .tags(sd_tag("origin", "console"))
        .send()
        .await
        .expect("CreatePrivateDnsNamespace");
    let listed = sd.list_namespaces().send().await.expect("ListNamespaces");
    let found = listed
        .namespaces()
        .iter()
        .find(|n| n.name() == Some(namespace.as_str()))
        .expect("the namespace");
    let (namespace_id, namespace_arn) = (
        found.id().expect("an id").to_owned(),
        found.arn().expect("an ARN").to_owned(),
    );
    let records = sd_types::DnsConfig::builder()
        .dns_records(
            sd_types::DnsRecord::builder()
                .r#type(sd_types::RecordType::A)
                .ttl(60)
                .build()
                .expect("a record"),
        )
        .build()
        .expect("a DNS config");
    let service_arn = sd
        .create_service()
        .name("api")
        .namespace_id(&namespace_id)
        .dns_config(records)
        .send()
        .await
        .expect("CreateService")
        .service()
        .and_then(|s| s.arn())
        .expect("an ARN")
        .to_owned();

    let wanted = stack(&group, &vpc, &listener_arn, &namespace);
    let addresses = [
        Address::TargetGroup {
            name: group.clone(),
        },
        Address::ListenerRule {
            listener: listener_arn.clone(),
            key: "10".into(),
        },
        Address::Namespace {
            name: namespace.clone(),
        },
        Address::DiscoveryService {
            namespace: namespace.clone(),
            name: "api".into(),
        },
    ];

    // 1. Without adopting: not managed, no steps; a destroy, even adopting, deletes nothing.
    let plain = deployer(account, Options::new(STACK)).await;
    let plan = plain.plan(&wanted).await.expect("a plan");
    for change in changes_at(&plan, &addresses) {
        assert_eq!(change.action, Action::NotManaged, "{}", change.address);
        assert_eq!(change.reason, Some(Reason::Untagged), "{}", change.address);
        assert!(change.steps.is_empty());
    }
    let adopting = deployer(account, Options::new(STACK).adopt(true)).await;
    let destroy = adopting.plan_destroy(&wanted).await.expect("a plan");
    assert!(
        destroy.changes.iter().all(|c| c.action != Action::Delete),
        "{destroy:?}"
    );

    // 2. Adopting: each is tagged in place, the reason says so; the apply tags them.
    let plan = adopting.plan(&wanted).await.expect("a plan");
    let changes = changes_at(&plan, &addresses);
    for change in &changes {
        assert_eq!(change.action, Action::Update, "{}", change.address);
        assert!(
            matches!(&change.reason, Some(Reason::Adopted { stack, .. }) if stack == STACK),
            "{}: {:?}",
            change.address,
            change.reason
        );
    }
    let operations = |c: &ecs_deploy::Change| -> Vec<Operation> {
        c.steps.iter().map(|s| s.operation()).collect::<Vec<_>>()
    };
    assert!(
        operations(changes[0]).contains(&Operation::AddTags),
        "{:?}",
        changes[0].steps
    );
    assert!(operations(changes[0]).contains(&Operation::RemoveTags));
    // The rule: the stack's tag and its key tag added, `team` listed by the stack.
    assert_eq!(operations(changes[1]), [Operation::AddTags]);
    assert_eq!(
        operations(changes[2]),
        [
            Operation::TagCloudMapResource,
            Operation::UntagCloudMapResource
        ]
    );
    assert_eq!(operations(changes[3]), [Operation::TagCloudMapResource]);
    adopting.apply(&plan, |_| {}).await.expect("the apply");

    // Read back: the stack's tag added, `team` (which the stack lists) kept, `origin` (which
    // it does not) removed.
    let ours = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = extra
            .iter()
            .chain(&[(STACK_TAG, STACK)])
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        out.sort();
        out
    };
    assert_eq!(elb_tags(&elb, &group_arn).await, ours(&[("team", "web")]));
    assert_eq!(
        elb_tags(&elb, &rule_arn).await,
        ours(&[("team", "web"), ("ecs-rs:rule", "10")])
    );
    assert_eq!(
        cloud_map_tags(&sd, &namespace_arn).await,
        ours(&[("team", "web")])
    );
    assert_eq!(cloud_map_tags(&sd, &service_arn).await, ours(&[]));

    // 3. The next plan, without adopting, has no changes: they are the stack's.
    let plan = plain.plan(&wanted).await.expect("a plan");
    assert!(!plan.has_changes(), "{plan:?}");
    for change in changes_at(&plan, &addresses) {
        assert_eq!(change.action, Action::NoChange, "{}", change.address);
    }

    // 4. Another stack, adopting, never takes them: they carry this stack's tag.
    let billing = deployer(account, Options::new("billing").adopt(true)).await;
    let plan = billing.plan(&wanted).await.expect("a plan");
    for change in changes_at(&plan, &addresses) {
        assert_eq!(change.action, Action::NotManaged, "{}", change.address);
        assert_eq!(
            change.reason,
            Some(Reason::OtherStack {
                stack: STACK.into()
            })
        );
    }
}
