//! A queue_log read as it streams by: the records of a log of any length handed on in time
//! order, holding only the lines of the last few minutes.
//!
//! [`parse`](crate::read::parse) reads a whole input and then judges it whole: exact duplicates
//! anywhere, times far from the log's median, any line put back in time order. A year of a large
//! center is tens of millions of lines, so [`Stream`] judges the same things within a window
//! ([`REORDER_WINDOW_MS`] of log time), which is what real logs need: a switch writes its lines as
//! things happen, and the disorder seen in practice (a slow writer, lines of one second swapped,
//! a block copied twice by logrotate) spans seconds.
//!
//! - Exact duplicates: a line equal to one of the last two windows is skipped. Lines are
//!   remembered by a 64-bit hash of their bytes, so two different lines are taken for duplicates
//!   only if their hashes collide: about one chance in 10^7 over a year of a large center.
//! - Implausible times: a time more than 400 days from the stream's reference is dropped. The
//!   reference is the median of the first [`ANCHOR_RECORDS`] records, then the time last handed
//!   on, so a log longer than 400 days is read whole.
//! - Time order: a line earlier than one before it is held and handed on in its place, as long as
//!   nothing later than it has been handed on yet. A line further out of order than the window
//!   cannot be put in its place: the stream stops there and says so ([`Ended::overflowed`]) so
//!   that a caller who can read the input again reads it whole instead, or, told to go on
//!   ([`Stream::skipping_late_lines`]), skips it with a warning. A log exported newest first is
//!   held whole, as [`parse`](crate::read::parse) would, and handed on oldest first.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::io::{BufRead, Read as _};

use callboard_core::calendar::{SiteCalendar, Timestamp};

use crate::read::{
    PLAUSIBLE_SPAN_MS, Parsed, Reader, Record, warn_descending, warn_implausible, warn_out_of_order,
};
use crate::row::RowWarning;

/// How far out of time order a streamed line may be and still be replayed in its place: ten
/// minutes of log time.
pub const REORDER_WINDOW_MS: u64 = 10 * 60_000;

/// The longest line a stream reads: the rest of a longer one is skipped with a warning, so that
/// a file that is not a log (or has no line ends) does not have to fit in memory.
pub const LONGEST_LINE_BYTES: usize = 1 << 20;

/// Records read before the first is handed on, whose median time is the stream's first reference
/// for implausible times.
pub const ANCHOR_RECORDS: usize = 1_024;

/// The records of a queue_log read from `input` a line at a time, in time order (an
/// [`Iterator`] of [`Record`]); its warnings are taken at the end with [`Stream::end`].
pub struct Stream<R> {
    input: R,
    reader: Reader,
    /// The line being read, reused.
    buf: Vec<u8>,
    /// What the reader made of the last line: at most one record, and its warnings.
    scratch: Parsed,
    line: usize,
    at_end: bool,
    error: Option<std::io::Error>,
    /// Lines remembered for duplicates: hash → (line, time).
    seen: HashMap<u64, (usize, Timestamp), IdentityHash>,
    next_sweep: usize,
    hasher: foldhash::quality::FixedState,
    order: Order,
}

/// What a stream does with the records it reads, wherever they come from (a file's lines, a
/// table's rows): implausible times dropped, disorder within the window put back, records
/// handed on oldest first once the window has passed them.
#[derive(Debug, Default)]
pub(crate) struct Order {
    skip_late: bool,
    overflowed: Option<usize>,
    /// The first records, until the reference for implausible times is known.
    first: Vec<Record>,
    reference: Option<Timestamp>,
    /// Records read but not handed on, oldest first (in input order at one time): a record in
    /// order is added at the back, one out of order put in its place.
    held: VecDeque<Record>,
    /// The time of the newest record read: records older than it by the window are handed on.
    watermark: Timestamp,
    /// The time of the record handed on last: nothing older can be put in its place.
    released: Option<Timestamp>,
    /// The newest record read, in input order, and its line.
    newest: Option<(Timestamp, usize)>,
    /// Out-of-order warnings, said one by one unless the whole input is in descending order.
    disorder: Vec<RowWarning>,
    /// No record so far was later than the one before it.
    descending: bool,
    previous: Option<Timestamp>,
    first_record: Option<(Timestamp, usize)>,
    records: usize,
    warnings: Vec<RowWarning>,
}

