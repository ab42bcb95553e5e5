//! Subnet and security group lookups resolved against the local endpoint's EC2: the default
//! VPC's subnets and `default` group, `name:` lookups, errors that name the lookup, and no call
//! at all for a stack of IDs.

use crate::support;

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Tag;
use ecs_deploy::network::{Ec2Operation, LookupError, Network, NetworkError, Target};
use ecs_model::Stack;
use serde_json::{Value, json};

/// A stack of one service per `(name, subnets, securityGroups)`.
fn stack(services: &[(&str, Value, Value)]) -> Stack {
    let services: Vec<Value> = services
        .iter()
        .map(|(name, subnets, groups)| {
            json!({
                "serviceName": name, "cluster": "demo", "taskDefinition": "web",
                "launchType": "FARGATE", "desiredCount": 1,
                "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": subnets, "securityGroups": groups, "assignPublicIp": "ENABLED"
                }}
            })
        })
        .collect();
    ecs_model::load::from_value::<Stack>(&json!({ "services": services }))
        .value
        .expect("a stack")
}

/// The subnets and security groups of service `i`.
fn network_of(stack: &Stack, i: usize) -> (Vec<String>, Vec<String>) {
    let vpc = stack.services[i]
        .network_configuration
        .as_ref()
        .and_then(|n| n.awsvpc_configuration.as_ref())
        .expect("an awsvpc configuration");
    (
        vpc.subnets.clone().unwrap_or_default(),
        vpc.security_groups.clone().unwrap_or_default(),
    )
}

fn strings(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| (*s).to_owned()).collect()
}

/// Asserts that `network` made exactly these calls.
#[track_caller]
fn assert_calls(network: &Network, expected: &[(Ec2Operation, u64)]) {
    let expected: BTreeMap<Ec2Operation, u64> = expected.iter().copied().collect();
    assert_eq!(network.calls(), expected);
}

async fn default_vpc(ec2: &aws_sdk_ec2::Client) -> String {
    let out = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
    let vpc = out.vpcs().iter().find(|v| v.is_default() == Some(true));
    vpc.and_then(|v| v.vpc_id())
        .expect("a default VPC")
        .to_owned()
}

fn name(value: &str) -> Tag {
    Tag::builder().key("Name").value(value).build()
}

async fn new_vpc(ec2: &aws_sdk_ec2::Client, cidr: &str) -> String {
    let out = ec2
        .create_vpc()
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateVpc");
    out.vpc()
        .and_then(|v| v.vpc_id())
        .expect("an ID")
        .to_owned()
}

async fn new_subnet(ec2: &aws_sdk_ec2::Client, vpc: &str, cidr: &str, tag: &str) -> String {
    let out = ec2
        .create_subnet()
        .vpc_id(vpc)
        .cidr_block(cidr)
        .send()
        .await
        .expect("CreateSubnet");
    let id = out.subnet().and_then(|s| s.subnet_id()).expect("an ID");
    tag_resource(ec2, id, tag).await;
    id.to_owned()
}

async fn new_group(
    ec2: &aws_sdk_ec2::Client,
    vpc: &str,
    group_name: &str,
    tag: Option<&str>,
) -> String {
    let out = ec2
        .create_security_group()
        .vpc_id(vpc)
        .group_name(group_name)
        .description("ecs-rs network test")
        .send()
        .await
        .expect("CreateSecurityGroup");
    let id = out.group_id().expect("an ID");
    if let Some(tag) = tag {
        tag_resource(ec2, id, tag).await;
    }
    id.to_owned()
}

async fn tag_resource(ec2: &aws_sdk_ec2::Client, id: &str, tag: &str) {
    ec2.create_tags()
        .resources(id)
        .tags(name(tag))
        .send()
        .await
        .expect("CreateTags");
}

