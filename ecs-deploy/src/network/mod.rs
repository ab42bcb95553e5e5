//! Subnets, security groups and VPCs written as lookups, resolved to IDs through Amazon EC2.
//!
//! A service's `networkConfiguration.awsvpcConfiguration` takes subnet and security group IDs
//! (so does a scheduled task's `Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration`,
//! as `Subnets` and `SecurityGroups`), a target group takes a VPC ID (`VpcId`), and IDs differ from one account to the next: a stack file full of them works in one account
//! only, and not at all on a fresh local endpoint. The stack file stays AWS's own JSON, so a
//! lookup is written where the ID would be, as a string that no ID can be:
//!
//! | written | in `subnets` | in `securityGroups` |
//! |---|---|---|
//! | `subnet-…` / `sg-…` | that ID, as is | that ID, as is |
//! | `default` | every default subnet (`defaultForAz`) of the region, ordered by zone | the security group named `default` of the default VPC |
//! | `name:NAME` | the one subnet whose `Name` tag is `NAME` | the one security group whose group name or `Name` tag is `NAME` |
//!
//! In a target group's `VpcId`, `vpc-…` is an ID, `default` the region's default VPC and
//! `name:NAME` the one VPC whose `Name` tag is `NAME`.
//!
//! ```json
//! "networkConfiguration": {"awsvpcConfiguration": {
//!     "subnets": ["name:app-private-a", "name:app-private-b"],
//!     "securityGroups": ["default", "name:web"]
//! }}
//! ```
//!
//! # Rules
//!
//! - An ID is any value that starts with `subnet-` (in `subnets`), `sg-` (in
//!   `securityGroups`) or `vpc-` (in `VpcId`). It is never checked or described: a stack written with IDs only makes
//!   no EC2 call at all.
//! - `default` and `name:NAME` are the only lookups, matched exactly (case and spaces count);
//!   `NAME` is not empty. Anything else (`sg-` in `subnets`, `Default`, `name:`) is an error
//!   before any call is made.
//! - Default subnets exist only in the default VPC, so `default` in `subnets` needs no
//!   DescribeVpcs. No default subnet at all is an error.
//! - `default` in `securityGroups` or `VpcId` needs the default VPC: an account or region
//!   without one is an error.
//! - `name:NAME` searches the whole account and region, every VPC. It must match exactly one
//!   resource: none, or several (the IDs are listed), is an error that names the lookup. A
//!   security group matches if its group name *or* its `Name` tag is `NAME`; one group matching
//!   both ways counts once.
//! - A list that held a lookup is rewritten in place: each lookup becomes its IDs, and an ID
//!   that appears twice (`default` next to one of the default subnets' IDs) is kept once, at
//!   its first place. Lists without lookups are left exactly as written.
//! - Errors are collected: every failed lookup of the stack is reported at once, in document
//!   order. On error the stack is not changed.
//! - Read: services, scheduled tasks (their ECS target's awsvpc configuration) and target
//!   groups (`VpcId`). Capacity providers and task sets are not. A Cloud Map namespace's `Vpc`
//!   is resolved apart, by [`Network::resolve_vpcs`].
//!
//! Whether the resolved subnets and security groups share one VPC, and whether a list still
//! holds at most 16 subnets or 5 security groups, is left to ECS, which checks both.
//!
//! # Calls
//!
//! EC2's Describe filters are ANDed across filter names and ORed across the values of one
//! filter, so "the default subnets, or the subnets named `a` or `b`" cannot be one filtered
//! call. Instead, each filter is sent once, with every value the stack needs, and the
//! responses are matched on our side:
//!
//! | needed for | call | filter |
//! |---|---|---|
//! | `default` subnets | DescribeSubnets | `default-for-az = true` |
//! | `name:` subnets | DescribeSubnets | `tag:Name = every subnet name` |
//! | `default` security group or VPC | DescribeVpcs | `is-default = true` |
//! | `name:` VPCs | DescribeVpcs | `tag:Name = every VPC name` |
//! | `default` or `name:` security groups | DescribeSecurityGroups | `group-name = default and every group name` |
//! | `name:` security groups | DescribeSecurityGroups | `tag:Name = every group name` |
//!
//! That is at most six calls, however many services and lookups the stack has (more only if
//! EC2 pages an answer, or past [`FILTER_VALUES_PER_CALL`] names of one kind). They run at the
//! same time. An unfiltered DescribeSecurityGroups would be one call, but it returns every group
//! of the region with all its rules; the filtered calls return only candidates.
//!
//! ```no_run
//! # async fn run(mut stack: ecs_model::Stack) -> Result<(), Box<dyn std::error::Error>> {
//! let config = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! let resolved = ecs_deploy::network::Network::new(&config).resolve(&mut stack).await?;
//! print!("{resolved}"); // service web, subnets "default" -> subnet-0abc, subnet-0def
//! // `stack` now holds IDs only: plan and apply it.
//! # Ok(())
//! # }
//! ```

// Without the `ec2` feature nothing calls EC2, so the matching of answers to look-ups is unused
// (it stays compiled, and tested with the feature).
#![cfg_attr(not(feature = "ec2"), allow(dead_code))]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use ecs_model::{JsonPath, Stack};

#[cfg(feature = "ec2")]
mod client;
#[cfg(feature = "ec2")]
pub use client::Network;

/// The most values this module puts in one filter of one call (EC2 takes up to 200).
pub const FILTER_VALUES_PER_CALL: usize = 200;

/// The lookup of every default subnet, or of the default VPC's `default` security group.
pub const DEFAULT: &str = "default";
/// What starts a lookup by name: `name:web`.
pub const NAME_PREFIX: &str = "name:";

/// The member a value stands in: a list of an awsvpc configuration, or a target group's VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `subnets` (a service's), `Subnets` (a scheduled task's).
    Subnets,
    /// `securityGroups` (a service's), `SecurityGroups` (a scheduled task's).
    SecurityGroups,
    /// A target group's `VpcId`.
    Vpc,
}

impl Field {
    /// The member's name in the AWS JSON of an ECS service (`subnets`, `securityGroups`) or a
    /// target group (`VpcId`); [`Owner::member`] gives it for each kind of resource.
    pub fn member(self) -> &'static str {
        match self {
            Self::Subnets => "subnets",
            Self::SecurityGroups => "securityGroups",
            Self::Vpc => "VpcId",
        }
    }

    /// How an ID of this member starts.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Self::Subnets => "subnet-",
            Self::SecurityGroups => "sg-",
            Self::Vpc => "vpc-",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Subnets => "subnet",
            Self::SecurityGroups => "security group",
            Self::Vpc => "VPC",
        }
    }
}

