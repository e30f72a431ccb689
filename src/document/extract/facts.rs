//! Quantitative facts: every number in a paragraph that states a quantity, with its unit,
//! qualifier, kind and the clause it was read from.
//!
//! Input is one paragraph of normalized text (full-width digits usually converted, spaces
//! between CJK and digits removed); half- and full-width punctuation are both accepted, and a
//! space left between a number and its unit is tolerated.
//!
//! What is a fact (see the corpus EXPECTED-SCHEMA, "Facts"): Arabic digits, optional decimal
//! part, optional 万/亿/千 multiplier, followed by a unit from the lexicon (`lexicon.rs`), or by
//! the end of the clause when the noun before it implies the unit (普及人数超过4.2万 -> 人) or
//! marks money (维护群众利益540万 -> amount, unit missing). A quantity written in words is a
//! fact too when it is one well-formed number followed by a unit (三万余人次, 两千余件, 两轮,
//! 十个村委会; see [`word_facts`] for what rules such a number out).
//!
//! What is never a fact: numbers in “”/《》 (model names, slogans, titles: “3+8”, “12.4”),
//! ranges, codes and dates chained by - / . : 至 (1-12月, 370403/2022-00022), years, months and
//! days (no 年/月/日 unit exists), ordinals (第3), ranks (排名3), document numbers (〔2023〕5号 has
//! no unit), hotlines (12345热线 has no unit), durations used as attributes (24小时值班制度),
//! slogans that count (三个100%, 两个维护, 八项规定), and a lone 一 (一批, 一次: "a", not a
//! count). When in doubt the number is left out: a wrong value is worse than a missing one.
//!
//! Cost: a paragraph without digits is rejected by one byte scan; each number does bounded
//! look-behind and look-ahead (tens of characters) and allocates only the `Fact` it returns.

mod clause;
mod lexicon;
mod number;

use crate::document::cn_numeral::QUANTITY_CHARS;
use crate::document::result::Fact;
use crate::document::scan::CharSet;
use lexicon::Unit;
use number::Number;

/// Every quantitative fact stated in one paragraph of normalized text, in order of appearance.
/// `section` and `table_cell` are left `None` for the caller to fill.
pub fn facts_in(paragraph: &str) -> Vec<Fact> {
    // Traditional-script pages (項, 個, 萬) are read with the simplified unit lexicon. Every
    // character mapped is a 3-byte CJK character mapped to another, so byte offsets hold and the
    // sources are cut from the text as written.
    if TRADITIONAL_UNITS.find_from(paragraph, 0).is_some() {
        let simplified: String = paragraph
            .chars()
            .map(|c| traditional_unit(c).unwrap_or(c))
            .collect();
        debug_assert_eq!(simplified.len(), paragraph.len());
        let mut facts = facts_in_simplified(&simplified);
        for f in &mut facts {
            if let Some(at) = simplified.find(&f.source) {
                if let Some(orig) = paragraph.get(at..at + f.source.len()) {
                    f.source = orig.to_string();
                }
            }
            // The unit as written: 項, not 项.
            if let Some(u) = f.unit.as_mut() {
                let src = &f.source;
                *u = u
                    .chars()
                    .map(|c| {
                        src.chars()
                            .find(|&t| traditional_unit(t) == Some(c))
                            .unwrap_or(c)
                    })
                    .collect();
            }
        }
        return facts;
    }
    facts_in_simplified(paragraph)
}

/// The characters [`traditional_unit`] maps.
static TRADITIONAL_UNITS: CharSet = CharSet::new(&[
    '項', '個', '萬', '億', '場', '處', '間', '條', '戶', '張', '種', '級', '輪', '傳', '擔', '筆',
    '隊', '畝', '噸', '餘', '約', '達',
]);

/// The simplified form of a traditional character used in units and multipliers.
fn traditional_unit(c: char) -> Option<char> {
    Some(match c {
        '項' => '项',
        '個' => '个',
        '萬' => '万',
        '億' => '亿',
        '場' => '场',
        '處' => '处',
        '間' => '间',
        '條' => '条',
        '戶' => '户',
        '張' => '张',
        '種' => '种',
        '級' => '级',
        '輪' => '轮',
        '傳' => '传',
        '擔' => '担',
        '筆' => '笔',
        '隊' => '队',
        '畝' => '亩',
        '噸' => '吨',
        '餘' => '余',
        '約' => '约',
        '達' => '达',
        _ => return None,
    })
}

