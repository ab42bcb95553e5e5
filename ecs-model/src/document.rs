//! Whole documents: what a JSON file holds, in which form, and its canonical API input.
//!
//! A file may hold a resource in its *input* form (the RegisterTaskDefinition, CreateService,
//! CreateCluster or CreateCapacityProvider request), in its *output* form (what the describe
//! calls return, bare or wrapped as `{"taskDefinition": ..., "tags": [...]}`, `{"service": ...}`,
//! `{"services": [...], "failures": []}`), or a [`Stack`] of inputs. [`parse`] tells which from
//! the content (or takes the kind it is given) and loads it; [`Document::inputs`] turns any of
//! them into API inputs, dropping output-only members, and [`Document::render`] writes the
//! canonical JSON that `ecs-deploy render` prints.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use crate::diagnostic::{Diagnostic, JsonPath, Location, Severity};
use crate::facts::is_daemon;
use crate::load::{self, FromJson, Loaded, Loader, from_value};
use crate::shape::Shape;
use crate::stack::Stack;
use crate::types::{
    CapacityProvider, Cluster, CreateCapacityProviderRequest, CreateClusterRequest,
    CreateServiceRequest, DescribeCapacityProvidersResponse, DescribeClustersResponse,
    DescribeServicesResponse, RegisterTaskDefinitionRequest, Service, Tag, TaskDefinition,
};

/// Stable codes of the diagnostics about whole documents.
pub mod codes {
    /// The document is not of the kind it was said to be.
    pub const KIND_MISMATCH: &str = "kind-mismatch";
    /// A describe output lists a resource AWS could not describe (`failures`).
    pub const DESCRIBE_FAILURE: &str = "describe-failure";
    /// A string still holds a template placeholder (`{{ ... }}`, `${...}`).
    pub const TEMPLATE_PLACEHOLDER: &str = "template-placeholder";
}

/// The kinds of document `validate` and `render` take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A task definition (RegisterTaskDefinition input or DescribeTaskDefinition output).
    TaskDefinition,
    /// A service (CreateService input or DescribeServices output).
    Service,
    /// A cluster (CreateCluster input or DescribeClusters output).
    Cluster,
    /// A capacity provider (CreateCapacityProvider input or DescribeCapacityProviders output).
    CapacityProvider,
    /// A stack file.
    Stack,
}

impl Kind {
    /// Every kind, in the order the CLI lists them.
    pub const ALL: &'static [Kind] = &[
        Kind::TaskDefinition,
        Kind::Service,
        Kind::Cluster,
        Kind::CapacityProvider,
        Kind::Stack,
    ];

    /// The kind's name on the command line: `task-definition`, `service`, ...
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::TaskDefinition => "task-definition",
            Kind::Service => "service",
            Kind::Cluster => "cluster",
            Kind::CapacityProvider => "capacity-provider",
            Kind::Stack => "stack",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `--kind` name that is not a [`Kind`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown kind `{0}`; expected task-definition, service, cluster, capacity-provider or stack"
)]
#[non_exhaustive]
pub struct ParseKindError(pub String);

impl FromStr for Kind {
    type Err = ParseKindError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .iter()
            .copied()
            .find(|kind| kind.as_str() == text)
            .ok_or_else(|| ParseKindError(text.to_owned()))
    }
}

/// One resource as its API input.
///
/// A stack holds tens of these, not millions; boxing the large task definition would only
/// add noise to every `match`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)]
pub enum Input {
    /// A RegisterTaskDefinition request.
    TaskDefinition(RegisterTaskDefinitionRequest),
    /// A CreateService request.
    Service(CreateServiceRequest),
    /// A CreateCluster request.
    Cluster(CreateClusterRequest),
    /// A CreateCapacityProvider request.
    CapacityProvider(CreateCapacityProviderRequest),
}

/// What a loaded file holds.
///
/// One document is loaded per file, so its size does not matter; boxing the large variants
/// would only add noise to every `match`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(clippy::large_enum_variant)]
pub enum Document {
    /// RegisterTaskDefinition input.
    TaskDefinitionInput(RegisterTaskDefinitionRequest),
    /// A task definition as DescribeTaskDefinition returns it, bare or wrapped with its tags.
    #[non_exhaustive]
    TaskDefinitionOutput {
        /// The task definition.
        task_definition: TaskDefinition,
        /// The wrapper's `tags`, when the file was wrapped.
        tags: Option<Vec<Tag>>,
        /// Whether the file was wrapped as `{"taskDefinition": ...}`.
        wrapped: bool,
        /// The wrapper's `tags` when they could not be typed, kept for the request.
        raw_tags: Option<Value>,
    },
    /// CreateService input.
    ServiceInput(CreateServiceRequest),
    /// A service as describe returns it, bare or wrapped as `{"service": ...}`.
    #[non_exhaustive]
    ServiceOutput {
        /// The service.
        service: Service,
        /// Whether the file was wrapped as `{"service": ...}`.
        wrapped: bool,
    },
    /// DescribeServices output.
    DescribeServices(DescribeServicesResponse),
    /// CreateCluster input.
    ClusterInput(CreateClusterRequest),
    /// A cluster as describe returns it, bare or wrapped as `{"cluster": ...}`.
    #[non_exhaustive]
    ClusterOutput {
        /// The cluster.
        cluster: Cluster,
        /// Whether the file was wrapped as `{"cluster": ...}`.
        wrapped: bool,
    },
    /// DescribeClusters output.
    DescribeClusters(DescribeClustersResponse),
    /// CreateCapacityProvider input.
    CapacityProviderInput(CreateCapacityProviderRequest),
    /// A capacity provider as describe returns it, bare or wrapped.
    #[non_exhaustive]
    CapacityProviderOutput {
        /// The capacity provider.
        capacity_provider: CapacityProvider,
        /// Whether the file was wrapped as `{"capacityProvider": ...}`.
        wrapped: bool,
    },
    /// DescribeCapacityProviders output.
    DescribeCapacityProviders(DescribeCapacityProvidersResponse),
    /// A stack file.
    Stack(Stack),
}

