//! Paper widths and line wrapping by printed width.
//!
//! In Chinese mode a thermal printer prints a one-byte character (ASCII) in one column
//! (12 dots in Font A) and a multi-byte GB18030 character in two (24 dots). Wrapping by that
//! width, one `char` at a time, never splits a GB18030 character and never overruns a line.

use serde::{Deserialize, Serialize};

/// The roll width the printer takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PaperWidth {
    /// 58 mm roll: 384 dots, 32 columns of Font A.
    #[serde(rename = "58mm", alias = "58")]
    Mm58,
    /// 80 mm roll: 576 dots, 48 columns of Font A.
    #[default]
    #[serde(rename = "80mm", alias = "80")]
    Mm80,
}

impl PaperWidth {
    /// Columns of normal-size Font A text (12 × 24 dots) on one line.
    pub fn columns(self) -> usize {
        match self {
            PaperWidth::Mm58 => 32,
            PaperWidth::Mm80 => 48,
        }
    }

    /// Printable width in dots at 203 dpi.
    pub fn dots(self) -> u32 {
        match self {
            PaperWidth::Mm58 => 384,
            PaperWidth::Mm80 => 576,
        }
    }

    /// The paper width whose printable width is `dots`, if it is one of ours.
    pub fn from_dots(dots: u32) -> Option<Self> {
        match dots {
            384 => Some(PaperWidth::Mm58),
            576 => Some(PaperWidth::Mm80),
            _ => None,
        }
    }
}

/// Printed width of one character in normal-size columns: 1 for ASCII, 2 for anything the
/// printer draws from its double-byte (Chinese) font.
pub fn char_columns(c: char) -> usize {
    if c.is_ascii() { 1 } else { 2 }
}

/// Printed width of a string in normal-size columns.
pub fn text_columns(text: &str) -> usize {
    text.chars().map(char_columns).sum()
}

/// Splits `text` into lines no wider than `columns`, breaking between characters. An ASCII
/// word is kept whole when it fits on a line of its own, so URLs and numbers stay readable;
/// Chinese text breaks anywhere, as is normal for it. Explicit `\n` starts a new line.
pub fn wrap(text: &str, columns: usize) -> Vec<String> {
    let columns = columns.max(2);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        wrap_paragraph(paragraph, columns, &mut lines);
    }
    lines
}

fn wrap_paragraph(paragraph: &str, columns: usize, lines: &mut Vec<String>) {
    let mut line = String::new();
    let mut width = 0;
    for token in tokens(paragraph) {
        let token_width = text_columns(token);
        if width + token_width <= columns {
            line.push_str(token);
            width += token_width;
            continue;
        }
        if token_width <= columns && token.chars().all(|c| c.is_ascii_alphanumeric()) {
            // Move the whole word to the next line.
            push_line(lines, &mut line);
            line.push_str(token);
            width = token_width;
            continue;
        }
        for c in token.chars() {
            let w = char_columns(c);
            if width + w > columns {
                // Chinese typesetting never starts a line with closing punctuation: carry
                // the last character down with it.
                let carried = if NO_LINE_START.contains(c) && line.chars().count() > 1 {
                    line.pop()
                } else {
                    None
                };
                push_line(lines, &mut line);
                width = 0;
                if let Some(prev) = carried {
                    line.push(prev);
                    width = char_columns(prev);
                }
            }
            if width == 0 && c == ' ' {
                continue; // no leading blank on a continuation line
            }
            line.push(c);
            width += w;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
}

fn push_line(lines: &mut Vec<String>, line: &mut String) {
    lines.push(line.trim_end().to_string());
    line.clear();
}

/// Punctuation that must not begin a line (避头点).
const NO_LINE_START: &str = "，。、；：！？）》」』】〕…—,.;:!?)";

/// Runs of ASCII letters and digits form one token; every other character is its own.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let len = if first.is_ascii_alphanumeric() {
            rest.find(|c: char| !c.is_ascii_alphanumeric())
                .unwrap_or(rest.len())
        } else {
            first.len_utf8()
        };
        let (token, tail) = rest.split_at(len);
        rest = tail;
        Some(token)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hanzi_count_two_columns_and_wrap_between_characters() {
        let lines = wrap("北京市朝阳区公共法律服务中心", 8);
        assert_eq!(lines, ["北京市朝", "阳区公共", "法律服务", "中心"]);
        assert!(lines.iter().all(|l| text_columns(l) <= 8));
    }

    #[test]
    fn a_hanzi_that_would_straddle_the_edge_moves_down() {
        let lines = wrap("A法律", 4);
        assert_eq!(lines, ["A法", "律"]);
    }

    #[test]
    fn ascii_words_move_whole_and_overlong_words_break() {
        assert_eq!(wrap("call 12348 now", 8), ["call", "12348", "now"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn closing_punctuation_never_starts_a_line() {
        assert_eq!(wrap("一二三，四", 6), ["一二", "三，四"]);
    }

    #[test]
    fn empty_text_is_one_empty_line() {
        assert_eq!(wrap("", 10), [""]);
    }
}
