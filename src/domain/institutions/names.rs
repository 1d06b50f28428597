//! The words a citizen reads about an institution, in the kiosk's three languages: kinds,
//! weekdays, distances, wheelchair access. Chinese names are the sources' own terms
//! (`InstitutionKind::name_zh`); the Korean and English ones are translations for reading,
//! not legal terms.

use provisioning::institutions::{InstitutionKind, Wheelchair};

use crate::domain::consult::flow::pick;
use crate::i18n::Lang;

/// The name of a kind of institution in `lang`.
pub fn kind_name(kind: InstitutionKind, lang: Lang) -> &'static str {
    use InstitutionKind as K;
    let (ko, en) = match kind {
        K::LawFirm => ("법률사무소", "Law firm"),
        K::NotaryOffice => ("공증처", "Notary office"),
        K::JudicialAppraisalBody => ("사법감정기관", "Forensic appraisal institution"),
        K::MediationCommittee => ("인민조정위원회", "People's mediation committee"),
        K::MedicalMediation => (
            "의료분쟁 인민조정위원회",
            "Medical dispute mediation committee",
        ),
        K::LegalAidCentre => ("법률구조센터", "Legal aid centre"),
        K::JusticeOffice => ("사법소", "Justice office"),
        K::CommercialArbitration => ("중재위원회", "Arbitration commission"),
        K::LabourArbitration => (
            "노동인사분쟁 중재위원회",
            "Labour dispute arbitration commission",
        ),
        K::RuralLandArbitration => (
            "농촌토지도급 중재위원회",
            "Rural land contract arbitration commission",
        ),
        K::PlsCentre => ("공공법률서비스센터", "Public legal service centre"),
        K::PlsStation => ("공공법률서비스 스테이션", "Public legal service station"),
        K::PlsRoom => ("공공법률서비스실", "Public legal service room"),
    };
    pick(lang, kind.name_zh(), ko, en)
}

/// `离这里最近的公证处：` above an outcome's nearest institutions.
pub fn nearest_heading(kind: InstitutionKind, lang: Lang) -> String {
    let name = kind_name(kind, lang);
    match lang {
        Lang::ZhCn => format!("离这里最近的{name}："),
        Lang::KoKr => format!("가장 가까운 {name}:"),
        Lang::En => format!("{name}, nearest first:"),
    }
}

/// Monday first.
pub(super) fn weekday(day: usize, lang: Lang) -> &'static str {
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    const KO: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let day = day.min(6);
    pick(lang, ZH[day], KO[day], EN[day])
}

/// `周一至周五`, `월–금`, `Mon–Fri`; one day alone when `first == last`.
pub(super) fn weekdays(first: usize, last: usize, lang: Lang) -> String {
    if first == last {
        return weekday(first, lang).to_string();
    }
    let join = pick(lang, "至", "–", "–");
    format!("{}{join}{}", weekday(first, lang), weekday(last, lang))
}

pub(super) fn wheelchair(access: Wheelchair, lang: Lang) -> Option<&'static str> {
    match access {
        Wheelchair::Yes => Some(pick(
            lang,
            "无障碍通行",
            "휠체어 이용 가능",
            "Wheelchair accessible",
        )),
        Wheelchair::Limited => Some(pick(
            lang,
            "部分无障碍",
            "휠체어 일부 이용 가능",
            "Partly wheelchair accessible",
        )),
        Wheelchair::No => Some(pick(
            lang,
            "无无障碍通道",
            "휠체어 이용 불가",
            "Not wheelchair accessible",
        )),
        Wheelchair::Unknown => None,
    }
}

/// `850 米` / `1.2 公里`, rounded as a citizen reads a distance: to 10 m under 1 km, to 0.1 km
/// under 10 km, to the km beyond.
pub fn distance_text(metres: f64, lang: Lang) -> String {
    if metres < 1000.0 {
        let m = ((metres / 10.0).round() * 10.0).max(10.0) as u32;
        return match lang {
            Lang::ZhCn => format!("{m} 米"),
            Lang::KoKr => format!("{m}m"),
            Lang::En => format!("{m} m"),
        };
    }
    let km = metres / 1000.0;
    let km = if km < 10.0 {
        format!("{:.1}", (km * 10.0).round() / 10.0)
    } else {
        format!("{:.0}", km.round())
    };
    match lang {
        Lang::ZhCn => format!("{km} 公里"),
        Lang::KoKr => format!("{km}km"),
        Lang::En => format!("{km} km"),
    }
}