impl Document {
    /// The document's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Document::TaskDefinitionInput(_) | Document::TaskDefinitionOutput { .. } => {
                Kind::TaskDefinition
            }
            Document::ServiceInput(_)
            | Document::ServiceOutput { .. }
            | Document::DescribeServices(_) => Kind::Service,
            Document::ClusterInput(_)
            | Document::ClusterOutput { .. }
            | Document::DescribeClusters(_) => Kind::Cluster,
            Document::CapacityProviderInput(_)
            | Document::CapacityProviderOutput { .. }
            | Document::DescribeCapacityProviders(_) => Kind::CapacityProvider,
            Document::Stack(_) => Kind::Stack,
        }
    }

    /// Every resource of the document as its API input, with its path in the document.
    ///
    /// Output forms lose their output-only members (ARNs, revision, status, counts,
    /// deployments, events, timestamps); `clusterArn` and `roleArn` of a described service
    /// become CreateService's `cluster` and `role`, a DAEMON service's `desiredCount` (which AWS
    /// sets) is dropped, the Service Connect, volume and VPC Lattice configurations of a
    /// described service come from its PRIMARY deployment (the only place DescribeServices
    /// reports them), and a wrapped task definition's `tags` become RegisterTaskDefinition's
    /// `tags`. Unknown members are kept.
    pub fn inputs(&self) -> Vec<(JsonPath, Input)> {
        let root = JsonPath::root();
        match self {
            Document::TaskDefinitionInput(td) => vec![(root, Input::TaskDefinition(td.clone()))],
            Document::TaskDefinitionOutput {
                task_definition,
                tags,
                wrapped,
                raw_tags,
            } => {
                let mut input: RegisterTaskDefinitionRequest = to_input(task_definition, &[]);
                if let Some(tags) = tags.as_ref().filter(|t| !t.is_empty()) {
                    input.tags = Some(tags.clone());
                }
                if let Some(raw) = raw_tags {
                    // Tags that could not be typed stay verbatim in the request.
                    input.extra.insert("tags".to_owned(), raw.clone());
                }
                let path = if *wrapped {
                    root.key("taskDefinition")
                } else {
                    root
                };
                vec![(path, Input::TaskDefinition(input))]
            }
            Document::ServiceInput(s) => vec![(root, Input::Service(s.clone()))],
            Document::ServiceOutput { service, wrapped } => {
                let path = if *wrapped { root.key("service") } else { root };
                vec![(path, Input::Service(service_input(service)))]
            }
            Document::DescribeServices(out) => listed("services", out.services.as_deref(), |s| {
                Input::Service(service_input(s))
            }),
            Document::ClusterInput(c) => vec![(root, Input::Cluster(c.clone()))],
            Document::ClusterOutput { cluster, wrapped } => {
                let path = if *wrapped { root.key("cluster") } else { root };
                vec![(path, Input::Cluster(to_input(cluster, &[])))]
            }
            Document::DescribeClusters(out) => listed("clusters", out.clusters.as_deref(), |c| {
                Input::Cluster(to_input(c, &[]))
            }),
            Document::CapacityProviderInput(c) => vec![(root, Input::CapacityProvider(c.clone()))],
            Document::CapacityProviderOutput {
                capacity_provider,
                wrapped,
            } => {
                let path = if *wrapped {
                    root.key("capacityProvider")
                } else {
                    root
                };
                vec![(
                    path,
                    Input::CapacityProvider(to_input(capacity_provider, &[])),
                )]
            }
            Document::DescribeCapacityProviders(out) => listed(
                "capacityProviders",
                out.capacity_providers.as_deref(),
                |c| Input::CapacityProvider(to_input(c, &[])),
            ),
            Document::Stack(stack) => stack_inputs(stack),
        }
    }

    /// The document as a stack of API inputs.
    pub fn to_stack(&self) -> Stack {
        match self {
            Document::Stack(stack) => stack.clone(),
            other => {
                let mut stack = Stack::default();
                for (_, input) in other.inputs() {
                    match input {
                        Input::TaskDefinition(td) => stack.task_definitions.push(td),
                        Input::Service(s) => stack.services.push(s),
                        Input::Cluster(c) => stack.clusters.push(c),
                        Input::CapacityProvider(c) => stack.capacity_providers.push(c),
                    }
                }
                stack
            }
        }
    }

    /// The canonical API input as JSON: the one request when the document holds one resource,
    /// otherwise a stack file.
    pub fn render(&self) -> Value {
        let inputs = self.inputs();
        if !matches!(self, Document::Stack(_))
            && inputs.len() == 1
            && let Some((_, input)) = inputs.first()
        {
            return input.to_json();
        }
        to_json(&self.to_stack())
    }
}

impl Input {
    /// The request as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Input::TaskDefinition(v) => to_json(v),
            Input::Service(v) => to_json(v),
            Input::Cluster(v) => to_json(v),
            Input::CapacityProvider(v) => to_json(v),
        }
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Value {
    // Serializing our own types into a Value cannot fail: every map key is a string.
    serde_json::to_value(value).unwrap_or(Value::Null)
}

pub(crate) fn stack_inputs(stack: &Stack) -> Vec<(JsonPath, Input)> {
    let root = JsonPath::root();
    let mut out = Vec::new();
    for (i, c) in stack.clusters.iter().enumerate() {
        out.push((
            root.clone().key("clusters").index(i),
            Input::Cluster(c.clone()),
        ));
    }
    for (i, c) in stack.capacity_providers.iter().enumerate() {
        out.push((
            root.clone().key("capacityProviders").index(i),
            Input::CapacityProvider(c.clone()),
        ));
    }
    for (i, td) in stack.task_definitions.iter().enumerate() {
        out.push((
            root.clone().key("taskDefinitions").index(i),
            Input::TaskDefinition(td.clone()),
        ));
    }
    for (i, s) in stack.services.iter().enumerate() {
        out.push((
            root.clone().key("services").index(i),
            Input::Service(s.clone()),
        ));
    }
    out
}

/// The inputs of a describe output's list `key`, each at `key[i]`.
fn listed<T>(
    key: &str,
    items: Option<&[T]>,
    convert: impl Fn(&T) -> Input,
) -> Vec<(JsonPath, Input)> {
    items
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, item)| (JsonPath::root().key(key).index(i), convert(item)))
        .collect()
}

