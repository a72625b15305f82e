//! How right is "your wait is about N minutes"? Every estimator of the core's `wait` module,
//! asked at each caller's arrival, against the wait that caller then had.
//!
//! A log is replayed through the core exactly as a switch feeds it live. Just before each
//! `ENTERQUEUE` is applied, every estimator gives its figure for a caller joining now — what a
//! reader board shows and what an announcement would say at arrival. Then the caller's real
//! wait is compared with each figure:
//!
//! - **Simulated days** know every caller's *potential* wait, abandoners included (see
//!   [`crate::simulate`]): all callers are scored.
//! - **Real logs** only say how long an abandoner held on before hanging up: their wait would
//!   have been *at least* that — a censored observation. Scoring them as if that were their wait
//!   would reward estimators that guess short, so they are left out of RMSE, MAE and bias, which
//!   are over callers answered. They get their own figure: the share of abandoners whose
//!   estimate was shorter than the time they had already held on when they hung up — an
//!   estimate certainly too short.
//!
//! An estimator that has no figure for a caller ([`WaitUnknown`](callboard_core::wait::WaitUnknown))
//! is scored on the callers it had one for; its coverage says how many that was. The margin of
//! the default estimator over Asterisk's is computed on exactly the same callers.

use std::collections::HashMap;

use callboard_core::CenterConfig;
use callboard_core::QueueConfig;
use callboard_core::calendar::{SiteCalendar, Timestamp};
use callboard_core::wait::{Caller, WaitEstimator};

use crate::simulate::{self as sim, DayPlan, HandleTime, QueuePlan, Surge};
use callboard_queue_log::replay::{Stepper, on_replay_thread};
use callboard_queue_log::{Parsed, Record, RowWarning, Verb};

const ESTIMATORS: usize = WaitEstimator::ALL.len();

/// What one caller's wait turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The wait is known: answered, or simulated.
    Known(u64),
    /// Hung up after this long: the wait would have been longer.
    AtLeast(u64),
}

/// One caller: the estimates at arrival and what happened.
#[derive(Debug, Clone, Copy)]
struct Scored {
    estimates: [Option<u64>; ESTIMATORS],
    outcome: Option<Outcome>,
}

/// One estimator's accuracy on one scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Accuracy {
    /// The estimator.
    pub estimator: WaitEstimator,
    /// Callers with a known wait it had a figure for.
    pub scored: usize,
    /// Share of callers with a known wait it had a figure for.
    pub coverage: f64,
    /// Root-mean-square error, seconds.
    pub rmse_s: f64,
    /// Mean absolute error, seconds.
    pub mae_s: f64,
    /// Mean of estimate − wait, seconds: positive means it promises longer waits than happen.
    pub bias_s: f64,
    /// Among abandoners of a real log: the share whose estimate was below the time they held on.
    pub abandoners_short: Option<f64>,
}

/// An evaluation of one scenario.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// What was replayed.
    pub name: String,
    /// Callers with a known wait (scored).
    pub known: usize,
    /// Abandoners with only a lower bound (real logs).
    pub censored: usize,
    /// Mean known wait, seconds.
    pub mean_wait_s: f64,
    /// Per estimator, in [`WaitEstimator::ALL`] order.
    pub accuracy: Vec<Accuracy>,
    /// RMSE of the default estimator and of Asterisk's on the callers both had a figure for,
    /// and how much lower the default's is (1 − default / Asterisk).
    pub margin: Margin,
}

/// The default estimator against Asterisk's, on the same callers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Margin {
    /// Callers compared.
    pub callers: usize,
    /// The default estimator's RMSE, seconds.
    pub default_rmse_s: f64,
    /// Asterisk's RMSE, seconds.
    pub asterisk_rmse_s: f64,
    /// 1 − default / Asterisk.
    pub reduction: f64,
}

/// Replays `parsed` and scores every estimator at every arrival. `truth`, when given, knows
/// each simulated caller's potential wait by callid.
///
/// Runs on its own thread (the engine wants a large stack).
///
/// # Errors
/// When the thread cannot be started or panics.
pub fn evaluate_log(
    name: &str,
    parsed: Parsed,
    calendar: SiteCalendar,
    truth: Option<HashMap<String, u64>>,
) -> std::io::Result<ScenarioResult> {
    let name = name.to_owned();
    on_replay_thread(move || {
        let mut tally = Tally::default();
        score_records(parsed.records, parsed.warnings, calendar, truth.as_ref(), &mut tally);
        tally.summary(&name)
    })
}

