//! Asterisk's realtime `queue_log` table in PostgreSQL, read live.
//!
//! With `queue_log => odbc,asteriskcdrdb` (or `pgsql`) in `extconfig.conf`, Asterisk writes each
//! queue event as a row instead of a line: `time, callid, queuename, agent, event, data1..data5`
//! (or one `data` column of pipe-separated values; the schema in Asterisk's `contrib/realtime`
//! and `doc/` queue-log notes), with a serial `id` the database adds. `time` is the server's
//! local wall-clock time unless `queue_log_realtime_use_gmt` is set in `logger.conf`; it may be
//! a string column or a `timestamp` (read as written) or `timestamptz` (read as the instant it
//! is). The columns are found by their names, as an export's header is
//! ([`crate::read::Reader::for_columns`]), so a vendor's table with its own names reads the
//! same way.
//!
//! Rows are polled by id above a high-water mark. Ids are handed out when a row is inserted,
//! not when it is committed, so a row can appear after one with a higher id: ids skipped below
//! the mark are kept as holes and asked for again for [`HOLE_WAIT_MS`] (a rolled-back insert
//! leaves a hole forever). The mark and the holes are the [`TablePosition`] a checkpoint keeps,
//! so a restart reads every row exactly once.
//!
//! The connection: the settings given, then the standard `PG*` environment variables
//! (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, `PGSSLROOTCERT`,
//! `PGCONNECT_TIMEOUT`, `PGAPPNAME`), then libpq's defaults. TLS through rustls, with libpq's
//! modes: `prefer` (the default: encrypted when the server offers it), `require` (encrypted or
//! nothing; like libpq without a root certificate, the server's certificate is not checked),
//! `verify-full` (encrypted, the certificate checked against `sslrootcert` and the host name),
//! `disable`. A dropped connection, a server restarting or a table not there yet is said once
//! and retried with a back-off doubling from 1 s to 30 s; nothing read is lost.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use callboard_core::calendar::SiteCalendar;
use postgres::config::SslMode;
use postgres::{Client, Config};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde::{Deserialize, Serialize};

use crate::read::{Parsed, Reader, Record};
use crate::stream::{Ended, Order};

/// How long an id skipped below the high-water mark is asked for again.
pub const HOLE_WAIT_MS: u64 = 10 * 60 * 1000;
/// The most rows read in one poll; the rest come at the next.
pub const ROWS_PER_POLL: i64 = 5000;
/// A jump in ids wider than this is not tracked id by id (a sequence restarted or moved on):
/// said, and the ids in it are not waited for.
const WIDEST_GAP: i64 = 1000;
const FIRST_RETRY: Duration = Duration::from_secs(1);
const LAST_RETRY: Duration = Duration::from_secs(30);

/// TLS to the server, as libpq's `sslmode` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tls {
    /// Never.
    Disable,
    /// When the server offers it (libpq's default).
    Prefer,
    /// Always; the certificate is not checked.
    Require,
    /// Always, the certificate checked against these roots (a PEM file) and the host name.
    VerifyFull {
        /// The root certificates, PEM.
        root: std::path::PathBuf,
    },
}

impl Tls {
    /// Reads a libpq `sslmode` (`verify-full` needs `root`).
    ///
    /// # Errors
    /// A mode libpq does not have, `verify-ca` (say `verify-full`), or `verify-full` without
    /// a root certificate.
    pub fn from_sslmode(mode: &str, root: Option<std::path::PathBuf>) -> Result<Self, String> {
        match (mode, root) {
            ("disable", _) => Ok(Self::Disable),
            ("allow" | "prefer", _) => Ok(Self::Prefer),
            ("require", _) => Ok(Self::Require),
            ("verify-full", Some(root)) => Ok(Self::VerifyFull { root }),
            ("verify-full", None) => Err("sslmode verify-full needs sslrootcert".into()),
            ("verify-ca", _) => Err("sslmode verify-ca is not offered: use verify-full".into()),
            (other, _) => Err(format!(
                "sslmode: expected disable, prefer, require or verify-full, not {other:?}"
            )),
        }
    }
}

