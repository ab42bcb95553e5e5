//! Saved plans: a plan written to a file for review, then applied exactly as reviewed.
//!
//! `ecs-deploy plan --out FILE` writes a [`SavedPlan`]; `ecs-deploy apply FILE` reads it, reads
//! AWS again, plans the saved stack again with the saved options, and applies only when every
//! change is the one that was saved: a change is compared through a digest (SHA-256) of its
//! full content, unredacted (the members that change with their values, the members kept, the
//! reason, every call's request and the rollback call). When AWS no longer matches what the
//! plan observed (someone deployed another image, scaled a service, deleted one), the apply is
//! refused with [`SavedPlanError::Stale`], which lists each change that differs ([`Drift`]) and,
//! member by member, what the plan was to do then and what it would do now. Nothing is applied
//! that was not reviewed.
//!
//! # The file
//!
//! One JSON object (`"format": 1`): the ecs-deploy version that wrote it, the AWS region it was
//! planned against (refused in another: [`SavedPlan::check_region`]), the stack's name, the
//! [`Options`] it was planned with, the stack document as planned (variables resolved), where
//! in it the values of secret variables went (`sensitive`, JSON paths: hidden again when the
//! plan is applied), per change its address, action and digest, and the plan itself as
//! `plan --format json` prints it, for people and CI to read. A file of another format version
//! is refused; plan again.
//!
//! **The file holds the stack's values as the stack file does, secret environment values
//! included** (a Terraform plan file does too): only its `plan` member is
//! [redacted](crate::redact). Keep it where the stack file is kept, not in a public CI artifact.
//! It is written with permissions for its owner only (on Unix), through a temporary file renamed
//! into place, so a reader never sees half a plan.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use ecs_deploy::saved::SavedPlan;
//! use ecs_deploy::{Deployer, Options};
//!
//! let config = ecs_deploy::config::load().await;
//! let deployer = Deployer::from_config(&config, Options::new("shop"));
//! let stack = ecs_deploy::ecs_model::file::read_stack("stack.json")?;
//! let plan = deployer.plan(&stack).await?;
//! deployer.saved_plan(&stack, &plan).write("shop.plan.json")?;
//!
//! // Later, after review: applies only what was saved, or says what changed in AWS.
//! let saved = SavedPlan::read("shop.plan.json")?;
//! deployer.apply_saved(&saved, |event| println!("{event:?}")).await?;
//! # Ok(())
//! # }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use ecs_model::{Diagnostic, JsonPath, Stack};
use serde::Serialize;
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use crate::apply::{ApplyError, Event};
use crate::plan::{Action, Address, Change, Options, Plan, Step};
use crate::{Deployer, PlanError};

/// The version of the file's layout this version of ecs-deploy writes and reads.
pub const FORMAT: u64 = 1;

/// What writes the file: `ecs-deploy` and its version.
const WRITTEN_BY: &str = concat!("ecs-deploy ", env!("CARGO_PKG_VERSION"));

/// Said in the file itself, for whoever opens it.
const NOTE: &str = "A plan saved by `ecs-deploy plan --out`; apply it with `ecs-deploy apply \
                    FILE`. It holds the stack's values, secrets included, as the stack file does: \
                    only `plan` is redacted.";

/// What re-running `plan --out` says, in the hints.
const PLAN_AGAIN: &str = "run `ecs-deploy plan --out FILE` again, review that plan, and apply it";

/// A plan saved for review: the stack and options it was planned with, and what each of its
/// changes was, to be compared with a plan made again before applying. See the
/// [module](self).
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPlan {
    written_by: String,
    region: Option<String>,
    options: Options,
    stack: Stack,
    sensitive: Vec<JsonPath>,
    changes: Vec<SavedChange>,
    plan: Value,
}

/// One change of a saved plan: which resource, what happens to it, and the digest of its full
/// content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct SavedChange {
    /// The resource.
    pub address: Address,
    /// What was to happen to it.
    pub action: Action,
    /// `sha256:` and the hex SHA-256 of the change's full, unredacted content: see [`digest`].
    pub digest: String,
}

impl SavedChange {
    /// The saved form of `change`.
    pub fn of(change: &Change) -> Self {
        Self {
            address: change.address.clone(),
            action: change.action,
            digest: digest(change),
        }
    }
}

impl SavedPlan {
    /// The plan `plan`, made from `stack` (variables resolved; subnet and security group
    /// look-ups may stay, they are resolved again when planning again) with `options`, to be
    /// saved.
    pub fn new(stack: &Stack, options: &Options, plan: &Plan) -> Self {
        Self {
            written_by: WRITTEN_BY.to_owned(),
            region: None,
            options: options.clone(),
            stack: stack.clone(),
            sensitive: Vec::new(),
            changes: plan.changes.iter().map(SavedChange::of).collect(),
            // Serializing a plan shows it redacted.
            plan: serde_json::to_value(plan).unwrap_or(Value::Null),
        }
    }

    /// Shows `shown` as the plan in the file instead of [`Plan::redacted`]: the same plan with
    /// more hidden, such as the values of secret variables (the CLI's `${DB_PASSWORD}`).
    #[must_use]
    pub fn shown_as(mut self, shown: &Plan) -> Self {
        self.plan = serde_json::to_value(shown).unwrap_or(Value::Null);
        self
    }

