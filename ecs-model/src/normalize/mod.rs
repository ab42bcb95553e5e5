//! Normalization: fill the defaults AWS fills and remove the differences AWS does not keep, so
//! that two definitions AWS treats as equal compare equal.
//!
//! The deploy planner normalizes both sides before it diffs them: the desired stack (as the
//! user wrote it) and the actual stack (as the describe calls return it). Without this step an
//! unchanged task definition plans a new revision on every run, because AWS answers
//! `"essential": true`, `"protocol": "tcp"`, `"cpu": 0`, `"environment": []` and so on where
//! the file said nothing: the perpetual diffs that Terraform, Pulumi and ecspresso users keep
//! reporting.
//!
//! Normalization is a pure function over the wire types, separate from the loader: the loader
//! keeps what the file says (so `render` can write it back), normalization produces the
//! comparison form. It is
//!
//! - **idempotent**: normalizing twice gives the same value as normalizing once;
//! - **lossless for unknown members**: `extra` maps are never touched, and an element whose
//!   `extra` is not empty is never removed;
//! - **conservative**: a value is filled in only where the AWS documentation states the
//!   default, or where AWS's own example output shows it; everything else is left as written.
//!
//! ```
//! use ecs_model::normalize::Normalize;
//! use ecs_model::types::RegisterTaskDefinitionRequest;
//!
//! let written: RegisterTaskDefinitionRequest = serde_json::from_str(r#"{
//!     "family": "web", "cpu": "0.25 vCPU", "memory": "0.5 GB", "networkMode": "awsvpc",
//!     "containerDefinitions": [{"name": "web", "image": "nginx",
//!                               "portMappings": [{"containerPort": 80}]}]
//! }"#).expect("valid JSON");
//! let described: RegisterTaskDefinitionRequest = serde_json::from_str(r#"{
//!     "family": "web", "cpu": "256", "memory": "512", "networkMode": "awsvpc",
//!     "volumes": [], "placementConstraints": [],
//!     "containerDefinitions": [{"name": "web", "image": "nginx", "cpu": 0, "essential": true,
//!                               "portMappings": [{"containerPort": 80, "hostPort": 80,
//!                                                 "protocol": "tcp"}],
//!                               "environment": [], "mountPoints": [], "volumesFrom": []}]
//! }"#).expect("valid JSON");
//! assert_ne!(written, described);
//! assert_eq!(written.normalized(), described.normalized());
//! ```
//!
//! # Canonical forms
//!
//! Where AWS treats two spellings alike, one is chosen:
//!
//! - **Empty lists and maps are absent.** AWS answers `[]` for lists the request left out
//!   (`volumes`, `placementConstraints`, container `environment`, `mountPoints`, `volumesFrom`,
//!   `portMappings`, ...) and keeps `[]` where the request sent one; both sides drop them.
//!   The one exception is a container's `entryPoint`: Docker keeps an empty entry point
//!   distinct from none (an empty one clears the image's), so `[]` stays.
//! - **Defaults are filled in**, not removed: `essential: true`, `protocol: "tcp"`, container
//!   `cpu: 0`, ... This is the form the describe calls return, so the normalized actual state
//!   reads like AWS's own output.
//! - **Lists that are sets are sorted** (stably, so duplicates keep their relative order).
//!   Lists whose order means something are left alone: `placementStrategy` (strategies apply
//!   in order), `environmentFiles` (processed top down), `entryPoint`, `command`, `links`,
//!   `dnsServers`, `dnsSearchDomains`, `extraHosts`, `mountPoints`, `volumesFrom`, `dependsOn`,
//!   `dockerSecurityOptions`, lifecycle hooks.
//! - **Unit strings become plain numbers**: task `cpu` `"1 vCPU"` becomes `"1024"`, `memory`
//!   `"2 GB"` becomes `"2048"`, as RegisterTaskDefinition stores them (read by
//!   [`crate::units`]; [`cpu_units`] and [`memory_mib`] are re-exported here).
//!
//! # Defaults and their sources
//!
//! | Member | Normal form | Source |
//! |---|---|---|
//! | **Task definitions** | | |
//! | `cpu` | `"1 vCPU"`, `"0.25 vcpu"`, `" 1024 "` → `"1024"`, `"256"`, `"1024"` | [RegisterTaskDefinition][rtd]: "String values are converted to an integer indicating the CPU units" |
//! | `memory` | `"2 GB"`, `"2GB"`, `"512 MiB"` → `"2048"`, `"2048"`, `"512"` | [RegisterTaskDefinition][rtd]: "String values are converted to an integer indicating the MiB" |
//! | `networkMode`, `ipcMode`, `pidMode` `""` | absent | The loader reads `""` as an unknown enum value; AWS rejects it, so it can only mean "not set" (console exports) |
//! | `networkMode` absent on Linux | `"bridge"` | [RegisterTaskDefinition][rtd]: "If no network mode is specified, the default is bridge"; a describe answer may state it or omit it, and both mean bridge. Windows (default `<default>`, NAT) stays absent |
//! | `enableFaultInjection` | absent → `false` | [RegisterTaskDefinition][rtd]: "The default value is false" |
//! | `requiresCompatibilities`, `placementConstraints`, `volumes` (by name), `tags` (by key), `containerDefinitions` (by name) | sorted | Sets: AWS validates against each compatibility, applies every constraint, and addresses volumes and containers by their unique name |
//! | empty `volumes`, `placementConstraints`, `requiresCompatibilities`, `tags`, `inferenceAccelerators` | absent | [`register-task-definition` example output][cli-rtd] answers `"volumes": []`, `"placementConstraints": []` for a request without them |
//! | container `essential` | absent → `true` | [ContainerDefinition][cd]: "If this parameter is omitted, a container is assumed to be essential" |
//! | container `cpu` | absent → `0` | [ContainerDefinition][cd]: null and zero CPU values are passed to Docker alike (as 2 on Linux agents ≥ 1.2.0, as 0 on Windows); DescribeTaskDefinition answers `"cpu": 0` |
//! | container `versionConsistency` | absent → `enabled` | [ContainerDefinition][cd]: "By default, the value is enabled" |
//! | container `environment` entry without `value` | removed | AWS drops it at registration: [aws-actions/amazon-ecs-deploy-task-definition#224][env-null] |
//! | container `environment`, `secrets` (by name), `systemControls` (by namespace), `ulimits` (by name), `portMappings` | sorted | Sets keyed by a unique name; Docker receives environment and sysctls as maps |
//! | container empty lists and maps (`environment`, `mountPoints`, `volumesFrom`, `portMappings`, `secrets`, `systemControls`, `ulimits`, `dockerLabels`, ...), and `linuxParameters.capabilities` that add and drop nothing | absent | [`register-task-definition` example output][cli-rtd] answers `"portMappings": []`, `"environment": []`, `"mountPoints": []`, `"volumesFrom": []` |
//! | port mapping `protocol` | absent → `tcp` | [PortMapping][pm]: "The default is tcp" |
//! | port mapping `hostPort` under `awsvpc` or `host` | absent → `containerPort` (not for `containerPortRange`) | [PortMapping][pm]: "the hostPort can either be left blank or set to the same value as the containerPort" |
//! | port mapping `hostPort` under `bridge` (or no `networkMode` on Linux) | `0` → absent | [PortMapping][pm]: "omit the hostPort (or set it to 0)" for a dynamic host port |
//! | `healthCheck` `interval`, `timeout`, `retries` | absent → `30`, `5`, `3` (`startPeriod` stays absent: "off") | [HealthCheck][hc] |
//! | `restartPolicy.restartAttemptPeriod` | absent → `300` | [ContainerRestartPolicy][crp]: "By default, a container must run for 300 seconds before it can be restarted" |
//! | `logConfiguration` | stays absent when absent; empty `options` and `secretOptions` → absent | as for empty lists |
//! | mount point / `volumesFrom` `readOnly` | absent → `false` | [MountPoint][mp], [VolumeFrom][vf]: "The default value is false" |
//! | volume `host: {}` | absent | [Volume][vol]: "If the host parameter is empty, then the Docker daemon assigns a host path", the same as no `host` |
//! | EFS `rootDirectory` | absent → `"/"` | [EFSVolumeConfiguration][efs]: "Specifying / will have the same effect as omitting this parameter" |
//! | EFS `transitEncryption` | absent → `DISABLED` | [EFSVolumeConfiguration][efs]: "the default value of DISABLED is used" |
//! | EFS `authorizationConfig.iam` | absent → `DISABLED` | [EFSAuthorizationConfig][efsauth]: "the default value of DISABLED is used" |
//! | `proxyConfiguration.properties` | sorted by name | Set of key-value pairs |
//! | **Services** | | |
//! | `schedulingStrategy` | absent → `REPLICA` | [`create-service` example output][cli-cs] answers `"schedulingStrategy": "REPLICA"` for a request without it |
//! | `deploymentController` | absent → `{"type": "ECS"}` | [CreateService][cs]: "If no deployment controller is specified, the default value of ECS is used" |
//! | `deploymentConfiguration.maximumPercent` (REPLICA) | absent → `200` | [DeploymentConfiguration][dc]: "The default maximumPercent value for a service using the REPLICA service scheduler is 200%" |
//! | `deploymentConfiguration.minimumHealthyPercent` | absent → `100` (REPLICA), `0` (DAEMON) | [DeploymentConfiguration][dc]: "The default value for a replica service for minimumHealthyPercent is 100%. The default minimumHealthyPercent value for a service using the DAEMON service schedule is 0% for the CLI, the Amazon Web Services SDKs, and the APIs" |
//! | `deploymentConfiguration.deploymentCircuitBreaker` (ECS controller) | absent → `{"enable": false, "rollback": false}` | [DeploymentCircuitBreaker][dcb]: the breaker only acts when turned on; it exists only for the ECS controller |
//! | `deploymentCircuitBreaker.resetOnHealthyTask` (ECS controller) | absent → `true` | [DeploymentCircuitBreaker][dcb]: "The default is true" |
//! | `deploymentCircuitBreaker.thresholdConfiguration` (ECS controller) | absent → `{"type": "BOUNDED_PERCENT", "value": 50}`; each member on its own too | [ThresholdConfiguration][tc]: "By default, the threshold configuration uses a type of BOUNDED_PERCENT with a value of 50" |
//! | `deploymentConfiguration.strategy` (ECS controller) | absent → `ROLLING` | [DeploymentController][dctl] (`type`, ECS): "Rolling updates are the default deployment strategy for services" |
//! | `deploymentConfiguration.bakeTimeInMinutes` (strategy `ROLLING`) | absent → `0` | [DeploymentConfiguration][dc]: the bake time is the period "when both blue and green service revisions are running simultaneously"; a rolling deployment has none, so absent and `0` mean the same (DescribeServices answers `0`). Other strategies keep what was written |
//! | `deploymentConfiguration.alarms` with nothing turned on and no alarm names | absent | [DeploymentAlarms][da]: `enable` decides whether the alarms are used |
//! | service `networkConfiguration` without `awsvpcConfiguration` (`{}`) | absent | It configures nothing: only awsvpc task definitions take a network configuration ([NetworkConfiguration][nc]) |
//! | `propagateTags` | absent → `NONE` | [CreateService][cs]: "The default is NONE" |
//! | `enableECSManagedTags` | absent → `false` | [`create-service` example output][cli-cs] answers `"enableECSManagedTags": false` |
//! | `enableExecuteCommand` | absent → `false` | [CreateService][cs]: only `true` turns execute command on |
//! | `healthCheckGracePeriodSeconds` | absent → `0` | [CreateService][cs]: "If you do not specify a health check grace period value, the default value of 0 is used" |
//! | `availabilityZoneRebalancing` (REPLICA) | absent → `ENABLED` | [CreateService][cs]: "For create service requests, when no value is specified ... Amazon ECS defaults the value to ENABLED" |
//! | `platformVersion` (launch type `FARGATE`, or a strategy of only `FARGATE`/`FARGATE_SPOT`) | absent → `LATEST` | [CreateService][cs]: "If one isn't specified, the LATEST platform version is used" |
//! | `awsvpcConfiguration.assignPublicIp` | absent → `DISABLED` | [AwsVpcConfiguration][vpc]: "When you use create-service or update-service, the default is DISABLED" |
//! | `awsvpcConfiguration.subnets`, `securityGroups` | sorted | Sets of IDs ([AwsVpcConfiguration][vpc]) |
//! | `capacityProviderStrategy` items `weight`, `base` | absent → `0`, `0`; items sorted by provider | [CapacityProviderStrategyItem][cpsi]: "If no value is specified, the default value of 0 is used" |
//! | `loadBalancers`, `placementConstraints`, `tags` (by key) | sorted | Sets |
//! | empty `loadBalancers`, `serviceRegistries`, `placementConstraints`, `placementStrategy`, `tags`, ... | absent | [`create-service` example output][cli-cs] answers `"loadBalancers": []`, `"serviceRegistries": []`, `"placementConstraints": []`, `"placementStrategy": []` |
//! | **Clusters** | | |
//! | `settings` (by name), `capacityProviders`, `defaultCapacityProviderStrategy` (by provider), `tags` (by key) | sorted; empty → absent | Sets |
//! | `defaultCapacityProviderStrategy` items `weight`, `base` | absent → `0`, `0` | [CapacityProviderStrategyItem][cpsi] |
//! | `configuration.executeCommandConfiguration.logging` | absent → `DEFAULT` | [ExecuteCommandConfiguration][ecc]: "If no logging parameter is specified, it defaults to this value" |
//! | **Capacity providers** | | |
//! | `autoScalingGroupProvider.managedTerminationProtection` | absent → `DISABLED` | [AutoScalingGroupProvider][asg]: "The default is off" |
//! | `managedScaling` `targetCapacity`, `minimumScalingStepSize`, `maximumScalingStepSize`, `instanceWarmupPeriod` | absent → `100`, `1`, `10000`, `300` | [ManagedScaling][ms] |
//! | `tags` | sorted by key; empty → absent | Set |
//!
//! # Left alone on purpose
//!
//! - `desiredCount`: required for REPLICA, owned by auto scaling once the service runs, and
//!   meaningless for DAEMON (AWS answers the number of instances). The planner decides.
//! - `launchType`: when neither a launch type nor a strategy is given, the cluster's default
//!   capacity provider strategy applies and DescribeServices answers no launch type; filling
//!   `EC2` would be wrong for those clusters.
//! - DAEMON `maximumPercent`: no AWS page states its default.
//! - Names versus ARNs (`cluster`, `taskDefinition`, `role`, `executionRoleArn`): resolving
//!   them needs the account and region, which belong to the planner.
//! - Environment variables with an empty string value: reports disagree on whether AWS keeps
//!   them, so they are kept.
//! - Members this crate's AWS model does not know (kept in the `extra` maps): their defaults
//!   are not known here. The deploy planner keeps AWS's value of such a member when the stack
//!   does not set it, and says so.
//!
//! [nc]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_NetworkConfiguration.html
//! [rtd]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
//! [cli-rtd]: https://docs.aws.amazon.com/cli/latest/reference/ecs/register-task-definition.html
//! [cd]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
//! [pm]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
//! [hc]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html
//! [crp]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html
//! [mp]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html
//! [vf]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_VolumeFrom.html
//! [vol]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HostVolumeProperties.html
//! [efs]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html
//! [efsauth]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html
//! [env-null]: https://github.com/aws-actions/amazon-ecs-deploy-task-definition/pull/224
//! [cs]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
//! [cli-cs]: https://docs.aws.amazon.com/cli/latest/reference/ecs/create-service.html
//! [dc]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
//! [dcb]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html
//! [da]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html
//! [tc]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ThresholdConfiguration.html
//! [dctl]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentController.html
//! [vpc]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html
//! [cpsi]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
//! [ecc]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ExecuteCommandConfiguration.html
//! [asg]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AutoScalingGroupProvider.html
//! [ms]: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ManagedScaling.html

