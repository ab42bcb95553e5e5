//! Cloud Map namespaces and discovery services deployed with the stack on the local endpoint,
//! linked from ECS services by name: created, read back through aws-sdk-servicediscovery and
//! aws-sdk-ecs, planned again without change, updated in place, pruned and destroyed in order,
//! and a namespace the stack does not own never touched.

use crate::support;

use ecs_deploy::{Action, Address, ApplyOptions, Deployer, Operation, Options, Plan};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

struct Names {
    private: String,
    http: String,
    foreign: String,
}

fn names() -> Names {
    let unique = support::unique("cm");
    Names {
        private: format!("{unique}.internal"),
        http: format!("{unique}-http"),
        foreign: format!("{unique}-foreign"),
    }
}

/// The stack: a private DNS namespace in the default VPC, an HTTP namespace, a discovery
/// service in each, and an ECS service registered in each by the discovery service's name.
fn stack(names: &Names, ttl: i64, with_worker: bool) -> Stack {
    let network = json!({"awsvpcConfiguration": {
        "subnets": ["default"], "securityGroups": ["default"]
    }});
    let task = |family: &str| {
        json!({
            "family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
            "cpu": "256", "memory": "512",
            "containerDefinitions": [{"name": family, "image": "nginx:1.27",
                                      "portMappings": [{"containerPort": 80}]}]
        })
    };
    let service = |name: &str, registry: &str| {
        json!({
            "serviceName": name, "cluster": "mesh", "taskDefinition": name,
            "desiredCount": 1, "launchType": "FARGATE", "networkConfiguration": network,
            "serviceRegistries": [{"registryArn": registry}]
        })
    };
    let mut value = json!({
        "namespaces": [
            {"Name": names.private, "Vpc": "default", "Description": "east-west"},
            {"Name": names.foreign}
        ],
        "discoveryServices": [
            {"Name": "api", "NamespaceId": names.private, "Description": "the API",
             "DnsConfig": {"RoutingPolicy": "MULTIVALUE",
                           "DnsRecords": [{"Type": "A", "TTL": ttl}]},
             "HealthCheckCustomConfig": {"FailureThreshold": 1}}
        ],
        "clusters": [{"clusterName": "mesh"}],
        "taskDefinitions": [task("api")],
        "services": [service("api", "api")]
    });
    if with_worker {
        value["namespaces"]
            .as_array_mut()
            .expect("a list")
            .push(json!({"Name": names.http}));
        value["discoveryServices"]
            .as_array_mut()
            .expect("a list")
            .push(json!({"Name": "worker", "NamespaceId": names.http}));
        value["taskDefinitions"]
            .as_array_mut()
            .expect("a list")
            .push(task("worker"));
        value["services"]
            .as_array_mut()
            .expect("a list")
            .push(service("worker", "worker"));
    }
    let loaded = from_value::<Stack>(&value);
    loaded.value.expect("a stack")
}

async fn deployer_of(account: &str, options: Options) -> Deployer {
    Deployer::new(support::ecs(account).await, options)
        .network(support::ec2::network(account))
        .cloud_map(support::cloud_map::cloud_map(account))
        .apply_options(ApplyOptions::no_wait())
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect()
}

fn changed(plan: &Plan) -> Vec<(String, Action)> {
    actions(plan)
        .into_iter()
        .filter(|(_, a)| !matches!(a, Action::NoChange | Action::NotManaged))
        .collect()
}

/// A deployer whose ECS calls go to `ecs_url` and Cloud Map calls to `cloud_map_url` (a
/// scripted layer), without the engine's retries of Cloud Map calls, waiting up to 20 s for
/// Cloud Map (polls every 50 ms) and not for deployments.
async fn scripted_deployer(ecs_url: &str, cloud_map_url: &str, account: &str) -> Deployer {
    Deployer::new(
        support::ecs_at(ecs_url, account).await,
        Options::new("mesh"),
    )
    .cloud_map(
        ecs_deploy::CloudMap::from_client(support::cloud_map::client_at(cloud_map_url, account))
            .retries(ecs_deploy::Retries::none()),
    )
    .apply_options(ApplyOptions::no_wait().drain(ecs_deploy::WaitOptions::new(
        std::time::Duration::from_secs(20),
        std::time::Duration::from_millis(50),
    )))
}

