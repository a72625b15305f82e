//! Checkpoints: a center's whole state as bytes, so that a switch can restart without losing
//! the day.
//!
//! Layout (all integers inside the postcard part are postcard varints):
//!
//! | bytes | content |
//! |---|---|
//! | 4 | magic `CBCK` |
//! | 2 | format version, little-endian ([`FORMAT_VERSION`]) |
//! | n | postcard: the capacities `[QUEUES, CALLS, AGENTS, INTERVALS, DAYS]` as `u32`s, the configuration, the CSAT ledger, the clock, the flush mark, the diagnostics, then the queues, the calls in flight and the agents, each as a count followed by the entries |
//! | 4 | CRC-32 (IEEE 802.3) of everything before it, little-endian |
//!
//! Restoring checks the magic, version, capacities and CRC, then decodes and validates the whole
//! checkpoint (ordering of intervals and days, unique ids, references between calls, agents and
//! queues, dates, configuration) before it touches the center: a refused checkpoint changes
//! nothing.

use heapless::index_map::FnvIndexMap;
use postcard::ser_flavors::Size;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{AgentRecord, CallRecord, Center, CenterConfig, Diagnostics, QueueBook};
use crate::calendar::{LocalDate, SiteCalendar, Timestamp};
use crate::crc::crc32;
use crate::csat::{CsatLedger, CsatScale};
use crate::event::{AgentId, CallId};

/// The checkpoint format's version; a checkpoint of another version is refused.
pub const FORMAT_VERSION: u16 = 3;

const MAGIC: [u8; 4] = *b"CBCK";
const HEADER_LEN: usize = 6;
const TRAILER_LEN: usize = 4;

/// Why a checkpoint could not be written or restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CheckpointError {
    /// The output buffer is shorter than [`Center::checkpoint_len`].
    #[error("the checkpoint buffer is too small")]
    BufferTooSmall,
    /// The bytes are not a callboard checkpoint (wrong magic or too short).
    #[error("not a callboard checkpoint")]
    NotACheckpoint,
    /// A checkpoint of another format version.
    #[error("checkpoint format version not supported")]
    UnsupportedVersion,
    /// A checkpoint of a center with other capacities.
    #[error("checkpoint of a center with other capacities")]
    CapacityMismatch,
    /// The CRC does not match: the bytes were damaged.
    #[error("checkpoint damaged (CRC mismatch)")]
    Damaged,
    /// The bytes decode but describe an impossible state.
    #[error("checkpoint describes an inconsistent state")]
    Inconsistent,
}

/// Where the encoder puts its bytes: counted, or written into a slice.
trait Sink {
    fn put<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CheckpointError>;
}

struct Counter(usize);

impl Sink for Counter {
    fn put<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CheckpointError> {
        let len = postcard::serialize_with_flavor(value, Size::default())
            .map_err(|_| CheckpointError::Inconsistent)?;
        self.0 = self.0.saturating_add(len);
        Ok(())
    }
}

struct Writer<'a> {
    buffer: &'a mut [u8],
    position: usize,
}

impl Sink for Writer<'_> {
    fn put<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), CheckpointError> {
        let rest = self.buffer.get_mut(self.position..).ok_or(CheckpointError::BufferTooSmall)?;
        let written =
            postcard::to_slice(value, rest).map_err(|_| CheckpointError::BufferTooSmall)?;
        self.position = self.position.saturating_add(written.len());
        Ok(())
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    fn take<T: DeserializeOwned>(&mut self) -> Result<T, CheckpointError> {
        let (value, rest) =
            postcard::take_from_bytes(self.rest).map_err(|_| CheckpointError::Inconsistent)?;
        self.rest = rest;
        Ok(value)
    }

    fn count(&mut self, most: usize) -> Result<usize, CheckpointError> {
        let count: u32 = self.take()?;
        let count = usize::try_from(count).map_err(|_| CheckpointError::Inconsistent)?;
        if count > most { Err(CheckpointError::Inconsistent) } else { Ok(count) }
    }
}

/// The parts of a checkpoint that are small enough to hold at once.
struct Head<const DAYS: usize> {
    config: CenterConfig,
    csat: CsatLedger<DAYS>,
    clock: Option<Timestamp>,
    flushed_to: Option<Timestamp>,
    diagnostics: Diagnostics,
}

/// One decoded part of a checkpoint, in the order they come.
enum Part<'a, const INTERVALS: usize, const DAYS: usize> {
    Head(&'a Head<DAYS>),
    Queue(QueueBook<INTERVALS, DAYS>),
    Call(CallId, CallRecord),
    Agent(AgentId, AgentRecord),
}

