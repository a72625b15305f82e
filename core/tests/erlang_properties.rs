//! Invariants of the staffing math over the whole input range: never NaN, probabilities in
//! [0, 1], more agents never worse, the staffing search returns the fewest agents, and the
//! fractional requirement is where the targets are first met, to its tolerance.

use callboard_core::erlang::{
    self, ErlangA, ErlangC, ErlangError, Model, ServiceGoal, Targets, Workload, blocking,
};
use proptest::prelude::*;

fn probability(value: f64) -> bool {
    (0.0..=1.0).contains(&value)
}

/// Traffic from a trickle to a metropolis, spread evenly in log scale.
fn traffic() -> impl Strategy<Value = f64> {
    (-3.0..5.0_f64).prop_map(|exponent| 10_f64.powf(exponent))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn erlang_b_is_a_probability_that_falls_with_lines(a in traffic(), lines in 0.0..120_000.0_f64) {
        let b = blocking(a, lines).unwrap();
        prop_assert!(probability(b), "B({a}, {lines}) = {b}");
        let more = blocking(a, lines + 0.5).unwrap();
        prop_assert!(more <= b, "B({a}, {}) = {more} > B({a}, {lines}) = {b}", lines + 0.5);
    }

    #[test]
    fn erlang_c_is_defined_exactly_below_saturation(
        a in traffic(),
        headroom in 0.000_001..3.0_f64,
        handle in 1.0..3600.0_f64,
        target in 0.0..600.0_f64,
    ) {
        let agents = a * (1.0 + headroom);
        prop_assume!(agents <= erlang::MAX_AGENTS);
        let c = ErlangC::new(a, agents).unwrap();
        prop_assert!(probability(c.p_wait()));
        let sl = c.service_level(target, handle).unwrap();
        prop_assert!(probability(sl), "SL {sl}");
        prop_assert!(c.asa_seconds(handle).unwrap().is_finite());
        let better = ErlangC::new(a, agents + 1.0).unwrap();
        prop_assert!(better.p_wait() <= c.p_wait());
        prop_assert_eq!(ErlangC::new(a, a * 0.999), Err(ErlangError::Unstable));
    }

    #[test]
    fn erlang_a_is_consistent_at_any_load(
        a in traffic(),
        load in 0.05..4.0_f64,
        handle in 10.0..1800.0_f64,
        patience_ratio in 0.05..20.0_f64,
        target in 0.0..300.0_f64,
    ) {
        let agents = (a / load).round().min(200_000.0) as u32;
        let model = ErlangA::new(a, agents, handle, handle * patience_ratio).unwrap();
        for figure in [model.p_wait(), model.p_abandon(), model.p_answered()] {
            prop_assert!(probability(figure), "{figure} in {model:?}");
        }
        prop_assert!((model.p_answered() + model.p_abandon() - 1.0).abs() < 1e-9, "{model:?}");
        let sl = model.service_level(target).unwrap();
        prop_assert!(probability(sl) && sl <= model.p_answered() + 1e-12, "SL {sl} in {model:?}");
        if let Some(asa) = model.asa_seconds() {
            prop_assert!(asa.is_finite() && asa >= 0.0);
        }
        let more = ErlangA::new(a, agents + 1, handle, handle * patience_ratio).unwrap();
        prop_assert!(more.p_abandon() <= model.p_abandon() + 1e-12);
    }

    #[test]
    fn staffing_returns_the_fewest_agents(
        calls in 1.0..20_000.0_f64,
        handle in 30.0..900.0_f64,
        fraction in 0.5..0.95_f64,
        within in 5.0..120.0_f64,
        patience in 30.0..600.0_f64,
    ) {
        let workload = Workload::from_calls(calls, handle).unwrap();
        let targets = Targets {
            service_level: Some(ServiceGoal::new(fraction, within).unwrap()),
            ..Targets::default()
        };
        for model in [Model::ErlangC, Model::ErlangA { patience_seconds: patience }] {
            let staffing = erlang::staff(model, workload, &targets, 0.0).unwrap();
            let at = |agents: u32| {
                erlang::evaluate(model, workload, f64::from(agents), Some(within))
                    .ok()
                    .and_then(|f| f.service_level)
            };
            prop_assert!(at(staffing.agents).unwrap() >= fraction);
            if staffing.agents > 0 {
                prop_assert!(at(staffing.agents - 1).is_none_or(|sl| sl < fraction));
            }
            if let Some(fractional) = staffing.agents_fractional {
                let whole = f64::from(staffing.agents);
                prop_assert!(fractional > whole - 1.0 && fractional <= whole, "{fractional}");
            }
        }
    }

    /// Erlang C with any mix of targets: the whole answer is the fewest agents by plain
    /// evaluation, and the fractional requirement meets every target while a point one
    /// tolerance (10⁻¹⁰, relative) below it misses one. The search walks whole agents by
    /// Erlang B's recursion and interpolates the crossing; this holds it to the definitions.
    #[test]
    fn erlang_c_staffing_agrees_with_plain_evaluation(
        traffic in traffic(),
        handle in 30.0..900.0_f64,
        goal in prop::option::of((0.5..0.97_f64, 0.0..120.0_f64)),
        asa in prop::option::of(2.0..300.0_f64),
        p_wait in prop::option::of(0.02..0.9_f64),
        occupancy in prop::option::of(0.3..0.99_f64),
    ) {
        let workload = Workload::from_traffic(traffic).unwrap().with_handle_seconds(handle).unwrap();
        // At least one target: 80/20 when the draw gave none.
        let none = goal.is_none() && asa.is_none() && p_wait.is_none() && occupancy.is_none();
        let goal = if none { Some((0.8, 20.0)) } else { goal };
        let targets = Targets {
            service_level: goal.map(|(fraction, within)| ServiceGoal::new(fraction, within).unwrap()),
            max_asa_seconds: asa,
            max_p_wait: p_wait,
            max_occupancy: occupancy,
            ..Targets::default()
        };
        let within = goal.map(|(_, within)| within);
        let meets = |agents: f64| match erlang::evaluate(Model::ErlangC, workload, agents, within) {
            Ok(f) => goal.is_none_or(|(fraction, _)| f.service_level.unwrap() >= fraction)
                && asa.is_none_or(|ceiling| f.asa_seconds.unwrap() <= ceiling)
                && p_wait.is_none_or(|ceiling| f.p_wait.unwrap() <= ceiling)
                && occupancy.is_none_or(|ceiling| f.occupancy.unwrap() <= ceiling),
            Err(ErlangError::Unstable) => false,
            Err(other) => panic!("{other}"),
        };
        let staffing = erlang::staff(Model::ErlangC, workload, &targets, 0.0).unwrap();
        let whole = f64::from(staffing.agents);
        prop_assert!(meets(whole), "{whole} agents miss the targets");
        prop_assert!(!meets(whole - 1.0), "{} agents meet them too", whole - 1.0);
        let fractional = staffing.agents_fractional.unwrap();
        prop_assert!(fractional > whole - 1.0 && fractional <= whole, "{fractional} for {whole}");
        prop_assert!(meets(fractional), "the fractional {fractional} misses the targets");
        let below = fractional - 1e-10 * fractional.max(1.0);
        prop_assert!(
            below <= traffic || !meets(below),
            "{below} meets the targets too: {fractional} is not where they are first met"
        );
    }

    /// Erlang A with any mix of its targets: the answer is the fewest agents by plain
    /// evaluation. The search interpolates the targets' slacks to choose where to evaluate; this
    /// holds it to the definition.
    #[test]
    fn erlang_a_staffing_agrees_with_plain_evaluation(
        exponent in -3.0..4.0_f64,
        handle in 30.0..900.0_f64,
        patience in 10.0..1800.0_f64,
        goal in prop::option::of((0.5..0.97_f64, 0.0..120.0_f64)),
        asa in prop::option::of(2.0..300.0_f64),
        p_wait in prop::option::of(0.02..0.9_f64),
        p_abandon in prop::option::of(0.005..0.3_f64),
        occupancy in prop::option::of(0.3..0.99_f64),
    ) {
        let traffic = 10_f64.powf(exponent);
        let workload = Workload::from_traffic(traffic).unwrap().with_handle_seconds(handle).unwrap();
        let none = goal.is_none() && asa.is_none() && p_wait.is_none() && p_abandon.is_none()
            && occupancy.is_none();
        let goal = if none { Some((0.8, 20.0)) } else { goal };
        let targets = Targets {
            service_level: goal.map(|(fraction, within)| ServiceGoal::new(fraction, within).unwrap()),
            max_asa_seconds: asa,
            max_p_wait: p_wait,
            max_p_abandon: p_abandon,
            max_occupancy: occupancy,
            ..Targets::default()
        };
        let model = Model::ErlangA { patience_seconds: patience };
        let within = goal.map(|(_, within)| within);
        let meets = |agents: u32| {
            let f = erlang::evaluate(model, workload, f64::from(agents), within).unwrap();
            goal.is_none_or(|(fraction, _)| f.service_level.unwrap() >= fraction)
                && asa.is_none_or(|ceiling| f.asa_seconds.is_some_and(|asa| asa <= ceiling))
                && p_wait.is_none_or(|ceiling| f.p_wait.unwrap() <= ceiling)
                && p_abandon.is_none_or(|ceiling| f.p_abandon.unwrap() <= ceiling)
                && occupancy.is_none_or(|ceiling| f.occupancy.is_some_and(|o| o <= ceiling))
        };
        let staffing = erlang::staff(model, workload, &targets, 0.0).unwrap();
        prop_assert!(meets(staffing.agents), "{} agents miss the targets", staffing.agents);
        if staffing.agents > 0 {
            prop_assert!(!meets(staffing.agents - 1), "{} agents meet them too", staffing.agents - 1);
        }
        let at_answer = erlang::evaluate(model, workload, f64::from(staffing.agents), within).unwrap();
        prop_assert_eq!(staffing.figures, at_answer);
    }
}
