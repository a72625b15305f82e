//! Where the service's events come from, behind one shape: each source is polled, gives the
//! log's records (and warnings) read since the last poll and what happened to it, and says
//! where it stands so a checkpoint can resume it.
//!
//! - [`SourceConfig::File`]: a `queue_log` file followed by its path, through logrotate
//!   (classic lines, or an export with a header, remembered across restarts).
//! - [`SourceConfig::Table`]: Asterisk's realtime `queue_log` table in PostgreSQL, polled by id.
//! - [`SourceConfig::Manager`]: the Asterisk Manager Interface, its queue events translated to
//!   the log's records as they happen.

use std::path::PathBuf;

use callboard_ami::client::{Manager, ManagerSettings};
use callboard_ami::translate::Translator;
use callboard_core::calendar::SiteCalendar;
use callboard_queue_log::follow::{Follower, Happened, Position};
use callboard_queue_log::read::{Parsed, Reader};
use callboard_queue_log::table::{Table, TablePosition, TableSettings};
use serde::{Deserialize, Serialize};

/// A source, as the site file names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceConfig {
    /// A `queue_log` file, followed.
    File(PathBuf),
    /// The realtime table.
    Table(TableSettings),
    /// The Asterisk Manager Interface.
    Manager(ManagerSettings),
}

impl SourceConfig {
    /// The source in a few words, for the log.
    #[must_use]
    pub fn describe(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Table(table) => format!("table {}", table.table),
            Self::Manager(manager) => format!("manager {}", manager.address),
        }
    }
}

/// Where a source stands, as a checkpoint keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourcePosition {
    /// The followed file's inode and the offset read to (0, 0: not started).
    pub inode: u64,
    /// The offset read to.
    pub offset: u64,
    /// The CRC-32 of the bytes just before the offset, and how many (follow's `Position`): how
    /// a restart tells a file rewritten past the offset after logrotate's copytruncate. Absent
    /// from a state saved before it: 0, unknown.
    #[serde(default)]
    pub tail_crc: u32,
    /// How many bytes `tail_crc` covers.
    #[serde(default)]
    pub tail_len: u16,
    /// The followed export's header, read before the offset.
    #[serde(default)]
    pub header: Option<String>,
    /// How far the table has been read.
    #[serde(default)]
    pub table: Option<TablePosition>,
    /// What the manager session knew: callers waiting, calls connected, members.
    #[serde(default)]
    pub manager: Option<Translator>,
}

/// What one poll brought.
#[derive(Debug, Default)]
pub struct Batch {
    /// The records and warnings read; each record's `line` numbers it in its source.
    pub parsed: Parsed,
    /// Lines or rows read.
    pub lines: usize,
    /// What happened to the source, to say in the log.
    pub said: Vec<String>,
    /// The source has more to read now (a backlog being caught up with): poll again before
    /// waiting, and do not move the clock past what was read.
    pub more: bool,
}

/// A source, running.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // one per service, never moved about
pub enum Source {
    /// A followed file.
    File {
        /// Its path, for the log.
        path: PathBuf,
        /// The follower.
        follower: Follower,
        /// The layout, learnt from the first line.
        reader: Reader,
        /// Lines read since the start.
        lines: usize,
    },
    /// The realtime table.
    Table(Table),
    /// The manager interface.
    Manager(Manager),
}

impl Source {
    /// Starts `config` from `position` (the default: from the beginning).
    #[must_use]
    pub fn start(config: &SourceConfig, calendar: SiteCalendar, position: &SourcePosition) -> Self {
        match config {
            SourceConfig::File(path) => {
                let from = (position.inode != 0).then_some(Position {
                    inode: position.inode,
                    offset: position.offset,
                    tail_crc: position.tail_crc,
                    tail_len: position.tail_len,
                });
                Self::File {
                    path: path.clone(),
                    follower: Follower::new(path, from),
                    reader: Reader::resumed(calendar, position.header.as_deref()),
                    lines: 0,
                }
            }
            SourceConfig::Table(settings) => Self::Table(Table::new(
                settings.clone(),
                calendar,
                position.table.clone().unwrap_or_default(),
            )),
            SourceConfig::Manager(settings) => Self::Manager(Manager::start(
                settings.clone(),
                position.manager.clone().unwrap_or_default(),
            )),
        }
    }

    /// Reads what is new.
    pub fn poll(&mut self) -> Batch {
        let mut batch = Batch::default();
        match self {
            Self::File { path, follower, reader, lines } => match follower.poll() {
                Ok(polled) => {
                    for happened in &polled.happened {
                        if *happened != Happened::Opened || *lines == 0 {
                            batch.said.push(format!("{}: {happened:?}", path.display()));
                        }
                    }
                    batch.more = polled.more;
                    for text in polled.lines {
                        *lines += 1;
                        batch.lines += 1;
                        reader.line(*lines, text.as_bytes(), &mut batch.parsed);
                    }
                }
                Err(e) => batch.said.push(format!("{}: cannot read it: {e}", path.display())),
            },
            Self::Table(table) => {
                let polled = table.poll();
                batch.parsed = polled.parsed;
                batch.lines = polled.rows;
                batch.said = polled.said;
                batch.more = polled.more;
            }
            Self::Manager(manager) => {
                let polled = manager.poll();
                batch.lines = polled.records.len();
                batch.parsed.records = polled.records;
                batch.said = polled.said;
            }
        }
        batch
    }

    /// Where it stands.
    #[must_use]
    pub fn position(&self) -> SourcePosition {
        match self {
            Self::File { follower, reader, .. } => {
                let at = follower.position();
                SourcePosition {
                    inode: at.inode,
                    offset: at.offset,
                    tail_crc: at.tail_crc,
                    tail_len: at.tail_len,
                    header: reader.header(),
                    ..SourcePosition::default()
                }
            }
            Self::Table(table) => SourcePosition {
                table: Some(table.position().clone()),
                ..SourcePosition::default()
            },
            Self::Manager(manager) => SourcePosition {
                manager: Some(manager.translator().clone()),
                ..SourcePosition::default()
            },
        }
    }
}