/// Where and how to read the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSettings {
    /// libpq's `key=value` words or a `postgresql://` URL; empty for the `PG*` variables
    /// alone.
    pub connection: String,
    /// The password, when not in `connection` or `PGPASSWORD`.
    pub password: Option<String>,
    /// The table, `name` or `schema.name`.
    pub table: String,
    /// Its increasing id column.
    pub id_column: String,
    /// The switch writes `time` in UTC (`queue_log_realtime_use_gmt = yes`).
    pub times_utc: bool,
    /// TLS; `None` for `PGSSLMODE`, else `prefer`.
    pub tls: Option<Tls>,
}

impl Default for TableSettings {
    fn default() -> Self {
        Self {
            connection: String::new(),
            password: None,
            table: "queue_log".into(),
            id_column: "id".into(),
            times_utc: false,
            tls: None,
        }
    }
}

/// A password or secret kept in a file of its own (its first line), so that a site file or a
/// command line never holds it.
///
/// # Errors
/// A file that cannot be read, or an empty one.
pub fn secret_from_file(path: &std::path::Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let secret = text.lines().next().unwrap_or("").trim_end().to_owned();
    if secret.is_empty() {
        return Err(format!("{} is empty", path.display()));
    }
    Ok(secret)
}

/// How far the table has been read: what a checkpoint keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablePosition {
    /// The highest id read.
    pub high_water: i64,
    /// Ids below it not seen yet, each with when it was first missed (ms since the epoch).
    pub holes: Vec<(i64, u64)>,
}

/// What one poll brought.
#[derive(Debug, Default)]
pub struct TablePolled {
    /// The rows read, as records and warnings (a row's id is its `line`).
    pub parsed: Parsed,
    /// Rows read.
    pub rows: usize,
    /// What happened to the connection, to say in the log.
    pub said: Vec<String>,
    /// The table has more rows to read now: this poll read [`ROWS_PER_POLL`]. Poll again
    /// before waiting.
    pub more: bool,
}

/// The table, followed.
pub struct Table {
    settings: TableSettings,
    calendar: SiteCalendar,
    position: TablePosition,
    client: Option<Connected>,
    retry_at: Option<Instant>,
    backoff: Duration,
    down_said: bool,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("table", &self.settings.table)
            .field("position", &self.position)
            .field("connected", &self.client.is_some())
            .finish_non_exhaustive()
    }
}

struct Connected {
    client: Client,
    /// The rows after the high-water mark and the holes below it.
    select: String,
    /// The rows after the high-water mark.
    select_after: String,
    reader: Reader,
}

impl Connected {
    /// Reads the next rows after `high_water` (and the `holes` below it) into `parsed`;
    /// returns their ids, in increasing order.
    fn read_rows(
        &mut self,
        high_water: i64,
        holes: &[i64],
        parsed: &mut Parsed,
    ) -> Result<Vec<i64>, postgres::Error> {
        let rows = if holes.is_empty() {
            self.client.query(self.select_after.as_str(), &[&high_water])?
        } else {
            self.client.query(self.select.as_str(), &[&high_water, &holes])?
        };
        let mut ids = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.get(0);
            let fields: Vec<String> = (1..row.len())
                .map(|i| row.get::<_, Option<String>>(i).unwrap_or_default())
                .collect();
            self.reader.fields(usize::try_from(id).unwrap_or(0), &fields, parsed);
            ids.push(id);
        }
        Ok(ids)
    }
}

fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Table {
    /// A table to follow from `position` (the default: from its first row). `calendar` reads
    /// local times; ignored when the settings say the switch writes UTC.
    #[must_use]
    pub fn new(settings: TableSettings, calendar: SiteCalendar, position: TablePosition) -> Self {
        Self {
            settings,
            calendar,
            position,
            client: None,
            retry_at: None,
            backoff: FIRST_RETRY,
            down_said: false,
        }
    }

    /// How far it has been read.
    #[must_use]
    pub const fn position(&self) -> &TablePosition {
        &self.position
    }

    /// Reads the rows added since the last poll (at most [`ROWS_PER_POLL`]), connecting first
    /// if need be. Never fails: a connection that cannot be made or is lost is said in
    /// [`TablePolled::said`] and tried again later.
    pub fn poll(&mut self) -> TablePolled {
        let mut polled = TablePolled::default();
        if self.client.is_none() {
            if self.retry_at.is_some_and(|at| Instant::now() < at) {
                return polled;
            }
            match self.connect() {
                Ok(connected) => {
                    polled.said.push(format!(
                        "connected to table {} (read to id {})",
                        self.settings.table, self.position.high_water
                    ));
                    self.client = Some(connected);
                    self.backoff = FIRST_RETRY;
                    self.retry_at = None;
                    self.down_said = false;
                }
                Err(e) => {
                    self.wait_before_retry(&mut polled, &e);
                    return polled;
                }
            }
        }
        if let Err(e) = self.read_rows(&mut polled) {
            self.client = None;
            self.wait_before_retry(&mut polled, &e);
        }
        polled
    }

    /// Reads the whole table from the position it was made with, for a report: every row,
    /// in time order, as [`crate::parse`] gives a file.
    ///
    /// # Errors
    /// A connection that cannot be made or is lost, or a table that cannot be read: said, not
    /// retried.
    pub fn read_all(&mut self) -> Result<Parsed, String> {
        let mut connected =
            self.connect().map_err(|e| format!("table {}: {e}", self.settings.table))?;
        let mut parsed = Parsed::default();
        loop {
            let ids = connected
                .read_rows(self.position.high_water, &[], &mut parsed)
                .map_err(|e| format!("table {}: {}", self.settings.table, describe(&e)))?;
            let Some(&last) = ids.last() else { break };
            self.position.high_water = last;
        }
        crate::read::settle(&mut parsed);
        Ok(parsed)
    }

    /// The whole table from the position it was made with, for a report whose memory does not
    /// grow with the table: read [`ROWS_PER_POLL`] rows at a time in the order of their ids and
    /// handed on in time order, as [`crate::stream::Stream`] hands on a file's lines (the same
    /// window, the same judgement of implausible times). A row further out of time order than
    /// the window stops it ([`Ended::overflowed`]): read the table whole
    /// ([`Table::read_all`]) then.
    ///
    /// # Errors
    /// A connection that cannot be made. A connection lost later ends the records and is
    /// [`TableStream::end`]'s error.
    pub fn stream(&self) -> Result<TableStream, String> {
        let connected =
            self.connect().map_err(|e| format!("table {}: {e}", self.settings.table))?;
        Ok(TableStream {
            connected,
            table: self.settings.table.clone(),
            high_water: self.position.high_water,
            order: Order::new(),
            scratch: Parsed::default(),
            at_end: false,
            error: None,
        })
    }

    fn wait_before_retry(&mut self, polled: &mut TablePolled, reason: &str) {
        if !self.down_said {
            polled.said.push(format!(
                "table {}: {reason}; retrying, every {} s at most",
                self.settings.table,
                LAST_RETRY.as_secs()
            ));
            self.down_said = true;
        }
        self.retry_at = Some(Instant::now() + self.backoff);
        self.backoff = (self.backoff * 2).min(LAST_RETRY);
    }

    fn connect(&self) -> Result<Connected, String> {
        let config = connection_config(&self.settings)?;
        let tls = self.settings.tls.clone().map_or_else(tls_from_environment, Ok)?;
        let mut config = config;
        config.ssl_mode(match tls {
            Tls::Disable => SslMode::Disable,
            Tls::Prefer => SslMode::Prefer,
            Tls::Require | Tls::VerifyFull { .. } => SslMode::Require,
        });
        let mut client = config
            .connect(tokio_postgres_rustls::MakeRustlsConnect::new(client_tls(&tls)?))
            .map_err(|e| format!("cannot connect: {}", describe(&e)))?;
        let (schema, name) = match self.settings.table.split_once('.') {
            Some((schema, name)) => (Some(schema), name),
            None => (None, self.settings.table.as_str()),
        };
        let columns = client
            .query(
                "SELECT column_name::text, data_type::text FROM information_schema.columns \
                 WHERE table_schema = COALESCE($1, current_schema()) AND table_name = $2 \
                 ORDER BY ordinal_position",
                &[&schema, &name],
            )
            .map_err(|e| format!("cannot read its columns: {}", describe(&e)))?;
        if columns.is_empty() {
            return Err("no such table (or none this user may read)".into());
        }
        let id = &self.settings.id_column;
        let mut names = Vec::new();
        let mut exprs = Vec::new();
        let mut has_id = false;
        for row in &columns {
            let column: String = row.get(0);
            let kind: String = row.get(1);
            if column == *id {
                has_id = true;
                continue;
            }
            let quoted = quote(&column);
            exprs.push(if kind == "timestamp with time zone" {
                // The instant itself, whatever the session's time zone.
                format!("extract(epoch from {quoted})::text")
            } else {
                format!("{quoted}::text")
            });
            names.push(column);
        }
        if !has_id {
            return Err(format!("it has no {id:?} column to read it in order by"));
        }
        let calendar = if self.settings.times_utc { SiteCalendar::UTC } else { self.calendar };
        let reader = Reader::for_columns(calendar, &names)?;
        let table = self.settings.table.split('.').map(quote).collect::<Vec<_>>().join(".");
        let columns = exprs.join(", ");
        let id = quote(id);
        // Each part walks the id's index: as one `WHERE id > $1 OR id = ANY($2)`, PostgreSQL
        // filtered the index from its start, and a page 400,000 rows in took 110 ms (2.5 ms
        // apart). The holes are all below the mark, so the parts never overlap.
        let select_after = format!(
            "SELECT {id}::bigint, {columns} FROM {table} WHERE {id} > $1 \
             ORDER BY {id} LIMIT {ROWS_PER_POLL}"
        );
        let select = format!(
            "SELECT * FROM (({select_after}) UNION ALL \
             (SELECT {id}::bigint, {columns} FROM {table} WHERE {id} = ANY($2))) AS page \
             ORDER BY 1 LIMIT {ROWS_PER_POLL}"
        );
        Ok(Connected { client, select, select_after, reader })
    }

    fn read_rows(&mut self, polled: &mut TablePolled) -> Result<(), String> {
        let Some(connected) = self.client.as_mut() else { return Ok(()) };
        let now = wall_ms();
        let holes: Vec<i64> = self.position.holes.iter().map(|&(id, _)| id).collect();
        let ids = connected
            .read_rows(self.position.high_water, &holes, &mut polled.parsed)
            .map_err(|e| format!("connection lost: {}", describe(&e)))?;
        polled.rows = ids.len();
        polled.more = i64::try_from(ids.len()).is_ok_and(|rows| rows >= ROWS_PER_POLL);
        let (said, position) = advance(&self.position, &ids, now);
        polled.said.extend(said.into_iter().map(|s| format!("table {}: {s}", self.settings.table)));
        self.position = position;
        Ok(())
    }
}

