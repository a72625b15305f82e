//! The site file `callboard serve --config` reads: one TOML file describing a floor (the site's
//! clock and hours, the source, the CSAT rule, the queues, the lines and the boards, where state
//! is kept). Every key is documented in `examples/data/serve-311.toml`, the sample for a 311
//! floor. An unknown key, a wrong type or a value out of range is refused with its line and
//! key; so is a floor that contradicts itself (a board on a line that does not exist, two
//! boards with one address on a line, a board showing a queue not declared).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use callboard_ami::client::ManagerSettings;
use callboard_core::alpha::layout::{PROFILES, SignProfile};
use callboard_core::board::{AlertThresholds, LABEL_BYTES, QUEUES_PER_FRAME};
use callboard_core::business::{BusinessCalendar, OpenSpan, WeekHours};
use callboard_core::calendar::{LocalDate, SiteCalendar};
use callboard_core::csat::{CsatConfig, CsatFigureKind, CsatScale};
use callboard_core::queue::QueueConfig;
use callboard_core::service_level::ServiceLevelThreshold;
use callboard_core::share::Share;
use callboard_core::wire::Key;
use callboard_floor::feed::Link;
use callboard_floor::picture::PanelChoice;
use callboard_queue_log::local_time::{parse_clock, parse_date, parse_dst, parse_utc_offset};
use callboard_queue_log::table::{TableSettings, Tls};
use serde::Deserialize;

use crate::agreements::AgreementsConfig;
use crate::source::SourceConfig;

/// The whole file, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    site: SiteFile,
    source: SourceFile,
    #[serde(default)]
    csat: CsatFile,
    #[serde(rename = "queue")]
    queues: Vec<QueueFile>,
    #[serde(rename = "line")]
    lines: Vec<LineFile>,
    #[serde(rename = "board")]
    boards: Vec<BoardFile>,
    http: Option<HttpFile>,
    agreements: Option<AgreementsFile>,
    mqtt: Option<crate::mqtt::BrokerFile>,
}

/// The service agreements: the files `callboard sla report` reads.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgreementsFile {
    policies: PathBuf,
    requests: PathBuf,
    #[serde(default = "thirty_days")]
    days: u32,
}

const fn thirty_days() -> u32 {
    30
}

/// The HTTP API's address; loopback unless the file says otherwise, on purpose.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct HttpFile {
    #[serde(default = "loopback")]
    address: String,
    #[serde(default)]
    open_to_network: bool,
}

fn loopback() -> String {
    "127.0.0.1:8311".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    timezone: Option<String>,
    utc_offset: Option<String>,
    dst: Option<String>,
    hours: Option<String>,
    #[serde(default)]
    holidays: Vec<String>,
    #[serde(default)]
    announcement: String,
    state_dir: PathBuf,
    #[serde(default = "wall")]
    clock: String,
    #[serde(default = "two")]
    every_seconds: f64,
    #[serde(default = "five")]
    checkpoint_seconds: f64,
}

fn wall() -> String {
    "wall".into()
}
fn two() -> f64 {
    2.0
}
fn five() -> f64 {
    5.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    queue_log: Option<PathBuf>,
    /// The realtime table (`table = "queue_log"`) and how to reach it.
    table: Option<String>,
    #[serde(default)]
    connection: String,
    password_file: Option<PathBuf>,
    #[serde(default = "id")]
    id_column: String,
    #[serde(default)]
    times_utc: bool,
    sslmode: Option<String>,
    sslrootcert: Option<PathBuf>,
    /// The manager interface (`manager = "HOST:PORT"`) and its login.
    manager: Option<String>,
    username: Option<String>,
    secret_file: Option<PathBuf>,
    surveys: Option<PathBuf>,
    #[serde(default = "survey_verb")]
    survey_verb: String,
}

fn id() -> String {
    "id".into()
}

