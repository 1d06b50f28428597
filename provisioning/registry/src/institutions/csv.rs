//! The institutions CSV (UTF-8, a BOM allowed), one header and one row each:
//!
//! `id,kind,name,name_ko,name_en,region,address,lat,lon,datum,phone,hours,hours_note,services,free_services,wheelchair`
//!
//! * `kind`: a code of `provisioning::institutions::InstitutionKind` (`notary-office`, …) or
//!   its Chinese name (公证处, …).
//! * `lat`, `lon`: both or neither; `datum` (`wgs84` or `gcj02`) says which datum they are
//!   in (required with coordinates: Amap-derived data is GCJ-02, GPS is WGS-84).
//! * `hours`: `Mo-Fr 09:00-17:00; Sa 09:00-12:00; PH off` (see
//!   `provisioning::institutions::hours`); anything else about them in `hours_note`.
//! * `services`, `free_services`: `;`-separated; every free service is one of the services.
//! * `wheelchair`: `yes`, `limited`, `no` or empty.
//!
//! The file is checked whole: every bad line is reported with its number, and nothing is
//! imported unless every line is good (as the console's directory import does).

use crate::directory::LineError;
use provisioning::institutions::hours::OpeningHours;
use provisioning::institutions::{
    Datum, Institution, InstitutionKind, LocalizedName, Location, Wheelchair,
};

use super::rows::split;

/// The columns, in order.
pub const COLUMNS: [&str; 16] = [
    "id",
    "kind",
    "name",
    "name_ko",
    "name_en",
    "region",
    "address",
    "lat",
    "lon",
    "datum",
    "phone",
    "hours",
    "hours_note",
    "services",
    "free_services",
    "wheelchair",
];

/// Most rows one import may hold.
pub const MAX_ROWS: usize = 50_000;

/// An institution and its line in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    /// Line number (the header is line 1).
    pub line: u64,
    /// The institution, coordinates in the datum the file gave.
    pub institution: Institution,
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

fn institution(fields: &csv::StringRecord) -> Result<Institution, String> {
    if fields.len() != COLUMNS.len() {
        return Err(format!(
            "{} columns, expected {} ({})",
            fields.len(),
            COLUMNS.len(),
            COLUMNS.join(",")
        ));
    }
    let f = |i: usize| fields.get(i).unwrap_or("").trim();
    let kind = InstitutionKind::parse(f(1)).ok_or_else(|| {
        format!(
            "kind {:?} is not one of {}",
            f(1),
            InstitutionKind::ALL.map(|k| k.code()).join(", ")
        )
    })?;
    let number = |what: &str, text: &str| {
        text.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("{what} {text:?} is not a number"))
    };
    let location = match (f(7), f(8)) {
        ("", "") => None,
        (_, "") | ("", _) => return Err("give both lat and lon, or neither".into()),
        (lat, lon) => {
            let datum = Datum::parse(f(9)).ok_or_else(|| {
                format!(
                    "datum {:?} must be wgs84 or gcj02 (the datum of lat and lon)",
                    f(9)
                )
            })?;
            Some(Location {
                datum,
                lat: number("lat", lat)?,
                lng: number("lon", lon)?,
            })
        }
    };
    let hours = match f(11) {
        "" => None,
        text => Some(OpeningHours::parse(text).map_err(|e| e.to_string())?),
    };
    let institution = Institution {
        id: f(0).to_string(),
        kind,
        name: LocalizedName {
            zh_cn: f(2).to_string(),
            ko_kr: optional(f(3)),
            en: optional(f(4)),
        },
        region: f(5).to_string(),
        address: f(6).to_string(),
        phone: f(10).to_string(),
        hours,
        hours_note: f(12).to_string(),
        services: split(f(13)),
        free_services: split(f(14)),
        location,
        wheelchair: Wheelchair::parse(f(15))
            .ok_or_else(|| format!("wheelchair {:?} is not yes, limited, no or empty", f(15)))?,
    };
    let problems = institution.problems();
    if problems.is_empty() {
        Ok(institution)
    } else {
        Err(problems.join("; "))
    }
}

/// Parses and checks a whole file: every institution, or every bad line.
pub fn parse(text: &[u8]) -> Result<Vec<Parsed>, Vec<LineError>> {
    let rows = crate::directory::read_rows(
        text,
        &COLUMNS,
        MAX_ROWS,
        |record, _| institution(record),
        |i: &Institution| i.id.clone(),
    )?;
    Ok(rows
        .into_iter()
        .map(|(line, institution)| Parsed { line, institution })
        .collect())
}