mod cluster;
mod service;
mod task_definition;

use std::collections::BTreeMap;

use crate::document::Input;
use crate::stack::Stack;
use crate::types::{
    CapacityProviderStrategyItem, CreateCapacityProviderRequest, CreateClusterRequest,
    CreateServiceRequest, RegisterTaskDefinitionRequest, Tag,
};

pub use crate::units::{cpu_units, memory_mib};
pub use cluster::{capacity_provider, cluster};
pub use service::service;
pub use task_definition::task_definition;

/// A value with a normal form: the form two values AWS treats as equal share.
///
/// Implemented for every API input the stack holds, for [`Input`] and for [`Stack`]. See the
/// [module documentation](self) for what changes.
///
/// ```
/// use ecs_model::normalize::Normalize;
/// use ecs_model::types::CreateServiceRequest;
///
/// let service: CreateServiceRequest =
///     serde_json::from_str(r#"{"serviceName": "web", "desiredCount": 2}"#).expect("valid JSON");
/// let once = service.normalized();
/// assert_eq!(once.clone().normalized(), once);
/// assert_eq!(once.propagate_tags.as_ref().map(|p| p.as_str()), Some("NONE"));
/// ```
pub trait Normalize: Sized {
    /// Rewrites the value into its normal form, in place.
    fn normalize(&mut self);

