//! The set of reports a review page shows: one entry per `document_id` (the same bytes
//! submitted twice show once, with the other source keys listed), in input order, and the
//! [`Summary`] the charts draw.

use super::report::{PartStatus, Report, PART_CODES};
use super::ReviewLimits;
use crate::document::extract::parts;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What [`Collection::add`] did with a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    New,
    /// Same `document_id` as an earlier report: the first one is kept (the same bytes give the
    /// same result), this one's source key is recorded on it.
    Duplicate,
    /// `max_reports` reached: the report was dropped.
    OverLimit,
}

#[derive(Debug, Default)]
pub(crate) struct Collection {
    reports: Vec<Report>,
    by_id: HashMap<String, usize>,
    duplicates: usize,
    dropped: usize,
}

/// Counts drawn as the page's charts; every list in a stable order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Summary {
    pub reports: usize,
    /// Inputs that repeated an earlier `document_id`.
    pub duplicates: usize,
    /// Reports the required-part check applies to (annual reports).
    pub applicable: usize,
    /// Applicable reports missing at least one mandatory part.
    pub missing_any: usize,
    /// `[part code, reports missing it]` for each mandatory part.
    pub missing_by_part: Vec<(String, usize)>,
    /// `[year, reports]`, ascending; `null` (no year found) last.
    pub by_year: Vec<(Option<i64>, usize)>,
    /// `[level, reports]`, most first; `null` (no level found) last.
    pub by_level: Vec<(Option<String>, usize)>,
    /// `[warning code, reports with it]`, most first, at most `top_warnings`.
    pub top_warnings: Vec<(String, usize)>,
}

impl Collection {
    pub(crate) fn add(&mut self, report: Report, lim: &ReviewLimits) -> Added {
        if let Some(&i) = self.by_id.get(&report.row.id) {
            self.duplicates += 1;
            let first = &mut self.reports[i].row;
            if report.row.key != first.key
                && !first.also.contains(&report.row.key)
                && first.also.len() < lim.max_items
            {
                first.also.push(report.row.key);
            }
            return Added::Duplicate;
        }
        if self.reports.len() >= lim.max_reports {
            self.dropped += 1;
            return Added::OverLimit;
        }
        self.by_id.insert(report.row.id.clone(), self.reports.len());
        self.reports.push(report);
        Added::New
    }

    pub(crate) fn reports(&self) -> &[Report] {
        &self.reports
    }

    /// Reports dropped because `max_reports` was reached.
    pub(crate) fn dropped(&self) -> usize {
        self.dropped
    }

