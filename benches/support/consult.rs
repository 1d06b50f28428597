// Shared by the consultation benches (included with `#[path]`, not a bench itself).

use std::time::Duration;

use legal_kiosk::domain::consult::defaults;

#[path = "machine.rs"]
mod machine_info;
pub use machine_info::machine;

/// p50, p99 and max of a set of timings.
pub fn percentiles(mut d: Vec<Duration>) -> (Duration, Duration, Duration) {
    d.sort();
    let at = |q: f64| d[((d.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99), d[d.len() - 1])
}

/// The default content's files plus `n` synthetic matters built from the default names and
/// keywords (realistic characters, unique ids, a two-question flow each).
pub fn synthetic_files(n: usize) -> Vec<(String, Vec<u8>)> {
    let base = defaults::catalogue().expect("default content is valid");
    let mut words: Vec<String> = Vec::new();
    for m in &base.matters {
        words.push(m.name.zh_cn.clone());
        words.extend(m.keywords.iter().cloned());
    }
    let categories: Vec<&str> = base.categories.iter().map(|c| c.id.as_str()).collect();
    let areas: Vec<&str> = base.service_areas.iter().map(|a| a.id.as_str()).collect();
    let mut files: Vec<(String, Vec<u8>)> = defaults::FILES
        .iter()
        .filter(|(name, _)| !name.starts_with("matters/"))
        .map(|(name, text)| (name.to_string(), text.as_bytes().to_vec()))
        .collect();
    let w = |i: usize| words[i % words.len()].as_str();
    for i in 0..n {
        let keywords: Vec<String> = (0..6)
            .map(|k| format!("\"{}\"", w(i * 13 + k * 31 + 5)))
            .collect();
        let text = format!(
            r#"id = "synthetic.m{i}"
category = "{cat}"
areas = ["{area}"]
name = {{ zh-CN = "{a}{b}", en = "Synthetic matter {i}" }}
summary = {{ zh-CN = "合成的事项，用于测试。" }}
keywords = [{keywords}]
[[question]]
id = "q1"
text = {{ zh-CN = "第一个问题？" }}
answers = [ {{ id = "a", label = {{ zh-CN = "是" }}, next = "q2" }}, {{ id = "b", label = {{ zh-CN = "否" }}, next = "q2" }} ]
[[question]]
id = "q2"
text = {{ zh-CN = "第二个问题？" }}
answers = [ {{ id = "a", label = {{ zh-CN = "是" }}, outcome = "o1" }}, {{ id = "b", label = {{ zh-CN = "否" }}, outcome = "o2" }} ]
[[outcome]]
id = "o1"
title = {{ zh-CN = "取号" }}
summary = {{ zh-CN = "取号咨询。" }}
step = [ {{ kind = "ticket", service = "legal-consultation", materials = ["id-card"] }} ]
[[outcome]]
id = "o2"
title = {{ zh-CN = "调解" }}
summary = {{ zh-CN = "申请调解。" }}
step = [ {{ kind = "ticket", service = "mediation" }}, {{ kind = "hotline", hotline = "12348" }} ]
"#,
            cat = categories[i % categories.len()],
            area = areas[i % areas.len()],
            a = w(i),
            b = w(i * 7 + 3),
            keywords = keywords.join(", "),
        );
        files.push((format!("matters/synthetic-{i}.toml"), text.into_bytes()));
    }
    files
}
