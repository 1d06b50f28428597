use super::*;

#[test]
fn loss_ratio_counts_lost_among_expected() {
    let q = QualitySummary {
        packets_received: 90,
        packets_lost: 10,
        ..QualitySummary::default()
    };
    assert!((q.loss_ratio() - 0.1).abs() < 1e-9);
    assert_eq!(QualitySummary::default().loss_ratio(), 0.0);
}

#[test]
fn inbound_and_remote_inbound_entries_are_summed() {
    crate::init().unwrap();
    use gst_webrtc::WebRTCStatsType as T;
    let stats = gst::Structure::builder("application/x-webrtc-stats")
        .field(
            "in-video",
            gst::Structure::builder("a")
                .field("type", T::InboundRtp)
                .field("packets-received", 300u64)
                .field("packets-lost", 3i64)
                .field("jitter", 0.004f64)
                .build(),
        )
        .field(
            "in-audio",
            gst::Structure::builder("b")
                .field("type", T::InboundRtp)
                .field("packets-received", 100u64)
                .field("packets-lost", 0i64)
                .field("jitter", 0.001f64)
                .build(),
        )
        .field(
            "remote",
            gst::Structure::builder("c")
                .field("type", T::RemoteInboundRtp)
                .field("round-trip-time", 0.012f64)
                .build(),
        )
        .build();
    let q = summarise_stats(&stats);
    assert_eq!(q.packets_received, 400);
    assert_eq!(q.packets_lost, 3);
    assert!((q.jitter_ms - 4.0).abs() < 1e-9);
    assert!((q.round_trip_ms - 12.0).abs() < 1e-9);
}
