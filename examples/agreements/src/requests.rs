//! The service requests `callboard sla` follows: a CSV read through the `csv` crate.
//!
//! # The requests file
//! A CSV with a header: `id,type,department,opened,closed,pauses`. Times are the site's local
//! time, `YYYY-MM-DD HH:MM`; `closed` is empty for a request still open; `pauses` is empty or
//! `start/end` pairs separated by `;` (an open-ended pause `start/` is a request waiting now).
//! A row that cannot be read is reported with its line and the reason, and the others are
//! counted.

use std::collections::BTreeSet;

use callboard_core::calendar::{SiteCalendar, Timestamp};
use callboard_queue_log::RowWarning;
use callboard_queue_log::local_time::parse_local_instant;
use serde::Deserialize;

/// One row of the requests file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RequestRow {
    pub(crate) id: String,
    pub(crate) request_type: String,
    pub(crate) department: String,
    pub(crate) opened: Timestamp,
    pub(crate) closed: Option<Timestamp>,
    pub(crate) pauses: Vec<(Timestamp, Option<Timestamp>)>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RawRow {
    pub(crate) id: String,
    #[serde(rename = "type")]
    pub(crate) request_type: String,
    pub(crate) department: String,
    pub(crate) opened: String,
    #[serde(default)]
    pub(crate) closed: String,
    #[serde(default)]
    pub(crate) pauses: String,
}

pub(crate) fn row_of(site: &SiteCalendar, raw: RawRow) -> Result<RequestRow, String> {
    if raw.id.trim().is_empty() {
        return Err("no id".into());
    }
    let opened = parse_local_instant(site, &raw.opened).map_err(|e| format!("opened: {e}"))?;
    let closed = match raw.closed.trim() {
        "" => None,
        text => Some(parse_local_instant(site, text).map_err(|e| format!("closed: {e}"))?),
    };
    let mut pauses = Vec::new();
    for pair in raw.pauses.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (from, to) =
            pair.split_once('/').ok_or_else(|| format!("pause {pair:?}: expected start/end"))?;
        let from = parse_local_instant(site, from).map_err(|e| format!("pause: {e}"))?;
        let to = match to.trim() {
            "" => None,
            text => Some(parse_local_instant(site, text).map_err(|e| format!("pause: {e}"))?),
        };
        pauses.push((from, to));
    }
    // Events in order: opened ≤ pause start < pause end ≤ next pause … ≤ closed.
    let mut last = opened;
    for (i, (from, to)) in pauses.iter().enumerate() {
        let open_ended_not_last = to.is_none() && i + 1 < pauses.len();
        if *from < last || to.is_some_and(|to| to <= *from) || open_ended_not_last {
            return Err(
                "pauses must follow the opening and each other, each ending after it starts".into(),
            );
        }
        last = to.unwrap_or(*from);
    }
    if let Some(closed) = closed {
        if closed < last || pauses.last().is_some_and(|(_, to)| to.is_none()) {
            return Err("closed before it was opened or during a pause".into());
        }
    }
    Ok(RequestRow {
        id: raw.id.trim().to_owned(),
        request_type: raw.request_type.trim().to_owned(),
        department: raw.department.trim().to_owned(),
        opened,
        closed,
        pauses,
    })
}

#[derive(Debug, Clone)]
pub(crate) struct Requests {
    pub(crate) rows: Vec<(usize, RequestRow)>,
    pub(crate) unreadable: Vec<RowWarning>,
}

impl Requests {
    /// Reads a requests file's text, times in `site`'s local time.
    pub(crate) fn read(site: &SiteCalendar, csv_text: &str) -> Result<Self, String> {
        let mut reader =
            csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(csv_text.as_bytes());
        let headers = reader.headers().map_err(|e| format!("the requests file: {e}"))?.clone();
        for column in ["id", "type", "department", "opened"] {
            if !headers.iter().any(|h| h == column) {
                return Err(format!("the requests file has no {column:?} column"));
            }
        }
        let mut rows = Vec::new();
        let mut unreadable = Vec::new();
        let mut record = csv::StringRecord::new();
        loop {
            // Where the next record starts; a row that cannot be read at all is reported there.
            let next = usize::try_from(reader.position().line()).unwrap_or(usize::MAX);
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {
                    // The line the row starts on (blank lines before it skipped, a quoted field
                    // may run over several).
                    let line = record
                        .position()
                        .and_then(|p| usize::try_from(p.line()).ok())
                        .unwrap_or(next);
                    let read = record.deserialize::<RawRow>(Some(&headers));
                    match read.map_err(|e| e.to_string()).and_then(|raw| row_of(site, raw)) {
                        Ok(row) => rows.push((line, row)),
                        Err(e) => unreadable.push(RowWarning::at(line, e)),
                    }
                }
                Err(e) => unreadable.push(RowWarning::at(next, e.to_string())),
            }
        }
        Ok(Self { rows, unreadable })
    }

    /// The departments the readable rows name.
    pub(crate) fn departments(&self) -> BTreeSet<&str> {
        self.rows.iter().map(|(_, row)| row.department.as_str()).collect()
    }
}