/// The kind of stack resource a look-up is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Owner {
    /// An ECS service (`services[i].networkConfiguration.awsvpcConfiguration`).
    Service,
    /// A scheduled task
    /// (`scheduledTasks[i].Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration`).
    ScheduledTask,
    /// A target group (`targetGroups[i].VpcId`).
    TargetGroup,
}

impl Owner {
    /// The resource kind in words: `service`, `scheduled task`, `target group`.
    pub fn noun(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::ScheduledTask => "scheduled task",
            Self::TargetGroup => "target group",
        }
    }

    /// The name of `field`'s member in this resource's AWS JSON: EventBridge Scheduler's
    /// `AwsVpcConfiguration` capitalizes `Subnets` and `SecurityGroups`, ECS's does not.
    pub fn member(self, field: Field) -> &'static str {
        match (self, field) {
            (Self::ScheduledTask, Field::Subnets) => "Subnets",
            (Self::ScheduledTask, Field::SecurityGroups) => "SecurityGroups",
            _ => field.member(),
        }
    }
}

impl fmt::Display for Owner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.noun())
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.member())
    }
}

/// What a lookup asks for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Target {
    /// `default` in `subnets`: every default subnet of the region.
    DefaultSubnets,
    /// `default` in `securityGroups`: the default VPC's security group named `default`.
    DefaultSecurityGroup,
    /// `name:NAME` in `subnets`: the subnet whose `Name` tag is `NAME`.
    SubnetNamed(String),
    /// `name:NAME` in `securityGroups`: the security group whose group name or `Name` tag is
    /// `NAME`.
    SecurityGroupNamed(String),
    /// `default` in a target group's `VpcId`: the region's default VPC.
    DefaultVpc,
    /// `name:NAME` in a target group's `VpcId`: the VPC whose `Name` tag is `NAME`.
    VpcNamed(String),
}

impl Target {
    /// Reads a value of `field`: `Ok(None)` for an ID, `Ok(Some(_))` for a lookup, `Err(())`
    /// for anything else.
    fn parse(field: Field, value: &str) -> Result<Option<Self>, ()> {
        if value.starts_with(field.id_prefix()) {
            return Ok(None);
        }
        if value == DEFAULT {
            return Ok(Some(match field {
                Field::Subnets => Self::DefaultSubnets,
                Field::SecurityGroups => Self::DefaultSecurityGroup,
                Field::Vpc => Self::DefaultVpc,
            }));
        }
        match value.strip_prefix(NAME_PREFIX) {
            Some(name) if !name.is_empty() => Ok(Some(match field {
                Field::Subnets => Self::SubnetNamed(name.to_owned()),
                Field::SecurityGroups => Self::SecurityGroupNamed(name.to_owned()),
                Field::Vpc => Self::VpcNamed(name.to_owned()),
            })),
            _ => Err(()),
        }
    }

    /// The list this lookup is written in.
    pub fn field(&self) -> Field {
        match self {
            Self::DefaultSubnets | Self::SubnetNamed(_) => Field::Subnets,
            Self::DefaultSecurityGroup | Self::SecurityGroupNamed(_) => Field::SecurityGroups,
            Self::DefaultVpc | Self::VpcNamed(_) => Field::Vpc,
        }
    }

    /// Why nothing matched, in words.
    fn nothing(&self) -> String {
        match self {
            Self::DefaultSubnets => "the region has no default subnet (no default VPC, or its \
                                     default subnets were deleted)"
                .to_owned(),
            Self::DefaultSecurityGroup => {
                "the default VPC has no security group named default".to_owned()
            }
            Self::SubnetNamed(name) => format!("no subnet has the Name tag {name:?}"),
            Self::SecurityGroupNamed(name) => {
                format!("no security group has the group name or Name tag {name:?}")
            }
            Self::DefaultVpc => "the region has no default VPC".to_owned(),
            Self::VpcNamed(name) => format!("no VPC has the Name tag {name:?}"),
        }
    }
}

/// One lookup written in a stack, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The kind of resource it is written in.
    pub owner: Owner,
    /// The resource's name (`serviceName`, a scheduled task's or target group's `Name`), or
    /// its place (`services[i]`) when it has none.
    pub resource: String,
    /// Where the value stands in the stack file:
    /// `services[0].networkConfiguration.awsvpcConfiguration.subnets[1]`.
    pub path: JsonPath,
    /// The value as written: `default`, `name:web`.
    pub original: String,
    /// What it asks for.
    pub target: Target,
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}, {} {:?}",
            self.owner,
            self.resource,
            self.owner.member(self.target.field()),
            self.original
        )
    }
}

/// A lookup and the IDs it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The lookup.
    pub lookup: Lookup,
    /// The IDs written in its place (one, except for `default` subnets).
    pub ids: Vec<String>,
}

impl fmt::Display for Resolution {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} -> {}", self.lookup, self.ids.join(", "))
    }
}

/// What [`Network::resolve`] rewrote, for the plan to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// Every lookup of the stack, in document order, with its IDs.
    pub resolutions: Vec<Resolution>,
}

impl Resolved {
    /// Whether the stack had no lookup.
    pub fn is_empty(&self) -> bool {
        self.resolutions.is_empty()
    }
}

/// One line per resolution: `service web, subnets "name:app" -> subnet-0abc`,
/// `target group web, VpcId "default" -> vpc-0abc`.
impl fmt::Display for Resolved {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for resolution in &self.resolutions {
            writeln!(f, "{resolution}")?;
        }
        Ok(())
    }
}

/// One value that could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// A value that is neither an ID of its list nor a lookup.
    #[error(
        "{owner} {resource}, {} {value:?}: not a {} ID ({}...), \"default\" or \"name:NAME\"",
        owner.member(*field),
        field.noun(),
        field.id_prefix()
    )]
    NotALookup {
        /// The kind of resource, as in [`Lookup::owner`].
        owner: Owner,
        /// The resource, as in [`Lookup::resource`].
        resource: String,
        /// The member.
        field: Field,
        /// Where the value stands.
        path: JsonPath,
        /// The value.
        value: String,
    },
    /// Nothing matches the lookup.
    #[error("{lookup}: {}", lookup.target.nothing())]
    NotFound {
        /// The lookup.
        lookup: Lookup,
    },
    /// Several resources match a lookup that must match one.
    #[error(
        "{lookup}: {} {}s match ({}); write the ID instead",
        ids.len(),
        lookup.target.field().noun(),
        ids.join(", ")
    )]
    Ambiguous {
        /// The lookup.
        lookup: Lookup,
        /// The IDs that match.
        ids: Vec<String>,
    },
    /// `default` in `securityGroups` or a target group's `VpcId`, and the region has no
    /// default VPC.
    #[error("{lookup}: the region has no default VPC")]
    NoDefaultVpc {
        /// The lookup.
        lookup: Lookup,
    },
}

