//! `callboard erlang` and `callboard staff`: the core's Erlang models as tables, JSON and CSV.
//!
//! Every figure comes from `callboard_core::erlang`; this module only reads forecasts and
//! prints. The JSON keys are a contract, documented in `docs/staffing-json.md`.

use std::fmt::Write as _;

use callboard_core::erlang::{self, Figures, Model, Staffing, Targets, Workload};
use serde::Serialize;

use crate::input::forecast::ForecastInterval;

/// What the user asked about: the model, the load, and the target time for service levels.
#[derive(Debug, Clone, Copy)]
pub struct Question {
    /// The queueing model.
    pub model: Model,
    /// The offered load.
    pub workload: Workload,
    /// Calls per hour, when the load was given that way.
    pub calls_per_hour: Option<f64>,
    /// The service-level target time, in seconds.
    pub target_seconds: Option<f64>,
}

/// One answer in the JSON contract: the model's figures, and for a staffing search the agents to
/// schedule and the fractional requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    /// `erlang-b`, `erlang-c` or `erlang-a`.
    pub model: &'static str,
    /// Calls per hour, when given.
    pub calls_per_hour: Option<f64>,
    /// Average handle time in seconds, when given.
    pub aht_seconds: Option<f64>,
    /// Average patience in seconds (Erlang A).
    pub patience_seconds: Option<f64>,
    /// The service-level target time in seconds, when given.
    pub target_seconds: Option<f64>,
    /// The model's figures: `traffic_erlangs`, `agents`, `p_block`, `p_wait`, `service_level`,
    /// `asa_seconds`, `mean_wait_all_seconds`, `p_abandon`, `occupancy` (the core's definitions).
    #[serde(flatten)]
    pub figures: Figures,
    /// Erlang B with `--blocking` only: the traffic the lines carry, offered × (1 − blocking).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carried_erlangs: Option<f64>,
    /// Staffing only: agents to schedule after shrinkage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheduled_agents: Option<u32>,
    /// Staffing only: the share of paid time not on the phones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shrinkage: Option<f64>,
    /// Staffing only: the fractional requirement (Erlang B and C; `null` for Erlang A).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agents_fractional: Option<Option<f64>>,
}

impl Answer {
    fn new(question: &Question, figures: &Figures) -> Self {
        Self {
            model: question.model.name(),
            calls_per_hour: question.calls_per_hour,
            aht_seconds: question.workload.handle_seconds(),
            patience_seconds: match question.model {
                Model::ErlangA { patience_seconds } => Some(patience_seconds),
                _ => None,
            },
            target_seconds: question.target_seconds,
            figures: *figures,
            carried_erlangs: None,
            scheduled_agents: None,
            shrinkage: None,
            agents_fractional: None,
        }
    }

    fn from_staffing(question: &Question, staffing: &Staffing, shrinkage: f64) -> Self {
        Self {
            scheduled_agents: Some(staffing.scheduled_agents),
            shrinkage: Some(shrinkage),
            agents_fractional: Some(staffing.agents_fractional),
            ..Self::new(question, &staffing.figures)
        }
    }
}

/// `callboard erlang`: the model's figures at `agents`.
///
/// # Errors
/// The core's message for inputs the model does not accept.
pub fn evaluate(question: &Question, agents: f64) -> Result<Answer, String> {
    let figures =
        erlang::evaluate(question.model, question.workload, agents, question.target_seconds)
            .map_err(|e| explain(e, question))?;
    Ok(Answer::new(question, &figures))
}

/// `callboard erlang --model erlang-b --blocking b`: the most traffic `lines` take with blocking
/// at most `blocking`, and Erlang B's figures there.
///
/// # Errors
/// The core's message for a number of lines or a blocking it does not accept.
pub fn lines_at_blocking(lines: f64, blocking: f64) -> Result<Answer, String> {
    let carried = erlang::traffic_at_blocking(lines, blocking).map_err(|e| e.to_string())?;
    let question = Question {
        model: Model::ErlangB,
        workload: Workload::from_traffic(carried.offered_erlangs).map_err(|e| e.to_string())?,
        calls_per_hour: None,
        target_seconds: None,
    };
    let mut answer = evaluate(&question, lines)?;
    answer.carried_erlangs = Some(carried.carried_erlangs);
    Ok(answer)
}

