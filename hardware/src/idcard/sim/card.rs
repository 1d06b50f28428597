//! A card lying on the simulated reader, and the bytes the module sends for it.

use crate::idcard::text::TEXT_LEN;

/// Photo size on every card (WLT).
pub const PHOTO_LEN: usize = 1024;
/// One fingerprint template.
pub const FINGERPRINT_LEN: usize = 512;

/// A simulated card: its text block, a synthetic photo, fingerprint templates and
/// additional addresses.
#[derive(Clone, PartialEq, Eq)]
pub struct SimCard {
    id: String,
    text: [u8; TEXT_LEN],
    photo: Vec<u8>,
    fingerprints: usize,
    additional_addresses: Vec<String>,
}

impl std::fmt::Debug for SimCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCard")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl SimCard {
    /// A card with this text block, a synthetic photo, no fingerprints.
    pub fn new(id: impl Into<String>, text: [u8; TEXT_LEN]) -> Self {
        let id = id.into();
        Self {
            photo: synthetic_photo(&id),
            id,
            text,
            fingerprints: 0,
            additional_addresses: Vec::new(),
        }
    }

    /// With `count` (0, 1 or 2) fingerprint templates.
    pub fn with_fingerprints(mut self, count: usize) -> Self {
        self.fingerprints = count.min(2);
        self
    }

    /// With one more additional address (at most four are kept, 35 characters each).
    pub fn with_additional_address(mut self, address: &str) -> Self {
        if self.additional_addresses.len() < 4 {
            self.additional_addresses
                .push(address.chars().take(35).collect());
        }
        self
    }

    /// The id it was created with.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The text block.
    pub fn text(&self) -> &[u8; TEXT_LEN] {
        &self.text
    }

    /// The photo bytes.
    pub fn photo(&self) -> &[u8] {
        &self.photo
    }

    /// Data of a 0x30 0x01 reply: text length, photo length, text, photo.
    pub fn read_payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(4 + TEXT_LEN + PHOTO_LEN);
        out.extend_from_slice(&(TEXT_LEN as u16).to_be_bytes());
        out.extend_from_slice(&(PHOTO_LEN as u16).to_be_bytes());
        out.extend_from_slice(&self.text);
        out.extend_from_slice(&self.photo);
        out
    }

    /// Data of a 0x30 0x10 reply: the three lengths, text, photo, fingerprints.
    pub fn read_payload_with_fingerprints(&self) -> Vec<u8> {
        let fp_len = self.fingerprints * FINGERPRINT_LEN;
        let mut out = Vec::with_capacity(6 + TEXT_LEN + PHOTO_LEN + fp_len);
        out.extend_from_slice(&(TEXT_LEN as u16).to_be_bytes());
        out.extend_from_slice(&(PHOTO_LEN as u16).to_be_bytes());
        out.extend_from_slice(&(fp_len as u16).to_be_bytes());
        out.extend_from_slice(&self.text);
        out.extend_from_slice(&self.photo);
        for finger in 0..self.fingerprints {
            let mut template = vec![0u8; FINGERPRINT_LEN];
            // Header per reference §1.7: 'C', version, device, developer, registered,
            // finger position (right thumb, right index), quality.
            template[..7].copy_from_slice(&[
                0x43,
                0x01,
                0x01,
                0x01,
                0x01,
                0x0B + finger as u8,
                0x50,
            ]);
            out.extend_from_slice(&template);
        }
        out
    }

    /// Data of a 0x30 0x03 reply (70 bytes per address), empty when there are none.
    pub fn additional_address_payload(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(70 * self.additional_addresses.len());
        for address in &self.additional_addresses {
            let mut entry = [0u8; 70];
            for pair in entry.chunks_exact_mut(2) {
                pair[0] = 0x20;
            }
            for (slot, unit) in entry.chunks_exact_mut(2).zip(address.encode_utf16()) {
                slot.copy_from_slice(&unit.to_le_bytes());
            }
            out.extend_from_slice(&entry);
        }
        out
    }
}

/// A deterministic 1024-byte stand-in that starts like a WLT file; not an image.
fn synthetic_photo(seed: &str) -> Vec<u8> {
    let mut photo = vec![0u8; PHOTO_LEN];
    photo[..10].copy_from_slice(&[0x57, 0x4C, 0x66, 0x00, 0x7E, 0x00, 0x32, 0x00, 0x00, 0xFF]);
    let mut state = seed.bytes().fold(0x811C_9DC5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    for byte in &mut photo[10..] {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = state as u8;
    }
    photo
}
