//! The error of a build that the rule set rejects.

use std::fmt;

use ecs_model::Diagnostic;

/// A resource the rule set rejects: every diagnostic found (errors and warnings), and which
/// resource they are about.
///
/// Display names the resource, then lists one diagnostic a line as
/// `path: severity[code]: message (hint: ...)`, with paths from the resource's JSON root.
///
/// ```
/// use ecs_dsl::prelude::*;
///
/// let invalid = task_definition("webserver")
///     .container_definitions(container("web", "nginx"))
///     .container_definitions(container("web", "nginx"))
///     .build()
///     .unwrap_err();
/// assert_eq!(invalid.resource(), "task definition `webserver`");
/// assert!(invalid.codes().contains(&"duplicate-container-name"));
/// assert!(invalid.to_string().starts_with("task definition `webserver` is invalid"));
/// assert!(invalid.to_string().contains("\n  containerDefinitions[1].name: error[duplicate-container-name]: "));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub struct Invalid {
    resource: String,
    diagnostics: Vec<Diagnostic>,
}

impl Invalid {
    /// The diagnostics of `resource` (as error messages name it: "task definition `webserver`").
    ///
    /// ```
    /// use ecs_dsl::Invalid;
    /// use ecs_dsl::model::{Diagnostic, JsonPath};
    ///
    /// let error = Diagnostic::error("cluster-name", JsonPath::root().key("clusterName"), "too long");
    /// let invalid = Invalid::new("cluster `x`", vec![error]);
    /// assert_eq!(invalid.to_string(), "cluster `x` is invalid (1 error):\n  clusterName: error[cluster-name]: too long");
    /// ```
    pub fn new(resource: impl Into<String>, diagnostics: Vec<Diagnostic>) -> Self {
        Self {
            resource: resource.into(),
            diagnostics,
        }
    }

    /// The resource, as error messages name it: "task definition `webserver`", "stack".
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let invalid = cluster("bad name!").build().unwrap_err();
    /// assert_eq!(invalid.resource(), "cluster `bad name!`");
    /// ```
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// Every diagnostic, errors and warnings, in the order found.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// // An unknown network mode is a warning; the missing container an error.
    /// let invalid = task_definition("web").network_mode("awsvcp").build().unwrap_err();
    /// let found: Vec<_> = invalid.diagnostics().iter().map(|d| (d.severity, d.path.to_string())).collect();
    /// assert!(found.contains(&(Severity::Warning, "networkMode".to_owned())));
    /// assert!(found.contains(&(Severity::Error, "containerDefinitions".to_owned())));
    /// ```
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// The diagnostics that make the build fail.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let invalid = task_definition("web").network_mode("awsvcp").build().unwrap_err();
    /// assert!(invalid.errors().all(|d| d.severity == Severity::Error));
    /// assert!(invalid.errors().count() < invalid.diagnostics().len());
    /// ```
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The rule codes of every diagnostic, in order.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let invalid = task_definition("web").build().unwrap_err();
    /// assert_eq!(invalid.codes(), ["missing-required-field"]);
    /// ```
    pub fn codes(&self) -> Vec<&str> {
        self.diagnostics.iter().map(|d| d.code.as_str()).collect()
    }

    /// The diagnostics, consuming the error.
    ///
    /// ```
    /// use ecs_dsl::prelude::*;
    ///
    /// let invalid = task_definition("web").build().unwrap_err();
    /// let diagnostics: Vec<Diagnostic> = invalid.into_diagnostics();
    /// assert_eq!(diagnostics[0].path.to_string(), "containerDefinitions");
    /// ```
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        let warnings = self.diagnostics.len() - errors;
        write!(
            f,
            "{} is invalid ({}",
            self.resource,
            count(errors, "error")
        )?;
        if warnings > 0 {
            write!(f, ", {}", count(warnings, "warning"))?;
        }
        f.write_str("):")?;
        for d in &self.diagnostics {
            f.write_str("\n  ")?;
            if !d.path.is_root() {
                write!(f, "{}: ", d.path)?;
            }
            write!(f, "{}[{}]: {}", d.severity, d.code, d.message)?;
            if let Some(hint) = &d.hint {
                write!(f, " (hint: {hint})")?;
            }
        }
        Ok(())
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use ecs_model::JsonPath;

    use super::*;

    #[test]
    fn display_counts_and_lists_every_diagnostic() {
        let invalid = Invalid::new(
            "service `web`",
            vec![
                Diagnostic::error("service-name", JsonPath::root(), "empty").with_hint("name it"),
                Diagnostic::warning("x", JsonPath::root().key("a").index(0), "odd"),
                Diagnostic::error("y", JsonPath::root().key("b"), "bad"),
            ],
        );
        assert_eq!(
            invalid.to_string(),
            "service `web` is invalid (2 errors, 1 warning):\n  \
             error[service-name]: empty (hint: name it)\n  \
             a[0]: warning[x]: odd\n  \
             b: error[y]: bad"
        );
        assert_eq!(invalid.errors().count(), 2);
        assert_eq!(invalid.codes(), ["service-name", "x", "y"]);
    }
}
