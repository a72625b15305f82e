//! Reader boards for C: what a board shows (`cb_board_frame`), built from a center's live state
//! by the core's `BoardFrame::from_center`, exactly as `callboard board` builds it, so a board a
//! switch drives shows the engine's numbers and nothing else. The frame's bytes on the line are
//! `cb_wire_*`'s (the `wire` module).
//!
//! A switch describes each board once (`cb_board_config`: the queues in order, with labels and
//! targets; the service level shown; the announcement; open, closed or by opening hours; the
//! departments' agreements; the board's settings) and builds a frame from it whenever the board
//! is due one. Strings are NUL-terminated UTF-8 in fixed arrays, so a description and a frame
//! are plain C values with no pointers to keep alive.

use core::ffi::c_char;

use callboard_core::board::{
    ANNOUNCEMENT_BYTES, Alert, AlertThresholds, BoardAgreement, BoardError, BoardFrame, BoardQueue,
    CsatLine, LABEL_BYTES, LineAlerts, Opening, QUEUES_PER_FRAME, QueueLine, Reopening,
    SLA_LINES_PER_FRAME, SlaAlerts, SlaLine,
};
use callboard_core::calendar::Weekday;
use callboard_core::event::QueueId;
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::sla::DepartmentId;
use callboard_core::wire::BoardSettings;

use crate::boundary::{Handle, borrow, c_codes, check_out, guard, write_out};
use crate::cb_status;
use crate::center::cb_center;
use crate::sla::{SLA_DAYS, calendar_of, cb_business_calendar, cb_sla_tracker};
use crate::status::*;

/// The most queues a frame carries; a board pages through them when they do not fit.
pub const CB_BOARD_QUEUES: usize = 8;
/// The longest label (queue or department), in UTF-8 bytes, its NUL not counted.
pub const CB_BOARD_LABEL_BYTES: usize = 16;
/// A label's array: `CB_BOARD_LABEL_BYTES` and the NUL.
pub const CB_BOARD_LABEL_SIZE: usize = 17;
/// The longest announcement, in UTF-8 bytes, its NUL not counted.
pub const CB_BOARD_ANNOUNCEMENT_BYTES: usize = 96;
/// The announcement's array: `CB_BOARD_ANNOUNCEMENT_BYTES` and the NUL.
pub const CB_BOARD_ANNOUNCEMENT_SIZE: usize = 97;
/// The most departments' agreements a frame carries.
pub const CB_BOARD_AGREEMENTS: usize = 8;

// Written out for cbindgen; the core's sizes are the truth.
const _: () = assert!(
    CB_BOARD_QUEUES == QUEUES_PER_FRAME
        && CB_BOARD_LABEL_BYTES == LABEL_BYTES
        && CB_BOARD_LABEL_SIZE == LABEL_BYTES + 1
        && CB_BOARD_ANNOUNCEMENT_BYTES == ANNOUNCEMENT_BYTES
        && CB_BOARD_ANNOUNCEMENT_SIZE == ANNOUNCEMENT_BYTES + 1
        && CB_BOARD_AGREEMENTS == SLA_LINES_PER_FRAME
);

/// How urgent a figure is; a board colours it (green, amber, red).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_alert {
    /// Within target.
    CB_ALERT_NORMAL = 0,
    /// Needs attention.
    CB_ALERT_WARNING = 1,
    /// Act now.
    CB_ALERT_ALARM = 2,
}

c_codes!(cb_alert { CB_ALERT_NORMAL, CB_ALERT_WARNING, CB_ALERT_ALARM });

/// Which service level a board shows (the definitions are on `cb_period`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_sl_variant {
    /// Answered within T / answered (`cb_period.sl_answered`).
    CB_SL_ANSWERED = 0,
    /// Answered within T / (answered + net abandoned + dequeued) (`sl_offered`).
    CB_SL_OFFERED = 1,
    /// Answered within T / (net offered - abandoned within T) (`sl_abandons_ignored`).
    CB_SL_ABANDONS_IGNORED = 2,
    /// (Answered + abandoned within T) / net offered (`sl_abandons_positive`).
    CB_SL_ABANDONS_POSITIVE = 3,
}

c_codes!(cb_sl_variant {
    CB_SL_ANSWERED,
    CB_SL_OFFERED,
    CB_SL_ABANDONS_IGNORED,
    CB_SL_ABANDONS_POSITIVE
});

