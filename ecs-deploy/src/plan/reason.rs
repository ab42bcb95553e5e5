//! Why a change is what it is: typed, so a program can match on it; its `Display` is the
//! plan's own wording, which names no command-line flag.

use serde::Serialize;

use crate::ownership::STACK_TAG;

/// Why a resource gets its action: part of the plan's data, worded by its
/// [`Display`](std::fmt::Display) without naming any command or flag (a front end adds its
/// own hints).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Reason {
    /// A call the change needs could not be written as its request type (a member of the
    /// wrong type): nothing is sent.
    InvalidRequest {
        /// The operation (serialized as its name, `RegisterTaskDefinition`).
        operation: crate::aws::Operation,
        /// What does not type.
        problems: String,
    },
    /// The latest ACTIVE revision of the family differs from the stack's definition: a new
    /// revision is registered.
    RevisionDiffers {
        /// The latest ACTIVE revision.
        revision: i64,
    },
    /// A service changes in a way UpdateService cannot make: it is deleted and created again,
    /// which stops its tasks (the delete drains them; the new service starts new ones).
    ServiceReplaced {
        /// The member whose change needs the replacement (`schedulingStrategy`, `launchType`).
        member: String,
        /// Why UpdateService cannot make the change.
        cause: ReplaceCause,
    },
    /// A service moves between a launch type and a capacity provider strategy, or between
    /// strategies, in place: UpdateService makes the move with a new deployment
    /// (`forceNewDeployment`), as AWS requires.
    CapacityMoved {
        /// What the service runs on now.
        from: Capacity,
        /// What it runs on after the change.
        to: Capacity,
    },
    /// A new deployment of the service is forced ([`Options::force_new_deployment`](crate::plan::Options::force_new_deployment)).
    ForcedDeployment,
    /// The resource carries the ownership tag of another stack.
    OtherStack {
        /// That stack's name.
        stack: String,
    },
    /// The resource exists without the ownership tag: another tool or person manages it.
    Untagged,
    /// The resource exists without any stack's ownership tag, and the plan adopts it
    /// ([`Options::adopt`](crate::plan::Options::adopt)): TagResource adds the stack's tag,
    /// and the change makes the other differences as for a resource of the stack.
    Adopted {
        /// The stack's name: the value of the tag added.
        stack: String,
        /// The reason the change has besides the adoption (a new revision, a capacity move...).
        then: Option<Box<Reason>>,
    },
    /// The resource is deleted: the stack carries its tag but no longer names it and the
    /// plan prunes, or the stack is destroyed.
    Removed {
        /// Which of the two.
        removal: Removal,
    },
    /// The revisions of a family the stack no longer names are deregistered, but for the ones
    /// services still run.
    RevisionsRemoved {
        /// Why the family goes.
        removal: Removal,
        /// The revisions deregistered (`family:N`).
        deregistered: Vec<String>,
        /// The revisions kept because a service runs them.
        in_use: Vec<String>,
    },
    /// Old revisions beyond the ones kept ([`Options::keep_revisions`](crate::plan::Options::keep_revisions)) are deregistered.
    OldRevisions {
        /// The revisions deregistered (`family:N`).
        deregistered: Vec<String>,
        /// How many of the newest ACTIVE revisions are kept.
        keep: usize,
    },
    /// A cluster that would go is kept: services stay in it.
    ClusterKept {
        /// Why it would go.
        removal: Removal,
        /// The services that stay in it.
        services: Vec<String>,
    },
    /// A capacity provider that would go is kept: clusters that stay use it.
    CapacityProviderKept {
        /// Why it would go.
        removal: Removal,
        /// The clusters that use it.
        clusters: Vec<String>,
    },
    /// A member of a capacity provider that AWS never changes on an existing provider differs
    /// (its Auto Scaling group, its cluster): nothing is done. Give the provider a new name
    /// (and the clusters that use it the new name); the old one is deleted by a prune once no
    /// cluster uses it.
    CapacityProviderMemberFixed {
        /// The member (`autoScalingGroupProvider.autoScalingGroupArn`, `cluster`).
        member: String,
    },
    /// Amazon ECS Managed Instances capacity providers are not planned by this version: create
    /// and change them with AWS's tools and leave them out of the stack.
    ManagedInstancesNotPlanned,
    /// A service goes back to an earlier revision of its family: a rollback.
    RolledBack {
        /// The revision it runs now (`family:N`).
        from: String,
        /// The revision it goes back to (`family:N`).
        to: String,
        /// Why `from` stays ACTIVE afterwards: [`Reason::RevisionInUse`],
        /// [`Reason::KeptAsAsked`], or whose it is ([`Reason::OtherStack`],
        /// [`Reason::Untagged`]). `None` when the plan deregisters it
        /// ([`Reason::RolledBackFrom`]).
        kept: Option<Box<Reason>>,
    },
    /// The revisions services were rolled back from are deregistered, so that the family's
    /// latest ACTIVE revision is the one running (left ACTIVE, the latest would be the revision
    /// just left, and planning the stack again would deploy it again).
    RolledBackFrom {
        /// The revisions deregistered (`family:N`).
        deregistered: Vec<String>,
    },
    /// A revision a rollback leaves stays ACTIVE: another service of the stack still runs it
    /// (in [`Reason::RolledBack`]).
    RevisionInUse {
        /// That service.
        service: super::Address,
    },
    /// A revision a rollback leaves stays ACTIVE, as asked (in [`Reason::RolledBack`]).
    KeptAsAsked,
    /// The service is missing but a service of its name is still DRAINING (a delete not yet
    /// finished, as after an apply interrupted in the middle of a replace): AWS refuses to
    /// create it until the old one is INACTIVE, so the creation deletes the old one again
    /// (done already if it is gone), waits until it has drained, then creates the service.
    StillDraining,
    /// The stack scales an ECS service (`scaling`) that it does not hold and that does not
    /// exist: Application Auto Scaling refuses a scalable target for a service it cannot see
    /// (`ValidationException`), so nothing is registered.
    ScaledServiceMissing,
    /// A Cloud Map discovery service or namespace changes in a member its update call does not
    /// change: it is deleted and created again. For a discovery service, Cloud Map's
    /// UpdateService changes the description, the TTL of the DNS records and the Route 53
    /// health check only (<https://docs.aws.amazon.com/cloud-map/latest/api/API_UpdateService.html>):
    /// the routing policy, the record types, the custom health check, the namespace and the
    /// type are fixed at creation. A namespace's type (private DNS or HTTP) is fixed too. The
    /// ECS services registered in it lose their registration until they are deployed again.
    CloudMapReplaced {
        /// The member whose change needs the replacement (`DnsConfig.RoutingPolicy`).
        member: String,
    },
    /// A Cloud Map discovery service would be replaced (see [`Reason::CloudMapReplaced`]) while
    /// ECS services or instances are registered in it: nothing is done. Cloud Map refuses to
    /// delete a service that holds instances (`ResourceInUse`,
    /// <https://docs.aws.amazon.com/cloud-map/latest/api/API_DeleteService.html>), and names are
    /// unique in a namespace (`ServiceAlreadyExists`,
    /// <https://docs.aws.amazon.com/cloud-map/latest/api/API_CreateService.html>), so the new
    /// one cannot be made first under the same name. Give the discovery service a new name
    /// (and the ECS services' `serviceRegistries` the new name): it is created, the services
    /// move to it with a deployment, and a prune deletes the old one once its instances are
    /// deregistered.
    CloudMapInUse {
        /// The member whose change needs the replacement.
        member: String,
        /// What is registered in it (`service CLUSTER/NAME`, `N registered instances`).
        users: Vec<String>,
    },
    /// A Cloud Map resource that would go is kept: something the stack keeps still uses it
    /// (a namespace that still holds discovery services the stack does not delete, nor own).
    CloudMapKept {
        /// Why it would go.
        removal: Removal,
        /// What still uses it (discovery service names).
        users: Vec<String>,
    },
    /// An ELBv2 target group differs in a member CreateTargetGroup fixes (protocol, port, VPC,
    /// target type, IP address type, protocol version): ModifyTargetGroup changes the health
    /// check only, and names are unique, so nothing is done. Give the group a new name (and
    /// the services bound to it the new name): it is created, the services follow in place,
    /// and the old group is deleted by a prune once no listener uses it.
    TargetGroupFixed {
        /// The member that differs.
        member: String,
    },
    /// A service is bound to a target group no load balancer uses yet: ECS refuses
    /// CreateService and UpdateService with it ("does not have an associated load
    /// balancer"), so the service waits. Make a listener or rule forward to the group, then
    /// apply again.
    TargetGroupNotAttached {
        /// The group as the service names it.
        target_group: String,
        /// Whether this apply creates the group.
        created: bool,
    },
    /// A service's binding looks up a target group (`name:NAME`) that does not exist.
    TargetGroupNotFound {
        /// The look-up as written.
        target_group: String,
    },
    /// A listener rule's listener (`name:LOAD-BALANCER:PORT`) does not exist: the stack never
    /// creates load balancers or listeners, so the rule waits until one does.
    ListenerNotFound {
        /// The listener as the rule names it.
        listener: String,
    },
}