/// A table's records in time order, read a page at a time ([`Table::stream`]): an
/// [`Iterator`] of [`Record`], its warnings taken at the end with [`TableStream::end`].
pub struct TableStream {
    connected: Connected,
    table: String,
    high_water: i64,
    order: Order,
    /// The page being read, reused.
    scratch: Parsed,
    at_end: bool,
    error: Option<String>,
}

impl std::fmt::Debug for TableStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableStream")
            .field("table", &self.table)
            .field("high_water", &self.high_water)
            .field("overflowed", &self.order.overflowed())
            .finish_non_exhaustive()
    }
}

impl TableStream {
    /// Ends the stream: how many records it read, where it stopped if it overflowed, and its
    /// warnings in row order.
    ///
    /// # Errors
    /// The connection lost while reading (the records handed on stop there).
    pub fn end(mut self) -> Result<Ended, String> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        for warning in self.scratch.warnings.drain(..) {
            self.order.warn(warning);
        }
        Ok(self.order.end(self.scratch.format.take()))
    }

    /// The next page of rows, into the order.
    fn read_page(&mut self) {
        match self.connected.read_rows(self.high_water, &[], &mut self.scratch) {
            Ok(ids) => match ids.last() {
                Some(&last) => self.high_water = last,
                None => self.at_end = true,
            },
            Err(e) => {
                self.error = Some(format!("table {}: {}", self.table, describe(&e)));
                self.at_end = true;
            }
        }
        for warning in self.scratch.warnings.drain(..) {
            self.order.warn(warning);
        }
        for record in self.scratch.records.drain(..) {
            self.order.push(record);
        }
    }
}

