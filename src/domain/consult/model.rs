//! The validated consultation content: categories → matters → guided flows → outcomes.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::text::{Lang, Text};

/// A queue service of the foundation's service catalogue (the ids are stable; there are no others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueService {
    /// A 法律咨询.
    LegalConsultation,
    /// B 法律援助.
    LegalAid,
    /// C 人民调解.
    Mediation,
    /// D 公证.
    Notary,
    /// E 司法鉴定.
    JudicialAppraisal,
    /// F 律师服务.
    LawyerServices,
    /// G 仲裁.
    Arbitration,
}

impl QueueService {
    /// All seven, in ticket-prefix order.
    pub const ALL: [QueueService; 7] = [
        QueueService::LegalConsultation,
        QueueService::LegalAid,
        QueueService::Mediation,
        QueueService::Notary,
        QueueService::JudicialAppraisal,
        QueueService::LawyerServices,
        QueueService::Arbitration,
    ];

    /// The stable id used in content, tickets and events.
    pub fn id(self) -> &'static str {
        match self {
            QueueService::LegalConsultation => "legal-consultation",
            QueueService::LegalAid => "legal-aid",
            QueueService::Mediation => "mediation",
            QueueService::Notary => "notary",
            QueueService::JudicialAppraisal => "judicial-appraisal",
            QueueService::LawyerServices => "lawyer-services",
            QueueService::Arbitration => "arbitration",
        }
    }

    /// Looks a service up by its stable id.
    pub fn from_id(id: &str) -> Option<QueueService> {
        QueueService::ALL.into_iter().find(|s| s.id() == id)
    }

    /// The ticket-number prefix letter of the foundation's catalogue.
    pub fn prefix(self) -> char {
        match self {
            QueueService::LegalConsultation => 'A',
            QueueService::LegalAid => 'B',
            QueueService::Mediation => 'C',
            QueueService::Notary => 'D',
            QueueService::JudicialAppraisal => 'E',
            QueueService::LawyerServices => 'F',
            QueueService::Arbitration => 'G',
        }
    }

    /// The service's display name.
    pub fn name(self, lang: Lang) -> &'static str {
        use QueueService::*;
        match (self, lang) {
            (LegalConsultation, Lang::ZhCn) => "法律咨询",
            (LegalConsultation, Lang::KoKr) => "법률 상담",
            (LegalConsultation, Lang::En) => "Legal consultation",
            (LegalAid, Lang::ZhCn) => "法律援助",
            (LegalAid, Lang::KoKr) => "법률원조",
            (LegalAid, Lang::En) => "Legal aid",
            (Mediation, Lang::ZhCn) => "人民调解",
            (Mediation, Lang::KoKr) => "인민조정",
            (Mediation, Lang::En) => "People's mediation",
            (Notary, Lang::ZhCn) => "公证",
            (Notary, Lang::KoKr) => "공증",
            (Notary, Lang::En) => "Notarisation",
            (JudicialAppraisal, Lang::ZhCn) => "司法鉴定",
            (JudicialAppraisal, Lang::KoKr) => "사법감정",
            (JudicialAppraisal, Lang::En) => "Forensic appraisal",
            (LawyerServices, Lang::ZhCn) => "律师服务",
            (LawyerServices, Lang::KoKr) => "변호사 서비스",
            (LawyerServices, Lang::En) => "Lawyer services",
            (Arbitration, Lang::ZhCn) => "仲裁",
            (Arbitration, Lang::KoKr) => "중재",
            (Arbitration, Lang::En) => "Arbitration",
        }
    }
}

/// One of the seven public legal service areas (律师服务, 公证, 司法鉴定, …).
#[derive(Debug, Clone)]
pub struct ServiceArea {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: Text,
    /// What the service does, in plain words.
    pub summary: Text,
    /// The queue service that handles it at the centre.
    pub queue_service: QueueService,
    /// The kind of institution that provides it, if any.
    pub institution: Option<String>,
}

/// A kind of institution a citizen may be sent to (公证处, 劳动人事争议仲裁委员会, …).
#[derive(Debug, Clone)]
pub struct InstitutionKind {
    /// Stable id, also the key the institution registry uses.
    pub id: String,
    /// Display name.
    pub name: Text,
    /// What it does, in one line.
    pub summary: Option<Text>,
}

/// A telephone hotline (12348 and the few others a paralegal refers people to).
#[derive(Debug, Clone)]
pub struct Hotline {
    /// Stable id.
    pub id: String,
    /// The number to dial.
    pub number: String,
    /// Display name.
    pub name: Text,
}

