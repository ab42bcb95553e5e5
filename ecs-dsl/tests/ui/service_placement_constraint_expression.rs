// A distinctInstance constraint takes no expression.
fn main() {
    let _ = ecs_dsl::service! {
        service_name: "web",
        task_definition: "webserver",
        desired_count: 2,
        launch_type: EC2,
        placement_constraints: [
            { r#type: distinctInstance, expression: "attribute:ecs.instance-type =~ t3.*" },
        ],
    };
}
