//! # What a reader board shows
//!
//! On the contact-center floor, LED reader boards show each queue's calls waiting, the oldest
//! call's wait, the expected wait, the service level against its target and the agents free,
//! plus yesterday's survey CSAT, an announcement line (a storm, an outage) and whether the
//! center is open. A [`BoardFrame`] is exactly that content, built from the engine's live state
//! by [`BoardFrame::from_center`] so that a board shows the engine's numbers and nothing else.
//!
//! Every figure carries an [`Alert`] level from configurable [`AlertThresholds`], which a board
//! maps to colours (green, amber, red on a tri-colour board). A frame also says when its data
//! was valid and for how long (`ttl_s`): a board that hears nothing newer within that time
//! must stop showing numbers.
//!
//! A frame may also carry the service agreements with the city's departments, a
//! [`SlaLine`] each ("SANITATION SLA 93% · 4 breached"), built from an [`SlaTracker`]'s
//! [`SlaSummary`] by [`SlaLine::from_summary`] (or [`SlaLine::for_agreement`], a department
//! over the last days): the same figures `callboard sla report` and the C API give. Whether the
//! center is open comes from its hours, a [`BusinessCalendar`] ([`Opening::by_hours`]).
//!
//! Figures are integers on the board: seconds, tenths of a percent (permille), hundredths of a
//! score. Sizes are fixed: [`QUEUES_PER_FRAME`] queues, [`SLA_LINES_PER_FRAME`] agreements,
//! labels of [`LABEL_BYTES`] bytes, an announcement of [`ANNOUNCEMENT_BYTES`] bytes (UTF-8).
//!

use heapless::{String, Vec};

use crate::Center;
use crate::business::BusinessCalendar;
use crate::calendar::{SiteCalendar, Timestamp, Weekday};
use crate::center::ReadError;
use crate::csat::{CsatFigureKind, CsatValue, PreviousDayCsat};
use crate::event::QueueId;
use crate::service_level::ServiceLevelVariant;
use crate::sla::{DepartmentId, SlaFilter, SlaSummary, SlaTracker};

/// The most queues one frame carries; a board pages through them when they do not fit.
pub const QUEUES_PER_FRAME: usize = 8;
/// The longest queue label, in UTF-8 bytes.
pub const LABEL_BYTES: usize = 16;
/// The longest announcement, in UTF-8 bytes.
pub const ANNOUNCEMENT_BYTES: usize = 96;
/// The most service agreements (departments) one frame carries.
pub const SLA_LINES_PER_FRAME: usize = 8;

/// How urgent a figure is; boards colour it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Alert {
    /// Within target (green).
    #[default]
    Normal,
    /// Needs attention (amber).
    Warning,
    /// Act now (red).
    Alarm,
}

/// When figures turn amber and red.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct AlertThresholds {
    /// Calls waiting at or above this: warning.
    pub waiting_warning: u16,
    /// Calls waiting at or above this: alarm.
    pub waiting_alarm: u16,
    /// A wait (longest or expected) at or above this many seconds: warning.
    pub wait_warning_s: u32,
    /// A wait at or above this many seconds: alarm.
    pub wait_alarm_s: u32,
    /// Service level below target by more than this (permille): alarm; below target: warning.
    pub service_level_alarm_margin_permille: u16,
}

impl AlertThresholds {
    /// 5 and 10 calls waiting; waits of 60 s and 180 s; service level 10 points under target.
    pub const DEFAULT: Self = Self {
        waiting_warning: 5,
        waiting_alarm: 10,
        wait_warning_s: 60,
        wait_alarm_s: 180,
        service_level_alarm_margin_permille: 100,
    };

    fn at_least<T: PartialOrd>(value: T, warning: T, alarm: T) -> Alert {
        if value >= alarm {
            Alert::Alarm
        } else if value >= warning {
            Alert::Warning
        } else {
            Alert::Normal
        }
    }

