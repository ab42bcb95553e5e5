//! Service Connect with a namespace of the stack, against the local endpoint behind the
//! scripted layer (which answers Service Connect namespaces as AWS does: see
//! `support/script/service_connect.rs`): an HTTP namespace, a cluster whose
//! `serviceConnectDefaults` names it, and a Fargate service whose `serviceConnectConfiguration`
//! names it too, by name. One apply creates the namespace before the cluster and the service;
//! the cluster and the service read back with the namespace's ARN; a second plan shows no
//! change; destroy removes them all.

use crate::support;

use ecs_deploy::{Action, ApplyOptions, Deployer, Operation, Options, Plan};
use ecs_model::Stack;
use serde_json::{Value, json};
use support::script::Scripted;

fn stack(namespace: &str) -> Stack {
    let value = json!({
        "namespaces": [{"Name": namespace}],
        "clusters": [{"clusterName": "sc", "serviceConnectDefaults": {"namespace": namespace}}],
        "taskDefinitions": [{
            "family": "sc-api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "api", "image": "nginx:1.27",
                "portMappings": [{"containerPort": 80, "name": "http"}]}]
        }],
        "services": [{
            "serviceName": "api", "cluster": "sc", "taskDefinition": "sc-api",
            "launchType": "FARGATE", "desiredCount": 1,
            "networkConfiguration": {"awsvpcConfiguration": {
                "subnets": ["default"], "securityGroups": ["default"]
            }},
            "serviceConnectConfiguration": {
                "enabled": true, "namespace": namespace,
                "services": [{"portName": "http", "discoveryName": "api",
                              "clientAliases": [{"port": 80, "dnsName": "api.internal"}]}]
            }
        }]
    });
    ecs_model::load::from_value::<Stack>(&value)
        .value
        .expect("a stack")
}

fn changed(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| !matches!(c.action, Action::NoChange | Action::NotManaged))
        .map(|c| format!("{} {:?}", c.address, c.action))
        .collect()
}

/// The namespaces of `name` in the account: (ARN, whether it carries the stack's tag `stack`).
async fn namespaces(
    client: &aws_sdk_servicediscovery::Client,
    name: &str,
    stack: &str,
) -> Vec<(String, bool)> {
    let listed = client
        .list_namespaces()
        .send()
        .await
        .expect("ListNamespaces");
    let mut out = Vec::new();
    for found in listed
        .namespaces()
        .iter()
        .filter(|n| n.name() == Some(name))
    {
        let arn = found.arn().expect("an ARN").to_owned();
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .expect("ListTagsForResource");
        let ours = tags
            .tags()
            .iter()
            .any(|t| t.key() == "ecs-rs:stack" && t.value() == stack);
        out.push((arn, ours));
    }
    out
}

#[tokio::test]
async fn a_namespace_of_the_stack_named_by_the_cluster_and_the_service() {
    let account = "710000000001";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.echo_service_connect();
    let ecs = support::ecs_at(&scripted.url, account).await;
    let client = support::cloud_map::client(account);
    let deployer = Deployer::new(ecs.clone(), Options::new("connect"))
        .network(support::ec2::network(account))
        .cloud_map(support::cloud_map::cloud_map(account))
        .apply_options(ApplyOptions::no_wait());
    let name = support::unique("sc").replace('_', "-");
    let wanted = stack(&name);

    // 1. One apply: the namespace before the cluster and the service that name it.
    let plan = deployer.plan(&wanted).await.expect("a plan");
    let mut order = Vec::new();
    deployer
        .apply(&plan, |event| {
            if let ecs_deploy::apply::Event::Called { operation, .. } = event
                && matches!(
                    operation,
                    Operation::CreateHttpNamespace
                        | Operation::CreateCluster
                        | Operation::CreateService
                )
            {
                order.push(operation);
            }
        })
        .await
        .expect("the apply");
    assert_eq!(
        order,
        [
            Operation::CreateHttpNamespace,
            Operation::CreateCluster,
            Operation::CreateService
        ]
    );
    // One namespace of the name, the stack's: ECS found it and made none of its own (it would
    // have, had the cluster come first: the layer plays that).
    let found = namespaces(&client, &name, "connect").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let (arn, ours) = found[0].clone();
    assert!(ours, "{found:?}");

    // Read back through the layer: the namespace's ARN on the cluster and the service.
    let clusters = ecs
        .call(Operation::DescribeClusters, &json!({"clusters": ["sc"]}))
        .await
        .expect("DescribeClusters");
    assert_eq!(
        clusters.pointer("/clusters/0/serviceConnectDefaults/namespace"),
        Some(&Value::from(arn.clone())),
        "{clusters}"
    );
    let service = support::read_back::service(&ecs, "sc", "api").await;
    let primary = service["deployments"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["status"] == "PRIMARY"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        primary["serviceConnectConfiguration"]["namespace"],
        Value::from(arn.clone()),
        "{service}"
    );
    assert_eq!(
        primary["serviceConnectConfiguration"]["services"][0]["portName"],
        "http"
    );

    // 2. Nothing changed: the names of the stack against the ARNs AWS answers are no change.
    let plan = deployer.plan(&wanted).await.expect("a plan");
    assert!(changed(&plan).is_empty(), "{:?}", changed(&plan));

    // 3. Destroy: the service, the cluster, then the namespace.
    let plan = deployer.plan_destroy(&wanted).await.expect("a plan");
    deployer.apply(&plan, |_| {}).await.expect("the apply");
    assert!(namespaces(&client, &name, "connect").await.is_empty());
    let clusters = ecs
        .call(Operation::DescribeClusters, &json!({"clusters": ["sc"]}))
        .await
        .expect("DescribeClusters");
    let status = clusters
        .pointer("/clusters/0/status")
        .and_then(Value::as_str);
    assert!(status.is_none_or(|s| s == "INACTIVE"), "{clusters}");
}