/// Applies `plan`; how many times the apply waited for `reason`.
async fn apply_counting(
    deployer: &Deployer,
    plan: &Plan,
    reason: ecs_deploy::Waiting,
) -> Result<usize, ecs_deploy::ApplyError> {
    let mut waited = 0;
    deployer
        .apply(plan, |event| {
            if matches!(event, ecs_deploy::Event::Waiting { reason: r, .. } if r == reason) {
                waited += 1;
            }
        })
        .await?;
    Ok(waited)
}

/// The stack's tag value of a Cloud Map resource, read back through the SDK.
async fn stack_tag(client: &aws_sdk_servicediscovery::Client, arn: &str) -> Option<String> {
    let tags = client
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .expect("ListTagsForResource");
    tags.tags()
        .iter()
        .find(|t| t.key() == "ecs-rs:stack")
        .map(|t| t.value().to_owned())
}

async fn namespace(
    client: &aws_sdk_servicediscovery::Client,
    name: &str,
) -> Option<aws_sdk_servicediscovery::types::NamespaceSummary> {
    let listed = client
        .list_namespaces()
        .send()
        .await
        .expect("ListNamespaces");
    listed
        .namespaces()
        .iter()
        .find(|n| n.name() == Some(name))
        .cloned()
}

async fn discovery_services(
    client: &aws_sdk_servicediscovery::Client,
    namespace_id: &str,
) -> Vec<aws_sdk_servicediscovery::types::ServiceSummary> {
    use aws_sdk_servicediscovery::types::{FilterCondition, ServiceFilter, ServiceFilterName};
    let filter = ServiceFilter::builder()
        .name(ServiceFilterName::NamespaceId)
        .values(namespace_id)
        .condition(FilterCondition::Eq)
        .build()
        .expect("a filter");
    let listed = client
        .list_services()
        .filters(filter)
        .send()
        .await
        .expect("ListServices")
        .services()
        .to_vec();
    // moto answers every service of the account whatever the filter (AWS applies it): keep
    // those GetService places in the namespace.
    let mut out = Vec::new();
    for summary in listed {
        let service = client
            .get_service()
            .id(summary.id().expect("an id"))
            .send()
            .await
            .expect("GetService");
        if service.service().and_then(|s| s.namespace_id()) == Some(namespace_id) {
            out.push(summary);
        }
    }
    out
}

