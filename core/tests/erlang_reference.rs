//! Erlang B, C and A against arbitrary-precision references.
//!
//! The vectors in `tests/data/erlang/*.csv` were computed at 60 significant digits with Python
//! mpmath by `tests/data/erlang/generate.py` (which documents the formulas and cross-checks them
//! against closed forms); they span 1 to 100,000 agents, fractional agents for B and C, light to
//! overloaded traffic, and for Erlang A traffic up to three times the agents.

use callboard_core::erlang::{ErlangA, ErlangC, blocking};

/// The accuracy the staffing math promises: relative error against the reference.
const RELATIVE_TOLERANCE: f64 = 1e-9;

/// Below this, the accuracy promise ends (a value is near the end of the `f64` range, and the
/// code reports it as 0 or approximately): we only require the result to be below it too.
const NEGLIGIBLE: f64 = 1e-280;

struct Row<'a> {
    line: usize,
    fields: Vec<&'a str>,
}

impl Row<'_> {
    fn number(&self, column: usize) -> f64 {
        let field = self.fields[column];
        field.parse().unwrap_or_else(|_| panic!("line {}: bad number {field:?}", self.line))
    }
}

fn rows(csv: &str, columns: usize) -> Vec<Row<'_>> {
    let rows: Vec<Row<'_>> = csv
        .lines()
        .enumerate()
        .skip(1)
        .map(|(index, line)| Row { line: index + 1, fields: line.split(',').collect() })
        .collect();
    for row in &rows {
        assert_eq!(row.fields.len(), columns, "line {}", row.line);
    }
    rows
}

/// Compares and returns the relative error (0 for values below [`NEGLIGIBLE`]).
fn check(what: &str, row: &Row<'_>, actual: f64, expected: f64, failures: &mut Vec<String>) -> f64 {
    if !actual.is_finite() {
        failures.push(format!("line {}: {what} = {actual}, expected {expected:e}", row.line));
        return f64::INFINITY;
    }
    if expected < NEGLIGIBLE {
        if actual >= NEGLIGIBLE {
            failures.push(format!("line {}: {what} = {actual:e}, expected < 1e-280", row.line));
        }
        return 0.0;
    }
    let error = ((actual - expected) / expected).abs();
    if error > RELATIVE_TOLERANCE {
        failures.push(format!(
            "line {} ({}): {what} = {actual:e}, expected {expected:e}, relative error {error:e}",
            row.line,
            row.fields.join(",")
        ));
    }
    error
}

fn report(model: &str, count: usize, worst: f64, failures: &[String]) {
    println!("{model}: {count} vectors, worst relative error {worst:e}");
    assert!(failures.is_empty(), "{model}: {} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(count >= 150, "{model}: only {count} vectors");
}

#[test]
fn erlang_b_matches_the_reference() {
    let vectors = rows(include_str!("data/erlang/erlang_b.csv"), 3);
    let mut failures = Vec::new();
    let mut worst: f64 = 0.0;
    for row in &vectors {
        let (traffic, lines, expected) = (row.number(0), row.number(1), row.number(2));
        let actual = blocking(traffic, lines).expect("valid inputs");
        worst = worst.max(check("B", row, actual, expected, &mut failures));
    }
    report("Erlang B", vectors.len(), worst, &failures);
}

#[test]
fn erlang_c_matches_the_reference() {
    let vectors = rows(include_str!("data/erlang/erlang_c.csv"), 7);
    let mut failures = Vec::new();
    let mut worst: f64 = 0.0;
    for row in &vectors {
        let (traffic, agents, handle, target) =
            (row.number(0), row.number(1), row.number(2), row.number(3));
        let c = ErlangC::new(traffic, agents).expect("stable inputs");
        let errors = [
            check("P(wait)", row, c.p_wait(), row.number(4), &mut failures),
            check(
                "SL",
                row,
                c.service_level(target, handle).unwrap(),
                row.number(5),
                &mut failures,
            ),
            check("ASA", row, c.asa_seconds(handle).unwrap(), row.number(6), &mut failures),
        ];
        worst = errors.into_iter().fold(worst, f64::max);
    }
    report("Erlang C", vectors.len(), worst, &failures);
}

#[test]
fn erlang_a_matches_the_reference() {
    let vectors = rows(include_str!("data/erlang/erlang_a.csv"), 10);
    let mut failures = Vec::new();
    let mut worst: f64 = 0.0;
    let mut overloaded = 0;
    for row in &vectors {
        let (traffic, agents, handle, patience, target) =
            (row.number(0), row.number(1), row.number(2), row.number(3), row.number(4));
        let whole: u32 = row.fields[1].parse().expect("whole agents");
        if traffic >= agents {
            overloaded += 1;
        }
        let a = ErlangA::new(traffic, whole, handle, patience).expect("valid inputs");
        let errors = [
            check("P(wait)", row, a.p_wait(), row.number(5), &mut failures),
            check("P(abandon)", row, a.p_abandon(), row.number(6), &mut failures),
            check("SL", row, a.service_level(target).unwrap(), row.number(7), &mut failures),
            check("ASA", row, a.asa_seconds().unwrap_or(f64::NAN), row.number(8), &mut failures),
            check("mean wait", row, a.mean_wait_all_seconds(), row.number(9), &mut failures),
        ];
        worst = errors.into_iter().fold(worst, f64::max);
    }
    report("Erlang A", vectors.len(), worst, &failures);
    assert!(overloaded >= 40, "only {overloaded} vectors at or above saturation");
}

#[test]
fn the_vectors_span_the_promised_range() {
    let b = rows(include_str!("data/erlang/erlang_b.csv"), 3);
    let a = rows(include_str!("data/erlang/erlang_a.csv"), 10);
    let most = |rows: &[Row<'_>], column| rows.iter().map(|r| r.number(column)).fold(0.0, f64::max);
    assert_eq!(most(&b, 1), 100_000.0);
    assert_eq!(most(&a, 1), 100_000.0);
    assert!(b.iter().any(|r| r.number(1).fract() != 0.0), "fractional lines");
    assert!(b.iter().any(|r| r.number(2) < NEGLIGIBLE), "blocking below 1e-280");
}
