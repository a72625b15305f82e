//! A contact center's day, simulated: a seeded, deterministic discrete-event simulation that
//! writes what an Asterisk switch would — a `queue_log` — so that everything downstream (the
//! reader, the replay, the core, the boards) runs exactly as it does in production.
//!
//! # The model
//! - **Calls** arrive as a Poisson process whose rate follows an hourly profile (calls per hour,
//!   one figure per opening hour) times an optional surge (a storm: ×`factor` between two
//!   times), drawn by thinning. Arrivals stop at closing time; callers already waiting are
//!   still served.
//! - **Handle times** are exponential or lognormal (mean and coefficient of variation).
//! - **Patience** is exponential: a caller not answered within it hangs up (`ABANDON`).
//! - **Agents** serve one queue each, longest-idle first, callers first come first served.
//!   Each opening hour has a staffing figure; agents log in (`ADDMEMBER`) as it rises and log
//!   out (`REMOVEMEMBER`) as it falls — a busy agent finishes the call first. Every agent takes a
//!   15-minute break (`PAUSE`/`UNPAUSE`) every 90–150 minutes, after the call in progress. At
//!   closing time agents stay until no one is waiting.
//!
//! # What it knows that a log cannot
//! For every caller the simulation records the *potential* wait: how long they would have
//! waited had they never hung up. For a caller served it is the wait; for an abandoner it is
//! exact too, because under first-come-first-served nobody ahead of a caller is affected by
//! that caller: the abandoner stays in line as a "ghost" that takes no service, and the moment
//! an agent would have picked it up is its potential wait. An expected-wait estimator is judged
//! against that (`callboard ewt-eval`).
//!
//! The random numbers are xoshiro256** seeded through SplitMix64 (Blackman & Vigna), so a seed
//! gives the same day on every machine.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt::Write as _;

use callboard_core::calendar::{LocalDate, SiteCalendar, Timestamp};
use callboard_queue_log::{Line as LogLine, Verb};

/// A 311 line's calls per hour from 8:00 to 20:00: the morning peak, lunch, the afternoon bump,
/// the evening.
pub const CALLS_PER_HOUR_311: [f64; 12] =
    [70.0, 120.0, 150.0, 140.0, 110.0, 100.0, 120.0, 130.0, 110.0, 85.0, 60.0, 40.0];

/// The agents scheduled for [`CALLS_PER_HOUR_311`], hour by hour.
pub const AGENTS_311: [u32; 12] = [7, 11, 13, 13, 11, 10, 11, 12, 11, 8, 6, 5];

/// A day to simulate.
#[derive(Debug, Clone)]
pub struct DayPlan {
    /// The local date.
    pub date: LocalDate,
    /// Opening, seconds after local midnight (8:00 = 28 800).
    pub open_s: u32,
    /// Closing: no call arrives after it.
    pub close_s: u32,
    /// The queues.
    pub queues: Vec<QueuePlan>,
    /// The seed: the same seed, the same day.
    pub seed: u64,
}

/// One queue of the day.
#[derive(Debug, Clone)]
pub struct QueuePlan {
    /// Its name in the log.
    pub name: String,
    /// Calls per hour, one figure per opening hour (the last repeats if the day is longer).
    pub calls_per_hour: Vec<f64>,
    /// Agents logged in, one figure per opening hour (the last repeats).
    pub agents: Vec<u32>,
    /// A sudden surge of calls.
    pub surge: Option<Surge>,
    /// Handle times.
    pub handle: HandleTime,
    /// Mean patience in seconds (exponential); `None`: no one hangs up.
    pub patience_s: Option<f64>,
    /// Whether agents take breaks.
    pub breaks: bool,
}

/// Arrivals multiplied by `factor` from `start_s` to `end_s` (seconds after local midnight).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Surge {
    /// Start, seconds after local midnight.
    pub start_s: u32,
    /// End.
    pub end_s: u32,
    /// The multiplier of the hourly rate.
    pub factor: f64,
}

