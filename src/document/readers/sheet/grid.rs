//! Cells as they stream out of a sheet -> a bounded, dense grid.
//!
//! Every format reader pushes `(row, column, text)` here. Nothing is ever allocated from a
//! position or a declared dimension: memory follows the cells actually pushed, and every push
//! is charged to a workbook-wide [`Budget`] first, so a hostile sheet ends as
//! [`ParseError::LimitExceeded`] before it costs more than the limits allow:
//! - a cell in a row index >= `max_rows` or a column index >= `max_columns`;
//! - more than `max_cells` non-empty cells in the workbook;
//! - more than `max_cells` slots in the dense grids (rows x columns between the first and last
//!   non-empty cell of each sheet, summed over sheets) — the output is dense, so this is what
//!   the result actually costs; a sparse sheet with a cell at A1 and one at J900000 counts
//!   9 million slots, not 2 cells;
//! - more than `max_text_bytes` of cell text in the workbook (shared strings are copied into
//!   every cell that uses them, so this is where a 1 MB string used a million times stops).
//!
//! Cells usually arrive row by row, left to right; they are then placed in O(1). Anything out
//! of order (a row seen before, a column left of the row's first) is set aside and sorted in at
//! the end (O(n log n)), so a shuffled sheet costs time, never quadratic time.

use crate::document::error::ParseError;
use crate::document::limits::Limits;

/// Workbook-wide counters checked on every push.
#[derive(Debug)]
pub(crate) struct Budget {
    max_rows: usize,
    max_columns: usize,
    max_cells: usize,
    max_text_bytes: usize,
    cells: usize,
    slots: usize,
    text_bytes: usize,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Self {
        Budget {
            max_rows: limits.max_rows,
            max_columns: limits.max_columns,
            max_cells: limits.max_cells,
            max_text_bytes: limits.max_text_bytes,
            cells: 0,
            slots: 0,
            text_bytes: 0,
        }
    }

    /// Checks a position against the per-sheet row and column caps.
    pub(crate) fn check_position(&self, sheet: &str, row: u32, col: u32) -> Result<(), ParseError> {
        if row as usize >= self.max_rows {
            return Err(ParseError::LimitExceeded(format!(
                "sheet {sheet:?}: cell {} is beyond the {}-row limit",
                a1(row, col),
                self.max_rows
            )));
        }
        if col as usize >= self.max_columns {
            return Err(ParseError::LimitExceeded(format!(
                "sheet {sheet:?}: cell {} is beyond the {}-column limit",
                a1(row, col),
                self.max_columns
            )));
        }
        Ok(())
    }

    /// Charges `n` text bytes (before the text is copied).
    pub(crate) fn charge_text(&mut self, n: usize) -> Result<(), ParseError> {
        self.text_bytes = self.text_bytes.saturating_add(n);
        if self.text_bytes > self.max_text_bytes {
            return Err(ParseError::LimitExceeded(format!(
                "workbook holds more than {} bytes of cell text",
                self.max_text_bytes
            )));
        }
        Ok(())
    }

    fn charge_cell(&mut self) -> Result<(), ParseError> {
        self.cells += 1;
        if self.cells > self.max_cells {
            return Err(ParseError::LimitExceeded(format!(
                "workbook has more than {} non-empty cells",
                self.max_cells
            )));
        }
        Ok(())
    }

    /// Charges grid slots (placed cells, padding, dense rows, merged-cell copies).
    pub(crate) fn charge_slots(&mut self, n: usize) -> Result<(), ParseError> {
        self.slots = self.slots.saturating_add(n);
        if self.slots > self.max_cells {
            return Err(ParseError::LimitExceeded(format!(
                "the workbook's tables would hold more than {} cells",
                self.max_cells
            )));
        }
        Ok(())
    }
}

/// `A1`-style name of a 0-based position, for messages.
pub(crate) fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col as u64 + 1;
    while c > 0 {
        let r = ((c - 1) % 26) as u8;
        letters.push(b'A' + r);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row as u64 + 1)
}

