//! A staff PIN as typed: digits only, 6 to 12 of them, not trivially guessable. It lives in
//! memory only as long as the check needs it and is wiped on drop; it is never logged,
//! stored or sent (only its Argon2id hash is stored).

use thiserror::Error;
use zeroize::Zeroizing;

/// The shortest PIN accepted.
pub const MIN_LEN: usize = 6;
/// The longest PIN accepted (a PIN pad, not a passphrase).
pub const MAX_LEN: usize = 12;

/// Why a typed PIN is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PinError {
    #[error("the PIN is empty")]
    Empty,
    #[error("a PIN has digits only (0-9)")]
    NotDigits,
    #[error("a PIN has at least {MIN_LEN} digits")]
    TooShort,
    #[error("a PIN has at most {MAX_LEN} digits")]
    TooLong,
    /// Only refused when a PIN is set, never when one is checked.
    #[error("the PIN is too easy to guess (all one digit, or a run like 123456); choose another")]
    TooSimple,
}

/// A well-formed PIN. `Debug` never shows the digits.
pub struct Pin(Zeroizing<String>);

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pin(<{} digits>)", self.0.len())
    }
}

impl Pin {
    /// A PIN typed to log in: well-formed, whatever its strength (a weak PIN set long ago,
    /// or through configuration, must still work).
    pub fn parse(text: &str) -> Result<Self, PinError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(PinError::Empty);
        }
        if !text.chars().all(|c| c.is_ascii_digit()) {
            return Err(PinError::NotDigits);
        }
        if text.len() < MIN_LEN {
            return Err(PinError::TooShort);
        }
        if text.len() > MAX_LEN {
            return Err(PinError::TooLong);
        }
        Ok(Self(Zeroizing::new(text.to_string())))
    }

    /// A PIN chosen for an account: well-formed and not one of the first guesses.
    pub fn new_for_account(text: &str) -> Result<Self, PinError> {
        let pin = Self::parse(text)?;
        if pin.is_trivial() {
            return Err(PinError::TooSimple);
        }
        Ok(pin)
    }

    /// All one digit, or a run up or down (123456, 987654, 0123456789…).
    fn is_trivial(&self) -> bool {
        let d: Vec<i16> = self.0.bytes().map(|b| i16::from(b - b'0')).collect();
        let steps: Vec<i16> = d.windows(2).map(|w| w[1] - w[0]).collect();
        steps.iter().all(|&s| s == 0)
            || steps.iter().all(|&s| s == 1)
            || steps.iter().all(|&s| s == -1)
    }

    /// The digits, for hashing.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// How many digits (what a PIN pad may show).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never true for a parsed PIN; here for completeness with `len`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_to_twelve_digits_are_a_pin() {
        assert!(Pin::parse("204816").is_ok());
        assert!(
            Pin::parse(" 204816 ").is_ok(),
            "surrounding blanks from a terminal"
        );
        assert!(Pin::parse("204816204816").is_ok());
        assert_eq!(Pin::parse("20481").unwrap_err(), PinError::TooShort);
        assert_eq!(Pin::parse("2048162048161").unwrap_err(), PinError::TooLong);
        assert_eq!(Pin::parse("20481a").unwrap_err(), PinError::NotDigits);
        assert_eq!(Pin::parse("２０４８１６").unwrap_err(), PinError::NotDigits);
        assert_eq!(Pin::parse("").unwrap_err(), PinError::Empty);
    }

    #[test]
    fn obvious_pins_are_refused_for_accounts_but_still_parse() {
        for weak in ["000000", "111111", "123456", "654321", "0123456789"] {
            assert_eq!(
                Pin::new_for_account(weak).unwrap_err(),
                PinError::TooSimple,
                "{weak}"
            );
            assert!(Pin::parse(weak).is_ok());
        }
        assert!(Pin::new_for_account("135790").is_ok());
    }

    #[test]
    fn debug_does_not_show_the_digits() {
        let pin = Pin::parse("204816").unwrap();
        assert_eq!(format!("{pin:?}"), "Pin(<6 digits>)");
    }
}
