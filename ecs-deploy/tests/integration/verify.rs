//! `verify` against the local endpoint: an ECR repository with an image, a role trusting
//! `ecs-tasks.amazonaws.com` (with a path) and one trusting EC2 only, a secret, a parameter,
//! log groups, a target group and a Cloud Map namespace made directly through the SDK; a
//! stack naming some that exist and some that do not. Every outcome is checked, through the
//! library (with target groups and namespaces, own and foreign) and through the CLI (its exit
//! code, text and JSON). The calls go through `support::script::pre_flight`, which answers
//! SSM DescribeParameters with an empty first page as AWS may.

use crate::support;

use ecs_deploy::verify::{CheckKind, Outcome, Verification};
use ecs_deploy::{Deployer, Options};
use ecs_model::Stack;
use serde_json::{Value, json};
use support::script::pre_flight::PreFlight;

/// moto's default account, the one the CLI (without an account header) calls.
const ACCOUNT: &str = "123456789012";

/// What the test made in AWS.
struct Made {
    tag: String,
    registry: String,
    exec_role: String,
    ec2_role: String,
    secret: String,
    /// A secret scheduled for deletion.
    deleted_secret: String,
    target_group: String,
    namespace: String,
}

const MANIFEST: &str = r#"{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023, "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"}, "layers": []}"#;

fn trust(service: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
    .to_string()
}

/// Makes the role `name` at `path` trusting `service`; its ARN.
async fn role(iam: &aws_sdk_iam::Client, name: &str, path: &str, service: &str) -> String {
    iam.create_role()
        .role_name(name)
        .path(path)
        .assume_role_policy_document(trust(service))
        .send()
        .await
        .expect("a role")
        .role()
        .expect("the role")
        .arn()
        .to_owned()
}

/// Makes the secret `name` (its value is never read back); its ARN.
async fn create_secret(secrets: &aws_sdk_secretsmanager::Client, name: &str) -> String {
    secrets
        .create_secret()
        .name(name)
        .secret_string(r#"{"password": "not read"}"#)
        .send()
        .await
        .expect("a secret")
        .arn()
        .expect("its ARN")
        .to_owned()
}

/// Makes the repository and image, roles, secret, parameter, log groups, target group and
/// namespace in moto's default account.
async fn make(moto: &str) -> Made {
    let tag = support::unique("verify");
    let config = support::clients::sdk_config(moto).await;
    let ecr = aws_sdk_ecr::Client::new(&config);
    ecr.create_repository()
        .repository_name(format!("{tag}/web"))
        .send()
        .await
        .expect("a repository");
    ecr.put_image()
        .repository_name(format!("{tag}/web"))
        .image_manifest(MANIFEST)
        .image_tag("1.0")
        .send()
        .await
        .expect("an image");
    let iam = aws_sdk_iam::Client::new(&config);
    let exec_role = role(
        &iam,
        &format!("{tag}-exec"),
        "/svc/",
        "ecs-tasks.amazonaws.com",
    )
    .await;
    let ec2_role = role(&iam, &format!("{tag}-ec2"), "/", "ec2.amazonaws.com").await;
    let secrets = aws_sdk_secretsmanager::Client::new(&config);
    let secret = create_secret(&secrets, &format!("{tag}/db")).await;
    let deleted_secret = create_secret(&secrets, &format!("{tag}/old")).await;
    secrets
        .delete_secret()
        .secret_id(&deleted_secret)
        .recovery_window_in_days(7)
        .send()
        .await
        .expect("scheduled for deletion");
    aws_sdk_ssm::Client::new(&config)
        .put_parameter()
        .name(format!("/{tag}/api-key"))
        .value("not read")
        .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
        .send()
        .await
        .expect("a parameter");
    let logs = aws_sdk_cloudwatchlogs::Client::new(&config);
    for group in [format!("/ecs/{tag}"), format!("/ecs/{tag}-other-old")] {
        logs.create_log_group()
            .log_group_name(group)
            .send()
            .await
            .expect("a log group");
    }
    let vpc = support::ec2::default_vpc(&support::ec2::client_at(moto, ACCOUNT)).await;
    let target_group = support::script::load_balancing::client_at(moto, ACCOUNT)
        .create_target_group()
        .name(format!("tg-{}", &tag[tag.len().saturating_sub(20)..]).replace('_', "-"))
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .vpc_id(vpc)
        .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Ip)
        .send()
        .await
        .expect("a target group")
        .target_groups()[0]
        .target_group_arn()
        .expect("its ARN")
        .to_owned();
    let cloud_map = support::cloud_map::client_at(moto, ACCOUNT);
    cloud_map
        .create_http_namespace()
        .name(format!("{tag}.internal"))
        .send()
        .await
        .expect("a namespace");
    let namespace = cloud_map
        .list_namespaces()
        .send()
        .await
        .expect("the namespaces")
        .namespaces()
        .iter()
        .find(|n| n.name() == Some(&format!("{tag}.internal")))
        .and_then(|n| n.arn())
        .expect("the namespace's ARN")
        .to_owned();
    Made {
        registry: format!("{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com"),
        tag,
        exec_role,
        ec2_role,
        secret,
        deleted_secret,
        target_group,
        namespace,
    }
}