/// `callboard staff`: the fewest agents meeting `targets`, then shrinkage.
///
/// # Errors
/// The core's message for inputs or targets that make no sense or cannot be met.
pub fn staff(question: &Question, targets: &Targets, shrinkage: f64) -> Result<Answer, String> {
    let staffing = erlang::staff(question.model, question.workload, targets, shrinkage)
        .map_err(|e| explain(e, question))?;
    Ok(Answer::from_staffing(question, &staffing, shrinkage))
}

/// The core's error, with what the command-line user can do about it.
fn explain(error: erlang::ErlangError, question: &Question) -> String {
    use erlang::ErlangError as E;
    let hint = match error {
        E::Unstable => format!(
            " ({:.2} erlangs need more than {:.2} agents; Erlang A handles overload)",
            question.workload.traffic(),
            question.workload.traffic()
        ),
        E::HandleTimeRequired => " (give --aht, or --calls-per-hour with --aht)".into(),
        E::TargetNotInModel => match question.model {
            Model::ErlangB => " (Erlang B takes --max-blocking and --max-occupancy)".into(),
            Model::ErlangC => " (abandonment needs Erlang A; blocking needs Erlang B)".into(),
            Model::ErlangA { .. } => " (blocking needs Erlang B)".into(),
        },
        E::NoTarget => " (give --service-level with --target-seconds, --max-asa, --max-p-wait, \
                        --max-abandon, --max-occupancy or --max-blocking)"
            .into(),
        _ => String::new(),
    };
    format!("{error}{hint}")
}

fn percent(value: f64) -> String {
    format!("{:.2} %", value * 100.0)
}

fn probability(value: f64) -> String {
    if value != 0.0 && value < 1e-4 { format!("{value:.3e}") } else { percent(value) }
}

fn seconds(value: f64) -> String {
    if value != 0.0 && value < 0.01 { format!("{value:.3e} s") } else { format!("{value:.2} s") }
}

fn load_line(answer: &Answer) -> String {
    let mut line = format!("{:.4} erlangs", answer.figures.traffic_erlangs);
    match (answer.calls_per_hour, answer.aht_seconds) {
        (Some(calls), Some(aht)) => {
            let _ = write!(line, " ({calls} calls/h × {aht} s AHT)");
        }
        (None, Some(aht)) => {
            let _ = write!(line, " ({aht} s AHT)");
        }
        _ => {}
    }
    if let Some(patience) = answer.patience_seconds {
        let _ = write!(line, ", {patience} s average patience");
    }
    line
}

fn figure_lines(answer: &Answer, out: &mut String) {
    let mut row = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            let _ = writeln!(out, "  {label:<32}{value}");
        }
    };
    row("carried traffic", answer.carried_erlangs.map(|c| format!("{c:.4} erlangs")));
    row("blocking", answer.figures.p_block.map(probability));
    row("probability of waiting", answer.figures.p_wait.map(probability));
    let sl_label = match answer.target_seconds {
        Some(t) => format!("service level ({t} s)"),
        None => "service level".into(),
    };
    row(&sl_label, answer.figures.service_level.map(percent));
    row("ASA (answered calls)", answer.figures.asa_seconds.map(seconds));
    row("mean wait, all callers", answer.figures.mean_wait_all_seconds.map(seconds));
    row("abandoned", answer.figures.p_abandon.map(probability));
    row("occupancy", answer.figures.occupancy.map(percent));
}

fn model_title(model: &str) -> &'static str {
    match model {
        "erlang-b" => "Erlang B",
        "erlang-c" => "Erlang C",
        _ => "Erlang A",
    }
}

/// The table for `callboard erlang`.
#[must_use]
pub fn render_evaluation(answer: &Answer) -> String {
    let noun = if answer.model == "erlang-b" { "lines" } else { "agents" };
    let mut out = format!(
        "{} at {} {noun}, {}\n",
        model_title(answer.model),
        answer.figures.agents,
        load_line(answer)
    );
    figure_lines(answer, &mut out);
    out
}

