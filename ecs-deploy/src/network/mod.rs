//! Subnets and security groups written as lookups, resolved to IDs through Amazon EC2.
//!
//! A service's `networkConfiguration.awsvpcConfiguration` takes subnet and security group IDs,
//! and IDs differ from one account to the next: a stack file full of them works in one account
//! only, and not at all on a fresh local endpoint. The stack file stays AWS's own JSON, so a
//! lookup is written where the ID would be, as a string that no ID can be:
//!
//! | written | in `subnets` | in `securityGroups` |
//! |---|---|---|
//! | `subnet-…` / `sg-…` | that ID, as is | that ID, as is |
//! | `default` | every default subnet (`defaultForAz`) of the region, ordered by zone | the security group named `default` of the default VPC |
//! | `name:NAME` | the one subnet whose `Name` tag is `NAME` | the one security group whose group name or `Name` tag is `NAME` |
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
//! - An ID is any value that starts with `subnet-` (in `subnets`) or `sg-` (in
//!   `securityGroups`). It is never checked or described: a stack written with IDs only makes
//!   no EC2 call at all.
//! - `default` and `name:NAME` are the only lookups, matched exactly (case and spaces count);
//!   `NAME` is not empty. Anything else (`sg-` in `subnets`, `Default`, `name:`) is an error
//!   before any call is made.
//! - Default subnets exist only in the default VPC, so `default` in `subnets` needs no
//!   DescribeVpcs. No default subnet at all is an error.
//! - `default` in `securityGroups` needs the default VPC: an account or region without one is
//!   an error.
//! - `name:NAME` searches the whole account and region, every VPC. It must match exactly one
//!   resource: none, or several (the IDs are listed), is an error that names the lookup. A
//!   security group matches if its group name *or* its `Name` tag is `NAME`; one group matching
//!   both ways counts once.
//! - A list that held a lookup is rewritten in place: each lookup becomes its IDs, and an ID
//!   that appears twice (`default` next to one of the default subnets' IDs) is kept once, at
//!   its first place. Lists without lookups are left exactly as written.
//! - Errors are collected: every failed lookup of the stack is reported at once, in document
//!   order. On error the stack is not changed.
//! - Only services are read. Capacity providers and task sets are not.
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
//! | `default` security group | DescribeVpcs | `is-default = true` |
//! | `default` or `name:` security groups | DescribeSecurityGroups | `group-name = default and every group name` |
//! | `name:` security groups | DescribeSecurityGroups | `tag:Name = every group name` |
//!
//! That is at most five calls, however many services and lookups the stack has (more only if
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

use ecs_model::types::AwsVpcConfiguration;
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

/// The list of an awsvpc configuration a value stands in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// `subnets`.
    Subnets,
    /// `securityGroups`.
    SecurityGroups,
}

impl Field {
    /// The member's name in the AWS JSON.
    pub fn member(self) -> &'static str {
        match self {
            Self::Subnets => "subnets",
            Self::SecurityGroups => "securityGroups",
        }
    }

    /// How an ID of this list starts.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Self::Subnets => "subnet-",
            Self::SecurityGroups => "sg-",
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Self::Subnets => "subnet",
            Self::SecurityGroups => "security group",
        }
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
            }));
        }
        match value.strip_prefix(NAME_PREFIX) {
            Some(name) if !name.is_empty() => Ok(Some(match field {
                Field::Subnets => Self::SubnetNamed(name.to_owned()),
                Field::SecurityGroups => Self::SecurityGroupNamed(name.to_owned()),
            })),
            _ => Err(()),
        }
    }

    /// The list this lookup is written in.
    pub fn field(&self) -> Field {
        match self {
            Self::DefaultSubnets | Self::SubnetNamed(_) => Field::Subnets,
            Self::DefaultSecurityGroup | Self::SecurityGroupNamed(_) => Field::SecurityGroups,
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
        }
    }
}

/// One lookup written in a stack, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// The service's name (`serviceName`), or `services[i]` for a service without one.
    pub service: String,
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
            "service {}, {} {:?}",
            self.service,
            self.target.field(),
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

