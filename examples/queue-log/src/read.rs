//! Reading Asterisk `queue_log` files: the classic text file and the database ("realtime")
//! export.
//!
//! The classic file has one event per line, pipe-separated:
//! `epoch|callid|queue|agent|event|data1|data2|...`. A realtime export is a table with columns
//! `time, callid, queuename, agent, event, data1 … data5` (sometimes one `data` column holding
//! pipe-separated values instead), exported as CSV or TSV with a header row, and its `time` is
//! the server's local wall-clock time `YYYY-MM-DD HH:MM:SS[.ffffff]`, read here with the site
//! calendar.
//!
//! Real logs are messy. Every one of these is survived with a warning naming the line, and the
//! line is either repaired or left out, never guessed at: blank lines; runs of NUL bytes (what
//! logrotate's copytruncate leaves when Asterisk writes during the rotation); bytes that are not
//! UTF-8; exact duplicate lines; lines that do not parse; timestamps far from the rest of the
//! log; lines out of time order, which are replayed in time order (a file exported in descending
//! time order is reported once, not line by line).

use std::collections::HashMap;

use callboard_core::calendar::{LocalDate, LocalResolution, SiteCalendar, Timestamp};

use crate::row::RowWarning;
use crate::verb::Verb;

/// One parsed queue_log event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Record {
    /// 1-based line number in the input.
    pub line: usize,
    /// When it happened, milliseconds since the Unix epoch.
    pub at: Timestamp,
    /// The call's unique id, or `NONE` / `REALTIME` for events not about a call.
    pub callid: String,
    /// The queue name, or `NONE`.
    pub queue: String,
    /// The agent (queue member), or `NONE`.
    pub agent: String,
    /// What happened: `ENTERQUEUE`, `CONNECT`, ….
    pub verb: Verb,
    /// data1, data2, … (trailing empty fields kept).
    pub data: Vec<String>,
}

/// The input's format, as detected from its first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// `epoch|callid|queue|agent|event|data…`.
    Classic,
    /// A realtime table export with the given delimiter.
    Realtime {
        /// Field separator.
        delimiter: char,
    },
}

/// Everything read from an input.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Records in time order (lines with equal times keep their order in the file).
    pub records: Vec<Record>,
    /// Warnings, by line.
    pub warnings: Vec<RowWarning>,
    /// The detected format, `None` for an input without a single record line.
    pub format: Option<Format>,
    /// Survey responses, in the order of the calls they rate: the log's own survey lines
    /// ([`Parsed::take_survey_lines`]) and survey exports ([`Parsed::add_survey_rows`]).
    pub surveys: Vec<crate::surveys::Survey>,
}

/// Timestamps further than this from the log's median are taken to be corrupt.
pub(crate) const PLAUSIBLE_SPAN_MS: u64 = 400 * 86_400_000;

/// Reads a whole queue_log from its bytes.
#[must_use]
pub fn parse(input: &[u8], calendar: &SiteCalendar) -> Parsed {
    let mut parsed = Parsed::default();
    let mut reader = Reader::new(*calendar);
    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    let lines: Vec<&[u8]> = input.split(|&b| b == b'\n').collect();
    let last = lines.len();
    for (index, raw) in lines.into_iter().enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        // The empty piece after the final newline is not a line.
        if line == last && raw.is_empty() {
            break;
        }
        if !raw.iter().all(u8::is_ascii_whitespace) {
            let key: Vec<u8> = raw.iter().copied().filter(|&b| b != 0).collect();
            if let Some(first) = seen.get(&key) {
                parsed.warnings.push(RowWarning::at(
                    line,
                    format!("exact duplicate of line {first}; skipped"),
                ));
                continue;
            }
            seen.insert(key, line);
        }
        reader.line(line, raw, &mut parsed);
    }
    reader.finish(&mut parsed);
    settle(&mut parsed);
    parsed
}

/// What a whole input needs once all of it is read (a file, or a table read to its end):
/// times implausibly far from the rest dropped, records in time order, warnings by line.
pub fn settle(parsed: &mut Parsed) {
    drop_implausible_times(parsed);
    sort_in_time_order(parsed);
    parsed.warnings.sort_by_key(|w| w.line);
}

