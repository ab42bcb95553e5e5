//! The opt-in AWS behaviours of the scripted layer (`support/script.rs`), proved through raw
//! calls: draining deletes, the deployment configuration AWS echoes, capacity provider strategy
//! transitions, lost answers with CreateService idempotency, and a storm of throttling and
//! server errors. Each test asserts the exact AWS error code and message, and where the client's
//! retries (the SDK's and the engine's) would hide it, the HTTP status of one call made without
//! the SDK. How often the client tries a call again is not this module's business: the tests
//! count what reached moto instead.

use crate::support;

use ecs_deploy::Operation;
use ecs_deploy::aws::{AwsError, Ecs};
use serde_json::{Value, json};

use crate::support::script::Scripted;

const DRAINING: &str = "Unable to Start a service that is still Draining.";
const NOT_IDEMPOTENT: &str = "Creation of service was not idempotent.";
const FORCE: &str = "When switching from launch type to capacity provider strategy on an existing service, or making a change to a capacity provider strategy on a service that is already using one, you must force a new deployment.";

/// A layer in front of the local endpoint, and a client in moto account `account` through it.
async fn layer(account: &str) -> (Scripted, Ecs) {
    let scripted = Scripted::start(support::local_ecs::endpoint());
    let ecs = support::ecs_at(&scripted.url, account).await;
    (scripted, ecs)
}

/// [`layer`], with cluster `shop` and task definition family `web`.
async fn shop(account: &str) -> (Scripted, Ecs) {
    let (scripted, ecs) = layer(account).await;
    cluster(&ecs, "shop", json!({})).await;
    (scripted, ecs)
}

/// Cluster `cluster` (with `input`'s other members) and task definition family `web`.
async fn cluster(ecs: &Ecs, cluster: &str, input: Value) {
    let mut input = input;
    input["clusterName"] = json!(cluster);
    call(ecs, Operation::CreateCluster, input).await;
    call(
        ecs,
        Operation::RegisterTaskDefinition,
        json!({
            "family": "web",
            "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128}]
        }),
    )
    .await;
}

/// A CreateService request for an EC2 service of `web` with no tasks, and `extra` members.
fn service(cluster: &str, name: &str, extra: Value) -> Value {
    let mut input = json!({
        "cluster": cluster, "serviceName": name, "taskDefinition": "web",
        "desiredCount": 0, "launchType": "EC2"
    });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    input
}

/// CreateService of `name` in `cluster` (see [`service`]): the answer.
async fn create(ecs: &Ecs, cluster: &str, name: &str, extra: Value) -> Value {
    call(ecs, Operation::CreateService, service(cluster, name, extra)).await
}

async fn call(ecs: &Ecs, operation: Operation, input: Value) -> Value {
    ecs.call(operation, &input)
        .await
        .unwrap_or_else(|e| panic!("{operation} {input}: {e}"))
}

/// The AWS error code and message of a call that must fail.
async fn refused(ecs: &Ecs, operation: Operation, input: Value) -> (String, String) {
    match ecs.call(operation, &input).await {
        Err(AwsError::Service { code, message, .. }) => (code, message),
        other => panic!("{operation} {input}: expected an AWS error, got {other:?}"),
    }
}

async fn describe(ecs: &Ecs, cluster: &str, name: &str) -> Value {
    let answer = call(
        ecs,
        Operation::DescribeServices,
        json!({"cluster": cluster, "services": [name]}),
    )
    .await;
    answer["services"][0].clone()
}

/// Asserts that `operation` with `input` is answered HTTP 400 `InvalidParameterException`
/// `message`, through the SDK and in one call without it.
async fn assert_invalid(
    (scripted, ecs, account): (&Scripted, &Ecs, &str),
    operation: Operation,
    input: Value,
    message: &str,
) {
    let raw = raw_error(support::raw(
        &scripted.url,
        account,
        operation.name(),
        &input,
    ));
    assert_eq!(
        raw,
        (
            400,
            "InvalidParameterException".to_owned(),
            message.to_owned()
        )
    );
    assert_eq!(
        refused(ecs, operation, input).await,
        ("InvalidParameterException".to_owned(), message.to_owned())
    );
}

/// The AWS error of a raw answer: (status, `__type`, message).
fn raw_error(answer: (u16, Value)) -> (u16, String, String) {
    let (status, body) = answer;
    let text = |member: &str| body[member].as_str().unwrap_or_default().to_owned();
    (status, text("__type"), text("message"))
}