    pub(crate) fn summary(&self, lim: &ReviewLimits) -> Summary {
        let rows = self.reports.iter().map(|r| &r.row);
        let applicable = rows
            .clone()
            .filter(|r| (0..PART_CODES.len()).any(|i| r.status(i) != PartStatus::NotApplicable))
            .count();
        let missing_by_part = PART_CODES
            .iter()
            .enumerate()
            .filter(|(_, code)| parts::MANDATORY.contains(code))
            .map(|(i, code)| {
                let n = rows
                    .clone()
                    .filter(|r| r.status(i) == PartStatus::Missing)
                    .count();
                (code.to_string(), n)
            })
            .collect();

        let mut years: BTreeMap<Option<i64>, usize> = BTreeMap::new();
        let mut levels: BTreeMap<Option<String>, usize> = BTreeMap::new();
        let mut warnings: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &self.reports {
            *years.entry(r.row.yr).or_default() += 1;
            *levels.entry(r.row.lvl.clone()).or_default() += 1;
            for code in &r.warning_codes {
                *warnings.entry(code).or_default() += 1;
            }
        }
        let mut by_year: Vec<_> = years.into_iter().collect();
        // BTreeMap puts None first; unknown goes last so the years read as a timeline.
        by_year.sort_by_key(|(y, _)| (y.is_none(), *y));
        let mut by_level: Vec<_> = levels.into_iter().collect();
        by_level.sort_by(|a, b| {
            (a.0.is_none(), std::cmp::Reverse(a.1), &a.0).cmp(&(
                b.0.is_none(),
                std::cmp::Reverse(b.1),
                &b.0,
            ))
        });
        let mut top_warnings: Vec<(String, usize)> = warnings
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect();
        top_warnings.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top_warnings.truncate(lim.top_warnings);

        Summary {
            reports: self.reports.len(),
            duplicates: self.duplicates,
            applicable,
            missing_any: rows.clone().filter(|r| r.misses_any()).count(),
            missing_by_part,
            by_year,
            by_level,
            top_warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn report(
        id: &str,
        key: &str,
        year: Option<i64>,
        level: Option<&str>,
        missing: &[&str],
    ) -> Value {
        let present: Vec<&str> = parts::MANDATORY
            .iter()
            .copied()
            .filter(|p| !missing.contains(p))
            .collect();
        json!({
            "document_id": id,
            "source": {"key": key, "format": "txt"},
            "metadata": {"report_year": year, "admin_level": level, "title": "t"},
            "compliance": {"present_required_parts": present, "missing_required_parts": missing},
            "warnings": [{"code": "full_width_digits", "message": "2"}, {"code": "web_chrome", "message": "1"},
                         {"code": "web_chrome", "message": "1"}],
        })
    }

    fn collect(values: &[Value]) -> Collection {
        let lim = ReviewLimits::default();
        let mut c = Collection::default();
        for v in values {
            c.add(Report::from_value(v, &lim).unwrap(), &lim);
        }
        c
    }

    #[test]
    fn duplicates_of_one_document_id_show_once_with_their_keys() {
        let c = collect(&[
            report("sha256:1", "a.txt", Some(2023), Some("街道"), &[]),
            report("sha256:1", "copy/a.txt", Some(2023), Some("街道"), &[]),
            report("sha256:1", "a.txt", Some(2023), Some("街道"), &[]),
            report("sha256:2", "b.txt", Some(2022), Some("镇"), &[]),
        ]);
        assert_eq!(c.reports().len(), 2);
        assert_eq!(c.reports()[0].row.also, ["copy/a.txt"]);
        let s = c.summary(&ReviewLimits::default());
        assert_eq!((s.reports, s.duplicates), (2, 2));
    }

    #[test]
    fn summary_counts_missing_parts_years_levels_and_warnings() {
        let c = collect(&[
            report("1", "a", Some(2023), Some("街道"), &["next_year_plans"]),
            report(
                "2",
                "b",
                Some(2022),
                Some("镇"),
                &["next_year_plans", "shortcomings_causes"],
            ),
            report("3", "c", None, Some("街道"), &[]),
            report("4", "d", Some(2022), None, &[]),
        ]);
        let s = c.summary(&ReviewLimits::default());
        assert_eq!(s.applicable, 4);
        assert_eq!(s.missing_any, 2);
        assert_eq!(
            s.missing_by_part,
            [
                ("measures_achievements".to_string(), 0),
                ("shortcomings_causes".to_string(), 1),
                ("first_responsible_duties".to_string(), 0),
                ("next_year_plans".to_string(), 2),
            ]
        );
        assert_eq!(s.by_year, [(Some(2022), 2), (Some(2023), 1), (None, 1)]);
        assert_eq!(
            s.by_level,
            [
                (Some("街道".to_string()), 2),
                (Some("镇".to_string()), 1),
                (None, 1)
            ]
        );
        // Counted per report, not per occurrence: web_chrome twice in one report counts once.
        assert_eq!(
            s.top_warnings,
            [
                ("full_width_digits".to_string(), 4),
                ("web_chrome".to_string(), 4)
            ]
        );
    }

    #[test]
    fn reports_that_are_not_annual_reports_are_not_counted_as_missing() {
        let mut notice = report("n", "n", Some(2023), Some("街道"), &["next_year_plans"]);
        notice["compliance"]["applicable"] = json!(false);
        let c = collect(&[
            notice,
            report("r", "r", Some(2023), Some("街道"), &["next_year_plans"]),
        ]);
        let s = c.summary(&ReviewLimits::default());
        assert_eq!((s.applicable, s.missing_any), (1, 1));
        assert_eq!(s.missing_by_part[3].1, 1);
    }

    #[test]
    fn max_reports_drops_the_rest_and_counts_them() {
        let lim = ReviewLimits {
            max_reports: 1,
            ..ReviewLimits::default()
        };
        let mut c = Collection::default();
        for id in ["1", "2", "1"] {
            let r = Report::from_value(&report(id, id, None, None, &[]), &lim).unwrap();
            c.add(r, &lim);
        }
        assert_eq!((c.reports().len(), c.dropped()), (1, 1));
    }

    #[test]
    fn top_warnings_is_bounded() {
        let lim = ReviewLimits {
            top_warnings: 1,
            ..ReviewLimits::default()
        };
        let s = collect(&[report("1", "a", None, None, &[])]).summary(&lim);
        assert_eq!(s.top_warnings.len(), 1);
    }
}
