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
    #[error("the consultation content has {} problem(s):\n{}", .0.len(), crate::domain::Bullets(.0))]
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
    pub(super) fn problem(
        &mut self,
        file: &str,
        at: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.problems.push(Problem {
            file: file.to_owned(),
            at: at.into(),
            message: message.into(),
        });
    }

    pub(super) fn check_id(&mut self, file: &str, at: &str, id: &str) {
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

    /// A text (an optional one only when given) must have no blank language variant.
    pub(super) fn check_text<'t>(
        &mut self,
        file: &str,
        at: &str,
        what: &str,
        text: impl Into<Option<&'t Text>>,
    ) {
        if let Some(lang) = text.into().and_then(Text::blank_variant) {
            self.problem(file, at, format!("{what} is blank in {}", lang.tag()));
        }
    }

    pub(super) fn index<'a>(
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
                self.check_text(CAT, &at, "summary", k.summary.as_ref());
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
                self.check_text(CAT, &at, "summary", c.summary.as_ref());
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
}

mod matter;
