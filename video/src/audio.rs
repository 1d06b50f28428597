//! Playing a short sound (the terminal's spoken guidance) through GStreamer: WAV bytes into
//! a sink, waiting until they have been played.

use std::time::Duration;

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

/// Why a sound was not played.
#[derive(Debug, thiserror::Error)]
#[error("the sound cannot be played: {0}")]
pub struct PlayError(String);

/// How long one sound may take before the pipeline is given up.
const PLAY_LIMIT: Duration = Duration::from_secs(30);

/// Plays WAV bytes into `sink` (a GStreamer sink description: `autoaudiosink`,
/// `alsasink device=plughw:1`, or in tests `wavenc ! filesink location=…`) at `volume`
/// (0.0–1.0), and waits until it has been played.
pub fn play_wav(wav: &[u8], sink: &str, volume: f64) -> Result<(), PlayError> {
    let fail = |e: &dyn std::fmt::Display| PlayError(e.to_string());
    crate::init().map_err(|e| fail(&e))?;
    let description = format!(
        "appsrc name=speech ! wavparse ! audioconvert ! audioresample ! volume volume={:.2} ! {sink}",
        volume.clamp(0.0, 1.0)
    );
    let pipeline = gst::parse::launch(&description)
        .map_err(|e| fail(&e))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| fail(&"not a pipeline"))?;
    let source = pipeline
        .by_name("speech")
        .and_then(|e| e.downcast::<gst_app::AppSrc>().ok())
        .ok_or_else(|| fail(&"no source"))?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| fail(&e))?;
    let pushed = source
        .push_buffer(gst::Buffer::from_slice(wav.to_vec()))
        .and_then(|_| source.end_of_stream());
    let result = match pushed {
        Err(e) => Err(fail(&e)),
        Ok(_) => wait_for_end(&pipeline),
    };
    let _ = pipeline.set_state(gst::State::Null);
    result
}

fn wait_for_end(pipeline: &gst::Pipeline) -> Result<(), PlayError> {
    let bus = pipeline.bus().ok_or_else(|| PlayError("no bus".into()))?;
    let limit = gst::ClockTime::from_seconds(PLAY_LIMIT.as_secs());
    match bus.timed_pop_filtered(limit, &[gst::MessageType::Eos, gst::MessageType::Error]) {
        Some(message) => match message.view() {
            gst::MessageView::Eos(_) => Ok(()),
            gst::MessageView::Error(e) => Err(PlayError(e.error().to_string())),
            _ => Ok(()),
        },
        None => Err(PlayError(format!(
            "not played within {} s",
            PLAY_LIMIT.as_secs()
        ))),
    }
}