/// How long calls take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum HandleTime {
    /// Exponential with this mean, seconds.
    Exponential {
        /// Mean, seconds.
        mean_s: f64,
    },
    /// Lognormal with this mean and coefficient of variation.
    LogNormal {
        /// Mean, seconds.
        mean_s: f64,
        /// Standard deviation ÷ mean.
        cv: f64,
    },
}

impl HandleTime {
    /// The mean, seconds.
    #[must_use]
    pub const fn mean_s(&self) -> f64 {
        match *self {
            Self::Exponential { mean_s } | Self::LogNormal { mean_s, .. } => mean_s,
        }
    }
}

/// What happened to one caller, with what the log cannot say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallerTruth {
    /// Index of its queue in the plan.
    pub queue: usize,
    /// When it arrived.
    pub arrived_at: Timestamp,
    /// Whether an agent answered it.
    pub answered: bool,
    /// How long it waited (until answered or until it hung up).
    pub waited_ms: u64,
    /// How long it would have waited had it never hung up; `None` for an abandoner the day
    /// ended before an agent could have reached.
    pub potential_wait_ms: Option<u64>,
}

/// A simulated day.
#[derive(Debug, Clone)]
pub struct SimulatedDay {
    /// The queue_log, classic format, one line per event, in time order.
    pub queue_log: String,
    /// Every caller, by call id: the log's callid for caller `i` is [`callid`]`(i)`.
    pub callers: Vec<CallerTruth>,
    /// Lines written.
    pub lines: usize,
}

/// The log's callid of caller `index`.
#[must_use]
pub fn callid(index: usize) -> String {
    format!("sim-{index}")
}

/// The caller index of a log callid written by the simulator.
#[must_use]
pub fn caller_index(callid: &str) -> Option<usize> {
    callid.strip_prefix("sim-")?.parse().ok()
}

/// xoshiro256** seeded by SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Self { s: [next(), next(), next(), next()] }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform in (0, 1]: never 0, so its logarithm is finite.
    pub fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    /// Exponential with mean `mean`.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * self.uniform().ln()
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// Uniform in [`low`, `high`).
    pub fn between(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * (1.0 - self.uniform())
    }

    fn handle_s(&mut self, handle: HandleTime) -> f64 {
        match handle {
            HandleTime::Exponential { mean_s } => self.exponential(mean_s),
            HandleTime::LogNormal { mean_s, cv } => {
                let sigma2 = (1.0 + cv * cv).ln();
                let mu = mean_s.ln() - sigma2 / 2.0;
                (mu + sigma2.sqrt() * self.normal()).exp()
            }
        }
    }
}

/// Simulation events, ordered by time then by the order they were scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Happening {
    /// The staffing of every queue changes at this hour.
    Hour(u32),
    Arrival {
        queue: usize,
    },
    Abandon {
        caller: usize,
    },
    ServiceEnd {
        queue: usize,
        agent: usize,
    },
    BreakStart {
        queue: usize,
        agent: usize,
        shift: u32,
    },
    BreakEnd {
        queue: usize,
        agent: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AgentState {
    Off,
    Idle,
    Busy,
    Break,
}

#[derive(Debug, Clone)]
struct Agent {
    name: String,
    state: AgentState,
    /// Leave when the call in progress ends.
    logout_pending: bool,
    /// Take the break when the call in progress ends.
    break_pending: bool,
    /// Serial of the break scheduled, so a break of an earlier shift is ignored.
    shift: u32,
    idle_since: Timestamp,
    call: Option<usize>,
}

struct Line {
    caller: usize,
    /// Hung up, kept in line only to measure its potential wait.
    ghost: bool,
}

struct Sim<'a> {
    plan: &'a DayPlan,
    rng: Rng,
    day_start: Timestamp,
    agenda: BinaryHeap<Reverse<(Timestamp, u64, Happening)>>,
    scheduled: u64,
    lines: Vec<VecDeque<Line>>,
    agents: Vec<Vec<Agent>>,
    callers: Vec<CallerTruth>,
    /// Waiting (not ghost) callers per queue.
    waiting: Vec<usize>,
    closed: bool,
    log: String,
    log_lines: usize,
}

