//! Legal-aid self-check tests: a table of cases over every article and group, the threshold
//! boundary, strict rule parsing, the CLI, and what the outbox event may contain.

use std::sync::Arc;

use chrono::{TimeZone, Utc};

use super::cli::run_legal_aid_cli;
use super::engine::{
    AidAnswer, AidError, AidScreen, Indication, InputView, NONE, Prefill, QuestionId, SelfCheck,
    per_person_yuan,
};
use super::event::{Applicant, Consent, PreApplication, PreApplicationError, outbox_payload};
use super::rules::{JILIN_DEFAULT, Rules, RulesError};
use crate::domain::consult::text::Lang;

fn rules() -> Arc<Rules> {
    Arc::new(Rules::jilin_default().unwrap())
}

fn threshold() -> u32 {
    rules().hardship.monthly_income_per_person_max_yuan
}

/// Answers a check from a simple description; panics if a question is asked that has no answer.
fn run(age: Option<u8>, answers: &[(QuestionId, AidAnswer)]) -> SelfCheck {
    let mut check = SelfCheck::new(
        rules(),
        Prefill {
            age,
            suggested: Vec::new(),
        },
    );
    while let AidScreen::Question(q) = check.screen() {
        let a = answers
            .iter()
            .find(|(id, _)| *id == q)
            .unwrap_or_else(|| panic!("question {q:?} asked but not answered"))
            .1
            .clone();
        check.answer(a).unwrap_or_else(|e| panic!("{e}"));
    }
    check
}

fn c(id: &str) -> AidAnswer {
    AidAnswer::Choice(id.to_owned())
}

use QuestionId::*;

struct Case {
    name: &'static str,
    age: Option<u8>,
    answers: Vec<(QuestionId, AidAnswer)>,
    indication: Indication,
    decided_by: &'static str,
    basis_contains: &'static str,
    material: &'static str,
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p
}

mod cases;
mod citizen_reads;
mod consent;
mod rules_and_cli;
