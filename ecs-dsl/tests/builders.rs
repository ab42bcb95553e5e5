//! The builders against the JSON they must produce and the rules they must enforce.

use std::path::PathBuf;

use ecs_dsl::prelude::*;
use serde_json::{Value, json};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn example(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/json")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("example file");
    serde_json::from_str(&text).expect("example JSON")
}

/// The `(code, path)` pairs of a failed build's errors.
fn errors(invalid: &Invalid) -> Vec<(String, String)> {
    invalid
        .errors()
        .map(|d| (d.code.clone(), d.path.to_string()))
        .collect()
}

fn has_error(invalid: &Invalid, code: &str, path: &str) -> bool {
    errors(invalid).contains(&(code.to_owned(), path.to_owned()))
}

/// The ECS developer guide's first task definition, as in `examples/json/webserver.json`.
fn webserver() -> ecs_dsl::builders::RegisterTaskDefinitionRequestBuilder {
    task_definition("webserver")
        .container_definitions(
            container("web", "nginx")
                .memory(Memory::mib(100))
                .cpu(Cpu::units(99)),
        )
        .requires_compatibilities("FARGATE")
        .network_mode("awsvpc")
        .memory(Memory::mib(512))
        .cpu(Cpu::units(256))
}

#[test]
fn webserver_matches_the_guide_json() -> TestResult {
    let td = webserver().build()?;
    assert_eq!(serde_json::to_value(&td)?, example("webserver.json"));

    // The same with plain numbers and strings, and with a checked task size.
    let plain = task_definition("webserver")
        .container_definitions(
            ContainerDefinition::builder()
                .name("web")
                .image("nginx")
                .memory(100)
                .cpu(99),
        )
        .requires_compatibilities(Compatibility::Fargate)
        .network_mode(NetworkMode::Awsvpc)
        .memory("512")
        .cpu("256")
        .build()?;
    assert_eq!(plain, td);
    let sized = task_definition("webserver")
        .container_definitions(container("web", "nginx").memory(100).cpu(99))
        .requires_compatibilities("FARGATE")
        .network_mode("awsvpc")
        .size(TaskSize::fargate(Cpu::units(256), Memory::mib(512))?)
        .build()?;
    assert_eq!(serde_json::to_value(&sized)?, example("webserver.json"));
    Ok(())
}

#[test]
fn the_example_stack_builds_from_code() -> TestResult {
    let built = stack()
        .name("demo")
        .cluster(cluster("demo"))
        .task_definition(
            task_definition("webserver")
                .requires_compatibilities("FARGATE")
                .network_mode("awsvpc")
                .cpu("256")
                .memory("512")
                .container_definitions(
                    container("web", "nginx")
                        .port_mappings(PortMapping::builder().container_port(Port::HTTP)),
                ),
        )
        .service(
            replica_service("web", "demo", "webserver")
                .launch_type("FARGATE")
                .network_configuration(NetworkConfiguration::builder().awsvpc_configuration(
                    AwsVpcConfiguration::builder().subnets("subnet-0123456789abcdef0"),
                )),
        )
        .build()?;
    // The replica builder states the scheduling strategy that the file leaves to AWS's default.
    let mut expected = example("stack.json");
    expected["services"][0]["schedulingStrategy"] = json!("REPLICA");
    // The file lists `requiresCompatibilities` before `cpu`; objects compare regardless of order.
    assert_eq!(serde_json::to_value(&built)?, expected);
    Ok(())
}

