//! What a board is to show of something named, as integrators type it: `NAME[=LABEL][@N%]`.
//!
//! `--queue PS=STREETS@80%` (a queue of the log, its label, its service-level target) and
//! `--sla Sanitation=SANITATION@90%` (a department of the requests file, its label, its
//! compliance goal) are the same vocabulary: a name as the source spells it, the label the
//! board shows (the name's default is up to the caller), and a [`Share`] (`80%` or `0.8`).
//! Spaces around each part are ignored; the share is after the last `@`, the label after the
//! first `=`.

use std::fmt;
use std::str::FromStr;

use callboard_core::share::Share;

/// `NAME[=LABEL][@N%]`, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// The name as the source spells it.
    pub name: String,
    /// The label given, if any.
    pub label: Option<String>,
    /// The share given, if any.
    pub share: Option<Share>,
}

/// A text that is not `NAME[=LABEL][@N%]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAChoice;

impl fmt::Display for NotAChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected NAME, NAME=LABEL or NAME=LABEL@N%")
    }
}

impl std::error::Error for NotAChoice {}

impl FromStr for Choice {
    type Err = NotAChoice;

    fn from_str(text: &str) -> Result<Self, NotAChoice> {
        let (rest, share) = match text.rsplit_once('@') {
            Some((rest, share)) => (rest, Some(share.parse::<Share>().map_err(|_| NotAChoice)?)),
            None => (text, None),
        };
        let (name, label) = match rest.split_once('=') {
            Some((name, label)) => (name.trim(), Some(label.trim())),
            None => (rest.trim(), None),
        };
        if name.is_empty() || label.is_some_and(str::is_empty) {
            return Err(NotAChoice);
        }
        Ok(Self { name: name.to_owned(), label: label.map(str::to_owned), share })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_and_its_absence() {
        let full: Choice = "PS=STREETS@85%".parse().unwrap();
        assert_eq!(full.name, "PS");
        assert_eq!(full.label.as_deref(), Some("STREETS"));
        assert_eq!(full.share.map(Share::permille), Some(850));
        let bare: Choice = " Parks and Forestry ".parse().unwrap();
        assert_eq!(
            (bare.name.as_str(), bare.label, bare.share),
            ("Parks and Forestry", None, None)
        );
        let fraction: Choice = "PE@0.9".parse().unwrap();
        assert_eq!(fraction.share.map(Share::permille), Some(900));
        // The share is after the last `@`; a name may hold one.
        let at: Choice = "ops@city=OPS@50%".parse().unwrap();
        assert_eq!((at.name.as_str(), at.share.map(Share::permille)), ("ops@city", Some(500)));
    }

    #[test]
    fn refused() {
        for bad in ["", "=X", "PS=", "PS@120%", "PS@x", "PS@80", " = @80%"] {
            assert_eq!(bad.parse::<Choice>(), Err(NotAChoice), "{bad:?}");
        }
    }
}