async fn registry_arn(account: &str, service: &str) -> Option<String> {
    let answer = support::ecs(account)
        .await
        .call(
            Operation::DescribeServices,
            &json!({"cluster": "mesh", "services": [service]}),
        )
        .await
        .expect("DescribeServices");
    answer
        .pointer("/services/0/serviceRegistries/0/registryArn")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[tokio::test]
async fn namespaces_and_discovery_services_deploy_link_update_prune_and_destroy() {
    let account = "300000000091";
    let names = names();
    let client = support::cloud_map::client(account);
    // A namespace of the same name the stack names, made without the stack's tag: not ours.
    client
        .create_http_namespace()
        .name(&names.foreign)
        .send()
        .await
        .expect("CreateHttpNamespace");
    let foreign = namespace(&client, &names.foreign)
        .await
        .expect("the foreign namespace");

    let deployer = deployer_of(account, Options::new("mesh")).await;
    let desired = stack(&names, 60, true);
    let plan = deployer.plan(&desired).await.expect("plan");
    let ns = |name: &str| format!("namespace {name}");
    assert_eq!(
        actions(&plan),
        [
            (ns(&names.private), Action::Create),
            (ns(&names.foreign), Action::NotManaged),
            (ns(&names.http), Action::Create),
            (
                format!("discovery service {}/api", names.private),
                Action::Create
            ),
            (
                format!("discovery service {}/worker", names.http),
                Action::Create
            ),
            ("cluster mesh".to_owned(), Action::Create),
            ("task definition api".to_owned(), Action::Create),
            ("task definition worker".to_owned(), Action::Create),
            ("service mesh/api".to_owned(), Action::Create),
            ("service mesh/worker".to_owned(), Action::Create),
        ]
    );
    // The registry ARN and the namespace id are known after apply: the steps say so.
    let shown = serde_json::to_string(&plan).expect("json");
    assert!(
        shown.contains(ecs_deploy::plan::KNOWN_AFTER_APPLY),
        "{shown}"
    );
    deployer.apply(&plan, |_| {}).await.expect("apply");

    // Read back: the namespaces and discovery services carry the stack's tag, the records are
    // as written, and each ECS service's registry is its discovery service's ARN.
    let private = namespace(&client, &names.private)
        .await
        .expect("the private namespace");
    let http = namespace(&client, &names.http)
        .await
        .expect("the HTTP namespace");
    assert_eq!(
        private.r#type(),
        Some(&aws_sdk_servicediscovery::types::NamespaceType::DnsPrivate)
    );
    assert_eq!(private.description(), Some("east-west"));
    for arn in [private.arn(), http.arn()] {
        let arn = arn.expect("an ARN");
        assert_eq!(stack_tag(&client, arn).await.as_deref(), Some("mesh"));
    }
    assert_eq!(
        stack_tag(&client, foreign.arn().expect("an ARN")).await,
        None
    );
    let api = discovery_services(&client, private.id().expect("an id")).await;
    let [api] = api.as_slice() else {
        panic!("one service in the private namespace: {api:?}");
    };
    assert_eq!(api.name(), Some("api"));
    let records = api.dns_config().expect("a DNS config").dns_records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].r#type().as_str(), "A");
    assert_eq!(records[0].ttl(), 60);
    assert_eq!(
        stack_tag(&client, api.arn().expect("an ARN"))
            .await
            .as_deref(),
        Some("mesh")
    );
    let worker = discovery_services(&client, http.id().expect("an id")).await;
    let [worker] = worker.as_slice() else {
        panic!("one service in the HTTP namespace: {worker:?}");
    };
    assert_eq!(registry_arn(account, "api").await.as_deref(), api.arn());
    assert_eq!(
        registry_arn(account, "worker").await.as_deref(),
        worker.arn()
    );

    // Nothing changes on a second plan, and applying it makes no call.
    let again = deployer.plan(&desired).await.expect("plan again");
    assert!(
        !again.has_changes(),
        "second plan: {:#?}",
        again
            .changes
            .iter()
            .filter(|c| c.action != Action::NoChange)
            .map(|c| (&c.address, c.action, &c.fields, &c.steps))
            .collect::<Vec<_>>()
    );

    // A TTL change is an in-place update of the discovery service, nothing else.
    let longer = stack(&names, 300, true);
    let plan = deployer.plan(&longer).await.expect("plan the TTL");
    assert_eq!(
        changed(&plan),
        [(
            format!("discovery service {}/api", names.private),
            Action::Update
        )]
    );
    let steps: Vec<Operation> = plan
        .changes
        .iter()
        .flat_map(|c| c.steps.iter().map(|s| s.operation()))
        .collect();
    assert_eq!(steps, [Operation::UpdateDiscoveryService]);
    deployer.apply(&plan, |_| {}).await.expect("apply the TTL");
    let api = discovery_services(&client, private.id().expect("an id")).await;
    assert_eq!(
        api[0].dns_config().expect("a DNS config").dns_records()[0].ttl(),
        300
    );
    assert!(
        !deployer
            .plan(&longer)
            .await
            .expect("plan after")
            .has_changes()
    );

    // Pruning the worker: its ECS service, then its discovery service, then its namespace.
    let pruning = deployer_of(account, Options::new("mesh").prune(true)).await;
    let plan = pruning
        .plan(&stack(&names, 300, false))
        .await
        .expect("plan the prune");
    let deletions: Vec<(String, Action)> = changed(&plan);
    assert_eq!(
        deletions,
        [
            ("service mesh/worker".to_owned(), Action::Delete),
            ("task definition worker".to_owned(), Action::Delete),
            (
                format!("discovery service {}/worker", names.http),
                Action::Delete
            ),
            (ns(&names.http), Action::Delete),
        ]
    );
    pruning.apply(&plan, |_| {}).await.expect("apply the prune");
    assert!(namespace(&client, &names.http).await.is_none());
    assert!(namespace(&client, &names.private).await.is_some());

    // Destroying: everything the stack owns goes; the foreign namespace stays.
    let plan = deployer
        .plan_destroy(&stack(&names, 300, false))
        .await
        .expect("plan destroy");
    let foreign_change = plan
        .changes
        .iter()
        .find(|c| {
            c.address
                == Address::Namespace {
                    name: names.foreign.clone(),
                }
        })
        .expect("the foreign namespace is listed");
    assert_eq!(foreign_change.action, Action::NotManaged);
    let order: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.to_string())
        .collect();
    let at = |address: &str| order.iter().position(|a| a == address).expect(address);
    assert!(at("service mesh/api") < at(&format!("discovery service {}/api", names.private)));
    assert!(at(&format!("discovery service {}/api", names.private)) < at(&ns(&names.private)));
    deployer.apply(&plan, |_| {}).await.expect("destroy");
    assert!(namespace(&client, &names.private).await.is_none());
    assert!(namespace(&client, &names.foreign).await.is_some());
    let after = deployer
        .plan_destroy(&stack(&names, 300, false))
        .await
        .expect("plan destroy again");
    assert!(!after.has_changes(), "{:?}", actions(&after));
}