    /// Marks the members of the stack at `paths` (from the stack's root) as secrets beyond what
    /// [`redact`](crate::redact) tells from names: the CLI marks where the values of
    /// secret-named `${VARIABLES}` went. Their values are hidden from what a [`Drift`] shows,
    /// and [`sensitive_values`](Self::sensitive_values) gives them to a reader that shows more.
    #[must_use]
    pub fn with_sensitive(mut self, paths: Vec<JsonPath>) -> Self {
        self.sensitive = paths;
        self
    }

    /// Records the AWS region the plan was made against (the CLI's, from the environment), so
    /// that it is not applied to another: see [`check_region`](Self::check_region).
    #[must_use]
    pub fn with_region(mut self, region: Option<String>) -> Self {
        self.region = region;
        self
    }

    /// The AWS region the plan was made against, when recorded.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Refuses the plan when it was made against another region than `region` (the one it is
    /// about to be applied to): in an empty account a plan of creations plans the same in any
    /// region, so the digests alone cannot tell. A plan without a recorded region, or a
    /// deployer without one, is not refused.
    pub fn check_region(&self, region: Option<&str>) -> Result<(), SavedPlanError> {
        match (self.region(), region) {
            (Some(saved), Some(given)) if saved != given => Err(SavedPlanError::Region {
                saved: saved.to_owned(),
                given: given.to_owned(),
            }),
            _ => Ok(()),
        }
    }

    /// The members of the stack marked as secrets ([`with_sensitive`](Self::with_sensitive)).
    pub fn sensitive(&self) -> &[JsonPath] {
        &self.sensitive
    }

    /// The values of the members marked as secrets: the strings at
    /// [`sensitive`](Self::sensitive) in the stack, longest first, without duplicates.
    pub fn sensitive_values(&self) -> Vec<String> {
        let stack = plain(&self.stack);
        let mut values: Vec<String> = self
            .sensitive
            .iter()
            .filter_map(|path| path.lookup(&stack)?.as_str().map(str::to_owned))
            .filter(|value| !value.is_empty())
            .collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        values
    }

    /// The stack's name: the value of its ownership tag.
    pub fn stack_name(&self) -> &str {
        &self.options.stack
    }

    /// The options the plan was made with (the stack's name among them).
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// The stack document as it was planned.
    pub fn stack(&self) -> &Stack {
        &self.stack
    }

    /// Each change as it was saved, in the plan's order.
    pub fn changes(&self) -> &[SavedChange] {
        &self.changes
    }

    /// What wrote the file: `ecs-deploy` and its version.
    pub fn written_by(&self) -> &str {
        &self.written_by
    }

    /// The plan as `plan --format json` printed it when it was saved: secret values redacted.
    pub fn plan_json(&self) -> &Value {
        &self.plan
    }

    /// Whether the saved plan changes anything.
    pub fn has_changes(&self) -> bool {
        self.changes
            .iter()
            .any(|c| !matches!(c.action, Action::NoChange | Action::NotManaged))
    }

