//! Coordinates and their datum.
//!
//! Chinese map tiles and apps (Amap, Tencent) use GCJ-02, an obfuscated datum shifted by a
//! few hundred metres from WGS-84 (GPS). The registry stores WGS-84; the `institutions`
//! bundle states its datum, and a pin on GCJ-02 tiles must be GCJ-02.
//!
//! The conversion is the published, reverse-engineered algorithm (as in
//! googollee/eviltransform), with Krasovsky's semi-major axis `a = 6378245` and
//! `ee = 0.00669342162296594323`; outside a box around China there is no shift. It is
//! checked against the reference points of `/work/shared/reference/wave2.md` §3 to 1e-9°.
//! The inverse is a fixed-point iteration (the naive one-step inverse is off by 1–2 m).

use serde::{Deserialize, Serialize};

/// A geodetic datum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datum {
    /// WGS-84 (GPS; also ≈ CGCS2000, the datum of 天地图 tiles).
    Wgs84,
    /// GCJ-02 (Amap, Tencent and most Chinese map tiles).
    Gcj02,
}

impl Datum {
    /// The code used in files (`wgs84`, `gcj02`).
    pub fn code(self) -> &'static str {
        match self {
            Datum::Wgs84 => "wgs84",
            Datum::Gcj02 => "gcj02",
        }
    }

    /// From a code (`wgs84`, `gcj02`, case-insensitive; `WGS-84`, `GCJ-02` too).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_lowercase().replace('-', "").as_str() {
            "wgs84" => Some(Datum::Wgs84),
            "gcj02" => Some(Datum::Gcj02),
            _ => None,
        }
    }
}

/// A point, in degrees, with its datum stated.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The datum `lat` and `lng` are in.
    pub datum: Datum,
    /// Latitude, degrees north.
    pub lat: f64,
    /// Longitude, degrees east.
    pub lng: f64,
}

impl Location {
    /// A point in WGS-84.
    pub fn wgs84(lat: f64, lng: f64) -> Self {
        Self {
            datum: Datum::Wgs84,
            lat,
            lng,
        }
    }

    /// A point in GCJ-02.
    pub fn gcj02(lat: f64, lng: f64) -> Self {
        Self {
            datum: Datum::Gcj02,
            lat,
            lng,
        }
    }

    /// The same place in `datum`.
    pub fn to(self, datum: Datum) -> Self {
        let (lat, lng) = match (self.datum, datum) {
            (a, b) if a == b => (self.lat, self.lng),
            (Datum::Wgs84, Datum::Gcj02) => wgs84_to_gcj02(self.lat, self.lng),
            (Datum::Gcj02, _) => gcj02_to_wgs84(self.lat, self.lng),
            (Datum::Wgs84, Datum::Wgs84) => (self.lat, self.lng),
        };
        Self { datum, lat, lng }
    }

    /// Great-circle distance in metres to `other`, after putting `other` in this datum.
    pub fn distance_m(self, other: Location) -> f64 {
        let other = other.to(self.datum);
        haversine_m(self.lat, self.lng, other.lat, other.lng)
    }
}

/// Krasovsky 1940 semi-major axis, as the GCJ-02 algorithm uses it.
const A: f64 = 6378245.0;
/// Krasovsky 1940 first eccentricity squared.
const EE: f64 = 0.006_693_421_622_965_943;
/// Mean Earth radius (IUGG), for distances.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Whether GCJ-02 leaves the point unshifted (outside the box around China).
pub fn out_of_china(lat: f64, lng: f64) -> bool {
    !(72.004..=137.8347).contains(&lng) || !(0.8293..=55.8271).contains(&lat)
}

fn transform_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut t = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    t += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    t += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    t += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    t
}

fn transform_lng(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut t = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    t += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    t += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    t += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    t
}

/// The GCJ-02 shift (degrees of latitude, longitude) at a WGS-84 point.
fn delta(lat: f64, lng: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let d_lat = transform_lat(lng - 105.0, lat - 35.0);
    let d_lng = transform_lng(lng - 105.0, lat - 35.0);
    let rad_lat = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad_lat.sin() * rad_lat.sin();
    let sqrt_magic = magic.sqrt();
    (
        d_lat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI),
        d_lng * 180.0 / (A / sqrt_magic * rad_lat.cos() * PI),
    )
}

