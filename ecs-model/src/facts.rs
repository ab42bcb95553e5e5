//! What a request means once AWS's defaults apply, decided once for every module that asks:
//! the rule set ([`validate`](mod@crate::validate)), normalization
//! ([`normalize`](crate::normalize)) and the document conversions ([`document`](crate::document)).
//!
//! Each function states one rule of the AWS documentation; where two modules used to decide
//! the same thing with their own code, they now call the same function here, so that a fix to
//! the rule reaches all of them.

use crate::types::{
    Compatibility, CreateServiceRequest, NetworkMode, RegisterTaskDefinitionRequest,
    SchedulingStrategy,
};

/// The capacity providers AWS reserves for Fargate
/// ([Fargate capacity providers](https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html)).
const FARGATE_PROVIDERS: &[&str] = &["FARGATE", "FARGATE_SPOT"];

/// Whether `name` is one of the Fargate capacity providers.
pub(crate) fn is_fargate_provider(name: &str) -> bool {
    FARGATE_PROVIDERS.contains(&name)
}

/// Whether a reference (a cluster, a task definition, a Cloud Map namespace...) is an ARN
/// rather than a name.
pub(crate) fn is_arn(reference: &str) -> bool {
    reference.starts_with("arn:")
}

/// Whether the service uses the DAEMON scheduling strategy.
pub(crate) fn is_daemon(service: &CreateServiceRequest) -> bool {
    matches!(
        service.scheduling_strategy,
        Some(SchedulingStrategy::Daemon)
    )
}

/// Whether the task definition's `requiresCompatibilities` lists FARGATE (AWS then validates it
/// for Fargate, even next to EC2).
pub(crate) fn requires_fargate(td: &RegisterTaskDefinitionRequest) -> bool {
    td.requires_compatibilities
        .iter()
        .flatten()
        .any(|c| *c == Compatibility::Fargate)
}

/// Whether `runtimePlatform.operatingSystemFamily` is a Windows family (`WINDOWS_SERVER_*`).
pub(crate) fn is_windows(td: &RegisterTaskDefinitionRequest) -> bool {
    td.runtime_platform
        .as_ref()
        .and_then(|p| p.operating_system_family.as_ref())
        .is_some_and(|family| family.as_str().starts_with("WINDOWS"))
}

/// The network mode a task gets, defaults applied.
///
/// [RegisterTaskDefinition](https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html):
/// "If no network mode is specified, the default is bridge" on Linux; Windows container
/// instances use their own `<default>` mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Network {
    /// `bridge`, or no mode on Linux.
    Bridge,
    /// `host`.
    Host,
    /// `awsvpc`.
    Awsvpc,
    /// `none`.
    Disabled,
    /// No mode on Windows: Docker's NAT network, which maps ports like bridge.
    WindowsDefault,
    /// A value the model does not list (the loader reported it); mode rules skip it.
    Unknown,
}

/// The network mode `td` runs in: its `networkMode`, or the default for its operating system.
pub(crate) fn network(td: &RegisterTaskDefinitionRequest) -> Network {
    match &td.network_mode {
        Some(NetworkMode::Bridge) => Network::Bridge,
        Some(NetworkMode::Host) => Network::Host,
        Some(NetworkMode::Awsvpc) => Network::Awsvpc,
        Some(NetworkMode::None) => Network::Disabled,
        Some(_) => Network::Unknown,
        None if is_windows(td) => Network::WindowsDefault,
        None => Network::Bridge,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A task definition with the required members and those of `members`.
    fn td(members: &str) -> RegisterTaskDefinitionRequest {
        let mut value: serde_json::Value = serde_json::from_str(members).expect("valid JSON");
        value["family"] = "f".into();
        value["containerDefinitions"] = serde_json::json!([]);
        serde_json::from_value(value).expect("a task definition")
    }

    #[test]
    fn network_mode_defaults_by_operating_system() {
        assert_eq!(network(&td(r#"{}"#)), Network::Bridge);
        assert_eq!(
            network(&td(
                r#"{"runtimePlatform": {"operatingSystemFamily": "WINDOWS_SERVER_2022_CORE"}}"#
            )),
            Network::WindowsDefault
        );
        assert_eq!(
            network(&td(r#"{"networkMode": "awsvpc"}"#)),
            Network::Awsvpc
        );
        assert_eq!(
            network(&td(r#"{"networkMode": "none"}"#)),
            Network::Disabled
        );
        assert_eq!(network(&td(r#"{"networkMode": "nat"}"#)), Network::Unknown);
    }

    #[test]
    fn fargate_and_arns() {
        assert!(requires_fargate(&td(
            r#"{"requiresCompatibilities": ["EC2", "FARGATE"]}"#
        )));
        assert!(!requires_fargate(&td(r#"{"requiresCompatibilities": []}"#)));
        assert!(is_fargate_provider("FARGATE_SPOT"));
        assert!(!is_fargate_provider("fargate"));
        assert!(is_arn("arn:aws:ecs:us-east-1:123456789012:cluster/demo"));
        assert!(!is_arn("demo"));
    }
}
