//! Every task definition of the public corpus that the local endpoint accepts, registered through
//! a stack and planned again, plans no change: AWS's defaults (and the endpoint's additions)
//! never show as a difference.

use crate::support;

use std::path::Path;

use ecs_deploy::{Action, ApplyOptions, Deployer, Options, PlanError};
use ecs_model::Stack;
use ecs_model::document::parse;

/// Differences only the local endpoint causes: moto changes these members on register, where
/// ECS keeps what was sent. Listed so the test fails both on any other difference and when
/// moto stops causing these.
const MOTO_GAPS: &[(&str, &str, &str)] = &[(
    "awsdocs-external-anywhere-minimal.json",
    "networkMode",
    "moto counts requiresCompatibilities [EXTERNAL] as Fargate-compatible and forces awsvpc",
)];

/// Files the rule set rejects (no family), so they never reach AWS.
const INVALID: &[&str] = &["awsdocs-firelens-depends-on-start.json"];

#[tokio::test]
async fn registered_corpus_task_definitions_plan_no_change() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/corpus/task-definitions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut checked = 0;
    let mut refused = Vec::new();
    for (index, path) in files.iter().enumerate() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).expect("read");
        let stack: Stack = parse(&text, None)
            .value
            .map(|d| d.to_stack())
            .expect("a document");
        assert_eq!(stack.task_definitions.len(), 1, "{name}");
        // One moto account per file: families repeat across the corpus.
        let ecs = support::ecs(&format!("5000000{index:05}")).await;
        let deployer =
            Deployer::new(ecs, Options::new("corpus")).apply_options(ApplyOptions::no_wait());
        let plan = match deployer.plan(&stack).await {
            Ok(plan) => plan,
            Err(PlanError::Invalid(errors)) => {
                assert_eq!(
                    deployer.ecs().calls().len(),
                    0,
                    "{name}: no call for an invalid stack"
                );
                refused.push((name.to_owned(), format!("{errors:?}")));
                continue;
            }
            Err(error) => panic!("{name}: {error}"),
        };
        deployer.apply(&plan, |_| {}).await.expect("apply");
        let again = deployer.plan(&stack).await.expect("plan again");
        let gaps: Vec<&str> = MOTO_GAPS
            .iter()
            .filter(|(file, _, _)| *file == name)
            .map(|(_, path, _)| *path)
            .collect();
        for change in &again.changes {
            let paths: Vec<String> = change.fields.iter().map(|f| f.path.to_string()).collect();
            if gaps.is_empty() {
                assert_eq!(
                    change.action,
                    Action::NoChange,
                    "{name}: {}: {:#?}",
                    change.address,
                    change.fields
                );
            } else {
                assert_eq!(paths, gaps, "{name}: only the known moto gaps differ");
            }
        }
        checked += 1;
    }
    let refused_names: Vec<&str> = refused.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(refused_names, INVALID, "refused: {refused:#?}");
    assert_eq!(checked, files.len() - INVALID.len());
    assert!(checked >= 15, "only {checked} task definitions checked");
}