/// [`evaluate_log`] of records as they stream by (in time order, as a
/// [`Stream`](callboard_queue_log::stream::Stream) hands them on): what is held is the callers
/// in line and the replay's own state, never the log. The records are handed back, for the
/// stream's end.
///
/// # Errors
/// When the thread cannot be started or panics.
pub fn evaluate_records<I: Iterator<Item = Record> + Send + 'static>(
    name: &str,
    mut records: I,
    calendar: SiteCalendar,
) -> std::io::Result<(ScenarioResult, I)> {
    let name = name.to_owned();
    on_replay_thread(move || {
        let mut tally = Tally::default();
        score_records(&mut records, Vec::new(), calendar, None, &mut tally);
        (tally.summary(&name), records)
    })
}

/// Replays `records` through a stepper, one at a time, asking every estimator just before each
/// caller joins and tallying each caller when its wait is known.
fn score_records(
    records: impl IntoIterator<Item = Record>,
    warnings: Vec<RowWarning>,
    calendar: SiteCalendar,
    truth: Option<&HashMap<String, u64>>,
    tally: &mut Tally,
) {
    let config = CenterConfig { calendar, ..CenterConfig::default() };
    let mut stepper = Stepper::new(warnings, config, QueueConfig::default());
    let mut callers: HashMap<String, (Timestamp, Scored)> = HashMap::new();
    for record in records {
        let (event, at) = (record.verb.clone(), record.at);
        if event == Verb::EnterQueue {
            // The clock just before the caller joins: everything earlier has been applied.
            let _ = stepper.advance_to(at.saturating_sub(1));
            if !stepper.queue_ids().contains_key(&record.queue) {
                // A queue is there from its first caller's arrival, as a switch configures it
                // before anyone calls; one the engine refuses is left out, with its warning.
                let _ = stepper.declare_queue(&record.queue);
            }
            let inputs = stepper
                .queue_ids()
                .get(&record.queue)
                .and_then(|&id| stepper.center().wait_inputs(id).ok());
            let mut estimates = [None; ESTIMATORS];
            if let Some(inputs) = inputs {
                for (slot, estimator) in estimates.iter_mut().zip(WaitEstimator::ALL) {
                    *slot = estimator.estimate(&inputs, Caller::New).ok();
                }
            }
            let known = truth.and_then(|t| t.get(&record.callid)).copied().map(Outcome::Known);
            callers.insert(record.callid.clone(), (at, Scored { estimates, outcome: known }));
        } else if let Some((entered, mut scored)) = callers.remove(&record.callid) {
            let waited = at.saturating_sub(entered);
            let outcome = match event {
                Verb::Connect => Some(Outcome::Known(waited)),
                Verb::Abandon => Some(Outcome::AtLeast(waited)),
                _ => None, // dequeued: neither served nor a patience observation
            };
            if scored.outcome.is_none() {
                scored.outcome = outcome;
            }
            tally.add(&scored);
        }
        stepper.push(std::iter::once(record));
        stepper.step();
    }
    // Simulated callers still in line when the log ended have a known potential wait too.
    let mut left: Vec<(Timestamp, Scored)> = callers.into_values().collect();
    left.sort_by_key(|(entered, _)| *entered);
    for (_, scored) in left {
        tally.add(&scored);
    }
}

/// Sums of errors, added up as callers are scored: `RMSE`, `MAE` and bias at the end without
/// keeping each caller.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: usize,
    squares: f64,
    absolute: f64,
    signed: f64,
}

impl Sums {
    fn add(&mut self, error: f64) {
        self.n += 1;
        self.squares += error * error;
        self.absolute += error.abs();
        self.signed += error;
    }

    /// (RMSE, MAE, bias); zeros for none.
    fn moments(&self) -> (f64, f64, f64) {
        if self.n == 0 {
            return (0.0, 0.0, 0.0);
        }
        let n = self.n as f64;
        ((self.squares / n).sqrt(), self.absolute / n, self.signed / n)
    }
}

/// Every figure of a [`ScenarioResult`], added up a caller at a time.
#[derive(Debug, Clone, Default)]
struct Tally {
    known: usize,
    censored: usize,
    waits: f64,
    errors: [Sums; ESTIMATORS],
    /// Per estimator: abandoners with a figure, and those whose figure was short.
    abandoners: [(usize, usize); ESTIMATORS],
    /// The default's and Asterisk's errors on the callers both had a figure for.
    margin: (Sums, Sums),
}

