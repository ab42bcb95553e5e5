//! What an import leaves out of a resource: every member whose value AWS would fill in anyway.
//!
//! The project's normalization (`ecs_model::normalize`) is the one list of AWS's defaults
//! (`essential: true`, `protocol: "tcp"`, empty lists, a service's deployment configuration...),
//! and the planner compares both sides normalized. So a member can go when the resource
//! without it normalizes to the same value as the resource with it: the plan cannot tell them
//! apart. [`without_defaults`] asks exactly that of each member, depth first, and keeps
//! whatever it cannot prove to be a default; no member is named here, so a default added to the
//! normalization is left out of imports with no code.

use ecs_model::Shape;
use serde_json::{Map, Value};

/// `value` without the members whose removal leaves its normal form (`normalize`) unchanged.
///
/// Each member of each object is tried, outermost first (a whole `deploymentConfiguration` that
/// is all defaults goes at once), and kept out only if the resource without it still
/// normalizes to the original's normal form; otherwise the objects inside it (and inside its
/// list elements) are tried in turn. List elements themselves are never removed: the order
/// and the number of elements carry meaning the normalization does not always restore.
pub(crate) fn without_defaults<T: Shape>(value: &T, normalize: fn(&mut T)) -> T {
    let target = normal_json(value.clone(), normalize);
    let mut json = crate::plan::to_json(value);
    let mut path = Vec::new();
    prune(&mut json, &mut path, &mut |candidate: &Value| {
        load::<T>(candidate).is_some_and(|typed| normal_json(typed, normalize) == target)
    });
    load::<T>(&json).unwrap_or_else(|| value.clone())
}

/// One step into the document: a member of an object, or an element of a list.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Tries to remove each member below `path` of `root`; `same` says whether a candidate
/// document is still equal in normal form.
fn prune(root: &mut Value, path: &mut Vec<Step>, same: &mut dyn FnMut(&Value) -> bool) {
    let keys: Vec<String> = match at(root, path) {
        Some(Value::Object(members)) => members.keys().cloned().collect(),
        Some(Value::Array(items)) => {
            for index in 0..items.len() {
                path.push(Step::Index(index));
                prune(root, path, same);
                path.pop();
            }
            return;
        }
        _ => return,
    };
    for key in keys {
        let mut candidate = root.clone();
        if let Some(Value::Object(members)) = at_mut(&mut candidate, path) {
            members.shift_remove(&key);
        }
        if same(&candidate) {
            *root = candidate;
            continue;
        }
        path.push(Step::Key(key));
        prune(root, path, same);
        path.pop();
    }
}

fn at<'a>(value: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.get(key),
        Step::Index(index) => value.get(index),
    })
}

fn at_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |value, step| match step {
        Step::Key(key) => value.get_mut(key),
        Step::Index(index) => value.get_mut(index),
    })
}

fn load<T: Shape>(json: &Value) -> Option<T> {
    ecs_model::load::from_value::<T>(json).value
}

fn normal_json<T: Shape>(mut value: T, normalize: fn(&mut T)) -> Value {
    normalize(&mut value);
    let mut json = crate::plan::to_json(&value);
    drop_empty_objects(&mut json);
    json
}

/// Removes members holding `{}`: nothing the normal form can tell from absent. Serialization
/// writes an absent optional structure's members as absent, so this only matters for maps.
fn drop_empty_objects(value: &mut Value) {
    match value {
        Value::Object(members) => {
            members.values_mut().for_each(drop_empty_objects);
            let empty: Vec<String> = members
                .iter()
                .filter(|(_, v)| v.as_object().is_some_and(Map::is_empty))
                .map(|(k, _)| k.clone())
                .collect();
            for key in empty {
                members.shift_remove(&key);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(drop_empty_objects),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use ecs_model::normalize;
    use ecs_model::types::{CreateServiceRequest, RegisterTaskDefinitionRequest};
    use serde_json::json;

    use super::*;

    #[test]
    fn a_described_task_definition_loses_what_aws_filled_in() {
        let described: RegisterTaskDefinitionRequest = load(&json!({
            "family": "web", "networkMode": "awsvpc", "cpu": "256", "memory": "512",
            "requiresCompatibilities": ["FARGATE"], "volumes": [], "placementConstraints": [],
            "containerDefinitions": [{
                "name": "web", "image": "nginx:1.27", "cpu": 0, "essential": true,
                "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                "environment": [{"name": "MODE", "value": "production"}],
                "mountPoints": [], "volumesFrom": [], "systemControls": []
            }]
        }))
        .expect("a task definition");
        let tidy = without_defaults(&described, normalize::task_definition);
        assert_eq!(
            crate::plan::to_json(&tidy),
            json!({
                "family": "web", "networkMode": "awsvpc", "cpu": "256", "memory": "512",
                "requiresCompatibilities": ["FARGATE"],
                "containerDefinitions": [{
                    "name": "web", "image": "nginx:1.27",
                    "portMappings": [{"containerPort": 80}],
                    "environment": [{"name": "MODE", "value": "production"}]
                }]
            })
        );
        // The plan cannot tell them apart.
        let (mut a, mut b) = (described, tidy);
        normalize::task_definition(&mut a);
        normalize::task_definition(&mut b);
        assert_eq!(a, b);
    }

    #[test]
    fn a_described_service_keeps_only_what_differs_from_the_defaults() {
        let described: CreateServiceRequest = load(&json!({
            "serviceName": "web", "cluster": "shop", "taskDefinition": "web",
            "desiredCount": 2, "launchType": "FARGATE", "platformVersion": "LATEST",
            "schedulingStrategy": "REPLICA", "propagateTags": "NONE",
            "enableECSManagedTags": false, "enableExecuteCommand": false,
            "healthCheckGracePeriodSeconds": 0, "loadBalancers": [], "serviceRegistries": [],
            "deploymentController": {"type": "ECS"},
            "deploymentConfiguration": {
                "maximumPercent": 200, "minimumHealthyPercent": 50,
                "deploymentCircuitBreaker": {"enable": false, "rollback": false}
            }
        }))
        .expect("a service");
        let tidy = without_defaults(&described, normalize::service);
        assert_eq!(
            crate::plan::to_json(&tidy),
            json!({
                "serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                "desiredCount": 2, "launchType": "FARGATE",
                "deploymentConfiguration": {"minimumHealthyPercent": 50}
            })
        );
    }
}