/// Reads a queue_log a line at a time, as a followed file or a polled table delivers it: the
/// layout is learnt from the first line (a classic line, an export's header naming its
/// columns, or a headerless row in the table's order) and kept for the lines after it.
///
/// What [`parse`] adds for a whole input (exact duplicates skipped, implausible times dropped,
/// time order) needs the whole input and is not done here.
#[derive(Debug, Clone)]
pub struct Reader {
    /// The site's clock, for times written as local wall-clock times.
    calendar: SiteCalendar,
    format: Option<Format>,
    columns: Option<Columns>,
    /// Why the input cannot be read, once said; later lines are counted, not read.
    refused: Option<String>,
    lines_not_read: usize,
    previous: Option<Timestamp>,
}

impl Reader {
    /// A reader for an input whose first line it has not seen. `calendar` reads local
    /// wall-clock times; give [`SiteCalendar::UTC`] for a switch that writes UTC
    /// (`queue_log_realtime_use_gmt`). Epoch times are UTC whatever it says.
    #[must_use]
    pub const fn new(calendar: SiteCalendar) -> Self {
        Self {
            calendar,
            format: None,
            columns: None,
            refused: None,
            lines_not_read: 0,
            previous: None,
        }
    }

    /// A reader for an input whose header was read before (a followed file restarted at a
    /// saved position): `header` is what [`Reader::header`] gave.
    #[must_use]
    pub fn resumed(calendar: SiteCalendar, header: Option<&str>) -> Self {
        let mut reader = Self::new(calendar);
        if let Some(header) = header {
            let mut scratch = Parsed::default();
            reader.line(0, header.as_bytes(), &mut scratch);
        }
        reader
    }

    /// The header line the layout was learnt from, to save beside a position; `None` for a
    /// classic log or a headerless export, whose layout any line shows.
    #[must_use]
    pub fn header(&self) -> Option<String> {
        self.columns.as_ref().and_then(|c| c.header.clone())
    }

    /// Reads line `line` (its bytes, without the newline) into `parsed`: a record, or a
    /// warning naming the line.
    pub fn line(&mut self, line: usize, raw: &[u8], parsed: &mut Parsed) {
        if self.refused.is_some() {
            self.lines_not_read += 1;
            return;
        }
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let nuls = raw.iter().filter(|&&b| b == 0).count();
        let cleaned: Vec<u8>;
        let bytes: &[u8] = if nuls > 0 {
            cleaned = raw.iter().copied().filter(|&b| b != 0).collect();
            parsed.warnings.push(RowWarning::at(
                line,
                format!(
                    "removed {nuls} NUL {} (a log truncated while Asterisk was writing it)",
                    if nuls == 1 { "byte" } else { "bytes" }
                ),
            ));
            &cleaned
        } else {
            raw
        };
        if bytes.iter().all(u8::is_ascii_whitespace) {
            if nuls == 0 {
                parsed.warnings.push(RowWarning::at(line, "blank line skipped"));
            }
            return;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => std::borrow::Cow::Borrowed(text),
            Err(_) => {
                parsed
                    .warnings
                    .push(RowWarning::at(line, "not valid UTF-8; invalid bytes replaced"));
                String::from_utf8_lossy(bytes)
            }
        };
        if self.format.is_none() {
            let detected = detect(&text);
            self.format = Some(detected.clone());
            if let Format::Realtime { delimiter } = detected {
                parsed.format = Some(detected);
                match Columns::from_first_line(&text, delimiter) {
                    First::Header(columns) => {
                        self.columns = Some(columns);
                        return;
                    }
                    First::Row(columns) => self.columns = Some(columns),
                    First::Unplaced(reason) => {
                        parsed.warnings.push(RowWarning::whole(reason.clone()));
                        self.refused = Some(reason);
                        return;
                    }
                }
            } else {
                parsed.format = Some(detected);
            }
        }
        let result = match &self.columns {
            Some(columns) => parse_realtime(
                &text,
                line,
                columns,
                &self.calendar,
                self.previous,
                &mut parsed.warnings,
            ),
            None => parse_classic(&text, line),
        };
        match result {
            Ok(record) => {
                self.previous = Some(self.previous.map_or(record.at, |p| p.max(record.at)));
                parsed.records.push(record);
            }
            Err(message) => parsed.warnings.push(RowWarning::at(line, message)),
        }
    }

