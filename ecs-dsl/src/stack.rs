//! Stacks: the resources to deploy together, checked as a whole.

use ecs_model::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};
use ecs_model::{Diagnostic, Stack};

use crate::{Invalid, Resource};

/// An empty [`StackBuilder`].
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let stack = stack().cluster(cluster("demo")).build()?;
/// assert_eq!(stack.clusters.len(), 1);
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
pub fn stack() -> StackBuilder {
    StackBuilder::default()
}

/// Builds an [`ecs_model::Stack`]: clusters, capacity providers, task definitions and services,
/// each taken as a value or as its builder (unchecked: [`build`](Self::build) checks them all).
///
/// `build` runs every resource's check and the stack's cross-resource rules
/// ([`validate_stack`](ecs_model::validate_stack)): a service's cluster and task definition
/// family, its launch type against the task definition's compatibilities, duplicate names.
///
/// A stack written in Rust is the whole deployment, so a service naming a cluster or task
/// definition family (or a cluster naming a capacity provider) that the stack does not define is
/// an error here, where a stack file only gets a warning. When the name refers to something
/// that already exists in AWS, say so with
/// [`allow_external_references`](Self::allow_external_references). An ARN is always taken as
/// such a reference.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let builder = stack()
///     .cluster(cluster("demo"))
///     .service(replica_service("web", "demo", "webserver"));
/// let invalid = builder.clone().build().unwrap_err();
/// assert_eq!(invalid.errors().next().map(|d| d.path.to_string()), Some("services[0].taskDefinition".into()));
///
/// // `webserver` is registered in AWS already.
/// let stack = builder.allow_external_references().build()?;
/// assert_eq!(stack.services.len(), 1);
/// # Ok::<(), ecs_dsl::Invalid>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until it is built or converted"]
pub struct StackBuilder {
    stack: Stack,
    external_references: bool,
}

