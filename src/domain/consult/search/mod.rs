//! Search over categories and matters: Chinese words (names and what citizens say), pinyin
//! initials (`ldzy` → 劳动争议), full or partial pinyin (`laodong`), and Korean/English names.
//! Korean is also compared keystroke by keystroke ([`crate::domain::hangul::search_keys`]), so the
//! syllable still being typed on the 두벌식 keyboard matches (이호 on the way to 이혼) and the
//! Korean-Chinese spelling finds the standard one (리혼 → 이혼, 로동 → 노동).
//!
//! Pinyin readings are precomputed at build time of the index with every heteronym (调 is
//! both tiao and diao), so `tj` finds 调解.

use pinyin::ToPinyinMulti;
use serde::Serialize;

use super::model::Catalogue;

/// Longest query considered (the on-screen keyboard never gets near it).
const MAX_QUERY_CHARS: usize = 32;

/// What a hit points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", content = "index", rename_all = "kebab-case")]
pub enum SearchTarget {
    /// Index into [`Catalogue::categories`].
    Category(usize),
    /// Index into [`Catalogue::matters`].
    Matter(usize),
}

/// Which text of the target matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MatchedField {
    /// The zh-CN name.
    Name,
    /// A colloquial keyword.
    Keyword,
    /// The Korean or English name.
    TranslatedName,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// The category or matter (indices into the catalogue the index was built from).
    pub target: SearchTarget,
    /// Its stable id (category id or matter id).
    pub id: String,
    /// Higher is better (0–100).
    pub score: u32,
    /// Which text matched.
    pub field: MatchedField,
    /// The text that matched (a keyword such as 老板不给钱 can be shown as "因为您说了…").
    pub matched: String,
}

struct Entry {
    target: SearchTarget,
    id: String,
    field: MatchedField,
    /// Original text (returned in hits).
    text: String,
    /// Lower-cased text for substring matching.
    lower: String,
    /// Length in characters (shorter texts win ties).
    len: usize,
    /// Per character: its plain pinyin readings (lower-case ASCII), main reading first, or the
    /// character itself for ASCII letters and digits; empty for anything else.
    readings: Vec<Vec<&'static str>>,
    /// Bit per letter a–z that starts some reading.
    initials: u32,
    /// Initials of main readings only.
    main_initials: u32,
    /// Initials of the first character's readings, and of its main reading.
    first_initials: u32,
    main_first: u32,
    /// Bit per letter a–z and digit that occurs in some reading (a query letter outside it
    /// cannot match by pinyin).
    alnum: u64,
    /// A 64-bit signature of the characters in the text (a query character outside it cannot
    /// match literally); skips most entries before any string search.
    sig: u64,
    /// The 두벌식 keystrokes of a text with Hangul in it, for Korean queries.
    hangul_keys: Option<String>,
    /// Tie-break: catalogue order.
    order: usize,
}

/// A search index built once per catalogue (rebuild when content changes).
pub struct SearchIndex {
    entries: Vec<Entry>,
}

fn letter_bit(c: u8) -> u32 {
    if c.is_ascii_lowercase() {
        1 << (c - b'a')
    } else {
        0
    }
}

fn static_ascii(c: char) -> Option<&'static str> {
    const ALNUM: &str = "abcdefghijklmnopqrstuvwxyz0123456789";
    let lower = c.to_ascii_lowercase();
    ALNUM.find(lower).map(|i| &ALNUM[i..i + lower.len_utf8()])
}

fn readings_of(c: char) -> Vec<&'static str> {
    if let Some(s) = static_ascii(c) {
        return vec![s];
    }
    let mut out: Vec<&'static str> = Vec::new();
    if let Some(multi) = c.to_pinyin_multi() {
        for p in multi {
            let plain = p.plain();
            // The data spells ü as "v" in plain form already; keep ASCII only.
            if plain.is_ascii() && !out.contains(&plain) {
                out.push(plain);
            }
        }
    }
    out
}

fn alnum_bit(b: u8) -> u64 {
    match b {
        b'a'..=b'z' => 1 << (b - b'a'),
        b'0'..=b'9' => 1 << (26 + b - b'0'),
        _ => 0,
    }
}

fn alnum_of(bytes: &[u8]) -> u64 {
    bytes.iter().map(|&b| alnum_bit(b)).fold(0, |a, b| a | b)
}

