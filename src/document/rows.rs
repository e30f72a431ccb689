//! [`Rows`]: a table's rows of text cells in a few flat buffers instead of a `Vec<Vec<String>>`.
//!
//! A 200 000 x 10 sheet has 2 million cells, mostly a few bytes long. As `Vec<Vec<String>>` each
//! costs a 24-byte `String` header plus a heap block (at least 32 bytes with the allocator's
//! overhead) for about 7 bytes of text: 56 bytes a cell, 112 MB for the sheet. Here a cell costs
//! its text plus one length byte. The JSON form is unchanged, `[["a","b"],["c"]]`, and so is the
//! JSON Schema (that of `Vec<Vec<String>>`).
//!
//! Rows may differ in length (Word tables do); spreadsheet tables are rectangular.

use schemars::JsonSchema;
use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeSeq, Serializer};
use std::fmt;

/// The length byte of a cell of 255 bytes or more, whose length is kept in `Rows::long`.
const LONG: u8 = u8::MAX;

/// Rows of text cells. Read with [`Rows::iter`] / [`Rows::row`] (a [`Row`] iterates and indexes
/// to `&str`); build with [`Rows::push_row`], `collect()` over `Vec<String>` rows, or
/// `From<Vec<Vec<String>>>`.
///
/// A cell costs its text and one length byte; a row costs 8 bytes. Rows are found in O(1),
/// a cell within its row in O(column), which is what reading a table row by row needs.
///
/// Invariant: `text` is exactly the cells' text back to back, each cell's length is in `lens`
/// (or in `long`), and `row_ends` marks where each row ends in both. The representation is
/// therefore canonical, and the derived equality compares contents.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Rows {
    text: String,
    /// Each cell's length in bytes; [`LONG`] for 255 bytes and more.
    lens: Vec<u8>,
    /// `(cell index, length)` of every cell of 255 bytes or more, in cell order.
    long: Vec<(u32, u32)>,
    /// Per row: the index in `lens` past its last cell, the byte offset in `text` past its text.
    row_ends: Vec<(u32, u32)>,
}

/// A table holds at most 4 GiB of cell text and 4 Gi cells (offsets are `u32`). The readers'
/// budgets stop far below that (`max_text_bytes`, `max_cells`); passing it is a bug, not input.
fn offset(n: usize) -> u32 {
    u32::try_from(n).expect("a table holds at most 4 GiB of text and 4 Gi cells")
}

impl Rows {
    pub fn new() -> Self {
        Rows::default()
    }

    /// Room for `cells` cells holding `text_bytes` bytes in all, in `rows` rows.
    pub fn with_capacity(rows: usize, cells: usize, text_bytes: usize) -> Self {
        Rows {
            text: String::with_capacity(text_bytes),
            lens: Vec::with_capacity(cells),
            long: Vec::new(),
            row_ends: Vec::with_capacity(rows),
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row_ends.is_empty()
    }

    /// Number of cells in all rows.
    pub fn cell_count(&self) -> usize {
        self.lens.len()
    }

    /// Bytes of cell text in all rows.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Row `i`.
    ///
    /// # Panics
    /// When there is no row `i`, as indexing a slice would.
    pub fn row(&self, i: usize) -> Row<'_> {
        match self.get(i) {
            Some(row) => row,
            None => panic!("row {i} of a table of {} rows is out of range", self.len()),
        }
    }

