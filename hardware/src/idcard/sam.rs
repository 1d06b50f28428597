//! The SAM module's ID (reference §1.8): five little-endian numbers printed as
//! `05.01-20101129-0001228293-0296863149`.

use std::fmt;

use serde::Serialize;

/// The 16-byte SAM ID of a reader module. Identifies the device, not a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct SamId {
    /// First field (u16 LE).
    pub part1: u16,
    /// Second field (u16 LE).
    pub part2: u16,
    /// Third field (u32 LE), usually a date such as 20101129.
    pub part3: u32,
    /// Fourth field (u32 LE).
    pub part4: u32,
    /// Fifth field (u32 LE).
    pub part5: u32,
}

impl SamId {
    /// Decodes the 16 data bytes of a SAM-ID reply; `None` for any other length.
    pub fn from_bytes(data: &[u8]) -> Option<Self> {
        let bytes: &[u8; 16] = data.try_into().ok()?;
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
        let u32_at =
            |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
        Some(Self {
            part1: u16_at(0),
            part2: u16_at(2),
            part3: u32_at(4),
            part4: u32_at(8),
            part5: u32_at(12),
        })
    }

    /// The 16 bytes on the wire.
    pub fn to_bytes(self) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[0..2].copy_from_slice(&self.part1.to_le_bytes());
        out[2..4].copy_from_slice(&self.part2.to_le_bytes());
        out[4..8].copy_from_slice(&self.part3.to_le_bytes());
        out[8..12].copy_from_slice(&self.part4.to_le_bytes());
        out[12..16].copy_from_slice(&self.part5.to_le_bytes());
        out
    }
}

impl fmt::Display for SamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}.{:02}-{:08}-{:010}-{:010}",
            self.part1, self.part2, self.part3, self.part4, self.part5
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reference_capture_formats_like_the_vendor_tool() {
        let data = [
            0x05, 0x00, 0x01, 0x00, 0x09, 0xB8, 0x32, 0x01, 0x05, 0xBE, 0x12, 0x00, 0xAD, 0xC5,
            0xB1, 0x11,
        ];
        let id = SamId::from_bytes(&data).unwrap();
        assert_eq!(id.to_string(), "05.01-20101129-0001228293-0296863149");
        assert_eq!(id.to_bytes(), data);
        assert_eq!(SamId::from_bytes(&data[..15]), None);
    }
}
