//! Reading files: the bytes as UTF-8 text, then the document, checked.
//!
//! [`read_stack`] is what a program that deploys a stack file calls: the stack, or every error
//! the file has (with its JSON path) as a [`StackFileError`], never an empty stack in place of
//! an unreadable file. [`check_file`] is what `ecs-deploy validate` reports for a file: every
//! diagnostic, warnings included, and the document when the file holds one.
//!
//! Before the text is JSON, three problems get codes of their own ([`codes`]): `io-error` when
//! the file cannot be read, `encoding` when its bytes are not UTF-8 text, `empty-file` when it
//! holds nothing. Telling them apart matters to the user: "check the path and its permissions"
//! is no help for a file an editor saved as UTF-16.
//!
//! ```no_run
//! # fn run() -> Result<(), ecs_model::file::StackFileError> {
//! let stack = ecs_model::file::read_stack("stack.json")?;
//! println!("{} services", stack.services.len());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, JsonPath, Location};
use crate::document::{Document, Kind, check};
use crate::load::Loaded;
use crate::stack::Stack;

/// The codes of the diagnostics about a file before it is JSON.
///
/// The loader's codes (`json-syntax`, `unknown-field`, ...) are in [`crate::load::codes`]; the
/// rules' codes are listed in `docs/rules.md`. Like those, these are stable: scripts match on
/// them in `ecs-deploy validate --format json` output.
pub mod codes {
    /// The file could not be read (missing, a folder, no permission).
    pub const IO_ERROR: &str = "io-error";
    /// The file is not UTF-8 text (UTF-16 or UTF-32 with or without a byte order mark,
    /// Latin-1, a binary file).
    pub const ENCODING: &str = "encoding";
    /// The file holds nothing, or only whitespace.
    pub const EMPTY_FILE: &str = "empty-file";
}

/// Why a file is not text to parse. Reported as one [`Diagnostic`]
/// ([`ReadError::diagnostic`]), at the document root.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// The file could not be read.
    #[error("cannot read the file")]
    Io(#[source] io::Error),
    /// The bytes are not UTF-8 text.
    #[error("{message}")]
    Encoding {
        /// What they are instead, as far as can be told.
        message: String,
        /// The first byte that is not UTF-8, when one byte is to blame.
        location: Option<Location>,
    },
    /// Nothing but JSON whitespace (and perhaps a UTF-8 byte order mark).
    #[error("the file is empty")]
    Empty {
        /// Whether there was whitespace, rather than no byte at all.
        whitespace: bool,
    },
}

impl ReadError {
    /// The diagnostic for the file's report, at the document root, with its stable code.
    pub fn diagnostic(&self) -> Diagnostic {
        match self {
            ReadError::Io(err) => {
                let hint = match err.kind() {
                    io::ErrorKind::NotFound => "check the path",
                    io::ErrorKind::PermissionDenied => "check the file's permissions",
                    io::ErrorKind::IsADirectory => "name a file, not a folder",
                    _ => "check the path and its permissions",
                };
                Diagnostic::error(
                    codes::IO_ERROR,
                    JsonPath::root(),
                    format!("cannot read the file: {err}"),
                )
                .with_hint(hint)
            }
            ReadError::Encoding { message, location } => {
                let mut diagnostic =
                    Diagnostic::error(codes::ENCODING, JsonPath::root(), message.as_str())
                        .with_hint(UTF8_HINT);
                diagnostic.location = *location;
                diagnostic
            }
            ReadError::Empty { whitespace } => {
                let message = if *whitespace {
                    "the file is empty: it holds only whitespace"
                } else {
                    "the file is empty"
                };
                Diagnostic::error(codes::EMPTY_FILE, JsonPath::root(), message).with_hint(
                    "write a task definition, service, cluster, capacity provider or stack as a \
                     JSON object",
                )
            }
        }
    }
}

/// Reads the file as UTF-8 text that holds something.
pub fn read_text(path: impl AsRef<Path>) -> Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    let text = decode(bytes)?;
    check_not_empty(&text)?;
    Ok(text)
}