impl<R> std::fmt::Debug for Stream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stream")
            .field("line", &self.line)
            .field("records", &self.order.records)
            .field("held", &self.order.held.len())
            .field("released", &self.order.released)
            .field("overflowed", &self.order.overflowed)
            .finish_non_exhaustive()
    }
}

/// For maps whose keys are hashes already.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct IdentityHash;

impl BuildHasher for IdentityHash {
    type Hasher = Identity;
    fn build_hasher(&self) -> Identity {
        Identity(0)
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl<R: BufRead> Stream<R> {
    /// A stream over `input`; `calendar` reads local wall-clock times, as for
    /// [`parse`](crate::read::parse).
    pub fn new(input: R, calendar: &SiteCalendar) -> Self {
        Self {
            input,
            reader: Reader::new(*calendar),
            buf: Vec::with_capacity(256),
            scratch: Parsed::default(),
            line: 0,
            at_end: false,
            error: None,
            seen: HashMap::with_hasher(IdentityHash),
            next_sweep: 4_096,
            hasher: foldhash::quality::FixedState::with_seed(0x0ca1_1b0a_7d00_0001),
            order: Order::new(),
        }
    }

    /// Goes on past a line further out of order than the window, skipping it with a warning,
    /// instead of stopping there: for an input that cannot be read a second time.
    #[must_use]
    pub fn skipping_late_lines(mut self) -> Self {
        self.order.skip_late = true;
        self
    }

    /// Ends the stream: how many records it read, where it stopped if it overflowed, and its
    /// warnings in line order with the detected format.
    ///
    /// # Errors
    /// The error that ended reading the input.
    pub fn end(mut self) -> std::io::Result<Ended> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        self.reader.finish(&mut self.scratch);
        self.order.warnings.append(&mut self.scratch.warnings);
        Ok(self.order.end(self.scratch.format.take()))
    }

    /// Reads lines until a record is ready to hand on, or the input ends.
    fn fill(&mut self) -> Option<Record> {
        loop {
            if let Some(out) = self.order.next_out(self.at_end) {
                return out;
            }
            self.read_line();
        }
    }

    fn read_line(&mut self) {
        self.buf.clear();
        let limit = u64::try_from(LONGEST_LINE_BYTES).unwrap_or(u64::MAX);
        match (&mut self.input).take(limit).read_until(b'\n', &mut self.buf) {
            Ok(0) => {
                self.at_end = true;
                return;
            }
            Ok(_) => {}
            Err(e) => {
                self.error = Some(e);
                self.at_end = true;
                return;
            }
        }
        self.line += 1;
        let line = self.line;
        if self.buf.len() >= LONGEST_LINE_BYTES && self.buf.last() != Some(&b'\n') {
            match self.skip_rest_of_line() {
                Ok(rest) => self.order.warnings.push(RowWarning::at(
                    line,
                    format!(
                        "a line of {} bytes, longer than any queue_log line (not a log, or one \
                         without line ends?); skipped",
                        self.buf.len() as u64 + rest
                    ),
                )),
                Err(e) => {
                    self.error = Some(e);
                    self.at_end = true;
                }
            }
            return;
        }
        let mut raw = self.buf.strip_suffix(b"\n").unwrap_or(&self.buf);
        raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let mut key = None;
        if !raw.iter().all(u8::is_ascii_whitespace) {
            let hash = if raw.contains(&0) {
                let cleaned: Vec<u8> = raw.iter().copied().filter(|&b| b != 0).collect();
                self.hasher.hash_one(&cleaned[..])
            } else {
                self.hasher.hash_one(raw)
            };
            if let Some(&(first, _)) = self.seen.get(&hash) {
                self.order.warnings.push(RowWarning::at(
                    line,
                    format!("exact duplicate of line {first}; skipped"),
                ));
                return;
            }
            key = Some(hash);
        }
        self.reader.line(line, raw, &mut self.scratch);
        self.order.warnings.append(&mut self.scratch.warnings);
        let record = self.scratch.records.pop();
        if let Some(hash) = key {
            let at = record.as_ref().map_or(self.order.watermark, |r| r.at);
            self.seen.insert(hash, (line, at));
            if self.seen.len() >= self.next_sweep {
                self.sweep();
            }
        }
        if let Some(record) = record {
            self.order.push(record);
        }
    }

    /// Reads past the rest of an overlong line and its line end; how many bytes of the line
    /// that was.
    fn skip_rest_of_line(&mut self) -> std::io::Result<u64> {
        let mut skipped = 0_u64;
        loop {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok(skipped);
            }
            let (used, ended) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => (end + 1, true),
                None => (available.len(), false),
            };
            self.input.consume(used);
            skipped += used as u64;
            if ended {
                // Its line end is not part of it.
                return Ok(skipped - 1);
            }
        }
    }

    /// Forgets the lines older than two windows.
    fn sweep(&mut self) {
        let horizon = self.order.watermark.saturating_sub(2 * REORDER_WINDOW_MS);
        self.seen.retain(|_, &mut (_, at)| at >= horizon);
        self.next_sweep = (2 * self.seen.len()).max(4_096);
    }
}

