//! The reader's own status byte (SW3) and what the host should do about it.

use std::fmt;

/// SW3 of a response: the reader/SAM status code (reference §1.5).
///
/// Unknown codes are kept as [`Status::Unknown`] so that nothing from the wire can panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// 0x90 操作成功: success.
    Success,
    /// 0x91 证/卡中此项无内容: the card has no such item (e.g. no additional address).
    NoContent,
    /// 0x9F 寻找证/卡成功: find card succeeded.
    CardFound,
    /// 0x10 接收业务终端数据的校验和错: the reader got a frame with a bad checksum.
    ChecksumError,
    /// 0x11 接收业务终端数据的长度错: the reader got a frame with a bad length.
    LengthError,
    /// 0x21 接收业务终端的命令错误: bad command, parameter or sequence.
    CommandError,
    /// 0x23 越权操作: operation not permitted.
    NotPermitted,
    /// 0x24 无法识别的错误: unrecognised error.
    UnrecognisedError,
    /// 0x31 证/卡认证SAM失败: the card failed to authenticate the SAM.
    CardAuthenticatesSamFailed,
    /// 0x32 SAM认证证/卡失败: the SAM failed to authenticate the card.
    SamAuthenticatesCardFailed,
    /// 0x33 信息验证错误: information verification error.
    InformationVerifyFailed,
    /// 0x40 无法识别的卡类型: not an ID card (e.g. a bus card).
    UnrecognisedCardType,
    /// 0x41 读证/卡操作失败: reading the card failed (card gone or moved mid-read).
    ReadFailed,
    /// 0x47 取随机数失败: get-challenge failed.
    ChallengeFailed,
    /// 0x60 SAM自检失败: the SAM self-test failed; the module takes no commands.
    SamSelfTestFailed,
    /// 0x66 SAM未经授权: the SAM is not authorised.
    SamUnauthorised,
    /// 0x80 寻找证/卡失败: no card in the field (the normal idle answer).
    FindFailed,
    /// 0x81 选取证/卡失败: select card failed.
    SelectFailed,
    /// A code the reference does not list, kept as received.
    Unknown(u8),
}

/// What a status means for the host's next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusClass {
    /// The command did what was asked (0x90, 0x91, 0x9F).
    Ok,
    /// No card or the card went away: try again from find (0x80, 0x81, 0x41).
    RetryFromFind,
    /// The card is there but cannot be read: not an ID card or failed authentication
    /// (0x31, 0x32, 0x33, 0x40, 0x47).
    CardRejected,
    /// The host sent something the reader refused: a bug on our side (0x10, 0x11, 0x21,
    /// 0x23, 0x24, unknown codes).
    ProtocolFault,
    /// The SAM is unusable until serviced (0x60, 0x66).
    SamFault,
}

impl Status {
    /// Maps a SW3 byte; never fails.
    pub fn from_code(code: u8) -> Self {
        match code {
            0x90 => Self::Success,
            0x91 => Self::NoContent,
            0x9F => Self::CardFound,
            0x10 => Self::ChecksumError,
            0x11 => Self::LengthError,
            0x21 => Self::CommandError,
            0x23 => Self::NotPermitted,
            0x24 => Self::UnrecognisedError,
            0x31 => Self::CardAuthenticatesSamFailed,
            0x32 => Self::SamAuthenticatesCardFailed,
            0x33 => Self::InformationVerifyFailed,
            0x40 => Self::UnrecognisedCardType,
            0x41 => Self::ReadFailed,
            0x47 => Self::ChallengeFailed,
            0x60 => Self::SamSelfTestFailed,
            0x66 => Self::SamUnauthorised,
            0x80 => Self::FindFailed,
            0x81 => Self::SelectFailed,
            other => Self::Unknown(other),
        }
    }

    /// The SW3 byte on the wire.
    pub fn code(self) -> u8 {
        match self {
            Self::Success => 0x90,
            Self::NoContent => 0x91,
            Self::CardFound => 0x9F,
            Self::ChecksumError => 0x10,
            Self::LengthError => 0x11,
            Self::CommandError => 0x21,
            Self::NotPermitted => 0x23,
            Self::UnrecognisedError => 0x24,
            Self::CardAuthenticatesSamFailed => 0x31,
            Self::SamAuthenticatesCardFailed => 0x32,
            Self::InformationVerifyFailed => 0x33,
            Self::UnrecognisedCardType => 0x40,
            Self::ReadFailed => 0x41,
            Self::ChallengeFailed => 0x47,
            Self::SamSelfTestFailed => 0x60,
            Self::SamUnauthorised => 0x66,
            Self::FindFailed => 0x80,
            Self::SelectFailed => 0x81,
            Self::Unknown(code) => code,
        }
    }

