//! A made-up directory around a made-up centre in Changchun, for screenshots, the demo and
//! the UI tests: every name says 示例 (example) so that no one mistakes it for a real
//! institution. The registry publishes the real one.

use provisioning::institutions::bundle::{Holiday, PlatformLocation};
use provisioning::institutions::{
    Datum, Institution, InstitutionKind, InstitutionsFile, LocalizedName, Location, OpeningHours,
    Wheelchair,
};

use super::{Here, Institutions};

/// The sample centre's platform id and region.
pub const SAMPLE_PLATFORM: &str = "sample-centre";
pub const SAMPLE_REGION: &str = "220104";

/// Where the sample centre stands.
pub fn sample_here() -> Here {
    Here {
        platform: Some(SAMPLE_PLATFORM.into()),
        region: Some(SAMPLE_REGION.into()),
    }
}

struct Row {
    id: &'static str,
    kind: InstitutionKind,
    names: (&'static str, &'static str, &'static str),
    region: &'static str,
    address: &'static str,
    hours: &'static str,
    free: bool,
    /// Degrees north and east of the centre.
    offset: (f64, f64),
}

const CENTRE: (f64, f64) = (43.8868, 125.3245);

const ROWS: [Row; 8] = [
    Row {
        id: "sample-legal-aid",
        kind: InstitutionKind::LegalAidCentre,
        names: (
            "示例区法律援助中心",
            "예시구 법률구조센터",
            "Example District Legal Aid Centre",
        ),
        region: "220104",
        address: "示例区人民大街 1 号（公共法律服务中心一楼）",
        hours: "Mo-Fr 08:30-11:30,13:00-17:00",
        free: true,
        offset: (0.0005, 0.0),
    },
    Row {
        id: "sample-notary-1",
        kind: InstitutionKind::NotaryOffice,
        names: (
            "示例市第一公证处",
            "예시시 제1공증처",
            "Example City No. 1 Notary Office",
        ),
        region: "220104",
        address: "示例区建设街 88 号",
        hours: "Mo-Fr 09:00-17:00; Sa 09:00-12:00",
        free: false,
        offset: (0.006, 0.004),
    },
    Row {
        id: "sample-notary-2",
        kind: InstitutionKind::NotaryOffice,
        names: (
            "示例市第二公证处",
            "예시시 제2공증처",
            "Example City No. 2 Notary Office",
        ),
        region: "220102",
        address: "示例南区解放大路 120 号",
        hours: "Mo-Fr 09:00-17:00",
        free: false,
        offset: (-0.015, 0.012),
    },
    Row {
        id: "sample-notary-3",
        kind: InstitutionKind::NotaryOffice,
        names: (
            "示例县公证处",
            "예시현 공증처",
            "Example County Notary Office",
        ),
        region: "220122",
        address: "示例县政府路 6 号",
        hours: "Mo-Fr 08:30-16:30",
        free: false,
        offset: (0.21, -0.18),
    },
    Row {
        id: "sample-law-firm",
        kind: InstitutionKind::LawFirm,
        names: ("示例律师事务所", "예시 법률사무소", "Example Law Firm"),
        region: "220104",
        address: "示例区重庆路 16 号 12 层",
        hours: "Mo-Fr 08:30-18:00",
        free: false,
        offset: (0.003, -0.007),
    },
    Row {
        id: "sample-mediation",
        kind: InstitutionKind::MediationCommittee,
        names: (
            "示例街道人民调解委员会",
            "예시가도 인민조정위원회",
            "Example Street Mediation Committee",
        ),
        region: "220104",
        address: "示例区桂林路 3 号（街道办事处）",
        hours: "Mo-Fr 08:30-11:30,13:00-17:00; Sa 09:00-12:00",
        free: true,
        offset: (-0.004, 0.002),
    },
    Row {
        id: "sample-labour-arbitration",
        kind: InstitutionKind::LabourArbitration,
        names: (
            "示例市劳动人事争议仲裁委员会",
            "예시시 노동인사분쟁 중재위원회",
            "Example City Labour Dispute Arbitration Commission",
        ),
        region: "220104",
        address: "示例区同志街 200 号",
        hours: "Mo-Fr 08:30-11:30,13:00-16:30",
        free: true,
        offset: (0.009, 0.01),
    },
    Row {
        id: "sample-appraisal",
        kind: InstitutionKind::JudicialAppraisalBody,
        names: (
            "示例司法鉴定中心",
            "예시 사법감정센터",
            "Example Forensic Appraisal Centre",
        ),
        region: "220102",
        address: "示例南区卫星路 50 号",
        hours: "Mo-Fr 08:00-16:00",
        free: false,
        offset: (-0.02, -0.01),
    },
];

/// The sample directory, as a bundle carries it.
pub fn sample_file() -> InstitutionsFile {
    let institutions = ROWS
        .iter()
        .map(|r| Institution {
            id: r.id.into(),
            kind: r.kind,
            name: LocalizedName {
                zh_cn: r.names.0.into(),
                ko_kr: Some(r.names.1.into()),
                en: Some(r.names.2.into()),
            },
            region: r.region.into(),
            address: r.address.into(),
            phone: "0431-12348".into(),
            hours: OpeningHours::parse(r.hours).ok(),
            hours_note: String::new(),
            services: vec!["法律咨询".into(), format!("{}业务", r.kind.name_zh())],
            free_services: if r.free {
                vec!["法律咨询".into()]
            } else {
                vec![]
            },
            location: Some(Location::gcj02(
                CENTRE.0 + r.offset.0,
                CENTRE.1 + r.offset.1,
            )),
            wheelchair: if r.free {
                Wheelchair::Yes
            } else {
                Wheelchair::Unknown
            },
        })
        .collect();
    let mut file = InstitutionsFile::new(Datum::Gcj02, institutions);
    file.platforms.push(PlatformLocation {
        id: SAMPLE_PLATFORM.into(),
        location: Location::gcj02(CENTRE.0, CENTRE.1),
    });
    file.holidays.push(Holiday {
        date: chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default(),
        name: "元旦".into(),
    });
    file
}

/// The sample directory, ready to search.
pub fn sample() -> Institutions {
    Institutions::new(sample_file())
}
