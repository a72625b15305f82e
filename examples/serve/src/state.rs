//! What the service keeps in its state directory so that a restart, or a crash, loses nothing:
//! `state.bin`, the replay (the core's checkpoint and the log's names for its ids: the queue-log
//! crate's saved `Stepper`), where in its source it stands, and which survey rows were
//! already counted; written whole to a temporary file, synced, then renamed over the last one,
//! so that a crash at any moment leaves the last complete state. And `figures.json`, each
//! queue's figures for today and each board's health, for people and the next tools to read.

use std::io::Write;
use std::path::Path;

use callboard_core::crc::crc32;
use serde::{Deserialize, Serialize};

use crate::source::SourcePosition;

/// The start of a state file.
const MAGIC: &[u8; 8] = b"CBSERVE1";

/// What is kept besides the replay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kept {
    /// Where the source stands (for a file, its inode and offset, as before sources were
    /// more than a file).
    #[serde(flatten)]
    pub source: SourcePosition,
    /// Fingerprints of the survey-export rows already counted, each with the time of the
    /// contact it rates (ms): forgotten, like the calls, eight days after that contact, when
    /// a row about it is no longer counted anyway.
    #[serde(default)]
    pub surveys_counted_at: Vec<(u64, u64)>,
    /// Fingerprints saved before they carried their contact's time: read, never written
    /// again (taken as of the state's time, so forgotten eight days on).
    #[serde(default, skip_serializing)]
    pub surveys_counted: Vec<u64>,
    /// When each call of the last eight days (two without a survey export) entered its queue,
    /// for survey rows and lines naming a call.
    #[serde(default)]
    pub entered: Vec<(String, u64)>,
}

