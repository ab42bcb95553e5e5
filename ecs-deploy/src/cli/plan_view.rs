//! The plan for people, in the manner of `terraform plan`.
//!
//! ```text
//! Plan for stack "demo" (tag ecs-rs:stack=demo):
//!
//! + cluster demo: create
//!   + clusterName: "demo"
//!   + tags: [
//!       + {
//!           + key: "ecs-rs:stack"
//!           + value: "demo"
//!         }
//!     ]
//!
//! ~ task definition webserver: revision 3 differs; a new revision is registered
//!   ~ containerDefinitions: [
//!       ~ {
//!             name: "web"
//!           ~ image: "nginx:1.26" -> "nginx:1.27"
//!             # (4 unchanged members hidden)
//!         }
//!     ]
//!     # (4 unchanged members hidden)
//!
//! = service demo/web (no change)
//!   = desiredCount: 5 (left to autoscaling)
//!
//! Plan: 1 to create, 1 to register, 0 to update, 0 to replace.
//! ```
//!
//! One block per resource, in apply order: a symbol (`+` create, `~` register, update or update
//! and deploy, `-/+` replace, `=` no change, on one line, `!` not managed, with the reason),
//! then the members that change ([`change_lines`]), one line per leaf: `+` added, `-` removed,
//! `~ old -> new` changed. Objects and lists are blocks (`{` ... `}`, `[` ... `]`), values print
//! whole. A creation or deletion shows every member; a change shows the leaves that differ in
//! the objects and lists on the way to them (`~`), an element of a list named by its unchanged
//! `name` (or `containerName`, `key`), and folds the unchanged siblings into one line per block
//! (`# (3 unchanged members hidden)`). Lists of another length are lined up element by element:
//! the unchanged ones are folded, the others removed or added (or changed member by member, when
//! the same name is removed and added). Members kept at their actual value because someone else
//! owns them (`--leave`) come last, marked `=`.
//!
//! # Secret values
//!
//! Nothing is printed, as text or JSON, but the library's [`Plan::redacted`] copy of the plan:
//! the values of environment variables named like secrets, or holding a URL with a password,
//! print as `(sensitive)` (see [`ecs_deploy::redact`]).

use std::io::{self, Write};

use ecs_deploy::diff::{Container, FieldDiff};
use ecs_deploy::plan::{Change, Kept, Reason, STACK_TAG};
use ecs_deploy::redact::SENSITIVE;
use ecs_deploy::{Action, Address, Plan};
use ecs_model::PathSegment;
use serde_json::{Map, Value};

use super::report::Style;

const GREEN: &str = "32";
const YELLOW: &str = "33";
const RED: &str = "31";
const CYAN: &str = "36";
const BOLD: &str = "1";

/// The symbol of an action, colored.
pub(super) fn symbol(action: Action, style: Style) -> String {
    match action {
        Action::Create => style.paint(GREEN, "+"),
        Action::Register | Action::Update | Action::UpdateAndDeploy => style.paint(YELLOW, "~"),
        Action::Replace => format!("{}/{}", style.paint(RED, "-"), style.paint(GREEN, "+")),
        Action::Delete => style.paint(RED, "-"),
        Action::Blocked => style.paint(RED, "!"),
        Action::NotManaged => style.paint(CYAN, "!"),
        _ => "=".to_owned(),
    }
}

/// The plan's reason in words, with the flag that does what it speaks of.
pub(super) fn reason_text(reason: &Reason) -> String {
    match reason {
        Reason::CapacityProviderMemberFixed { .. } => format!("{reason} (--prune)"),
        Reason::ForcedDeployment => format!("{reason} (--force-new-deployment)"),
        Reason::Adopted { .. } => format!("{reason} (--adopt)"),
        Reason::RolledBack {
            kept: Some(kept), ..
        } if **kept == Reason::KeptAsAsked => format!("{reason} (--no-deregister)"),
        _ => reason.to_string(),
    }
}

/// What happens to the resource, in words, after its address.
pub(super) fn heading(change: &Change) -> String {
    let reason = change.reason.as_ref().map(reason_text);
    let reason = reason.as_deref();
    match change.action {
        Action::Create => "create".to_owned(),
        Action::Register => reason.unwrap_or("a new revision is registered").to_owned(),
        Action::Update => match reason {
            Some(reason) => format!("update in place: {reason}"),
            None => "update in place".to_owned(),
        },
        Action::UpdateAndDeploy => match reason {
            Some(reason) => {
                format!("update in place, which starts a new deployment of its tasks: {reason}")
            }
            None => "update in place, which starts a new deployment of its tasks".to_owned(),
        },
        Action::Replace => match reason {
            Some(reason) => format!("delete and create again: {reason}"),
            None => "delete and create again".to_owned(),
        },
        Action::Delete => match (&change.address, reason) {
            // "deregister web:1, web:2 (...)" says it all.
            (Address::Revisions { .. } | Address::TaskDefinition { .. }, Some(reason)) => {
                reason.to_owned()
            }
            (_, Some(reason)) => format!("delete: {reason}"),
            (_, None) => "delete".to_owned(),
        },
        Action::NotManaged => format!("not changed: {}", reason.unwrap_or("not managed")),
        Action::Blocked => format!(
            "cannot be applied: {}",
            reason.unwrap_or("no call can make it match")
        ),
        _ => "no change".to_owned(),
    }
}

