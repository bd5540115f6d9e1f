//! The analyzer as a tantivy tokenizer. Custom tokenizers are not stored in
//! a tantivy index, so [`crate::index`] registers this one every time it
//! creates or opens an index.

use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::Analyzer;

/// Adapts [`Analyzer::tokens`] to tantivy's `Tokenizer` trait.
#[derive(Clone)]
pub struct PosfaqTokenizer {
    analyzer: Arc<Analyzer>,
    tokens: Vec<Token>,
}

impl PosfaqTokenizer {
    /// A tokenizer backed by `analyzer`.
    pub fn new(analyzer: Arc<Analyzer>) -> Self {
        PosfaqTokenizer {
            analyzer,
            tokens: Vec::new(),
        }
    }
}

/// The tokens of one text, replayed to tantivy.
pub struct PosfaqTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for PosfaqTokenizer {
    type TokenStream<'a> = PosfaqTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PosfaqTokenStream<'a> {
        self.tokens.clear();
        self.tokens
            .extend(self.analyzer.tokens(text).into_iter().map(|t| Token {
                offset_from: t.offset_from,
                offset_to: t.offset_to,
                position: t.position,
                text: t.text,
                position_length: 1,
            }));
        PosfaqTokenStream {
            tokens: &mut self.tokens,
            next: 0,
        }
    }
}

impl TokenStream for PosfaqTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}
