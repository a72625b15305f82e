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
//! Restoring checks the magic, version, capacities and CRC, then decodes the whole checkpoint
//! (every value encoded exactly as the encoder writes it) and audits it against every invariant
//! the engine keeps (those of [`Center::audit`]) before it touches the center: a refused checkpoint
//! changes nothing, and an accepted one is a state the engine could have reached, which
//! checkpoints back to the same bytes.

use postcard::ser_flavors::Size;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::audit::{self, Inconsistency, Parts};
use super::{AgentRecord, CallRecord, Center, Diagnostics, QueueBook};
use crate::calendar::Timestamp;
use crate::center::CenterConfig;
use crate::crc::crc32;
use crate::csat::CsatLedger;
use crate::event::{AgentId, CallId};

/// The checkpoint format's version; a checkpoint of another version is refused.
pub const FORMAT_VERSION: u16 = 4;

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
    /// The bytes do not decode as a checkpoint body, or are not encoded as the encoder
    /// writes them.
    #[error("checkpoint body does not decode")]
    Inconsistent,
    /// The bytes decode, but into a state the engine cannot reach.
    #[error("checkpoint describes an unreachable state: {0}")]
    Unreachable(Inconsistency),
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
    /// Decodes the next value, which must be encoded as the encoder writes it (postcard also
    /// reads over-long varints): a restored center then checkpoints back to the same bytes.
    fn take<T: Serialize + DeserializeOwned>(&mut self) -> Result<T, CheckpointError> {
        let (value, rest) =
            postcard::take_from_bytes(self.rest).map_err(|_| CheckpointError::Inconsistent)?;
        let consumed = self.rest.len().saturating_sub(rest.len());
        let mut canonical = Counter(0);
        canonical.put(&value)?;
        if canonical.0 != consumed {
            return Err(CheckpointError::Inconsistent);
        }
        self.rest = rest;
        Ok(value)
    }

    /// Skips `count` values of type `T`, checking that each decodes.
    fn skip<T: Serialize + DeserializeOwned>(
        &mut self,
        count: usize,
    ) -> Result<(), CheckpointError> {
        for _ in 0..count {
            self.take::<T>()?;
        }
        Ok(())
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

/// Where each list of a checkpoint's body starts, and how many entries it has: the lists are
/// decoded again each time the audit walks them, instead of being held in memory twice.
#[derive(Clone, Copy)]
struct Sections<'a> {
    queues: (&'a [u8], usize),
    calls: (&'a [u8], usize),
    agents: (&'a [u8], usize),
}

/// Decodes `count` entries from `bytes`, handing each to `each`.
fn walk<T: Serialize + DeserializeOwned>(
    (bytes, count): (&[u8], usize),
    each: &mut dyn FnMut(T) -> Result<(), Inconsistency>,
) -> Result<(), Inconsistency> {
    let mut reader = Reader { rest: bytes };
    for _ in 0..count {
        let value = reader.take().map_err(|_| Inconsistency("undecodable entry"))?;
        each(value)?;
    }
    Ok(())
}

impl<const INTERVALS: usize, const DAYS: usize> Parts<INTERVALS, DAYS> for Sections<'_> {
    fn books(
        &self,
        each: &mut dyn FnMut(&QueueBook<INTERVALS, DAYS>) -> Result<(), Inconsistency>,
    ) -> Result<(), Inconsistency> {
        walk(self.queues, &mut |book: QueueBook<INTERVALS, DAYS>| each(&book))
    }

    fn calls(&self, each: &mut audit::EachCall<'_>) -> Result<(), Inconsistency> {
        walk(self.calls, &mut |(id, call): (CallId, CallRecord)| each((id, &call)))
    }

    fn agents(&self, each: &mut audit::EachAgent<'_>) -> Result<(), Inconsistency> {
        walk(self.agents, &mut |(id, agent): (AgentId, AgentRecord)| each((id, &agent)))
    }
}

impl<const Q: usize, const C: usize, const A: usize, const I: usize, const D: usize>
    Center<Q, C, A, I, D>
{
    fn capacities() -> [u32; 5] {
        [Q, C, A, I, D].map(|n| u32::try_from(n).unwrap_or(u32::MAX))
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

    /// Replaces the whole state with a checkpoint's. The checkpoint is checked and audited
    /// completely first (every invariant of [`Center::audit`]); if it is refused, the center is
    /// unchanged. A restored center checkpoints back to the same bytes.
    ///
    /// # Errors
    /// [`CheckpointError::NotACheckpoint`], [`CheckpointError::UnsupportedVersion`],
    /// [`CheckpointError::CapacityMismatch`], [`CheckpointError::Damaged`],
    /// [`CheckpointError::Inconsistent`] (undecodable), [`CheckpointError::Unreachable`] (a
    /// state the engine cannot reach).
    pub fn restore(&mut self, bytes: &[u8]) -> Result<(), CheckpointError> {
        let body = Self::check_envelope(bytes)?;
        let (head, sections) = Self::scan(body)?;
        let view = audit::Head {
            config: &head.config,
            csat: &head.csat,
            clock: head.clock,
            flushed_to: head.flushed_to,
        };
        audit::audit::<Q, C, A, I, D>(&view, &sections).map_err(CheckpointError::Unreachable)?;
        // Known good: now into the center.
        self.reset(head.config);
        self.csat = head.csat;
        self.clock = head.clock;
        self.flushed_to = head.flushed_to;
        self.diagnostics = head.diagnostics;
        let Self { queues, calls, agents, .. } = self;
        let outcome = walk(sections.queues, &mut |book: QueueBook<I, D>| {
            queues.push(book).map_err(|_| Inconsistency("too many queues"))
        })
        .and_then(|()| {
            walk(sections.calls, &mut |(id, call): (CallId, CallRecord)| match calls
                .insert(id, call)
            {
                Ok(None) => Ok(()),
                _ => Err(Inconsistency("duplicate call")),
            })
        })
        .and_then(|()| {
            walk(sections.agents, &mut |(id, agent): (AgentId, AgentRecord)| match agents
                .insert(id, agent)
            {
                Ok(None) => Ok(()),
                _ => Err(Inconsistency("duplicate agent")),
            })
        });
        self.queue_ended_calls();
        self.rebuild_line();
        if let Err(error) = outcome {
            // Audited above, so this cannot happen; never leave a half-restored center.
            self.reset(self.config);
            return Err(CheckpointError::Unreachable(error));
        }
        Ok(())
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

    /// Decodes the body's head and finds its lists, checking that everything decodes, that
    /// every count is within the capacities and that nothing follows.
    fn scan(body: &[u8]) -> Result<(Head<D>, Sections<'_>), CheckpointError> {
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
        let count = reader.count(Q)?;
        let queues = (reader.rest, count);
        reader.skip::<QueueBook<I, D>>(count)?;
        let count = reader.count(C)?;
        let calls = (reader.rest, count);
        reader.skip::<(CallId, CallRecord)>(count)?;
        let count = reader.count(A)?;
        let agents = (reader.rest, count);
        reader.skip::<(AgentId, AgentRecord)>(count)?;
        if !reader.rest.is_empty() {
            return Err(CheckpointError::Inconsistent);
        }
        Ok((head, Sections { queues, calls, agents }))
    }
}
