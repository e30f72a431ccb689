//! `numbering.xml`: automatic paragraph numbers rendered as Word shows them (一、 （一） 1.1 ①).
//!
//! A paragraph points at a `w:num` (numId) and a level (ilvl); the num points at a
//! `w:abstractNum` holding up to nine `w:lvl` definitions (start, numFmt, lvlText, lvlRestart,
//! isLgl, suff). A num may override single levels (`w:lvlOverride`, with a `w:startOverride`
//! and/or a whole replacement `w:lvl`). numId 0 means "no numbering".
//!
//! Counters follow Word: nums that share an abstractNum continue one another's numbering; a
//! num with a `startOverride` restarts those levels the first time it is used. Using a level
//! restarts every deeper level (or, with `w:lvlRestart`, the deeper levels whose restart level
//! it is). A level never used yet shows its start value in a composite label like `%1.%2`.
//!
//! Guarantees: every number format renders any `i64` without panicking and in bounded space
//! (formats that grow with the value, like `AAA…`, fall back to decimal beyond a small size).

use super::styles::Styles;
use super::xml::{on_off, Ns, XmlPart};
use crate::document::cn_numeral;
use crate::document::error::ParseError;
use quick_xml::events::Event;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::io::BufRead;

/// Levels of one list definition, in docx and .doc alike.
pub(in crate::document::readers) const LEVELS: usize = 9;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::document::readers) enum NumFmt {
    Decimal,
    DecimalZero,
    UpperRoman,
    LowerRoman,
    UpperLetter,
    LowerLetter,
    Ordinal,
    /// 一 二 … 十 十一 … 二十 … 一百零一
    ChineseCounting,
    /// 壹 贰 … 拾 壹拾壹
    ChineseLegal,
    /// 一〇 (one ideograph per decimal digit)
    IdeographDigital,
    /// 甲 乙 丙 …
    IdeographTraditional,
    /// 子 丑 寅 …
    IdeographZodiac,
    /// ① … ⑳ ㉑ … ㊿
    EnclosedCircle,
    /// ⑴ … ⒇
    EnclosedParen,
    /// ⒈ … ⒛
    EnclosedFullstop,
    /// １ ２ …
    FullWidth,
    Bullet,
    None,
}

impl NumFmt {
    /// The format of a `w:numFmt` value (the .doc reader names its `nfc` codes the same way).
    pub(in crate::document::readers) fn parse(s: &str) -> NumFmt {
        match s {
            "decimalZero" => NumFmt::DecimalZero,
            "upperRoman" => NumFmt::UpperRoman,
            "lowerRoman" => NumFmt::LowerRoman,
            "upperLetter" => NumFmt::UpperLetter,
            "lowerLetter" => NumFmt::LowerLetter,
            "ordinal" => NumFmt::Ordinal,
            "chineseCounting"
            | "chineseCountingThousand"
            | "japaneseCounting"
            | "taiwaneseCounting"
            | "taiwaneseCountingThousand" => NumFmt::ChineseCounting,
            "chineseLegalSimplified" => NumFmt::ChineseLegal,
            "ideographDigital" | "taiwaneseDigital" | "japaneseDigitalTenThousand" => {
                NumFmt::IdeographDigital
            }
            "ideographTraditional" => NumFmt::IdeographTraditional,
            "ideographZodiac" => NumFmt::IdeographZodiac,
            "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => NumFmt::EnclosedCircle,
            "decimalEnclosedParen" => NumFmt::EnclosedParen,
            "decimalEnclosedFullstop" => NumFmt::EnclosedFullstop,
            "decimalFullWidth" | "decimalFullWidth2" => NumFmt::FullWidth,
            "bullet" => NumFmt::Bullet,
            "none" => NumFmt::None,
            // decimal, cardinalText, ordinalText, hex and the rarer script systems: decimal is
            // what a reader can still follow.
            _ => NumFmt::Decimal,
        }
    }
}

/// What separates the label from the text (`w:suff`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::document::readers) enum Suffix {
    Tab,
    Space,
    Nothing,
}

#[derive(Debug, Clone, PartialEq)]
pub(in crate::document::readers) struct Level {
    /// `w:start`; absent or valueless means 0, as the standard says.
    pub start: i64,
    pub fmt: NumFmt,
    /// `w:lvlText`; `None` when absent (no label at all).
    pub text: Option<String>,
    /// `w:lvlRestart`, 1-based; 0 = never restart.
    pub restart: Option<i64>,
    pub legal: bool,
    pub p_style: Option<String>,
    pub suffix: Suffix,
}

