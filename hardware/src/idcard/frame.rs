//! The frame layer shared by commands and responses (reference §1.2):
//! `AA AA AA 96 69 | Len (big-endian) | body | CHK`, where Len counts body + CHK and CHK is
//! the XOR of the two length bytes and the body.

use thiserror::Error;
use zeroize::{Zeroize, Zeroizing};

use super::status::Status;

/// The five bytes that start every frame.
pub const PREAMBLE: [u8; 5] = [0xAA, 0xAA, 0xAA, 0x96, 0x69];
/// Preamble plus the two length bytes.
pub const HEADER_LEN: usize = 7;
/// Largest Len a response may carry: the biggest known reply (text + photo + two
/// fingerprints) has Len 2314; the margin tolerates vendor extensions.
pub const MAX_RESPONSE_LEN: u16 = 4096;
/// Smallest response Len: SW1 SW2 SW3 CHK.
pub const MIN_RESPONSE_LEN: u16 = 4;
/// Smallest command Len: CMD Para CHK.
pub const MIN_COMMAND_LEN: u16 = 3;
/// Largest command Len we accept (the longest command, set-max-RF-bytes, has Len 4).
pub const MAX_COMMAND_LEN: u16 = 64;

/// A frame that could not be taken from the byte stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum FrameError {
    /// The XOR over length, body and CHK was not zero.
    #[error("frame checksum mismatch (XOR residue 0x{residue:02X})")]
    Checksum {
        /// XOR of Len1..CHK; zero for a good frame.
        residue: u8,
    },
    /// The length field is outside what this kind of frame can have.
    #[error("frame length {len} outside {min}..={max}")]
    Length {
        /// The length field as received.
        len: u16,
        /// Smallest acceptable length.
        min: u16,
        /// Largest acceptable length.
        max: u16,
    },
    /// A body too long for the 16-bit length field.
    #[error("frame body of {0} bytes does not fit a 16-bit length")]
    TooLong(usize),
}

/// XOR of all bytes.
pub fn xor(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0, |acc, b| acc ^ b)
}

/// Builds a complete frame around `body` (command: CMD Para Data; response: SW1 SW2 SW3 Data).
pub fn encode(body: &[u8]) -> Result<Vec<u8>, FrameError> {
    let len = u16::try_from(body.len() + 1).map_err(|_| FrameError::TooLong(body.len()))?;
    let mut frame = Vec::with_capacity(HEADER_LEN + body.len() + 1);
    frame.extend_from_slice(&PREAMBLE);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    let chk = xor(&frame[PREAMBLE.len()..]);
    frame.push(chk);
    Ok(frame)
}

/// The body of a good frame (between the length bytes and CHK). Wiped on drop: a read
/// response carries personal data.
#[derive(Clone, PartialEq, Eq)]
pub struct Frame {
    body: Zeroizing<Vec<u8>>,
}

impl Frame {
    /// The bytes between Len2 and CHK.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl std::fmt::Debug for Frame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the body: it may be a card's text and photo.
        f.debug_struct("Frame")
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A decoded reader response: the card's ISO 7816 status bytes, the reader's status and
/// the data. The data is wiped on drop.
#[derive(Clone, PartialEq, Eq)]
pub struct Response {
    /// SW1, relayed from the card (usually 0).
    pub sw1: u8,
    /// SW2, relayed from the card (usually 0).
    pub sw2: u8,
    /// SW3, the reader's status.
    pub status: Status,
    data: Zeroizing<Vec<u8>>,
}

impl Response {
    /// A response with the given status and data.
    pub fn new(status: Status, data: &[u8]) -> Self {
        Self {
            sw1: 0,
            sw2: 0,
            status,
            data: Zeroizing::new(data.to_vec()),
        }
    }

