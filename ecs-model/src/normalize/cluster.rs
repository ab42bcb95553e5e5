//! Normalization of CreateCluster and CreateCapacityProvider inputs. Each rule names its source;
//! the module documentation of [`crate::normalize`] has the whole table.

use crate::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, ExecuteCommandLogging,
    ManagedTerminationProtection,
};

use super::{capacity_provider_strategy, enum_order, sort_list, tags};

/// Normalizes a CreateCluster input in place.
///
/// Container Insights (`settings`) is not filled: its default is an account setting.
///
/// ```
/// use ecs_model::normalize;
/// use ecs_model::types::CreateClusterRequest;
///
/// let mut c: CreateClusterRequest = serde_json::from_str(
///     r#"{"clusterName": "demo", "capacityProviders": ["FARGATE_SPOT", "FARGATE"],
///         "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}]}"#,
/// ).expect("valid JSON");
/// normalize::cluster(&mut c);
/// assert_eq!(c.capacity_providers, Some(vec!["FARGATE".to_owned(), "FARGATE_SPOT".to_owned()]));
/// let strategy = c.default_capacity_provider_strategy.as_ref().expect("kept");
/// assert_eq!(strategy[0].base, Some(0));
/// ```
pub fn cluster(c: &mut CreateClusterRequest) {
    // One value per setting name: a set.
    sort_list(&mut c.settings, |a, b| {
        enum_order(&a.name, &b.name, |n| n.as_str())
    });
    // The providers associated with the cluster: a set of names.
    sort_list(&mut c.capacity_providers, String::cmp);
    capacity_provider_strategy(&mut c.default_capacity_provider_strategy);
    if let Some(exec) = c
        .configuration
        .as_mut()
        .and_then(|conf| conf.execute_command_configuration.as_mut())
    {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html:
        // logging DEFAULT "If no logging parameter is specified, it defaults to this value."
        exec.logging.get_or_insert(ExecuteCommandLogging::Default);
    }
    tags(&mut c.tags);
}

/// Normalizes a CreateCapacityProvider input in place.
///
/// ```
/// use ecs_model::normalize;
/// use ecs_model::types::CreateCapacityProviderRequest;
///
/// let mut p: CreateCapacityProviderRequest = serde_json::from_str(
///     r#"{"name": "asg", "autoScalingGroupProvider": {"autoScalingGroupArn": "arn:asg",
///         "managedScaling": {"status": "ENABLED"}}}"#,
/// ).expect("valid JSON");
/// normalize::capacity_provider(&mut p);
/// let asg = p.auto_scaling_group_provider.as_ref().expect("kept");
/// assert_eq!(asg.managed_scaling.as_ref().and_then(|m| m.target_capacity), Some(100));
/// ```
pub fn capacity_provider(p: &mut CreateCapacityProviderRequest) {
    if let Some(asg) = &mut p.auto_scaling_group_provider {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProvider.html:
        // managedTerminationProtection "The default is off."
        asg.managed_termination_protection
            .get_or_insert(ManagedTerminationProtection::Disabled);
        if let Some(scaling) = &mut asg.managed_scaling {
            // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html:
            // targetCapacity "The default value of 100 percent", minimumScalingStepSize "the
            // default value of 1", maximumScalingStepSize "the default value of 10000",
            // instanceWarmupPeriod "the default value of 300 seconds".
            scaling.target_capacity.get_or_insert(100);
            scaling.minimum_scaling_step_size.get_or_insert(1);
            scaling.maximum_scaling_step_size.get_or_insert(10_000);
            scaling.instance_warmup_period.get_or_insert(300);
        }
    }
    tags(&mut p.tags);
}