impl Order {
    pub(crate) fn new() -> Self {
        Self { descending: true, ..Self::default() }
    }

    /// Where the input had a record further out of order than the window, if it did: nothing
    /// more is taken after it.
    pub(crate) const fn overflowed(&self) -> Option<usize> {
        self.overflowed
    }

    /// A warning about the input (a line or row that made no record).
    pub(crate) fn warn(&mut self, warning: RowWarning) {
        self.warnings.push(warning);
    }

    /// A record read, in input order.
    pub(crate) fn push(&mut self, record: Record) {
        self.records += 1;
        if self.reference.is_some() {
            self.place(record);
        } else {
            self.first.push(record);
            if self.first.len() >= ANCHOR_RECORDS {
                self.anchor();
            }
        }
    }

    /// What a stream hands on next, its input having ended or not: `Some` of the next record
    /// (`Some(None)`: nothing more, ever), or `None` while more input is needed first. After an
    /// overflow nothing more is read: what is held drains.
    pub(crate) fn next_out(&mut self, input_ended: bool) -> Option<Option<Record>> {
        if let Some(record) = self.ready() {
            return Some(Some(record));
        }
        (input_ended || self.overflowed.is_some()).then(|| self.drain())
    }

    /// The oldest held record, once the window has passed it.
    fn ready(&mut self) -> Option<Record> {
        let top = self.held.front()?;
        if top.at.saturating_add(REORDER_WINDOW_MS) > self.watermark {
            return None;
        }
        self.release()
    }

    fn release(&mut self) -> Option<Record> {
        let record = self.held.pop_front()?;
        self.released = Some(record.at);
        self.reference = Some(record.at);
        Some(record)
    }

    /// After the input's end: whatever is held, oldest first.
    fn drain(&mut self) -> Option<Record> {
        if self.reference.is_none() && !self.first.is_empty() {
            self.anchor();
        }
        self.release()
    }

    /// How the input ended: the records read, where it overflowed, and the warnings in line
    /// order (the disorder said once if the whole input was in descending order).
    pub(crate) fn end(mut self, format: Option<crate::read::Format>) -> Ended {
        let descending = self.descending
            && self.records > 2
            && self.first_record.map(|(at, _)| at) != self.previous;
        if descending {
            self.warnings.push(warn_descending(self.first_record.map_or(1, |(_, line)| line)));
        } else {
            self.warnings.append(&mut self.disorder);
        }
        self.warnings.sort_by_key(|w| w.line);
        Ended {
            records: self.records,
            overflowed: self.overflowed,
            read: Parsed {
                records: Vec::new(),
                warnings: self.warnings,
                format,
                surveys: Vec::new(),
            },
        }
    }

    /// The first reference for implausible times, from the first records; then they are placed.
    fn anchor(&mut self) {
        let mut times: Vec<Timestamp> = self.first.iter().map(|r| r.at).collect();
        times.sort_unstable();
        self.reference = times.get(times.len() / 2).copied();
        for record in std::mem::take(&mut self.first) {
            self.place(record);
        }
    }