/// Why a resource is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Removal {
    /// It carries the stack's tag, the stack no longer names it, and the plan prunes.
    Pruned,
    /// The stack is destroyed.
    Destroyed,
}

/// Why UpdateService cannot make a service's change ([`Reason::ServiceReplaced`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum ReplaceCause {
    /// UpdateService has no such member: it is fixed when the service is created.
    Immutable,
    /// AWS does not move a service between these deployment controllers in place: UpdateService
    /// moves one to the ECS or the EXTERNAL controller, not to CODE_DEPLOY, whose deployment
    /// group names the service, so it must exist first.
    DeploymentController {
        /// The controller the service has (`ECS`, `CODE_DEPLOY`, `EXTERNAL`).
        from: String,
        /// The controller the stack wants.
        to: String,
    },
    /// AWS does not move a service between these two in place. UpdateService moves a service
    /// from the EC2 or FARGATE launch type to a capacity provider strategy, between
    /// strategies, and from a Fargate or Auto Scaling group strategy back to a launch type
    /// (AWS API reference, UpdateService `capacityProviderStrategy`); it has no `launchType`.
    CapacityMove {
        /// What the service runs on now.
        from: Capacity,
        /// What the stack wants it to run on.
        to: Capacity,
        /// The change that AWS does make in place, if there is one.
        in_place: Option<InPlaceRoute>,
    },
}