/// Writes institutions as CSV with the header.
pub fn write(institutions: &[Institution]) -> String {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    for i in institutions {
        let (lat, lon, datum) = match i.location {
            Some(l) => (l.lat.to_string(), l.lng.to_string(), l.datum.code()),
            None => (String::new(), String::new(), ""),
        };
        let _ = writer.write_record([
            i.id.as_str(),
            i.kind.code(),
            &i.name.zh_cn,
            i.name.ko_kr.as_deref().unwrap_or(""),
            i.name.en.as_deref().unwrap_or(""),
            &i.region,
            &i.address,
            &lat,
            &lon,
            datum,
            &i.phone,
            &i.hours.as_ref().map(|h| h.to_text()).unwrap_or_default(),
            &i.hours_note,
            &i.services.join(";"),
            &i.free_services.join(";"),
            i.wheelchair.code(),
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The fuzz target `institutions_csv`: any bytes give institutions or line errors, never a
/// panic; accepted institutions are valid and unique, and written back parse to the same.
pub fn fuzz(data: &[u8]) {
    match parse(data) {
        Ok(parsed) => {
            let list: Vec<Institution> = parsed.into_iter().map(|p| p.institution).collect();
            assert!(list.iter().all(|i| i.problems().is_empty()));
            let ids: std::collections::HashSet<_> = list.iter().map(|i| &i.id).collect();
            assert_eq!(ids.len(), list.len(), "ids are unique");
            let again: Vec<Institution> = parse(write(&list).as_bytes())
                .expect("a written file parses")
                .into_iter()
                .map(|p| p.institution)
                .collect();
            assert_eq!(again, list, "write then parse is the identity");
        }
        Err(errors) => assert!(!errors.is_empty() && errors.iter().all(|e| e.line >= 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "id,kind,name,name_ko,name_en,region,address,lat,lon,datum,phone,hours,hours_note,services,free_services,wheelchair\n";

    #[test]
    fn institutions_csv_corpus_replays() {
        provisioning::fuzz_corpus::replay_committed_inputs("institutions_csv", fuzz);
    }

    #[test]
    fn a_good_file_parses_and_round_trips() {
        let text = format!(
            "\u{feff}{HEADER}cy-legal-aid,法律援助中心,朝阳区法律援助中心,조양구 법률원조센터,Chaoyang Legal Aid Centre,220104,\"长春市朝阳区人民大街 1 号\",43.8868,125.3245,wgs84,0431-12348,\"Mo-Fr 08:30-11:30,13:00-16:30\",节假日预约,法律咨询;法律援助申请,法律咨询;法律援助申请,yes\n\
             gz-notary,notary-office,示例公证处,,,220102,示例路 2 号,,,,,,,,,\n"
        );
        let parsed = parse(text.as_bytes()).unwrap();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0].line, 2);
        let a = &parsed[0].institution;
        assert_eq!(a.kind, InstitutionKind::LegalAidCentre);
        assert_eq!(a.location.unwrap().datum, Datum::Wgs84);
        assert_eq!(a.free_services.len(), 2);
        assert_eq!(a.wheelchair, Wheelchair::Yes);
        assert!(parsed[1].institution.hours.is_none());
        let list: Vec<_> = parsed.iter().map(|p| p.institution.clone()).collect();
        let again: Vec<_> = parse(write(&list).as_bytes())
            .unwrap()
            .into_iter()
            .map(|p| p.institution)
            .collect();
        assert_eq!(again, list);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let good = "a,law-firm,甲律师事务所,,,220104,甲路,,,,,,,,,";
        let text = format!(
            "{HEADER}{good}\n\
             b,court,乙,,,220104,乙路,,,,,,,,,\n\
             c,law-firm,丙,,,22,丙路,,,,,,,,,\n\
             d,law-firm,丁,,,220104,丁路,43.8,,wgs84,,,,,,\n\
             e,law-firm,戊,,,220104,戊路,43.8,125.3,bd09,,,,,,\n\
             f,law-firm,己,,,220104,己路,,,,,周一至周五,,,,\n\
             g,law-firm,庚,,,220104,庚路,,,,,,,咨询,代理,\n\
             {good}\n\
             h,law-firm,辛\n\
             i,law-firm,壬,,,220104,壬路,125.3,43.8,gcj02,,,,,,\n"
        );
        let errors = parse(text.as_bytes()).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8, 9, 10, 11], "{errors:#?}");
        for (e, word) in errors.iter().zip([
            "kind \"court\"",
            "division code",
            "both lat and lon",
            "datum",
            "opening hours",
            "free service",
            "already on line 2",
            "3 columns",
            "not in China",
        ]) {
            assert!(
                e.problem.contains(word),
                "line {}: {} (wanted {word})",
                e.line,
                e.problem
            );
        }
    }

    #[test]
    fn a_wrong_header_or_an_empty_file_is_refused() {
        let errors =
            parse(b"id,name,level,region,address,lat,lon,phone,hours,services\n").unwrap_err();
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].problem.contains("header"));
        assert!(parse(HEADER.as_bytes()).is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"\xff\xfe").is_err());
    }
}
