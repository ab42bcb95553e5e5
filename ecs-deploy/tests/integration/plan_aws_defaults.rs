//! What the planner does with what AWS answers beyond the request, against the local endpoint
//! behind the scripted layer of `support/script.rs`: the members AWS fills in with its defaults
//! and members newer than the model plan no change; a launch type becomes a capacity provider
//! strategy (and back) in place, with the new deployment AWS requires; and a new deployment of
//! an unchanged service can be forced.

use std::time::Duration;

use crate::support;
use crate::support::script::{Outcome, Scripted};

use ecs_deploy::plan::{AwsValue, Capacity, ForceDeployment, Owner, Reason};
use ecs_deploy::wait::{WaitEvent, WaitOptions};
use ecs_deploy::{Action, ApplyOptions, Deployer, Event, Operation, Options, Plan};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

/// The subnets of the default VPC and its `default` security group, in moto account
/// `account`: what an awsvpc service's network configuration names.
async fn default_network(account: &str) -> Value {
    let ec2 = support::ec2::client(account);
    let subnets = ec2
        .describe_subnets()
        .send()
        .await
        .expect("DescribeSubnets");
    let subnets: Vec<&str> = subnets
        .subnets()
        .iter()
        .filter(|s| s.default_for_az() == Some(true))
        .filter_map(|s| s.subnet_id())
        .take(2)
        .collect();
    assert!(!subnets.is_empty(), "the default VPC has subnets");
    let groups = ec2
        .describe_security_groups()
        .send()
        .await
        .expect("DescribeSecurityGroups");
    let group = groups
        .security_groups()
        .iter()
        .find(|g| g.group_name() == Some("default"))
        .and_then(|g| g.group_id())
        .expect("the default security group");
    json!({"awsvpcConfiguration": {"subnets": subnets, "securityGroups": [group]}})
}

/// One cluster (offering the Fargate providers), one family, one service on `network` with
/// `service`'s members added.
fn stack(network: &Value, service: Value) -> Stack {
    let mut web = json!({
        "serviceName": "web", "cluster": "shop", "taskDefinition": "web", "desiredCount": 2,
        "networkConfiguration": network
    });
    if let (Some(web), Some(extra)) = (web.as_object_mut(), service.as_object()) {
        web.extend(extra.clone());
    }
    from_value::<Stack>(&json!({
        "clusters": [{"clusterName": "shop", "capacityProviders": ["FARGATE", "FARGATE_SPOT"]}],
        "taskDefinitions": [{
            "family": "web",
            "requiresCompatibilities": ["EC2", "FARGATE"],
            "networkMode": "awsvpc", "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": "web", "image": "nginx:latest"}]
        }],
        "services": [web]
    }))
    .value
    .expect("a stack")
}

/// A deployer through a new scripted layer, in moto account `account`, not waiting for
/// deployments (the endpoint runs no tasks), and the account's default network.
async fn deployer(account: &str) -> (Scripted, Deployer, Value) {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let ecs = support::ecs_at(&scripted.url, account).await;
    let deployer = Deployer::new(ecs, Options::new("shop")).apply_options(ApplyOptions::no_wait());
    (scripted, deployer, default_network(account).await)
}

fn service_change(plan: &Plan) -> &ecs_deploy::Change {
    plan.changes
        .iter()
        .find(|c| c.address.to_string() == "service shop/web")
        .expect("the service is in the plan")
}

async fn describe(deployer: &Deployer) -> Value {
    let described = deployer
        .ecs()
        .call(
            Operation::DescribeServices,
            &json!({"cluster": "shop", "services": ["web"]}),
        )
        .await
        .expect("describe");
    described["services"][0].clone()
}