/// Reads, parses, loads and validates a file, as `ecs-deploy validate` does: a file that is not
/// text gets its one diagnostic ([`codes`]) and no document; otherwise the diagnostics of
/// [`check`], warnings included, and the document when the file holds
/// one (even one with errors: look at the diagnostics before using it).
pub fn check_file(path: impl AsRef<Path>, kind: Option<Kind>) -> Loaded<Document> {
    match read_text(path) {
        Ok(text) => check(&text, kind),
        Err(err) => Loaded {
            value: None,
            diagnostics: vec![err.diagnostic()],
        },
    }
}

/// Reads a stack file (or a file of one task definition, service, cluster or capacity
/// provider, as a stack of one) and checks it with the loader and the rule set. With any error,
/// nothing of the file is returned: the error holds every diagnostic of the file.
///
/// The warnings of a file without errors are dropped here; [`check_file`] has them.
pub fn read_stack(path: impl AsRef<Path>) -> Result<Stack, StackFileError> {
    let path = path.as_ref();
    let checked = check_file(path, None);
    match checked.value {
        Some(document) if !crate::diagnostic::has_errors(&checked.diagnostics) => {
            Ok(document.to_stack())
        }
        _ => Err(StackFileError {
            path: path.to_owned(),
            diagnostics: checked.diagnostics,
        }),
    }
}

/// A stack file that cannot be deployed: unreadable, not JSON, not a stack, or breaking rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct StackFileError {
    /// The file.
    pub path: PathBuf,
    /// Every diagnostic of the file, in document order: at least one error, and the warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl StackFileError {
    /// The errors among the diagnostics.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| d.is_error())
    }

    /// The warnings among the diagnostics.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| !d.is_error())
    }
}

impl fmt::Display for StackFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors: Vec<String> = self
            .errors()
            .map(|d| {
                if d.path.is_root() {
                    format!("{} ({})", d.message, d.code)
                } else {
                    format!("{}: {} ({})", d.path, d.message, d.code)
                }
            })
            .collect();
        let noun = if errors.len() == 1 { "error" } else { "errors" };
        write!(
            f,
            "{} has {} {noun}: {}",
            self.path.display(),
            errors.len(),
            errors.join("; ")
        )
    }
}

const UTF8_HINT: &str = "save the file as UTF-8";

/// Byte order marks of the encodings that editors (Windows PowerShell's `>` and `Out-File`, in
/// particular) write and that JSON, which RFC 8259 requires in UTF-8, does not allow. The
/// UTF-32 marks come first: the UTF-32 LE one starts with the UTF-16 LE one.
const BYTE_ORDER_MARKS: &[(&[u8], &str)] = &[
    (&[0xFF, 0xFE, 0x00, 0x00], "UTF-32 (little-endian)"),
    (&[0x00, 0x00, 0xFE, 0xFF], "UTF-32 (big-endian)"),
    (&[0xFF, 0xFE], "UTF-16 (little-endian)"),
    (&[0xFE, 0xFF], "UTF-16 (big-endian)"),
];

/// The text of the bytes, which must be UTF-8 (a UTF-8 byte order mark is kept; the parser
/// skips it).
fn decode(bytes: Vec<u8>) -> Result<String, ReadError> {
    if let Some((_, name)) = BYTE_ORDER_MARKS
        .iter()
        .find(|(bom, _)| bytes.starts_with(bom))
    {
        return Err(ReadError::Encoding {
            message: format!("the file is {name} text, not UTF-8"),
            location: None,
        });
    }
    // JSON text never holds a NUL byte (inside strings it must be written `\u0000`), and UTF-16
    // or UTF-32 text without a byte order mark is full of them: ASCII characters take a NUL
    // byte beside them. Such text is valid UTF-8, so it is caught here, not by the decoder.
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        return Err(ReadError::Encoding {
            message: "the file holds NUL bytes: it is UTF-16 or UTF-32 text without a byte \
                      order mark, or not text at all"
                .to_owned(),
            location: Some(location(&bytes[..at])),
        });
    }
    String::from_utf8(bytes).map_err(|err| {
        let bytes = err.as_bytes();
        let at = err.utf8_error().valid_up_to();
        ReadError::Encoding {
            message: format!(
                "the file is not UTF-8: byte 0x{:02X} is not valid UTF-8 \
                 (the file may be Latin-1 or Windows-1252)",
                bytes[at]
            ),
            location: Some(location(&bytes[..at])),
        }
    })
}

