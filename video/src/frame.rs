//! A decoded picture handed to the screen: RGBA, rows possibly padded (`stride`).

/// A borrowed RGBA frame, valid during the callback that receives it.
#[derive(Debug, Clone, Copy)]
pub struct FrameRef<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Bytes from one row to the next (≥ 4 × width).
    pub stride: usize,
    /// The pixels.
    pub data: &'a [u8],
}

impl FrameRef<'_> {
    /// Copies the rows into `out` as packed RGBA (4 × width × height bytes); `false` if the
    /// sizes do not fit (then `out` is left as it was).
    pub fn copy_packed_into(&self, out: &mut [u8]) -> bool {
        let row = self.width as usize * 4;
        let rows = self.height as usize;
        if out.len() != row * rows
            || self.stride < row
            || self.data.len() < self.stride * (rows.saturating_sub(1)) + row
        {
            return false;
        }
        for (y, dest) in out.chunks_exact_mut(row).enumerate() {
            let start = y * self.stride;
            dest.copy_from_slice(&self.data[start..start + row]);
        }
        true
    }

    /// The pixels as packed RGBA.
    pub fn to_packed(&self) -> Vec<u8> {
        let mut out = vec![0; self.width as usize * 4 * self.height as usize];
        if !self.copy_packed_into(&mut out) {
            out.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_rows_are_packed_without_their_padding() {
        // 2×2 pixels, rows padded to 12 bytes.
        let data: Vec<u8> = (0..24).collect();
        let frame = FrameRef {
            width: 2,
            height: 2,
            stride: 12,
            data: &data,
        };
        assert_eq!(
            frame.to_packed(),
            vec![0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 16, 17, 18, 19]
        );
        let mut small = vec![0; 4];
        assert!(!frame.copy_packed_into(&mut small));
    }
}
