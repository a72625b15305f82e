//! The city's service agreements with its departments, judged as the service's clock moves:
//! what `GET /api/v1/agreements` serves and `/metrics` counts.
//!
//! The agreements file and the requests file (`[agreements]` in the site file) are the ones
//! `callboard sla report` reads; a department's system re-exports the requests now and then,
//! and each new version is read when it appears. The report is made on a thread of its own, at
//! each new minute of the clock and each new file: a requests file of a year's requests takes
//! a while to run through the tracker, and the boards' loop never waits for it. A file that
//! cannot be read is said once, and the last report made stays until one can.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use callboard_agreements::policies::{Policies, parse_policies};
use callboard_agreements::report::{ReportLine, report};
use callboard_core::calendar::{SiteCalendar, Timestamp};

/// `[agreements]`: the files, and the days compliance is counted over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementsConfig {
    /// The agreements: the site's clock, business calendars, a target per request type.
    pub policies: PathBuf,
    /// The service requests, re-read when they change.
    pub requests: PathBuf,
    /// Compliance over this many local days, ending on the clock's day.
    pub days: u32,
}

/// The last report made.
#[derive(Debug, Clone)]
pub struct Judged {
    /// The report as JSON: `callboard sla report --json`'s, for the same period and instant.
    pub body: Arc<String>,
    /// Its lines, for `/metrics`.
    pub lines: Arc<Vec<ReportLine>>,
}

/// The thread that makes the reports.
#[derive(Debug)]
pub struct Judge {
    ask: Option<Sender<Timestamp>>,
    judged: Arc<Mutex<Option<Judged>>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The last minute asked for.
    asked: Option<Timestamp>,
}

fn say(message: &str) {
    eprintln!("callboard serve: agreements: {message}");
}

/// Reads and checks the agreements file, and that its clock is the site's.
///
/// # Errors
/// The file unreadable or wrong (where, and what), or another clock than the site's.
pub fn read_policies(path: &Path, site: &SiteCalendar) -> Result<Policies, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let policies = parse_policies(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    if policies.site() != site {
        return Err(format!(
            "{}: its [site] clock ({:?}) is not the site's ({site:?})",
            path.display(),
            policies.site()
        ));
    }
    Ok(policies)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

impl Judge {
    /// Starts the thread.
    ///
    /// # Errors
    /// A thread that cannot start.
    pub fn start(config: AgreementsConfig, site: SiteCalendar) -> Result<Self, String> {
        let (ask, asked) = mpsc::channel();
        let judged = Arc::new(Mutex::new(None));
        let thread = std::thread::Builder::new()
            .name("agreements".into())
            .spawn({
                let judged = Arc::clone(&judged);
                move || judge(&config, site, &asked, &judged)
            })
            .map_err(|e| format!("agreements: cannot start: {e}"))?;
        Ok(Self { ask: Some(ask), judged, thread: Some(thread), asked: None })
    }

    /// Asks for the report at `now`'s minute, once per minute: the report names its instant
    /// to the minute, as `sla report --now` takes it.
    pub fn ask(&mut self, now: Timestamp) {
        let minute = now - now % 60_000;
        if self.asked != Some(minute) {
            self.asked = Some(minute);
            if let Some(ask) = &self.ask {
                let _ = ask.send(minute);
            }
        }
    }

    /// The last report made, if any.
    #[must_use]
    pub fn judged(&self) -> Option<Judged> {
        self.judged.lock().ok().and_then(|j| j.clone())
    }

    /// Lets the thread end: at once when it is waiting, after the report it is making
    /// otherwise; the service does not wait for that.
    pub fn stop(mut self) {
        self.ask = None;
        drop(self.thread.take());
    }
}

/// The files as last read (`None` until one could be), and when each was last looked at
/// changed.
#[derive(Default)]
struct Files {
    policies_seen: Option<Option<SystemTime>>,
    policies: Option<Policies>,
    requests_seen: Option<Option<SystemTime>>,
    requests: Option<String>,
}

impl Files {
    /// Reads again whichever file changed; says what cannot be read (once per change, the
    /// last good one staying). True when either was read.
    fn refresh(&mut self, config: &AgreementsConfig, site: &SiteCalendar) -> bool {
        let mut read = false;
        let when = Some(modified(&config.policies));
        if self.policies_seen != when {
            self.policies_seen = when;
            match read_policies(&config.policies, site) {
                Ok(policies) => {
                    if self.policies.is_some() {
                        say(&format!("{}: read again", config.policies.display()));
                    }
                    self.policies = Some(policies);
                    read = true;
                }
                Err(e) => say(&e),
            }
        }
        let when = Some(modified(&config.requests));
        if self.requests_seen != when {
            self.requests_seen = when;
            match std::fs::read_to_string(&config.requests) {
                Ok(text) => {
                    self.requests = Some(text);
                    read = true;
                }
                Err(e) => say(&format!("cannot read {}: {e}", config.requests.display())),
            }
        }
        read
    }
}

fn judge(
    config: &AgreementsConfig,
    site: SiteCalendar,
    asked: &Receiver<Timestamp>,
    judged: &Mutex<Option<Judged>>,
) {
    let mut files = Files::default();
    let mut now: Option<Timestamp> = None;
    let mut said: Option<String> = None;
    loop {
        // The newest minute asked for; the files looked at every few seconds between.
        let mut fresh = match asked.recv_timeout(Duration::from_secs(5)) {
            Ok(minute) => {
                now = Some(minute);
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        while let Ok(minute) = asked.try_recv() {
            now = Some(minute);
        }
        fresh |= files.refresh(config, &site);
        let (Some(now), true) = (now, fresh) else { continue };
        let (Some(policies), Some(requests)) = (&files.policies, &files.requests) else {
            continue;
        };
        let to = site.local_date(now);
        let mut from = to;
        for _ in 1..config.days {
            from = from.previous();
        }
        match report(policies, requests, Some(from), Some(to), Some(now)) {
            Ok(made) => {
                let body = serde_json::to_string(&made).unwrap_or_default();
                if let Some(first) = made.rejected.first() {
                    let note = format!(
                        "{}: {} rows not counted (first: {first})",
                        config.requests.display(),
                        made.rejected.len()
                    );
                    // Said when it changes, not every minute.
                    if said.as_deref() != Some(note.as_str()) {
                        say(&note);
                        said = Some(note);
                    }
                }
                if let Ok(mut slot) = judged.lock() {
                    *slot = Some(Judged { body: Arc::new(body), lines: Arc::new(made.lines) });
                }
            }
            Err(e) => {
                let note = format!("{}: {e}", config.requests.display());
                if said.as_deref() != Some(note.as_str()) {
                    say(&format!("{note}; the last report stays"));
                    said = Some(note);
                }
            }
        }
    }
}