    /// The alert for a wait (longest or expected) of `seconds`.
    #[must_use]
    pub fn wait(&self, seconds: u32) -> Alert {
        Self::at_least(seconds, self.wait_warning_s, self.wait_alarm_s)
    }

    /// The alert for a share `achieved` against its `target` (both permille): warning under
    /// the target, alarm more than the margin under it.
    fn below_target(&self, achieved: u16, target: u16) -> Alert {
        if achieved >= target {
            Alert::Normal
        } else if target.saturating_sub(achieved) > self.service_level_alarm_margin_permille {
            Alert::Alarm
        } else {
            Alert::Warning
        }
    }
}

impl Default for AlertThresholds {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Alert levels of one queue line's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct LineAlerts {
    /// Calls waiting.
    pub waiting: Alert,
    /// The oldest call's wait.
    pub longest_wait: Alert,
    /// The expected wait.
    pub expected_wait: Alert,
    /// The service level.
    pub service_level: Alert,
    /// Agents available: alarm when none is free and calls wait, warning when none is free.
    pub agents_available: Alert,
}

/// One queue on the board.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct QueueLine {
    /// What the board calls the queue ("STREETS").
    pub label: String<LABEL_BYTES>,
    /// Calls waiting now.
    pub waiting: u16,
    /// The oldest waiting call's wait in seconds, when a call waits.
    pub longest_wait_s: Option<u32>,
    /// The expected wait of a new caller in seconds, when an estimate is known.
    pub expected_wait_s: Option<u32>,
    /// Today's service level in permille, once a call counts.
    pub service_level_permille: Option<u16>,
    /// The service-level target in permille (800 for 80 %).
    pub service_level_target_permille: u16,
    /// The service-level threshold T in seconds.
    pub service_level_threshold_s: u16,
    /// Member agents ready and idle.
    pub agents_available: u16,
    /// Each figure's alert level.
    pub alerts: LineAlerts,
}

/// The previous day's CSAT as a board posts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum CsatLine {
    /// The mean score in hundredths (423 for 4.23) on a scale up to `scale_highest`.
    MeanScore {
        /// Mean score × 100.
        centi: u16,
        /// The scale's highest point.
        scale_highest: u8,
        /// Responses: the sample size.
        responses: u32,
    },
    /// The top-2-box share in permille.
    TopTwoBox {
        /// Share × 1000.
        permille: u16,
        /// Responses: the sample size.
        responses: u32,
    },
    /// Too few responses to post.
    NotEnoughResponses {
        /// Responses received.
        responses: u32,
        /// The minimum sample.
        minimum: u32,
    },
    /// No figure: no responses, or no clock yet.
    Unavailable,
}

/// Whether the center is taking calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Opening {
    /// Open.
    Open,
    /// Closed, reopening at this local time when known.
    Closed {
        /// The next opening.
        reopens: Option<Reopening>,
    },
}

impl Opening {
    /// Open or closed at `at` by the center's opening hours, with the next opening when closed
    /// (none for hours that never open).
    #[must_use]
    pub fn by_hours(hours: &BusinessCalendar, at: Timestamp) -> Self {
        if hours.is_open(at) {
            return Self::Open;
        }
        let reopens = hours.next_opening(at).ok().map(|next| Reopening::at(hours.site(), next));
        Self::Closed { reopens }
    }
}

/// When a closed center opens next, in the site's local time, as a board shows it.
///
/// Local, not an instant: a board has no calendar, and the night a center is closed is the
/// night the clocks change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Reopening {
    /// The day.
    pub weekday: Weekday,
    /// The hour, 0–23.
    pub hour: u8,
    /// The minute, 0–59.
    pub minute: u8,
}

impl Reopening {
    /// The opening at `at`, in the local time of `calendar`.
    #[must_use]
    pub fn at(calendar: &SiteCalendar, at: Timestamp) -> Self {
        let local = calendar.to_local(at);
        Self { weekday: local.date.weekday(), hour: local.hour(), minute: local.minute() }
    }
}

