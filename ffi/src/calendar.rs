//! The site's clock for C: a UTC offset and a daylight-saving rule, read the same way by every
//! function that takes them.

use callboard_core::calendar::{DstRule, SiteCalendar, UtcOffset};

use crate::boundary::c_codes;
use crate::cb_status;
use crate::status::*;

/// A site's daylight-saving rule (`cb_center_config.dst_rule`, `cb_sla_site.dst_rule`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cb_dst_rule {
    /// No daylight saving.
    CB_DST_NONE = 0,
    /// United States rule: second Sunday of March to first Sunday of November.
    CB_DST_US = 1,
    /// European Union rule: last Sunday of March to last Sunday of October.
    CB_DST_EU = 2,
}

c_codes!(cb_dst_rule { CB_DST_NONE, CB_DST_US, CB_DST_EU });

/// The site calendar of a standard UTC offset in minutes and a `cb_dst_rule` code: the one
/// mapping of the codes to the core's rules.
pub(crate) fn site_calendar(
    utc_offset_minutes: i32,
    dst_rule: u32,
) -> Result<SiteCalendar, cb_status> {
    let rule = match cb_dst_rule::from_code(dst_rule).ok_or(CB_STATUS_INVALID_ARGUMENT)? {
        cb_dst_rule::CB_DST_NONE => DstRule::None,
        cb_dst_rule::CB_DST_US => DstRule::UnitedStates,
        cb_dst_rule::CB_DST_EU => DstRule::EuropeanUnion,
    };
    let offset =
        UtcOffset::from_minutes(utc_offset_minutes).map_err(|_| CB_STATUS_INVALID_ARGUMENT)?;
    SiteCalendar::new(offset, rule).map_err(|_| CB_STATUS_INVALID_ARGUMENT)
}