/// Why the lookups of a stack were not resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NetworkError {
    /// Values that are not IDs or lookups (found before any call), or lookups that did not
    /// match exactly what they name: all of them, in document order.
    #[error("{}", list(.0))]
    Lookups(Vec<LookupError>),
    /// EC2 answered with an error: `code` is the AWS error code (`UnauthorizedOperation`,
    /// `RequestLimitExceeded`...), after the SDK's retries.
    #[error("{operation} failed: {code}: {message}")]
    Service {
        /// The operation.
        operation: Ec2Operation,
        /// The AWS error code.
        code: String,
        /// AWS's message.
        message: String,
        /// The id AWS gave the request, for AWS Support.
        request_id: Option<String>,
    },
    /// A Cloud Map private DNS namespace's `Vpc`, written as a lookup (`default`,
    /// `name:NAME`), matches no VPC or several.
    #[error(
        "namespace {namespace}: the VPC {lookup} matches {} VPCs ({}); write the VPC id instead",
        found.len(),
        found.join(", ")
    )]
    Vpc {
        /// The namespace's name.
        namespace: String,
        /// The lookup as written.
        lookup: String,
        /// The VPC ids that match.
        found: Vec<String>,
    },
    /// The call did not get an answer (no credentials or region, a connection or timeout
    /// error), or one without an error code, after the SDK's retries. The message does not
    /// repeat the cause: it is the source, which a chain printer shows.
    #[error("{operation} failed: no answer from AWS")]
    Transport {
        /// The operation.
        operation: Ec2Operation,
        /// The SDK's error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl NetworkError {
    /// The EC2 operation that failed; `None` for [`NetworkError::Lookups`] and
    /// [`NetworkError::Vpc`] (no call failed).
    pub fn operation(&self) -> Option<Ec2Operation> {
        match self {
            Self::Service { operation, .. } | Self::Transport { operation, .. } => Some(*operation),
            Self::Lookups(_) | Self::Vpc { .. } => None,
        }
    }

    /// The AWS error code, for [`NetworkError::Service`].
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The id AWS gave the request, when it answered.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::Service { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The failed lookups, for [`NetworkError::Lookups`]; empty otherwise.
    pub fn lookup_errors(&self) -> &[LookupError] {
        match self {
            Self::Lookups(errors) => errors,
            _ => &[],
        }
    }
}

fn list(errors: &[LookupError]) -> String {
    match errors {
        [one] => one.to_string(),
        _ => format!(
            "{} lookups failed: {}",
            errors.len(),
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        ),
    }
}

/// An EC2 API operation this module calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Ec2Operation {
    /// DescribeVpcs.
    DescribeVpcs,
    /// DescribeSubnets.
    DescribeSubnets,
    /// DescribeSecurityGroups.
    DescribeSecurityGroups,
}

impl Ec2Operation {
    /// The operation's name in the AWS API.
    pub fn name(self) -> &'static str {
        match self {
            Self::DescribeVpcs => "DescribeVpcs",
            Self::DescribeSubnets => "DescribeSubnets",
            Self::DescribeSecurityGroups => "DescribeSecurityGroups",
        }
    }
}

impl fmt::Display for Ec2Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Every lookup of `stack`, in document order: in its services' and scheduled tasks' awsvpc
/// configurations, and its target groups' `VpcId`. IDs are not listed, nor are values that are
/// neither (those are errors of [`Network::resolve`]).
///
/// ```
/// use ecs_deploy::network::{Target, lookups};
///
/// let stack = ecs_model::load::from_value::<ecs_model::Stack>(&serde_json::json!({
///     "services": [{"serviceName": "web", "networkConfiguration": {"awsvpcConfiguration": {
///         "subnets": ["subnet-0abc", "default"], "securityGroups": ["name:web"]
///     }}}],
///     "targetGroups": [{"Name": "web", "VpcId": "default"}]
/// }))
/// .value
/// .unwrap();
/// let found: Vec<Target> = lookups(&stack).into_iter().map(|l| l.target).collect();
/// assert_eq!(
///     found,
///     [Target::DefaultSubnets, Target::SecurityGroupNamed("web".into()), Target::DefaultVpc]
/// );
/// ```
pub fn lookups(stack: &Stack) -> Vec<Lookup> {
    scan(stack).0
}

/// The lookups of `stack`, as [`lookups`] lists them; or, when some values are neither IDs nor
/// lookups, the [`NetworkError::Lookups`] that [`Network::resolve`] returns for them before any
/// call. Makes no call: it tells whether a stack needs EC2 at all.
pub fn checked_lookups(stack: &Stack) -> Result<Vec<Lookup>, NetworkError> {
    match scan(stack) {
        (lookups, invalid) if invalid.is_empty() => Ok(lookups),
        (_, invalid) => Err(NetworkError::Lookups(invalid)),
    }
}

/// One value of a member that takes IDs or lookups, and where it stands.
struct Written<'s> {
    owner: Owner,
    resource: String,
    field: Field,
    path: JsonPath,
    value: &'s String,
}

/// The resource's name, or its place in the stack when it has none.
fn label(name: Option<&String>, list: &str, index: usize) -> String {
    name.cloned().unwrap_or_else(|| format!("{list}[{index}]"))
}

/// The subnets and security groups of a scheduled task, when it has an awsvpc configuration.
fn schedule_vpc(
    task: &ecs_model::scheduler::CreateScheduleInput,
) -> Option<&ecs_model::scheduler::AwsVpcConfiguration> {
    task.target
        .as_ref()?
        .ecs_parameters
        .as_ref()?
        .network_configuration
        .as_ref()?
        .awsvpc_configuration
        .as_ref()
}

