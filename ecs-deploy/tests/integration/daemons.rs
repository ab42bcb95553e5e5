//! Daemons and task placement on EC2, deployed through the library against the local endpoint:
//! two EC2 instances (moto's RunInstances) join the cluster as container instances
//! (RegisterContainerInstance with their instance identity documents), then a stack with a
//! DAEMON service and a REPLICA service with placement strategies and constraints is applied.
//!
//! The services are read back through DescribeServices behind the scripted layer, which shows
//! the placement members as AWS stores them (moto drops them on CreateService:
//! [`Scripted::echo_placement`]) and the deployment configuration AWS fills in
//! ([`Scripted::echo_service_defaults`]). A second plan shows no change, and a new placement
//! strategy is an UpdateService of that member alone with a forced deployment.

use crate::support;
use crate::support::script::Scripted;

use ecs_deploy::{Action, ApplyOptions, Deployer, Operation, Options, Plan};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

const CLUSTER: &str = "fleet";

/// The memberOf expression both services use: instances of the t3 family.
const T3_ONLY: &str = "attribute:ecs.instance-type =~ t3.*";

fn load(value: &Value) -> Stack {
    from_value::<Stack>(value).value.expect("a stack")
}

/// The cluster alone.
fn cluster_only() -> Value {
    json!({"clusters": [{"clusterName": CLUSTER}]})
}

/// The cluster, an agent run as a DAEMON on every t3 instance, and `web`, two replicas placed
/// with `strategy` on distinct t3 instances. Both on EC2 in the bridge network mode.
fn fleet(strategy: &Value) -> Value {
    json!({
        "clusters": [{"clusterName": CLUSTER}],
        "taskDefinitions": [
            {
                "family": "agent",
                "requiresCompatibilities": ["EC2"],
                "networkMode": "bridge",
                "containerDefinitions": [{
                    "name": "agent", "image": "amazon/cloudwatch-agent:latest", "memory": 128
                }]
            },
            {
                "family": "web",
                "requiresCompatibilities": ["EC2"],
                "networkMode": "bridge",
                "containerDefinitions": [{
                    "name": "web", "image": "nginx:1.27", "memory": 256,
                    "portMappings": [{"containerPort": 80, "hostPort": 0}]
                }]
            }
        ],
        "services": [
            {
                "serviceName": "agent", "cluster": CLUSTER, "taskDefinition": "agent",
                "schedulingStrategy": "DAEMON", "launchType": "EC2",
                "placementConstraints": [{"type": "memberOf", "expression": T3_ONLY}]
            },
            {
                "serviceName": "web", "cluster": CLUSTER, "taskDefinition": "web",
                "desiredCount": 2, "launchType": "EC2",
                "placementStrategy": strategy,
                "placementConstraints": [
                    {"type": "distinctInstance"},
                    {"type": "memberOf", "expression": T3_ONLY}
                ]
            }
        ]
    })
}

/// Spread over Availability Zones, then pack by memory.
fn spread_then_binpack(field: &str) -> Value {
    json!([
        {"type": "spread", "field": "attribute:ecs.availability-zone"},
        {"type": "binpack", "field": field}
    ])
}

/// Starts one t3.medium instance in each of two default subnets (two Availability Zones) of
/// moto account `account` and registers each with the cluster as a container instance, through
/// its instance identity document. The container instances' ARNs.
async fn register_instances(account: &str) -> Vec<String> {
    let ec2 = support::ec2::client(account);
    let images = ec2.describe_images().send().await.expect("DescribeImages");
    let image = images
        .images()
        .iter()
        .find_map(|i| i.image_id())
        .expect("moto has AMIs")
        .to_owned();
    let subnets = support::ec2::default_subnets(account).await;
    assert!(subnets.len() >= 2, "two default subnets: {subnets:?}");
    let mut arns = Vec::new();
    for subnet in &subnets[..2] {
        let started = ec2
            .run_instances()
            .image_id(&image)
            .instance_type(aws_sdk_ec2::types::InstanceType::T3Medium)
            .subnet_id(subnet)
            .min_count(1)
            .max_count(1)
            .send()
            .await
            .expect("RunInstances");
        let instance = &started.instances()[0];
        let document = json!({
            "instanceId": instance.instance_id().expect("an instance ID"),
            "instanceType": "t3.medium",
            "availabilityZone": instance
                .placement()
                .and_then(|p| p.availability_zone())
                .expect("an Availability Zone"),
            "region": "us-east-1",
            "accountId": account,
        });
        let (status, answer) = support::raw(
            support::local_ecs::endpoint(),
            account,
            "RegisterContainerInstance",
            &json!({"cluster": CLUSTER, "instanceIdentityDocument": document.to_string()}),
        );
        assert_eq!(status, 200, "{answer}");
        let registered = &answer["containerInstance"];
        let attribute = |name: &str| {
            registered["attributes"]
                .as_array()
                .and_then(|a| a.iter().find(|a| a["name"] == name))
                .map(|a| a["value"].clone())
        };
        assert_eq!(attribute("ecs.instance-type"), Some(json!("t3.medium")));
        arns.push(
            registered["containerInstanceArn"]
                .as_str()
                .expect("an ARN")
                .to_owned(),
        );
    }
    arns
}

async fn describe(deployer: &Deployer, name: &str) -> Value {
    let described = deployer
        .ecs()
        .call(
            Operation::DescribeServices,
            &json!({"cluster": CLUSTER, "services": [name]}),
        )
        .await
        .expect("DescribeServices");
    described["services"][0].clone()
}