/// A rectangle of cells, 0-based and inclusive (a merged region).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub first_row: u32,
    pub first_col: u32,
    pub last_row: u32,
    pub last_col: u32,
}

#[derive(Debug)]
struct SparseRow {
    row: u32,
    first_col: u32,
    /// `cells[i]` is column `first_col + i`; gaps hold empty strings (no heap allocation).
    cells: Vec<String>,
}

/// One sheet's cells while they stream in.
#[derive(Debug)]
pub(crate) struct SheetCells {
    pub name: String,
    rows: Vec<SparseRow>,
    /// Cells that arrived out of order, with their arrival number (later wins).
    stray: Vec<(u32, u32, usize, String)>,
    arrivals: usize,
    pub merges: Vec<Region>,
}

impl SheetCells {
    pub(crate) fn new(name: impl Into<String>) -> Self {
        SheetCells {
            name: name.into(),
            rows: Vec::new(),
            stray: Vec::new(),
            arrivals: 0,
            merges: Vec::new(),
        }
    }

    /// Adds one cell. Blank text (empty or only whitespace) is dropped: it can neither start a
    /// table nor widen one. Position and budget are checked before anything is stored.
    /// Callers that turn values into text check the position first with
    /// [`Budget::check_position`], so a hostile far-away value is refused before it is copied.
    pub(crate) fn push(
        &mut self,
        budget: &mut Budget,
        row: u32,
        col: u32,
        text: String,
    ) -> Result<(), ParseError> {
        if text.trim().is_empty() {
            // Costs nothing kept; a styled empty cell far out must not fail a real file.
            return Ok(());
        }
        budget.check_position(&self.name, row, col)?;
        budget.charge_cell()?;
        budget.charge_text(text.len())?;
        self.arrivals += 1;
        let fits = match self.rows.last() {
            None => true,
            Some(last) => last.row < row || (last.row == row && col >= last.first_col),
        };
        if !fits {
            budget.charge_slots(1)?;
            self.stray.push((row, col, self.arrivals, text));
            return Ok(());
        }
        if self.rows.last().is_none_or(|last| last.row != row) {
            // Rows of one sheet are usually alike: start with the previous row's width.
            let hint = self.rows.last().map_or(0, |r| r.cells.len());
            self.rows.push(SparseRow {
                row,
                first_col: col,
                cells: Vec::with_capacity(hint),
            });
        }
        let last = self.rows.last_mut().expect("a row was just ensured");
        let idx = (col - last.first_col) as usize;
        if idx < last.cells.len() {
            last.cells[idx] = text;
        } else {
            budget.charge_slots(idx + 1 - last.cells.len())?;
            last.cells.resize(idx, String::new());
            last.cells.push(text);
        }
        Ok(())
    }

    /// Sorts stray cells in, so every row appears once, in order.
    fn settle(&mut self) {
        if self.stray.is_empty() {
            return;
        }
        // A stray is always a later arrival than an in-order cell at the same position (in-order
        // cells only ever go right of or below every stray), so in-order cells sort first (0)
        // and strays by arrival; the last of a run at one position wins.
        let mut all: Vec<(u32, u32, usize, String)> = Vec::new();
        for r in std::mem::take(&mut self.rows) {
            for (i, s) in r.cells.into_iter().enumerate() {
                if !s.is_empty() {
                    all.push((r.row, r.first_col + i as u32, 0, s));
                }
            }
        }
        all.append(&mut self.stray);
        all.sort_by_key(|a| (a.0, a.1, a.2));
        let mut rows: Vec<SparseRow> = Vec::new();
        let mut i = 0;
        while i < all.len() {
            let mut j = i;
            while j + 1 < all.len() && all[j + 1].0 == all[i].0 && all[j + 1].1 == all[i].1 {
                j += 1;
            }
            let (row, col, _, text) = std::mem::take(&mut all[j]);
            match rows.last_mut() {
                Some(last) if last.row == row => {
                    let idx = (col - last.first_col) as usize;
                    last.cells.resize(idx, String::new());
                    last.cells.push(text);
                }
                _ => rows.push(SparseRow {
                    row,
                    first_col: col,
                    cells: vec![text],
                }),
            }
            i = j + 1;
        }
        self.rows = rows;
    }

