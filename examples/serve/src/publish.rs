//! What the service publishes for the HTTP side each step, computed once from the center the
//! boards' frames come from: the API's JSON bodies and the `/metrics` text, each queue's
//! intervals kept, and the web wallboard's scene (drawn only when a client asks for it).
//!
//! The JSON of a day and of an interval is the core's `IntervalStats` and `Figures`
//! flattened, as `callboard report --json` writes a row (docs/report-json.md), so the same
//! call has the same numbers in both. The metrics follow Prometheus' naming conventions: a
//! `callboard_` prefix, base units (seconds, ratios), `_total` counters. The day's counters
//! are today's and start again at local midnight, which Prometheus reads as a counter reset.

use std::fmt::Write as _;
use std::sync::Arc;

use callboard_agreements::report::ReportLine;
use callboard_core::alpha::layout::SignProfile;
use callboard_core::board::BoardFrame;
use callboard_core::calendar::{LocalDate, Timestamp};
use callboard_core::csat::CsatValue;
use callboard_core::interval::{Figures, IntervalReport, IntervalStats};
use callboard_core::queue::AgentCounts;
use callboard_core::wire::BoardSettings;
use callboard_floor::picture::{self, PanelChoice};
use callboard_queue_log::replay::Stepper;
use callboard_render::render::Scene;
use serde::Serialize;

use crate::agreements::Judged;
use crate::config::Config;
use crate::http::{Agreements, Published, QueueIntervals};
use crate::line::Health;

#[derive(Serialize)]
struct Period {
    #[serde(skip_serializing_if = "Option::is_none")]
    date: Option<String>,
    start_ms: Timestamp,
    end_ms: Timestamp,
    #[serde(flatten)]
    stats: IntervalStats,
    #[serde(flatten)]
    figures: Figures,
}

#[derive(Serialize)]
struct QueueNow<'a> {
    name: &'a str,
    label: &'a str,
    at_ms: Timestamp,
    service_level_threshold_ms: u64,
    target: f64,
    waiting: u32,
    longest_wait_ms: Option<u64>,
    expected_wait_ms: Option<u64>,
    agents: AgentCounts,
    logged_in: u32,
    current_interval: Period,
    today: Period,
}

/// What the web wallboard shows at a step, to be drawn when someone looks: drawing every
/// board's PNG each step for nobody would be most of a step's work.
#[derive(Debug, Default)]
pub struct WallboardScene {
    at: Option<Timestamp>,
    boards: Vec<BoardToDraw>,
    queues: serde_json::Value,
    /// The whole fleet as the broker tells it, on a site that publishes to one.
    fleet: Option<serde_json::Value>,
}

/// A board, its last frame and its settings.
#[derive(Debug)]
struct BoardToDraw {
    line: String,
    address: u8,
    panel: PanelChoice,
    up: bool,
    frame: Option<BoardFrame>,
    settings: BoardSettings,
    alpha_sign: Option<SignProfile>,
}

impl WallboardScene {
    /// `GET /api/v1/wallboard`'s body: each board drawn by the boards' renderer as its LEDs
    /// show it at the step's moment, and the queues' table.
    #[must_use]
    pub fn draw(&self) -> String {
        let pictures: Vec<BoardPicture<'_>> = self
            .boards
            .iter()
            .map(|board| {
                let png = board.frame.as_ref().and_then(|frame| {
                    if let Some(sign) = board.alpha_sign {
                        return callboard_floor::alpha::png_base64(frame, sign, PICTURE_SCALE).ok();
                    }
                    let scene = Scene {
                        frame: Some(frame),
                        now: self.at.unwrap_or(frame.valid_at),
                        settings: &board.settings,
                    };
                    picture::preview(board.panel, &scene).png_base64(PICTURE_SCALE).ok()
                });
                BoardPicture {
                    line: &board.line,
                    address: board.address,
                    panel: board.alpha_sign.map_or(board.panel.name(), |s| s.name),
                    up: board.up,
                    png,
                }
            })
            .collect();
        serde_json::json!({
            "at_ms": self.at,
            "boards": pictures,
            "queues": self.queues,
            "fleet": self.fleet,
        })
        .to_string()
    }
}

/// A board as the web wallboard draws it.
#[derive(Serialize)]
struct BoardPicture<'a> {
    line: &'a str,
    address: u8,
    panel: &'a str,
    up: bool,
    /// The panel as its LEDs show it now, drawn by the boards' renderer: a base64 PNG,
    /// [`PICTURE_SCALE`] screen pixels an LED.
    png: Option<String>,
}

