//! The EC2 client that answers the look-ups (the `ec2` feature, on by default): the calls of
//! [`Network::resolve`], batched as the [parent module](super) plans them.

use aws_sdk_ec2::config::http::HttpResponse;
use aws_sdk_ec2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_ec2::types::Filter;
use aws_types::request_id::RequestId as _;

use super::*;
use crate::aws::CallCount;

fn name_tag(tags: &[aws_sdk_ec2::types::Tag]) -> Option<String> {
    tags.iter()
        .find(|t| t.key() == Some("Name"))
        .and_then(|t| t.value())
        .map(str::to_owned)
}

/// The EC2 client that resolves lookups: the SDK client, and a count of the calls made per
/// operation.
#[derive(Debug, Clone)]
pub struct Network {
    client: aws_sdk_ec2::Client,
    calls: CallCount<Ec2Operation>,
}

impl Network {
    /// A client from an SDK configuration (credentials, region, endpoint, retries), such as the
    /// one `aws_config::load_defaults` returns: the same one the ECS client is made from.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(aws_sdk_ec2::Client::new(config))
    }

    /// A client around an SDK client built by the caller.
    pub fn from_client(client: aws_sdk_ec2::Client) -> Self {
        Self {
            client,
            calls: CallCount::default(),
        }
    }

    /// How many calls were made, per operation, since this client was made (each page counts;
    /// retries of one call count once).
    pub fn calls(&self) -> BTreeMap<Ec2Operation, u64> {
        self.calls.get()
    }

    /// Rewrites every lookup of `stack` (in its services' and scheduled tasks' awsvpc
    /// configurations and its target groups' `VpcId`) to IDs, as the [module](super) describes,
    /// and reports what it rewrote. A stack without lookups makes no call. On error, `stack` is
    /// left as it was.
    pub async fn resolve(&self, stack: &mut Stack) -> Result<Resolved, NetworkError> {
        let (lookups, invalid) = scan(stack);
        if !invalid.is_empty() {
            return Err(NetworkError::Lookups(invalid));
        }
        if lookups.is_empty() {
            return Ok(Resolved::default());
        }
        let requests = requests(&lookups);
        let answers = futures::future::try_join_all(requests.iter().map(|r| self.fetch(r))).await?;
        let mut found = Found::default();
        for answer in answers {
            found.vpcs.extend(answer.vpcs);
            found.subnets.extend(answer.subnets);
            found.groups.extend(answer.groups);
        }
        let resolved = resolutions(lookups, &found).map_err(NetworkError::Lookups)?;
        rewrite(stack, &resolved);
        Ok(resolved)
    }

    /// Rewrites the `Vpc` of each private DNS namespace of `stack` written as a lookup to the
    /// VPC's id: `default` is the region's default VPC (DescribeVpcs `is-default = true`),
    /// `name:NAME` the VPC whose `Name` tag is NAME (`tag:Name`); each must match exactly one.
    /// An id (`vpc-...`) is left as it is, and a stack without lookups makes no call. On error,
    /// `stack` is left as it was.
    pub async fn resolve_vpcs(&self, stack: &mut Stack) -> Result<(), NetworkError> {
        let mut resolved = Vec::new();
        for (index, namespace) in stack.namespaces.iter().enumerate() {
            let ecs_model::Namespace::PrivateDns(input) = namespace else {
                continue;
            };
            let Some(lookup) = input.vpc.clone() else {
                continue;
            };
            let (filter, value) = if lookup == "default" {
                ("is-default", "true".to_owned())
            } else if let Some(name) = lookup.strip_prefix("name:") {
                ("tag:Name", name.to_owned())
            } else {
                continue;
            };
            let request = Request {
                operation: Ec2Operation::DescribeVpcs,
                filter,
                values: vec![value],
            };
            let found: Vec<String> = self.fetch(&request).await?.vpcs.into_keys().collect();
            match found.as_slice() {
                [id] => resolved.push((index, id.clone())),
                _ => {
                    return Err(NetworkError::Vpc {
                        namespace: input.name.clone().unwrap_or_default(),
                        lookup,
                        found,
                    });
                }
            }
        }
        for (index, id) in resolved {
            if let Some(ecs_model::Namespace::PrivateDns(input)) = stack.namespaces.get_mut(index) {
                input.vpc = Some(id);
            }
        }
        Ok(())
    }

    fn count(&self, operation: Ec2Operation) {
        self.calls.add(operation);
    }

    /// Makes one request, following EC2's pages.
    async fn fetch(&self, request: &Request) -> Result<Found, NetworkError> {
        let filter = Filter::builder()
            .name(request.filter)
            .set_values(Some(request.values.clone()))
            .build();
        let operation = request.operation;
        let mut found = Found::default();
        let mut token: Option<String> = None;
        // The three operations differ only in their names and outputs.
        macro_rules! send {
            ($method:ident) => {
                self.client
                    .$method()
                    .filters(filter.clone())
                    .set_next_token(token.take())
                    .send()
                    .await
                    .map_err(|e| classify(operation, e))?
            };
        }
        loop {
            self.count(operation);
            let next = match operation {
                Ec2Operation::DescribeVpcs => {
                    let out = send!(describe_vpcs);
                    for vpc in out.vpcs() {
                        let Some(id) = vpc.vpc_id() else {
                            continue;
                        };
                        let record = Vpc {
                            is_default: vpc.is_default() == Some(true),
                            name_tag: name_tag(vpc.tags()),
                        };
                        found.vpcs.insert(id.to_owned(), record);
                    }
                    out.next_token().map(str::to_owned)
                }
                Ec2Operation::DescribeSubnets => {
                    let out = send!(describe_subnets);
                    for subnet in out.subnets() {
                        let Some(id) = subnet.subnet_id() else {
                            continue;
                        };
                        let record = Subnet {
                            zone: subnet.availability_zone().unwrap_or_default().to_owned(),
                            default_for_az: subnet.default_for_az() == Some(true),
                            name_tag: name_tag(subnet.tags()),
                        };
                        found.subnets.insert(id.to_owned(), record);
                    }
                    out.next_token().map(str::to_owned)
                }
                Ec2Operation::DescribeSecurityGroups => {
                    let out = send!(describe_security_groups);
                    for group in out.security_groups() {
                        let Some(id) = group.group_id() else {
                            continue;
                        };
                        let record = Group {
                            vpc: group.vpc_id().unwrap_or_default().to_owned(),
                            group_name: group.group_name().unwrap_or_default().to_owned(),
                            name_tag: name_tag(group.tags()),
                        };
                        found.groups.insert(id.to_owned(), record);
                    }
                    out.next_token().map(str::to_owned)
                }
            };
            match next {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(found),
            }
        }
    }
}

/// Classifies an SDK error by its modelled error code, never by its message.
fn classify<E>(operation: Ec2Operation, error: SdkError<E, HttpResponse>) -> NetworkError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error.code() {
        Some(code) => NetworkError::Service {
            operation,
            code: code.to_owned(),
            message: error.message().unwrap_or_default().to_owned(),
            request_id: error
                .request_id()
                .or_else(|| error.meta().request_id())
                .map(str::to_owned),
        },
        None => NetworkError::Transport {
            operation,
            source: Box::new(error),
        },
    }
}
