//! `ecs-deploy import` and `apply --adopt`, the round trip of issue 11: a cluster, task
//! definitions and services made directly through the SDK (untagged, as the console makes
//! them), imported as a stack file and as Rust code (compiled and run: it prints the same
//! stack), adopted by `apply --adopt`, after which `plan --detailed-exitcode` has nothing to do.
//! A service carrying another stack's tag is imported with a note and never adopted.
//!
//! The CLI works in moto's default account (it cannot send moto's account header); the names
//! are unique. The layer in front of moto plays the deployment configuration AWS answers for
//! a service created without one (`echo_service_defaults`), which the import must leave out,
//! and ListServices' pages (`paginate_list_services`: moto answers every service at once; AWS
//! pages, and may answer fewer than asked).

use std::path::{Path, PathBuf};
use std::process::Output;

use ecs_deploy::Operation;
use serde_json::{Value, json};

use crate::support;
use crate::support::script::Scripted;

/// moto's default account: the CLI's.
const ACCOUNT: &str = "123456789012";
/// The value of an environment variable named like a secret: it must never print, nor be
/// written into the imported stack.
const SECRET: &str = "hunter2-do-not-print";
/// The Auto Scaling group of the capacity provider (moto does not check it exists).
const ASG: &str =
    "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0b1c:autoScalingGroupName/web";

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `ecs-deploy ARGS` against the layer, with `envs`; the secret never prints.
fn cli(url: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let output = support::cli_at(url)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("ecs-deploy runs");
    support::assert_never_printed(&output, &[SECRET]);
    output
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\n{}\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

async fn call(ecs: &ecs_deploy::Ecs, operation: Operation, input: Value) -> Value {
    ecs.call(operation, &input)
        .await
        .unwrap_or_else(|e| panic!("{operation:?}: {e}"))
}

fn task_definition(family: &str, environment: Value) -> Value {
    json!({
        "family": family,
        "requiresCompatibilities": ["EC2"],
        "networkMode": "bridge",
        "containerDefinitions": [{
            "name": "app", "image": "nginx:1.27", "memory": 128, "essential": true, "cpu": 0,
            "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}],
            "environment": environment
        }]
    })
}

/// What the console would have made: a cluster, two task definition families and two
/// services, without any ecs-rs:stack tag; and a third service another stack owns.
async fn made_by_hand(ecs: &ecs_deploy::Ecs, cluster: &str) {
    // An Auto Scaling group capacity provider of the cluster, with AWS's managed scaling
    // defaults written out, as the console writes them.
    call(
        ecs,
        Operation::CreateCapacityProvider,
        json!({"name": format!("{cluster}-asg"), "autoScalingGroupProvider": {
            "autoScalingGroupArn": ASG,
            "managedScaling": {"status": "ENABLED", "targetCapacity": 90,
                               "minimumScalingStepSize": 1, "instanceWarmupPeriod": 300},
            "managedTerminationProtection": "DISABLED"
        }}),
    )
    .await;
    call(
        ecs,
        Operation::CreateCluster,
        json!({"clusterName": cluster, "tags": [{"key": "team", "value": "shop"}],
               "capacityProviders": ["FARGATE", format!("{cluster}-asg")]}),
    )
    .await;
    let web = format!("{cluster}-web");
    let worker = format!("{cluster}-worker");
    let mut web_td = task_definition(
        &web,
        json!([{"name": "MODE", "value": "production"},
               {"name": "DB_PASSWORD", "value": SECRET}]),
    );
    web_td["tags"] = json!([{"key": "team", "value": "shop"}]);
    call(ecs, Operation::RegisterTaskDefinition, web_td).await;
    call(
        ecs,
        Operation::RegisterTaskDefinition,
        task_definition(&worker, json!([{"name": "QUEUE", "value": "jobs"}])),
    )
    .await;
    for (name, family, tags) in [
        ("web", &web, json!([{"key": "team", "value": "shop"}])),
        ("worker", &worker, json!([])),
        (
            "legacy",
            &worker,
            json!([{"key": "ecs-rs:stack", "value": "billing"}]),
        ),
    ] {
        call(
            ecs,
            Operation::CreateService,
            json!({"cluster": cluster, "serviceName": name, "taskDefinition": family,
                   "desiredCount": 1, "launchType": "EC2", "tags": tags}),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_services_compile_as_rust_are_adopted_and_then_plan_no_change() {
    let layer = Scripted::start(support::local_ecs::endpoint());
    layer.echo_service_defaults();
    // Two services per page: the three services take two ListServices calls.
    layer.paginate_list_services(2);
    let ecs = support::ecs_at(&layer.url, ACCOUNT).await;
    let cluster = support::unique("import");
    made_by_hand(&ecs, &cluster).await;
    let folder = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("import");
    std::fs::create_dir_all(&folder).expect("a folder");

    // Import as JSON.
    let imported = cli(&layer.url, &["import", "--cluster", &cluster], &[]);
    let json_text = succeeded(&imported);
    let notes = text(&imported.stderr);
    assert!(notes.contains("DB_PASSWORD"), "{notes}");
    assert!(notes.contains("`billing`"), "{notes}");
    assert!(
        notes.contains("imported 1 cluster, 1 capacity provider, 2 task definitions, 3 services"),
        "{notes}"
    );
    assert!(
        notes.contains("next: ecs-deploy plan --adopt --stack FILE --name NAME,"),
        "{notes}"
    );
    let stack: Value = serde_json::from_str(&json_text).expect("the stack is JSON");
    let (web, worker) = (format!("{cluster}-web"), format!("{cluster}-worker"));
    // Written as a person would: names, no ARN, no default, no ownership tag, no secret.
    // (The Auto Scaling group's ARN stays: CreateCapacityProvider takes the group as an ARN.)
    assert!(!json_text.contains("arn:aws:ecs"), "{json_text}");
    for absent in [
        "essential",
        "deploymentConfiguration",
        "schedulingStrategy",
        "ecs-rs:stack\", \"value\": \"shop",
    ] {
        assert!(!json_text.contains(absent), "{absent} in {json_text}");
    }
    // Container Insights is kept as AWS shows it: its default is an account setting, which a
    // stack applied elsewhere would not share.
    assert_eq!(
        stack["clusters"],
        json!([{"clusterName": cluster, "tags": [{"key": "team", "value": "shop"}],
                "settings": [{"name": "containerInsights", "value": "disabled"}],
                "capacityProviders": ["FARGATE", format!("{cluster}-asg")]}])
    );
    // The provider without the defaults AWS fills in; FARGATE is AWS's, not imported.
    assert_eq!(
        stack["capacityProviders"],
        json!([{"name": format!("{cluster}-asg"), "autoScalingGroupProvider": {
            "autoScalingGroupArn": ASG,
            "managedScaling": {"status": "ENABLED", "targetCapacity": 90}
        }}])
    );
    let services = stack["services"].as_array().expect("services");
    assert_eq!(services.len(), 3, "{json_text}");
    let web_service = services
        .iter()
        .find(|s| s["serviceName"] == "web")
        .expect("web");
    assert_eq!(
        *web_service,
        json!({"serviceName": "web", "cluster": cluster, "taskDefinition": web,
               "desiredCount": 1, "launchType": "EC2",
               "tags": [{"key": "team", "value": "shop"}]})
    );
    let families: Vec<&Value> = stack["taskDefinitions"]
        .as_array()
        .expect("families")
        .iter()
        .collect();
    assert_eq!(families.len(), 2);
    let web_td = families
        .iter()
        .find(|t| t["family"] == web.as_str())
        .expect("web's family");
    assert_eq!(
        web_td["containerDefinitions"][0]["environment"],
        json!([{"name": "MODE", "value": "production"},
               {"name": "DB_PASSWORD", "value": "${DB_PASSWORD}"}])
    );
    assert_eq!(
        web_td["containerDefinitions"][0]["portMappings"],
        json!([{"containerPort": 80}])
    );
    assert!(families.iter().any(|t| t["family"] == worker.as_str()));
    let stack_file = folder.join(format!("{cluster}.json"));
    std::fs::write(&stack_file, &json_text).expect("written");

    // Import as Rust, compile it and run it: the same stack.
    let rust_file = folder.join(format!("{cluster}.rs"));
    succeeded(&cli(
        &layer.url,
        &[
            "import",
            "--cluster",
            &cluster,
            "--format",
            "rust",
            "--out",
            path(&rust_file),
        ],
        &[],
    ));
    let printed = run_rust(&rust_file);
    let printed: Value = serde_json::from_str(&printed).expect("the program prints JSON");
    assert_eq!(printed, stack);

    // Without --adopt, nothing is the stack's.
    let base = ["--stack", path(&stack_file), "--name", "shop"];
    let envs = [("DB_PASSWORD", SECRET)];
    let plain = cli(
        &layer.url,
        &[&["plan", "--detailed-exitcode"][..], &base].concat(),
        &envs,
    );
    assert_eq!(plain.status.code(), Some(0), "{}", text(&plain.stdout));
    let untagged = format!(
        "! service {cluster}/web: not changed: it exists without the ecs-rs:stack tag, so \
         another tool or person manages it"
    );
    assert!(
        text(&plain.stdout).contains(&untagged),
        "{}",
        text(&plain.stdout)
    );

    // The plan with --adopt shows what it takes over; apply tags it.
    let preview = succeeded(&cli(
        &layer.url,
        &[&["plan", "--adopt"][..], &base].concat(),
        &envs,
    ));
    let adopt_line =
        format!("~ service {cluster}/web: update in place: adopt (tag ecs-rs:stack=shop added)");
    assert!(preview.contains(&adopt_line), "{preview}");
    assert!(
        preview.contains("belongs to the stack `billing`"),
        "{preview}"
    );
    let applied = succeeded(&cli(
        &layer.url,
        &[
            &["apply", "--adopt", "--auto-approve", "--no-wait"][..],
            &base,
        ]
        .concat(),
        &envs,
    ));
    assert!(
        !applied.contains("RegisterTaskDefinition"),
        "no new revision: {applied}"
    );

    // Read back: ours tagged, with their own tags kept; the other stack's left alone.
    let owner = |tags: &Value| {
        tags.as_array()
            .into_iter()
            .flatten()
            .find(|t| t["key"] == "ecs-rs:stack")
            .map(|t| t["value"].clone())
    };
    for name in ["web", "worker"] {
        let service = tagged_service(&ecs, &cluster, name).await;
        assert_eq!(owner(&service["tags"]), Some(json!("shop")), "{service}");
    }
    let web_service = tagged_service(&ecs, &cluster, "web").await;
    assert!(
        web_service["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t["key"] == "team")
    );
    let legacy = tagged_service(&ecs, &cluster, "legacy").await;
    assert_eq!(owner(&legacy["tags"]), Some(json!("billing")), "{legacy}");
    let described = call(
        &ecs,
        Operation::DescribeClusters,
        json!({"clusters": [cluster], "include": ["TAGS"]}),
    )
    .await;
    assert_eq!(
        owner(&described["clusters"][0]["tags"]),
        Some(json!("shop"))
    );
    let provider = call(
        &ecs,
        Operation::DescribeCapacityProviders,
        json!({"capacityProviders": [format!("{cluster}-asg")], "include": ["TAGS"]}),
    )
    .await;
    assert_eq!(
        owner(&provider["capacityProviders"][0]["tags"]),
        Some(json!("shop")),
        "{provider}"
    );
    for family in [&web, &worker] {
        let td = call(
            &ecs,
            Operation::DescribeTaskDefinition,
            json!({"taskDefinition": family, "include": ["TAGS"]}),
        )
        .await;
        // The revision the services run is tagged: no new one.
        assert_eq!(td["taskDefinition"]["revision"], 1, "{td}");
        assert_eq!(owner(&td["tags"]), Some(json!("shop")), "{td}");
    }

    // Import, adopt, then nothing to change.
    let after = cli(
        &layer.url,
        &[&["plan", "--detailed-exitcode"][..], &base].concat(),
        &envs,
    );
    assert_eq!(
        after.status.code(),
        Some(0),
        "{}\n{}",
        text(&after.stdout),
        text(&after.stderr)
    );
    let after = text(&after.stdout);
    assert!(
        after.contains(&format!("! service {cluster}/legacy")),
        "{after}"
    );
}

/// The service `name` of `cluster` as DescribeServices answers it, with its tags.
async fn tagged_service(ecs: &ecs_deploy::Ecs, cluster: &str, name: &str) -> Value {
    let mut answer = call(
        ecs,
        Operation::DescribeServices,
        json!({"cluster": cluster, "services": [name], "include": ["TAGS"]}),
    )
    .await;
    answer["services"][0].take()
}

fn path(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// Builds and runs `source` as the `main.rs` of a crate depending on the workspace's ecs-dsl
/// and serde_json, with a target directory of its own under the workspace's target (reused by
/// the next run, so only the first builds ecs-dsl), offline and with the workspace's lock file;
/// returns what it prints.
fn run_rust(source: &Path) -> String {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace");
    let krate = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("import-rust");
    std::fs::create_dir_all(krate.join("src")).expect("a crate folder");
    let manifest = format!(
        "[package]\nname = \"imported-stack\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
         publish = false\n\n[dependencies]\necs-dsl = {{ path = {:?} }}\nserde_json = \"1\"\n\n\
         # Not a member of the workspace it sits in.\n[workspace]\n",
        workspace.join("ecs-dsl").display().to_string()
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).expect("a manifest");
    if !krate.join("Cargo.lock").exists() {
        std::fs::copy(workspace.join("Cargo.lock"), krate.join("Cargo.lock")).expect("a lock file");
    }
    std::fs::copy(source, krate.join("src/main.rs")).expect("the program");
    let started = std::time::Instant::now();
    let output = std::process::Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--offline", "--manifest-path"])
        .arg(krate.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", krate.join("target"))
        .output()
        .expect("cargo runs");
    eprintln!(
        "the imported Rust built and ran in {:.1?}",
        started.elapsed()
    );
    assert!(
        output.status.success(),
        "the imported Rust does not build or run:\n{}\n{}",
        std::fs::read_to_string(source).unwrap_or_default(),
        text(&output.stderr)
    );
    text(&output.stdout)
}

#[test]
fn import_names_what_it_cannot_find_and_takes_only_the_services_asked() {
    let endpoint = support::local_ecs::endpoint();
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let cluster = support::unique("import-some");
    let family = format!("{cluster}-app");
    runtime.block_on(async {
        let ecs = support::ecs_at(endpoint, ACCOUNT).await;
        call(
            &ecs,
            Operation::CreateCluster,
            json!({"clusterName": cluster}),
        )
        .await;
        call(
            &ecs,
            Operation::RegisterTaskDefinition,
            task_definition(&family, json!([])),
        )
        .await;
        // Two revisions: the service runs the first, the family's latest is the second.
        let mut second = task_definition(&family, json!([]));
        second["containerDefinitions"][0]["image"] = json!("nginx:1.28");
        call(&ecs, Operation::RegisterTaskDefinition, second).await;
        for name in ["api", "web"] {
            call(
                &ecs,
                Operation::CreateService,
                json!({"cluster": cluster, "serviceName": name,
                       "taskDefinition": format!("{family}:1"), "desiredCount": 0,
                       "launchType": "EC2"}),
            )
            .await;
        }
    });

    let only_web = cli(
        endpoint,
        &[
            "import",
            "--cluster",
            &cluster,
            "--service",
            "web",
            "--name",
            "shop",
        ],
        &[],
    );
    let stack: Value = serde_json::from_str(&succeeded(&only_web)).expect("JSON");
    assert_eq!(stack["name"], "shop");
    let services: Vec<&Value> = stack["services"]
        .as_array()
        .expect("services")
        .iter()
        .collect();
    assert_eq!(services.len(), 1);
    assert_eq!(services[0]["serviceName"], "web");
    // The definition it runs, with a note that a plan would register and deploy it.
    assert_eq!(
        stack["taskDefinitions"][0]["containerDefinitions"][0]["image"],
        "nginx:1.27"
    );
    let notes = text(&only_web.stderr);
    assert!(
        notes.contains(&format!(
            "runs {family}:1, older than the family's latest ACTIVE revision 2"
        )),
        "{notes}"
    );

    for (args, error) in [
        (
            vec!["import", "--cluster", "no-such-cluster"],
            "error: the cluster `no-such-cluster` does not exist or is not ACTIVE",
        ),
        (
            vec!["import", "--cluster", &cluster, "--service", "nope"],
            "error: the service `nope` is not an ACTIVE service of the clusters imported",
        ),
    ] {
        let output = cli(endpoint, &args, &[]);
        assert_eq!(output.status.code(), Some(1));
        assert!(output.stdout.is_empty(), "nothing written");
        assert!(
            text(&output.stderr).contains(error),
            "{}",
            text(&output.stderr)
        );
    }
}
