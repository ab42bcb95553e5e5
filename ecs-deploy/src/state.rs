//! The observed state: what AWS has now of the resources a plan is about, each rendered as the
//! API input that would create it, and the ARN helpers that key it.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};

pub use crate::kinds::listener_rule::ObservedRule;
pub use crate::kinds::target_group::ObservedTargetGroup;

/// What AWS has now, for the resources the stack names.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Actual {
    /// ACTIVE capacity providers by name.
    pub capacity_providers: BTreeMap<String, Existing<CreateCapacityProviderRequest>>,
    /// ACTIVE clusters by name.
    pub clusters: BTreeMap<String, Existing<CreateClusterRequest>>,
    /// The latest ACTIVE revision of each family.
    pub task_definitions: BTreeMap<String, Existing<RegisterTaskDefinitionRequest>>,
    /// ACTIVE services by cluster name and service name (it reads as that map), and the
    /// services observed DRAINING ([`Services::draining`]).
    pub services: Services,
    /// The ACTIVE revisions of the families whose old revisions may be deregistered (pruned
    /// families, and families with more revisions than [`Options::keep_revisions`](crate::plan::Options::keep_revisions)).
    pub revisions: BTreeMap<String, Vec<Revision>>,
    /// Cloud Map namespaces by name (the stack's, and when pruning or destroying those carrying
    /// the stack's tag).
    pub namespaces: BTreeMap<String, CloudMapNamespace>,
    /// Cloud Map discovery services by namespace id and name: those of the namespaces observed.
    pub discovery_services: BTreeMap<(String, String), DiscoveryService>,
    /// ELBv2 target groups by name: the stack's, the ones its services look up (`name:NAME`),
    /// and when pruning or destroying those carrying the stack's tag.
    pub target_groups: BTreeMap<String, ObservedTargetGroup>,
    /// ELBv2 listeners found by the look-ups of the stack's listener rules
    /// (`name:LOAD-BALANCER:PORT`), their ARN by look-up.
    pub listeners: BTreeMap<String, String>,
    /// ELBv2 listener rules: those of the listeners the stack's rules name, and when pruning
    /// or destroying those of every listener.
    pub listener_rules: Vec<ObservedRule>,
    /// EventBridge Scheduler schedule groups by name: the stack's own group and the groups its
    /// scheduled tasks name (see `kinds::schedule`).
    pub schedule_groups: BTreeMap<String, ScheduleGroup>,
    /// The schedules of the groups observed, by group and name, each rendered as the
    /// CreateSchedule input that would make it as it is.
    pub schedules: BTreeMap<(String, String), Existing<ecs_model::scheduler::CreateScheduleInput>>,
    /// The Application Auto Scaling of ECS services by resource id (`service/CLUSTER/SERVICE`):
    /// the services the stack scales, and when pruning or destroying every service observed.
    pub scaling: BTreeMap<String, ServiceScaling>,
}

pub use crate::kinds::scaling::ServiceScaling;

/// An EventBridge Scheduler schedule group as AWS has it. Schedules carry no tags; their group
/// does, and a group carrying the stack's tag makes its schedules the stack's.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ScheduleGroup {
    /// Its ARN.
    pub arn: String,
    /// `ACTIVE`, or `DELETING` while AWS deletes it and its schedules.
    pub state: Option<String>,
    /// Its tags, as the ECS-shaped tags the ownership check reads.
    pub tags: Option<Vec<ecs_model::types::Tag>>,
}

/// A Cloud Map namespace as AWS has it, rendered as the stack entry that would create it.
///
/// GetNamespace and ListNamespaces do not answer the VPC of a private DNS namespace (only its
/// hosted zone), so `input` has no `Vpc`: the VPC is not compared.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CloudMapNamespace {
    /// Its id (`ns-...`).
    pub id: String,
    /// Its ARN.
    pub arn: String,
    /// How many services it holds, as AWS counted them.
    pub service_count: Option<i32>,
    /// The CreatePrivateDnsNamespace or CreateHttpNamespace input that would make it as it is
    /// (tags included).
    pub input: ecs_model::Namespace,
}

impl CloudMapNamespace {
    /// Its tags, as the ECS-shaped tags the ownership check reads.
    pub fn tags(&self) -> Option<Vec<ecs_model::types::Tag>> {
        let tags = match &self.input {
            ecs_model::Namespace::PrivateDns(input) => &input.tags,
            ecs_model::Namespace::Http(input) => &input.tags,
            _ => &None,
        };
        ecs_tags(tags)
    }
}

/// A Cloud Map discovery service as AWS has it, rendered as the CreateService input that would
/// make it as it is (`NamespaceId` the namespace's id, tags included).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct DiscoveryService {
    /// Its id (`srv-...`).
    pub id: String,
    /// Its ARN: what an ECS service's `serviceRegistries[].registryArn` holds.
    pub arn: String,
    /// Its namespace's name.
    pub namespace: String,
    /// How many instances are registered, as AWS counted them.
    pub instance_count: Option<i32>,
    /// The CreateService input that would make it as it is.
    pub input: ecs_model::cloud_map::CreateServiceRequest,
}