/// Whether a board shows the center open (`cb_board_config.opening`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_board_opening {
    /// Open, whatever the hour.
    CB_BOARD_OPEN = 0,
    /// Closed, with no reopening shown (a holiday, an emergency closure).
    CB_BOARD_CLOSED = 1,
    /// By `cb_board_config.hours`: open within them; outside them closed, showing when the
    /// center reopens.
    CB_BOARD_BY_HOURS = 2,
}

c_codes!(cb_board_opening { CB_BOARD_OPEN, CB_BOARD_CLOSED, CB_BOARD_BY_HOURS });

/// What a frame's CSAT line holds (`cb_board_csat.kind`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_board_csat_kind {
    /// No figure: no responses yesterday, or no clock yet.
    CB_BOARD_CSAT_UNAVAILABLE = 0,
    /// The mean score: `value` is the score × 100 (423 for 4.23) on a scale up to
    /// `scale_highest`.
    CB_BOARD_CSAT_MEAN_SCORE = 1,
    /// The top-two-box share: `value` in permille.
    CB_BOARD_CSAT_TOP_TWO_BOX = 2,
    /// Fewer than `minimum` responses: no figure posted.
    CB_BOARD_CSAT_NOT_ENOUGH_RESPONSES = 3,
}

c_codes!(cb_board_csat_kind {
    CB_BOARD_CSAT_UNAVAILABLE,
    CB_BOARD_CSAT_MEAN_SCORE,
    CB_BOARD_CSAT_TOP_TWO_BOX,
    CB_BOARD_CSAT_NOT_ENOUGH_RESPONSES
});

/// When figures turn amber and red. A warning level must not exceed its alarm level.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cb_alert_thresholds {
    /// Calls waiting at or above this: warning.
    pub waiting_warning: u16,
    /// Calls waiting at or above this: alarm.
    pub waiting_alarm: u16,
    /// A wait (longest or expected) of at least this many seconds: warning.
    pub wait_warning_s: u32,
    /// A wait of at least this many seconds: alarm.
    pub wait_alarm_s: u32,
    /// A share more than this many permille under its target: alarm; under it: warning.
    pub service_level_alarm_margin_permille: u16,
}

/// A board's own settings (`cb_wire_encode_configure`): brightness, paging, and the thresholds
/// it applies to what it derives itself (waits ageing between frames). The same thresholds
/// colour the frames `cb_board_frame_from_center` builds, so host and board agree.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct cb_board_settings {
    /// LED brightness, 0 (off) to 255 (full).
    pub brightness: u8,
    /// Seconds each page shows when the queues do not fit on one screen; at least 1.
    pub page_seconds: u8,
    /// Alert thresholds.
    pub thresholds: cb_alert_thresholds,
}

/// A queue on a board.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_board_queue {
    /// The queue (as added with `cb_center_add_queue`).
    pub queue: u32,
    /// Its label: NUL-terminated UTF-8, at most `CB_BOARD_LABEL_BYTES` bytes before the NUL.
    pub label: [c_char; CB_BOARD_LABEL_SIZE],
    /// The service-level target, permille (800 for 80 %), 0 to 1000.
    pub service_level_target_permille: u16,
}

/// A department's service agreement on a board.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_board_agreement {
    /// The department (as passed to `cb_sla_open`).
    pub department: u32,
    /// Its label: NUL-terminated UTF-8, at most `CB_BOARD_LABEL_BYTES` bytes before the NUL.
    pub label: [c_char; CB_BOARD_LABEL_SIZE],
    /// The compliance agreed to, permille (900 for 90 %), 0 to 1000.
    pub goal_permille: u16,
}

/// What a board shows, described once; `cb_board_config_default` fills in an empty board.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_board_config {
    /// Queues used in `queues`, 0 to `CB_BOARD_QUEUES`.
    pub queue_count: u32,
    /// The queues, in display order.
    pub queues: [cb_board_queue; CB_BOARD_QUEUES],
    /// The service level shown (`cb_sl_variant`): today's, by that definition.
    pub sl_variant: u32,
    /// Seconds a frame may be shown without a newer one; a board then stops showing numbers.
    pub ttl_s: u16,
    /// A line of news for the floor ("Storm: expect delays"): NUL-terminated UTF-8, at most
    /// `CB_BOARD_ANNOUNCEMENT_BYTES` bytes before the NUL; empty for none.
    pub announcement: [c_char; CB_BOARD_ANNOUNCEMENT_SIZE],
    /// Open, closed, or by `hours` (`cb_board_opening`).
    pub opening: u32,
    /// The center's opening hours, for `CB_BOARD_BY_HOURS` (ignored otherwise). Holidays: set
    /// `opening` to `CB_BOARD_CLOSED` for the day.
    pub hours: cb_business_calendar,
    /// Agreements used in `agreements`, 0 to `CB_BOARD_AGREEMENTS`; shown only when a tracker
    /// is passed to `cb_board_frame_from_center`.
    pub agreement_count: u32,
    /// The departments' agreements, in display order.
    pub agreements: [cb_board_agreement; CB_BOARD_AGREEMENTS],
    /// The days an agreement's compliance covers, ending on the frame's local day (1: today
    /// alone), 1 to the tracker's 100.
    pub agreement_days: u32,
    /// The board's settings; their thresholds colour the frame.
    pub settings: cb_board_settings,
}