/// Alert levels of one service agreement's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SlaAlerts {
    /// Compliance against the goal: warning under it, alarm more than the thresholds'
    /// service-level margin under it.
    pub compliance: Alert,
    /// Requests open past their at-risk point: warning when there are any.
    pub at_risk: Alert,
    /// Requests open past their due instant: alarm when there are any.
    pub breached: Alert,
}

/// One department's service agreement on the board: "SANITATION SLA 93% · 4 breached".
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SlaLine {
    /// What the board calls the department ("SANITATION").
    pub label: String<LABEL_BYTES>,
    /// Requests closed within their target, per thousand closed in the host's period; none
    /// when nothing closed.
    pub compliance_permille: Option<u16>,
    /// The compliance the city agreed to, permille (900 for 90 %).
    pub goal_permille: u16,
    /// Requests open now past their at-risk point but not yet due.
    pub at_risk: u16,
    /// Requests open now past their due instant.
    pub breached: u16,
    /// Each figure's alert level.
    pub alerts: SlaAlerts,
}

impl SlaLine {
    /// The line for one department (or any slice of the tracker) from its `summary`, against a
    /// compliance goal of `goal_permille`, with alerts from `thresholds`. Counts above 65 535
    /// show as 65 535.
    ///
    /// # Errors
    /// [`BoardError::LabelTooLong`].
    pub fn from_summary(
        label: &str,
        summary: &SlaSummary,
        goal_permille: u16,
        thresholds: &AlertThresholds,
    ) -> Result<Self, BoardError> {
        let label = String::try_from(label).map_err(|_| BoardError::LabelTooLong)?;
        let compliance_permille = summary.compliance().map(permille);
        let at_risk = u16::try_from(summary.open_at_risk).unwrap_or(u16::MAX);
        let breached = u16::try_from(summary.open_breached).unwrap_or(u16::MAX);
        let alerts = SlaAlerts {
            compliance: compliance_permille
                .map_or(Alert::Normal, |achieved| thresholds.below_target(achieved, goal_permille)),
            at_risk: if at_risk > 0 { Alert::Warning } else { Alert::Normal },
            breached: if breached > 0 { Alert::Alarm } else { Alert::Normal },
        };
        Ok(Self { label, compliance_permille, goal_permille, at_risk, breached, alerts })
    }
}

/// A department's service agreement to put on a board, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardAgreement<'a> {
    /// The department.
    pub department: DepartmentId,
    /// Its label on the board (at most [`LABEL_BYTES`] bytes).
    pub label: &'a str,
    /// The compliance the city agreed to, permille.
    pub goal_permille: u16,
}

impl SlaLine {
    /// The line for `agreement` at `at`: the department's compliance over the `days` local days
    /// (by `site`) ending on `at`'s (1: today alone), and its requests open at risk and
    /// breached at `at`. A department the tracker has not seen has a line with no figures yet.
    ///
    /// # Errors
    /// [`BoardError::LabelTooLong`].
    pub fn for_agreement<const REQUESTS: usize, const KEYS: usize, const DAYS: usize>(
        tracker: &SlaTracker<REQUESTS, KEYS, DAYS>,
        site: &SiteCalendar,
        agreement: &BoardAgreement<'_>,
        days: u16,
        at: Timestamp,
        thresholds: &AlertThresholds,
    ) -> Result<Self, BoardError> {
        let to = site.local_date(at);
        let from = (1..days).fold(to, |day, _| day.previous());
        let filter = SlaFilter { department: Some(agreement.department), request_type: None };
        let summary = tracker.summary(filter, from, to, at);
        Self::from_summary(agreement.label, &summary, agreement.goal_permille, thresholds)
    }
}