    /// Interprets a frame as a response; its body must hold at least SW1 SW2 SW3.
    pub fn from_frame(frame: Frame) -> Result<Self, FrameError> {
        let body = frame.body();
        if body.len() < 3 {
            return Err(FrameError::Length {
                len: (body.len() + 1) as u16,
                min: MIN_RESPONSE_LEN,
                max: MAX_RESPONSE_LEN,
            });
        }
        Ok(Self {
            sw1: body[0],
            sw2: body[1],
            status: Status::from_code(body[2]),
            data: Zeroizing::new(body[3..].to_vec()),
        })
    }

    /// The data after SW3.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The complete frame on the wire.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let mut body = Zeroizing::new(Vec::with_capacity(3 + self.data.len()));
        body.extend_from_slice(&[self.sw1, self.sw2, self.status.code()]);
        body.extend_from_slice(&self.data);
        encode(&body)
    }
}

impl std::fmt::Debug for Response {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Response")
            .field("sw1", &self.sw1)
            .field("sw2", &self.sw2)
            .field("status", &self.status)
            .field("data_len", &self.data.len())
            .finish()
    }
}

/// Reassembles frames from a byte stream that arrives in arbitrary pieces, skipping
/// garbage before a preamble. Buffered bytes are wiped as they are consumed and on drop.
pub struct FrameDecoder {
    buf: Vec<u8>,
    min_len: u16,
    max_len: u16,
    discarded: u64,
}

impl FrameDecoder {
    /// A decoder for reader responses.
    pub fn for_responses() -> Self {
        Self::new(MIN_RESPONSE_LEN, MAX_RESPONSE_LEN)
    }

    /// A decoder for host commands (used by the simulator).
    pub fn for_commands() -> Self {
        Self::new(MIN_COMMAND_LEN, MAX_COMMAND_LEN)
    }

    fn new(min_len: u16, max_len: u16) -> Self {
        Self {
            buf: Vec::with_capacity(2 * (HEADER_LEN + usize::from(max_len))),
            min_len,
            max_len,
            discarded: 0,
        }
    }

