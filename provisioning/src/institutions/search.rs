//! The directory search: filter by kind, district (a division code and everything under it)
//! and "open now", optionally free services only; nearest first from a point, or by name.

use super::bundle::InstitutionsFile;
use super::geo::{Datum, Location, haversine_m};
use super::hours::Calendar;
use super::kind::InstitutionKind;
use super::record::Institution;
use crate::scope::region_contains;
use chrono::NaiveDateTime;

/// The province's institutions, ready to search.
#[derive(Debug, Clone)]
pub struct Directory {
    institutions: Vec<Institution>,
    datum: Datum,
    calendar: Calendar,
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct Query<'a> {
    /// Only these kinds (all when empty).
    pub kinds: &'a [InstitutionKind],
    /// Only this division and what lies under it (`220100` = every `2201xx`).
    pub region: Option<&'a str>,
    /// Order by distance from here (any datum); by kind and id when `None`.
    pub near: Option<Location>,
    /// Only those open at this local time.
    pub open_at: Option<NaiveDateTime>,
    /// Only those with at least one free service.
    pub free_only: bool,
    /// At most this many results (all when 0).
    pub limit: usize,
}

/// One result.
#[derive(Debug, Clone, Copy)]
pub struct Hit<'a> {
    /// The institution.
    pub institution: &'a Institution,
    /// Metres from [`Query::near`] (None without a point or without coordinates).
    pub distance_m: Option<f64>,
}

impl Directory {
    /// From a bundle's file.
    pub fn new(file: InstitutionsFile) -> Self {
        let calendar = file.calendar();
        Self {
            institutions: file.institutions,
            datum: file.datum,
            calendar,
        }
    }

    /// Every institution, in the file's order.
    pub fn institutions(&self) -> &[Institution] {
        &self.institutions
    }

    /// The holidays and adjusted working days.
    pub fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// Whether `institution` is open at local time `at` (`None` when its hours are unknown).
    pub fn is_open(&self, institution: &Institution, at: NaiveDateTime) -> Option<bool> {
        institution
            .hours
            .as_ref()
            .map(|h| h.is_open(at, &self.calendar))
    }

