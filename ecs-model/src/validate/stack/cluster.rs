//! A service against its cluster: a DAEMON service that the cluster's default capacity
//! provider strategy would put on Fargate, strategy providers the cluster does not have, and
//! Service Connect without a namespace.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::is_daemon;
use crate::validate::Rule;
use crate::validate::service::has_strategy;

use super::references::{cluster_name, referenced_cluster};
use super::{CREATE_SERVICE_DOC, Capacity, ServiceCx};

/// DAEMON services do not run on Fargate, including through the cluster's default strategy.
pub(crate) const DAEMON_FARGATE: Rule = Rule {
    code: "stack-daemon-fargate",
    severity: Severity::Error,
    summary: "A DAEMON service does not run on Fargate through its cluster's default capacity provider strategy.",
    doc: CREATE_SERVICE_DOC,
    cross_field: true,
};

/// A service's strategy uses the cluster's capacity providers.
pub(crate) const STRATEGY_NOT_ASSOCIATED: Rule = Rule {
    code: "stack-strategy-provider-not-associated",
    severity: Severity::Error,
    summary: "Every capacity provider of a service's strategy is associated with its cluster.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html",
    cross_field: true,
};

/// Service Connect needs a namespace.
pub(crate) const SERVICE_CONNECT_NAMESPACE: Rule = Rule {
    code: "stack-service-connect-namespace",
    severity: Severity::Warning,
    summary: "A service with Service Connect enabled names a namespace, or its cluster has a default one.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceConnectConfiguration.html",
    cross_field: true,
};

impl ServiceCx<'_> {
    pub(super) fn check_daemon(&self, out: &mut Vec<Diagnostic>) {
        // The service's own launch type and strategy are checked by `service-daemon-fargate`.
        let own = self.service.launch_type.is_some() || has_strategy(self.service);
        if is_daemon(self.service) && !own && self.capacity == Capacity::Fargate {
            out.push(
                DAEMON_FARGATE
                    .at(
                        self.at("schedulingStrategy"),
                        format!(
                            "the DAEMON service would run on Fargate through the default capacity provider strategy of cluster `{}`",
                            referenced_cluster(self.service)
                        ),
                    )
                    .with_hint("give the service launchType EC2 or an Auto Scaling group capacity provider strategy"),
            );
        }
    }

    pub(super) fn check_strategy_providers(&self, out: &mut Vec<Diagnostic>) {
        let Some(cluster) = self.cluster else { return };
        let associated = cluster.capacity_providers.as_deref().unwrap_or_default();
        for (j, item) in self
            .service
            .capacity_provider_strategy
            .iter()
            .flatten()
            .enumerate()
        {
            let Some(name) = item.capacity_provider.as_deref() else {
                continue;
            };
            if !associated.iter().any(|p| p == name) {
                out.push(
                    STRATEGY_NOT_ASSOCIATED
                        .at(
                            self.at("capacityProviderStrategy")
                                .index(j)
                                .key("capacityProvider"),
                            format!(
                                "`{name}` is not among the capacityProviders of cluster `{}`",
                                cluster_name(cluster)
                            ),
                        )
                        .with_hint(format!("add `{name}` to the cluster's capacityProviders")),
                );
            }
        }
    }

    pub(super) fn check_namespace(&self, out: &mut Vec<Diagnostic>) {
        let Some(connect) = &self.service.service_connect_configuration else {
            return;
        };
        let named = connect.namespace.as_deref().is_some_and(|n| !n.is_empty());
        let Some(cluster) = self
            .cluster
            .filter(|_| connect.enabled == Some(true) && !named)
        else {
            return;
        };
        let default = cluster
            .service_connect_defaults
            .as_ref()
            .and_then(|d| d.namespace.as_deref())
            .is_some_and(|n| !n.is_empty());
        if !default {
            out.push(
                SERVICE_CONNECT_NAMESPACE
                    .at(
                        self.at("serviceConnectConfiguration").key("namespace"),
                        format!(
                            "Service Connect is enabled without a namespace, and cluster `{}` has no default namespace",
                            cluster_name(cluster)
                        ),
                    )
                    .with_hint("set serviceConnectConfiguration.namespace, or the cluster's serviceConnectDefaults.namespace"),
            );
        }
    }
}
