//! Staffing-math speed: single Erlang C evaluations at 10 to 10,000 agents, and staffing a
//! 672-interval week (the sample forecast, scaled to centers of about 10, 100 and 1,000 agents)
//! with Erlang C and Erlang A.
//!
//! `cargo bench -p callboard-core --bench erlang` prints a table; with `-- --json` it prints one
//! JSON object per case, which `core/benches/side_by_side.py` reads to time pyworkforce on the
//! same inputs (`scripts/bench-staffing` runs both). Results and the machine: BENCHMARKS.md.

use std::hint::black_box;
use std::time::{Duration, Instant};

use callboard_core::erlang::{self, ErlangC, Model, ServiceGoal, Targets, Workload};

/// Each sample runs the case for at least this long; the median of `SAMPLES` samples is kept.
const SAMPLE_TIME: Duration = Duration::from_millis(200);
const SAMPLES: usize = 7;

/// The service-level target of every case: 80 % within 20 s.
const TARGET_SECONDS: f64 = 20.0;
const SERVICE_LEVEL: f64 = 0.8;
const PATIENCE_SECONDS: f64 = 180.0;

fn median_nanos(mut case: impl FnMut()) -> f64 {
    let mut per_run = Vec::with_capacity(SAMPLES);
    for _ in 0..SAMPLES {
        let start = Instant::now();
        let mut runs = 0u32;
        while start.elapsed() < SAMPLE_TIME {
            case();
            runs += 1;
        }
        per_run.push(start.elapsed().as_secs_f64() * 1e9 / f64::from(runs));
    }
    per_run.sort_by(f64::total_cmp);
    per_run[SAMPLES / 2]
}

/// The sample forecast: (calls in 15 minutes, AHT seconds) for the 672 intervals of a week.
fn forecast_week() -> Vec<(f64, f64)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/forecast-week.csv");
    let text = std::fs::read_to_string(path).expect("the sample forecast");
    text.lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[1].parse().expect("calls"), fields[2].parse().expect("aht"))
        })
        .collect()
}

/// Staffs every interval; returns the agent-hours on the phones.
fn staff_week(model: Model, week: &[(f64, f64)], scale: f64) -> f64 {
    let targets = Targets {
        service_level: Some(ServiceGoal::new(SERVICE_LEVEL, TARGET_SECONDS).unwrap()),
        ..Targets::default()
    };
    let mut agent_hours = 0.0;
    for &(calls, aht) in week {
        let workload = if calls == 0.0 {
            Workload::from_traffic(0.0).unwrap()
        } else {
            Workload::from_calls(calls * scale * 4.0, aht).unwrap()
        };
        let staffing = erlang::staff(model, workload, &targets, 0.0).unwrap();
        agent_hours += f64::from(staffing.agents) / 4.0;
    }
    agent_hours
}

struct Outcome {
    case: String,
    nanos: f64,
    detail: String,
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let mut outcomes = Vec::new();

    for agents in [10.0, 100.0, 1000.0, 10_000.0] {
        // 90 % load, 3-minute calls: the service level at 20 s, P(wait) and occupancy.
        let traffic = 0.9 * agents;
        let nanos = median_nanos(|| {
            let c = ErlangC::new(black_box(traffic), black_box(agents)).unwrap();
            let _ = black_box((c.p_wait(), c.service_level(TARGET_SECONDS, 180.0), c.occupancy()));
        });
        let c = ErlangC::new(traffic, agents).unwrap();
        let (p_wait, service_level) = (c.p_wait(), c.service_level(TARGET_SECONDS, 180.0).unwrap());
        outcomes.push(Outcome {
            case: format!("erlang_c_eval_{agents}"),
            nanos,
            detail: format!(
                "{{\"agents\":{agents},\"traffic\":{traffic},\"p_wait\":{p_wait:e},\"service_level\":{service_level}}}"
            ),
        });
    }

    let week = forecast_week();
    assert_eq!(week.len(), 672);
    for scale in [1.0, 10.0, 100.0] {
        for (name, model) in [
            ("erlang_c", Model::ErlangC),
            ("erlang_a", Model::ErlangA { patience_seconds: PATIENCE_SECONDS }),
        ] {
            let mut agent_hours = 0.0;
            let nanos = median_nanos(|| agent_hours = staff_week(model, black_box(&week), scale));
            let peak = week
                .iter()
                .filter(|(calls, _)| *calls > 0.0)
                .map(|&(calls, aht)| {
                    let workload = Workload::from_calls(calls * scale * 4.0, aht).unwrap();
                    let targets = Targets {
                        service_level: Some(
                            ServiceGoal::new(SERVICE_LEVEL, TARGET_SECONDS).unwrap(),
                        ),
                        ..Targets::default()
                    };
                    erlang::staff(model, workload, &targets, 0.0).unwrap().agents
                })
                .max()
                .unwrap_or(0);
            outcomes.push(Outcome {
                case: format!("{name}_staff_week_x{scale}"),
                nanos,
                detail: format!(
                    "{{\"scale\":{scale},\"agent_hours\":{agent_hours},\"peak_agents\":{peak}}}"
                ),
            });
        }
    }

    for outcome in &outcomes {
        if json {
            println!(
                "{{\"case\":\"{}\",\"nanos\":{},\"detail\":{}}}",
                outcome.case, outcome.nanos, outcome.detail
            );
        } else {
            let time = if outcome.nanos < 1e6 {
                format!("{:.3} µs", outcome.nanos / 1e3)
            } else {
                format!("{:.3} ms", outcome.nanos / 1e6)
            };
            println!("{:<32} {:>14}   {}", outcome.case, time, outcome.detail);
        }
    }
}
