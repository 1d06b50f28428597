//! Search by keyword, initials, pinyin and Korean.

use super::*;

fn top(index: &SearchIndex, c: &Catalogue, q: &str) -> Vec<String> {
    index
        .search(q, 5)
        .into_iter()
        .map(|h| match h.target {
            SearchTarget::Category(i) => format!("category:{}", c.categories[i].id),
            SearchTarget::Matter(i) => c.matters[i].id.clone(),
        })
        .collect()
}

#[test]
fn search_by_keyword_initials_partial_and_colloquial_input() {
    let c = catalogue();
    let idx = SearchIndex::build(&c);
    assert_eq!(
        top(&idx, &c, "ldzy").first().map(String::as_str),
        Some("category:labour")
    );
    assert_eq!(
        top(&idx, &c, "LDZY").first().map(String::as_str),
        Some("category:labour")
    );
    assert_eq!(
        top(&idx, &c, "欠薪").first().map(String::as_str),
        Some("labour.unpaid-wages")
    );
    assert_eq!(
        top(&idx, &c, "老板不给钱").first().map(String::as_str),
        Some("labour.unpaid-wages")
    );
    assert!(
        top(&idx, &c, "老板不给我钱").contains(&"labour.unpaid-wages".to_owned()),
        "a phrase close to a keyword still finds it"
    );
    assert!(
        top(&idx, &c, "ld").contains(&"category:labour".to_owned()),
        "two letters of the initials"
    );
    assert!(
        top(&idx, &c, "laodong").contains(&"category:labour".to_owned()),
        "full pinyin"
    );
    assert_eq!(
        top(&idx, &c, "lh").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert_eq!(
        top(&idx, &c, "jb").first().map(String::as_str),
        Some("marriage.domestic-violence")
    );
    assert!(
        top(&idx, &c, "rmtj").contains(&"services.mediation".to_owned()),
        "调 read as tiao"
    );
    assert_eq!(
        top(&idx, &c, "宅基").first().map(String::as_str),
        Some("land.homestead")
    );
    assert_eq!(
        top(&idx, &c, "divorce").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert_eq!(
        top(&idx, &c, "이혼").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert!(idx.search("", 5).is_empty());
    assert!(idx.search("  ，。 ", 5).is_empty());
    assert!(idx.search("qqqqxz", 5).is_empty());
}

/// Issue 14: Korean names are found as they are typed on the 두벌식 keyboard, syllable by
/// syllable, and in the Korean-Chinese spelling without the initial-sound rule.
#[test]
fn korean_is_found_while_it_is_typed() {
    let c = catalogue();
    let idx = SearchIndex::build(&c);
    let mut typed = crate::domain::hangul::TypedInput::default();
    let mut seen = Vec::new();
    for key in ["ㅇ", "ㅣ", "ㅎ", "ㅗ", "ㄴ"] {
        typed.push(key, 16);
        let text = typed.text();
        let found = top(&idx, &c, &text);
        if text.chars().count() > 1 || text == "이" {
            assert!(
                found.contains(&"marriage.divorce".to_owned()),
                "{text}: {found:?}"
            );
        }
        seen.push(text);
    }
    assert_eq!(seen, ["ㅇ", "이", "잏", "이호", "이혼"]);
    assert_eq!(
        top(&idx, &c, "이혼").first().map(String::as_str),
        Some("marriage.divorce")
    );
    assert_eq!(
        top(&idx, &c, "리혼").first().map(String::as_str),
        Some("marriage.divorce"),
        "Korean-Chinese spelling"
    );
    assert!(
        top(&idx, &c, "로동").contains(&"category:labour".to_owned()),
        "로동 finds 노동"
    );
    assert_eq!(
        top(&idx, &c, "임금").first().map(String::as_str),
        Some("labour.unpaid-wages")
    );
    assert_eq!(
        top(&idx, &c, "임그").first().map(String::as_str),
        Some("labour.unpaid-wages"),
        "the syllable being typed"
    );
    assert!(top(&idx, &c, "법률원조").contains(&"services.legal-aid".to_owned()));
    assert!(top(&idx, &c, "가정폭").contains(&"marriage.domestic-violence".to_owned()));
    assert!(top(&idx, &c, "교통사고").contains(&"category:traffic".to_owned()));
    assert!(idx.search("ㅋㅋㅋㅋ", 5).is_empty());
}

#[test]
fn search_hits_are_unique_and_ranked() {
    let c = catalogue();
    let idx = SearchIndex::build(&c);
    let hits = idx.search("gs", 20);
    let targets: HashSet<_> = hits.iter().map(|h| h.target).collect();
    assert_eq!(targets.len(), hits.len(), "one hit per target");
    assert!(hits.windows(2).all(|w| w[0].score >= w[1].score));
    for h in &hits {
        let id = match h.target {
            SearchTarget::Category(i) => &c.categories[i].id,
            SearchTarget::Matter(i) => &c.matters[i].id,
        };
        assert_eq!(&h.id, id);
    }
    let hit = &idx.search("讨薪", 1)[0];
    assert_eq!(hit.matched, "讨薪");
}