fn service_input(service: &Service) -> CreateServiceRequest {
    let mut input: CreateServiceRequest =
        to_input(service, &[("clusterArn", "cluster"), ("roleArn", "role")]);
    // DescribeServices reports the count AWS keeps for a DAEMON service (one task per
    // instance), but CreateService takes no desiredCount for DAEMON: it is output there.
    if is_daemon(&input) {
        input.desired_count = None;
    }
    // DescribeServices keeps these request members only on the deployments; the PRIMARY
    // deployment holds what the service was last created or updated with.
    if let Some(primary) = service
        .deployments
        .iter()
        .flatten()
        .find(|d| d.status.as_deref() == Some("PRIMARY"))
    {
        if input.service_connect_configuration.is_none() {
            input
                .service_connect_configuration
                .clone_from(&primary.service_connect_configuration);
        }
        if input.volume_configurations.is_none() {
            input
                .volume_configurations
                .clone_from(&primary.volume_configurations);
        }
        if input.vpc_lattice_configurations.is_none() {
            input
                .vpc_lattice_configurations
                .clone_from(&primary.vpc_lattice_configurations);
        }
    }
    input
}

/// Converts a describe output shape into the matching request: members the request has are
/// kept (after `renames`), members only the output has are dropped, unknown members are kept.
fn to_input<O: Shape, I: Shape>(output: &O, renames: &[(&str, &str)]) -> I {
    let Value::Object(object) = to_json(output) else {
        return I::default();
    };
    let mut input = Map::new();
    for (key, value) in object {
        let key = renames
            .iter()
            .find(|(from, _)| *from == key)
            .map_or(key, |(_, to)| (*to).to_owned());
        let in_request = I::MEMBERS.contains(&key.as_str());
        let output_only = O::MEMBERS.contains(&key.as_str());
        if in_request || !output_only {
            input.insert(key, value);
        }
    }
    // The members were typed once already; loading them again reports nothing new.
    from_value::<I>(&Value::Object(input))
        .value
        .unwrap_or_default()
}

/// Parses and loads a document, telling its kind from the content unless `kind` is given.
///
/// JSON syntax errors come back as a `json-syntax` diagnostic with a line and column and no
/// value. Loading problems come back as diagnostics beside the typed value.
///
/// ```
/// use ecs_model::document::{parse, Document};
/// let loaded = parse(r#"{"family": "web", "containerDefinitions": [{"name": "web", "image": "nginx"}]}"#, None);
/// assert!(matches!(loaded.value, Some(Document::TaskDefinitionInput(_))));
/// assert!(loaded.diagnostics.is_empty());
/// ```
pub fn parse(text: &str, kind: Option<Kind>) -> Loaded<Document> {
    match parse_value(text) {
        Ok((value, duplicates)) => load_with(&value, kind, duplicates),
        Err(syntax) => Loaded {
            value: None,
            diagnostics: vec![*syntax],
        },
    }
}

/// The JSON value of `text` and its `duplicate-key` diagnostics, or its `json-syntax`
/// diagnostic.
pub(crate) fn parse_value(text: &str) -> Result<(Value, Vec<Diagnostic>), Box<Diagnostic>> {
    // Editors on Windows often save a byte order mark, which JSON parsers reject; it carries
    // no content, so it is skipped (columns on the first line then count from after it).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    load::parse_json(text).map_err(|error| Box::new(syntax_diagnostic(&error)))
}

/// [`load`], with the diagnostics of the text (`duplicate-key`) first.
pub(crate) fn load_with(
    value: &Value,
    kind: Option<Kind>,
    duplicates: Vec<Diagnostic>,
) -> Loaded<Document> {
    let mut loaded = load(value, kind);
    if !duplicates.is_empty() {
        loaded.diagnostics.splice(0..0, duplicates);
    }
    loaded
}

/// Parses, loads and validates a document: the loader's diagnostics, then the rule set's.
///
/// This is what `ecs-deploy validate` reports. A rule is not run twice over a value the loader
/// could not type: rule diagnostics at a `type-mismatch` path, below it, or on the object that
/// holds it are left out, since the value the rule would judge is not the one written.
///
/// ```
/// use ecs_model::document::check;
/// let checked = check(r#"{"family": "web", "containerDefinitions": [
///     {"name": "web", "image": "nginx", "memory": 64, "portMappings": [{"containerPort": 80.5}]}]}"#, None);
/// let codes: Vec<_> = checked.diagnostics.iter().map(|d| d.code.as_str()).collect();
/// assert_eq!(codes, ["type-mismatch"]);
/// ```
pub fn check(text: &str, kind: Option<Kind>) -> Loaded<Document> {
    let mut loaded = parse(text, kind);
    judge(&mut loaded);
    loaded
}

/// Adds the rule set's diagnostics about the loaded document, as [`check`] does.
pub(crate) fn judge(loaded: &mut Loaded<Document>) {
    if let Some(document) = &loaded.value {
        let mistyped: Vec<JsonPath> = loaded
            .diagnostics
            .iter()
            .filter(|d| d.code == load::codes::TYPE_MISMATCH)
            .map(|d| d.path.clone())
            .collect();
        let judged = crate::validate::validate_document(document)
            .into_iter()
            .filter(|d| !mistyped.iter().any(|bad| overlaps(&d.path, bad)));
        loaded.diagnostics.extend(judged);
    }
}

/// Whether a rule's `path` is the mistyped value, lies inside it, or is its parent object.
fn overlaps(path: &JsonPath, mistyped: &JsonPath) -> bool {
    let (p, m) = (path.segments(), mistyped.segments());
    p.starts_with(m) || (m.len() == p.len() + 1 && m.starts_with(p))
}

fn syntax_diagnostic(error: &serde_json::Error) -> Diagnostic {
    let message = error.to_string();
    // serde_json appends " at line L column C"; the location is reported separately.
    let message = match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_owned(),
        None => message,
    };
    let mut diagnostic = Diagnostic::error(
        load::codes::JSON_SYNTAX,
        JsonPath::root(),
        format!("the file is not valid JSON: {message}"),
    )
    .with_hint(syntax_hint(&message));
    // serde_json says column 0 when the error is at the very start of a line (the text ends
    // there); columns count from 1.
    diagnostic.location = Some(Location {
        line: error.line(),
        column: error.column().max(1),
    });
    diagnostic
}

fn syntax_hint(message: &str) -> &'static str {
    if message.contains("trailing comma") {
        "remove the comma after the last element"
    } else if message.contains("expected value") {
        "a value is missing or is not JSON (strings need double quotes; no `...` or placeholders)"
    } else if message.contains("key must be a string") {
        "object keys need double quotes; remove `...` elisions"
    } else if message.contains("EOF") {
        "the file ends early: close every `{` and `[`"
    } else {
        "fix the JSON syntax at this position"
    }
}

