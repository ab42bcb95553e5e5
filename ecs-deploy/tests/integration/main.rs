//! The integration tests of ecs-deploy, as one test binary (each binary would link the AWS SDK
//! on its own): one module per capability or CLI command, sharing the local ECS endpoint
//! that `support` starts.

mod support;

mod adopt_more;
mod autoscaling;
mod aws_passthrough;
mod capacity_providers;
mod cli_deploy;
mod cli_files;
mod cli_graph;
mod cli_render;
mod cli_rollback;
mod cli_validate;
mod cli_vars;
mod cloud_map;
mod corpus_no_perpetual_diff;
mod daemons;
mod deploy;
mod deployment_strategies;
mod example_deploy;
mod example_stack;
mod failure_reports;
mod import;
mod interrupted;
mod library;
mod load_balancing;
mod network;
mod plan_aws_defaults;
mod prune;
mod resilience;
mod rollback;
mod rollout;
mod run_task;
mod saved_plans;
mod schedules;
mod scripted;
mod service_connect;
mod verify;