/// Writes the plan (already [`Plan::redacted`]) and its summary.
pub(super) fn write_plan(out: &mut impl Write, plan: &Plan, style: Style) -> io::Result<()> {
    writeln!(
        out,
        "Plan for stack \"{}\" (tag {STACK_TAG}={}):",
        plan.stack, plan.stack
    )?;
    let mut previous_was_line = false;
    for change in &plan.changes {
        let one_line = change.action == Action::NoChange && change.kept.is_empty();
        // Unchanged resources stand one per line, together; every other block gets a blank
        // line before it.
        if !(one_line && previous_was_line) {
            writeln!(out)?;
        }
        previous_was_line = one_line;
        write_change(out, change, style)?;
    }
    writeln!(out)?;
    write_summary(out, plan, style)
}

fn write_change(out: &mut impl Write, change: &Change, style: Style) -> io::Result<()> {
    let address = style.paint(BOLD, &change.address.to_string());
    let symbol = symbol(change.action, style);
    if change.action == Action::NoChange {
        writeln!(out, "{symbol} {address} (no change)")?;
    } else {
        writeln!(out, "{symbol} {address}: {}", heading(change))?;
    }
    for line in change_lines(change) {
        writeln!(out, "{}", line.text(style))?;
    }
    Ok(())
}

/// Which block a line is in, for the marks a closing bracket takes in a diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Block {
    /// Added as a whole: `+`.
    Added,
    /// Removed as a whole: `-`.
    Removed,
    /// Holding changes: `~`.
    Changed,
    /// Kept at its actual value: `=`.
    Kept,
}

/// What one line of an expanded change says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum LineKind {
    /// A value added, or the line opening a block added: `+ image: "nginx"`.
    Added(String),
    /// A value removed, or the line opening a block removed: `- image: "nginx"`.
    Removed(String),
    /// A value changed in place: `~ image: "nginx:1.26" -> "nginx:1.27"`.
    Changed {
        /// `image: `, or nothing for an element of a list.
        label: String,
        /// The value before, as shown.
        before: String,
        /// The value after, as shown.
        after: String,
    },
    /// The line opening an object or list that holds changes: `~ containerDefinitions: [`.
    Open(String),
    /// An unchanged member shown to tell which element changes: `name: "web"`.
    Context(String),
    /// Unchanged siblings, folded: `# (3 unchanged members hidden)`.
    Folded(String),
    /// A value kept at its actual value, or a line of it: `= desiredCount: 5 (left to ...)`.
    Kept(String),
    /// The end of a block: `]` or `}`.
    Close {
        /// `]` or `}`, and what follows it.
        text: String,
        /// The block it ends.
        block: Block,
    },
}

/// One line of an expanded change: how deep it is nested (0 for the resource's members) and
/// what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) depth: usize,
    pub(super) kind: LineKind,
}

impl Line {
    /// The line as `plan` prints it: two spaces, four more per level, the symbol, the text.
    fn text(&self, style: Style) -> String {
        let indent = format!("  {}", "    ".repeat(self.depth));
        match &self.kind {
            LineKind::Added(text) => format!("{indent}{} {text}", style.paint(GREEN, "+")),
            LineKind::Removed(text) => format!("{indent}{} {text}", style.paint(RED, "-")),
            LineKind::Changed {
                label,
                before,
                after,
            } => format!(
                "{indent}{} {label}{before} -> {after}",
                style.paint(YELLOW, "~")
            ),
            LineKind::Open(text) => format!("{indent}{} {text}", style.paint(YELLOW, "~")),
            LineKind::Kept(text) => format!("{indent}= {text}"),
            LineKind::Context(text) | LineKind::Folded(text) | LineKind::Close { text, .. } => {
                format!("{indent}  {text}")
            }
        }
    }
}

/// The lines of a change, expanded as `terraform plan` does: the members that change, each
/// nested value as a block (`[` ... `]`, `{` ... `}`) with one line per leaf; in a change, the
/// objects and lists on the way to what differs, each saying how many of its members or
/// elements are unchanged (`# (3 unchanged members hidden)`); then the members kept at their
/// actual value. Values print whole; a redacted one as `(sensitive)`.
pub(super) fn change_lines(change: &Change) -> Vec<Line> {
    lines(&change.fields, &change.kept)
}

/// The lines of these differences and kept members (see [`change_lines`]).
fn lines(fields: &[FieldDiff], kept: &[Kept]) -> Vec<Line> {
    let mut root = Node::default();
    for field in fields {
        root.insert(field);
    }
    let mut out = Lines::default();
    match root.leaf {
        // The whole resource differs at once (a deletion compares it with nothing): its
        // members, one by one.
        Some(field) => {
            let side = |value: &Option<Value>| match value {
                Some(Value::Object(members)) => Some(members.clone()),
                None | Some(Value::Null) => Some(serde_json::Map::new()),
                Some(_) => None,
            };
            match (side(&field.before), side(&field.after)) {
                (Some(before), Some(after)) => out.members(&before, &after, 0),
                _ => out.value_diff("", field.before.as_ref(), field.after.as_ref(), 0),
            }
        }
        None => out.children(&root, 0),
    }
    for kept in kept {
        out.kept(kept);
    }
    out.lines
}