    /// The file's content: one JSON object, as [`write`](Self::write) writes it.
    pub fn to_json(&self) -> Value {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct File<'a> {
            format: u64,
            written_by: &'a str,
            note: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            region: Option<&'a str>,
            stack_name: &'a str,
            options: &'a Options,
            stack: &'a Stack,
            #[serde(skip_serializing_if = "<[String]>::is_empty")]
            sensitive: &'a [String],
            changes: &'a [SavedChange],
            plan: &'a Value,
        }
        let sensitive: Vec<String> = self.sensitive.iter().map(ToString::to_string).collect();
        serde_json::to_value(File {
            format: FORMAT,
            written_by: &self.written_by,
            note: NOTE,
            region: self.region(),
            stack_name: self.stack_name(),
            options: &self.options,
            stack: &self.stack,
            sensitive: &sensitive,
            changes: &self.changes,
            plan: &self.plan,
        })
        .unwrap_or(Value::Null)
    }

    /// Writes the plan to `path`, atomically: to a temporary file beside it, readable by its
    /// owner only on Unix (it holds the stack's values), then renamed into place.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), SavedPlanError> {
        let path = path.as_ref();
        let failed = |source| SavedPlanError::Write {
            path: path.to_owned(),
            source,
        };
        let mut text = serde_json::to_string_pretty(&self.to_json())
            .map_err(|err| failed(std::io::Error::other(err)))?;
        text.push('\n');
        let name = path.file_name().ok_or_else(|| {
            failed(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the path names no file",
            ))
        })?;
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".{}.tmp", std::process::id()));
        let temporary = path.with_file_name(temporary_name);
        let written =
            write_new(&temporary, text.as_bytes()).and_then(|()| std::fs::rename(&temporary, path));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written.map_err(failed)
    }

    /// Reads a plan that [`write`](Self::write) wrote. A file that is not one, or of another
    /// format version, or whose stack does not load, is refused with the JSON path of the
    /// problem and what to do.
    pub fn read(path: impl AsRef<Path>) -> Result<Self, SavedPlanError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| SavedPlanError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::from_text(path, &text)
    }

    /// Reads the text of a saved plan; `path` is where it came from, for the errors.
    pub fn from_text(path: &Path, text: &str) -> Result<Self, SavedPlanError> {
        let value: Value =
            serde_json::from_str(text).map_err(|source| SavedPlanError::NotJson {
                path: path.to_owned(),
                source,
            })?;
        Self::from_json(path, &value)
    }

    /// Reads a saved plan from its JSON ([`to_json`](Self::to_json)); `path` is where it came
    /// from, for the errors.
    pub fn from_json(path: &Path, value: &Value) -> Result<Self, SavedPlanError> {
        let invalid = |member: JsonPath, problem: String| SavedPlanError::Invalid {
            path: path.to_owned(),
            member,
            problem,
        };
        let Some(object) = value.as_object() else {
            return Err(SavedPlanError::NotSavedPlan {
                path: path.to_owned(),
            });
        };
        let written_by = object
            .get("writtenBy")
            .and_then(Value::as_str)
            .map(str::to_owned);
        match object.get("format") {
            None => {
                return Err(SavedPlanError::NotSavedPlan {
                    path: path.to_owned(),
                });
            }
            Some(format) if format.as_u64() != Some(FORMAT) => {
                return Err(SavedPlanError::Format {
                    path: path.to_owned(),
                    found: format.clone(),
                    written_by,
                });
            }
            Some(_) => {}
        }
        let member = |name: &str| {
            object.get(name).ok_or_else(|| {
                invalid(
                    JsonPath::root().key(name),
                    "is missing: every saved plan has it".to_owned(),
                )
            })
        };
        let stack_name = member("stackName")?
            .as_str()
            .ok_or_else(|| {
                invalid(
                    JsonPath::root().key("stackName"),
                    "must be a string".to_owned(),
                )
            })?
            .to_owned();
        let region = match object.get("region") {
            None => None,
            Some(Value::String(region)) => Some(region.clone()),
            Some(_) => {
                return Err(invalid(
                    JsonPath::root().key("region"),
                    "must be a string: the AWS region the plan was made against".to_owned(),
                ));
            }
        };
        let options: Options = serde_json::from_value(member("options")?.clone())
            .map_err(|err| invalid(JsonPath::root().key("options"), err.to_string()))?;
        if options.stack != stack_name {
            return Err(invalid(
                JsonPath::root().key("options").key("stack"),
                format!(
                    "is `{}`, and `stackName` is `{stack_name}`: they are the same in a file \
                     ecs-deploy wrote",
                    options.stack
                ),
            ));
        }
        let loaded = ecs_model::load::from_value::<Stack>(member("stack")?);
        let errors: Vec<Diagnostic> = loaded
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .map(|d| d.under(&JsonPath::root().key("stack")))
            .collect();
        let stack = match loaded.value {
            Some(stack) if errors.is_empty() => stack,
            _ => {
                return Err(SavedPlanError::Stack {
                    path: path.to_owned(),
                    diagnostics: errors,
                });
            }
        };
        let mut sensitive = Vec::new();
        if let Some(paths) = object.get("sensitive") {
            let at = JsonPath::root().key("sensitive");
            let Value::Array(paths) = paths else {
                return Err(invalid(at, "must be a list of JSON paths".to_owned()));
            };
            for (index, path) in paths.iter().enumerate() {
                let parsed = path.as_str().and_then(JsonPath::parse).ok_or_else(|| {
                    invalid(
                        at.clone().index(index),
                        "must be a JSON path into the stack, such as \
                         `taskDefinitions[0].containerDefinitions[0].environment[1].value`"
                            .to_owned(),
                    )
                })?;
                sensitive.push(parsed);
            }
        }
        let Value::Array(items) = member("changes")? else {
            return Err(invalid(
                JsonPath::root().key("changes"),
                "must be a list".to_owned(),
            ));
        };
        let mut changes = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let at = JsonPath::root().key("changes").index(index);
            let change: SavedChange = serde_json::from_value(item.clone())
                .map_err(|err| invalid(at.clone(), err.to_string()))?;
            if !is_digest(&change.digest) {
                return Err(invalid(
                    at.key("digest"),
                    "must be `sha256:` and 64 hexadecimal digits".to_owned(),
                ));
            }
            changes.push(change);
        }
        let plan = member("plan")?.clone();
        if !plan.is_object() {
            return Err(invalid(
                JsonPath::root().key("plan"),
                "must be an object".to_owned(),
            ));
        }
        Ok(Self {
            written_by: written_by.unwrap_or_default(),
            region,
            options,
            stack,
            sensitive,
            changes,
            plan,
        })
    }

    /// Refuses the plan when `name` (given by the user, such as the CLI's `--name`) is not the
    /// stack's name it was planned with.
    pub fn check_name(&self, name: &str) -> Result<(), SavedPlanError> {
        if name == self.stack_name() {
            Ok(())
        } else {
            Err(SavedPlanError::StackName {
                saved: self.stack_name().to_owned(),
                given: name.to_owned(),
            })
        }
    }

    /// Compares `now`, the plan made again, with the saved one: `Ok` when they are the same
    /// changes in the same order, each with the same digest; otherwise what differs.
    pub fn compare(&self, now: &Plan) -> Result<(), Stale> {
        let current: Vec<SavedChange> = now.changes.iter().map(SavedChange::of).collect();
        if current == self.changes {
            return Ok(());
        }
        let then: BTreeMap<&Address, (usize, &SavedChange)> = self
            .changes
            .iter()
            .enumerate()
            .map(|(index, c)| (&c.address, (index, c)))
            .collect();
        let mut drifts = Vec::new();
        for (change, saved) in now.changes.iter().zip(&current) {
            match then.get(&change.address) {
                None => drifts.push(Drift::New {
                    address: change.address.clone(),
                    action: change.action,
                }),
                Some((_, before)) if before.digest == saved.digest => {}
                Some((index, before)) => drifts.push(Drift::Differs {
                    address: change.address.clone(),
                    then: before.action,
                    now: change.action,
                    members: members(
                        self.shown_change(*index, &change.address),
                        change,
                        &self.sensitive_values(),
                    ),
                }),
            }
        }
        for saved in &self.changes {
            if !now.changes.iter().any(|c| c.address == saved.address) {
                drifts.push(Drift::Gone {
                    address: saved.address.clone(),
                    action: saved.action,
                });
            }
        }
        if drifts.is_empty() {
            drifts.push(Drift::Reordered);
        }
        Err(Stale { drifts })
    }

    /// The change at `index` of the saved plan's JSON, when it is the one of `address`.
    fn shown_change(&self, index: usize, address: &Address) -> Option<&Value> {
        let shown = self.plan.get("changes")?.get(index)?;
        let same = serde_json::to_value(address).ok().as_ref() == shown.get("address");
        same.then_some(shown)
    }
}