    /// The dense grid of the sheet: rows from the first to the last non-empty row, columns
    /// from the first to the last non-empty column, gaps filled with "". Merged regions are
    /// not filled yet (see [`Grid::fill_merges`]). `None` for a sheet with no text at all.
    pub(crate) fn into_grid(mut self, budget: &mut Budget) -> Result<Option<Grid>, ParseError> {
        self.settle();
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        for r in &self.rows {
            let first = r.cells.iter().position(|c| !c.is_empty());
            let last = r.cells.iter().rposition(|c| !c.is_empty());
            if let (Some(f), Some(l)) = (first, last) {
                let (f, l) = (r.first_col + f as u32, r.first_col + l as u32);
                bounds = Some(match bounds {
                    None => (r.row, r.row, f, l),
                    Some((r0, _, c0, c1)) => (r0, r.row, c0.min(f), c1.max(l)),
                });
            }
        }
        let Some((r0, r1, c0, c1)) = bounds else {
            return Ok(None);
        };
        let height = (r1 - r0) as usize + 1;
        let width = (c1 - c0) as usize + 1;
        // The placed cells were charged as they came; charge what densifying adds on top.
        let placed: usize = self.rows.iter().map(|r| r.cells.len()).sum();
        budget.charge_slots(height.saturating_mul(width).saturating_sub(placed))?;

        let mut cells: Vec<Vec<String>> = Vec::with_capacity(height);
        let mut next_row = r0;
        for r in self.rows {
            while next_row < r.row {
                cells.push(vec![String::new(); width]);
                next_row += 1;
            }
            let mut row = r.cells;
            // Align the row's first column on the grid's.
            if r.first_col > c0 {
                let pad = (r.first_col - c0) as usize;
                row.splice(0..0, std::iter::repeat_n(String::new(), pad));
            } else if r.first_col < c0 {
                // Only empty cells lie left of the grid.
                row.drain(0..(c0 - r.first_col) as usize);
            }
            row.resize(width, String::new());
            cells.push(row);
            next_row = r.row + 1;
        }
        Ok(Some(Grid {
            first_row: r0,
            first_col: c0,
            cells,
            merges: self.merges,
        }))
    }
}

/// A sheet's dense cells, with where they sit on the sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub first_row: u32,
    pub first_col: u32,
    /// Rows of equal width; the first and last rows and columns each hold some text.
    pub cells: Vec<Vec<String>>,
    /// Merged regions, in sheet coordinates.
    pub merges: Vec<Region>,
}

