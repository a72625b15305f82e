//! A share of a whole, as contact-center people write it: `80%` or `0.8`.
//!
//! Service-level targets ("80 % within 20 s"), agreement goals, the "at risk" point of an SLA
//! clock, staffing ceilings (at most 20 % waiting) and shrinkage are all shares. Written with a
//! `%` sign, the number is a percentage (`80%`, `12.5 %`); without one, a fraction from 0 to 1
//! (`0.8`). A bare number above 1 is refused rather than guessed at: `80` could be either.
//!
//! The core's own fields keep shares as whole permille (`service_level_target_permille`), the
//! resolution a board shows; [`Share::permille`] is that, rounded.

use core::fmt;
use core::str::FromStr;

/// A share from 0 to 1 inclusive: never NaN, never outside.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Share(f64);

/// Why a text is not a share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum ShareError {
    /// Not a number, with or without a `%`.
    #[error("not a number")]
    NotANumber,
    /// Below 0, or above 100 % (a fraction above 1).
    #[error("not between 0 and 100 %")]
    OutOfRange,
}

impl Share {
    /// None of it.
    pub const ZERO: Self = Self(0.0);
    /// All of it.
    pub const WHOLE: Self = Self(1.0);

    /// `fraction` of the whole.
    ///
    /// # Errors
    /// [`ShareError::OutOfRange`] outside 0..=1 (or NaN).
    pub fn from_fraction(fraction: f64) -> Result<Self, ShareError> {
        if (0.0..=1.0).contains(&fraction) {
            Ok(Self(fraction))
        } else {
            Err(ShareError::OutOfRange)
        }
    }

    /// `permille` thousandths of the whole.
    ///
    /// # Errors
    /// [`ShareError::OutOfRange`] above 1000.
    pub fn from_permille(permille: u16) -> Result<Self, ShareError> {
        Self::from_fraction(f64::from(permille) / 1000.0)
    }

    /// The share as a fraction from 0 to 1.
    #[must_use]
    pub const fn fraction(self) -> f64 {
        self.0
    }

    /// The share in whole permille, rounded half away from zero (0 to 1000).
    #[must_use]
    pub fn permille(self) -> u16 {
        // 0..=1000 by the invariant.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let permille = libm::round(self.0 * 1000.0) as u16;
        permille
    }
}

impl FromStr for Share {
    type Err = ShareError;

    /// `80%`, `80 %`, `12.5%` or `0.8`; spaces around are ignored.
    fn from_str(text: &str) -> Result<Self, ShareError> {
        let text = text.trim();
        let (number, scale) = match text.strip_suffix('%') {
            Some(percent) => (percent.trim_end(), 100.0),
            None => (text, 1.0),
        };
        let value: f64 = number.parse().map_err(|_| ShareError::NotANumber)?;
        if !value.is_finite() {
            return Err(ShareError::NotANumber);
        }
        Self::from_fraction(value / scale)
    }
}

impl fmt::Display for Share {
    /// As a percentage, with the decimals it needs (up to two): `80%`, `12.5%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hundredths = libm::round(self.0 * 10_000.0);
        if libm::fmod(hundredths, 100.0) == 0.0 {
            write!(f, "{}%", hundredths / 100.0)
        } else if libm::fmod(hundredths, 10.0) == 0.0 {
            write!(f, "{:.1}%", hundredths / 100.0)
        } else {
            write!(f, "{:.2}%", hundredths / 100.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    #[test]
    fn written_as_people_write_it() {
        assert_eq!("80%".parse::<Share>().map(Share::permille), Ok(800));
        assert_eq!(" 80 % ".parse::<Share>().map(Share::permille), Ok(800));
        assert_eq!("0.8".parse::<Share>().map(Share::permille), Ok(800));
        assert_eq!("12.5%".parse::<Share>().map(Share::fraction), Ok(0.125));
        assert_eq!("0%".parse::<Share>(), Ok(Share::ZERO));
        assert_eq!("100%".parse::<Share>(), Ok(Share::WHOLE));
        assert_eq!("1".parse::<Share>(), Ok(Share::WHOLE));
    }

    #[test]
    fn refused_rather_than_guessed() {
        for (text, error) in [
            ("80", ShareError::OutOfRange),
            ("101%", ShareError::OutOfRange),
            ("-1%", ShareError::OutOfRange),
            ("-0.1", ShareError::OutOfRange),
            ("", ShareError::NotANumber),
            ("%", ShareError::NotANumber),
            ("x%", ShareError::NotANumber),
            ("NaN", ShareError::NotANumber),
            ("inf%", ShareError::NotANumber),
        ] {
            assert_eq!(text.parse::<Share>(), Err(error), "{text:?}");
        }
        assert_eq!(Share::from_permille(1001), Err(ShareError::OutOfRange));
        assert_eq!(Share::from_fraction(f64::NAN), Err(ShareError::OutOfRange));
    }

    #[test]
    fn shown_as_a_percentage() {
        assert_eq!(Share::from_permille(800).unwrap().to_string(), "80%");
        assert_eq!(Share::from_permille(125).unwrap().to_string(), "12.5%");
        assert_eq!(Share::from_fraction(0.1234).unwrap().to_string(), "12.34%");
        assert_eq!(Share::WHOLE.to_string(), "100%");
    }
}
