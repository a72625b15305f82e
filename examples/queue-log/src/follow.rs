//! Following a `queue_log` by its path while the switch writes it, as `tail -F` does, and
//! surviving logrotate:
//!
//! - **rename** (`create`): the file at the path is a new one (another inode). The old file is
//!   read to its end first (the switch may have written a last line to it after the rename),
//!   then the new one from its start.
//! - **copytruncate**: the file is the same but was emptied after logrotate copied it (to
//!   `queue_log.1`). Lines written after the last read and before the copy are only in the copy:
//!   they are read from it first (when its bytes up to where the follower stood are the ones it
//!   read). Then the file is read from its start, or, for a writer that did not open it for
//!   appending and goes on writing at its old offset, past the run of NUL bytes that leaves.
//! - a file that is **not there yet** (or is between a rename and its re-creation) is waited for.
//!
//! Only whole lines are handed out; a line the switch is halfway through writing waits for its
//! end. Where the follower stands ([`Position`]: the file's inode, the offset read to and a CRC of
//! the bytes just before it) can be saved and given back, so that a restarted service continues
//! where it stopped, also when the log was rotated while it was down: a file renamed away is
//! found beside the path by its inode and read to its end first; a file emptied and written
//! again past the saved offset is told by the CRC, and the lines before the truncation are read
//! from logrotate's copy when it holds them.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use callboard_core::crc::crc32;

/// Where a follower stands in the file at its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    /// The file's inode.
    pub inode: u64,
    /// Bytes read (every whole line before this offset has been handed out).
    pub offset: u64,
    /// The CRC-32 of the last bytes before `offset` (up to 256 of them, `tail_len`): what tells
    /// a restarted follower whether a file still holds, there, what was read. With `tail_len`
    /// 0 it is unknown, and a file of the same inode and no shorter is trusted.
    pub tail_crc: u32,
    /// How many bytes `tail_crc` covers.
    pub tail_len: u16,
}

/// Something the follower saw happen to the file, besides new lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happened {
    /// The file appeared (at the start, or after being missing).
    Opened,
    /// The file was renamed away and a new one is at the path (logrotate's `create`).
    Rotated,
    /// The file was truncated (logrotate's `copytruncate`).
    Truncated,
    /// A run of NUL bytes was skipped (a writer not appending, after a truncation).
    SkippedNul(u64),
    /// Lines written just before a truncation were read from logrotate's copy (this many).
    FromCopy(usize),
    /// The file is not at the path.
    Missing,
}

/// New lines, and what happened to the file on the way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Polled {
    /// Whole lines, in order, without their line ends.
    pub lines: Vec<String>,
    /// What happened, in order.
    pub happened: Vec<Happened>,
    /// The file has more to read now: the poll stopped after [`POLL_BYTES`] (a log being
    /// caught up with). Poll again before waiting.
    pub more: bool,
}

/// The most bytes one poll reads of the open file, so that catching up with a long log holds a
/// megabyte of it at a time, not all of it. A poll's lines, parsed and waiting to be applied,
/// take more than ten times their bytes: at 8 MiB `serve`'s catch-up with 13 months of a
/// 25-agent center peaked at 222 MB, at 1 MiB 58 MB (`scripts/bench-serve-catchup`).
pub const POLL_BYTES: u64 = 1 << 20;

/// A follower of the file at a path.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    file: Option<File>,
    position: Position,
    /// The start of a line not ended yet.
    partial: Vec<u8>,
    /// The last bytes read, to recognize logrotate's copy of the file.
    recent: Vec<u8>,
    missing: bool,
}

/// How many of the last bytes read must match for a file to be taken as logrotate's copy.
const RECENT_BYTES: usize = 256;