fn survey_verb() -> String {
    callboard_queue_log::surveys::SURVEY_VERB.into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CsatFile {
    #[serde(default = "scale")]
    scale: String,
    #[serde(default = "mean")]
    figure: String,
    #[serde(default = "ten")]
    minimum_sample: u32,
}

impl Default for CsatFile {
    fn default() -> Self {
        Self { scale: scale(), figure: mean(), minimum_sample: ten() }
    }
}

fn scale() -> String {
    "1-5".into()
}
fn mean() -> String {
    "mean".into()
}
fn ten() -> u32 {
    10
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueueFile {
    name: String,
    label: Option<String>,
    sl_seconds: Option<u32>,
    sl_rings: Option<u32>,
    #[serde(default = "six")]
    ring_cadence_seconds: f64,
    #[serde(default)]
    short_abandon_seconds: u32,
    #[serde(default = "eighty")]
    target: String,
}

fn six() -> f64 {
    6.0
}
fn eighty() -> String {
    "80%".into()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineFile {
    name: String,
    tcp: Option<String>,
    serial: Option<String>,
    /// Driven by a `callboard gateway` from the broker, not from here.
    #[serde(default)]
    gateway: bool,
    #[serde(default = "baud")]
    baud: u32,
}

/// A serial line's speed unless the file says otherwise.
pub(crate) const fn baud() -> u32 {
    115_200
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BoardFile {
    line: String,
    address: u8,
    queues: Vec<String>,
    #[serde(default = "five_u8")]
    page_seconds: u8,
    #[serde(default = "full")]
    brightness: u8,
    #[serde(default = "thirty")]
    ttl_seconds: u16,
    #[serde(default)]
    alerts: AlertsFile,
    #[serde(default = "tricolour")]
    panel: String,
    /// An Alpha sign of this kind (`one-line`, `two-line`, `two-line-red`,
    /// `spectrum-one-line`, `spectrum-two-line`) rather than a callboard board.
    alpha_sign: Option<String>,
    /// The key file of a board that requires authenticated frames (`callboard board keygen`).
    key: Option<PathBuf>,
}

fn tricolour() -> String {
    "tricolour-160x32".into()
}

/// A board's alert thresholds; the core's defaults where left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AlertsFile {
    waiting_warning: Option<u16>,
    waiting_alarm: Option<u16>,
    wait_warning_seconds: Option<u32>,
    wait_alarm_seconds: Option<u32>,
    service_level_alarm_margin: Option<String>,
}

fn five_u8() -> u8 {
    5
}
fn full() -> u8 {
    255
}
fn thirty() -> u16 {
    30
}

/// Where the center's clock comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The wall clock: a switch writing its log now.
    Wall,
    /// The log's own lines: a recorded day replayed through the service.
    Log,
}

/// A queue of the log, as the floor shows and measures it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Queue {
    /// Its name in the queue_log.
    pub name: String,
    /// Its label on the boards.
    pub label: String,
    /// How it is measured.
    pub config: QueueConfig,
    /// Its service-level target, permille.
    pub target_permille: u16,
}

/// A board on a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    /// The line's index in [`Config::lines`].
    pub line: usize,
    /// Its address on the line.
    pub address: u8,
    /// The queues it shows, indices into [`Config::queues`], in order.
    pub queues: Vec<usize>,
    /// Seconds a page shows.
    pub page_seconds: u8,
    /// LED brightness.
    pub brightness: u8,
    /// Seconds a frame may be shown without a newer one.
    pub ttl_s: u16,
    /// When its figures turn amber and red: on its frames and in its own settings.
    pub thresholds: AlertThresholds,
    /// Its panel, for the web wallboard's picture of it.
    pub panel: PanelChoice,
    /// An Alpha sign of this kind, rather than a callboard board.
    pub alpha_sign: Option<SignProfile>,
    /// The key it shares with the host, when it requires authenticated frames.
    pub key: Option<Key>,
}

/// A line to boards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Its name in the file.
    pub name: String,
    /// How it is reached from here; `None` for a line a gateway drives from the frames this
    /// service publishes to the broker.
    pub link: Option<Link>,
}

/// Where the site publishes to the fleet's broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fleet {
    /// The broker.
    pub broker: crate::mqtt::Broker,
    /// The site's name in the topics.
    pub site: String,
}

