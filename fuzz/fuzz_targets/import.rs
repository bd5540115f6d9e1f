//! The importer on any raw text: whatever it writes is a valid article.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use posfaq::analysis::Analyzer;
use posfaq::corpus::import::{Rules, import_text};
use posfaq::corpus::parse_article;

fuzz_target!(|data: &[u8]| {
    static RULES: OnceLock<Rules> = OnceLock::new();
    let rules = RULES.get_or_init(|| Rules::new(Analyzer::shared().repairs()));
    let text = String::from_utf8_lossy(data);
    let (markdown, _) = import_text(&text, "fuzz.txt", "fuzz", "2026-01-01", rules);
    if let Err(e) = parse_article(Path::new("fuzz.md"), &markdown) {
        panic!("the import is not a valid article: {e}\n{markdown}");
    }
});