impl Follower {
    /// Follows `path` from its start, or from `from` if the file there is still the one it
    /// names (same inode, at least that long): a restarted service continues where it stopped.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>, from: Option<Position>) -> Self {
        Self {
            path: path.into(),
            file: None,
            position: from.unwrap_or_default(),
            partial: Vec::new(),
            recent: Vec::new(),
            missing: false,
        }
    }

    /// The path followed.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the follower stands: every whole line before it has been handed out.
    #[must_use]
    pub fn position(&self) -> Position {
        let pending = u64::try_from(self.partial.len()).unwrap_or(u64::MAX);
        // The bytes read before the position: the recent ones, less the line under way.
        let before = self.recent.len().saturating_sub(self.partial.len());
        let tail = if self.recent.is_empty() && self.partial.is_empty() {
            // Nothing read since a restart: the saved fingerprint still describes the position.
            (self.position.tail_crc, self.position.tail_len)
        } else {
            let bytes = self.recent.get(..before).unwrap_or(&[]);
            (crc32(bytes), u16::try_from(bytes.len()).unwrap_or(0))
        };
        Position {
            offset: self.position.offset.saturating_sub(pending),
            tail_crc: tail.0,
            tail_len: tail.1,
            ..self.position
        }
    }

    /// Whether `file` holds, just before the position, the bytes read there: compared byte for
    /// byte with what this follower read, or after a restart by the saved CRC. `None` when
    /// neither is known.
    fn holds_tail(&self, file: &mut File) -> std::io::Result<Option<bool>> {
        let (len, known) = if self.recent.is_empty() {
            (usize::from(self.position.tail_len), None)
        } else {
            (self.recent.len(), Some(&self.recent))
        };
        if len == 0 {
            return Ok(None);
        }
        let wanted = u64::try_from(len).unwrap_or(u64::MAX);
        let Some(from) = self.position.offset.checked_sub(wanted) else { return Ok(Some(false)) };
        if file.metadata()?.len() < self.position.offset {
            return Ok(Some(false));
        }
        let mut before = vec![0_u8; len];
        file.seek(SeekFrom::Start(from))?;
        file.read_exact(&mut before)?;
        Ok(Some(match known {
            Some(recent) => before == *recent,
            None => crc32(&before) == self.position.tail_crc,
        }))
    }

    /// After a restart: the file the saved position names, if it was renamed away from the path
    /// (logrotate's `create`) and lies beside it, no shorter and holding what was read.
    fn renamed_away(&self) -> std::io::Result<Option<File>> {
        let Some(dir) = self.path.parent() else { return Ok(None) };
        let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_file() && meta.ino() == self.position.inode {
                let mut file = File::open(entry.path())?;
                if self.holds_tail(&mut file)? != Some(false) {
                    return Ok(Some(file));
                }
            }
        }
        Ok(None)
    }

    /// Reads what has been written since the last call.
    ///
    /// # Errors
    /// An error reading the file (not its absence: that is [`Happened::Missing`]).
    pub fn poll(&mut self) -> std::io::Result<Polled> {
        let mut read = Polled::default();
        if self.file.is_none() && !self.open(&mut read)? {
            return Ok(read);
        }
        // Rotated: the path names another file. Finish the old one, then start the new one.
        let at_path = std::fs::metadata(&self.path).ok().map(|m| m.ino());
        if at_path.is_some_and(|inode| inode != self.position.inode) {
            self.drain(&mut read)?;
            self.end_partial(&mut read);
            self.file = None;
            self.position = Position::default();
            self.recent.clear();
            read.happened.push(Happened::Rotated);
            self.open(&mut read)?;
        }
        // A second handle on the open file (the same file and offset), so that the checks below
        // may also ask `self`.
        if let Some(mut file) = self.file.as_ref().map(File::try_clone).transpose()? {
            let len = file.metadata()?.len();
            // Emptied under us: shorter than what was read; or no longer holding, just before
            // the position, the bytes read there (emptied, then written past the position
            // again before this look); or a NUL where the next line should start (a writer
            // still at its old offset).
            let shorter = len < self.position.offset;
            let rewritten = !shorter && self.holds_tail(&mut file)? == Some(false);
            let gap = !shorter && len > self.position.offset && self.partial.is_empty() && {
                let mut first = [0_u8; 1];
                file.seek(SeekFrom::Start(self.position.offset))?;
                file.read_exact(&mut first)?;
                first[0] == 0
            };
            if shorter || rewritten || gap {
                let shorter = shorter || rewritten;
                read.happened.push(Happened::Truncated);
                self.read_copy(&mut read)?;
                self.end_partial(&mut read);
                self.recent.clear();
                if shorter {
                    self.position.offset = 0;
                }
            }
        }
        read.more = self.drain_up_to(&mut read, POLL_BYTES)?;
        Ok(read)
    }

    /// After a truncation: the lines after the position in logrotate's copy (`<name>.1`), if
    /// the copy holds, just before the position, the very bytes this follower last read.
    fn read_copy(&mut self, read: &mut Polled) -> std::io::Result<()> {
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".1");
        let Ok(mut copy) = File::open(self.path.with_file_name(name)) else { return Ok(()) };
        if self.holds_tail(&mut copy)? != Some(true) {
            return Ok(());
        }
        copy.seek(SeekFrom::Start(self.position.offset))?;
        let mut rest = Vec::new();
        copy.read_to_end(&mut rest)?;
        let lines = read.lines.len();
        take(&mut self.partial, &rest, read);
        read.happened.push(Happened::FromCopy(read.lines.len().saturating_sub(lines)));
        Ok(())
    }

    /// Opens the file at the path; `false` when it is not there.
    fn open(&mut self, read: &mut Polled) -> std::io::Result<bool> {
        let file = match File::open(&self.path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !self.missing {
                    self.missing = true;
                    read.happened.push(Happened::Missing);
                }
                return Ok(false);
            }
            Err(e) => return Err(e),
        };
        let meta = file.metadata()?;
        if self.position.inode != 0 && meta.ino() != self.position.inode {
            // Restarted after a rotation: the file read last, renamed beside the path, is read
            // to its end first (`poll` then moves to the one at the path).
            if let Some(old) = self.renamed_away()? {
                self.file = Some(old);
                self.missing = false;
                read.happened.push(Happened::Opened);
                return Ok(true);
            }
        }
        let mut file = file;
        // A saved position counts only for the same file, no shorter than it says, and still
        // holding what was read before it. A file emptied (and maybe written again past it): the
        // lines from before the truncation come from logrotate's copy, then the file from its
        // start.
        if meta.ino() == self.position.inode
            && self.position.offset > 0
            && (meta.len() < self.position.offset || self.holds_tail(&mut file)? == Some(false))
        {
            read.happened.push(Happened::Truncated);
            self.read_copy(read)?;
            self.end_partial(read);
            self.position = Position { inode: meta.ino(), ..Position::default() };
        } else if meta.ino() != self.position.inode || meta.len() < self.position.offset {
            self.position = Position { inode: meta.ino(), ..Position::default() };
        }
        self.file = Some(file);
        self.missing = false;
        read.happened.push(Happened::Opened);
        Ok(true)
    }

    /// Reads the open file from the position to its end, handing out whole lines.
    fn drain(&mut self, read: &mut Polled) -> std::io::Result<()> {
        self.drain_up_to(read, u64::MAX).map(|_| ())
    }

    /// Reads the open file from the position, handing out whole lines, to its end or until
    /// about `budget` bytes are read; `true` when it stopped for the budget.
    fn drain_up_to(&mut self, read: &mut Polled, budget: u64) -> std::io::Result<bool> {
        let Some(file) = &mut self.file else { return Ok(false) };
        file.seek(SeekFrom::Start(self.position.offset))?;
        let mut chunk = [0_u8; 64 * 1024];
        let mut taken = 0_u64;
        loop {
            if taken >= budget {
                return Ok(true);
            }
            let n = file.read(&mut chunk)?;
            if n == 0 {
                return Ok(false);
            }
            taken = taken.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
            self.position.offset =
                self.position.offset.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
            let bytes = chunk.get(..n).unwrap_or(&[]);
            let skipped = take(&mut self.partial, bytes, read);
            if skipped > 0 {
                read.happened.push(Happened::SkippedNul(skipped));
            }
            let keep = bytes.len().min(RECENT_BYTES);
            self.recent.extend_from_slice(bytes.get(bytes.len() - keep..).unwrap_or(&[]));
            let excess = self.recent.len().saturating_sub(RECENT_BYTES);
            self.recent.drain(..excess);
        }
    }

    /// The last line of a file being left, if the writer never ended it.
    fn end_partial(&mut self, read: &mut Polled) {
        if !self.partial.is_empty() {
            read.lines.push(String::from_utf8_lossy(&self.partial).into_owned());
            self.partial.clear();
        }
    }
}