    pub fn get(&self, i: usize) -> Option<Row<'_>> {
        let (cell_end, text_end) = *self.row_ends.get(i)?;
        let (cell_start, text_start) = if i == 0 { (0, 0) } else { self.row_ends[i - 1] };
        Some(Row(Cells {
            rows: self,
            cells: cell_start as usize..cell_end as usize,
            text: text_start as usize..text_end as usize,
        }))
    }

    pub fn iter(&self) -> RowIter<'_> {
        RowIter {
            rows: self,
            next: 0,
            end: self.len(),
        }
    }

    /// Appends a row.
    pub fn push_row<S: AsRef<str>>(&mut self, cells: impl IntoIterator<Item = S>) {
        self.start_row();
        for c in cells {
            self.push_cell(c.as_ref());
        }
    }

    /// Opens an empty row; [`Rows::push_cell`] appends to it.
    pub fn start_row(&mut self) {
        self.row_ends
            .push((offset(self.lens.len()), offset(self.text.len())));
    }

    /// Appends a cell to the last row.
    ///
    /// # Panics
    /// When there is no row yet, or the table would pass 4 GiB of text.
    pub fn push_cell(&mut self, cell: &str) {
        assert!(!self.row_ends.is_empty(), "push_cell needs a row");
        self.text.push_str(cell);
        self.push_len(cell.len());
    }

    /// Records a cell of `len` bytes whose text is already at the end of `text`.
    fn push_len(&mut self, len: usize) {
        if len < LONG as usize {
            self.lens.push(len as u8);
        } else {
            self.lens.push(LONG);
            self.long.push((offset(self.lens.len() - 1), offset(len)));
        }
        let last = self.row_ends.len() - 1;
        self.row_ends[last] = (offset(self.lens.len()), offset(self.text.len()));
    }

    /// Length in bytes of cell `i` counted over all rows.
    fn len_of(&self, i: usize) -> usize {
        match self.lens[i] {
            LONG => {
                let k = self
                    .long
                    .binary_search_by_key(&(i as u32), |&(cell, _)| cell)
                    .expect("every long cell is recorded");
                self.long[k].1 as usize
            }
            n => n as usize,
        }
    }

    /// Every cell addressable by its index over all rows, in O(1): for the readers' passes that
    /// jump around a grid. Costs 4 bytes a cell while it lives.
    pub(crate) fn flat(&self) -> Flat<'_> {
        let mut starts = Vec::with_capacity(self.lens.len() + 1);
        let mut at = 0u32;
        starts.push(at);
        for i in 0..self.lens.len() {
            at += self.len_of(i) as u32;
            starts.push(at);
        }
        Flat {
            text: &self.text,
            starts,
        }
    }

    /// Removes the first `n` rows (all of them when there are fewer), in place.
    pub fn remove_first(&mut self, n: usize) {
        let n = n.min(self.len());
        if n == 0 {
            return;
        }
        let (cells, bytes) = self.row_ends[n - 1];
        self.text.drain(..bytes as usize);
        self.lens.drain(..cells as usize);
        self.long.retain(|&(cell, _)| cell >= cells);
        self.long.iter_mut().for_each(|(cell, _)| *cell -= cells);
        self.row_ends.drain(..n);
        self.row_ends.iter_mut().for_each(|(c, b)| {
            *c -= cells;
            *b -= bytes;
        });
    }

    /// The same cells laid out as a rectangle of `height` rows of `width` cells, their text
    /// left where it is. Row `k` becomes row `at[k].0` of the rectangle (rows in increasing
    /// order, each at most once), its first cell at column `at[k].1`; everything else is an
    /// empty cell. A cell that would fall outside the rectangle must be empty, and is dropped.
    ///
    /// # Panics
    /// When `at` does not name each row once in increasing order inside the rectangle, or a
    /// cell with text falls outside it.
    pub(crate) fn into_rectangle(self, at: &[(usize, i64)], height: usize, width: usize) -> Rows {
        assert_eq!(at.len(), self.len(), "a place for every row");
        let mut out = Rows {
            lens: Vec::with_capacity(height * width),
            row_ends: Vec::with_capacity(height),
            ..Rows::default()
        };
        let mut text_len = 0usize;
        let mut rows = self.iter().zip(at).peekable();
        for r in 0..height {
            let row_start = out.lens.len();
            out.lens.resize(row_start + width, 0);
            if let Some((row, &(_, first_col))) = rows.next_if(|(_, &(target, _))| target == r) {
                for (k, cell) in row.iter().enumerate() {
                    let col = first_col + k as i64;
                    if !(0..width as i64).contains(&col) {
                        assert!(cell.is_empty(), "only empty cells outside the rectangle");
                        continue;
                    }
                    let i = row_start + col as usize;
                    text_len += cell.len();
                    if cell.len() < LONG as usize {
                        out.lens[i] = cell.len() as u8;
                    } else {
                        out.lens[i] = LONG;
                        out.long.push((offset(i), offset(cell.len())));
                    }
                }
            }
            out.row_ends
                .push((offset(out.lens.len()), offset(text_len)));
        }
        assert!(
            rows.next().is_none(),
            "rows in increasing order inside the rectangle"
        );
        assert_eq!(text_len, self.text.len(), "every cell with text was placed");
        out.text = self.text;
        out
    }

    /// Every row as owned strings.
    pub fn to_vecs(&self) -> Vec<Vec<String>> {
        self.iter().map(|r| r.to_vec()).collect()
    }
}