/// Loads a parsed JSON value as a document.
pub fn load(value: &Value, kind: Option<Kind>) -> Loaded<Document> {
    let Some(object) = value.as_object() else {
        return Loaded {
            value: None,
            diagnostics: vec![
                Diagnostic::error(
                    load::codes::UNKNOWN_DOCUMENT_KIND,
                    JsonPath::root(),
                    "the document is not a JSON object",
                )
                .with_hint(
                    "a task definition, service, cluster, capacity provider or stack file is \
                     one JSON object",
                ),
            ],
        };
    };
    let detected = detect(object, None);
    if let (Some(wanted), Some(found)) = (kind, detected)
        && found.kind() != wanted
    {
        return Loaded {
            value: None,
            diagnostics: vec![kind_mismatch(wanted, Some(found.kind()))],
        };
    }
    let shape = match kind {
        Some(wanted) if detected.is_none() => match detect(object, Some(wanted)) {
            Some(shape) if wanted == Kind::Stack || score_for(object, wanted) > 0 => shape,
            _ => {
                return Loaded {
                    value: None,
                    diagnostics: vec![kind_mismatch(wanted, None)],
                };
            }
        },
        _ => match detected {
            Some(shape) => shape,
            None => {
                return Loaded {
                    value: None,
                    diagnostics: vec![
                        Diagnostic::error(
                            load::codes::UNKNOWN_DOCUMENT_KIND,
                            JsonPath::root(),
                            "cannot tell what kind of document this is",
                        )
                        .with_hint(
                            "name the kind (task-definition, service, cluster, \
                             capacity-provider or stack), for example with the CLI's --kind",
                        ),
                    ],
                };
            }
        },
    };
    let mut cx = Loader::new();
    let mut document = shape.load(value, &mut cx);
    let mut diagnostics = cx.into_diagnostics();
    if let Some(document) = &mut document {
        settle(document, &mut diagnostics);
    }
    Loaded {
        value: document,
        diagnostics,
    }
}

fn kind_mismatch(wanted: Kind, found: Option<Kind>) -> Diagnostic {
    let message = match found {
        Some(found) => format!("the document is a {found}, not a {wanted}"),
        None => format!("the document has no member of a {wanted}"),
    };
    Diagnostic::error(codes::KIND_MISMATCH, JsonPath::root(), message)
        .with_hint("check the file, or leave the kind out to have it told from the content")
}

/// The concrete JSON shape a document was recognised as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DetectedShape {
    TaskDefinitionInput,
    TaskDefinitionOutput { wrapped: bool },
    ServiceInput,
    ServiceOutput { wrapped: bool },
    DescribeServices,
    ClusterInput,
    ClusterOutput { wrapped: bool },
    DescribeClusters,
    CapacityProviderInput,
    CapacityProviderOutput { wrapped: bool },
    DescribeCapacityProviders,
    Stack,
}

fn non_null<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    object.get(key).filter(|v| !v.is_null())
}

fn score(object: &Map<String, Value>, members: &[&[&str]]) -> usize {
    object
        .keys()
        .filter(|k| members.iter().any(|m| m.contains(&k.as_str())))
        .count()
}

/// How many top-level keys are members of the kind's request or describe shape.
fn score_for(object: &Map<String, Value>, kind: Kind) -> usize {
    match kind {
        Kind::TaskDefinition => score(
            object,
            &[
                RegisterTaskDefinitionRequest::MEMBERS,
                TaskDefinition::MEMBERS,
            ],
        ),
        Kind::Service => score(object, &[CreateServiceRequest::MEMBERS, Service::MEMBERS]),
        Kind::Cluster => score(object, &[CreateClusterRequest::MEMBERS, Cluster::MEMBERS]),
        Kind::CapacityProvider => score(
            object,
            &[
                CreateCapacityProviderRequest::MEMBERS,
                CapacityProvider::MEMBERS,
            ],
        ),
        Kind::Stack => score(object, &[Stack::MEMBERS]),
    }
}

/// A stack has at least one of its resource members, every list it has holds objects
/// (`scaling` is an object), and no member that names a single resource (a cluster's
/// `capacityProviders` is a list of strings). A capacity provider's `name` is a stack's `name`
/// too: a `name` is a capacity provider's only beside no resource member of a stack.
fn looks_like_stack(object: &Map<String, Value>) -> bool {
    const RESOURCE_KEYS: &[&str] = &[
        "clusterName",
        "family",
        "containerDefinitions",
        "serviceName",
        "defaultCapacityProviderStrategy",
        "autoScalingGroupProvider",
        "managedInstancesProvider",
    ];
    let lists: Vec<&Value> = Stack::RESOURCE_MEMBERS
        .iter()
        .filter_map(|k| non_null(object, k))
        .collect();
    let scaling_is_object = non_null(object, "scaling").is_none_or(Value::is_object);
    !lists.is_empty()
        && scaling_is_object
        && Stack::RESOURCE_MEMBERS
            .iter()
            .filter(|k| **k != "scaling")
            .filter_map(|k| non_null(object, k))
            .all(|list| {
                list.as_array()
                    .is_some_and(|items| items.iter().all(Value::is_object))
            })
        && !RESOURCE_KEYS.iter().any(|k| object.contains_key(*k))
}

