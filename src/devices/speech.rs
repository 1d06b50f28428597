//! The terminal's voice (issue 21): text synthesised offline by espeak-ng (a subprocess:
//! libespeak-ng keeps global state and is not thread-safe) and played through GStreamer on
//! the configured sink (`kiosk_video::play_wav`). Every text passes `domain::voice::speakable` first, so an ID or a
//! telephone number is never said, whoever composed the sentence.

use std::io::Write as _;
use std::process::{Command, Stdio};

use thiserror::Error;

use crate::domain::voice::{Unspeakable, espeak_voice, speakable};
use crate::i18n::Lang;

/// Why nothing was said.
#[derive(Debug, Error)]
pub enum SpeechError {
    #[error(transparent)]
    Refused(#[from] Unspeakable),
    /// espeak-ng is missing or failed (Debian package `espeak-ng`).
    #[error("espeak-ng cannot speak: {0}")]
    Synthesis(String),
    /// GStreamer could not play it.
    #[error(transparent)]
    Playback(#[from] kiosk_video::PlayError),
}

/// Words per minute: a little slower than espeak-ng's 175, for elderly listeners.
const RATE: &str = "140";

/// `text` in `lang`'s voice as WAV bytes (22,050 Hz, mono, 16-bit).
pub fn synthesize(text: &str, lang: Lang) -> Result<Vec<u8>, SpeechError> {
    speakable(text)?;
    let output = Command::new("espeak-ng")
        .args(["-v", espeak_voice(lang), "-s", RATE, "--stdout"])
        // The text on standard input, so that nothing of it is on a command line.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            if let Some(mut stdin) = child.stdin.take() {
                stdin.write_all(text.as_bytes())?;
            }
            child.wait_with_output()
        })
        .map_err(|e| SpeechError::Synthesis(e.to_string()))?;
    if !output.status.success() || output.stdout.len() <= 44 {
        return Err(SpeechError::Synthesis(
            String::from_utf8_lossy(&output.stderr).trim().to_owned(),
        ));
    }
    Ok(output.stdout)
}

/// Says `text` in `lang` on `sink`: synthesised, then played (blocks until said).
pub fn say(text: &str, lang: Lang, sink: &str, volume: f64) -> Result<(), SpeechError> {
    let wav = synthesize(text, lang)?;
    tracing::info!(text, voice = espeak_voice(lang), "speaking");
    Ok(kiosk_video::play_wav(&wav, sink, volume)?)
}