/// Creates `path` (which must not exist) with `bytes`, for its owner only on Unix, and flushes
/// it to the disk.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

fn is_digest(text: &str) -> bool {
    text.strip_prefix("sha256:")
        .is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `sha256:` and the hex SHA-256 of the full, unredacted content of `change`: its address,
/// action, the members that change with both values, the members kept, the reason, each call
/// with its whole request (the values a linked call takes from earlier changes, the resumption
/// of suspended scaling) and the rollback call. Objects are hashed with their keys sorted, so
/// the digest depends on the content only.
pub fn digest(change: &Change) -> String {
    // Every member of the change, by name: a member added to `Change` does not compile here
    // until the digest covers it.
    let Change {
        address,
        action,
        fields,
        kept,
        reason,
        steps,
        rollback,
    } = change;
    let content = json!({
        "address": address,
        "action": action,
        "fields": fields
            .iter()
            .map(|f| json!({"path": f.path.to_string(), "before": f.before, "after": f.after}))
            .collect::<Vec<_>>(),
        "kept": kept,
        "reason": reason,
        "steps": steps.iter().map(step_content).collect::<Vec<_>>(),
        "rollback": rollback.as_ref().map(step_content),
    });
    let mut text = String::new();
    canonical(&content, &mut text);
    let hash = Sha256::digest(text.as_bytes());
    let mut out = String::from("sha256:");
    for byte in hash.iter() {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// A call as the digest sees it: its operation and whole request, unredacted.
fn step_content(step: &Step) -> Value {
    match step {
        Step::Linked(step, links) => json!({"linked": step_content(step), "links": links}),
        Step::SuspendScaling { suspend, resume } => json!({
            "operation": step.operation().name(),
            "suspend": plain(suspend),
            "resume": plain(resume),
        }),
        step => json!({"operation": step.operation().name(), "input": step.input()}),
    }
}

fn plain<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// `value` as JSON text with every object's keys sorted.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(members) => {
            let mut keys: Vec<&String> = members.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&members[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// What differs, member by member, between the change saved (`then`, as the saved plan showed
/// it) and `now`, both redacted. The members that change come first; when none of them
/// differs, the other parts of the change (calls, rollback, reason, members kept).
fn members(then: Option<&Value>, now: &Change, secrets: &[String]) -> Vec<MemberDrift> {
    let mut now = serde_json::to_value(now).unwrap_or(Value::Null);
    hide(&mut now, secrets);
    let mut then = then.cloned().unwrap_or_else(|| Value::Object(Map::new()));
    hide(&mut then, secrets);
    let then = &then;
    let (before, after) = (fields_of(then), fields_of(&now));
    let mut out = Vec::new();
    let mut paths: Vec<&String> = before.iter().map(|(path, _)| path).collect();
    paths.extend(
        after
            .iter()
            .map(|(path, _)| path)
            .filter(|p| !before.iter().any(|(b, _)| b == *p)),
    );
    for path in paths {
        let find = |fields: &[(String, Planned)]| {
            fields
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, planned)| planned.clone())
        };
        let (then, now) = (find(&before), find(&after));
        if then != now {
            out.push(MemberDrift::Field {
                path: path.clone(),
                then,
                now,
            });
        }
    }
    if !out.is_empty() {
        return out;
    }
    for part in ["steps", "rollback", "reason", "kept"] {
        let (then, now) = (then.get(part), now.get(part));
        if then == now {
            continue;
        }
        let (then, now) = (then.unwrap_or(&Value::Null), now.unwrap_or(&Value::Null));
        for field in crate::diff::diff(then, now) {
            out.push(MemberDrift::Part {
                path: JsonPath::root().key(part).join(&field.path).to_string(),
                then: field.before,
                now: field.after,
            });
        }
    }
    out
}

/// Replaces each of `secrets` (longest first) wherever it is in the strings of `value` with
/// [`SENSITIVE`](crate::redact::SENSITIVE).
fn hide(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(text) => {
            for secret in secrets {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), crate::redact::SENSITIVE);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| hide(item, secrets)),
        Value::Object(members) => members.values_mut().for_each(|v| hide(v, secrets)),
        _ => {}
    }
}