/// Everything one board shows, valid at `valid_at` for `ttl_s` seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BoardFrame {
    /// The instant the figures describe, milliseconds since the epoch.
    pub valid_at: Timestamp,
    /// How long, in seconds, the figures may be shown without a newer frame.
    pub ttl_s: u16,
    /// The queues, in display order.
    pub queues: Vec<QueueLine, QUEUES_PER_FRAME>,
    /// Yesterday's CSAT.
    pub csat: CsatLine,
    /// A line of news for the floor; empty for none.
    pub announcement: String<ANNOUNCEMENT_BYTES>,
    /// Open or closed.
    pub opening: Opening,
    /// The service agreements with the city's departments, in display order; empty for none
    /// (and when left out of a JSON frame).
    #[cfg_attr(feature = "serde", serde(default))]
    pub sla: Vec<SlaLine, SLA_LINES_PER_FRAME>,
}

/// A queue to put on a board, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardQueue<'a> {
    /// The queue.
    pub queue: QueueId,
    /// Its label on the board (at most [`LABEL_BYTES`] bytes).
    pub label: &'a str,
    /// The service-level target, permille.
    pub service_level_target_permille: u16,
}

/// Why a frame could not be built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum BoardError {
    /// More than [`QUEUES_PER_FRAME`] queues.
    #[error("a frame carries at most 8 queues")]
    TooManyQueues,
    /// A queue the center does not have.
    #[error("unknown queue")]
    UnknownQueue,
    /// The center has no clock yet (no event applied).
    #[error("the center has no data yet")]
    NoData,
    /// A label longer than [`LABEL_BYTES`] bytes.
    #[error("a queue label is longer than 16 bytes")]
    LabelTooLong,
    /// An announcement longer than [`ANNOUNCEMENT_BYTES`] bytes.
    #[error("the announcement is longer than 96 bytes")]
    AnnouncementTooLong,
    /// More than [`SLA_LINES_PER_FRAME`] service agreements.
    #[error("a frame carries at most 8 service agreements")]
    TooManySlaLines,
}

/// Rounds a share in [0, 1] to permille.
fn permille(share: f64) -> u16 {
    // In range by construction: a share times 1000, rounded, clamped.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let value = libm::round(share.clamp(0.0, 1.0) * 1000.0) as u16;
    value
}

fn seconds(ms: u64) -> u32 {
    u32::try_from(ms / 1000).unwrap_or(u32::MAX)
}

impl CsatLine {
    /// The board's line for the previous day's CSAT, `None` for no clock yet.
    #[must_use]
    pub fn from_previous_day(csat: Option<PreviousDayCsat>, scale_highest: u8) -> Self {
        let Some(csat) = csat else { return Self::Unavailable };
        match (csat.value, csat.kind) {
            (CsatValue::Available(value), CsatFigureKind::MeanScore) => {
                // A mean score on a scale of at most 255 points, times 100, fits.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let centi = libm::round(value.clamp(0.0, 655.0) * 100.0) as u16;
                Self::MeanScore { centi, scale_highest, responses: csat.responses }
            }
            (CsatValue::Available(value), CsatFigureKind::TopTwoBox) => {
                Self::TopTwoBox { permille: permille(value), responses: csat.responses }
            }
            (CsatValue::BelowMinimumSample { minimum }, _) => {
                Self::NotEnoughResponses { responses: csat.responses, minimum }
            }
            (CsatValue::NoResponses, _) => Self::Unavailable,
        }
    }
}

impl BoardFrame {
    /// A frame with nothing on it — valid at the epoch for no time, no queues, no CSAT, no
    /// announcement, open, no agreements — for a board's inbox before the host's first frame.
    pub const EMPTY: Self = Self {
        valid_at: 0,
        ttl_s: 0,
        queues: Vec::new(),
        csat: CsatLine::Unavailable,
        announcement: String::new(),
        opening: Opening::Open,
        sla: Vec::new(),
    };