/// The table for `callboard staff`.
#[must_use]
pub fn render_staffing(answer: &Answer, targets: &Targets) -> String {
    let noun = if answer.model == "erlang-b" { "lines" } else { "agents" };
    let mut out = format!("{} staffing for {}\n", model_title(answer.model), load_line(answer));
    let _ = writeln!(out, "  targets: {}", describe_targets(targets));
    let _ = write!(out, "  {:<32}{}", format!("{noun} needed"), answer.figures.agents);
    if let Some(Some(fractional)) = answer.agents_fractional {
        let _ = write!(out, " (fractional requirement {fractional:.4})");
    }
    out.push('\n');
    if let (Some(scheduled), Some(shrinkage)) = (answer.scheduled_agents, answer.shrinkage) {
        let label = format!("scheduled ({} shrinkage)", percent(shrinkage));
        let _ = writeln!(out, "  {label:<32}{scheduled}");
    }
    let _ = writeln!(out, "  at {} {noun}:", answer.figures.agents);
    figure_lines(answer, &mut out);
    out
}

/// The targets in words, as the tables print them.
#[must_use]
pub fn describe_targets(targets: &Targets) -> String {
    let mut parts = Vec::new();
    if let Some(goal) = targets.service_level {
        parts.push(format!(
            "service level ≥ {} within {} s",
            percent(goal.fraction()),
            goal.within_seconds()
        ));
    }
    if let Some(asa) = targets.max_asa_seconds {
        parts.push(format!("ASA ≤ {asa} s"));
    }
    if let Some(p) = targets.max_p_wait {
        parts.push(format!("P(wait) ≤ {}", percent(p)));
    }
    if let Some(p) = targets.max_p_abandon {
        parts.push(format!("abandoned ≤ {}", percent(p)));
    }
    if let Some(o) = targets.max_occupancy {
        parts.push(format!("occupancy ≤ {}", percent(o)));
    }
    if let Some(b) = targets.max_blocking {
        parts.push(format!("blocking ≤ {}", percent(b)));
    }
    parts.join(", ")
}

/// One row of a staffing plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// The interval's start as the forecast wrote it.
    pub interval_start: String,
    /// Calls forecast for the interval.
    pub calls: f64,
    /// The staffing answer for the interval.
    #[serde(flatten)]
    pub answer: Answer,
}

/// A staffing plan for every interval of a forecast.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Minutes per interval.
    pub interval_minutes: i64,
    /// The targets, in words.
    pub targets: String,
    /// Every interval, in order.
    pub intervals: Vec<PlanRow>,
    /// Agent-hours on the phones over the whole forecast.
    pub agent_hours: f64,
    /// Agent-hours to schedule after shrinkage.
    pub scheduled_agent_hours: f64,
    /// The most agents any interval needs, and the first interval that needs them.
    pub peak_agents: u32,
    /// The first interval with the peak.
    pub peak_interval_start: String,
}

