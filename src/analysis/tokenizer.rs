//! The analyzer as a tantivy tokenizer. Custom tokenizers are not stored in
//! a tantivy index, so [`crate::index`] registers this one every time it
//! creates or opens an index.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::normalize::Normalized;
use super::{Analyzer, Span};

/// Adapts [`Analyzer::tokens`] to tantivy's `Tokenizer` trait: the spans
/// of one text are copied, one at a time, into a reused token, so indexing
/// makes no string per token.
#[derive(Clone)]
pub struct PosfaqTokenizer {
    analyzer: Arc<Analyzer>,
    normalized: Normalized,
    spans: Vec<Span>,
    token: Token,
}

impl PosfaqTokenizer {
    /// A tokenizer backed by `analyzer`.
    pub fn new(analyzer: Arc<Analyzer>) -> Self {
        PosfaqTokenizer {
            analyzer,
            normalized: Normalized::default(),
            spans: Vec::new(),
            token: Token::default(),
        }
    }
}

/// The tokens of one text, replayed to tantivy.
pub struct PosfaqTokenStream<'a> {
    text: &'a str,
    spans: &'a [Span],
    token: &'a mut Token,
    next: usize,
}

impl Tokenizer for PosfaqTokenizer {
    type TokenStream<'a> = PosfaqTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PosfaqTokenStream<'a> {
        self.normalized = self.analyzer.normalize(text);
        self.spans.clear();
        self.analyzer.spans(&self.normalized, &mut self.spans);
        PosfaqTokenStream {
            text: self.normalized.as_str(),
            spans: &self.spans,
            token: &mut self.token,
            next: 0,
        }
    }
}

impl TokenStream for PosfaqTokenStream<'_> {
    fn advance(&mut self) -> bool {
        let Some(span) = self.spans.get(self.next) else {
            return false;
        };
        self.next += 1;
        self.token.text.clear();
        self.token.text.push_str(&self.text[span.from..span.to]);
        self.token.offset_from = span.offset_from;
        self.token.offset_to = span.offset_to;
        self.token.position = span.position;
        self.token.position_length = 1;
        true
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// What tantivy indexes is exactly what [`Analyzer::tokens`] returns,
    /// the reused token refilled for each, for one text after another; and
    /// it is what tantivy's postings need: each term's positions
    /// increasing, a term once per position.
    #[test]
    fn stream_replays_the_analyzer_tokens() {
        let analyzer = Analyzer::shared();
        let mut tokenizer = PosfaqTokenizer::new(analyzer.clone());
        for text in [
            "拉卡拉POS机显示“83无效终端”怎么办",
            "終端未登記，請聯繫客服",
            "ＰＯＳ机８３ 刷ka卡 身份zheng证",
            "",
            "pos机 sim卡欠费",
            "卡卡卡卡卡 pos机pos机 中国农业发展银行中国农业发展银行",
            "POS终端未登记，终端未登记，pos终端未登记",
        ] {
            let mut stream = tokenizer.token_stream(text);
            let mut replayed = Vec::new();
            while stream.advance() {
                let t = stream.token();
                replayed.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
            }
            let mut last: HashMap<&str, usize> = HashMap::new();
            for (term, _, _, position) in &replayed {
                if let Some(previous) = last.insert(term, *position) {
                    assert!(
                        previous < *position,
                        "{term} at {previous} then {position} in {text}"
                    );
                }
            }
            replayed.sort_by(|a, b| (a.3, &a.0).cmp(&(b.3, &b.0)));
            let expected: Vec<_> = analyzer
                .tokens(text)
                .into_iter()
                .map(|t| (t.text, t.offset_from, t.offset_to, t.position))
                .collect();
            assert_eq!(replayed, expected, "{text}");
        }
    }
}
