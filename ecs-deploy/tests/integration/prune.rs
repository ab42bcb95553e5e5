//! Pruning, destroying and keeping old revisions, against the local ECS endpoint: what carries
//! the stack's tag and left the stack goes; nothing else is touched, not even in the same
//! cluster.

use crate::support;

use crate::support::script::Scripted;
use ecs_deploy::aws::Ecs;
use ecs_deploy::wait::WaitOptions;
use ecs_deploy::{Action, ApplyOptions, Deployer, Event, Operation, Options, Plan};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::{Value, json};

fn task_definition(family: &str, image: &str) -> Value {
    json!({
        "family": family,
        "requiresCompatibilities": ["EC2"],
        "networkMode": "bridge",
        "containerDefinitions": [{"name": "app", "image": image, "memory": 128}]
    })
}

fn service(name: &str, cluster: &str, family: &str) -> Value {
    json!({
        "serviceName": name, "cluster": cluster, "taskDefinition": family,
        "desiredCount": 1, "launchType": "EC2"
    })
}

fn stack(value: Value) -> Stack {
    from_value::<Stack>(&value).value.expect("a stack")
}

/// A deployer that does not wait for deployments (the local endpoint runs no tasks).
async fn no_wait(account: &str, options: Options) -> Deployer {
    Deployer::new(support::ecs(account).await, options).apply_options(ApplyOptions::no_wait())
}

fn actions(plan: &Plan) -> Vec<(String, Action)> {
    plan.changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect()
}

async fn status_of_service(ecs: &Ecs, cluster: &str, name: &str) -> String {
    let answer = ecs
        .call(
            Operation::DescribeServices,
            &json!({"cluster": cluster, "services": [name]}),
        )
        .await
        .expect("describe");
    answer["services"][0]["status"]
        .as_str()
        .unwrap_or("MISSING")
        .to_owned()
}