/// Task definitions naming what exists and what does not (valid for `validate`).
fn task_definitions(made: &Made) -> Value {
    let Made {
        tag,
        registry,
        exec_role,
        ec2_role,
        secret,
        ..
    } = made;
    let awslogs = |group: String, extra: Value| {
        let mut options = json!({"awslogs-group": group, "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "app"});
        if let (Some(options), Some(extra)) = (options.as_object_mut(), extra.as_object()) {
            options.extend(extra.clone());
        }
        json!({"logDriver": "awslogs", "options": options})
    };
    json!([
        {"family": format!("{tag}-web"), "executionRoleArn": exec_role, "taskRoleArn": ec2_role,
         "containerDefinitions": [
            {"name": "web", "image": format!("{registry}/{tag}/web:1.0"), "memory": 128,
             "secrets": [
                {"name": "DB_PASSWORD", "valueFrom": format!("{secret}:password::")},
                {"name": "API_KEY", "valueFrom": format!("/{tag}/api-key")}
             ],
             "logConfiguration": awslogs(format!("/ecs/{tag}"), json!({}))},
            {"name": "proxy", "image": "public.ecr.aws/nginx/nginx:1.27", "memory": 64,
             "essential": false,
             "logConfiguration": awslogs(format!("/ecs/{tag}-new"),
                json!({"awslogs-create-group": "true"}))}
         ]},
        {"family": format!("{tag}-worker"),
         "executionRoleArn": format!("arn:aws:iam::{ACCOUNT}:role/{tag}-missing"),
         "containerDefinitions": [
            {"name": "worker", "image": format!("{registry}/{tag}/web:2.0"), "memory": 128,
             "secrets": [
                {"name": "TOKEN", "valueFrom":
                    format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{tag}/gone-AbCdEf")},
                {"name": "KEY", "valueFrom":
                    format!("arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/{tag}/missing")}
             ],
             "logConfiguration": awslogs(format!("/ecs/{tag}-other"), json!({}))},
            {"name": "metrics", "image": format!("{registry}/{tag}/absent:1"), "memory": 64,
             "essential": false}
         ]}
    ])
}

/// The outcome of the check of `subject`, as `ok`, `failed` or `skipped` with its detail.
fn outcome_of<'v>(verification: &'v Verification, kind: CheckKind, subject: &str) -> &'v Outcome {
    &verification
        .checks
        .iter()
        .find(|c| c.kind == kind && c.subject == subject)
        .unwrap_or_else(|| panic!("no {kind:?} check of {subject}: {verification:#?}"))
        .outcome
}

fn assert_ok(outcome: &Outcome, contains: &str) {
    assert!(
        matches!(outcome, Outcome::Ok(d) if d.contains(contains)),
        "{outcome:?} should be ok with {contains}"
    );
}

fn assert_failed(outcome: &Outcome, contains: &str) {
    assert!(
        matches!(outcome, Outcome::Failed(d) if d.contains(contains)),
        "{outcome:?} should fail with {contains}"
    );
}

fn assert_skipped(outcome: &Outcome, contains: &str) {
    assert!(
        matches!(outcome, Outcome::Skipped(d) if d.contains(contains)),
        "{outcome:?} should be skipped with {contains}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_reports_what_exists_and_what_does_not() {
    let moto = support::local_ecs::endpoint();
    let made = make(moto).await;
    let layer = PreFlight::start(moto);
    let tag = made.tag.clone();
    let registry = made.registry.clone();

    // The library, with services naming target groups and Cloud Map resources too.
    let mut stack = json!({
        "taskDefinitions": task_definitions(&made),
        "targetGroups": [{"Name": "own-group", "Protocol": "HTTP", "Port": 80,
            "VpcId": "vpc-1", "TargetType": "ip"}],
        "namespaces": [{"Name": "own.internal"}],
        "discoveryServices": [{"Name": "api", "NamespaceId": "own.internal"}],
        "clusters": [{"clusterName": "c", "serviceConnectDefaults": {"namespace": made.namespace}}],
        "services": [{
            "serviceName": "web", "cluster": "c", "taskDefinition": format!("{tag}-web"),
            "loadBalancers": [
                {"targetGroupArn": "own-group", "containerName": "web", "containerPort": 80},
                {"targetGroupArn": made.target_group, "containerName": "web", "containerPort": 80},
                {"targetGroupArn": format!(
                    "arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/gone/0123456789abcdef"),
                 "containerName": "web", "containerPort": 80}
            ],
            "serviceRegistries": [
                {"registryArn": "api"},
                {"registryArn": format!("arn:aws:servicediscovery:us-east-1:{ACCOUNT}:service/srv-0000000000000000")}
            ],
            "serviceConnectConfiguration": {"enabled": true, "namespace": format!("{tag}.absent")}
        }]
    });
    // A secret scheduled for deletion, a version stage the secret does not have, and a task
    // role of another account.
    if let Some(definitions) = stack["taskDefinitions"].as_array_mut() {
        definitions.push(json!({
            "family": format!("{tag}-jobs"), "executionRoleArn": made.exec_role,
            "taskRoleArn": format!("arn:aws:iam::999999999999:role/{tag}-exec"),
            "containerDefinitions": [{"name": "job", "image": "busybox", "memory": 64,
                "secrets": [
                    {"name": "OLD", "valueFrom": made.deleted_secret},
                    {"name": "NEXT", "valueFrom": format!("{}:password:AWSPENDING:", made.secret)}
                ]}]
        }));
    }
    let stack = ecs_model::load::from_value::<Stack>(&stack)
        .value
        .expect("a stack");
    let config = support::clients::sdk_config(&layer.url).await;
    let deployer = Deployer::from_config(&config, Options::new("verify"));
    let verification = deployer.verify(&stack).await.expect("verified");
    let image = |name: &str| format!("{registry}/{tag}/{name}");
    assert_ok(
        outcome_of(&verification, CheckKind::Image, &image("web:1.0")),
        "found (sha256:",
    );
    assert_failed(
        outcome_of(&verification, CheckKind::Image, &image("web:2.0")),
        "no image with tag 2.0",
    );
    assert_failed(
        outcome_of(&verification, CheckKind::Image, &image("absent:1")),
        &format!("no repository {tag}/absent"),
    );
    assert_skipped(
        outcome_of(
            &verification,
            CheckKind::Image,
            "public.ecr.aws/nginx/nginx:1.27",
        ),
        "not in ECR (registry public.ecr.aws)",
    );
    assert_ok(
        outcome_of(&verification, CheckKind::ExecutionRole, &made.exec_role),
        "trusts ecs-tasks.amazonaws.com",
    );
    assert!(made.exec_role.contains(":role/svc/"), "a role with a path");
    assert_failed(
        outcome_of(
            &verification,
            CheckKind::ExecutionRole,
            &format!("arn:aws:iam::{ACCOUNT}:role/{tag}-missing"),
        ),
        &format!("no role {tag}-missing"),
    );
    assert_failed(
        outcome_of(&verification, CheckKind::TaskRole, &made.ec2_role),
        "does not trust ecs-tasks.amazonaws.com (it trusts ec2.amazonaws.com)",
    );
    assert_ok(
        outcome_of(
            &verification,
            CheckKind::Secret,
            &format!("{}:password::", made.secret),
        ),
        "exists",
    );
    assert_failed(
        outcome_of(
            &verification,
            CheckKind::Secret,
            &format!("arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:{tag}/gone-AbCdEf"),
        ),
        "no secret",
    );
    assert_ok(
        outcome_of(
            &verification,
            CheckKind::Parameter,
            &format!("/{tag}/api-key"),
        ),
        "SecureString",
    );
    assert_failed(
        outcome_of(
            &verification,
            CheckKind::Parameter,
            &format!("arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/{tag}/missing"),
        ),
        &format!("no parameter /{tag}/missing"),
    );
    assert!(
        layer.empty_pages() >= 2,
        "each parameter look-up met the empty first page"
    );
    assert_ok(
        outcome_of(&verification, CheckKind::LogGroup, &format!("/ecs/{tag}")),
        "exists",
    );
    assert_skipped(
        outcome_of(
            &verification,
            CheckKind::LogGroup,
            &format!("/ecs/{tag}-new"),
        ),
        "awslogs-create-group is true",
    );
    assert_failed(
        outcome_of(
            &verification,
            CheckKind::LogGroup,
            &format!("/ecs/{tag}-other"),
        ),
        "no log group",
    );
    assert_skipped(
        outcome_of(&verification, CheckKind::TargetGroup, "own-group"),
        "created by this stack",
    );
    assert_ok(
        outcome_of(&verification, CheckKind::TargetGroup, &made.target_group),
        "exists",
    );
    assert_failed(
        outcome_of(
            &verification,
            CheckKind::TargetGroup,
            &format!(
                "arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/gone/0123456789abcdef"
            ),
        ),
        "no target group",
    );
    assert_ok(
        outcome_of(&verification, CheckKind::Namespace, &made.namespace),
        &format!("{tag}.internal"),
    );
    assert_skipped(
        outcome_of(
            &verification,
            CheckKind::Namespace,
            &format!("{tag}.absent"),
        ),
        "ECS creates an HTTP namespace",
    );
    assert_skipped(
        outcome_of(&verification, CheckKind::DiscoveryService, "api"),
        "created by this stack",
    );
    assert_failed(
        outcome_of(
            &verification,
            CheckKind::DiscoveryService,
            &format!("arn:aws:servicediscovery:us-east-1:{ACCOUNT}:service/srv-0000000000000000"),
        ),
        "no Cloud Map service",
    );
    assert_failed(
        outcome_of(&verification, CheckKind::Secret, &made.deleted_secret),
        "is scheduled for deletion",
    );
    assert_failed(
        outcome_of(
            &verification,
            CheckKind::Secret,
            &format!("{}:password:AWSPENDING:", made.secret),
        ),
        "has no version staged AWSPENDING",
    );
    assert_skipped(
        outcome_of(&verification, CheckKind::Image, "busybox"),
        "not in ECR (registry docker.io)",
    );
    // The execution role named twice is looked at once, with both places.
    let exec = verification
        .checks
        .iter()
        .find(|c| c.subject == made.exec_role)
        .expect("the execution role's check");
    assert_eq!(exec.paths.len(), 2, "{exec:?}");
    assert_skipped(
        outcome_of(
            &verification,
            CheckKind::TaskRole,
            &format!("arn:aws:iam::999999999999:role/{tag}-exec"),
        ),
        "in account 999999999999, and verify reads account 123456789012",
    );
    assert_eq!(verification.checks.len(), 25, "{verification:#?}");
    assert_eq!(verification.failed().count(), 11);
    // Where the stack names a failed thing, and a hint.
    let missing_image = verification
        .checks
        .iter()
        .find(|c| c.subject == image("web:2.0"))
        .expect("the check");
    assert_eq!(
        missing_image.paths[0].to_string(),
        "taskDefinitions[1].containerDefinitions[0].image"
    );
    assert!(missing_image.hint.is_some());

    // The CLI: the task definitions alone.
    let folder = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("verify");
    std::fs::create_dir_all(&folder).expect("a folder");
    let file = folder.join(format!("{tag}.json"));
    let cli_stack = json!({"taskDefinitions": task_definitions(&made)});
    std::fs::write(&file, cli_stack.to_string()).expect("written");
    let file_arg = file.to_str().expect("a UTF-8 path");
    let output = support::cli_at(&layer.url)
        .args(["verify", "--stack", file_arg])
        .output()
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for line in [
        "images".to_owned(),
        format!("  ✓ {}: found (sha256:", image("web:1.0")),
        format!(
            "  ✗ {}: no image with tag 2.0 in repository {tag}/web",
            image("web:2.0")
        ),
        "      at taskDefinitions[1].containerDefinitions[0].image".to_owned(),
        "  - public.ecr.aws/nginx/nginx:1.27: skipped: not in ECR (registry public.ecr.aws): not checked"
            .to_owned(),
        "roles".to_owned(),
        format!(
            "  ✗ task role {}: does not trust ecs-tasks.amazonaws.com (it trusts ec2.amazonaws.com)",
            made.ec2_role
        ),
        "secrets and parameters".to_owned(),
        "log groups".to_owned(),
        "14 checks: 5 ok, 7 failed, 2 skipped".to_owned(),
    ] {
        assert!(
            stdout.lines().any(|l| l.starts_with(&line)),
            "no line {line:?} in:\n{stdout}"
        );
    }
    assert!(
        stdout.contains("      hint: "),
        "failures come with a hint:\n{stdout}"
    );
    assert!(!stdout.contains("not read"), "no secret value is shown");

    let output = support::cli_at(&layer.url)
        .args(["verify", "--stack", file_arg, "--format", "json"])
        .output()
        .expect("the CLI runs");
    assert_eq!(output.status.code(), Some(1));
    let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(
        (&document["ok"], &document["failed"], &document["skipped"]),
        (&json!(5), &json!(7), &json!(2))
    );
    let role = document["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["kind"] == "task-role")
        .expect("the task role's check");
    assert_eq!(role["outcome"], "failed");
    assert_eq!(role["paths"], json!(["taskDefinitions[0].taskRoleArn"]));

    // What exists alone passes: exit 0.
    let mut passing = task_definitions(&made);
    passing[0]
        .as_object_mut()
        .expect("a task definition")
        .remove("taskRoleArn");
    let passing = json!({"taskDefinitions": [passing[0].clone()]});
    let file = folder.join(format!("{tag}-passing.json"));
    std::fs::write(&file, passing.to_string()).expect("written");
    let output = support::cli_at(&layer.url)
        .args(["verify", "--stack", file.to_str().expect("UTF-8")])
        .output()
        .expect("the CLI runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.ends_with("7 checks: 5 ok, 0 failed, 2 skipped\n"),
        "{stdout}"
    );
}
