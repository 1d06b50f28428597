//! The payload of a read response (reference §1.6): big-endian lengths of text, photo and
//! (fingerprint variant) fingerprint, then the blocks themselves.

use thiserror::Error;
use zeroize::Zeroizing;

use super::card::{CardRead, Photo};
use super::text::{self, TEXT_LEN, TextError};

/// Why a read payload could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ReadPayloadError {
    /// The length fields do not match the bytes received.
    #[error(
        "read payload of {got} bytes does not match its length fields (text {text}, photo {photo}, fingerprint {fingerprint})"
    )]
    Lengths {
        /// Bytes after SW3.
        got: usize,
        /// Declared text length.
        text: usize,
        /// Declared photo length.
        photo: usize,
        /// Declared fingerprint length.
        fingerprint: usize,
    },
    /// The text block is unusable.
    #[error(transparent)]
    Text(#[from] TextError),
}

/// Parses the data after SW3 of a 0x30 0x01 reply (`with_fingerprint == false`) or a
/// 0x30 0x10 reply. Fingerprint templates are skipped, never copied.
pub fn parse_read_payload(
    data: &[u8],
    with_fingerprint: bool,
) -> Result<CardRead, ReadPayloadError> {
    let header = if with_fingerprint { 6 } else { 4 };
    let be = |at: usize| {
        data.get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let text_len = be(0).unwrap_or(0);
    let photo_len = be(2).unwrap_or(0);
    let fingerprint_len = if with_fingerprint {
        be(4).unwrap_or(0)
    } else {
        0
    };
    let expected = header + text_len + photo_len + fingerprint_len;
    if data.len() < header || data.len() != expected || text_len < TEXT_LEN {
        return Err(ReadPayloadError::Lengths {
            got: data.len(),
            text: text_len,
            photo: photo_len,
            fingerprint: fingerprint_len,
        });
    }
    let text_block = &data[header..header + text_len];
    let photo = &data[header + text_len..header + text_len + photo_len];
    let card = text::parse(text_block)?;
    Ok(CardRead {
        card,
        photo: Photo::new(photo),
    })
}

/// Parses the data of a 0x30 0x03 reply: up to four 70-byte UCS-2LE entries, newest last,
/// padding trimmed, blank entries left out. `None` when the length is not a whole number of
/// entries or there are more than four.
pub fn parse_additional_addresses(data: &[u8]) -> Option<Zeroizing<Vec<String>>> {
    if !data.len().is_multiple_of(70) || data.len() > 280 {
        return None;
    }
    let mut entries = Zeroizing::new(Vec::with_capacity(4));
    for chunk in data.chunks_exact(70) {
        let mut units: Zeroizing<Vec<u16>> = Zeroizing::new(
            chunk
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .collect(),
        );
        while units.last().is_some_and(|u| *u == 0x20 || *u == 0) {
            units.pop();
        }
        let mut entry = String::with_capacity(units.len() * 3);
        for c in char::decode_utf16(units.iter().copied()) {
            entry.push(c.unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        if !entry.trim().is_empty() {
            entries.push(entry);
        }
    }
    Some(entries)
}
