fn main() {
    let _ = ecs_dsl::capacity_provider! {
        name: "fargate-extra",
        auto_scaling_group_provider: {
            auto_scaling_group_arn: "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1b3c:autoScalingGroupName/web",
        },
    };
}