/// The members that change of a change as a plan's JSON shows it, with their values.
fn fields_of(change: &Value) -> Vec<(String, Planned)> {
    let value = |field: &Value, side: &str| field.get(side).filter(|v| !v.is_null()).cloned();
    change
        .get("fields")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|field| {
            let path = field.get("path")?.as_str()?.to_owned();
            let planned = Planned {
                before: value(field, "before"),
                after: value(field, "after"),
            };
            Some((path, planned))
        })
        .collect()
}

/// Why a saved plan cannot be applied as it is: AWS no longer matches what the plan observed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "AWS no longer matches what the saved plan observed: {} of its changes {} from the plan \
     reviewed",
    .drifts.len(),
    if .drifts.len() == 1 { "differs" } else { "differ" }
)]
#[non_exhaustive]
pub struct Stale {
    /// Each change that differs, in the order of the plan made again, then the ones gone.
    pub drifts: Vec<Drift>,
}

/// A change of a saved plan that planning again does not give as it was saved.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Drift {
    /// Planning again gives a change the saved plan does not have: the resource is new to the
    /// plan (it appeared in AWS, and is now pruned or not managed, say).
    New {
        /// The resource.
        address: Address,
        /// What would happen to it now.
        action: Action,
    },
    /// The saved plan had a change that planning again no longer gives.
    Gone {
        /// The resource.
        address: Address,
        /// What was to happen to it.
        action: Action,
    },
    /// The change is another than the one saved.
    Differs {
        /// The resource.
        address: Address,
        /// What was to happen to it.
        then: Action,
        /// What would happen to it now.
        now: Action,
        /// What differs, member by member, values redacted; empty when only a value the plan
        /// does not show (a secret) differs.
        members: Vec<MemberDrift>,
    },
    /// The same changes, in another order.
    Reordered,
}

/// What a change was to do to a member: its value before, and the value it sets (`None`:
/// absent).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Planned {
    /// The value AWS had.
    pub before: Option<Value>,
    /// The value the change sets.
    pub after: Option<Value>,
}

/// One member of a change that differs between the saved plan and the plan made again.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum MemberDrift {
    /// A member of the resource: what the saved plan was to do to it, and what planning again
    /// would (`None`: no change to it).
    Field {
        /// Where, from the resource's root: `desiredCount`, `containerDefinitions[0].image`.
        path: String,
        /// The change saved.
        then: Option<Planned>,
        /// The change now.
        now: Option<Planned>,
    },
    /// Another part of the change: a call's request, the rollback call, the reason, a member
    /// kept.
    Part {
        /// Where, from the change's root: `steps[0].input.taskDefinition`.
        path: String,
        /// Its value in the saved plan.
        then: Option<Value>,
        /// Its value now.
        now: Option<Value>,
    },
}

/// A value as the drift shows it: compact JSON, or `(none)`.
fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "(none)".to_owned(), Value::to_string)
}

impl fmt::Display for Planned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {}",
            shown(self.before.as_ref()),
            shown(self.after.as_ref())
        )
    }
}

impl fmt::Display for MemberDrift {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Field { path, then, now } => {
                write!(f, "{path}: ")?;
                match then {
                    Some(then) => write!(f, "planned {then}")?,
                    None => f.write_str("no change planned")?,
                }
                match now {
                    Some(now) => write!(f, "; now {now}"),
                    None => f.write_str("; now no change (AWS has the value the stack sets)"),
                }
            }
            Self::Part { path, then, now } => write!(
                f,
                "{path}: planned {}; now {}",
                shown(then.as_ref()),
                shown(now.as_ref())
            ),
        }
    }
}

impl fmt::Display for Drift {
    /// One line for the change, then one indented line per member that differs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::New { address, action } => write!(
                f,
                "{address}: not in the saved plan; planning again gives: {}",
                action.as_str()
            ),
            Self::Gone { address, action } => write!(
                f,
                "{address}: planned: {}; planning again no longer gives it",
                action.as_str()
            ),
            Self::Differs {
                address,
                then,
                now,
                members,
            } => {
                if then == now {
                    write!(f, "{address}: {} differs", then.as_str())?;
                } else {
                    write!(
                        f,
                        "{address}: planned: {}; now: {}",
                        then.as_str(),
                        now.as_str()
                    )?;
                }
                if members.is_empty() && then == now {
                    f.write_str(" in a value the plan does not show (a secret)")?;
                }
                for member in members {
                    write!(f, "\n  {member}")?;
                }
                Ok(())
            }
            Self::Reordered => f.write_str("the same changes, in another order"),
        }
    }
}

