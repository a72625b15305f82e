//! What a reader board is told: the queues chosen for it, their figures taken from a
//! replayed center at a moment, the opening hours, and the frame's bytes for an address
//! (`PROTOCOL.md`).

use std::collections::HashMap;
use std::fmt::Write as _;

use callboard_core::board::{AlertThresholds, BoardFrame, BoardQueue, Opening, Reopening};
use callboard_core::calendar::{MILLIS_PER_MINUTE, SiteCalendar, Timestamp};
use callboard_core::event::QueueId;
use callboard_core::service_level::ServiceLevelVariant;
use callboard_core::share::Share;
use callboard_core::wire::{self, HostMessage, MAX_FRAME_BYTES};
use callboard_queue_log::replay::ReplayCenter;

use crate::choice::Choice;

/// A queue of the log to put on the board: its name in the log, its label on the board, and
/// its service-level target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueChoice {
    /// The queue's name in the log.
    pub name: String,
    /// The board's label (the name when not given).
    pub label: String,
    /// Target, permille.
    pub target_permille: u16,
}

/// Parses `NAME[=LABEL][@TARGET]` ([`Choice`]), e.g. `PS=STREETS@80%`; the label defaults to
/// the name and the target to 80 %.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_queue_choice(text: &str) -> Result<QueueChoice, String> {
    let choice: Choice = text
        .parse()
        .map_err(|_| format!("expected NAME, NAME=LABEL or NAME=LABEL@80%, not {text:?}"))?;
    Ok(QueueChoice {
        label: choice.label.unwrap_or_else(|| choice.name.clone()),
        name: choice.name,
        target_permille: choice.share.map_or(800, Share::permille),
    })
}

/// What to put on the board besides the queues.
#[derive(Debug, Clone)]
pub struct FrameSettings {
    /// Seconds the frame may be shown.
    pub ttl_s: u16,
    /// The announcement line.
    pub announcement: String,
    /// Open or closed.
    pub opening: Opening,
    /// Which service level the board shows.
    pub variant: ServiceLevelVariant,
    /// When figures turn amber and red (the board's own settings should carry the same).
    pub thresholds: AlertThresholds,
}

/// The frame for `queues` from a center as it stood at a moment.
///
/// # Errors
/// A queue the log does not have, or the core's refusal (too many queues, a long label).
pub fn frame_from_center(
    center: &ReplayCenter,
    ids: &HashMap<String, QueueId>,
    queues: &[QueueChoice],
    settings: &FrameSettings,
) -> Result<BoardFrame, String> {
    let mut wanted = Vec::with_capacity(queues.len());
    for choice in queues {
        let queue = *ids.get(&choice.name).ok_or_else(|| {
            let mut known: Vec<&str> = ids.keys().map(String::as_str).collect();
            known.sort_unstable();
            format!("the log has no queue {:?} by then (it has: {})", choice.name, known.join(", "))
        })?;
        wanted.push(BoardQueue {
            queue,
            label: &choice.label,
            service_level_target_permille: choice.target_permille,
        });
    }
    BoardFrame::from_center(
        center,
        &wanted,
        settings.variant,
        &settings.thresholds,
        settings.ttl_s,
        &settings.announcement,
        settings.opening,
    )
    .map_err(|e| e.to_string())
}

/// The frame's bytes on the line for board `address`, as space-separated hex.
///
/// # Errors
/// The encoder's refusal (address 0).
pub fn encode_hex(frame: &BoardFrame, address: u8, sequence: u16) -> Result<String, String> {
    let mut out = [0_u8; MAX_FRAME_BYTES];
    let len = wire::encode(address, sequence, &HostMessage::Display(frame.clone()), &mut out)
        .map_err(|e| e.to_string())?;
    let mut text = String::with_capacity(len * 3);
    for (i, byte) in out.iter().take(len).enumerate() {
        if i > 0 {
            text.push(' ');
        }
        let _ = write!(text, "{byte:02x}");
    }
    text.push('\n');
    Ok(text)
}

/// The hours a center takes calls each day, local time: `08:00-20:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpeningHours {
    /// Opens, minutes after local midnight.
    pub opens_min: u32,
    /// Closes, minutes after local midnight (after `opens_min`).
    pub closes_min: u32,
}

/// Parses `HH:MM-HH:MM`, opening before closing on the same day.
///
/// # Errors
/// A message saying what was expected.
pub fn parse_opening_hours(text: &str) -> Result<OpeningHours, String> {
    let bad = || format!("expected opening hours like 08:00-20:00, not {text:?}");
    let minutes = |hm: &str| callboard_queue_log::local_time::parse_clock(hm).ok();
    let (opens, closes) = text.split_once('-').ok_or_else(bad)?;
    let (opens_min, closes_min) =
        (minutes(opens).ok_or_else(bad)?, minutes(closes).ok_or_else(bad)?);
    if opens_min >= closes_min {
        return Err(format!("the center must open before it closes: {text:?}"));
    }
    Ok(OpeningHours { opens_min, closes_min })
}

impl OpeningHours {
    /// Open or closed at `moment`, with the next opening when closed.
    #[must_use]
    pub fn at(&self, calendar: &SiteCalendar, moment: Timestamp) -> Opening {
        let local = calendar.to_local(moment);
        let minute = local.millis_of_day / 60_000;
        if (self.opens_min..self.closes_min).contains(&minute) {
            return Opening::Open;
        }
        let day = if minute < self.opens_min { local.date } else { local.date.next() };
        let millis = u32::try_from(u64::from(self.opens_min) * MILLIS_PER_MINUTE).unwrap_or(0);
        let opens = calendar.resolve_local(day, millis).earliest();
        Opening::Closed { reopens: Some(Reopening::at(calendar, opens)) }
    }
}

/// Open or closed at `moment`: by the opening hours if the center keeps them, closed all along
/// when `closed` (with the next opening the hours give).
#[must_use]
pub fn opening_at(
    hours: Option<OpeningHours>,
    closed: bool,
    calendar: &SiteCalendar,
    moment: Timestamp,
) -> Opening {
    match (hours.map(|h| h.at(calendar, moment)), closed) {
        (Some(Opening::Open), true) | (None, true) => Opening::Closed { reopens: None },
        (Some(opening), _) => opening,
        (None, false) => Opening::Open,
    }
}

/// Something more a frame carries, judged at the frame's own moment: the departments'
/// service agreements (`callboard sla`), for one. The feed puts it on every frame it sends.
pub trait FrameAddition: Send + Sync + std::fmt::Debug {
    /// Puts what it has for `frame`'s moment on `frame`, in place of what it carried of it;
    /// returns a note for the user when something could not be counted.
    ///
    /// # Errors
    /// A message saying what could not be added; `frame` is left as it was.
    fn add_to(&self, frame: &mut BoardFrame) -> Result<Option<String>, String>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_choices() {
        let choice = parse_queue_choice("PS=STREETS@85%").unwrap();
        assert_eq!(
            (choice.name.as_str(), choice.label.as_str(), choice.target_permille),
            ("PS", "STREETS", 850)
        );
        assert_eq!(parse_queue_choice("PE").unwrap().label, "PE");
        assert_eq!(parse_queue_choice("PE").unwrap().target_permille, 800);
        for bad in ["", "=X", "PS=", "PS@120%", "PS@x"] {
            assert!(parse_queue_choice(bad).is_err(), "{bad:?}");
        }
    }
}
