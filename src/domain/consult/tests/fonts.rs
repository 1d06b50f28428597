//! Every character shown is in the embedded font.

use super::*;

/// Characters of everything the kiosk can show from this work: content, rules, reasons and
/// the fixed labels in code.
fn all_shown_text() -> String {
    let c = catalogue();
    let mut s = String::new();
    for t in c.all_texts() {
        for (_, v) in t.variants() {
            s.push_str(v);
        }
    }
    for m in &c.matters {
        s.push_str(&m.keywords.concat());
    }
    for k in &c.categories {
        s.push_str(&k.keywords.concat());
    }
    let rules = crate::domain::legal_aid::Rules::jilin_default().unwrap();
    for t in rules.all_texts() {
        for (_, v) in t.variants() {
            s.push_str(v);
        }
    }
    let reasons = crate::domain::rating::RatingReasons::default_set().unwrap();
    for lang in Lang::ALL {
        for kind in [
            crate::domain::rating::ServiceKind::Ticket,
            crate::domain::rating::ServiceKind::Consultation,
            crate::domain::rating::ServiceKind::VideoCall,
        ] {
            for r in reasons.options(kind, lang) {
                s.push_str(&r.label.text);
                s.push_str(&r.criterion_name.text);
            }
        }
        for l in crate::domain::rating::RatingLevel::ALL {
            s.push_str(l.label(lang));
        }
        for svc in crate::domain::consult::QueueService::ALL {
            s.push_str(svc.name(lang));
        }
        s.push_str(crate::domain::legal_aid::consent_text(lang));
        for i in [
            crate::domain::legal_aid::Indication::NoMeansTest,
            crate::domain::legal_aid::Indication::LikelyEligible,
            crate::domain::legal_aid::Indication::StaffReview,
        ] {
            s.push_str(i.headline(lang));
        }
        // Every screen and result of a full self-check in this language.
        s.push_str(&crate::domain::legal_aid::tests_support::all_engine_text(
            lang,
        ));
        for m in &c.matters {
            for o in &m.outcomes {
                for st in &o.steps {
                    s.push_str(
                        &crate::domain::consult::flow::action_label(&c, &st.action, lang).text,
                    );
                }
            }
        }
        s.push_str(&crate::domain::consult::slip::hotline_line(lang));
        s.push_str(crate::domain::consult::slip::slip_title(lang));
    }
    s
}

#[test]
fn every_character_shown_is_in_the_embedded_font() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/fonts/NotoSansCJKsc-Regular-kiosk.otf");
    let data = std::fs::read(&path).unwrap();
    let face = ttf_parser::Face::parse(&data, 0).unwrap();
    let text = all_shown_text();
    let missing: BTreeSet<char> = text
        .chars()
        .filter(|ch| !ch.is_control() && face.glyph_index(*ch).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "characters not in the kiosk font: {missing:?}"
    );
    assert!(text.chars().count() > 20_000, "the check saw the content");
}