fn detect(object: &Map<String, Value>, kind: Option<Kind>) -> Option<DetectedShape> {
    use DetectedShape as D;
    let wants = |k: Kind| kind.is_none_or(|wanted| wanted == k);
    let has_object = |key: &str| non_null(object, key).is_some_and(Value::is_object);
    let has_array = |key: &str| non_null(object, key).is_some_and(Value::is_array);
    let described = object.contains_key("failures");

    // Wrapped outputs first: their one key names the resource.
    if wants(Kind::TaskDefinition) && has_object("taskDefinition") {
        return Some(D::TaskDefinitionOutput { wrapped: true });
    }
    if wants(Kind::Service) && has_object("service") {
        return Some(D::ServiceOutput { wrapped: true });
    }
    if wants(Kind::Cluster) && has_object("cluster") && !object.contains_key("serviceName") {
        return Some(D::ClusterOutput { wrapped: true });
    }
    if wants(Kind::CapacityProvider) && has_object("capacityProvider") {
        return Some(D::CapacityProviderOutput { wrapped: true });
    }
    if described {
        if wants(Kind::Service) && has_array("services") {
            return Some(D::DescribeServices);
        }
        if wants(Kind::Cluster) && has_array("clusters") {
            return Some(D::DescribeClusters);
        }
        if wants(Kind::CapacityProvider) && has_array("capacityProviders") {
            return Some(D::DescribeCapacityProviders);
        }
    }
    if kind == Some(Kind::Stack) || (kind.is_none() && looks_like_stack(object)) {
        return Some(D::Stack);
    }
    let candidates = [
        Kind::TaskDefinition,
        Kind::Service,
        Kind::Cluster,
        Kind::CapacityProvider,
    ]
    .map(|k| (k, score_for(object, k)));
    let best = match kind {
        Some(kind) => kind,
        None => {
            // Keys that name the resource decide first; otherwise the most matching members.
            if object.contains_key("containerDefinitions") || object.contains_key("family") {
                Kind::TaskDefinition
            } else if object.contains_key("serviceName") || object.contains_key("serviceArn") {
                Kind::Service
            } else if object.contains_key("clusterName") || object.contains_key("clusterArn") {
                Kind::Cluster
            } else if object.contains_key("autoScalingGroupProvider")
                || object.contains_key("managedInstancesProvider")
                || object.contains_key("capacityProviderArn")
            {
                Kind::CapacityProvider
            } else {
                let top = candidates.iter().map(|c| c.1).max().unwrap_or(0);
                let mut leaders = candidates.iter().filter(|c| c.1 == top && top > 0);
                match (leaders.next(), leaders.next()) {
                    (Some(leader), None) => leader.0,
                    _ => return None,
                }
            }
        }
    };
    Some(match best {
        Kind::TaskDefinition if non_null(object, "taskDefinitionArn").is_some() => {
            D::TaskDefinitionOutput { wrapped: false }
        }
        Kind::TaskDefinition => D::TaskDefinitionInput,
        Kind::Service if non_null(object, "serviceArn").is_some() => {
            D::ServiceOutput { wrapped: false }
        }
        Kind::Service => D::ServiceInput,
        Kind::Cluster if non_null(object, "clusterArn").is_some() => {
            D::ClusterOutput { wrapped: false }
        }
        Kind::Cluster => D::ClusterInput,
        Kind::CapacityProvider if non_null(object, "capacityProviderArn").is_some() => {
            D::CapacityProviderOutput { wrapped: false }
        }
        Kind::CapacityProvider => D::CapacityProviderInput,
        Kind::Stack => D::Stack,
    })
}

impl DetectedShape {
    fn kind(self) -> Kind {
        use DetectedShape as D;
        match self {
            D::TaskDefinitionInput | D::TaskDefinitionOutput { .. } => Kind::TaskDefinition,
            D::ServiceInput | D::ServiceOutput { .. } | D::DescribeServices => Kind::Service,
            D::ClusterInput | D::ClusterOutput { .. } | D::DescribeClusters => Kind::Cluster,
            D::CapacityProviderInput
            | D::CapacityProviderOutput { .. }
            | D::DescribeCapacityProviders => Kind::CapacityProvider,
            D::Stack => Kind::Stack,
        }
    }

    fn load<'v>(self, value: &'v Value, cx: &mut Loader<'v>) -> Option<Document> {
        use DetectedShape as D;
        Some(match self {
            D::TaskDefinitionInput => {
                Document::TaskDefinitionInput(RegisterTaskDefinitionRequest::from_json(value, cx)?)
            }
            D::TaskDefinitionOutput { wrapped: false } => Document::TaskDefinitionOutput {
                task_definition: TaskDefinition::from_json(value, cx)?,
                tags: None,
                wrapped: false,
                raw_tags: None,
            },
            D::TaskDefinitionOutput { wrapped: true } => {
                let mut wrapper =
                    crate::types::DescribeTaskDefinitionResponse::from_json(value, cx)?;
                Document::TaskDefinitionOutput {
                    task_definition: wrapper.task_definition?,
                    tags: wrapper.tags,
                    wrapped: true,
                    raw_tags: wrapper.extra.remove("tags"),
                }
            }
            D::ServiceInput => Document::ServiceInput(CreateServiceRequest::from_json(value, cx)?),
            D::ServiceOutput { wrapped: false } => Document::ServiceOutput {
                service: Service::from_json(value, cx)?,
                wrapped: false,
            },
            D::ServiceOutput { wrapped: true } => Document::ServiceOutput {
                service: crate::types::CreateServiceResponse::from_json(value, cx)?.service?,
                wrapped: true,
            },
            D::DescribeServices => {
                Document::DescribeServices(DescribeServicesResponse::from_json(value, cx)?)
            }
            D::ClusterInput => Document::ClusterInput(CreateClusterRequest::from_json(value, cx)?),
            D::ClusterOutput { wrapped: false } => Document::ClusterOutput {
                cluster: Cluster::from_json(value, cx)?,
                wrapped: false,
            },
            D::ClusterOutput { wrapped: true } => Document::ClusterOutput {
                cluster: crate::types::CreateClusterResponse::from_json(value, cx)?.cluster?,
                wrapped: true,
            },
            D::DescribeClusters => {
                Document::DescribeClusters(DescribeClustersResponse::from_json(value, cx)?)
            }
            D::CapacityProviderInput => Document::CapacityProviderInput(
                CreateCapacityProviderRequest::from_json(value, cx)?,
            ),
            D::CapacityProviderOutput { wrapped: false } => Document::CapacityProviderOutput {
                capacity_provider: CapacityProvider::from_json(value, cx)?,
                wrapped: false,
            },
            D::CapacityProviderOutput { wrapped: true } => Document::CapacityProviderOutput {
                capacity_provider: crate::types::CreateCapacityProviderResponse::from_json(
                    value, cx,
                )?
                .capacity_provider?,
                wrapped: true,
            },
            D::DescribeCapacityProviders => Document::DescribeCapacityProviders(
                DescribeCapacityProvidersResponse::from_json(value, cx)?,
            ),
            D::Stack => Document::Stack(Stack::from_json(value, cx)?),
        })
    }
}

