//! Planning an unchanged stack of 1,000 services across 10 clusters on the local endpoint: the
//! API calls by operation and the wall time.
//!
//! ```sh
//! cargo bench -p ecs-deploy --bench plan_unchanged
//! ```
//!
//! Observation must use the batch minimum: 1 DescribeClusters (up to 100 clusters), 100
//! DescribeServices (10 per call), one DescribeTaskDefinition per family. The program exits
//! with an error when the counts are not exactly that; it prints the time and never judges it.
//! Under `cargo test` (no `--bench` argument) it runs the same check on 2 clusters of 10
//! services, quickly.

#[path = "../tests/integration/support/mod.rs"]
mod support;

use std::process::ExitCode;
use std::time::Instant;

use ecs_deploy::{ApplyOptions, Deployer, Operation, Options};
use ecs_model::Stack;
use ecs_model::load::from_value;
use serde_json::json;

const FAMILIES: usize = 10;

fn stack(clusters: usize, services_per_cluster: usize) -> Stack {
    let families: Vec<_> = (0..FAMILIES)
        .map(|f| {
            json!({
                "family": format!("app-{f}"),
                "containerDefinitions": [{"name": "app", "image": format!("nginx:1.{f}"), "memory": 128}]
            })
        })
        .collect();
    let cluster_list: Vec<_> = (0..clusters)
        .map(|c| json!({"clusterName": format!("bench-{c}")}))
        .collect();
    let mut services = Vec::new();
    for c in 0..clusters {
        for s in 0..services_per_cluster {
            services.push(json!({
                "serviceName": format!("svc-{s:03}"),
                "cluster": format!("bench-{c}"),
                "taskDefinition": format!("app-{}", s % FAMILIES),
                "desiredCount": 1,
                "launchType": "EC2"
            }));
        }
    }
    from_value::<Stack>(&json!({
        "clusters": cluster_list, "taskDefinitions": families, "services": services
    }))
    .value
    .unwrap_or_default()
}

#[tokio::main]
async fn main() -> ExitCode {
    let full = std::env::args().any(|a| a == "--bench");
    let (clusters, per_cluster) = if full { (10, 100) } else { (2, 10) };
    let desired = stack(clusters, per_cluster);
    let account = if full { "600000000001" } else { "600000000002" };

    let creating = Deployer::new(support::ecs(account).await, Options::new("bench"))
        .apply_options(ApplyOptions::no_wait());
    let started = Instant::now();
    let plan = match creating.plan(&desired).await {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("plan failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(e) = creating.apply(&plan, |_| {}).await {
        eprintln!("apply failed: {e}");
        return ExitCode::FAILURE;
    }
    println!(
        "created {clusters} clusters, {FAMILIES} task definitions, {} services in {:.1} s",
        clusters * per_cluster,
        started.elapsed().as_secs_f64()
    );

    let planning = Deployer::new(support::ecs(account).await, Options::new("bench"));
    let started = Instant::now();
    let plan = match planning.plan(&desired).await {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("plan failed: {e}");
            return ExitCode::FAILURE;
        }
    };
    let elapsed = started.elapsed();
    println!(
        "plan of the unchanged stack: {} changes, {:.3} s wall time",
        plan.changes
            .iter()
            .filter(|c| c.action != ecs_deploy::Action::NoChange)
            .count(),
        elapsed.as_secs_f64()
    );
    let calls = planning.ecs().calls();
    println!("{:<28} {:>6}", "operation", "calls");
    for (operation, count) in &calls {
        println!("{:<28} {count:>6}", operation.name());
    }
    let expected = [
        (Operation::DescribeClusters, clusters.div_ceil(100) as u64),
        (
            Operation::DescribeServices,
            (clusters * per_cluster.div_ceil(10)) as u64,
        ),
        (Operation::DescribeTaskDefinition, FAMILIES as u64),
    ];
    let minimal =
        calls.len() == expected.len() && expected.iter().all(|(op, n)| calls.get(op) == Some(n));
    if plan.has_changes() || !minimal {
        eprintln!("error: expected no change and exactly {expected:?}");
        return ExitCode::FAILURE;
    }
    println!("calls at the batch minimum");
    ExitCode::SUCCESS
}