fn change<'p>(plan: &'p Plan, address: &str) -> &'p ecs_deploy::Change {
    plan.changes
        .iter()
        .find(|c| c.address.to_string() == address)
        .unwrap_or_else(|| panic!("{address} is not in the plan"))
}

fn assert_no_changes(plan: &Plan) {
    assert!(
        !plan.has_changes(),
        "{:#?}",
        plan.changes
            .iter()
            .filter(|c| c.action != Action::NoChange)
            .map(|c| (c.address.to_string(), &c.fields))
            .collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn a_daemon_and_placed_replicas_deploy_on_registered_container_instances() {
    let account = "680000000001";
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.echo_service_defaults();
    scripted.echo_placement();
    let ecs = support::ecs_at(&scripted.url, account).await;
    let deployer = Deployer::new(ecs, Options::new(CLUSTER)).apply_options(ApplyOptions::no_wait());

    // The cluster, then two instances in it.
    let plan = deployer
        .plan(&load(&cluster_only()))
        .await
        .expect("plan the cluster");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let instances = register_instances(account).await;
    let listed = deployer
        .ecs()
        .call(Operation::DescribeClusters, &json!({"clusters": [CLUSTER]}))
        .await
        .expect("DescribeClusters");
    assert_eq!(
        listed["clusters"][0]["registeredContainerInstancesCount"],
        json!(instances.len())
    );

    // The services: the daemon's CreateService sends no desired count (the scheduler runs one
    // task per instance) and no deployment percentages the stack does not set.
    let desired = load(&fleet(&spread_then_binpack("memory")));
    let plan = deployer.plan(&desired).await.expect("plan the services");
    let agent = change(&plan, "service fleet/agent");
    assert_eq!(agent.action, Action::Create);
    let create = agent.steps[0].input();
    assert_eq!(agent.steps[0].operation(), Operation::CreateService);
    assert_eq!(create["schedulingStrategy"], "DAEMON");
    assert!(create.get("desiredCount").is_none(), "{create}");
    assert!(create.get("deploymentConfiguration").is_none(), "{create}");
    assert!(create.get("placementStrategy").is_none(), "{create}");
    let web = change(&plan, "service fleet/web");
    assert_eq!(
        web.steps[0].input()["placementStrategy"],
        spread_then_binpack("memory")
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");

    // What AWS stores, read back.
    let agent = describe(&deployer, "agent").await;
    assert_eq!(agent["status"], "ACTIVE");
    assert_eq!(agent["schedulingStrategy"], "DAEMON");
    assert_eq!(agent["launchType"], "EC2");
    assert_eq!(
        agent["placementConstraints"],
        json!([{"type": "memberOf", "expression": T3_ONLY}])
    );
    assert_eq!(agent["placementStrategy"], json!([]));
    assert_eq!(
        agent["deploymentConfiguration"]["minimumHealthyPercent"], 0,
        "a DAEMON's default"
    );
    assert!(agent["deploymentConfiguration"]["maximumPercent"].is_null());

    let web = describe(&deployer, "web").await;
    assert_eq!(web["schedulingStrategy"], "REPLICA");
    assert_eq!(web["desiredCount"], 2);
    assert_eq!(web["placementStrategy"], spread_then_binpack("memory"));
    assert_eq!(
        web["placementConstraints"],
        json!([
            {"type": "distinctInstance"},
            {"type": "memberOf", "expression": T3_ONLY}
        ])
    );
    assert_eq!(web["deploymentConfiguration"]["maximumPercent"], 200);

    // Unchanged, the stack plans nothing: no difference from the order AWS keeps the
    // constraints in, from the empty strategy of the daemon, from its desired count or from
    // the percentages AWS fills in.
    assert_no_changes(&deployer.plan(&desired).await.expect("plan again"));
    // The same constraints in another order are the same set.
    let mut reordered = fleet(&spread_then_binpack("memory"));
    if let Some(constraints) = reordered["services"][1]["placementConstraints"].as_array_mut() {
        constraints.reverse();
    }
    assert_no_changes(
        &deployer
            .plan(&load(&reordered))
            .await
            .expect("plan reordered"),
    );

    // Pack by CPU instead: UpdateService with the new strategy alone, and a new deployment, as
    // UpdateService does not start one for a placement change.
    let by_cpu = load(&fleet(&spread_then_binpack("cpu")));
    let plan = deployer.plan(&by_cpu).await.expect("plan the new strategy");
    let changed: Vec<(String, Action)> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoChange)
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    assert_eq!(
        changed,
        [("service fleet/web".to_owned(), Action::UpdateAndDeploy)]
    );
    let web = change(&plan, "service fleet/web");
    let paths: Vec<String> = web.fields.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(paths, ["placementStrategy[1].field"]);
    assert_eq!(web.steps.len(), 1);
    assert_eq!(web.steps[0].operation(), Operation::UpdateService);
    let update = web.steps[0].input();
    assert_eq!(update["placementStrategy"], spread_then_binpack("cpu"));
    assert_eq!(update["forceNewDeployment"], true);
    for member in ["placementConstraints", "desiredCount", "launchType"] {
        assert!(update.get(member).is_none(), "{member} in {update}");
    }
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let web = describe(&deployer, "web").await;
    assert_eq!(web["placementStrategy"], spread_then_binpack("cpu"));
    assert_eq!(
        web["placementConstraints"].as_array().map(Vec::len),
        Some(2)
    );
    assert_no_changes(&deployer.plan(&by_cpu).await.expect("plan after the change"));
}