/// Adds each value of `lists` (an awsvpc configuration's subnets and security groups, at `at`)
/// to `out`.
fn push_lists<'s>(
    out: &mut Vec<Written<'s>>,
    owner: Owner,
    resource: String,
    at: JsonPath,
    lists: [(Field, Option<&'s Vec<String>>); 2],
) {
    for (field, values) in lists {
        for (j, value) in values.into_iter().flatten().enumerate() {
            out.push(Written {
                owner,
                resource: resource.clone(),
                field,
                path: at.clone().key(owner.member(field)).index(j),
                value,
            });
        }
    }
}

/// Every value of `stack` that may be a lookup, in document order: services, scheduled tasks,
/// then target groups.
fn written(stack: &Stack) -> Vec<Written<'_>> {
    let mut out = Vec::new();
    for (i, service) in stack.services.iter().enumerate() {
        let Some(vpc) = service
            .network_configuration
            .as_ref()
            .and_then(|n| n.awsvpc_configuration.as_ref())
        else {
            continue;
        };
        let at = JsonPath::root()
            .key("services")
            .index(i)
            .key("networkConfiguration")
            .key("awsvpcConfiguration");
        push_lists(
            &mut out,
            Owner::Service,
            label(service.service_name.as_ref(), "services", i),
            at,
            [
                (Field::Subnets, vpc.subnets.as_ref()),
                (Field::SecurityGroups, vpc.security_groups.as_ref()),
            ],
        );
    }
    for (i, task) in stack.scheduled_tasks.iter().enumerate() {
        let Some(vpc) = schedule_vpc(task) else {
            continue;
        };
        let at = JsonPath::root()
            .key("scheduledTasks")
            .index(i)
            .key("Target")
            .key("EcsParameters")
            .key("NetworkConfiguration")
            .key("awsvpcConfiguration");
        push_lists(
            &mut out,
            Owner::ScheduledTask,
            label(task.name.as_ref(), "scheduledTasks", i),
            at,
            [
                (Field::Subnets, vpc.subnets.as_ref()),
                (Field::SecurityGroups, vpc.security_groups.as_ref()),
            ],
        );
    }
    for (i, group) in stack.target_groups.iter().enumerate() {
        if let Some(value) = &group.vpc_id {
            out.push(Written {
                owner: Owner::TargetGroup,
                resource: label(group.name.as_ref(), "targetGroups", i),
                field: Field::Vpc,
                path: JsonPath::root().key("targetGroups").index(i).key("VpcId"),
                value,
            });
        }
    }
    out
}

/// The lookups of `stack`, and its values that are neither IDs nor lookups.
fn scan(stack: &Stack) -> (Vec<Lookup>, Vec<LookupError>) {
    let mut found = Vec::new();
    let mut invalid = Vec::new();
    for w in written(stack) {
        match Target::parse(w.field, w.value) {
            Ok(None) => {}
            Ok(Some(target)) => found.push(Lookup {
                owner: w.owner,
                resource: w.resource,
                path: w.path,
                original: w.value.clone(),
                target,
            }),
            Err(()) => invalid.push(LookupError::NotALookup {
                owner: w.owner,
                resource: w.resource,
                field: w.field,
                path: w.path,
                value: w.value.clone(),
            }),
        }
    }
    (found, invalid)
}

/// One filtered Describe call (before paging).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Request {
    operation: Ec2Operation,
    filter: &'static str,
    values: Vec<String>,
}

/// The calls that answer `lookups`: each filter once, with all its values (in chunks of
/// [`FILTER_VALUES_PER_CALL`]).
fn requests(lookups: &[Lookup]) -> Vec<Request> {
    let mut default_subnets = false;
    let mut default_group = false;
    let mut default_vpc = false;
    let mut subnet_names = BTreeSet::new();
    let mut group_names = BTreeSet::new();
    let mut vpc_names = BTreeSet::new();
    for lookup in lookups {
        match &lookup.target {
            Target::DefaultSubnets => default_subnets = true,
            Target::DefaultSecurityGroup => default_group = true,
            Target::DefaultVpc => default_vpc = true,
            Target::VpcNamed(name) => {
                vpc_names.insert(name.clone());
            }
            Target::SubnetNamed(name) => {
                subnet_names.insert(name.clone());
            }
            Target::SecurityGroupNamed(name) => {
                group_names.insert(name.clone());
            }
        }
    }
    let mut group_name_values = group_names.clone();
    if default_group {
        group_name_values.insert(DEFAULT.to_owned());
    }

    let mut out = Vec::new();
    let mut add = |operation, filter, values: BTreeSet<String>| {
        let values: Vec<String> = values.into_iter().collect();
        for chunk in values.chunks(FILTER_VALUES_PER_CALL) {
            out.push(Request {
                operation,
                filter,
                values: chunk.to_vec(),
            });
        }
    };
    let truth = || BTreeSet::from(["true".to_owned()]);
    if default_group || default_vpc {
        add(Ec2Operation::DescribeVpcs, "is-default", truth());
    }
    add(Ec2Operation::DescribeVpcs, "tag:Name", vpc_names);
    if default_subnets {
        add(Ec2Operation::DescribeSubnets, "default-for-az", truth());
    }
    add(Ec2Operation::DescribeSubnets, "tag:Name", subnet_names);
    add(
        Ec2Operation::DescribeSecurityGroups,
        "group-name",
        group_name_values,
    );
    add(
        Ec2Operation::DescribeSecurityGroups,
        "tag:Name",
        group_names,
    );
    out
}

/// What the calls returned, reduced to what matching needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Found {
    /// By ID.
    vpcs: BTreeMap<String, Vpc>,
    /// By ID.
    subnets: BTreeMap<String, Subnet>,
    /// By ID.
    groups: BTreeMap<String, Group>,
}

