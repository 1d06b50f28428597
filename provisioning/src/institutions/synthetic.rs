//! A synthetic province for tests and benchmarks: deterministic (a seed), realistic in shape
//! (kinds in the proportions of a province's directory, districts, hours with lunch breaks,
//! night openings and 24/7 lines), entirely made up — no real institution.

use super::bundle::InstitutionsFile;
use super::geo::{Datum, Location};
use super::hours::OpeningHours;
use super::kind::InstitutionKind;
use super::record::{Institution, LocalizedName, Wheelchair};

/// xorshift64*: small, deterministic, good enough for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const HOURS: [&str; 5] = [
    "Mo-Fr 08:30-11:30,13:00-17:00",
    "Mo-Fr 09:00-17:00; Sa 09:00-12:00",
    "Mo-Fr 09:00-18:00; Fr 19:00-01:00",
    "24/7",
    "Mo-Su 08:00-20:00; PH 09:00-12:00",
];

/// `n` institutions in a province of code `22` (8 cities of 10 districts each), GCJ-02.
pub fn province(n: usize, seed: u64) -> InstitutionsFile {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let hours: Vec<OpeningHours> = HOURS
        .iter()
        .filter_map(|h| OpeningHours::parse(h).ok())
        .collect();
    let institutions = (0..n)
        .map(|i| {
            // Mostly law firms and mediation committees, as in a real directory.
            let kind = match rng.below(100) {
                0..=29 => InstitutionKind::LawFirm,
                30..=54 => InstitutionKind::MediationCommittee,
                55..=64 => InstitutionKind::PlsRoom,
                65..=72 => InstitutionKind::PlsStation,
                73..=78 => InstitutionKind::JusticeOffice,
                79..=82 => InstitutionKind::NotaryOffice,
                83..=86 => InstitutionKind::LegalAidCentre,
                87..=89 => InstitutionKind::JudicialAppraisalBody,
                90..=91 => InstitutionKind::PlsCentre,
                92..=93 => InstitutionKind::LabourArbitration,
                94 => InstitutionKind::CommercialArbitration,
                95 => InstitutionKind::RuralLandArbitration,
                _ => InstitutionKind::MedicalMediation,
            };
            let city = 1 + rng.below(8);
            let district = 1 + rng.below(10);
            // A city's institutions cluster around its centre (±0.3°).
            let (c_lat, c_lng) = (41.8 + city as f64 * 0.45, 122.5 + city as f64 * 0.8);
            let wgs = Location::wgs84(
                c_lat + (rng.unit() - 0.5) * 0.6,
                c_lng + (rng.unit() - 0.5) * 0.6,
            );
            let services = vec!["法律咨询".to_string(), format!("{}服务", kind.name_zh())];
            let free = match kind {
                InstitutionKind::LawFirm | InstitutionKind::NotaryOffice => vec![],
                _ => vec!["法律咨询".to_string()],
            };
            Institution {
                id: format!("syn-{i:05}"),
                kind,
                name: LocalizedName {
                    zh_cn: format!("合成{city:02}{district:02}号{}", kind.name_zh()),
                    ko_kr: None,
                    en: (i % 3 == 0).then(|| format!("Synthetic {} {i}", kind.code())),
                },
                region: format!("22{city:02}{district:02}"),
                address: format!("合成市第{district}区示例路{}号", 1 + rng.below(300)),
                phone: format!("0431-{:08}", rng.below(100_000_000)),
                hours: (rng.below(20) != 0)
                    .then(|| hours[rng.below(hours.len() as u64) as usize].clone()),
                hours_note: String::new(),
                services,
                free_services: free,
                location: (rng.below(50) != 0).then(|| wgs.to(Datum::Gcj02)),
                wheelchair: match rng.below(4) {
                    0 => Wheelchair::Yes,
                    1 => Wheelchair::Limited,
                    2 => Wheelchair::No,
                    _ => Wheelchair::Unknown,
                },
            }
        })
        .collect();
    InstitutionsFile::new(Datum::Gcj02, institutions)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_province_is_deterministic_and_valid() {
        let a = super::province(500, 1);
        assert_eq!(a, super::province(500, 1));
        assert_ne!(a, super::province(500, 2));
        assert!(a.problems().is_empty(), "{:?}", a.problems().first());
    }
}
