//! The observed state: what AWS has now of the resources a plan is about, each rendered as the
//! API input that would create it, and the ARN helpers that key it.

use std::collections::{BTreeMap, BTreeSet};

use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};

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

    /// The revision an ARN (`arn:...:task-definition/web:3`) or `family:revision` names.
    pub fn from_arn(arn: &str) -> Option<Self> {
        let (_, number) = arn.rsplit_once(':')?;
        Some(Self::new(number.parse().ok()?, arn))
    }
}

/// A cluster's name, from its ARN (`arn:aws:ecs:...:cluster/NAME`) or from itself.
pub fn cluster_name(reference: &str) -> &str {
    reference
        .rsplit_once(":cluster/")
        .map_or(reference, |(_, name)| name)
}

/// `family:revision`, from an ARN or from itself.
pub(crate) fn family_revision(reference: &str) -> &str {
    reference
        .rsplit_once('/')
        .map_or(reference, |(_, tail)| tail)
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