impl DiscoveryService {
    /// Its tags, as the ECS-shaped tags the ownership check reads.
    pub fn tags(&self) -> Option<Vec<ecs_model::types::Tag>> {
        ecs_tags(&self.input.tags)
    }
}

/// Cloud Map tags (`Key`/`Value`) as ECS tags (`key`/`value`): one ownership check for both.
pub(crate) fn ecs_tags(
    tags: &Option<Vec<ecs_model::cloud_map::Tag>>,
) -> Option<Vec<ecs_model::types::Tag>> {
    tags.as_ref().map(|tags| {
        tags.iter()
            .map(|t| {
                let mut tag = ecs_model::types::Tag::default();
                tag.key = t.key.clone();
                tag.value = t.value.clone();
                tag
            })
            .collect()
    })
}

/// The services observed: the ACTIVE ones by cluster name and service name, as the map this
/// type dereferences to, and the names of those that are still DRAINING.
///
/// A DRAINING service is deleted but not gone yet: AWS refuses to create a service of its name
/// until it is INACTIVE, so a plan that creates a service of a name still draining deletes it
/// first and waits ([`Reason::StillDraining`](crate::plan::Reason::StillDraining)). The set
/// lives with the map rather than beside it in [`Actual`] so that every place that fills
/// `services` from [`observe`](crate::observe::observe) carries it along.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Services {
    active: BTreeMap<(String, String), Existing<CreateServiceRequest>>,
    /// The services observed DRAINING, by cluster name and service name: deleted, their tasks
    /// still stopping.
    pub draining: BTreeSet<(String, String)>,
}

impl Services {
    /// Adds the services of `other`, ACTIVE and DRAINING.
    pub fn extend(&mut self, other: Services) {
        self.active.extend(other.active);
        self.draining.extend(other.draining);
    }
}

impl std::ops::Deref for Services {
    type Target = BTreeMap<(String, String), Existing<CreateServiceRequest>>;

    fn deref(&self) -> &Self::Target {
        &self.active
    }
}

impl std::ops::DerefMut for Services {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.active
    }
}

impl<'a> IntoIterator for &'a Services {
    type Item = (&'a (String, String), &'a Existing<CreateServiceRequest>);
    type IntoIter =
        std::collections::btree_map::Iter<'a, (String, String), Existing<CreateServiceRequest>>;

    fn into_iter(self) -> Self::IntoIter {
        self.active.iter()
    }
}

impl FromIterator<((String, String), Existing<CreateServiceRequest>)> for Services {
    fn from_iter<I: IntoIterator<Item = ((String, String), Existing<CreateServiceRequest>)>>(
        iter: I,
    ) -> Self {
        Self {
            active: iter.into_iter().collect(),
            draining: BTreeSet::new(),
        }
    }
}

/// One revision of a task definition family.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Revision {
    /// Its number.
    pub number: i64,
    /// Its ARN.
    pub arn: String,
}

impl Revision {
    /// The revision `number` with ARN `arn`.
    pub fn new(number: i64, arn: impl Into<String>) -> Self {
        Self {
            number,
            arn: arn.into(),
        }
    }

    /// The revision an ARN (`arn:...:task-definition/web:3`) or `family:revision` names, as
    /// [`parse_task_definition`] reads it.
    pub fn from_arn(arn: &str) -> Option<Self> {
        let (_, number) = parse_task_definition(arn)?;
        Some(Self::new(number, arn))
    }

    /// The revisions of `family` among `arns`, in their order: ListTaskDefinitions' answer for
    /// a `familyPrefix`, which also lists the longer families that start with it (`web` lists
    /// `web-api`).
    pub fn of_family<'a>(family: &'a str, arns: &'a [String]) -> impl Iterator<Item = Self> + 'a {
        arns.iter().filter_map(move |arn| {
            let (f, number) = parse_task_definition(arn)?;
            (f == family).then(|| Self::new(number, arn.as_str()))
        })
    }
}

// The ARN helpers: the one place that takes ECS ARNs apart. Everything else calls these.

/// A cluster's name, from its ARN (`arn:aws:ecs:REGION:ACCOUNT:cluster/NAME`) or from itself.
///
/// ```
/// use ecs_deploy::state::cluster_name;
///
/// assert_eq!(cluster_name("arn:aws:ecs:us-east-1:123456789012:cluster/demo"), "demo");
/// assert_eq!(cluster_name("demo"), "demo");
/// ```
pub fn cluster_name(reference: &str) -> &str {
    reference
        .rsplit_once(":cluster/")
        .map_or(reference, |(_, name)| name)
}

