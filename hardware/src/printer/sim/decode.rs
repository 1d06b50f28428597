//! ESC/POS byte stream → printed jobs, as a printer would interpret it.
//!
//! [`parse_command`] cuts one command (or one run of text) off the front of a buffer, and
//! [`JobAssembler`] applies commands to a page the way the mechanism would: text collects
//! on a line until LF, `GS !` and `ESC E` style it, `GS ( k` stores and prints a QR code,
//! and a cut ends the job. Used by the simulator and by the preview.

use std::fmt::Write as _;

use encoding_rs::GB18030;
use serde::Serialize;

use crate::printer::document::Align;
use crate::printer::layout::{PaperWidth, text_columns};

/// One command (or text run) of the ESC/POS stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Printable bytes (GB18030 in Chinese mode).
    Text(Vec<u8>),
    /// LF: print the line and advance.
    LineFeed,
    /// `ESC d n`: print and feed n lines.
    FeedLines(u8),
    /// `ESC @`.
    Init,
    /// `FS &` (true) or `FS .` (false).
    ChineseMode(bool),
    /// `ESC a n`.
    Align(Align),
    /// `ESC E n`.
    Bold(bool),
    /// `GS ! n`: width and height factors (1-8).
    Size(u8, u8),
    /// `ESC ! n`: print mode (bold, double width/height bits).
    PrintMode(u8),
    /// `GS ( k` function 165: QR model (49 = 1, 50 = 2, 51 = micro).
    QrModel(u8),
    /// `GS ( k` function 167: module size in dots.
    QrModuleSize(u8),
    /// `GS ( k` function 169: error correction (48 L, 49 M, 50 Q, 51 H).
    QrErrorCorrection(u8),
    /// `GS ( k` function 180: store data.
    QrStore(Vec<u8>),
    /// `GS ( k` function 181: print the stored code.
    QrPrint,
    /// `GS V`: cut; `partial` for m = 1, 49, 66 and the like.
    Cut {
        /// A partial cut (one point left uncut).
        partial: bool,
    },
    /// `DLE EOT n`: real-time status (answered on receipt, not here).
    RealTimeStatus(u8),
    /// `GS r n`: transmit status once processed.
    TransmitStatus(u8),
    /// `GS v 0` raster image of the given size in dots.
    RasterImage {
        /// Width in dots.
        width: u32,
        /// Height in dots.
        height: u32,
    },
    /// Anything else, kept for the record.
    Other(Vec<u8>),
}

/// Cuts the first command off `buf`: `Some((command, length))`, or `None` when `buf` ends
/// inside a command (wait for more bytes). Never panics, whatever the bytes.
pub fn parse_command(buf: &[u8]) -> Option<(Command, usize)> {
    let first = *buf.first()?;
    let at = |i: usize| buf.get(i).copied();
    let fixed = |len: usize, cmd: Command| (buf.len() >= len).then_some((cmd, len));
    match first {
        0x0A => Some((Command::LineFeed, 1)),
        0x1B => {
            let op = at(1)?;
            match op {
                b'@' => Some((Command::Init, 2)),
                b'a' => fixed(3, Command::Align(align_of(at(2)?))),
                b'E' => fixed(3, Command::Bold(at(2)? & 1 == 1)),
                b'd' => fixed(3, Command::FeedLines(at(2)?)),
                b'!' => fixed(3, Command::PrintMode(at(2)?)),
                b'2' | b'<' => Some((Command::Other(buf[..2].to_vec()), 2)),
                b'3' | b't' | b'M' | b'-' | b'G' | b'{' | b'V' | b'J' | b'R' | b'r' | b'='
                | b' ' | b'%' | b'U' => fixed(3, Command::Other(buf[..3.min(buf.len())].to_vec())),
                b'p' => fixed(5, Command::Other(buf[..5.min(buf.len())].to_vec())),
                _ => Some((Command::Other(buf[..2].to_vec()), 2)),
            }
        }
        0x1C => {
            let op = at(1)?;
            match op {
                b'&' => Some((Command::ChineseMode(true), 2)),
                b'.' => Some((Command::ChineseMode(false), 2)),
                b'!' | b'-' | b'W' | b'C' => {
                    fixed(3, Command::Other(buf[..3.min(buf.len())].to_vec()))
                }
                b'S' => fixed(4, Command::Other(buf[..4.min(buf.len())].to_vec())),
                _ => Some((Command::Other(buf[..2].to_vec()), 2)),
            }
        }
        0x1D => parse_gs(buf),
        0x10 => {
            let op = at(1)?;
            match op {
                0x04 => fixed(3, Command::RealTimeStatus(at(2)?)),
                0x05 => fixed(3, Command::Other(buf[..3.min(buf.len())].to_vec())),
                0x14 => fixed(5, Command::Other(buf[..5.min(buf.len())].to_vec())),
                _ => Some((Command::Other(buf[..1].to_vec()), 1)),
            }
        }
        0x00..=0x1F | 0x7F => Some((Command::Other(vec![first]), 1)),
        _ => parse_text(buf),
    }
}