/// Before the planner knew these defaults, the second plan was `~ update in place` removing
/// `strategy`, `bakeTimeInMinutes`, `resetOnHealthyTask` and `thresholdConfiguration`, and it
/// would have removed the member newer than the model: on every plan, forever.
#[tokio::test]
async fn a_circuit_breaker_stack_plans_no_change_despite_what_aws_fills_in() {
    let (scripted, deployer, network) = deployer("620000000001").await;
    scripted.echo_service_defaults();
    scripted.add_service_member("/deploymentConfiguration/futureMember", json!(1));
    let desired = stack(
        &network,
        json!({
            "launchType": "FARGATE",
            "deploymentConfiguration": {"deploymentCircuitBreaker": {"enable": true, "rollback": true}}
        }),
    );
    let plan = deployer.plan(&desired).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");

    // AWS's answer does carry what the stack left out.
    let described = describe(&deployer).await;
    let configuration = &described["deploymentConfiguration"];
    assert_eq!(configuration["strategy"], "ROLLING", "{described:#}");
    assert_eq!(configuration["bakeTimeInMinutes"], 0);
    assert_eq!(
        configuration["deploymentCircuitBreaker"]["resetOnHealthyTask"],
        true
    );
    assert_eq!(
        configuration["deploymentCircuitBreaker"]["thresholdConfiguration"],
        json!({"type": "BOUNDED_PERCENT", "value": 50})
    );
    assert_eq!(configuration["futureMember"], 1);

    let again = deployer.plan(&desired).await.expect("plan again");
    assert!(
        !again.has_changes(),
        "{:#?}",
        again
            .changes
            .iter()
            .map(|c| (&c.address, &c.fields))
            .collect::<Vec<_>>()
    );
    // The member the model does not know is kept at AWS's value, and the plan says so.
    let kept: Vec<(String, &Value, Owner)> = service_change(&again)
        .kept
        .iter()
        .map(|k| (k.path.to_string(), &k.value, k.owner))
        .collect();
    assert_eq!(
        kept,
        [(
            "deploymentConfiguration.futureMember".to_owned(),
            &json!(1),
            Owner::Aws {
                value: AwsValue::UnknownMember
            }
        )]
    );

    // Taking the breaker's member back to AWS's default still shows, and applies.
    let strict = stack(
        &network,
        json!({
            "launchType": "FARGATE",
            "deploymentConfiguration": {"deploymentCircuitBreaker": {
                "enable": true, "rollback": true, "resetOnHealthyTask": false
            }}
        }),
    );
    let plan = deployer.plan(&strict).await.expect("plan");
    let change = service_change(&plan);
    assert_eq!(change.action, Action::Update);
    let paths: Vec<String> = change.fields.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(
        paths,
        ["deploymentConfiguration.deploymentCircuitBreaker.resetOnHealthyTask"]
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");
    assert!(!deployer.plan(&strict).await.expect("plan").has_changes());
    let back = deployer.plan(&desired).await.expect("plan");
    let change = service_change(&back);
    assert_eq!(change.action, Action::Update);
    assert_eq!(change.fields[0].before, Some(json!(false)));
    assert_eq!(change.fields[0].after, Some(json!(true)));
    deployer.apply(&back, |_| {}).await.expect("apply");
    assert!(!deployer.plan(&desired).await.expect("plan").has_changes());
}

#[tokio::test]
async fn a_launch_type_becomes_a_capacity_provider_strategy_in_place() {
    let (scripted, deployer, network) = deployer("620000000002").await;
    scripted.echo_service_defaults();
    scripted.play_capacity_provider_strategies();
    let fargate = stack(&network, json!({"launchType": "FARGATE"}));
    let plan = deployer.plan(&fargate).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("create");
    let arn = describe(&deployer).await["serviceArn"].clone();

    let spot = stack(
        &network,
        json!({"capacityProviderStrategy": [
            {"capacityProvider": "FARGATE_SPOT", "weight": 1}
        ]}),
    );
    let plan = deployer.plan(&spot).await.expect("plan");
    let change = service_change(&plan);
    assert_eq!(
        change.action,
        Action::UpdateAndDeploy,
        "{:?}",
        change.reason
    );
    assert!(matches!(
        &change.reason,
        Some(Reason::CapacityMoved {
            from: Capacity::LaunchType { .. },
            to: Capacity::Strategy { .. }
        })
    ));
    let operations: Vec<Operation> = change.steps.iter().map(|s| s.operation()).collect();
    assert_eq!(operations, [Operation::UpdateService]);
    assert_eq!(change.steps[0].input()["forceNewDeployment"], true);

    // AWS (and the layer) refuse the same change without a new deployment.
    let unforced = deployer
        .ecs()
        .call(
            Operation::UpdateService,
            &json!({"cluster": "shop", "service": "web",
                    "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT"}]}),
        )
        .await
        .expect_err("a strategy change without forceNewDeployment is refused");
    assert_eq!(unforced.code(), Some("InvalidParameterException"));

    deployer.apply(&plan, |_| {}).await.expect("apply in place");
    let described = describe(&deployer).await;
    assert_eq!(
        described["serviceArn"], arn,
        "the same service, not a new one"
    );
    assert_eq!(
        described["capacityProviderStrategy"][0]["capacityProvider"],
        "FARGATE_SPOT"
    );
    assert!(described.get("launchType").is_none(), "{described:#}");
    assert!(!deployer.plan(&spot).await.expect("plan").has_changes());

    // And back to the launch type, with an empty strategy.
    let plan = deployer.plan(&fargate).await.expect("plan");
    let change = service_change(&plan);
    assert_eq!(change.action, Action::UpdateAndDeploy);
    assert_eq!(
        change.steps[0].input()["capacityProviderStrategy"],
        json!([])
    );
    deployer.apply(&plan, |_| {}).await.expect("apply back");
    assert_eq!(describe(&deployer).await["launchType"], "FARGATE");
    assert!(!deployer.plan(&fargate).await.expect("plan").has_changes());
}

#[tokio::test]
async fn a_forced_deployment_of_an_unchanged_service_starts_one() {
    let (scripted, deployer, network) = deployer("620000000003").await;
    let desired = stack(&network, json!({"launchType": "FARGATE"}));
    let plan = deployer.plan(&desired).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("create");
    assert!(!deployer.plan(&desired).await.expect("plan").has_changes());
    let runs = describe(&deployer).await["taskDefinition"].clone();

    let forcing = Deployer::new(
        deployer.ecs().clone(),
        Options::new("shop").force_new_deployment(ForceDeployment::Service("web".into())),
    )
    .apply_options(ApplyOptions::wait(
        WaitOptions::new(Duration::from_secs(10), Duration::from_millis(20)),
        true,
    ));
    let plan = forcing.plan(&desired).await.expect("plan");
    let change = service_change(&plan);
    assert_eq!(change.action, Action::UpdateAndDeploy);
    assert_eq!(change.reason, Some(Reason::ForcedDeployment));
    assert_eq!(
        change.steps[0].input(),
        json!({"cluster": "shop", "service": "web", "taskDefinition": runs,
               "forceNewDeployment": true})
    );
    assert!(change.rollback.is_some());

    scripted.next_deployment("web", Outcome::Complete(2));
    let mut progress = 0;
    forcing
        .apply(&plan, |event| {
            if let Event::Wait(WaitEvent::Progress { .. }) = event {
                progress += 1;
            }
        })
        .await
        .expect("the forced deployment completes");
    assert!(progress >= 1, "a deployment was started and followed");
    assert_eq!(describe(&deployer).await["taskDefinition"], runs);
}