impl Iterator for TableStream {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        loop {
            if let Some(out) = self.order.next_out(self.at_end) {
                return out;
            }
            self.read_page();
        }
    }
}

/// The position after reading `ids` (in increasing order) at `now`: the mark moves to the
/// highest, the ids skipped become holes, the holes read or too old are let go.
fn advance(position: &TablePosition, ids: &[i64], now: u64) -> (Vec<String>, TablePosition) {
    let mut said = Vec::new();
    let mut holes: Vec<(i64, u64)> = position
        .holes
        .iter()
        .copied()
        .filter(|(id, since)| !ids.contains(id) && now.saturating_sub(*since) < HOLE_WAIT_MS)
        .collect();
    let expired = position.holes.len()
        - holes.len()
        - position.holes.iter().filter(|(id, _)| ids.contains(id)).count();
    if expired > 0 {
        said.push(format!(
            "{expired} ids skipped {} minutes ago never appeared (rolled back); no longer waited for",
            HOLE_WAIT_MS / 60_000
        ));
    }
    let mut high = position.high_water;
    for &id in ids.iter().filter(|&&id| id > position.high_water) {
        let gap = id - high - 1;
        if gap > WIDEST_GAP {
            said.push(format!(
                "ids jump from {high} to {id}; the {gap} between are not waited for"
            ));
        } else {
            holes.extend((high + 1..id).map(|missing| (missing, now)));
        }
        high = id;
    }
    (said, TablePosition { high_water: high, holes })
}

/// An SQL identifier, quoted.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A database error with its server message, when there is one.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            let mut text = e.to_string();
            let mut source = std::error::Error::source(e);
            while let Some(inner) = source {
                text = format!("{text}: {inner}");
                source = inner.source();
            }
            text
        }
    }
}

