//! The query side and snippets on any query: parsing, planning and building
//! tantivy queries never panic, snippets' marks fit their text and their
//! HTML stays escaped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use posfaq::analysis::Analyzer;
use posfaq::index::schema::build_schema;
use posfaq::search::query::build::{Constraints, Terms, Weighted};
use posfaq::search::query::{QueryPlan, parse};
use posfaq::search::rank::WEIGHTS;
use posfaq::search::snippet::snippet;
use posfaq::server::json::snippet_html;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let analyzer = Analyzer::shared();
    let (_, f) = build_schema();
    let plan = QueryPlan::new(&parse(&text), &analyzer);
    let fields = [Weighted::words_only(f.title, 3.0), Weighted::new(f.body, 1.0)];
    let terms = Terms::of(&plan, &analyzer, &fields, &WEIGHTS);
    assert_eq!(terms.is_empty(), plan.is_empty());
    let _query = terms.sum();
    let constraints = Constraints::of(&plan, f.body);
    assert!(constraints.required.len() <= plan.phrases.len());
    let snippet = snippet(&analyzer, &text, &plan.highlights(&analyzer), 40);
    let len = snippet.text.chars().count();
    let mut end = None;
    for mark in &snippet.marks {
        assert!(mark.start < mark.end && mark.end <= len);
        assert!(end.is_none_or(|end| end < mark.start));
        end = Some(mark.end);
    }
    let pieces = snippet.pieces();
    assert_eq!(pieces.iter().map(|p| p.0).collect::<String>(), snippet.text);
    assert_eq!(pieces.iter().filter(|p| p.1).count(), snippet.marks.len());
    let html = snippet_html(&snippet);
    let without_marks = html.replace("<mark>", "").replace("</mark>", "");
    assert!(!without_marks.contains('<') && !without_marks.contains('>'));
});
