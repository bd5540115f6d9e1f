//! Runs one analyzer over about 1 MB of text once, for instruction counts
//! that do not depend on the machine's load:
//!
//!     cargo build --release --example analyze_once
//!     valgrind --tool=callgrind target/release/examples/analyze_once MODE DIR
//!
//! MODE is `none` (loading and reading only), `bound` (jieba-rs
//! `cut_for_search`) or `tokenizer` (what indexing runs); DIR a folder of
//! Markdown, read in name order. The difference between a mode's total and
//! `none`'s is that analyzer's work.

use std::path::{Path, PathBuf};

use jieba_rs::Jieba;
use posfaq::analysis::{Analyzer, PosfaqTokenizer};
use tantivy::tokenizer::{TokenStream, Tokenizer};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(mode), Some(dir)) = (args.next(), args.next()) else {
        eprintln!("usage: analyze_once none|bound|tokenizer DIR");
        std::process::exit(2);
    };
    let mut paths = Vec::new();
    files(Path::new(&dir), &mut paths);
    paths.sort();
    let mut text = String::new();
    for path in paths {
        text.push_str(&std::fs::read_to_string(&path).unwrap_or_default());
        if text.len() > 1_000_000 {
            break;
        }
    }
    let analyzer = Analyzer::shared();
    let jieba = Jieba::new();
    let tokens = match mode.as_str() {
        "none" => 0,
        "bound" => jieba.cut_for_search(&text, false).len(),
        "tokenizer" => {
            let mut tokenizer = PosfaqTokenizer::new(analyzer);
            let mut stream = tokenizer.token_stream(&text);
            let mut n = 0;
            while stream.advance() {
                n += 1;
            }
            n
        }
        other => {
            eprintln!("unknown mode {other}: none, bound or tokenizer");
            std::process::exit(2);
        }
    };
    println!("{mode}: {tokens} tokens over {} bytes", text.len());
}