/// AWS refuses DeleteNamespace with `ResourceInUse` while the namespace still holds services
/// (<https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteNamespace.html>); moto deletes
/// it anyway, so the scripted layer plays the refusal: the apply waits, tries again, and the
/// namespace goes once Cloud Map lets it.
#[tokio::test]
async fn a_namespace_still_in_use_is_deleted_once_cloud_map_lets_it() {
    use crate::support::script::Scripted;
    use ecs_deploy::apply::Waiting;

    let account = "300000000092";
    let names = names();
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let deployer = scripted_deployer(&scripted.url, &scripted.url, account).await;
    let desired = from_value::<Stack>(&json!({
        "namespaces": [{"Name": names.http}],
        "discoveryServices": [{"Name": "worker", "NamespaceId": names.http}]
    }))
    .value
    .expect("a stack");
    let plan = deployer.plan(&desired).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");

    scripted.refuse_first("DeleteNamespace", "ResourceInUse", 2);
    let plan = deployer.plan_destroy(&desired).await.expect("plan destroy");
    assert_eq!(
        changed(&plan),
        [
            (
                format!("discovery service {}/worker", names.http),
                Action::Delete
            ),
            (format!("namespace {}", names.http), Action::Delete),
        ]
    );
    let waited = apply_counting(&deployer, &plan, Waiting::NamespaceInUse)
        .await
        .expect("destroy");
    assert_eq!(waited, 2, "one wait per refusal");
    let client = support::cloud_map::client(account);
    assert!(namespace(&client, &names.http).await.is_none());
}

