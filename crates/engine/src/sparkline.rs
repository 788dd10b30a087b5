//! ASCII sparklines, as LATENCY GRAPH draws them (Redis's `sparkline.c`).
//!
//! A sequence of samples becomes a chart `rows` characters tall and one column per sample.
//! Each row has three levels, drawn with `_`, `o` and `#` from its bottom to its top, so a
//! chart of four rows tells twelve heights apart: a sample's height is its distance from the
//! sequence's minimum, scaled so that the maximum reaches the top (a flat sequence scales by 1,
//! which leaves every sample at the bottom). Below a column's mark the column is filled with
//! `|`. Under the chart, after one blank line, each sample's label is written downwards, one
//! character per line, in the sample's column. A sequence longer than the chart is wide is
//! drawn in several charts, one under the other, separated by an empty line.
//!
//! The height is computed as Redis computes it, in two truncations: the sample's distance from
//! the minimum times the number of levels is first cut to an integer, then divided by the span
//! and cut again, so the same figures land on the same level.

/// The marks for the three levels of a row, lowest first.
const LEVELS: [u8; 3] = [b'_', b'o', b'#'];

/// One sample: its value and the label written under it.
pub struct Sample {
    pub value: f64,
    pub label: String,
}

/// Draws `samples` in charts `columns` wide and `rows` tall; each line ends with `\n`.
pub fn render(samples: &[Sample], columns: usize, rows: usize) -> String {
    let min = samples
        .iter()
        .map(|s| s.value)
        .fold(f64::INFINITY, f64::min);
    let max = samples
        .iter()
        .map(|s| s.value)
        .fold(f64::NEG_INFINITY, f64::max);
    let span = if max == min { 1.0 } else { max - min };
    let levels = LEVELS.len() * rows;
    let level_of = |sample: &Sample| {
        let scaled = ((sample.value - min) * levels as f64) as i64 as f64 / span;
        (scaled as i64).clamp(0, levels as i64 - 1) as usize
    };
    let mut out = String::new();
    for (n, chunk) in samples.chunks(columns.max(1)).enumerate() {
        if n > 0 {
            out.push('\n');
        }
        for row in 0..rows {
            // The top row shows the highest levels.
            let lowest = (rows - row - 1) * LEVELS.len();
            let line: String = chunk
                .iter()
                .map(|sample| match level_of(sample).checked_sub(lowest) {
                    Some(mark) if mark < LEVELS.len() => LEVELS[mark] as char,
                    Some(_) => '|',
                    None => ' ',
                })
                .collect();
            out.push_str(&line);
            out.push('\n');
        }
        // The blank line between the chart and its labels, then the labels downwards.
        out.push_str(&" ".repeat(chunk.len()));
        out.push('\n');
        let longest = chunk.iter().map(|s| s.label.len()).max().unwrap_or(0);
        for at in 0..longest {
            let line: String = chunk
                .iter()
                .map(|s| s.label.as_bytes().get(at).map_or(' ', |&b| b as char))
                .collect();
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(values: &[(f64, &str)]) -> Vec<Sample> {
        values
            .iter()
            .map(|(value, label)| Sample {
                value: *value,
                label: label.to_string(),
            })
            .collect()
    }

    #[test]
    fn levels_fill_and_labels() {
        let chart = render(
            &samples(&[(10.0, "3s"), (40.0, "12s"), (25.0, "1s")]),
            80,
            2,
        );
        // Levels 0, 5 (40 is the top) and 3 of six: the middle one starts the top row.
        assert_eq!(chart, " #_\n_||\n   \n311\ns2s\n s \n");
    }

    #[test]
    fn a_flat_sequence_lies_at_the_bottom_and_long_ones_wrap() {
        let chart = render(&samples(&[(5.0, "a"), (5.0, "b"), (5.0, "c")]), 2, 1);
        assert_eq!(chart, "__\n  \nab\n\n_\n \nc\n");
    }
}