/// A count of the layer's as a length.
fn count(n: u64) -> usize {
    usize::try_from(n).expect("a count")
}

async fn revisions(ecs: &Ecs, family: &str) -> usize {
    let listed = call(
        ecs,
        Operation::ListTaskDefinitions,
        json!({"familyPrefix": family}),
    )
    .await;
    listed["taskDefinitionArns"].as_array().map_or(0, Vec::len)
}

#[tokio::test]
async fn without_the_scripts_the_layer_shows_motos_gaps() {
    let account = "610000000001";
    let (_scripted, ecs) = layer(account).await;
    cluster(&ecs, "plain", json!({})).await;
    let configuration = json!({"deploymentConfiguration": {"maximumPercent": 150}});
    let created = create(&ecs, "plain", "api", configuration.clone()).await;
    assert_eq!(
        created["service"].get("deploymentConfiguration"),
        None,
        "moto drops the deployment configuration"
    );
    let again = create(&ecs, "plain", "api", json!({"clientToken": "other"})).await;
    assert_eq!(again["service"]["status"], "ACTIVE", "moto overwrites");
    let deleted = call(
        &ecs,
        Operation::DeleteService,
        json!({"cluster": "plain", "service": "api"}),
    )
    .await;
    assert_eq!(deleted["service"]["status"], "INACTIVE", "no DRAINING");
}

#[tokio::test]
async fn deleted_services_drain_and_block_their_name_until_inactive() {
    let account = "610000000002";
    let (scripted, ecs) = shop(account).await;
    cluster(&ecs, "other", json!({})).await;
    scripted.drain_deleted_services(2);
    create(&ecs, "shop", "api", json!({})).await;

    let deleted = call(
        &ecs,
        Operation::DeleteService,
        json!({"cluster": "shop", "service": "api"}),
    )
    .await;
    assert_eq!(deleted["service"]["status"], "DRAINING");
    let by_arn = format!("arn:aws:ecs:us-east-1:{account}:cluster/shop");
    assert_invalid(
        (&scripted, &ecs, account),
        Operation::CreateService,
        service(&by_arn, "api", json!({})),
        DRAINING,
    )
    .await;
    let elsewhere = create(&ecs, "other", "api", json!({})).await;
    assert_eq!(
        elsewhere["service"]["status"], "ACTIVE",
        "another cluster's service of the same name does not drain"
    );

    assert_eq!(describe(&ecs, "shop", "api").await["status"], "DRAINING");
    assert_eq!(
        refused(
            &ecs,
            Operation::CreateService,
            service("shop", "api", json!({}))
        )
        .await,
        ("InvalidParameterException".to_owned(), DRAINING.to_owned())
    );
    assert_eq!(describe(&ecs, &by_arn, "api").await["status"], "DRAINING");
    assert_eq!(describe(&ecs, "shop", "api").await["status"], "INACTIVE");
    let created = create(&ecs, "shop", "api", json!({})).await;
    assert_eq!(created["service"]["status"], "ACTIVE");
    assert_eq!(describe(&ecs, "shop", "api").await["status"], "ACTIVE");
}

/// The deployment configuration shown for service `api`, created with `maximumPercent` 150 and
/// a circuit breaker: what was sent (`minimum`, `rollback` and `reset` as last sent, if sent),
/// the defaults AWS fills in and the member the test adds.
fn echoed(minimum: i64, rollback: bool, reset: bool) -> Value {
    json!({
        "maximumPercent": 150, "minimumHealthyPercent": minimum,
        "strategy": "ROLLING", "bakeTimeInMinutes": 0,
        "deploymentCircuitBreaker": {
            "enable": true, "rollback": rollback, "resetOnHealthyTask": reset,
            "thresholdConfiguration": {"type": "BOUNDED_PERCENT", "value": 50}
        },
        "someFutureMember": {"on": 1}
    })
}

/// Asserts that `answer` (of CreateService or UpdateService) and DescribeServices show
/// `expected` as the deployment configuration of service `api` in cluster `shop`.
async fn assert_configuration(ecs: &Ecs, answer: &Value, expected: &Value) {
    assert_eq!(&answer["service"]["deploymentConfiguration"], expected);
    assert_eq!(
        &describe(ecs, "shop", "api").await["deploymentConfiguration"],
        expected
    );
}

