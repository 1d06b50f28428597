//! The frames of the signalling protocol: JSON objects with a `type` field, unknown fields
//! refused. One enum per direction and role, so that each side can only send what it may.

use super::call::{HangupReason, Party};
use serde::{Deserialize, Serialize};

/// Kind of a session description.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SdpKind {
    /// The caller's offer (the terminal offers).
    Offer,
    /// The callee's answer.
    Answer,
}

/// A session description (RFC 8866 text), relayed unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionDescription {
    /// Offer or answer.
    pub kind: SdpKind,
    /// The SDP text.
    pub sdp: String,
}

/// One ICE candidate (RFC 8839 `candidate:` attribute value), relayed unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IceCandidate {
    /// Index of the media section it belongs to.
    pub sdp_mline_index: u32,
    /// The candidate line.
    pub candidate: String,
}

/// A STUN or TURN server both peers use (from the registry's settings).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IceServer {
    /// `stun:host:port`, `turn:host:port[?transport=udp|tcp]` or `turns:host:port`.
    pub urls: Vec<String>,
    /// TURN user name (empty for STUN).
    #[serde(default)]
    pub username: String,
    /// TURN password (empty for STUN).
    #[serde(default)]
    pub credential: String,
}

/// Which candidates the peers may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IceTransportPolicy {
    /// Direct (host, server-reflexive) and relayed candidates.
    #[default]
    All,
    /// Only TURN relays (networks where direct paths are forbidden).
    Relay,
}

/// The media settings the registry hands to both peers when they connect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IceSettings {
    /// STUN/TURN servers; never public ones (set by the operations centre).
    pub ice_servers: Vec<IceServer>,
    /// Whether only relayed candidates may be used.
    pub ice_transport_policy: IceTransportPolicy,
}

/// A call waiting in the queue, as lawyers see it: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitingCall {
    /// The call's id.
    pub call_id: String,
    /// The terminal's region (administrative division code).
    pub region: String,
    /// The terminal's platform id.
    pub platform_id: String,
    /// The platform's name (a public service centre).
    pub platform_name: String,
    /// Seconds the citizen has been waiting.
    pub waiting_s: u64,
    /// The matter category the citizen chose, if any (a catalogue id, e.g. `labour`).
    pub category: Option<String>,
    /// A booked video consultation (queued ahead of calls without a booking).
    #[serde(default, skip_serializing_if = "is_false")]
    pub booked: bool,
}

fn is_false(b: &bool) -> bool {
    !b
}

/// Frames a terminal sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum KioskToServer {
    /// Join the region's queue (one call per connection at a time).
    RequestCall {
        /// Matter category id, if the citizen chose one.
        category: Option<String>,
        /// The citizen checked in for a booked video consultation: the call waits ahead of
        /// calls without a booking. Left out when false (what older terminals send).
        #[serde(default, skip_serializing_if = "is_false")]
        booked: bool,
    },
    /// Leave the queue, or end the call (`reason` says why).
    Hangup {
        /// Why.
        reason: HangupReason,
    },
    /// The terminal's offer (sent after `answered`).
    Sdp {
        /// The description.
        description: SessionDescription,
    },
    /// One of the terminal's candidates.
    Ice {
        /// The candidate.
        candidate: IceCandidate,
    },
    /// Media is flowing (ICE connected); lets the registry and the console show it.
    MediaConnected,
}

/// Frames the registry sends to a terminal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerToKiosk {
    /// First frame after the upgrade.
    Welcome {
        /// STUN/TURN for the calls on this connection.
        ice: IceSettings,
    },
    /// The call is waiting; sent on joining and whenever the position changes.
    Queued {
        /// The call's id.
        call_id: String,
        /// 1 = next to be answered.
        position: u32,
        /// Lawyers on duty for this region right now.
        lawyers_online: u32,
    },
    /// A lawyer answered: the terminal now sends its offer.
    Answered {
        /// The call's id.
        call_id: String,
        /// STUN/TURN for this call, with TURN credentials minted for it (time-limited):
        /// used instead of `welcome`'s. Absent from older registries.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ice: Option<IceSettings>,
    },
    /// The lawyer's answer.
    Sdp {
        /// The description.
        description: SessionDescription,
    },
    /// One of the lawyer's candidates.
    Ice {
        /// The candidate.
        candidate: IceCandidate,
    },
    /// The call is over.
    Ended {
        /// The call's id.
        call_id: String,
        /// Who ended it.
        by: Party,
        /// Why.
        reason: HangupReason,
    },
    /// A frame was refused; the connection stays open unless the registry closes it.
    Error {
        /// Machine-readable reason.
        code: SignalError,
        /// For logs.
        message: String,
    },
}