/// One queue's line on a board.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_board_line {
    /// The label: NUL-terminated UTF-8.
    pub label: [c_char; CB_BOARD_LABEL_SIZE],
    /// Calls waiting now.
    pub waiting: u16,
    /// Whether a call waits (and `longest_wait_s` is its wait).
    pub has_longest_wait: bool,
    /// The oldest waiting call's wait, seconds.
    pub longest_wait_s: u32,
    /// Whether an expected wait is known.
    pub has_expected_wait: bool,
    /// A new caller's expected wait, seconds (`CB_WAIT_DEFAULT`).
    pub expected_wait_s: u32,
    /// Whether today's service level is defined (a call counts).
    pub has_service_level: bool,
    /// Today's service level, permille.
    pub service_level_permille: u16,
    /// The target, permille.
    pub service_level_target_permille: u16,
    /// The threshold T, seconds.
    pub service_level_threshold_s: u16,
    /// Member agents ready and idle.
    pub agents_available: u16,
    /// `cb_alert` of `waiting`.
    pub alert_waiting: u32,
    /// `cb_alert` of `longest_wait_s`.
    pub alert_longest_wait: u32,
    /// `cb_alert` of `expected_wait_s`.
    pub alert_expected_wait: u32,
    /// `cb_alert` of the service level against its target.
    pub alert_service_level: u32,
    /// `cb_alert` of `agents_available`: alarm when none is free and calls wait, warning when
    /// none is free.
    pub alert_agents_available: u32,
}

/// Yesterday's CSAT as a board posts it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_board_csat {
    /// `cb_board_csat_kind`.
    pub kind: u32,
    /// The mean score × 100, or the top-two-box share in permille (0 to 1000); 0 otherwise.
    pub value: u16,
    /// For a mean score: the scale's highest point.
    pub scale_highest: u8,
    /// Responses: the sample size.
    pub responses: u32,
    /// For too few responses: the minimum sample.
    pub minimum: u32,
}

/// One department's agreement on a board: "SANITATION SLA 93% · 4 breached".
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_board_sla_line {
    /// The label: NUL-terminated UTF-8.
    pub label: [c_char; CB_BOARD_LABEL_SIZE],
    /// Whether a request closed in the period (and `compliance_permille` is defined).
    pub has_compliance: bool,
    /// Requests closed within their target per thousand closed in the period.
    pub compliance_permille: u16,
    /// The compliance agreed to, permille.
    pub goal_permille: u16,
    /// Requests open past their at-risk point, not yet due.
    pub at_risk: u16,
    /// Requests open past their due instant.
    pub breached: u16,
    /// `cb_alert` of the compliance against the goal.
    pub alert_compliance: u32,
    /// `cb_alert` of `at_risk`: warning when there are any.
    pub alert_at_risk: u32,
    /// `cb_alert` of `breached`: alarm when there are any.
    pub alert_breached: u32,
}

/// Everything one board shows, valid at `valid_at_ms` for `ttl_s` seconds: what
/// `cb_board_frame_from_center` writes and `cb_wire_encode_display` sends.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cb_board_frame {
    /// The instant the figures describe, ms since the epoch.
    pub valid_at_ms: u64,
    /// Seconds the figures may be shown without a newer frame.
    pub ttl_s: u16,
    /// Lines used in `queues`.
    pub queue_count: u32,
    /// The queues, in display order.
    pub queues: [cb_board_line; CB_BOARD_QUEUES],
    /// Yesterday's CSAT.
    pub csat: cb_board_csat,
    /// The announcement: NUL-terminated UTF-8; empty for none.
    pub announcement: [c_char; CB_BOARD_ANNOUNCEMENT_SIZE],
    /// Whether the center is closed (the board shows its closed screen).
    pub closed: bool,
    /// When closed: whether the next opening is known.
    pub has_reopening: bool,
    /// The next opening's weekday, 0 (Monday) to 6 (Sunday), local time.
    pub reopens_weekday: u8,
    /// Its hour, 0 to 23.
    pub reopens_hour: u8,
    /// Its minute, 0 to 59.
    pub reopens_minute: u8,
    /// Lines used in `sla`.
    pub sla_count: u32,
    /// The departments' agreements, in display order.
    pub sla: [cb_board_sla_line; CB_BOARD_AGREEMENTS],
}

