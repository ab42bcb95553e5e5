// A warning of the rule set is a compiler warning; this file denies it to see it here.
#![deny(deprecated)]

fn main() {
    let _ = ecs_dsl::task_definition! {
        family: "api",
        container_definitions: [{
            name: "api",
            image: "busybox",
            memory: 64,
            environment: [{ name: "MODE", value: "fast" }, { name: "DB_PASSWORD", value: "hunter2" }],
        }],
    };
}
