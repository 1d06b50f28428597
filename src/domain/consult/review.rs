//! `content/REVIEW.md`: for each matter the legal basis its advice rests on and whether a
//! qualified person has verified it, and the same for the legal-aid rules — generated from
//! the data so that it cannot drift (a test compares the file with this output).

use std::fmt::Write as _;

use super::model::Catalogue;
use crate::domain::legal_aid::Rules;

/// Marks where the generated part of REVIEW.md starts; text above it is written by hand.
pub const BEGIN: &str = "<!-- BEGIN GENERATED: do not edit below; regenerate with REGENERATE_REVIEW=1 cargo test -p legal-kiosk --lib review_md -->";
/// Marks where it ends.
pub const END: &str = "<!-- END GENERATED -->";

fn one_line(text: &str) -> String {
    text.replace('\n', " ").replace('|', "/")
}

/// The generated part of REVIEW.md (between [`BEGIN`] and [`END`], markers included).
pub fn review_markdown(catalogue: &Catalogue, rules: &Rules) -> String {
    let mut out = String::new();
    let verified = catalogue.matters.iter().filter(|m| m.verified).count();
    let _ = writeln!(out, "{BEGIN}\n");
    let _ = writeln!(
        out,
        "## Consultation matters (content version {}): {} matters, {} verified\n",
        catalogue.version,
        catalogue.matters.len(),
        verified
    );
    for m in &catalogue.matters {
        let _ = writeln!(
            out,
            "### `{}` {} — verified = {}\n",
            m.id, m.name.zh_cn, m.verified
        );
        if let Some(scope) = &m.legal_aid_scope {
            let _ = writeln!(out, "- legal-aid scope of the matter: `{scope}`");
        }
        for o in &m.outcomes {
            let basis = o.basis.as_ref().map_or("(none)", |b| b.zh_cn.as_str());
            let aid = o
                .legal_aid
                .as_deref()
                .map(|a| format!(" [legal aid: `{a}`]"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "- `{}` {}{aid}: {}",
                o.id,
                o.title.zh_cn,
                one_line(basis)
            );
        }
        let _ = writeln!(out);
    }
    let items: Vec<_> = rules.items().collect();
    let _ = writeln!(
        out,
        "## Legal-aid rules `{}` version {}: {} items, {} verified\n",
        rules.region,
        rules.version,
        items.len(),
        items.iter().filter(|(_, i)| i.verified).count()
    );
    let hardship = &rules.hardship;
    let _ = writeln!(
        out,
        "- hardship threshold: {} yuan per person a month, placeholder = {}: {}",
        hardship.monthly_income_per_person_max_yuan,
        hardship.placeholder,
        one_line(&hardship.basis.zh_cn)
    );
    for (table, item) in items {
        let _ = writeln!(
            out,
            "- [[{table}]] `{}` — verified = {}: {}",
            item.id,
            item.verified,
            one_line(&item.basis.zh_cn)
        );
        if let Some(own) = &item.own_means {
            let _ = writeln!(
                out,
                "  - own_means — verified = {}: {}",
                own.verified,
                one_line(&own.basis.zh_cn)
            );
        }
        if item.condition.is_some() {
            let _ = writeln!(
                out,
                "  - condition: asked before the means test; anything but yes is staff review"
            );
        }
    }
    let _ = writeln!(out, "\n{END}");
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// REVIEW.md lists every matter with its basis and verified flag as the data says.
    #[test]
    fn review_md_lists_every_matter_and_rule_as_the_data_says() {
        let catalogue = super::super::defaults::catalogue().unwrap();
        let rules = Rules::jilin_default().unwrap();
        let generated = review_markdown(&catalogue, &rules);
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("content/REVIEW.md");
        let file = std::fs::read_to_string(&path).unwrap_or_default();
        let (head, in_file) = match (file.find(BEGIN), file.find(END)) {
            (Some(b), Some(e)) => (&file[..b], &file[b..e + END.len()]),
            _ => (file.as_str(), ""),
        };
        if std::env::var_os("REGENERATE_REVIEW").is_some() {
            std::fs::write(&path, format!("{head}{generated}")).unwrap();
            return;
        }
        assert!(
            in_file.trim_end() == generated.trim_end(),
            "content/REVIEW.md is out of date: run REGENERATE_REVIEW=1 cargo test -p legal-kiosk --lib review_md"
        );
        for m in &catalogue.matters {
            assert!(in_file.contains(&format!("### `{}`", m.id)), "{}", m.id);
        }
        assert!(
            head.contains("verified"),
            "the hand-written part says how verification is decided"
        );
    }
}
