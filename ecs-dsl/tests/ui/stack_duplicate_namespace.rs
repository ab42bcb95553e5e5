fn main() {
    let _ = ecs_dsl::stack! {
        namespaces: [
            { name: "internal.local", vpc: "vpc-0123456789abcdef0" },
            { name: "internal.local" },
        ],
    };
}
