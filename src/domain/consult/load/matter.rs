//! Checking one matter file: its targets, outcomes, steps and the flow between them.

use super::*;

impl Builder {
    /// Checks one matter file and builds the matter (None if it is too broken to build).
    pub(super) fn matter(
        &mut self,
        file: &str,
        m: MatterFile,
        index: &Index,
    ) -> Option<(usize, u32, Matter)> {
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
                self.check_text(file, &at, "help", q.help.as_ref());
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

    pub(super) fn target(
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

    pub(super) fn outcome(&mut self, file: &str, o: OutcomeFile, index: &Index) -> Outcome {
        let at = format!("outcome {}", o.id);
        self.check_text(file, &at, "title", &o.title);
        self.check_text(file, &at, "summary", &o.summary);
        match &o.basis {
            Some(b) => self.check_text(file, &at, "basis", b),
            // Advice a citizen acts on names the law it rests on.
            None => self.problem(file, &at, "an outcome states its legal basis (`basis`)"),
        }
        if let Some(id) = &o.legal_aid
            && id != crate::domain::consult::model::NO_LEGAL_AID_ITEM
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

    /// The id a step must name (`missing` says so when it names none), which must be one
    /// of the `known` ids of `what` (a problem otherwise, but the step is still read).
    fn named(
        &mut self,
        file: &str,
        at: &str,
        id: Option<String>,
        missing: &str,
        what: &str,
        known: &HashMap<String, usize>,
    ) -> Option<String> {
        let Some(id) = id else {
            self.problem(file, at, missing);
            return None;
        };
        if !known.contains_key(&id) {
            self.problem(file, at, format!("unknown {what} {id:?}"));
        }
        Some(id)
    }

    pub(super) fn step(
        &mut self,
        file: &str,
        at: &str,
        s: StepFile,
        index: &Index,
    ) -> Option<Step> {
        self.check_text(file, at, "note", s.note.as_ref());
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
                let missing = "an institution step names its `institution` kind";
                let known = &index.institution_kinds;
                let kind =
                    self.named(file, at, s.institution, missing, "institution kind", known)?;
                (
                    Action::Institution { kind },
                    extra("service", s.service.is_some()).or(extra("hotline", s.hotline.is_some())),
                )
            }
            StepKindFile::Hotline => {
                let missing = "a hotline step names its `hotline`";
                let hotline =
                    self.named(file, at, s.hotline, missing, "hotline", &index.hotlines)?;
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
    pub(super) fn check_flow(
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