/// Why a saved plan could not be written, read or applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SavedPlanError {
    /// The file could not be read.
    #[error("cannot read the saved plan {}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error("cannot write the plan to {}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error(
        "{} is not a saved plan: it is not JSON (hint: a saved plan is the file `ecs-deploy \
         plan --out FILE` writes; {PLAN_AGAIN})",
        .path.display()
    )]
    NotJson {
        /// The file.
        path: PathBuf,
        /// Where the JSON breaks.
        #[source]
        source: serde_json::Error,
    },
    /// The file is JSON, but not a saved plan: it has no `format` member. A stack file given
    /// where a saved plan goes lands here.
    #[error(
        "{}: not a saved plan: it has no `format` member (hint: a stack file is applied with \
         `ecs-deploy apply --stack FILE`; a saved plan is the file `ecs-deploy plan --out FILE` \
         writes)",
        .path.display()
    )]
    NotSavedPlan {
        /// The file.
        path: PathBuf,
    },
    /// The file is a saved plan of another format version.
    #[error(
        "{}: format: the saved plan is of format {found}{}, and this version of ecs-deploy \
         reads format {FORMAT} (hint: {PLAN_AGAIN} with this version)",
        .path.display(),
        .written_by.as_ref().map(|w| format!(" (written by {w})")).unwrap_or_default()
    )]
    Format {
        /// The file.
        path: PathBuf,
        /// The format found.
        found: Value,
        /// What wrote it, when the file says.
        written_by: Option<String>,
    },
    /// A member of the file does not read as a saved plan's.
    #[error(
        "{}: {member}: {problem} (hint: the file was changed since `ecs-deploy plan --out` \
         wrote it; {PLAN_AGAIN})",
        .path.display()
    )]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The member, from the file's root.
        member: JsonPath,
        /// What is wrong with it.
        problem: String,
    },
    /// The stack in the file does not load.
    #[error(
        "{}: the saved stack does not load: {} (hint: {PLAN_AGAIN})",
        .path.display(),
        .diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Stack {
        /// The file.
        path: PathBuf,
        /// The problems, at their path from the file's root (`stack.services[0]...`).
        diagnostics: Vec<Diagnostic>,
    },
    /// The plan was saved for another stack than the one named.
    #[error(
        "the saved plan is for the stack `{saved}`, not `{given}` (hint: leave --name out to \
         apply it as saved, or plan the stack `{given}` with --out)"
    )]
    StackName {
        /// The stack's name in the file.
        saved: String,
        /// The name given.
        given: String,
    },
    /// The plan was made against another AWS region than the one it is being applied to.
    #[error(
        "the saved plan was made against the region {saved}, and AWS is configured for {given} \
         (hint: set AWS_REGION={saved} to apply it, or plan again against {given})"
    )]
    Region {
        /// The region in the file.
        saved: String,
        /// The region configured now.
        given: String,
    },
    /// Planning again failed.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// AWS no longer matches what the plan observed: nothing was applied.
    #[error(transparent)]
    Stale(#[from] Stale),
    /// The apply of the plan, which still matched, failed.
    #[error(transparent)]
    Apply(#[from] Box<ApplyError>),
}

impl Deployer {
    /// The AWS region this deployer's ECS client calls, when it has one.
    pub fn region(&self) -> Option<String> {
        self.ecs.sdk().config().region().map(ToString::to_string)
    }

    /// `plan`, made by this deployer from `stack`, to be saved: with this deployer's options
    /// and region.
    pub fn saved_plan(&self, stack: &Stack, plan: &Plan) -> SavedPlan {
        SavedPlan::new(stack, &self.options, plan).with_region(self.region())
    }

    /// Plans the stack of `saved` again, with its options (the stack's name among them; this
    /// deployer's clients, concurrency and apply options), reading AWS as it is now, and
    /// compares: the plan made again when each change is the one saved, which is then the
    /// plan reviewed, to [`apply`](Self::apply); otherwise [`SavedPlanError::Stale`] with what
    /// differs. A plan made against another region is refused before any call
    /// ([`SavedPlan::check_region`]). Nothing is changed.
    pub async fn plan_saved(&self, saved: &SavedPlan) -> Result<Plan, SavedPlanError> {
        saved.check_region(self.region().as_deref())?;
        let deployer = Deployer {
            options: saved.options.clone(),
            ..self.clone()
        };
        let plan = deployer.plan(&saved.stack).await?;
        saved.compare(&plan)?;
        Ok(plan)
    }

    /// Applies `saved` when AWS still matches what it observed ([`plan_saved`](Self::plan_saved)),
    /// calling `on_event` as [`apply`](Self::apply) does; returns the resources changed. A saved
    /// plan without changes applies nothing.
    pub async fn apply_saved(
        &self,
        saved: &SavedPlan,
        on_event: impl FnMut(Event),
    ) -> Result<Vec<Address>, SavedPlanError> {
        let plan = self.plan_saved(saved).await?;
        Ok(self.apply(&plan, on_event).await.map_err(Box::new)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{Actual, plan};

    fn stack(value: Value) -> Stack {
        ecs_model::load::from_value::<Stack>(&value)
            .value
            .expect("a stack")
    }

    fn shop(desired: u32, image: &str) -> Stack {
        stack(json!({
            "clusters": [{"clusterName": "shop"}],
            "taskDefinitions": [{"family": "web", "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128,
                "environment": [{"name": "DB_PASSWORD", "value": "hunter2"}]
            }]}],
            "services": [{"serviceName": "web", "cluster": "shop", "taskDefinition": "web",
                          "desiredCount": desired}]
        }))
    }

    fn options() -> Options {
        Options::new("shop").keep_revisions(3).prune(true)
    }

    fn saved_of(stack: &Stack) -> SavedPlan {
        let options = options();
        SavedPlan::new(stack, &options, &plan(stack, &Actual::default(), &options))
    }

    fn read_back(saved: &SavedPlan) -> Result<SavedPlan, SavedPlanError> {
        let text = serde_json::to_string_pretty(&saved.to_json()).expect("json");
        SavedPlan::from_text(Path::new("shop.plan.json"), &text)
    }

    #[test]
    fn a_saved_plan_reads_back_as_it_was_written_and_matches_the_same_plan() {
        let stack = shop(1, "nginx:1.27");
        let saved = saved_of(&stack);
        let back = read_back(&saved).expect("reads back");
        assert_eq!(back, saved);
        assert_eq!(back.stack_name(), "shop");
        assert_eq!(back.options(), &options());
        assert_eq!(back.changes().len(), 3);
        assert!(back.has_changes());
        assert!(back.written_by().starts_with("ecs-deploy "));
        let again = plan(back.stack(), &Actual::default(), back.options());
        assert_eq!(back.compare(&again), Ok(()));
    }

    #[test]
    fn only_the_stack_holds_secrets_and_the_digest_covers_them() {
        let saved = saved_of(&shop(1, "nginx:1.27"));
        let text = saved.to_json().to_string();
        // The stack as planned, as the stack file has it; the plan shown is redacted.
        assert_eq!(text.matches("hunter2").count(), 1, "{text}");
        assert!(!saved.plan_json().to_string().contains("hunter2"));
        // Another secret value is another change, though the plan shown is the same.
        let other = stack(
            serde_json::to_value(shop(1, "nginx:1.27"))
                .expect("json")
                .to_string()
                .replace("hunter2", "hunter3")
                .parse::<Value>()
                .expect("json"),
        );
        let now = plan(&other, &Actual::default(), &options());
        let stale = saved.compare(&now).expect_err("a secret changed");
        let [
            Drift::Differs {
                address, members, ..
            },
        ] = stale.drifts.as_slice()
        else {
            panic!("one change differs: {stale:?}");
        };
        assert_eq!(address.to_string(), "task definition web");
        assert!(members.is_empty(), "{members:?}");
        let shown = stale.drifts[0].to_string();
        assert!(
            shown.ends_with("in a value the plan does not show (a secret)"),
            "{shown}"
        );
        assert!(!shown.contains("hunter"), "{shown}");
    }

    #[test]
    fn what_changed_is_named_by_address_and_member() {
        let saved = saved_of(&shop(1, "nginx:1.27"));
        let mut other = shop(3, "nginx:1.27");
        other
            .clusters
            .push(stack(json!({"clusters": [{"clusterName": "extra"}]})).clusters[0].clone());
        let now = plan(&other, &Actual::default(), &options());
        let stale = saved.compare(&now).expect_err("stale");
        let shown: Vec<String> = stale.drifts.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "cluster extra: not in the saved plan; planning again gives: create",
                "service shop/web: create differs\n  desiredCount: planned (none) -> 1; now \
                 (none) -> 3",
            ],
            "{stale:?}"
        );
        assert_eq!(
            stale.to_string(),
            "AWS no longer matches what the saved plan observed: 2 of its changes differ from \
             the plan reviewed"
        );
        // The other way round: the extra cluster is gone.
        let back = SavedPlan::new(&other, &options(), &now);
        let before = plan(&shop(1, "nginx:1.27"), &Actual::default(), &options());
        let stale = back.compare(&before).expect_err("stale");
        assert!(
            matches!(&stale.drifts[1], Drift::Gone { address, action: Action::Create }
                if address.to_string() == "cluster extra"),
            "{stale:?}"
        );
    }

    #[test]
    fn the_digest_depends_on_content_not_on_key_order() {
        let stack = shop(1, "nginx:1.27");
        let plan = plan(&stack, &Actual::default(), &options());
        let change = &plan.changes[1];
        let first = digest(change);
        assert!(is_digest(&first), "{first}");
        assert_eq!(digest(&change.clone()), first);
        let mut a = String::new();
        let mut b = String::new();
        canonical(&json!({"b": 1, "a": [{"d": 2, "c": 3}]}), &mut a);
        canonical(&json!({"a": [{"c": 3, "d": 2}], "b": 1}), &mut b);
        assert_eq!(a, b);
        assert_eq!(a, r#"{"a":[{"c":3,"d":2}],"b":1}"#);
        assert_ne!(digest(&plan.changes[0]), first);
    }

    #[test]
    fn a_file_of_another_version_or_not_a_plan_is_refused_with_a_hint() {
        let path = Path::new("shop.plan.json");
        let saved = saved_of(&shop(1, "nginx:1.27"));
        let mut json = saved.to_json();
        json["format"] = json!(2);
        let err = SavedPlan::from_json(path, &json).expect_err("format 2");
        assert!(matches!(err, SavedPlanError::Format { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "shop.plan.json: format: the saved plan is of format 2 (written by ecs-deploy "
            ) && text.contains("reads format 1 (hint: run `ecs-deploy plan --out FILE` again"),
            "{text}"
        );

        let err = SavedPlan::from_text(path, "{\"format\": 1,").expect_err("cut short");
        assert!(matches!(err, SavedPlanError::NotJson { .. }), "{err:?}");
        let err = SavedPlan::from_json(path, &json!({"clusters": []})).expect_err("a stack");
        assert!(err.to_string().contains("apply --stack FILE"), "{err}");

        let mut json = saved.to_json();
        json["changes"][1]["digest"] = json!("md5:0");
        let err = SavedPlan::from_json(path, &json).expect_err("bad digest");
        assert_eq!(
            err.to_string(),
            "shop.plan.json: changes[1].digest: must be `sha256:` and 64 hexadecimal digits \
             (hint: the file was changed since `ecs-deploy plan --out` wrote it; run \
             `ecs-deploy plan --out FILE` again, review that plan, and apply it)"
        );

        let mut json = saved.to_json();
        json["stack"]["services"][0]["desiredCount"] = json!("many");
        let err = SavedPlan::from_json(path, &json).expect_err("bad stack");
        let SavedPlanError::Stack { diagnostics, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(
            diagnostics[0].path.to_string(),
            "stack.services[0].desiredCount"
        );
    }

    #[test]
    fn values_marked_sensitive_are_kept_and_never_shown_in_a_drift() {
        let with_dsn = |image: &str| {
            stack(
                json!({"taskDefinitions": [{"family": "web", "containerDefinitions": [{
                    "name": "web", "image": image, "memory": 128,
                    "environment": [{"name": "DSN", "value": "postgres://app:abc-secret@db/app"}]
                }]}]}),
            )
        };
        let before = with_dsn("nginx:1.26");
        let path =
            JsonPath::parse("taskDefinitions[0].containerDefinitions[0].environment[0].value")
                .expect("a path");
        let saved = SavedPlan::new(
            &before,
            &options(),
            &plan(&before, &Actual::default(), &options()),
        )
        .with_sensitive(vec![path.clone()]);
        let back = read_back(&saved).expect("reads back");
        assert_eq!(back.sensitive(), [path]);
        assert_eq!(
            back.sensitive_values(),
            ["postgres://app:abc-secret@db/app"]
        );
        // DSN's name is not a secret's, so only the mark hides it.
        let now = plan(&with_dsn("nginx:1.27"), &Actual::default(), &options());
        let stale = back.compare(&now).expect_err("another image");
        let shown = stale.drifts[0].to_string();
        assert!(
            shown.contains("nginx:1.27") && shown.contains("(sensitive)"),
            "{shown}"
        );
        assert!(!shown.contains("abc-secret"), "{shown}");
        let mut json = saved.to_json();
        json["sensitive"] = json!(["taskDefinitions[0"]);
        let err = SavedPlan::from_json(Path::new("p.json"), &json).expect_err("not a path");
        assert!(
            err.to_string()
                .starts_with("p.json: sensitive[0]: must be a JSON path"),
            "{err}"
        );
    }

    #[test]
    fn another_region_is_refused() {
        let saved = saved_of(&shop(1, "nginx:1.27")).with_region(Some("us-east-1".into()));
        let back = read_back(&saved).expect("reads back");
        assert_eq!(back.region(), Some("us-east-1"));
        assert!(back.check_region(Some("us-east-1")).is_ok());
        assert!(back.check_region(None).is_ok());
        let err = back
            .check_region(Some("eu-west-1"))
            .expect_err("another region");
        assert_eq!(
            err.to_string(),
            "the saved plan was made against the region us-east-1, and AWS is configured for \
             eu-west-1 (hint: set AWS_REGION=us-east-1 to apply it, or plan again against \
             eu-west-1)"
        );
        assert!(
            saved_of(&shop(1, "nginx:1.27"))
                .check_region(Some("eu-west-1"))
                .is_ok()
        );
    }

    #[test]
    fn another_stack_name_is_refused() {
        let saved = saved_of(&shop(1, "nginx:1.27"));
        assert!(saved.check_name("shop").is_ok());
        let err = saved.check_name("shop-staging").expect_err("another stack");
        assert!(
            err.to_string()
                .starts_with("the saved plan is for the stack `shop`, not `shop-staging`"),
            "{err}"
        );
    }

    #[test]
    fn writing_replaces_the_file_whole_and_for_its_owner_only() {
        let folder = std::env::temp_dir().join(format!("ecs-deploy-saved-{}", std::process::id()));
        std::fs::create_dir_all(&folder).expect("a folder");
        let path = folder.join("shop.plan.json");
        std::fs::write(
            &path,
            "an older, longer file than the plan written over it".repeat(999),
        )
        .expect("written");
        let saved = saved_of(&shop(1, "nginx:1.27"));
        saved.write(&path).expect("written");
        assert_eq!(SavedPlan::read(&path).expect("reads"), saved);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let left: Vec<_> = std::fs::read_dir(&folder)
            .expect("listed")
            .map(|e| e.expect("an entry").file_name())
            .collect();
        assert_eq!(left, [std::ffi::OsString::from("shop.plan.json")]);
        let err = SavedPlan::read(folder.join("missing.json")).expect_err("missing");
        assert!(matches!(err, SavedPlanError::Read { .. }));
        std::fs::remove_dir_all(&folder).expect("removed");
    }
}