    /// The institutions that match, nearest first (those without coordinates last, by id),
    /// or by kind and id without a point.
    pub fn search(&self, q: &Query<'_>) -> Vec<Hit<'_>> {
        // The point in the directory's datum, so distances compare like with like.
        let near = q.near.map(|p| p.to(self.datum));
        let mut hits: Vec<Hit<'_>> = self
            .institutions
            .iter()
            .filter(|i| q.kinds.is_empty() || q.kinds.contains(&i.kind))
            .filter(|i| q.region.is_none_or(|r| region_contains(r, &i.region)))
            .filter(|i| !q.free_only || !i.free_services.is_empty())
            .filter(|i| q.open_at.is_none_or(|at| self.is_open(i, at) == Some(true)))
            .map(|i| Hit {
                institution: i,
                distance_m: near
                    .zip(i.location)
                    .map(|(p, l)| haversine_m(p.lat, p.lng, l.lat, l.lng)),
            })
            .collect();
        let limit = if q.limit == 0 { hits.len() } else { q.limit };
        if near.is_some() {
            let order = |a: &Hit<'_>, b: &Hit<'_>| {
                let key = |h: &Hit<'_>| h.distance_m.unwrap_or(f64::INFINITY);
                key(a)
                    .total_cmp(&key(b))
                    .then_with(|| a.institution.id.cmp(&b.institution.id))
            };
            if limit < hits.len() {
                hits.select_nth_unstable_by(limit, order);
                hits.truncate(limit);
            }
            hits.sort_by(order);
        } else {
            hits.sort_by(|a, b| {
                (a.institution.kind, &a.institution.id)
                    .cmp(&(b.institution.kind, &b.institution.id))
            });
            hits.truncate(limit);
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::institutions::hours::OpeningHours;
    use crate::institutions::record::{LocalizedName, Wheelchair};
    use crate::institutions::synthetic;

    fn at(lat: f64, lng: f64, id: &str, kind: InstitutionKind, region: &str) -> Institution {
        Institution {
            id: id.into(),
            kind,
            name: LocalizedName {
                zh_cn: format!("机构{id}"),
                ..Default::default()
            },
            region: region.into(),
            address: "示例路".into(),
            phone: String::new(),
            hours: Some(OpeningHours::parse("Mo-Fr 09:00-17:00").unwrap()),
            hours_note: String::new(),
            services: vec!["咨询".into()],
            free_services: if id.ends_with('f') {
                vec!["咨询".into()]
            } else {
                vec![]
            },
            location: Some(Location::gcj02(lat, lng)),
            wheelchair: Wheelchair::Unknown,
        }
    }

    /// From (43.0, 125.0) GCJ-02. Distances computed independently (Python, haversine,
    /// R = 6371008.8 m): 0.01° of latitude = 1111.95 m (R·π/180·0.01); 0.01° of longitude
    /// at 43° ≈ 1111.95 × cos 43° = 813.23 m; (43.01, 125.01) = 1377.56 m.
    const TABLE: [(&str, f64, f64, f64); 5] = [
        ("east", 43.0, 125.01, 813.23),
        ("north", 43.01, 125.0, 1111.95),
        ("ne-f", 43.01, 125.01, 1377.56),
        ("far-north", 43.02, 125.0, 2223.90),
        ("south-far", 42.97, 125.0, 3335.85),
    ];

    fn directory() -> Directory {
        let mut list: Vec<Institution> = TABLE
            .iter()
            .rev()
            .map(|(id, lat, lng, _)| at(*lat, *lng, id, InstitutionKind::NotaryOffice, "220104"))
            .collect();
        list.push(at(
            43.0,
            125.0005,
            "law-f",
            InstitutionKind::LawFirm,
            "220203",
        ));
        let mut nowhere = at(0.0, 0.0, "nowhere", InstitutionKind::NotaryOffice, "220104");
        nowhere.location = None;
        list.push(nowhere);
        Directory::new(InstitutionsFile::new(Datum::Gcj02, list))
    }

    #[test]
    fn nearest_first_matches_the_hand_computed_table() {
        let d = directory();
        let q = Query {
            kinds: &[InstitutionKind::NotaryOffice],
            near: Some(Location::gcj02(43.0, 125.0)),
            ..Default::default()
        };
        let hits = d.search(&q);
        let ids: Vec<&str> = hits.iter().map(|h| h.institution.id.as_str()).collect();
        assert_eq!(
            ids,
            ["east", "north", "ne-f", "far-north", "south-far", "nowhere"]
        );
        for (hit, (id, _, _, metres)) in hits.iter().zip(TABLE) {
            assert_eq!(hit.institution.id, id);
            let d = hit.distance_m.unwrap();
            assert!((d - metres).abs() < 0.05, "{id}: {d} vs {metres}");
        }
        assert_eq!(hits[5].distance_m, None);
        // The three nearest (an outcome's list).
        let three = d.search(&Query {
            limit: 3,
            ..q.clone()
        });
        let ids: Vec<&str> = three.iter().map(|h| h.institution.id.as_str()).collect();
        assert_eq!(ids, ["east", "north", "ne-f"]);
    }

    #[test]
    fn a_wgs84_point_is_converted_before_measuring() {
        let d = directory();
        // The WGS-84 point whose GCJ-02 is (43.0, 125.0): "east" is again 813.23 m away.
        let (lat, lng) = crate::institutions::geo::gcj02_to_wgs84(43.0, 125.0);
        let hits = d.search(&Query {
            kinds: &[InstitutionKind::NotaryOffice],
            near: Some(Location::wgs84(lat, lng)),
            limit: 1,
            ..Default::default()
        });
        assert!((hits[0].distance_m.unwrap() - 813.23).abs() < 0.05);
    }

    #[test]
    fn filters_by_kind_district_free_and_open_now() {
        let d = directory();
        let all = d.search(&Query::default());
        assert_eq!(all.len(), 7);
        assert_eq!(
            all[0].institution.kind,
            InstitutionKind::LawFirm,
            "by kind, then id"
        );
        let district = d.search(&Query {
            region: Some("220200"),
            ..Default::default()
        });
        assert_eq!(district.len(), 1);
        assert_eq!(district[0].institution.id, "law-f");
        assert_eq!(
            d.search(&Query {
                region: Some("220104"),
                ..Default::default()
            })
            .len(),
            6
        );
        assert_eq!(
            d.search(&Query {
                region: Some("220000"),
                ..Default::default()
            })
            .len(),
            7
        );
        let free: Vec<String> = d
            .search(&Query {
                free_only: true,
                ..Default::default()
            })
            .iter()
            .map(|h| h.institution.id.clone())
            .collect();
        assert_eq!(free, ["law-f", "ne-f"]);
        let monday_10 =
            NaiveDateTime::parse_from_str("2025-09-29 10:00", "%Y-%m-%d %H:%M").unwrap();
        let sunday_10 =
            NaiveDateTime::parse_from_str("2025-09-28 10:00", "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(
            d.search(&Query {
                open_at: Some(monday_10),
                ..Default::default()
            })
            .len(),
            7
        );
        assert_eq!(
            d.search(&Query {
                open_at: Some(sunday_10),
                ..Default::default()
            })
            .len(),
            0
        );
    }

    #[test]
    fn a_synthetic_province_agrees_with_brute_force() {
        let file = synthetic::province(5_000, 7);
        assert!(file.problems().is_empty(), "{:?}", file.problems().first());
        // The generated file goes through its own parser.
        let file = InstitutionsFile::parse(&file.to_json()).unwrap();
        let d = Directory::new(file);
        let origin = Location::wgs84(43.88, 125.32);
        let kinds = [
            InstitutionKind::NotaryOffice,
            InstitutionKind::LegalAidCentre,
        ];
        let hits = d.search(&Query {
            kinds: &kinds,
            region: Some("220100"),
            near: Some(origin),
            limit: 10,
            ..Default::default()
        });
        let mut brute: Vec<(f64, &str)> = d
            .institutions()
            .iter()
            .filter(|i| kinds.contains(&i.kind) && i.region.starts_with("2201"))
            .filter_map(|i| {
                i.location
                    .map(|l| (origin.to(Datum::Gcj02).distance_m(l), i.id.as_str()))
            })
            .collect();
        brute.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(b.1)));
        assert_eq!(hits.len(), 10);
        for (h, (dist, id)) in hits.iter().zip(&brute) {
            assert_eq!(h.institution.id, *id);
            // The same datum on both sides: the same figure.
            assert!((h.distance_m.unwrap() - dist).abs() < 0.01);
        }
        assert!(hits.windows(2).all(|w| w[0].distance_m <= w[1].distance_m));
    }
}
