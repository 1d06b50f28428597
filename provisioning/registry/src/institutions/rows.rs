//! An institution ↔ its stored row. The table keeps WGS-84 coordinates (as the directory
//! does); an institution's location is converted on the way in and out.

use crate::store::institutions::InstitutionRow;
use provisioning::institutions::hours::OpeningHours;
use provisioning::institutions::{
    Datum, Institution, InstitutionKind, LocalizedName, Location, Wheelchair,
};

/// The directory's level (`crate::directory::LEVELS`) a kind implies, if any.
pub fn level(kind: InstitutionKind) -> &'static str {
    match kind {
        InstitutionKind::PlsCentre => "县区",
        InstitutionKind::PlsStation => "乡镇街道",
        InstitutionKind::PlsRoom => "村社区",
        _ => "",
    }
}

/// `;`-separated list.
pub fn join(list: &[String]) -> String {
    list.join(";")
}

/// A `;`-separated list (empty parts dropped, each trimmed).
pub fn split(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

fn optional(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| text.to_string())
}

/// The row to store.
pub fn to_row(i: &Institution) -> InstitutionRow {
    let wgs = i.location.map(|l| l.to(Datum::Wgs84));
    InstitutionRow {
        id: i.id.clone(),
        kind: i.kind.code().to_string(),
        name: i.name.zh_cn.clone(),
        name_ko: i.name.ko_kr.clone().unwrap_or_default(),
        name_en: i.name.en.clone().unwrap_or_default(),
        level: level(i.kind).to_string(),
        region: i.region.clone(),
        address: i.address.clone(),
        lat: wgs.map(|l| l.lat.to_string()).unwrap_or_default(),
        lon: wgs.map(|l| l.lng.to_string()).unwrap_or_default(),
        phone: i.phone.clone(),
        hours: i.hours.as_ref().map(|h| h.to_text()).unwrap_or_default(),
        hours_note: i.hours_note.clone(),
        services: join(&i.services),
        free_services: join(&i.free_services),
        wheelchair: i.wheelchair.code().to_string(),
    }
}

/// The institution a stored row holds, coordinates in WGS-84; what is wrong otherwise.
pub fn from_row(r: &InstitutionRow) -> Result<Institution, String> {
    let kind = InstitutionKind::parse(&r.kind).ok_or_else(|| {
        if r.kind.is_empty() {
            "no kind (imported through the console's directory? import it with `institutions import`)".to_string()
        } else {
            format!("unknown kind {:?}", r.kind)
        }
    })?;
    let hours = if r.hours.is_empty() {
        None
    } else {
        Some(OpeningHours::parse(&r.hours).map_err(|e| e.to_string())?)
    };
    let location = match (r.lat.parse::<f64>(), r.lon.parse::<f64>()) {
        (Ok(lat), Ok(lng)) => Some(Location::wgs84(lat, lng)),
        _ if r.lat.is_empty() && r.lon.is_empty() => None,
        _ => {
            return Err(format!(
                "coordinates {:?},{:?} are not numbers",
                r.lat, r.lon
            ));
        }
    };
    let institution = Institution {
        id: r.id.clone(),
        kind,
        name: LocalizedName {
            zh_cn: r.name.clone(),
            ko_kr: optional(&r.name_ko),
            en: optional(&r.name_en),
        },
        region: r.region.clone(),
        address: r.address.clone(),
        phone: r.phone.clone(),
        hours,
        hours_note: r.hours_note.clone(),
        services: split(&r.services),
        free_services: split(&r.free_services),
        location,
        wheelchair: Wheelchair::parse(&r.wheelchair).ok_or_else(|| {
            format!(
                "wheelchair {:?} is not yes, limited, no or unknown",
                r.wheelchair
            )
        })?,
    };
    let problems = institution.problems();
    if problems.is_empty() {
        Ok(institution)
    } else {
        Err(problems.join("; "))
    }
}
