//! What `callboard` reads: files (or standard input, `-`) and the values typed on its command
//! line. Each input format owns a module.

use std::io::Read as _;
use std::path::Path;

pub mod forecast;
pub mod log;
pub mod options;
pub mod surveys;
pub mod table;

/// A file's bytes (`-`: standard input).
///
/// # Errors
/// A message naming the file.
pub(crate) fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    if path.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read stdin: {e}"))?;
        Ok(buf)
    } else {
        std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
    }
}

/// A file's text (`-`: stdin), refused when it is not UTF-8.
pub(crate) fn utf8_input(path: &Path) -> Result<String, String> {
    String::from_utf8(read_input(path)?).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

/// Says `text` on standard error, prefixed `callboard: `. A standard error that is closed
/// (`2>&-`, or a pipe whose reader has gone) is no reason to fail or panic, as `eprintln!`
/// would: the command's own work goes on.
pub(crate) fn say(text: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr().lock(), "callboard: {text}");
}

/// Says on standard error how many lines of the log at `path` were not read, and the first,
/// when any were: a command that shows only frames or figures should not drop lines in
/// silence (`callboard report` lists them all).
pub(crate) fn warn_unread(path: &Path, parsed: &callboard_queue_log::Parsed) {
    if let Some(first) = parsed.warnings.first() {
        say(&format!(
            "{}: {} lines not read (first: {first}); `callboard report` lists them",
            path.display(),
            parsed.warnings.len(),
        ));
    }
}