/// Namespace creation and update are asynchronous on AWS: GetOperation answers `SUBMITTED`,
/// then `PENDING`, then `SUCCESS` or `FAIL` with an `ErrorMessage`
/// (<https://docs.aws.amazon.com/cloud-map/latest/api/API_Operation.html>). moto answers
/// `SUCCESS` at once, so the layer of `support::cloud_map` plays the pending polls and a failed
/// update: the apply waits for the creation (one Waiting event per poll that is not final),
/// and reports the failed update with Cloud Map's code and message, the namespace unchanged.
#[tokio::test]
async fn pending_cloud_map_operations_are_waited_for_and_a_failed_one_is_reported() {
    use crate::support::cloud_map::CloudMapScript;
    use ecs_deploy::apply::{Failure, Waiting};

    let account = "300000000093";
    let names = names();
    let script = CloudMapScript::start(support::local_ecs::endpoint());
    script.pending_polls(3);
    let deployer = scripted_deployer(support::local_ecs::endpoint(), &script.url, account).await;
    let stack = |description: &str| {
        from_value::<Stack>(&json!({
            "namespaces": [{"Name": names.http, "Description": description}]
        }))
        .value
        .expect("a stack")
    };
    let desired = stack("first");
    let plan = deployer.plan(&desired).await.expect("plan");
    let waited = apply_counting(&deployer, &plan, Waiting::CloudMapOperation)
        .await
        .expect("apply");
    assert_eq!(waited, 3, "one wait per answer that is not final");
    let statuses: Vec<String> = script.statuses().into_iter().map(|(_, s)| s).collect();
    assert_eq!(statuses, ["SUBMITTED", "PENDING", "PENDING", "SUCCESS"]);
    let client = support::cloud_map::client(account);
    let created = namespace(&client, &names.http)
        .await
        .expect("the namespace, created once its operation succeeded");
    assert_eq!(created.description(), Some("first"));
    assert!(!deployer.plan(&desired).await.expect("plan").has_changes());

    // The update's operation fails: the apply says so with Cloud Map's code and message.
    script.fail_next(
        "UpdateHttpNamespace",
        "INTERNAL_FAILURE",
        "scripted: the namespace could not be updated",
    );
    let changed_stack = stack("second");
    let plan = deployer.plan(&changed_stack).await.expect("plan update");
    assert_eq!(
        changed(&plan),
        [(format!("namespace {}", names.http), Action::Update)]
    );
    let error = deployer
        .apply(&plan, |_| {})
        .await
        .expect_err("the operation failed");
    let Failure::CloudMapOperation {
        operation_id,
        code,
        message,
    } = &error.source
    else {
        panic!("a Cloud Map operation failure: {error:?}");
    };
    assert!(operation_id.starts_with("scripted-"), "{operation_id}");
    assert_eq!(code, "INTERNAL_FAILURE");
    assert_eq!(message, "scripted: the namespace could not be updated");
    assert!(
        error.source.to_string().contains(message.as_str()),
        "{}",
        error.source
    );
    let last: Vec<String> = script
        .statuses()
        .into_iter()
        .filter(|(id, _)| id == operation_id)
        .map(|(_, s)| s)
        .collect();
    assert_eq!(last, ["SUBMITTED", "PENDING", "PENDING", "FAIL"]);
    // Nothing changed: the next plan still wants the update.
    let unchanged = namespace(&client, &names.http)
        .await
        .expect("the namespace");
    assert_eq!(unchanged.description(), Some("first"));
    let again = deployer.plan(&changed_stack).await.expect("plan again");
    assert_eq!(
        changed(&again),
        [(format!("namespace {}", names.http), Action::Update)]
    );

    // Clean up.
    let plan = deployer.plan_destroy(&desired).await.expect("plan destroy");
    deployer.apply(&plan, |_| {}).await.expect("destroy");
}

