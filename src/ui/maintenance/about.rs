//! The About page's view of the legal-aid rules in force (issue 14: unverified items stay
//! marked where staff see them).

/// The legal-aid rules in force as the About page shows them.
pub(super) fn rules_review(r: &crate::domain::content::RulesReview) -> crate::ui::RulesReview {
    crate::ui::RulesReview {
        rules: r.rules.as_str().into(),
        source: r.source.as_str().into(),
        threshold_yuan: i32::try_from(r.threshold_yuan).unwrap_or(i32::MAX),
        threshold_placeholder: r.threshold_placeholder,
        unverified: slint::ModelRc::new(slint::VecModel::from(
            r.unverified
                .iter()
                .map(|l| slint::SharedString::from(l.as_str()))
                .collect::<Vec<_>>(),
        )),
    }
}