/// One line per resolution: `service web, subnets "name:app" -> subnet-0abc`.
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
        "service {service}, {field} {value:?}: not a {} ID ({}...), \"default\" or \"name:NAME\"",
        field.noun(),
        field.id_prefix()
    )]
    NotALookup {
        /// The service, as in [`Lookup::service`].
        service: String,
        /// The list.
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
    /// `default` in `securityGroups`, and the region has no default VPC.
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

/// Every lookup in the services of `stack`, in document order. IDs are not listed, nor are
/// values that are neither (those are errors of [`Network::resolve`]).
///
/// ```
/// use ecs_deploy::network::{Target, lookups};
///
/// let stack = ecs_model::load::from_value::<ecs_model::Stack>(&serde_json::json!({
///     "services": [{"serviceName": "web", "networkConfiguration": {"awsvpcConfiguration": {
///         "subnets": ["subnet-0abc", "default"], "securityGroups": ["name:web"]
///     }}}]
/// }))
/// .value
/// .unwrap();
/// let found: Vec<Target> = lookups(&stack).into_iter().map(|l| l.target).collect();
/// assert_eq!(
///     found,
///     [Target::DefaultSubnets, Target::SecurityGroupNamed("web".into())]
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

/// The awsvpc configuration of each service, with the service's label and path.
fn configurations(stack: &Stack) -> impl Iterator<Item = (String, JsonPath, &AwsVpcConfiguration)> {
    stack
        .services
        .iter()
        .enumerate()
        .filter_map(|(i, service)| {
            let vpc = service
                .network_configuration
                .as_ref()?
                .awsvpc_configuration
                .as_ref()?;
            let label = service
                .service_name
                .clone()
                .unwrap_or_else(|| format!("services[{i}]"));
            let path = JsonPath::root()
                .key("services")
                .index(i)
                .key("networkConfiguration")
                .key("awsvpcConfiguration");
            Some((label, path, vpc))
        })
}

fn lists(vpc: &AwsVpcConfiguration) -> [(Field, &[String]); 2] {
    [
        (Field::Subnets, vpc.subnets.as_deref().unwrap_or_default()),
        (
            Field::SecurityGroups,
            vpc.security_groups.as_deref().unwrap_or_default(),
        ),
    ]
}

/// The lookups of `stack`, and its values that are neither IDs nor lookups.
fn scan(stack: &Stack) -> (Vec<Lookup>, Vec<LookupError>) {
    let mut found = Vec::new();
    let mut invalid = Vec::new();
    for (service, at, vpc) in configurations(stack) {
        for (field, values) in lists(vpc) {
            for (j, value) in values.iter().enumerate() {
                let path = at.clone().key(field.member()).index(j);
                match Target::parse(field, value) {
                    Ok(None) => {}
                    Ok(Some(target)) => found.push(Lookup {
                        service: service.clone(),
                        path,
                        original: value.clone(),
                        target,
                    }),
                    Err(()) => invalid.push(LookupError::NotALookup {
                        service: service.clone(),
                        field,
                        path,
                        value: value.clone(),
                    }),
                }
            }
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
    let mut subnet_names = BTreeSet::new();
    let mut group_names = BTreeSet::new();
    for lookup in lookups {
        match &lookup.target {
            Target::DefaultSubnets => default_subnets = true,
            Target::DefaultSecurityGroup => default_group = true,
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
    if default_group {
        add(Ec2Operation::DescribeVpcs, "is-default", truth());
    }
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
    default_vpcs: BTreeSet<String>,
    /// By ID.
    subnets: BTreeMap<String, Subnet>,
    /// By ID.
    groups: BTreeMap<String, Group>,
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
            if found.default_vpcs.is_empty() {
                return Err(Mismatch::NoDefaultVpc);
            }
            found
                .groups
                .iter()
                .filter(|(_, g)| g.group_name == DEFAULT && found.default_vpcs.contains(&g.vpc))
                .map(|(id, _)| id.clone())
                .collect()
        }
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
    let configurations = stack.services.iter_mut().filter_map(|s| {
        s.network_configuration
            .as_mut()?
            .awsvpc_configuration
            .as_mut()
    });
    for vpc in configurations {
        for (field, list) in [
            (Field::Subnets, &mut vpc.subnets),
            (Field::SecurityGroups, &mut vpc.security_groups),
        ] {
            let Some(values) = list.as_mut() else {
                continue;
            };
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
            .map(|l| (l.service, l.path.to_string(), l.original, l.target))
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

    fn found() -> Found {
        Found {
            default_vpcs: BTreeSet::from(["vpc-d".to_owned()]),
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
            default_vpcs: BTreeSet::new(),
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
        let written: Vec<Vec<&str>> = configurations(&s)
            .flat_map(|(_, _, vpc)| {
                lists(vpc).map(|(_, values)| values.iter().map(String::as_str).collect())
            })
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
}