/// The text of a NUL-terminated UTF-8 array of at most `N` bytes before its NUL.
pub(crate) fn c_text<const N: usize>(chars: &[c_char]) -> Result<heapless::String<N>, cb_status> {
    let mut bytes = heapless::Vec::<u8, N>::new();
    for &c in chars {
        // A C char is a byte, signed or not.
        #[allow(clippy::cast_sign_loss)]
        let byte = c as u8;
        if byte == 0 {
            return heapless::String::from_utf8(bytes).map_err(|_| CB_STATUS_INVALID_ARGUMENT);
        }
        bytes.push(byte).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    }
    Err(CB_STATUS_INVALID_ARGUMENT)
}

/// `text` as a NUL-terminated array; `text` fits (its capacity is below `M`).
fn to_c<const M: usize>(text: &str) -> [c_char; M] {
    let mut out = [0; M];
    for (slot, &byte) in out.iter_mut().zip(text.as_bytes()) {
        // A byte as a C char, signed or not.
        #[allow(clippy::cast_possible_wrap)]
        let c = byte as c_char;
        *slot = c;
    }
    out
}

fn permille(value: u16) -> Result<u16, cb_status> {
    if value <= 1000 { Ok(value) } else { Err(CB_STATUS_INVALID_ARGUMENT) }
}

fn alert_code(alert: Alert) -> u32 {
    let code = match alert {
        Alert::Normal => cb_alert::CB_ALERT_NORMAL,
        Alert::Warning => cb_alert::CB_ALERT_WARNING,
        Alert::Alarm => cb_alert::CB_ALERT_ALARM,
    };
    code as u32
}

fn alert_of(code: u32) -> Result<Alert, cb_status> {
    Ok(match cb_alert::from_code(code).ok_or(CB_STATUS_INVALID_ARGUMENT)? {
        cb_alert::CB_ALERT_NORMAL => Alert::Normal,
        cb_alert::CB_ALERT_WARNING => Alert::Warning,
        cb_alert::CB_ALERT_ALARM => Alert::Alarm,
    })
}

impl From<&AlertThresholds> for cb_alert_thresholds {
    fn from(t: &AlertThresholds) -> Self {
        Self {
            waiting_warning: t.waiting_warning,
            waiting_alarm: t.waiting_alarm,
            wait_warning_s: t.wait_warning_s,
            wait_alarm_s: t.wait_alarm_s,
            service_level_alarm_margin_permille: t.service_level_alarm_margin_permille,
        }
    }
}

/// A board's settings from C: pages of at least a second, warnings no later than alarms, a
/// margin of at most 1000 permille.
pub(crate) fn settings_of(s: &cb_board_settings) -> Result<BoardSettings, cb_status> {
    let t = &s.thresholds;
    let settings = BoardSettings {
        brightness: s.brightness,
        page_seconds: s.page_seconds,
        thresholds: AlertThresholds {
            waiting_warning: t.waiting_warning,
            waiting_alarm: t.waiting_alarm,
            wait_warning_s: t.wait_warning_s,
            wait_alarm_s: t.wait_alarm_s,
            service_level_alarm_margin_permille: permille(t.service_level_alarm_margin_permille)?,
        },
    };
    if settings.is_valid() { Ok(settings) } else { Err(CB_STATUS_INVALID_ARGUMENT) }
}

fn variant_of(code: u32) -> Result<ServiceLevelVariant, cb_status> {
    Ok(match cb_sl_variant::from_code(code).ok_or(CB_STATUS_INVALID_ARGUMENT)? {
        cb_sl_variant::CB_SL_ANSWERED => ServiceLevelVariant::Answered,
        cb_sl_variant::CB_SL_OFFERED => ServiceLevelVariant::Offered,
        cb_sl_variant::CB_SL_ABANDONS_IGNORED => ServiceLevelVariant::AbandonsIgnored,
        cb_sl_variant::CB_SL_ABANDONS_POSITIVE => ServiceLevelVariant::AbandonsPositive,
    })
}