/// A queue's row in the web wallboard's table.
#[derive(Serialize)]
struct QueueRow<'a> {
    name: &'a str,
    label: &'a str,
    waiting: u32,
    longest_wait_seconds: Option<f64>,
    expected_wait_seconds: Option<f64>,
    service_level: Option<f64>,
    target: f64,
    offered: u32,
    answered: u32,
    abandoned: u32,
    agents_available: u32,
    logged_in: u32,
}

/// Screen pixels an LED in the web wallboard's pictures.
pub const PICTURE_SCALE: u32 = 4;

#[derive(Serialize)]
struct BoardNow<'a> {
    #[serde(flatten)]
    health: &'a Health,
    panel: &'a str,
    queues: Vec<&'a str>,
    frame: Option<&'a BoardFrame>,
}

/// What one step publishes.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The site.
    pub config: &'a Config,
    /// The engine.
    pub stepper: &'a Stepper,
    /// Each board's health, in the order of `config.boards`' lines.
    pub health: &'a [Health],
    /// Each board's last frame, in the order of `config.boards`.
    pub frames: &'a [Option<BoardFrame>],
    /// Lines (or rows, or events) read since the start.
    pub lines_read: u64,
    /// The newest event read, for the source's lag.
    pub latest: Option<Timestamp>,
    /// The wall clock now, ms.
    pub wall_ms: Timestamp,
    /// The service agreements: `None` when the site has none, `Some(None)` before they are
    /// judged.
    pub agreements: Option<Option<&'a Judged>>,
    /// The whole fleet as the broker told it, on a site that publishes to one.
    pub fleet: Option<serde_json::Value>,
    /// How saving the state goes.
    pub saving: crate::state::Saving,
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(String, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

/// A label value, escaped as the text format wants (backslash, quote, newline).
fn label(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Computes what the HTTP side serves.
#[must_use]
#[allow(clippy::too_many_lines)] // the metrics, one after another
pub fn publish(inputs: &Inputs<'_>) -> Published {
    let Inputs { config, stepper, health, frames, lines_read, latest, wall_ms, agreements, .. } =
        *inputs;
    let center = stepper.center();
    let mut queues = Vec::new();
    for q in &config.queues {
        let Some(&id) = stepper.queue_ids().get(&q.name) else { continue };
        let Ok(snapshot) = center.snapshot(id) else { continue };
        let interval = snapshot.current_interval;
        let day = snapshot.today_stats;
        queues.push(QueueNow {
            name: &q.name,
            label: &q.label,
            at_ms: snapshot.at,
            service_level_threshold_ms: snapshot.service_level_threshold_ms,
            target: f64::from(q.target_permille) / 1000.0,
            waiting: snapshot.waiting,
            longest_wait_ms: snapshot.longest_wait_ms,
            expected_wait_ms: snapshot.expected_wait_ms,
            agents: snapshot.agents,
            logged_in: snapshot.agents.logged_in(),
            current_interval: Period {
                date: None,
                start_ms: interval.start,
                end_ms: interval.end,
                stats: interval.stats,
                figures: interval.stats.figures(),
            },
            today: Period {
                date: Some(day.date.to_string()),
                start_ms: day.start,
                end_ms: day.end,
                stats: day.stats,
                figures: day.stats.figures(),
            },
        });
    }
    let at = center.now();
    let seconds = |ms: u64| ms as f64 / 1000.0;
    let one = |q: &QueueNow<'_>| serde_json::to_string(q).unwrap_or_default();
    let queue = queues.iter().map(|q| (q.name.to_owned(), one(q))).collect();
    let all = serde_json::json!({ "at_ms": at, "queues": queues });

    let today = at.map(|now| config.calendar.local_date(now));
    let csat = serde_json::json!({
        "at_ms": at,
        "figure": format!("{:?}", config.csat.figure),
        "minimum_sample": config.csat.minimum_sample,
        // Yesterday's, as the boards post it: the figure, or why it is withheld.
        "previous_day": today.map(|t| {
            let posted = center.csat().previous_day(t);
            let (value, withheld) = match posted.value {
                CsatValue::Available(v) => (Some(v), None),
                CsatValue::NoResponses => (None, Some("no responses".to_owned())),
                CsatValue::BelowMinimumSample { minimum } => {
                    (None, Some(format!("fewer responses than the minimum sample of {minimum}")))
                }
            };
            serde_json::json!({
                "date": posted.date.to_string(),
                "responses": posted.responses,
                "value": value,
                "withheld": withheld,
            })
        }),
        // Today's so far: the boards post it tomorrow.
        "today": today.map(|t| {
            let tally = center.csat().day(t).copied().unwrap_or_default();
            serde_json::json!({
                "date": t.to_string(),
                "responses": tally.responses,
                "value": tally.figure(config.csat.figure),
            })
        }),
        "days": center
            .csat()
            .days()
            .map(|(date, tally)| serde_json::json!({ "date": date.to_string(), "tally": tally }))
            .collect::<Vec<_>>(),
    });

    let boards: Vec<BoardNow<'_>> = config
        .boards
        .iter()
        .enumerate()
        .filter_map(|(b, board)| {
            let line = &config.lines.get(board.line)?.name;
            let health = health.iter().find(|h| h.line == *line && h.address == board.address)?;
            Some(BoardNow {
                health,
                panel: board.alpha_sign.map_or(board.panel.name(), |s| s.name),
                queues: board
                    .queues
                    .iter()
                    .filter_map(|&q| config.queues.get(q).map(|q| q.name.as_str()))
                    .collect(),
                frame: frames.get(b).and_then(Option::as_ref),
            })
        })
        .collect();
    let boards_json = serde_json::json!({ "at_ms": at, "boards": boards });

    // The web wallboard: every board as it looks on the floor now, drawn only when someone
    // looks (Scene::draw), and the table.
    let drawn: Vec<BoardToDraw> = config
        .boards
        .iter()
        .enumerate()
        .filter_map(|(b, board)| {
            let line = config.lines.get(board.line)?.name.clone();
            let up = health.iter().any(|h| h.line == line && h.address == board.address && h.up);
            Some(BoardToDraw {
                line,
                address: board.address,
                panel: board.panel,
                up,
                frame: frames.get(b).cloned().flatten(),
                settings: BoardSettings {
                    brightness: board.brightness,
                    page_seconds: board.page_seconds,
                    thresholds: board.thresholds,
                },
                alpha_sign: board.alpha_sign,
            })
        })
        .collect();
    let rows: Vec<QueueRow<'_>> = queues
        .iter()
        .map(|q| QueueRow {
            name: q.name,
            label: q.label,
            waiting: q.waiting,
            longest_wait_seconds: q.longest_wait_ms.map(seconds),
            expected_wait_seconds: q.expected_wait_ms.map(seconds),
            service_level: q.today.figures.service_level.answered,
            target: q.target,
            offered: q.today.stats.offered,
            answered: q.today.stats.answered,
            abandoned: q.today.stats.abandoned,
            agents_available: q.agents.available,
            logged_in: q.logged_in,
        })
        .collect();
    let wallboard = WallboardScene {
        at,
        boards: drawn,
        queues: serde_json::to_value(&rows).unwrap_or_default(),
        fleet: inputs.fleet.clone(),
    };

    let mut m = String::new();
    let per_queue = |value: &dyn Fn(&QueueNow<'_>) -> Option<f64>| -> Vec<(String, f64)> {
        queues
            .iter()
            .filter_map(|q| value(q).map(|v| (format!("{{queue=\"{}\"}}", label(q.name)), v)))
            .collect()
    };
    metric(
        &mut m,
        "callboard_queue_waiting",
        "gauge",
        "Calls waiting now.",
        &per_queue(&|q| Some(f64::from(q.waiting))),
    );
    metric(
        &mut m,
        "callboard_queue_longest_wait_seconds",
        "gauge",
        "How long the oldest waiting call has waited (0 when none waits).",
        &per_queue(&|q| Some(q.longest_wait_ms.map_or(0.0, seconds))),
    );
    metric(
        &mut m,
        "callboard_queue_expected_wait_seconds",
        "gauge",
        "The expected wait of a caller joining now (absent while unknown).",
        &per_queue(&|q| q.expected_wait_ms.map(seconds)),
    );
    let mut agents = Vec::new();
    for q in &queues {
        let a = q.agents;
        for (state, count) in [
            ("available", a.available),
            ("reserved", a.reserved),
            ("on_call", a.on_call),
            ("after_call_work", a.after_call_work),
            ("not_ready", a.not_ready),
        ] {
            agents.push((
                format!("{{queue=\"{}\",state=\"{state}\"}}", label(q.name)),
                f64::from(count),
            ));
        }
    }
    metric(
        &mut m,
        "callboard_queue_agents",
        "gauge",
        "Member agents logged in, by state.",
        &agents,
    );
    for (name, help, value) in [
        (
            "offered",
            "Calls that entered the queue today.",
            &(|s: &IntervalStats| s.offered) as &dyn Fn(&IntervalStats) -> u32,
        ),
        ("answered", "Calls answered today.", &|s: &IntervalStats| s.answered),
        ("abandoned", "Calls abandoned today (short abandons included).", &|s: &IntervalStats| {
            s.abandoned
        }),
        (
            "short_abandoned",
            "Calls abandoned today within the short-abandon time.",
            &|s: &IntervalStats| s.short_abandoned,
        ),
        (
            "dequeued",
            "Calls the system ended today (timeouts, no agents, ...).",
            &|s: &IntervalStats| s.dequeued,
        ),
        (
            "answered_within_threshold",
            "Calls answered today within the service-level threshold.",
            &|s: &IntervalStats| s.answered_within_sl,
        ),
    ] {
        metric(
            &mut m,
            &format!("callboard_queue_{name}_total"),
            "counter",
            &format!("{help} Starts again at local midnight."),
            &per_queue(&|q| Some(f64::from(value(&q.today.stats)))),
        );
    }
    let mut levels = Vec::new();
    for q in &queues {
        let sl = q.today.figures.service_level;
        for (variant, value) in [
            ("answered", sl.answered),
            ("offered", sl.offered),
            ("abandons_ignored", sl.abandons_ignored),
            ("abandons_positive", sl.abandons_positive),
        ] {
            if let Some(v) = value {
                levels.push((format!("{{queue=\"{}\",variant=\"{variant}\"}}", label(q.name)), v));
            }
        }
    }
    metric(
        &mut m,
        "callboard_queue_service_level_ratio",
        "gauge",
        "Today's service level, each variant (absent on an empty denominator).",
        &levels,
    );
    metric(
        &mut m,
        "callboard_queue_service_level_target_ratio",
        "gauge",
        "The queue's service-level target.",
        &per_queue(&|q| Some(q.target)),
    );
    metric(
        &mut m,
        "callboard_queue_average_speed_of_answer_seconds",
        "gauge",
        "Today's ASA (absent before the first answer).",
        &per_queue(&|q| q.today.figures.asa_seconds),
    );
    let per_board = |value: &dyn Fn(&Health) -> f64| -> Vec<(String, f64)> {
        health
            .iter()
            .map(|h| {
                (format!("{{line=\"{}\",address=\"{}\"}}", label(&h.line), h.address), value(h))
            })
            .collect()
    };
    metric(
        &mut m,
        "callboard_board_up",
        "gauge",
        "1 while the board answers, 0 after three frames unanswered.",
        &per_board(&|h| f64::from(u8::from(h.up))),
    );
    metric(
        &mut m,
        "callboard_board_messages_sent_total",
        "counter",
        "Messages sent to the board.",
        &per_board(&|h| h.sent as f64),
    );
    metric(
        &mut m,
        "callboard_board_messages_acknowledged_total",
        "counter",
        "Messages the board acknowledged.",
        &per_board(&|h| h.acknowledged as f64),
    );
    metric(
        &mut m,
        "callboard_board_messages_refused_total",
        "counter",
        "Messages the board refused.",
        &per_board(&|h| h.refused as f64),
    );
    metric(
        &mut m,
        "callboard_board_messages_unanswered_total",
        "counter",
        "Messages the board did not answer in time.",
        &per_board(&|h| h.unanswered as f64),
    );
    metric(
        &mut m,
        "callboard_source_lines_read_total",
        "counter",
        "Lines, rows or events read from the source since the service started.",
        &[(String::new(), lines_read as f64)],
    );
    let diagnostics = center.diagnostics();
    metric(
        &mut m,
        "callboard_events_applied_total",
        "counter",
        "Events the engine applied.",
        &[(String::new(), diagnostics.applied as f64)],
    );
    metric(
        &mut m,
        "callboard_events_refused_total",
        "counter",
        "Events the engine refused (each also a warning).",
        &[(String::new(), f64::from(diagnostics.rejected.total()))],
    );
    metric(
        &mut m,
        "callboard_warnings_total",
        "counter",
        "Warnings about the source's lines and the replay.",
        &[(String::new(), stepper.warnings().len() as f64)],
    );
    let saving = inputs.saving;
    metric(
        &mut m,
        "callboard_state_save_failures_total",
        "counter",
        "Attempts to save the state (state.bin, figures.json) that failed, a full disk's say.",
        &[(String::new(), saving.failures as f64)],
    );
    metric(
        &mut m,
        "callboard_state_saving_failing",
        "gauge",
        "1 while the state cannot be saved (a restart now starts from the last state saved).",
        &[(String::new(), f64::from(u8::from(saving.failing_since.is_some())))],
    );
    if let Some(saved_at) = saving.saved_at {
        metric(
            &mut m,
            "callboard_state_last_saved_timestamp_seconds",
            "gauge",
            "When the state was last saved, Unix time.",
            &[(String::new(), seconds(saved_at))],
        );
    }
    if let Some(latest) = latest {
        metric(
            &mut m,
            "callboard_source_lag_seconds",
            "gauge",
            "Wall-clock time since the newest event read was stamped.",
            &[(String::new(), seconds(wall_ms.saturating_sub(latest)))],
        );
    }
    // The agreements: compliance and open requests per department and request type (the
    // department totals are sums of these, and left to the query language).
    if let Some(Some(judged)) = agreements {
        let per_type = |value: &dyn Fn(&ReportLine) -> Option<f64>| -> Vec<(String, f64)> {
            judged
                .lines
                .iter()
                .filter_map(|l| {
                    let kind = l.request_type.as_deref()?;
                    let labels = format!(
                        "{{department=\"{}\",type=\"{}\"}}",
                        label(&l.department),
                        label(kind)
                    );
                    value(l).map(|v| (labels, v))
                })
                .collect()
        };
        metric(
            &mut m,
            "callboard_agreement_compliance_ratio",
            "gauge",
            "Requests closed within the agreed time over requests closed, in the period.",
            &per_type(&|l| l.compliance),
        );
        type Count = fn(&ReportLine) -> u32;
        let open: [(&str, &str, Count); 3] = [
            ("on_time", "before the at-risk point", |l| l.open_on_time),
            ("at_risk", "past the at-risk point", |l| l.open_at_risk),
            ("breached", "past the agreed time", |l| l.open_breached),
        ];
        for (state, help, count) in open {
            metric(
                &mut m,
                &format!("callboard_agreement_open_{state}_requests"),
                "gauge",
                &format!("Requests open now {help}."),
                &per_type(&|l| Some(f64::from(count(l)))),
            );
        }
    }
    // Every interval kept, for GET /api/v1/intervals: plain figures, made JSON when asked.
    let intervals = config
        .queues
        .iter()
        .filter_map(|q| {
            let &id = stepper.queue_ids().get(&q.name)?;
            let rows = center
                .intervals(id)
                .map(|report| (config.calendar.local_date(report.start), report))
                .collect();
            Some(QueueIntervals { name: q.name.clone(), rows })
        })
        .collect();
    Published {
        agreements: match agreements {
            None => Agreements::NotKept,
            Some(None) => Agreements::NotYet,
            Some(Some(judged)) => Agreements::Judged(Arc::clone(&judged.body)),
        },
        intervals: Arc::new(intervals),
        today,
        queues: Arc::new(all.to_string()),
        queue: Arc::new(queue),
        csat: Arc::new(csat.to_string()),
        boards: Arc::new(boards_json.to_string()),
        fleet: Arc::new(
            serde_json::json!({ "broker": inputs.fleet.is_some(), "fleet": inputs.fleet })
                .to_string(),
        ),
        wallboard: Arc::new(wallboard),
        step: 0,
        metrics: Arc::new(m),
    }
}

/// `GET /api/v1/intervals`' body: the queue's intervals that start on `date`, each as
/// `callboard report --json` writes an interval's row (the figures flattened).
#[must_use]
pub fn intervals_body(queue: &QueueIntervals, date: LocalDate) -> String {
    let rows: Vec<Period> = queue
        .rows
        .iter()
        .filter(|(day, _)| *day == date)
        .map(|&(_, IntervalReport { start, end, stats })| Period {
            date: None,
            start_ms: start,
            end_ms: end,
            stats,
            figures: stats.figures(),
        })
        .collect();
    serde_json::json!({ "queue": queue.name, "date": date.to_string(), "intervals": rows })
        .to_string()
}
