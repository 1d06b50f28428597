//! One call's media: a GStreamer pipeline around `webrtcbin`. The camera and microphone are
//! encoded (VP8 or H.264, Opus) and sent; the other side's video is decoded, scaled in
//! GStreamer to the size the screen shows and handed over as RGBA frames; its audio goes to
//! the speaker (through the echo canceller's probe when `webrtcdsp` is used).
//!
//! The pipeline knows nothing of signalling: it reports its offer or answer and candidates as
//! [`MediaEvent`]s and takes the other side's through methods.

use crate::config::{Camera, Codec, MediaConfig, Microphone, Speaker};
use crate::frame::FrameRef;
use crate::quality::{QualitySummary, summarise_stats};
use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_app as gst_app;
use gstreamer_sdp as gst_sdp;
use gstreamer_video as gst_video;
use gstreamer_video::prelude::VideoFrameExt as _;
use gstreamer_webrtc as gst_webrtc;
use provisioning::signalling::{
    IceCandidate, IceServer, IceSettings, IceTransportPolicy, SdpKind, SessionDescription,
};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::mpsc::UnboundedSender;

/// Why media could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// GStreamer itself could not start.
    #[error("GStreamer could not start: {0}")]
    Init(String),
    /// The pipeline could not be built (a missing element, a bad setting).
    #[error("the call's media pipeline could not be built: {0}")]
    Build(String),
    /// The pipeline refused to start (a camera or microphone busy or absent).
    #[error("the call's media could not start: {0}")]
    Start(String),
    /// The other side's session description is not valid SDP.
    #[error("the other side's session description is not valid: {0}")]
    BadSdp(String),
}

/// Which side of the negotiation this pipeline is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Creates the offer as soon as the pipeline runs (the terminal).
    Offerer,
    /// Answers the offer it is given (test peers).
    Answerer,
}

/// ICE connectivity, simplified for the call engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IceState {
    /// Checking candidates.
    Checking,
    /// Media can flow.
    Connected,
    /// Connectivity lost (may come back).
    Disconnected,
    /// No path works.
    Failed,
}

/// What the pipeline reports, from its own threads.
#[derive(Debug, Clone, PartialEq)]
pub enum MediaEvent {
    /// Our offer or answer, to send to the other side.
    LocalDescription(SessionDescription),
    /// One of our candidates, to send to the other side.
    LocalCandidate(IceCandidate),
    /// ICE state changed.
    Ice(IceState),
    /// The pipeline failed (camera unplugged, …).
    Error(String),
}