#[tokio::test]
async fn service_answers_echo_what_was_sent_with_the_members_aws_fills_in() {
    let account = "610000000003";
    let (scripted, ecs) = shop(account).await;
    scripted.echo_service_defaults();
    scripted.add_service_member(
        "/deploymentConfiguration/someFutureMember",
        json!({"on": 1}),
    );
    let sent = json!({"deploymentConfiguration": {
        "maximumPercent": 150,
        "deploymentCircuitBreaker": {"enable": true, "rollback": true}
    }});
    let created = create(&ecs, "shop", "api", sent).await;
    assert_configuration(&ecs, &created, &echoed(100, true, true)).await;
    let updated = call(
        &ecs,
        Operation::UpdateService,
        json!({"cluster": "shop", "service": "api", "deploymentConfiguration": {
            "minimumHealthyPercent": 50,
            "deploymentCircuitBreaker": {"enable": true, "rollback": false, "resetOnHealthyTask": false}
        }}),
    )
    .await;
    assert_configuration(&ecs, &updated, &echoed(50, false, false)).await;

    let plain = create(&ecs, "shop", "plain", json!({})).await;
    assert_eq!(
        plain["service"]["deploymentConfiguration"],
        json!({
            "maximumPercent": 200, "minimumHealthyPercent": 100,
            "strategy": "ROLLING", "bakeTimeInMinutes": 0,
            "someFutureMember": {"on": 1}
        }),
        "no circuit breaker is added where none was sent"
    );
    let mut daemon = service("shop", "agent", json!({"schedulingStrategy": "DAEMON"}));
    if let Some(daemon) = daemon.as_object_mut() {
        daemon.remove("desiredCount");
    }
    call(&ecs, Operation::CreateService, daemon).await;
    assert_eq!(
        describe(&ecs, "shop", "agent").await["deploymentConfiguration"],
        json!({
            "minimumHealthyPercent": 0, "strategy": "ROLLING", "bakeTimeInMinutes": 0,
            "someFutureMember": {"on": 1}
        })
    );
}

#[tokio::test]
async fn capacity_provider_strategies_change_only_with_a_new_deployment() {
    let account = "610000000004";
    let (scripted, ecs) = layer(account).await;
    cluster(
        &ecs,
        "fleet",
        json!({"capacityProviders": ["FARGATE", "FARGATE_SPOT"]}),
    )
    .await;
    scripted.play_capacity_provider_strategies();
    create(&ecs, "fleet", "api", json!({})).await;
    let fargate = json!([{"capacityProvider": "FARGATE", "weight": 1}]);
    let spot = json!([{"capacityProvider": "FARGATE_SPOT", "weight": 2, "base": 1}]);
    let update = |strategy: &Value, force: bool| {
        json!({"cluster": "fleet", "service": "api", "capacityProviderStrategy": strategy,
               "forceNewDeployment": force})
    };
    let through = (&scripted, &ecs, account);
    let refused = |strategy: &Value| {
        assert_invalid(
            through,
            Operation::UpdateService,
            update(strategy, false),
            FORCE,
        )
    };

    refused(&fargate).await;
    let unchanged = describe(&ecs, "fleet", "api").await;
    assert_eq!(unchanged["launchType"], "EC2");
    assert_eq!(unchanged.get("capacityProviderStrategy"), None);

    let moved = call(&ecs, Operation::UpdateService, update(&fargate, true)).await;
    assert_eq!(moved["service"]["capacityProviderStrategy"], fargate);
    assert_eq!(moved["service"].get("launchType"), None);
    let shown = describe(&ecs, "fleet", "api").await;
    assert_eq!(shown["capacityProviderStrategy"], fargate);
    assert_eq!(shown.get("launchType"), None);

    let same = json!([{"capacityProvider": "FARGATE", "weight": 1, "base": 0}]);
    call(&ecs, Operation::UpdateService, update(&same, false)).await;
    refused(&spot).await;
    call(&ecs, Operation::UpdateService, update(&spot, true)).await;
    assert_eq!(
        describe(&ecs, "fleet", "api").await["capacityProviderStrategy"],
        spot
    );

    refused(&json!([])).await;
    let back = call(&ecs, Operation::UpdateService, update(&json!([]), true)).await;
    assert_eq!(back["service"]["launchType"], "EC2");
    assert_eq!(back["service"].get("capacityProviderStrategy"), None);
    assert_eq!(describe(&ecs, "fleet", "api").await["launchType"], "EC2");

    let mut created = service("fleet", "spot", json!({"capacityProviderStrategy": spot}));
    if let Some(created) = created.as_object_mut() {
        created.remove("launchType");
    }
    let created = call(&ecs, Operation::CreateService, created).await;
    assert_eq!(created["service"]["capacityProviderStrategy"], spot);
    assert_eq!(created["service"].get("launchType"), None);
    assert_eq!(
        describe(&ecs, "fleet", "spot").await["capacityProviderStrategy"],
        spot
    );
}

