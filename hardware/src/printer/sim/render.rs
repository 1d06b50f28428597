//! Printed jobs → PNG at the printer's dot width, as the paper would look.
//!
//! Text is drawn in the printer's cells (12 × 24 dots per ASCII character, 24 × 24 per
//! hanzi, times the size factors) with the kiosk's embedded Noto Sans CJK font, so wrapping
//! and alignment look as on paper. QR codes are regenerated from the received payload with
//! the received module size and error correction, so the picture scans like the ticket.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use qrcode::{EcLevel, QrCode as QrMatrix};

use super::decode::{Element, QrCode, ReceivedJob, Span, decode_jobs};
use crate::printer::document::{Align, Document};
use crate::printer::encode::{EncodeError, EncodeOptions, encode};

/// The kiosk's CJK font (GB 2312 + KS X 1001 subset of Noto Sans CJK SC, OFL).
static FONT_BYTES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../ui/fonts/NotoSansCJKsc-Regular-kiosk.otf"
));

const CELL_HEIGHT: u32 = 24;
const ASCII_CELL_WIDTH: u32 = 12;
const LINE_GAP: u32 = 8;
const MARGIN: u32 = 12;

/// Why a picture could not be made.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The document could not be encoded.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Png(#[from] png::EncodingError),
    /// The embedded font could not be loaded.
    #[error("embedded font unusable: {0}")]
    Font(String),
}

fn font() -> Result<&'static FontRef<'static>, RenderError> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
        .ok_or_else(|| RenderError::Font("not a valid OpenType font".into()))
}

/// Renders a document as the printer would print it, without any printer: for
/// `diag print-ticket --preview FILE.png`. Returns PNG bytes.
pub fn preview_png(doc: &Document, options: &EncodeOptions) -> Result<Vec<u8>, RenderError> {
    let bytes = encode(doc, options)?;
    render_bytes_png(&bytes, options.paper.dots())
}

/// Renders an ESC/POS byte stream (one or more jobs) to PNG `dots` wide.
pub fn render_bytes_png(bytes: &[u8], dots: u32) -> Result<Vec<u8>, RenderError> {
    let jobs = decode_jobs(bytes, dots);
    let mut canvas = Canvas::new(dots);
    for job in &jobs {
        draw_job(&mut canvas, job)?;
    }
    canvas.to_png()
}

/// Renders one received job to PNG at its printer's dot width.
pub fn render_job_png(job: &ReceivedJob) -> Result<Vec<u8>, RenderError> {
    let mut canvas = Canvas::new(job.dots);
    draw_job(&mut canvas, job)?;
    canvas.to_png()
}

/// A growing greyscale page, 255 = white paper.
struct Canvas {
    width: u32,
    pixels: Vec<u8>,
    y: u32,
}

impl Canvas {
    fn new(width: u32) -> Self {
        let mut canvas = Self {
            width: width.max(1),
            pixels: Vec::new(),
            y: 0,
        };
        canvas.advance(MARGIN);
        canvas
    }

    fn height(&self) -> u32 {
        u32::try_from(self.pixels.len() / self.width as usize).unwrap_or(u32::MAX)
    }

    /// Makes sure rows up to `y + rows` exist, then moves the pen down.
    fn advance(&mut self, rows: u32) {
        self.ensure(self.y + rows);
        self.y += rows;
    }

    fn ensure(&mut self, rows: u32) {
        let needed = rows as usize * self.width as usize;
        if self.pixels.len() < needed {
            self.pixels.resize(needed, 255);
        }
    }

    /// Darkens a pixel by `coverage` (0-1); outside the page is ignored.
    fn ink(&mut self, x: i64, y: i64, coverage: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height()) {
            return;
        }
        let i = y as usize * self.width as usize + x as usize;
        let value = 255.0 * (1.0 - coverage.clamp(0.0, 1.0));
        self.pixels[i] = self.pixels[i].min(value as u8);
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, value: u8) {
        self.ensure(y + h);
        for row in y..y + h {
            for col in x..(x + w).min(self.width) {
                let i = row as usize * self.width as usize + col as usize;
                self.pixels[i] = value;
            }
        }
    }

    fn to_png(&self) -> Result<Vec<u8>, RenderError> {
        let mut out = Vec::new();
        let mut encoder = png::Encoder::new(&mut out, self.width, self.height().max(1));
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        if self.pixels.is_empty() {
            writer.write_image_data(&vec![255; self.width as usize])?;
        } else {
            writer.write_image_data(&self.pixels)?;
        }
        writer.finish()?;
        Ok(out)
    }
}

