//! The loop shared by the layers that keep members of a service as AWS does
//! ([`super::grace_period`], [`super::placement`]): each service an answer shows is found by
//! its key, what a call that took effect sent is recorded, and what the service holds is
//! written back into the answer.

use serde_json::{Map, Value};

use super::{ServiceKey, answered, services_of};

/// Members of a service that moto drops or forgets and AWS keeps.
pub(super) trait KeptMembers {
    /// Records what a CreateService or UpdateService call (`operation`) that took effect sent
    /// for the service `key` in `request`; other operations record nothing.
    fn record(&mut self, operation: &str, key: &ServiceKey, request: &Value);

    /// Writes what the service `key` holds, if anything, into its `fields`.
    fn write(&self, key: &ServiceKey, fields: &mut Map<String, Value>);

    /// Records what the call `operation` of `account` sent (unless its answer was replayed:
    /// the call did not take effect again), then writes what each service holds into the
    /// answer of CreateService, UpdateService, DeleteService and DescribeServices.
    fn echo(
        &mut self,
        operation: &str,
        account: &str,
        request: &Value,
        answer: &mut Value,
        replay: bool,
    ) {
        for service in services_of(operation, answer) {
            let Some(key) = answered(account, service) else {
                continue;
            };
            if !replay {
                self.record(operation, &key, request);
            }
            if let Some(fields) = service.as_object_mut() {
                self.write(&key, fields);
            }
        }
    }
}