/// Finishes a loaded document: output-only members of inputs are dropped (and their
/// `unknown-field` warnings become `output-only-field`), members beside a wrapped resource are
/// reported as dropped, the request's required members are checked on describe outputs, and
/// the `failures` of a describe output become errors.
fn settle(document: &mut Document, diagnostics: &mut Vec<Diagnostic>) {
    let root = JsonPath::root();
    report_placeholders(document, diagnostics);
    match document {
        Document::TaskDefinitionInput(td) => {
            strip_output_only::<_, TaskDefinition>(td, &root, diagnostics);
        }
        Document::ServiceInput(s) => strip_output_only::<_, Service>(s, &root, diagnostics),
        Document::ClusterInput(c) => strip_output_only::<_, Cluster>(c, &root, diagnostics),
        Document::CapacityProviderInput(c) => {
            strip_output_only::<_, CapacityProvider>(c, &root, diagnostics);
        }
        Document::Stack(stack) => {
            for (i, c) in stack.clusters.iter_mut().enumerate() {
                let at = root.clone().key("clusters").index(i);
                strip_output_only::<_, Cluster>(c, &at, diagnostics);
            }
            for (i, c) in stack.capacity_providers.iter_mut().enumerate() {
                let at = root.clone().key("capacityProviders").index(i);
                strip_output_only::<_, CapacityProvider>(c, &at, diagnostics);
            }
            for (i, td) in stack.task_definitions.iter_mut().enumerate() {
                let at = root.clone().key("taskDefinitions").index(i);
                strip_output_only::<_, TaskDefinition>(td, &at, diagnostics);
            }
            for (i, s) in stack.services.iter_mut().enumerate() {
                let at = root.clone().key("services").index(i);
                strip_output_only::<_, Service>(s, &at, diagnostics);
            }
        }
        Document::DescribeServices(out) => report_failures(out.failures.as_deref(), diagnostics),
        Document::DescribeClusters(out) => report_failures(out.failures.as_deref(), diagnostics),
        Document::DescribeCapacityProviders(out) => {
            report_failures(out.failures.as_deref(), diagnostics);
        }
        Document::TaskDefinitionOutput { .. }
        | Document::ServiceOutput { .. }
        | Document::ClusterOutput { .. }
        | Document::CapacityProviderOutput { .. } => {}
    }
    if is_output(document) {
        let wrapped = document.inputs().iter().all(|(path, _)| !path.is_root());
        for diagnostic in diagnostics.iter_mut() {
            // Members beside the wrapped resource (`ResponseMetadata`...) have no place in the
            // request.
            if wrapped
                && diagnostic.code == load::codes::UNKNOWN_FIELD
                && diagnostic.path.segments().len() == 1
            {
                let key = diagnostic.path.to_string();
                diagnostic.code = load::codes::OUTPUT_ONLY_FIELD.to_owned();
                diagnostic.message = format!("`{key}` sits beside the described resource");
                diagnostic.hint =
                    Some("it is not part of the API input; `render` drops it".to_owned());
            }
        }
        for (path, input) in document.inputs() {
            check_required(&input, &path, diagnostics);
        }
    }
}

/// Warns about template placeholders left in strings (`{{ must_env "IMAGE" }}` from ecspresso,
/// `${IMAGE}` from envsubst or Terraform): the file was meant to be rendered by a template tool
/// first, and AWS would take the placeholder literally.
fn report_placeholders(document: &Document, diagnostics: &mut Vec<Diagnostic>) {
    fn walk(value: &Value, path: &JsonPath, out: &mut Vec<Diagnostic>) {
        match value {
            Value::String(text) => {
                let jinja = text.find("{{").is_some_and(|i| text[i..].contains("}}"));
                let shell = text.find("${").is_some_and(|i| text[i..].contains('}'));
                if jinja || shell {
                    out.push(
                        Diagnostic::warning(
                            codes::TEMPLATE_PLACEHOLDER,
                            path.clone(),
                            format!("`{text}` holds a template placeholder"),
                        )
                        .with_hint(
                            "render the template first (ecspresso render, envsubst...); AWS \
                             would take the placeholder literally",
                        ),
                    );
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &path.clone().index(i), out);
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    walk(item, &path.clone().key(key.as_str()), out);
                }
            }
            _ => {}
        }
    }
    let value = match document {
        Document::Stack(stack) => to_json(stack),
        other => {
            for (path, input) in other.inputs() {
                walk(&input.to_json(), &path, diagnostics);
            }
            return;
        }
    };
    walk(&value, &JsonPath::root(), diagnostics);
}

fn is_output(document: &Document) -> bool {
    !matches!(
        document,
        Document::TaskDefinitionInput(_)
            | Document::ServiceInput(_)
            | Document::ClusterInput(_)
            | Document::CapacityProviderInput(_)
            | Document::Stack(_)
    )
}

/// Drops the members of `typed.extra` that only the describe output `O` has (a console
/// export's `revision`, ecspresso's `runningCount`): the request does not take them. A member
/// the request has but whose value could not be typed stays, verbatim.
fn strip_output_only<I: Shape, O: Shape>(
    typed: &mut I,
    at: &JsonPath,
    diagnostics: &mut [Diagnostic],
) {
    let output_only: Vec<String> = typed
        .extra()
        .keys()
        .filter(|k| O::MEMBERS.contains(&k.as_str()) && !I::MEMBERS.contains(&k.as_str()))
        .cloned()
        .collect();
    for key in output_only {
        typed.extra_mut().remove(&key);
        let path = at.clone().key(key.as_str());
        for diagnostic in diagnostics.iter_mut() {
            if diagnostic.path == path && diagnostic.code == load::codes::UNKNOWN_FIELD {
                diagnostic.code = load::codes::OUTPUT_ONLY_FIELD.to_owned();
                diagnostic.message = format!(
                    "`{key}` is an output-only member that {} does not take",
                    I::SHAPE
                );
                diagnostic.hint = Some(
                    "it comes from a describe call; `render` drops it, and you can remove it"
                        .to_owned(),
                );
            }
        }
    }
}

/// Reports the request's required members that a describe output lacks.
fn check_required(input: &Input, at: &JsonPath, diagnostics: &mut Vec<Diagnostic>) {
    let (json, required) = match input {
        Input::TaskDefinition(v) => (to_json(v), RegisterTaskDefinitionRequest::REQUIRED),
        Input::Service(v) => (to_json(v), CreateServiceRequest::REQUIRED),
        Input::Cluster(v) => (to_json(v), CreateClusterRequest::REQUIRED),
        Input::CapacityProvider(v) => (to_json(v), CreateCapacityProviderRequest::REQUIRED),
    };
    for name in required {
        if json.get(*name).is_none() {
            diagnostics.push(
                Diagnostic::error(
                    load::codes::MISSING_REQUIRED_FIELD,
                    at.clone().key(*name),
                    format!("required member `{name}` is missing"),
                )
                .with_hint(format!("add `{name}`: AWS rejects the request without it")),
            );
        }
    }
}