fn align_of(n: u8) -> Align {
    match n {
        1 | b'1' => Align::Center,
        2 | b'2' => Align::Right,
        _ => Align::Left,
    }
}

fn parse_gs(buf: &[u8]) -> Option<(Command, usize)> {
    let at = |i: usize| buf.get(i).copied();
    let fixed = |len: usize, cmd: Command| (buf.len() >= len).then_some((cmd, len));
    let op = at(1)?;
    match op {
        b'!' => {
            let n = at(2)?;
            Some((Command::Size((n >> 4) + 1, (n & 0x0F) + 1), 3))
        }
        b'V' => match at(2)? {
            m @ (0 | 1 | 48 | 49) => Some((
                Command::Cut {
                    partial: m & 1 == 1,
                },
                3,
            )),
            m @ (65 | 66 | 97 | 98 | 103 | 104) => fixed(
                4,
                Command::Cut {
                    partial: m & 1 == 0,
                },
            ),
            _ => Some((Command::Other(buf[..3].to_vec()), 3)),
        },
        b'r' => fixed(3, Command::TransmitStatus(at(2)?)),
        b'(' => {
            let fn_class = at(2)?;
            let len = usize::from(at(3)?) | usize::from(at(4)?) << 8;
            let total = 5 + len;
            if buf.len() < total {
                return None;
            }
            let body = &buf[5..total];
            let cmd = if fn_class == b'k' && body.first() == Some(&0x31) {
                match (body.get(1), body.get(2)) {
                    (Some(0x41), Some(&n)) => Command::QrModel(n),
                    (Some(0x43), Some(&n)) => Command::QrModuleSize(n),
                    (Some(0x45), Some(&n)) => Command::QrErrorCorrection(n),
                    (Some(0x50), Some(0x30)) => Command::QrStore(body[3..].to_vec()),
                    (Some(0x51), Some(0x30)) => Command::QrPrint,
                    _ => Command::Other(buf[..total].to_vec()),
                }
            } else {
                Command::Other(buf[..total].to_vec())
            };
            Some((cmd, total))
        }
        b'v' => {
            // GS v 0 m xL xH yL yH d…: xL+xH·256 bytes per row, yL+yH·256 rows.
            if buf.len() < 8 {
                return None;
            }
            let width_bytes = usize::from(buf[4]) | usize::from(buf[5]) << 8;
            let rows = usize::from(buf[6]) | usize::from(buf[7]) << 8;
            let total = 8 + width_bytes * rows;
            if buf.len() < total {
                return None;
            }
            let width = u32::try_from(width_bytes * 8).unwrap_or(u32::MAX);
            let height = u32::try_from(rows).unwrap_or(u32::MAX);
            Some((Command::RasterImage { width, height }, total))
        }
        b'B' | b'a' | b'H' | b'h' | b'w' | b'f' | b'L' | b'W' | b'b' | b'I' | b'E' => {
            let len = if matches!(op, b'L' | b'W') { 4 } else { 3 };
            fixed(len, Command::Other(buf[..len.min(buf.len())].to_vec()))
        }
        _ => Some((Command::Other(buf[..2].to_vec()), 2)),
    }
}

/// A run of printable bytes, stopping before a control byte and never inside a GB18030
/// character (its lead byte is 0x81-0xFE; a 4-byte form has 0x30-0x39 second).
fn parse_text(buf: &[u8]) -> Option<(Command, usize)> {
    let mut i = 0;
    while i < buf.len() {
        let b = buf[i];
        let len = match b {
            0x00..=0x1F | 0x7F => break,
            0x20..=0x80 | 0xFF => 1,
            _ => match buf.get(i + 1) {
                None => break,
                Some(0x30..=0x39) => 4,
                Some(_) => 2,
            },
        };
        if i + len > buf.len() {
            break;
        }
        i += len;
    }
    if i == 0 {
        // A lone lead byte at the end: wait for its partner.
        return None;
    }
    Some((Command::Text(buf[..i].to_vec()), i))
}

