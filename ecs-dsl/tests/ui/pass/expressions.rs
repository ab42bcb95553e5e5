//! Rust expressions in place of literals: rules that may depend on them wait for run time, where
//! the same rule set runs on the built value.
fn main() {
    let web = String::from("web");
    let replicas: i32 = 2;
    let mode = ecs_dsl::model::types::NetworkMode::Awsvpc;

    // `dependsOn` names "web", whose name is an expression: not a compile error.
    let td = ecs_dsl::try_task_definition! {
        family: "app",
        network_mode: (mode),
        container_definitions: [
            { name: web.clone(), image: "nginx", memory: 128 },
            {
                name: "proxy",
                image: "envoy",
                memory: 64,
                depends_on: [{ container_name: "web", condition: START }],
            },
        ],
    };
    let td = td.expect("valid at run time");
    assert_eq!(td.container_definitions.map(|c| c.len()), Some(2));

    // The same rule set at run time: the expression names a container that does not exist.
    let wrong = ecs_dsl::try_task_definition! {
        family: "app",
        container_definitions: [
            { name: String::from("api"), image: "nginx", memory: 128 },
            {
                name: "proxy",
                image: "envoy",
                memory: 64,
                depends_on: [{ container_name: "web", condition: START }],
            },
        ],
    };
    let invalid = wrong.expect_err("dependsOn names no container");
    assert!(invalid.to_string().contains("depends-on-unknown-container"), "{invalid}");

    let service = ecs_dsl::try_service! {
        service_name: "app",
        task_definition: "app",
        desired_count: replicas,
    };
    assert_eq!(service.expect("valid").desired_count, Some(2));
}