impl Grid {
    /// Copies each merged region's top-left value into the region's empty cells, so a value
    /// that spans several rows (a category) or columns (a title) is found on every row and
    /// column it covers. Regions are clipped to the grid: a merge never widens a table, and a
    /// region whose top-left cell lies outside the grid is empty, so it is ignored.
    pub(crate) fn fill_merges(&mut self, budget: &mut Budget) -> Result<(), ParseError> {
        let merges = std::mem::take(&mut self.merges);
        let height = self.cells.len() as u32;
        let width = self.cells.first().map_or(0, |r| r.len()) as u32;
        for m in &merges {
            if m.first_row < self.first_row
                || m.first_col < self.first_col
                || m.last_row < m.first_row
                || m.last_col < m.first_col
            {
                continue;
            }
            let top = m.first_row - self.first_row;
            let left = m.first_col - self.first_col;
            if top >= height || left >= width {
                continue;
            }
            let bottom = (m.last_row - self.first_row).min(height - 1);
            let right = (m.last_col - self.first_col).min(width - 1);
            let value = self.cells[top as usize][left as usize].clone();
            if value.is_empty() {
                continue;
            }
            let area = (bottom - top + 1) as usize * (right - left + 1) as usize;
            budget.charge_slots(area.saturating_sub(1))?;
            for r in top..=bottom {
                for c in left..=right {
                    let cell = &mut self.cells[r as usize][c as usize];
                    if cell.is_empty() {
                        budget.charge_text(value.len())?;
                        *cell = value.clone();
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn budget() -> Budget {
        Budget::new(&Limits::default())
    }

    fn grid(cells: &[(u32, u32, &str)], merges: &[Region]) -> Option<Grid> {
        let mut b = budget();
        let mut s = SheetCells::new("s");
        for &(r, c, t) in cells {
            s.push(&mut b, r, c, t.to_string()).unwrap();
        }
        s.merges = merges.to_vec();
        let mut g = s.into_grid(&mut b).unwrap()?;
        g.fill_merges(&mut b).unwrap();
        Some(g)
    }

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(1_048_575, 16_383), "XFD1048576");
        assert_eq!(a1(9, 27), "AB10");
    }

    #[test]
    fn sparse_cells_become_a_trimmed_dense_grid() {
        let g = grid(&[(2, 3, "a"), (2, 5, "b"), (4, 4, "c"), (5, 1, "  ")], &[]).unwrap();
        assert_eq!((g.first_row, g.first_col), (2, 3));
        assert_eq!(
            g.cells,
            vec![
                vec!["a".to_string(), "".into(), "b".into()],
                vec!["".to_string(), "".into(), "".into()],
                vec!["".to_string(), "c".into(), "".into()],
            ]
        );
    }

    #[test]
    fn out_of_order_cells_are_sorted_in_and_the_last_write_wins() {
        let g = grid(
            &[
                (3, 1, "d"),
                (1, 2, "b"),
                (1, 0, "a"),
                (3, 0, "c"),
                (3, 1, "D"),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            g.cells,
            vec![
                vec!["a".to_string(), "".into(), "b".into()],
                vec!["".to_string(), "".into(), "".into()],
                vec!["c".to_string(), "D".into(), "".into()],
            ]
        );
    }

    #[test]
    fn blank_sheet_has_no_grid() {
        assert_eq!(grid(&[(0, 0, " "), (3, 3, "")], &[]), None);
    }

    #[test]
    fn merged_regions_are_filled_and_clipped() {
        let m = Region {
            first_row: 0,
            first_col: 0,
            last_row: 0,
            last_col: 99,
        };
        let v = Region {
            first_row: 1,
            first_col: 0,
            last_row: 2,
            last_col: 0,
        };
        let g = grid(
            &[(0, 0, "title"), (1, 0, "cat"), (1, 1, "x"), (2, 1, "y")],
            &[m, v],
        )
        .unwrap();
        assert_eq!(
            g.cells,
            vec![
                vec!["title".to_string(), "title".into()],
                vec!["cat".to_string(), "x".into()],
                vec!["cat".to_string(), "y".into()],
            ]
        );
    }

    #[test]
    fn caps_are_typed_errors() {
        let limits = Limits {
            max_rows: 10,
            max_columns: 5,
            max_cells: 20,
            max_text_bytes: 100,
            ..Limits::default()
        };
        let mut b = Budget::new(&limits);
        let mut s = SheetCells::new("s");
        let e = s.push(&mut b, 10, 0, "x".into()).unwrap_err();
        assert!(
            matches!(e, ParseError::LimitExceeded(ref m) if m.contains("A11")),
            "{e:?}"
        );
        let e = s.push(&mut b, 0, 5, "x".into()).unwrap_err();
        assert!(matches!(e, ParseError::LimitExceeded(ref m) if m.contains("column")));
        // Two cells far apart: few cells, but a dense grid over the cap.
        let mut b = Budget::new(&limits);
        let mut s = SheetCells::new("s");
        s.push(&mut b, 0, 0, "a".into()).unwrap();
        s.push(&mut b, 9, 4, "b".into()).unwrap();
        assert!(matches!(
            s.into_grid(&mut b),
            Err(ParseError::LimitExceeded(_))
        ));
        // Text volume.
        let mut b = Budget::new(&limits);
        b.charge_text(60).unwrap();
        assert!(b.charge_text(60).is_err());
    }
}
