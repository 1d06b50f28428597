//! A small model of a printed document, independent of printer bytes.
//!
//! Queue tickets and consultation guidance slips are both built from these blocks; the
//! encoder turns them into ESC/POS and the preview renders them, so what staff see on screen
//! is what the printer receives.

use serde::{Deserialize, Serialize};

/// Horizontal alignment of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Align {
    /// Flush left.
    #[default]
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

/// Character magnification (`GS !`): the same factor across and down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum TextSize {
    /// 12 × 24 dots per ASCII character, 24 × 24 per hanzi.
    #[default]
    Normal,
    /// Twice as wide and twice as tall.
    Double,
    /// Three times as wide and tall: ticket numbers readable at arm's length.
    Triple,
}

impl TextSize {
    /// The magnification factor.
    pub fn factor(self) -> u8 {
        match self {
            TextSize::Normal => 1,
            TextSize::Double => 2,
            TextSize::Triple => 3,
        }
    }
}

/// One or more printed lines of text in one style; long text is wrapped to the paper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextBlock {
    /// The text; `\n` starts a new line.
    pub text: String,
    /// Alignment of every line of the block.
    pub align: Align,
    /// Magnification.
    pub size: TextSize,
    /// Emphasised (`ESC E`).
    pub bold: bool,
}

/// A piece of a document, printed top to bottom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Block {
    /// Text in one style.
    Text(TextBlock),
    /// A native QR code (model 2, error correction M) holding `data`, centred.
    Qr(String),
    /// A full-width line of dashes.
    Separator,
    /// Blank paper, in text lines.
    Feed(u8),
    /// Feed to the cutter and cut partially (`GS V 66 0`).
    Cut,
}

/// A printable document: a list of blocks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Document {
    /// The blocks in print order.
    pub blocks: Vec<Block>,
}

impl Document {
    /// An empty document.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a block.
    pub fn push(&mut self, block: Block) -> &mut Self {
        self.blocks.push(block);
        self
    }

    /// Appends left-aligned normal text.
    pub fn text(&mut self, text: impl Into<String>) -> &mut Self {
        self.styled(text, Align::Left, TextSize::Normal, false)
    }

    /// Appends centred normal text.
    pub fn centered(&mut self, text: impl Into<String>) -> &mut Self {
        self.styled(text, Align::Center, TextSize::Normal, false)
    }

    /// Appends text in the given style.
    pub fn styled(
        &mut self,
        text: impl Into<String>,
        align: Align,
        size: TextSize,
        bold: bool,
    ) -> &mut Self {
        self.push(Block::Text(TextBlock {
            text: text.into(),
            align,
            size,
            bold,
        }))
    }

    /// Appends a large, bold, centred ticket number.
    pub fn ticket_number(&mut self, number: impl Into<String>) -> &mut Self {
        self.styled(number, Align::Center, TextSize::Triple, true)
    }

    /// Appends a QR code holding `data` (a URL).
    pub fn qr(&mut self, data: impl Into<String>) -> &mut Self {
        self.push(Block::Qr(data.into()))
    }

    /// Appends a separator line.
    pub fn separator(&mut self) -> &mut Self {
        self.push(Block::Separator)
    }

    /// Appends `lines` blank lines.
    pub fn feed(&mut self, lines: u8) -> &mut Self {
        self.push(Block::Feed(lines))
    }

    /// Appends the cut.
    pub fn cut(&mut self) -> &mut Self {
        self.push(Block::Cut)
    }
}