#[test]
fn replica_and_daemon_services() -> TestResult {
    let replica = replica_service("web", "demo", "webserver:3")
        .desired_count(4)
        .launch_type("EC2")
        .placement_constraints(PlacementConstraint::builder().r#type("distinctInstance"))
        .tags(Tag::builder().key("team").value("web"))
        .build()?;
    assert_eq!(
        serde_json::to_value(&replica)?,
        json!({
            "cluster": "demo",
            "serviceName": "web",
            "taskDefinition": "webserver:3",
            "desiredCount": 4,
            "launchType": "EC2",
            "placementConstraints": [{"type": "distinctInstance"}],
            "schedulingStrategy": "REPLICA",
            "tags": [{"key": "team", "value": "web"}]
        })
    );

    let daemon = daemon_service("log-agent", "demo", "fluent-bit")
        .launch_type("EC2")
        .placement_constraints(
            PlacementConstraint::builder()
                .r#type("memberOf")
                .expression("attribute:ecs.os-type == linux"),
        )
        .build()?;
    assert_eq!(
        serde_json::to_value(&daemon)?,
        json!({
            "cluster": "demo",
            "serviceName": "log-agent",
            "taskDefinition": "fluent-bit",
            "launchType": "EC2",
            "placementConstraints": [{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}],
            "schedulingStrategy": "DAEMON"
        })
    );
    Ok(())
}

#[test]
fn a_fargate_size_fargate_does_not_offer_is_an_error() {
    let invalid = webserver()
        .size(TaskSize::new(Cpu::units(256), Memory::gib(4)))
        .build()
        .expect_err("256 units with 4 GiB");
    assert!(
        has_error(&invalid, "fargate-cpu-memory", "memory"),
        "{invalid}"
    );
    assert_eq!(invalid.resource(), "task definition `webserver`");
    // The typed size refuses it before the rule set sees it.
    assert!(TaskSize::fargate(Cpu::units(256), Memory::gib(4)).is_err());
}

#[test]
fn duplicate_container_names_are_reported_at_the_second() {
    let invalid = webserver()
        .container_definitions(container("web", "nginx:1.27"))
        .build()
        .expect_err("two containers named web");
    assert!(
        has_error(
            &invalid,
            "duplicate-container-name",
            "containerDefinitions[1].name"
        ),
        "{invalid}"
    );
}

#[test]
fn missing_required_members_are_reported() {
    let invalid = task_definition("webserver")
        .build()
        .expect_err("no containers");
    let missing: Vec<_> = invalid
        .errors()
        .filter(|d| d.code == "missing-required-field")
        .collect();
    assert_eq!(missing.len(), 1, "{invalid}");
    assert_eq!(missing[0].path.to_string(), "containerDefinitions");

    let unnamed = ecs_dsl::builders::CreateCapacityProviderRequestBuilder::default()
        .build()
        .expect_err("no name");
    assert!(
        unnamed.codes().contains(&"missing-required-field"),
        "{unnamed}"
    );
    assert_eq!(unnamed.resource(), "capacity provider without a name");
}

#[test]
fn service_rules_run_on_build() {
    let daemon = daemon_service("agent", "demo", "agent")
        .launch_type("FARGATE")
        .build()
        .expect_err("daemon on Fargate");
    assert!(
        has_error(&daemon, "service-daemon-fargate", "launchType"),
        "{daemon}"
    );

    let replica = replica_service("web", "demo", "webserver")
        .set_desired_count(None)
        .build()
        .expect_err("no desired count");
    assert!(
        has_error(&replica, "service-desired-count", "desiredCount"),
        "{replica}"
    );

    let negative = replica_service("web", "demo", "webserver")
        .desired_count(-1)
        .build();
    assert!(negative.is_err());
}

#[test]
fn nested_paths_point_into_the_builders_values() {
    let invalid = webserver()
        .container_definitions(
            container("sidecar", "envoy")
                .port_mappings(PortMapping::builder().container_port(8080).host_port(9090)),
        )
        .build()
        .expect_err("hostPort differs under awsvpc");
    assert!(
        has_error(
            &invalid,
            "host-port-mismatch",
            "containerDefinitions[1].portMappings[0].hostPort"
        ),
        "{invalid}"
    );
}

#[test]
fn a_stack_catches_a_service_naming_an_unknown_family() {
    let builder = stack()
        .cluster(cluster("demo"))
        .task_definition(webserver())
        .service(
            replica_service("web", "demo", "websrever")
                .launch_type("FARGATE")
                .network_configuration(NetworkConfiguration::builder().awsvpc_configuration(
                    AwsVpcConfiguration::builder().subnets("subnet-0123456789abcdef0"),
                )),
        );
    let invalid = builder.clone().build().expect_err("unknown family");
    assert_eq!(invalid.resource(), "stack");
    assert_eq!(
        errors(&invalid),
        [(
            "stack-unknown-task-definition".to_owned(),
            "services[0].taskDefinition".to_owned()
        )],
        "{invalid}"
    );
    assert!(builder.allow_external_references().build().is_ok());
}

#[test]
fn a_stack_checks_each_resource_with_its_path() {
    let invalid = stack()
        .cluster(cluster("demo"))
        .task_definition(task_definition("empty"))
        .service(daemon_service("agent", "demo", "empty").launch_type("FARGATE"))
        .build()
        .expect_err("invalid resources");
    let errors = errors(&invalid);
    assert!(
        errors.contains(&(
            "missing-required-field".into(),
            "taskDefinitions[0].containerDefinitions".into()
        )),
        "{invalid}"
    );
    assert!(
        errors.contains(&(
            "service-daemon-fargate".into(),
            "services[0].launchType".into()
        )),
        "{invalid}"
    );
}

#[test]
fn unknown_enum_values_are_warnings_that_still_build() -> TestResult {
    let td = webserver().set_network_mode(None).network_mode("awsvcp");
    let warning = td
        .check()
        .into_iter()
        .find(|d| d.code == "unknown-enum-value")
        .expect("typo reported");
    assert_eq!(
        (warning.severity, warning.path.to_string()),
        (Severity::Warning, "networkMode".to_owned())
    );
    Ok(())
}

#[test]
fn unit_members_take_units_durations_and_raw_values() -> TestResult {
    use std::time::Duration;

    let td = task_definition("api")
        .cpu(Cpu::vcpu(1))
        .memory("2 GB")
        .container_definitions(
            container("app", "nginx")
                .cpu(Cpu::units(512))
                .memory(Memory::gib(1))
                .memory_reservation(256u16)
                .stop_timeout(Duration::from_secs(30))
                .port_mappings(
                    PortMapping::builder()
                        .container_port(Port::HTTP)
                        .host_port(0),
                )
                .health_check(
                    HealthCheck::builder()
                        .command("CMD-SHELL")
                        .command("curl -f http://localhost/ || exit 1")
                        .interval(Duration::from_secs(30))
                        .timeout(Duration::from_secs(5))
                        .start_period(Seconds::new(60)),
                ),
        )
        .build()?;
    assert_eq!(
        (td.cpu.as_deref(), td.memory.as_deref()),
        (Some("1024"), Some("2 GB"))
    );
    let app = &td.container_definitions.as_deref().unwrap_or_default()[0];
    assert_eq!(
        (
            app.cpu,
            app.memory,
            app.memory_reservation,
            app.stop_timeout
        ),
        (Some(512), Some(1024), Some(256), Some(30))
    );
    let check = app.health_check.as_ref().expect("health check");
    assert_eq!(
        (check.interval, check.timeout, check.start_period),
        (Some(30), Some(5), Some(60))
    );
    let mapping = &app.port_mappings.as_deref().unwrap_or_default()[0];
    assert_eq!(
        (mapping.container_port, mapping.host_port),
        (Some(80), Some(0))
    );

    let web = replica_service("web", "demo", "api")
        .health_check_grace_period_seconds(Duration::from_secs(120))
        .build()?;
    assert_eq!(web.health_check_grace_period_seconds, Some(120));
    Ok(())
}

#[test]
fn out_of_range_durations_and_raw_values_reach_the_rule_set() {
    use std::time::Duration;

    // A Duration beyond i32 seconds saturates; the rule set reports the value.
    let invalid = task_definition("api")
        .container_definitions(
            container("app", "nginx").memory(512).health_check(
                HealthCheck::builder()
                    .command("CMD-SHELL")
                    .command("true")
                    .interval(Duration::MAX),
            ),
        )
        .build()
        .expect_err("an interval beyond i32 seconds");
    assert!(
        has_error(
            &invalid,
            "health-check-interval",
            "containerDefinitions[0].healthCheck.interval"
        ),
        "{invalid}"
    );
    // A raw number goes in as it is, and the escape hatch takes the model's type.
    let invalid = task_definition("api")
        .container_definitions(
            container("app", "nginx")
                .memory(512)
                .port_mappings(PortMapping::builder().container_port(0))
                .port_mappings(PortMapping::builder().set_container_port(Some(70000))),
        )
        .build()
        .expect_err("ports 0 and 70000");
    for index in 0..2 {
        let path = format!("containerDefinitions[0].portMappings[{index}].containerPort");
        assert!(has_error(&invalid, "port-out-of-range", &path), "{invalid}");
    }
}