impl Tally {
    fn add(&mut self, c: &Scored) {
        match c.outcome {
            Some(Outcome::Known(ms)) => {
                let wait = ms as f64 / 1000.0;
                self.known += 1;
                self.waits += wait;
                for (sums, estimate) in self.errors.iter_mut().zip(c.estimates) {
                    if let Some(e) = estimate {
                        sums.add(e as f64 / 1000.0 - wait);
                    }
                }
                let default = index_of(WaitEstimator::default());
                let asterisk = index_of(WaitEstimator::Asterisk);
                if let (Some(de), Some(ae)) = (c.estimates[default], c.estimates[asterisk]) {
                    self.margin.0.add(de as f64 / 1000.0 - wait);
                    self.margin.1.add(ae as f64 / 1000.0 - wait);
                }
            }
            Some(Outcome::AtLeast(ms)) => {
                let held = ms as f64 / 1000.0;
                self.censored += 1;
                for (count, estimate) in self.abandoners.iter_mut().zip(c.estimates) {
                    if let Some(e) = estimate {
                        count.0 += 1;
                        count.1 += usize::from((e as f64 / 1000.0) < held);
                    }
                }
            }
            None => {}
        }
    }

    fn summary(&self, name: &str) -> ScenarioResult {
        let accuracy = WaitEstimator::ALL
            .iter()
            .enumerate()
            .map(|(i, &estimator)| {
                let (rmse_s, mae_s, bias_s) = self.errors[i].moments();
                let (with_figure, short) = self.abandoners[i];
                Accuracy {
                    estimator,
                    scored: self.errors[i].n,
                    coverage: self.errors[i].n as f64 / self.known.max(1) as f64,
                    rmse_s,
                    mae_s,
                    bias_s,
                    abandoners_short: (with_figure > 0).then(|| short as f64 / with_figure as f64),
                }
            })
            .collect();
        let (default_rmse_s, asterisk_rmse_s) =
            (self.margin.0.moments().0, self.margin.1.moments().0);
        let reduction =
            if asterisk_rmse_s > 0.0 { 1.0 - default_rmse_s / asterisk_rmse_s } else { 0.0 };
        ScenarioResult {
            name: name.to_owned(),
            known: self.known,
            censored: self.censored,
            mean_wait_s: self.waits / self.known.max(1) as f64,
            accuracy,
            margin: Margin { callers: self.margin.0.n, default_rmse_s, asterisk_rmse_s, reduction },
        }
    }
}

fn index_of(estimator: WaitEstimator) -> usize {
    WaitEstimator::ALL.iter().position(|&e| e == estimator).unwrap_or(0)
}

/// The simulated scenarios: a 311 center's STREETS line, 8:00–20:00.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimScenario {
    /// Constant arrivals and staff, exponential calls, patient callers: theory's home ground.
    Steady,
    /// A 311 day's arrival curve, staff following it with breaks, lognormal calls.
    TimeVarying,
    /// The same day with a storm: calls ×2.5 from 14:00 to 16:00, staff unchanged.
    Surge,
    /// Understaffed, impatient callers: many hang up.
    HeavyAbandonment,
}

impl SimScenario {
    /// All of them.
    pub const ALL: [Self; 4] =
        [Self::Steady, Self::TimeVarying, Self::Surge, Self::HeavyAbandonment];

