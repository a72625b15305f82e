//! Asterisk's realtime `queue_log` table in PostgreSQL, streamed for a report: the table's
//! name and how to reach it, as `callboard serve`'s `[source]` names them (the details:
//! `docs/sources.md`).

use std::path::PathBuf;

use callboard_core::calendar::SiteCalendar;
use callboard_queue_log::replay::Replayed;
use callboard_queue_log::table::{
    Table, TablePosition, TableSettings, TableStream, Tls, secret_from_file,
};

use super::log::{Replay, Streamed};

#[derive(Debug, Clone, clap::Args)]
pub struct TableArgs {
    /// Read Asterisk's realtime queue_log table (NAME or SCHEMA.NAME) from PostgreSQL instead
    /// of a file.
    #[arg(long, value_name = "NAME", conflicts_with = "queue_log")]
    pub table: Option<String>,
    /// libpq connection words or a postgresql:// URL; what they leave out comes from PGHOST,
    /// PGPORT, PGUSER, PGDATABASE, ...
    #[arg(long, value_name = "SETTINGS", default_value = "", requires = "table")]
    pub connection: String,
    /// A file whose first line is the password (else PGPASSWORD).
    #[arg(long, value_name = "FILE", requires = "table")]
    pub password_file: Option<PathBuf>,
    /// disable, prefer, require or verify-full (else PGSSLMODE, else prefer).
    #[arg(long, value_name = "MODE", requires = "table")]
    pub sslmode: Option<String>,
    /// The root certificates (PEM) for --sslmode verify-full.
    #[arg(long, value_name = "FILE", requires = "table")]
    pub sslrootcert: Option<PathBuf>,
    /// The switch writes `time` in UTC (logger.conf's queue_log_realtime_use_gmt).
    #[arg(long, requires = "table")]
    pub times_utc: bool,
}

impl TableArgs {
    /// The table named, replayed with its survey responses as it streams by: read a few
    /// thousand rows at a time, its memory does not grow with the table. A table with a row
    /// further out of time order than the stream's window is read again whole and put in order.
    /// `None` when no table is named.
    ///
    /// # Errors
    /// Settings that do not make sense, a password file that cannot be read, a table that cannot
    /// be reached or read, a survey file that cannot be read, a table with no queue_log row.
    pub(crate) fn replay(&self, how: &Replay<'_>) -> Result<Option<Replayed>, String> {
        let Some(mut table) = self.source(how.calendar)? else { return Ok(None) };
        let name = format!("table {}", self.table.as_deref().unwrap_or(""));
        let stream = table.stream()?;
        Streamed { name: &name, how }
            .replay(stream, TableStream::end, || table.read_all())
            .map(Some)
    }

    /// The table named, not yet read.
    fn source(&self, calendar: &SiteCalendar) -> Result<Option<Table>, String> {
        let Some(table) = &self.table else { return Ok(None) };
        let tls = self
            .sslmode
            .as_deref()
            .map(|mode| Tls::from_sslmode(mode, self.sslrootcert.clone()))
            .transpose()
            .map_err(|e| format!("--{e}"))?;
        let password = self
            .password_file
            .as_deref()
            .map(secret_from_file)
            .transpose()
            .map_err(|e| format!("--password-file: {e}"))?;
        let settings = TableSettings {
            connection: self.connection.clone(),
            password,
            table: table.clone(),
            times_utc: self.times_utc,
            tls,
            ..TableSettings::default()
        };
        Ok(Some(Table::new(settings, *calendar, TablePosition::default())))
    }
}
