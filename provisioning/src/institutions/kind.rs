//! Kinds of institutions, with stable codes.
//!
//! The codes are those of the consultation catalogue's `[[institution_kind]]` ids
//! (`content/catalogue/consultation/catalogue.toml`) where the catalogue has the kind, so that
//! an outcome naming a kind finds its institutions; the others are new here. A code, once
//! published, never changes meaning: terminals and printed slips outlive a release.
//!
//! Each kind carries its Chinese name and the source that establishes it (`source`). Sources
//! are named by title only; article numbers are not given where they were not checked.

use serde::{Deserialize, Serialize};

/// What an institution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstitutionKind {
    /// 律师事务所.
    LawFirm,
    /// 公证处.
    NotaryOffice,
    /// 司法鉴定机构.
    JudicialAppraisalBody,
    /// 人民调解委员会.
    MediationCommittee,
    /// 医疗纠纷人民调解委员会.
    MedicalMediation,
    /// 法律援助中心 (法律援助机构).
    LegalAidCentre,
    /// 司法所.
    JusticeOffice,
    /// 仲裁委员会 (commercial arbitration).
    CommercialArbitration,
    /// 劳动人事争议仲裁委员会.
    LabourArbitration,
    /// 农村土地承包仲裁委员会.
    RuralLandArbitration,
    /// 公共法律服务中心 (county level).
    PlsCentre,
    /// 公共法律服务工作站 (township or street level).
    PlsStation,
    /// 公共法律服务工作室 (village or community level).
    PlsRoom,
}

/// Where the public legal service platforms' three levels (中心/站/室) come from.
const PLS_SOURCE: &str = "中共中央办公厅、国务院办公厅《关于加快推进公共法律服务体系建设的意见》(2019)：县(市、区)公共法律服务中心、乡镇(街道)公共法律服务工作站、村(居)公共法律服务工作室";

impl InstitutionKind {
    /// Every kind, in display order.
    pub const ALL: [InstitutionKind; 13] = [
        Self::PlsCentre,
        Self::PlsStation,
        Self::PlsRoom,
        Self::LegalAidCentre,
        Self::LawFirm,
        Self::NotaryOffice,
        Self::JudicialAppraisalBody,
        Self::MediationCommittee,
        Self::MedicalMediation,
        Self::JusticeOffice,
        Self::CommercialArbitration,
        Self::LabourArbitration,
        Self::RuralLandArbitration,
    ];

    /// The stable code (as in bundles, CSV files and the catalogue).
    pub fn code(self) -> &'static str {
        match self {
            Self::LawFirm => "law-firm",
            Self::NotaryOffice => "notary-office",
            Self::JudicialAppraisalBody => "judicial-appraisal-body",
            Self::MediationCommittee => "mediation-committee",
            Self::MedicalMediation => "medical-mediation",
            Self::LegalAidCentre => "legal-aid-centre",
            Self::JusticeOffice => "justice-office",
            Self::CommercialArbitration => "commercial-arbitration",
            Self::LabourArbitration => "labour-arbitration",
            Self::RuralLandArbitration => "rural-land-arbitration",
            Self::PlsCentre => "pls-centre",
            Self::PlsStation => "pls-station",
            Self::PlsRoom => "pls-room",
        }
    }

    /// The kind of a code, or of its Chinese name.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|k| k.code() == text || k.name_zh() == text)
    }

    /// The Chinese name (the term the source uses).
    pub fn name_zh(self) -> &'static str {
        match self {
            Self::LawFirm => "律师事务所",
            Self::NotaryOffice => "公证处",
            Self::JudicialAppraisalBody => "司法鉴定机构",
            Self::MediationCommittee => "人民调解委员会",
            Self::MedicalMediation => "医疗纠纷人民调解委员会",
            Self::LegalAidCentre => "法律援助中心",
            Self::JusticeOffice => "司法所",
            Self::CommercialArbitration => "仲裁委员会",
            Self::LabourArbitration => "劳动人事争议仲裁委员会",
            Self::RuralLandArbitration => "农村土地承包仲裁委员会",
            Self::PlsCentre => "公共法律服务中心",
            Self::PlsStation => "公共法律服务工作站",
            Self::PlsRoom => "公共法律服务工作室",
        }
    }

    /// The law or policy that establishes this kind of institution.
    pub fn source(self) -> &'static str {
        match self {
            Self::LawFirm => "《中华人民共和国律师法》",
            Self::NotaryOffice => "《中华人民共和国公证法》",
            Self::JudicialAppraisalBody => {
                "全国人民代表大会常务委员会《关于司法鉴定管理问题的决定》"
            }
            Self::MediationCommittee => "《中华人民共和国人民调解法》",
            Self::MedicalMediation => "《医疗纠纷预防和处理条例》；《中华人民共和国人民调解法》",
            Self::LegalAidCentre => "《中华人民共和国法律援助法》(法律援助机构)",
            Self::JusticeOffice => {
                "县级司法行政机关在乡镇(街道)的派出机构; listed in issue 19, its rule (司法部) not checked here"
            }
            Self::CommercialArbitration => "《中华人民共和国仲裁法》",
            Self::LabourArbitration => "《中华人民共和国劳动争议调解仲裁法》",
            Self::RuralLandArbitration => "《中华人民共和国农村土地承包经营纠纷调解仲裁法》",
            Self::PlsCentre | Self::PlsStation | Self::PlsRoom => PLS_SOURCE,
        }
    }
}

impl std::fmt::Display for InstitutionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_round_trip() {
        let codes: std::collections::HashSet<_> =
            InstitutionKind::ALL.iter().map(|k| k.code()).collect();
        let names: std::collections::HashSet<_> =
            InstitutionKind::ALL.iter().map(|k| k.name_zh()).collect();
        assert_eq!(codes.len(), InstitutionKind::ALL.len());
        assert_eq!(names.len(), InstitutionKind::ALL.len());
        for k in InstitutionKind::ALL {
            assert_eq!(InstitutionKind::parse(k.code()), Some(k));
            assert_eq!(InstitutionKind::parse(k.name_zh()), Some(k));
            let json = serde_json::to_string(&k).unwrap();
            assert_eq!(json, format!("\"{}\"", k.code()));
            assert!(!k.source().is_empty());
        }
        assert_eq!(InstitutionKind::parse("court"), None);
    }

    #[test]
    fn codes_match_the_consultation_catalogue() {
        // The catalogue shipped with the firmware names kinds by these ids; an outcome's kind
        // must find its institutions.
        let catalogue = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../content/catalogue/consultation/catalogue.toml"),
        )
        .unwrap();
        for code in [
            "law-firm",
            "notary-office",
            "judicial-appraisal-body",
            "mediation-committee",
            "medical-mediation",
            "legal-aid-centre",
            "commercial-arbitration",
            "labour-arbitration",
            "rural-land-arbitration",
        ] {
            assert!(catalogue.contains(&format!("id = \"{code}\"")), "{code}");
            assert!(InstitutionKind::parse(code).is_some(), "{code}");
        }
    }
}
