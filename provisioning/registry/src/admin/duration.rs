//! Durations as ops staff type them: `90s`, `15m`, `24h`, `30d`.

/// Parses `<number><s|m|h|d>`.
pub fn parse(text: &str) -> Result<chrono::Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let n: i64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration like 90s, 15m, 24h or 30d"))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{text:?}: unit must be s, m, h or d")),
    };
    n.checked_mul(seconds)
        .filter(|s| *s > 0 && *s <= 10 * 365 * 86_400)
        .map(chrono::Duration::seconds)
        .ok_or_else(|| format!("{text:?} must be positive and at most ten years"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_units_and_refuses_nonsense() {
        assert_eq!(super::parse("15m").unwrap(), chrono::Duration::minutes(15));
        assert_eq!(super::parse("30d").unwrap(), chrono::Duration::days(30));
        assert!(super::parse("5 weeks").is_err());
        assert!(super::parse("0s").is_err());
    }
}