impl Default for Level {
    fn default() -> Self {
        Level {
            start: 0,
            fmt: NumFmt::Decimal,
            text: None,
            restart: None,
            legal: false,
            p_style: None,
            suffix: Suffix::Tab,
        }
    }
}

#[derive(Debug, Default, Clone)]
struct Abstract {
    levels: [Option<Level>; LEVELS],
    /// `w:numStyleLink`: the definition lives in the numbering style of that id.
    num_style_link: Option<String>,
}

#[derive(Debug, Default, Clone)]
struct Num {
    abstract_id: i64,
    start_overrides: [Option<i64>; LEVELS],
    level_overrides: [Option<Level>; LEVELS],
}

#[derive(Debug, Default)]
pub(in crate::document::readers) struct Numbering {
    abstracts: HashMap<i64, Abstract>,
    nums: HashMap<i64, Num>,
}

/// Running counters of one story (body, a header...).
#[derive(Debug, Default)]
pub(in crate::document::readers) struct Counters {
    values: HashMap<i64, [Option<i64>; LEVELS]>,
    used_nums: HashSet<i64>,
}

impl Numbering {
    pub(super) fn parse<R: BufRead>(xml: &mut XmlPart<R>) -> Result<Numbering, ParseError> {
        #[derive(Clone, Copy, PartialEq)]
        enum F {
            Plain,
            Skip,
            Abstract,
            Num,
            Override,
            Lvl,
        }
        let mut out = Numbering::default();
        let mut frames: Vec<F> = Vec::new();
        let mut buf = Vec::new();
        // The abstractNum or num being read, and the level inside it.
        let mut cur_abstract: Option<(i64, Abstract)> = None;
        let mut cur_num: Option<(i64, Num)> = None;
        let mut cur_override: Option<usize> = None;
        let mut cur_level: Option<(usize, Level)> = None;
        loop {
            buf.clear();
            let event = xml.next(&mut buf)?;
            let (e, empty) = match event {
                Event::Start(e) => (e, false),
                Event::Empty(e) => (e, true),
                Event::End(_) => {
                    match frames.pop() {
                        Some(F::Lvl) => finish_level(
                            &mut cur_level,
                            &mut cur_abstract,
                            &mut cur_num,
                            cur_override,
                        ),
                        Some(F::Override) => cur_override = None,
                        Some(F::Abstract) => {
                            if let Some((id, a)) = cur_abstract.take() {
                                out.abstracts.entry(id).or_insert(a);
                            }
                        }
                        Some(F::Num) => {
                            if let Some((id, n)) = cur_num.take() {
                                out.nums.entry(id).or_insert(n);
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                Event::Eof => break,
                _ => continue,
            };
            let parent = frames.last().copied().unwrap_or(F::Plain);
            let (ns, local) = xml.name(&e);
            let int = |name: &str| -> Option<i64> {
                xml.attr(&e, Ns::W, name)
                    .and_then(|v| v.trim().parse().ok())
            };
            let val = || xml.val(&e).and_then(|v| v.trim().parse::<i64>().ok());
            let frame = if parent == F::Skip || ns != Ns::W {
                F::Skip
            } else {
                match (parent, local) {
                    (F::Plain, "numbering") => F::Plain,
                    (F::Plain, "abstractNum") => {
                        cur_abstract = int("abstractNumId").map(|id| (id, Abstract::default()));
                        F::Abstract
                    }
                    (F::Plain, "num") => {
                        cur_num = int("numId").map(|id| (id, Num::default()));
                        F::Num
                    }
                    (F::Abstract, "numStyleLink") => {
                        if let Some((_, a)) = cur_abstract.as_mut() {
                            a.num_style_link = xml.val(&e).map(|v| v.into_owned());
                        }
                        F::Skip
                    }
                    (F::Abstract, "lvl") | (F::Override, "lvl") => {
                        cur_level = level_index(int("ilvl")).map(|i| (i, Level::default()));
                        F::Lvl
                    }
                    (F::Num, "abstractNumId") => {
                        if let (Some((_, n)), Some(v)) = (cur_num.as_mut(), val()) {
                            n.abstract_id = v;
                        }
                        F::Skip
                    }
                    (F::Num, "lvlOverride") => {
                        cur_override = level_index(int("ilvl"));
                        F::Override
                    }
                    (F::Override, "startOverride") => {
                        if let (Some((_, n)), Some(i)) = (cur_num.as_mut(), cur_override) {
                            n.start_overrides[i] = Some(val().unwrap_or(0));
                        }
                        F::Skip
                    }
                    (F::Lvl, field) => {
                        if let Some((_, l)) = cur_level.as_mut() {
                            match field {
                                "start" => l.start = val().unwrap_or(0),
                                "numFmt" => {
                                    l.fmt = NumFmt::parse(xml.val(&e).as_deref().unwrap_or(""))
                                }
                                "lvlText" => {
                                    l.text = Some(
                                        xml.val(&e).map(|v| v.into_owned()).unwrap_or_default(),
                                    )
                                }
                                "lvlRestart" => l.restart = val(),
                                "isLgl" => l.legal = on_off(xml.val(&e).as_deref()),
                                "pStyle" => l.p_style = xml.val(&e).map(|v| v.into_owned()),
                                "suff" => {
                                    l.suffix = match xml.val(&e).as_deref() {
                                        Some("space") => Suffix::Space,
                                        Some("nothing") => Suffix::Nothing,
                                        _ => Suffix::Tab,
                                    }
                                }
                                _ => {}
                            }
                        }
                        F::Skip
                    }
                    _ => F::Skip,
                }
            };
            if empty {
                // An empty container closes at once.
                match frame {
                    F::Lvl => finish_level(
                        &mut cur_level,
                        &mut cur_abstract,
                        &mut cur_num,
                        cur_override,
                    ),
                    F::Abstract => {
                        if let Some((id, a)) = cur_abstract.take() {
                            out.abstracts.entry(id).or_insert(a);
                        }
                    }
                    F::Num => {
                        if let Some((id, n)) = cur_num.take() {
                            out.nums.entry(id).or_insert(n);
                        }
                    }
                    F::Override => cur_override = None,
                    _ => {}
                }
            } else {
                frames.push(frame);
            }
        }
        Ok(out)
    }

    /// Adds a list definition (a docx `w:abstractNum`, a .doc LSTF with its LVLs); the first
    /// definition of an id wins, as in [`Numbering::parse`].
    pub(in crate::document::readers) fn add_abstract(
        &mut self,
        id: i64,
        levels: [Option<Level>; LEVELS],
    ) {
        self.abstracts.entry(id).or_insert(Abstract {
            levels,
            num_style_link: None,
        });
    }

    /// Adds a list instance (a docx `w:num`, a .doc LFO) with its per-level start and level
    /// overrides; the first instance of an id wins.
    pub(in crate::document::readers) fn add_num(
        &mut self,
        id: i64,
        abstract_id: i64,
        start_overrides: [Option<i64>; LEVELS],
        level_overrides: [Option<Level>; LEVELS],
    ) {
        self.nums.entry(id).or_insert(Num {
            abstract_id,
            start_overrides,
            level_overrides,
        });
    }

    /// The abstract definition a num uses, following one `numStyleLink` hop through a
    /// numbering style.
    fn abstract_of(&self, num_id: i64, styles: &Styles) -> Option<(i64, &Num, &Abstract)> {
        let num = self.nums.get(&num_id)?;
        let mut abs_id = num.abstract_id;
        let mut abs = self.abstracts.get(&abs_id)?;
        if let Some(link) = &abs.num_style_link {
            let linked = styles
                .lookup(link)
                .and_then(|i| styles.get(i).num_id)
                .and_then(|n| self.nums.get(&n))
                .and_then(|n| {
                    self.abstracts
                        .get(&n.abstract_id)
                        .map(|a| (n.abstract_id, a))
                });
            if let Some((id, a)) = linked {
                abs_id = id;
                abs = a;
            }
        }
        Some((abs_id, num, abs))
    }

    fn level<'n>(num: &'n Num, abs: &'n Abstract, ilvl: usize) -> Option<&'n Level> {
        num.level_overrides[ilvl]
            .as_ref()
            .or(abs.levels[ilvl].as_ref())
    }

    /// The level a paragraph styled `style_id` gets from a style-linked numbering when neither
    /// the paragraph nor the style says `ilvl`: the level whose `w:pStyle` names the style.
    pub(super) fn level_for_style(
        &self,
        num_id: i64,
        style_id: &str,
        styles: &Styles,
    ) -> Option<u8> {
        let (_, num, abs) = self.abstract_of(num_id, styles)?;
        (0..LEVELS)
            .find(|&i| {
                Numbering::level(num, abs, i).and_then(|l| l.p_style.as_deref()) == Some(style_id)
            })
            .map(|i| i as u8)
    }

    /// Advances the counters for one paragraph numbered (num_id, ilvl) and returns its label,
    /// separator included (`"一、"`, `"1. "`), or `None` for bullets and undefined numbering.
    pub(in crate::document::readers) fn next_label(
        &self,
        counters: &mut Counters,
        styles: &Styles,
        num_id: i64,
        ilvl: u8,
    ) -> Option<String> {
        if num_id == 0 {
            return None;
        }
        let ilvl = usize::from(ilvl).min(LEVELS - 1);
        let (abs_id, num, abs) = self.abstract_of(num_id, styles)?;
        let level = Numbering::level(num, abs, ilvl)?;
        let start_of = |i: usize| -> i64 {
            num.start_overrides[i]
                .or_else(|| Numbering::level(num, abs, i).map(|l| l.start))
                .unwrap_or(0)
        };
        let values = counters.values.entry(abs_id).or_insert([None; LEVELS]);
        if counters.used_nums.insert(num_id) {
            for (i, o) in num.start_overrides.iter().enumerate() {
                if o.is_some() {
                    values[i] = None;
                }
            }
        }
        values[ilvl] = Some(match values[ilvl] {
            None => start_of(ilvl),
            Some(v) => v.saturating_add(1),
        });
        for (k, slot) in values.iter_mut().enumerate().skip(ilvl + 1) {
            let threshold = Numbering::level(num, abs, k)
                .and_then(|l| l.restart)
                .unwrap_or(k as i64);
            if (ilvl as i64) < threshold {
                *slot = None;
            }
        }
        if level.fmt == NumFmt::Bullet {
            return None;
        }
        let pattern = level.text.as_deref()?;
        let mut label = String::new();
        let mut chars = pattern.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%' {
                if let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                    chars.next();
                    if (1..=LEVELS as u32).contains(&d) {
                        let i = d as usize - 1;
                        let value = values[i].unwrap_or_else(|| start_of(i));
                        let fmt = Numbering::level(num, abs, i).map_or(NumFmt::Decimal, |l| l.fmt);
                        let fmt = if level.legal && fmt != NumFmt::None && fmt != NumFmt::Bullet {
                            NumFmt::Decimal
                        } else {
                            fmt
                        };
                        format_number(value, fmt, &mut label);
                    }
                    continue;
                }
            }
            label.push(c);
        }
        if label.is_empty() {
            return None;
        }
        // Word puts a tab (or a space) after the label. Chinese labels end in full-width
        // punctuation or a self-contained numeral (一、 （一） １． ①) and in a plain-text
        // rendition the text follows them directly, so they get nothing; ASCII labels (`1.`,
        // `(a)`) and labels ending in an ideograph (第一章) get one space, as a typist would.
        let spaced = |c: char| c.is_ascii_graphic() || c.is_alphabetic();
        if level.suffix != Suffix::Nothing && label.chars().last().is_some_and(spaced) {
            label.push(' ');
        }
        Some(label)
    }
}

fn level_index(v: Option<i64>) -> Option<usize> {
    v.and_then(|i| usize::try_from(i).ok())
        .filter(|&i| i < LEVELS)
}

fn finish_level(
    cur_level: &mut Option<(usize, Level)>,
    cur_abstract: &mut Option<(i64, Abstract)>,
    cur_num: &mut Option<(i64, Num)>,
    cur_override: Option<usize>,
) {
    let Some((i, level)) = cur_level.take() else {
        return;
    };
    if let (Some(o), Some((_, n))) = (cur_override, cur_num.as_mut()) {
        // A level inside an override replaces that level of the num (its index is the
        // override's, whatever the inner ilvl says).
        n.level_overrides[o] = Some(level);
    } else if let Some((_, a)) = cur_abstract.as_mut() {
        if a.levels[i].is_none() {
            a.levels[i] = Some(level);
        }
    }
}

/// Appends `n` rendered in `fmt`. Values a format cannot show (0 or negative for letters,
/// beyond 3999 in Roman numerals...) are written in decimal.
pub(super) fn format_number(n: i64, fmt: NumFmt, out: &mut String) {
    let decimal = |out: &mut String| {
        let _ = write!(out, "{n}");
    };
    match fmt {
        NumFmt::Decimal | NumFmt::Bullet => decimal(out),
        NumFmt::None => {}
        NumFmt::DecimalZero => {
            if (0..10).contains(&n) {
                out.push('0');
            }
            decimal(out)
        }
        NumFmt::UpperRoman | NumFmt::LowerRoman if (1..4000).contains(&n) => {
            let s = roman(n as u32);
            if fmt == NumFmt::LowerRoman {
                out.push_str(&s.to_lowercase());
            } else {
                out.push_str(&s);
            }
        }
        NumFmt::UpperLetter | NumFmt::LowerLetter if (1..=26 * 10).contains(&n) => {
            let base = if fmt == NumFmt::UpperLetter {
                b'A'
            } else {
                b'a'
            };
            let letter = (base + ((n - 1) % 26) as u8) as char;
            for _ in 0..=((n - 1) / 26) {
                out.push(letter);
            }
        }
        NumFmt::Ordinal if n >= 0 => {
            decimal(out);
            let suffix = match (n % 10, n % 100) {
                (_, 11..=13) => "th",
                (1, _) => "st",
                (2, _) => "nd",
                (3, _) => "rd",
                _ => "th",
            };
            out.push_str(suffix);
        }
        NumFmt::ChineseCounting if (0..100_000_000).contains(&n) => {
            cn_numeral::write(n as u32, cn_numeral::Script::Counting, out)
        }
        NumFmt::ChineseLegal if (0..100_000_000).contains(&n) => {
            cn_numeral::write(n as u32, cn_numeral::Script::Legal, out)
        }
        NumFmt::IdeographDigital if n >= 0 => {
            for d in n.to_string().bytes() {
                out.push(cn_numeral::COUNTING_DIGITS[usize::from(d - b'0')]);
            }
        }
        NumFmt::IdeographTraditional if n >= 1 => {
            const STEMS: [char; 10] = ['甲', '乙', '丙', '丁', '戊', '己', '庚', '辛', '壬', '癸'];
            out.push(STEMS[((n - 1) % 10) as usize]);
        }
        NumFmt::IdeographZodiac if n >= 1 => {
            const BRANCHES: [char; 12] = [
                '子', '丑', '寅', '卯', '辰', '巳', '午', '未', '申', '酉', '戌', '亥',
            ];
            out.push(BRANCHES[((n - 1) % 12) as usize]);
        }
        NumFmt::EnclosedCircle if (1..=50).contains(&n) => {
            let code = match n {
                1..=20 => 0x2460 + (n - 1),
                21..=35 => 0x3251 + (n - 21),
                _ => 0x32B1 + (n - 36),
            };
            out.extend(char::from_u32(code as u32));
        }
        NumFmt::EnclosedParen if (1..=20).contains(&n) => {
            out.extend(char::from_u32((0x2474 + n - 1) as u32))
        }
        NumFmt::EnclosedParen => {
            let _ = write!(out, "({n})");
        }
        NumFmt::EnclosedFullstop if (1..=20).contains(&n) => {
            out.extend(char::from_u32((0x2488 + n - 1) as u32))
        }
        NumFmt::EnclosedFullstop => {
            let _ = write!(out, "{n}.");
        }
        NumFmt::FullWidth if n >= 0 => {
            for d in n.to_string().bytes() {
                out.extend(char::from_u32(0xFF10 + u32::from(d - b'0')));
            }
        }
        _ => decimal(out),
    }
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(n: i64, fmt: NumFmt) -> String {
        let mut s = String::new();
        format_number(n, fmt, &mut s);
        s
    }

    #[test]
    fn chinese_counting_matches_word() {
        let cases = [
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (19, "十九"),
            (20, "二十"),
            (21, "二十一"),
            (99, "九十九"),
            (100, "一百"),
            (101, "一百零一"),
            (110, "一百一十"),
            (1001, "一千零一"),
            (1010, "一千零一十"),
            (10000, "一万"),
            (10500, "一万零五百"),
            (0, "〇"),
        ];
        for (n, want) in cases {
            assert_eq!(f(n, NumFmt::ChineseCounting), want, "{n}");
        }
        assert_eq!(f(11, NumFmt::ChineseLegal), "壹拾壹");
    }

    #[test]
    fn other_formats() {
        assert_eq!(f(3, NumFmt::EnclosedCircle), "③");
        assert_eq!(f(21, NumFmt::EnclosedCircle), "㉑");
        assert_eq!(f(51, NumFmt::EnclosedCircle), "51");
        assert_eq!(f(2, NumFmt::EnclosedParen), "⑵");
        assert_eq!(f(21, NumFmt::EnclosedParen), "(21)");
        assert_eq!(f(12, NumFmt::FullWidth), "１２");
        assert_eq!(f(2, NumFmt::IdeographTraditional), "乙");
        assert_eq!(f(10, NumFmt::IdeographDigital), "一〇");
        assert_eq!(f(28, NumFmt::UpperLetter), "BB");
        assert_eq!(f(3, NumFmt::LowerLetter), "c");
        assert_eq!(f(1994, NumFmt::UpperRoman), "MCMXCIV");
        assert_eq!(f(4, NumFmt::LowerRoman), "iv");
        assert_eq!(f(5000, NumFmt::UpperRoman), "5000");
        assert_eq!(f(22, NumFmt::Ordinal), "22nd");
        assert_eq!(f(7, NumFmt::DecimalZero), "07");
        // Hostile values render in bounded space and never panic.
        for n in [i64::MIN, -1, 0, i64::MAX] {
            for fmt in [
                NumFmt::UpperLetter,
                NumFmt::ChineseCounting,
                NumFmt::EnclosedCircle,
                NumFmt::FullWidth,
                NumFmt::IdeographDigital,
                NumFmt::Ordinal,
                NumFmt::DecimalZero,
            ] {
                assert!(f(n, fmt).len() < 64);
            }
        }
    }

    const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    fn numbering(body: &str) -> Numbering {
        let xml = format!(r#"<w:numbering {W}>{body}</w:numbering>"#);
        Numbering::parse(&mut XmlPart::new(xml.as_bytes(), "numbering.xml", 64)).unwrap()
    }

    #[test]
    fn labels_restart_deeper_levels_and_honour_overrides() {
        let n = numbering(
            r#"<w:abstractNum w:abstractNumId="0">
              <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
              <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
              <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2.%3"/><w:isLgl/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
            <w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="10"/></w:lvlOverride></w:num>"#,
        );
        let styles = Styles::default();
        let mut c = Counters::default();
        let mut next = |num, lvl| n.next_label(&mut c, &styles, num, lvl).unwrap_or_default();
        assert_eq!(next(1, 0), "一、");
        assert_eq!(next(1, 1), "（一）");
        assert_eq!(next(1, 1), "（二）");
        assert_eq!(next(1, 2), "1.2.1 ");
        assert_eq!(next(1, 0), "二、");
        assert_eq!(next(1, 1), "（一）");
        // num 2 shares abstract 0 but restarts level 0 at 10 on first use.
        assert_eq!(next(2, 0), "十、");
        assert_eq!(next(2, 0), "十一、");
        assert_eq!(next(1, 0), "十二、");
        assert_eq!(next(0, 0), "");
    }

    #[test]
    fn valueless_start_and_bullets_do_not_break() {
        let n = numbering(
            r#"<w:abstractNum w:abstractNumId="3">
              <w:lvl w:ilvl="0"><w:start/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
              <w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/></w:lvl>
              <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3)"/><w:lvlRestart w:val="0"/></w:lvl>
            </w:abstractNum>
            <w:num w:numId="4"><w:abstractNumId w:val="3"/></w:num>"#,
        );
        let styles = Styles::default();
        let mut c = Counters::default();
        assert_eq!(n.next_label(&mut c, &styles, 4, 0).as_deref(), Some("0. "));
        assert_eq!(n.next_label(&mut c, &styles, 4, 1), None);
        assert_eq!(n.next_label(&mut c, &styles, 4, 2).as_deref(), Some("1) "));
        assert_eq!(n.next_label(&mut c, &styles, 4, 0).as_deref(), Some("1. "));
        // lvlRestart 0: level 2 keeps counting across level-0 paragraphs.
        assert_eq!(n.next_label(&mut c, &styles, 4, 2).as_deref(), Some("2) "));
        // Unknown num ids and levels give no label.
        assert_eq!(n.next_label(&mut c, &styles, 99, 0), None);
        assert_eq!(n.next_label(&mut c, &styles, 4, 8), None);
    }
}