/// Where the byte after `before` is: line from 1, and column from 1 counted in characters, as
/// an editor shows it. `before` is valid UTF-8 (the decoder stopped after it).
fn location(before: &[u8]) -> Location {
    let before = std::str::from_utf8(before).unwrap_or_default();
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// An empty file is its own problem: the JSON parser would call it "EOF while parsing a value"
/// at column 0, which reads like a truncated file.
fn check_not_empty(text: &str) -> Result<(), ReadError> {
    let content = text.strip_prefix('\u{feff}').unwrap_or(text);
    // JSON's whitespace (RFC 8259, section 2), not Unicode's.
    if content
        .bytes()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        Err(ReadError::Empty {
            whitespace: !content.is_empty(),
        })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(bytes: &[u8]) -> Option<Diagnostic> {
        decode(bytes.to_vec())
            .and_then(|text| check_not_empty(&text))
            .err()
            .map(|err| err.diagnostic())
    }

    fn code(bytes: &[u8]) -> Option<String> {
        problem(bytes).map(|d| d.code)
    }

    /// A file of the test's own in the system's temporary folder, removed when dropped.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(name: &str, bytes: &[u8]) -> Self {
            let path =
                std::env::temp_dir().join(format!("ecs-model-file-{}-{name}", std::process::id()));
            std::fs::write(&path, bytes).expect("written");
            Self(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn utf8_json_is_read_as_is() {
        assert_eq!(code(b"{\"family\": \"caf\xc3\xa9\"}"), None);
        assert_eq!(
            code(b"\xEF\xBB\xBF{}"),
            None,
            "a UTF-8 byte order mark is fine"
        );
    }

    #[test]
    fn empty_and_blank_files_are_empty() {
        for bytes in [
            &b""[..],
            b" ",
            b"\n\r\n\t ",
            b"\xEF\xBB\xBF",
            b"\xEF\xBB\xBF\n",
        ] {
            assert_eq!(code(bytes).as_deref(), Some(codes::EMPTY_FILE), "{bytes:?}");
        }
        let diagnostic = problem(b"").expect("empty");
        assert_eq!(diagnostic.message, "the file is empty");
        assert_eq!(diagnostic.location, None);
        assert!(diagnostic.path.is_root());
    }

    #[test]
    fn other_encodings_are_named() {
        let cases: &[(&[u8], &str)] = &[
            (b"\xFF\xFE{\x00}\x00", "UTF-16 (little-endian)"),
            (b"\xFE\xFF\x00{\x00}", "UTF-16 (big-endian)"),
            (b"\xFF\xFE\x00\x00{\x00\x00\x00", "UTF-32 (little-endian)"),
            (b"\x00\x00\xFE\xFF\x00\x00\x00{", "UTF-32 (big-endian)"),
        ];
        for (bytes, name) in cases {
            let diagnostic = problem(bytes).expect("rejected");
            assert_eq!(diagnostic.code, codes::ENCODING);
            assert!(diagnostic.message.contains(name), "{}", diagnostic.message);
            assert_eq!(diagnostic.hint.as_deref(), Some(UTF8_HINT));
            assert_eq!(diagnostic.location, None);
        }
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_caught() {
        let diagnostic = problem(b"{\x00}\x00").expect("rejected");
        assert_eq!(diagnostic.code, codes::ENCODING);
        assert_eq!(diagnostic.location, Some(Location { line: 1, column: 2 }));
    }

    #[test]
    fn latin1_is_located_at_its_first_byte_that_is_not_utf8() {
        let diagnostic = problem(b"{\n  \"family\": \"\xc3\xa9t\xe9\"\n}").expect("rejected");
        assert_eq!(diagnostic.code, codes::ENCODING);
        assert!(
            diagnostic.message.contains("0xE9"),
            "{}",
            diagnostic.message
        );
        // Column counts characters: the `é` before it is one.
        assert_eq!(
            diagnostic.location,
            Some(Location {
                line: 2,
                column: 16
            })
        );
    }

    #[test]
    fn io_errors_keep_their_code_and_get_a_fitting_hint() {
        let missing = read_text("no/such/file.json")
            .expect_err("missing")
            .diagnostic();
        assert_eq!(missing.code, codes::IO_ERROR);
        assert_eq!(missing.hint.as_deref(), Some("check the path"));
        let folder = read_text(env!("CARGO_MANIFEST_DIR"))
            .expect_err("a folder")
            .diagnostic();
        assert_eq!(folder.code, codes::IO_ERROR);
        assert_eq!(folder.hint.as_deref(), Some("name a file, not a folder"));
    }

    #[test]
    fn a_valid_stack_file_reads_as_its_stack() {
        let file = TempFile::new(
            "valid.json",
            br#"{"clusters": [{"clusterName": "demo"}],
                "taskDefinitions": [{"family": "web",
                    "containerDefinitions": [{"name": "web", "image": "nginx", "memory": 64}]}]}"#,
        );
        let stack = read_stack(&file.0).expect("a stack");
        assert_eq!(stack.clusters.len(), 1);
        assert_eq!(stack.task_definitions[0].family.as_deref(), Some("web"));

        // A single resource's file is a stack of one.
        let single = TempFile::new("single.json", br#"{"clusterName": "demo"}"#);
        assert_eq!(read_stack(&single.0).expect("a stack").clusters.len(), 1);
    }

    #[test]
    fn a_stack_file_with_errors_returns_all_of_them_with_their_paths() {
        // Two errors: a container without an image, and a desired count that is not a number.
        let file = TempFile::new(
            "invalid.json",
            br#"{"taskDefinitions": [{"family": "web",
                    "containerDefinitions": [{"name": "web", "memory": 64}]}],
                "services": [{"serviceName": "web", "desiredCount": "many"}],
                "clusters": [{"clusterName": "demo", "unknownMember": 1}]}"#,
        );
        let err = read_stack(&file.0).expect_err("errors");
        assert_eq!(err.path, file.0);
        let errors: Vec<String> = err.errors().map(|d| d.path.to_string()).collect();
        assert!(
            errors.contains(&"taskDefinitions[0].containerDefinitions[0].image".to_owned()),
            "{errors:?}"
        );
        assert!(
            errors.contains(&"services[0].desiredCount".to_owned()),
            "{errors:?}"
        );
        assert!(
            err.warnings()
                .any(|d| d.path.to_string() == "clusters[0].unknownMember"),
            "{:?}",
            err.diagnostics
        );
        let text = err.to_string();
        assert!(text.contains("invalid.json has"), "{text}");
        assert!(text.contains("services[0].desiredCount: "), "{text}");
    }

    #[test]
    fn a_file_that_is_not_text_or_json_is_an_error_not_an_empty_stack() {
        let missing = read_stack("no/such/stack.json").expect_err("missing");
        assert_eq!(missing.diagnostics.len(), 1);
        assert_eq!(missing.diagnostics[0].code, codes::IO_ERROR);

        let empty = TempFile::new("empty.json", b"  \n");
        let err = read_stack(&empty.0).expect_err("empty");
        assert_eq!(err.diagnostics[0].code, codes::EMPTY_FILE);

        let syntax = TempFile::new("syntax.json", b"{\"clusters\": [}");
        let err = read_stack(&syntax.0).expect_err("not JSON");
        assert_eq!(err.diagnostics[0].code, crate::load::codes::JSON_SYNTAX);

        let checked = check_file(&syntax.0, None);
        assert!(checked.value.is_none());
        assert_eq!(checked.diagnostics[0].code, crate::load::codes::JSON_SYNTAX);
    }
}