/// A service's name, from its ARN (`arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/NAME`, or the
/// older `...:service/NAME` without the cluster) or from itself: what follows the last `/`
/// (a service's name has none).
///
/// ```
/// use ecs_deploy::state::service_name;
///
/// assert_eq!(service_name("arn:aws:ecs:us-east-1:123456789012:service/demo/web"), "web");
/// assert_eq!(service_name("arn:aws:ecs:us-east-1:123456789012:service/web"), "web");
/// assert_eq!(service_name("web"), "web");
/// ```
pub fn service_name(reference: &str) -> &str {
    reference
        .rsplit_once('/')
        .map_or(reference, |(_, name)| name)
}

/// `family:revision`, from a task definition ARN
/// (`arn:aws:ecs:REGION:ACCOUNT:task-definition/FAMILY:REVISION`) or from itself.
///
/// ```
/// use ecs_deploy::state::family_revision;
///
/// let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";
/// assert_eq!(family_revision(arn), "web:3");
/// assert_eq!(family_revision("web:3"), "web:3");
/// ```
pub fn family_revision(reference: &str) -> &str {
    reference
        .rsplit_once("task-definition/")
        .map_or(reference, |(_, name)| name)
}

/// The family and revision number of a task definition ARN or of `family:revision`; `None`
/// unless the family is letters, digits, `-` and `_` (as AWS allows) and the revision a
/// number from 1.
///
/// ```
/// use ecs_deploy::state::parse_task_definition;
///
/// let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";
/// assert_eq!(parse_task_definition(arn), Some(("web", 3)));
/// assert_eq!(parse_task_definition("web:3"), Some(("web", 3)));
/// assert_eq!(parse_task_definition("web"), None);
/// ```
pub fn parse_task_definition(reference: &str) -> Option<(&str, i64)> {
    let (family, revision) = family_revision(reference).rsplit_once(':')?;
    let revision = revision.parse::<i64>().ok().filter(|r| *r > 0)?;
    let valid = !family.is_empty()
        && family
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    valid.then_some((family, revision))
}

/// A resource that exists, rendered as the API input that would create it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Existing<T> {
    /// Its ARN.
    pub arn: String,
    /// The input that would create it as it is (tags included).
    pub input: T,
    /// For a task definition, its revision.
    pub revision: Option<i64>,
}

impl<T> Existing<T> {
    /// A resource that exists.
    pub fn new(arn: impl Into<String>, input: T) -> Self {
        Self {
            arn: arn.into(),
            input,
            revision: None,
        }
    }
}

/// A service's key in [`Actual::services`]: its cluster's name (`default` when unset) and its
/// name.
pub(crate) fn service_key(service: &CreateServiceRequest) -> (String, String) {
    (
        cluster_name(service.cluster.as_deref().unwrap_or("default")).to_owned(),
        service.service_name.clone().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const PREFIX: &str = "arn:aws:ecs:us-east-1:123456789012";

    #[test]
    fn clusters_are_named_by_their_arn_or_themselves() {
        assert_eq!(cluster_name(&format!("{PREFIX}:cluster/demo")), "demo");
        assert_eq!(cluster_name("demo"), "demo");
        assert_eq!(cluster_name("default"), "default");
    }

    #[test]
    fn services_are_named_by_either_arn_format_or_themselves() {
        assert_eq!(service_name(&format!("{PREFIX}:service/demo/web")), "web");
        assert_eq!(service_name(&format!("{PREFIX}:service/web")), "web");
        assert_eq!(service_name("web"), "web");
    }

    #[test]
    fn family_revision_is_read_from_an_arn_or_itself() {
        let arn = format!("{PREFIX}:task-definition/web-api:12");
        assert_eq!(family_revision(&arn), "web-api:12");
        assert_eq!(family_revision("web-api:12"), "web-api:12");
        assert_eq!(family_revision("web"), "web");
    }

    #[test]
    fn task_definitions_are_parsed_into_family_and_revision() {
        let arn = format!("{PREFIX}:task-definition/webserver:12");
        assert_eq!(parse_task_definition(&arn), Some(("webserver", 12)));
        assert_eq!(
            parse_task_definition("web-server_2:3"),
            Some(("web-server_2", 3))
        );
        for bad in [
            "webserver",
            "webserver:",
            ":3",
            "webserver:x",
            "web:0",
            "web:-1",
            "a/b:1",
            "",
        ] {
            assert_eq!(parse_task_definition(bad), None, "{bad}");
        }
    }

    #[test]
    fn revisions_are_read_from_arns_and_filtered_to_their_family() {
        let arn = |name: &str| format!("{PREFIX}:task-definition/{name}");
        assert_eq!(
            Revision::from_arn(&arn("web:3")),
            Some(Revision::new(3, arn("web:3")))
        );
        assert_eq!(Revision::from_arn("web:3"), Some(Revision::new(3, "web:3")));
        assert_eq!(Revision::from_arn(&arn("web")), None);
        let arns = [
            arn("web:10"),
            arn("web-worker:7"),
            arn("web:2"),
            arn("webserver:9"),
        ];
        let numbers: Vec<i64> = Revision::of_family("web", &arns)
            .map(|r| r.number)
            .collect();
        assert_eq!(numbers, [10, 2]);
    }
}