fn report_failures(failures: Option<&[crate::types::Failure]>, out: &mut Vec<Diagnostic>) {
    for (i, failure) in failures.unwrap_or_default().iter().enumerate() {
        let what = failure.arn.as_deref().unwrap_or("a resource");
        let reason = failure.reason.as_deref().unwrap_or("no reason given");
        let detail = failure
            .detail
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        out.push(
            Diagnostic::error(
                codes::DESCRIBE_FAILURE,
                JsonPath::root().key("failures").index(i),
                format!("AWS could not describe {what}: {reason}{detail}"),
            )
            .with_hint("check the name and the cluster; MISSING means it does not exist there"),
        );
    }
}

impl Diagnostic {
    /// Whether this diagnostic is a loader warning `--deny-unknown-fields` turns into an error.
    pub fn is_unknown_field(&self) -> bool {
        self.code == load::codes::UNKNOWN_FIELD && self.severity != Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shape_of(value: Value, kind: Option<Kind>) -> Option<Document> {
        load(&value, kind).value
    }

    #[test]
    fn detects_every_form() {
        let td = json!({"family": "f", "containerDefinitions": [{"name": "a"}]});
        assert!(matches!(
            shape_of(td.clone(), None),
            Some(Document::TaskDefinitionInput(_))
        ));
        let mut out = td.clone();
        out["taskDefinitionArn"] = json!("arn:aws:ecs:us-east-1:1:task-definition/f:1");
        out["revision"] = json!(1);
        assert!(matches!(
            shape_of(out.clone(), None),
            Some(Document::TaskDefinitionOutput { wrapped: false, .. })
        ));
        let wrapped = json!({"taskDefinition": out, "tags": [{"key": "k", "value": "v"}]});
        let Some(doc) = shape_of(wrapped, None) else {
            panic!("wrapped output loads")
        };
        let inputs = doc.inputs();
        assert_eq!(inputs[0].0.to_string(), "taskDefinition");
        let Input::TaskDefinition(input) = &inputs[0].1 else {
            panic!("a task definition")
        };
        assert_eq!(input.tags.as_ref().map(Vec::len), Some(1));
        assert!(input.extra.is_empty(), "{:?}", input.extra);

        let svc = json!({"serviceName": "s", "cluster": "c", "desiredCount": 1});
        assert!(matches!(
            shape_of(svc, None),
            Some(Document::ServiceInput(_))
        ));
        let described = json!({"services": [{"serviceArn": "arn", "serviceName": "s",
            "clusterArn": "arn:c", "runningCount": 1}], "failures": []});
        let Some(doc) = shape_of(described, None) else {
            panic!("describe output loads")
        };
        assert!(matches!(doc, Document::DescribeServices(_)));
        assert_eq!(
            doc.render(),
            json!({"serviceName": "s", "cluster": "arn:c"})
        );
        assert!(matches!(
            shape_of(json!({"service": {"serviceName": "s"}}), None),
            Some(Document::ServiceOutput { wrapped: true, .. })
        ));
        assert!(matches!(
            shape_of(
                json!({"clusterName": "c", "capacityProviders": ["FARGATE"]}),
                None
            ),
            Some(Document::ClusterInput(_))
        ));
        assert!(matches!(
            shape_of(
                json!({"clusters": [{"clusterArn": "a", "clusterName": "c"}], "failures": []}),
                None
            ),
            Some(Document::DescribeClusters(_))
        ));
        assert!(matches!(
            shape_of(
                json!({"name": "cp", "autoScalingGroupProvider": {"autoScalingGroupArn": "a"}}),
                None
            ),
            Some(Document::CapacityProviderInput(_))
        ));
        let stack = json!({"clusters": [{"clusterName": "c"}], "services": [{"serviceName": "s"}]});
        let Some(Document::Stack(stack)) = shape_of(stack, None) else {
            panic!("a stack")
        };
        assert_eq!((stack.clusters.len(), stack.services.len()), (1, 1));
    }

    #[test]
    fn ecspresso_fragments_are_services_with_output_only_members_dropped() {
        let loaded = load(
            &json!({"desiredCount": 2, "launchType": "FARGATE", "runningCount": 2}),
            None,
        );
        let codes: Vec<_> = loaded.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["output-only-field", "missing-required-field"]);
        let Some(doc) = loaded.value else {
            panic!("loads")
        };
        assert_eq!(
            doc.render(),
            json!({"desiredCount": 2, "launchType": "FARGATE"})
        );
    }

    fn codes_of(loaded: &Loaded<Document>) -> Vec<(String, String)> {
        loaded
            .diagnostics
            .iter()
            .map(|d| (d.code.clone(), d.path.to_string()))
            .collect()
    }

    #[test]
    fn a_kind_that_does_not_match_the_content_is_an_error() {
        let td = json!({"family": "f", "containerDefinitions": []});
        for wrong in [Kind::Service, Kind::Cluster, Kind::Stack] {
            let loaded = load(&td, Some(wrong));
            assert!(loaded.value.is_none());
            assert_eq!(
                codes_of(&loaded),
                [(codes::KIND_MISMATCH.to_owned(), String::new())]
            );
        }
        assert!(load(&td, Some(Kind::TaskDefinition)).value.is_some());
        // Undecidable content with a kind that has none of its members.
        let loaded = load(&json!({"x": 1}), Some(Kind::Cluster));
        assert_eq!(loaded.diagnostics[0].code, codes::KIND_MISMATCH);
        let loaded = load(&json!({"x": 1}), None);
        assert_eq!(
            loaded.diagnostics[0].code,
            load::codes::UNKNOWN_DOCUMENT_KIND
        );
        let loaded = load(&json!([1]), None);
        assert_eq!(
            loaded.diagnostics[0].code,
            load::codes::UNKNOWN_DOCUMENT_KIND
        );
    }