    /// A record judged and held for its place in time.
    fn place(&mut self, record: Record) {
        let reference = self.reference.unwrap_or(record.at);
        if record.at.abs_diff(reference) > PLAUSIBLE_SPAN_MS {
            self.warnings.push(warn_implausible(&record));
            return;
        }
        if self.first_record.is_none() {
            self.first_record = Some((record.at, record.line));
        }
        if self.previous.is_some_and(|p| record.at > p) {
            self.descending = false;
        }
        self.previous = Some(record.at);
        match self.newest {
            Some((newest, newest_line)) if record.at < newest => {
                if self.released.is_some_and(|released| record.at < released) {
                    if self.skip_late {
                        let done = format!(
                            "further than the {} minutes a streamed log is put back in order \
                             within; skipped",
                            REORDER_WINDOW_MS / 60_000
                        );
                        self.warnings.push(warn_out_of_order(&record, newest, newest_line, &done));
                    } else if self.overflowed.is_none() {
                        self.overflowed = Some(record.line);
                    }
                    return;
                }
                self.disorder.push(warn_out_of_order(
                    &record,
                    newest,
                    newest_line,
                    "replayed in time order",
                ));
            }
            _ => self.newest = Some((record.at, record.line)),
        }
        self.watermark = record.at;
        let at = record.at;
        if self.held.back().is_none_or(|last| last.at <= at) {
            self.held.push_back(record);
        } else {
            let place = self.held.partition_point(|r| r.at <= at);
            self.held.insert(place, record);
        }
    }
}

/// How a stream ended ([`Stream::end`]).
#[derive(Debug)]
pub struct Ended {
    /// The records read (handed on, or skipped as implausible or late).
    pub records: usize,
    /// The first line further out of time order than the window, where the stream stopped.
    pub overflowed: Option<usize>,
    /// The warnings, in line order, and the detected format (no records: they were handed on).
    pub read: Parsed,
}

/// Records handed on in batches: reading and parsing a log costs about as much as replaying
/// it, so a second core does it ([`Stream::read_ahead`]).
const BATCH_RECORDS: usize = 4_096;

impl<R: BufRead + Send + 'static> Stream<R> {
    /// The stream read on a thread of its own, a few batches ahead of whoever takes its
    /// records: the same records in the same order.
    ///
    /// # Errors
    /// When the thread cannot be started.
    pub fn read_ahead(mut self) -> std::io::Result<ReadAhead> {
        let (batches, receiver) = std::sync::mpsc::sync_channel::<Vec<Record>>(4);
        let reader =
            std::thread::Builder::new().name("queue_log reader".into()).spawn(move || {
                loop {
                    let batch: Vec<Record> = self.by_ref().take(BATCH_RECORDS).collect();
                    if batch.is_empty() || batches.send(batch).is_err() {
                        break;
                    }
                }
                self.end()
            })?;
        Ok(ReadAhead { batches: Some(receiver), batch: Vec::new().into_iter(), reader })
    }
}

/// A [`Stream`] read on a thread of its own ([`Stream::read_ahead`]).
#[derive(Debug)]
pub struct ReadAhead {
    batches: Option<std::sync::mpsc::Receiver<Vec<Record>>>,
    batch: std::vec::IntoIter<Record>,
    reader: std::thread::JoinHandle<std::io::Result<Ended>>,
}

impl ReadAhead {
    /// Ends the stream (if its records were not all taken, the rest are not read), as
    /// [`Stream::end`].
    ///
    /// # Errors
    /// The error that ended reading the input, or the reading thread's panic.
    pub fn end(mut self) -> std::io::Result<Ended> {
        self.batches = None;
        self.reader.join().map_err(|_| std::io::Error::other("the queue_log reader panicked"))?
    }
}

impl Iterator for ReadAhead {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(record) = self.batch.next() {
                return Some(record);
            }
            self.batch = self.batches.as_ref()?.recv().ok()?.into_iter();
        }
    }
}

impl<R: BufRead> Iterator for Stream<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.fill()
    }
}
