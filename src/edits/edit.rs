//! Text edits computed from an unchanged syntax tree and applied back to front,
//! so every byte outside an edit stays identical.

use ra_ap_syntax::TextRange;

/// One replacement of a byte range of a file's text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Edit {
    pub range: TextRange,
    pub replacement: String,
}

impl Edit {
    pub fn new(range: TextRange, replacement: impl Into<String>) -> Self {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }
}

/// Applies `edits` to `text`. Identical duplicates are merged; overlapping edits
/// are an error, because they mean two rewrites disagree about the same code.
pub fn apply(text: &str, mut edits: Vec<Edit>) -> Result<String, String> {
    edits.sort_by_key(|e| (e.range.start(), e.range.end()));
    edits.dedup_by(|a, b| a == b);
    // An edit that only re-indents a line yields to an edit around it, which
    // rewrites that line anyway.
    let blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
    let indents = |e: &Edit| !e.range.is_empty() && blank(&text[e.range]) && blank(&e.replacement);
    let covering: Vec<TextRange> = edits
        .iter()
        .filter(|e| !indents(e))
        .map(|e| e.range)
        .collect();
    edits.retain(|e| {
        !indents(e)
            || !covering
                .iter()
                .any(|r| r.start() < e.range.start() && e.range.end() < r.end())
    });
    for pair in edits.windows(2) {
        if pair[0].range.end() > pair[1].range.start()
            || (pair[0].range == pair[1].range && pair[0].range.is_empty())
        {
            return Err(format!(
                "overlapping edits at bytes {:?} and {:?}",
                pair[0].range, pair[1].range
            ));
        }
    }
    let mut out = text.to_string();
    for edit in edits.iter().rev() {
        out.replace_range(
            std::ops::Range::<usize>::from(edit.range),
            &edit.replacement,
        );
    }
    Ok(out)
}

/// Line and column (both 1-based, column in characters) of a byte offset.
pub fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let offset = (offset as usize).min(text.len());
    let before = &text[..offset];
    let line = memchr::memchr_iter(b'\n', before.as_bytes()).count() + 1;
    let line_start = memchr::memrchr(b'\n', before.as_bytes()).map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ra_ap_syntax::TextSize;

    fn range(a: u32, b: u32) -> TextRange {
        TextRange::new(TextSize::from(a), TextSize::from(b))
    }

    #[test]
    fn applies_back_to_front() {
        let out = apply(
            "abcdef",
            vec![Edit::new(range(0, 1), "X"), Edit::new(range(4, 6), "")],
        )
        .unwrap();
        assert_eq!(out, "Xbcd");
    }

    #[test]
    fn rejects_overlap() {
        assert!(apply(
            "abcdef",
            vec![Edit::new(range(0, 3), "X"), Edit::new(range(2, 4), "Y")]
        )
        .is_err());
    }

    #[test]
    fn rejects_two_insertions_at_one_point() {
        assert!(apply(
            "ab",
            vec![Edit::new(range(1, 1), "X"), Edit::new(range(1, 1), "Y")]
        )
        .is_err());
    }

    #[test]
    fn a_re_indentation_inside_another_edit_yields_to_it() {
        let text = "a(\n    b)\n    c\n";
        let out = apply(
            text,
            vec![
                Edit::new(range(0, 9), "a(b)"),
                Edit::new(range(3, 7), "  "),
                Edit::new(range(10, 14), "  "),
            ],
        )
        .unwrap();
        assert_eq!(out, "a(b)\n  c\n");
    }

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
    }
}
