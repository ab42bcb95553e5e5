//! Rules for a service's `placementStrategy` and `placementConstraints`.

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::is_daemon;
use crate::types::{
    CreateServiceRequest, PlacementConstraint, PlacementConstraintType, PlacementStrategy,
    PlacementStrategyType,
};

use super::super::Rule;
use super::runs_on_fargate;

const CREATE_SERVICE_DOC: &str =
    "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html";

/// At most 5 placement strategy rules.
pub(crate) const STRATEGY_LIMIT: Rule = Rule {
    code: "service-placement-strategy-limit",
    severity: Severity::Error,
    summary: "A service has at most 5 placement strategy rules.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// At most 10 placement constraints.
pub(crate) const CONSTRAINT_LIMIT: Rule = Rule {
    code: "service-placement-constraint-limit",
    severity: Severity::Error,
    summary: "A service has at most 10 placement constraints.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// A constraint's expression fits its type.
pub(crate) const CONSTRAINT_EXPRESSION: Rule = Rule {
    code: "service-placement-constraint-expression",
    severity: Severity::Error,
    summary: "A memberOf constraint has an expression of at most 2000 characters; a distinctInstance constraint has none.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PlacementConstraint.html",
    cross_field: false,
};

/// binpack works on cpu or memory.
pub(crate) const STRATEGY_FIELD: Rule = Rule {
    code: "service-placement-strategy-field",
    severity: Severity::Error,
    summary: "A binpack placement strategy's field is `cpu` or `memory`.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PlacementStrategy.html",
    cross_field: false,
};

/// Fargate does not take placement strategies or constraints.
pub(crate) const FARGATE: Rule = Rule {
    code: "service-placement-fargate",
    severity: Severity::Error,
    summary: "Task placement strategies and constraints are not supported on Fargate.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html",
    cross_field: false,
};

/// DAEMON services take no placement strategy.
pub(crate) const DAEMON_STRATEGY: Rule = Rule {
    code: "service-daemon-placement-strategy",
    severity: Severity::Error,
    summary: "A DAEMON service has no placement strategy: it places one task on each instance.",
    doc: CREATE_SERVICE_DOC,
    cross_field: false,
};

/// Checks the placement members of a service.
pub(crate) fn check(service: &CreateServiceRequest, out: &mut Vec<Diagnostic>) {
    let strategies = service.placement_strategy.as_deref().unwrap_or_default();
    let constraints = service.placement_constraints.as_deref().unwrap_or_default();
    let strategy_path = JsonPath::root().key("placementStrategy");
    let constraint_path = JsonPath::root().key("placementConstraints");
    check_strategies(strategies, &strategy_path, out);
    check_constraints(constraints, &constraint_path, out);
    if runs_on_fargate(service) {
        for (path, count, what) in [
            (
                strategy_path.clone(),
                strategies.len(),
                "placement strategy rules",
            ),
            (constraint_path, constraints.len(), "placement constraints"),
        ] {
            if count > 0 {
                out.push(
                    FARGATE
                        .at(path, format!("{count} {what} on a Fargate service"))
                        .with_hint(
                            "remove them: Fargate spreads tasks across Availability Zones itself",
                        ),
                );
            }
        }
    }
    if is_daemon(service) && !strategies.is_empty() {
        out.push(
            DAEMON_STRATEGY
                .at(
                    strategy_path,
                    format!(
                        "a DAEMON service has {} placement strategy rules",
                        strategies.len()
                    ),
                )
                .with_hint(
                    "remove placementStrategy; use placementConstraints to choose instances",
                ),
        );
    }
}

fn check_strategies(strategies: &[PlacementStrategy], path: &JsonPath, out: &mut Vec<Diagnostic>) {
    if strategies.len() > 5 {
        out.push(
            STRATEGY_LIMIT
                .at(
                    path.clone(),
                    format!(
                        "{} placement strategy rules; AWS allows at most 5",
                        strategies.len()
                    ),
                )
                .with_hint("keep the 5 rules that matter most, in order of priority"),
        );
    }
    for (i, strategy) in strategies.iter().enumerate() {
        if !matches!(strategy.r#type, Some(PlacementStrategyType::Binpack)) {
            continue;
        }
        let field = strategy.field.as_deref().unwrap_or_default();
        if !matches!(field, "cpu" | "memory") {
            out.push(
                STRATEGY_FIELD
                    .at(
                        path.clone().index(i).key("field"),
                        format!("binpack on `{field}`; binpack takes `cpu` or `memory`"),
                    )
                    .with_hint("set field to cpu or memory, or use spread for other attributes"),
            );
        }
    }
}

fn check_constraints(
    constraints: &[PlacementConstraint],
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if constraints.len() > 10 {
        out.push(
            CONSTRAINT_LIMIT
                .at(
                    path.clone(),
                    format!(
                        "{} placement constraints; AWS allows at most 10",
                        constraints.len()
                    ),
                )
                .with_hint("combine memberOf expressions with `and`, or drop constraints"),
        );
    }
    for (i, constraint) in constraints.iter().enumerate() {
        check_expression(constraint, &path.clone().index(i), out);
    }
}

fn check_expression(constraint: &PlacementConstraint, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    let expression = constraint.expression.as_deref().filter(|e| !e.is_empty());
    match (&constraint.r#type, expression) {
        (Some(PlacementConstraintType::DistinctInstance), Some(_)) => out.push(
            CONSTRAINT_EXPRESSION
                .at(
                    at.clone().key("expression"),
                    "a distinctInstance constraint has an expression",
                )
                .with_hint("remove the expression, or use type memberOf"),
        ),
        (Some(PlacementConstraintType::MemberOf), None) => out.push(
            CONSTRAINT_EXPRESSION
                .at(at.clone(), "a memberOf constraint has no expression")
                .with_hint("add a cluster query language expression, such as attribute:ecs.instance-type =~ t3.*"),
        ),
        _ => {}
    }
    if let Some(len) = expression.map(|e| e.chars().count()).filter(|n| *n > 2000) {
        out.push(
            CONSTRAINT_EXPRESSION
                .at(
                    at.clone().key("expression"),
                    format!("the expression is {len} characters; the limit is 2000"),
                )
                .with_hint("shorten the expression, or split it into several constraints"),
        );
    }
}
