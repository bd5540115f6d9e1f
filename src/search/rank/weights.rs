//! Every number the ranking uses, in one place, each with where it came
//! from. "Tuning set" is the tuning part of `tests/eval` (queries.tsv and
//! qrels.tsv); a number fitted there is an upper bound on how well it
//! generalizes.

/// How much each kind of match counts.
#[derive(Debug, Clone, Copy)]
pub struct Weights {
    /// Field boosts for an article: its title, and `body`, which holds all
    /// its text (title, tags, codes, headings, sections). Title 2 fitted on
    /// the tuning parts of the three judged sets (main, cold, passages:
    /// 1, 1.5, 2 and 3 tried; 2 gives nDCG@10/P@1 0.975/0.974, 0.981/0.969
    /// and 0.766/0.849 there, 3 gives 0.974/0.974, 0.976/0.953 and
    /// 0.755/0.811). Scoring the tags and headings fields as well doubles
    /// the terms a search walks for +0.002 nDCG@10 and +0.007 P@1 on the
    /// main set, so they are not. A word's parts are looked for in the
    /// body alone (which holds the title): in the title too they cost 11%
    /// more CPU at 100k articles for +0.002 nDCG@10 and +0.007 Recall@10
    /// on the main set.
    pub title: f32,
    pub body: f32,
    /// A word's part (sub-word or bigram inside it) next to the word
    /// itself: fitted on the tuning set (0.2, 0.3 and 0.5 tried; 0.2 and
    /// 0.3 tie, 0.5 loses 0.013 P@1; on the three sets' tuning parts 0.5
    /// and 0.7 lose on the cold and passage sets); low enough that an
    /// article with the whole word beats one with two of its parts apart.
    pub part: f32,
    /// A bigram joining two words written side by side, per field, next to
    /// a word: fitted on the tuning set (0.25 to 2.0 tried; 1.0 gave nDCG@10
    /// 0.976 and P@1 0.966, 0.5 gave 0.971 and 0.953; on the three sets'
    /// tuning parts 0.5 and 1.5 lose on the cold and passage sets). Stands
    /// for "the words appear together as written".
    pub join: f32,
    /// A device word (`analysis/weak_words.txt`): nearly every article has
    /// one. Chosen: a quarter, so two of them never outweigh a symptom.
    pub weak_word: f32,
    /// A word shaped like a response code (`54`, `a0`): the most specific
    /// thing a merchant types, read off the screen. Fitted on the tuning
    /// parts of both judged sets: 1, 2, 3 and 4 give the cold set's nDCG@10
    /// 0.939, 0.939, 0.945, 0.945 and leave the main set's as it is; the
    /// smallest of the best. With the passage set's tuning part too, 2
    /// loses on the cold set (0.989 to 0.983) and 5 gains on the passages
    /// only (0.800 to 0.809): 3 stays.
    pub code: f32,
    /// A fallback word (pinyin alias, typo correction) next to a word the
    /// user wrote. Chosen below one half, so a word as typed always counts
    /// for more than a guess at it.
    pub fallback: f32,
    /// A quoted phrase, on top of its words. Chosen: it is what the user
    /// insisted on.
    pub phrase: f32,
    /// Section fields, for the best section of a hit: a section's own
    /// title (often the question it answers) over its text. Chosen.
    pub section_title: f32,
    pub section_text: f32,
    /// Fix-card fields, for the card's full-text rank among cards (one
    /// input of the answer model). Chosen as for articles; fitted with the
    /// answer model on `tests/eval/answers.tsv`.
    pub card_title: f32,
    pub card_keywords: f32,
    pub card_body: f32,
    /// Scores this close, relative to the higher, tie and go in id order.
    /// Chosen: above the rounding of a sum of a thousand f32 scores added
    /// in any order (about 6e-5 of the sum), below any difference a weight
    /// or a term frequency makes.
    pub tie: f32,
}

/// The weights in force.
pub const WEIGHTS: Weights = Weights {
    title: 2.0,
    body: 1.0,
    part: 0.3,
    join: 1.0,
    weak_word: 0.25,
    code: 3.0,
    fallback: 0.4,
    phrase: 2.0,
    section_title: 2.0,
    section_text: 1.0,
    card_title: 3.0,
    card_keywords: 3.0,
    card_body: 1.0,
    tie: 1e-4,
};
