//! The start-up check: every GStreamer element the configured call needs, with the Debian
//! package that provides it, so a terminal that cannot make calls says why at once.

use crate::config::{Camera, Codec, MediaConfig, Microphone, Speaker};

/// An element the configuration needs but GStreamer does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingElement {
    /// Element name, e.g. `vp8enc`.
    pub element: String,
    /// Where it comes from on Debian / Raspberry Pi OS.
    pub package: &'static str,
}

/// The result of the check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginReport {
    /// Elements that are needed and missing; calls are impossible while any is.
    pub missing: Vec<MissingElement>,
    /// Whether echo cancellation (`webrtcdsp` + `webrtcechoprobe`) can be used.
    pub echo_cancellation: bool,
}

impl PluginReport {
    /// Whether calls can be made.
    pub fn ready(&self) -> bool {
        self.missing.is_empty()
    }

    /// One line for staff and logs, e.g. `missing GStreamer elements: x264enc
    /// (gstreamer1.0-plugins-ugly)`.
    pub fn reason(&self) -> Option<String> {
        if self.missing.is_empty() {
            return None;
        }
        let list: Vec<String> = self
            .missing
            .iter()
            .map(|m| format!("{} ({})", m.element, m.package))
            .collect();
        Some(format!("missing GStreamer elements: {}", list.join(", ")))
    }
}

const BAD: &str = "gstreamer1.0-plugins-bad";
const GOOD: &str = "gstreamer1.0-plugins-good";
const BASE: &str = "gstreamer1.0-plugins-base";

fn package_of(element: &str) -> &'static str {
    match element {
        "webrtcbin" | "dtlssrtpenc" | "dtlssrtpdec" | "srtpenc" | "srtpdec" | "openh264enc"
        | "openh264dec" | "webrtcdsp" | "webrtcechoprobe" => BAD,
        "nicesrc" | "nicesink" => "gstreamer1.0-nice",
        "rtpbin" | "rtpvp8pay" | "rtpvp8depay" | "rtph264pay" | "rtph264depay" | "vp8enc"
        | "vp8dec" | "rtpopuspay" | "rtpopusdepay" | "v4l2src" | "v4l2h264enc" | "pulsesrc"
        | "pulsesink" | "autoaudiosink" => GOOD,
        "x264enc" => "gstreamer1.0-plugins-ugly",
        "avdec_h264" => "gstreamer1.0-libav",
        "alsasrc" | "alsasink" => "gstreamer1.0-alsa",
        "libcamerasrc" => "gstreamer1.0-libcamera",
        _ => BASE,
    }
}

/// The elements a call with `config` needs.
pub fn required_elements(config: &MediaConfig) -> Vec<String> {
    let mut needed: Vec<&str> = vec![
        "webrtcbin",
        "nicesrc",
        "nicesink",
        "dtlssrtpenc",
        "dtlssrtpdec",
        "srtpenc",
        "srtpdec",
        "rtpbin",
        "opusenc",
        "opusdec",
        "rtpopuspay",
        "rtpopusdepay",
        "decodebin",
        "videoconvert",
        "videoscale",
        "videorate",
        "audioconvert",
        "audioresample",
        "appsink",
        "queue",
        "tee",
        "capsfilter",
        // Received VP8 is always possible: browsers may send it whatever we send.
        "vp8dec",
        "rtpvp8depay",
    ];
    let mut owned = Vec::new();
    match config.codec {
        Codec::Vp8 => needed.extend(["vp8enc", "rtpvp8pay"]),
        Codec::H264 => {
            needed.extend(["h264parse", "rtph264pay", "rtph264depay"]);
            owned.push(config.h264_encoder.clone());
        }
    }
    needed.push(match config.camera {
        Camera::Test => "videotestsrc",
        Camera::V4l2 => "v4l2src",
        Camera::Libcamera => "libcamerasrc",
        Camera::Still => "imagefreeze",
    });
    needed.push(match config.microphone {
        Microphone::Test => "audiotestsrc",
        Microphone::Alsa => "alsasrc",
        Microphone::Pulse => "pulsesrc",
    });
    needed.push(match config.speaker {
        Speaker::Auto => "autoaudiosink",
        Speaker::Alsa => "alsasink",
        Speaker::Pulse => "pulsesink",
        Speaker::None => "fakesink",
    });
    let mut all: Vec<String> = needed.into_iter().map(String::from).collect();
    all.extend(owned);
    all
}

fn exists(element: &str) -> bool {
    gstreamer::ElementFactory::find(element).is_some()
}

/// Checks the elements `config` needs (GStreamer must be initialised, see [`crate::init`]).
pub fn check_plugins(config: &MediaConfig) -> PluginReport {
    let missing = required_elements(config)
        .into_iter()
        .filter(|e| !exists(e))
        .map(|element| MissingElement {
            package: package_of(&element),
            element,
        })
        .collect();
    PluginReport {
        missing,
        echo_cancellation: exists("webrtcdsp") && exists("webrtcechoprobe"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_finds_everything_on_a_prepared_machine() {
        crate::init().unwrap();
        let report = check_plugins(&MediaConfig::default());
        assert!(report.ready(), "{:?}", report.reason());
        assert_eq!(report.reason(), None);
    }

    #[test]
    fn a_missing_encoder_is_named_with_its_package() {
        crate::init().unwrap();
        let config = MediaConfig {
            codec: Codec::H264,
            h264_encoder: "x264enc-not-installed".into(),
            ..MediaConfig::default()
        };
        let report = check_plugins(&config);
        assert!(!report.ready());
        let reason = report.reason().unwrap();
        assert!(reason.contains("x264enc-not-installed"), "{reason}");
        assert!(reason.starts_with("missing GStreamer elements"), "{reason}");
    }

    #[test]
    fn packages_are_named_for_the_elements_a_pi_adds() {
        assert_eq!(package_of("x264enc"), "gstreamer1.0-plugins-ugly");
        assert_eq!(package_of("alsasrc"), "gstreamer1.0-alsa");
        assert_eq!(package_of("nicesrc"), "gstreamer1.0-nice");
        let config = MediaConfig {
            camera: Camera::V4l2,
            microphone: Microphone::Alsa,
            speaker: Speaker::Alsa,
            ..MediaConfig::default()
        };
        let needed = required_elements(&config);
        for e in ["v4l2src", "alsasrc", "alsasink", "vp8enc"] {
            assert!(needed.iter().any(|n| n == e), "{e} in {needed:?}");
        }
    }
}
