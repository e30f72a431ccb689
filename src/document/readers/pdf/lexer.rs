//! A content-stream tokenizer: operands and operators of a PDF content stream (ISO 32000-1
//! §7.8.2), read in one forward pass over the decoded bytes.
//!
//! Guarantees: linear in the input (every byte is looked at a bounded number of times), no
//! recursion (array nesting is a counter), no panics on any input; malformed tokens are skipped,
//! as viewers do. Inline images (`BI … ID <data> EI`) are skipped whole so their binary data is
//! never read as operators. Dictionaries (marked-content properties) are skipped: no text
//! operator takes one.

/// One operand on the stack. Only what the text operators use is kept: numbers, names,
/// strings and the (flat) arrays of `TJ`.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Operand {
    Num(f32),
    Name(Vec<u8>),
    Str(Vec<u8>),
    Array(Vec<Operand>),
    /// Anything else (booleans, null, a nested array or dictionary): kept as a placeholder so
    /// operand counts stay right.
    Other,
}

impl Operand {
    pub(super) fn num(&self) -> Option<f32> {
        match self {
            Operand::Num(n) if n.is_finite() => Some(*n),
            _ => None,
        }
    }
}

pub(super) struct Lexer<'a> {
    buf: &'a [u8],
    pos: usize,
}

/// What [`Lexer::next_op`] yields: an operator with the operands that preceded it.
pub(super) struct Op<'a> {
    pub name: &'a [u8],
}

fn is_white(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t' | 0x0c | 0)
}