#[tokio::test]
async fn lost_answers_took_effect_on_moto() {
    let account = "610000000005";
    let (scripted, ecs) = layer(account).await;
    scripted.lose_responses(&["RegisterTaskDefinition"], 100, 7);
    let input = json!({
        "family": "lost",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128}]
    });
    assert_eq!(
        refused(&ecs, Operation::RegisterTaskDefinition, input.clone()).await,
        (
            "InternalFailure".to_owned(),
            "The request processing has failed because of an unknown error, exception or failure."
                .to_owned()
        )
    );
    // How often the client tries again is the engine's business: every try reached moto and
    // registered a revision, and none was answered.
    let lost = scripted.lost();
    assert!(lost >= 1);
    assert_eq!(revisions(&ecs, "lost").await, count(lost));
    let (status, code, _) = raw_error(support::raw(
        &scripted.url,
        account,
        "RegisterTaskDefinition",
        &input,
    ));
    assert_eq!((status, code.as_str()), (500, "InternalFailure"));
    assert_eq!(
        (scripted.lost(), revisions(&ecs, "lost").await),
        (lost + 1, count(lost + 1))
    );
}

/// Registers `calls` revisions through a layer that loses half the answers with `seed`: what
/// each call got (answered or not), the answers lost, and the revisions moto registered.
async fn half_lost(account: &str, seed: u64, calls: usize) -> (Vec<bool>, u64, usize) {
    let (scripted, ecs) = layer(account).await;
    scripted.lose_responses(&["RegisterTaskDefinition"], 50, seed);
    let input = json!({
        "family": "half",
        "containerDefinitions": [{"name": "web", "image": "nginx:1.27", "memory": 128}]
    });
    let mut answered = Vec::new();
    for _ in 0..calls {
        answered.push(
            ecs.call(Operation::RegisterTaskDefinition, &input)
                .await
                .is_ok(),
        );
    }
    (answered, scripted.lost(), revisions(&ecs, "half").await)
}

#[tokio::test]
async fn lost_answers_follow_the_seed() {
    let (answered, lost, registered) = half_lost("610000000006", 11, 12).await;
    let successes = answered.iter().filter(|&&ok| ok).count();
    assert_eq!(
        registered,
        successes + count(lost),
        "every attempt registered a revision: answered, or lost"
    );
    assert!(lost > 0 && successes > 0, "{answered:?}, {lost} lost");
    let again = half_lost("610000000007", 11, 12).await;
    assert_eq!(
        again,
        (answered, lost, registered),
        "the same seed replays the same losses"
    );
}

#[tokio::test]
async fn a_lost_create_service_is_answered_idempotently() {
    let account = "610000000008";
    let (scripted, ecs) = shop(account).await;
    scripted.lose_responses(&["CreateService"], 100, 3);
    let first = service("shop", "api", json!({"clientToken": "token-1"}));
    assert_eq!(
        refused(&ecs, Operation::CreateService, first.clone())
            .await
            .0,
        "InternalFailure"
    );
    assert!(scripted.lost() >= 1);
    let listed = call(&ecs, Operation::ListServices, json!({"cluster": "shop"})).await;
    assert_eq!(listed["serviceArns"].as_array().map(Vec::len), Some(1));
    let existing = describe(&ecs, "shop", "api").await;
    assert_eq!(existing["status"], "ACTIVE");

    scripted.lose_responses(&["CreateService"], 0, 3);
    let retried = call(&ecs, Operation::CreateService, first).await;
    assert_eq!(retried["service"]["serviceArn"], existing["serviceArn"]);
    assert_eq!(retried["service"]["status"], "ACTIVE");
    for token in [json!({"clientToken": "token-2"}), json!({})] {
        assert_invalid(
            (&scripted, &ecs, account),
            Operation::CreateService,
            service("shop", "api", token),
            NOT_IDEMPOTENT,
        )
        .await;
    }
    call(
        &ecs,
        Operation::DeleteService,
        json!({"cluster": "shop", "service": "api"}),
    )
    .await;
    let recreated = create(&ecs, "shop", "api", json!({"clientToken": "token-2"})).await;
    assert_eq!(
        recreated["service"]["status"], "ACTIVE",
        "an INACTIVE service's name is free"
    );
}

