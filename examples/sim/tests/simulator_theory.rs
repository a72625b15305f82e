//! The simulator agrees with queueing theory where theory applies: a stationary day with
//! constant arrivals, exponential handle times and fixed staff is an M/M/s queue (Erlang C), and
//! with exponential patience an M/M/s+M queue (Erlang A).

use callboard_core::calendar::{DstRule, LocalDate, SiteCalendar, UtcOffset};
use callboard_core::erlang::{ErlangA, ErlangC};
use callboard_sim::simulate::{DayPlan, HandleTime, QueuePlan, simulate};

fn calendar() -> SiteCalendar {
    SiteCalendar::new(UtcOffset::from_minutes(0).unwrap(), DstRule::None).unwrap()
}

/// Whole stationary days (no breaks, one staffing all day), pooled over 40 seeds, after a
/// one-hour warm-up: (callers, share that waited at all, mean wait s, share abandoned).
fn pooled(
    calls_per_hour: f64,
    handle_s: f64,
    agents: u32,
    patience_s: Option<f64>,
) -> (usize, f64, f64, f64) {
    let (mut n, mut waited, mut wait_sum, mut abandoned) = (0usize, 0usize, 0.0, 0usize);
    for seed in 0..40 {
        let plan = DayPlan {
            date: LocalDate::new(2026, 11, 23).unwrap(),
            open_s: 0,
            close_s: 86_400,
            seed,
            queues: vec![QueuePlan {
                name: "Q".into(),
                calls_per_hour: vec![calls_per_hour],
                agents: vec![agents],
                surge: None,
                handle: HandleTime::Exponential { mean_s: handle_s },
                patience_s,
                breaks: false,
            }],
        };
        let calendar = calendar();
        let start = calendar.day_start(plan.date);
        let day = simulate(&plan, &calendar).unwrap();
        // Callers after the first hour and before the last (no warm-up, no closing effects).
        for c in day
            .callers
            .iter()
            .filter(|c| c.arrived_at >= start + 3_600_000 && c.arrived_at < start + 23 * 3_600_000)
        {
            n += 1;
            // Arrivals land on whole milliseconds: "waited" is more than a millisecond.
            if c.waited_ms > 1 {
                waited += 1;
            }
            wait_sum += c.waited_ms as f64 / 1000.0;
            if !c.answered {
                abandoned += 1;
            }
        }
    }
    (n, waited as f64 / n as f64, wait_sum / n as f64, abandoned as f64 / n as f64)
}

#[test]
fn stationary_without_abandonment_is_erlang_c() {
    // 120 calls an hour of 4 minutes: 8 erlangs on 10 agents.
    let (n, p_wait, mean_wait, abandoned) = pooled(120.0, 240.0, 10, None);
    let theory = ErlangC::new(8.0, 10.0).unwrap();
    let asa = theory.asa_seconds(240.0).unwrap();
    println!(
        "n = {n}: P(wait) {p_wait:.4} vs {:.4}; mean wait {mean_wait:.2} s vs {asa:.2} s",
        theory.p_wait()
    );
    assert_eq!(abandoned, 0.0);
    // ~105 000 callers over 40 days (seen: 0.4069 vs 0.4092, 48.5 s vs 49.1 s). Waits in a
    // busy M/M/s queue are strongly correlated, so the tolerance is several standard errors.
    assert!((p_wait - theory.p_wait()).abs() < 0.015, "P(wait) {p_wait} vs {}", theory.p_wait());
    assert!((mean_wait - asa).abs() / asa < 0.06, "mean wait {mean_wait} vs {asa}");
}

#[test]
fn stationary_with_patience_is_erlang_a() {
    // Overloaded: 10 erlangs on 9 agents, callers give up after 2 minutes on average.
    let (n, p_wait, _, abandoned) = pooled(150.0, 240.0, 9, Some(120.0));
    let theory = ErlangA::new(10.0, 9, 240.0, 120.0).unwrap();
    println!(
        "n = {n}: P(wait) {p_wait:.4} vs {:.4}; P(abandon) {abandoned:.4} vs {:.4}",
        theory.p_wait(),
        theory.p_abandon()
    );
    // Seen: 0.5736 vs 0.5758, 0.2008 vs 0.2011.
    assert!((p_wait - theory.p_wait()).abs() < 0.015, "P(wait) {p_wait} vs {}", theory.p_wait());
    assert!(
        (abandoned - theory.p_abandon()).abs() < 0.01,
        "P(abandon) {abandoned} vs {}",
        theory.p_abandon()
    );
}
