//! What the terminal's `[video]` configuration says about media.

use serde::Deserialize;

/// The camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Camera {
    /// A moving test pattern (`videotestsrc`): the simulator default.
    Test,
    /// A USB (UVC) camera through Video4Linux (`v4l2src`, `camera_device`).
    V4l2,
    /// A Raspberry Pi camera module (`libcamerasrc`, Raspberry Pi OS package).
    Libcamera,
    /// A still PNG picture, the file `camera_device`, shown for ever (`pngdec ! imagefreeze`):
    /// a receipt held before the camera, for tests and demonstrations.
    Still,
}

/// The microphone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Microphone {
    /// A test tone (`audiotestsrc`).
    Test,
    /// ALSA (`alsasrc`, `microphone_device`).
    Alsa,
    /// PulseAudio / PipeWire (`pulsesrc`).
    Pulse,
}

/// Where the lawyer's voice is played.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Speaker {
    /// Whatever the system offers (`autoaudiosink`).
    Auto,
    /// ALSA (`alsasink`, `speaker_device`).
    Alsa,
    /// PulseAudio / PipeWire (`pulsesink`).
    Pulse,
    /// Nowhere (`fakesink`): tests and terminals without speakers.
    None,
}

/// The video codec the terminal sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Codec {
    /// VP8 in software (`vp8enc`): the default, the same on Pi 4, Pi 5 and x86.
    Vp8,
    /// H.264 constrained baseline (`h264_encoder`: `v4l2h264enc` on a Pi 4, `openh264enc`
    /// or `x264enc` elsewhere).
    H264,
}

/// Media settings of the terminal.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MediaConfig {
    /// Camera kind.
    pub camera: Camera,
    /// Camera device for `v4l2`.
    pub camera_device: String,
    /// Microphone kind.
    pub microphone: Microphone,
    /// ALSA device for the microphone (e.g. `hw:1`).
    pub microphone_device: String,
    /// Speaker kind.
    pub speaker: Speaker,
    /// ALSA device for the speaker.
    pub speaker_device: String,
    /// Sent video codec.
    pub codec: Codec,
    /// H.264 encoder element when `codec = "h264"`.
    pub h264_encoder: String,
    /// Sent picture width.
    pub width: u32,
    /// Sent picture height.
    pub height: u32,
    /// Sent frames per second.
    pub framerate: u32,
    /// Video bit rate, kbit/s.
    pub video_bitrate_kbps: u32,
    /// Echo cancellation and noise suppression (`webrtcdsp`) when the element exists.
    pub echo_cancellation: bool,
    /// Jitter buffer of received media, ms (adds directly to the delay).
    pub jitter_latency_ms: u32,
    /// Width of the lawyer's picture as handed to the screen (scaled in GStreamer; the
    /// software renderer copies every frame).
    pub remote_width: u32,
    /// Its height.
    pub remote_height: u32,
    /// Width of the citizen's own preview.
    pub preview_width: u32,
    /// Its height.
    pub preview_height: u32,
    /// Local addresses ICE may use (empty: all). Tests use `["127.0.0.1"]`.
    pub local_addresses: Vec<String>,
    /// Benchmarks only: paint the send time (wall clock, ms mod 2³², 32 blocks of 20×20
    /// pixels across the top) into every sent frame, so the far side can measure the delay.
    pub stamp_time: bool,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            camera: Camera::Test,
            camera_device: "/dev/video0".into(),
            microphone: Microphone::Test,
            microphone_device: "default".into(),
            speaker: Speaker::Auto,
            speaker_device: "default".into(),
            codec: Codec::Vp8,
            h264_encoder: "openh264enc".into(),
            width: 640,
            height: 480,
            framerate: 30,
            video_bitrate_kbps: 800,
            echo_cancellation: true,
            jitter_latency_ms: 100,
            remote_width: 480,
            remote_height: 360,
            preview_width: 240,
            preview_height: 180,
            local_addresses: Vec::new(),
            stamp_time: false,
        }
    }
}

impl MediaConfig {
    /// Settings for tests and benchmarks on loopback: test sources, no speaker.
    pub fn loopback() -> Self {
        Self {
            speaker: Speaker::None,
            local_addresses: vec!["127.0.0.1".into()],
            ..Self::default()
        }
    }

    /// Checks numbers that GStreamer would only reject mid-call.
    pub fn validate(&self) -> Result<(), String> {
        let sizes = [
            ("width", self.width),
            ("height", self.height),
            ("remote_width", self.remote_width),
            ("remote_height", self.remote_height),
            ("preview_width", self.preview_width),
            ("preview_height", self.preview_height),
        ];
        for (name, value) in sizes {
            if !(16..=4096).contains(&value) || value % 2 != 0 {
                return Err(format!(
                    "video.{name} = {value}: use an even number from 16 to 4096"
                ));
            }
        }
        if !(1..=60).contains(&self.framerate) {
            return Err(format!("video.framerate = {}: use 1 to 60", self.framerate));
        }
        if !(50..=10_000).contains(&self.video_bitrate_kbps) {
            return Err(format!(
                "video.video_bitrate_kbps = {}: use 50 to 10000",
                self.video_bitrate_kbps
            ));
        }
        if self.stamp_time && self.width < 640 {
            return Err("video.stamp_time needs a width of at least 640".into());
        }
        if self.jitter_latency_ms > 1000 {
            return Err("video.jitter_latency_ms must be at most 1000".into());
        }
        Ok(())
    }
}