/// Frames a lawyer's console sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum LawyerToServer {
    /// Take a waiting call.
    Answer {
        /// The call's id.
        call_id: String,
    },
    /// End the current call.
    Hangup {
        /// Why.
        reason: HangupReason,
    },
    /// The lawyer's answer to the terminal's offer.
    Sdp {
        /// The description.
        description: SessionDescription,
    },
    /// One of the lawyer's candidates.
    Ice {
        /// The candidate.
        candidate: IceCandidate,
    },
}

/// Frames the registry sends to a lawyer's console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ServerToLawyer {
    /// First frame after the upgrade.
    Welcome {
        /// The lawyer's display name.
        display_name: String,
        /// Regions the lawyer serves.
        regions: Vec<String>,
        /// STUN/TURN for the calls on this connection.
        ice: IceSettings,
    },
    /// The calls waiting in the lawyer's regions, oldest first; sent on every change and
    /// every few seconds (waiting times).
    Queue {
        /// Waiting calls.
        calls: Vec<WaitingCall>,
    },
    /// The lawyer has the call: the terminal's offer follows.
    Connected {
        /// The call.
        call: WaitingCall,
        /// STUN/TURN for this call, with TURN credentials minted for it (time-limited):
        /// used instead of `welcome`'s. Absent from older registries.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ice: Option<IceSettings>,
    },
    /// The terminal's offer.
    Sdp {
        /// The description.
        description: SessionDescription,
    },
    /// One of the terminal's candidates.
    Ice {
        /// The candidate.
        candidate: IceCandidate,
    },
    /// The terminal reports media flowing.
    MediaConnected {
        /// The call's id.
        call_id: String,
    },
    /// The call is over.
    Ended {
        /// The call's id.
        call_id: String,
        /// Who ended it.
        by: Party,
        /// Why.
        reason: HangupReason,
    },
    /// A frame was refused (e.g. the call was answered by a colleague first).
    Error {
        /// Machine-readable reason.
        code: SignalError,
        /// For the console.
        message: String,
    },
}

/// Why the registry refused a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalError {
    /// Not JSON, unknown type or field, or too large.
    BadFrame,
    /// Not allowed in the call's current state (e.g. an offer before `answered`).
    WrongState,
    /// No such waiting call (answered by someone else, cancelled, or another region).
    NoSuchCall,
    /// The terminal already has a call.
    AlreadyInCall,
    /// The matter category is not a plain id.
    BadCategory,
    /// Too many frames.
    RateLimited,
}

/// Parses a frame strictly; the error text is safe to send back.
pub fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    if text.len() > super::limits::MAX_FRAME_BYTES {
        return Err(format!(
            "frame of {} bytes is larger than {} bytes",
            text.len(),
            super::limits::MAX_FRAME_BYTES
        ));
    }
    serde_json::from_str(text).map_err(|e| format!("frame is not valid: {e}"))
}

/// Encodes a frame (serialising these types cannot fail).
pub fn encode<T: Serialize>(frame: &T) -> String {
    serde_json::to_string(frame).unwrap_or_else(|e| {
        unreachable!("signalling frames always serialise: {e}");
    })
}

