//! The YAML front matter of an imported article: its id and title, a
//! category guessed from the title's words, the brands the body names, the
//! error codes and tags in the title, the source file and the `updated`
//! date, with the helpers that produce those values ([`yaml_string`],
//! [`id_from_file_name`], [`today`]).

use super::Rules;
use super::structure::patterns;

pub(super) fn front_matter(
    id: &str,
    title: &str,
    body: &str,
    source: &str,
    date: &str,
    rules: &Rules,
) -> String {
    let category = guess_category(title);
    let brands: Vec<&String> = rules
        .brands
        .iter()
        .filter(|b| body.contains(b.as_str()))
        .collect();
    let tags: Vec<&String> = rules
        .tags
        .iter()
        .filter(|t| title.contains(t.as_str()))
        .collect();
    let code = &patterns().code;
    let mut codes: Vec<String> = code
        .captures_iter(title)
        .map(|c| c[1].to_string())
        .collect();
    codes.dedup();
    format!(
        "---\nid: {id}\ntitle: {}\ncategory: {category}\nbrands: {}\ncodes: {}\ntags: {}\nsource: {}\nupdated: {date}\n---\n",
        yaml_string(title),
        yaml_list(brands.iter().map(|s| s.as_str())),
        yaml_list(codes.iter().map(String::as_str)),
        yaml_list(tags.iter().map(|s| s.as_str())),
        yaml_string(source),
    )
}

fn guess_category(title: &str) -> &'static str {
    let has = |words: &[&str]| words.iter().any(|w| title.contains(w));
    if has(&[
        "无效",
        "未登记",
        "异常",
        "停止使用",
        "无法",
        "失败",
        "死机",
        "故障",
    ]) {
        "status-error"
    } else if has(&["手续费", "费率"]) {
        "fees"
    } else if has(&["办理", "申请", "激活", "领取"]) {
        "application"
    } else {
        "usage"
    }
}

/// A YAML double-quoted string; characters YAML cannot hold as they are
/// (controls, U+FFFE, U+FFFF) are escaped.
pub fn yaml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn yaml_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.map(yaml_string).collect();
    format!("[{}]", items.join(", "))
}

/// An article id from a file name: lowercase ASCII letters, digits and `-`.
pub fn id_from_file_name(stem: &str) -> String {
    let mut id = String::new();
    for c in stem.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_matches('-').to_string();
    if id.is_empty() {
        "article".to_string()
    } else {
        id
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's method).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_civil() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(20_779), "2026-11-22");
    }

    #[test]
    fn ids_come_from_file_names() {
        assert_eq!(id_from_file_name("003_1E0cf13f"), "003-1e0cf13f");
        assert_eq!(id_from_file_name("拉卡拉"), "article");
    }
}