/// A board description read and checked: everything but the center's and the tracker's parts.
struct Described {
    queues: heapless::Vec<(QueueId, heapless::String<LABEL_BYTES>, u16), QUEUES_PER_FRAME>,
    agreements:
        heapless::Vec<(DepartmentId, heapless::String<LABEL_BYTES>, u16), SLA_LINES_PER_FRAME>,
    variant: ServiceLevelVariant,
    announcement: heapless::String<ANNOUNCEMENT_BYTES>,
    opening: cb_board_opening,
    hours: Option<callboard_core::business::BusinessCalendar>,
    days: u16,
    settings: BoardSettings,
}

fn described(config: &cb_board_config) -> Result<Described, cb_status> {
    let count = |n: u32, capacity: usize| {
        usize::try_from(n).ok().filter(|&n| n <= capacity).ok_or(CB_STATUS_INVALID_ARGUMENT)
    };
    let mut queues = heapless::Vec::new();
    for q in config.queues.iter().take(count(config.queue_count, CB_BOARD_QUEUES)?) {
        let line =
            (QueueId(q.queue), c_text(&q.label)?, permille(q.service_level_target_permille)?);
        queues.push(line).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    }
    let mut agreements = heapless::Vec::new();
    for a in config.agreements.iter().take(count(config.agreement_count, CB_BOARD_AGREEMENTS)?) {
        let line = (DepartmentId(a.department), c_text(&a.label)?, permille(a.goal_permille)?);
        agreements.push(line).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    }
    let opening = cb_board_opening::from_code(config.opening).ok_or(CB_STATUS_INVALID_ARGUMENT)?;
    let hours = match opening {
        cb_board_opening::CB_BOARD_BY_HOURS => Some(calendar_of(&config.hours)?),
        _ => None,
    };
    let days = u16::try_from(config.agreement_days)
        .ok()
        .filter(|days| (1..=SLA_DAYS).contains(days))
        .ok_or(CB_STATUS_INVALID_ARGUMENT)?;
    Ok(Described {
        queues,
        agreements,
        variant: variant_of(config.sl_variant)?,
        announcement: c_text(&config.announcement)?,
        opening,
        hours,
        days,
        settings: settings_of(&config.settings)?,
    })
}

impl From<&QueueLine> for cb_board_line {
    fn from(line: &QueueLine) -> Self {
        Self {
            label: to_c(&line.label),
            waiting: line.waiting,
            has_longest_wait: line.longest_wait_s.is_some(),
            longest_wait_s: line.longest_wait_s.unwrap_or(0),
            has_expected_wait: line.expected_wait_s.is_some(),
            expected_wait_s: line.expected_wait_s.unwrap_or(0),
            has_service_level: line.service_level_permille.is_some(),
            service_level_permille: line.service_level_permille.unwrap_or(0),
            service_level_target_permille: line.service_level_target_permille,
            service_level_threshold_s: line.service_level_threshold_s,
            agents_available: line.agents_available,
            alert_waiting: alert_code(line.alerts.waiting),
            alert_longest_wait: alert_code(line.alerts.longest_wait),
            alert_expected_wait: alert_code(line.alerts.expected_wait),
            alert_service_level: alert_code(line.alerts.service_level),
            alert_agents_available: alert_code(line.alerts.agents_available),
        }
    }
}

impl TryFrom<&cb_board_line> for QueueLine {
    type Error = cb_status;
    fn try_from(c: &cb_board_line) -> Result<Self, cb_status> {
        Ok(Self {
            label: c_text(&c.label)?,
            waiting: c.waiting,
            longest_wait_s: c.has_longest_wait.then_some(c.longest_wait_s),
            expected_wait_s: c.has_expected_wait.then_some(c.expected_wait_s),
            service_level_permille: if c.has_service_level {
                Some(permille(c.service_level_permille)?)
            } else {
                None
            },
            service_level_target_permille: permille(c.service_level_target_permille)?,
            service_level_threshold_s: c.service_level_threshold_s,
            agents_available: c.agents_available,
            alerts: LineAlerts {
                waiting: alert_of(c.alert_waiting)?,
                longest_wait: alert_of(c.alert_longest_wait)?,
                expected_wait: alert_of(c.alert_expected_wait)?,
                service_level: alert_of(c.alert_service_level)?,
                agents_available: alert_of(c.alert_agents_available)?,
            },
        })
    }
}

impl From<&SlaLine> for cb_board_sla_line {
    fn from(line: &SlaLine) -> Self {
        Self {
            label: to_c(&line.label),
            has_compliance: line.compliance_permille.is_some(),
            compliance_permille: line.compliance_permille.unwrap_or(0),
            goal_permille: line.goal_permille,
            at_risk: line.at_risk,
            breached: line.breached,
            alert_compliance: alert_code(line.alerts.compliance),
            alert_at_risk: alert_code(line.alerts.at_risk),
            alert_breached: alert_code(line.alerts.breached),
        }
    }
}

