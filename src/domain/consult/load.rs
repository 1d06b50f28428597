//! Loading and validating consultation content from named files (a bundle or a directory).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use super::format::{
    AnswerFile, CatalogueFile, MaterialsFile, MatterFile, OutcomeFile, StepFile, StepKindFile,
};
use super::model::{
    Action, Answer, Catalogue, Category, Hotline, Index, InstitutionKind, Material, Matter,
    Outcome, Question, ServiceArea, Step, Target,
};
use super::text::Text;

/// The content format this firmware reads.
pub const FORMAT_VERSION: u32 = 1;
/// Fewest questions on every path through a flow.
pub const MIN_QUESTIONS_PER_PATH: usize = 2;
/// Most questions on any path (a longer flow tires an anxious citizen).
pub const MAX_QUESTIONS_PER_PATH: usize = 6;
/// Answers per question: large buttons, one decision per screen.
pub const ANSWERS_PER_QUESTION: std::ops::RangeInclusive<usize> = 2..=4;

/// One thing wrong with the content, located precisely enough for an author to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The bundle file name.
    pub file: String,
    /// Where in the file (ids joined by `/`).
    pub at: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.at, self.message)
    }
}

/// Why consultation content was rejected.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// A required file is not in the bundle.
    #[error("the consultation content has no {0}")]
    MissingFile(&'static str),
    /// A file name the format does not know (a typo would otherwise silently drop content).
    #[error(
        "unexpected file {0} in the consultation content (expected catalogue.toml, materials.toml, matters/*.toml or *.md notes)"
    )]
    UnexpectedFile(String),
    /// The same name twice.
    #[error("the file {0} appears twice in the consultation content")]
    DuplicateFile(String),
    /// Not UTF-8 text.
    #[error("content file {0} is not UTF-8 text")]
    NotUtf8(String),
    /// Not valid TOML, or fields missing, unknown or of the wrong type.
    #[error("content file {file}: {source}")]
    Parse {
        /// The file.
        file: String,
        /// The parser's message, with line and column.
        #[source]
        source: toml::de::Error,
    },
    /// The files parse but do not make a consistent catalogue.
    #[error("the consultation content has {} problem(s):\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<Problem>),
    /// Reading a content directory failed.
    #[error("reading consultation content at {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  - {p}")?;
        }
        Ok(())
    }
}

impl Catalogue {
    /// Loads and validates content from named files, as a signed `catalogue` bundle carries them.
    ///
    /// Names are relative with `/` separators: `catalogue.toml`, `materials.toml`,
    /// `matters/<name>.toml`; `*.md` files are author notes and ignored.
    pub fn from_files<'a, I>(files: I) -> Result<Catalogue, CatalogueError>
    where
        I: IntoIterator<Item = (&'a str, &'a [u8])>,
    {
        let mut catalogue_file = None;
        let mut materials_file = None;
        let mut matters: Vec<(String, MatterFile)> = Vec::new();
        let mut seen = HashSet::new();
        for (name, bytes) in files {
            if !seen.insert(name.to_owned()) {
                return Err(CatalogueError::DuplicateFile(name.to_owned()));
            }
            if name.ends_with(".md") {
                continue;
            }
            let text =
                std::str::from_utf8(bytes).map_err(|_| CatalogueError::NotUtf8(name.to_owned()))?;
            let parse_err = |source| CatalogueError::Parse {
                file: name.to_owned(),
                source,
            };
            match name {
                "catalogue.toml" => {
                    catalogue_file = Some(toml::from_str::<CatalogueFile>(text).map_err(parse_err)?)
                }
                "materials.toml" => {
                    materials_file = Some(toml::from_str::<MaterialsFile>(text).map_err(parse_err)?)
                }
                _ if is_matter_file(name) => {
                    matters.push((
                        name.to_owned(),
                        toml::from_str::<MatterFile>(text).map_err(parse_err)?,
                    ));
                }
                _ => return Err(CatalogueError::UnexpectedFile(name.to_owned())),
            }
        }
        let catalogue_file = catalogue_file.ok_or(CatalogueError::MissingFile("catalogue.toml"))?;
        let materials_file = materials_file.ok_or(CatalogueError::MissingFile("materials.toml"))?;
        // A stable order whatever order the bundle lists its files in.
        matters.sort_by(|a, b| a.0.cmp(&b.0));
        Builder::default().build(catalogue_file, materials_file, matters)
    }

