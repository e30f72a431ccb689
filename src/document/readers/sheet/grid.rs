//! Cells as they stream out of a sheet -> a bounded, dense grid.
//!
//! Every format reader pushes `(row, column, text)` here. Nothing is ever allocated from a
//! position or a declared dimension: memory follows the cells actually pushed, and every push
//! is charged to a workbook-wide [`Budget`] first, so a hostile sheet ends as
//! [`ParseError::LimitExceeded`] before it costs more than the limits allow:
//! - a cell in a row index >= `max_rows` or a column index >= `max_columns`;
//! - more than `max_cells` non-empty cells in the workbook;
//! - more than `max_cells` slots in the dense grids (rows x columns between the first and last
//!   non-empty cell of each sheet, summed over sheets, or of the rows and columns with text
//!   for a sparse sheet, see below) — the output is dense, so this is what the result costs;
//! - more than `max_text_bytes` of cell text in the workbook (shared strings are copied into
//!   every cell that uses them, so this is where a 1 MB string used a million times stops).
//!
//! A sheet whose bounding box is more than 16x its cells with text (plus 65,536) keeps only the
//! rows and columns that hold text, so its table follows the cells that exist.
//!
//! Cells usually arrive row by row, left to right; they are then placed in O(1). Anything out
//! of order (a row seen before, a column left of the row's first) is set aside and sorted in at
//! the end (O(n log n)), so a shuffled sheet costs time, never quadratic time.

use crate::document::error::ParseError;
use crate::document::limits::Limits;
use crate::document::rows::Rows;

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
    cancel: crate::document::limits::Cancel,
}

