//! Charts as server-rendered SVG: a time series against target and baseline, and a
//! comparison per gemeente. Only the geometry is computed here; the markup is an askama
//! template (`templates/indicators/charts.html`), so every text is escaped.

use crate::domain::{Frequency, Period, format_number_nl};

pub const WIDTH: f64 = 640.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 32.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 48.0;

/// A horizontal (line chart) or vertical (bar chart) reference line.
pub struct Rule {
    pub at: f64,
    pub label: String,
    /// target, baseline or milestone: the CSS class.
    pub kind: &'static str,
}

pub struct Tick {
    pub at: f64,
    pub label: String,
}

pub struct Point {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

/// A series longer than this marks only the points its line does not show, and the last:
/// hundreds of marks hide the line and make the page heavy; the values are in the table.
pub const MARKED_POINTS: usize = 60;

/// A time series: points joined per unbroken run of periods; a missing period breaks the line.
pub struct LineChart {
    pub height: f64,
    pub plot_left: f64,
    pub plot_right: f64,
    pub plot_bottom: f64,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    /// SVG path data, one per unbroken run.
    pub runs: Vec<String>,
    /// The marked points: every point of a short series; of a long one (more than
    /// [`MARKED_POINTS`]) those a line does not show (alone in their run) and the last.
    pub points: Vec<Point>,
    pub rules: Vec<Rule>,
}

/// The period after `p` for a KPI's frequency.
pub fn next(p: Period) -> Period {
    match p {
        Period::Year(y) => Period::Year(y + 1),
        Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
        Period::Quarter(y, q) => Period::Quarter(y, q + 1),
        Period::Month(y, 12) => Period::Month(y + 1, 1),
        Period::Month(y, m) => Period::Month(y, m + 1),
        Period::Day(d) => Period::Day(d.tomorrow().unwrap_or(d)),
    }
}

/// Every period of the KPI's frequency from the one that holds the first observation to the
/// last observation, so gaps show as gaps. Observations of another length (stored before the
/// KPI's frequency changed) do not set the periods; see [`periods_off_frequency`].
pub fn periods_between(first: Period, last: Period, frequency: Frequency) -> Vec<Period> {
    let mut out = Vec::new();
    let mut p = frequency.period_of(first.start());
    while p.start() <= last.start() && out.len() < 2000 {
        out.push(p);
        p = next(p);
    }
    out
}

/// How many of `periods` have no value in `series`: the gaps in the line. Counted from the
/// periods, so observations that lie outside them can never make it negative.
pub fn periods_without_value(periods: &[Period], series: &[(Period, f64)]) -> usize {
    periods
        .iter()
        .filter(|p| !series.iter().any(|(q, _)| q == *p))
        .count()
}

/// How many observations of `series` are of no period in `periods` (a month of a KPI that is
/// now measured per quarter): the chart cannot place them, the table lists them.
pub fn periods_off_frequency(periods: &[Period], series: &[(Period, f64)]) -> usize {
    series.iter().filter(|(p, _)| !periods.contains(p)).count()
}

/// The largest size of a value the geometry draws where it is. Values are checked on the way
/// in (at most `domain::MAX_VALUE`); one stored before that check is drawn at this edge, so
/// no span or coordinate overflows.
const DRAWN_LIMIT: f64 = 1e15;

/// A value as the geometry draws it: within [`DRAWN_LIMIT`]; `None` for NaN.
fn drawn(value: f64) -> Option<f64> {
    (!value.is_nan()).then(|| value.clamp(-DRAWN_LIMIT, DRAWN_LIMIT))
}

/// Where `value` lies on an axis from `lo` (drawn at `from`) to `hi` (at `to`). Always a
/// finite number: the middle of the axis when the span gives none.
fn scale(value: f64, lo: f64, hi: f64, from: f64, to: f64) -> f64 {
    let at = from + (value - lo) / (hi - lo) * (to - from);
    if at.is_finite() {
        at
    } else {
        (from + to) / 2.0
    }
}

/// Round numbers for an axis from `min` to `max`.
fn ticks(min: f64, max: f64) -> (f64, f64, Vec<f64>) {
    let span = (max - min).abs().max(1e-9);
    let raw = span / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(magnitude * 10.0);
    let lo = (min / step).floor() * step;
    let hi = (max / step).ceil() * step;
    let mut values = Vec::new();
    let mut v = lo;
    while v <= hi + step / 2.0 && values.len() < 20 {
        values.push(v);
        v += step;
    }
    (lo, hi, values)
}

fn range(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values.fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

impl LineChart {
    /// `series`: (period, value) in order, over `periods` (which include the gaps).
    pub fn build(
        periods: &[Period],
        series: &[(Period, f64)],
        rules: Vec<(f64, String, &'static str)>,
        unit: &dyn Fn(f64) -> String,
    ) -> Option<Self> {
        if periods.is_empty() || series.is_empty() {
            return None;
        }
        let height = 300.0;
        let (plot_left, plot_right) = (LEFT, WIDTH - RIGHT);
        let (plot_top, plot_bottom) = (TOP, height - BOTTOM);
        let (lo, hi) = range(
            series
                .iter()
                .map(|(_, v)| *v)
                .chain(rules.iter().map(|r| r.0))
                .filter_map(drawn),
        )?;
        let (lo, hi) = if (hi - lo).abs() < 1e-9 {
            (lo - 1.0, hi + 1.0)
        } else {
            (lo, hi)
        };
        let (lo, hi, tick_values) = ticks(lo, hi);
        let y = |v: f64| scale(drawn(v).unwrap_or(lo), lo, hi, plot_bottom, plot_top);
        let count = periods.len();
        let x = |i: usize| {
            if count == 1 {
                (plot_left + plot_right) / 2.0
            } else {
                plot_left + i as f64 / (count - 1) as f64 * (plot_right - plot_left)
            }
        };
        let index = |p: Period| periods.iter().position(|q| *q == p);
        let mut runs = Vec::new();
        let mut points = Vec::new();
        let mut current = String::new();
        // The number of each point's run, to find the points alone in theirs.
        let mut run_of: Vec<usize> = Vec::new();
        let mut last_index: Option<usize> = None;
        for (p, v) in series {
            let Some(i) = index(*p) else { continue };
            if v.is_nan() {
                continue;
            }
            let (px, py) = (x(i), y(*v));
            let joined = last_index.is_some_and(|l| l + 1 == i);
            if !joined && !current.is_empty() {
                runs.push(std::mem::take(&mut current));
            }
            run_of.push(runs.len());
            current.push_str(&format!(
                "{}{px:.1},{py:.1} ",
                if joined { "L" } else { "M" }
            ));
            points.push(Point {
                x: px,
                y: py,
                label: format!("{}: {}", p.label_nl(), unit(*v)),
            });
            last_index = Some(i);
        }
        if !current.is_empty() {
            runs.push(current);
        }
        if points.len() > MARKED_POINTS {
            let last = points.len() - 1;
            let alone = |i: usize| run_of.iter().filter(|r| **r == run_of[i]).count() == 1;
            let keep: Vec<bool> = (0..points.len()).map(|i| i == last || alone(i)).collect();
            let mut keep = keep.into_iter();
            points.retain(|_| keep.next().unwrap_or(false));
        }
        // At most about eight labels on the x axis.
        let every = count.div_ceil(8).max(1);
        let x_ticks = periods
            .iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0 || *i == count - 1)
            .map(|(i, p)| Tick {
                at: x(i),
                label: p.to_string(),
            })
            .collect();
        Some(Self {
            height,
            plot_left,
            plot_right,
            plot_bottom,
            y_ticks: tick_values
                .into_iter()
                .map(|v| Tick {
                    at: y(v),
                    label: format_number_nl(v),
                })
                .collect(),
            x_ticks,
            runs,
            points,
            rules: rules
                .into_iter()
                .map(|(v, label, kind)| Rule {
                    at: y(v),
                    label,
                    kind,
                })
                .collect(),
        })
    }
}

pub struct Bar {
    pub y: f64,
    /// Where the bar starts and ends (from the zero line to the value).
    pub x0: f64,
    pub x1: f64,
    pub name: String,
    pub value: String,
    /// The status code, for the bar's class.
    pub status: &'static str,
    pub symbol: &'static str,
}

/// One bar per area, for one period.
pub struct BarChart {
    pub height: f64,
    pub plot_left: f64,
    pub plot_top: f64,
    pub plot_bottom: f64,
    pub bar_height: f64,
    pub bars: Vec<Bar>,
    pub x_ticks: Vec<Tick>,
    pub rules: Vec<Rule>,
}

impl BarChart {
    /// `items`: (name, value, shown value, status code, symbol).
    pub fn build(
        items: Vec<(String, f64, String, &'static str, &'static str)>,
        rules: Vec<(f64, String, &'static str)>,
    ) -> Option<Self> {
        if items.is_empty() {
            return None;
        }
        let row = 22.0;
        let plot_left = 170.0;
        let plot_right = WIDTH - 72.0;
        let plot_top = TOP;
        let plot_bottom = plot_top + row * items.len() as f64;
        let height = plot_bottom + 48.0;
        let (lo, hi) = range(
            items
                .iter()
                .map(|i| i.1)
                .chain(rules.iter().map(|r| r.0))
                .chain(std::iter::once(0.0))
                .filter_map(drawn),
        )?;
        let (lo, hi, tick_values) = ticks(lo, if (hi - lo).abs() < 1e-9 { lo + 1.0 } else { hi });
        let x = |v: f64| scale(drawn(v).unwrap_or(lo), lo, hi, plot_left, plot_right);
        let zero = x(0.0_f64.clamp(lo, hi));
        let bars = items
            .into_iter()
            .enumerate()
            .map(|(i, (name, v, value, status, symbol))| {
                let end = x(v);
                Bar {
                    y: plot_top + row * i as f64 + 3.0,
                    x0: zero.min(end),
                    x1: zero.max(end).max(zero.min(end) + 1.0),
                    name,
                    value,
                    status,
                    symbol,
                }
            })
            .collect();
        Some(Self {
            height,
            plot_left,
            plot_top,
            plot_bottom,
            bar_height: row - 6.0,
            bars,
            x_ticks: tick_values
                .into_iter()
                .map(|v| Tick {
                    at: x(v),
                    label: format_number_nl(v),
                })
                .collect(),
            rules: rules
                .into_iter()
                .map(|(v, label, kind)| Rule {
                    at: x(v),
                    label,
                    kind,
                })
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_quarter_breaks_the_line_in_two() {
        let q = |y, n| Period::Quarter(y, n);
        let periods = periods_between(q(2025, 1), q(2025, 4), Frequency::Quarter);
        assert_eq!(periods.len(), 4);
        let series = [(q(2025, 1), 10.0), (q(2025, 2), 11.0), (q(2025, 4), 13.0)];
        let chart =
            LineChart::build(&periods, &series, vec![], &|v| format_number_nl(v)).expect("chart");
        assert_eq!(chart.runs.len(), 2);
        assert_eq!(chart.points.len(), 3);
    }

    #[test]
    fn a_long_series_marks_only_the_points_its_line_does_not_show_and_the_last() {
        let m = |n: i32| {
            Period::Month(
                i16::try_from(2000 + n / 12).expect("year"),
                u8::try_from(n % 12 + 1).expect("month"),
            )
        };
        let periods = periods_between(m(0), m(99), Frequency::Month);
        // Months 0-49 joined, 51 alone, 53-99 joined.
        let series: Vec<(Period, f64)> = (0..100)
            .filter(|n| *n != 50 && *n != 52)
            .map(|n| (m(n), f64::from(n)))
            .collect();
        let chart =
            LineChart::build(&periods, &series, vec![], &|v| format_number_nl(v)).expect("chart");
        assert_eq!(chart.runs.len(), 3);
        let marked: Vec<&str> = chart.points.iter().map(|p| p.label.as_str()).collect();
        assert_eq!(marked.len(), 2, "{marked:?}");
        assert!(marked[0].ends_with(": 51"), "{marked:?}");
        assert!(marked[1].ends_with(": 99"), "{marked:?}");
        // A short series marks every point.
        let short = LineChart::build(&periods, &series[..MARKED_POINTS], vec![], &|v| {
            format_number_nl(v)
        })
        .expect("chart");
        assert_eq!(short.points.len(), MARKED_POINTS);
    }

    #[test]
    fn the_target_line_lies_inside_the_plot() {
        let y = |n| Period::Year(n);
        let periods = periods_between(y(2024), y(2025), Frequency::Year);
        let chart = LineChart::build(
            &periods,
            &[(y(2024), 40.0), (y(2025), 45.0)],
            vec![(65.0, "Streefwaarde".into(), "target")],
            &|v| format_number_nl(v),
        )
        .expect("chart");
        let rule = &chart.rules[0];
        assert!(rule.at >= 0.0 && rule.at <= chart.plot_bottom);
    }

    fn every_number_is_finite(chart: &LineChart) -> bool {
        chart
            .points
            .iter()
            .flat_map(|p| [p.x, p.y])
            .chain(chart.y_ticks.iter().map(|t| t.at))
            .chain(chart.x_ticks.iter().map(|t| t.at))
            .chain(chart.rules.iter().map(|r| r.at))
            .all(f64::is_finite)
            && chart
                .runs
                .iter()
                .all(|r| !r.contains("NaN") && !r.contains("inf"))
    }

    #[test]
    fn the_largest_numbers_a_float_holds_still_give_finite_coordinates() {
        let q = |n| Period::Quarter(2025, n);
        let periods = periods_between(q(1), q(3), Frequency::Quarter);
        for series in [
            vec![(q(1), 1.7e308), (q(2), -1.7e308), (q(3), 0.0)],
            vec![(q(1), f64::MAX), (q(2), f64::MIN)],
            vec![(q(1), f64::NAN), (q(2), 5.0), (q(3), f64::INFINITY)],
            vec![(q(1), 1e-300), (q(2), -1e-300)],
        ] {
            let chart = LineChart::build(
                &periods,
                &series,
                vec![(f64::MAX, "Streefwaarde".into(), "target")],
                &|v| format_number_nl(v),
            )
            .expect("chart");
            assert!(
                every_number_is_finite(&chart),
                "{series:?}: {:?}",
                chart.runs
            );
        }
        let bars = BarChart::build(
            vec![
                ("Zeist".into(), 1.7e308, "groot".into(), "achter", "▲"),
                ("Bunnik".into(), -1.7e308, "klein".into(), "op-koers", "✔"),
                ("Houten".into(), f64::NAN, "?".into(), "op-koers", "✔"),
            ],
            vec![(f64::MIN, "Streefwaarde".into(), "target")],
        )
        .expect("chart");
        assert!(
            bars.bars
                .iter()
                .flat_map(|b| [b.x0, b.x1, b.y])
                .chain(bars.x_ticks.iter().map(|t| t.at))
                .chain(bars.rules.iter().map(|r| r.at))
                .all(f64::is_finite)
        );
    }

    #[test]
    fn observations_of_another_frequency_never_make_the_gap_count_negative() {
        let q = |y, n| Period::Quarter(y, n);
        // Quarterly values, six monthly ones from when the KPI was measured per month, and
        // the KPI measured per quarter again.
        let mut series: Vec<(Period, f64)> = (1..=4).map(|n| (q(2025, n), 10.0)).collect();
        series.extend((1..=6).map(|m| (Period::Month(2026, m), 11.0)));
        series.push((q(2026, 3), 12.0));
        let periods = periods_between(series[0].0, q(2026, 3), Frequency::Quarter);
        assert_eq!(periods.len(), 7);
        assert_eq!(periods_without_value(&periods, &series), 2);
        assert_eq!(periods_off_frequency(&periods, &series), 6);
        // Per year, the quarters are all off: two years without a value of their own.
        let years = periods_between(series[0].0, q(2026, 3), Frequency::Year);
        assert_eq!(years, [Period::Year(2025), Period::Year(2026)]);
        assert_eq!(periods_without_value(&years, &series), 2);
        assert_eq!(periods_off_frequency(&years, &series), series.len());
    }

    #[test]
    fn negative_values_get_bars_to_the_left_of_zero() {
        let chart = BarChart::build(
            vec![
                ("Zeist".into(), -3.0, "-3".into(), "achter", "▲"),
                ("Bunnik".into(), 2.0, "2".into(), "op-koers", "✔"),
            ],
            vec![],
        )
        .expect("chart");
        assert!(chart.bars[0].x1 <= chart.bars[1].x0 + 0.5);
    }
}