    #[test]
    fn mistyped_members_of_the_request_are_kept_not_dropped() {
        let input =
            json!({"family": "f", "cpu": {}, "containerDefinitions": [{"name": "a"}, "oops"]});
        let loaded = load(&input, None);
        let Some(doc) = &loaded.value else {
            panic!("loads")
        };
        assert_eq!(doc.render(), input);
        let svc = json!({"serviceName": "s", "desiredCount": "many", "launchType": 3});
        let loaded = load(&svc, None);
        assert_eq!(loaded.value.map(|d| d.render()), Some(svc));
    }

    #[test]
    fn members_beside_a_wrapped_resource_are_reported_as_dropped() {
        let wrapped = json!({
            "taskDefinition": {"taskDefinitionArn": "arn", "family": "f",
                               "containerDefinitions": [{"name": "a"}], "futureField": 1},
            "tags": "not-a-list",
            "ResponseMetadata": {"RequestId": "r"}
        });
        let loaded = load(&wrapped, None);
        let found = codes_of(&loaded);
        assert!(
            found.contains(&(
                "output-only-field".to_owned(),
                "ResponseMetadata".to_owned()
            )),
            "{found:?}"
        );
        assert!(
            found.contains(&(
                "unknown-field".to_owned(),
                "taskDefinition.futureField".to_owned()
            )),
            "{found:?}"
        );
        assert!(
            found.contains(&("type-mismatch".to_owned(), "tags".to_owned())),
            "{found:?}"
        );
        let Some(doc) = loaded.value else {
            panic!("loads")
        };
        assert_eq!(
            doc.render(),
            json!({"family": "f", "containerDefinitions": [{"name": "a"}], "futureField": 1, "tags": "not-a-list"})
        );
    }

    #[test]
    fn stack_entries_lose_output_only_members() {
        let stack = json!({"taskDefinitions": [{"family": "f", "containerDefinitions": [{"name": "a"}],
            "revision": 3, "status": "ACTIVE"}], "services": [{"serviceName": "s", "runningCount": 1}]});
        let loaded = load(&stack, None);
        let found = codes_of(&loaded);
        assert_eq!(
            found,
            [
                (
                    "output-only-field".to_owned(),
                    "taskDefinitions[0].revision".to_owned()
                ),
                (
                    "output-only-field".to_owned(),
                    "taskDefinitions[0].status".to_owned()
                ),
                (
                    "output-only-field".to_owned(),
                    "services[0].runningCount".to_owned()
                ),
            ]
        );
        let Some(doc) = loaded.value else {
            panic!("loads")
        };
        assert_eq!(
            doc.render(),
            json!({"taskDefinitions": [{"family": "f", "containerDefinitions": [{"name": "a"}]}],
                   "services": [{"serviceName": "s"}]})
        );
    }

    #[test]
    fn describe_outputs_are_checked_for_the_request_required_members() {
        let loaded = load(&json!({"taskDefinitionArn": "arn", "revision": 1}), None);
        assert_eq!(
            codes_of(&loaded),
            [
                ("missing-required-field".to_owned(), "family".to_owned()),
                (
                    "missing-required-field".to_owned(),
                    "containerDefinitions".to_owned()
                ),
            ]
        );
        let loaded = load(
            &json!({"services": [{"serviceArn": "arn"}], "failures": []}),
            None,
        );
        assert_eq!(
            codes_of(&loaded),
            [(
                "missing-required-field".to_owned(),
                "services[0].serviceName".to_owned()
            )]
        );
    }

    #[test]
    fn describe_failures_are_errors() {
        let loaded = load(
            &json!({"services": [], "failures": [{"arn": "arn:aws:ecs:us-east-1:1:service/c/web", "reason": "MISSING"}]}),
            None,
        );
        assert_eq!(
            codes_of(&loaded),
            [(codes::DESCRIBE_FAILURE.to_owned(), "failures[0]".to_owned())]
        );
        assert!(loaded.diagnostics[0].message.contains("MISSING"));
        assert!(loaded.value.is_some_and(|d| d.inputs().is_empty()));
    }

    #[test]
    fn stack_detection_allows_extra_keys_and_rejects_cluster_fragments() {
        let loaded = load(
            &json!({"clusters": [{"clusterName": "c"}], "version": 1}),
            None,
        );
        assert!(matches!(loaded.value, Some(Document::Stack(_))));
        assert_eq!(
            codes_of(&loaded),
            [("unknown-field".to_owned(), "version".to_owned())]
        );
        let loaded = load(&json!({"capacityProviders": ["FARGATE"]}), None);
        assert!(
            matches!(loaded.value, Some(Document::ClusterInput(_))),
            "{:?}",
            loaded.value
        );
    }

    #[test]
    fn described_services_take_their_configuration_from_the_primary_deployment() {
        let described = json!({"serviceArn": "arn", "serviceName": "s", "deployments": [
            {"status": "ACTIVE", "serviceConnectConfiguration": {"enabled": false}},
            {"status": "PRIMARY", "serviceConnectConfiguration": {"enabled": true, "namespace": "ns"},
             "volumeConfigurations": [{"name": "data"}]}
        ]});
        let Some(doc) = load(&described, None).value else {
            panic!("loads")
        };
        assert_eq!(
            doc.render(),
            json!({"serviceName": "s", "serviceConnectConfiguration": {"enabled": true, "namespace": "ns"},
                   "volumeConfigurations": [{"name": "data"}]})
        );
    }

    #[test]
    fn tabs_crlf_and_byte_order_marks_load() {
        let text =
            "\u{feff}{\r\n\t\"family\":\t\"f\",\r\n\t\t\"containerDefinitions\": [ ]\r\n}\r\n";
        let loaded = parse(text, None);
        assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
        assert!(matches!(
            loaded.value,
            Some(Document::TaskDefinitionInput(_))
        ));
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let loaded = parse(
            r#"{"family": "a", "family": "b", "containerDefinitions": [{"name": "x"}]}"#,
            None,
        );
        assert_eq!(
            codes_of(&loaded),
            [("duplicate-key".to_owned(), "family".to_owned())]
        );
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let loaded = parse("{\n  \"family\": \"f\",\n}", None);
        let d = &loaded.diagnostics[0];
        assert_eq!(d.code, load::codes::JSON_SYNTAX);
        assert_eq!(d.location, Some(Location { line: 3, column: 1 }));
        assert_eq!(
            d.hint.as_deref(),
            Some("remove the comma after the last element")
        );
    }
}
