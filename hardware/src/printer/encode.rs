//! Document → ESC/POS bytes, through the `escpos` crate with a GB18030 encoder.
//!
//! The crate's defaults are wrong for Chinese printers (UTF-8 text, model 1 QR, `GS V 65`
//! cuts), so this sets the encoder, sends Chinese mode (`FS &`) and the partial cut
//! (`GS V 66 0`) itself. See `shared/reference/escpos.md` §0.

use std::sync::{Arc, Mutex, PoisonError};

use escpos::driver::Driver;
use escpos::errors::PrinterError as EscposError;
use escpos::printer::Printer as EscposPrinter;
use escpos::utils::{
    Encoder, JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};
use serde::{Deserialize, Serialize};

use super::document::{Align, Block, Document, TextBlock, TextSize};
use super::layout::{PaperWidth, wrap};
use super::text::printable;

/// `FS &`: enter Chinese (double-byte) character mode.
pub const CHINESE_MODE: [u8; 2] = [0x1C, 0x26];
/// `GS V 66 0`: feed to the cutter and cut partially; the one form every manual accepts.
pub const PARTIAL_CUT: [u8; 4] = [0x1D, 0x56, 0x42, 0x00];
/// Longest QR payload we send: some Chinese printers take less than 1021 bytes.
pub const MAX_QR_BYTES: usize = 1000;

/// How to encode for a particular printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EncodeOptions {
    /// Roll width: decides the column count and the QR module size.
    pub paper: PaperWidth,
    /// The printer knows only 2-byte GBK: replace characters that need 4-byte GB18030.
    pub gbk_only: bool,
}

/// Why a document could not be encoded. Nothing was sent.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq, Serialize)]
pub enum EncodeError {
    /// The QR payload is empty, too long, or not printable ASCII (a URL is expected).
    #[error("QR code content rejected: {0}")]
    QrData(String),
    /// The `escpos` crate refused a command.
    #[error("ESC/POS encoding failed: {0}")]
    Escpos(String),
}

impl From<EscposError> for EncodeError {
    fn from(e: EscposError) -> Self {
        EncodeError::Escpos(e.to_string())
    }
}

/// QR module size in dots: a ~40-byte URL gives a version 3-4 code, about 25 mm wide at 6
/// dots on 80 mm paper, and still well inside 384 dots at 5 on 58 mm.
pub fn qr_module_size(paper: PaperWidth) -> u8 {
    match paper {
        PaperWidth::Mm58 => 5,
        PaperWidth::Mm80 => 6,
    }
}

/// Encodes a document as one printer job: `ESC @`, `FS &`, the blocks, as GB18030.
pub fn encode(doc: &Document, options: &EncodeOptions) -> Result<Vec<u8>, EncodeError> {
    let sink = CaptureDriver::default();
    let protocol = Protocol::new(Encoder::new(encoding_rs::GB18030));
    let mut printer = EscposPrinter::new(sink.clone(), protocol, None);
    printer.init()?.custom(&CHINESE_MODE)?;
    let mut style = Style::default();
    for block in &doc.blocks {
        match block {
            Block::Text(text) => encode_text(&mut printer, &mut style, text, options)?,
            Block::Qr(data) => {
                check_qr_data(data)?;
                style.set_align(&mut printer, Align::Center)?;
                let option = QRCodeOption::new(
                    QRCodeModel::Model2,
                    qr_module_size(options.paper),
                    QRCodeCorrectionLevel::M,
                );
                printer.qrcode_option(data, option)?;
            }
            Block::Separator => {
                style.set_size(&mut printer, TextSize::Normal)?;
                printer.writeln(&"-".repeat(options.paper.columns()))?;
            }
            Block::Feed(lines) => {
                printer.feeds(*lines)?;
            }
            Block::Cut => {
                style.set_align(&mut printer, Align::Left)?;
                printer.custom(&PARTIAL_CUT)?;
            }
        }
    }
    printer.print()?;
    Ok(sink.take())
}

