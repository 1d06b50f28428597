//! The centre's directory of service platforms and institutions as CSV: one header
//! (`id,name,level,region,address,lat,lon,phone,hours,services`), one row each. An import is
//! checked whole first: every bad line is reported (wrong columns, unknown level, a region
//! that is not a division code, coordinates outside China, an id twice) and nothing is
//! stored unless every line is good.

use serde::Serialize;

/// The columns, in order.
pub const COLUMNS: [&str; 10] = [
    "id", "name", "level", "region", "address", "lat", "lon", "phone", "hours", "services",
];

/// Levels of the public legal service network (市 / 县区 / 乡镇街道 / 村社区 / 网格).
pub const LEVELS: [&str; 5] = ["市", "县区", "乡镇街道", "村社区", "网格"];

/// Most rows one import may hold (the province has 4,366 institutions).
pub const MAX_ROWS: usize = 20_000;

/// One platform or institution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// Its line in the imported file (0 when read from the database).
    #[serde(skip)]
    pub line: u64,
    /// Id, e.g. `cc-chaoyang`.
    pub id: String,
    /// Name, e.g. 朝阳区公共法律服务中心.
    pub name: String,
    /// One of [`LEVELS`].
    pub level: String,
    /// Six-digit division code.
    pub region: String,
    /// Street address.
    pub address: String,
    /// Latitude (WGS-84), if known.
    pub lat: Option<f64>,
    /// Longitude (WGS-84), if known.
    pub lon: Option<f64>,
    /// Telephone.
    pub phone: String,
    /// Opening hours, as published.
    pub hours: String,
    /// Services offered, `;`-separated.
    pub services: String,
}

/// A line that cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// What is wrong, for the person who fixes the file.
    pub problem: String,
}

/// A field a form or a CSV row got wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field (one of [`COLUMNS`]).
    pub field: &'static str,
    /// What is wrong, for the person who fixes it.
    pub problem: String,
}

fn bad(field: &'static str, problem: String) -> FieldError {
    FieldError { field, problem }
}

fn coordinate(
    text: &str,
    what: &'static str,
    range: (f64, f64),
) -> Result<Option<f64>, FieldError> {
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && (range.0..=range.1).contains(&v) => Ok(Some(v)),
        _ => Err(bad(
            what,
            format!(
                "{what} {text:?} is not a number between {} and {} (WGS-84, within China)",
                range.0, range.1
            ),
        )),
    }
}

/// Checks one entry's ten fields (in [`COLUMNS`]' order, as a CSV row or a form gives
/// them): the entry, or the first field that is wrong. One check for both, so a form
/// accepts exactly what an import would.
pub fn check(fields: [String; 10], line: u64) -> Result<Entry, FieldError> {
    let [
        id,
        name,
        level,
        region,
        address,
        lat,
        lon,
        phone,
        hours,
        services,
    ] = fields.map(|f| f.trim().to_string());
    let id_ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if !id_ok {
        return Err(bad(
            "id",
            format!("id {id:?} must be 1–64 letters, digits, '-', '_' or '.'"),
        ));
    }
    if name.is_empty() || name.chars().count() > 100 {
        return Err(bad(
            "name",
            "name is empty or longer than 100 characters".into(),
        ));
    }
    if !LEVELS.contains(&level.as_str()) {
        return Err(bad(
            "level",
            format!("level {level:?} is not one of {}", LEVELS.join("/")),
        ));
    }
    if region.len() != 6 || !region.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            "region",
            format!("region {region:?} is not a six-digit division code"),
        ));
    }
    let lat_v = coordinate(&lat, "lat", (3.0, 54.0))?;
    let lon_v = coordinate(&lon, "lon", (73.0, 136.0))?;
    if lat_v.is_some() != lon_v.is_some() {
        let missing = if lat_v.is_none() { "lat" } else { "lon" };
        return Err(bad(missing, "give both lat and lon, or neither".into()));
    }
    for (field, value) in [
        ("address", &address),
        ("phone", &phone),
        ("hours", &hours),
        ("services", &services),
    ] {
        if value.chars().count() > 500 {
            return Err(bad(field, format!("{field} is longer than 500 characters")));
        }
    }
    Ok(Entry {
        line,
        id,
        name,
        level,
        region,
        address,
        lat: lat_v,
        lon: lon_v,
        phone,
        hours,
        services,
    })
}

fn entry(fields: &csv::StringRecord, line: u64) -> Result<Entry, String> {
    if fields.len() != COLUMNS.len() {
        return Err(format!(
            "{} columns, expected {} ({})",
            fields.len(),
            COLUMNS.len(),
            COLUMNS.join(",")
        ));
    }
    let f = |i: usize| fields.get(i).unwrap_or("").to_string();
    check(std::array::from_fn(f), line).map_err(|e| e.problem)
}

/// Parses and checks a whole file: every entry, or every bad line.
pub fn parse(text: &[u8]) -> Result<Vec<Entry>, Vec<LineError>> {
    read_rows(text, &COLUMNS, MAX_ROWS, entry, |e: &Entry| e.id.clone())
        .map(|rows| rows.into_iter().map(|(_, e)| e).collect())
}