#[tokio::test]
async fn default_subnets_are_the_default_vpcs_six_subnets() {
    let account = "520000000001";
    let ec2 = support::ec2::client(account);
    let vpc = default_vpc(&ec2).await;
    // Another VPC's subnet, to show that only default subnets are taken.
    let other = new_vpc(&ec2, "10.1.0.0/16").await;
    new_subnet(&ec2, &other, "10.1.1.0/24", "other").await;
    let all = ec2
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets");
    let mut defaults: Vec<(String, String)> = all
        .subnets()
        .iter()
        .filter(|s| s.vpc_id() == Some(vpc.as_str()))
        .map(|s| {
            let zone = s.availability_zone().unwrap_or_default().to_owned();
            (zone, s.subnet_id().unwrap_or_default().to_owned())
        })
        .collect();
    defaults.sort();
    let expected: Vec<String> = defaults.into_iter().map(|(_, id)| id).collect();
    assert_eq!(expected.len(), 6, "moto's default VPC has 6 subnets");

    let network = support::ec2::network(account);
    let mut desired = stack(&[("web", json!(["default"]), json!(["sg-0123456789abcdef0"]))]);
    let resolved = network.resolve(&mut desired).await.expect("resolved");

    assert_eq!(
        network_of(&desired, 0),
        (expected.clone(), strings(&["sg-0123456789abcdef0"]))
    );
    assert_eq!(resolved.resolutions.len(), 1);
    let resolution = &resolved.resolutions[0];
    assert_eq!(
        (
            resolution.lookup.resource.as_str(),
            resolution.lookup.original.as_str()
        ),
        ("web", "default")
    );
    assert_eq!(resolution.ids, expected);
    // Default subnets need no DescribeVpcs.
    assert_calls(&network, &[(Ec2Operation::DescribeSubnets, 1)]);
}

#[tokio::test]
async fn default_security_group_is_the_default_vpcs_group_named_default() {
    let account = "520000000002";
    let ec2 = support::ec2::client(account);
    let vpc = default_vpc(&ec2).await;
    // Every VPC has a group named default; only the default VPC's is meant.
    new_vpc(&ec2, "10.2.0.0/16").await;
    let groups = ec2
        .describe_security_groups()
        .send()
        .await
        .expect("DescribeSecurityGroups");
    let named_default: Vec<_> = groups
        .security_groups()
        .iter()
        .filter(|g| g.group_name() == Some("default"))
        .collect();
    assert!(named_default.len() >= 2, "each VPC has its default group");
    let expected = named_default
        .iter()
        .find(|g| g.vpc_id() == Some(vpc.as_str()))
        .and_then(|g| g.group_id())
        .expect("the default VPC's default group")
        .to_owned();

    let network = support::ec2::network(account);
    let mut desired = stack(&[(
        "web",
        json!(["subnet-0123456789abcdef0"]),
        json!(["default"]),
    )]);
    let resolved = network.resolve(&mut desired).await.expect("resolved");
    assert_eq!(
        network_of(&desired, 0),
        (
            strings(&["subnet-0123456789abcdef0"]),
            vec![expected.clone()]
        )
    );
    assert_eq!(resolved.resolutions[0].ids, [expected]);
    assert_calls(
        &network,
        &[
            (Ec2Operation::DescribeVpcs, 1),
            (Ec2Operation::DescribeSecurityGroups, 1),
        ],
    );
}

#[tokio::test]
async fn name_lookups_of_several_services_take_one_call_per_filter() {
    let account = "520000000003";
    let ec2 = support::ec2::client(account);
    let vpc = new_vpc(&ec2, "10.3.0.0/16").await;
    let app_a = new_subnet(&ec2, &vpc, "10.3.1.0/24", "app-a").await;
    let app_b = new_subnet(&ec2, &vpc, "10.3.2.0/24", "app-b").await;
    // Found by its group name, and by its Name tag.
    let web = new_group(&ec2, &vpc, "web", None).await;
    let db = new_group(&ec2, &vpc, "ecs-rs-db", Some("db")).await;

    let network = support::ec2::network(account);
    let mut desired = stack(&[
        (
            "api",
            json!(["name:app-a", "name:app-b"]),
            json!(["name:web", "name:db"]),
        ),
        (
            "worker",
            json!(["name:app-b"]),
            json!(["name:db", "sg-0123456789abcdef0"]),
        ),
        (
            "admin",
            json!(["name:app-a", "subnet-0123456789abcdef0"]),
            json!(["name:ecs-rs-db"]),
        ),
    ]);
    let resolved = network.resolve(&mut desired).await.expect("resolved");

    assert_eq!(
        network_of(&desired, 0),
        (
            vec![app_a.clone(), app_b.clone()],
            vec![web.clone(), db.clone()]
        )
    );
    assert_eq!(
        network_of(&desired, 1),
        (
            vec![app_b.clone()],
            vec![db.clone(), "sg-0123456789abcdef0".to_owned()]
        )
    );
    assert_eq!(
        network_of(&desired, 2),
        (
            vec![app_a.clone(), "subnet-0123456789abcdef0".to_owned()],
            vec![db.clone()]
        )
    );
    let shown = resolved.to_string();
    let first = format!("service api, subnets \"name:app-a\" -> {app_a}");
    assert_eq!(shown.lines().next(), Some(first.as_str()));
    assert_eq!(shown.lines().count(), 8);
    // One tag:Name subnet call; one group-name and one tag:Name group call; no DescribeVpcs.
    assert_calls(
        &network,
        &[
            (Ec2Operation::DescribeSubnets, 1),
            (Ec2Operation::DescribeSecurityGroups, 2),
        ],
    );
}

