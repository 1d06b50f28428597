//! Masking what a card says before anything shows or keeps it: names on glass as 张* or
//! 欧阳**, ID numbers as their first 3 and last 4 characters (GB/T 35273 display limits).
//! One rule for the kiosk's screens and the registry's bookings.

/// Chinese compound surnames: the whole surname stays visible, as people expect (欧阳**,
/// not 欧***).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
    "司空", "夏侯", "轩辕", "令狐", "钟离", "端木", "独孤", "南宫", "西门", "呼延", "万俟", "澹台",
    "公冶", "太史", "申屠", "闻人", "赫连", "濮阳", "东郭", "左丘", "拓跋", "百里", "第五", "单于",
    "闾丘", "亓官", "仲孙", "叔孙", "乐正", "漆雕", "谷梁", "羊舌",
];

/// A name for the screen: the surname, then one `*` per remaining character. Latin names
/// (foreigners' cards) keep the first letter of each word. Separators (·, spaces) stay.
pub fn mask_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return String::new();
    }
    if name.chars().all(|c| c.is_ascii() || c == '·') {
        return mask_latin(name);
    }
    let keep = COMPOUND_SURNAMES
        .iter()
        .find(|s| name.starts_with(*s) && name.chars().count() > 2)
        .map_or(1, |s| s.chars().count());
    name.chars()
        .enumerate()
        .map(|(i, c)| if i < keep || is_separator(c) { c } else { '*' })
        .collect()
}

fn mask_latin(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut at_word_start = true;
    for c in name.chars() {
        if is_separator(c) || c == ',' || c == '-' {
            out.push(c);
            at_word_start = true;
        } else if at_word_start {
            out.push(c);
            at_word_start = false;
        } else {
            out.push('*');
        }
    }
    out
}

fn is_separator(c: char) -> bool {
    c == '·' || c == '•' || c.is_whitespace()
}

/// An ID or permit number as first 3 + `*` + last 4 (`220***********1234`); numbers too
/// short to mask that way are masked entirely.
pub fn mask_id_number(number: &str) -> String {
    let chars: Vec<char> = number.trim().chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| if i < 3 || i >= n - 4 { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests;
