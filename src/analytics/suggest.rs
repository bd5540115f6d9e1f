//! The knowledge team's to-do list, beyond counting what went unanswered:
//! what to add to the knowledge base. Unanswered queries are grouped by their normalized words (the
//! analyzer's words, question words and words for the device itself left
//! out, in sorted order), so `今天天气怎么样` and `天气 今天` are one item.
//! For each group:
//!
//! - **candidate synonyms**: a word of the group that people also typed
//!   when they went on to click an article that does not contain it: the
//!   knowledge base calls the thing by another name, and `synonyms.txt`
//!   could say so;
//! - **candidate symptoms**: the group's most frequent phrasings, which no
//!   card lists as a symptom, for the card whose source articles those
//!   clicks reached, or for a new card.

use std::collections::{BTreeMap, HashMap};

use super::report::{QueryCount, SymptomCandidate, SynonymCandidate, TodoGroup};
use crate::analysis::Analyzer;
use crate::analysis::words::{is_stop_word, is_weak_word};
use crate::search::Engine;

/// Candidates of each kind listed per group.
const PER_GROUP: usize = 5;

/// The words a query is grouped by: sorted, each once.
pub(crate) fn key_words(analyzer: &Analyzer, query: &str) -> Vec<String> {
    let mut words: Vec<String> = analyzer
        .words(query)
        .into_iter()
        .map(|t| t.text)
        .filter(|w| w.chars().any(char::is_alphanumeric) && !is_stop_word(w) && !is_weak_word(w))
        .collect();
    words.sort();
    words.dedup();
    words
}

/// The words of a query and the dictionary words inside them (`天气` in
/// `今天天气`): what a click query is matched on.
fn vocabulary(analyzer: &Analyzer, query: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in analyzer.words(query) {
        let text = &word.text;
        if !text.chars().any(char::is_alphanumeric) || is_stop_word(text) || is_weak_word(text) {
            continue;
        }
        out.extend(
            analyzer
                .parts(&word)
                .into_iter()
                .map(|p| p.text)
                .filter(|p| p.chars().count() >= 2 && analyzer.is_word(p)),
        );
        out.push(word.text);
    }
    out.sort();
    out.dedup();
    out
}

/// The to-do list from the unanswered queries (most frequent first) and
/// the clicks on articles, (query, article, clicks); at most `limit`
/// groups, the largest first.
pub(crate) fn todo(
    unanswered: &[QueryCount],
    clicks: &[(String, String, i64)],
    engine: Option<&Engine>,
    limit: usize,
) -> Vec<TodoGroup> {
    let analyzer = Analyzer::shared();
    let mut groups: BTreeMap<Vec<String>, TodoGroup> = BTreeMap::new();
    for query in unanswered {
        let mut words = key_words(&analyzer, &query.query);
        if words.is_empty() {
            words.push(query.query.clone());
        }
        let group = groups.entry(words.clone()).or_insert_with(|| TodoGroup {
            words,
            count: 0,
            queries: Vec::new(),
            synonyms: Vec::new(),
            symptoms: Vec::new(),
        });
        group.count += query.count;
        group.queries.push(query.clone());
    }
    let mut groups: Vec<TodoGroup> = groups.into_values().collect();
    groups.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.words.cmp(&b.words)));
    groups.truncate(limit);
    let Some(engine) = engine else {
        return groups;
    };
    let mut knowledge = Knowledge::new(engine, &analyzer);
    let clicked: Vec<(Vec<String>, &str, i64)> = clicks
        .iter()
        .map(|(query, article, n)| (vocabulary(&analyzer, query), article.as_str(), *n))
        .collect();
    for group in &mut groups {
        let words = vocabulary(&analyzer, &group.words.join(" "));
        group.synonyms = synonyms(&words, &clicked, &mut knowledge);
        group.symptoms = symptoms(group, &mut knowledge);
    }
    groups
}

fn synonyms(
    words: &[String],
    clicked: &[(Vec<String>, &str, i64)],
    knowledge: &mut Knowledge,
) -> Vec<SynonymCandidate> {
    let mut found: BTreeMap<(String, String), i64> = BTreeMap::new();
    for word in words {
        for (query_words, article, n) in clicked {
            if query_words.contains(word) && knowledge.article_lacks(article, word) {
                *found
                    .entry((word.clone(), article.to_string()))
                    .or_default() += n;
            }
        }
    }
    let mut candidates: Vec<SynonymCandidate> = found
        .into_iter()
        .map(|((word, article), clicks)| SynonymCandidate {
            title: knowledge.title(&article),
            word,
            article,
            clicks,
        })
        .collect();
    candidates.sort_by_key(|c| std::cmp::Reverse(c.clicks));
    candidates.truncate(PER_GROUP);
    candidates
}