/// Simulates the day.
///
/// # Errors
/// A plan that cannot run: no queues, an empty profile, closing before opening, a
/// non-positive or non-finite rate, mean or factor.
pub fn simulate(plan: &DayPlan, calendar: &SiteCalendar) -> Result<SimulatedDay, String> {
    check(plan)?;
    let mut sim = Sim {
        plan,
        rng: Rng::new(plan.seed),
        day_start: calendar.day_start(plan.date),
        agenda: BinaryHeap::new(),
        scheduled: 0,
        lines: plan.queues.iter().map(|_| VecDeque::new()).collect(),
        agents: plan.queues.iter().map(|_| Vec::new()).collect(),
        callers: Vec::new(),
        waiting: vec![0; plan.queues.len()],
        closed: false,
        log: String::new(),
        log_lines: 0,
    };
    let open = sim.at_s(f64::from(plan.open_s));
    for hour in 0..plan.hours() {
        sim.schedule(open + u64::from(hour) * 3_600_000, Happening::Hour(hour));
    }
    let close = sim.at_s(f64::from(plan.close_s));
    sim.schedule(close, Happening::Hour(plan.hours()));
    for queue in 0..plan.queues.len() {
        sim.next_arrival(queue, open);
    }
    while let Some(Reverse((at, _, happening))) = sim.agenda.pop() {
        sim.happen(at, happening);
    }
    Ok(SimulatedDay { queue_log: sim.log, callers: sim.callers, lines: sim.log_lines })
}

fn check(plan: &DayPlan) -> Result<(), String> {
    if plan.queues.is_empty() {
        return Err("the plan has no queues".into());
    }
    if plan.close_s <= plan.open_s || plan.close_s > 86_400 {
        return Err("closing must come after opening, within the day".into());
    }
    for q in &plan.queues {
        if q.calls_per_hour.is_empty() || q.agents.is_empty() {
            return Err(format!("queue {}: an hourly profile is empty", q.name));
        }
        if q.calls_per_hour.iter().any(|r| !r.is_finite() || *r < 0.0) {
            return Err(format!("queue {}: calls per hour must be finite and ≥ 0", q.name));
        }
        let mean = q.handle.mean_s();
        let cv_ok = match q.handle {
            HandleTime::LogNormal { cv, .. } => cv.is_finite() && cv > 0.0,
            HandleTime::Exponential { .. } => true,
        };
        if !mean.is_finite() || mean <= 0.0 || !cv_ok {
            return Err(format!("queue {}: handle times must have a positive mean", q.name));
        }
        if q.patience_s.is_some_and(|p| !p.is_finite() || p <= 0.0) {
            return Err(format!("queue {}: patience must be positive", q.name));
        }
        if let Some(s) = q.surge
            && (!s.factor.is_finite() || s.factor <= 0.0 || s.end_s <= s.start_s)
        {
            return Err(format!("queue {}: a surge needs a positive factor and an end", q.name));
        }
    }
    Ok(())
}

impl DayPlan {
    /// Opening hours (a part hour counts as one).
    #[must_use]
    pub fn hours(&self) -> u32 {
        (self.close_s.saturating_sub(self.open_s)).div_ceil(3_600)
    }
}

impl QueuePlan {
    /// The arrival rate per second at `s` seconds after local midnight, in a day opening at
    /// `open_s`.
    #[must_use]
    pub fn rate_at(&self, open_s: u32, s: f64) -> f64 {
        let hour = ((s - f64::from(open_s)) / 3_600.0).floor().max(0.0) as usize;
        let base = hourly(&self.calls_per_hour, hour) / 3_600.0;
        match self.surge {
            Some(surge) if s >= f64::from(surge.start_s) && s < f64::from(surge.end_s) => {
                base * surge.factor
            }
            _ => base,
        }
    }

    fn max_rate(&self) -> f64 {
        let top = self.calls_per_hour.iter().copied().fold(0.0, f64::max) / 3_600.0;
        top * self.surge.map_or(1.0, |s| s.factor.max(1.0))
    }
}

