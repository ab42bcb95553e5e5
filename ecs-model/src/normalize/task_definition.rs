//! Normalization of RegisterTaskDefinition inputs. Each rule names its source; the module
//! documentation of [`crate::normalize`] has the whole table.

use crate::facts::{Network, network};
use crate::types::{
    ContainerDefinition, EFSAuthorizationConfigIAM, EFSTransitEncryption, HealthCheck,
    LinuxParameters, LogConfiguration, PortMapping, RegisterTaskDefinitionRequest,
    TransportProtocol, VersionConsistency, Volume,
};
use crate::units::{cpu_units, memory_mib};

use super::{drop_empty, drop_empty_enum, drop_empty_map, enum_order, sort_list, tags};

/// Normalizes a RegisterTaskDefinition input in place.
///
/// ```
/// use ecs_model::normalize;
/// use ecs_model::types::RegisterTaskDefinitionRequest;
///
/// let mut td: RegisterTaskDefinitionRequest = serde_json::from_str(
///     r#"{"family": "web", "cpu": "1 vCPU", "memory": "2 GB",
///         "containerDefinitions": [{"name": "web", "image": "nginx"}]}"#,
/// ).expect("valid JSON");
/// normalize::task_definition(&mut td);
/// assert_eq!(td.cpu.as_deref(), Some("1024"));
/// assert_eq!(td.memory.as_deref(), Some("2048"));
/// let web = &td.container_definitions.as_ref().expect("containers")[0];
/// assert_eq!(web.essential, Some(true));
/// assert_eq!(web.cpu, Some(0));
/// ```
pub fn task_definition(td: &mut RegisterTaskDefinitionRequest) {
    // "" where an enum belongs can only mean "not set": AWS rejects it (console exports write it).
    drop_empty_enum!(td.network_mode, NetworkMode);
    drop_empty_enum!(td.ipc_mode, IpcMode);
    drop_empty_enum!(td.pid_mode, PidMode);

    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html:
    // "String values are converted to an integer indicating the CPU units / the MiB".
    canonical(&mut td.cpu, cpu_units);
    canonical(&mut td.memory, memory_mib);

    // "If no network mode is specified, the default is bridge" on Linux
    // (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html);
    // a describe answer may state it or leave it out, and both mean bridge. Windows has another
    // default (`<default>`), which stays absent.
    if td.network_mode.is_none() && !crate::facts::is_windows(td) {
        td.network_mode = Some(crate::types::NetworkMode::Bridge);
    }

    let ports = HostPorts::of(td);
    if let Some(containers) = &mut td.container_definitions {
        for c in containers.iter_mut() {
            container(c, ports);
        }
        // Containers are addressed by their unique name (links, dependsOn, load balancers);
        // their order carries no meaning.
        containers.sort_by(|a, b| a.name.cmp(&b.name));
    }

    if let Some(volumes) = &mut td.volumes {
        volumes.iter_mut().for_each(volume);
    }
    // Volumes are addressed by their unique name. `[]` is what DescribeTaskDefinition answers
    // for a request without volumes
    // (https://docs.aws.amazon.com/cli/latest/reference/ecs/register-task-definition.html).
    sort_list(&mut td.volumes, |a, b| a.name.cmp(&b.name));
    // Every constraint must hold: a set. DescribeTaskDefinition answers `[]` when absent (as above).
    sort_list(&mut td.placement_constraints, |a, b| {
        enum_order(&a.r#type, &b.r#type, |t| t.as_str())
            .then_with(|| a.expression.cmp(&b.expression))
    });
    // The task definition is validated against each listed compatibility: a set.
    sort_list(&mut td.requires_compatibilities, |a, b| {
        a.as_str().cmp(b.as_str())
    });
    tags(&mut td.tags);
    drop_empty(&mut td.inference_accelerators);
    if let Some(proxy) = &mut td.proxy_configuration {
        // Proxy properties are name/value pairs handed to the proxy as a map.
        sort_list(&mut proxy.properties, |a, b| a.name.cmp(&b.name));
    }
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html:
    // enableFaultInjection "The default value is false".
    td.enable_fault_injection.get_or_insert(false);
}

/// How a task's network mode assigns host ports, which decides the normal form of `hostPort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostPorts {
    /// `awsvpc` and `host`: the host port is the container port.
    Static,
    /// `bridge`, and no network mode on Linux: `0` and absent both ask for a dynamic port.
    Dynamic,
    /// `none`, Windows' default mode, values this crate does not know: left as written.
    AsWritten,
}