fn encode_text<D: Driver>(
    printer: &mut EscposPrinter<D>,
    style: &mut Style,
    block: &TextBlock,
    options: &EncodeOptions,
) -> Result<(), EncodeError> {
    style.set_align(printer, block.align)?;
    style.set_size(printer, block.size)?;
    style.set_bold(printer, block.bold)?;
    let text = printable(&block.text, options.gbk_only);
    let columns = options.paper.columns() / usize::from(block.size.factor());
    for line in wrap(&text, columns) {
        printer.writeln(&line)?;
    }
    Ok(())
}

fn check_qr_data(data: &str) -> Result<(), EncodeError> {
    if data.is_empty() {
        return Err(EncodeError::QrData("empty".into()));
    }
    if data.len() > MAX_QR_BYTES {
        return Err(EncodeError::QrData(format!(
            "{} bytes, at most {MAX_QR_BYTES}",
            data.len()
        )));
    }
    // Control bytes inside the data could be executed as real-time commands by the printer.
    if !data.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(EncodeError::QrData(
            "only printable ASCII without spaces (a URL) is accepted".into(),
        ));
    }
    Ok(())
}

/// The printer's current style, so a command is sent only when something changes.
#[derive(Default)]
struct Style {
    align: Align,
    size: TextSize,
    bold: bool,
}

impl Style {
    fn set_align<D: Driver>(
        &mut self,
        printer: &mut EscposPrinter<D>,
        align: Align,
    ) -> Result<(), EncodeError> {
        if self.align != align {
            printer.justify(match align {
                Align::Left => JustifyMode::LEFT,
                Align::Center => JustifyMode::CENTER,
                Align::Right => JustifyMode::RIGHT,
            })?;
            self.align = align;
        }
        Ok(())
    }

    fn set_size<D: Driver>(
        &mut self,
        printer: &mut EscposPrinter<D>,
        size: TextSize,
    ) -> Result<(), EncodeError> {
        if self.size != size {
            printer.size(size.factor(), size.factor())?;
            self.size = size;
        }
        Ok(())
    }

    fn set_bold<D: Driver>(
        &mut self,
        printer: &mut EscposPrinter<D>,
        bold: bool,
    ) -> Result<(), EncodeError> {
        if self.bold != bold {
            printer.bold(bold)?;
            self.bold = bold;
        }
        Ok(())
    }
}

/// An `escpos` driver that collects the bytes instead of sending them.
#[derive(Clone, Default)]
struct CaptureDriver {
    bytes: Arc<Mutex<Vec<u8>>>,
}

impl CaptureDriver {
    fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.bytes.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

impl Driver for CaptureDriver {
    fn name(&self) -> String {
        "capture".into()
    }

    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.bytes
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(data);
        Ok(())
    }

    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }

    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_text_is_gb18030_after_init_and_chinese_mode() {
        let mut doc = Document::new();
        doc.text("法律援助");
        let bytes = encode(&doc, &EncodeOptions::default()).unwrap();
        assert_eq!(
            bytes,
            [
                0x1B, 0x40, 0x1C, 0x26, 0xB7, 0xA8, 0xC2, 0xC9, 0xD4, 0xAE, 0xD6, 0xFA, 0x1B, 0x64,
                0x01
            ]
        );
    }

    #[test]
    fn qr_is_model_2_level_m_with_the_url() {
        let mut doc = Document::new();
        doc.qr("https://example.gov.cn/q?t=A012");
        let bytes = encode(&doc, &EncodeOptions::default()).unwrap();
        let expected: &[u8] = &[
            0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, // model 2
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06, // module 6
            0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31, // level M
            0x1D, 0x28, 0x6B, 0x22, 0x00, 0x31, 0x50, 0x30,
        ];
        let at = bytes.windows(expected.len()).position(|w| w == expected);
        assert!(at.is_some(), "{bytes:02X?}");
        let tail = &bytes[at.unwrap() + expected.len()..];
        assert!(
            tail.starts_with(b"https://example.gov.cn/q?t=A012\x1D\x28\x6B\x03\x00\x31\x51\x30")
        );
    }

    #[test]
    fn qr_data_with_control_bytes_is_refused() {
        let mut doc = Document::new();
        doc.qr("https://x/\u{10}\u{4}\u{1}");
        assert!(matches!(
            encode(&doc, &EncodeOptions::default()),
            Err(EncodeError::QrData(_))
        ));
    }
}