/// A site file, read and checked.
#[derive(Debug, Clone)]
pub struct Config {
    /// The site's clock.
    pub calendar: SiteCalendar,
    /// Opening hours and holidays, if kept.
    pub hours: Option<BusinessCalendar>,
    /// The announcement line.
    pub announcement: String,
    /// Where checkpoints and figures are kept.
    pub state_dir: PathBuf,
    /// The center's clock.
    pub clock: Clock,
    /// Milliseconds between frames.
    pub every_ms: u64,
    /// Milliseconds between checkpoints.
    pub checkpoint_ms: u64,
    /// Where the events come from.
    pub source: SourceConfig,
    /// A survey tool's export, re-read when it changes.
    pub surveys: Option<PathBuf>,
    /// The verb of the log's survey lines.
    pub survey_verb: String,
    /// The CSAT rule.
    pub csat: CsatConfig,
    /// The queues.
    pub queues: Vec<Queue>,
    /// The lines.
    pub lines: Vec<Line>,
    /// The boards.
    pub boards: Vec<Board>,
    /// Where the HTTP API listens, if it is served.
    pub http: Option<std::net::SocketAddr>,
    /// The service agreements, if judged.
    pub agreements: Option<AgreementsConfig>,
    /// The fleet's broker, when the site publishes to one (`[mqtt]`).
    pub fleet: Option<Fleet>,
}