fn symptoms(group: &TodoGroup, knowledge: &mut Knowledge) -> Vec<SymptomCandidate> {
    // The card whose sources the group's synonyms lead to, if any.
    let card = group
        .synonyms
        .iter()
        .find_map(|s| knowledge.card_citing(&s.article));
    group
        .queries
        .iter()
        .filter(|q| !knowledge.is_symptom(&q.query))
        .take(PER_GROUP)
        .map(|q| SymptomCandidate {
            symptom: q.query.clone(),
            title: card.as_ref().map(|(_, title)| title.clone()),
            card: card.as_ref().map(|(id, _)| id.clone()),
        })
        .collect()
}

/// What the to-do list looks up in the knowledge base, read once.
struct Knowledge<'a> {
    engine: &'a Engine,
    analyzer: &'a Analyzer,
    /// An article's normalized text (title and body), by id; `None` when
    /// the id is not in the index.
    articles: HashMap<String, Option<(String, String)>>,
    /// (card id, title, related articles); compact symptoms of all cards.
    cards: Vec<(String, String, Vec<String>)>,
    symptoms: Vec<String>,
}

impl<'a> Knowledge<'a> {
    fn new(engine: &'a Engine, analyzer: &'a Analyzer) -> Knowledge<'a> {
        let fixes = engine.fixes().unwrap_or_default();
        Knowledge {
            symptoms: fixes
                .iter()
                .flat_map(|c| c.symptoms.iter().chain([&c.title]))
                .map(|s| analyzer.compact(s))
                .collect(),
            cards: fixes
                .into_iter()
                .map(|c| (c.id, c.title, c.related))
                .collect(),
            engine,
            analyzer,
            articles: HashMap::new(),
        }
    }

    fn article(&mut self, id: &str) -> Option<&(String, String)> {
        if !self.articles.contains_key(id) {
            let record = self.engine.article(id).ok().flatten().map(|a| {
                let text = self
                    .analyzer
                    .normalize(&format!("{}\n{}", a.title, a.markdown));
                (a.title, text.as_str().to_string())
            });
            self.articles.insert(id.to_string(), record);
        }
        self.articles.get(id).and_then(Option::as_ref)
    }

    /// Whether the article exists and its text lacks `word` (normalized).
    fn article_lacks(&mut self, id: &str, word: &str) -> bool {
        self.article(id)
            .is_some_and(|(_, text)| !text.contains(word))
    }

    fn title(&mut self, id: &str) -> Option<String> {
        self.article(id).map(|(title, _)| title.clone())
    }

    fn card_citing(&self, article: &str) -> Option<(String, String)> {
        self.cards
            .iter()
            .find(|(_, _, related)| related.iter().any(|r| r == article))
            .map(|(id, title, _)| (id.clone(), title.clone()))
    }

    fn is_symptom(&self, query: &str) -> bool {
        let compact = self.analyzer.compact(query);
        self.symptoms.contains(&compact)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(query: &str, count: i64) -> QueryCount {
        QueryCount {
            query: query.into(),
            count,
            hits: 0,
        }
    }

    #[test]
    fn queries_with_the_same_words_are_one_group() {
        let analyzer = Analyzer::shared();
        assert_eq!(key_words(&analyzer, "北京 天气怎么样"), ["北京", "天气"]);
        assert_eq!(key_words(&analyzer, "天气 北京 吗"), ["北京", "天气"]);
        assert!(vocabulary(&analyzer, "北京天气怎么样").contains(&"天气".to_string()));
        let groups = todo(
            &[
                count("北京 天气怎么样", 3),
                count("天气 北京 吗", 1),
                count("xyzzy", 2),
            ],
            &[],
            None,
            10,
        );
        let summary: Vec<(Vec<String>, i64, usize)> = groups
            .iter()
            .map(|g| (g.words.clone(), g.count, g.queries.len()))
            .collect();
        assert_eq!(
            summary,
            [
                (vec!["北京".to_string(), "天气".to_string()], 4, 2),
                (vec!["xyzzy".to_string()], 2, 1),
            ]
        );
        assert_eq!(todo(&[count("a", 1), count("b", 1)], &[], None, 1).len(), 1);
    }
}
