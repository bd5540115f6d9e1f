//! Analyzer tables: what a text becomes, with offsets and positions.

use proptest::prelude::*;

use super::*;

fn analyzer() -> Arc<Analyzer> {
    Analyzer::shared()
}

/// (text, position, from, to) of every token of `kind`.
fn table(text: &str, kind: TokenKind) -> Vec<(String, usize, usize, usize)> {
    analyzer()
        .tokens(text)
        .into_iter()
        .filter(|t| t.kind == kind)
        .map(|t| (t.text, t.position, t.offset_from, t.offset_to))
        .collect()
}

fn texts(text: &str) -> Vec<String> {
    analyzer()
        .tokens(text)
        .into_iter()
        .map(|t| t.text)
        .collect()
}

fn row(text: &str, position: usize, from: usize, to: usize) -> (String, usize, usize, usize) {
    (text.to_string(), position, from, to)
}

#[test]
fn words_of_a_status_message() {
    assert_eq!(
        table("83无效终端", TokenKind::Word),
        vec![row("83", 0, 0, 2), row("无效终端", 2, 2, 14)]
    );
}

#[test]
fn subwords_of_a_compound() {
    assert_eq!(
        table("终端未登记", TokenKind::Subword),
        vec![
            row("终端", 0, 0, 6),
            row("未登记", 2, 6, 15),
            row("登记", 3, 9, 15)
        ]
    );
}

#[test]
fn characters_are_indexed_one_by_one() {
    assert_eq!(
        table("胡蝶", TokenKind::Char),
        vec![row("胡", 0, 0, 3), row("蝶", 1, 3, 6)]
    );
}

#[test]
fn bigrams_cross_word_boundaries() {
    let bigrams: Vec<String> = table("终端未登记", TokenKind::Bigram)
        .into_iter()
        .map(|(text, ..)| text)
        .collect();
    // 终端 and 登记 are sub-words at the same places, kept as those.
    assert_eq!(bigrams, ["端未", "未登"]);
    assert_eq!(
        table("83无效", TokenKind::Bigram),
        Vec::<(String, usize, usize, usize)>::new(),
        "无效 is a word; a digit and an ideograph make no bigram"
    );
    assert_eq!(
        table("機器，刷卡", TokenKind::Bigram),
        Vec::<(String, usize, usize, usize)>::new(),
        "punctuation separates characters"
    );
}

#[test]
fn offsets_point_into_the_original_text() {
    // Traditional and full-width input: tokens are simplified, offsets are not.
    let text = "ＰＯＳ機顯示終端未登記";
    for token in analyzer().tokens(text) {
        assert!(text.is_char_boundary(token.offset_from));
        assert!(text.is_char_boundary(token.offset_to));
    }
    let word = analyzer()
        .words(text)
        .into_iter()
        .find(|t| t.text == "终端未登记")
        .expect("终端未登记 is one word");
    assert_eq!(&text[word.offset_from..word.offset_to], "終端未登記");
}

#[test]
fn repaired_obfuscation_highlights_the_whole_original() {
    let text = "请刷ka卡";
    let word = analyzer()
        .words(text)
        .into_iter()
        .find(|t| t.text == "刷卡")
        .expect("刷ka卡 reads as 刷卡");
    assert_eq!(&text[word.offset_from..word.offset_to], "刷ka卡");
}

#[test]
fn codes_and_numbers_stay_whole() {
    let words: Vec<String> = analyzer()
        .words("返回码A0 电话1512")
        .into_iter()
        .map(|t| t.text)
        .collect();
    assert!(words.contains(&"a0".to_string()), "{words:?}");
    assert!(words.contains(&"1512".to_string()), "{words:?}");
    assert!(!words.contains(&"51".to_string()), "{words:?}");
}

#[test]
fn latin_inside_a_mixed_word_is_findable() {
    assert!(
        texts("POS机").contains(&"pos".to_string()),
        "{:?}",
        texts("POS机")
    );
}

#[test]
fn punctuation_and_spaces_make_no_tokens() {
    assert!(texts("，。！ 、  ...").is_empty());
}

#[test]
fn a_domain_word_written_across_two_words_is_a_sub_word() {
    // jieba cuts POS终端未登记 as pos终端 未登记.
    assert_eq!(
        table("POS终端未登记", TokenKind::Subword)
            .into_iter()
            .filter(|t| t.0 == "终端未登记")
            .collect::<Vec<_>>(),
        [row("终端未登记", 3, 3, 18)]
    );
}