/// Reads and checks a site file.
///
/// # Errors
/// What is wrong and where: the line and key for a value, the board or queue for a floor that
/// contradicts itself.
pub fn parse(text: &str) -> Result<Config, String> {
    let file: File = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
    let site = &file.site;
    let calendar = match (&site.timezone, &site.utc_offset) {
        (Some(_), _) if site.utc_offset.is_some() || site.dst.is_some() => {
            return Err("site: timezone, or utc_offset and dst, not both".into());
        }
        (Some(zone), _) => {
            crate::timezone::site_calendar(zone).map_err(|e| format!("site.timezone: {e}"))?
        }
        (None, Some(offset)) => {
            let offset = parse_utc_offset(offset).map_err(|e| format!("site.utc_offset: {e}"))?;
            let rule = parse_dst(site.dst.as_deref().unwrap_or("none"))
                .map_err(|e| format!("site.dst: {e}"))?;
            SiteCalendar::new(offset, rule).map_err(|e| format!("site: {e}"))?
        }
        (None, None) => {
            return Err("site: give timezone (\"America/New_York\") or utc_offset and dst".into());
        }
    };
    let hours = site
        .hours
        .as_deref()
        .map(|text| {
            let bad = || format!("site.hours: expected HH:MM-HH:MM, not {text:?}");
            let (open, close) = text.split_once('-').ok_or_else(bad)?;
            let minutes = |t: &str| parse_clock(t.trim()).ok().and_then(|m| u16::try_from(m).ok());
            let (open, close) = (minutes(open).ok_or_else(bad)?, minutes(close).ok_or_else(bad)?);
            let span = OpenSpan::new(open, close).map_err(|_| bad())?;
            let mut week = WeekHours::closed();
            for day in callboard_core::calendar::Weekday::ALL {
                week.set(day, &[span]).map_err(|_| bad())?;
            }
            let mut hours = BusinessCalendar::new(calendar, week);
            for holiday in &site.holidays {
                let date: LocalDate =
                    parse_date(holiday).map_err(|e| format!("site.holidays: {e}"))?;
                hours.add_holiday(date).map_err(|e| format!("site.holidays: {e}"))?;
            }
            Ok::<_, String>(hours)
        })
        .transpose()?;
    if hours.is_none() && !site.holidays.is_empty() {
        return Err("site.holidays: holidays need site.hours".into());
    }
    let clock = match site.clock.as_str() {
        "wall" => Clock::Wall,
        "log" => Clock::Log,
        other => return Err(format!("site.clock: expected \"wall\" or \"log\", not {other:?}")),
    };
    let millis = |seconds: f64, key: &str, low: f64| {
        if seconds.is_finite() && (low..=3600.0).contains(&seconds) {
            // Whole milliseconds of at most an hour.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            Ok((seconds * 1000.0).round() as u64)
        } else {
            Err(format!("site.{key}: expected {low} to 3600 seconds, not {seconds}"))
        }
    };
    let csat = csat_of(&file.csat)?;
    let mut queues = Vec::new();
    let mut names = HashMap::new();
    for (i, q) in file.queues.iter().enumerate() {
        let where_ = format!("queue {:?}", q.name);
        let label = q.label.clone().unwrap_or_else(|| q.name.clone());
        if label.len() > LABEL_BYTES || label.is_empty() {
            return Err(format!("{where_}: a label is 1 to {LABEL_BYTES} bytes: {label:?}"));
        }
        let service_level = match (q.sl_seconds, q.sl_rings) {
            (Some(_), Some(_)) => {
                return Err(format!("{where_}: sl_seconds or sl_rings, not both"));
            }
            (_, Some(rings)) => {
                let cadence = q.ring_cadence_seconds;
                if !(cadence.is_finite() && cadence > 0.0 && cadence <= 60.0) {
                    return Err(format!(
                        "{where_}: ring_cadence_seconds is above 0 and at most 60"
                    ));
                }
                // At most a minute, in milliseconds.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let cadence_ms = (cadence * 1000.0).round() as u32;
                ServiceLevelThreshold::Rings { rings, cadence_ms }
            }
            (Some(seconds), None) => ServiceLevelThreshold::Seconds(seconds),
            (None, None) => ServiceLevelThreshold::default(),
        };
        let target = q.target.parse::<Share>().map_err(|_| {
            format!("{where_}: target: expected a share like 80%, not {:?}", q.target)
        })?;
        if names.insert(q.name.clone(), i).is_some() {
            return Err(format!("{where_} is declared twice"));
        }
        queues.push(Queue {
            name: q.name.clone(),
            label,
            config: QueueConfig {
                service_level,
                short_abandon_ms: u64::from(q.short_abandon_seconds) * 1000,
            },
            target_permille: target.permille(),
        });
    }
    let mut lines = Vec::new();
    let mut line_names = HashMap::new();
    for (i, l) in file.lines.iter().enumerate() {
        let link = match (&l.tcp, &l.serial, l.gateway) {
            (Some(to), None, false) => Some(Link::Tcp(to.clone())),
            (None, Some(path), false) => Some(Link::Serial { path: path.clone(), baud: l.baud }),
            (None, None, true) if file.mqtt.is_some() => {
                crate::mqtt::topic_level("line", &l.name)?;
                None
            }
            (None, None, true) => {
                return Err(format!(
                    "line {:?}: gateway = true needs the broker the gateway reads: add [mqtt]",
                    l.name
                ));
            }
            _ => {
                return Err(format!(
                    "line {:?}: give tcp = \"HOST:PORT\", serial = \"DEVICE\" or gateway = true",
                    l.name
                ));
            }
        };
        if line_names.insert(l.name.clone(), i).is_some() {
            return Err(format!("line {:?} is declared twice", l.name));
        }
        lines.push(Line { name: l.name.clone(), link });
    }
    let mut boards = Vec::new();
    let mut addresses = HashSet::new();
    for b in &file.boards {
        let where_ = format!("board {} on line {:?}", b.address, b.line);
        let line = *line_names.get(&b.line).ok_or_else(|| format!("{where_}: no such line"))?;
        if b.address == 0 || b.address == callboard_core::wire::BROADCAST_ADDRESS {
            return Err(format!("{where_}: an address is 1 to 254"));
        }
        if !addresses.insert((line, b.address)) {
            return Err(format!("{where_}: two boards with one address on one line"));
        }
        if b.queues.is_empty() || b.queues.len() > QUEUES_PER_FRAME {
            return Err(format!("{where_}: a board shows 1 to {QUEUES_PER_FRAME} queues"));
        }
        let queues = b
            .queues
            .iter()
            .map(|q| {
                names.get(q).copied().ok_or_else(|| format!("{where_}: no queue {q:?} is declared"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if b.page_seconds == 0 {
            return Err(format!("{where_}: page_seconds is at least 1"));
        }
        let d = AlertThresholds::DEFAULT;
        let a = &b.alerts;
        let margin = match &a.service_level_alarm_margin {
            None => d.service_level_alarm_margin_permille,
            Some(text) => text
                .parse::<Share>()
                .map_err(|_| {
                    format!("{where_}: alerts.service_level_alarm_margin: a share like 10%")
                })?
                .permille(),
        };
        let thresholds = AlertThresholds {
            waiting_warning: a.waiting_warning.unwrap_or(d.waiting_warning),
            waiting_alarm: a.waiting_alarm.unwrap_or(d.waiting_alarm),
            wait_warning_s: a.wait_warning_seconds.unwrap_or(d.wait_warning_s),
            wait_alarm_s: a.wait_alarm_seconds.unwrap_or(d.wait_alarm_s),
            service_level_alarm_margin_permille: margin,
        };
        if thresholds.waiting_warning > thresholds.waiting_alarm
            || thresholds.wait_warning_s > thresholds.wait_alarm_s
        {
            return Err(format!("{where_}: alerts: a warning level above its alarm level"));
        }
        let panel = match b.panel.as_str() {
            "tricolour-160x32" => PanelChoice::TriColour160x32,
            "hub75-64x32" => PanelChoice::Hub75Rgb64x32,
            other => {
                return Err(format!(
                    "{where_}: panel: expected \"tricolour-160x32\" or \"hub75-64x32\", not {other:?}"
                ));
            }
        };
        let alpha_sign = match &b.alpha_sign {
            None => None,
            Some(name) => Some(SignProfile::named(name).ok_or_else(|| {
                let names: Vec<&str> = PROFILES.iter().map(|p| p.name).collect();
                format!("{where_}: alpha_sign: expected one of {}, not {name:?}", names.join(", "))
            })?),
        };
        // One line, one kind of receiver: Alpha signs want 7E1 (Spectrum signs 7E2) at their
        // own speed.
        if let Some(other) = boards.iter().find(|o: &&Board| o.line == line) {
            if other.alpha_sign.is_some() != alpha_sign.is_some() {
                return Err(format!(
                    "{where_}: callboard boards and Alpha signs on one line: give each its own"
                ));
            }
            let stop_bits = |b: Option<&SignProfile>| b.map(|p| p.stop_bits);
            if stop_bits(other.alpha_sign.as_ref()) != stop_bits(alpha_sign.as_ref()) {
                return Err(format!(
                    "{where_}: Alpha signs (7E1) and Spectrum signs (7E2) on one line: give each \
                     its own"
                ));
            }
        }
        let key = match (&b.key, &alpha_sign) {
            (None, _) => None,
            (Some(_), Some(_)) => {
                return Err(format!("{where_}: key: Alpha signs take no authentication"));
            }
            (Some(file), None) => Some(
                callboard_floor::keys::read_key_file(file).map_err(|e| format!("{where_}: {e}"))?,
            ),
        };
        boards.push(Board {
            key,
            alpha_sign,
            panel,
            line,
            address: b.address,
            queues,
            page_seconds: b.page_seconds,
            brightness: b.brightness,
            ttl_s: b.ttl_seconds,
            thresholds,
        });
    }
    if boards.is_empty() {
        return Err("no board: add a [[board]]".into());
    }
    if site.announcement.len() > callboard_core::board::ANNOUNCEMENT_BYTES {
        return Err("site.announcement: at most 96 bytes".into());
    }
    Ok(Config {
        calendar,
        hours,
        announcement: site.announcement.clone(),
        state_dir: site.state_dir.clone(),
        clock,
        every_ms: millis(site.every_seconds, "every_seconds", 0.1)?,
        checkpoint_ms: millis(site.checkpoint_seconds, "checkpoint_seconds", 1.0)?,
        source: source_of(&file.source)?,
        http: file.http.as_ref().map(http_of).transpose()?,
        agreements: file.agreements.as_ref().map(agreements_of).transpose()?,
        fleet: file.mqtt.as_ref().map(fleet_of).transpose()?,
        surveys: file.source.surveys.clone(),
        survey_verb: file.source.survey_verb.clone(),
        csat,
        queues,
        lines,
        boards,
    })
}

fn fleet_of(m: &crate::mqtt::BrokerFile) -> Result<Fleet, String> {
    let site = m.name.clone().ok_or("mqtt.name: the site's name in the topics")?;
    crate::mqtt::topic_level("mqtt.name", &site)?;
    Ok(Fleet { broker: crate::mqtt::Broker::from_file(m)?, site })
}

fn agreements_of(a: &AgreementsFile) -> Result<AgreementsConfig, String> {
    let most = callboard_agreements::board::MAX_BOARD_DAYS;
    if !(1..=most).contains(&a.days) {
        return Err(format!("agreements.days: 1 to {most} days, not {}", a.days));
    }
    Ok(AgreementsConfig {
        policies: a.policies.clone(),
        requests: a.requests.clone(),
        days: a.days,
    })
}

fn http_of(h: &HttpFile) -> Result<std::net::SocketAddr, String> {
    let address: std::net::SocketAddr = h.address.parse().map_err(|_| {
        format!("http.address: expected IP:PORT like 127.0.0.1:8311, not {:?}", h.address)
    })?;
    if !address.ip().is_loopback() && !h.open_to_network {
        return Err(format!(
            "http.address: {address} is reachable from the network; say open_to_network = true to serve it there"
        ));
    }
    Ok(address)
}

fn csat_of(c: &CsatFile) -> Result<CsatConfig, String> {
    let bad = || format!("csat.scale: expected LOW-HIGH like 1-5, not {:?}", c.scale);
    let (low, high) = c.scale.split_once('-').ok_or_else(bad)?;
    let scale = CsatScale::new(
        low.trim().parse().map_err(|_| bad())?,
        high.trim().parse().map_err(|_| bad())?,
    )
    .map_err(|_| bad())?;
    let figure = match c.figure.as_str() {
        "mean" => CsatFigureKind::MeanScore,
        "top-two" => CsatFigureKind::TopTwoBox,
        other => {
            return Err(format!("csat.figure: expected \"mean\" or \"top-two\", not {other:?}"));
        }
    };
    Ok(CsatConfig { scale, minimum_sample: c.minimum_sample, figure })
}

fn secret_from(path: &std::path::Path, key: &str) -> Result<String, String> {
    callboard_queue_log::table::secret_from_file(path).map_err(|e| format!("source.{key}: {e}"))
}

fn source_of(s: &SourceFile) -> Result<SourceConfig, String> {
    let table_keys = !s.connection.is_empty()
        || s.password_file.is_some()
        || s.times_utc
        || s.sslmode.is_some()
        || s.sslrootcert.is_some()
        || s.id_column != id();
    let manager_keys = s.username.is_some() || s.secret_file.is_some();
    match (&s.queue_log, &s.table, &s.manager) {
        (Some(path), None, None) if !table_keys && !manager_keys => {
            Ok(SourceConfig::File(path.clone()))
        }
        (None, Some(table), None) if !manager_keys => {
            if table.is_empty() || table.split('.').count() > 2 {
                return Err(format!("source.table: a table is name or schema.name, not {table:?}"));
            }
            let tls = s
                .sslmode
                .as_deref()
                .map(|mode| Tls::from_sslmode(mode, s.sslrootcert.clone()))
                .transpose()
                .map_err(|e| format!("source.{e}"))?;
            let password =
                s.password_file.as_deref().map(|p| secret_from(p, "password_file")).transpose()?;
            Ok(SourceConfig::Table(TableSettings {
                connection: s.connection.clone(),
                password,
                table: table.clone(),
                id_column: s.id_column.clone(),
                times_utc: s.times_utc,
                tls,
            }))
        }
        (None, None, Some(address)) if !table_keys => {
            let username = s
                .username
                .clone()
                .ok_or("source.manager: give username and secret_file (manager.conf's login)")?;
            let secret_file = s
                .secret_file
                .as_deref()
                .ok_or("source.manager: give username and secret_file (manager.conf's login)")?;
            let secret = secret_from(secret_file, "secret_file")?;
            if !address.contains(':') {
                return Err(format!("source.manager: expected HOST:PORT (5038), not {address:?}"));
            }
            Ok(SourceConfig::Manager(ManagerSettings {
                address: address.clone(),
                username,
                secret,
            }))
        }
        (None, None, None) => {
            Err("source: give queue_log = PATH, table = NAME or manager = HOST:PORT".into())
        }
        _ => Err("source: one of queue_log, table (with its connection keys) or manager (with username and secret_file)".into()),
    }
}
