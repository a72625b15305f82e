//! A warning about one row of an input (a line of a `queue_log`, a row of a requests file), or
//! about the input as a whole: typed, so that no one parses a line number back out of a
//! message.

use std::fmt;

use serde::Serialize;

/// What was wrong with a row and what was done about it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct RowWarning {
    /// The 1-based line the warning is about; `None` for a warning about the whole input (in
    /// JSON, `null`).
    pub line: Option<usize>,
    /// What was wrong and what was done (in JSON, `message`).
    #[serde(rename = "message")]
    pub reason: String,
}

impl RowWarning {
    /// A warning about line `line`.
    pub fn at(line: usize, reason: impl Into<String>) -> Self {
        Self { line: Some(line), reason: reason.into() }
    }

    /// A warning about the whole input, not one line of it.
    pub fn whole(reason: impl Into<String>) -> Self {
        Self { line: None, reason: reason.into() }
    }
}

impl fmt::Display for RowWarning {
    /// `line 12: reason`, or `reason` alone for the whole input.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_or_the_whole_input() {
        assert_eq!(
            RowWarning::at(12, "blank line skipped").to_string(),
            "line 12: blank line skipped"
        );
        let whole = RowWarning::whole("3 intervals were dropped");
        assert_eq!(whole.to_string(), "3 intervals were dropped");
        assert_eq!(whole.line, None);
        // Whole-input warnings sort first, then by line.
        let mut warnings = [RowWarning::at(2, "b"), whole.clone(), RowWarning::at(1, "a")];
        warnings.sort();
        assert_eq!(warnings[0], whole);
        assert_eq!(warnings[1].line, Some(1));
    }
}