/// The revision numbers of `family` that are ACTIVE.
async fn active_revisions(ecs: &Ecs, family: &str) -> Vec<i64> {
    let answer = ecs
        .call(
            Operation::ListTaskDefinitions,
            &json!({"familyPrefix": family, "status": "ACTIVE"}),
        )
        .await
        .expect("list");
    let mut out: Vec<i64> = answer["taskDefinitionArns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter_map(|arn| arn.rsplit_once('/'))
        .filter_map(|(_, tail)| tail.split_once(':'))
        .filter(|(f, _)| *f == family)
        .filter_map(|(_, n)| n.parse().ok())
        .collect();
    out.sort_unstable();
    out
}

/// Creates a service and its task definition the way another tool would: no ownership tag, or
/// another stack's.
async fn foreign_service(ecs: &Ecs, cluster: &str, name: &str, tags: Value) {
    let registered = ecs
        .call(
            Operation::RegisterTaskDefinition,
            &task_definition(&format!("{name}-family"), "busybox:1"),
        )
        .await
        .expect("register");
    let arn = registered["taskDefinition"]["taskDefinitionArn"].clone();
    let mut input = service(name, cluster, "");
    input["taskDefinition"] = arn;
    input["tags"] = tags;
    ecs.call(Operation::CreateService, &input)
        .await
        .expect("create the foreign service");
}

#[tokio::test]
async fn prune_deletes_only_what_carries_the_tag_and_left_the_stack() {
    let account = "300000000101";
    let full = stack(json!({
        "clusters": [{"clusterName": "shop"}, {"clusterName": "batch"}],
        "taskDefinitions": [task_definition("web", "nginx:1.27"), task_definition("worker", "busybox:1")],
        "services": [service("web", "shop", "web"), service("worker", "shop", "worker")]
    }));
    let deployer = no_wait(account, Options::new("shop")).await;
    let plan = deployer.plan(&full).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let ecs = deployer.ecs().clone();
    // In the same cluster: a service no one tagged, and one of another stack.
    foreign_service(&ecs, "shop", "by-hand", json!([])).await;
    foreign_service(
        &ecs,
        "shop",
        "neighbour",
        json!([{"key": "ecs-rs:stack", "value": "other"}]),
    )
    .await;

    let smaller = stack(json!({
        "clusters": [{"clusterName": "shop"}],
        "taskDefinitions": [task_definition("web", "nginx:1.27")],
        "services": [service("web", "shop", "web")]
    }));
    // Without --prune, what left the stack is not even looked at.
    let plan = deployer.plan(&smaller).await.expect("plan");
    assert!(!plan.has_changes(), "{:#?}", actions(&plan));
    assert_eq!(deployer.ecs().calls().get(&Operation::ListClusters), None);

    let pruning = no_wait(account, Options::new("shop").prune(true)).await;
    let plan = pruning.plan(&smaller).await.expect("plan with prune");
    assert_eq!(
        actions(&plan),
        [
            ("cluster shop".to_owned(), Action::NoChange),
            ("task definition web".to_owned(), Action::NoChange),
            ("service shop/web".to_owned(), Action::NoChange),
            ("service shop/worker".to_owned(), Action::Delete),
            ("task definition worker".to_owned(), Action::Delete),
            ("cluster batch".to_owned(), Action::Delete),
        ]
    );
    pruning.apply(&plan, |_| {}).await.expect("apply the prune");

    assert_eq!(status_of_service(&ecs, "shop", "worker").await, "INACTIVE");
    assert_eq!(status_of_service(&ecs, "shop", "web").await, "ACTIVE");
    assert_eq!(status_of_service(&ecs, "shop", "by-hand").await, "ACTIVE");
    assert_eq!(status_of_service(&ecs, "shop", "neighbour").await, "ACTIVE");
    assert_eq!(active_revisions(&ecs, "worker").await, Vec::<i64>::new());
    assert_eq!(active_revisions(&ecs, "web").await, [1]);
    assert_eq!(active_revisions(&ecs, "by-hand-family").await, [1]);
    let clusters = ecs
        .call(
            Operation::DescribeClusters,
            &json!({"clusters": ["batch", "shop"]}),
        )
        .await
        .expect("describe clusters");
    let statuses: Vec<&str> = clusters["clusters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["status"].as_str())
        .collect();
    assert_eq!(statuses, ["INACTIVE", "ACTIVE"]);

    // Pruned is pruned: planning again finds nothing more.
    let again = pruning.plan(&smaller).await.expect("plan again");
    assert!(!again.has_changes(), "{:#?}", actions(&again));
}

#[tokio::test]
async fn a_pruned_cluster_holding_services_of_others_is_kept() {
    let account = "300000000102";
    let with_cluster = stack(json!({
        "clusters": [{"clusterName": "main"}, {"clusterName": "shared"}],
    }));
    let deployer = no_wait(account, Options::new("infra").prune(true)).await;
    let plan = deployer.plan(&with_cluster).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    foreign_service(deployer.ecs(), "shared", "tenant", json!([])).await;

    let without = stack(json!({"clusters": [{"clusterName": "main"}]}));
    let plan = deployer.plan(&without).await.expect("plan");
    let shared = plan
        .changes
        .iter()
        .find(|c| c.address.to_string() == "cluster shared")
        .expect("the cluster is in the plan");
    assert_eq!(shared.action, Action::NotManaged);
    assert!(
        shared
            .reason
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default()
            .contains("tenant"),
        "{:?}",
        shared.reason
    );
    assert!(!plan.has_changes());
}

#[tokio::test]
async fn destroy_deletes_every_tagged_resource_and_nothing_else() {
    let account = "300000000103";
    let named = stack(json!({
        "clusters": [{"clusterName": "app"}],
        "taskDefinitions": [task_definition("api", "nginx:1.27")],
        "services": [service("api", "app", "api")]
    }));
    let deployer = no_wait(account, Options::new("app")).await;
    let plan = deployer.plan(&named).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    // A second revision, so that destroying deregisters every ACTIVE one, and a family the
    // stack no longer names.
    let ecs = deployer.ecs().clone();
    let mut bumped = named.clone();
    bumped.task_definitions[0] = from_value(&task_definition("api", "nginx:1.28"))
        .value
        .expect("td");
    bumped.task_definitions.push(
        from_value(&task_definition("cron", "busybox:1"))
            .value
            .expect("td"),
    );
    let plan = deployer.plan(&bumped).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    // Another stack's family, and a family without a tag, must stay.
    ecs.call(
        Operation::RegisterTaskDefinition,
        &task_definition("untagged", "busybox:1"),
    )
    .await
    .expect("register");
    let mut theirs = task_definition("theirs", "busybox:1");
    theirs["tags"] = json!([{"key": "ecs-rs:stack", "value": "other"}]);
    ecs.call(Operation::RegisterTaskDefinition, &theirs)
        .await
        .expect("register");

    let plan = deployer.plan_destroy(&named).await.expect("plan destroy");
    let mut got = actions(&plan);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        got,
        [
            ("cluster app".to_owned(), Action::Delete),
            ("service app/api".to_owned(), Action::Delete),
            ("task definition api".to_owned(), Action::Delete),
            ("task definition cron".to_owned(), Action::Delete),
        ]
    );
    deployer.apply(&plan, |_| {}).await.expect("destroy");
    assert_eq!(status_of_service(&ecs, "app", "api").await, "INACTIVE");
    assert_eq!(active_revisions(&ecs, "api").await, Vec::<i64>::new());
    assert_eq!(active_revisions(&ecs, "cron").await, Vec::<i64>::new());
    assert_eq!(active_revisions(&ecs, "untagged").await, [1]);
    assert_eq!(active_revisions(&ecs, "theirs").await, [1]);
    let again = deployer.plan_destroy(&named).await.expect("plan again");
    assert!(!again.has_changes(), "{:#?}", actions(&again));
}

#[tokio::test]
async fn only_the_newest_revisions_and_the_ones_in_use_are_kept() {
    let account = "300000000104";
    let options = Options::new("rev").keep_revisions(2);
    let deployer = no_wait(account, options).await;
    let version = |image: &str| {
        stack(json!({
            "clusters": [{"clusterName": "rev"}],
            "taskDefinitions": [task_definition("site", image)],
            "services": [service("site", "rev", "site")]
        }))
    };
    let mut seen = Vec::new();
    for minor in 1..=5 {
        let plan = deployer
            .plan(&version(&format!("nginx:1.{minor}")))
            .await
            .expect("plan");
        deployer.apply(&plan, |_| {}).await.expect("apply");
        seen.push(active_revisions(deployer.ecs(), "site").await);
    }
    assert_eq!(
        seen,
        [vec![1], vec![1, 2], vec![2, 3], vec![3, 4], vec![4, 5]]
    );
    // Unchanged: nothing to register, nothing more to deregister.
    let plan = deployer.plan(&version("nginx:1.5")).await.expect("plan");
    assert!(!plan.has_changes(), "{:#?}", actions(&plan));
}

#[tokio::test]
async fn independent_services_are_applied_concurrently() {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    scripted.slow("CreateService", std::time::Duration::from_millis(300));
    let services: Vec<Value> = (1..=4)
        .map(|i| service(&format!("svc{i}"), "many", "many"))
        .collect();
    let desired = stack(json!({
        "clusters": [{"clusterName": "many"}],
        "taskDefinitions": [task_definition("many", "nginx:1.27")],
        "services": services,
    }));
    let ecs = support::ecs_at(&scripted.url, "300000000105").await;
    let deployer = Deployer::new(ecs, Options::new("many"))
        .concurrency(4)
        .apply_options(ApplyOptions::no_wait());
    let plan = deployer.plan(&desired).await.expect("plan");
    let done = deployer.apply(&plan, |_| {}).await.expect("apply");
    assert_eq!(done.len(), 6);
    assert!(
        scripted.most_at_once("CreateService") >= 2,
        "the services were created one after another"
    );

    // With a bound of 1, they go one at a time.
    let serial = Scripted::start(support::local_ecs::endpoint());
    serial.slow("CreateService", std::time::Duration::from_millis(50));
    let ecs = support::ecs_at(&serial.url, "300000000106").await;
    let deployer = Deployer::new(ecs, Options::new("many"))
        .concurrency(1)
        .apply_options(ApplyOptions::no_wait());
    let plan = deployer.plan(&desired).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    assert_eq!(serial.most_at_once("CreateService"), 1);
}

#[tokio::test]
async fn a_service_written_with_its_cluster_arn_is_not_pruned() {
    let account = "300000000107";
    let desired = stack(json!({
        "clusters": [{"clusterName": "arnc"}],
        "taskDefinitions": [task_definition("arnweb", "nginx:1.27")],
        "services": [service(
            "web",
            &format!("arn:aws:ecs:us-east-1:{account}:cluster/arnc"),
            "arnweb"
        )]
    }));
    let deployer = no_wait(account, Options::new("arnc").prune(true)).await;
    let plan = deployer.plan(&desired).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");
    let again = deployer.plan(&desired).await.expect("plan again");
    assert!(!again.has_changes(), "{:#?}", actions(&again));
    assert_eq!(
        status_of_service(deployer.ecs(), "arnc", "web").await,
        "ACTIVE"
    );
}

#[tokio::test]
async fn destroy_finds_the_stack_services_in_clusters_it_does_not_name() {
    let account = "300000000108";
    let ecs = support::ecs(account).await;
    // The account's default cluster, made by hand: not the stack's.
    ecs.call(Operation::CreateCluster, &json!({"clusterName": "default"}))
        .await
        .expect("create the default cluster");
    let desired = stack(json!({
        "taskDefinitions": [task_definition("job", "busybox:1")],
        "services": [{
            "serviceName": "job", "taskDefinition": "job", "desiredCount": 1,
            "launchType": "EC2"
        }]
    }));
    let deployer = no_wait(account, Options::new("jobs")).await;
    let plan = deployer.plan(&desired).await.expect("plan");
    deployer.apply(&plan, |_| {}).await.expect("apply");

    // The file no longer names anything: destroy still finds what carries the tag.
    let plan = deployer
        .plan_destroy(&Stack::default())
        .await
        .expect("plan destroy");
    assert_eq!(
        actions(&plan),
        [
            ("service default/job".to_owned(), Action::Delete),
            ("task definition job".to_owned(), Action::Delete),
        ]
    );
    deployer.apply(&plan, |_| {}).await.expect("destroy");
    assert_eq!(status_of_service(&ecs, "default", "job").await, "INACTIVE");
    let clusters = ecs
        .call(
            Operation::DescribeClusters,
            &json!({"clusters": ["default"]}),
        )
        .await
        .expect("describe");
    assert_eq!(clusters["clusters"][0]["status"], "ACTIVE");
}

#[tokio::test]
async fn deleting_a_cluster_waits_while_its_services_and_tasks_drain() {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let ecs = support::ecs_at(&scripted.url, "300000000109").await;
    let desired = stack(json!({
        "clusters": [{"clusterName": "drain"}],
        "taskDefinitions": [task_definition("drain", "nginx:1.27")],
        "services": [service("web", "drain", "drain")]
    }));
    let creating =
        Deployer::new(ecs.clone(), Options::new("drain")).apply_options(ApplyOptions::no_wait());
    let plan = creating.plan(&desired).await.expect("plan");
    creating.apply(&plan, |_| {}).await.expect("apply");

    // AWS refuses DeleteCluster while the deleted service drains, then while its tasks stop.
    scripted.refuse_first("DeleteCluster", "ClusterContainsServicesException", 2);
    let quick = WaitOptions::new(
        std::time::Duration::from_secs(30),
        std::time::Duration::from_millis(50),
    );
    let destroying = Deployer::new(ecs.clone(), Options::new("drain"))
        .apply_options(ApplyOptions::wait(quick, true));
    let plan = destroying
        .plan_destroy(&desired)
        .await
        .expect("plan destroy");
    let mut waits = 0;
    destroying
        .apply(&plan, |event| {
            if matches!(event, Event::Waiting { .. }) {
                waits += 1;
            }
        })
        .await
        .expect("destroy");
    assert_eq!(waits, 2);

    // Tasks still stopping: the same patience. Out of patience: the error is AWS's.
    let plan = creating.plan(&desired).await.expect("plan");
    creating.apply(&plan, |_| {}).await.expect("apply again");
    scripted.refuse_first("DeleteCluster", "ClusterContainsTasksException", 1);
    let plan = destroying
        .plan_destroy(&desired)
        .await
        .expect("plan destroy");
    destroying.apply(&plan, |_| {}).await.expect("destroy");

    let plan = creating.plan(&desired).await.expect("plan");
    creating
        .apply(&plan, |_| {})
        .await
        .expect("apply a third time");
    scripted.refuse_first("DeleteCluster", "ClusterContainsTasksException", 1_000);
    let impatient = Deployer::new(ecs, Options::new("drain")).apply_options(ApplyOptions::wait(
        WaitOptions::new(
            std::time::Duration::from_millis(200),
            std::time::Duration::from_millis(50),
        ),
        true,
    ));
    let plan = impatient
        .plan_destroy(&desired)
        .await
        .expect("plan destroy");
    let err = impatient.apply(&plan, |_| {}).await.expect_err("gives up");
    assert_eq!(err.address.to_string(), "cluster drain");
    // AWS kept refusing while its tasks drained: the apply says it waited, and for what.
    assert!(
        matches!(
            err.source,
            ecs_deploy::Failure::Drain {
                reason: ecs_deploy::Waiting::ClusterDraining,
                ..
            }
        ),
        "{}",
        err.source
    );
}