    /// How the host should react.
    pub fn class(self) -> StatusClass {
        match self {
            Self::Success | Self::NoContent | Self::CardFound => StatusClass::Ok,
            Self::FindFailed | Self::SelectFailed | Self::ReadFailed => StatusClass::RetryFromFind,
            Self::CardAuthenticatesSamFailed
            | Self::SamAuthenticatesCardFailed
            | Self::InformationVerifyFailed
            | Self::UnrecognisedCardType
            | Self::ChallengeFailed => StatusClass::CardRejected,
            Self::SamSelfTestFailed | Self::SamUnauthorised => StatusClass::SamFault,
            Self::ChecksumError
            | Self::LengthError
            | Self::CommandError
            | Self::NotPermitted
            | Self::UnrecognisedError
            | Self::Unknown(_) => StatusClass::ProtocolFault,
        }
    }

    /// The vendor document's wording (Chinese), for maintenance screens and logs.
    pub fn description_zh(self) -> &'static str {
        match self {
            Self::Success => "操作成功",
            Self::NoContent => "证/卡中此项无内容",
            Self::CardFound => "寻找证/卡成功",
            Self::ChecksumError => "接收业务终端数据的校验和错",
            Self::LengthError => "接收业务终端数据的长度错",
            Self::CommandError => "接收业务终端的命令错误",
            Self::NotPermitted => "越权操作",
            Self::UnrecognisedError => "无法识别的错误",
            Self::CardAuthenticatesSamFailed => "证/卡认证SAM失败",
            Self::SamAuthenticatesCardFailed => "SAM认证证/卡失败",
            Self::InformationVerifyFailed => "信息验证错误",
            Self::UnrecognisedCardType => "无法识别的卡类型",
            Self::ReadFailed => "读证/卡操作失败",
            Self::ChallengeFailed => "取随机数失败",
            Self::SamSelfTestFailed => "SAM自检失败，不能接收命令",
            Self::SamUnauthorised => "SAM未经授权，无法使用",
            Self::FindFailed => "寻找证/卡失败",
            Self::SelectFailed => "选取证/卡失败",
            Self::Unknown(_) => "未知状态码",
        }
    }

    /// A short English description.
    pub fn description(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::NoContent => "no such item on the card",
            Self::CardFound => "card found",
            Self::ChecksumError => "reader received a frame with a bad checksum",
            Self::LengthError => "reader received a frame with a bad length",
            Self::CommandError => "reader rejected the command or its parameters",
            Self::NotPermitted => "operation not permitted",
            Self::UnrecognisedError => "unrecognised error",
            Self::CardAuthenticatesSamFailed => "card failed to authenticate the SAM",
            Self::SamAuthenticatesCardFailed => "SAM failed to authenticate the card",
            Self::InformationVerifyFailed => "information verification error",
            Self::UnrecognisedCardType => "not an ID card",
            Self::ReadFailed => "reading the card failed",
            Self::ChallengeFailed => "get-challenge failed",
            Self::SamSelfTestFailed => "SAM self-test failed",
            Self::SamUnauthorised => "SAM not authorised",
            Self::FindFailed => "no card found",
            Self::SelectFailed => "selecting the card failed",
            Self::Unknown(_) => "unknown status code",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SW3 0x{:02X} ({})", self.code(), self.description())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_unknown_codes_are_kept() {
        for code in 0..=u8::MAX {
            let status = Status::from_code(code);
            assert_eq!(status.code(), code);
        }
        assert_eq!(Status::from_code(0x55), Status::Unknown(0x55));
        assert_eq!(Status::Unknown(0x55).class(), StatusClass::ProtocolFault);
    }

    #[test]
    fn recovery_classes_follow_the_reference() {
        for code in [0x80, 0x81, 0x41] {
            assert_eq!(Status::from_code(code).class(), StatusClass::RetryFromFind);
        }
        for code in [0x10, 0x11, 0x21] {
            assert_eq!(Status::from_code(code).class(), StatusClass::ProtocolFault);
        }
        for code in [0x60, 0x66] {
            assert_eq!(Status::from_code(code).class(), StatusClass::SamFault);
        }
        for code in [0x90, 0x91, 0x9F] {
            assert_eq!(Status::from_code(code).class(), StatusClass::Ok);
        }
        assert_eq!(Status::from_code(0x40).class(), StatusClass::CardRejected);
    }
}