/// The members that change, as a tree of their paths.
#[derive(Default)]
struct Node<'f> {
    /// The key or index leading here from the parent.
    segment: Option<PathSegment>,
    /// What the value here holds, when it is a container on the way to a change.
    container: Option<&'f Container>,
    children: Vec<Node<'f>>,
    /// The difference at this path.
    leaf: Option<&'f FieldDiff>,
}

impl<'f> Node<'f> {
    fn insert(&mut self, field: &'f FieldDiff) {
        let containers = field.containers();
        let mut node = self;
        for (depth, segment) in field.path.segments().iter().enumerate() {
            if node.container.is_none() {
                node.container = containers.get(depth);
            }
            let at = match node
                .children
                .iter()
                .position(|child| child.segment.as_ref() == Some(segment))
            {
                Some(at) => at,
                None => {
                    node.children.push(Node {
                        segment: Some(segment.clone()),
                        ..Node::default()
                    });
                    node.children.len() - 1
                }
            };
            node = &mut node.children[at];
        }
        node.leaf = Some(field);
    }

    /// `image: ` for a member, nothing for an element of a list.
    fn label(&self) -> String {
        match &self.segment {
            Some(PathSegment::Key(key)) => label(key),
            _ => String::new(),
        }
    }

    /// Whether the children are elements of a list.
    fn is_list(&self) -> bool {
        matches!(
            self.children.first().and_then(|c| c.segment.as_ref()),
            Some(PathSegment::Index(_))
        )
    }
}

/// The lines being written.
#[derive(Default)]
struct Lines {
    lines: Vec<Line>,
}

impl Lines {
    fn push(&mut self, depth: usize, kind: LineKind) {
        self.lines.push(Line { depth, kind });
    }

    /// A node of the tree at `depth`: its difference, or the block of its children.
    fn node(&mut self, node: &Node<'_>, depth: usize) {
        let label = node.label();
        if let Some(field) = node.leaf {
            return self.value_diff(&label, field.before.as_ref(), field.after.as_ref(), depth);
        }
        let (open, close) = if node.is_list() {
            ("[", "]")
        } else {
            ("{", "}")
        };
        self.push(depth, LineKind::Open(format!("{label}{open}")));
        self.children(node, depth + 1);
        self.push(
            depth,
            LineKind::Close {
                text: close.to_owned(),
                block: Block::Changed,
            },
        );
    }

    /// The children of `node` at `depth`, the member naming it first, and how many others are
    /// unchanged.
    fn children(&mut self, node: &Node<'_>, depth: usize) {
        let mut shown = node.children.len();
        // The root is named by the resource's address.
        if let (
            Some(_),
            Some(Container {
                named: Some((member, value)),
                ..
            }),
        ) = (&node.segment, node.container)
        {
            let changes = node
                .children
                .iter()
                .any(|c| c.segment == Some(PathSegment::Key(member.clone())));
            if !changes {
                self.push(
                    depth,
                    LineKind::Context(format!("{}{}", label(member), Value::from(value.clone()))),
                );
                shown += 1;
            }
        }
        for child in &node.children {
            self.node(child, depth);
        }
        if let Some(container) = node.container {
            self.folded(container.size.saturating_sub(shown), node.is_list(), depth);
        }
    }

    fn folded(&mut self, hidden: usize, list: bool, depth: usize) {
        let noun = match (list, hidden) {
            (_, 0) => return,
            (true, 1) => "element",
            (true, _) => "elements",
            (false, 1) => "member",
            (false, _) => "members",
        };
        self.push(
            depth,
            LineKind::Folded(format!("# ({hidden} unchanged {noun} hidden)")),
        );
    }

    /// A value that differs as a whole: added, removed, changed in place, or (two objects or
    /// lists) the members or elements that differ.
    fn value_diff(
        &mut self,
        label: &str,
        before: Option<&Value>,
        after: Option<&Value>,
        depth: usize,
    ) {
        match (before, after) {
            (None, None) => {}
            (None, Some(after)) => self.value(label, after, depth, Block::Added, ""),
            (Some(before), None) => self.value(label, before, depth, Block::Removed, ""),
            (Some(Value::Object(before)), Some(Value::Object(after))) => {
                self.push(depth, LineKind::Open(format!("{label}{{")));
                self.members(before, after, depth + 1);
                self.close("}", depth, Block::Changed);
            }
            (Some(Value::Array(before)), Some(Value::Array(after))) => {
                self.push(depth, LineKind::Open(format!("{label}[")));
                self.elements(before, after, depth + 1);
                self.close("]", depth, Block::Changed);
            }
            (Some(before), Some(after)) if !is_container(before) && !is_container(after) => {
                self.push(
                    depth,
                    LineKind::Changed {
                        label: label.to_owned(),
                        before: scalar(before),
                        after: scalar(after),
                    },
                );
            }
            (Some(before), Some(after)) => {
                self.value(label, before, depth, Block::Removed, "");
                self.value(label, after, depth, Block::Added, "");
            }
        }
    }

    /// The members of two objects that differ, at `depth`, and how many are unchanged.
    fn members(&mut self, before: &Map<String, Value>, after: &Map<String, Value>, depth: usize) {
        let mut unchanged = 0;
        let only_before = before.iter().filter(|(key, _)| !after.contains_key(*key));
        for (key, value) in after
            .iter()
            .map(|(k, v)| (k, Some(v)))
            .chain(only_before.map(|(k, _)| (k, None)))
        {
            let was = before.get(key);
            if was == value {
                unchanged += 1;
            } else {
                self.value_diff(&label(key), was, value, depth);
            }
        }
        self.folded(unchanged, false, depth);
    }