    /// Its name.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Steady => "steady",
            Self::TimeVarying => "time-varying",
            Self::Surge => "surge",
            Self::HeavyAbandonment => "heavy abandonment",
        }
    }

    /// The plan of day `seed`.
    #[must_use]
    pub fn plan(self, date: callboard_core::calendar::LocalDate, seed: u64) -> DayPlan {
        let curve = sim::CALLS_PER_HOUR_311.to_vec();
        let staff = sim::AGENTS_311.to_vec();
        let lognormal = HandleTime::LogNormal { mean_s: 270.0, cv: 0.9 };
        let queue = match self {
            Self::Steady => QueuePlan {
                name: "STREETS".into(),
                calls_per_hour: vec![120.0],
                agents: vec![10],
                surge: None,
                handle: HandleTime::Exponential { mean_s: 240.0 },
                patience_s: Some(600.0),
                breaks: false,
            },
            Self::TimeVarying => QueuePlan {
                name: "STREETS".into(),
                calls_per_hour: curve,
                agents: staff,
                surge: None,
                handle: lognormal,
                patience_s: Some(300.0),
                breaks: true,
            },
            Self::Surge => QueuePlan {
                name: "STREETS".into(),
                calls_per_hour: curve,
                agents: staff,
                surge: Some(Surge { start_s: 14 * 3600, end_s: 16 * 3600, factor: 2.5 }),
                handle: lognormal,
                patience_s: Some(300.0),
                breaks: true,
            },
            Self::HeavyAbandonment => QueuePlan {
                name: "STREETS".into(),
                calls_per_hour: curve,
                agents: staff.iter().map(|a| a.saturating_sub(3)).collect(),
                surge: None,
                handle: lognormal,
                patience_s: Some(90.0),
                breaks: true,
            },
        };
        DayPlan { date, open_s: 8 * 3600, close_s: 20 * 3600, queues: vec![queue], seed }
    }
}

/// Simulates `days` days of `scenario` from `seed` and scores them together.
///
/// # Errors
/// A plan the simulator refuses, or a thread failure.
pub fn evaluate_simulated(
    scenario: SimScenario,
    days: u32,
    seed: u64,
    calendar: SiteCalendar,
) -> Result<ScenarioResult, String> {
    let mut text = String::new();
    let mut truth = HashMap::new();
    let first = callboard_core::calendar::LocalDate::new(2026, 11, 2).map_err(|e| e.to_string())?;
    let mut date = first;
    for day in 0..days {
        let plan = scenario.plan(date, seed.wrapping_add(u64::from(day)));
        let simulated = sim::simulate(&plan, &calendar)?;
        for (i, caller) in simulated.callers.iter().enumerate() {
            if let Some(wait) = caller.potential_wait_ms {
                // Each day numbers its callers from 0: prefix the day.
                truth.insert(format!("d{day}-{}", sim::callid(i)), wait);
            }
        }
        for line in simulated.queue_log.lines() {
            let mut fields = line.splitn(3, '|');
            let (at, id, rest) = (fields.next(), fields.next(), fields.next());
            if let (Some(at), Some(id), Some(rest)) = (at, id, rest) {
                let id = if id == "NONE" { id.to_owned() } else { format!("d{day}-{id}") };
                text.push_str(&format!("{at}|{id}|{rest}\n"));
            }
        }
        date = date.next();
    }
    let parsed = callboard_queue_log::parse(text.as_bytes(), &calendar);
    let name = format!("{} ({days} simulated days)", scenario.name());
    evaluate_log(&name, parsed, calendar, Some(truth)).map_err(|e| e.to_string())
}