fn is_delim(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white(b) && !is_delim(b)
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Parses a PDF number token (`12`, `-3.5`, `.5`, `4.`); `None` when it is not one.
fn parse_number(tok: &[u8]) -> Option<f32> {
    let s = std::str::from_utf8(tok).ok()?;
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    // PDF numbers have no exponent; a lone sign or dot is not a number.
    if !s
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-' || b == b'+')
    {
        return None;
    }
    // Some writers emit `--5` or `5-`; read them as viewers do (the first sign counts).
    let t = s.trim_start_matches(['+', '-']);
    let neg = s.starts_with('-');
    let t: String = t.chars().filter(|c| *c != '-' && *c != '+').collect();
    if t.is_empty() || t == "." {
        return None;
    }
    let v: f32 = t.parse().ok()?;
    Some(if neg { -v } else { v })
}

impl<'a> Lexer<'a> {
    pub(super) fn new(buf: &'a [u8]) -> Self {
        Lexer { buf, pos: 0 }
    }

    fn skip_white_and_comments(&mut self) {
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            if is_white(b) {
                self.pos += 1;
            } else if b == b'%' {
                while self.pos < self.buf.len()
                    && self.buf[self.pos] != b'\n'
                    && self.buf[self.pos] != b'\r'
                {
                    self.pos += 1;
                }
            } else {
                break;
            }
        }
    }

    fn literal_string(&mut self) -> Vec<u8> {
        // After the opening '('.
        let mut out = Vec::new();
        let mut depth = 1usize;
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            self.pos += 1;
            match b {
                b'(' => {
                    depth += 1;
                    out.push(b);
                }
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        return out;
                    }
                    out.push(b);
                }
                b'\\' => {
                    let Some(&e) = self.buf.get(self.pos) else {
                        break;
                    };
                    self.pos += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'\r' => {
                            if self.buf.get(self.pos) == Some(&b'\n') {
                                self.pos += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut v = (e - b'0') as u32;
                            for _ in 0..2 {
                                match self.buf.get(self.pos) {
                                    Some(&d @ b'0'..=b'7') => {
                                        v = v * 8 + (d - b'0') as u32;
                                        self.pos += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((v & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(b),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        // After the opening '<'.
        let mut out = Vec::new();
        let mut hi: Option<u8> = None;
        while self.pos < self.buf.len() {
            let b = self.buf[self.pos];
            self.pos += 1;
            if b == b'>' {
                break;
            }
            if let Some(v) = hex_val(b) {
                match hi.take() {
                    Some(h) => out.push(h << 4 | v),
                    None => hi = Some(v),
                }
            }
        }
        if let Some(h) = hi {
            out.push(h << 4);
        }
        out
    }

    fn regular_token(&mut self) -> &'a [u8] {
        let start = self.pos;
        while self.pos < self.buf.len() && is_regular(self.buf[self.pos]) {
            self.pos += 1;
        }
        &self.buf[start..self.pos]
    }

    /// Skips an inline image's data: after `ID` and one white byte, up to an `EI` that stands
    /// alone between white space (or the end).
    fn skip_inline_image(&mut self) {
        self.pos = (self.pos + 1).min(self.buf.len());
        let b = self.buf;
        let mut i = self.pos;
        while i + 1 < b.len() {
            if b[i] == b'E'
                && b[i + 1] == b'I'
                && (i == 0 || is_white(b[i - 1]))
                && (i + 2 >= b.len() || is_white(b[i + 2]) || is_delim(b[i + 2]))
            {
                self.pos = i + 2;
                return;
            }
            i += 1;
        }
        self.pos = b.len();
    }

    /// Reads up to the next operator, filling `operands` (cleared first) with what preceded it.
    /// `None` at the end of the stream.
    pub(super) fn next_op(&mut self, operands: &mut Vec<Operand>) -> Option<Op<'a>> {
        operands.clear();
        // Open arrays: operands inside go to the innermost array; nested arrays are flattened
        // into `Other` (no text operator takes one).
        let mut array: Option<Vec<Operand>> = None;
        let mut nested = 0usize;
        let mut dict_depth = 0usize;
        loop {
            self.skip_white_and_comments();
            let Some(&b) = self.buf.get(self.pos) else {
                if let Some(a) = array.take() {
                    operands.push(Operand::Array(a));
                }
                return None;
            };
            let operand = match b {
                b'(' => {
                    self.pos += 1;
                    Operand::Str(self.literal_string())
                }
                b'<' if self.buf.get(self.pos + 1) == Some(&b'<') => {
                    self.pos += 2;
                    dict_depth += 1;
                    continue;
                }
                b'>' if self.buf.get(self.pos + 1) == Some(&b'>') => {
                    self.pos += 2;
                    if dict_depth > 0 {
                        dict_depth -= 1;
                        if dict_depth == 0 {
                            operands.push(Operand::Other);
                        }
                    }
                    continue;
                }
                b'<' => {
                    self.pos += 1;
                    Operand::Str(self.hex_string())
                }
                b'[' => {
                    self.pos += 1;
                    if array.is_some() {
                        nested += 1;
                    } else {
                        array = Some(Vec::new());
                    }
                    continue;
                }
                b']' => {
                    self.pos += 1;
                    if nested > 0 {
                        nested -= 1;
                        if let Some(a) = array.as_mut() {
                            a.push(Operand::Other);
                        }
                    } else if let Some(a) = array.take() {
                        if dict_depth == 0 {
                            operands.push(Operand::Array(a));
                        }
                    }
                    continue;
                }
                b'/' => {
                    self.pos += 1;
                    Operand::Name(self.regular_token().to_vec())
                }
                b')' | b'>' | b'{' | b'}' => {
                    self.pos += 1;
                    continue;
                }
                _ => {
                    let tok = self.regular_token();
                    if tok.is_empty() {
                        self.pos += 1;
                        continue;
                    }
                    if let Some(n) = parse_number(tok) {
                        Operand::Num(n)
                    } else if matches!(tok, b"true" | b"false" | b"null") {
                        Operand::Other
                    } else if dict_depth > 0 || array.is_some() {
                        // A stray keyword inside a dictionary or array: not an operator.
                        continue;
                    } else {
                        if tok == b"ID" {
                            self.skip_inline_image();
                        }
                        return Some(Op { name: tok });
                    }
                }
            };
            if dict_depth > 0 {
                continue;
            }
            if nested > 0 {
                continue;
            }
            match array.as_mut() {
                Some(a) => a.push(operand),
                None => operands.push(operand),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(src: &[u8]) -> Vec<(String, Vec<Operand>)> {
        let mut lx = Lexer::new(src);
        let mut v = Vec::new();
        let mut out = Vec::new();
        while let Some(op) = lx.next_op(&mut v) {
            out.push((String::from_utf8_lossy(op.name).into_owned(), v.clone()));
        }
        out
    }

    #[test]
    fn reads_text_operators_with_their_operands() {
        let got = ops(b"BT /F1 12 Tf 1 0 0 1 72.5 -.5 Tm [(A\\(b\\)) -250 <4E2D>] TJ ET");
        assert_eq!(got[0].0, "BT");
        assert_eq!(
            got[1].1,
            vec![Operand::Name(b"F1".to_vec()), Operand::Num(12.0)]
        );
        assert_eq!(got[2].1[4], Operand::Num(72.5));
        assert_eq!(got[2].1[5], Operand::Num(-0.5));
        assert_eq!(
            got[3].1,
            vec![Operand::Array(vec![
                Operand::Str(b"A(b)".to_vec()),
                Operand::Num(-250.0),
                Operand::Str(vec![0x4e, 0x2d]),
            ])]
        );
        assert_eq!(got[4].0, "ET");
    }

    #[test]
    fn skips_inline_images_dictionaries_and_comments() {
        let got = ops(b"/P <</MCID 3 /X [1 2]>> BDC % c Tj\nBI /W 2 ID \x00Tj\xff EI EMC (x) Tj");
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["BDC", "BI", "ID", "EMC", "Tj"]);
        assert_eq!(got[0].1.len(), 2);
        assert_eq!(got[4].1, vec![Operand::Str(b"x".to_vec())]);
    }

    #[test]
    fn octal_escapes_and_odd_hex_digits() {
        let got = ops(b"(\\101\\12x) Tj <414> Tj");
        assert_eq!(got[0].1, vec![Operand::Str(b"A\nx".to_vec())]);
        assert_eq!(got[1].1, vec![Operand::Str(vec![0x41, 0x40])]);
    }

    #[test]
    fn garbage_ends_without_panic() {
        for src in [
            &b"(((("[..],
            b"<<<<",
            b"[[[[",
            b"]]>>))",
            b"BI ID",
            b"\\",
            b"-- . +",
        ] {
            let _ = ops(src);
        }
    }
}