/// Whether a matter category id is a plain catalogue id: 1–64 ASCII letters, digits, `-`,
/// `_`, `.` (free text could carry personal data).
pub fn valid_category(category: &str) -> bool {
    !category.is_empty()
        && category.len() <= super::limits::MAX_CATEGORY_BYTES
        && category
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn round_trip<T>(frame: T, expected: serde_json::Value)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug,
    {
        let text = encode(&frame);
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&text).unwrap(),
            expected
        );
        assert_eq!(parse::<T>(&text).unwrap(), frame);
    }

    #[test]
    fn kiosk_frames_round_trip_with_their_documented_shape() {
        round_trip(
            KioskToServer::RequestCall {
                category: Some("labour".into()),
                booked: false,
            },
            json!({"type": "request_call", "category": "labour"}),
        );
        round_trip(
            KioskToServer::RequestCall {
                category: None,
                booked: true,
            },
            json!({"type": "request_call", "category": null, "booked": true}),
        );
        round_trip(
            KioskToServer::Hangup {
                reason: HangupReason::NetworkLost,
            },
            json!({"type": "hangup", "reason": "network_lost"}),
        );
        round_trip(
            KioskToServer::Sdp {
                description: SessionDescription {
                    kind: SdpKind::Offer,
                    sdp: "v=0\r\n".into(),
                },
            },
            json!({"type": "sdp", "description": {"kind": "offer", "sdp": "v=0\r\n"}}),
        );
        round_trip(
            KioskToServer::Ice {
                candidate: IceCandidate {
                    sdp_mline_index: 1,
                    candidate: "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host".into(),
                },
            },
            json!({"type": "ice", "candidate": {"sdp_mline_index": 1,
                "candidate": "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host"}}),
        );
        round_trip(
            KioskToServer::MediaConnected,
            json!({"type": "media_connected"}),
        );
    }

    #[test]
    fn server_frames_round_trip() {
        round_trip(
            ServerToKiosk::Welcome {
                ice: IceSettings {
                    ice_servers: vec![IceServer {
                        urls: vec!["turn:127.0.0.1:3478".into()],
                        username: "kiosk".into(),
                        credential: "secret".into(),
                    }],
                    ice_transport_policy: IceTransportPolicy::Relay,
                },
            },
            json!({"type": "welcome", "ice": {"ice_servers": [{"urls": ["turn:127.0.0.1:3478"],
                "username": "kiosk", "credential": "secret"}], "ice_transport_policy": "relay"}}),
        );
        round_trip(
            ServerToKiosk::Queued {
                call_id: "c1".into(),
                position: 2,
                lawyers_online: 1,
            },
            json!({"type": "queued", "call_id": "c1", "position": 2, "lawyers_online": 1}),
        );
        round_trip(
            ServerToKiosk::Ended {
                call_id: "c1".into(),
                by: Party::Lawyer,
                reason: HangupReason::Normal,
            },
            json!({"type": "ended", "call_id": "c1", "by": "lawyer", "reason": "normal"}),
        );
        round_trip(
            ServerToLawyer::Queue {
                calls: vec![WaitingCall {
                    call_id: "c1".into(),
                    region: "330106".into(),
                    platform_id: "hz-xihu".into(),
                    platform_name: "西湖区公共法律服务中心".into(),
                    waiting_s: 42,
                    category: None,
                    booked: false,
                }],
            },
            json!({"type": "queue", "calls": [{"call_id": "c1", "region": "330106",
                "platform_id": "hz-xihu", "platform_name": "西湖区公共法律服务中心",
                "waiting_s": 42, "category": null}]}),
        );
        round_trip(
            LawyerToServer::Answer {
                call_id: "c1".into(),
            },
            json!({"type": "answer", "call_id": "c1"}),
        );
        round_trip(
            ServerToLawyer::Error {
                code: SignalError::NoSuchCall,
                message: "taken".into(),
            },
            json!({"type": "error", "code": "no_such_call", "message": "taken"}),
        );
    }

    #[test]
    fn unknown_types_fields_and_oversized_frames_are_refused_with_a_reason() {
        assert!(parse::<KioskToServer>(r#"{"type":"dial"}"#).is_err());
        let err = parse::<KioskToServer>(r#"{"type":"request_call","category":null,"name":"x"}"#)
            .unwrap_err();
        assert!(err.contains("name"), "{err}");
        // A lawyer's frame is not a terminal's.
        assert!(parse::<KioskToServer>(r#"{"type":"answer","call_id":"c"}"#).is_err());
        let big = format!(
            r#"{{"type":"hangup","reason":"normal","x":"{}"}}"#,
            "a".repeat(70_000)
        );
        assert!(parse::<KioskToServer>(&big).unwrap_err().contains("larger"));
    }

    #[test]
    fn categories_are_plain_ids_only() {
        assert!(valid_category("labour-dispute_2"));
        assert!(!valid_category(""));
        assert!(!valid_category("张三 110101199003070011"));
        assert!(!valid_category(&"a".repeat(65)));
    }
}