fn valid_date(date: LocalDate) -> bool {
    LocalDate::new(date.year(), date.month(), date.day()).is_ok_and(|checked| checked == date)
}

fn valid_config(config: &CenterConfig) -> bool {
    let calendar = SiteCalendar::new(config.calendar.standard_offset(), config.calendar.dst_rule());
    let scale = CsatScale::new(config.csat.scale.lowest(), config.csat.scale.highest());
    calendar.is_ok_and(|calendar| calendar == config.calendar) && scale.is_ok()
}

impl<
    const QUEUES: usize,
    const CALLS: usize,
    const AGENTS: usize,
    const INTERVALS: usize,
    const DAYS: usize,
> Center<QUEUES, CALLS, AGENTS, INTERVALS, DAYS>
{
    fn capacities() -> [u32; 5] {
        [QUEUES, CALLS, AGENTS, INTERVALS, DAYS].map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn encode(&self, sink: &mut impl Sink) -> Result<(), CheckpointError> {
        sink.put(&Self::capacities())?;
        sink.put(&self.config)?;
        sink.put(&self.csat)?;
        sink.put(&self.clock)?;
        sink.put(&self.flushed_to)?;
        sink.put(&self.diagnostics)?;
        let count = |n: usize| u32::try_from(n).map_err(|_| CheckpointError::Inconsistent);
        sink.put(&count(self.queues.len())?)?;
        for book in &self.queues {
            sink.put(book)?;
        }
        sink.put(&count(self.calls.len())?)?;
        for entry in &self.calls {
            sink.put(&entry)?;
        }
        sink.put(&count(self.agents.len())?)?;
        for entry in &self.agents {
            sink.put(&entry)?;
        }
        Ok(())
    }

    /// The length in bytes of this center's checkpoint now.
    ///
    /// # Errors
    /// [`CheckpointError::Inconsistent`] only if the state cannot be encoded (not expected).
    pub fn checkpoint_len(&self) -> Result<usize, CheckpointError> {
        let mut counter = Counter(0);
        self.encode(&mut counter)?;
        Ok(counter.0.saturating_add(HEADER_LEN + TRAILER_LEN))
    }

    /// Writes the whole state into `buffer`, returning the length written.
    ///
    /// # Errors
    /// [`CheckpointError::BufferTooSmall`] when `buffer` is shorter than
    /// [`Center::checkpoint_len`] (nothing useful is written then).
    pub fn checkpoint(&self, buffer: &mut [u8]) -> Result<usize, CheckpointError> {
        let (header, _) =
            buffer.split_first_chunk_mut::<HEADER_LEN>().ok_or(CheckpointError::BufferTooSmall)?;
        let [m0, m1, m2, m3] = MAGIC;
        let [v0, v1] = FORMAT_VERSION.to_le_bytes();
        *header = [m0, m1, m2, m3, v0, v1];
        let mut writer = Writer { buffer, position: HEADER_LEN };
        self.encode(&mut writer)?;
        let end = writer.position;
        let crc = crc32(buffer.get(..end).ok_or(CheckpointError::BufferTooSmall)?).to_le_bytes();
        let total = end.saturating_add(TRAILER_LEN);
        buffer.get_mut(end..total).ok_or(CheckpointError::BufferTooSmall)?.copy_from_slice(&crc);
        Ok(total)
    }

    /// Replaces the whole state with a checkpoint's. The checkpoint is checked and validated
    /// completely first; if it is refused, the center is unchanged.
    ///
    /// # Errors
    /// [`CheckpointError::NotACheckpoint`], [`CheckpointError::UnsupportedVersion`],
    /// [`CheckpointError::CapacityMismatch`], [`CheckpointError::Damaged`],
    /// [`CheckpointError::Inconsistent`].
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError> {
        let body = Self::check_envelope(bytes)?;
        // First pass: decode and validate everything, touching nothing.
        Self::replay(body, &mut |_| Ok(()))?;
        // Second pass: the same bytes, now known good, into the center.
        let outcome = Self::replay(body, &mut |part| match part {
            Part::Head(head) => {
                self.reset(head.config);
                self.csat = head.csat.clone();
                self.clock = head.clock;
                self.flushed_to = head.flushed_to;
                self.diagnostics = head.diagnostics;
                Ok(())
            }
            Part::Queue(book) => self.queues.push(book).map_err(|_| CheckpointError::Inconsistent),
            Part::Call(id, record) => match self.calls.insert(id, record) {
                Ok(None) => Ok(()),
                _ => Err(CheckpointError::Inconsistent),
            },
            Part::Agent(id, record) => match self.agents.insert(id, record) {
                Ok(None) => Ok(()),
                _ => Err(CheckpointError::Inconsistent),
            },
        });
        if outcome.is_err() {
            // Validated above, so this cannot happen; never leave a half-restored center.
            self.reset(self.config);
        }
        outcome
    }

    fn check_envelope(bytes: &[u8]) -> Result<&[u8], CheckpointError> {
        let (header, rest) =
            bytes.split_first_chunk::<HEADER_LEN>().ok_or(CheckpointError::NotACheckpoint)?;
        let [m0, m1, m2, m3, v0, v1] = *header;
        if [m0, m1, m2, m3] != MAGIC {
            return Err(CheckpointError::NotACheckpoint);
        }
        if u16::from_le_bytes([v0, v1]) != FORMAT_VERSION {
            return Err(CheckpointError::UnsupportedVersion);
        }
        let (body, trailer) =
            rest.split_last_chunk::<TRAILER_LEN>().ok_or(CheckpointError::NotACheckpoint)?;
        let covered = bytes
            .get(..bytes.len().saturating_sub(TRAILER_LEN))
            .ok_or(CheckpointError::NotACheckpoint)?;
        if crc32(covered) != u32::from_le_bytes(*trailer) {
            return Err(CheckpointError::Damaged);
        }
        Ok(body)
    }

    /// Decodes the body, validating as it goes, and hands each part to `on_part`.
    fn replay(
        body: &[u8],
        on_part: &mut dyn FnMut(Part<'_, INTERVALS, DAYS>) -> Result<(), CheckpointError>,
    ) -> Result<(), CheckpointError> {
        let mut reader = Reader { rest: body };
        let capacities: [u32; 5] = reader.take()?;
        if capacities != Self::capacities() {
            return Err(CheckpointError::CapacityMismatch);
        }
        let head = Head {
            config: reader.take()?,
            csat: reader.take()?,
            clock: reader.take()?,
            flushed_to: reader.take()?,
            diagnostics: reader.take()?,
        };
        let consistent_csat = head.csat.config() == &head.config.csat
            && head.csat.calendar() == &head.config.calendar
            && head.csat.is_well_formed(valid_date);
        if !valid_config(&head.config) || !consistent_csat {
            return Err(CheckpointError::Inconsistent);
        }
        on_part(Part::Head(&head))?;

        let interval_ms = head.config.interval.millis();
        let queues = reader.count(QUEUES)?;
        // Queue ids seen so far, to refuse duplicates without a second copy of the books.
        let mut ids: heapless::Vec<u32, QUEUES> = heapless::Vec::new();
        for _ in 0..queues {
            let book: QueueBook<INTERVALS, DAYS> = reader.take()?;
            let ordered =
                book.intervals.iter().zip(book.intervals.iter().skip(1)).all(|(earlier, later)| {
                    earlier.start.checked_add(interval_ms) == Some(later.start)
                });
            let days_ok = book.days.is_strictly_ordered()
                && book.days.iter().all(|(date, _)| valid_date(date));
            if !ordered || !days_ok || ids.contains(&book.id.0) {
                return Err(CheckpointError::Inconsistent);
            }
            ids.push(book.id.0).map_err(|_| CheckpointError::Inconsistent)?;
            on_part(Part::Queue(book))?;
        }
        let queue_mask = if queues >= 64 { u64::MAX } else { (1_u64 << queues).wrapping_sub(1) };

        let calls = reader.count(CALLS)?;
        let mut call_ids: FnvIndexMap<CallId, (), CALLS> = FnvIndexMap::new();
        for _ in 0..calls {
            let (id, record): (CallId, CallRecord) = reader.take()?;
            if usize::from(record.queue) >= queues || !matches!(call_ids.insert(id, ()), Ok(None)) {
                return Err(CheckpointError::Inconsistent);
            }
            on_part(Part::Call(id, record))?;
        }

        let agents = reader.count(AGENTS)?;
        let mut agent_ids: FnvIndexMap<AgentId, (), AGENTS> = FnvIndexMap::new();
        for _ in 0..agents {
            let (id, record): (AgentId, AgentRecord) = reader.take()?;
            let wrap_known = record.wrap_call.is_none_or(|call| call_ids.contains_key(&call));
            if record.queues & !queue_mask != 0
                || !wrap_known
                || !matches!(agent_ids.insert(id, ()), Ok(None))
            {
                return Err(CheckpointError::Inconsistent);
            }
            on_part(Part::Agent(id, record))?;
        }
        if reader.rest.is_empty() { Ok(()) } else { Err(CheckpointError::Inconsistent) }
    }
}