/// Writes the state atomically.
///
/// # Errors
/// The file system's refusal.
pub fn save(dir: &Path, kept: &Kept, replay: &[u8]) -> Result<(), String> {
    let json = serde_json::to_vec(kept).map_err(|e| e.to_string())?;
    let mut bytes = Vec::with_capacity(MAGIC.len() + 8 + json.len() + replay.len() + 4);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&(json.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&json);
    bytes.extend_from_slice(replay);
    let crc = crc32(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    write_atomically(&dir.join("state.bin"), &bytes)
}

/// Writes `bytes` to `path` through a temporary file, synced, then renamed.
///
/// # Errors
/// The file system's refusal.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let temporary = path.with_extension("tmp");
    let written = std::fs::File::create(&temporary)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .map_err(|e| format!("cannot write {}: {e}", temporary.display()))
        .and_then(|()| {
            std::fs::rename(&temporary, path).map_err(|e| {
                format!("cannot rename {} to {}: {e}", temporary.display(), path.display())
            })
        })
        .and_then(|()| {
            // The rename itself lasts only once the directory is on the disk.
            let directory = path.parent().unwrap_or_else(|| Path::new("."));
            std::fs::File::open(directory)
                .and_then(|d| d.sync_all())
                .map_err(|e| format!("cannot sync {}: {e}", directory.display()))
        });
    if written.is_err() {
        // A half-written file on a full disk holds the room the next attempt needs.
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// How saving the state goes. A disk that fills is said once, not at every checkpoint, and so
/// is its end; meanwhile the boards are driven as before, and `/metrics` tells.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Saving {
    /// Attempts that failed since the start.
    pub failures: u64,
    /// The wall clock (ms) at the first failure of the attempts failing now, if they are.
    pub failing_since: Option<u64>,
    /// The wall clock (ms) at the last state saved, since the start.
    pub saved_at: Option<u64>,
}

impl Saving {
    /// Notes one attempt, made at `wall_ms`; returns what is to be said of it, if anything.
    pub fn note(&mut self, outcome: Result<(), String>, wall_ms: u64) -> Option<String> {
        match (outcome, self.failing_since) {
            (Ok(()), None) => {
                self.saved_at = Some(wall_ms);
                None
            }
            (Ok(()), Some(since)) => {
                self.saved_at = Some(wall_ms);
                self.failing_since = None;
                Some(format!(
                    "the state is saved again, after {:.0} s in which it could not be",
                    wall_ms.saturating_sub(since) as f64 / 1000.0
                ))
            }
            (Err(e), None) => {
                self.failures += 1;
                self.failing_since = Some(wall_ms);
                Some(format!(
                    "cannot save the state: {e}; the boards are still driven, saving is tried \
                     at each checkpoint, and a restart before one succeeds starts from the \
                     last state saved"
                ))
            }
            (Err(_), Some(_)) => {
                self.failures += 1;
                None
            }
        }
    }
}

/// The state last saved: `None` when there is none; an error naming why one cannot be used.
///
/// # Errors
/// A state file that is damaged (its CRC), cut short, or not one.
pub fn load(dir: &Path) -> Result<Option<(Kept, Vec<u8>)>, String> {
    let path = dir.join("state.bin");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let (body, crc) = bytes.split_last_chunk::<4>().ok_or("cut short")?;
    if crc32(body) != u32::from_le_bytes(*crc) {
        return Err("damaged (its CRC does not match)".into());
    }
    let rest = body.strip_prefix(MAGIC).ok_or("not a callboard serve state")?;
    let (len, rest) = rest.split_first_chunk::<8>().ok_or("cut short")?;
    let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| "damaged")?;
    if rest.len() < len {
        return Err("cut short".into());
    }
    let (json, replay) = rest.split_at(len);
    let kept: Kept = serde_json::from_slice(json).map_err(|e| format!("damaged: {e}"))?;
    Ok(Some((kept, replay.to_vec())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_save_is_said_once_and_so_is_its_end() {
        let mut saving = Saving::default();
        assert_eq!(saving.note(Ok(()), 1_000), None);
        let first = saving.note(Err("cannot write state.tmp: No space left".into()), 2_000);
        assert!(first.is_some_and(|s| s.contains("No space left")));
        assert_eq!(saving.note(Err("again".into()), 3_000), None);
        assert_eq!(saving.note(Err("again".into()), 4_000), None);
        assert_eq!(
            saving,
            Saving { failures: 3, failing_since: Some(2_000), saved_at: Some(1_000) }
        );
        let end = saving.note(Ok(()), 8_000);
        assert_eq!(
            end.as_deref(),
            Some("the state is saved again, after 6 s in which it could not be")
        );
        assert_eq!(saving.note(Ok(()), 9_000), None);
        assert_eq!(saving, Saving { failures: 3, failing_since: None, saved_at: Some(9_000) });
    }

    #[test]
    fn a_write_that_fails_leaves_no_temporary_file() {
        // /dev/full refuses every write with ENOSPC, as a full disk does.
        let dir = std::env::temp_dir().join(format!("callboard-state-full-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("figures.json");
        #[cfg(unix)]
        std::os::unix::fs::symlink("/dev/full", path.with_extension("tmp")).unwrap();
        let e = write_atomically(&path, &[0; 4096]).unwrap_err();
        assert!(e.contains("No space left on device"), "{e}");
        assert!(!path.with_extension("tmp").exists() && !path.exists());
        write_atomically(&path, b"{}").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_state_is_read_back_or_refused_with_a_reason() {
        let dir = std::env::temp_dir().join(format!("callboard-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(load(&dir), Ok(None));
        let kept = Kept {
            source: SourcePosition { inode: 7, offset: 4096, ..SourcePosition::default() },
            surveys_counted_at: vec![(1, 1_000), (2, 2_000)],
            surveys_counted: Vec::new(),
            entered: vec![("1.1".into(), 5)],
        };
        save(&dir, &kept, b"replay bytes").unwrap();
        assert_eq!(load(&dir), Ok(Some((kept.clone(), b"replay bytes".to_vec()))));
        let path = dir.join("state.bin");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[12] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert!(load(&dir).unwrap_err().contains("CRC"));
        std::fs::write(&path, b"xy").unwrap();
        assert!(load(&dir).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A state saved before the fingerprints carried their contact's time still loads, with
    /// them; a state saved now writes only the dated ones.
    #[test]
    fn undated_fingerprints_of_an_older_state_are_read() {
        let older: Kept =
            serde_json::from_str(r#"{"inode":7,"offset":10,"surveys_counted":[3,4]}"#).unwrap();
        assert_eq!((older.surveys_counted, older.surveys_counted_at), (vec![3, 4], vec![]));
        let now = Kept { surveys_counted_at: vec![(5, 6)], ..Kept::default() };
        let json = serde_json::to_string(&now).unwrap();
        assert!(json.contains(r#""surveys_counted_at":[[5,6]]"#), "{json}");
        assert!(!json.contains(r#""surveys_counted":"#), "{json}");
    }
}