fn facts_in_simplified(paragraph: &str) -> Vec<Fact> {
    let mut facts = digit_facts(paragraph);
    let words = word_facts(paragraph);
    if words.is_empty() {
        return facts.into_iter().map(|(_, f)| f).collect();
    }
    facts.extend(words);
    // Both lists are in order and never overlap (a word number next to a digit is skipped).
    facts.sort_by_key(|&(at, _)| at);
    facts.into_iter().map(|(_, f)| f).collect()
}

/// The facts stated with Arabic digits, each with the byte offset of its number.
fn digit_facts(paragraph: &str) -> Vec<(usize, Fact)> {
    let mut facts = Vec::new();
    let mut at = 0;
    // `"` seen before `counted_to`, counted incrementally so quote parity stays linear.
    let (mut ascii_quotes, mut counted_to) = (0, 0);
    while let Some(start) = number::next_digit(paragraph, at) {
        ascii_quotes += bytecount_quotes(&paragraph.as_bytes()[counted_to..start]);
        counted_to = start;
        let n = number::scan(paragraph, start);
        if let Some(end) = number::chain_end(paragraph, &n) {
            at = end;
            continue;
        }
        at = n.end;
        if let Some((fact, consumed)) = read_fact(paragraph, &n, ascii_quotes) {
            facts.push((start, fact));
            at = consumed;
        }
    }
    facts
}

/// What may not stand right before a quantity in words: an ordinal or session (第三次, 十届十次),
/// a manner (分四批), a frequency (每两年), a vague count (数十人, 几十家), a demonstrative (这两个).
const NOT_BEFORE_WORD_NUMBER: &[char] = &[
    '第', '届', '分', '每', '数', '几', '这', '那', '其', '各', '哪', '若', '周', '初',
];

/// Units a quantity in words does not take: 十分 (very), 两面 (two-faced), and units that
/// begin place names (三门县, 七台河).
const NOT_WORD_UNITS: &[&str] = &["分", "面", "门", "台"];

/// What follows a counted slogan (两个维护, 四个意识, 八项规定, 三项制度, 十项行动) or a count of
/// aspects of the text itself (三个方面, 两个环节): part of a name or of the argument, not a
/// measurement.
const SLOGAN_NOUNS: &[&str] = &[
    "维护", "确立", "意识", "自信", "全面", "代表", "统一", "规定", "制度", "行动", "工程", "机制",
    "原则", "必须", "严禁", "不准", "禁止", "坚持", "落实", "覆盖", "清单", "目标", "方面", "环节",
    "层面", "阶段", "步骤", "维度", "重点", "关键", "领域", "途径",
];

/// The facts stated with a quantity written in words (三万余人次, 两千余件, 两轮), each with the
/// byte offset of its number. Only a well-formed number followed by a unit counts, and only
/// when nothing around it says it is a name, a slogan, an ordinal or an approximation.
fn word_facts(p: &str) -> Vec<(usize, Fact)> {
    let mut facts = Vec::new();
    let mut at = 0;
    // `"` seen before `counted_to`, counted incrementally so quote parity stays linear.
    let (mut ascii_quotes, mut counted_to) = (0, 0);
    while let Some(start) = QUANTITY_CHARS.find_from(p, at) {
        let len = p[start..]
            .find(|c: char| !crate::document::cn_numeral::is_quantity_char(c))
            .unwrap_or(p.len() - start);
        let end = start + len;
        at = end;
        ascii_quotes += bytecount_quotes(&p.as_bytes()[counted_to..start]);
        counted_to = start;
        if let Some(fact) = word_fact(p, start, end, ascii_quotes) {
            facts.push((start, fact));
        }
    }
    facts
}