    /// A reader for a table's rows, whose columns are `names` in the order rows give their
    /// fields.
    ///
    /// # Errors
    /// Names that do not place the time, call, queue, agent and event: the message names what
    /// is missing and the columns not placed.
    pub fn for_columns(calendar: SiteCalendar, names: &[String]) -> Result<Self, String> {
        let mut reader = Self::new(calendar);
        reader.format = Some(Format::Realtime { delimiter: ',' });
        let header = names.join(",");
        match Columns::from_names(names, ',', &header) {
            First::Header(columns) => {
                reader.columns = Some(columns);
                Ok(reader)
            }
            First::Row(_) => Err(format!(
                "no column is named for the time, call, queue, agent or event: {header}"
            )),
            First::Unplaced(reason) => Err(reason),
        }
    }

    /// Reads one row of a table (its fields, in the order of the names it was made with)
    /// into `parsed`; `line` names it in warnings (the row's id).
    pub fn fields(&mut self, line: usize, fields: &[String], parsed: &mut Parsed) {
        let Some(columns) = &self.columns else {
            parsed
                .warnings
                .push(RowWarning::at(line, "a row before the table's columns were known; skipped"));
            return;
        };
        match record_from_fields(
            fields,
            line,
            columns,
            &self.calendar,
            self.previous,
            &mut parsed.warnings,
        ) {
            Ok(record) => {
                self.previous = Some(self.previous.map_or(record.at, |p| p.max(record.at)));
                parsed.records.push(record);
            }
            Err(message) => parsed.warnings.push(RowWarning::at(line, message)),
        }
    }

    /// Says, once, how many lines an input of an unknown layout had.
    pub fn finish(&mut self, parsed: &mut Parsed) {
        if self.lines_not_read > 0 {
            let lines = match self.lines_not_read {
                1 => "1 line was".to_owned(),
                n => format!("{n} lines were"),
            };
            parsed
                .warnings
                .push(RowWarning::whole(format!("{lines} not read, for the reason above")));
            self.lines_not_read = 0;
        }
    }
}

fn detect(first: &str) -> Format {
    let leading_epoch = first.split('|').next().is_some_and(|f| {
        let f = f.trim();
        !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    });
    if leading_epoch && first.contains('|') {
        return Format::Classic;
    }
    // A header or a first data row: pick the separator that splits it most.
    let delimiter =
        [',', '\t', ';', '|'].into_iter().max_by_key(|&d| first.matches(d).count()).unwrap_or(',');
    Format::Realtime { delimiter }
}

fn parse_classic(text: &str, line: usize) -> Result<Record, String> {
    let mut fields = text.split('|');
    let (Some(epoch), Some(callid), Some(queue), Some(agent), Some(event)) =
        (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err(format!(
            "not a queue_log line (expected epoch|callid|queue|agent|event|…, found {} fields); skipped",
            text.split('|').count()
        ));
    };
    let at = parse_epoch(epoch.trim())
        .ok_or_else(|| format!("bad timestamp {}; skipped", excerpt(epoch.trim())))?;
    record(line, at, callid, queue, agent, event, fields.map(str::to_owned).collect())
}

fn record(
    line: usize,
    at: Timestamp,
    callid: &str,
    queue: &str,
    agent: &str,
    event: &str,
    data: Vec<String>,
) -> Result<Record, String> {
    if event.trim().is_empty() {
        return Err("no event name; skipped".into());
    }
    let verb = Verb::read(event);
    Ok(Record {
        line,
        at,
        callid: callid.trim().to_owned(),
        queue: queue.trim().to_owned(),
        agent: agent.trim().to_owned(),
        verb,
        data,
    })
}

/// A field quoted in a warning: garbage can be kilobytes long, a warning should not be.
fn excerpt(field: &str) -> String {
    const MAX: usize = 32;
    if field.chars().count() <= MAX {
        format!("{field:?}")
    } else {
        format!(
            "{:?}… ({} characters)",
            field.chars().take(MAX).collect::<String>(),
            field.chars().count()
        )
    }
}

/// Seconds since the epoch, with an optional fraction, as milliseconds.
fn parse_epoch(text: &str) -> Option<Timestamp> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: u64 = whole.parse().ok()?;
    let millis = fraction_millis(fraction)?;
    seconds.checked_mul(1000)?.checked_add(millis)
}

fn fraction_millis(fraction: &str) -> Option<u64> {
    if !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: String = fraction.chars().chain("000".chars()).take(3).collect();
    digits.parse().ok()
}

