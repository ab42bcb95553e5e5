//! Placement strategies and constraints as AWS keeps them ([`super::Scripted::echo_placement`]).
//!
//! moto's CreateService drops `placementStrategy` and `placementConstraints` without an error,
//! and its UpdateService keeps only what it was sent last. AWS stores both members of the
//! CreateService request and shows them in every answer that describes the service, `[]` for
//! a member not sent (the `create-service` example output answers `"placementConstraints": []`
//! and `"placementStrategy": []`); UpdateService replaces a member it is sent and keeps one it
//! is not ("If no value is specified, the existing placement strategy for the service will
//! remain unchanged", UpdateService request members).

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::ServiceKey;
use super::members::KeptMembers;

/// The members each service holds, by service.
#[derive(Debug, Default)]
pub(super) struct Placements(HashMap<ServiceKey, [Value; 2]>);

/// The two members, in the order of the arrays of [`Placements`].
const MEMBERS: [&str; 2] = ["placementStrategy", "placementConstraints"];

impl KeptMembers for Placements {
    fn record(&mut self, operation: &str, key: &ServiceKey, request: &Value) {
        let sent = |member: &str| request.get(member).filter(|v| !v.is_null()).cloned();
        match operation {
            "CreateService" => {
                let held = MEMBERS.map(|m| sent(m).unwrap_or_else(|| json!([])));
                self.0.insert(key.clone(), held);
            }
            "UpdateService" => {
                if let Some(held) = self.0.get_mut(key) {
                    for (slot, member) in held.iter_mut().zip(MEMBERS) {
                        if let Some(value) = sent(member) {
                            *slot = value;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn write(&self, key: &ServiceKey, fields: &mut Map<String, Value>) {
        if let Some(held) = self.0.get(key) {
            for (value, member) in held.iter().zip(MEMBERS) {
                fields.insert(member.to_owned(), value.clone());
            }
        }
    }
}
