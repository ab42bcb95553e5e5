//! The check every `build()` runs: the loader's and the rule set's diagnostics of a value.

use std::collections::HashSet;

use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};
use ecs_model::{Diagnostic, FromJson, JsonPath, Stack, validate};
use serde::Serialize;

use crate::Invalid;

mod sealed {
    use ecs_model::Diagnostic;

    /// Seals [`Resource`](super::Resource) and holds the rule set of each resource kind.
    pub trait Sealed {
        /// The rule set's diagnostics (`ecs_model::validate::*`), without the loader's.
        fn rules(&self) -> Vec<Diagnostic>;
        /// How error messages name the resource.
        fn describe(&self) -> String;
    }
}

/// Something the rule set checks as a whole: the four AWS inputs that create a resource, and
/// a [`Stack`] of them.
///
/// The trait is sealed; the macros of `ecs-dsl-macros` and every checked `build()` go through
/// [`checked`].
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let cluster: CreateClusterRequest = cluster("bad name!").into();
/// let diagnostics = cluster.check();
/// assert_eq!(diagnostics[0].code, "cluster-name");
/// assert_eq!(diagnostics[0].path.to_string(), "clusterName");
/// ```
pub trait Resource: sealed::Sealed + Serialize + FromJson {
    /// Every problem in the value, errors and warnings: what the loader reports when it reads
    /// the value's JSON (a missing required member, an enum value AWS does not know) and what
    /// the rule set of its kind reports (`ecs_model::validate::validate_task_definition` and
    /// the like; [`validate_stack`](ecs_model::validate_stack) for a stack). A problem both
    /// report at the same path is listed once.
    ///
    /// Paths start at the value's JSON root.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let td: RegisterTaskDefinitionRequest = task_definition("web").into();
    /// let missing = &td.check()[0];
    /// assert_eq!(missing.code, "missing-required-field");
    /// assert_eq!(missing.path.to_string(), "containerDefinitions");
    /// ```
    fn check(&self) -> Vec<Diagnostic> {
        let mut out = match serde_json::to_value(self) {
            Ok(json) => ecs_model::load::from_value::<Self>(&json).diagnostics,
            Err(err) => vec![Diagnostic::error(
                "json-serialize",
                JsonPath::root(),
                format!("the value cannot be written as JSON: {err}"),
            )],
        };
        out.extend(self.rules());
        let mut seen = HashSet::new();
        out.retain(|d| seen.insert((d.path.clone(), d.code.clone())));
        out
    }

    /// How error messages name the resource: "task definition `webserver`", "service `web`".
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let td: RegisterTaskDefinitionRequest = task_definition("webserver").into();
    /// assert_eq!(td.name(), "task definition `webserver`");
    /// ```
    fn name(&self) -> String {
        self.describe()
    }
}

/// `value` when the loader and the rule set find no error in it ([`Resource::check`]), else
/// every diagnostic found, warnings included.
///
/// Every checked `build()` of this crate ends here, and so do the expansions of the
/// `ecs-dsl-macros` macros for the values they cannot check at compile time.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let ok = checked(CreateClusterRequest::from(cluster("demo")));
/// assert!(ok.is_ok());
/// let bad = checked(CreateClusterRequest::from(cluster("")));
/// assert_eq!(bad.unwrap_err().codes(), ["cluster-name"]);
/// ```
pub fn checked<T: Resource>(value: T) -> Result<T, Invalid> {
    let diagnostics = value.check();
    if ecs_model::diagnostic::has_errors(&diagnostics) {
        Err(Invalid::new(value.describe(), diagnostics))
    } else {
        Ok(value)
    }
}

impl Resource for RegisterTaskDefinitionRequest {}
impl Resource for CreateServiceRequest {}
impl Resource for CreateClusterRequest {}
impl Resource for CreateCapacityProviderRequest {}
impl Resource for Stack {}

impl sealed::Sealed for RegisterTaskDefinitionRequest {
    fn rules(&self) -> Vec<Diagnostic> {
        validate::validate_task_definition(self)
    }

    fn describe(&self) -> String {
        named("task definition", self.family.as_deref())
    }
}

impl sealed::Sealed for CreateServiceRequest {
    fn rules(&self) -> Vec<Diagnostic> {
        validate::validate_service(self)
    }

    fn describe(&self) -> String {
        named("service", self.service_name.as_deref())
    }
}

impl sealed::Sealed for CreateClusterRequest {
    fn rules(&self) -> Vec<Diagnostic> {
        validate::validate_cluster(self)
    }

    fn describe(&self) -> String {
        // CreateCluster without a name creates the cluster `default`.
        named(
            "cluster",
            Some(self.cluster_name.as_deref().unwrap_or("default")),
        )
    }
}

impl sealed::Sealed for CreateCapacityProviderRequest {
    fn rules(&self) -> Vec<Diagnostic> {
        validate::validate_capacity_provider(self)
    }

    fn describe(&self) -> String {
        named("capacity provider", self.name.as_deref())
    }
}

impl sealed::Sealed for Stack {
    fn rules(&self) -> Vec<Diagnostic> {
        validate::validate_stack(self)
    }

    fn describe(&self) -> String {
        match self.name.as_deref() {
            Some(name) => format!("stack `{name}`"),
            None => "stack".to_owned(),
        }
    }
}

fn named(kind: &str, name: Option<&str>) -> String {
    match name {
        Some(name) => format!("{kind} `{name}`"),
        None => format!("{kind} without a name"),
    }
}
