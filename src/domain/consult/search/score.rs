//! Scoring one entry against a query: literal, character-pair and pinyin fits.

use super::*;

pub(super) fn kind_rank(t: SearchTarget) -> u8 {
    match t {
        SearchTarget::Category(_) => 0,
        SearchTarget::Matter(_) => 1,
    }
}

/// Where in the text a match sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Fit {
    Inside,
    Prefix,
    Whole,
}

pub(super) fn score_entry(e: &Entry, q: &Query) -> Option<u32> {
    let field_bonus = match e.field {
        MatchedField::Name => 6,
        MatchedField::TranslatedName => 3,
        MatchedField::Keyword => 0,
    };
    let literal = (q.sig & !e.sig == 0)
        .then(|| literal_fit(&e.lower, &q.text))
        .flatten()
        .map(|fit| match fit {
            Fit::Whole => 90,
            Fit::Prefix => 80,
            Fit::Inside => 70,
        });
    let pinyin = q
        .ascii
        .as_deref()
        .filter(|_| q.alnum & !e.alnum == 0)
        .and_then(|a| pinyin_fit(e, a))
        .map(|(fit, main_reading)| {
            let base = match fit {
                Fit::Whole => 88,
                Fit::Prefix => 78,
                Fit::Inside => 62,
            };
            // A match through a rarer reading of some character ranks a little lower.
            if main_reading { base } else { base - 4 }
        });
    // Korean keystroke by keystroke: a little below the literal match it stands in for.
    let hangul = q
        .hangul_keys
        .as_deref()
        .zip(e.hangul_keys.as_deref())
        .and_then(|(q, text)| literal_fit(text, q))
        .map(|fit| match fit {
            Fit::Whole => 88,
            Fit::Prefix => 76,
            Fit::Inside => 64,
        });
    let fuzzy = if literal.is_none() && hangul.is_none() {
        pair_overlap(&e.lower, e.sig, &q.pairs)
    } else {
        None
    };
    literal
        .max(pinyin)
        .max(hangul)
        .max(fuzzy)
        .map(|s| s + field_bonus)
}

pub(super) fn literal_fit(text: &str, q: &str) -> Option<Fit> {
    if text == q {
        Some(Fit::Whole)
    } else if text.starts_with(q) {
        Some(Fit::Prefix)
    } else if text.contains(q) {
        Some(Fit::Inside)
    } else {
        None
    }
}

/// Partial Chinese phrases: the share of the query's character pairs found in the text.
/// 老板不给我钱 still finds 老板不给钱 (score 40–60), but one shared pair in five does not.
pub(super) fn pair_overlap(text: &str, text_sig: u64, pairs: &[(String, u64)]) -> Option<u32> {
    if pairs.is_empty() {
        return None;
    }
    let found = pairs
        .iter()
        .filter(|(p, sig)| sig & !text_sig == 0 && text.contains(p.as_str()))
        .count();
    let ratio = found * 100 / pairs.len();
    (found > 0 && ratio >= 50).then(|| 30 + (ratio as u32) * 30 / 100)
}

/// Matches ASCII input against consecutive characters' pinyin, each character consuming its
/// initial, its whole syllable, or any prefix of it (`ldzy`, `laodzy`, `laodongzhengyi`).
/// Also says whether only each character's main reading was needed (担 is dan before jie).
pub(super) fn pinyin_fit(e: &Entry, q: &[u8]) -> Option<(Fit, bool)> {
    let first = letter_bit(q[0]);
    if first != 0 && e.initials & first == 0 {
        return None;
    }
    let n = e.readings.len();
    if q.len() == 1 && first != 0 {
        // One letter (the first key pressed): answered from the precomputed initials.
        return if e.first_initials & first != 0 {
            let fit = if n == 1 { Fit::Whole } else { Fit::Prefix };
            Some((fit, e.main_first & first != 0))
        } else {
            Some((Fit::Inside, e.main_initials & first != 0))
        };
    }
    let done = 1u64 << q.len(); // never overflows: q.len() <= 32
    let mask = done | (done - 1);
    let mut best: Option<(Fit, bool)> = None;
    for start in 0..n {
        if !e.readings[start].iter().any(|r| r.as_bytes()[0] == q[0]) {
            continue;
        }
        // Bit j set: the first j bytes of the query are consumed; `main` only via main readings.
        let (mut any, mut main): (u64, u64) = (1, 1);
        for i in start..n {
            let (mut next_any, mut next_main) = (0u64, 0u64);
            for j in 0..q.len() {
                if any & (1 << j) == 0 {
                    continue;
                }
                for (ri, r) in e.readings[i].iter().enumerate() {
                    let r = r.as_bytes();
                    let mut k = 0;
                    while k < r.len() && j + k < q.len() && r[k] == q[j + k] {
                        k += 1;
                        next_any |= 1 << (j + k);
                        if ri == 0 && main & (1 << j) != 0 {
                            next_main |= 1 << (j + k);
                        }
                    }
                }
            }
            any = next_any & mask;
            main = next_main & mask;
            if any & done != 0 {
                let fit = match (start == 0, i + 1 == n) {
                    (true, true) => Fit::Whole,
                    (true, false) => Fit::Prefix,
                    _ => Fit::Inside,
                };
                best = best.max(Some((fit, main & done != 0)));
                // A longer reading of the same input may still end on the last character.
                any &= !done;
                main &= !done;
            }
            if any == 0 {
                break;
            }
        }
        // Later starts can only match inside the text.
        if best.is_some() {
            break;
        }
    }
    best
}