#[tokio::test]
async fn create_service_idempotency_can_be_played_alone() {
    let account = "610000000009";
    let (scripted, ecs) = shop(account).await;
    scripted.play_create_service_idempotency();
    let create = |token: &str| service("shop", "api", json!({"clientToken": token}));
    let created = call(&ecs, Operation::CreateService, create("a")).await;
    let again = call(&ecs, Operation::CreateService, create("a")).await;
    assert_eq!(
        again["service"]["serviceArn"],
        created["service"]["serviceArn"]
    );
    assert_eq!(
        refused(&ecs, Operation::CreateService, create("b")).await,
        (
            "InvalidParameterException".to_owned(),
            NOT_IDEMPOTENT.to_owned()
        )
    );
    assert_eq!(scripted.lost(), 0);
}

#[tokio::test]
async fn a_storm_throttles_and_fails_calls_without_reaching_moto() {
    let account = "610000000010";
    let (scripted, ecs) = layer(account).await;
    scripted.storm(100, 0, 1);
    assert_eq!(
        refused(&ecs, Operation::ListClusters, json!({})).await,
        ("ThrottlingException".to_owned(), "Rate exceeded".to_owned())
    );
    let throttled = scripted.throttled();
    assert!(throttled >= 1);
    assert_eq!(
        raw_error(support::raw(
            &scripted.url,
            account,
            "ListClusters",
            &json!({})
        )),
        (
            400,
            "ThrottlingException".to_owned(),
            "Rate exceeded".to_owned()
        )
    );
    assert_eq!(scripted.throttled(), throttled + 1);

    scripted.storm(0, 100, 1);
    let server = (
        "ServerException".to_owned(),
        "These errors are usually caused by a server issue.".to_owned(),
    );
    assert_eq!(
        refused(
            &ecs,
            Operation::CreateCluster,
            json!({"clusterName": "stormy"})
        )
        .await,
        server
    );
    let failed = scripted.server_errors();
    assert!(failed >= 1);
    assert_eq!(
        raw_error(support::raw(
            &scripted.url,
            account,
            "ListClusters",
            &json!({})
        )),
        (500, server.0, server.1)
    );

    scripted.storm(0, 0, 1);
    let described = call(
        &ecs,
        Operation::DescribeClusters,
        json!({"clusters": ["stormy"]}),
    )
    .await;
    assert_eq!(
        described["failures"][0]["reason"], "MISSING",
        "the refused CreateCluster never reached moto"
    );
    assert_eq!(
        (scripted.throttled(), scripted.server_errors()),
        (throttled + 1, failed + 1),
        "a calm storm refuses nothing"
    );
}

/// ListClusters `calls` times through a storm of `seed`: which calls were answered, and the
/// calls the storm throttled and failed.
async fn stormy(account: &str, seed: u64, calls: usize) -> (Vec<bool>, u64, u64) {
    let (scripted, ecs) = layer(account).await;
    scripted.storm(30, 30, seed);
    let mut answered = Vec::new();
    for _ in 0..calls {
        answered.push(ecs.call(Operation::ListClusters, &json!({})).await.is_ok());
    }
    (answered, scripted.throttled(), scripted.server_errors())
}

#[tokio::test]
async fn a_storm_follows_the_seed() {
    let (answered, throttled, failed) = stormy("610000000011", 5, 20).await;
    let successes = answered.iter().filter(|&&ok| ok).count();
    let refused = u64::try_from(answered.len() - successes).expect("a count");
    assert!(
        throttled > 0 && failed > 0 && successes > 0,
        "{answered:?}: {throttled} throttled, {failed} failed"
    );
    assert!(
        throttled + failed >= refused,
        "a call fails only once its tries are refused"
    );
    assert_eq!(
        stormy("610000000012", 5, 20).await,
        (answered, throttled, failed),
        "the same seed replays the same storm"
    );
}