/// A problem area citizens recognise (婚姻家庭, 劳动争议与讨薪, …).
#[derive(Debug, Clone)]
pub struct Category {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: Text,
    /// Optional one-line explanation.
    pub summary: Option<Text>,
    /// Extra search words for the category.
    pub keywords: Vec<String>,
}

/// Something to bring (身份证, 劳动合同, …).
#[derive(Debug, Clone)]
pub struct Material {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: Text,
}

/// A common legal matter with its guided flow.
#[derive(Debug, Clone)]
pub struct Matter {
    /// Stable id, unique across the catalogue.
    pub id: String,
    /// Index of its category in [`Catalogue::categories`].
    pub category: usize,
    /// Service areas involved (ids).
    pub areas: Vec<String>,
    /// The legal-aid scope item this matter usually falls under, to pre-fill the self-check.
    pub legal_aid_scope: Option<String>,
    /// Whether a qualified person has checked this matter's legal statements.
    pub verified: bool,
    /// Display name.
    pub name: Text,
    /// Plain-language explanation shown before the questions.
    pub summary: Text,
    /// What citizens actually say (老板不给钱, 讨薪, …), for search.
    pub keywords: Vec<String>,
    /// The questions; the first one starts the flow.
    pub questions: Vec<Question>,
    /// Where the flow can end.
    pub outcomes: Vec<Outcome>,
}

/// A question of a guided flow with 2–4 large-button answers.
#[derive(Debug, Clone)]
pub struct Question {
    /// Stable id within its matter.
    pub id: String,
    /// The question.
    pub text: Text,
    /// An optional one-line explanation of a word in the question.
    pub help: Option<Text>,
    /// The answers, in display order.
    pub answers: Vec<Answer>,
}

/// An answer button and where it leads.
#[derive(Debug, Clone)]
pub struct Answer {
    /// Stable id within its question.
    pub id: String,
    /// The button's label.
    pub label: Text,
    /// Where the flow goes next.
    pub target: Target,
}

/// Where an answer leads: another question or an outcome (indices within the matter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Index into [`Matter::questions`].
    Question(usize),
    /// Index into [`Matter::outcomes`].
    Outcome(usize),
}

/// The end of a flow: what to do next.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Stable id within its matter.
    pub id: String,
    /// Short title.
    pub title: Text,
    /// Plain-language advice.
    pub summary: Text,
    /// The statute article(s) the advice rests on (every outcome has one; the loader insists).
    pub basis: Option<Text>,
    /// What the advice says about legal aid, as a legal-aid rules item id (a scope item, a
    /// no-means-test case or an exempt group) or [`NO_LEGAL_AID_ITEM`]; None: the matter's
    /// `legal_aid_scope` applies.
    pub legal_aid: Option<String>,
    /// Recommended next steps, most useful first.
    pub steps: Vec<Step>,
}

/// An outcome's `legal_aid` value saying the matter is in no legal-aid list item.
pub const NO_LEGAL_AID_ITEM: &str = "none";

impl Outcome {
    /// The legal-aid rules item this outcome's advice rests on: its own `legal_aid`, else the
    /// matter's `legal_aid_scope`; None when neither says (or `legal_aid = "none"`).
    pub fn legal_aid_item<'a>(&'a self, matter: &'a Matter) -> Option<&'a str> {
        match self.legal_aid.as_deref() {
            Some(NO_LEGAL_AID_ITEM) => None,
            Some(id) => Some(id),
            None => matter.legal_aid_scope.as_deref(),
        }
    }
}

/// One recommended next step with what to bring.
#[derive(Debug, Clone)]
pub struct Step {
    /// What to do.
    pub action: Action,
    /// Why, or what to say when there.
    pub note: Option<Text>,
    /// Material ids to bring.
    pub materials: Vec<String>,
}

/// The kinds of next step an outcome can recommend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Action {
    /// Take a queue ticket for a service here.
    Ticket {
        /// The service.
        service: QueueService,
    },
    /// Book an appointment for a service.
    Appointment {
        /// The service.
        service: QueueService,
    },
    /// Run the legal-aid self-check.
    LegalAidCheck,
    /// Talk to a lawyer on video now.
    VideoLawyer,
    /// Go to a kind of institution.
    Institution {
        /// Institution kind id.
        kind: String,
    },
    /// Call a hotline.
    Hotline {
        /// Hotline id.
        hotline: String,
    },
}