    /// The elements of two lists that differ, at `depth`: the longest run of equal elements
    /// is unchanged (folded); between them, an element removed and one added that carry the
    /// same name (`name`, `containerName`, `key`) differ member by member, the others are
    /// removed and added whole.
    fn elements(&mut self, before: &[Value], after: &[Value], depth: usize) {
        let mut unchanged = 0;
        let (mut removed, mut added) = (Vec::new(), Vec::new());
        for step in align(before, after) {
            match step {
                Align::Same => {
                    self.gap(&mut removed, &mut added, depth);
                    unchanged += 1;
                }
                Align::Removed(value) => removed.push(value),
                Align::Added(value) => added.push(value),
            }
        }
        self.gap(&mut removed, &mut added, depth);
        self.folded(unchanged, true, depth);
    }

    /// The elements removed and added between two unchanged ones.
    fn gap<'v>(&mut self, removed: &mut Vec<&'v Value>, added: &mut Vec<&'v Value>, depth: usize) {
        let mut paired = Vec::new();
        for (index, after) in added.iter().enumerate() {
            let name = element_name(after);
            let found = name.and_then(|name| {
                removed
                    .iter()
                    .position(|before| element_name(before) == Some(name))
            });
            if let Some(at) = found {
                paired.push((index, removed.remove(at)));
            }
        }
        for before in removed.drain(..) {
            self.value("", before, depth, Block::Removed, "");
        }
        for (index, after) in added.drain(..).enumerate() {
            match paired.iter().find(|(i, _)| *i == index) {
                Some((_, before)) => self.value_diff("", Some(before), Some(after), depth),
                None => self.value("", after, depth, Block::Added, ""),
            }
        }
    }

    /// A whole value in `block`: one line for a scalar, a block of lines for an object or a
    /// list; `suffix` follows its last line.
    fn value(&mut self, label: &str, value: &Value, depth: usize, block: Block, suffix: &str) {
        let line = |text: String| match block {
            Block::Added => LineKind::Added(text),
            Block::Removed => LineKind::Removed(text),
            Block::Kept => LineKind::Kept(text),
            Block::Changed => LineKind::Open(text),
        };
        match value {
            Value::Object(members) if !members.is_empty() => {
                self.push(depth, line(format!("{label}{{")));
                for (key, member) in members {
                    self.value(&self::label(key), member, depth + 1, block, "");
                }
                self.close(&format!("}}{suffix}"), depth, block);
            }
            Value::Array(elements) if !elements.is_empty() => {
                self.push(depth, line(format!("{label}[")));
                for element in elements {
                    self.value("", element, depth + 1, block, "");
                }
                self.close(&format!("]{suffix}"), depth, block);
            }
            _ => self.push(depth, line(format!("{label}{}{suffix}", scalar(value)))),
        }
    }

    fn close(&mut self, text: &str, depth: usize, block: Block) {
        self.push(
            depth,
            LineKind::Close {
                text: text.to_owned(),
                block,
            },
        );
    }

    /// A member kept at its actual value: `= desiredCount: 5 (left to autoscaling)`. It does
    /// not change, so a short object or list stays on its line as compact JSON
    /// (`= settings: [{"name":"containerInsights","value":"disabled"}] (left to AWS, ...)`);
    /// a longer one is a block.
    fn kept(&mut self, kept: &Kept) {
        let suffix = format!(" (left to {})", kept.owner);
        let compact = kept.value.to_string();
        if is_container(&kept.value) && compact.chars().count() <= KEPT_INLINE_WIDTH {
            self.push(
                0,
                LineKind::Kept(format!("{}: {compact}{suffix}", kept.path)),
            );
            return;
        }
        self.value(
            &format!("{}: ", kept.path),
            &kept.value,
            0,
            Block::Kept,
            &suffix,
        );
    }
}

/// The widest object or list, as compact JSON, that a kept member shows on its own line.
const KEPT_INLINE_WIDTH: usize = 80;