fn hourly<T: Copy + Default>(profile: &[T], hour: usize) -> T {
    profile.get(hour).or(profile.last()).copied().unwrap_or_default()
}

impl Sim<'_> {
    fn at_s(&self, seconds: f64) -> Timestamp {
        self.day_start + (seconds * 1000.0).round() as u64
    }

    fn seconds_of(&self, at: Timestamp) -> f64 {
        at.saturating_sub(self.day_start) as f64 / 1000.0
    }

    fn schedule(&mut self, at: Timestamp, happening: Happening) {
        self.scheduled += 1;
        self.agenda.push(Reverse((at, self.scheduled, happening)));
    }

    fn write(
        &mut self,
        at: Timestamp,
        callid: &str,
        queue: usize,
        agent: &str,
        verb: &Verb,
        data: &[&str],
    ) {
        let queue = &self.plan.queues[queue].name;
        let line = LogLine { at, callid, queue, agent, verb, data };
        let _ = writeln!(self.log, "{line}");
        self.log_lines += 1;
    }

    /// Thinning: candidates at the peak rate, kept with probability rate / peak.
    fn next_arrival(&mut self, queue: usize, from: Timestamp) {
        let plan = &self.plan.queues[queue];
        let peak = plan.max_rate();
        if peak <= 0.0 {
            return;
        }
        let mut s = self.seconds_of(from);
        loop {
            s += self.rng.exponential(1.0 / peak);
            if s >= f64::from(self.plan.close_s) {
                return;
            }
            if self.rng.uniform() * peak <= plan.rate_at(self.plan.open_s, s) {
                let at = self.at_s(s);
                self.schedule(at, Happening::Arrival { queue });
                return;
            }
        }
    }

    fn happen(&mut self, at: Timestamp, happening: Happening) {
        match happening {
            Happening::Hour(hour) => self.staff(at, hour),
            Happening::Arrival { queue } => {
                self.arrive(at, queue);
                self.next_arrival(queue, at);
            }
            Happening::Abandon { caller } => self.abandon(at, caller),
            Happening::ServiceEnd { queue, agent } => self.service_end(at, queue, agent),
            Happening::BreakStart { queue, agent, shift } => {
                let a = &mut self.agents[queue][agent];
                if a.shift != shift {
                    return; // scheduled in an earlier shift
                }
                match a.state {
                    AgentState::Idle => self.start_break(at, queue, agent),
                    AgentState::Busy => a.break_pending = true,
                    AgentState::Off | AgentState::Break => {}
                }
            }
            Happening::BreakEnd { queue, agent } => {
                if self.agents[queue][agent].state == AgentState::Break {
                    let name = self.agents[queue][agent].name.clone();
                    self.write(at, "NONE", queue, &name, &Verb::Unpause, &[""]);
                    self.free(at, queue, agent);
                }
            }
        }
    }

    fn staff(&mut self, at: Timestamp, hour: u32) {
        if hour >= self.plan.hours() {
            // Closing: no one logs in any more; agents leave once no one waits.
            self.closed = true;
            for queue in 0..self.plan.queues.len() {
                for agent in 0..self.agents[queue].len() {
                    self.leave_if_done(at, queue, agent);
                }
            }
            return;
        }
        for queue in 0..self.plan.queues.len() {
            let want = hourly(&self.plan.queues[queue].agents, hour as usize) as usize;
            let on = self.agents[queue]
                .iter()
                .filter(|a| a.state != AgentState::Off && !a.logout_pending)
                .count();
            if want > on {
                for _ in on..want {
                    self.log_in(at, queue);
                }
            } else {
                // Idle agents leave first, then those on a break, then the busy after the call.
                let mut extra = on - want;
                for state in [AgentState::Idle, AgentState::Break, AgentState::Busy] {
                    for agent in 0..self.agents[queue].len() {
                        let a = &self.agents[queue][agent];
                        if extra > 0 && a.state == state && !a.logout_pending {
                            extra -= 1;
                            if state == AgentState::Busy {
                                self.agents[queue][agent].logout_pending = true;
                            } else {
                                self.log_out(at, queue, agent);
                            }
                        }
                    }
                }
            }
        }
    }

    fn log_in(&mut self, at: Timestamp, queue: usize) {
        let agent = match self.agents[queue].iter().position(|a| a.state == AgentState::Off) {
            Some(i) => i,
            None => {
                let name = format!(
                    "Agent/{}{}",
                    self.plan.queues[queue].name,
                    self.agents[queue].len() + 1
                );
                self.agents[queue].push(Agent {
                    name,
                    state: AgentState::Off,
                    logout_pending: false,
                    break_pending: false,
                    shift: 0,
                    idle_since: at,
                    call: None,
                });
                self.agents[queue].len() - 1
            }
        };
        let name = self.agents[queue][agent].name.clone();
        self.write(at, "NONE", queue, &name, &Verb::AddMember, &[""]);
        let a = &mut self.agents[queue][agent];
        a.shift += 1;
        a.logout_pending = false;
        a.break_pending = false;
        if self.plan.queues[queue].breaks {
            self.next_break(at, queue, agent);
        }
        self.free(at, queue, agent);
    }

    fn next_break(&mut self, at: Timestamp, queue: usize, agent: usize) {
        let after_min = self.rng.between(90.0, 150.0);
        let shift = self.agents[queue][agent].shift;
        self.schedule(
            at + (after_min * 60_000.0) as u64,
            Happening::BreakStart { queue, agent, shift },
        );
    }

    fn log_out(&mut self, at: Timestamp, queue: usize, agent: usize) {
        let name = self.agents[queue][agent].name.clone();
        if self.agents[queue][agent].state == AgentState::Break {
            self.write(at, "NONE", queue, &name, &Verb::Unpause, &[""]);
        }
        self.write(at, "NONE", queue, &name, &Verb::RemoveMember, &[""]);
        let a = &mut self.agents[queue][agent];
        a.state = AgentState::Off;
        a.logout_pending = false;
        a.break_pending = false;
    }

    fn start_break(&mut self, at: Timestamp, queue: usize, agent: usize) {
        let name = self.agents[queue][agent].name.clone();
        self.write(at, "NONE", queue, &name, &Verb::Pause, &["Break"]);
        let a = &mut self.agents[queue][agent];
        a.state = AgentState::Break;
        a.break_pending = false;
        self.schedule(at + 15 * 60_000, Happening::BreakEnd { queue, agent });
        self.next_break(at + 15 * 60_000, queue, agent);
    }

    /// An agent is free: leaves, takes a break, or serves the line.
    fn free(&mut self, at: Timestamp, queue: usize, agent: usize) {
        let a = &mut self.agents[queue][agent];
        a.state = AgentState::Idle;
        a.idle_since = at;
        a.call = None;
        if a.logout_pending {
            self.log_out(at, queue, agent);
        } else if a.break_pending {
            self.start_break(at, queue, agent);
        } else {
            self.dispatch(at, queue);
            self.leave_if_done(at, queue, agent);
        }
    }

    /// After closing, an idle agent leaves once no one waits.
    fn leave_if_done(&mut self, at: Timestamp, queue: usize, agent: usize) {
        if self.closed
            && self.waiting[queue] == 0
            && matches!(self.agents[queue][agent].state, AgentState::Idle | AgentState::Break)
        {
            self.settle_ghosts(at, queue);
            self.log_out(at, queue, agent);
        }
    }

    /// An idle agent with no one really waiting would pick up any ghost at the head now.
    fn settle_ghosts(&mut self, at: Timestamp, queue: usize) {
        while let Some(line) = self.lines[queue].front() {
            if !line.ghost {
                return;
            }
            let caller = line.caller;
            self.lines[queue].pop_front();
            let c = &mut self.callers[caller];
            c.potential_wait_ms = Some(at - c.arrived_at);
        }
    }

    fn arrive(&mut self, at: Timestamp, queue: usize) {
        let caller = self.callers.len();
        self.callers.push(CallerTruth {
            queue,
            arrived_at: at,
            answered: false,
            waited_ms: 0,
            potential_wait_ms: None,
        });
        let position = self.waiting[queue] + 1;
        let (number, position) = (format!("31100{caller}"), position.to_string());
        self.write(
            at,
            &callid(caller),
            queue,
            "NONE",
            &Verb::EnterQueue,
            &["", &number, &position],
        );
        self.lines[queue].push_back(Line { caller, ghost: false });
        self.waiting[queue] += 1;
        if let Some(mean) = self.plan.queues[queue].patience_s {
            let patience = self.rng.exponential(mean);
            self.schedule(at + (patience * 1000.0).round() as u64, Happening::Abandon { caller });
        }
        self.dispatch(at, queue);
    }

    fn abandon(&mut self, at: Timestamp, caller: usize) {
        let queue = self.callers[caller].queue;
        let Some(place) = self.lines[queue].iter().position(|l| l.caller == caller && !l.ghost)
        else {
            return; // already answered
        };
        let position = self.lines[queue].iter().take(place + 1).filter(|l| !l.ghost).count();
        self.lines[queue][place].ghost = true;
        self.waiting[queue] -= 1;
        let c = &mut self.callers[caller];
        c.waited_ms = at - c.arrived_at;
        let waited_s = c.waited_ms / 1000;
        let (position, waited_s) = (position.to_string(), waited_s.to_string());
        let data = [position.as_str(), &position, &waited_s];
        self.write(at, &callid(caller), queue, "NONE", &Verb::Abandon, &data);
        // The head of the line may now be ghosts an idle agent would have taken.
        self.settle_ghosts_if_idle(at, queue);
        for agent in 0..self.agents[queue].len() {
            self.leave_if_done(at, queue, agent);
        }
    }

    /// Idle agents, longest idle first, take callers from the head of the line.
    fn dispatch(&mut self, at: Timestamp, queue: usize) {
        loop {
            self.settle_ghosts_if_idle(at, queue);
            if self.waiting[queue] == 0 {
                return;
            }
            let Some(agent) = self.agents[queue]
                .iter()
                .enumerate()
                .filter(|(_, a)| a.state == AgentState::Idle)
                .min_by_key(|(i, a)| (a.idle_since, *i))
                .map(|(i, _)| i)
            else {
                return;
            };
            let Some(line) = self.lines[queue].pop_front() else {
                return;
            };
            self.waiting[queue] -= 1;
            let caller = line.caller;
            let c = &mut self.callers[caller];
            c.answered = true;
            c.waited_ms = at - c.arrived_at;
            c.potential_wait_ms = Some(c.waited_ms);
            let hold_s = c.waited_ms / 1000;
            let handle = self.rng.handle_s(self.plan.queues[queue].handle).max(1.0);
            let a = &mut self.agents[queue][agent];
            a.state = AgentState::Busy;
            a.call = Some(caller);
            let name = a.name.clone();
            let (hold_s, caller_number) = (hold_s.to_string(), caller.to_string());
            let data = [hold_s.as_str(), &caller_number, "0"];
            self.write(at, &callid(caller), queue, &name, &Verb::Connect, &data);
            self.schedule(
                at + (handle * 1000.0).round() as u64,
                Happening::ServiceEnd { queue, agent },
            );
        }
    }

    fn settle_ghosts_if_idle(&mut self, at: Timestamp, queue: usize) {
        if self.agents[queue].iter().any(|a| a.state == AgentState::Idle) {
            self.settle_ghosts(at, queue);
        }
    }

    fn service_end(&mut self, at: Timestamp, queue: usize, agent: usize) {
        let Some(caller) = self.agents[queue][agent].call else {
            return;
        };
        let c = self.callers[caller];
        let talk_s = (at - c.arrived_at - c.waited_ms) / 1000;
        let name = self.agents[queue][agent].name.clone();
        let hold_s = c.waited_ms / 1000;
        // Who hangs up first is a coin toss; the figures do not depend on it.
        let verb =
            if self.rng.uniform() < 0.5 { Verb::CompleteCaller } else { Verb::CompleteAgent };
        let (hold_s, talk_s) = (hold_s.to_string(), talk_s.to_string());
        self.write(at, &callid(caller), queue, &name, &verb, &[&hold_s, &talk_s, "1"]);
        self.free(at, queue, agent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use callboard_core::calendar::{DstRule, UtcOffset};

    fn calendar() -> SiteCalendar {
        SiteCalendar::new(UtcOffset::from_minutes(-300).unwrap(), DstRule::None).unwrap()
    }

    fn plan(seed: u64) -> DayPlan {
        DayPlan {
            date: LocalDate::new(2026, 11, 23).unwrap(),
            open_s: 8 * 3600,
            close_s: 20 * 3600,
            seed,
            queues: vec![QueuePlan {
                name: "STREETS".into(),
                calls_per_hour: vec![60.0, 90.0, 120.0, 100.0],
                agents: vec![5, 7, 9, 8],
                surge: Some(Surge { start_s: 14 * 3600, end_s: 15 * 3600, factor: 2.0 }),
                handle: HandleTime::LogNormal { mean_s: 240.0, cv: 0.8 },
                patience_s: Some(180.0),
                breaks: true,
            }],
        }
    }

    #[test]
    fn a_seed_gives_the_same_day_and_another_seed_another() {
        let a = simulate(&plan(7), &calendar()).unwrap();
        let b = simulate(&plan(7), &calendar()).unwrap();
        let c = simulate(&plan(8), &calendar()).unwrap();
        assert_eq!(a.queue_log, b.queue_log);
        assert_ne!(a.queue_log, c.queue_log);
        assert!(a.callers.len() > 1000, "{}", a.callers.len());
    }

    #[test]
    fn every_caller_is_answered_or_abandons_and_ghosts_wait_at_least_their_patience() {
        let day = simulate(&plan(3), &calendar()).unwrap();
        let abandoned = day.callers.iter().filter(|c| !c.answered).count();
        assert!(abandoned > 0);
        for c in &day.callers {
            let potential = c.potential_wait_ms.expect("every ghost is settled by closing");
            if c.answered {
                assert_eq!(potential, c.waited_ms);
            } else {
                assert!(potential >= c.waited_ms, "{c:?}");
            }
        }
        // The log has one line per arrival and one outcome per caller, and agent lines.
        let count = |verb: &str| day.queue_log.lines().filter(|l| l.contains(verb)).count();
        assert_eq!(count("|ENTERQUEUE|"), day.callers.len());
        assert_eq!(count("|CONNECT|") + count("|ABANDON|"), day.callers.len());
        assert_eq!(count("|COMPLETE"), count("|CONNECT|"));
        assert_eq!(count("|ADDMEMBER|"), count("|REMOVEMEMBER|"));
        assert_eq!(count("|PAUSE|"), count("|UNPAUSE|"));
        assert!(count("|PAUSE|") > 10);
        // Time order.
        let times: Vec<f64> =
            day.queue_log.lines().map(|l| l.split('|').next().unwrap().parse().unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn the_surge_brings_more_calls_in_its_hour() {
        let day = simulate(&plan(11), &calendar()).unwrap();
        let start = calendar().day_start(plan(11).date);
        let in_hour =
            |h: u64| day.callers.iter().filter(|c| (c.arrived_at - start) / 3_600_000 == h).count();
        // 100 an hour, doubled from 14:00 to 15:00.
        assert!(in_hour(14) > in_hour(13) + 50, "{} vs {}", in_hour(14), in_hour(13));
    }

    #[test]
    fn plans_that_cannot_run_are_refused() {
        let mut p = plan(1);
        p.queues[0].handle = HandleTime::Exponential { mean_s: 0.0 };
        assert!(simulate(&p, &calendar()).is_err());
        let mut p = plan(1);
        p.close_s = p.open_s;
        assert!(simulate(&p, &calendar()).is_err());
        let mut p = plan(1);
        p.queues.clear();
        assert!(simulate(&p, &calendar()).is_err());
        let mut p = plan(1);
        p.queues[0].calls_per_hour = vec![f64::NAN];
        assert!(simulate(&p, &calendar()).is_err());
    }
}