/// The cells of a [`Rows`] by index over all rows (see [`Rows::flat`]).
pub(crate) struct Flat<'a> {
    text: &'a str,
    starts: Vec<u32>,
}

impl<'a> Flat<'a> {
    pub(crate) fn get(&self, i: usize) -> &'a str {
        &self.text[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// One row of a [`Rows`]: its cells as `&str`. Holds the row's [`Cells`] unread.
#[derive(Clone)]
pub struct Row<'a>(Cells<'a>);

impl<'a> Row<'a> {
    pub fn len(&self) -> usize {
        self.0.cells.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.cells.is_empty()
    }

    /// Cell `i`, found in O(i).
    pub fn get(&self, i: usize) -> Option<&'a str> {
        self.iter().nth(i)
    }

    pub fn iter(&self) -> Cells<'a> {
        self.0.clone()
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// The cells of a [`Row`], from either end.
#[derive(Clone)]
pub struct Cells<'a> {
    rows: &'a Rows,
    /// The cells not read yet, as indices over all rows.
    cells: std::ops::Range<usize>,
    /// Their text in `rows.text`.
    text: std::ops::Range<usize>,
}

impl<'a> Iterator for Cells<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let i = self.cells.next()?;
        let start = self.text.start;
        self.text.start += self.rows.len_of(i);
        Some(&self.rows.text[start..self.text.start])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.cells.size_hint()
    }
}

impl DoubleEndedIterator for Cells<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let i = self.cells.next_back()?;
        let end = self.text.end;
        self.text.end -= self.rows.len_of(i);
        Some(&self.rows.text[self.text.end..end])
    }
}

impl ExactSizeIterator for Cells<'_> {}

impl<'a> IntoIterator for Row<'a> {
    type Item = &'a str;
    type IntoIter = Cells<'a>;

    fn into_iter(self) -> Cells<'a> {
        self.iter()
    }
}

impl std::ops::Index<usize> for Row<'_> {
    type Output = str;

    /// Cell `i`, found in O(i).
    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(cell) => cell,
            None => panic!("cell {i} of a row of {} cells is out of range", self.len()),
        }
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Row<'_> {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Row<'_> {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Row<'_> {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl fmt::Debug for Row<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

pub struct RowIter<'a> {
    rows: &'a Rows,
    next: usize,
    end: usize,
}

impl<'a> Iterator for RowIter<'a> {
    type Item = Row<'a>;

    fn next(&mut self) -> Option<Row<'a>> {
        if self.next >= self.end {
            return None;
        }
        self.next += 1;
        self.rows.get(self.next - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for RowIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next >= self.end {
            return None;
        }
        self.end -= 1;
        self.rows.get(self.end)
    }
}

impl ExactSizeIterator for RowIter<'_> {}

impl<'a> IntoIterator for &'a Rows {
    type Item = Row<'a>;
    type IntoIter = RowIter<'a>;

    fn into_iter(self) -> RowIter<'a> {
        self.iter()
    }
}

impl FromIterator<Vec<String>> for Rows {
    fn from_iter<I: IntoIterator<Item = Vec<String>>>(iter: I) -> Self {
        let mut rows = Rows::new();
        for r in iter {
            rows.push_row(r);
        }
        rows
    }
}

impl From<Vec<Vec<String>>> for Rows {
    fn from(v: Vec<Vec<String>>) -> Self {
        v.into_iter().collect()
    }
}

impl<S: AsRef<str>> PartialEq<Vec<Vec<S>>> for Rows {
    fn eq(&self, other: &Vec<Vec<S>>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl fmt::Debug for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// As `Vec<Vec<String>>` would: an array of arrays of strings.
impl Serialize for Rows {
    fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
        struct Cells<'a>(Row<'a>);
        impl Serialize for Cells<'_> {
            fn serialize<Ser: Serializer>(&self, s: Ser) -> Result<Ser::Ok, Ser::Error> {
                s.collect_seq(self.0.iter())
            }
        }
        let mut seq = s.serialize_seq(Some(self.len()))?;
        for row in self {
            seq.serialize_element(&Cells(row))?;
        }
        seq.end()
    }
}