/// Where each field is in a realtime export or table, by the names in its header: Asterisk's
/// own (`time, callid, queuename, agent, event, data1..data5`, or one `data` column of
/// pipe-separated values) and the names Asterisk-based products give the same things (Bicom
/// PBXware's export: `uid`, an epoch `date_time`, `queue_name`, `param1..param3`, hold and talk
/// times in columns of their own, which the replay does not need: it takes waits and talk times
/// from the events' times).
#[derive(Debug, Clone)]
struct Columns {
    delimiter: char,
    time: usize,
    callid: usize,
    queue: usize,
    agent: usize,
    event: usize,
    /// data1 … data5 (or param1 …) and a combined `data` column, either or both.
    data: Vec<usize>,
    combined: Option<usize>,
    /// The header line, to resume a followed export after a restart.
    header: Option<String>,
}

/// What a realtime input's first line turned out to be.
enum First {
    /// A header whose names place every field.
    Header(Columns),
    /// A data row: the table's own column order.
    Row(Columns),
    /// A header that does not place the fields: why, naming its columns.
    Unplaced(String),
}

/// The names each field goes by, lower case.
const TIME: &[&str] =
    &["time", "timestamp", "datetime", "date_time", "created", "calldate", "event_time"];
const CALL: &[&str] = &["callid", "call_id", "uniqueid", "unique_id", "uid"];
const QUEUE: &[&str] = &["queuename", "queue", "queue_name"];
const AGENT: &[&str] = &["agent", "member", "agent_name", "membername", "interface"];
const EVENT: &[&str] = &["event", "verb", "event_type"];
/// Columns a layout may have that the replay does not need: row ids, and times the replay
/// takes from the events' own times instead.
const UNUSED: &[&str] = &[
    "id",
    "holdtime",
    "hold_time",
    "waittime",
    "wait_time",
    "talktime",
    "talk_time",
    "ringtime",
    "ring_time",
    "duration",
    "position",
    "serverid",
    "server_id",
    "tenant",
    "tenant_id",
];

impl Columns {
    fn from_first_line(line: &str, delimiter: char) -> First {
        let Some(fields) = split_delimited(line, delimiter) else {
            return First::Row(Self::table_order(delimiter));
        };
        if fields.iter().any(|f| parse_time(f.trim()).is_some()) {
            return First::Row(Self::table_order(delimiter));
        }
        Self::from_names(&fields, delimiter, line)
    }

    fn from_names(fields: &[String], delimiter: char, line: &str) -> First {
        let names: Vec<String> = fields.iter().map(|n| n.trim().to_ascii_lowercase()).collect();
        let find = |wanted: &[&str]| names.iter().position(|n| wanted.contains(&n.as_str()));
        let numbered = |prefix: &str| -> Vec<usize> {
            (1..=5)
                .filter_map(|i| names.iter().position(|n| *n == format!("{prefix}{i}")))
                .collect()
        };
        let mut data = numbered("data");
        if data.is_empty() {
            data = numbered("param");
        }
        let combined = find(&["data", "params"]);
        let wanted = [
            ("the time", TIME),
            ("the call", CALL),
            ("the queue", QUEUE),
            ("the agent", AGENT),
            ("the event", EVENT),
        ];
        let placed: Vec<Option<usize>> = wanted.iter().map(|(_, names)| find(names)).collect();
        if placed.iter().all(Option::is_none) {
            // Not a header at all: a row, and a bad one, said line by line.
            return First::Row(Self::table_order(delimiter));
        }
        if let [Some(time), Some(callid), Some(queue), Some(agent), Some(event)] = placed[..] {
            return First::Header(Self {
                delimiter,
                time,
                callid,
                queue,
                agent,
                event,
                data,
                combined,
                header: Some(line.to_owned()),
            });
        }
        let missing: Vec<String> = wanted
            .iter()
            .zip(&placed)
            .filter(|(_, at)| at.is_none())
            .map(|((what, names), _)| format!("{what} ({})", names.join(", ")))
            .collect();
        let used: Vec<usize> =
            placed.iter().flatten().copied().chain(data.iter().copied()).chain(combined).collect();
        let unplaced: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|(i, n)| !used.contains(i) && !UNUSED.contains(&n.as_str()))
            .map(|(_, n)| excerpt(n))
            .collect();
        First::Unplaced(format!(
            "this export's layout is not known, so none of it was read: no column for {}; columns not placed: {}",
            missing.join(", "),
            if unplaced.is_empty() { "none".to_owned() } else { unplaced.join(", ") }
        ))
    }

    /// A headerless export in the table's column order.
    fn table_order(delimiter: char) -> Self {
        Self {
            delimiter,
            time: 0,
            callid: 1,
            queue: 2,
            agent: 3,
            event: 4,
            data: vec![5, 6, 7, 8, 9],
            combined: None,
            header: None,
        }
    }
}

