//! Capacity provider strategies: a service's `capacityProviderStrategy` and a cluster's
//! `defaultCapacityProviderStrategy` follow the same rules, checked here once.

use std::collections::HashMap;

use crate::diagnostic::{Diagnostic, JsonPath, Severity};
use crate::facts::is_fargate_provider;
use crate::types::CapacityProviderStrategyItem;

use super::super::Rule;

const ITEM_DOC: &str = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html";

/// At most 20 capacity providers in one strategy.
pub(crate) const STRATEGY_LIMIT: Rule = Rule {
    code: "capacity-provider-strategy-limit",
    severity: Severity::Error,
    summary: "A capacity provider strategy lists at most 20 capacity providers.",
    doc: ITEM_DOC,
    cross_field: false,
};

/// `base` is 0 to 100,000 and `weight` 0 to 1,000.
pub(crate) const STRATEGY_RANGE: Rule = Rule {
    code: "capacity-provider-strategy-range",
    severity: Severity::Error,
    summary: "A strategy item's `base` is 0 to 100,000 and its `weight` 0 to 1,000.",
    doc: ITEM_DOC,
    cross_field: false,
};

/// Only one item may have a base.
pub(crate) const STRATEGY_BASE: Rule = Rule {
    code: "capacity-provider-strategy-base",
    severity: Severity::Error,
    summary: "Only one capacity provider of a strategy has a `base` above 0.",
    doc: ITEM_DOC,
    cross_field: false,
};

/// Several providers with all weights 0 place no task.
pub(crate) const STRATEGY_WEIGHT: Rule = Rule {
    code: "capacity-provider-strategy-weight",
    severity: Severity::Error,
    summary: "When a strategy lists several capacity providers, at least one has a `weight` above 0.",
    doc: ITEM_DOC,
    cross_field: false,
};

/// Fargate and Auto Scaling group providers do not mix.
pub(crate) const STRATEGY_MIXED: Rule = Rule {
    code: "capacity-provider-strategy-mixed",
    severity: Severity::Error,
    summary: "A strategy uses either the Fargate capacity providers or other capacity providers, not both.",
    doc: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html",
    cross_field: false,
};

/// Each provider appears once.
pub(crate) const STRATEGY_DUPLICATE: Rule = Rule {
    code: "capacity-provider-strategy-duplicate",
    severity: Severity::Error,
    summary: "Each capacity provider appears once in a strategy.",
    doc: ITEM_DOC,
    cross_field: false,
};

/// Whether any item of the strategy names a Fargate capacity provider.
pub(crate) fn uses_fargate(items: &[CapacityProviderStrategyItem]) -> bool {
    items
        .iter()
        .filter_map(|item| item.capacity_provider.as_deref())
        .any(is_fargate_provider)
}

/// Checks a capacity provider strategy found at `path`.
pub(crate) fn check_strategy(
    items: &[CapacityProviderStrategyItem],
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if items.len() > 20 {
        out.push(
            STRATEGY_LIMIT
                .at(
                    path.clone(),
                    format!(
                        "{} capacity providers; a strategy takes at most 20",
                        items.len()
                    ),
                )
                .with_hint("keep 20 capacity providers or fewer"),
        );
    }
    for (i, item) in items.iter().enumerate() {
        check_ranges(item, &path.clone().index(i), out);
    }
    check_bases(items, path, out);
    check_weights(items, path, out);
    check_mix(items, path, out);
    check_duplicates(items, path, out);
}

fn check_ranges(item: &CapacityProviderStrategyItem, at: &JsonPath, out: &mut Vec<Diagnostic>) {
    if let Some(base) = item.base.filter(|b| !(0..=100_000).contains(b)) {
        out.push(
            STRATEGY_RANGE
                .at(
                    at.clone().key("base"),
                    format!("base is {base}; it must be 0 to 100000"),
                )
                .with_hint("use a base of 0 to 100000 tasks"),
        );
    }
    if let Some(weight) = item.weight.filter(|w| !(0..=1000).contains(w)) {
        out.push(
            STRATEGY_RANGE
                .at(
                    at.clone().key("weight"),
                    format!("weight is {weight}; it must be 0 to 1000"),
                )
                .with_hint("use a weight of 0 to 1000"),
        );
    }
}

fn provider_label(item: &CapacityProviderStrategyItem) -> &str {
    item.capacity_provider.as_deref().unwrap_or("(unnamed)")
}

fn check_bases(items: &[CapacityProviderStrategyItem], path: &JsonPath, out: &mut Vec<Diagnostic>) {
    let mut first: Option<&CapacityProviderStrategyItem> = None;
    for (i, item) in items.iter().enumerate() {
        if item.base.unwrap_or(0) <= 0 {
            continue;
        }
        match first {
            None => first = Some(item),
            Some(earlier) => out.push(
                STRATEGY_BASE
                    .at(
                        path.clone().index(i).key("base"),
                        format!(
                            "`{}` and `{}` both have a base; only one capacity provider may",
                            provider_label(earlier),
                            provider_label(item)
                        ),
                    )
                    .with_hint("keep the base on one capacity provider and set the others to 0"),
            ),
        }
    }
}

fn check_weights(
    items: &[CapacityProviderStrategyItem],
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    if items.len() > 1 && items.iter().all(|item| item.weight.unwrap_or(0) <= 0) {
        out.push(
            STRATEGY_WEIGHT
                .at(
                    path.clone(),
                    format!(
                        "all {} capacity providers have weight 0, so no task can be placed",
                        items.len()
                    ),
                )
                .with_hint("give at least one capacity provider a weight of 1 or more"),
        );
    }
}

fn check_mix(items: &[CapacityProviderStrategyItem], path: &JsonPath, out: &mut Vec<Diagnostic>) {
    let named: Vec<(usize, &str)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, item)| item.capacity_provider.as_deref().map(|name| (i, name)))
        .collect();
    let Some(&(_, first)) = named.first() else {
        return;
    };
    let fargate = is_fargate_provider(first);
    if let Some(&(i, other)) = named
        .iter()
        .find(|(_, name)| is_fargate_provider(name) != fargate)
    {
        out.push(
            STRATEGY_MIXED
                .at(
                    path.clone().index(i).key("capacityProvider"),
                    format!("`{first}` and `{other}` are mixed in one strategy"),
                )
                .with_hint(
                    "use only FARGATE and FARGATE_SPOT, or only Auto Scaling group and managed \
                     instances capacity providers",
                ),
        );
    }
}

fn check_duplicates(
    items: &[CapacityProviderStrategyItem],
    path: &JsonPath,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        let Some(name) = item.capacity_provider.as_deref() else {
            continue;
        };
        let first = *seen.entry(name).or_insert(i);
        if first != i {
            out.push(
                STRATEGY_DUPLICATE
                    .at(
                        path.clone().index(i).key("capacityProvider"),
                        format!("`{name}` is listed again (first at item {first})"),
                    )
                    .with_hint("list each capacity provider once, with its base and weight"),
            );
        }
    }
}
