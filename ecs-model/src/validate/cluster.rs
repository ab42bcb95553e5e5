//! Rules for CreateClusterRequest.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::is_arn;
use crate::types::{ClusterSetting, ClusterSettingName, CreateClusterRequest};

use super::Rule;
use super::service::strategy;

const CREATE_CLUSTER_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCluster.html";

/// Cluster names.
pub(crate) const NAME: Rule = Rule {
    code: "cluster-name",
    severity: Severity::Error,
    summary: "A cluster name is 1 to 255 letters, digits, hyphens and underscores.",
    doc: CREATE_CLUSTER_DOC,
    cross_field: false,
};

/// Cluster settings.
pub(crate) const SETTING: Rule = Rule {
    code: "cluster-setting",
    severity: Severity::Error,
    summary: "A cluster setting is `containerInsights` with the value `enhanced`, `enabled` or `disabled`.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterSetting.html",
    cross_field: false,
};

/// At most 20 capacity providers per cluster.
pub(crate) const CAPACITY_PROVIDER_LIMIT: Rule = Rule {
    code: "cluster-capacity-provider-limit",
    severity: Severity::Error,
    summary: "A cluster has at most 20 capacity providers.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html",
    cross_field: false,
};

/// The default strategy uses associated providers.
pub(crate) const STRATEGY_NOT_ASSOCIATED: Rule = Rule {
    code: "cluster-strategy-provider-not-associated",
    severity: Severity::Error,
    summary: "Every capacity provider of the default strategy is listed in the cluster's `capacityProviders`.",
    doc: CREATE_CLUSTER_DOC,
    cross_field: true,
};

/// Service Connect default namespace names.
pub(crate) const SERVICE_CONNECT_NAMESPACE: Rule = Rule {
    code: "cluster-service-connect-namespace",
    severity: Severity::Error,
    summary: "A default Service Connect namespace name is up to 1024 characters, without `<`, `>`, `\"` or `/`.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ClusterServiceConnectDefaultsRequest.html",
    cross_field: false,
};

/// Every rule of this module.
pub(crate) const RULES: &[&Rule] = &[
    &NAME,
    &SETTING,
    &CAPACITY_PROVIDER_LIMIT,
    &STRATEGY_NOT_ASSOCIATED,
    &SERVICE_CONNECT_NAMESPACE,
];

/// The values AWS takes for `containerInsights`.
const CONTAINER_INSIGHTS_VALUES: &[&str] = &["enhanced", "enabled", "disabled"];

/// Checks one CreateCluster request, with paths from its root.
pub(crate) fn check(cluster: &CreateClusterRequest, out: &mut Vec<Diagnostic>) {
    if let Some(name) = &cluster.cluster_name {
        super::common::check_name(
            &NAME,
            "cluster name",
            name,
            JsonPath::root().key("clusterName"),
            out,
        );
    }
    for (i, setting) in cluster.settings.iter().flatten().enumerate() {
        check_setting(setting, &JsonPath::root().key("settings").index(i), out);
    }
    check_capacity_providers(cluster, out);
    if let Some(namespace) = cluster
        .service_connect_defaults
        .as_ref()
        .and_then(|d| d.namespace.as_deref())
    {
        check_namespace(namespace, out);
    }
    super::common::check_tags(cluster.tags.as_deref(), &JsonPath::root().key("tags"), out);
}

fn check_setting(setting: &ClusterSetting, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    match &setting.name {
        None => out.push(
            SETTING
                .at(at.clone().key("name"), "the cluster setting has no name")
                .with_hint("set name to containerInsights"),
        ),
        // Unknown names are reported by the loader (`unknown-enum-value`).
        Some(ClusterSettingName::ContainerInsights) => {
            let value = setting.value.as_deref().unwrap_or_default();
            if !CONTAINER_INSIGHTS_VALUES.contains(&value) {
                out.push(
                    SETTING
                        .at(
                            at.clone().key("value"),
                            format!("containerInsights is `{value}`"),
                        )
                        .with_hint("use enhanced, enabled or disabled"),
                );
            }
        }
        Some(_) => {}
    }
}

fn check_capacity_providers(cluster: &CreateClusterRequest, out: &mut Vec<Diagnostic>) {
    let providers = cluster.capacity_providers.as_deref().unwrap_or_default();
    if providers.len() > 20 {
        out.push(
            CAPACITY_PROVIDER_LIMIT
                .at(
                    JsonPath::root().key("capacityProviders"),
                    format!(
                        "{} capacity providers; a cluster has at most 20",
                        providers.len()
                    ),
                )
                .with_hint("split the capacity providers across clusters"),
        );
    }
    let Some(items) = &cluster.default_capacity_provider_strategy else {
        return;
    };
    let path = JsonPath::root().key("defaultCapacityProviderStrategy");
    strategy::check_strategy(items, &path, out);
    for (i, item) in items.iter().enumerate() {
        let Some(name) = item.capacity_provider.as_deref() else {
            continue;
        };
        if !providers.iter().any(|p| p == name) {
            out.push(
                STRATEGY_NOT_ASSOCIATED
                    .at(
                        path.clone().index(i).key("capacityProvider"),
                        format!("`{name}` is not in the cluster's capacityProviders"),
                    )
                    .with_hint(format!("add `{name}` to capacityProviders")),
            );
        }
    }
}

fn check_namespace(namespace: &str, out: &mut Vec<Diagnostic>) {
    // An ARN names an existing namespace and has slashes of its own.
    if is_arn(namespace) {
        return;
    }
    let len = namespace.chars().count();
    let bad = namespace
        .chars()
        .find(|c| matches!(c, '<' | '>' | '"' | '/'));
    let problem = match bad {
        Some(c) => format!("contains `{c}`"),
        None if len > 1024 => format!("is {len} characters long; the limit is 1024"),
        None => return,
    };
    out.push(
        SERVICE_CONNECT_NAMESPACE
            .at(
                JsonPath::root().key("serviceConnectDefaults").key("namespace"),
                format!("the namespace name {problem}"),
            )
            .with_hint("use a Cloud Map namespace name of up to 1024 characters without < > \" /, or its ARN"),
    );
}
