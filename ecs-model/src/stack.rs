//! The stack file: AWS API inputs grouped by kind.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::load::{FromJson, Loader};
use crate::types::{
    CreateCapacityProviderRequest, CreateClusterRequest, CreateServiceRequest,
    RegisterTaskDefinitionRequest,
};

/// A stack: the clusters, capacity providers, task definitions and services to deploy together,
/// each written as the AWS API input that creates it.
///
/// ```json
/// {
///   "clusters": [ { "clusterName": "demo" } ],
///   "taskDefinitions": [ { "family": "web", "containerDefinitions": [ ... ] } ],
///   "services": [ { "serviceName": "web", "cluster": "demo", "taskDefinition": "web" } ]
/// }
/// ```
///
/// Services name their cluster by name and their task definition by family; anyone with an
/// existing `task-definition.json` can paste it in unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Stack {
    /// CreateCluster inputs.
    #[serde(rename = "clusters", skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<CreateClusterRequest>,
    /// CreateCapacityProvider inputs (Auto Scaling group or managed instances providers).
    #[serde(rename = "capacityProviders", skip_serializing_if = "Vec::is_empty")]
    pub capacity_providers: Vec<CreateCapacityProviderRequest>,
    /// RegisterTaskDefinition inputs.
    #[serde(rename = "taskDefinitions", skip_serializing_if = "Vec::is_empty")]
    pub task_definitions: Vec<RegisterTaskDefinitionRequest>,
    /// CreateService inputs.
    #[serde(rename = "services", skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<CreateServiceRequest>,
    /// Members of the stack file this version does not know, kept and written back.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Stack {
    /// The JSON member names of a stack file.
    pub const MEMBERS: &'static [&'static str] = &[
        "clusters",
        "capacityProviders",
        "taskDefinitions",
        "services",
    ];

    /// Whether the stack holds no resource.
    pub fn is_empty(&self) -> bool {
        self.clusters.is_empty()
            && self.capacity_providers.is_empty()
            && self.task_definitions.is_empty()
            && self.services.is_empty()
    }
}

impl FromJson for Stack {
    fn from_json<'v>(value: &'v Value, cx: &mut Loader<'v>) -> Option<Self> {
        let object = cx.object(value, "Stack")?;
        let mut out = Self::default();
        for (key, value) in object {
            match key.as_str() {
                "clusters" => cx.list(key, value, &mut out.clusters, &mut out.extra),
                "capacityProviders" => {
                    cx.list(key, value, &mut out.capacity_providers, &mut out.extra)
                }
                "taskDefinitions" => cx.list(key, value, &mut out.task_definitions, &mut out.extra),
                "services" => cx.list(key, value, &mut out.services, &mut out.extra),
                _ => cx.unknown_in(key, value, "the stack file", Self::MEMBERS, &mut out.extra),
            }
        }
        Some(out)
    }
}

impl<'de> serde::Deserialize<'de> for Stack {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::load::deserialize_lenient(deserializer)
    }
}