impl TryFrom<&cb_board_sla_line> for SlaLine {
    type Error = cb_status;
    fn try_from(c: &cb_board_sla_line) -> Result<Self, cb_status> {
        Ok(Self {
            label: c_text(&c.label)?,
            compliance_permille: if c.has_compliance {
                Some(permille(c.compliance_permille)?)
            } else {
                None
            },
            goal_permille: permille(c.goal_permille)?,
            at_risk: c.at_risk,
            breached: c.breached,
            alerts: SlaAlerts {
                compliance: alert_of(c.alert_compliance)?,
                at_risk: alert_of(c.alert_at_risk)?,
                breached: alert_of(c.alert_breached)?,
            },
        })
    }
}

impl From<&CsatLine> for cb_board_csat {
    fn from(csat: &CsatLine) -> Self {
        use cb_board_csat_kind::*;
        let (kind, value, scale_highest, responses, minimum) = match *csat {
            CsatLine::MeanScore { centi, scale_highest, responses } => {
                (CB_BOARD_CSAT_MEAN_SCORE, centi, scale_highest, responses, 0)
            }
            CsatLine::TopTwoBox { permille, responses } => {
                (CB_BOARD_CSAT_TOP_TWO_BOX, permille, 0, responses, 0)
            }
            CsatLine::NotEnoughResponses { responses, minimum } => {
                (CB_BOARD_CSAT_NOT_ENOUGH_RESPONSES, 0, 0, responses, minimum)
            }
            CsatLine::Unavailable => (CB_BOARD_CSAT_UNAVAILABLE, 0, 0, 0, 0),
        };
        Self { kind: kind as u32, value, scale_highest, responses, minimum }
    }
}

impl TryFrom<&cb_board_csat> for CsatLine {
    type Error = cb_status;
    fn try_from(c: &cb_board_csat) -> Result<Self, cb_status> {
        use cb_board_csat_kind::*;
        Ok(match cb_board_csat_kind::from_code(c.kind).ok_or(CB_STATUS_INVALID_ARGUMENT)? {
            CB_BOARD_CSAT_MEAN_SCORE => {
                let highest = u16::from(c.scale_highest);
                if highest == 0 || c.value > highest.saturating_mul(100) {
                    return Err(CB_STATUS_INVALID_ARGUMENT);
                }
                Self::MeanScore {
                    centi: c.value,
                    scale_highest: c.scale_highest,
                    responses: c.responses,
                }
            }
            CB_BOARD_CSAT_TOP_TWO_BOX => {
                Self::TopTwoBox { permille: permille(c.value)?, responses: c.responses }
            }
            CB_BOARD_CSAT_NOT_ENOUGH_RESPONSES => {
                Self::NotEnoughResponses { responses: c.responses, minimum: c.minimum }
            }
            CB_BOARD_CSAT_UNAVAILABLE => Self::Unavailable,
        })
    }
}

impl From<&BoardFrame> for cb_board_frame {
    fn from(frame: &BoardFrame) -> Self {
        let blank_line = cb_board_line::from(&QueueLine {
            label: heapless::String::new(),
            waiting: 0,
            longest_wait_s: None,
            expected_wait_s: None,
            service_level_permille: None,
            service_level_target_permille: 0,
            service_level_threshold_s: 0,
            agents_available: 0,
            alerts: LineAlerts::default(),
        });
        let blank_sla = cb_board_sla_line::from(&SlaLine {
            label: heapless::String::new(),
            compliance_permille: None,
            goal_permille: 0,
            at_risk: 0,
            breached: 0,
            alerts: SlaAlerts::default(),
        });
        let mut queues = [blank_line; CB_BOARD_QUEUES];
        for (slot, line) in queues.iter_mut().zip(&frame.queues) {
            *slot = cb_board_line::from(line);
        }
        let mut sla = [blank_sla; CB_BOARD_AGREEMENTS];
        for (slot, line) in sla.iter_mut().zip(&frame.sla) {
            *slot = cb_board_sla_line::from(line);
        }
        let reopens = match frame.opening {
            Opening::Closed { reopens } => reopens,
            Opening::Open => None,
        };
        Self {
            valid_at_ms: frame.valid_at,
            ttl_s: frame.ttl_s,
            // At most 8 each: the core's capacities.
            queue_count: u32::try_from(frame.queues.len()).unwrap_or(0),
            queues,
            csat: cb_board_csat::from(&frame.csat),
            announcement: to_c(&frame.announcement),
            closed: matches!(frame.opening, Opening::Closed { .. }),
            has_reopening: reopens.is_some(),
            reopens_weekday: reopens.map_or(0, |r| r.weekday.days_from_monday()),
            reopens_hour: reopens.map_or(0, |r| r.hour),
            reopens_minute: reopens.map_or(0, |r| r.minute),
            sla_count: u32::try_from(frame.sla.len()).unwrap_or(0),
            sla,
        }
    }
}

