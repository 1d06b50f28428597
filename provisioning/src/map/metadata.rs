//! The MBTiles 1.3 `metadata` table, checked: a raster format (`png` or `jpg`; wild files
//! write `jpeg`), WGS-84 bounds inside the Web Mercator range, zooms in order. Files made
//! elsewhere arrive with anything in this table, so every field is parsed, never trusted.

use super::MapError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The deepest zoom a map may have (Web Mercator tiles are addressed with `u32` at z ≤ 22).
pub const MAX_ZOOM: u8 = 22;
/// Web Mercator's latitude limit.
pub const MAX_LAT: f64 = 85.051_128_779_806_6;

/// How tiles are encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TileFormat {
    /// PNG.
    Png,
    /// JPEG.
    Jpg,
}

impl TileFormat {
    /// The metadata's `format` value; vector formats (`pbf`, `mvt`) are refused: the kiosk
    /// draws raster tiles only.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "png" => Some(Self::Png),
            "jpg" | "jpeg" => Some(Self::Jpg),
            _ => None,
        }
    }
}

/// `left,bottom,right,top` in degrees (the spec's WGS-84; the tiles' own datum is stated in
/// the manifest).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Longitude of the left edge.
    pub west: f64,
    /// Latitude of the bottom edge.
    pub south: f64,
    /// Longitude of the right edge.
    pub east: f64,
    /// Latitude of the top edge.
    pub north: f64,
}

impl Bounds {
    /// Parses `left,bottom,right,top`.
    pub fn parse(text: &str) -> Result<Self, MapError> {
        let numbers: Vec<f64> = text
            .split(',')
            .map(|s| s.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| MapError::Invalid(format!("bounds {text:?} are not four numbers")))?;
        let [west, south, east, north] = numbers[..] else {
            return Err(MapError::Invalid(format!(
                "bounds {text:?} are not four numbers"
            )));
        };
        let bounds = Self {
            west,
            south,
            east,
            north,
        };
        bounds.check()?;
        Ok(bounds)
    }

    fn check(&self) -> Result<(), MapError> {
        let finite = [self.west, self.south, self.east, self.north]
            .iter()
            .all(|v| v.is_finite());
        let ordered = self.west < self.east && self.south < self.north;
        let inside = self.west >= -180.0
            && self.east <= 180.0
            && self.south >= -MAX_LAT - 1e-9
            && self.north <= MAX_LAT + 1e-9;
        if finite && ordered && inside {
            Ok(())
        } else {
            Err(MapError::Invalid(format!(
                "bounds {},{},{},{} are not a box on the map",
                self.west, self.south, self.east, self.north
            )))
        }
    }

    /// Whether a point lies inside.
    pub fn contains(&self, lat: f64, lng: f64) -> bool {
        (self.south..=self.north).contains(&lat) && (self.west..=self.east).contains(&lng)
    }
}

/// What the kiosk needs from `metadata`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapMetadata {
    /// `name` (shown to staff).
    pub name: String,
    /// `format`.
    pub format: TileFormat,
    /// `bounds`.
    pub bounds: Bounds,
    /// `minzoom`.
    pub minzoom: u8,
    /// `maxzoom`.
    pub maxzoom: u8,
}

impl MapMetadata {
    /// Reads the `(name, value)` rows of `metadata`: `format`, `bounds`, `minzoom` and
    /// `maxzoom` are required here (the spec only suggests the last three, but the kiosk cannot
    /// place a viewport without them).
    pub fn from_rows(rows: &HashMap<String, String>) -> Result<Self, MapError> {
        let get = |key: &str| {
            rows.get(key)
                .map(|v| v.trim())
                .ok_or_else(|| MapError::Invalid(format!("metadata has no {key}")))
        };
        let format_text = get("format")?;
        let format = TileFormat::parse(format_text).ok_or_else(|| {
            MapError::Invalid(format!(
                "metadata format {format_text:?} is not png or jpg (vector tiles are not drawn)"
            ))
        })?;
        if let Some(scheme) = rows.get("scheme")
            && scheme.trim() != "tms"
        {
            // Some tools write XYZ rows and say so; the spec's rows are TMS.
            return Err(MapError::Invalid(format!(
                "metadata scheme {scheme:?}: only MBTiles' TMS rows are read"
            )));
        }
        let zoom = |key: &str| -> Result<u8, MapError> {
            let text = get(key)?;
            text.parse::<u8>()
                .ok()
                .filter(|z| *z <= MAX_ZOOM)
                .ok_or_else(|| MapError::Invalid(format!("metadata {key} {text:?} is not 0–22")))
        };
        let metadata = Self {
            name: rows
                .get("name")
                .map(|n| n.trim().to_string())
                .unwrap_or_default(),
            format,
            bounds: Bounds::parse(get("bounds")?)?,
            minzoom: zoom("minzoom")?,
            maxzoom: zoom("maxzoom")?,
        };
        metadata.check()?;
        Ok(metadata)
    }

    /// Zooms in order, bounds a box.
    pub fn check(&self) -> Result<(), MapError> {
        if self.minzoom > self.maxzoom || self.maxzoom > MAX_ZOOM {
            return Err(MapError::Invalid(format!(
                "zooms {}–{} are not in order within 0–{MAX_ZOOM}",
                self.minzoom, self.maxzoom
            )));
        }
        if self.name.chars().count() > 200 {
            return Err(MapError::Invalid(
                "metadata name is longer than 200 characters".into(),
            ));
        }
        self.bounds.check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn reads_a_raster_files_metadata() {
        let m = MapMetadata::from_rows(&rows(&[
            ("name", "Shanghai"),
            ("format", "jpeg"),
            ("bounds", "120.8, 30.6,122.2,31.9"),
            ("minzoom", "8"),
            ("maxzoom", "16"),
        ]))
        .unwrap();
        assert_eq!(m.format, TileFormat::Jpg);
        assert_eq!((m.minzoom, m.maxzoom), (8, 16));
        assert!(m.bounds.contains(31.2, 121.5));
    }

    #[test]
    fn refuses_what_the_kiosk_cannot_draw() {
        let good = [
            ("format", "png"),
            ("bounds", "120,30,122,32"),
            ("minzoom", "3"),
            ("maxzoom", "6"),
        ];
        assert!(MapMetadata::from_rows(&rows(&good)).is_ok());
        for (key, value) in [
            ("format", "pbf"),
            ("bounds", "122,30,120,32"),
            ("bounds", "120,30,122"),
            ("bounds", "120,30,122,NaN"),
            ("minzoom", "7"),
            ("maxzoom", "23"),
            ("maxzoom", "-1"),
        ] {
            let mut r = rows(&good);
            r.insert(key.into(), value.into());
            assert!(MapMetadata::from_rows(&r).is_err(), "{key}={value}");
        }
        let mut r = rows(&good);
        r.insert("scheme".into(), "xyz".into());
        assert!(MapMetadata::from_rows(&r).is_err());
        let mut r = rows(&good);
        r.remove("bounds");
        assert!(MapMetadata::from_rows(&r).is_err());
    }
}
