//! Debian version ordering (`dpkg --compare-versions`, Debian policy §5.6.12):
//! `[epoch:]upstream[-revision]`, compared part by part, each part as alternating runs of
//! non-digits (where `~` sorts before everything, even the end, and letters before other
//! characters) and numbers.

use std::cmp::Ordering;

/// Whether `v` is a version dpkg would accept (digits first, no spaces, sane characters).
pub fn is_valid(v: &str) -> bool {
    let (epoch, rest) = split_epoch(v);
    let upstream = rest.rsplit_once('-').map_or(rest, |(u, _)| u);
    !v.is_empty()
        && v.len() <= 128
        && epoch.bytes().all(|b| b.is_ascii_digit())
        && upstream.starts_with(|c: char| c.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".+~-:".contains(&b))
}

fn split_epoch(v: &str) -> (&str, &str) {
    v.split_once(':').unwrap_or(("0", v))
}

/// Orders two Debian versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    let (ea, ra) = split_epoch(a);
    let (eb, rb) = split_epoch(b);
    let epoch = |e: &str| e.parse::<u64>().unwrap_or(0);
    let (ua, va) = ra.rsplit_once('-').unwrap_or((ra, "0"));
    let (ub, vb) = rb.rsplit_once('-').unwrap_or((rb, "0"));
    epoch(ea)
        .cmp(&epoch(eb))
        .then_with(|| compare_part(ua, ub))
        .then_with(|| compare_part(va, vb))
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

fn compare_part(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    while !a.is_empty() || !b.is_empty() {
        // A run of non-digits.
        loop {
            let (ca, cb) = (a.first().copied(), b.first().copied());
            let a_text = ca.is_some_and(|c| !c.is_ascii_digit());
            let b_text = cb.is_some_and(|c| !c.is_ascii_digit());
            if !a_text && !b_text {
                break;
            }
            let (oa, ob) = (
                if a_text { order(ca) } else { order(None) },
                if b_text { order(cb) } else { order(None) },
            );
            if oa != ob {
                return oa.cmp(&ob);
            }
            a = &a[usize::from(a_text)..];
            b = &b[usize::from(b_text)..];
        }
        // A number.
        let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
        let (na, nb) = (digits(a), digits(b));
        let trim = |s: &[u8]| -> Vec<u8> { s.iter().copied().skip_while(|c| *c == b'0').collect() };
        let (da, db) = (trim(&a[..na]), trim(&b[..nb]));
        let by_number = da.len().cmp(&db.len()).then_with(|| da.cmp(&db));
        if by_number != Ordering::Equal {
            return by_number;
        }
        a = &a[na..];
        b = &b[nb..];
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::compare;
    use std::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn orders_as_dpkg_does() {
        // Each checked with `dpkg --compare-versions` on Debian 12.
        for (a, b, want) in [
            ("1.0", "1.0", Equal),
            ("1.10", "1.9", Greater),
            ("1.0~rc1", "1.0", Less),
            ("1.0", "1.0-1", Less),
            ("1.0-2", "1.0-10", Less),
            ("1:0.9", "2.0", Greater),
            ("1.0a", "1.0", Greater),
            ("1.0+b1", "1.0", Greater),
            ("1.0.0", "1.0", Greater),
            ("0.4.10", "0.4.9", Greater),
            ("1.001", "1.1", Equal),
        ] {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn validity() {
        assert!(super::is_valid("1.4.0-1"));
        assert!(super::is_valid("2:1.0~rc1"));
        assert!(!super::is_valid("v1.0"));
        assert!(!super::is_valid("1.0 beta"));
        assert!(!super::is_valid(""));
    }
}