/// Cells between two looks at the cancel flag: a few microseconds of work.
const CANCEL_POLL_CELLS: usize = 1024;

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Self {
        // Tables address their cells and text with u32 offsets (see `Rows`): a configured
        // limit above 4 Gi works as 4 Gi.
        let addressable = u32::MAX as usize;
        Budget {
            max_rows: limits.max_rows,
            max_columns: limits.max_columns,
            max_cells: limits.max_cells.min(addressable),
            max_text_bytes: limits.max_text_bytes.min(addressable),
            cells: 0,
            slots: 0,
            text_bytes: 0,
            cancel: limits.cancel.clone(),
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
        if self.cells % CANCEL_POLL_CELLS == 0 {
            self.cancel.check()?;
        }
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

/// A cell that arrived out of order: its position, arrival number (later wins) and text in
/// [`SheetCells::stray_text`].
#[derive(Debug)]
struct Stray {
    row: u32,
    col: u32,
    arrival: usize,
    start: usize,
    end: usize,
}

/// One sheet's cells while they stream in, held compactly: a cell costs its text and a length
/// byte (see [`Rows`]), not a `String` of its own.
#[derive(Debug)]
pub(crate) struct SheetCells {
    pub name: String,
    /// In-order cells: one row per sheet row that has any, from its first cell's column on;
    /// gaps hold empty cells (no text, a length byte each).
    cells: Rows,
    /// For each row of `cells`: its sheet row and first column.
    at: Vec<(u32, u32)>,
    /// Cells that arrived out of order (a row seen before, or a column not right of the row's
    /// last cell), sorted in by [`SheetCells::settle`].
    stray: Vec<Stray>,
    stray_text: String,
    arrivals: usize,
    pub merges: Vec<Region>,
}

impl SheetCells {
    pub(crate) fn new(name: impl Into<String>) -> Self {
        SheetCells {
            name: name.into(),
            cells: Rows::new(),
            at: Vec::new(),
            stray: Vec::new(),
            stray_text: String::new(),
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
        text: &str,
    ) -> Result<(), ParseError> {
        if text.trim().is_empty() {
            // Costs nothing kept; a styled empty cell far out must not fail a real file.
            return Ok(());
        }
        budget.check_position(&self.name, row, col)?;
        budget.charge_cell()?;
        budget.charge_text(text.len())?;
        self.arrivals += 1;
        // The last row: its sheet row, first column and the column after its last cell.
        let last = self.at.last().map(|&(r, first_col)| {
            let len = self.cells.get(self.at.len() - 1).map_or(0, |c| c.len());
            (r, first_col, first_col + len as u32)
        });
        match last {
            // A new row below the last one.
            None => self.start_row(row, col),
            Some((last_row, _, _)) if last_row < row => self.start_row(row, col),
            // Right of the last cell of the same row: fill the gap, then the cell.
            Some((last_row, _, next_col)) if last_row == row && col >= next_col => {
                let gap = (col - next_col) as usize;
                budget.charge_slots(gap + 1)?;
                for _ in 0..gap {
                    self.cells.push_cell("");
                }
            }
            // Anything else is sorted in at the end: rewriting a cell in the middle of the
            // buffer would cost a copy of the row's tail each time. A cell within the last
            // row's span takes a slot already charged; one outside it may need a new one.
            Some((last_row, first_col, _)) => {
                if last_row != row || col < first_col {
                    budget.charge_slots(1)?;
                }
                let start = self.stray_text.len();
                self.stray_text.push_str(text);
                self.stray.push(Stray {
                    row,
                    col,
                    arrival: self.arrivals,
                    start,
                    end: self.stray_text.len(),
                });
                return Ok(());
            }
        }
        self.cells.push_cell(text);
        Ok(())
    }

    /// Opens row `row` at column `col` (the slot of the cell about to be pushed was checked).
    fn start_row(&mut self, row: u32, col: u32) {
        self.cells.start_row();
        self.at.push((row, col));
    }

    /// Sorts stray cells in, so every row appears once, in order.
    fn settle(&mut self) {
        if self.stray.is_empty() {
            return;
        }
        // A stray is always a later arrival than an in-order cell at the same position (in-order
        // cells only ever go right of or below every stray), so in-order cells sort first (0)
        // and strays by arrival; the last of a run at one position wins. Cells are referred to
        // by index: in-order cells first, then strays.
        let placed = self.cells.cell_count();
        let mut all: Vec<(u32, u32, usize, usize)> = Vec::new();
        let mut i = 0;
        for (r, &(row, first_col)) in self.cells.iter().zip(&self.at) {
            for (k, text) in r.iter().enumerate() {
                if !text.is_empty() {
                    all.push((row, first_col + k as u32, 0, i));
                }
                i += 1;
            }
        }
        for (k, s) in self.stray.iter().enumerate() {
            all.push((s.row, s.col, s.arrival, placed + k));
        }
        all.sort_unstable_by_key(|a| (a.0, a.1, a.2));
        let old = std::mem::take(&mut self.cells);
        let old_cells = old.flat();
        let strays = std::mem::take(&mut self.stray);
        let stray_text = std::mem::take(&mut self.stray_text);
        self.at.clear();
        let mut settled = SheetCells {
            name: std::mem::take(&mut self.name),
            ..SheetCells::new("")
        };
        let mut i = 0;
        while i < all.len() {
            let mut j = i;
            while j + 1 < all.len() && all[j + 1].0 == all[i].0 && all[j + 1].1 == all[i].1 {
                j += 1;
            }
            let (row, col, _, src) = all[j];
            let text = match src.checked_sub(placed) {
                None => old_cells.get(src),
                Some(k) => &stray_text[strays[k].start..strays[k].end],
            };
            settled.place(row, col, text);
            i = j + 1;
        }
        settled.merges = std::mem::take(&mut self.merges);
        *self = settled;
    }

    /// Stores a cell in sorted order (used by [`SheetCells::settle`]). Its slot was charged when
    /// it came; the gaps before it are charged with the grid's padding in
    /// [`SheetCells::into_grid`].
    fn place(&mut self, row: u32, col: u32, text: &str) {
        match self.at.last() {
            Some(&(r, first_col)) if r == row => {
                let len = self.cells.get(self.at.len() - 1).map_or(0, |c| c.len());
                for _ in len..(col - first_col) as usize {
                    self.cells.push_cell("");
                }
            }
            _ => self.start_row(row, col),
        }
        self.cells.push_cell(text);
    }

    /// The dense grid of the sheet: rows from the first to the last non-empty row, columns
    /// from the first to the last non-empty column, gaps filled with "". Merged regions are
    /// not filled yet (see [`Grid::fill_merges`]). `None` for a sheet with no text at all.
    pub(crate) fn into_grid(mut self, budget: &mut Budget) -> Result<Option<Grid>, ParseError> {
        self.settle();
        let mut bounds: Option<(u32, u32, u32, u32)> = None;
        for (r, &(row, first_col)) in self.cells.iter().zip(&self.at) {
            let first = r.iter().position(|c| !c.is_empty());
            let last = r.iter().rposition(|c| !c.is_empty());
            if let (Some(f), Some(l)) = (first, last) {
                let (f, l) = (first_col + f as u32, first_col + l as u32);
                bounds = Some(match bounds {
                    None => (row, row, f, l),
                    Some((r0, _, c0, c1)) => (r0, row, c0.min(f), c1.max(l)),
                });
            }
        }
        let Some((r0, r1, c0, c1)) = bounds else {
            return Ok(None);
        };
        let height = (r1 - r0) as usize + 1;
        let width = (c1 - c0) as usize + 1;
        let placed = self.cells.cell_count();
        if self.merges.is_empty() && self.is_sparse(height.saturating_mul(width)) {
            return self.compact(budget, r0, c0).map(Some);
        }
        // The placed cells were charged as they came; charge what densifying adds on top.
        budget.charge_slots(height.saturating_mul(width).saturating_sub(placed))?;

        // Already dense (every row present, each starting at the first column and as wide as
        // the grid, the usual shape of an export): the buffers are the grid as they are.
        let dense =
            self.cells.len() == height
                && self.cells.iter().zip(&self.at).enumerate().all(
                    |(i, (r, &(row, first_col)))| {
                        row == r0 + i as u32 && first_col == c0 && r.len() == width
                    },
                );
        let cells = std::mem::take(&mut self.cells);
        let cells = if dense {
            cells
        } else {
            // Padding adds empty cells, which have no text, and every cell with text lies
            // inside the grid: the text stays where it is, only the lengths are laid out again.
            let at: Vec<(usize, i64)> = self
                .at
                .iter()
                .map(|&(row, first_col)| ((row - r0) as usize, first_col as i64 - c0 as i64))
                .collect();
            cells.into_rectangle(&at, height, width)
        };
        Ok(Some(Grid {
            first_row: r0,
            first_col: c0,
            cells,
            merges: self.merges,
        }))
    }
}

impl SheetCells {
    /// A sheet whose bounding box is mostly empty: 64 cells scattered over A1..EA32770 would be
    /// a 4.26-million-cell table of empty strings (12.8 MB of JSON). Such a table keeps only its
    /// rows and columns that hold text, so the result's cost follows the cells that exist.
    fn is_sparse(&self, box_cells: usize) -> bool {
        if box_cells <= SPARSE_SLACK {
            return false;
        }
        let with_text = self
            .cells
            .iter()
            .map(|r| r.iter().filter(|c| !c.is_empty()).count())
            .sum::<usize>();
        box_cells > with_text.saturating_mul(SPARSE_FACTOR) + SPARSE_SLACK
    }

    /// The table of the rows and columns that hold text, in sheet order. Merged regions are
    /// in sheet coordinates, so a sheet with merges is never compacted (see `into_grid`).
    fn compact(self, budget: &mut Budget, r0: u32, c0: u32) -> Result<Grid, ParseError> {
        let mut cols: Vec<u32> = Vec::new();
        let mut rows_used = 0usize;
        for (r, &(_, first_col)) in self.cells.iter().zip(&self.at) {
            let before = cols.len();
            cols.extend(
                r.iter()
                    .enumerate()
                    .filter(|(_, c)| !c.is_empty())
                    .map(|(k, _)| first_col + k as u32),
            );
            rows_used += usize::from(cols.len() > before);
        }
        cols.sort_unstable();
        cols.dedup();
        let slots = rows_used.saturating_mul(cols.len());
        budget.charge_slots(slots.saturating_sub(self.cells.cell_count()))?;
        let mut out = Rows::with_capacity(rows_used, slots, self.cells.text_len());
        let mut line: Vec<&str> = vec![""; cols.len()];
        for (r, &(_, first_col)) in self.cells.iter().zip(&self.at) {
            line.fill("");
            let mut any = false;
            for (k, text) in r.iter().enumerate().filter(|(_, c)| !c.is_empty()) {
                let col = first_col + k as u32;
                if let Ok(i) = cols.binary_search(&col) {
                    line[i] = text;
                    any = true;
                }
            }
            if any {
                out.push_row(line.iter());
            }
        }
        Ok(Grid {
            first_row: r0,
            first_col: c0,
            cells: out,
            merges: Vec::new(),
        })
    }
}

/// A table is compacted when its bounding box holds more than this many slots per cell with
/// text, plus [`SPARSE_SLACK`] (so small tables with gaps are never touched).
const SPARSE_FACTOR: usize = 16;
const SPARSE_SLACK: usize = 65_536;

/// A sheet's dense cells, with where they sit on the sheet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub first_row: u32,
    pub first_col: u32,
    /// Rows of equal width; the first and last rows and columns each hold some text.
    pub cells: Rows,
    /// Merged regions, in sheet coordinates.
    pub merges: Vec<Region>,
}

impl Grid {
    /// Copies each merged region's top-left value into the region's empty cells, so a value
    /// that spans several rows (a category) or columns (a title) is found on every row and
    /// column it covers. Regions are clipped to the grid: a merge never widens a table, and a
    /// region whose top-left cell lies outside the grid is empty, so it is ignored.
    ///
    /// Regions are applied in order, each to the grid as the earlier ones left it. The copies
    /// are recorded as "cell `i` shows the text of cell `source[i]`" and the grid is rebuilt
    /// once at the end, so a sheet without merges costs nothing here.
    pub(crate) fn fill_merges(&mut self, budget: &mut Budget) -> Result<(), ParseError> {
        let merges = std::mem::take(&mut self.merges);
        if merges.is_empty() {
            return Ok(());
        }
        let height = self.cells.len();
        let width = self.cells.get(0).map_or(0, |r| r.len());
        let cells = self.cells.flat();
        // source[i]: the cell whose text cell i shows; allocated at the first region that
        // applies.
        let mut source: Vec<u32> = Vec::new();
        for m in &merges {
            if m.first_row < self.first_row
                || m.first_col < self.first_col
                || m.last_row < m.first_row
                || m.last_col < m.first_col
            {
                continue;
            }
            let top = (m.first_row - self.first_row) as usize;
            let left = (m.first_col - self.first_col) as usize;
            if top >= height || left >= width {
                continue;
            }
            if source.is_empty() {
                source = (0..height * width).map(|i| i as u32).collect();
            }
            let bottom = ((m.last_row - self.first_row) as usize).min(height - 1);
            let right = ((m.last_col - self.first_col) as usize).min(width - 1);
            let value = source[top * width + left];
            let value_len = cells.get(value as usize).len();
            if value_len == 0 {
                continue;
            }
            let area = (bottom - top + 1) * (right - left + 1);
            budget.charge_slots(area.saturating_sub(1))?;
            for r in top..=bottom {
                for c in left..=right {
                    let i = r * width + c;
                    if cells.get(source[i] as usize).is_empty() {
                        budget.charge_text(value_len)?;
                        source[i] = value;
                    }
                }
            }
        }
        if source.is_empty() {
            return Ok(());
        }
        let text_len = source.iter().map(|&s| cells.get(s as usize).len()).sum();
        let mut filled = Rows::with_capacity(height, source.len(), text_len);
        for row in source.chunks(width) {
            filled.push_row(row.iter().map(|&s| cells.get(s as usize)));
        }
        self.cells = filled;
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
            s.push(&mut b, r, c, t).unwrap();
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
    fn a_row_written_out_of_order_and_rewritten_costs_no_extra_slot() {
        // Four slots allowed: A1..D1 once. C1 and B1 come after D1 (left of the last cell)
        // and A1 is rewritten; none of that may count as more than the row's four slots.
        let limits = Limits {
            max_cells: 4,
            ..Limits::default()
        };
        let mut b = Budget::new(&limits);
        let mut s = SheetCells::new("s");
        for (c, t) in [(0, "a"), (3, "d"), (0, "A"), (2, "c")] {
            s.push(&mut b, 0, c, t).unwrap();
        }
        let g = s.into_grid(&mut b).unwrap().unwrap();
        assert_eq!(g.cells, vec![vec!["A", "", "c", "d"]]);
        // A fifth cell is over the cap.
        assert!(matches!(
            s_with(
                &limits,
                &[
                    (0, 0, "a"),
                    (0, 3, "d"),
                    (0, 0, "A"),
                    (0, 2, "c"),
                    (0, 1, "b")
                ]
            ),
            Err(ParseError::LimitExceeded(_))
        ));
    }

    fn s_with(limits: &Limits, cells: &[(u32, u32, &str)]) -> Result<(), ParseError> {
        let mut b = Budget::new(limits);
        let mut s = SheetCells::new("s");
        for &(r, c, t) in cells {
            s.push(&mut b, r, c, t)?;
        }
        s.into_grid(&mut b).map(|_| ())
    }

    #[test]
    fn long_cells_survive_padding_and_merges() {
        let long = "长".repeat(200); // 600 bytes
        let m = Region {
            first_row: 1,
            first_col: 2,
            last_row: 3,
            last_col: 2,
        };
        // Ragged rows starting at different columns: the grid is laid out again.
        let g = grid(&[(1, 2, &long), (2, 1, "x"), (3, 3, "y")], &[m]).unwrap();
        assert_eq!((g.first_row, g.first_col), (1, 1));
        assert_eq!(
            g.cells,
            vec![
                vec!["", long.as_str(), ""],
                vec!["x", long.as_str(), ""],
                vec!["", long.as_str(), "y"],
            ]
        );
    }

    #[test]
    fn a_full_sheet_is_its_own_grid() {
        let g = grid(&[(5, 2, "a"), (5, 3, "b"), (6, 2, "c"), (6, 3, "d")], &[]).unwrap();
        assert_eq!((g.first_row, g.first_col), (5, 2));
        assert_eq!(g.cells, vec![vec!["a", "b"], vec!["c", "d"]]);
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
        let e = s.push(&mut b, 10, 0, "x").unwrap_err();
        assert!(
            matches!(e, ParseError::LimitExceeded(ref m) if m.contains("A11")),
            "{e:?}"
        );
        let e = s.push(&mut b, 0, 5, "x").unwrap_err();
        assert!(matches!(e, ParseError::LimitExceeded(ref m) if m.contains("column")));
        // Two cells far apart: few cells, but a dense grid over the cap.
        let mut b = Budget::new(&limits);
        let mut s = SheetCells::new("s");
        s.push(&mut b, 0, 0, "a").unwrap();
        s.push(&mut b, 9, 4, "b").unwrap();
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