/// A piece of text in one style on a printed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// The text, decoded from GB18030.
    pub text: String,
    /// Width factor (1-8).
    pub width: u8,
    /// Height factor (1-8).
    pub height: u8,
    /// Emphasised.
    pub bold: bool,
}

/// A QR code as the printer received it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrCode {
    /// The payload, as text (invalid UTF-8 replaced).
    pub data: String,
    /// Model: 1, 2, or 3 for micro.
    pub model: u8,
    /// Error correction: 'L', 'M', 'Q' or 'H'.
    pub error_correction: char,
    /// Module size in dots.
    pub module_size: u8,
    /// Alignment when printed.
    pub align: Align,
}

/// One thing on the paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Element {
    /// A printed line of text (possibly empty: a blank line).
    Line {
        /// Alignment of the line.
        align: Align,
        /// The styled pieces.
        spans: Vec<Span>,
    },
    /// A QR code.
    Qr(QrCode),
    /// A raster image (not decoded).
    Image {
        /// Width in dots.
        width: u32,
        /// Height in dots.
        height: u32,
    },
    /// The cut.
    Cut {
        /// Partial cut.
        partial: bool,
    },
}

/// One job as the printer received it: everything up to and including a cut.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedJob {
    /// What came out, top to bottom.
    pub elements: Vec<Element>,
    /// The bytes of the job as received (status queries included).
    pub raw: Vec<u8>,
    /// Printable width in dots (384 or 576).
    pub dots: u32,
}

impl ReceivedJob {
    /// The plain text of every printed line, in order (blank lines included).
    pub fn lines(&self) -> Vec<String> {
        self.elements
            .iter()
            .filter_map(|e| match e {
                Element::Line { spans, .. } => {
                    Some(spans.iter().map(|s| s.text.as_str()).collect::<String>())
                }
                _ => None,
            })
            .collect()
    }

    /// The QR codes printed.
    pub fn qr_codes(&self) -> Vec<&QrCode> {
        self.elements
            .iter()
            .filter_map(|e| match e {
                Element::Qr(q) => Some(q),
                _ => None,
            })
            .collect()
    }

    /// True when the job ended with a partial cut.
    pub fn ends_with_partial_cut(&self) -> bool {
        matches!(self.elements.last(), Some(Element::Cut { partial: true }))
    }

    /// The ticket as a person would read it, for a console: lines aligned within the
    /// paper's columns, enlarged text marked `[2x]`, QR codes and the cut as markers.
    pub fn to_text(&self) -> String {
        let columns = PaperWidth::from_dots(self.dots)
            .unwrap_or_default()
            .columns();
        let mut out = String::new();
        for element in &self.elements {
            match element {
                Element::Line { align, spans } => {
                    let factor = spans.iter().map(|s| s.width).max().unwrap_or(1).max(1);
                    let text: String = spans.iter().map(|s| s.text.as_str()).collect();
                    let marker = if factor > 1 {
                        format!("[{factor}x] ")
                    } else {
                        String::new()
                    };
                    let width = text_columns(&text) * usize::from(factor) + marker.len();
                    let pad = match align {
                        Align::Left => 0,
                        Align::Center => columns.saturating_sub(width) / 2,
                        Align::Right => columns.saturating_sub(width),
                    };
                    let _ = writeln!(out, "{}{marker}{text}", " ".repeat(pad));
                }
                Element::Qr(q) => {
                    let _ = writeln!(
                        out,
                        "[QR model {} EC {} module {}: {}]",
                        q.model, q.error_correction, q.module_size, q.data
                    );
                }
                Element::Image { width, height } => {
                    let _ = writeln!(out, "[image {width}x{height} dots]");
                }
                Element::Cut { partial } => {
                    let kind = if *partial { "partial" } else { "full" };
                    let _ = writeln!(
                        out,
                        "{} [{kind} cut]",
                        "-".repeat(columns.saturating_sub(16))
                    );
                }
            }
        }
        out
    }
}

/// Applies commands to a page like the print mechanism and yields a job at each cut.
#[derive(Debug, Clone)]
pub struct JobAssembler {
    dots: u32,
    elements: Vec<Element>,
    raw: Vec<u8>,
    line: Vec<Span>,
    line_align: Option<Align>,
    align: Align,
    bold: bool,
    width: u8,
    height: u8,
    qr_model: u8,
    qr_module: u8,
    qr_ec: u8,
    qr_data: Vec<u8>,
}