/// A change AWS makes in place that reaches what a replacement would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum InPlaceRoute {
    /// Give the service a capacity provider strategy instead of a launch type (`FARGATE` or
    /// `FARGATE_SPOT` for Fargate, an Auto Scaling group capacity provider for EC2): AWS moves
    /// an EC2 or FARGATE launch type service to any strategy in place.
    StrategyInsteadOfLaunchType,
}

/// What a service runs its tasks on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[non_exhaustive]
pub enum Capacity {
    /// A launch type (`EC2`, `FARGATE`, `EXTERNAL`...).
    LaunchType {
        /// Its name.
        launch_type: String,
    },
    /// A capacity provider strategy.
    Strategy {
        /// The providers, in the strategy's order.
        providers: Vec<String>,
    },
    /// Neither: the cluster's default capacity provider strategy, applied when the service is
    /// created.
    ClusterDefault,
}

impl std::fmt::Display for Capacity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::LaunchType { launch_type } => write!(f, "the {launch_type} launch type"),
            Self::Strategy { providers } => {
                write!(f, "the capacity provider strategy {}", providers.join(", "))
            }
            Self::ClusterDefault => f.write_str("the cluster's default capacity provider strategy"),
        }
    }
}

impl std::fmt::Display for Removal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Pruned => "the stack no longer names it",
            Self::Destroyed => "the stack is destroyed",
        })
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::CloudMapInUse { member, users } => write!(
                f,
                "{member} cannot be changed in place by Cloud Map, and the discovery service \
                 cannot be deleted while {} are registered in it (nor a new one made under the \
                 same name): give it a new name, and the services registered in it too; the \
                 old one is pruned once its instances are deregistered",
                users.join(", ")
            ),
            Self::CloudMapReplaced { member } => write!(
                f,
                "{member} cannot be changed in place by Cloud Map: deleted and created again \
                 (registered ECS tasks are registered again on their next deployment)"
            ),
            Self::TargetGroupFixed { member } => write!(
                f,
                "{member} of a target group cannot change (ModifyTargetGroup changes the health \
                 check only, and names are unique): give the group a new name, and the services \
                 bound to it too; the old group is pruned once no listener uses it"
            ),
            Self::TargetGroupNotAttached {
                target_group,
                created,
            } => write!(
                f,
                "target group {target_group}{} is used by no load balancer, and ECS refuses a \
                 service bound to it: make a listener or rule forward to it, then apply again",
                if *created {
                    " (created by this apply)"
                } else {
                    ""
                }
            ),
            Self::TargetGroupNotFound { target_group } => {
                write!(f, "no target group matches {target_group}")
            }
            Self::ListenerNotFound { listener } => write!(
                f,
                "no listener matches {listener} (the stack does not create load balancers or \
                 listeners): create it, then apply again"
            ),
            Self::CloudMapKept { removal, users } => write!(
                f,
                "would be {}, but is kept: it still holds {}",
                match removal {
                    Removal::Pruned => "pruned",
                    Removal::Destroyed => "destroyed",
                },
                users.join(", ")
            ),
            Self::InvalidRequest {
                operation,
                problems,
            } => write!(
                f,
                "the {operation} request does not match the AWS model ({problems}); nothing is sent"
            ),
            Self::RevisionDiffers { revision } => {
                write!(
                    f,
                    "revision {revision} differs; a new revision is registered"
                )
            }
            Self::ServiceReplaced { member, cause } => {
                match cause {
                    ReplaceCause::Immutable => {
                        write!(f, "`{member}` cannot be changed on an existing service")?;
                    }
                    ReplaceCause::DeploymentController { from, to } => {
                        write!(
                            f,
                            "AWS does not move a service from the {from} deployment controller \
                             to {to} in place (only to ECS or EXTERNAL)"
                        )?;
                    }
                    ReplaceCause::CapacityMove { from, to, in_place } => {
                        write!(
                            f,
                            "AWS does not move a service from {from} to {to} in place"
                        )?;
                        if in_place.is_some() {
                            f.write_str(
                                " (it does move an EC2 or FARGATE launch type service to a \
                                 capacity provider strategy in place: give the service a \
                                 `capacityProviderStrategy` instead of its `launchType`, \
                                 FARGATE or FARGATE_SPOT for Fargate, an Auto Scaling group \
                                 capacity provider for EC2)",
                            )?;
                        }
                    }
                }
                f.write_str(
                    "; a replace stops the service's tasks: it deletes the service, waits until \
                     the old service has drained, then creates it again",
                )
            }
            Self::CapacityMoved { from, to } => write!(
                f,
                "moves from {from} to {to} in place, with a new deployment (AWS changes a \
                 service's capacity only with one)"
            ),
            Self::ForcedDeployment => f.write_str(
                "a new deployment is forced: its tasks are replaced even where nothing changes",
            ),
            Self::OtherStack { stack } => {
                write!(f, "it belongs to the stack `{stack}` ({STACK_TAG} tag)")
            }
            Self::Untagged => write!(
                f,
                "it exists without the {STACK_TAG} tag, so another tool or person manages it"
            ),
            Self::Adopted { stack, then } => {
                write!(f, "adopt (tag {STACK_TAG}={stack} added)")?;
                match then {
                    Some(then) => write!(f, "; {then}"),
                    None => Ok(()),
                }
            }
            Self::Removed { removal } => write!(f, "{removal}"),
            Self::RevisionsRemoved {
                removal,
                deregistered,
                in_use,
            } => {
                write!(f, "{removal}: deregister {}", deregistered.join(", "))?;
                if !in_use.is_empty() {
                    write!(f, " ({} kept: a service runs it)", in_use.join(", "))?;
                }
                Ok(())
            }
            Self::OldRevisions { deregistered, keep } => write!(
                f,
                "deregister {} (only the newest {keep} ACTIVE revisions and the ones services \
                 run are kept)",
                deregistered.join(", ")
            ),
            Self::ClusterKept { removal, services } => write!(
                f,
                "{removal}, but it is kept: it holds services that stay ({})",
                services.join(", ")
            ),
            Self::CapacityProviderKept { removal, clusters } => write!(
                f,
                "{removal}, but it is kept: clusters that stay use it ({})",
                clusters.join(", ")
            ),
            Self::CapacityProviderMemberFixed { member } => write!(
                f,
                "`{member}` cannot be changed on an existing capacity provider: give the \
                 provider a new name (and the clusters that use it the new name); the old one \
                 is deleted by a prune once no cluster uses it"
            ),
            Self::ManagedInstancesNotPlanned => f.write_str(
                "Amazon ECS Managed Instances capacity providers are not planned by this version \
                 (only Auto Scaling group providers are): create and change it with the AWS CLI \
                 or console, and leave it out of the stack",
            ),
            Self::RolledBack { from, to, kept } => {
                write!(
                    f,
                    "back from {from} to {to}, an earlier revision of its family"
                )?;
                match kept {
                    Some(kept) => write!(f, "; {from} stays ACTIVE: {kept}"),
                    None => Ok(()),
                }
            }
            Self::RolledBackFrom { deregistered } => write!(
                f,
                "deregister {}, rolled back from, so that the family's latest ACTIVE revision \
                 is the one running",
                deregistered.join(", ")
            ),
            Self::RevisionInUse { service } => write!(f, "{service} still runs it"),
            Self::KeptAsAsked => f.write_str("kept as asked"),
            Self::StillDraining => f.write_str(
                "the service is missing but its deletion is not finished (it is still \
                 DRAINING): the create waits until the old service is INACTIVE",
            ),
            Self::ScaledServiceMissing => f.write_str(
                "the scaled service is neither in the stack nor in AWS: there is nothing to \
                 scale",
            ),
        }
    }
}