    /// The frame for `queues` as the center stands now, with today's service level in
    /// `variant`, alerts from `thresholds`, valid for `ttl_s` seconds.
    ///
    /// # Errors
    /// [`BoardError::TooManyQueues`], [`BoardError::UnknownQueue`], [`BoardError::NoData`],
    /// [`BoardError::LabelTooLong`], [`BoardError::AnnouncementTooLong`].
    #[allow(clippy::too_many_arguments)]
    pub fn from_center<
        const QUEUES: usize,
        const CALLS: usize,
        const AGENTS: usize,
        const INTERVALS: usize,
        const DAYS: usize,
    >(
        center: &Center<QUEUES, CALLS, AGENTS, INTERVALS, DAYS>,
        queues: &[BoardQueue<'_>],
        variant: ServiceLevelVariant,
        thresholds: &AlertThresholds,
        ttl_s: u16,
        announcement: &str,
        opening: Opening,
    ) -> Result<Self, BoardError> {
        if queues.len() > QUEUES_PER_FRAME {
            return Err(BoardError::TooManyQueues);
        }
        let valid_at = center.now().ok_or(BoardError::NoData)?;
        let mut lines = Vec::new();
        for wanted in queues {
            let snapshot = center.snapshot(wanted.queue).map_err(|e| match e {
                ReadError::UnknownQueue => BoardError::UnknownQueue,
                _ => BoardError::NoData,
            })?;
            let label = String::try_from(wanted.label).map_err(|_| BoardError::LabelTooLong)?;
            let waiting = u16::try_from(snapshot.waiting).unwrap_or(u16::MAX);
            let longest_wait_s = snapshot.longest_wait_ms.map(seconds);
            let expected_wait_s = snapshot.expected_wait_ms.map(seconds);
            let service_level = snapshot.today_stats.stats.service_level(variant).map(permille);
            let agents_available = u16::try_from(snapshot.agents.available).unwrap_or(u16::MAX);
            let target = wanted.service_level_target_permille;
            let alerts = LineAlerts {
                waiting: AlertThresholds::at_least(
                    waiting,
                    thresholds.waiting_warning,
                    thresholds.waiting_alarm,
                ),
                longest_wait: longest_wait_s.map_or(Alert::Normal, |wait| thresholds.wait(wait)),
                expected_wait: expected_wait_s.map_or(Alert::Normal, |wait| thresholds.wait(wait)),
                service_level: service_level
                    .map_or(Alert::Normal, |achieved| thresholds.below_target(achieved, target)),
                agents_available: match (agents_available, waiting) {
                    (0, 0) => Alert::Warning,
                    (0, _) => Alert::Alarm,
                    _ => Alert::Normal,
                },
            };
            let line = QueueLine {
                label,
                waiting,
                longest_wait_s,
                expected_wait_s,
                service_level_permille: service_level,
                service_level_target_permille: target,
                service_level_threshold_s: u16::try_from(
                    snapshot.service_level_threshold_ms / 1000,
                )
                .unwrap_or(u16::MAX),
                agents_available,
                alerts,
            };
            lines.push(line).map_err(|_| BoardError::TooManyQueues)?;
        }
        let scale_highest = center.config().csat.scale.highest();
        Ok(Self {
            valid_at,
            ttl_s,
            queues: lines,
            csat: CsatLine::from_previous_day(center.previous_day_csat(), scale_highest),
            announcement: String::try_from(announcement)
                .map_err(|_| BoardError::AnnouncementTooLong)?,
            opening,
            sla: Vec::new(),
        })
    }

    /// Adds a service agreement's line after those already on the frame.
    ///
    /// # Errors
    /// [`BoardError::TooManySlaLines`], leaving the frame as it was.
    pub fn add_sla(&mut self, line: SlaLine) -> Result<(), BoardError> {
        self.sla.push(line).map_err(|_| BoardError::TooManySlaLines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AgentId, CallId};
    use crate::{CenterConfig, Event, EventKind, QueueConfig};

    const T0: Timestamp = 1_795_420_800_000;

    #[test]
    fn a_frame_shows_the_engines_numbers() {
        let mut center: Center<2, 16, 8, 8, 4> = Center::new(CenterConfig::DEFAULT);
        let streets = QueueId(311);
        center.add_queue(streets, QueueConfig::default()).unwrap();
        let mut apply = |at, kind| center.apply(&Event::new(at, kind)).unwrap();
        apply(T0, EventKind::AgentJoinedQueue { agent: AgentId(1), queue: streets });
        for call in 1..=6 {
            apply(
                T0 + call * 1000,
                EventKind::CallEntered { call: CallId(call), queue: streets, priority: 0 },
            );
        }
        apply(T0 + 7_000, EventKind::CallAnswered { call: CallId(1), agent: None });
        center.advance_to(T0 + 200_000).unwrap();

        let queues =
            [BoardQueue { queue: streets, label: "STREETS", service_level_target_permille: 800 }];
        let frame = BoardFrame::from_center(
            &center,
            &queues,
            ServiceLevelVariant::Answered,
            &AlertThresholds::DEFAULT,
            30,
            "Storm: expect delays",
            Opening::Open,
        )
        .unwrap();
        let line = &frame.queues[0];
        assert_eq!((line.waiting, line.longest_wait_s), (5, Some(198)));
        assert_eq!(line.alerts.waiting, Alert::Warning);
        assert_eq!(line.alerts.longest_wait, Alert::Alarm);
        // One call answered within 20 s; five still waiting past 20 s already count as missed.
        assert_eq!(line.service_level_permille, Some(167));
        assert_eq!(line.alerts.service_level, Alert::Alarm);
        assert_eq!(line.alerts.agents_available, Alert::Alarm);
        assert_eq!(frame.csat, CsatLine::Unavailable);
        assert_eq!(frame.valid_at, T0 + 200_000);
        assert_eq!(frame.announcement.as_str(), "Storm: expect delays");

        let too_long = BoardQueue { label: "A LABEL LONGER THAN SIXTEEN", ..queues[0] };
        let error = BoardFrame::from_center(
            &center,
            &[too_long],
            ServiceLevelVariant::Answered,
            &AlertThresholds::DEFAULT,
            30,
            "",
            Opening::Open,
        );
        assert_eq!(error, Err(BoardError::LabelTooLong));
    }

    #[test]
    fn a_board_is_open_by_the_centers_hours() {
        use crate::business::{OpenSpan, WeekHours};
        // 08:00-20:00 on weekdays, UTC; T0 is Monday 2026-11-23 08:00.
        const HOUR: u64 = 3_600_000;
        let monday = T0 - 8 * HOUR;
        let week = WeekHours::weekdays(OpenSpan::new(8 * 60, 20 * 60).unwrap());
        let hours = BusinessCalendar::new(SiteCalendar::UTC, week);
        assert_eq!(Opening::by_hours(&hours, T0), Opening::Open);
        let monday_8 = Reopening { weekday: Weekday::Monday, hour: 8, minute: 0 };
        assert_eq!(Opening::by_hours(&hours, monday), Opening::Closed { reopens: Some(monday_8) });
        // Friday 20:00 (closing time is closed): Monday 08:00.
        let friday_close = monday + (4 * 24 + 20) * HOUR;
        assert_eq!(
            Opening::by_hours(&hours, friday_close),
            Opening::Closed { reopens: Some(monday_8) }
        );
        let never = BusinessCalendar::new(SiteCalendar::UTC, WeekHours::closed());
        assert_eq!(Opening::by_hours(&never, T0), Opening::Closed { reopens: None });
    }

    #[test]
    fn an_sla_line_shows_the_trackers_figures() {
        use crate::business::BusinessCalendar;
        use crate::calendar::LocalDate;
        use crate::sla::{
            DepartmentId, RequestId, RequestType, SlaFilter, SlaPolicy, SlaTracker, Target,
        };

        const HOUR: u64 = 3_600_000;
        let sanitation = DepartmentId(1);
        let missed_pickup = RequestType(7);
        let mut tracker: SlaTracker<16, 4, 8> = SlaTracker::new();
        let clock = tracker.add_calendar(BusinessCalendar::always(SiteCalendar::UTC)).unwrap();
        let policy = SlaPolicy {
            request_type: missed_pickup,
            target: Target::CalendarMinutes(24 * 60),
            calendar: clock,
            at_risk_permille: 750,
        };
        tracker.add_policy(policy).unwrap();
        // T0 is 2026-11-23 00:00 UTC. Twelve requests closed within a day, one after 30 h;
        // one open for 20 h (past 18 h: at risk), two open for 26 h (breached).
        for id in 0..13 {
            tracker.open(RequestId(id), missed_pickup, sanitation, T0).unwrap();
            let took = if id == 12 { 30 * HOUR } else { 2 * HOUR };
            tracker.close(RequestId(id), T0 + took).unwrap();
        }
        let now = T0 + 40 * HOUR;
        tracker.open(RequestId(20), missed_pickup, sanitation, now - 20 * HOUR).unwrap();
        tracker.open(RequestId(21), missed_pickup, sanitation, now - 26 * HOUR).unwrap();
        tracker.open(RequestId(22), missed_pickup, sanitation, now - 26 * HOUR).unwrap();
        let day = LocalDate::new(2026, 11, 23).unwrap();
        let summary = tracker.summary(SlaFilter::default(), day, day.next(), now);

        let thresholds = AlertThresholds::DEFAULT;
        let line = SlaLine::from_summary("SANITATION", &summary, 900, &thresholds).unwrap();
        // 12 of 13 met: 923 ‰, above the 90 % goal.
        assert_eq!(line.compliance_permille, Some(923));
        assert_eq!((line.at_risk, line.breached), (1, 2));
        let expected = SlaAlerts {
            compliance: Alert::Normal,
            at_risk: Alert::Warning,
            breached: Alert::Alarm,
        };
        assert_eq!(line.alerts, expected);
        // Against a 95 % goal it is 2.7 points under: a warning (the default alarm margin is
        // 10 points). Against 100 % with a 5-point margin it is 7.7 points under: an alarm.
        let warning = SlaLine::from_summary("SANITATION", &summary, 950, &thresholds).unwrap();
        assert_eq!(warning.alerts.compliance, Alert::Warning);
        let strict = AlertThresholds { service_level_alarm_margin_permille: 50, ..thresholds };
        let alarm = SlaLine::from_summary("SANITATION", &summary, 1000, &strict).unwrap();
        assert_eq!(alarm.alerts.compliance, Alert::Alarm);
        // Nothing closed in the period (the day before): no compliance, and no colour for it.
        let before = tracker.summary(SlaFilter::default(), day.previous(), day.previous(), now);
        let empty = SlaLine::from_summary("SANITATION", &before, 900, &thresholds).unwrap();
        assert_eq!(empty.compliance_permille, None);
        assert_eq!(empty.alerts.compliance, Alert::Normal);
        assert_eq!(
            SlaLine::from_summary("DEPARTMENT OF SANITATION", &summary, 900, &thresholds),
            Err(BoardError::LabelTooLong)
        );

        // The same line for the department over the three days ending on `now`'s (the 23rd to
        // the 25th, midnight), by agreement;
        // a department the tracker has never seen has no figures.
        let agreement =
            BoardAgreement { department: sanitation, label: "SANITATION", goal_permille: 900 };
        let site = SiteCalendar::UTC;
        let by_agreement =
            SlaLine::for_agreement(&tracker, &site, &agreement, 3, now, &thresholds).unwrap();
        assert_eq!(by_agreement, line);
        let parks = BoardAgreement { department: DepartmentId(9), label: "PARKS", ..agreement };
        let unseen = SlaLine::for_agreement(&tracker, &site, &parks, 3, now, &thresholds).unwrap();
        assert_eq!((unseen.compliance_permille, unseen.at_risk, unseen.breached), (None, 0, 0));

        // A frame takes at most eight, and a refusal leaves it as it was.
        let mut frame = BoardFrame { valid_at: now, ttl_s: 30, ..BoardFrame::EMPTY };
        for _ in 0..SLA_LINES_PER_FRAME {
            frame.add_sla(line.clone()).unwrap();
        }
        let full = frame.clone();
        assert_eq!(frame.add_sla(line), Err(BoardError::TooManySlaLines));
        assert_eq!(frame, full);
    }
}