    /// The value in its normal form.
    #[must_use]
    fn normalized(mut self) -> Self {
        self.normalize();
        self
    }
}

impl Normalize for RegisterTaskDefinitionRequest {
    fn normalize(&mut self) {
        task_definition(self);
    }
}

impl Normalize for CreateServiceRequest {
    fn normalize(&mut self) {
        service(self);
    }
}

impl Normalize for CreateClusterRequest {
    fn normalize(&mut self) {
        cluster(self);
    }
}

impl Normalize for CreateCapacityProviderRequest {
    fn normalize(&mut self) {
        capacity_provider(self);
    }
}

impl Normalize for Stack {
    fn normalize(&mut self) {
        stack(self);
    }
}

impl Normalize for Input {
    fn normalize(&mut self) {
        match self {
            Input::TaskDefinition(td) => task_definition(td),
            Input::Service(s) => service(s),
            Input::Cluster(c) => cluster(c),
            Input::CapacityProvider(c) => capacity_provider(c),
        }
    }
}

/// Normalizes every resource of a stack: each cluster, capacity provider, task definition and
/// service. The order of the resources is kept (it is the order the user wrote), and the
/// stack's own unknown members are left alone.
pub fn stack(s: &mut Stack) {
    s.clusters.iter_mut().for_each(cluster);
    s.capacity_providers.iter_mut().for_each(capacity_provider);
    s.task_definitions.iter_mut().for_each(task_definition);
    s.services.iter_mut().for_each(service);
}

