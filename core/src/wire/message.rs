//! What a frame carries: a [`HostMessage`] from the host, a [`BoardMessage`] from a board,
//! each encoded with postcard. Their bytes are pinned in `PROTOCOL.md` and by the golden vectors
//! of `core/tests/wire.rs`.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{AuthCounts, DecodeCounts};
use crate::board::{AlertThresholds, BoardFrame};

/// Host → board.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
// No heap on a board to box into; a decoder holds one message at a time, so its size is paid
// once.
#[allow(clippy::large_enum_variant)]
pub enum HostMessage {
    /// Show this frame.
    Display(BoardFrame),
    /// Change the board's settings.
    Configure(BoardSettings),
    /// Are you there? (answered with [`BoardMessage::Status`]).
    Ping,
    /// What are you showing? (answered with [`BoardMessage::Showing`]).
    WhatAreYouShowing,
    /// What have you refused for want of authentication, and what is your session? (answered
    /// with [`BoardMessage::Security`]).
    Security,
}

/// A board's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct BoardSettings {
    /// LED brightness, 0 (off) to 255 (full).
    pub brightness: u8,
    /// Seconds each page shows when the queues do not fit on one screen.
    pub page_seconds: u8,
    /// Alert thresholds the board applies to figures it derives itself (e.g. ageing waits
    /// between frames).
    pub thresholds: AlertThresholds,
}

impl BoardSettings {
    /// A board's settings until the host configures it: full brightness, five seconds a page,
    /// [`AlertThresholds::DEFAULT`].
    pub const DEFAULT: Self =
        Self { brightness: 255, page_seconds: 5, thresholds: AlertThresholds::DEFAULT };

    /// Whether a board can apply these settings: pages last at least a second, and each
    /// threshold's warning comes no later than its alarm.
    #[must_use]
    pub const fn is_valid(&self) -> bool {
        let t = &self.thresholds;
        self.page_seconds > 0
            && t.waiting_warning <= t.waiting_alarm
            && t.wait_warning_s <= t.wait_alarm_s
    }
}

impl Default for BoardSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Why a board refused a frame addressed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum NackReason {
    /// The frame's data was already older than its time-to-live on arrival.
    Expired,
    /// The settings are out of range.
    InvalidSettings,
    /// The board cannot show this (e.g. an unsupported feature).
    Unsupported,
    /// The frame is authentic but made for another session than the board's (it restarted):
    /// the answer carries the session to use, counting from 1 again.
    OtherSession,
}

/// What a board is showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Screen {
    /// The start-up screen, before any frame.
    Boot,
    /// A frame's figures.
    Figures,
    /// The center is closed.
    Closed,
    /// No valid frame within its time-to-live: no numbers.
    NoData,
    /// Text an Alpha-protocol wallboard server wrote (a board that takes Alpha packets on its
    /// line). Its `shown_at` is the board's uptime in ms the picture was drawn for: Alpha text
    /// has no clock of its own, and the pages turn and the text travels by the board's.
    Alpha,
}

/// Board → host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum BoardMessage {
    /// The frame with this sequence was accepted.
    Ack,
    /// The frame with this sequence was refused.
    Nack(NackReason),
    /// Health.
    Status {
        /// Seconds since the board started.
        uptime_s: u32,
        /// What its decoder accepted and discarded.
        counts: DecodeCounts,
        /// The sequence of the frame shown, if any.
        shown_sequence: Option<u16>,
    },
    /// What the board shows.
    Showing {
        /// The screen.
        screen: Screen,
        /// The sequence of the frame shown, if any.
        shown_sequence: Option<u16>,
        /// The instant, on the frame's clock (ms since the epoch), the picture was drawn for:
        /// with the frame and the settings, all a host needs to draw the same picture. None
        /// before any frame arrived. On the [`Screen::Alpha`] screen, the board's uptime (ms).
        shown_at: Option<u64>,
        /// CRC-32 of the framebuffer, row by row, so a host can compare it with its own render.
        framebuffer_crc: u32,
    },
    /// What the board refused for want of authentication, its session, and the last counter it
    /// accepted in it (a host that restarts goes on from the one after).
    Security {
        /// The board's session (its count of starts); 0 on a board without a key.
        session: u32,
        /// The last counter accepted in this session (0 before any).
        last_counter: u32,
        /// Frames refused, by reason.
        counts: AuthCounts,
    },
}

/// A message of this protocol, either way: [`HostMessage`] or [`BoardMessage`].
pub trait Message: DeserializeOwned + Serialize + sealed::Sealed {
    /// Whether a version-1 frame's message starting with [`DISPLAY_VARIANT`] is a display
    /// frame without version 2's list of agreements.
    #[doc(hidden)]
    const VERSION_1_DISPLAY: bool;

    /// Decodes `body`, which the message must fill exactly, into `place`. Where a message can
    /// be decoded in place (a display frame into a display message), it is: no copy of it
    /// passes through the stack. On an error `place` holds a valid message of no meaning.
    #[doc(hidden)]
    fn decode_into(body: &[u8], place: &mut Self) -> Result<(), postcard::Error> {
        *place = whole(body)?;
        Ok(())
    }
}

/// The message `body` holds, which it must fill exactly: trailing bytes would let a frame of
/// the other direction pass for a short message (a host's `Display` echoed on a half-duplex
/// line reads as a board's `Ack` followed by the frame).
pub(super) fn whole<M: DeserializeOwned>(body: &[u8]) -> Result<M, postcard::Error> {
    match postcard::take_from_bytes::<M>(body)? {
        (message, []) => Ok(message),
        (_, _) => Err(postcard::Error::DeserializeBadEncoding),
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::HostMessage {}
    impl Sealed for super::BoardMessage {}
}

impl Message for HostMessage {
    const VERSION_1_DISPLAY: bool = true;

    // By variant, so that no whole message is ever built on the stack: postcard writes the
    // variant's index (in declaration order) as a varint, then its fields.
    fn decode_into(body: &[u8], place: &mut Self) -> Result<(), postcard::Error> {
        let (variant, fields) = postcard::take_from_bytes::<u32>(body)?;
        match (variant, fields) {
            (DISPLAY_VARIANT_INDEX, fields) => {
                if !matches!(place, Self::Display(_)) {
                    *place = Self::Display(BoardFrame::EMPTY);
                }
                let Self::Display(frame) = place else {
                    return Err(postcard::Error::DeserializeBadEnum);
                };
                let mut fields = postcard::Deserializer::from_bytes(fields);
                BoardFrame::deserialize_in_place(&mut fields, frame)?;
                match fields.finalize()? {
                    [] => Ok(()),
                    _ => Err(postcard::Error::DeserializeBadEncoding),
                }
            }
            (1, fields) => {
                *place = Self::Configure(whole(fields)?);
                Ok(())
            }
            (2, []) => {
                *place = Self::Ping;
                Ok(())
            }
            (3, []) => {
                *place = Self::WhatAreYouShowing;
                Ok(())
            }
            (4, []) => {
                *place = Self::Security;
                Ok(())
            }
            (2..=4, _) => Err(postcard::Error::DeserializeBadEncoding),
            _ => Err(postcard::Error::DeserializeBadEnum),
        }
    }
}

impl Message for BoardMessage {
    const VERSION_1_DISPLAY: bool = false;
}

/// The postcard variant number of [`HostMessage::Display`], its first byte on the wire.
pub(super) const DISPLAY_VARIANT: u8 = 0;
/// The same, as postcard decodes it.
const DISPLAY_VARIANT_INDEX: u32 = 0;