/// The results as a table, plain text or Markdown.
#[must_use]
pub fn render(results: &[ScenarioResult], markdown: bool) -> String {
    let mut out = String::new();
    let header = [
        "scenario",
        "estimator",
        "callers",
        "coverage",
        "RMSE s",
        "MAE s",
        "bias s",
        "abandoners short",
    ];
    if markdown {
        out.push_str(&format!("| {} |\n", header.join(" | ")));
        out.push_str(&format!("|{}\n", "---|".repeat(header.len())));
    } else {
        out.push_str(&format!(
            "{:<34} {:<11} {:>8} {:>9} {:>8} {:>8} {:>8} {:>17}\n",
            header[0], header[1], header[2], header[3], header[4], header[5], header[6], header[7]
        ));
    }
    for r in results {
        for a in &r.accuracy {
            let mut name = a.estimator.name().to_owned();
            if a.estimator == WaitEstimator::default() {
                name.push('*');
            }
            let short =
                a.abandoners_short.map_or("-".to_owned(), |s| format!("{:.1} %", 100.0 * s));
            let cells = [
                r.name.clone(),
                name,
                a.scored.to_string(),
                format!("{:.1} %", 100.0 * a.coverage),
                format!("{:.1}", a.rmse_s),
                format!("{:.1}", a.mae_s),
                format!("{:+.1}", a.bias_s),
                short,
            ];
            if markdown {
                out.push_str(&format!("| {} |\n", cells.join(" | ")));
            } else {
                out.push_str(&format!(
                    "{:<34} {:<11} {:>8} {:>9} {:>8} {:>8} {:>8} {:>17}\n",
                    cells[0], cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]
                ));
            }
        }
    }
    out.push('\n');
    if markdown {
        out.push_str("| scenario | callers | mean wait s | default RMSE s | Asterisk RMSE s | lower by |\n|---|---|---|---|---|---|\n");
    } else {
        out.push_str("The default estimator (*) against Asterisk's, on the same callers:\n");
    }
    for r in results {
        let m = r.margin;
        let cells = [
            r.name.clone(),
            m.callers.to_string(),
            format!("{:.1}", r.mean_wait_s),
            format!("{:.1}", m.default_rmse_s),
            format!("{:.1}", m.asterisk_rmse_s),
            format!("{:.1} %", 100.0 * m.reduction),
        ];
        if markdown {
            out.push_str(&format!("| {} |\n", cells.join(" | ")));
        } else {
            out.push_str(&format!(
                "  {:<34} {:>7} callers, mean wait {:>6} s: RMSE {:>6} s vs {:>6} s, {} lower\n",
                cells[0], cells[1], cells[2], cells[3], cells[4], cells[5]
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use callboard_core::calendar::{DstRule, UtcOffset};

    #[test]
    fn moments_of_errors() {
        let mut sums = Sums::default();
        assert_eq!(sums.moments(), (0.0, 0.0, 0.0));
        sums.add(3.0);
        sums.add(-4.0);
        let (rmse, mae, bias) = sums.moments();
        assert!((rmse - (12.5f64).sqrt()).abs() < 1e-12);
        assert!((mae - 3.5).abs() < 1e-12);
        assert!((bias + 0.5).abs() < 1e-12);
    }

    #[test]
    fn the_sample_day_streamed_scores_as_the_day_read_whole() {
        let day = include_str!("../../data/anonymous-bank-1999-02-10.queue_log");
        let calendar = SiteCalendar::UTC;
        let whole = evaluate_log(
            "day",
            callboard_queue_log::parse(day.as_bytes(), &calendar),
            calendar,
            None,
        )
        .unwrap();
        let stream = callboard_queue_log::stream::Stream::new(day.as_bytes(), &calendar);
        let (streamed, mut rest) = evaluate_records("day", stream, calendar).unwrap();
        assert!(rest.next().is_none());
        assert!(whole.known > 1_000);
        assert_eq!(format!("{streamed:?}"), format!("{whole:?}"));
    }

    #[test]
    fn a_real_log_scores_answered_callers_and_bounds_abandoners() {
        // Two callers: one answered after 60 s, one who hung up after 30 s.
        let log = "\
1000|a|Q|NONE|ENTERQUEUE||1|1
1060|a|Q|Agent/X|CONNECT|60||0
1100|b|Q|NONE|ENTERQUEUE||2|1
1130|b|Q|NONE|ABANDON|1|1|30
1200|a|Q|Agent/X|COMPLETECALLER|60|140|1
";
        let calendar =
            SiteCalendar::new(UtcOffset::from_minutes(0).unwrap(), DstRule::None).unwrap();
        let parsed = callboard_queue_log::parse(log.as_bytes(), &calendar);
        let r = evaluate_log("tiny", parsed, calendar, None).unwrap();
        assert_eq!((r.known, r.censored), (1, 1));
        let asterisk = r.accuracy.iter().find(|a| a.estimator == WaitEstimator::Asterisk).unwrap();
        // Asterisk's holdtime starts at 0: it promised 0 s to the caller who waited 60 s.
        assert_eq!(asterisk.scored, 1);
        assert!((asterisk.rmse_s - 60.0).abs() < 1e-9 && (asterisk.bias_s + 60.0).abs() < 1e-9);
        // And to the abandoner, after caller a's 60 s: (0·3 + 60) >> 2 = 15 s, +30 → 0 minutes.
        assert_eq!(asterisk.abandoners_short, Some(1.0));
    }

    #[test]
    fn simulated_callers_are_all_scored_against_their_potential_wait() {
        let calendar =
            SiteCalendar::new(UtcOffset::from_minutes(0).unwrap(), DstRule::None).unwrap();
        let r = evaluate_simulated(SimScenario::HeavyAbandonment, 1, 5, calendar).unwrap();
        assert_eq!(r.censored, 0);
        assert!(r.known > 1000, "{}", r.known);
        for a in &r.accuracy {
            assert!(a.rmse_s.is_finite() && a.rmse_s > 0.0, "{a:?}");
            assert!(a.coverage > 0.5, "{a:?}");
        }
    }
}