impl StackBuilder {
    /// Names the stack: the value of the ownership tag (`ecs-rs:stack`) on every resource it
    /// manages. `build` checks it with the rule `stack-name` (1 to 256 letters, digits, spaces
    /// and `_ . : / = + - @`). A deploy tool given a name of its own (`ecs-deploy --name`,
    /// `ecs_deploy::Options::new`) uses that one.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let shop = stack().name("shop").cluster(cluster("demo")).build()?;
    /// assert_eq!(shop.name.as_deref(), Some("shop"));
    /// let invalid = stack().name("shop,prod").cluster(cluster("demo")).build().unwrap_err();
    /// assert_eq!(invalid.codes(), ["stack-name"]);
    /// # Ok::<(), ecs_dsl::Invalid>(())
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.stack.name = Some(name.into());
        self
    }

    /// Adds a cluster (CreateCluster input).
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let stack = stack().cluster(cluster("demo")).cluster(cluster("batch")).build()?;
    /// assert_eq!(stack.clusters[1].cluster_name.as_deref(), Some("batch"));
    /// # Ok::<(), ecs_dsl::Invalid>(())
    /// ```
    pub fn cluster(mut self, cluster: impl Into<CreateClusterRequest>) -> Self {
        self.stack.clusters.push(cluster.into());
        self
    }

    /// Adds a capacity provider (CreateCapacityProvider input).
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let asg = "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:1:autoScalingGroupName/web";
    /// let stack = stack()
    ///     .capacity_provider(capacity_provider("web-asg").auto_scaling_group_provider(
    ///         AutoScalingGroupProvider::builder().auto_scaling_group_arn(asg),
    ///     ))
    ///     .cluster(cluster("demo").capacity_providers("web-asg"))
    ///     .build()?;
    /// assert_eq!(stack.capacity_providers[0].name.as_deref(), Some("web-asg"));
    /// # Ok::<(), ecs_dsl::Invalid>(())
    /// ```
    pub fn capacity_provider(mut self, provider: impl Into<CreateCapacityProviderRequest>) -> Self {
        self.stack.capacity_providers.push(provider.into());
        self
    }

    /// Adds a task definition (RegisterTaskDefinition input).
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let web = task_definition("web").container_definitions(container("web", "nginx").memory(512));
    /// let stack = stack().task_definition(web).build()?;
    /// assert_eq!(stack.task_definitions[0].family.as_deref(), Some("web"));
    /// # Ok::<(), ecs_dsl::Invalid>(())
    /// ```
    pub fn task_definition(
        mut self,
        task_definition: impl Into<RegisterTaskDefinitionRequest>,
    ) -> Self {
        self.stack.task_definitions.push(task_definition.into());
        self
    }

    /// Adds a service (CreateService input): a
    /// [`replica_service`](crate::replica_service) or [`daemon_service`](crate::daemon_service).
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let stack = stack()
    ///     .cluster(cluster("demo"))
    ///     .task_definition(task_definition("web").container_definitions(container("web", "nginx").memory(512)))
    ///     .service(replica_service("web", "demo", "web").desired_count(2))
    ///     .build()?;
    /// assert_eq!(stack.services[0].desired_count, Some(2));
    /// # Ok::<(), ecs_dsl::Invalid>(())
    /// ```
    pub fn service(mut self, service: impl Into<CreateServiceRequest>) -> Self {
        self.stack.services.push(service.into());
        self
    }

    /// Lets services and clusters name clusters, task definition families and capacity providers
    /// the stack does not define: they are taken to exist in AWS, and only warned about.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let builder = stack().service(replica_service("web", "prod", "webserver"));
    /// assert!(builder.clone().build().is_err());
    /// let external = builder.allow_external_references();
    /// assert!(external.check().iter().all(|d| d.severity == Severity::Warning));
    /// assert_eq!(external.build()?.services.len(), 1);
    /// # Ok::<(), ecs_dsl::Invalid>(())
    /// ```
    pub fn allow_external_references(mut self) -> Self {
        self.external_references = true;
        self
    }

    /// Every problem in the stack built so far, errors and warnings, with paths from the stack
    /// file's root (`services[0].taskDefinition`).
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let builder = stack().task_definition(task_definition("web"));
    /// let missing = &builder.check()[0];
    /// assert_eq!(missing.code, "missing-required-field");
    /// assert_eq!(missing.path.to_string(), "taskDefinitions[0].containerDefinitions");
    /// ```
    pub fn check(&self) -> Vec<Diagnostic> {
        let mut diagnostics = self.stack.check();
        if !self.external_references {
            ecs_model::validate::close_references(
                &self.stack,
                &mut diagnostics,
                "define it in this stack, or call `allow_external_references()` on the stack \
                 builder when it already exists in AWS",
            );
        }
        diagnostics
    }

    /// The stack, when [`check`](Self::check) finds no error; else every diagnostic.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let invalid = stack().cluster(cluster("demo")).cluster(cluster("demo")).build().unwrap_err();
    /// assert!(invalid.codes().contains(&"stack-duplicate-cluster"));
    /// assert!(stack().cluster(cluster("demo")).build().is_ok());
    /// ```
    pub fn build(self) -> Result<Stack, Invalid> {
        let diagnostics = self.check();
        if ecs_model::diagnostic::has_errors(&diagnostics) {
            Err(Invalid::new(self.stack.name(), diagnostics))
        } else {
            Ok(self.stack)
        }
    }
}

impl From<StackBuilder> for Stack {
    /// The stack built so far, unchecked.
    fn from(builder: StackBuilder) -> Self {
        builder.stack
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{cluster, replica_service, task_definition};
    use ecs_model::Severity;

    #[test]
    fn arn_references_stay_warnings() {
        let arn = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:3";
        let diagnostics = stack()
            .cluster(cluster("demo"))
            .service(replica_service("web", "demo", arn))
            .check();
        let reference = diagnostics
            .iter()
            .find(|d| d.code == "stack-unknown-task-definition")
            .expect("reported");
        assert_eq!(reference.severity, Severity::Warning);
    }

    #[test]
    fn unknown_clusters_are_errors_unless_external() {
        let builder = stack()
            .task_definition(task_definition("web"))
            .service(replica_service("web", "elsewhere", "web"));
        let cluster_error = |b: &StackBuilder| {
            b.check()
                .into_iter()
                .find(|d| d.code == "stack-unknown-cluster")
                .map(|d| (d.severity, d.path.to_string()))
        };
        assert_eq!(
            cluster_error(&builder),
            Some((Severity::Error, "services[0].cluster".to_owned()))
        );
        assert_eq!(
            cluster_error(&builder.allow_external_references()),
            Some((Severity::Warning, "services[0].cluster".to_owned()))
        );
    }
}
