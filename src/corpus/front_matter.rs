//! Splitting a corpus file into YAML front matter and Markdown body, and
//! decoding the front matter strictly: an unknown key is an error, so a typo
//! fails loudly with the file and line instead of being ignored.

use std::path::Path;

use serde::de::DeserializeOwned;

use crate::{Error, Result};

/// A file's front matter (as YAML text) and body, with the body's first line.
pub struct Split<'a> {
    pub yaml: &'a str,
    pub body: &'a str,
    /// 1-based line number of the YAML's first line.
    pub yaml_line: usize,
}

/// Decodes a file's bytes as UTF-8; an error names the line of the first
/// bad byte.
pub fn decode(path: &Path, bytes: Vec<u8>) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..valid]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Error::corpus(path, line, "invalid UTF-8")
    })
}

/// Splits `text` at its `---` fences.
pub fn split<'a>(path: &Path, text: &'a str) -> Result<Split<'a>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Error::corpus(path, 1, "empty file"));
    }
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Err(Error::corpus(
            path,
            1,
            "missing front matter: the file must start with a `---` line",
        ));
    }
    let yaml_start = first.len();
    let mut at = yaml_start;
    for line in lines {
        if line.trim_end() == "---" {
            return Ok(Split {
                yaml: &text[yaml_start..at],
                body: &text[at + line.len()..],
                yaml_line: 2,
            });
        }
        at += line.len();
    }
    Err(Error::corpus(
        path,
        1,
        "front matter is not closed: add a `---` line after it",
    ))
}

/// Decodes the YAML front matter into `T`, mapping errors to file and line.
pub fn parse<T: DeserializeOwned>(path: &Path, split: &Split) -> Result<T> {
    if split.yaml.trim().is_empty() {
        return Err(Error::corpus(
            path,
            split.yaml_line,
            "front matter is empty: `id` and `title` are required",
        ));
    }
    serde_norway::from_str(split.yaml).map_err(|e| {
        let line = e.location().map_or(0, |l| l.line().saturating_sub(1));
        let message = e.to_string();
        // serde_norway appends " at line N column M" in YAML coordinates;
        // the file coordinates are reported instead.
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        Error::corpus(
            path,
            split.yaml_line + line,
            format!("front matter: {message}"),
        )
    })
}

/// Checks that an id is non-empty and URL-safe.
pub fn check_id(path: &Path, line: usize, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(Error::corpus(
            path,
            line,
            format!("id `{id}` must be 1 to 128 ASCII letters, digits, `-` or `_`"),
        ))
    }
}

/// 1-based line (within the file) of the front matter key `key`, or the
/// first front matter line when it is absent.
pub fn key_line(split: &Split, key: &str) -> usize {
    split
        .yaml
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map_or(split.yaml_line, |n| split.yaml_line + n)
}