/// WGS-84 → GCJ-02 (`(lat, lng)`); unchanged outside China.
pub fn wgs84_to_gcj02(lat: f64, lng: f64) -> (f64, f64) {
    if out_of_china(lat, lng) {
        return (lat, lng);
    }
    let (d_lat, d_lng) = delta(lat, lng);
    (lat + d_lat, lng + d_lng)
}

/// GCJ-02 → WGS-84 (`(lat, lng)`), by fixed-point iteration until the round trip is within
/// 1e-10° (about 0.01 mm); unchanged outside China.
pub fn gcj02_to_wgs84(lat: f64, lng: f64) -> (f64, f64) {
    if out_of_china(lat, lng) {
        return (lat, lng);
    }
    let (mut w_lat, mut w_lng) = (lat, lng);
    for _ in 0..10 {
        let (g_lat, g_lng) = wgs84_to_gcj02(w_lat, w_lng);
        let (e_lat, e_lng) = (g_lat - lat, g_lng - lng);
        w_lat -= e_lat;
        w_lng -= e_lng;
        if e_lat.abs() < 1e-10 && e_lng.abs() < 1e-10 {
            break;
        }
    }
    (w_lat, w_lng)
}

/// Great-circle distance in metres between two points of the same datum (haversine on a
/// sphere of the mean Earth radius; within 0.5 % of the ellipsoid, plenty to order by).
pub fn haversine_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WGS-84 → GCJ-02 reference points (wave2.md §3, reproduced there to 1e-9°).
    const REFERENCE: [((f64, f64), (f64, f64)); 3] = [
        // Shanghai
        (
            (31.1774276, 121.5272106),
            (31.17530398364597, 121.531541859215),
        ),
        // Shenzhen
        (
            (22.543847, 113.912316),
            (22.540796131694766, 113.9171764808363),
        ),
        // Beijing
        (
            (39.911954, 116.377817),
            (39.91334545536069, 116.38404722455657),
        ),
    ];

    #[test]
    fn gcj02_matches_the_reference_points() {
        for ((lat, lng), (g_lat, g_lng)) in REFERENCE {
            let (a, b) = wgs84_to_gcj02(lat, lng);
            assert!((a - g_lat).abs() < 1e-9, "{lat},{lng}: lat {a} vs {g_lat}");
            assert!((b - g_lng).abs() < 1e-9, "{lat},{lng}: lng {b} vs {g_lng}");
            // The shift is a few hundred metres (475–604 m on these points).
            let shift = haversine_m(lat, lng, a, b);
            assert!((450.0..650.0).contains(&shift), "{shift}");
        }
    }

    #[test]
    fn the_inverse_round_trips_to_a_millimetre() {
        for ((lat, lng), (g_lat, g_lng)) in REFERENCE {
            let (w_lat, w_lng) = gcj02_to_wgs84(g_lat, g_lng);
            assert!(haversine_m(lat, lng, w_lat, w_lng) < 0.001, "{lat},{lng}");
            let back = Location::gcj02(g_lat, g_lng).to(Datum::Wgs84);
            assert_eq!(back.datum, Datum::Wgs84);
            assert!((back.lat - lat).abs() < 1e-8);
        }
    }

    #[test]
    fn outside_china_nothing_moves() {
        for (lat, lng) in [
            (51.5007, -0.1246),
            (37.5665, 126.978 + 20.0),
            (-33.86, 151.2),
        ] {
            assert!(out_of_china(lat, lng));
            assert_eq!(wgs84_to_gcj02(lat, lng), (lat, lng));
            assert_eq!(gcj02_to_wgs84(lat, lng), (lat, lng));
        }
        // Seoul is inside the (rectangular) box: the published algorithm shifts it too.
        assert!(!out_of_china(37.5665, 126.978));
    }

    #[test]
    fn haversine_matches_hand_computed_distances() {
        // 0.01° of latitude = R·π/180·0.01 = 6371008.8 × 1.745329e-4 = 1111.95 m.
        assert!((haversine_m(43.0, 125.0, 43.01, 125.0) - 1111.95).abs() < 0.01);
        // Beijing Tiananmen (39.9087, 116.3975) to Shanghai People's Square (31.2304, 121.4737):
        // 1,068.14 km (computed independently in Python with R = 6371.0088 km).
        let d = haversine_m(39.9087, 116.3975, 31.2304, 121.4737);
        assert!((d - 1_068_140.3).abs() < 1.0, "{d}");
        assert_eq!(haversine_m(43.0, 125.0, 43.0, 125.0), 0.0);
    }
}