/// Splits `bytes` into lines after `partial`, the start of a line not ended yet; returns the NULs
/// skipped between lines.
fn take(partial: &mut Vec<u8>, bytes: &[u8], read: &mut Polled) -> u64 {
    let mut skipped = 0_u64;
    for &byte in bytes {
        match byte {
            // NULs only between lines: a sparse start after copytruncate.
            0 if partial.is_empty() => skipped += 1,
            b'\n' => {
                let line = String::from_utf8_lossy(partial);
                read.lines.push(line.trim_end_matches('\r').to_owned());
                partial.clear();
            }
            byte => partial.push(byte),
        }
    }
    skipped
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn dir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("callboard-follow-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn append(path: &Path, text: &str) {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    #[test]
    fn whole_lines_only_and_a_log_not_there_yet() {
        let dir = dir("lines");
        let log = dir.join("queue_log");
        let mut follower = Follower::new(&log, None);
        assert_eq!(follower.poll().unwrap().happened, [Happened::Missing]);
        assert_eq!(follower.poll().unwrap(), Polled::default(), "missing is said once");
        append(&log, "1|a|Q|NONE|ENTERQUEUE||1|1\n2|a|Q|A|CONN");
        let read = follower.poll().unwrap();
        assert_eq!(read.happened, [Happened::Opened]);
        assert_eq!(read.lines, ["1|a|Q|NONE|ENTERQUEUE||1|1"]);
        assert_eq!(follower.position().offset, 27, "the half-written line is not counted");
        append(&log, "ECT|1||0\r\n");
        assert_eq!(follower.poll().unwrap().lines, ["2|a|Q|A|CONNECT|1||0"]);
        assert!(follower.poll().unwrap().lines.is_empty());
    }

    #[test]
    fn a_long_log_is_read_a_few_megabytes_a_poll_and_every_line_once() {
        let dir = dir("long");
        let log = dir.join("queue_log");
        // 2.5 polls' worth of numbered lines, then a rotation after the first poll.
        let line_bytes = 100;
        let lines = usize::try_from(POLL_BYTES).unwrap() * 5 / 2 / line_bytes;
        let text: String = (0..lines).map(|i| format!("{i:0>99}\n")).collect();
        append(&log, &text);
        let mut follower = Follower::new(&log, None);
        let mut read = Vec::new();
        let mut polls = Vec::new();
        loop {
            let polled = follower.poll().unwrap();
            polls.push((polled.lines.len(), polled.more));
            read.extend(polled.lines);
            if polls.len() == 1 {
                std::fs::rename(&log, dir.join("queue_log.1")).unwrap();
                append(&log, "after\n");
            }
            if !polled.more {
                break;
            }
        }
        assert!(polls[0].1 && polls[0].0 < lines, "the first poll stops early: {polls:?}");
        assert_eq!(read.len(), lines + 1, "{polls:?}");
        assert!(read[..lines].iter().enumerate().all(|(i, l)| *l == format!("{i:0>99}")));
        assert_eq!(read[lines], "after");
    }

    #[test]
    fn rename_and_copytruncate_lose_no_line() {
        let dir = dir("rotate");
        let log = dir.join("queue_log");
        append(&log, "1\n2\n");
        let mut follower = Follower::new(&log, None);
        assert_eq!(follower.poll().unwrap().lines, ["1", "2"]);

        // logrotate `create`: renamed; the switch writes one more line to the old file before
        // it reopens the path.
        std::fs::rename(&log, dir.join("queue_log.1")).unwrap();
        append(&dir.join("queue_log.1"), "3\n");
        let read = follower.poll().unwrap();
        assert_eq!(read.lines, ["3"], "the old file is read to its end");
        append(&log, "4\n");
        let read = follower.poll().unwrap();
        assert_eq!(
            (read.lines, read.happened),
            (vec!["4".to_owned()], vec![Happened::Rotated, Happened::Opened])
        );

        // logrotate `copytruncate`, an appending writer: a line written after the last read
        // is copied to queue_log.1 before the file is emptied; the follower reads it from the
        // copy, then the emptied file from its start.
        append(&log, "5\n");
        assert_eq!(follower.poll().unwrap().lines, ["5"]);
        append(&log, "6\n");
        copy_truncate(&log);
        append(&log, "7\n");
        let read = follower.poll().unwrap();
        assert_eq!(read.lines, ["6", "7"]);
        assert_eq!(read.happened, [Happened::Truncated, Happened::FromCopy(1)]);

        // And a writer not appending: it goes on at its old offset, leaving NULs before it.
        append(&log, "8\n");
        assert_eq!(follower.poll().unwrap().lines, ["8"]);
        append(&log, "9\n");
        let len = std::fs::metadata(&log).unwrap().len();
        copy_truncate(&log);
        let mut file = std::fs::OpenOptions::new().write(true).open(&log).unwrap();
        file.seek(SeekFrom::Start(len)).unwrap();
        file.write_all(b"10\n").unwrap();
        let read = follower.poll().unwrap();
        assert_eq!(read.lines, ["9", "10"]);
        // Read again from its start: every NUL the writer left before its line is skipped.
        assert_eq!(
            read.happened,
            [Happened::Truncated, Happened::FromCopy(1), Happened::SkippedNul(len)]
        );
    }

    #[test]
    fn a_truncation_hidden_by_a_line_as_long_is_still_seen() {
        let dir = dir("race");
        let log = dir.join("queue_log");
        append(&log, "1|a\n");
        let mut follower = Follower::new(&log, None);
        assert_eq!(follower.poll().unwrap().lines, ["1|a"]);
        // Between two looks: a line, the copy and the truncation, and a line as long as the
        // first: the file is as long as what was read, but not the same.
        append(&log, "2|b\n");
        copy_truncate(&log);
        append(&log, "3|c\n");
        let read = follower.poll().unwrap();
        assert_eq!(read.lines, ["2|b", "3|c"]);
        assert_eq!(read.happened, [Happened::Truncated, Happened::FromCopy(1)]);
    }

    /// logrotate's copytruncate: the file copied to `<name>.1`, then emptied in place.
    fn copy_truncate(log: &Path) {
        let mut name = log.file_name().unwrap().to_os_string();
        name.push(".1");
        std::fs::copy(log, log.with_file_name(name)).unwrap();
        std::fs::OpenOptions::new().write(true).open(log).unwrap().set_len(0).unwrap();
    }

    #[test]
    fn a_saved_position_continues_only_in_the_same_file() {
        let dir = dir("position");
        let log = dir.join("queue_log");
        append(&log, "1\n2\n");
        let mut first = Follower::new(&log, None);
        first.poll().unwrap();
        let saved = first.position();
        append(&log, "3\n");
        let mut again = Follower::new(&log, Some(saved));
        assert_eq!(again.poll().unwrap().lines, ["3"]);
        // Rotated while it was down: the saved file, renamed beside the path, is read to its
        // end (the "3" written after the save), then the new one from its start.
        std::fs::rename(&log, dir.join("queue_log.1")).unwrap();
        append(&log, "7\n");
        let mut after = Follower::new(&log, Some(saved));
        let polled = after.poll().unwrap();
        assert_eq!(polled.lines, ["3", "7"]);
        assert!(polled.happened.contains(&Happened::Rotated), "{:?}", polled.happened);
        // The rotated file gone as well: the new one from its start.
        std::fs::remove_file(dir.join("queue_log.1")).unwrap();
        let mut gone = Follower::new(&log, Some(saved));
        assert_eq!(gone.poll().unwrap().lines, ["7"]);
    }

    /// Rotated by rename while running, then copytruncated while down: the restarted follower
    /// continues in the second file through the copy, and never goes back to the first.
    #[test]
    fn a_rename_then_a_copytruncate_lose_and_repeat_nothing() {
        let dir = dir("rename-then-copytruncate");
        let log = dir.join("queue_log");
        append(&log, "1000|a\n");
        let mut first = Follower::new(&log, None);
        assert_eq!(first.poll().unwrap().lines, ["1000|a"]);
        std::fs::rename(&log, dir.join("queue_log.1")).unwrap();
        append(&log, "1001|b\n1002|c\n");
        assert_eq!(first.poll().unwrap().lines, ["1001|b", "1002|c"]);
        let saved = first.position();
        append(&log, "1003|d\n");
        std::fs::rename(dir.join("queue_log.1"), dir.join("queue_log.2")).unwrap();
        copy_truncate(&log);
        append(&log, "1004|e\n");
        let mut again = Follower::new(&log, Some(saved));
        assert_eq!(again.poll().unwrap().lines, ["1003|d", "1004|e"]);
    }

    /// copytruncate while the service was down, and the file written again past the saved
    /// offset: the saved CRC tells it is not what was read there; the lines after the save come
    /// from logrotate's copy, then the file from its start. Nothing is read twice or lost.
    #[test]
    fn a_restart_after_copytruncate_reads_the_copy_then_the_file() {
        let dir = dir("restart-copytruncate");
        let log = dir.join("queue_log");
        append(&log, "1000|a\n1001|b\n");
        let mut first = Follower::new(&log, None);
        assert_eq!(first.poll().unwrap().lines, ["1000|a", "1001|b"]);
        let saved = first.position();
        assert_eq!((saved.offset, saved.tail_len), (14, 14));
        append(&log, "1002|c\n");
        copy_truncate(&log);
        append(&log, "1003|d\n1004|e\n1005|f\n");
        let mut again = Follower::new(&log, Some(saved));
        let polled = again.poll().unwrap();
        assert_eq!(polled.lines, ["1002|c", "1003|d", "1004|e", "1005|f"]);
        assert!(polled.happened.contains(&Happened::FromCopy(1)), "{:?}", polled.happened);
        // A position saved by an older service (no CRC) is trusted as before.
        let old = Position { tail_crc: 0, tail_len: 0, ..again.position() };
        append(&log, "1006|g\n");
        assert_eq!(Follower::new(&log, Some(old)).poll().unwrap().lines, ["1006|g"]);
    }
}
