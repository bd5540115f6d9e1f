//! The analyzer on any text: no panic, offsets on char boundaries and in
//! order, positions never decreasing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use posfaq::analysis::Analyzer;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let analyzer = Analyzer::shared();
    let tokens = analyzer.tokens(&text);
    for token in &tokens {
        assert!(text.is_char_boundary(token.offset_from) && text.is_char_boundary(token.offset_to));
        assert!(token.offset_from < token.offset_to && token.offset_to <= text.len());
    }
    assert!(tokens.windows(2).all(|w| w[0].position <= w[1].position));
    let _ = analyzer.words(&text);
});