impl JobAssembler {
    /// A fresh page for a printer `dots` wide.
    pub fn new(dots: u32) -> Self {
        Self {
            dots,
            elements: Vec::new(),
            raw: Vec::new(),
            line: Vec::new(),
            line_align: None,
            align: Align::Left,
            bold: false,
            width: 1,
            height: 1,
            qr_model: 50,
            qr_module: 3,
            qr_ec: 48,
            qr_data: Vec::new(),
        }
    }

    /// True when nothing has been printed since the last cut.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty() && self.line.is_empty()
    }

    /// Applies one command (`raw` is its bytes); returns the finished job at a cut.
    pub fn apply(&mut self, command: Command, raw: &[u8]) -> Option<ReceivedJob> {
        self.raw.extend_from_slice(raw);
        match command {
            Command::Text(bytes) => {
                let (text, _) = GB18030.decode_without_bom_handling(&bytes);
                if self.line.is_empty() {
                    self.line_align = Some(self.align);
                }
                let (width, height, bold) = (self.width, self.height, self.bold);
                match self.line.last_mut() {
                    Some(s) if (s.width, s.height, s.bold) == (width, height, bold) => {
                        s.text.push_str(&text)
                    }
                    _ => self.line.push(Span {
                        text: text.into_owned(),
                        width,
                        height,
                        bold,
                    }),
                }
            }
            Command::LineFeed => self.print_line(),
            Command::FeedLines(n) => {
                for _ in 0..n {
                    self.print_line();
                }
            }
            Command::Init => {
                self.align = Align::Left;
                self.bold = false;
                self.width = 1;
                self.height = 1;
            }
            Command::Align(a) => self.align = a,
            Command::Bold(b) => self.bold = b,
            Command::Size(w, h) => {
                self.width = w.clamp(1, 8);
                self.height = h.clamp(1, 8);
            }
            Command::PrintMode(n) => {
                self.bold = n & 0x08 != 0;
                self.height = if n & 0x10 != 0 { 2 } else { 1 };
                self.width = if n & 0x20 != 0 { 2 } else { 1 };
            }
            Command::QrModel(n) => self.qr_model = n,
            Command::QrModuleSize(n) => self.qr_module = n,
            Command::QrErrorCorrection(n) => self.qr_ec = n,
            Command::QrStore(data) => self.qr_data = data,
            Command::QrPrint => {
                self.flush_line();
                self.elements.push(Element::Qr(QrCode {
                    data: String::from_utf8_lossy(&self.qr_data).into_owned(),
                    model: self.qr_model.saturating_sub(48),
                    error_correction: match self.qr_ec {
                        48 => 'L',
                        49 => 'M',
                        50 => 'Q',
                        _ => 'H',
                    },
                    module_size: self.qr_module,
                    align: self.align,
                }));
            }
            Command::RasterImage { width, height } => {
                self.flush_line();
                self.elements.push(Element::Image { width, height });
            }
            Command::Cut { partial } => {
                self.flush_line();
                self.elements.push(Element::Cut { partial });
                return Some(ReceivedJob {
                    elements: std::mem::take(&mut self.elements),
                    raw: std::mem::take(&mut self.raw),
                    dots: self.dots,
                });
            }
            Command::ChineseMode(_)
            | Command::RealTimeStatus(_)
            | Command::TransmitStatus(_)
            | Command::Other(_) => {}
        }
        None
    }

    fn print_line(&mut self) {
        let spans = std::mem::take(&mut self.line);
        let align = self.line_align.take().unwrap_or(self.align);
        self.elements.push(Element::Line { align, spans });
    }

    fn flush_line(&mut self) {
        if !self.line.is_empty() {
            self.print_line();
        }
    }
}

/// Decodes a whole byte stream into the jobs it prints (one per cut). Bytes after the last
/// cut that printed something form a final job without a cut.
pub fn decode_jobs(bytes: &[u8], dots: u32) -> Vec<ReceivedJob> {
    let mut assembler = JobAssembler::new(dots);
    let mut jobs = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let Some((command, len)) = parse_command(rest) else {
            break;
        };
        let (raw, tail) = rest.split_at(len);
        if let Some(job) = assembler.apply(command, raw) {
            jobs.push(job);
        }
        rest = tail;
    }
    if !assembler.is_empty() {
        assembler.flush_line();
        jobs.push(ReceivedJob {
            elements: std::mem::take(&mut assembler.elements),
            raw: std::mem::take(&mut assembler.raw),
            dots,
        });
    }
    jobs
}