#[test]
fn sub_words_from_the_issue() {
    // The core issue's examples: a part finds the whole.
    for (whole, part) in [
        ("中国农业发展银行", "农业"),
        ("待处理", "处理"),
        ("测试工具箱", "工具"),
        ("未登记", "登记"),
    ] {
        assert!(
            texts(whole).contains(&part.to_string()),
            "{part} in {whole}: {:?}",
            texts(whole)
        );
    }
}

#[test]
fn homophones_share_no_token() {
    let a = texts("景点");
    assert!(texts("经典").iter().all(|t| !a.contains(t)));
    let b = texts("刘德华");
    assert!(!b.contains(&"柳".to_string()));
}

#[test]
fn positions_never_decrease() {
    let tokens = analyzer().tokens("拉卡拉POS机显示“83无效终端”，终端未登记怎么办？");
    assert!(tokens.windows(2).all(|w| w[0].position <= w[1].position));
}

#[test]
fn fingerprint_names_the_version() {
    assert!(analyzer().fingerprint().starts_with('v'));
}

proptest! {
    #[test]
    fn offsets_fall_on_char_boundaries(text in "[a-zA-Z0-9 ，。！？\u{4e00}-\u{4fff}\u{ff01}-\u{ff5e}\u{1f600}-\u{1f64f}]{0,60}") {
        for token in analyzer().tokens(&text) {
            prop_assert!(text.is_char_boundary(token.offset_from));
            prop_assert!(text.is_char_boundary(token.offset_to));
            prop_assert!(token.offset_from < token.offset_to);
        }
    }

    #[test]
    fn any_string_analyzes_without_panicking(text in any::<String>()) {
        for token in analyzer().tokens(&text) {
            prop_assert!(text.is_char_boundary(token.offset_from));
            prop_assert!(text.is_char_boundary(token.offset_to));
        }
    }
}

/// Domain text for the unit properties: words of the knowledge base, in any
/// order, with ASCII and punctuation between them.
fn domain_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "终端",
        "未登记",
        "无效",
        "商户",
        "状态",
        "异常",
        "拉卡拉",
        "pos机",
        "刷卡",
        "手续费",
        "费率",
        "激活",
        "83",
        "a0",
        "签到",
        "失败",
        "密码",
        "错误",
        "次数",
        "超限",
        "交易",
        "结算卡",
        "更换",
        "机",
        "卡",
        "的",
        "了",
        "，",
        " ",
        "？",
        "sim",
        "网络",
        "打印",
        "小票",
        "中国农业发展银行",
        "磁条卡",
        "ic卡",
    ]);
    prop::collection::vec(pieces, 1..12).prop_map(|p| p.concat())
}

proptest! {
    /// Every unit the query side asks for, a word's own token and its
    /// parts, is a token the index emits at the same position.
    #[test]
    fn query_units_are_indexed_tokens(text in domain_text()) {
        let a = analyzer();
        let indexed: std::collections::HashSet<(usize, String)> =
            a.tokens(&text).into_iter().map(|t| (t.position, t.text)).collect();
        let words = a.words(&text);
        for word in &words {
            prop_assert!(indexed.contains(&(word.position, word.text.clone())), "{word:?}");
            for part in a.parts(word) {
                prop_assert!(indexed.contains(&(part.position, part.text.clone())), "{part:?} of {word:?}");
            }
        }
        for unit in units::joins(&words).into_iter().chain(units::phrase_units(&words)) {
            prop_assert!(indexed.contains(&(unit.position, unit.text.clone())), "{unit:?}");
        }
    }
}

#[test]
fn a_question_asks_for_the_section_that_answers_it() {
    let asks = |text: &str| {
        let words = analyzer().words(text);
        words::answering_words(words.iter().map(|w| w.text.as_str()))
    };
    assert_eq!(asks("签到失败怎么办"), ["解决"]);
    assert_eq!(asks("为什么总是签到失败"), ["原因"]);
    // 怎么办理 asks how to apply, not how to fix.
    assert!(asks("pos机怎么办理").is_empty());
    assert!(asks("签到失败").is_empty());
}

#[test]
fn a_payment_word_of_latin_letters_is_a_whole_word() {
    assert!(words::names_payment("pos机开不了机"));
    assert!(words::names_payment("我的手机pos"));
    assert!(words::names_payment("顾客刷卡失败"));
    assert!(!words::names_payment("deposit the posters"));
    assert!(!words::names_payment("电脑升级系统的时候断电了"));
}
