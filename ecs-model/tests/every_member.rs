//! Documents with every member of the request and output shapes filled, built from the AWS
//! model itself (not from the generated code), load with no `unknown-field` diagnostic and write
//! back unchanged.

use std::collections::BTreeSet;
use std::path::PathBuf;

use ecs_model::Shape;
use ecs_model::document::{Kind, parse};
use ecs_model::load::from_value;
use ecs_model::types::{
    CapacityProvider, Cluster, CreateCapacityProviderResponse, CreateClusterResponse,
    CreateServiceResponse, DescribeCapacityProvidersResponse, DescribeClustersResponse,
    DescribeServicesResponse, DescribeTaskDefinitionResponse, PutClusterCapacityProvidersResponse,
    RegisterTaskDefinitionResponse, Service, TaskDefinition, UpdateCapacityProviderResponse,
    UpdateClusterResponse, UpdateServiceResponse,
};
use serde_json::{Map, Value, json};

struct Model {
    shapes: Map<String, Value>,
    /// What every `timestamp` member gets.
    timestamp: Value,
}

impl Model {
    fn load() -> Self {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("aws-model/ecs-2014-11-13.json");
        let model: Value =
            serde_json::from_str(&std::fs::read_to_string(path).expect("model")).expect("json");
        Self {
            shapes: model["shapes"].as_object().expect("shapes").clone(),
            timestamp: json!(1_700_000_000.5),
        }
    }

    /// Timestamps as whole epoch seconds, as describe calls often print them: they must come
    /// back as `1700000000`, not `1700000000.0`.
    fn with_integer_timestamps(mut self) -> Self {
        self.timestamp = json!(1_700_000_000);
        self
    }

    /// A value for `shape` with every member present; `stack` stops recursion.
    fn fill(&self, shape: &str, stack: &mut Vec<String>, members: &mut BTreeSet<String>) -> Value {
        let s = &self.shapes[shape];
        match s["type"].as_str().expect("type") {
            "string" => match s.get("enum").and_then(Value::as_array) {
                Some(values) => values[0].clone(),
                None => json!("x"),
            },
            "integer" | "long" => json!(1),
            "boolean" => json!(true),
            "double" | "float" => json!(1.5),
            "timestamp" => self.timestamp.clone(),
            "list" => {
                let member = s["member"]["shape"].as_str().expect("member");
                json!([self.fill(member, stack, members)])
            }
            "map" => {
                let value = s["value"]["shape"].as_str().expect("value");
                json!({"key": self.fill(value, stack, members)})
            }
            "structure" => {
                if stack.iter().any(|seen| seen == shape) {
                    return json!({});
                }
                stack.push(shape.to_owned());
                let mut out = Map::new();
                for (name, member) in s["members"].as_object().expect("members") {
                    let target = member["shape"].as_str().expect("shape");
                    members.insert(format!("{shape}.{name}"));
                    out.insert(name.clone(), self.fill(target, stack, members));
                }
                stack.pop();
                Value::Object(out)
            }
            other => panic!("unexpected shape type {other}"),
        }
    }
}

fn check(request: &str, kind: Kind, expected_members: usize) {
    let model = Model::load();
    let mut members = BTreeSet::new();
    let document = model.fill(request, &mut Vec::new(), &mut members);
    // The count of distinct members reachable from the request, as the issue states it.
    assert_eq!(members.len(), expected_members, "{request}: members filled");

    let loaded = parse(&document.to_string(), Some(kind));
    let unknown: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| {
            d.code == "unknown-field" || d.code == "type-mismatch" || d.code == "type-coerced"
        })
        .map(ToString::to_string)
        .collect();
    assert!(unknown.is_empty(), "{request}: {unknown:#?}");
    let rendered = loaded.value.expect("loads").render();
    assert_eq!(rendered, document, "{request}: written back unchanged");
}

#[test]
fn register_task_definition_request_has_every_member() {
    check("RegisterTaskDefinitionRequest", Kind::TaskDefinition, 165);
}

#[test]
fn create_service_request_has_every_member() {
    check("CreateServiceRequest", Kind::Service, 164);
}

#[test]
fn create_cluster_request_has_every_member() {
    check("CreateClusterRequest", Kind::Cluster, 27);
}

#[test]
fn create_capacity_provider_request_has_every_member() {
    check("CreateCapacityProviderRequest", Kind::CapacityProvider, 82);
}

/// Fills the output shape `T` models, loads it with the lenient loader and writes it back.
fn check_output<T>()
where
    T: Shape + PartialEq + std::fmt::Debug + serde::de::DeserializeOwned,
{
    let model = Model::load().with_integer_timestamps();
    let mut members = BTreeSet::new();
    let document = model.fill(T::SHAPE, &mut Vec::new(), &mut members);
    assert!(members.len() >= T::MEMBERS.len(), "{}", T::SHAPE);

    let loaded = from_value::<T>(&document);
    let found: Vec<String> = loaded.diagnostics.iter().map(ToString::to_string).collect();
    assert!(found.is_empty(), "{}: {found:#?}", T::SHAPE);
    let typed = loaded.value.expect("loads");
    assert!(
        typed.extra().is_empty(),
        "{}: {:?}",
        T::SHAPE,
        typed.extra()
    );
    // `Value` equality tells an integer from a float: `1700000000` written back as
    // `1700000000.0` fails here.
    assert_eq!(
        serde_json::to_value(&typed).expect("serialize"),
        document,
        "{}: written back unchanged",
        T::SHAPE
    );
    // serde's `Deserialize` reads the same value.
    let again: T = serde_json::from_value(document).expect("deserialize");
    assert_eq!(again, typed, "{}", T::SHAPE);
}

#[test]
fn output_shapes_have_every_member_and_keep_integer_timestamps() {
    check_output::<TaskDefinition>();
    check_output::<Service>();
    check_output::<Cluster>();
    check_output::<CapacityProvider>();
    check_output::<RegisterTaskDefinitionResponse>();
    check_output::<DescribeTaskDefinitionResponse>();
    check_output::<CreateServiceResponse>();
    check_output::<UpdateServiceResponse>();
    check_output::<DescribeServicesResponse>();
    check_output::<CreateClusterResponse>();
    check_output::<UpdateClusterResponse>();
    check_output::<DescribeClustersResponse>();
    check_output::<PutClusterCapacityProvidersResponse>();
    check_output::<CreateCapacityProviderResponse>();
    check_output::<UpdateCapacityProviderResponse>();
    check_output::<DescribeCapacityProvidersResponse>();
}