/// Reads a CSV file of the centre's (a UTF-8 BOM allowed, as Excel writes it) whose first
/// line must be `columns`: every row `parse_row` accepts, with its line, or every bad line
/// (unreadable, rejected by `parse_row`, an id already seen, more than `max_rows` rows).
/// One reader for every CSV import, so they all report lines the same way.
pub fn read_rows<T>(
    text: &[u8],
    columns: &[&str],
    max_rows: usize,
    mut parse_row: impl FnMut(&csv::StringRecord, u64) -> Result<T, String>,
    id: impl Fn(&T) -> String,
) -> Result<Vec<(u64, T)>, Vec<LineError>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text));
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = match &record {
            Ok(r) => r.position().map_or(index as u64 + 1, |p| p.line()),
            Err(e) => e.position().map_or(index as u64 + 1, |p| p.line()),
        };
        let fail = |problem: String| LineError { line, problem };
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(fail(format!("not readable as CSV (UTF-8): {e}")));
                continue;
            }
        };
        if index == 0 {
            let header: Vec<&str> = record.iter().map(str::trim).collect();
            if header != columns {
                errors.push(fail(format!(
                    "the header must be {} (found {})",
                    columns.join(","),
                    header.join(",")
                )));
                break;
            }
            continue;
        }
        if index > max_rows {
            errors.push(fail(format!("more than {max_rows} rows")));
            break;
        }
        match parse_row(&record, line) {
            Ok(row) => {
                let row_id = id(&row);
                match seen.insert(row_id.clone(), line) {
                    Some(first) => {
                        errors.push(fail(format!("id {row_id} already on line {first}")))
                    }
                    None => rows.push((line, row)),
                }
            }
            Err(problem) => errors.push(fail(problem)),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(LineError {
            line: 1,
            problem: format!("no rows (the header is {})", columns.join(",")),
        });
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// A stored coordinate (text, empty when unknown).
pub fn coordinate_text(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A coordinate from its stored text.
pub fn coordinate_from(text: &str) -> Option<f64> {
    text.parse().ok()
}

/// Writes entries as CSV with the header.
pub fn write(entries: &[Entry]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let _ = writer.write_record(COLUMNS);
    for e in entries {
        let _ = writer.write_record([
            e.id.as_str(),
            &e.name,
            &e.level,
            &e.region,
            &e.address,
            &coordinate_text(e.lat),
            &coordinate_text(e.lon),
            &e.phone,
            &e.hours,
            &e.services,
        ]);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The fuzz target `directory_csv`: any bytes give entries or line errors, never a panic;
/// accepted entries are valid and unique, and what is written back parses to the same.
pub fn fuzz(data: &[u8]) {
    match parse(data) {
        Ok(entries) => {
            let ids: std::collections::HashSet<_> = entries.iter().map(|e| &e.id).collect();
            assert_eq!(ids.len(), entries.len(), "ids are unique");
            assert!(entries.iter().all(|e| LEVELS.contains(&e.level.as_str())));
            let again = parse(write(&entries).as_bytes()).expect("a written file parses");
            let strip = |v: Vec<Entry>| -> Vec<Entry> {
                v.into_iter().map(|e| Entry { line: 0, ..e }).collect()
            };
            assert_eq!(
                strip(again),
                strip(entries),
                "write then parse is the identity"
            );
        }
        Err(errors) => assert!(!errors.is_empty() && errors.iter().all(|e| e.line >= 1)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_csv_corpus_replays() {
        provisioning::fuzz_corpus::replay_committed_inputs("directory_csv", fuzz);
    }

    const HEADER: &str = "id,name,level,region,address,lat,lon,phone,hours,services\n";

    #[test]
    fn a_good_file_round_trips() {
        let text = format!(
            "{HEADER}cc-chaoyang,朝阳区公共法律服务中心,县区,220104,\"长春市朝阳区，人民大街 1 号\",43.8868,125.3245,0431-12348,周一至周五 9:00-17:00,法律咨询;人民调解\n"
        );
        let entries = parse(text.as_bytes()).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].lat, Some(43.8868));
        assert_eq!(parse(write(&entries).as_bytes()).unwrap(), entries);
        assert_eq!(entries[0].line, 2);
    }

    #[test]
    fn every_bad_line_is_reported_with_its_number() {
        let text = format!(
            "{HEADER}a,甲,县区,220104,,,,,,\nb,乙,省,220104,,,,,,\nc,丙,县区,22,,,,,,\nd,丁,县区,220104,,91,125,,,\na,重复,县区,220104,,,,,,\ne,戊,县区\n"
        );
        let errors = parse(text.as_bytes()).unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 7], "{errors:?}");
        assert!(errors[0].problem.contains("level"));
        assert!(errors[1].problem.contains("division code"));
        assert!(errors[2].problem.contains("lat"));
        assert!(errors[3].problem.contains("already on line 2"));
        assert!(errors[4].problem.contains("3 columns"));
    }

    #[test]
    fn a_wrong_header_or_an_empty_file_is_refused() {
        let errors = parse(b"id,name,region\nx,y,220104\n").unwrap_err();
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].problem.contains("header"));
        assert!(parse(HEADER.as_bytes()).is_err());
        assert!(parse(b"").is_err());
    }
}
