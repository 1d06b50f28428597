//! `legal-kiosk legal-aid --answers FILE [--rules FILE] [--json]`: evaluates one case from a
//! file so rule authors can test a rules bundle before publishing it. Without `--rules` the
//! rules in force on this terminal answer (its latest accepted `legal-aid-rules` bundle, or
//! the built-in rules). The report names the hardship threshold used and where it comes from,
//! and marks every rule item no qualified person has verified.
//!
//! The answers file is TOML (or JSON when its name ends in `.json`); every field is optional,
//! but each question the rules ask must have its answer:
//!
//! ```toml
//! lang = "zh-CN"                  # zh-CN | ko-KR | en (default zh-CN)
//! age = 67                        # as read from the ID card; filters age-bound groups
//! special_case = "none"           # a [[no_means_test]] id, or "none"
//! matter = "wages"                # a [[scope]] id, or "none" (not in the list)
//! condition = "yes"               # yes | no | unsure, for a matter with a condition
//! group = "none"                  # an [[exempt_group]] id, or "none"
//! priority_group = "none"         # a [[priority_group]] id, or "none"
//! household_size = 3              # 1–30
//! household_monthly_income_yuan = 4500   # yuan per month for the whole household, or "unknown"
//! ```

use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use super::engine::{AidAnswer, AidScreen, InputView, Prefill, QuestionId, SelfCheck};
use super::rules::Rules;
use crate::domain::consult::text::Lang;
use crate::domain::content::RulesSource;

/// The answers file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnswersFile {
    /// Language of the result texts.
    #[serde(default)]
    pub lang: Option<String>,
    /// Age from the ID card.
    #[serde(default)]
    pub age: Option<u8>,
    /// `special-case` answer.
    #[serde(default)]
    pub special_case: Option<String>,
    /// `matter` answer.
    #[serde(default)]
    pub matter: Option<String>,
    /// `condition` answer (`yes`, `no` or `unsure`), for a matter with a condition.
    #[serde(default)]
    pub condition: Option<String>,
    /// `group` answer.
    #[serde(default)]
    pub group: Option<String>,
    /// `priority-group` answer.
    #[serde(default)]
    pub priority_group: Option<String>,
    /// `household-size` answer.
    #[serde(default)]
    pub household_size: Option<u32>,
    /// `household-income` answer.
    #[serde(default)]
    pub household_monthly_income_yuan: Option<IncomeAnswer>,
}

/// A monthly income or the word `unknown`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum IncomeAnswer {
    /// Yuan per month.
    Yuan(u32),
    /// Must be "unknown".
    Word(String),
}

#[derive(Serialize)]
struct Trace {
    question: QuestionId,
    answer: String,
}

impl AnswersFile {
    /// The answer to `q` as the engine takes it, or a message saying what is missing.
    fn answer_for(
        &self,
        q: QuestionId,
        check: &SelfCheck,
        lang: Lang,
    ) -> anyhow::Result<AidAnswer> {
        let choice = |field: &str, v: &Option<String>| -> anyhow::Result<AidAnswer> {
            match v {
                Some(c) => Ok(AidAnswer::Choice(c.clone())),
                None => {
                    let options = match check.question(lang).map(|v| v.input) {
                        Some(InputView::Choice { options, .. }) => options
                            .into_iter()
                            .map(|o| o.id)
                            .collect::<Vec<_>>()
                            .join(", "),
                        _ => String::new(),
                    };
                    bail!(
                        "the rules ask `{field}` but the answers file has none (one of: {options})"
                    )
                }
            }
        };
        match q {
            QuestionId::SpecialCase => choice("special_case", &self.special_case),
            QuestionId::Matter => choice("matter", &self.matter),
            QuestionId::Condition => choice("condition", &self.condition),
            QuestionId::Group => choice("group", &self.group),
            QuestionId::PriorityGroup => choice("priority_group", &self.priority_group),
            QuestionId::HouseholdSize => self
                .household_size
                .map(AidAnswer::Number)
                .context("the rules ask `household_size` but the answers file has none"),
            QuestionId::HouseholdIncome => match &self.household_monthly_income_yuan {
                Some(IncomeAnswer::Yuan(n)) => Ok(AidAnswer::Number(*n)),
                Some(IncomeAnswer::Word(w)) if w == "unknown" => Ok(AidAnswer::Unknown),
                Some(IncomeAnswer::Word(w)) => {
                    bail!(
                        "household_monthly_income_yuan must be a number of yuan or \"unknown\", not {w:?}"
                    )
                }
                None => bail!(
                    "the rules ask `household_monthly_income_yuan` but the answers file has none"
                ),
            },
        }
    }