/// The whole validated consultation catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    /// Content version from `catalogue.toml`.
    pub version: String,
    /// The "this is guidance, not a decision" line shown with every outcome and slip.
    pub disclaimer: Text,
    /// The seven service areas.
    pub service_areas: Vec<ServiceArea>,
    /// Institution kinds.
    pub institution_kinds: Vec<InstitutionKind>,
    /// Hotlines.
    pub hotlines: Vec<Hotline>,
    /// Categories in display order.
    pub categories: Vec<Category>,
    /// Materials.
    pub materials: Vec<Material>,
    /// Matters, grouped by category in display order.
    pub matters: Vec<Matter>,
    pub(crate) index: Index,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub matters: HashMap<String, usize>,
    pub categories: HashMap<String, usize>,
    pub materials: HashMap<String, usize>,
    pub institution_kinds: HashMap<String, usize>,
    pub hotlines: HashMap<String, usize>,
    pub service_areas: HashMap<String, usize>,
}

impl Catalogue {
    /// A matter by id.
    pub fn matter(&self, id: &str) -> Option<&Matter> {
        self.index.matters.get(id).map(|&i| &self.matters[i])
    }

    /// A category by id.
    pub fn category(&self, id: &str) -> Option<&Category> {
        self.index.categories.get(id).map(|&i| &self.categories[i])
    }

    /// The matters of a category, in display order.
    pub fn matters_in<'a>(&'a self, category_id: &str) -> impl Iterator<Item = &'a Matter> + 'a {
        let category = self.index.categories.get(category_id).copied();
        self.matters
            .iter()
            .filter(move |m| Some(m.category) == category)
    }

    /// A material by id.
    pub fn material(&self, id: &str) -> Option<&Material> {
        self.index.materials.get(id).map(|&i| &self.materials[i])
    }

    /// An institution kind by id.
    pub fn institution_kind(&self, id: &str) -> Option<&InstitutionKind> {
        self.index
            .institution_kinds
            .get(id)
            .map(|&i| &self.institution_kinds[i])
    }

    /// A hotline by id.
    pub fn hotline(&self, id: &str) -> Option<&Hotline> {
        self.index.hotlines.get(id).map(|&i| &self.hotlines[i])
    }

    /// A service area by id.
    pub fn service_area(&self, id: &str) -> Option<&ServiceArea> {
        self.index
            .service_areas
            .get(id)
            .map(|&i| &self.service_areas[i])
    }

    /// The category a matter belongs to.
    pub fn category_of(&self, matter: &Matter) -> &Category {
        &self.categories[matter.category]
    }

    /// Whether the list of categories shows some name in zh-CN for want of a translation.
    pub fn categories_fall_back(&self, lang: Lang) -> bool {
        self.categories.iter().any(|c| !c.name.has(lang))
    }

    /// Whether a category's list of matters shows some text in zh-CN for want of a translation.
    pub fn matters_fall_back(&self, category_id: &str, lang: Lang) -> bool {
        self.matters_in(category_id)
            .any(|m| !m.name.has(lang) || !m.summary.has(lang))
    }

    /// How many texts lack a translation into `lang`, out of how many (for the staff menu).
    pub fn missing_translations(&self, lang: Lang) -> (usize, usize) {
        let texts = self.all_texts();
        let missing = texts.iter().filter(|t| !t.has(lang)).count();
        (missing, texts.len())
    }

    /// Every text in the catalogue, for checks such as font coverage and translation reports.
    pub fn all_texts(&self) -> Vec<&Text> {
        let mut out: Vec<&Text> = vec![&self.disclaimer];
        for a in &self.service_areas {
            out.extend([&a.name, &a.summary]);
        }
        for k in &self.institution_kinds {
            out.push(&k.name);
            out.extend(k.summary.as_ref());
        }
        for h in &self.hotlines {
            out.push(&h.name);
        }
        for c in &self.categories {
            out.push(&c.name);
            out.extend(c.summary.as_ref());
        }
        for m in &self.materials {
            out.push(&m.name);
        }
        for m in &self.matters {
            out.extend([&m.name, &m.summary]);
            for q in &m.questions {
                out.push(&q.text);
                out.extend(q.help.as_ref());
                out.extend(q.answers.iter().map(|a| &a.label));
            }
            for o in &m.outcomes {
                out.extend([&o.title, &o.summary]);
                out.extend(o.basis.as_ref());
                out.extend(o.steps.iter().filter_map(|s| s.note.as_ref()));
            }
        }
        out
    }
}