fn word_fact(p: &str, start: usize, end: usize, quotes: usize) -> Option<Fact> {
    let numeral = &p[start..end];
    if numeral == "一" {
        return None;
    }
    // Most numerals in prose are parts of words (二是, 三农, 十四五): no unit follows. That is
    // checked first, before the number is read.
    let rest = &p[end..];
    let rest = eat(p, end, lexicon::NUMBER_SUFFIX_QUALIFIERS).map_or(rest, |q| &rest[q.len()..]);
    if !matches!(lexicon::unit_at(rest), Some(Ok(_))) {
        return None;
    }
    let prev = p[..start].chars().next_back();
    // 3万, 2.5亿: the digits' reading owns the multiplier.
    if prev.is_some_and(|c| number::is_digit(c) || matches!(c, '.' | '．'))
        || prev.is_some_and(|c| NOT_BEFORE_WORD_NUMBER.contains(&c))
    {
        return None;
    }
    let value = crate::document::cn_numeral::quantity(numeral)?;
    let n = Number::in_words(start, end, value);
    let (fact, consumed) = read_fact(p, &n, quotes)?;
    let unit = fact.unit.as_deref()?;
    if fact.unit_implicit || NOT_WORD_UNITS.contains(&unit) {
        return None;
    }
    let after = &p[consumed..];
    let mut next = after.chars();
    // 五个一, 一村一品, 三个100%: a count of counts is a slogan.
    if next
        .next()
        .is_some_and(|c| number::is_digit(c) || crate::document::cn_numeral::is_quantity_char(c))
        || SLOGAN_NOUNS.iter().any(|w| after.starts_with(w))
    {
        return None;
    }
    // 石洞、三家、玉丰: an item of a list of names that is nothing but numeral and unit.
    if prev == Some('、') && after.starts_with(['、', '，', ',', '。', '；']) {
        return None;
    }
    // 五家渠市, 三台县: a place name, not a count.
    if after
        .chars()
        .take(2)
        .any(|c| matches!(c, '市' | '县' | '区' | '州'))
    {
        return None;
    }
    Some(fact)
}

fn bytecount_quotes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'"').count()
}

/// Byte offset after any spaces at `i` (a normalizer may leave one between number and unit).
fn skip_spaces(p: &str, i: usize) -> usize {
    let rest = &p[i..];
    i + (rest.len() - rest.trim_start_matches([' ', '\u{a0}', '\u{3000}']).len())
}

fn eat<'w>(p: &str, i: usize, words: &[&'w str]) -> Option<&'w str> {
    words.iter().copied().find(|w| p[i..].starts_with(w))
}

/// Is the number a rank, ordinal or code part, judging by what is written right before it?
fn excluded_by_what_precedes(before: &str) -> bool {
    let mut back = before.chars().rev();
    let Some(prev) = back.next() else {
        return false;
    };
    if prev.is_ascii_alphanumeric() || matches!(prev, '第' | '#' | '@' | '№' | '_' | '*' | '＊')
    {
        // `*` too: digits masked by a mirror site (2*3件) are not a number.
        return true;
    }
    // 三个100%, 两个100%: a slogan counting targets, not a measured ratio.
    if prev == '个'
        && back
            .clone()
            .next()
            .is_some_and(crate::document::cn_numeral::is_cn_digit)
    {
        return true;
    }
    // A sign or a separator glued to the number: -5%, No.5, A-1, 3+ (the chain scanner already
    // consumed digit-separator-digit).
    if number::is_chain_separator_char(prev) && prev != '至' && prev != '到' {
        return true;
    }
    if prev == '前'
        && !back
            .next()
            .is_some_and(|c| "目此之当以提事眼面门空跟史会年日月".contains(c))
    {
        // 全市前3名 is a rank.
        return true;
    }
    lexicon::RANK_WORDS
        .iter()
        .any(|w| lexicon::ends_with_word(before, w))
}

/// The qualifier written right before the number, and where it starts.
fn prefix_qualifier(before: &str) -> Option<(&'static str, usize)> {
    let trimmed = before.trim_end_matches([' ', '\u{a0}', '\u{3000}']);
    for &(word, not_after) in lexicon::PREFIX_QUALIFIERS {
        if lexicon::ends_with_word(trimmed, word) {
            let head = &trimmed[..trimmed.len() - word.len()];
            if head
                .chars()
                .next_back()
                .is_some_and(|c| not_after.contains(&c))
            {
                continue;
            }
            return Some((word, head.len()));
        }
    }
    None
}