impl HostPorts {
    fn of(td: &RegisterTaskDefinitionRequest) -> Self {
        match network(td) {
            Network::Awsvpc | Network::Host => HostPorts::Static,
            // `bridge`, or no network mode on Linux (see `network`).
            Network::Bridge => HostPorts::Dynamic,
            Network::Disabled | Network::WindowsDefault | Network::Unknown => HostPorts::AsWritten,
        }
    }
}

fn container(c: &mut ContainerDefinition, ports: HostPorts) {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html:
    // "If this parameter is omitted, a container is assumed to be essential."
    c.essential.get_or_insert(true);
    // Same page: null and zero CPU values are passed to Docker alike; DescribeTaskDefinition
    // answers `"cpu": 0` for a container registered without cpu.
    c.cpu.get_or_insert(0);
    // Same page: versionConsistency "By default, the value is enabled."
    c.version_consistency
        .get_or_insert(VersionConsistency::Enabled);

    if let Some(mappings) = &mut c.port_mappings {
        for m in mappings.iter_mut() {
            port_mapping(m, ports);
        }
    }
    // A set of bindings; nothing in ECS refers to a mapping by position.
    sort_list(&mut c.port_mappings, |a, b| {
        a.container_port
            .cmp(&b.container_port)
            .then_with(|| a.container_port_range.cmp(&b.container_port_range))
            .then_with(|| enum_order(&a.protocol, &b.protocol, |p| p.as_str()))
            .then_with(|| a.host_port.cmp(&b.host_port))
            .then_with(|| a.name.cmp(&b.name))
    });

    if let Some(environment) = &mut c.environment {
        // AWS drops a variable that has no value at registration
        // (https://github.com/aws-actions/amazon-ecs-deploy-task-definition/pull/224).
        // An entry with unknown members is kept whatever it holds.
        environment.retain(|kv| kv.value.is_some() || !kv.extra.is_empty());
    }
    // Docker receives the environment as a set of NAME=value; sorted stably by name, so that
    // duplicate names keep their relative order (the last one wins in Docker).
    sort_list(&mut c.environment, |a, b| a.name.cmp(&b.name));
    sort_list(&mut c.secrets, |a, b| a.name.cmp(&b.name));
    // sysctls are a map from namespace to value; ulimits a map from name to limits.
    sort_list(&mut c.system_controls, |a, b| a.namespace.cmp(&b.namespace));
    sort_list(&mut c.ulimits, |a, b| {
        enum_order(&a.name, &b.name, |n| n.as_str())
    });

    // Lists whose order means something, or may: only `[]` becomes absent. `entryPoint` keeps
    // `[]`: Docker tells an empty entry point (clears the image's) from none.
    drop_empty(&mut c.links);
    drop_empty(&mut c.command);
    drop_empty(&mut c.environment_files);
    drop_empty(&mut c.depends_on);
    drop_empty(&mut c.dns_servers);
    drop_empty(&mut c.dns_search_domains);
    drop_empty(&mut c.extra_hosts);
    drop_empty(&mut c.docker_security_options);
    drop_empty(&mut c.resource_requirements);
    drop_empty(&mut c.credential_specs);
    drop_empty_map(&mut c.docker_labels);

    if let Some(mounts) = &mut c.mount_points {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_MountPoint.html:
        // readOnly "The default value is false."
        for m in mounts.iter_mut() {
            m.read_only.get_or_insert(false);
        }
    }
    drop_empty(&mut c.mount_points);
    if let Some(from) = &mut c.volumes_from {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_VolumeFrom.html:
        // readOnly "The default value is false."
        for v in from.iter_mut() {
            v.read_only.get_or_insert(false);
        }
    }
    drop_empty(&mut c.volumes_from);

    if let Some(check) = &mut c.health_check {
        health_check(check);
    }
    if let Some(policy) = &mut c.restart_policy {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerRestartPolicy.html:
        // "By default, a container must run for 300 seconds before it can be restarted."
        policy.restart_attempt_period.get_or_insert(300);
        drop_empty(&mut policy.ignored_exit_codes);
    }
    if let Some(log) = &mut c.log_configuration {
        log_configuration(log);
    }
    if let Some(firelens) = &mut c.firelens_configuration {
        drop_empty_map(&mut firelens.options);
    }
    if let Some(linux) = &mut c.linux_parameters {
        linux_parameters(linux);
    }
}