    fn given(&self) -> Vec<(&'static str, QuestionId)> {
        let mut out = Vec::new();
        let mut add = |present: bool, name, q| {
            if present {
                out.push((name, q));
            }
        };
        add(
            self.special_case.is_some(),
            "special_case",
            QuestionId::SpecialCase,
        );
        add(self.matter.is_some(), "matter", QuestionId::Matter);
        add(self.condition.is_some(), "condition", QuestionId::Condition);
        add(self.group.is_some(), "group", QuestionId::Group);
        add(
            self.priority_group.is_some(),
            "priority_group",
            QuestionId::PriorityGroup,
        );
        add(
            self.household_size.is_some(),
            "household_size",
            QuestionId::HouseholdSize,
        );
        add(
            self.household_monthly_income_yuan.is_some(),
            "household_monthly_income_yuan",
            QuestionId::HouseholdIncome,
        );
        out
    }
}

fn read(path: &Path, what: &str) -> anyhow::Result<String> {
    std::fs::read_to_string(path)
        .with_context(|| format!("reading the {what} file {}", path.display()))
}

fn is_json(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Reads and checks a rules file (TOML, or JSON when its name ends in `.json`).
pub fn load_rules_file(path: &Path) -> anyhow::Result<(Rules, RulesSource)> {
    let text = read(path, "rules")?;
    let rules = if is_json(path) {
        Rules::from_json(&text)
    } else {
        Rules::from_toml(&text)
    }
    .with_context(|| format!("in the rules file {}", path.display()))?;
    Ok((
        rules,
        RulesSource::File {
            path: path.display().to_string(),
        },
    ))
}

/// Evaluates the answers in `answers_path` under the rules in `rules_path` (default: the
/// shipped Jilin rules) and returns the report to print: plain text, or JSON with `json`.
/// An error (unreadable file, invalid rules or answers, a missing answer) is for the caller
/// to print and exit non-zero.
pub fn run_legal_aid_cli(
    answers_path: &Path,
    rules_path: Option<&Path>,
    json: bool,
) -> anyhow::Result<String> {
    let rules = match rules_path {
        Some(p) => load_rules_file(p)?,
        None => (
            Rules::jilin_default().context("the shipped default rules")?,
            RulesSource::BuiltIn,
        ),
    };
    evaluate(answers_path, rules, json)
}

/// Evaluates the answers in `answers_path` under `rules`, whose source the report names.
pub fn evaluate(
    answers_path: &Path,
    (rules, source): (Rules, RulesSource),
    json: bool,
) -> anyhow::Result<String> {
    let text = read(answers_path, "answers")?;
    evaluate_answers(
        std::sync::Arc::new(rules),
        &source,
        &text,
        is_json(answers_path),
        &answers_path.display().to_string(),
        json,
    )
}

/// Evaluates an answers file's text (`answers_json`: JSON, else TOML) under `rules` (which
/// came from `source`) and returns the report; `file` names the answers file in error
/// messages. Everything in the text is checked: this is what `--answers` reads, and what
/// the fuzz target feeds.
pub fn evaluate_answers(
    rules: std::sync::Arc<Rules>,
    source: &RulesSource,
    text: &str,
    answers_json: bool,
    file: &str,
    json: bool,
) -> anyhow::Result<String> {
    let answers: AnswersFile = if answers_json {
        serde_json::from_str(text).map_err(anyhow::Error::from)
    } else {
        toml::from_str(text).map_err(anyhow::Error::from)
    }
    .with_context(|| format!("in the answers file {file}"))?;
    let lang = match &answers.lang {
        Some(tag) => Lang::from_tag(tag)
            .with_context(|| format!("lang {tag:?} is not one of zh-CN, ko-KR, en"))?,
        None => Lang::ZhCn,
    };

    let mut check = SelfCheck::new(
        rules,
        Prefill {
            age: answers.age,
            suggested: Vec::new(),
        },
    );
    let mut trace = Vec::new();
    while let AidScreen::Question(q) = check.screen() {
        let answer = answers.answer_for(q, &check, lang)?;
        let shown = match &answer {
            AidAnswer::Choice(c) => c.clone(),
            AidAnswer::Number(n) => n.to_string(),
            AidAnswer::Unknown => "unknown".to_owned(),
        };
        check
            .answer(answer)
            .with_context(|| format!("in the answers file {file}"))?;
        trace.push(Trace {
            question: q,
            answer: shown,
        });
    }
    let result = check
        .result(lang)
        .context("the self-check ended without a result")?;
    let not_asked: Vec<&str> = answers
        .given()
        .into_iter()
        .filter(|(_, q)| !trace.iter().any(|t| t.question == *q))
        .map(|(name, _)| name)
        .collect();

    let rules = check.rules();
    let hardship = &rules.hardship;
    let unverified: Vec<String> = rules
        .unverified()
        .into_iter()
        .map(|(table, id)| format!("{table} {id}"))
        .collect();
    if json {
        let report = serde_json::json!({
            "rules": {
                "region": rules.region,
                "version": rules.version,
                "source": source,
                "unverified": unverified,
            },
            "threshold": {
                "monthly_income_per_person_max_yuan": hardship.monthly_income_per_person_max_yuan,
                "placeholder": hardship.placeholder,
                "basis": hardship.basis.get(lang).text,
                "source": source,
                "source_text": source.to_string(),
            },
            "answers": trace,
            "not_asked": not_asked,
            "result": result,
        });
        return Ok(serde_json::to_string_pretty(&report)?);
    }
    let mut out = format!(
        "legal-aid self-check: rules {} {} ({}) from {source}\n",
        rules.region,
        rules.version,
        rules.region_name.get(lang).text
    );
    out.push_str(&format!(
        "threshold: {} yuan per person a month{} (from {source})\n",
        hardship.monthly_income_per_person_max_yuan,
        if hardship.placeholder {
            ", a PLACEHOLDER"
        } else {
            ""
        }
    ));
    for t in &trace {
        let q = serde_json::to_value(t.question)?;
        out.push_str(&format!(
            "  {}: {}\n",
            q.as_str().unwrap_or_default(),
            t.answer
        ));
    }
    let indication = serde_json::to_value(result.indication)?;
    out.push_str(&format!(
        "result: {} ({})\nreason: {}\n",
        indication.as_str().unwrap_or_default(),
        result.text.headline,
        result.text.reason
    ));
    out.push_str(&format!("decided by: {}\n", result.decided_by));
    if result.priority {
        out.push_str("priority: yes\n");
    }
    out.push_str("basis:\n");
    for b in &result.text.basis {
        out.push_str(&format!("  - {b}\n"));
    }
    out.push_str("materials:\n");
    for m in &result.text.materials {
        out.push_str(&format!("  - {m}\n"));
    }
    if result.threshold_placeholder {
        out.push_str("warning: the hardship threshold in these rules is a placeholder\n");
    }
    if !result.unverified.is_empty() {
        out.push_str(&format!(
            "UNVERIFIED: this result rests on items no qualified person has checked: {}\n",
            result.unverified.join(", ")
        ));
    }
    if !unverified.is_empty() {
        out.push_str(&format!(
            "unverified items in these rules ({} of them): {}\n",
            unverified.len(),
            unverified.join(", ")
        ));
    }
    if !not_asked.is_empty() {
        out.push_str(&format!("not asked (ignored): {}\n", not_asked.join(", ")));
    }
    out.push_str(&format!("notice: {}\n", result.text.notice));
    Ok(out)
}
