//! The query builder and snippets on any query: parsing, planning,
//! building tantivy queries and the first pass's terms never panic, and
//! snippets stay escaped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use posfaq::analysis::Analyzer;
use posfaq::index::schema::build_schema;
use posfaq::search::query::{QueryPlan, Weighted, parse};
use posfaq::search::snippet::snippet;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let analyzer = Analyzer::shared();
    let (_, f) = build_schema();
    let plan = QueryPlan::new(&parse(&text), &analyzer);
    let fields = [Weighted { field: f.title, boost: 3.0 }, Weighted { field: f.body, boost: 1.0 }];
    let _ = plan.build(&analyzer, &fields, &fields[..1]);
    // The first pass and the constraints a search checks on its candidates.
    let _ = plan.recall(&analyzer, &[f.title, f.body], f.body, &|_| 5000, 10_000);
    let _ = plan.constraints(f.body);
    let html = snippet(&analyzer, &text, &plan.highlights(&analyzer), 40);
    let without_marks = html.replace("<mark>", "").replace("</mark>", "");
    assert!(!without_marks.contains('<') && !without_marks.contains('>'));
});
