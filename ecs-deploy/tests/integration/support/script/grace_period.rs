//! A service's health check grace period as AWS keeps it
//! ([`super::Scripted::echo_grace_period`]).
//!
//! moto's CreateService and UpdateService drop `healthCheckGracePeriodSeconds` without an error
//! and no answer shows it. AWS stores it: the CreateService page
//! (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html>,
//! request member `healthCheckGracePeriodSeconds`) takes it for services with load balancer,
//! VPC Lattice or container health checks ("If you do not specify a health check grace period
//! value, the default value of 0 is used"), the Service shape answers it, and UpdateService
//! (<https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html>)
//! changes it when sent ("This parameter doesn't trigger a new service deployment") and keeps
//! it when not. A service created without one shows `0`, the default the page names.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::ServiceKey;
use super::members::KeptMembers;

/// The member.
const MEMBER: &str = "healthCheckGracePeriodSeconds";

/// The grace period each service holds, by service.
#[derive(Debug, Default)]
pub(super) struct GracePeriods(HashMap<ServiceKey, Value>);

impl KeptMembers for GracePeriods {
    fn record(&mut self, operation: &str, key: &ServiceKey, request: &Value) {
        let sent = request.get(MEMBER).filter(|v| v.is_i64()).cloned();
        match (operation, sent) {
            ("CreateService", sent) => {
                self.0.insert(key.clone(), sent.unwrap_or(Value::from(0)));
            }
            ("UpdateService", Some(sent)) => {
                self.0.insert(key.clone(), sent);
            }
            _ => {}
        }
    }

    fn write(&self, key: &ServiceKey, fields: &mut Map<String, Value>) {
        if let Some(held) = self.0.get(key) {
            fields.insert(MEMBER.to_owned(), held.clone());
        }
    }
}