/// The text before the number with connector words (为, 达, 共计…) stripped from its end, so
/// its last word is the noun the number belongs to.
fn noun_before(context: &str) -> &str {
    let mut s = context;
    for _ in 0..4 {
        match lexicon::CONNECTORS
            .iter()
            .find(|c| lexicon::ends_with_word(s, c))
        {
            Some(c) => s = &s[..s.len() - c.len()],
            None => break,
        }
    }
    s
}

/// How the number ends: multiplier, qualifier, unit. Offsets are bytes into the paragraph.
struct Tail {
    exp: u32,
    /// End of the number text including its multiplier (for `value_text`).
    value_end: usize,
    suffix_qualifier: Option<&'static str>,
    unit: Option<&'static Unit>,
    /// End of everything read: unit, its qualifier and its per part.
    end: usize,
    per: Option<(usize, usize)>,
}

/// Reads multiplier, qualifier, unit, unit qualifier and per part after the digits.
/// `None` when what follows rules the number out.
fn read_tail(p: &str, n: &Number) -> Option<Tail> {
    // 5G, 3D, 10kV: a number glued to Latin letters is a name.
    if p[n.end..]
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
    {
        return None;
    }
    let mut pos = skip_spaces(p, n.end);
    let mut value_end = n.end;
    let mut suffix_qualifier = eat(p, pos, lexicon::NUMBER_SUFFIX_QUALIFIERS);
    if let Some(q) = suffix_qualifier {
        pos = skip_spaces(p, pos + q.len());
    }
    let mut exp = 0;
    if !lexicon::unit_starts_with_multiplier(&p[pos..]) {
        if let Some(&(m, e)) = lexicon::MULTIPLIERS
            .iter()
            .find(|(m, _)| p[pos..].starts_with(m))
        {
            exp = e;
            value_end = pos + m.len();
            pos = skip_spaces(p, value_end);
            if suffix_qualifier.is_none() {
                suffix_qualifier = eat(p, pos, lexicon::NUMBER_SUFFIX_QUALIFIERS);
                if let Some(q) = suffix_qualifier {
                    pos = skip_spaces(p, pos + q.len());
                }
            }
        }
    }
    let unit = match lexicon::unit_at(&p[pos..]) {
        Some(Ok(unit)) => Some(unit),
        Some(Err(())) => return None,
        None => None,
    };
    let mut end = match unit {
        Some(u) => pos + u.text.len(),
        // Without a unit, the number (and its qualifier) ends here.
        None => suffix_qualifier.map_or(value_end, |_| pos),
    };
    if let Some(q) = eat(p, end, lexicon::UNIT_SUFFIX_QUALIFIERS) {
        if suffix_qualifier.is_none() {
            suffix_qualifier = Some(q);
        }
        end += q.len();
    }
    let per = if unit.is_some() {
        per_after(p, end)
    } else {
        None
    };
    if let Some((_, to)) = per {
        end = to;
    }
    Some(Tail {
        exp,
        value_end,
        suffix_qualifier,
        unit,
        end,
        per,
    })
}

/// The denominator written after the unit: "62学时/每名执法人员" -> 每名执法人员.
fn per_after(p: &str, end: usize) -> Option<(usize, usize)> {
    let slash = ['/', '／'].into_iter().find(|&s| p[end..].starts_with(s))?;
    let from = end + slash.len_utf8();
    let mut to = from;
    for (n, (i, c)) in p[from..].char_indices().enumerate() {
        if n >= 12
            || number::is_digit(c)
            || matches!(c, ' ' | '/' | '／')
            || clause::at_clause_end(p, from + i)
        {
            break;
        }
        to = from + i + c.len_utf8();
    }
    (to > from).then_some((from, to))
}