/// The settings given, then the `PG*` variables, then libpq's defaults.
fn connection_config(settings: &TableSettings) -> Result<Config, String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config: Config = if settings.connection.trim().is_empty() {
        Config::new()
    } else {
        settings.connection.parse().map_err(|e| format!("connection settings: {e}"))?
    };
    if config.get_hosts().is_empty() {
        let hosts = env("PGHOST").or_else(|| env("PGHOSTADDR")).unwrap_or_else(|| {
            if std::path::Path::new("/var/run/postgresql").exists() {
                "/var/run/postgresql".into()
            } else {
                "localhost".into()
            }
        });
        for host in hosts.split(',') {
            config.host(host);
        }
    }
    if config.get_ports().is_empty() {
        let port = env("PGPORT").unwrap_or_else(|| "5432".into());
        config.port(port.parse().map_err(|_| format!("PGPORT: not a port: {port:?}"))?);
    }
    if config.get_user().is_none() {
        let user = env("PGUSER").or_else(|| env("USER")).unwrap_or_else(|| "postgres".into());
        config.user(&user);
    }
    if config.get_password().is_none() {
        if let Some(password) = settings.password.clone().or_else(|| env("PGPASSWORD")) {
            config.password(password);
        }
    }
    if config.get_dbname().is_none() {
        if let Some(dbname) = env("PGDATABASE") {
            config.dbname(&dbname);
        }
    }
    if config.get_application_name().is_none() {
        config.application_name(&env("PGAPPNAME").unwrap_or_else(|| "callboard".into()));
    }
    if config.get_connect_timeout().is_none() {
        let seconds = env("PGCONNECT_TIMEOUT").and_then(|s| s.parse().ok()).unwrap_or(10);
        config.connect_timeout(Duration::from_secs(seconds));
    }
    // A poll must not hang the service: a query that takes a minute is a lost connection.
    config.options("-c statement_timeout=60000");
    config.keepalives(true);
    config.keepalives_idle(Duration::from_secs(30));
    Ok(config)
}

fn tls_from_environment() -> Result<Tls, String> {
    let mode = std::env::var("PGSSLMODE").unwrap_or_else(|_| "prefer".into());
    let root = std::env::var("PGSSLROOTCERT").ok().map(std::path::PathBuf::from);
    Tls::from_sslmode(&mode, root).map_err(|e| format!("PGSSLMODE: {e}"))
}

fn client_tls(tls: &Tls) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?;
    Ok(match tls {
        Tls::VerifyFull { root } => {
            let mut roots = RootCertStore::empty();
            let certificates = CertificateDer::pem_file_iter(root)
                .and_then(Iterator::collect::<Result<Vec<_>, _>>)
                .map_err(|e| format!("sslrootcert {}: {e}", root.display()))?;
            let (added, _) = roots.add_parsable_certificates(certificates);
            if added == 0 {
                return Err(format!("sslrootcert {}: no certificate in it", root.display()));
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        _ => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
            .with_no_client_auth(),
    })
}

/// libpq's `require` and `prefer`: the connection is encrypted, and the handshake's
/// signatures are checked, but who signed the server's certificate is not.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_skipped_are_holes_until_read_or_too_old() {
        let start = TablePosition::default();
        let (said, p) = advance(&start, &[1, 2, 5], 1000);
        assert!(said.is_empty());
        assert_eq!(p.high_water, 5);
        assert_eq!(p.holes, [(3, 1000), (4, 1000)]);
        // Row 4 commits late; row 3 was rolled back.
        let (said, p) = advance(&p, &[4, 6], 2000);
        assert!(said.is_empty());
        assert_eq!((p.high_water, p.holes.as_slice()), (6, &[(3, 1000)][..]));
        let (said, p) = advance(&p, &[], 1000 + HOLE_WAIT_MS);
        assert_eq!((p.high_water, p.holes.len()), (6, 0));
        assert!(said[0].starts_with("1 ids skipped"), "{said:?}");
        let (said, p) = advance(&p, &[6 + WIDEST_GAP + 2], 5000);
        assert!(p.holes.is_empty() && said[0].contains("jump"), "{said:?}");
    }

    #[test]
    fn sslmodes_as_libpq_names_them() {
        assert_eq!(Tls::from_sslmode("prefer", None), Ok(Tls::Prefer));
        assert_eq!(Tls::from_sslmode("allow", None), Ok(Tls::Prefer));
        assert!(Tls::from_sslmode("verify-full", None).is_err());
        assert!(Tls::from_sslmode("verify-ca", None).unwrap_err().contains("verify-full"));
        assert!(Tls::from_sslmode("sometimes", None).is_err());
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote("queue_log"), "\"queue_log\"");
        assert_eq!(quote("odd\"name"), "\"odd\"\"name\"");
    }
}
