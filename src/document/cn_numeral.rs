//! Chinese numerals, both ways: reading 一/十二/二十三 (section numbers, 汉字 dates) and writing
//! 十一/一百零一 (Word's chineseCounting list labels). The one place that knows them.

/// The counting digits a section number is written with.
pub const CN_NUM: &str = "一二三四五六七八九十";

/// Value of a Chinese number up to 99 (一, 十, 十一, 二十, 二十三; 两 and 〇/零 as digits).
pub fn value(s: &str) -> Option<u32> {
    let digit = |c: char| {
        Some(match c {
            '零' | '〇' => 0,
            '一' => 1,
            '二' | '两' => 2,
            '三' => 3,
            '四' => 4,
            '五' => 5,
            '六' => 6,
            '七' => 7,
            '八' => 8,
            '九' => 9,
            _ => return None,
        })
    };
    let chars: Vec<char> = s.chars().collect();
    match chars.as_slice() {
        [] => None,
        [c] if *c == '十' => Some(10),
        [c] => digit(*c),
        ['十', u] => Some(10 + digit(*u)?),
        [t, '十'] => Some(digit(*t)? * 10),
        [t, '十', u] => Some(digit(*t)? * 10 + digit(*u)?),
        _ => None,
    }
}

/// One of 一 … 十.
pub fn is_cn_digit(c: char) -> bool {
    CN_NUM.contains(c)
}

/// A 汉字 year digit: the counting digits plus the zero forms used in dates (〇 ○ Ｏ).
pub fn year_digit(c: char) -> Option<u32> {
    match c {
        '〇' | '○' | 'Ｏ' => Some(0),
        _ => value(c.encode_utf8(&mut [0; 4])).filter(|v| *v < 10),
    }
}