fn sig_bit(c: char) -> u64 {
    // Fibonacci hashing of the code point into one of 64 bits.
    1 << ((c as u32).wrapping_mul(0x9E37_79B9) >> 26)
}

fn sig_of(text: &str) -> u64 {
    text.chars().map(sig_bit).fold(0, |a, b| a | b)
}

impl Entry {
    fn new(target: SearchTarget, id: &str, field: MatchedField, text: &str, order: usize) -> Entry {
        let lower = text.to_lowercase();
        let readings: Vec<Vec<&'static str>> = lower.chars().map(readings_of).collect();
        let all = readings.iter().flatten();
        let initials = all
            .clone()
            .map(|r| letter_bit(r.as_bytes()[0]))
            .fold(0, |a, b| a | b);
        let alnum = all.map(|r| alnum_of(r.as_bytes())).fold(0, |a, b| a | b);
        let initial = |r: &&str| letter_bit(r.as_bytes()[0]);
        let main_initials = readings
            .iter()
            .filter_map(|rs| rs.first().map(initial))
            .fold(0, |a, b| a | b);
        let first = readings.first();
        let first_initials = first.map_or(0, |rs| rs.iter().map(initial).fold(0, |a, b| a | b));
        let main_first = first.and_then(|rs| rs.first()).map_or(0, initial);
        Entry {
            target,
            id: id.to_owned(),
            field,
            text: text.to_owned(),
            len: lower.chars().count(),
            sig: sig_of(&lower),
            lower,
            readings,
            initials,
            main_initials,
            first_initials,
            main_first,
            alnum,
            hangul_keys: text
                .chars()
                .any(crate::domain::hangul::is_hangul)
                .then(|| crate::domain::hangul::search_keys(text)),
            order,
        }
    }
}

/// A normalised query.
struct Query {
    /// Lower-cased letters and digits only.
    text: String,
    /// Signature of its characters.
    sig: u64,
    /// Its pairs of neighbouring characters with their signatures, for partial Chinese phrases.
    pairs: Vec<(String, u64)>,
    /// The ASCII form, when the query is only letters and digits (pinyin applies).
    ascii: Option<Vec<u8>>,
    /// Letters and digits in the query.
    alnum: u64,
    /// The 두벌식 keystrokes of a query with Hangul in it.
    hangul_keys: Option<String>,
}

impl Query {
    fn parse(input: &str) -> Option<Query> {
        let chars: Vec<char> = input
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .take(MAX_QUERY_CHARS)
            .collect();
        if chars.is_empty() {
            return None;
        }
        let ascii: Option<Vec<u8>> = chars
            .iter()
            .all(|c| c.is_ascii_alphanumeric())
            .then(|| chars.iter().map(|&c| c as u8).collect());
        let pairs = if ascii.is_none() {
            chars
                .windows(2)
                .map(|w| (w.iter().collect(), sig_bit(w[0]) | sig_bit(w[1])))
                .collect()
        } else {
            Vec::new()
        };
        let text: String = chars.iter().collect();
        let hangul_keys = chars
            .iter()
            .any(|&c| crate::domain::hangul::is_hangul(c))
            .then(|| crate::domain::hangul::search_keys(input))
            .filter(|k| !k.is_empty());
        Some(Query {
            hangul_keys,
            sig: sig_of(&text),
            text,
            pairs,
            alnum: ascii.as_deref().map_or(0, alnum_of),
            ascii,
        })
    }
}

/// A target's best match so far.
#[derive(Clone, Copy)]
struct Candidate {
    target: SearchTarget,
    score: u32,
    len: usize,
    order: usize,
    entry: usize,
}

impl Candidate {
    fn better_than(&self, other: &Candidate) -> bool {
        (self.score, std::cmp::Reverse(self.len)) > (other.score, std::cmp::Reverse(other.len))
    }
}

