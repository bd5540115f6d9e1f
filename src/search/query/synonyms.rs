//! Query-side synonyms: forms such as `用不了` and `开不了机` are rewritten
//! to their canonical form (`无法使用`, `无法启动`) so a colloquial query
//! meets the wording of the knowledge base. The index is not changed.

use crate::analysis::Analyzer;

/// Synonym groups, normalized, ready to rewrite text.
#[derive(Debug, Default, Clone)]
pub struct Synonyms {
    /// (form, canonical), longest form first.
    forms: Vec<(String, String)>,
}

impl Synonyms {
    /// Builds the rewriter from groups whose first form is canonical.
    pub fn new(groups: &[Vec<String>], analyzer: &Analyzer) -> Synonyms {
        let mut forms = Vec::new();
        for group in groups {
            let Some(canonical) = group.first() else {
                continue;
            };
            let canonical = analyzer.normalize(canonical).as_str().to_string();
            for form in &group[1..] {
                let form = analyzer.normalize(form).as_str().to_string();
                if !form.is_empty() && form != canonical {
                    forms.push((form, canonical.clone()));
                }
            }
        }
        forms.sort_by_key(|(form, _)| std::cmp::Reverse(form.chars().count()));
        Synonyms { forms }
    }

    /// `text` (normalized) with every form replaced by its canonical one,
    /// left to right, longest form first.
    pub fn canonicalize(&self, text: &str) -> String {
        if !self
            .forms
            .iter()
            .any(|(form, _)| text.contains(form.as_str()))
        {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        'scan: while let Some(c) = rest.chars().next() {
            for (form, canonical) in &self.forms {
                if let Some(after) = rest.strip_prefix(form.as_str()) {
                    out.push_str(canonical);
                    rest = after;
                    continue 'scan;
                }
            }
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colloquial_forms_become_canonical() {
        let groups = vec![
            vec![
                "无法使用".to_string(),
                "用不了".to_string(),
                "不能用".to_string(),
            ],
            vec!["无法启动".to_string(), "开不了机".to_string()],
        ];
        let s = Synonyms::new(&groups, &Analyzer::shared());
        assert_eq!(s.canonicalize("pos机用不了了"), "pos机无法使用了");
        assert_eq!(s.canonicalize("开不了机怎么办"), "无法启动怎么办");
        assert_eq!(s.canonicalize("无关的话"), "无关的话");
    }
}