    /// Appends bytes as they came from the device.
    pub fn push(&mut self, bytes: &[u8]) {
        let needed = self.buf.len() + bytes.len();
        if needed > self.buf.capacity() {
            // Grow by hand so the old allocation is wiped instead of freed with its contents.
            let mut bigger = Vec::with_capacity(needed.max(2 * self.buf.capacity()));
            bigger.extend_from_slice(&self.buf);
            self.buf.zeroize();
            self.buf = bigger;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Takes the next frame or error out of the buffer; `None` means more bytes are needed.
    /// Every call either returns `None` or consumes bytes, so a loop over it ends.
    pub fn next_frame(&mut self) -> Option<Result<Frame, FrameError>> {
        match find_preamble(&self.buf) {
            Some(0) => {}
            Some(start) => {
                self.discarded += start as u64;
                self.consume(start);
            }
            None => {
                // Keep a tail that may be the start of a preamble split across reads.
                let keep = self.buf.len().min(PREAMBLE.len() - 1);
                let drop = self.buf.len() - keep;
                self.discarded += drop as u64;
                self.consume(drop);
                return None;
            }
        }
        if self.buf.len() < HEADER_LEN {
            return None;
        }
        let len = u16::from_be_bytes([self.buf[5], self.buf[6]]);
        if len < self.min_len || len > self.max_len {
            // Skip this preamble only: a real frame may follow inside what we would drop.
            self.consume(PREAMBLE.len());
            return Some(Err(FrameError::Length {
                len,
                min: self.min_len,
                max: self.max_len,
            }));
        }
        let total = HEADER_LEN + usize::from(len);
        if self.buf.len() < total {
            return None;
        }
        let residue = xor(&self.buf[PREAMBLE.len()..total]);
        if residue != 0 {
            self.consume(PREAMBLE.len());
            return Some(Err(FrameError::Checksum { residue }));
        }
        let body = Zeroizing::new(self.buf[HEADER_LEN..total - 1].to_vec());
        self.consume(total);
        Some(Ok(Frame { body }))
    }

    /// Whether bytes of an incomplete frame are waiting.
    pub fn has_partial(&self) -> bool {
        find_preamble(&self.buf).is_some()
    }

    /// Bytes held, waiting for the rest of a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Bytes skipped as garbage so far.
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    /// Forgets everything buffered (after a timeout or an error, before a new command).
    pub fn clear(&mut self) {
        self.buf.zeroize();
    }

    fn consume(&mut self, n: usize) {
        let len = self.buf.len();
        let keep = len - n;
        self.buf.copy_within(n.., 0);
        self.buf[keep..].zeroize();
        self.buf.truncate(keep);
    }
}

impl Default for FrameDecoder {
    fn default() -> Self {
        Self::for_responses()
    }
}

impl Drop for FrameDecoder {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

fn find_preamble(buf: &[u8]) -> Option<usize> {
    buf.windows(PREAMBLE.len()).position(|w| w == PREAMBLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_all(decoder: &mut FrameDecoder) -> Vec<Result<Frame, FrameError>> {
        std::iter::from_fn(|| decoder.next_frame()).collect()
    }

    #[test]
    fn sam_id_reply_from_the_reference_decodes() {
        let bytes = [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x14, 0x00, 0x00, 0x90, 0x05, 0x00, 0x01, 0x00,
            0x09, 0xB8, 0x32, 0x01, 0x05, 0xBE, 0x12, 0x00, 0xAD, 0xC5, 0xB1, 0x11, 0x63,
        ];
        let mut d = FrameDecoder::for_responses();
        d.push(&bytes);
        let frames = decode_all(&mut d);
        assert_eq!(frames.len(), 1);
        let response = Response::from_frame(frames[0].clone().unwrap()).unwrap();
        assert_eq!(response.status, Status::Success);
        assert_eq!(response.data().len(), 16);
        assert_eq!(response.encode().unwrap(), bytes);
    }

    #[test]
    fn encode_matches_the_reference_find_reply() {
        let frame = Response::new(Status::CardFound, &[0, 0, 0, 0])
            .encode()
            .unwrap();
        assert_eq!(
            frame,
            [
                0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00, 0x00, 0x9F, 0, 0, 0, 0, 0x97
            ]
        );
    }

    #[test]
    fn byte_at_a_time_and_garbage_with_a_partial_preamble() {
        let good = Response::new(Status::FindFailed, &[]).encode().unwrap();
        let mut stream = vec![0x00, 0xAA, 0xAA, 0x13, 0xAA, 0xAA];
        stream.extend_from_slice(&good);
        let mut d = FrameDecoder::for_responses();
        let mut got = Vec::new();
        for b in &stream {
            d.push(&[*b]);
            got.extend(decode_all(&mut d));
        }
        assert_eq!(got.len(), 1);
        let r = Response::from_frame(got.remove(0).unwrap()).unwrap();
        assert_eq!(r.status, Status::FindFailed);
        // Two stray AA right before the real preamble are garbage too.
        assert_eq!(d.discarded(), 6);
    }

    #[test]
    fn checksum_and_length_errors_are_typed_and_the_stream_recovers() {
        let mut bad = Response::new(Status::Success, &[]).encode().unwrap();
        *bad.last_mut().unwrap() ^= 0xFF;
        let bad_len = [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x02, 0x00, 0x02];
        let good = Response::new(Status::Success, &[]).encode().unwrap();
        let mut d = FrameDecoder::for_responses();
        d.push(&bad);
        d.push(&bad_len);
        d.push(&good);
        let got = decode_all(&mut d);
        assert_eq!(got[0], Err(FrameError::Checksum { residue: 0xFF }));
        assert_eq!(
            got[1],
            Err(FrameError::Length {
                len: 2,
                min: 4,
                max: 4096
            })
        );
        assert!(got[2].is_ok());
        assert_eq!(got.len(), 3);
    }
}