/// How two lists line up, element by element.
enum Align<'v> {
    /// Equal on both sides.
    Same,
    /// Only before.
    Removed(&'v Value),
    /// Only after.
    Added(&'v Value),
}

/// The longest common subsequence of two lists, as the steps from `before` to `after`.
fn align<'v>(before: &'v [Value], after: &'v [Value]) -> Vec<Align<'v>> {
    let (n, m) = (before.len(), after.len());
    // longest[i][j]: the longest common subsequence of before[i..] and after[j..].
    let mut longest = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            longest[i][j] = if before[i] == after[j] {
                longest[i + 1][j + 1] + 1
            } else {
                longest[i + 1][j].max(longest[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(n.max(m));
    while i < n || j < m {
        if i < n && j < m && before[i] == after[j] {
            out.push(Align::Same);
            i += 1;
            j += 1;
        } else if j < m && (i == n || longest[i][j + 1] >= longest[i + 1][j]) {
            out.push(Align::Added(&after[j]));
            j += 1;
        } else {
            out.push(Align::Removed(&before[i]));
            i += 1;
        }
    }
    out
}

/// The name of an element of a list (its `name`, `containerName` or `key`), to pair the
/// element removed and the one added that are the same thing changed.
fn element_name(value: &Value) -> Option<(&'static str, &str)> {
    ["name", "containerName", "key"]
        .into_iter()
        .find_map(|member| Some((member, value.get(member)?.as_str()?)))
}

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Object(m) if !m.is_empty())
        || matches!(value, Value::Array(l) if !l.is_empty())
}

/// `key: `, the key quoted as JSON when it is not a plain name (`"awslogs-group": `).
fn label(key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if plain {
        format!("{key}: ")
    } else {
        format!("{}: ", Value::from(key))
    }
}

/// A value that is not a block, as JSON (strings whole, quoted); a redacted one as
/// `(sensitive)`.
fn scalar(value: &Value) -> String {
    if value.as_str() == Some(SENSITIVE) {
        return SENSITIVE.to_owned();
    }
    value.to_string()
}

/// The counts of resources per action: `(create, register, update, replace, not managed,
/// delete, blocked)`.
fn counts(plan: &Plan) -> [usize; 7] {
    let summary = plan.summary();
    let count = |action: Action| summary.get(&action).copied().unwrap_or(0);
    [
        count(Action::Create),
        count(Action::Register),
        count(Action::Update) + count(Action::UpdateAndDeploy),
        count(Action::Replace),
        count(Action::NotManaged),
        count(Action::Delete),
        count(Action::Blocked),
    ]
}

/// `Plan: 1 to create, ...` or `No changes. ...`, and a line on resources left alone.
pub(super) fn write_summary(out: &mut impl Write, plan: &Plan, style: Style) -> io::Result<()> {
    let [
        create,
        register,
        update,
        replace,
        not_managed,
        delete,
        blocked,
    ] = counts(plan);
    if plan.has_changes() {
        let delete = if delete > 0 {
            format!(", {delete} to delete")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{} {create} to create, {register} to register, {update} to update, {replace} to \
             replace{delete}.",
            style.paint(BOLD, "Plan:")
        )?;
    } else if not_managed == 0 {
        writeln!(
            out,
            "{}",
            style.paint(BOLD, "No changes. AWS matches the stack.")
        )?;
    } else {
        writeln!(
            out,
            "{}",
            style.paint(
                BOLD,
                "No changes. AWS matches the stack, but for the resources it does not manage."
            )
        )?;
    }
    if blocked > 0 {
        let (noun, verb) = if blocked == 1 {
            ("resource", "differs")
        } else {
            ("resources", "differ")
        };
        writeln!(
            out,
            "{blocked} {noun} {verb} from the stack in a way no call can fix (marked !, in red): \
             see why above."
        )?;
    }
    if not_managed > 0 {
        let (noun, verb) = if not_managed == 1 {
            ("resource", "is")
        } else {
            ("resources", "are")
        };
        writeln!(
            out,
            "{not_managed} {noun} of the stack {verb} not managed by it and left alone (marked !)."
        )?;
    }
    Ok(())
}

/// What applying did, for the final line: `Apply complete: 1 created, ...`.
pub(super) fn applied_summary(plan: &Plan, done: &[Address]) -> String {
    let mut counts = [0; 5];
    for change in plan.changes.iter().filter(|c| done.contains(&c.address)) {
        let slot = match change.action {
            Action::Create => 0,
            Action::Register => 1,
            Action::Update | Action::UpdateAndDeploy => 2,
            Action::Replace => 3,
            Action::Delete => 4,
            _ => continue,
        };
        counts[slot] += 1;
    }
    let [created, registered, updated, replaced, deleted] = counts;
    let deleted = if deleted > 0 {
        format!(", {deleted} deleted")
    } else {
        String::new()
    };
    format!(
        "{created} created, {registered} registered, {updated} updated, {replaced} \
         replaced{deleted}"
    )
}

#[cfg(test)]
mod tests {
    use ecs_deploy::plan::{self as planner, Actual, Existing};
    use ecs_deploy::{Leave, Options};
    use ecs_model::Stack;
    use ecs_model::load::from_value;
    use ecs_model::types::{CreateServiceRequest, RegisterTaskDefinitionRequest, Tag};
    use serde_json::json;

    use super::*;

    fn text(plan: &Plan) -> String {
        let mut out = Vec::new();
        write_plan(&mut out, &plan.redacted(), Style::plain()).expect("written");
        String::from_utf8(out).expect("utf8")
    }

    fn stack(value: Value) -> Stack {
        from_value::<Stack>(&value).value.expect("a stack")
    }

    fn task_definition(image: &str, environment: Value) -> Value {
        json!({
            "family": "webserver",
            "containerDefinitions": [{
                "name": "web", "image": image, "memory": 128, "environment": environment
            }]
        })
    }

    fn ours() -> Option<Vec<Tag>> {
        let mut tag = Tag::default();
        tag.key = Some(STACK_TAG.to_owned());
        tag.value = Some("demo".to_owned());
        Some(vec![tag])
    }

    /// AWS as it is after the stack was applied with `image` and `environment`, and with its
    /// service scaled to `count` tasks.
    fn actual(image: &str, environment: Value, count: i32) -> Actual {
        let mut actual = Actual::default();
        let mut td: RegisterTaskDefinitionRequest =
            from_value(&task_definition(image, environment))
                .value
                .expect("td");
        td.tags = ours();
        let mut existing = Existing::new(
            "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
            td,
        );
        existing.revision = Some(3);
        actual.task_definitions.insert("webserver".into(), existing);
        let mut service: CreateServiceRequest = from_value(&json!({
            "serviceName": "web", "cluster": "demo",
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
            "desiredCount": count
        }))
        .value
        .expect("service");
        service.tags = ours();
        actual.services.insert(
            ("demo".into(), "web".into()),
            Existing::new(
                "arn:aws:ecs:us-east-1:123456789012:service/demo/web",
                service,
            ),
        );
        actual
    }

    fn desired(image: &str, environment: Value) -> Stack {
        stack(json!({
            "taskDefinitions": [task_definition(image, environment)],
            "services": [{
                "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
                "desiredCount": 2
            }]
        }))
    }

    #[test]
    fn a_creation_shows_every_leaf_with_lists_and_objects_as_blocks() {
        let long = "a,b,c,d,e,f,g,h,".repeat(10);
        let desired = stack(json!({
            "clusters": [{"clusterName": "demo"}],
            "taskDefinitions": [task_definition("nginx:1.27", json!([
                {"name": "MODE", "value": "production"},
                {"name": "FEATURES", "value": long}
            ]))]
        }));
        let plan = planner::plan(&desired, &Actual::default(), &Options::new("demo"));
        assert_eq!(
            text(&plan),
            format!(
                "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\
                 \n\
                 + cluster demo: create\n\
                 \x20 + clusterName: \"demo\"\n\
                 \x20 + tags: [\n\
                 \x20     + {{\n\
                 \x20         + key: \"ecs-rs:stack\"\n\
                 \x20         + value: \"demo\"\n\
                 \x20       }}\n\
                 \x20   ]\n\
                 \n\
                 + task definition webserver: create\n\
                 \x20 + family: \"webserver\"\n\
                 \x20 + containerDefinitions: [\n\
                 \x20     + {{\n\
                 \x20         + name: \"web\"\n\
                 \x20         + image: \"nginx:1.27\"\n\
                 \x20         + memory: 128\n\
                 \x20         + environment: [\n\
                 \x20             + {{\n\
                 \x20                 + name: \"MODE\"\n\
                 \x20                 + value: \"production\"\n\
                 \x20               }}\n\
                 \x20             + {{\n\
                 \x20                 + name: \"FEATURES\"\n\
                 \x20                 + value: \"{long}\"\n\
                 \x20               }}\n\
                 \x20           ]\n\
                 \x20       }}\n\
                 \x20   ]\n\
                 \x20 + tags: [\n\
                 \x20     + {{\n\
                 \x20         + key: \"ecs-rs:stack\"\n\
                 \x20         + value: \"demo\"\n\
                 \x20       }}\n\
                 \x20   ]\n\
                 \n\
                 Plan: 2 to create, 0 to register, 0 to update, 0 to replace.\n"
            )
        );
    }

    #[test]
    fn an_image_bump_shows_the_one_leaf_in_its_container_the_rest_folded() {
        let plan = planner::plan(
            &desired("nginx:1.27", json!([])),
            &actual("nginx:1.26", json!([]), 2),
            &Options::new("demo"),
        );
        assert_eq!(
            text(&plan),
            "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\
             \n\
             ~ task definition webserver: revision 3 differs; a new revision is registered\n\
             \x20 ~ containerDefinitions: [\n\
             \x20     ~ {\n\
             \x20           name: \"web\"\n\
             \x20         ~ image: \"nginx:1.26\" -> \"nginx:1.27\"\n\
             \x20           # (4 unchanged members hidden)\n\
             \x20       }\n\
             \x20   ]\n\
             \x20   # (4 unchanged members hidden)\n\
             \n\
             ~ service demo/web: update in place, which starts a new deployment of its tasks\n\
             \x20 ~ taskDefinition: \"arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3\" \
             -> \"webserver:(new revision)\"\n\
             \x20   # (12 unchanged members hidden)\n\
             \n\
             Plan: 0 to create, 1 to register, 1 to update, 0 to replace.\n"
        );
    }

    /// The lines of the first change of a plan of `have` -> `wanted` (two task definitions).
    fn lines_between(have: Value, wanted: Value) -> String {
        let desired = stack(json!({"taskDefinitions": [wanted]}));
        let mut actual = Actual::default();
        let mut td: RegisterTaskDefinitionRequest = from_value(&have).value.expect("td");
        td.tags = ours();
        let mut existing = Existing::new(
            "arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:3",
            td,
        );
        existing.revision = Some(3);
        actual.task_definitions.insert("webserver".into(), existing);
        let plan = planner::plan(&desired, &actual, &Options::new("demo")).redacted();
        plain(&change_lines(&plan.changes[0]))
    }

    /// The lines as `plan` prints them, without colors.
    fn plain(lines: &[Line]) -> String {
        lines
            .iter()
            .map(|line| line.text(Style::plain()) + "\n")
            .collect()
    }

    #[test]
    fn a_list_of_another_length_shows_the_elements_added_removed_and_changed() {
        let environment = |vars: &[(&str, &str)]| {
            let vars: Vec<Value> = vars
                .iter()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect();
            task_definition("nginx:1.27", Value::Array(vars))
        };
        // Sorted by name, as the planner compares them.
        let shown = lines_between(
            environment(&[("A", "1"), ("B", "2"), ("C", "3"), ("OLD", "x")]),
            environment(&[("A", "1"), ("B", "2"), ("C", "4"), ("D", "5"), ("E", "6")]),
        );
        assert_eq!(
            shown,
            "  ~ containerDefinitions: [\n\
             \x20     ~ {\n\
             \x20           name: \"web\"\n\
             \x20         ~ environment: [\n\
             \x20             - {\n\
             \x20                 - name: \"OLD\"\n\
             \x20                 - value: \"x\"\n\
             \x20               }\n\
             \x20             ~ {\n\
             \x20                 ~ value: \"3\" -> \"4\"\n\
             \x20                   # (1 unchanged member hidden)\n\
             \x20               }\n\
             \x20             + {\n\
             \x20                 + name: \"D\"\n\
             \x20                 + value: \"5\"\n\
             \x20               }\n\
             \x20             + {\n\
             \x20                 + name: \"E\"\n\
             \x20                 + value: \"6\"\n\
             \x20               }\n\
             \x20               # (2 unchanged elements hidden)\n\
             \x20           ]\n\
             \x20           # (5 unchanged members hidden)\n\
             \x20       }\n\
             \x20   ]\n\
             \x20   # (4 unchanged members hidden)\n"
        );
    }

    #[test]
    fn a_resource_compared_with_nothing_shows_its_members() {
        // As the prune of a target group or listener rule differs: the whole input against
        // null.
        let fields = ecs_deploy::diff::diff(
            &json!({"Name": "web", "Port": 80, "Matcher": {"HttpCode": "200"}}),
            &Value::Null,
        );
        let shown = plain(&lines(&fields, &[]));
        assert_eq!(
            shown,
            "  - Name: \"web\"\n\
             \x20 - Port: 80\n\
             \x20 - Matcher: {\n\
             \x20     - HttpCode: \"200\"\n\
             \x20   }\n"
        );
    }

    #[test]
    fn members_added_and_removed_are_blocks_and_odd_keys_are_quoted() {
        let with = |extra: Value| {
            let mut td = task_definition("nginx:1.27", json!([]));
            for (key, value) in extra.as_object().into_iter().flatten() {
                td["containerDefinitions"][0][key] = value.clone();
            }
            td
        };
        // The planner compares normalized documents: members in key order, and an unset cpu
        // is AWS's 0.
        let shown = lines_between(
            with(json!({"dockerLabels": {"team": "web"}, "cpu": 10, "workingDirectory": "/app"})),
            with(json!({
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": "/ecs/web"}
                },
                "dockerLabels": {"team": "web", "com.example.tier": "front"}
            })),
        );
        assert_eq!(
            shown,
            "  ~ containerDefinitions: [\n\
             \x20     ~ {\n\
             \x20           name: \"web\"\n\
             \x20         ~ cpu: 10 -> 0\n\
             \x20         ~ dockerLabels: {\n\
             \x20             + \"com.example.tier\": \"front\"\n\
             \x20               # (1 unchanged member hidden)\n\
             \x20           }\n\
             \x20         + logConfiguration: {\n\
             \x20             + logDriver: \"awslogs\"\n\
             \x20             + options: {\n\
             \x20                 + \"awslogs-group\": \"/ecs/web\"\n\
             \x20               }\n\
             \x20           }\n\
             \x20         - workingDirectory: \"/app\"\n\
             \x20           # (4 unchanged members hidden)\n\
             \x20       }\n\
             \x20   ]\n\
             \x20   # (4 unchanged members hidden)\n"
        );
    }

    #[test]
    fn unchanged_resources_are_one_line_each_with_the_members_left_to_others() {
        let options = Options::new("demo").leave(Leave::DesiredCount { service: None });
        let plan = planner::plan(
            &desired("nginx:1.27", json!([])),
            &actual("nginx:1.27", json!([]), 5),
            &options,
        );
        assert_eq!(
            text(&plan),
            "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\
             \n\
             = task definition webserver (no change)\n\
             \n\
             = service demo/web (no change)\n\
             \x20 = desiredCount: 5 (left to autoscaling)\n\
             \n\
             No changes. AWS matches the stack.\n"
        );
    }

    #[test]
    fn a_short_member_left_to_aws_stays_on_its_line() {
        let mut actual = Actual::default();
        let cluster = from_value(&json!({
            "clusterName": "demo",
            "settings": [{"name": "containerInsights", "value": "disabled"}]
        }))
        .value
        .expect("cluster");
        let mut cluster: ecs_model::types::CreateClusterRequest = cluster;
        cluster.tags = ours();
        actual.clusters.insert(
            "demo".into(),
            Existing::new("arn:aws:ecs:us-east-1:123456789012:cluster/demo", cluster),
        );
        let desired = stack(json!({"clusters": [{"clusterName": "demo"}]}));
        let plan = planner::plan(&desired, &actual, &Options::new("demo"));
        assert_eq!(
            text(&plan),
            "Plan for stack \"demo\" (tag ecs-rs:stack=demo):\n\
             \n\
             = cluster demo (no change)\n\
             \x20 = settings: [{\"name\":\"containerInsights\",\"value\":\"disabled\"}] (left to \
             AWS, which picks it when the stack does not set it)\n\
             \n\
             No changes. AWS matches the stack.\n"
        );
    }

    #[test]
    fn replacements_and_resources_of_others_say_why() {
        let mut actual = actual("nginx:1.27", json!([]), 2);
        if let Some(td) = actual.task_definitions.get_mut("webserver") {
            td.input.tags = None;
        }
        let desired = stack(json!({
            "taskDefinitions": [task_definition("nginx:1.27", json!([]))],
            "services": [{
                "serviceName": "web", "cluster": "demo", "taskDefinition": "webserver",
                "desiredCount": 2, "launchType": "EXTERNAL"
            }]
        }));
        let plan = planner::plan(&desired, &actual, &Options::new("demo"));
        let text = text(&plan);
        assert!(
            text.contains(
                "! task definition webserver: not changed: it exists without the ecs-rs:stack \
                 tag, so another tool or person manages it\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "-/+ service demo/web: delete and create again: AWS does not move a service \
                 from the cluster's default capacity provider strategy to the EXTERNAL launch \
                 type in place; a replace stops the service's tasks: it deletes the service, \
                 waits until the old service has drained, then creates it again\n  \
                 + launchType: \"EXTERNAL\"\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with(
                "Plan: 0 to create, 0 to register, 0 to update, 1 to replace.\n\
                 1 resource of the stack is not managed by it and left alone (marked !).\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn secret_values_never_print() {
        let environment = |password: &str, url: &str| {
            json!([
                {"name": "DB_PASSWORD", "value": password},
                {"name": "DATABASE_URL", "value": url},
                {"name": "MODE", "value": "production"}
            ])
        };
        let secrets = ["hunter2", "hunter3", "s3cr3t-a", "s3cr3t-b"];
        let plan = planner::plan(
            &desired(
                "nginx:1.27",
                environment("hunter3", "postgres://app:s3cr3t-b@db/app"),
            ),
            &actual(
                "nginx:1.27",
                environment("hunter2", "postgres://app:s3cr3t-a@db/app"),
                2,
            ),
            &Options::new("demo"),
        );
        let text = text(&plan);
        // The environment is sorted by name for comparison: DATABASE_URL, DB_PASSWORD, MODE.
        assert!(
            text.contains(
                "          ~ environment: [\n\
                 \x20             ~ {\n\
                 \x20                   name: \"DATABASE_URL\"\n\
                 \x20                 ~ value: (sensitive) -> (sensitive)\n\
                 \x20               }\n\
                 \x20             ~ {\n\
                 \x20                   name: \"DB_PASSWORD\"\n\
                 \x20                 ~ value: (sensitive) -> (sensitive)\n\
                 \x20               }\n\
                 \x20               # (1 unchanged element hidden)\n\
                 \x20           ]\n"
            ),
            "{text}"
        );
        let json = serde_json::to_string(&plan.redacted()).expect("json");
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} in {text}");
            assert!(!json.contains(secret), "{secret} in {json}");
        }
        assert!(json.contains("production"), "other values stay: {json}");

        let created = planner::plan(
            &desired("nginx:1.27", environment("hunter2", "x")),
            &Actual::default(),
            &Options::new("demo"),
        );
        let json = serde_json::to_string(&created.redacted()).expect("json");
        assert!(!json.contains("hunter2"), "{json}");
    }

    #[test]
    fn a_changed_value_is_shown_when_its_name_is_not_secret() {
        let plan = planner::plan(
            &desired(
                "nginx:1.27",
                json!([{"name": "MODE", "value": "production"}]),
            ),
            &actual(
                "nginx:1.27",
                json!([{"name": "MODE", "value": "staging"}]),
                2,
            ),
            &Options::new("demo"),
        );
        assert!(
            text(&plan).contains(
                "              ~ {\n\
                 \x20                   name: \"MODE\"\n\
                 \x20                 ~ value: \"staging\" -> \"production\"\n\
                 \x20               }\n"
            ),
            "{}",
            text(&plan)
        );
    }

    #[test]
    fn the_applied_summary_counts_what_was_done() {
        let desired = stack(json!({"clusters": [{"clusterName": "a"}, {"clusterName": "b"}]}));
        let plan = planner::plan(&desired, &Actual::default(), &Options::new("demo"));
        let done = vec![plan.changes[0].address.clone()];
        assert_eq!(
            applied_summary(&plan, &done),
            "1 created, 0 registered, 0 updated, 0 replaced"
        );
    }

    #[test]
    fn deletions_show_what_goes_without_its_secrets() {
        let secret = json!([{"name": "API_TOKEN", "value": "tok-do-not-print"}]);
        let actual = actual("nginx:1.27", secret, 2);
        let plan = planner::destroy(&Stack::default(), &actual, &Options::new("demo"));
        let shown = text(&plan);
        assert!(!shown.contains("tok-do-not-print"), "{shown}");
        assert!(
            shown.contains("- service demo/web: delete: the stack is destroyed\n"),
            "{shown}"
        );
        assert!(shown.contains("  - desiredCount: 2\n"), "{shown}");
        assert!(
            shown.contains(
                "- task definition webserver: the stack is destroyed: deregister webserver:3\n"
            ),
            "{shown}"
        );
        assert!(
            shown.ends_with(
                "Plan: 0 to create, 0 to register, 0 to update, 0 to replace, 2 to delete.\n"
            ),
            "{shown}"
        );
        assert_eq!(
            applied_summary(&plan, &[plan.changes[0].address.clone()]),
            "0 created, 0 registered, 0 updated, 0 replaced, 1 deleted"
        );
    }
}
