//! Front matter and Markdown parsing on any file: an article, a fix card
//! or an error, never a panic; the article view's HTML stays sanitized.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use posfaq::corpus::{markdown, parse_article, parse_fix};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(article) = parse_article(Path::new("fuzz.md"), &text) {
        let html = markdown::render_html(&article.body);
        assert!(!html.contains("<script"));
    }
    let _ = parse_fix(Path::new("fuzz.md"), &text);
});