/// The core's frame for a C frame, every field checked: counts within the arrays, labels and
/// announcement NUL-terminated UTF-8 of their lengths, alert and CSAT codes known, shares at
/// most 1000 permille, a reopening a real local time.
pub(crate) fn frame_of(c: &cb_board_frame) -> Result<BoardFrame, cb_status> {
    let count = |n: u32, capacity: usize| {
        usize::try_from(n).ok().filter(|&n| n <= capacity).ok_or(CB_STATUS_INVALID_ARGUMENT)
    };
    let mut queues = heapless::Vec::new();
    for line in c.queues.iter().take(count(c.queue_count, CB_BOARD_QUEUES)?) {
        queues.push(QueueLine::try_from(line)?).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    }
    let mut sla = heapless::Vec::new();
    for line in c.sla.iter().take(count(c.sla_count, CB_BOARD_AGREEMENTS)?) {
        sla.push(SlaLine::try_from(line)?).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    }
    let opening = if c.closed {
        let reopens = if c.has_reopening {
            let weekday = Weekday::ALL
                .get(usize::from(c.reopens_weekday))
                .copied()
                .ok_or(CB_STATUS_INVALID_ARGUMENT)?;
            if c.reopens_hour > 23 || c.reopens_minute > 59 {
                return Err(CB_STATUS_INVALID_ARGUMENT);
            }
            Some(Reopening { weekday, hour: c.reopens_hour, minute: c.reopens_minute })
        } else {
            None
        };
        Opening::Closed { reopens }
    } else {
        Opening::Open
    };
    Ok(BoardFrame {
        valid_at: c.valid_at_ms,
        ttl_s: c.ttl_s,
        queues,
        csat: CsatLine::try_from(&c.csat)?,
        announcement: c_text(&c.announcement)?,
        opening,
        sla,
    })
}

/// Fills `*out` with an empty board: no queues, today's service level by
/// `CB_SL_ANSWERED`, frames valid for 30 s, no announcement, open, no agreements (over 1 day
/// when added), and the board's own defaults (full brightness, 5 s a page, alerts at 5 and
/// 10 calls waiting, waits of 60 and 180 s, a service level 100 permille under its target).
///
/// Returns `CB_STATUS_NULL_ARGUMENT` or `CB_STATUS_MISALIGNED` for a bad `out`.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `out` must be NULL or point to writable memory for a `cb_board_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_board_config_default(out: *mut cb_board_config) -> cb_status {
    guard(|| {
        check_out(out)?;
        let thresholds = cb_alert_thresholds::from(&AlertThresholds::DEFAULT);
        let defaults = BoardSettings::DEFAULT;
        let queue = cb_board_queue {
            queue: 0,
            label: [0; CB_BOARD_LABEL_SIZE],
            service_level_target_permille: 800,
        };
        let agreement = cb_board_agreement {
            department: 0,
            label: [0; CB_BOARD_LABEL_SIZE],
            goal_permille: 900,
        };
        let config = cb_board_config {
            queue_count: 0,
            queues: [queue; CB_BOARD_QUEUES],
            sl_variant: cb_sl_variant::CB_SL_ANSWERED as u32,
            ttl_s: 30,
            announcement: [0; CB_BOARD_ANNOUNCEMENT_SIZE],
            opening: cb_board_opening::CB_BOARD_OPEN as u32,
            hours: cb_business_calendar::default(),
            agreement_count: 0,
            agreements: [agreement; CB_BOARD_AGREEMENTS],
            agreement_days: 1,
            settings: cb_board_settings {
                brightness: defaults.brightness,
                page_seconds: defaults.page_seconds,
                thresholds,
            },
        };
        // SAFETY: checked by check_out; writable by the caller's contract.
        unsafe { write_out(out, config) };
        Ok(())
    })
}