    /// Loads content from a directory laid out like the bundle (e.g. `content/catalogue/consultation`).
    pub fn from_dir(dir: &Path) -> Result<Catalogue, CatalogueError> {
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files)?;
        Catalogue::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())))
    }
}

fn is_matter_file(name: &str) -> bool {
    name.strip_prefix("matters/")
        .is_some_and(|rest| rest.ends_with(".toml") && !rest.contains(".."))
}

fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), CatalogueError> {
    let io = |source| CatalogueError::Io {
        path: dir.to_owned(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        if path.is_dir() {
            collect_files(root, &path, out)?;
        } else {
            let bytes = std::fs::read(&path).map_err(|source| CatalogueError::Io {
                path: path.clone(),
                source,
            })?;
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            out.push((name, bytes));
        }
    }
    Ok(())
}

#[derive(Default)]
struct Builder {
    problems: Vec<Problem>,
}

impl Builder {
    fn problem(&mut self, file: &str, at: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            file: file.to_owned(),
            at: at.into(),
            message: message.into(),
        });
    }

    fn check_id(&mut self, file: &str, at: &str, id: &str) {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !ok {
            self.problem(
                file,
                at,
                format!("id {id:?} must be 1–64 characters of a-z, 0-9, '-' or '.'"),
            );
        }
    }

    fn check_text(&mut self, file: &str, at: &str, what: &str, text: &Text) {
        if let Some(lang) = text.blank_variant() {
            self.problem(file, at, format!("{what} is blank in {}", lang.tag()));
        }
    }

    fn index<'a>(
        &mut self,
        file: &str,
        what: &str,
        ids: impl Iterator<Item = &'a str>,
    ) -> HashMap<String, usize> {
        let mut map = HashMap::new();
        for (i, id) in ids.enumerate() {
            self.check_id(file, &format!("{what} {id}"), id);
            if map.insert(id.to_owned(), i).is_some() {
                self.problem(file, format!("{what} {id}"), "duplicate id");
            }
        }
        map
    }

    fn build(
        mut self,
        cat: CatalogueFile,
        mats: MaterialsFile,
        matter_files: Vec<(String, MatterFile)>,
    ) -> Result<Catalogue, CatalogueError> {
        const CAT: &str = "catalogue.toml";
        const MAT: &str = "materials.toml";
        if cat.format != FORMAT_VERSION {
            self.problem(
                CAT,
                "format",
                format!(
                    "format {} is not supported (this firmware reads format {FORMAT_VERSION})",
                    cat.format
                ),
            );
        }
        self.check_text(CAT, "disclaimer", "disclaimer", &cat.disclaimer);

        let mut index = Index {
            service_areas: self.index(
                CAT,
                "service_area",
                cat.service_area.iter().map(|a| a.id.as_str()),
            ),
            institution_kinds: self.index(
                CAT,
                "institution_kind",
                cat.institution_kind.iter().map(|k| k.id.as_str()),
            ),
            hotlines: self.index(CAT, "hotline", cat.hotline.iter().map(|h| h.id.as_str())),
            categories: self.index(CAT, "category", cat.category.iter().map(|c| c.id.as_str())),
            materials: self.index(MAT, "material", mats.material.iter().map(|m| m.id.as_str())),
            matters: HashMap::new(),
        };

        let service_areas: Vec<ServiceArea> = cat
            .service_area
            .into_iter()
            .map(|a| {
                let at = format!("service_area {}", a.id);
                self.check_text(CAT, &at, "name", &a.name);
                self.check_text(CAT, &at, "summary", &a.summary);
                if let Some(k) = &a.institution
                    && !index.institution_kinds.contains_key(k)
                {
                    self.problem(CAT, &at, format!("unknown institution kind {k:?}"));
                }
                ServiceArea {
                    id: a.id,
                    name: a.name,
                    summary: a.summary,
                    queue_service: a.queue_service,
                    institution: a.institution,
                }
            })
            .collect();
        let institution_kinds: Vec<InstitutionKind> = cat
            .institution_kind
            .into_iter()
            .map(|k| {
                let at = format!("institution_kind {}", k.id);
                self.check_text(CAT, &at, "name", &k.name);
                if let Some(s) = &k.summary {
                    self.check_text(CAT, &at, "summary", s);
                }
                InstitutionKind {
                    id: k.id,
                    name: k.name,
                    summary: k.summary,
                }
            })
            .collect();
        let hotlines: Vec<Hotline> = cat
            .hotline
            .into_iter()
            .map(|h| {
                let at = format!("hotline {}", h.id);
                self.check_text(CAT, &at, "name", &h.name);
                if h.number.is_empty() || !h.number.chars().all(|c| c.is_ascii_digit()) {
                    self.problem(CAT, &at, format!("number {:?} must be digits", h.number));
                }
                Hotline {
                    id: h.id,
                    number: h.number,
                    name: h.name,
                }
            })
            .collect();
        let categories: Vec<Category> = cat
            .category
            .into_iter()
            .map(|c| {
                let at = format!("category {}", c.id);
                self.check_text(CAT, &at, "name", &c.name);
                if let Some(s) = &c.summary {
                    self.check_text(CAT, &at, "summary", s);
                }
                Category {
                    id: c.id,
                    name: c.name,
                    summary: c.summary,
                    keywords: c.keywords,
                }
            })
            .collect();
        let materials: Vec<Material> = mats
            .material
            .into_iter()
            .map(|m| {
                self.check_text(MAT, &format!("material {}", m.id), "name", &m.name);
                Material {
                    id: m.id,
                    name: m.name,
                }
            })
            .collect();
        if service_areas.is_empty() {
            self.problem(CAT, "service_area", "no service areas");
        }
        if categories.is_empty() {
            self.problem(CAT, "category", "no categories");
        }

        let mut matters: Vec<(usize, u32, Matter)> = Vec::new();
        let mut matter_ids: HashMap<String, String> = HashMap::new();
        for (file, m) in matter_files {
            self.check_id(&file, "id", &m.id);
            if let Some(other) = matter_ids.insert(m.id.clone(), file.clone()) {
                self.problem(
                    &file,
                    "id",
                    format!("matter id {:?} is also used by {other}", m.id),
                );
            }
            if let Some(matter) = self.matter(&file, m, &index) {
                matters.push(matter);
            }
        }
        matters.sort_by(|a, b| (a.0, a.1, &a.2.id).cmp(&(b.0, b.1, &b.2.id)));
        let matters: Vec<Matter> = matters.into_iter().map(|(_, _, m)| m).collect();

        for (i, c) in categories.iter().enumerate() {
            if !matters.iter().any(|m| m.category == i) {
                self.problem(CAT, format!("category {}", c.id), "has no matters");
            }
        }
        for a in &service_areas {
            if !matters.iter().any(|m| m.areas.contains(&a.id)) {
                self.problem(
                    CAT,
                    format!("service_area {}", a.id),
                    "no matter refers to this service area",
                );
            }
        }

        if !self.problems.is_empty() {
            return Err(CatalogueError::Invalid(self.problems));
        }
        index.matters = matters
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.clone(), i))
            .collect();
        Ok(Catalogue {
            version: cat.version,
            disclaimer: cat.disclaimer,
            service_areas,
            institution_kinds,
            hotlines,
            categories,
            materials,
            matters,
            index,
        })
    }

    /// Checks one matter file and builds the matter (None if it is too broken to build).
    fn matter(&mut self, file: &str, m: MatterFile, index: &Index) -> Option<(usize, u32, Matter)> {
        let category = index.categories.get(&m.category).copied();
        if category.is_none() {
            self.problem(
                file,
                "category",
                format!("unknown category {:?}", m.category),
            );
        }
        for a in &m.areas {
            if !index.service_areas.contains_key(a) {
                self.problem(file, "areas", format!("unknown service area {a:?}"));
            }
        }
        if m.areas.is_empty() {
            self.problem(file, "areas", "a matter names at least one service area");
        }
        self.check_text(file, "name", "name", &m.name);
        self.check_text(file, "summary", "summary", &m.summary);
        if m.keywords.is_empty() {
            self.problem(
                file,
                "keywords",
                "a matter needs keywords (what citizens say)",
            );
        }
        for k in &m.keywords {
            if k.trim().is_empty() {
                self.problem(file, "keywords", "blank keyword");
            }
        }
        if m.question.is_empty() {
            self.problem(file, "question", "a matter needs a guided flow");
            return None;
        }
        let question_ids = self.index(file, "question", m.question.iter().map(|q| q.id.as_str()));
        let outcome_ids = self.index(file, "outcome", m.outcome.iter().map(|o| o.id.as_str()));

        let questions: Vec<Question> = m
            .question
            .into_iter()
            .map(|q| {
                let at = format!("question {}", q.id);
                self.check_text(file, &at, "text", &q.text);
                if let Some(h) = &q.help {
                    self.check_text(file, &at, "help", h);
                }
                if !ANSWERS_PER_QUESTION.contains(&q.answers.len()) {
                    self.problem(
                        file,
                        &at,
                        format!("has {} answers; a question has 2 to 4", q.answers.len()),
                    );
                }
                let mut answer_ids = HashSet::new();
                let answers = q
                    .answers
                    .into_iter()
                    .map(|a| {
                        let at = format!("question {}/answer {}", q.id, a.id);
                        self.check_id(file, &at, &a.id);
                        if !answer_ids.insert(a.id.clone()) {
                            self.problem(file, &at, "duplicate answer id");
                        }
                        self.check_text(file, &at, "label", &a.label);
                        let target = self.target(file, &at, &a, &question_ids, &outcome_ids);
                        Answer {
                            id: a.id,
                            label: a.label,
                            target,
                        }
                    })
                    .collect();
                Question {
                    id: q.id,
                    text: q.text,
                    help: q.help,
                    answers,
                }
            })
            .collect();
        let outcomes: Vec<Outcome> = m
            .outcome
            .into_iter()
            .map(|o| self.outcome(file, o, index))
            .collect();

        self.check_flow(file, &questions, outcomes.len(), &outcomes);
        Some((
            category.unwrap_or(usize::MAX),
            m.order,
            Matter {
                id: m.id,
                category: category.unwrap_or(usize::MAX),
                areas: m.areas,
                legal_aid_scope: m.legal_aid_scope,
                verified: m.verified,
                name: m.name,
                summary: m.summary,
                keywords: m.keywords,
                questions,
                outcomes,
            },
        ))
    }

    fn target(
        &mut self,
        file: &str,
        at: &str,
        a: &AnswerFile,
        questions: &HashMap<String, usize>,
        outcomes: &HashMap<String, usize>,
    ) -> Target {
        match (&a.next, &a.outcome) {
            (Some(q), None) => match questions.get(q) {
                Some(&i) => Target::Question(i),
                None => {
                    self.problem(
                        file,
                        at,
                        format!("next = {q:?} is not a question of this matter"),
                    );
                    Target::Outcome(usize::MAX)
                }
            },
            (None, Some(o)) => match outcomes.get(o) {
                Some(&i) => Target::Outcome(i),
                None => {
                    self.problem(
                        file,
                        at,
                        format!("outcome = {o:?} is not an outcome of this matter"),
                    );
                    Target::Outcome(usize::MAX)
                }
            },
            _ => {
                self.problem(file, at, "an answer has exactly one of `next` or `outcome`");
                Target::Outcome(usize::MAX)
            }
        }
    }

    fn outcome(&mut self, file: &str, o: OutcomeFile, index: &Index) -> Outcome {
        let at = format!("outcome {}", o.id);
        self.check_text(file, &at, "title", &o.title);
        self.check_text(file, &at, "summary", &o.summary);
        match &o.basis {
            Some(b) => self.check_text(file, &at, "basis", b),
            // Advice a citizen acts on names the law it rests on.
            None => self.problem(file, &at, "an outcome states its legal basis (`basis`)"),
        }
        if let Some(id) = &o.legal_aid
            && id != super::model::NO_LEGAL_AID_ITEM
        {
            self.check_id(file, &format!("{at}/legal_aid"), id);
        }
        if o.step.is_empty() {
            self.problem(file, &at, "an outcome recommends at least one next step");
        }
        let steps = o
            .step
            .into_iter()
            .enumerate()
            .filter_map(|(i, s)| self.step(file, &format!("{at}/step {}", i + 1), s, index))
            .collect();
        Outcome {
            id: o.id,
            title: o.title,
            summary: o.summary,
            basis: o.basis,
            legal_aid: o.legal_aid,
            steps,
        }
    }

    fn step(&mut self, file: &str, at: &str, s: StepFile, index: &Index) -> Option<Step> {
        if let Some(n) = &s.note {
            self.check_text(file, at, "note", n);
        }
        for m in &s.materials {
            if !index.materials.contains_key(m) {
                self.problem(file, at, format!("unknown material {m:?}"));
            }
        }
        let extra = |field: &str, present: bool| present.then(|| field.to_owned());
        let (action, unexpected) = match s.kind {
            StepKindFile::Ticket | StepKindFile::Appointment => {
                let Some(service) = s.service else {
                    self.problem(file, at, "a ticket or appointment step names its `service`");
                    return None;
                };
                let action = if s.kind == StepKindFile::Ticket {
                    Action::Ticket { service }
                } else {
                    Action::Appointment { service }
                };
                (
                    action,
                    extra("institution", s.institution.is_some())
                        .or(extra("hotline", s.hotline.is_some())),
                )
            }
            StepKindFile::LegalAidCheck | StepKindFile::VideoLawyer => (
                if s.kind == StepKindFile::LegalAidCheck {
                    Action::LegalAidCheck
                } else {
                    Action::VideoLawyer
                },
                extra("service", s.service.is_some())
                    .or(extra("institution", s.institution.is_some()))
                    .or(extra("hotline", s.hotline.is_some())),
            ),
            StepKindFile::Institution => {
                let Some(kind) = s.institution else {
                    self.problem(file, at, "an institution step names its `institution` kind");
                    return None;
                };
                if !index.institution_kinds.contains_key(&kind) {
                    self.problem(file, at, format!("unknown institution kind {kind:?}"));
                }
                (
                    Action::Institution { kind },
                    extra("service", s.service.is_some()).or(extra("hotline", s.hotline.is_some())),
                )
            }
            StepKindFile::Hotline => {
                let Some(hotline) = s.hotline else {
                    self.problem(file, at, "a hotline step names its `hotline`");
                    return None;
                };
                if !index.hotlines.contains_key(&hotline) {
                    self.problem(file, at, format!("unknown hotline {hotline:?}"));
                }
                (
                    Action::Hotline { hotline },
                    extra("service", s.service.is_some())
                        .or(extra("institution", s.institution.is_some())),
                )
            }
        };
        if let Some(field) = unexpected {
            self.problem(
                file,
                at,
                format!("`{field}` does not belong to this kind of step"),
            );
        }
        Some(Step {
            action,
            note: s.note,
            materials: s.materials,
        })
    }

    /// Every path from the first question must end in an outcome, with no cycles, through
    /// `MIN..=MAX` questions; every question and outcome must be reachable.
    fn check_flow(
        &mut self,
        file: &str,
        questions: &[Question],
        outcome_count: usize,
        outcomes: &[Outcome],
    ) {
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            New,
            Active,
            Done { min: usize, max: usize },
        }
        fn visit(
            q: usize,
            questions: &[Question],
            marks: &mut [Mark],
            reached_outcomes: &mut [bool],
            cycle: &mut Option<String>,
        ) -> (usize, usize) {
            match marks[q] {
                Mark::Done { min, max } => return (min, max),
                Mark::Active => {
                    cycle.get_or_insert_with(|| questions[q].id.clone());
                    return (usize::MAX / 2, usize::MAX / 2);
                }
                Mark::New => {}
            }
            marks[q] = Mark::Active;
            let (mut min, mut max) = (usize::MAX, 0);
            for a in &questions[q].answers {
                let (lo, hi) = match a.target {
                    Target::Outcome(o) => {
                        if let Some(r) = reached_outcomes.get_mut(o) {
                            *r = true;
                        }
                        (0, 0)
                    }
                    Target::Question(n) => visit(n, questions, marks, reached_outcomes, cycle),
                };
                min = min.min(lo + 1);
                max = max.max(hi + 1);
            }
            marks[q] = Mark::Done { min, max };
            (min, max)
        }
        let mut marks = vec![Mark::New; questions.len()];
        let mut reached = vec![false; outcome_count];
        let mut cycle = None;
        let (min, max) = visit(0, questions, &mut marks, &mut reached, &mut cycle);
        if let Some(q) = cycle {
            self.problem(
                file,
                format!("question {q}"),
                "the flow loops back to this question",
            );
            return;
        }
        if min < MIN_QUESTIONS_PER_PATH {
            self.problem(
                file,
                "question",
                format!(
                    "some path asks only {min} question(s); every path asks at least {MIN_QUESTIONS_PER_PATH}"
                ),
            );
        }
        if max > MAX_QUESTIONS_PER_PATH {
            self.problem(
                file,
                "question",
                format!("some path asks {max} questions; at most {MAX_QUESTIONS_PER_PATH}"),
            );
        }
        for (q, mark) in questions.iter().zip(&marks) {
            if *mark == Mark::New {
                self.problem(file, format!("question {}", q.id), "no answer leads here");
            }
        }
        for (o, r) in outcomes.iter().zip(&reached) {
            if !r {
                self.problem(file, format!("outcome {}", o.id), "no answer leads here");
            }
        }
    }
}