impl Found {
    /// The IDs of the default VPCs found (one per region, at most).
    fn default_vpcs(&self) -> BTreeSet<&String> {
        self.vpcs
            .iter()
            .filter(|(_, v)| v.is_default)
            .map(|(id, _)| id)
            .collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Vpc {
    is_default: bool,
    name_tag: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Subnet {
    zone: String,
    default_for_az: bool,
    name_tag: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Group {
    vpc: String,
    group_name: String,
    name_tag: Option<String>,
}

/// The IDs `target` stands for in `found`, or why not.
fn matches(target: &Target, found: &Found) -> Result<Vec<String>, Mismatch> {
    let ids: Vec<String> = match target {
        Target::DefaultSubnets => {
            let mut subnets: Vec<(&String, &Subnet)> = found
                .subnets
                .iter()
                .filter(|(_, s)| s.default_for_az)
                .collect();
            subnets.sort_by(|a, b| (&a.1.zone, a.0).cmp(&(&b.1.zone, b.0)));
            let ids: Vec<String> = subnets.into_iter().map(|(id, _)| id.clone()).collect();
            return if ids.is_empty() {
                Err(Mismatch::Nothing)
            } else {
                Ok(ids)
            };
        }
        Target::DefaultSecurityGroup => {
            let defaults = found.default_vpcs();
            if defaults.is_empty() {
                return Err(Mismatch::NoDefaultVpc);
            }
            found
                .groups
                .iter()
                .filter(|(_, g)| g.group_name == DEFAULT && defaults.contains(&g.vpc))
                .map(|(id, _)| id.clone())
                .collect()
        }
        Target::DefaultVpc => {
            let defaults = found.default_vpcs();
            if defaults.is_empty() {
                return Err(Mismatch::NoDefaultVpc);
            }
            defaults.into_iter().cloned().collect()
        }
        Target::VpcNamed(name) => found
            .vpcs
            .iter()
            .filter(|(_, v)| v.name_tag.as_ref() == Some(name))
            .map(|(id, _)| id.clone())
            .collect(),
        Target::SubnetNamed(name) => found
            .subnets
            .iter()
            .filter(|(_, s)| s.name_tag.as_ref() == Some(name))
            .map(|(id, _)| id.clone())
            .collect(),
        Target::SecurityGroupNamed(name) => found
            .groups
            .iter()
            .filter(|(_, g)| &g.group_name == name || g.name_tag.as_ref() == Some(name))
            .map(|(id, _)| id.clone())
            .collect(),
    };
    match ids.len() {
        0 => Err(Mismatch::Nothing),
        1 => Ok(ids),
        _ => Err(Mismatch::Several(ids)),
    }
}

enum Mismatch {
    Nothing,
    Several(Vec<String>),
    NoDefaultVpc,
}

/// Resolves every lookup against `found`: the resolutions in document order, or every failure.
fn resolutions(lookups: Vec<Lookup>, found: &Found) -> Result<Resolved, Vec<LookupError>> {
    let mut resolved = Vec::new();
    let mut errors = Vec::new();
    for lookup in lookups {
        match matches(&lookup.target, found) {
            Ok(ids) => resolved.push(Resolution { lookup, ids }),
            Err(Mismatch::Nothing) => errors.push(LookupError::NotFound { lookup }),
            Err(Mismatch::Several(ids)) => errors.push(LookupError::Ambiguous { lookup, ids }),
            Err(Mismatch::NoDefaultVpc) => errors.push(LookupError::NoDefaultVpc { lookup }),
        }
    }
    if errors.is_empty() {
        Ok(Resolved {
            resolutions: resolved,
        })
    } else {
        Err(errors)
    }
}

/// Writes the IDs of `resolved` in place of its lookups. A list that held a lookup keeps each
/// ID once, at its first place; other lists are not touched.
fn rewrite(stack: &mut Stack, resolved: &Resolved) {
    let by_target: BTreeMap<&Target, &[String]> = resolved
        .resolutions
        .iter()
        .map(|r| (&r.lookup.target, r.ids.as_slice()))
        .collect();
    let services = stack.services.iter_mut().filter_map(|s| {
        let vpc = s
            .network_configuration
            .as_mut()?
            .awsvpc_configuration
            .as_mut()?;
        Some([&mut vpc.subnets, &mut vpc.security_groups])
    });
    let schedules = stack.scheduled_tasks.iter_mut().filter_map(|t| {
        let vpc = t
            .target
            .as_mut()?
            .ecs_parameters
            .as_mut()?
            .network_configuration
            .as_mut()?
            .awsvpc_configuration
            .as_mut()?;
        Some([&mut vpc.subnets, &mut vpc.security_groups])
    });
    for [subnets, groups] in services.chain(schedules) {
        for (field, list) in [(Field::Subnets, subnets), (Field::SecurityGroups, groups)] {
            if let Some(values) = list.as_mut() {
                rewrite_list(field, values, &by_target);
            }
        }
    }
    for group in &mut stack.target_groups {
        let Some(value) = group.vpc_id.as_mut() else {
            continue;
        };
        if let Ok(Some(target)) = Target::parse(Field::Vpc, value)
            && let Some([id]) = by_target.get(&target)
        {
            *value = id.clone();
        }
    }
}

/// Rewrites one list of `field`: each lookup becomes its IDs, each ID kept once at its first
/// place; a list without a lookup is left as written.
fn rewrite_list(field: Field, values: &mut Vec<String>, by_target: &BTreeMap<&Target, &[String]>) {
    let mut lookup_seen = false;
    let mut out: Vec<String> = Vec::with_capacity(values.len());
    for value in values.iter() {
        let ids = match Target::parse(field, value) {
            Ok(Some(target)) => match by_target.get(&target) {
                Some(ids) => {
                    lookup_seen = true;
                    ids.to_vec()
                }
                None => vec![value.clone()],
            },
            _ => vec![value.clone()],
        };
        for id in ids {
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    if lookup_seen {
        *values = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn stack(services: Value) -> Stack {
        ecs_model::load::from_value::<Stack>(&json!({ "services": services }))
            .value
            .expect("a stack")
    }

    fn service(name: &str, subnets: Value, groups: Value) -> Value {
        json!({"serviceName": name, "networkConfiguration": {"awsvpcConfiguration": {
            "subnets": subnets, "securityGroups": groups
        }}})
    }

    fn targets(stack: &Stack) -> Vec<Target> {
        lookups(stack).into_iter().map(|l| l.target).collect()
    }

    fn named(name: &str) -> Target {
        Target::SubnetNamed(name.to_owned())
    }

    fn group_named(name: &str) -> Target {
        Target::SecurityGroupNamed(name.to_owned())
    }

    #[test]
    fn checked_lookups_lists_lookups_or_refuses_values_that_are_neither() {
        let s = stack(json!([service(
            "web",
            json!(["default", "subnet-1"]),
            json!(["sg-1"])
        )]));
        let found = checked_lookups(&s).expect("valid");
        assert_eq!(
            found.iter().map(|l| l.target.clone()).collect::<Vec<_>>(),
            [Target::DefaultSubnets]
        );
        let ids = stack(json!([service(
            "web",
            json!(["subnet-1"]),
            json!(["sg-1"])
        )]));
        assert_eq!(checked_lookups(&ids).expect("valid"), []);
        let bad = stack(json!([service("web", json!(["Default"]), json!(["sg-1"]))]));
        let err = checked_lookups(&bad).expect_err("not a lookup");
        assert!(
            matches!(err.lookup_errors(), [LookupError::NotALookup { value, .. }] if value == "Default"),
            "{err}"
        );
    }

    #[test]
    fn ids_are_not_lookups() {
        let s = stack(json!([service(
            "web",
            json!(["subnet-1", "subnet-2"]),
            json!(["sg-1"])
        )]));
        assert!(lookups(&s).is_empty());
        assert!(scan(&s).1.is_empty());
        assert!(requests(&lookups(&s)).is_empty());
    }

    #[test]
    fn lookups_in_document_order_with_paths() {
        let s = stack(json!([
            service("web", json!(["default", "subnet-1"]), json!(["sg-1", "name:web"])),
            {"serviceName": "batch"},
            {"networkConfiguration": {"awsvpcConfiguration": {
                "subnets": ["name:private-a"], "securityGroups": ["default"]
            }}}
        ]));
        let found = lookups(&s);
        let described: Vec<(String, String, String, Target)> = found
            .into_iter()
            .map(|l| (l.resource, l.path.to_string(), l.original, l.target))
            .collect();
        let at = |i: usize, rest: &str| {
            format!("services[{i}].networkConfiguration.awsvpcConfiguration.{rest}")
        };
        assert_eq!(
            described,
            [
                (
                    "web".into(),
                    at(0, "subnets[0]"),
                    "default".into(),
                    Target::DefaultSubnets
                ),
                (
                    "web".into(),
                    at(0, "securityGroups[1]"),
                    "name:web".into(),
                    group_named("web")
                ),
                (
                    "services[2]".into(),
                    at(2, "subnets[0]"),
                    "name:private-a".into(),
                    named("private-a")
                ),
                (
                    "services[2]".into(),
                    at(2, "securityGroups[0]"),
                    "default".into(),
                    Target::DefaultSecurityGroup
                ),
            ]
        );
    }

    #[test]
    fn values_that_are_neither_are_errors() {
        let s = stack(json!([service(
            "web",
            json!(["sg-1", "Default", "name:", "subnet-1"]),
            json!(["subnet-1", "name:ok"])
        )]));
        let (found, invalid) = scan(&s);
        assert_eq!(
            found.into_iter().map(|l| l.target).collect::<Vec<_>>(),
            [group_named("ok")]
        );
        let values: Vec<String> = invalid
            .iter()
            .map(|e| match e {
                LookupError::NotALookup { value, .. } => value.clone(),
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(values, ["sg-1", "Default", "name:", "subnet-1"]);
        assert_eq!(
            invalid[0].to_string(),
            "service web, subnets \"sg-1\": not a subnet ID (subnet-...), \"default\" or \"name:NAME\""
        );
    }

    #[test]
    fn names_keep_case_and_spaces() {
        let s = stack(json!([service(
            "web",
            json!(["name: App A"]),
            json!(["name:Web"])
        )]));
        assert_eq!(targets(&s), [named(" App A"), group_named("Web")]);
    }

    fn plan(requests: &[Request]) -> Vec<(Ec2Operation, &str, Vec<&str>)> {
        requests
            .iter()
            .map(|r| {
                let values = r.values.iter().map(String::as_str).collect();
                (r.operation, r.filter, values)
            })
            .collect()
    }

    #[test]
    fn each_filter_is_sent_once_with_every_value() {
        let s = stack(json!([
            service(
                "a",
                json!(["default", "name:x"]),
                json!(["default", "name:web"])
            ),
            service(
                "b",
                json!(["name:y", "default", "name:x"]),
                json!(["name:db", "name:web"])
            ),
        ]));
        let requests = requests(&lookups(&s));
        assert_eq!(
            plan(&requests),
            [
                (Ec2Operation::DescribeVpcs, "is-default", vec!["true"]),
                (
                    Ec2Operation::DescribeSubnets,
                    "default-for-az",
                    vec!["true"]
                ),
                (Ec2Operation::DescribeSubnets, "tag:Name", vec!["x", "y"]),
                (
                    Ec2Operation::DescribeSecurityGroups,
                    "group-name",
                    vec!["db", "default", "web"]
                ),
                (
                    Ec2Operation::DescribeSecurityGroups,
                    "tag:Name",
                    vec!["db", "web"]
                ),
            ]
        );
    }

    #[test]
    fn only_the_calls_a_stack_needs() {
        let default_subnets = stack(json!([service("a", json!(["default"]), json!(["sg-1"]))]));
        assert_eq!(
            plan(&requests(&lookups(&default_subnets))),
            [(
                Ec2Operation::DescribeSubnets,
                "default-for-az",
                vec!["true"]
            )]
        );
        let default_group = stack(json!([service(
            "a",
            json!(["subnet-1"]),
            json!(["default"])
        )]));
        assert_eq!(
            plan(&requests(&lookups(&default_group))),
            [
                (Ec2Operation::DescribeVpcs, "is-default", vec!["true"]),
                (
                    Ec2Operation::DescribeSecurityGroups,
                    "group-name",
                    vec!["default"]
                ),
            ]
        );
    }

    #[test]
    fn many_names_are_chunked() {
        let names: Vec<String> = (0..FILTER_VALUES_PER_CALL + 1)
            .map(|i| format!("name:n{i:03}"))
            .collect();
        let s = stack(json!([service("a", json!(names), json!([]))]));
        let requests = requests(&lookups(&s));
        let sizes: Vec<usize> = requests.iter().map(|r| r.values.len()).collect();
        assert_eq!(sizes, [FILTER_VALUES_PER_CALL, 1]);
    }

    fn subnet(zone: &str, default_for_az: bool, name: Option<&str>) -> Subnet {
        Subnet {
            zone: zone.to_owned(),
            default_for_az,
            name_tag: name.map(str::to_owned),
        }
    }

    fn group(vpc: &str, group_name: &str, name: Option<&str>) -> Group {
        Group {
            vpc: vpc.to_owned(),
            group_name: group_name.to_owned(),
            name_tag: name.map(str::to_owned),
        }
    }

    fn vpc(is_default: bool, name: Option<&str>) -> Vpc {
        Vpc {
            is_default,
            name_tag: name.map(str::to_owned),
        }
    }

    fn found() -> Found {
        Found {
            vpcs: BTreeMap::from([
                ("vpc-d".to_owned(), vpc(true, None)),
                ("vpc-o".to_owned(), vpc(false, Some("apps"))),
                ("vpc-t1".to_owned(), vpc(false, Some("twin"))),
                ("vpc-t2".to_owned(), vpc(false, Some("twin"))),
            ]),
            subnets: BTreeMap::from([
                ("subnet-b".to_owned(), subnet("us-east-1b", true, None)),
                (
                    "subnet-a".to_owned(),
                    subnet("us-east-1a", true, Some("pub")),
                ),
                (
                    "subnet-x".to_owned(),
                    subnet("us-east-1a", false, Some("app")),
                ),
                (
                    "subnet-y1".to_owned(),
                    subnet("us-east-1a", false, Some("twice")),
                ),
                (
                    "subnet-y2".to_owned(),
                    subnet("us-east-1b", false, Some("twice")),
                ),
            ]),
            groups: BTreeMap::from([
                ("sg-d".to_owned(), group("vpc-d", "default", None)),
                ("sg-o".to_owned(), group("vpc-o", "default", None)),
                ("sg-w".to_owned(), group("vpc-o", "web", Some("web"))),
                ("sg-t".to_owned(), group("vpc-o", "sg-for-db", Some("db"))),
                ("sg-c1".to_owned(), group("vpc-o", "clash", None)),
                ("sg-c2".to_owned(), group("vpc-d", "other", Some("clash"))),
            ]),
        }
    }

    fn ids(target: Target, found: &Found) -> Result<Vec<String>, String> {
        matches(&target, found).map_err(|m| match m {
            Mismatch::Nothing => "none".to_owned(),
            Mismatch::Several(ids) => format!("several {}", ids.join(",")),
            Mismatch::NoDefaultVpc => "no default vpc".to_owned(),
        })
    }

    #[test]
    fn matching() {
        let found = found();
        let ok = |v: &[&str]| Ok(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(
            ids(Target::DefaultSubnets, &found),
            ok(&["subnet-a", "subnet-b"])
        );
        assert_eq!(ids(Target::DefaultSecurityGroup, &found), ok(&["sg-d"]));
        assert_eq!(ids(named("app"), &found), ok(&["subnet-x"]));
        assert_eq!(ids(named("pub"), &found), ok(&["subnet-a"]));
        assert_eq!(ids(named("nope"), &found), Err("none".into()));
        assert_eq!(
            ids(named("twice"), &found),
            Err("several subnet-y1,subnet-y2".into())
        );
        // Group name and Name tag both match; the same group counts once.
        assert_eq!(ids(group_named("web"), &found), ok(&["sg-w"]));
        assert_eq!(ids(group_named("db"), &found), ok(&["sg-t"]));
        assert_eq!(ids(group_named("sg-for-db"), &found), ok(&["sg-t"]));
        assert_eq!(
            ids(group_named("clash"), &found),
            Err("several sg-c1,sg-c2".into())
        );
        let no_default = Found {
            vpcs: BTreeMap::from([("vpc-o".to_owned(), vpc(false, Some("apps")))]),
            ..found.clone()
        };
        assert_eq!(
            ids(Target::DefaultSecurityGroup, &no_default),
            Err("no default vpc".into())
        );
        assert_eq!(
            ids(Target::DefaultSubnets, &Found::default()),
            Err("none".into())
        );
    }

    #[test]
    fn every_failure_is_reported_in_document_order() {
        let s = stack(json!([service(
            "a",
            json!(["name:nope", "name:app"]),
            json!(["name:clash"])
        ),]));
        let errors = resolutions(lookups(&s), &found()).expect_err("two failures");
        let messages: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            [
                "service a, subnets \"name:nope\": no subnet has the Name tag \"nope\"",
                "service a, securityGroups \"name:clash\": 2 security groups match (sg-c1, sg-c2); \
                 write the ID instead",
            ]
        );
        let error = NetworkError::Lookups(errors);
        assert!(
            error
                .to_string()
                .starts_with("2 lookups failed: service a, subnets \"name:nope\"")
        );
        assert_eq!(error.lookup_errors().len(), 2);
    }

    #[test]
    fn rewrite_replaces_lookups_and_keeps_ids_once() {
        let mut s = stack(json!([
            service(
                "a",
                json!(["subnet-a", "default", "name:app"]),
                json!(["default", "sg-d"])
            ),
            service("b", json!(["subnet-b", "subnet-b"]), json!(["sg-1"])),
        ]));
        let resolved = resolutions(lookups(&s), &found()).expect("resolved");
        rewrite(&mut s, &resolved);
        let written: Vec<Vec<&str>> = s
            .services
            .iter()
            .filter_map(|s| {
                s.network_configuration
                    .as_ref()?
                    .awsvpc_configuration
                    .as_ref()
            })
            .flat_map(|vpc| [&vpc.subnets, &vpc.security_groups])
            .map(|list| list.iter().flatten().map(String::as_str).collect())
            .collect();
        assert_eq!(
            written,
            [
                vec!["subnet-a", "subnet-b", "subnet-x"],
                vec!["sg-d"],
                // No lookup in these lists: untouched, duplicates and all.
                vec!["subnet-b", "subnet-b"],
                vec!["sg-1"],
            ]
        );
        assert_eq!(
            resolved.to_string(),
            "service a, subnets \"default\" -> subnet-a, subnet-b\n\
             service a, subnets \"name:app\" -> subnet-x\n\
             service a, securityGroups \"default\" -> sg-d\n"
        );
    }

    /// A stack of `value`'s members (scheduledTasks, targetGroups, services...).
    fn whole(value: Value) -> Stack {
        ecs_model::load::from_value::<Stack>(&value)
            .value
            .expect("a stack")
    }

    fn scheduled(name: &str, subnets: Value, groups: Value) -> Value {
        json!({"Name": name, "ScheduleExpression": "rate(1 hour)",
               "FlexibleTimeWindow": {"Mode": "OFF"},
               "Target": {"Arn": "shop", "RoleArn": "arn:aws:iam::123456789012:role/s",
                 "EcsParameters": {"TaskDefinitionArn": "report",
                   "NetworkConfiguration": {"awsvpcConfiguration": {
                     "Subnets": subnets, "SecurityGroups": groups}}}}})
    }

    fn described(stack: &Stack) -> Vec<(String, String, String, Target)> {
        lookups(stack)
            .into_iter()
            .map(|l| (l.to_string(), l.path.to_string(), l.original, l.target))
            .collect()
    }

    #[test]
    fn scheduled_tasks_and_target_groups_hold_lookups_too() {
        let s = whole(json!({
            "services": [service("web", json!(["default"]), json!(["sg-1"]))],
            "scheduledTasks": [
                scheduled("nightly", json!(["subnet-1", "default"]), json!(["name:batch"])),
                {"Name": "no-network", "ScheduleExpression": "rate(1 hour)",
                 "Target": {"Arn": "shop", "RoleArn": "r"}},
                scheduled("ids", json!(["subnet-2"]), json!(["sg-2"]))
            ],
            "targetGroups": [
                {"Name": "web", "VpcId": "default"},
                {"Name": "api", "VpcId": "name:apps"},
                {"Name": "ids", "VpcId": "vpc-0abc"},
                {"Name": "none"}
            ]
        }));
        let task = |rest: &str| {
            format!(
                "scheduledTasks[0].Target.EcsParameters.NetworkConfiguration.awsvpcConfiguration.{rest}"
            )
        };
        assert_eq!(
            described(&s),
            [
                (
                    "service web, subnets \"default\"".into(),
                    "services[0].networkConfiguration.awsvpcConfiguration.subnets[0]".into(),
                    "default".into(),
                    Target::DefaultSubnets
                ),
                (
                    "scheduled task nightly, Subnets \"default\"".into(),
                    task("Subnets[1]"),
                    "default".into(),
                    Target::DefaultSubnets
                ),
                (
                    "scheduled task nightly, SecurityGroups \"name:batch\"".into(),
                    task("SecurityGroups[0]"),
                    "name:batch".into(),
                    group_named("batch")
                ),
                (
                    "target group web, VpcId \"default\"".into(),
                    "targetGroups[0].VpcId".into(),
                    "default".into(),
                    Target::DefaultVpc
                ),
                (
                    "target group api, VpcId \"name:apps\"".into(),
                    "targetGroups[1].VpcId".into(),
                    "name:apps".into(),
                    Target::VpcNamed("apps".into())
                ),
            ]
        );
    }

    #[test]
    fn checked_lookups_refuses_bad_values_of_schedules_and_target_groups_before_any_call() {
        let s = whole(json!({
            "scheduledTasks": [scheduled("nightly", json!(["sg-1"]), json!(["Default"]))],
            "targetGroups": [{"Name": "web", "VpcId": "subnet-1"}, {"VpcId": "name:"}]
        }));
        let error = checked_lookups(&s).expect_err("not lookups");
        let messages: Vec<String> = error
            .lookup_errors()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            messages,
            [
                "scheduled task nightly, Subnets \"sg-1\": not a subnet ID (subnet-...), \"default\" or \"name:NAME\"",
                "scheduled task nightly, SecurityGroups \"Default\": not a security group ID (sg-...), \"default\" or \"name:NAME\"",
                "target group web, VpcId \"subnet-1\": not a VPC ID (vpc-...), \"default\" or \"name:NAME\"",
                "target group targetGroups[1], VpcId \"name:\": not a VPC ID (vpc-...), \"default\" or \"name:NAME\"",
            ]
        );
        // Look-ups only in a schedule or a target group still need EC2: they are listed, so a
        // deployer without a Network refuses them (PlanError::NoNetwork) instead of sending
        // `default` to AWS.
        let only_schedule = whole(json!({
            "scheduledTasks": [scheduled("nightly", json!(["default"]), json!([]))]
        }));
        assert_eq!(checked_lookups(&only_schedule).expect("valid").len(), 1);
        let only_group = whole(json!({"targetGroups": [{"Name": "web", "VpcId": "default"}]}));
        assert_eq!(checked_lookups(&only_group).expect("valid").len(), 1);
        let ids = whole(json!({
            "scheduledTasks": [scheduled("nightly", json!(["subnet-1"]), json!(["sg-1"]))],
            "targetGroups": [{"Name": "web", "VpcId": "vpc-1"}]
        }));
        assert_eq!(checked_lookups(&ids).expect("valid"), []);
        assert!(requests(&lookups(&ids)).is_empty());
    }

    #[test]
    fn vpc_lookups_share_the_default_vpc_call() {
        let s = whole(json!({
            "services": [service("web", json!(["subnet-1"]), json!(["default"]))],
            "targetGroups": [
                {"Name": "a", "VpcId": "default"},
                {"Name": "b", "VpcId": "name:apps"},
                {"Name": "c", "VpcId": "name:apps"}
            ]
        }));
        assert_eq!(
            plan(&requests(&lookups(&s))),
            [
                (Ec2Operation::DescribeVpcs, "is-default", vec!["true"]),
                (Ec2Operation::DescribeVpcs, "tag:Name", vec!["apps"]),
                (
                    Ec2Operation::DescribeSecurityGroups,
                    "group-name",
                    vec!["default"]
                ),
            ]
        );
        let only_vpc = whole(json!({"targetGroups": [{"Name": "a", "VpcId": "default"}]}));
        assert_eq!(
            plan(&requests(&lookups(&only_vpc))),
            [(Ec2Operation::DescribeVpcs, "is-default", vec!["true"])]
        );
    }

    #[test]
    fn vpc_matching() {
        let found = found();
        let ok = |v: &[&str]| Ok(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        assert_eq!(ids(Target::DefaultVpc, &found), ok(&["vpc-d"]));
        assert_eq!(ids(Target::VpcNamed("apps".into()), &found), ok(&["vpc-o"]));
        assert_eq!(
            ids(Target::VpcNamed("twin".into()), &found),
            Err("several vpc-t1,vpc-t2".into())
        );
        assert_eq!(
            ids(Target::VpcNamed("nope".into()), &found),
            Err("none".into())
        );
        assert_eq!(
            ids(Target::DefaultVpc, &Found::default()),
            Err("no default vpc".into())
        );
        // The default VPC's security group is found through the VPC's flag, not through which
        // call answered it: a VPC named by tag is not a default one.
        let named_only = Found {
            vpcs: BTreeMap::from([("vpc-d".to_owned(), vpc(false, Some("apps")))]),
            ..found.clone()
        };
        assert_eq!(
            ids(Target::DefaultSecurityGroup, &named_only),
            Err("no default vpc".into())
        );
    }

    #[test]
    fn rewrite_reaches_scheduled_tasks_and_target_groups() {
        let mut s = whole(json!({
            "scheduledTasks": [
                scheduled("nightly", json!(["subnet-a", "default"]), json!(["name:web"])),
                scheduled("ids", json!(["subnet-b", "subnet-b"]), json!(["sg-1"]))
            ],
            "targetGroups": [
                {"Name": "a", "VpcId": "default"},
                {"Name": "b", "VpcId": "name:apps"},
                {"Name": "c", "VpcId": "vpc-x"}
            ]
        }));
        let resolved = resolutions(lookups(&s), &found()).expect("resolved");
        rewrite(&mut s, &resolved);
        let lists: Vec<(Vec<String>, Vec<String>)> = s
            .scheduled_tasks
            .iter()
            .filter_map(schedule_vpc)
            .map(|v| {
                (
                    v.subnets.clone().unwrap_or_default(),
                    v.security_groups.clone().unwrap_or_default(),
                )
            })
            .collect();
        let strings = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            lists,
            [
                (strings(&["subnet-a", "subnet-b"]), strings(&["sg-w"])),
                (strings(&["subnet-b", "subnet-b"]), strings(&["sg-1"])),
            ]
        );
        let vpcs: Vec<Option<&str>> = s
            .target_groups
            .iter()
            .map(|g| g.vpc_id.as_deref())
            .collect();
        assert_eq!(vpcs, [Some("vpc-d"), Some("vpc-o"), Some("vpc-x")]);
        assert!(lookups(&s).is_empty());
        assert_eq!(
            resolved.to_string(),
            "scheduled task nightly, Subnets \"default\" -> subnet-a, subnet-b\n\
             scheduled task nightly, SecurityGroups \"name:web\" -> sg-w\n\
             target group a, VpcId \"default\" -> vpc-d\n\
             target group b, VpcId \"name:apps\" -> vpc-o\n"
        );
    }
}
