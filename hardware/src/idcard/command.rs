//! Host commands (reference §1.3) and the time the reader may take to answer each.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::frame;

/// UART rates the module can be switched to (CMD 0x60, Para = index).
pub const BAUD_RATES: [u32; 5] = [115_200, 57_600, 38_400, 19_200, 9_600];

/// A command the host sends to the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// 0x10 0xFF 复位SAM.
    ResetSam,
    /// 0x11 0xFF SAM状态检测: 0x90 when the module is healthy.
    SamStatus,
    /// 0x12 0xFF 读SAM管理信息: the 16-byte SAM ID.
    SamId,
    /// 0x20 0x01 寻找证/卡.
    FindCard,
    /// 0x20 0x02 选取证/卡.
    SelectCard,
    /// 0x30 0x01 读固定信息: text and photo.
    ReadText,
    /// 0x30 0x10 读固定信息和指纹: text, photo and fingerprints.
    ReadTextAndFingerprint,
    /// 0x30 0x03 读追加住址: additional address.
    ReadAdditionalAddress,
    /// 0x30 0x05 读取卡体管理号: card-body management number.
    ReadManagementNumber,
    /// 0x60 Para 设置串口速率: index into [`BAUD_RATES`].
    SetBaud(u8),
    /// 0x61 0xFF n 设置射频适配器最大通信字节数 (24..=255).
    SetMaxRfBytes(u8),
}

impl Command {
    /// CMD and Para bytes.
    pub fn code(self) -> (u8, u8) {
        match self {
            Self::ResetSam => (0x10, 0xFF),
            Self::SamStatus => (0x11, 0xFF),
            Self::SamId => (0x12, 0xFF),
            Self::FindCard => (0x20, 0x01),
            Self::SelectCard => (0x20, 0x02),
            Self::ReadText => (0x30, 0x01),
            Self::ReadTextAndFingerprint => (0x30, 0x10),
            Self::ReadAdditionalAddress => (0x30, 0x03),
            Self::ReadManagementNumber => (0x30, 0x05),
            Self::SetBaud(index) => (0x60, index),
            Self::SetMaxRfBytes(_) => (0x61, 0xFF),
        }
    }

    /// The command for switching the module to `baud`, if it is one of [`BAUD_RATES`].
    pub fn set_baud(baud: u32) -> Option<Self> {
        BAUD_RATES
            .iter()
            .position(|&b| b == baud)
            .map(|i| Self::SetBaud(i as u8))
    }

    /// Recognises a command from a frame body (CMD Para Data); `None` for anything the
    /// protocol does not define.
    pub fn from_body(body: &[u8]) -> Option<Self> {
        let command = match body {
            [0x10, 0xFF] => Self::ResetSam,
            [0x11, 0xFF] => Self::SamStatus,
            [0x12, 0xFF] => Self::SamId,
            [0x20, 0x01] => Self::FindCard,
            [0x20, 0x02] => Self::SelectCard,
            [0x30, 0x01] => Self::ReadText,
            [0x30, 0x10] => Self::ReadTextAndFingerprint,
            [0x30, 0x03] => Self::ReadAdditionalAddress,
            [0x30, 0x05] => Self::ReadManagementNumber,
            [0x60, index] if usize::from(*index) < BAUD_RATES.len() => Self::SetBaud(*index),
            [0x61, 0xFF, n] if *n >= 24 => Self::SetMaxRfBytes(*n),
            _ => return None,
        };
        Some(command)
    }

    /// The complete frame on the wire.
    pub fn frame(self) -> Vec<u8> {
        let (cmd, para) = self.code();
        let result = match self {
            Self::SetMaxRfBytes(n) => frame::encode(&[cmd, para, n]),
            _ => frame::encode(&[cmd, para]),
        };
        // Bodies of two or three bytes always fit the 16-bit length.
        result.unwrap_or_default()
    }

    /// A short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::ResetSam => "reset SAM",
            Self::SamStatus => "SAM status",
            Self::SamId => "SAM ID",
            Self::FindCard => "find card",
            Self::SelectCard => "select card",
            Self::ReadText => "read text+photo",
            Self::ReadTextAndFingerprint => "read text+photo+fingerprint",
            Self::ReadAdditionalAddress => "read additional address",
            Self::ReadManagementNumber => "read management number",
            Self::SetBaud(_) => "set baud",
            Self::SetMaxRfBytes(_) => "set max RF bytes",
        }
    }
}

/// How long the reader may take to answer, per command (reference §6: YinanSoft's
/// find/select 100 ms, SAM ID 300 ms, read 2 s, read with fingerprints 3 s, additional
/// address 1.5 s). Milliseconds, so the TOML stays plain integers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommandTimeouts {
    /// Find and select.
    pub find_ms: u64,
    /// SAM status, SAM ID, reset, baud and RF settings.
    pub sam_ms: u64,
    /// Read text + photo.
    pub read_ms: u64,
    /// Read text + photo + fingerprints.
    pub read_fingerprint_ms: u64,
    /// Additional address and management number (the presence probes).
    pub probe_ms: u64,
}

impl Default for CommandTimeouts {
    fn default() -> Self {
        Self {
            find_ms: 100,
            sam_ms: 300,
            read_ms: 2000,
            read_fingerprint_ms: 3000,
            probe_ms: 1500,
        }
    }
}

impl CommandTimeouts {
    /// The time allowed for `command`'s whole response to arrive.
    pub fn for_command(&self, command: Command) -> Duration {
        let ms = match command {
            Command::FindCard | Command::SelectCard => self.find_ms,
            Command::ReadText => self.read_ms,
            Command::ReadTextAndFingerprint => self.read_fingerprint_ms,
            Command::ReadAdditionalAddress | Command::ReadManagementNumber => self.probe_ms,
            Command::ResetSam
            | Command::SamStatus
            | Command::SamId
            | Command::SetBaud(_)
            | Command::SetMaxRfBytes(_) => self.sam_ms,
        };
        Duration::from_millis(ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_through_from_body() {
        let all = [
            Command::ResetSam,
            Command::SamStatus,
            Command::SamId,
            Command::FindCard,
            Command::SelectCard,
            Command::ReadText,
            Command::ReadTextAndFingerprint,
            Command::ReadAdditionalAddress,
            Command::ReadManagementNumber,
            Command::SetBaud(4),
            Command::SetMaxRfBytes(0x58),
        ];
        for command in all {
            let frame = command.frame();
            let body = &frame[frame::HEADER_LEN..frame.len() - 1];
            assert_eq!(
                Command::from_body(body),
                Some(command),
                "{}",
                command.name()
            );
        }
        assert_eq!(Command::from_body(&[0x20, 0x00]), None);
        assert_eq!(Command::from_body(&[0x61, 0xFF, 10]), None);
        assert_eq!(Command::set_baud(9600), Some(Command::SetBaud(4)));
        assert_eq!(Command::set_baud(12345), None);
    }
}