/// Checks a board description without a center: what `cb_board_frame_from_center` would
/// refuse in it as `CB_STATUS_INVALID_ARGUMENT` (a count past its array, a label or the
/// announcement not NUL-terminated UTF-8 of its length, a target or goal over 1000 permille, an
/// unknown code, opening hours out of range, agreement days outside 1 to 100, settings a board
/// refuses: pages of 0 s, a warning past its alarm, a margin over 1000 permille).
///
/// Returns `CB_STATUS_OK`, `CB_STATUS_NULL_ARGUMENT`, `CB_STATUS_MISALIGNED` or
/// `CB_STATUS_INVALID_ARGUMENT`.
///
/// Thread-safety: safe from any thread.
///
/// # Safety
/// `config` must be NULL or point to a valid `cb_board_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_board_config_check(config: *const cb_board_config) -> cb_status {
    guard(|| {
        // SAFETY: the caller's contract: NULL or a valid description.
        described(unsafe { borrow(config) }?)?;
        Ok(())
    })
}

/// Builds the frame a board described by `config` shows, from `center` as it stands at its
/// clock (move the clock first with `cb_center_advance_to` to show "now" between events):
/// each queue's calls waiting, longest and expected wait, today's service level against its
/// target, agents free, each with its alert; yesterday's CSAT by the center's own CSAT settings;
/// the announcement; open or closed; and, when `tracker` is not NULL, each department's
/// agreement line from it. The same frame `callboard board` builds from the same state.
///
/// Returns `CB_STATUS_NULL_ARGUMENT` (`center`, `config` or `out`), `CB_STATUS_MISALIGNED`,
/// `CB_STATUS_POISONED`, `CB_STATUS_INVALID_ARGUMENT` (see `cb_board_config_check`),
/// `CB_STATUS_UNKNOWN_ID` (a queue the center does not have), `CB_STATUS_NOT_KEPT` (no event
/// yet, so no clock). `*out` is written only on `CB_STATUS_OK`. No allocation.
///
/// Thread-safety: reads the center and the tracker (see `cb_center`).
///
/// # Safety
/// `center` NULL or live; `tracker` NULL or live; `config` NULL or valid; `out` NULL or
/// writable for a `cb_board_frame`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cb_board_frame_from_center(
    center: *const cb_center,
    tracker: *const cb_sla_tracker,
    config: *const cb_board_config,
    out: *mut cb_board_frame,
) -> cb_status {
    guard(|| {
        // SAFETY: the caller's contract: NULL or live handles, NULL or a valid description.
        let (center, config) = unsafe { (borrow(center)?, borrow(config)?) };
        let tracker = if tracker.is_null() {
            None
        } else {
            // SAFETY: as above.
            Some(unsafe { borrow(tracker) }?)
        };
        check_out(out)?;
        if center.poisoned() || tracker.is_some_and(Handle::poisoned) {
            return Err(CB_STATUS_POISONED);
        }
        let board = described(config)?;
        let state = center.state();
        let mut wanted = heapless::Vec::<BoardQueue<'_>, QUEUES_PER_FRAME>::new();
        for (queue, label, target) in &board.queues {
            let line = BoardQueue { queue: *queue, label, service_level_target_permille: *target };
            wanted.push(line).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
        }
        let at = state.now().ok_or(CB_STATUS_NOT_KEPT)?;
        let opening = match (board.opening, &board.hours) {
            (cb_board_opening::CB_BOARD_BY_HOURS, Some(hours)) => Opening::by_hours(hours, at),
            (cb_board_opening::CB_BOARD_CLOSED, _) => Opening::Closed { reopens: None },
            _ => Opening::Open,
        };
        let thresholds = board.settings.thresholds;
        let mut frame = BoardFrame::from_center(
            state,
            &wanted,
            board.variant,
            &thresholds,
            config.ttl_s,
            &board.announcement,
            opening,
        )
        .map_err(|error| match error {
            BoardError::UnknownQueue => CB_STATUS_UNKNOWN_ID,
            BoardError::NoData => CB_STATUS_NOT_KEPT,
            _ => CB_STATUS_INVALID_ARGUMENT,
        })?;
        if let Some(tracker) = tracker {
            let site = &state.config().calendar;
            for (department, label, goal_permille) in &board.agreements {
                let agreement = BoardAgreement {
                    department: *department,
                    label,
                    goal_permille: *goal_permille,
                };
                let line = SlaLine::for_agreement(
                    tracker.state(),
                    site,
                    &agreement,
                    board.days,
                    at,
                    &thresholds,
                )
                .map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
                frame.add_sla(line).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
            }
        }
        // SAFETY: checked by check_out; writable by the caller's contract.
        unsafe { write_out(out, cb_board_frame::from(&frame)) };
        Ok(())
    })
}