// ---------------------------------------------------------------------------------------------
// Helpers shared by the resource modules.

/// `Some([])` becomes `None`: AWS answers `[]` for lists the request left out.
fn drop_empty<T>(list: &mut Option<Vec<T>>) {
    if list.as_ref().is_some_and(Vec::is_empty) {
        *list = None;
    }
}

/// `Some({})` becomes `None`, like [`drop_empty`].
fn drop_empty_map<K, V>(map: &mut Option<BTreeMap<K, V>>) {
    if map.as_ref().is_some_and(BTreeMap::is_empty) {
        *map = None;
    }
}

/// Drops an empty list, then sorts what is left, stably, with `compare`.
fn sort_list<T>(list: &mut Option<Vec<T>>, compare: impl FnMut(&T, &T) -> std::cmp::Ordering) {
    drop_empty(list);
    if let Some(items) = list {
        items.sort_by(compare);
    }
}

/// Tags are a set keyed by `key` ([Tag](https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Tag.html)):
/// sorted by key, then value; an empty list is absent.
fn tags(list: &mut Option<Vec<Tag>>) {
    sort_list(list, |a, b| {
        a.key.cmp(&b.key).then_with(|| a.value.cmp(&b.value))
    });
}

/// A capacity provider strategy: `weight` and `base` default to 0 ([CapacityProviderStrategyItem](https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html):
/// "If no value is specified, the default value of 0 is used"), and the items are sorted by
/// provider: each provider appears once and the split depends on the weights, not the order.
fn capacity_provider_strategy(list: &mut Option<Vec<CapacityProviderStrategyItem>>) {
    if let Some(items) = list {
        for item in items.iter_mut() {
            item.weight.get_or_insert(0);
            item.base.get_or_insert(0);
        }
    }
    sort_list(list, |a, b| a.capacity_provider.cmp(&b.capacity_provider));
}

/// Sets `*value` to `None` when it holds the enum's `Unknown("")`: AWS rejects an empty enum
/// value, so in a file it can only mean "not set".
macro_rules! drop_empty_enum {
    ($value:expr, $enum:ident) => {
        if matches!(&$value, Some(crate::types::$enum::Unknown(text)) if text.is_empty()) {
            $value = None;
        }
    };
}
pub(crate) use drop_empty_enum;

/// Compares two optional enum values by their AWS spelling.
fn enum_order<E>(a: &Option<E>, b: &Option<E>, as_str: impl Fn(&E) -> &str) -> std::cmp::Ordering {
    a.as_ref().map(&as_str).cmp(&b.as_ref().map(&as_str))
}