fn port_mapping(m: &mut PortMapping, ports: HostPorts) {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html:
    // protocol "The default is tcp."
    m.protocol.get_or_insert(TransportProtocol::Tcp);
    match ports {
        // Same page: with awsvpc or host, "the hostPort can either be left blank or set to the
        // same value as the containerPort". A range has no single port; left alone.
        HostPorts::Static if m.container_port_range.is_none() && m.host_port.is_none() => {
            m.host_port = m.container_port;
        }
        // Same page: with bridge, "omit the hostPort (or set it to 0)" for a dynamic port.
        HostPorts::Dynamic if m.host_port == Some(0) => m.host_port = None,
        _ => {}
    }
}

fn health_check(check: &mut HealthCheck) {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html:
    // interval "The default value is 30 seconds", timeout "The default value is 5",
    // retries "The default value is 3"; startPeriod "By default, the startPeriod is off".
    check.interval.get_or_insert(30);
    check.timeout.get_or_insert(5);
    check.retries.get_or_insert(3);
}

fn log_configuration(log: &mut LogConfiguration) {
    // A log configuration stays as written (absent stays absent); only its empty collections go.
    drop_empty_map(&mut log.options);
    sort_list(&mut log.secret_options, |a, b| a.name.cmp(&b.name));
}

fn linux_parameters(linux: &mut LinuxParameters) {
    if let Some(capabilities) = &mut linux.capabilities {
        drop_empty(&mut capabilities.add);
        drop_empty(&mut capabilities.drop);
    }
    // Capabilities that add and drop nothing are no capabilities.
    if linux
        .capabilities
        .as_ref()
        .is_some_and(|c| c.add.is_none() && c.drop.is_none() && c.extra.is_empty())
    {
        linux.capabilities = None;
    }
    drop_empty(&mut linux.devices);
    if let Some(tmpfs) = &mut linux.tmpfs {
        for t in tmpfs.iter_mut() {
            drop_empty(&mut t.mount_options);
        }
    }
    drop_empty(&mut linux.tmpfs);
}

fn volume(v: &mut Volume) {
    // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HostVolumeProperties.html:
    // with an empty host "the Docker daemon has assigned a host path for you", as without one.
    if v.host
        .as_ref()
        .is_some_and(|h| h.source_path.is_none() && h.extra.is_empty())
    {
        v.host = None;
    }
    if let Some(docker) = &mut v.docker_volume_configuration {
        drop_empty_map(&mut docker.driver_opts);
        drop_empty_map(&mut docker.labels);
    }
    if let Some(efs) = &mut v.efs_volume_configuration {
        // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html:
        // rootDirectory "Specifying / will have the same effect as omitting this parameter";
        // transitEncryption "If this parameter is omitted, the default value of DISABLED is used".
        efs.root_directory.get_or_insert_with(|| "/".to_owned());
        efs.transit_encryption
            .get_or_insert(EFSTransitEncryption::Disabled);
        if let Some(auth) = &mut efs.authorization_config {
            // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSAuthorizationConfig.html:
            // iam "If this parameter is omitted, the default value of DISABLED is used".
            auth.iam.get_or_insert(EFSAuthorizationConfigIAM::Disabled);
        }
    }
}

/// Rewrites `value` to the plain number `parse` reads from it; leaves it alone when it is
/// already plain or when `parse` cannot read it (validation reports that).
fn canonical(value: &mut Option<String>, parse: fn(&str) -> Option<u64>) {
    let Some(text) = value else {
        return;
    };
    if is_plain(text) {
        return;
    }
    if let Some(number) = parse(text) {
        *text = number.to_string();
    }
}

/// Whether `text` is already a plain decimal number without leading zeros: no allocation then.
fn is_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.iter().all(u8::is_ascii_digit)
        && (bytes.len() == 1 || bytes[0] != b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_rewrites_only_when_needed() {
        let mut value = Some("1 vCPU".to_owned());
        canonical(&mut value, cpu_units);
        assert_eq!(value.as_deref(), Some("1024"));
        let mut value = Some("about one".to_owned());
        canonical(&mut value, cpu_units);
        assert_eq!(value.as_deref(), Some("about one"));
        let mut value = Some("0".to_owned());
        canonical(&mut value, cpu_units);
        assert_eq!(value.as_deref(), Some("0"));
        let mut value = None;
        canonical(&mut value, memory_mib);
        assert_eq!(value, None);
    }
}
