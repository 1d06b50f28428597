//! The citizen ID number check (GB 11643-1999, ISO 7064 MOD 11-2; reference §3). The same
//! check covers Hong Kong/Macao/Taiwan permit numbers (810000/820000/830000) and the 2023
//! foreigner card ('9' + 17 digits).

/// Weights for positions 1..17 (2^(18-i) mod 11).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/// Check character for S mod 11 = 0..10.
const CHECK_CHARS: [u8; 11] = *b"10X98765432";

/// The outcome of checking a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdNumberCheck {
    /// Well formed and the check character matches. For the 2017 foreigner card, which has
    /// no check character, well formed (3 letters + 12 digits).
    Valid,
    /// Well formed but the check character is wrong.
    InvalidCheckDigit,
    /// Not 17 digits plus a digit or X (or not the 2017 foreigner format).
    Malformed,
}

impl IdNumberCheck {
    /// True only for [`IdNumberCheck::Valid`].
    pub fn is_valid(self) -> bool {
        self == Self::Valid
    }
}

/// The check character for the first 17 digits, or `None` if they are not 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    let bytes = first17.as_bytes();
    if bytes.len() != 17 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = bytes
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(char::from(CHECK_CHARS[(sum % 11) as usize]))
}

/// Checks an 18-character number; lower-case `x` counts as `X`.
pub fn check(number: &str) -> IdNumberCheck {
    let bytes = number.as_bytes();
    if bytes.len() != 18 {
        return IdNumberCheck::Malformed;
    }
    let last = bytes[17].to_ascii_uppercase();
    if !(last.is_ascii_digit() || last == b'X') {
        return IdNumberCheck::Malformed;
    }
    match number.get(..17).and_then(check_character) {
        None => IdNumberCheck::Malformed,
        Some(expected) if expected as u8 == last => IdNumberCheck::Valid,
        Some(_) => IdNumberCheck::InvalidCheckDigit,
    }
}

/// Checks a 2017 foreigner permanent-residence number: 3-letter country code + 12 digits.
/// That format has no published check character, so only the shape is verified.
pub fn check_foreign_2017(number: &str) -> IdNumberCheck {
    let bytes = number.as_bytes();
    let shaped = bytes.len() == 15
        && bytes[..3].iter().all(u8::is_ascii_uppercase)
        && bytes[3..].iter().all(u8::is_ascii_digit);
    if shaped {
        IdNumberCheck::Valid
    } else {
        IdNumberCheck::Malformed
    }
}

/// Upper-cases a trailing `x` in place (the only letter a number may hold).
pub fn normalise(number: &mut String) {
    if number.ends_with('x') {
        number.pop();
        number.push('X');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vectors() {
        for valid in [
            "11010519491231002X",
            "440524188001010014",
            "360426199101010071",
            "44011320141005001x",
            "932682198501010017",
            "911124198108030024",
            "931586198001010028",
            "42032319930606629X",
        ] {
            assert_eq!(check(valid), IdNumberCheck::Valid, "{valid}");
        }
        assert_eq!(
            check("36042619910102009X"),
            IdNumberCheck::InvalidCheckDigit
        );
        assert_eq!(
            check("110101199003071234"),
            IdNumberCheck::InvalidCheckDigit
        );
        assert_eq!(check_character("11010119900307123"), Some('3'));
    }

    #[test]
    fn malformed_numbers() {
        for bad in [
            "",
            "11010519491231002",
            "11010519491231002XX",
            "1101051949123100AX",
            "11010519491231002Y",
            "１１０１０５１９４９１２３１００",
        ] {
            assert_eq!(check(bad), IdNumberCheck::Malformed, "{bad}");
        }
        assert_eq!(check_foreign_2017("USA110085061501"), IdNumberCheck::Valid);
        assert_eq!(
            check_foreign_2017("US1110085061501"),
            IdNumberCheck::Malformed
        );
    }

    #[test]
    fn normalise_upper_cases_a_trailing_x() {
        let mut n = String::from("44011320141005001x");
        normalise(&mut n);
        assert_eq!(n, "44011320141005001X");
    }
}
