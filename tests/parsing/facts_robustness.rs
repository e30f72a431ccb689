//! `facts_in` on arbitrary text: never panics (all slicing is on char boundaries), every source
//! is a verbatim substring, every value finite and non-negative. Deterministic pseudo-random
//! paragraphs built from the characters the scanner treats specially.

use docingest::document::extract::facts::facts_in;
use docingest::document::extract::refs::legal_references;

const ALPHABET: &[&str] = &[
    "0",
    "1",
    "2",
    "5",
    "9",
    "０",
    "７",
    ".",
    "．",
    ",",
    "，",
    "、",
    "。",
    ";",
    "：",
    ":",
    "-",
    "—",
    "/",
    "／",
    "+",
    "×",
    "至",
    "万",
    "亿",
    "千",
    "余",
    "多",
    "约",
    "超过",
    "以上",
    "人",
    "人次",
    "次",
    "个",
    "个百分点",
    "成",
    "%",
    "％",
    "元",
    "平方米",
    "小时",
    "年",
    "月",
    "日",
    "第",
    "“",
    "”",
    "\"",
    "《",
    "》",
    "〈",
    "〉",
    "(",
    ")",
    "（",
    "）",
    " ",
    "\u{3000}",
    "\u{a0}",
    "a",
    "G",
    "人数",
    "利益",
    "下降",
    "力争",
    "学时",
    "每名",
    "的",
    "开展",
    "\n",
    "𠀀",
    "é",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn random_paragraphs_never_panic_and_sources_are_substrings() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut facts_seen = 0;
    for _ in 0..20_000 {
        let len = (rng.next() % 40) as usize;
        let p: String = (0..len)
            .map(|_| ALPHABET[(rng.next() % ALPHABET.len() as u64) as usize])
            .collect();
        for f in facts_in(&p) {
            facts_seen += 1;
            assert!(p.contains(&f.source), "{p:?}: source {:?}", f.source);
            assert!(f.value.is_finite() && f.value >= 0.0, "{p:?}: {}", f.value);
            assert!(!f.source.is_empty());
        }
        for r in legal_references(&p) {
            assert!(p.contains(&r));
        }
    }
    // The generator must exercise the fact path, not only the rejections.
    assert!(facts_seen > 1_000, "only {facts_seen} facts");
}

#[test]
fn very_long_numbers_and_paragraphs() {
    assert!(facts_in(&format!("{}件", "9".repeat(40))).is_empty());
    let p = "开展活动3次,".repeat(10_000);
    assert_eq!(facts_in(&p).len(), 10_000);
}
