// Eleven placement constraints; AWS takes at most 10.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        launch_type: EC2,
        placement_constraints: [
            { r#type: memberOf, expression: "attribute:rack != r0" },
            { r#type: memberOf, expression: "attribute:rack != r1" },
            { r#type: memberOf, expression: "attribute:rack != r2" },
            { r#type: memberOf, expression: "attribute:rack != r3" },
            { r#type: memberOf, expression: "attribute:rack != r4" },
            { r#type: memberOf, expression: "attribute:rack != r5" },
            { r#type: memberOf, expression: "attribute:rack != r6" },
            { r#type: memberOf, expression: "attribute:rack != r7" },
            { r#type: memberOf, expression: "attribute:rack != r8" },
            { r#type: memberOf, expression: "attribute:rack != r9" },
            { r#type: memberOf, expression: "attribute:rack != r10" },
        ],
    };
}
