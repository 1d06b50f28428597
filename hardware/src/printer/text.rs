//! Making text safe to send to the printer.
//!
//! Two dangers: a control character inside a name would be taken as a command (an `ESC`
//! could change the printer's state, a `DLE EOT` would trigger a status reply), and a
//! printer that knows only GBK prints a 4-byte GB18030 sequence as junk (¥ comes out as
//! "0 6"). [`printable`] removes the first and, for `gbk_only` printers, replaces the second.

use std::borrow::Cow;

use encoding_rs::GB18030;

/// What a character with no GBK equivalent is printed as on a `gbk_only` printer.
pub const GBK_FALLBACK: char = '?';

/// Equivalents for characters that need 4-byte GB18030 and have an obvious 2-byte or ASCII
/// look-alike. Anything else that needs 4 bytes (rare hanzi, 한글, emoji) becomes
/// [`GBK_FALLBACK`].
const GBK_EQUIVALENTS: &[(char, &str)] = &[
    ('¥', "￥"),
    ('\u{00A0}', " "), // no-break space
    ('\u{2002}', " "),
    ('\u{2003}', " "),
    ('\u{2009}', " "),
    ('\u{200B}', ""), // zero-width space
    ('\u{FEFF}', ""), // byte-order mark
    ('\u{2011}', "-"),
    ('\u{2012}', "-"),
    ('\u{2212}', "-"), // minus sign
    ('\u{2022}', "·"), // bullet
    ('\u{00A9}', "(C)"),
    ('\u{00AE}', "(R)"),
    ('\u{2122}', "TM"),
    ('\u{00BD}', "1/2"),
    ('\u{00BC}', "1/4"),
    ('\u{2713}', "√"),
    ('\u{2714}', "√"),
    ('\u{00B4}', "'"),
    ('\u{02BC}', "'"),
    ('\u{00AB}', "《"),
    ('\u{00BB}', "》"),
    ('\u{301C}', "～"), // wave dash
    ('\u{2E3A}', "——"),
];

/// True when the printer needs a 4-byte GB18030 sequence for `c`.
pub fn needs_four_bytes(c: char) -> bool {
    let mut utf8 = [0u8; 4];
    let (bytes, _, _) = GB18030.encode(c.encode_utf8(&mut utf8));
    bytes.len() == 4
}

/// Text made safe for the printer: control characters (which the printer would execute)
/// become a space, tabs included; with `gbk_only`, characters that need 4-byte GB18030 are
/// replaced by an equivalent from a fixed table or by [`GBK_FALLBACK`]. Line breaks are kept;
/// the layout handles them.
pub fn printable(text: &str, gbk_only: bool) -> Cow<'_, str> {
    let clean = |c: char| c == '\n' || !(c.is_control() || (gbk_only && needs_four_bytes(c)));
    if text.chars().all(clean) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' {
            out.push(c);
        } else if c.is_control() {
            out.push(' ');
        } else if gbk_only && needs_four_bytes(c) {
            match GBK_EQUIVALENTS.iter().find(|(from, _)| *from == c) {
                Some((_, to)) => out.push_str(to),
                None => out.push(GBK_FALLBACK),
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests;