/// Splits one line of delimited text through the `csv` crate (RFC 4180 quoting: `""` inside
/// quotes is a quote). `None` when a quote is left open: a line with an odd number of quote
/// characters cannot be a whole record, and the line-by-line reader would otherwise read it as
/// one.
fn split_delimited(text: &str, delimiter: char) -> Option<Vec<String>> {
    if text.matches('"').count() % 2 == 1 {
        return None;
    }
    let delimiter = u8::try_from(delimiter).ok()?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => Some(record.iter().map(str::to_owned).collect()),
        Ok(false) => Some(vec![String::new()]),
        Err(_) => None,
    }
}

fn parse_realtime(
    text: &str,
    line: usize,
    columns: &Columns,
    calendar: &SiteCalendar,
    previous: Option<Timestamp>,
    warnings: &mut Vec<RowWarning>,
) -> Result<Record, String> {
    let fields = split_delimited(text, columns.delimiter)
        .ok_or_else(|| "unterminated quoted field; skipped".to_owned())?;
    record_from_fields(&fields, line, columns, calendar, previous, warnings)
}

fn record_from_fields(
    fields: &[String],
    line: usize,
    columns: &Columns,
    calendar: &SiteCalendar,
    previous: Option<Timestamp>,
    warnings: &mut Vec<RowWarning>,
) -> Result<Record, String> {
    let get = |i: usize| fields.get(i).map_or("", String::as_str);
    let time = get(columns.time).trim();
    let at = match parse_time(time).ok_or_else(|| format!("bad time {}; skipped", excerpt(time)))? {
        Time::Epoch(at) => at,
        Time::Local(date, millis_of_day) => {
            match calendar.resolve_local(date, millis_of_day) {
                LocalResolution::Unique(at) => at,
                // The hour clocks fall back happens twice: keep the log moving forward when we can.
                LocalResolution::Ambiguous(first, second) => {
                    if previous.is_some_and(|p| p > first) { second } else { first }
                }
                LocalResolution::Skipped(at) => {
                    warnings.push(RowWarning::at(
                    line,
                    format!("local time {time} does not exist (clocks sprang forward); read as the end of the gap"),
                ));
                    at
                }
            }
        }
    };
    // Asterisk fills data1..data5 when the table has them, else `data`; a table may have both.
    let separate: Vec<String> =
        columns.data.iter().map(|&i| get(i).trim_end().to_owned()).collect();
    let data = match columns.combined {
        Some(i) if separate.iter().all(String::is_empty) && !get(i).is_empty() => {
            get(i).split('|').map(str::to_owned).collect()
        }
        _ => separate,
    };
    record(
        line,
        at,
        get(columns.callid),
        get(columns.queue),
        get(columns.agent),
        get(columns.event),
        data,
    )
}

/// A time as a table or export writes it.
enum Time {
    /// Seconds since the epoch (PBXware's `date_time`; a `timestamptz` column read as epoch).
    Epoch(Timestamp),
    /// A wall-clock time, to be read with a calendar.
    Local(LocalDate, u32),
}

