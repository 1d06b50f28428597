//! The payload: a set of named files (e.g. `services.toml` and consultation content) in a
//! simple, deterministic encoding, so that its SHA-256 is well defined.
//!
//! Encoding: for each file in byte order of its name, a big-endian `u32` name length, the
//! UTF-8 name, a big-endian `u64` content length and the content. Names are relative paths of
//! `/`-separated parts without `.`/`..`, empty parts, backslashes or control characters, so a
//! terminal may write them under a folder safely.

use std::collections::BTreeMap;

/// Most files in one payload.
pub const MAX_FILES: usize = 10_000;
/// Longest file name in bytes.
pub const MAX_NAME_BYTES: usize = 255;

/// The payload could not be decoded or a name is unsafe.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The bytes end in the middle of an entry.
    #[error("payload is truncated")]
    Truncated,
    /// A name is not valid UTF-8 or not a safe relative path.
    #[error("payload file name {0:?} is not a safe relative path")]
    UnsafeName(String),
    /// The same name twice, or names out of order.
    #[error("payload file names are duplicated or out of order at {0:?}")]
    NotSorted(String),
    /// More than [`MAX_FILES`] files.
    #[error("payload has more than {MAX_FILES} files")]
    TooManyFiles,
}

/// Named files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payload {
    /// File name → content.
    pub files: BTreeMap<String, Vec<u8>>,
}

/// Whether `name` is a safe relative path.
pub fn is_safe_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= MAX_NAME_BYTES
        && !name.chars().any(|c| c.is_control() || c == '\\')
        && name
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

impl Payload {
    /// Adds a file, refusing an unsafe name.
    pub fn insert(&mut self, name: &str, content: Vec<u8>) -> Result<(), PayloadError> {
        if !is_safe_name(name) {
            return Err(PayloadError::UnsafeName(name.to_string()));
        }
        if self.files.len() >= MAX_FILES {
            return Err(PayloadError::TooManyFiles);
        }
        self.files.insert(name.to_string(), content);
        Ok(())
    }

    /// The deterministic encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, content) in &self.files {
            out.extend_from_slice(&(name.len() as u32).to_be_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(&(content.len() as u64).to_be_bytes());
            out.extend_from_slice(content);
        }
        out
    }

    /// Decodes and checks an encoding (strictly sorted unique names, safe names).
    pub fn decode(mut bytes: &[u8]) -> Result<Self, PayloadError> {
        let mut files = BTreeMap::new();
        let mut previous: Option<String> = None;
        while !bytes.is_empty() {
            let name_len = u32::from_be_bytes(
                take(&mut bytes, 4)?
                    .try_into()
                    .map_err(|_| PayloadError::Truncated)?,
            ) as usize;
            if name_len > MAX_NAME_BYTES {
                return Err(PayloadError::UnsafeName(format!("<{name_len} bytes>")));
            }
            let name = std::str::from_utf8(take(&mut bytes, name_len)?)
                .map_err(|_| PayloadError::UnsafeName("<not UTF-8>".into()))?
                .to_string();
            if !is_safe_name(&name) {
                return Err(PayloadError::UnsafeName(name));
            }
            if previous.as_deref().is_some_and(|p| p >= name.as_str()) {
                return Err(PayloadError::NotSorted(name));
            }
            let len_bytes: [u8; 8] = take(&mut bytes, 8)?
                .try_into()
                .map_err(|_| PayloadError::Truncated)?;
            let content_len = usize::try_from(u64::from_be_bytes(len_bytes))
                .map_err(|_| PayloadError::Truncated)?;
            let content = take(&mut bytes, content_len)?.to_vec();
            if files.len() >= MAX_FILES {
                return Err(PayloadError::TooManyFiles);
            }
            previous = Some(name.clone());
            files.insert(name, content);
        }
        Ok(Self { files })
    }
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], PayloadError> {
    if bytes.len() < n {
        return Err(PayloadError::Truncated);
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_deterministic() {
        let mut p = Payload::default();
        p.insert("services.toml", b"[a]".to_vec()).unwrap();
        p.insert(
            "content/divorce.json",
            "{\"t\":\"离婚\"}".as_bytes().to_vec(),
        )
        .unwrap();
        let bytes = p.encode();
        assert_eq!(Payload::decode(&bytes).unwrap(), p);
        assert_eq!(p.clone().encode(), bytes);
    }

    #[test]
    fn unsafe_names_and_truncation_are_refused() {
        for bad in ["", "../x", "/etc/passwd", "a//b", "a\\b", "a/./b", "a\nb"] {
            assert!(!is_safe_name(bad), "{bad:?}");
        }
        let mut p = Payload::default();
        p.insert("a", vec![1, 2, 3]).unwrap();
        let bytes = p.encode();
        assert_eq!(
            Payload::decode(&bytes[..bytes.len() - 1]),
            Err(PayloadError::Truncated)
        );
        let mut evil = Vec::new();
        evil.extend_from_slice(&5u32.to_be_bytes());
        evil.extend_from_slice(b"../up");
        evil.extend_from_slice(&0u64.to_be_bytes());
        assert!(matches!(
            Payload::decode(&evil),
            Err(PayloadError::UnsafeName(_))
        ));
    }
}
