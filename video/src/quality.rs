//! The call's quality summary for the operations centre: counts and delays only — never
//! media, never anything about the citizen.

use gstreamer as gst;
use gstreamer_webrtc as gst_webrtc;
use serde::Serialize;

/// How the call went, from the terminal's side.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct QualitySummary {
    /// RTP packets received (audio and video).
    pub packets_received: u64,
    /// RTP packets the sender sent that never arrived.
    pub packets_lost: i64,
    /// Largest inter-arrival jitter seen, ms.
    pub jitter_ms: f64,
    /// Round-trip time reported by the other side, ms (0 if unknown).
    pub round_trip_ms: f64,
    /// Frames of the other side's video shown.
    pub frames_decoded: u64,
}

impl QualitySummary {
    /// Lost packets as a share of those expected, 0–1.
    pub fn loss_ratio(&self) -> f64 {
        let lost = self.packets_lost.max(0) as f64;
        let expected = self.packets_received as f64 + lost;
        if expected == 0.0 {
            0.0
        } else {
            lost / expected
        }
    }
}

/// Reads webrtcbin's `get-stats` answer.
pub fn summarise_stats(stats: &gst::StructureRef) -> QualitySummary {
    use gst_webrtc::WebRTCStatsType as T;
    let mut summary = QualitySummary::default();
    for (_, value) in stats.iter() {
        let Ok(entry) = value.get::<gst::Structure>() else {
            continue;
        };
        let Ok(kind) = entry.get::<T>("type") else {
            continue;
        };
        match kind {
            T::InboundRtp => {
                summary.packets_received += entry.get::<u64>("packets-received").unwrap_or(0);
                summary.packets_lost += entry.get::<i64>("packets-lost").unwrap_or(0);
                let jitter = entry.get::<f64>("jitter").unwrap_or(0.0) * 1000.0;
                summary.jitter_ms = summary.jitter_ms.max(jitter);
            }
            T::RemoteInboundRtp => {
                let rtt = entry.get::<f64>("round-trip-time").unwrap_or(0.0) * 1000.0;
                summary.round_trip_ms = summary.round_trip_ms.max(rtt);
            }
            _ => {}
        }
    }
    summary
}

#[cfg(test)]
mod tests;