fn parse_time(text: &str) -> Option<Time> {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return parse_epoch(text).map(Time::Epoch);
    }
    parse_local_time(text).map(|(date, millis)| Time::Local(date, millis))
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff]` (a `T` between date and time is accepted too).
fn parse_local_time(text: &str) -> Option<(LocalDate, u32)> {
    let (date, time) = text.split_once([' ', 'T'])?;
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    if d.next().is_some() {
        return None;
    }
    let date = LocalDate::new(y, m, day).ok()?;
    let (hms, fraction) = time.trim().split_once('.').unwrap_or((time.trim(), ""));
    let mut t = hms.split(':');
    let (h, mi, s): (u32, u32, u32) =
        (t.next()?.parse().ok()?, t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    if t.next().is_some() || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    let millis = u32::try_from(fraction_millis(fraction)?).ok()?;
    Some((date, ((h * 60 + mi) * 60 + s) * 1000 + millis))
}

/// Removes records whose time is implausibly far from the rest of the log (a corrupted epoch
/// would otherwise stretch the report over decades).
fn drop_implausible_times(parsed: &mut Parsed) {
    if parsed.records.is_empty() {
        return;
    }
    let mut times: Vec<Timestamp> = parsed.records.iter().map(|r| r.at).collect();
    times.sort_unstable();
    let median = times[times.len() / 2];
    let warnings = &mut parsed.warnings;
    parsed.records.retain(|r| {
        let plausible = r.at.abs_diff(median) <= PLAUSIBLE_SPAN_MS;
        if !plausible {
            warnings.push(warn_implausible(r));
        }
        plausible
    });
}

/// The warning for a record whose time is implausibly far from the rest of the log.
pub(crate) fn warn_implausible(record: &Record) -> RowWarning {
    RowWarning::at(
        record.line,
        format!(
            "timestamp {} is more than 400 days from the rest of the log; skipped",
            record.at / 1000
        ),
    )
}

/// The one warning for a log in descending time order, at its first record's line.
pub(crate) fn warn_descending(line: usize) -> RowWarning {
    RowWarning::at(
        line,
        "the log is in descending time order (an export sorted newest first); replayed oldest first",
    )
}

/// The warning for a record earlier than the one at line `newest_line` (time `newest_at`)
/// before it, saying what was `done` about it.
pub(crate) fn warn_out_of_order(
    record: &Record,
    newest_at: Timestamp,
    newest_line: usize,
    done: &str,
) -> RowWarning {
    let late = newest_at.saturating_sub(record.at) as f64 / 1000.0;
    RowWarning::at(
        record.line,
        format!("out of time order ({late} s before line {newest_line}); {done}"),
    )
}

/// Replays out-of-order lines in time order, saying which lines were out of order.
fn sort_in_time_order(parsed: &mut Parsed) {
    let records = &parsed.records;
    let descending = records.len() > 2
        && records.windows(2).all(|w| w[0].at >= w[1].at)
        && records.first().map(|r| r.at) != records.last().map(|r| r.at);
    if descending {
        parsed.warnings.push(warn_descending(records.first().map_or(1, |r| r.line)));
        // Equal times keep their relative order from the file after the reversal's stable sort.
        parsed.records.reverse();
    } else {
        let mut newest: Option<&Record> = None;
        for r in records {
            match newest {
                Some(n) if r.at < n.at => {
                    parsed.warnings.push(warn_out_of_order(
                        r,
                        n.at,
                        n.line,
                        "replayed in time order",
                    ));
                }
                _ => newest = Some(r),
            }
        }
    }
    parsed.records.sort_by_key(|r| r.at);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> Parsed {
        parse(s.as_bytes(), &SiteCalendar::UTC)
    }

    fn us_eastern() -> SiteCalendar {
        let offset = callboard_core::calendar::UtcOffset::from_minutes(-300).unwrap();
        SiteCalendar::new(offset, callboard_core::calendar::DstRule::UnitedStates).unwrap()
    }

    #[test]
    fn classic_lines() {
        let p = parse_str("1366720340|1366720340.303267|MYQUEUE|SIP/8007|RINGNOANSWER|1000\n");
        assert_eq!(p.format, Some(Format::Classic));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let r = &p.records[0];
        assert_eq!(
            (r.at, r.callid.as_str(), r.queue.as_str()),
            (1_366_720_340_000, "1366720340.303267", "MYQUEUE")
        );
        assert_eq!(
            (r.agent.as_str(), r.verb.as_str(), r.data.as_slice()),
            ("SIP/8007", "RINGNOANSWER", &["1000".to_owned()][..])
        );
    }

    #[test]
    fn mess_is_survived_with_a_warning_per_line() {
        let log = b"1000|a|q|NONE|ENTERQUEUE||123|1\n\
                   \n\
                   \0\0\0\0\x001001|a|q|SIP/1|CONNECT|1|b|0\n\
                   1001|a|q|SIP/1|CONNECT|1|b|0\n\
                   not a line\n\
                   999|c|q|NONE|ENTERQUEUE||1|1\n\
                   1002|\xff|q|NONE|DID|5\n";
        let p = parse(log, &SiteCalendar::UTC);
        let lines: Vec<(usize, &str)> =
            p.warnings.iter().map(|w| (w.line.unwrap_or(0), w.reason.as_str())).collect();
        assert_eq!(lines.len(), 6, "{lines:#?}");
        assert!(lines[0].0 == 2 && lines[0].1.contains("blank"));
        assert!(lines[1].0 == 3 && lines[1].1.contains("5 NUL bytes"));
        assert!(lines[2].0 == 4 && lines[2].1.contains("duplicate of line 3"));
        assert!(lines[3].0 == 5 && lines[3].1.contains("not a queue_log line"));
        assert!(lines[4].0 == 6 && lines[4].1.contains("out of time order"));
        assert!(lines[5].0 == 7 && lines[5].1.contains("UTF-8"));
        // Replayed in time order: line 6 first.
        let order: Vec<usize> = p.records.iter().map(|r| r.line).collect();
        assert_eq!(order, [6, 1, 3, 7]);
    }

    #[test]
    fn realtime_export_with_header_and_local_times() {
        let cal = us_eastern();
        let csv = "id,time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n\
                   1,2026-11-23 08:00:00.250,1795.1,potholes,NONE,ENTERQUEUE,,\"5551234\",1,,\n\
                   2,2026-11-23 08:00:12,1795.1,potholes,\"Agent/7, desk\",CONNECT,12,1795.2,3,,\n";
        let p = parse(csv.as_bytes(), &cal);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.format, Some(Format::Realtime { delimiter: ',' }));
        // 08:00 EST = 13:00Z.
        assert_eq!(p.records[0].at, 1_795_438_800_250);
        assert_eq!(p.records[1].agent, "Agent/7, desk");
        assert_eq!(p.records[1].data[..3], ["12", "1795.2", "3"]);
        assert_eq!(p.records[1].line, 3);
    }

    #[test]
    fn realtime_quoting_as_rfc_4180_and_an_open_quote_refused() {
        let csv = "time,callid,queuename,agent,event,data1\n\
                   2026-11-23 08:00:00,a,q,\"SIP/7 \"\"desk\"\"\",PAUSE,\"lunch, late\"\n\
                   2026-11-23 08:00:05,b,q,NONE,ENTERQUEUE,\"555\n";
        let p = parse_str(csv);
        assert_eq!(p.records.len(), 1);
        assert_eq!(p.records[0].agent, "SIP/7 \"desk\"");
        assert_eq!(p.records[0].data, ["lunch, late"]);
        assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
        assert_eq!(p.warnings[0].line, Some(3));
        assert!(p.warnings[0].reason.contains("unterminated quoted field"));
    }

    #[test]
    fn realtime_with_a_combined_data_column_in_descending_order() {
        let tsv = "time\tcallid\tqueuename\tagent\tevent\tdata\n\
                   2026-11-23 08:00:20\tx\tq\tSIP/1\tCOMPLETECALLER\t12|8|1\n\
                   2026-11-23 08:00:12\tx\tq\tSIP/1\tCONNECT\t12|y|0\n\
                   2026-11-23 08:00:00\tx\tq\tNONE\tENTERQUEUE\t|555\n";
        let p = parse_str(tsv);
        assert_eq!(p.warnings.len(), 1);
        assert!(p.warnings[0].reason.contains("descending"));
        let events: Vec<&str> = p.records.iter().map(|r| r.verb.as_str()).collect();
        assert_eq!(events, ["ENTERQUEUE", "CONNECT", "COMPLETECALLER"]);
        assert_eq!(p.records[2].data, ["12", "8", "1"]);
    }

    #[test]
    fn headerless_realtime_rows_and_bad_times() {
        let p = parse_str(
            "2026-11-23 08:00:00;x;q;NONE;ENTERQUEUE;;;;;\n2026-13-23 08:00:00;x;q;NONE;ABANDON;1;1;5\n",
        );
        assert_eq!(p.records.len(), 1);
        assert!(p.warnings[0].reason.contains("bad time"));
    }

    #[test]
    fn fall_back_hour_stays_in_order() {
        let cal = us_eastern();
        let csv = "time,callid,queuename,agent,event\n\
                   2026-11-01 01:59:00,a,q,NONE,ENTERQUEUE\n\
                   2026-11-01 01:01:00,a,q,NONE,ABANDON\n";
        let p = parse(csv.as_bytes(), &cal);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.records[1].at - p.records[0].at, 2 * 60_000);
    }

    #[test]
    fn corrupt_epochs_far_from_the_log_are_dropped() {
        let p = parse_str(
            "1000000000|a|q|NONE|ENTERQUEUE\n1000000010|a|q|NONE|ABANDON|1|1|10\n9|b|q|NONE|ENTERQUEUE\n",
        );
        assert_eq!(p.records.len(), 2);
        assert!(p.warnings[0].reason.contains("400 days"));
        assert_eq!(p.warnings[0].line, Some(3));
    }

    #[test]
    fn warnings_quote_garbage_briefly() {
        let garbage = format!("{}|a|q|NONE|ENTERQUEUE\n", "9x".repeat(5000));
        let p = parse_str(&garbage);
        assert_eq!(p.warnings.len(), 1);
        let message = &p.warnings[0].reason;
        assert!(message.len() < 100 && message.contains("10000 characters"), "{message}");
    }

    #[test]
    fn a_vendor_export_is_read_by_its_header_names() {
        // Bicom PBXware's queue-log export: a row id, the call as `uid`, epoch times, its own
        // names for queue and data, hold and talk times in columns of their own, outbound
        // calls mixed in.
        let csv = "id,uid,date_time,queue_name,agent,event,param1,param2,param3,holdtime,talktime\n\
                   7,1795.1,1795438800,potholes,NONE,ENTERQUEUE,,5551234,1,0,0\n\
                   8,1796.4,1795438801,NONE,SIP/12,OUTCALL,5559876,,,0,0\n\
                   9,1795.1,1795438812,potholes,SIP/7,CONNECT,12,1795.2,3,12,0\n\
                   10,1795.1,1795438900,potholes,SIP/7,COMPLETECALLER,12,88,1,12,88\n";
        let p = parse(csv.as_bytes(), &us_eastern());
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let read: Vec<(u64, &str, &str)> =
            p.records.iter().map(|r| (r.at, r.callid.as_str(), r.verb.as_str())).collect();
        assert_eq!(
            read,
            [
                (1_795_438_800_000, "1795.1", "ENTERQUEUE"),
                (1_795_438_801_000, "1796.4", "OUTCALL"),
                (1_795_438_812_000, "1795.1", "CONNECT"),
                (1_795_438_900_000, "1795.1", "COMPLETECALLER"),
            ]
        );
        assert_eq!(p.records[2].data, ["12", "1795.2", "3"]);
    }

    #[test]
    fn an_unknown_layout_is_one_message_naming_the_columns() {
        let csv = "ref,stamp,queue_name,who,event,note\n\
                   1,2026-11-23 08:00:00,q,NONE,ENTERQUEUE,x\n\
                   2,2026-11-23 08:00:09,q,NONE,ABANDON,x\n";
        let p = parse_str(csv);
        assert!(p.records.is_empty());
        let said: Vec<String> = p.warnings.iter().map(ToString::to_string).collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert!(said[0].contains("no column for the time (time,"), "{}", said[0]);
        assert!(said[0].contains("the call (callid,") && said[0].contains("the agent (agent,"));
        assert!(
            said[0].ends_with("columns not placed: \"ref\", \"stamp\", \"who\", \"note\""),
            "{}",
            said[0]
        );
        assert_eq!(said[1], "2 lines were not read, for the reason above");
        let one = parse_str(
            "ref,stamp,queue_name,who,event,note\n1,2026-11-23 08:00:00,q,NONE,ENTERQUEUE,x\n",
        );
        assert_eq!(one.warnings[1].to_string(), "1 line was not read, for the reason above");
    }

    #[test]
    fn a_table_with_both_data_columns_and_a_resumed_reader() {
        let header = "id,time,callid,queuename,agent,event,data,data1,data2,data3,data4,data5";
        let first = "1,2026-11-23 08:00:00,a,q,NONE,ENTERQUEUE,|555|1,,,,,";
        let second = "2,2026-11-23 08:00:04,a,q,NONE,ABANDON,,1,1,4,,";
        let mut reader = Reader::new(SiteCalendar::UTC);
        let mut parsed = Parsed::default();
        for (line, text) in [header, first].iter().enumerate() {
            reader.line(line + 1, text.as_bytes(), &mut parsed);
        }
        assert_eq!(reader.header().as_deref(), Some(header));
        // A restart: the header is not read again.
        let mut resumed = Reader::resumed(SiteCalendar::UTC, reader.header().as_deref());
        resumed.line(3, second.as_bytes(), &mut parsed);
        assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
        assert_eq!(parsed.records[0].data, ["", "555", "1"]);
        assert_eq!(parsed.records[1].data, ["1", "1", "4", "", ""]);
        assert_eq!(parsed.records[1].at - parsed.records[0].at, 4000);
    }

    #[test]
    fn epochs_with_fractions() {
        assert_eq!(parse_epoch("1366720340.5"), Some(1_366_720_340_500));
        assert_eq!(parse_epoch("1366720340.123456"), Some(1_366_720_340_123));
        assert_eq!(parse_epoch("-5"), None);
        assert_eq!(parse_epoch("99999999999999999999"), None);
    }
}
