//! Builds small PDFs byte by byte for the PDF tests: objects, streams (plain or Flate), a
//! correct xref table and trailer. Only what the tests need; every file it writes is valid
//! PDF 1.7 unless a test damages it on purpose.

#![allow(dead_code)]

use std::io::Write;

pub struct Pdf {
    /// Object bodies; object N is `objects[N - 1]`.
    objects: Vec<Vec<u8>>,
}

impl Default for Pdf {
    fn default() -> Self {
        Self::new()
    }
}

impl Pdf {
    pub fn new() -> Self {
        Pdf {
            objects: Vec::new(),
        }
    }

    /// Adds an object; returns its number.
    pub fn add(&mut self, body: impl AsRef<[u8]>) -> usize {
        self.objects.push(body.as_ref().to_vec());
        self.objects.len()
    }

    /// Reserves an object number to fill later with [`Pdf::set`].
    pub fn reserve(&mut self) -> usize {
        self.add(b"null")
    }

    pub fn set(&mut self, n: usize, body: impl AsRef<[u8]>) {
        self.objects[n - 1] = body.as_ref().to_vec();
    }

    /// Adds a stream object with `dict_extra` inside its dictionary.
    pub fn stream(&mut self, dict_extra: &str, data: &[u8]) -> usize {
        self.add(stream_body(dict_extra, data))
    }

    /// Adds a FlateDecode stream.
    pub fn flate_stream(&mut self, dict_extra: &str, data: &[u8]) -> usize {
        let z = deflate(data);
        self.add(stream_body(
            &format!("/Filter /FlateDecode {dict_extra}"),
            &z,
        ))
    }

    /// The file, with `root` as the catalog.
    pub fn finish(&self, root: usize) -> Vec<u8> {
        let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, body) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            write!(out, "{} 0 obj\n", i + 1).unwrap();
            out.extend_from_slice(body);
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        write!(
            out,
            "xref\n0 {}\n0000000000 65535 f \n",
            self.objects.len() + 1
        )
        .unwrap();
        for o in offsets {
            write!(out, "{o:010} 00000 n \n").unwrap();
        }
        write!(
            out,
            "trailer\n<< /Size {} /Root {root} 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>] >>\nstartxref\n{xref}\n%%EOF\n",
            self.objects.len() + 1
        )
        .unwrap();
        out
    }
}

pub fn stream_body(dict_extra: &str, data: &[u8]) -> Vec<u8> {
    let mut b = format!("<< /Length {} {dict_extra} >>\nstream\n", data.len()).into_bytes();
    b.extend_from_slice(data);
    b.extend_from_slice(b"\nendstream");
    b
}

pub fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Hex string of a str's UTF-16BE units, `<4E2D>`-style.
pub fn utf16_hex(s: &str) -> String {
    let mut h = String::from("<");
    for u in s.encode_utf16() {
        h.push_str(&format!("{u:04X}"));
    }
    h.push('>');
    h
}

/// A one-font document: `pages` are content streams; `font` is the font dictionary's body
/// (object references inside it must already exist in `pdf`). Returns the file.
pub fn document(mut pdf: Pdf, font: &str, pages: &[Vec<u8>]) -> Vec<u8> {
    let font_id = pdf.add(font);
    let pages_id = pdf.reserve();
    let mut kids = Vec::new();
    for content in pages {
        let c = pdf.flate_stream("", content);
        let p = pdf.add(format!(
            "<< /Type /Page /Parent {pages_id} 0 R /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 {font_id} 0 R >> >> /Contents {c} 0 R >>"
        ));
        kids.push(format!("{p} 0 R"));
    }
    pdf.set(
        pages_id,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            kids.len()
        ),
    );
    let root = pdf.add(format!("<< /Type /Catalog /Pages {pages_id} 0 R >>"));
    pdf.finish(root)
}

/// STSong-Light through UniGB-UCS2-H, no ToUnicode and nothing embedded: how reportlab and
/// many 公文 typesetting tools write Chinese.
pub const STSONG_UCS2: &str = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light \
    /Encoding /UniGB-UCS2-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 \
    /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> \
    /DW 1000 /W [1 95 500] >>] >>";

/// Lines of text set with [`STSONG_UCS2`] at 12 pt: each `(x, y, text)` is one `Tj` at that
/// position (PDF user space, y up).
pub fn ucs2_page(lines: &[(f32, f32, &str)]) -> Vec<u8> {
    let mut c = String::from("BT /F1 12 Tf\n");
    for (x, y, t) in lines {
        c.push_str(&format!("1 0 0 1 {x} {y} Tm {} Tj\n", utf16_hex(t)));
    }
    c.push_str("ET\n");
    c.into_bytes()
}
