//! The clients of the APIs the engine only reads, never changes: ECR, IAM, Secrets Manager, SSM
//! (for `verify`) and CloudWatch Logs (`verify`, and the last log lines of failure reports),
//! each behind its cargo feature. A [`Deployer`](crate::Deployer) holds one [`Readers`] and
//! hands its clients to [`Clients`] with the others.

use super::Clients;

/// The read-only clients a deployer holds, each `None` when the deployer was made without it
/// (or its feature is off).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Readers {
    /// ECR (the `ecr` feature).
    #[cfg(feature = "ecr")]
    pub ecr: Option<super::ecr::Ecr>,
    /// IAM (the `iam` feature).
    #[cfg(feature = "iam")]
    pub iam: Option<super::iam::Iam>,
    /// Secrets Manager (the `secrets-manager` feature).
    #[cfg(feature = "secrets-manager")]
    pub secrets_manager: Option<super::secrets_manager::SecretsManager>,
    /// SSM (the `ssm` feature).
    #[cfg(feature = "ssm")]
    pub ssm: Option<super::ssm::Ssm>,
    /// CloudWatch Logs (the `logs` feature).
    #[cfg(feature = "logs")]
    pub logs: Option<super::logs::Logs>,
}

impl Readers {
    /// Every client of the features on, made from `config` with the engine's `retries`.
    #[cfg_attr(
        not(any(
            feature = "ecr",
            feature = "iam",
            feature = "secrets-manager",
            feature = "ssm",
            feature = "logs"
        )),
        allow(unused_variables)
    )]
    pub fn from_config(config: &aws_types::SdkConfig, retries: super::Retries) -> Self {
        Self {
            #[cfg(feature = "ecr")]
            ecr: Some(super::ecr::Ecr::new(config).retries(retries)),
            #[cfg(feature = "iam")]
            iam: Some(super::iam::Iam::new(config).retries(retries)),
            #[cfg(feature = "secrets-manager")]
            secrets_manager: Some(
                super::secrets_manager::SecretsManager::new(config).retries(retries),
            ),
            #[cfg(feature = "ssm")]
            ssm: Some(super::ssm::Ssm::new(config).retries(retries)),
            #[cfg(feature = "logs")]
            logs: Some(super::logs::Logs::new(config).retries(retries)),
        }
    }

    /// `clients` with these clients added.
    pub fn add_to(&self, clients: Clients) -> Clients {
        #[cfg(feature = "ecr")]
        let clients = match &self.ecr {
            Some(c) => clients.ecr(c.clone()),
            None => clients,
        };
        #[cfg(feature = "iam")]
        let clients = match &self.iam {
            Some(c) => clients.iam(c.clone()),
            None => clients,
        };
        #[cfg(feature = "secrets-manager")]
        let clients = match &self.secrets_manager {
            Some(c) => clients.secrets_manager(c.clone()),
            None => clients,
        };
        #[cfg(feature = "ssm")]
        let clients = match &self.ssm {
            Some(c) => clients.ssm(c.clone()),
            None => clients,
        };
        #[cfg(feature = "logs")]
        let clients = match &self.logs {
            Some(c) => clients.logs(c.clone()),
            None => clients,
        };
        clients
    }
}