#[tokio::test]
async fn defaults_and_names_together_take_at_most_five_calls() {
    let account = "520000000004";
    let ec2 = support::ec2::client(account);
    let vpc = default_vpc(&ec2).await;
    let private = new_subnet(&ec2, &vpc, "172.31.96.0/20", "private").await;
    let web = new_group(&ec2, &vpc, "web", Some("web")).await;

    let network = support::ec2::network(account);
    let mut desired = stack(&[
        (
            "api",
            json!(["default", "name:private"]),
            json!(["default", "name:web"]),
        ),
        ("worker", json!(["name:private"]), json!(["default"])),
    ]);
    network.resolve(&mut desired).await.expect("resolved");
    let (subnets, groups) = network_of(&desired, 0);
    assert_eq!(subnets.len(), 7, "six default subnets and the named one");
    assert_eq!(subnets.last(), Some(&private));
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[1], web);
    assert_eq!(network_of(&desired, 1).0, [private]);
    assert_calls(
        &network,
        &[
            (Ec2Operation::DescribeVpcs, 1),
            (Ec2Operation::DescribeSubnets, 2),
            (Ec2Operation::DescribeSecurityGroups, 2),
        ],
    );
}

#[tokio::test]
async fn a_missing_or_shared_name_is_an_error_that_names_the_lookup() {
    let account = "520000000005";
    let ec2 = support::ec2::client(account);
    let vpc = new_vpc(&ec2, "10.5.0.0/16").await;
    let twin_1 = new_subnet(&ec2, &vpc, "10.5.1.0/24", "twin").await;
    let twin_2 = new_subnet(&ec2, &vpc, "10.5.2.0/24", "twin").await;

    let network = support::ec2::network(account);
    let mut desired = stack(&[(
        "web",
        json!(["name:twin", "default"]),
        json!(["name:no-such-group"]),
    )]);
    let before = desired.clone();
    let error = network
        .resolve(&mut desired)
        .await
        .expect_err("two failures");
    assert_eq!(desired, before, "the stack is not changed on error");

    let NetworkError::Lookups(errors) = &error else {
        panic!("unexpected error: {error}");
    };
    assert_eq!(errors.len(), 2);
    let LookupError::Ambiguous { lookup, ids } = &errors[0] else {
        panic!("unexpected error: {}", errors[0]);
    };
    assert_eq!(lookup.target, Target::SubnetNamed("twin".to_owned()));
    let mut expected = vec![twin_1, twin_2];
    expected.sort();
    assert_eq!(ids, &expected);
    let LookupError::NotFound { lookup } = &errors[1] else {
        panic!("unexpected error: {}", errors[1]);
    };
    assert_eq!(lookup.original, "name:no-such-group");
    assert_eq!(
        lookup.path.to_string(),
        "services[0].networkConfiguration.awsvpcConfiguration.securityGroups[0]"
    );
    let message = error.to_string();
    assert!(message.contains("\"name:twin\""), "{message}");
    assert!(
        message.contains(
            "service web, securityGroups \"name:no-such-group\": no security group has the \
             group name or Name tag \"no-such-group\""
        ),
        "{message}"
    );
}

/// An endpoint where nothing listens: any call to it fails.
fn closed_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}")
}

#[tokio::test]
async fn a_stack_of_ids_makes_no_call() {
    let closed = closed_endpoint();
    let network = Network::from_client(support::ec2::client_at(&closed, "520000000006"));
    let mut desired = stack(&[
        ("web", json!(["subnet-1", "subnet-2"]), json!(["sg-1"])),
        ("worker", json!(["subnet-3"]), json!([])),
    ]);
    let before = desired.clone();
    let resolved = network
        .resolve(&mut desired)
        .await
        .expect("no call to fail");
    assert!(resolved.is_empty());
    assert_eq!(desired, before);
    assert!(network.calls().is_empty());

    // A value that is neither an ID nor a lookup fails before any call, too.
    let mut wrong = stack(&[("web", json!(["sg-1"]), json!(["web"]))]);
    let error = network.resolve(&mut wrong).await.expect_err("not lookups");
    assert_eq!(error.lookup_errors().len(), 2, "{error}");
    assert!(network.calls().is_empty());

    // The endpoint really is closed: a lookup reaches it and fails.
    let mut lookup = stack(&[("web", json!(["default"]), json!([]))]);
    let error = network.resolve(&mut lookup).await.expect_err("closed");
    assert!(
        matches!(
            error,
            NetworkError::Transport {
                operation: Ec2Operation::DescribeSubnets,
                ..
            }
        ),
        "{error}"
    );
}