/// A discovery service an ECS service is registered in cannot be replaced: Cloud Map refuses
/// DeleteService with `ResourceInUse` while instances are registered
/// (<https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteService.html>), which the layer
/// of `support::cloud_map` plays (moto deletes it anyway). A routing policy change is blocked
/// with [`ecs_deploy::plan::Reason::CloudMapInUse`] naming the ECS service, and applying it
/// changes nothing. The user's fix, a new name (`api-v2`) the ECS service names too: the plan
/// creates `api-v2`, moves the ECS service with UpdateService `serviceRegistries` and prunes
/// `api`; the apply deletes `api` only after the update, retrying while its old tasks are
/// still registered; read back, the ECS service is registered in `api-v2` and `api` is gone.
#[tokio::test]
async fn a_discovery_service_in_use_is_renamed_not_replaced() {
    use crate::support::cloud_map::CloudMapScript;
    use ecs_deploy::apply::Waiting;
    use ecs_deploy::plan::Reason;

    let account = "300000000094";
    let names = names();
    let script = CloudMapScript::start(support::local_ecs::endpoint());
    script.play_registered_instances(2);
    let deployer = Deployer::new(
        support::ecs(account).await,
        Options::new("mesh").prune(true),
    )
    .network(support::ec2::network(account))
    .cloud_map(
        ecs_deploy::CloudMap::from_client(support::cloud_map::client_at(&script.url, account))
            .retries(ecs_deploy::Retries::none()),
    )
    .apply_options(ApplyOptions::no_wait().drain(ecs_deploy::WaitOptions::new(
        std::time::Duration::from_secs(20),
        std::time::Duration::from_millis(50),
    )));
    let stack = |discovery: &str, policy: &str| {
        from_value::<Stack>(&json!({
            "namespaces": [{"Name": names.private, "Vpc": "default"}],
            "discoveryServices": [{
                "Name": discovery, "NamespaceId": names.private,
                "DnsConfig": {"RoutingPolicy": policy, "DnsRecords": [{"Type": "A", "TTL": 60}]}
            }],
            "clusters": [{"clusterName": "mesh"}],
            "taskDefinitions": [{
                "family": "api", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"],
                "cpu": "256", "memory": "512",
                "containerDefinitions": [{"name": "api", "image": "nginx:1.27",
                                          "portMappings": [{"containerPort": 80}]}]
            }],
            "services": [{
                "serviceName": "api", "cluster": "mesh", "taskDefinition": "api",
                "desiredCount": 1, "launchType": "FARGATE",
                "networkConfiguration": {"awsvpcConfiguration": {
                    "subnets": ["default"], "securityGroups": ["default"]
                }},
                "serviceRegistries": [{"registryArn": discovery}]
            }]
        }))
        .value
        .expect("a stack")
    };
    let old = format!("discovery service {}/api", names.private);
    let new = format!("discovery service {}/api-v2", names.private);
    let first = stack("api", "MULTIVALUE");
    let plan = deployer.plan(&first).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let client = support::cloud_map::client(account);
    let private = namespace(&client, &names.private)
        .await
        .expect("the namespace");
    let namespace_id = private.id().expect("an id").to_owned();
    let api = discovery_services(&client, &namespace_id).await;
    let [api] = api.as_slice() else {
        panic!("one discovery service: {api:?}");
    };
    let api_arn = api.arn().expect("an ARN").to_owned();
    assert_eq!(registry_arn(account, "api").await, Some(api_arn.clone()));

    // Through the layer, DeleteService is refused while the ECS service is registered in it.
    let layer = support::cloud_map::client_at(&script.url, account);
    let api_id = api.id().expect("an id").to_owned();
    let refused = layer
        .delete_service()
        .id(&api_id)
        .send()
        .await
        .expect_err("ResourceInUse");
    assert!(
        refused
            .as_service_error()
            .is_some_and(|e| e.is_resource_in_use()),
        "{refused:?}"
    );
    assert!(!deployer.plan(&first).await.expect("plan").has_changes());

    // A routing policy change would replace it: blocked, naming the ECS service; nothing is
    // applied.
    let weighted = stack("api", "WEIGHTED");
    let plan = deployer.plan(&weighted).await.expect("plan the policy");
    assert_eq!(changed(&plan), [(old.clone(), Action::Blocked)]);
    let blocked = plan
        .changes
        .iter()
        .find(|c| c.address.to_string() == old)
        .expect("api");
    assert_eq!(
        blocked.reason,
        Some(Reason::CloudMapInUse {
            member: "DnsConfig.RoutingPolicy".into(),
            users: vec!["service mesh/api".into()]
        })
    );
    assert!(blocked.steps.is_empty());
    deployer.apply(&plan, |_| {}).await.expect("apply nothing");
    let still = discovery_services(&client, &namespace_id).await;
    assert_eq!(still.len(), 1);
    assert_eq!(still[0].arn(), Some(api_arn.as_str()));

    // The fix: a new name, which the ECS service names too.
    let renamed = stack("api-v2", "WEIGHTED");
    let plan = deployer.plan(&renamed).await.expect("plan the rename");
    assert_eq!(
        changed(&plan),
        [
            (new.clone(), Action::Create),
            ("service mesh/api".to_owned(), Action::UpdateAndDeploy),
            (old.clone(), Action::Delete),
        ]
    );
    let service = plan
        .changes
        .iter()
        .find(|c| c.address.to_string() == "service mesh/api")
        .expect("the ECS service");
    let operations: Vec<Operation> = service.steps.iter().map(|s| s.operation()).collect();
    assert_eq!(operations, [Operation::UpdateService]);
    assert_eq!(
        service.steps[0].input()["serviceRegistries"][0]["registryArn"],
        json!(ecs_deploy::plan::KNOWN_AFTER_APPLY)
    );
    let mut calls = Vec::new();
    let mut waited = 0;
    deployer
        .apply(&plan, |event| match event {
            ecs_deploy::Event::Called {
                address, operation, ..
            } => calls.push((address.to_string(), operation)),
            ecs_deploy::Event::Waiting {
                reason: Waiting::InstancesRegistered,
                ..
            } => waited += 1,
            _ => {}
        })
        .await
        .expect("apply the rename");
    let at = |address: &str, operation: Operation| {
        calls
            .iter()
            .position(|(a, o)| a == address && *o == operation)
            .unwrap_or_else(|| panic!("{address} {operation:?} in {calls:?}"))
    };
    let created = at(&new, Operation::CreateDiscoveryService);
    let updated = at("service mesh/api", Operation::UpdateService);
    let deleted = at(&old, Operation::DeleteDiscoveryService);
    assert!(created < updated && updated < deleted, "{calls:?}");
    // Refused while the old tasks were stopping, never while the ECS service named it.
    assert_eq!(waited, 2, "one wait per refusal");
    let refusals = script.refused_deletes();
    let after_update: Vec<&Vec<String>> = refusals
        .iter()
        .filter(|(id, _)| *id == api_id)
        .map(|(_, users)| users)
        .collect();
    assert_eq!(
        after_update,
        [
            &vec!["service mesh/api".to_owned()],
            &vec!["stopping tasks".to_owned()],
            &vec!["stopping tasks".to_owned()]
        ]
    );

    // Read back: registered in api-v2, api gone; nothing left to do.
    let left = discovery_services(&client, &namespace_id).await;
    let [v2] = left.as_slice() else {
        panic!("one discovery service: {left:?}");
    };
    assert_eq!(v2.name(), Some("api-v2"));
    assert_eq!(registry_arn(account, "api").await.as_deref(), v2.arn());
    let again = deployer.plan(&renamed).await.expect("plan after");
    assert!(!again.has_changes(), "{:?}", changed(&again));

    // Clean up.
    let plan = deployer.plan_destroy(&renamed).await.expect("plan destroy");
    deployer.apply(&plan, |_| {}).await.expect("destroy");
}
