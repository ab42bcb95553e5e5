// A unit-typed member takes only its unit: CPU units are not memory.
use ecs_dsl::units::Cpu;

fn main() {
    let _ = ecs_dsl::try_task_definition! {
        family: "app",
        container_definitions: [{ name: "web", image: "nginx", memory: Cpu::units(256) }],
    };
}