fn draw_job(canvas: &mut Canvas, job: &ReceivedJob) -> Result<(), RenderError> {
    let font = font()?;
    for element in &job.elements {
        match element {
            Element::Line { align, spans } => draw_line(canvas, font, *align, spans),
            Element::Qr(qr) => draw_qr(canvas, qr),
            Element::Image { width, height } => {
                let w = (*width).min(canvas.width);
                let x = (canvas.width - w) / 2;
                let y = canvas.y;
                canvas.fill(x, y, w, (*height).min(2000), 200);
                canvas.advance((*height).min(2000));
            }
            Element::Cut { .. } => draw_cut(canvas),
        }
    }
    Ok(())
}

fn cell_width(c: char, span: &Span) -> u32 {
    let base = if c.is_ascii() {
        ASCII_CELL_WIDTH
    } else {
        2 * ASCII_CELL_WIDTH
    };
    base * u32::from(span.width)
}

fn draw_line(canvas: &mut Canvas, font: &FontRef<'static>, align: Align, spans: &[Span]) {
    let line_height = spans
        .iter()
        .map(|s| CELL_HEIGHT * u32::from(s.height))
        .max()
        .unwrap_or(CELL_HEIGHT);
    let width: u32 = spans
        .iter()
        .flat_map(|s| s.text.chars().map(move |c| cell_width(c, s)))
        .sum();
    let mut x = match align {
        Align::Left => 0,
        Align::Center => canvas.width.saturating_sub(width) / 2,
        Align::Right => canvas.width.saturating_sub(width),
    };
    let top = canvas.y;
    canvas.ensure(top + line_height + LINE_GAP);
    // ab_glyph scales by ascent-to-descent height; the printer's cell is one em.
    let em_to_px_scale = font
        .units_per_em()
        .map_or(1.0, |upem| font.height_unscaled() / upem);
    for span in spans {
        let cell_height = CELL_HEIGHT * u32::from(span.height);
        let scale = PxScale {
            x: (CELL_HEIGHT * u32::from(span.width)) as f32 * em_to_px_scale,
            y: cell_height as f32 * em_to_px_scale,
        };
        let scaled = font.as_scaled(scale);
        // A common baseline: CJK glyphs sit in an em box 0.88 above and 0.12 below it.
        let baseline = (top + line_height - cell_height) as f32 + cell_height as f32 * 0.88;
        for c in span.text.chars() {
            let cell = cell_width(c, span);
            let glyph_id = font.glyph_id(c);
            let advance = scaled.h_advance(glyph_id);
            let offset = (cell as f32 - advance).max(0.0) / 2.0;
            let glyph = glyph_id
                .with_scale_and_position(scale, ab_glyph::point(x as f32 + offset, baseline));
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                let passes = if span.bold { 2 } else { 1 };
                for pass in 0..passes {
                    outline.draw(|gx, gy, coverage| {
                        canvas.ink(
                            bounds.min.x as i64 + i64::from(gx) + pass,
                            bounds.min.y as i64 + i64::from(gy),
                            coverage,
                        );
                    });
                }
            }
            x += cell;
        }
    }
    canvas.advance(line_height + LINE_GAP);
}

fn draw_qr(canvas: &mut Canvas, qr: &QrCode) {
    let level = match qr.error_correction {
        'L' => EcLevel::L,
        'Q' => EcLevel::Q,
        'H' => EcLevel::H,
        _ => EcLevel::M,
    };
    let module = u32::from(qr.module_size.clamp(1, 16));
    canvas.advance(2 * module);
    match QrMatrix::with_error_correction_level(qr.data.as_bytes(), level) {
        Ok(code) => {
            let n = code.width() as u32;
            let size = n * module;
            let x0 = match qr.align {
                Align::Left => 0,
                Align::Center => canvas.width.saturating_sub(size) / 2,
                Align::Right => canvas.width.saturating_sub(size),
            };
            let y0 = canvas.y;
            canvas.ensure(y0 + size);
            let colors = code.to_colors();
            for (i, color) in colors.iter().enumerate() {
                if *color == qrcode::Color::Dark {
                    let (mx, my) = (i as u32 % n, i as u32 / n);
                    canvas.fill(x0 + mx * module, y0 + my * module, module, module, 0);
                }
            }
            canvas.advance(size);
        }
        Err(_) => {
            // The printer could not print it either: show an empty frame.
            let y = canvas.y;
            canvas.fill(canvas.width / 2 - 40, y, 80, 2, 0);
            canvas.fill(canvas.width / 2 - 40, y + 78, 80, 2, 0);
            canvas.advance(80);
        }
    }
    canvas.advance(2 * module);
}

fn draw_cut(canvas: &mut Canvas) {
    canvas.advance(16);
    let y = canvas.y;
    let mut x = 0;
    while x < canvas.width {
        canvas.fill(x, y, 12.min(canvas.width - x), 2, 0);
        x += 20;
    }
    canvas.advance(2 + 16);
}