/// The fact stated by the number `n`, and the byte offset where reading it ended.
fn read_fact(p: &str, n: &Number, ascii_quotes_before: usize) -> Option<(Fact, usize)> {
    if n.digits > number::MAX_DIGITS {
        return None;
    }
    let before = &p[..n.start];
    if excluded_by_what_precedes(before) {
        return None;
    }
    // The tail rejects most non-facts (years, dates, codes) cheaply, so it goes first.
    let tail = read_tail(p, n)?;
    if clause::is_quoted(p, n.start, n.end, ascii_quotes_before) {
        return None;
    }
    let value = n.value(tail.exp);
    let (prefix, context_end) = match prefix_qualifier(before) {
        Some((q, at)) => (Some(q), at),
        None => (None, n.start),
    };
    let start = clause::source_start(p, n.start);
    let context = &p[start.min(context_end)..context_end];
    let noun = noun_before(context);

    let mut unit_text = None;
    let mut kind = None;
    let mut unit_implicit = false;
    let mut unit_missing = false;
    let source_end = match tail.unit {
        Some(unit) => {
            if unit.class.needs_clause_end() && !clause::at_clause_end(p, skip_spaces(p, tail.end))
            {
                return None;
            }
            // 成 is a rate in tenths (3成): a larger or scaled number is a different word.
            if unit.text == "成" && (value > 10.0 || tail.exp != 0) {
                return None;
            }
            unit_text = Some(unit.text);
            kind = unit.class.kind();
            clause::source_end(p, tail.end)
        }
        None => {
            if !clause::at_clause_end(p, skip_spaces(p, tail.end)) {
                return None;
            }
            if let Some(&(_, u)) = lexicon::IMPLICIT_UNITS
                .iter()
                .find(|(w, _)| lexicon::ends_with_word(noun, w))
            {
                unit_text = Some(u);
                unit_implicit = true;
            } else if lexicon::MONEY_NOUNS
                .iter()
                .any(|w| lexicon::ends_with_word(noun, w))
            {
                kind = Some("amount");
                unit_missing = true;
            } else if lexicon::SCORE_NOUNS
                .iter()
                .any(|w| lexicon::ends_with_word(noun, w))
            {
                unit_text = Some("分");
                kind = Some("score");
                unit_implicit = true;
            } else {
                return None;
            }
            tail.end
        }
    };
    if lexicon::CHANGE_WORDS
        .iter()
        .any(|w| lexicon::ends_with_word(noun, w))
    {
        kind = Some("change");
    }
    if context.contains(['力', '争', '目', '预'])
        && lexicon::TARGET_WORDS.iter().any(|w| context.contains(w))
    {
        kind = Some("target");
    }

    let qualifier = match (prefix, tail.suffix_qualifier) {
        (Some(a), Some(b)) => Some(format!("{a}…{b}")),
        (Some(q), None) | (None, Some(q)) => Some(q.to_string()),
        (None, None) => None,
    };
    // The denominator: written after the unit (62学时/每名执法人员), or as an average or density
    // before the number (人均办案12件, 每万人拥有律师3.5名).
    let per = match tail.per {
        Some((a, b)) => Some(&p[a..b]),
        None => lexicon::AVERAGE_MARKERS
            .iter()
            .copied()
            .find(|m| context.contains(m))
            .or_else(|| lexicon::per_population(context)),
    };
    let number_text = &p[n.start..tail.value_end];
    let value_text = (!is_plain(number_text)).then(|| number_text.to_string());
    let source = p[start..source_end].trim_matches([' ', '\u{a0}', '\u{3000}']);
    let fact = Fact {
        value,
        unit: unit_text.map(str::to_string),
        source: source.to_string(),
        value_text,
        qualifier,
        kind: kind.map(str::to_string),
        unit_implicit,
        unit_missing,
        per: per.map(str::to_string),
        section: None,
        table_cell: None,
    };
    Some((fact, tail.end))
}

/// Is the number written exactly as its value prints (ASCII digits, no leading zero, no
/// trailing fractional zero, no separator or multiplier)? Then `value_text` adds nothing.
fn is_plain(text: &str) -> bool {
    let b = text.as_bytes();
    let Some(&last) = b.last() else {
        return false;
    };
    if !b.iter().all(|&c| c.is_ascii_digit() || c == b'.') {
        return false;
    }
    let int_len = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
    let leading_zero = b[0] == b'0' && int_len > 1;
    let trailing_zero = int_len < b.len() && (last == b'0' || last == b'.');
    !leading_zero && !trailing_zero
}

#[cfg(test)]
mod tests;