/// Receives decoded frames on a GStreamer streaming thread; must return quickly.
pub type FrameCallback = Arc<dyn Fn(FrameRef<'_>) + Send + Sync>;

/// Where decoded pictures go.
#[derive(Clone, Default)]
pub struct FrameSinks {
    /// The other side's video.
    pub remote: Option<FrameCallback>,
    /// Our own camera, small.
    pub preview: Option<FrameCallback>,
}

#[derive(Default)]
struct Counters {
    remote_frames: AtomicU64,
    audio_buffers: AtomicU64,
    first_remote_frame: OnceLock<Instant>,
}

/// A running call's media.
pub struct MediaSession {
    pipeline: gst::Pipeline,
    webrtc: gst::Element,
    counters: Arc<Counters>,
    running: Arc<AtomicBool>,
    bus_thread: Option<std::thread::JoinHandle<()>>,
    connected_at: Arc<OnceLock<Instant>>,
    events: UnboundedSender<MediaEvent>,
}

fn build_err(e: impl std::fmt::Display) -> MediaError {
    MediaError::Build(e.to_string())
}

pub(crate) fn camera_source(config: &MediaConfig) -> String {
    match config.camera {
        Camera::Test => "videotestsrc is-live=true pattern=ball".into(),
        Camera::V4l2 => format!("v4l2src device={}", quote(&config.camera_device)),
        Camera::Libcamera => "libcamerasrc".into(),
        Camera::Still => format!(
            "filesrc location={} ! pngdec ! videoconvert ! imagefreeze is-live=true",
            quote(&config.camera_device)
        ),
    }
}

fn microphone_source(config: &MediaConfig) -> String {
    match config.microphone {
        Microphone::Test => "audiotestsrc is-live=true wave=ticks volume=0.3".into(),
        Microphone::Alsa => format!("alsasrc device={}", quote(&config.microphone_device)),
        Microphone::Pulse => "pulsesrc".into(),
    }
}

fn speaker_sink(config: &MediaConfig) -> String {
    match config.speaker {
        Speaker::Auto => "autoaudiosink sync=true".into(),
        Speaker::Alsa => format!("alsasink device={}", quote(&config.speaker_device)),
        Speaker::Pulse => "pulsesink".into(),
        Speaker::None => "fakesink sync=false async=false".into(),
    }
}

/// Quotes a value for a pipeline description (device names come from the configuration).
fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn video_encoder(config: &MediaConfig) -> String {
    let kbps = config.video_bitrate_kbps;
    match config.codec {
        Codec::Vp8 => format!(
            "vp8enc deadline=1 cpu-used=8 threads=2 target-bitrate={} keyframe-max-dist={} \
             error-resilient=partitions end-usage=cbr ! rtpvp8pay pt=96 picture-id-mode=15-bit \
             ! application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000",
            kbps * 1000,
            config.framerate * 2
        ),
        Codec::H264 => {
            let encoder = match config.h264_encoder.as_str() {
                "x264enc" => format!(
                    "x264enc tune=zerolatency speed-preset=ultrafast bitrate={kbps} key-int-max={}",
                    config.framerate * 2
                ),
                "openh264enc" => format!(
                    "openh264enc complexity=low bitrate={} gop-size={}",
                    kbps * 1000,
                    config.framerate * 2
                ),
                "v4l2h264enc" => format!(
                    "v4l2h264enc extra-controls=\"controls,repeat_sequence_header=1,video_bitrate={}\" \
                     ! video/x-h264,level=(string)4",
                    (kbps * 1000).max(25_000)
                ),
                other => other.to_string(),
            };
            format!(
                "{encoder} ! video/x-h264,profile=constrained-baseline ! h264parse \
                 ! rtph264pay pt=102 config-interval=-1 aggregate-mode=zero-latency \
                 ! application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000"
            )
        }
    }
}

/// The pipeline description (everything but the receiving branches, which appear when the
/// other side's streams arrive).
pub fn describe_pipeline(config: &MediaConfig, echo_cancellation: bool) -> String {
    let (w, h, fps) = (config.width, config.height, config.framerate);
    let (pw, ph) = (config.preview_width, config.preview_height);
    let raw_audio = "audio/x-raw,format=S16LE,rate=48000,channels=1";
    let dsp = if echo_cancellation {
        "webrtcdsp name=dsp probe=echoprobe ! audioconvert ! "
    } else {
        ""
    };
    let probe = if echo_cancellation {
        "webrtcechoprobe name=echoprobe ! audioconvert ! "
    } else {
        ""
    };
    format!(
        "webrtcbin name=webrtc bundle-policy=max-bundle latency={latency} \
         {camera} ! videoconvert ! videoscale ! videorate \
         ! video/x-raw,width={w},height={h},framerate={fps}/1 ! tee name=camera \
         camera. ! queue name=encode max-size-buffers=2 leaky=downstream ! {encoder} ! webrtc. \
         camera. ! queue max-size-buffers=1 leaky=downstream ! videoscale ! videoconvert \
         ! video/x-raw,format=RGBA,width={pw},height={ph},pixel-aspect-ratio=1/1 \
         ! appsink name=preview sync=false async=false max-buffers=1 drop=true \
         {microphone} ! audioconvert ! audioresample ! {raw_audio} ! {dsp}\
         volume name=microphone ! audioconvert ! opusenc bitrate=32000 frame-size=20 \
         ! rtpopuspay pt=97 \
         ! application/x-rtp,media=audio,encoding-name=OPUS,payload=97,clock-rate=48000 \
         ! webrtc. \
         queue name=speaker ! audioconvert ! audioresample ! {raw_audio} ! {probe}\
         {sink}",
        latency = config.jitter_latency_ms,
        camera = camera_source(config),
        encoder = video_encoder(config),
        microphone = microphone_source(config),
        sink = speaker_sink(config),
    )
}

/// `stun:host:port` → `stun://host:port`; `turn:host:port?transport=udp` with credentials
/// → `turn://user:pass@host:port?transport=udp` (webrtcbin's URI forms).
pub fn webrtcbin_uri(server: &IceServer, url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once(':')?;
    match scheme {
        "stun" | "stuns" => Some(format!("stun://{rest}")),
        "turn" | "turns" => Some(format!(
            "{scheme}://{}:{}@{rest}",
            percent_encode(&server.username),
            percent_encode(&server.credential)
        )),
        _ => None,
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl MediaSession {
    /// Builds and starts the pipeline. As [`Role::Offerer`] it creates its offer at once and
    /// reports it (and its candidates) through `events`.
    pub fn start(
        config: &MediaConfig,
        echo_cancellation: bool,
        ice: &IceSettings,
        role: Role,
        events: UnboundedSender<MediaEvent>,
        frames: FrameSinks,
    ) -> Result<Self, MediaError> {
        crate::init()?;
        config.validate().map_err(MediaError::Build)?;
        let description = describe_pipeline(config, echo_cancellation);
        let pipeline = gst::parse::launch(&description)
            .map_err(build_err)?
            .downcast::<gst::Pipeline>()
            .map_err(|_| MediaError::Build("not a pipeline".into()))?;
        let by_name = |name: &str| {
            pipeline
                .by_name(name)
                .ok_or_else(|| MediaError::Build(format!("no element {name}")))
        };
        let webrtc = by_name("webrtc")?;
        configure_ice(&webrtc, ice, &config.local_addresses)?;

        let counters = Arc::new(Counters::default());
        let connected_at = Arc::new(OnceLock::new());
        if let Some(preview) = frames.preview.clone() {
            attach_frames(&by_name("preview")?, preview, None)?;
        }
        if config.stamp_time {
            stamp_frames(&by_name("encode")?)?;
        }
        let speaker = by_name("speaker")?;
        count_buffers(&speaker, counters.clone())?;
        connect_webrtc_signals(
            &pipeline,
            &webrtc,
            role,
            events.clone(),
            config,
            frames.remote,
            counters.clone(),
            connected_at.clone(),
        );

        let running = Arc::new(AtomicBool::new(true));
        let bus_thread = watch_bus(&pipeline, running.clone(), events.clone())?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| MediaError::Start(e.to_string()))?;
        Ok(Self {
            pipeline,
            webrtc,
            counters,
            running,
            bus_thread: Some(bus_thread),
            connected_at,
            events,
        })
    }

    /// Applies the other side's offer (answerer) or answer (offerer).
    pub fn set_remote_description(
        &self,
        description: &SessionDescription,
    ) -> Result<(), MediaError> {
        let sdp = gst_sdp::SDPMessage::parse_buffer(description.sdp.as_bytes())
            .map_err(|e| MediaError::BadSdp(e.to_string()))?;
        let kind = match description.kind {
            SdpKind::Offer => gst_webrtc::WebRTCSDPType::Offer,
            SdpKind::Answer => gst_webrtc::WebRTCSDPType::Answer,
        };
        let remote = gst_webrtc::WebRTCSessionDescription::new(kind, sdp);
        let webrtc = self.webrtc.clone();
        let answer_after = description.kind == SdpKind::Offer;
        let events = self.events.clone();
        let promise = gst::Promise::with_change_func(move |_| {
            if answer_after {
                create_description(&webrtc, SdpKind::Answer, events);
            }
        });
        self.webrtc
            .emit_by_name::<()>("set-remote-description", &[&remote, &promise]);
        Ok(())
    }

    /// Adds one of the other side's candidates.
    pub fn add_ice_candidate(&self, candidate: &IceCandidate) {
        self.webrtc.emit_by_name::<()>(
            "add-ice-candidate",
            &[&candidate.sdp_mline_index, &candidate.candidate],
        );
    }

    /// Mutes or unmutes the microphone.
    pub fn set_muted(&self, muted: bool) {
        if let Some(volume) = self.pipeline.by_name("microphone") {
            volume.set_property("mute", muted);
        }
    }

    /// Frames of the other side's video decoded so far.
    pub fn remote_frames(&self) -> u64 {
        self.counters.remote_frames.load(Ordering::Relaxed)
    }

    /// Buffers of the other side's audio decoded so far.
    pub fn audio_buffers(&self) -> u64 {
        self.counters.audio_buffers.load(Ordering::Relaxed)
    }

    /// When the first frame of the other side's video was decoded.
    pub fn first_remote_frame_at(&self) -> Option<Instant> {
        self.counters.first_remote_frame.get().copied()
    }

    /// When ICE first connected.
    pub fn connected_at(&self) -> Option<Instant> {
        self.connected_at.get().copied()
    }

    /// webrtcbin's statistics, summarised (waits at most `timeout`).
    pub fn quality(&self, timeout: Duration) -> QualitySummary {
        let (tx, rx) = std::sync::mpsc::channel();
        let promise = gst::Promise::with_change_func(move |reply| {
            let summary = match reply {
                Ok(Some(stats)) => summarise_stats(stats),
                _ => QualitySummary::default(),
            };
            let _ = tx.send(summary);
        });
        self.webrtc
            .emit_by_name::<()>("get-stats", &[&None::<gst::Pad>, &promise]);
        let mut summary = rx.recv_timeout(timeout).unwrap_or_default();
        summary.frames_decoded = self.remote_frames();
        summary
    }

    /// Stops the pipeline and releases camera, microphone and ports.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.running.store(false, Ordering::Relaxed);
        let _ = self.pipeline.set_state(gst::State::Null);
        if let Some(thread) = self.bus_thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for MediaSession {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn configure_ice(
    webrtc: &gst::Element,
    ice: &IceSettings,
    local_addresses: &[String],
) -> Result<(), MediaError> {
    let mut stun_set = false;
    for server in &ice.ice_servers {
        for url in &server.urls {
            let Some(uri) = webrtcbin_uri(server, url) else {
                tracing::warn!("ignoring ICE server with an unknown scheme");
                continue;
            };
            if uri.starts_with("stun://") {
                if !stun_set {
                    webrtc.set_property("stun-server", &uri);
                    stun_set = true;
                }
            } else if !webrtc.emit_by_name::<bool>("add-turn-server", &[&uri]) {
                tracing::warn!("webrtcbin refused a TURN server");
            }
        }
    }
    if ice.ice_transport_policy == IceTransportPolicy::Relay {
        webrtc.set_property_from_str("ice-transport-policy", "relay");
    }
    if !local_addresses.is_empty() {
        let agent = webrtc.property::<glib::Object>("ice-agent");
        for address in local_addresses {
            if !agent.emit_by_name::<bool>("add-local-ip-address", &[address]) {
                return Err(MediaError::Build(format!(
                    "ICE refused the local address {address}"
                )));
            }
        }
        // Only the listed addresses: no TCP candidates on other interfaces either.
        if agent.find_property("ice-tcp").is_some() {
            agent.set_property("ice-tcp", false);
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn connect_webrtc_signals(
    pipeline: &gst::Pipeline,
    webrtc: &gst::Element,
    role: Role,
    events: UnboundedSender<MediaEvent>,
    config: &MediaConfig,
    remote: Option<FrameCallback>,
    counters: Arc<Counters>,
    connected_at: Arc<OnceLock<Instant>>,
) {
    if role == Role::Offerer {
        let sender = events.clone();
        webrtc.connect("on-negotiation-needed", false, move |values| {
            if let Some(Ok(webrtc)) = values.first().map(|v| v.get::<gst::Element>()) {
                create_description(&webrtc, SdpKind::Offer, sender.clone());
            }
            None
        });
    }
    let sender = events.clone();
    webrtc.connect("on-ice-candidate", false, move |values| {
        let mline = values.get(1).and_then(|v| v.get::<u32>().ok());
        let candidate = values.get(2).and_then(|v| v.get::<String>().ok());
        if let (Some(sdp_mline_index), Some(candidate)) = (mline, candidate) {
            let _ = sender.send(MediaEvent::LocalCandidate(IceCandidate {
                sdp_mline_index,
                candidate,
            }));
        }
        None
    });
    let sender = events;
    webrtc.connect_notify(Some("ice-connection-state"), move |webrtc, _| {
        use gst_webrtc::WebRTCICEConnectionState as S;
        let state = match webrtc.property::<S>("ice-connection-state") {
            S::Checking => IceState::Checking,
            S::Connected | S::Completed => {
                let _ = connected_at.set(Instant::now());
                IceState::Connected
            }
            S::Disconnected => IceState::Disconnected,
            S::Failed => IceState::Failed,
            _ => return,
        };
        let _ = sender.send(MediaEvent::Ice(state));
    });
    let pipeline = pipeline.downgrade();
    let (rw, rh) = (config.remote_width, config.remote_height);
    webrtc.connect_pad_added(move |_, pad| {
        if pad.direction() != gst::PadDirection::Src {
            return;
        }
        let Some(pipeline) = pipeline.upgrade() else {
            return;
        };
        if let Err(e) = receive_stream(&pipeline, pad, rw, rh, remote.clone(), counters.clone()) {
            tracing::error!("cannot play the other side's stream: {e}");
        }
    });
}

/// Has webrtcbin make our offer or answer (`kind`), puts it in force locally and hands it
/// on to be sent to the other side.
fn create_description(webrtc: &gst::Element, kind: SdpKind, events: UnboundedSender<MediaEvent>) {
    let name = match kind {
        SdpKind::Offer => "offer",
        SdpKind::Answer => "answer",
    };
    let weak = webrtc.downgrade();
    let promise = gst::Promise::with_change_func(move |reply| {
        let Some(webrtc) = weak.upgrade() else {
            return;
        };
        let description = match reply {
            Ok(Some(reply)) => reply
                .value(name)
                .ok()
                .and_then(|v| v.get::<gst_webrtc::WebRTCSessionDescription>().ok()),
            _ => None,
        };
        let Some(description) = description else {
            let _ = events.send(MediaEvent::Error(format!("webrtcbin made no {name}")));
            return;
        };
        webrtc.emit_by_name::<()>(
            "set-local-description",
            &[&description, &None::<gst::Promise>],
        );
        match description.sdp().as_text() {
            Ok(sdp) => {
                let _ = events.send(MediaEvent::LocalDescription(SessionDescription {
                    kind,
                    sdp,
                }));
            }
            Err(e) => {
                let _ = events.send(MediaEvent::Error(format!("{name} is not text: {e}")));
            }
        }
    });
    webrtc.emit_by_name::<()>(
        &format!("create-{name}"),
        &[&None::<gst::Structure>, &promise],
    );
}

/// Decodes a stream the other side sends: video into RGBA frames of the screen's size,
/// audio into the speaker branch.
fn receive_stream(
    pipeline: &gst::Pipeline,
    pad: &gst::Pad,
    width: u32,
    height: u32,
    remote: Option<FrameCallback>,
    counters: Arc<Counters>,
) -> Result<(), MediaError> {
    let decodebin = gst::ElementFactory::make("decodebin")
        .build()
        .map_err(build_err)?;
    let pipeline_weak = pipeline.downgrade();
    decodebin.connect_pad_added(move |_, decoded| {
        let Some(pipeline) = pipeline_weak.upgrade() else {
            return;
        };
        let caps = decoded
            .current_caps()
            .unwrap_or_else(|| decoded.query_caps(None));
        let media = caps
            .structure(0)
            .map(|s| s.name().to_string())
            .unwrap_or_default();
        let result = if media.starts_with("video/") {
            play_video(
                &pipeline,
                decoded,
                width,
                height,
                remote.clone(),
                counters.clone(),
            )
        } else if media.starts_with("audio/") {
            play_audio(&pipeline, decoded)
        } else {
            Ok(())
        };
        if let Err(e) = result {
            tracing::error!("cannot play a decoded {media} stream: {e}");
        }
    });
    pipeline.add(&decodebin).map_err(build_err)?;
    decodebin.sync_state_with_parent().map_err(build_err)?;
    let sink = decodebin
        .static_pad("sink")
        .ok_or_else(|| MediaError::Build("decodebin has no sink".into()))?;
    pad.link(&sink).map_err(build_err)?;
    Ok(())
}

fn play_video(
    pipeline: &gst::Pipeline,
    decoded: &gst::Pad,
    width: u32,
    height: u32,
    remote: Option<FrameCallback>,
    counters: Arc<Counters>,
) -> Result<(), MediaError> {
    let bin = gst::parse::bin_from_description(
        &format!(
            "queue max-size-buffers=2 leaky=downstream ! videoconvert ! videoscale \
             ! video/x-raw,format=RGBA,width={width},height={height},pixel-aspect-ratio=1/1 \
             ! appsink name=remote sync=false async=false max-buffers=1 drop=true"
        ),
        true,
    )
    .map_err(build_err)?;
    let appsink = bin
        .by_name("remote")
        .ok_or_else(|| MediaError::Build("no remote appsink".into()))?;
    attach_frames(
        &appsink,
        remote.unwrap_or_else(|| Arc::new(|_| {})),
        Some(counters),
    )?;
    pipeline.add(&bin).map_err(build_err)?;
    bin.sync_state_with_parent().map_err(build_err)?;
    let sink = bin
        .static_pad("sink")
        .ok_or_else(|| MediaError::Build("video bin has no sink".into()))?;
    decoded.link(&sink).map_err(build_err)?;
    Ok(())
}

fn play_audio(pipeline: &gst::Pipeline, decoded: &gst::Pad) -> Result<(), MediaError> {
    let speaker = pipeline
        .by_name("speaker")
        .ok_or_else(|| MediaError::Build("no speaker branch".into()))?;
    let sink = speaker
        .static_pad("sink")
        .ok_or_else(|| MediaError::Build("speaker has no sink".into()))?;
    if sink.is_linked() {
        // A second audio stream is not expected in a 1:1 call: drop it.
        let fakesink = gst::ElementFactory::make("fakesink")
            .property("async", false)
            .build()
            .map_err(build_err)?;
        pipeline.add(&fakesink).map_err(build_err)?;
        fakesink.sync_state_with_parent().map_err(build_err)?;
        let pad = fakesink
            .static_pad("sink")
            .ok_or_else(|| MediaError::Build("fakesink has no sink".into()))?;
        return decoded.link(&pad).map(|_| ()).map_err(build_err);
    }
    decoded.link(&sink).map(|_| ()).map_err(build_err)
}

fn attach_frames(
    appsink: &gst::Element,
    callback: FrameCallback,
    counters: Option<Arc<Counters>>,
) -> Result<(), MediaError> {
    let appsink = appsink
        .clone()
        .downcast::<gst_app::AppSink>()
        .map_err(|_| MediaError::Build("not an appsink".into()))?;
    appsink.set_callbacks(
        gst_app::AppSinkCallbacks::builder()
            .new_sample(move |sink| {
                let sample = sink.pull_sample().map_err(|_| gst::FlowError::Eos)?;
                if let Some(counters) = &counters {
                    counters.remote_frames.fetch_add(1, Ordering::Relaxed);
                    let _ = counters.first_remote_frame.set(Instant::now());
                }
                let (Some(buffer), Some(caps)) = (sample.buffer(), sample.caps()) else {
                    return Ok(gst::FlowSuccess::Ok);
                };
                let Ok(info) = gst_video::VideoInfo::from_caps(caps) else {
                    return Ok(gst::FlowSuccess::Ok);
                };
                let Ok(frame) = gst_video::VideoFrameRef::from_buffer_ref_readable(buffer, &info)
                else {
                    return Ok(gst::FlowSuccess::Ok);
                };
                if let Ok(data) = frame.plane_data(0) {
                    callback(FrameRef {
                        width: frame.width(),
                        height: frame.height(),
                        stride: usize::try_from(frame.plane_stride()[0]).unwrap_or(0),
                        data,
                    });
                }
                Ok(gst::FlowSuccess::Ok)
            })
            .build(),
    );
    Ok(())
}

/// Paints the wall-clock time (ms mod 2³²) into the luma of each frame about to be encoded:
/// 32 blocks of 20×20 pixels, white for 1, black for 0, most significant bit first.
fn stamp_frames(queue: &gst::Element) -> Result<(), MediaError> {
    let pad = queue
        .static_pad("src")
        .ok_or_else(|| MediaError::Build("encoder queue has no src pad".into()))?;
    pad.add_probe(gst::PadProbeType::BUFFER, |pad, info| {
        let Some(caps) = pad.current_caps() else {
            return gst::PadProbeReturn::Ok;
        };
        let Ok(video) = gst_video::VideoInfo::from_caps(&caps) else {
            return gst::PadProbeReturn::Ok;
        };
        if video.format() != gst_video::VideoFormat::I420 || video.width() < 640 {
            return gst::PadProbeReturn::Ok;
        }
        let Some(gst::PadProbeData::Buffer(buffer)) = &mut info.data else {
            return gst::PadProbeReturn::Ok;
        };
        let Ok(mut frame) =
            gst_video::VideoFrameRef::from_buffer_ref_writable(buffer.make_mut(), &video)
        else {
            return gst::PadProbeReturn::Ok;
        };
        let stride = usize::try_from(frame.plane_stride()[0]).unwrap_or(0);
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u32)
            .unwrap_or(0);
        if let Ok(luma) = frame.plane_data_mut(0) {
            for bit in 0..32usize {
                let value = if (now_ms >> (31 - bit)) & 1 == 1 {
                    235
                } else {
                    16
                };
                for row in 0..20 {
                    let start = row * stride + bit * 20;
                    if let Some(block) = luma.get_mut(start..start + 20) {
                        block.fill(value);
                    }
                }
            }
        }
        gst::PadProbeReturn::Ok
    });
    Ok(())
}

fn count_buffers(element: &gst::Element, counters: Arc<Counters>) -> Result<(), MediaError> {
    let pad = element
        .static_pad("sink")
        .ok_or_else(|| MediaError::Build("speaker has no sink pad".into()))?;
    pad.add_probe(gst::PadProbeType::BUFFER, move |_, _| {
        counters.audio_buffers.fetch_add(1, Ordering::Relaxed);
        gst::PadProbeReturn::Ok
    });
    Ok(())
}

fn watch_bus(
    pipeline: &gst::Pipeline,
    running: Arc<AtomicBool>,
    events: UnboundedSender<MediaEvent>,
) -> Result<std::thread::JoinHandle<()>, MediaError> {
    let bus = pipeline
        .bus()
        .ok_or_else(|| MediaError::Build("pipeline without a bus".into()))?;
    std::thread::Builder::new()
        .name("call-media-bus".into())
        .spawn(move || {
            while running.load(Ordering::Relaxed) {
                let Some(message) = bus.timed_pop_filtered(
                    gst::ClockTime::from_mseconds(100),
                    &[gst::MessageType::Error, gst::MessageType::Warning],
                ) else {
                    continue;
                };
                match message.view() {
                    gst::MessageView::Error(e) => {
                        let text = format!(
                            "{} ({})",
                            e.error(),
                            message
                                .src()
                                .map(|s| s.path_string().to_string())
                                .unwrap_or_default()
                        );
                        tracing::error!("call media: {text}");
                        let _ = events.send(MediaEvent::Error(text));
                    }
                    gst::MessageView::Warning(w) => {
                        tracing::warn!("call media: {}", w.error());
                    }
                    _ => {}
                }
            }
        })
        .map_err(|e| MediaError::Start(format!("cannot start the bus thread: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ice_server_urls_become_webrtcbin_uris_with_encoded_credentials() {
        let turn = IceServer {
            urls: vec![],
            username: "kiosk 1".into(),
            credential: "p@ss:w/rd".into(),
        };
        assert_eq!(
            webrtcbin_uri(&turn, "turn:127.0.0.1:3478?transport=udp").as_deref(),
            Some("turn://kiosk%201:p%40ss%3Aw%2Frd@127.0.0.1:3478?transport=udp")
        );
        assert_eq!(
            webrtcbin_uri(&turn, "stun:stun.centre.example:3478").as_deref(),
            Some("stun://stun.centre.example:3478")
        );
        assert_eq!(webrtcbin_uri(&turn, "http://x"), None);
    }

    #[test]
    fn device_names_cannot_break_out_of_the_pipeline_description() {
        let config = MediaConfig {
            camera: Camera::V4l2,
            camera_device: "/dev/video0\" ! filesink location=/tmp/x".into(),
            ..MediaConfig::default()
        };
        let description = describe_pipeline(&config, false);
        assert!(
            description.contains(r#"device="/dev/video0\" ! filesink location=/tmp/x""#),
            "{description}"
        );
    }

    #[test]
    fn the_pipeline_description_parses_for_each_codec() {
        crate::init().unwrap();
        for codec in [Codec::Vp8, Codec::H264] {
            let config = MediaConfig {
                codec,
                speaker: Speaker::None,
                ..MediaConfig::default()
            };
            let pipeline = gst::parse::launch(&describe_pipeline(&config, true));
            assert!(pipeline.is_ok(), "{codec:?}: {:?}", pipeline.err());
        }
    }
}