/// Straight into the buffers: no `Vec<Vec<String>>` in between.
impl<'de> Deserialize<'de> for Rows {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct RowsVisitor;
        impl<'de> Visitor<'de> for RowsVisitor {
            type Value = Rows;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of arrays of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Rows, A::Error> {
                let mut rows = Rows::new();
                while seq.next_element_seed(RowSeed(&mut rows))?.is_some() {}
                Ok(rows)
            }
        }
        struct RowSeed<'r>(&'r mut Rows);
        impl<'de> de::DeserializeSeed<'de> for RowSeed<'_> {
            type Value = ();
            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
                d.deserialize_seq(self)
            }
        }
        impl<'de> Visitor<'de> for RowSeed<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of strings")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
                self.0.start_row();
                while let Some(cell) = seq.next_element::<std::borrow::Cow<'de, str>>()? {
                    self.0.push_cell(&cell);
                }
                Ok(())
            }
        }
        d.deserialize_seq(RowsVisitor)
    }
}

/// The schema of `Vec<Vec<String>>`, which is what the JSON looks like.
impl JsonSchema for Rows {
    fn inline_schema() -> bool {
        <Vec<Vec<String>>>::inline_schema()
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        <Vec<Vec<String>>>::schema_name()
    }

    fn schema_id() -> std::borrow::Cow<'static, str> {
        <Vec<Vec<String>>>::schema_id()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <Vec<Vec<String>>>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vecs(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn json_is_that_of_vec_of_vec_of_string_both_ways() {
        for shape in [
            vecs(&[&["序号", "指标"], &["1", "审查行政合同"], &["", ""]]),
            vecs(&[&["a"], &[], &["b", "c", "d"], &[""]]),
            vecs(&[]),
            vecs(&[&[]]),
            vecs(&[&["引号\"与\\反斜杠\t制表\n换行", "emoji 🎉", "\u{0}"]]),
        ] {
            let rows = Rows::from(shape.clone());
            let json = serde_json::to_string(&rows).unwrap();
            assert_eq!(json, serde_json::to_string(&shape).unwrap());
            let pretty = serde_json::to_string_pretty(&rows).unwrap();
            assert_eq!(pretty, serde_json::to_string_pretty(&shape).unwrap());
            let back: Rows = serde_json::from_str(&json).unwrap();
            assert_eq!(back, rows);
            assert_eq!(back.to_vecs(), shape);
        }
        // Escaped strings can't be borrowed from the input; they still come back.
        let back: Rows = serde_json::from_str(r#"[["a\u00e9\n", "b"]]"#).unwrap();
        assert_eq!(back, vec![vec!["aé\n", "b"]]);
        assert!(serde_json::from_str::<Rows>(r#"[["a", 1]]"#).is_err());
        assert!(serde_json::from_str::<Rows>(r#"["a"]"#).is_err());
    }

    #[test]
    fn schema_is_that_of_vec_of_vec_of_string() {
        assert_eq!(
            schemars::schema_for!(Rows),
            schemars::schema_for!(Vec<Vec<String>>)
        );
    }

    #[test]
    fn indexing_and_iterating() {
        let rows = Rows::from(vecs(&[&["甲", "", "丙丙"], &["x"], &[]]));
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.cell_count(), 4);
        assert_eq!(rows.text_len(), "甲丙丙x".len());
        let r0 = rows.row(0);
        assert_eq!((r0.len(), &r0[0], &r0[1], &r0[2]), (3, "甲", "", "丙丙"));
        assert_eq!(r0.get(2), Some("丙丙"));
        assert_eq!(r0.get(3), None);
        assert_eq!(r0, ["甲", "", "丙丙"]);
        assert_eq!(rows.row(1), vec!["x"]);
        assert!(rows.row(2).is_empty());
        assert!(rows.get(3).is_none());
        let backwards: Vec<usize> = rows.iter().rev().map(|r| r.len()).collect();
        assert_eq!(backwards, [0, 1, 3]);
        let flat = rows.flat();
        let all: Vec<&str> = (0..rows.cell_count()).map(|i| flat.get(i)).collect();
        assert_eq!(all, ["甲", "", "丙丙", "x"]);
        assert_eq!(format!("{rows:?}"), r#"[["甲", "", "丙丙"], ["x"], []]"#);
    }

    #[test]
    #[should_panic(expected = "out of range")]
    fn indexing_past_the_row_panics_like_a_slice() {
        let rows = Rows::from(vecs(&[&["a"], &["b"]]));
        let _ = &rows.row(0)[1];
    }

    #[test]
    fn empty_tables() {
        let rows = Rows::new();
        assert!(rows.is_empty());
        assert_eq!(rows.iter().count(), 0);
        assert_eq!(serde_json::to_string(&rows).unwrap(), "[]");
        assert_eq!(rows, Rows::from(Vec::new()));
        assert_eq!(rows, Vec::<Vec<String>>::new());
    }

    #[test]
    fn equality_is_by_content_and_row_boundaries() {
        let a = Rows::from(vecs(&[&["ab", "c"]]));
        assert_eq!(a, Rows::from(vecs(&[&["ab", "c"]])));
        assert_ne!(a, Rows::from(vecs(&[&["a", "bc"]])));
        assert_ne!(a, Rows::from(vecs(&[&["ab"], &["c"]])));
        assert_ne!(a, vec![vec!["ab", "c"], vec![]]);
    }

    #[test]
    fn removing_leading_rows_keeps_the_rest() {
        let mut rows = Rows::from(vecs(&[&["标题"], &["h1", "h2"], &["a", "β"], &["", "d"]]));
        rows.remove_first(2);
        assert_eq!(rows, Rows::from(vecs(&[&["a", "β"], &["", "d"]])));
        rows.remove_first(0);
        assert_eq!(rows.len(), 2);
        rows.remove_first(5);
        assert_eq!(rows, Rows::new());
        let mut blanks = Rows::from(vecs(&[&[], &["", ""], &["x"]]));
        blanks.remove_first(2);
        assert_eq!(blanks, Rows::from(vecs(&[&["x"]])));
    }

    #[test]
    fn a_rectangle_keeps_the_text_and_pads_with_empty_cells() {
        let long = "长".repeat(100); // 300 bytes: its length is kept apart
        let rows = Rows::from(vecs(&[&["a", "b"], &["", long.as_str()], &["c"]]));
        // Row 0 to row 1 at column 1, row 1 to row 2 shifted left over its empty first cell,
        // row 2 to row 3 at column 0; row 0 of the rectangle is empty.
        let rect = rows.into_rectangle(&[(1, 1), (2, -1), (3, 0)], 4, 3);
        assert_eq!(
            rect,
            vecs(&[
                &["", "", ""],
                &["", "a", "b"],
                &[long.as_str(), "", ""],
                &["c", "", ""],
            ])
        );
        assert_eq!(rect, Rows::from(rect.to_vecs()));
        assert_eq!(Rows::new().into_rectangle(&[], 0, 3), Rows::new());
    }

    #[test]
    #[should_panic(expected = "only empty cells outside")]
    fn a_rectangle_never_drops_text() {
        Rows::from(vecs(&[&["a", "b"]])).into_rectangle(&[(0, 0)], 1, 1);
    }

    #[test]
    fn long_cells_and_flat_access() {
        let long = "x".repeat(255);
        let longer = "é".repeat(40_000);
        let shape = vecs(&[&["", &long, "y"], &[&longer], &["z", &long]]);
        let mut rows = Rows::from(shape.clone());
        assert_eq!(rows, shape);
        assert_eq!(rows.row(0).get(1), Some(long.as_str()));
        assert_eq!(
            rows.row(2).iter().rev().collect::<Vec<_>>(),
            [long.as_str(), "z"]
        );
        let flat = rows.flat();
        let all: Vec<&str> = (0..rows.cell_count()).map(|i| flat.get(i)).collect();
        assert_eq!(
            all,
            ["", long.as_str(), "y", longer.as_str(), "z", long.as_str()]
        );
        let back: Rows = serde_json::from_str(&serde_json::to_string(&rows).unwrap()).unwrap();
        assert_eq!(back, rows);
        rows.remove_first(1);
        assert_eq!(rows, vecs(&[&[&longer], &["z", &long]]));
        assert_eq!(rows, Rows::from(rows.to_vecs()));
    }
}
