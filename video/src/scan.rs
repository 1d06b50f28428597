//! Reading a QR code held before the kiosk's camera (a request's receipt): the configured
//! camera through GStreamer as grey frames into an app sink, each decoded with `rqrr`,
//! until a code the caller accepts is seen, the caller stops it or the time is up.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;

use crate::config::MediaConfig;
use crate::media::camera_source;

/// Why no code was read.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// GStreamer or the camera could not start.
    #[error("the camera cannot start: {0}")]
    Camera(String),
}

/// Frames are decoded at this width at most (a receipt's QR fills much of the picture).
const MAX_WIDTH: u32 = 800;

/// Reads frames from the camera until `accept` takes a decoded text (returned), `stop` is
/// set or `limit` passes (`None`). Blocks: run it on its own thread.
pub fn scan_qr(
    config: &MediaConfig,
    limit: Duration,
    stop: Arc<AtomicBool>,
    accept: impl Fn(&str) -> bool,
) -> Result<Option<String>, ScanError> {
    crate::init().map_err(|e| ScanError::Camera(e.to_string()))?;
    let description = format!(
        "{} ! videoconvert ! videoscale ! video/x-raw,format=GRAY8,width=[1,{MAX_WIDTH}] ! \
         appsink name=frames max-buffers=1 drop=true sync=false",
        camera_source(config)
    );
    let pipeline = gst::parse::launch(&description)
        .map_err(|e| ScanError::Camera(e.to_string()))?
        .downcast::<gst::Pipeline>()
        .map_err(|_| ScanError::Camera("not a pipeline".into()))?;
    let sink = pipeline
        .by_name("frames")
        .and_then(|e| e.downcast::<gst_app::AppSink>().ok())
        .ok_or_else(|| ScanError::Camera("no frame sink".into()))?;
    pipeline
        .set_state(gst::State::Playing)
        .map_err(|e| ScanError::Camera(e.to_string()))?;
    let started = Instant::now();
    let mut found = None;
    while found.is_none() && !stop.load(Ordering::Relaxed) && started.elapsed() < limit {
        if let Some(message) = pipeline
            .bus()
            .and_then(|bus| bus.pop_filtered(&[gst::MessageType::Error]))
            && let gst::MessageView::Error(e) = message.view()
        {
            let _ = pipeline.set_state(gst::State::Null);
            return Err(ScanError::Camera(e.error().to_string()));
        }
        let Some(sample) = sink.try_pull_sample(gst::ClockTime::from_mseconds(200)) else {
            continue;
        };
        found = decode(&sample).into_iter().find(|text| accept(text));
    }
    let _ = pipeline.set_state(gst::State::Null);
    Ok(found)
}

/// Every QR code's text in a grey frame.
fn decode(sample: &gst::Sample) -> Vec<String> {
    let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else {
        return Vec::new();
    };
    // The frame's own layout: GStreamer pads grey rows (to 4 bytes by default).
    let Ok(info) = gstreamer_video::VideoInfo::from_caps(caps) else {
        return Vec::new();
    };
    let Ok(map) = buffer.map_readable() else {
        return Vec::new();
    };
    let (w, h) = (info.width() as usize, info.height() as usize);
    let stride = usize::try_from(info.stride()[0]).unwrap_or(0);
    let data = map.as_slice();
    if w == 0 || h == 0 || stride < w || data.len() < stride * h {
        return Vec::new();
    }
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| data[y * stride + x]);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|grid| grid.decode().ok().map(|(_, text)| text))
        .collect()
}