/// Staffs every interval of a forecast with the same model, targets and shrinkage.
///
/// # Errors
/// The first interval whose staffing fails, with the core's message.
pub fn plan(
    model: Model,
    intervals: &[ForecastInterval],
    minutes: i64,
    targets: &Targets,
    shrinkage: f64,
) -> Result<Plan, String> {
    if minutes <= 0 {
        return Err("the interval length must be above 0 minutes".into());
    }
    let per_hour = 60.0 / minutes as f64;
    let mut rows = Vec::with_capacity(intervals.len());
    let (mut agent_hours, mut scheduled_hours) = (0.0, 0.0);
    let mut peak: Option<(u32, &str)> = None;
    for interval in intervals {
        let calls_per_hour = interval.calls * per_hour;
        // A closed interval's forecast writes an AHT of 0: no calls, no handle time.
        let workload = if interval.calls == 0.0 && interval.aht_seconds == 0.0 {
            Workload::from_traffic(0.0)
        } else {
            Workload::from_calls(calls_per_hour, interval.aht_seconds)
        }
        .map_err(|e| format!("interval {}: {e}", interval.start))?;
        let question = Question {
            model,
            workload,
            calls_per_hour: Some(calls_per_hour),
            target_seconds: targets.service_level.map(|goal| goal.within_seconds()),
        };
        let answer = staff(&question, targets, shrinkage)
            .map_err(|e| format!("interval {}: {e}", interval.start))?;
        let agents = answer.figures.agents;
        let scheduled = answer.scheduled_agents.unwrap_or(0);
        agent_hours += agents * minutes as f64 / 60.0;
        scheduled_hours += f64::from(scheduled) * minutes as f64 / 60.0;
        let whole = agents as u32;
        if peak.is_none_or(|(most, _)| whole > most) {
            peak = Some((whole, &interval.start));
        }
        rows.push(PlanRow {
            interval_start: interval.start.clone(),
            calls: interval.calls,
            answer,
        });
    }
    let (peak_agents, peak_start) = peak.unwrap_or((0, ""));
    Ok(Plan {
        interval_minutes: minutes,
        targets: describe_targets(targets),
        peak_interval_start: peak_start.to_owned(),
        intervals: rows,
        agent_hours,
        scheduled_agent_hours: scheduled_hours,
        peak_agents,
    })
}

fn cell(value: Option<f64>, format: fn(f64) -> String) -> String {
    value.map_or_else(|| "-".into(), format)
}

/// The plan as a table.
#[must_use]
pub fn render_plan(plan: &Plan, model: Model) -> String {
    let mut out = format!(
        "{} staffing plan, {} intervals of {} minutes; targets: {}\n",
        model_title(model.name()),
        plan.intervals.len(),
        plan.interval_minutes,
        plan.targets
    );
    let _ = writeln!(
        out,
        "{:<20} {:>8} {:>8} {:>9} {:>7} {:>9} {:>10} {:>9} {:>9} {:>9}",
        "interval",
        "calls",
        "AHT s",
        "erlangs",
        "agents",
        "schedule",
        "fraction",
        "SL",
        "ASA s",
        "abandon"
    );
    for row in &plan.intervals {
        let a = &row.answer;
        let _ = writeln!(
            out,
            "{:<20} {:>8} {:>8} {:>9.3} {:>7} {:>9} {:>10} {:>9} {:>9} {:>9}",
            row.interval_start,
            row.calls,
            cell(a.aht_seconds, |v| format!("{v}")),
            a.figures.traffic_erlangs,
            a.figures.agents,
            a.scheduled_agents.unwrap_or(0),
            cell(a.agents_fractional.flatten(), |v| format!("{v:.3}")),
            cell(a.figures.service_level, percent),
            cell(a.figures.asa_seconds, |v| format!("{v:.1}")),
            cell(a.figures.p_abandon, percent),
        );
    }
    let _ = writeln!(
        out,
        "total: {:.2} agent-hours on the phones, {:.2} scheduled; peak {} agents at {}",
        plan.agent_hours, plan.scheduled_agent_hours, plan.peak_agents, plan.peak_interval_start
    );
    out
}

/// The plan as CSV: one header row, then one row per interval with the JSON contract's keys.
#[must_use]
pub fn render_plan_csv(plan: &Plan) -> String {
    let mut out = String::from(
        "interval_start,calls,aht_seconds,traffic_erlangs,agents,scheduled_agents,\
         agents_fractional,p_block,p_wait,service_level,asa_seconds,mean_wait_all_seconds,\
         p_abandon,occupancy\n",
    );
    let field = |v: Option<f64>| v.map_or_else(String::new, |v| format!("{v}"));
    for row in &plan.intervals {
        let a = &row.answer;
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            row.interval_start,
            row.calls,
            field(a.aht_seconds),
            a.figures.traffic_erlangs,
            a.figures.agents,
            a.scheduled_agents.unwrap_or(0),
            field(a.agents_fractional.flatten()),
            field(a.figures.p_block),
            field(a.figures.p_wait),
            field(a.figures.service_level),
            field(a.figures.asa_seconds),
            field(a.figures.mean_wait_all_seconds),
            field(a.figures.p_abandon),
            field(a.figures.occupancy),
        );
    }
    out
}