impl SearchIndex {
    /// Indexes every category and matter: zh-CN names, keywords, Korean and English names.
    pub fn build(catalogue: &Catalogue) -> SearchIndex {
        let categories = catalogue.categories.iter().enumerate().map(|(i, c)| {
            (
                SearchTarget::Category(i),
                i,
                c.id.as_str(),
                &c.name,
                &c.keywords,
            )
        });
        let matters = catalogue.matters.iter().enumerate().map(|(i, m)| {
            (
                SearchTarget::Matter(i),
                i,
                m.id.as_str(),
                &m.name,
                &m.keywords,
            )
        });
        let mut entries = Vec::new();
        for (t, i, id, name, keywords) in categories.chain(matters) {
            entries.push(Entry::new(t, id, MatchedField::Name, &name.zh_cn, i));
            for k in keywords {
                entries.push(Entry::new(t, id, MatchedField::Keyword, k, i));
            }
            for tr in [&name.ko_kr, &name.en].into_iter().flatten() {
                entries.push(Entry::new(t, id, MatchedField::TranslatedName, tr, i));
            }
        }
        SearchIndex { entries }
    }

    /// The best `limit` hits for `input`, best first; empty for a blank query.
    ///
    /// Ranking: a whole-text match beats a prefix, which beats a match inside the text; names
    /// beat keywords; shorter texts and earlier catalogue entries break ties. Each category
    /// or matter appears once, with its best match.
    pub fn search(&self, input: &str, limit: usize) -> Vec<SearchHit> {
        let Some(query) = Query::parse(input) else {
            return Vec::new();
        };
        // Entries of one target are contiguous (see `build`), so each target's best match is
        // settled when the next target starts.
        let mut found: Vec<Candidate> = Vec::new();
        let mut current: Option<Candidate> = None;
        for (entry, e) in self.entries.iter().enumerate() {
            if let Some(c) = current.filter(|c| c.target != e.target) {
                found.push(c);
                current = None;
            }
            let Some(score) = score_entry(e, &query) else {
                continue;
            };
            let cand = Candidate {
                target: e.target,
                score,
                len: e.len,
                order: e.order,
                entry,
            };
            if current.is_none_or(|c| cand.better_than(&c)) {
                current = Some(cand);
            }
        }
        found.extend(current);
        found.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then(a.len.cmp(&b.len))
                .then(kind_rank(a.target).cmp(&kind_rank(b.target)))
                .then(a.order.cmp(&b.order))
        });
        found.truncate(limit);
        found
            .into_iter()
            .map(|c| {
                let e = &self.entries[c.entry];
                SearchHit {
                    target: c.target,
                    id: e.id.clone(),
                    score: c.score,
                    field: e.field,
                    matched: e.text.clone(),
                }
            })
            .collect()
    }
}

mod score;
use score::{kind_rank, score_entry};

#[cfg(test)]
mod tests {
    use super::score::{Fit, pair_overlap, pinyin_fit};
    use super::*;

    fn entry(text: &str) -> Entry {
        Entry::new(SearchTarget::Matter(0), "m", MatchedField::Name, text, 0)
    }

    fn fit(text: &str, q: &str) -> Option<Fit> {
        pinyin_fit(&entry(text), q.as_bytes()).map(|(f, _)| f)
    }

    #[test]
    fn pinyin_initials_full_and_mixed() {
        assert_eq!(fit("劳动争议", "ldzy"), Some(Fit::Whole));
        assert_eq!(fit("劳动争议", "laodongzhengyi"), Some(Fit::Whole));
        assert_eq!(fit("劳动争议", "laodzy"), Some(Fit::Whole));
        assert_eq!(fit("劳动争议与讨薪", "ldzy"), Some(Fit::Prefix));
        assert_eq!(fit("拖欠劳动报酬", "ld"), Some(Fit::Inside));
        assert_eq!(fit("劳动争议", "lz"), None, "initials must be consecutive");
        assert_eq!(fit("劳动争议", "xyz"), None);
    }

    #[test]
    fn heteronyms_are_searchable_by_either_reading() {
        assert_eq!(fit("人民调解", "rmtj"), Some(Fit::Whole));
        assert_eq!(fit("人民调解", "rmdj"), Some(Fit::Whole));
        let main_only = |t: &str, q: &str| pinyin_fit(&entry(t), q.as_bytes()).map(|(_, m)| m);
        assert_eq!(main_only("担保", "db"), Some(true));
        assert_eq!(main_only("家暴", "jb"), Some(true));
    }

    #[test]
    fn partial_chinese_phrase_overlaps() {
        let pairs = |q: &str| Query::parse(q).map(|q| q.pairs).unwrap_or_default();
        let text = "老板不给钱";
        assert!(pair_overlap(text, sig_of(text), &pairs("老板不给我钱")).is_some());
        assert!(pair_overlap(text, sig_of(text), &pairs("今天天气真好")).is_none());
    }
}
