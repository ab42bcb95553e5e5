//! Reading a file as text, before it is JSON.
//!
//! The problems found here get the CLI's own codes ([`codes`](super::codes)): `io-error` when
//! the file cannot be read, `encoding` when its bytes are not UTF-8 text, `empty-file` when it
//! holds nothing. Telling them apart matters to the user: "check the path and its permissions"
//! is no help for a file an editor saved as UTF-16.

use std::io;
use std::path::Path;

use ecs_model::{Diagnostic, JsonPath, Location};

use super::codes;

/// Why a file is not text to parse. It becomes one [`Diagnostic`] (see
/// [`ReadError::diagnostic`]), since that is what both commands report.
#[derive(Debug)]
pub(super) enum ReadError {
    /// The file could not be read.
    Io(io::Error),
    /// The bytes are not UTF-8 text.
    Encoding {
        /// What they are instead, as far as can be told.
        message: String,
        /// The first byte that is not UTF-8, when one byte is to blame.
        location: Option<Location>,
    },
    /// Nothing but JSON whitespace (and perhaps a UTF-8 byte order mark).
    Empty {
        /// Whether there was whitespace, rather than no byte at all.
        whitespace: bool,
    },
}

impl ReadError {
    /// The diagnostic for the file's report, at the document root.
    pub(super) fn diagnostic(&self) -> Diagnostic {
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
pub(super) fn read(path: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(ReadError::Io)?;
    let text = decode(bytes)?;
    check_not_empty(&text)?;
    Ok(text)
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
        let missing = read(Path::new("no/such/file.json"))
            .expect_err("missing")
            .diagnostic();
        assert_eq!(missing.code, codes::IO_ERROR);
        assert_eq!(missing.hint.as_deref(), Some("check the path"));
        let folder = read(Path::new(env!("CARGO_MANIFEST_DIR")))
            .expect_err("a folder")
            .diagnostic();
        assert_eq!(folder.code, codes::IO_ERROR);
        assert_eq!(folder.hint.as_deref(), Some("name a file, not a folder"));
    }
}
