//! Layout of rewritten code as rustfmt would lay it out: the indentation unit
//! of a file, and the guard blocks that replace `if let Ok(g) = m.lock()` and
//! `match m.lock() { .. }`, spread over lines at the indentation around them.

use std::collections::HashSet;

use ra_ap_syntax::{ast, AstNode, Edition, SourceFile, SyntaxKind, TextRange, TextSize};

use crate::edits::edit::Edit;

/// The file's indentation unit: a tab when lines are indented with tabs,
/// else the most common step by which one line is indented deeper than the
/// line before it (four spaces when nothing says otherwise).
pub fn indent_unit(text: &str) -> String {
    let mut steps = [0usize; 9];
    let mut tabs = 0usize;
    let mut prev = 0usize;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if line.starts_with('\t') {
            tabs += 1;
        }
        let depth = line.len() - line.trim_start_matches(' ').len();
        if depth > prev && depth - prev < steps.len() {
            steps[depth - prev] += 1;
        }
        prev = depth;
    }
    let best = (1..steps.len()).max_by_key(|&s| (steps[s], s == 4));
    match best {
        _ if tabs > 0 && tabs * 2 >= steps.iter().sum::<usize>() => "\t".to_string(),
        Some(step) if steps[step] > 0 => " ".repeat(step),
        _ => "    ".to_string(),
    }
}

/// The indentation of the line that holds byte `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// The line break the file uses.
pub fn newline(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// A file's text, parsed once when a layout first needs its syntax: the
/// fixes of a crate lay out many chains of the same file.
pub struct Source<'a> {
    pub text: &'a str,
    tree: std::cell::OnceCell<SourceFile>,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str) -> Source<'a> {
        Source {
            text,
            tree: std::cell::OnceCell::new(),
        }
    }

    /// The file's syntax tree (parsed on first use).
    pub fn syntax(&self) -> ra_ap_syntax::SyntaxNode {
        self.tree().syntax().clone()
    }

    fn tree(&self) -> &SourceFile {
        self.tree
            .get_or_init(|| SourceFile::parse(self.text, Edition::Edition2021).tree())
    }
}

/// The code a guard block wraps: a block (`{ .. }`, whose statements move
/// into the guard block) or an expression.
pub enum Body {
    Block(TextRange),
    Expr(TextRange),
}

/// The edits that turn `construct` (an `if let` or `match` on a lock result)
/// into `{ <first_stmt> <body> }` laid out over lines as rustfmt lays out a
/// block: the block at the indentation of the construct's line, its
/// statements one unit deeper. The body's own bytes stay, except the
/// indentation of its lines, which moves with it; nothing else inside the
/// construct's body is replaced, so edits of sites inside it still apply.
pub fn guard_block(text: &str, construct: TextRange, first_stmt: &str, body: Body) -> Vec<Edit> {
    let nl = newline(text);
    let outer = line_indent(text, construct.start().into()).to_string();
    let inner = format!("{outer}{}", indent_unit(text));
    let (content, base) = match body {
        Body::Block(r) => {
            let (from, to) = (usize::from(r.start()) + 1, usize::from(r.end()) - 1);
            let content = trimmed(text, from, to);
            let on_own_line = text[from..usize::from(content.start())].contains('\n');
            let base = match on_own_line {
                true => line_indent(text, content.start().into()).to_string(),
                false => inner.clone(),
            };
            (content, base)
        }
        Body::Expr(r) => (r, line_indent(text, r.start().into()).to_string()),
    };
    let at = |a: TextSize, b: TextSize| TextRange::new(a, b);
    if content.is_empty() {
        return vec![Edit::new(
            construct,
            format!("{{{nl}{inner}{first_stmt}{nl}{outer}}}"),
        )];
    }
    let mut edits = vec![
        Edit::new(
            at(construct.start(), content.start()),
            format!("{{{nl}{inner}{first_stmt}{nl}{inner}"),
        ),
        Edit::new(at(content.end(), construct.end()), format!("{nl}{outer}}}")),
    ];
    edits.extend(reindent(text, content, &base, &inner));
    edits
}

/// `from..to` of `text` without the whitespace at either end.
fn trimmed(text: &str, from: usize, to: usize) -> TextRange {
    let s = &text[from..to];
    let start = from + (s.len() - s.trim_start().len());
    let end = (from + s.trim_end().len()).max(start);
    TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32))
}

/// Edits that move each line of `range` after its first from indentation
/// `base` to `new`. Lines indented less than `base`, and lines that start
/// inside a string literal or comment, stay as they are.
fn reindent(text: &str, range: TextRange, base: &str, new: &str) -> Vec<Edit> {
    if base == new {
        return Vec::new();
    }
    let (from, to) = (usize::from(range.start()), usize::from(range.end()));
    let protected = inside_literals(&text[from..to]);
    let mut edits = Vec::new();
    for (i, _) in text[from..to].match_indices('\n') {
        let start = from + i + 1;
        if protected.contains(&(i + 1)) {
            continue;
        }
        let line = &text[start..];
        let ws = line.len() - line.trim_start_matches([' ', '\t']).len();
        let blank = line[ws..].starts_with(['\n', '\r']);
        if blank || !line[..ws].starts_with(base) {
            continue;
        }
        let r = TextRange::new(
            TextSize::from(start as u32),
            TextSize::from((start + base.len()) as u32),
        );
        edits.push(Edit::new(r, new));
    }
    edits
}

/// Offsets in `code` of line starts that lie inside a string literal or a
/// comment, whose text an indentation change would alter.
fn inside_literals(code: &str) -> HashSet<usize> {
    const PREFIX: &str = "fn f() {\n";
    let file = SourceFile::parse(&format!("{PREFIX}{code}\n}}"), Edition::CURRENT).tree();
    let mut out = HashSet::new();
    for token in file
        .syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        let literal = matches!(
            token.kind(),
            SyntaxKind::STRING
                | SyntaxKind::BYTE_STRING
                | SyntaxKind::C_STRING
                | SyntaxKind::COMMENT
        );
        if !literal || !token.text().contains('\n') {
            continue;
        }
        let start = usize::from(token.text_range().start()) - PREFIX.len();
        for (i, _) in token.text().match_indices('\n') {
            out.insert(start + i + 1);
        }
    }
    out
}

/// rustfmt's `chain_width` and `max_width`: a chain longer than the first,
/// or on a line longer than the second, is broken one element a line.
const CHAIN_WIDTH: usize = 60;
const MAX_WIDTH: usize = 100;

/// The edits that replace `replaced` by `replacement` inside a method chain
/// (`lock().unwrap()` by `lock().await`, or `.await` inserted after a call)
/// and lay the chain out as rustfmt would once it has changed, `extra` being
/// what other edits add to its length (a longer path). rustfmt keeps a chain
/// on one line unless it has two elements or more after its root and is
/// wider than its chain width; then it puts one element a line, one unit
/// deeper than the line the chain starts on. A chain whose layout rustfmt
/// would not have chosen keeps the user's layout, and so does one in a
/// place this does not lay out (a `match` scrutinee, an `if` condition).
pub fn chain_edits(
    src: &Source,
    replaced: TextRange,
    replacement: &str,
    extra: usize,
) -> Vec<Edit> {
    let text = src.text;
    let plain = vec![Edit::new(replaced, replacement)];
    let Some(chain) = Chain::around(src, replaced) else {
        return plain;
    };
    let own_dots = top_level_dots(replacement);
    // The chain but for the gaps and the replaced range must be on one line.
    let mut rest = text[chain.range].to_string();
    let mut cut: Vec<TextRange> = chain.gaps.iter().copied().chain([replaced]).collect();
    cut.sort_by_key(|r| std::cmp::Reverse(r.start()));
    for r in cut {
        rest.replace_range(std::ops::Range::<usize>::from(r - chain.range.start()), "");
    }
    if rest.contains('\n') || replacement.contains('\n') {
        let laid_out = chain.after_broken_gap(replaced, replacement, &own_dots);
        return vec![Edit::new(replaced, laid_out)];
    }
    let old_width = rest.chars().count()
        + text[replaced]
            .split_whitespace()
            .map(str::len)
            .sum::<usize>();
    let new_width = rest.chars().count() + replacement.chars().count() + extra;
    let old_breaks = chain.breaks(old_width, chain.dots.len());
    let new_breaks = chain.breaks(new_width, chain.gaps.len() + own_dots.len());
    let one_line = !text[chain.range].contains('\n');
    let broken = match (one_line, old_breaks, new_breaks) {
        // rustfmt would have broken it: the user does not run rustfmt here.
        (true, Some(_), _) => return plain,
        (true, None, None) => return plain,
        (true, None, Some(by_width)) if !by_width || !chain.layable => return plain,
        (true, None, Some(_)) => true,
        // Over lines: joined once it fits, if rustfmt broke it for its width.
        (false, Some(true), None) => false,
        (false, ..) => true,
    };
    let nl = newline(text);
    let start = usize::from(chain.range.start());
    let child = format!("{}{}", line_indent(text, start), indent_unit(text));
    let brk = |first: bool| match !broken || (first && chain.root_short) {
        true => String::new(),
        false => format!("{nl}{child}"),
    };
    // The first element after the root stays on the root's line when the
    // root is short: the first dot of the chain, the replacement's or not.
    let first_dot = chain.dots.first().copied();
    let own_first = !own_dots.is_empty() && first_dot.is_none_or(|d| replaced.end() <= d);
    let mut new = String::new();
    let mut last = 0;
    for (k, &i) in own_dots.iter().enumerate() {
        new.push_str(&replacement[last..i]);
        new.push_str(&brk(own_first && k == 0));
        last = i;
    }
    new.push_str(&replacement[last..]);
    let mut edits = Vec::new();
    if let Some(gap) = scrutinee_brace(text, &chain.top).filter(|_| broken) {
        edits.push(Edit::new(gap, format!("{nl}{}", line_indent(text, start))));
    }
    for g in &chain.gaps {
        let wanted = brk(first_dot == Some(g.end()) && !own_first);
        if g.is_empty() && g.start() == replaced.end() && replaced.is_empty() {
            new.push_str(&wanted);
        } else if text[*g] != *wanted {
            edits.push(Edit::new(*g, wanted));
        }
    }
    edits.push(Edit::new(replaced, new));
    edits
}

/// Byte offsets of the dots at bracket depth 0 in `code`: the elements a
/// replacement adds to a chain (`.await` in `lock().await`).
fn top_level_dots(code: &str) -> Vec<usize> {
    let mut depth = 0i32;
    let mut dots = Vec::new();
    for (i, c) in code.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '.' if depth == 0 => dots.push(i),
            _ => {}
        }
    }
    dots
}

/// A method chain in the original text.
struct Chain<'a> {
    text: &'a str,
    top: ra_ap_syntax::SyntaxNode,
    range: TextRange,
    /// The dots that start its elements after the root, in order.
    dots: Vec<TextSize>,
    /// The whitespace before each of those dots outside the replaced range.
    gaps: Vec<TextRange>,
    /// The root is no wider than an indentation unit: its first element
    /// stays on its line.
    root_short: bool,
    /// It is a statement, an initializer, a tail or an argument that starts
    /// its line: where rustfmt's chain layout is one element a line.
    layable: bool,
    /// Width of the text before it on its first line and after it on its
    /// last.
    prefix: usize,
    suffix: usize,
}

impl<'a> Chain<'a> {
    fn around(src: &Source<'a>, replaced: TextRange) -> Option<Chain<'a>> {
        let text = src.text;
        let top = chain_around(src, replaced)?;
        let range = top.text_range();
        let mut dots: Vec<TextSize> = Vec::new();
        let mut node = Some(top.clone());
        while let Some(n) = node.filter(|n| CHAIN.contains(&n.kind())) {
            dots.extend(
                n.children_with_tokens()
                    .filter_map(|e| e.into_token())
                    .filter(|t| t.kind() == SyntaxKind::DOT)
                    .map(|t| t.text_range().start()),
            );
            node = n.first_child();
        }
        dots.sort();
        let gap = |d: TextSize| {
            let before = &text[usize::from(range.start())..usize::from(d)];
            let ws = before.len() - before.trim_end().len();
            TextRange::new(d - TextSize::from(ws as u32), d)
        };
        let gaps = dots
            .iter()
            .filter(|&&d| !(replaced.start() <= d && d < replaced.end()))
            .map(|&d| gap(d))
            .collect();
        let root_short = dots.first().is_some_and(|&d| {
            usize::from(d - range.start()) <= indent_unit(text).len() && !replaced.contains(d)
        });
        let start = usize::from(range.start());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let starts_line = text[line_start..start].trim().is_empty();
        let layable = top.parent().is_some_and(|p| match p.kind() {
            SyntaxKind::LET_STMT | SyntaxKind::EXPR_STMT | SyntaxKind::STMT_LIST => true,
            SyntaxKind::ARG_LIST => starts_line,
            // A scrutinee over lines puts the arms' `{` on a line of its own.
            SyntaxKind::MATCH_EXPR => scrutinee_brace(text, &top).is_some(),
            _ => false,
        });
        let after = &text[usize::from(range.end())..];
        Some(Chain {
            text,
            top,
            range,
            dots,
            gaps,
            root_short,
            layable,
            prefix: text[line_start..start].chars().count(),
            suffix: after.lines().next().unwrap_or_default().chars().count(),
        })
    }

    /// Whether rustfmt breaks the chain at `width` with `children` elements
    /// after its root: `Some(true)` for its chain width, `Some(false)` for
    /// its line width, `None` when it stays on one line.
    fn breaks(&self, width: usize, children: usize) -> Option<bool> {
        if children >= 2 && width > CHAIN_WIDTH {
            Some(true)
        } else if self.prefix + width + self.suffix > MAX_WIDTH {
            Some(false)
        } else {
            None
        }
    }

    /// `replacement` of `replaced` in a chain with an element over several
    /// lines: when the element after it starts a line, so do the elements it
    /// adds.
    fn after_broken_gap(
        &self,
        replaced: TextRange,
        replacement: &str,
        own_dots: &[usize],
    ) -> String {
        let next = self.gaps.iter().find(|g| g.start() >= replaced.end());
        let broken = next.filter(|g| self.text[**g].contains('\n') && !own_dots.is_empty());
        let Some(gap) = broken else {
            return replacement.to_string();
        };
        let ws = &self.text[*gap];
        let mut out = String::new();
        let mut last = 0;
        for &i in own_dots {
            out.push_str(replacement[last..i].trim_end());
            out.push_str(ws);
            last = i;
        }
        out.push_str(&replacement[last..]);
        out
    }
}

/// The whitespace between `scrutinee` and the `{` of its `match`'s arms,
/// when it is a `match`'s scrutinee followed by its arms on the same line.
fn scrutinee_brace(text: &str, scrutinee: &ra_ap_syntax::SyntaxNode) -> Option<TextRange> {
    let m = ast::MatchExpr::cast(scrutinee.parent()?)?;
    if m.expr()?.syntax() != scrutinee {
        return None;
    }
    let brace = m.match_arm_list()?.l_curly_token()?.text_range().start();
    let gap = TextRange::new(scrutinee.text_range().end(), brace);
    text[gap].chars().all(|c| c == ' ').then_some(gap)
}

/// The whole chain around `replaced`: up from the innermost expression
/// that holds it through the calls, fields, awaits and `?` whose receiver
/// it is.
fn chain_around(src: &Source, replaced: TextRange) -> Option<ra_ap_syntax::SyntaxNode> {
    let file = src.tree();
    let at = file.syntax().token_at_offset(replaced.start());
    let token = match replaced.is_empty() {
        true => at.left_biased(),
        false => at.right_biased(),
    }?;
    // Macro arguments are token trees: rustfmt formats few of them, and
    // there is no chain to see.
    if token
        .parent_ancestors()
        .any(|n| n.kind() == SyntaxKind::TOKEN_TREE)
    {
        return None;
    }
    let mut top = token
        .parent_ancestors()
        .find(|n| ast::Expr::can_cast(n.kind()) && n.text_range().contains_range(replaced))?;
    while let Some(p) = top
        .parent()
        .filter(|p| CHAIN.contains(&p.kind()) && p.first_child().as_ref() == Some(&top))
    {
        top = p;
    }
    Some(top)
}

/// The `spawn_blocking` wrap `wrap` of the `let` initializer at `init`
/// (`{ let x = x.clone(); <chain> }` or just the chain, the chain being
/// `tokio::task::spawn_blocking(..).await.expect(..)`), laid out as rustfmt
/// lays it out: the prelude one statement a line, the chain one element a
/// line when it does not fit. A wrap of code over several lines stays.
pub fn spawn_blocking_wrap(text: &str, init: TextRange, wrap: &str) -> String {
    const TAIL: &str = ".await.expect(\"blocking task panicked\")";
    let nl = newline(text);
    let unit = indent_unit(text);
    let outer = line_indent(text, init.start().into()).to_string();
    let (prelude, chain) = match wrap.strip_prefix("{ ").and_then(|w| w.strip_suffix(" }")) {
        Some(inner) => {
            let mut rest = inner;
            let mut stmts = Vec::new();
            while let (true, Some(i)) = (rest.starts_with("let "), rest.find("; ")) {
                stmts.push(&rest[..=i]);
                rest = &rest[i + 2..];
            }
            (Some(stmts), rest)
        }
        None => (None, wrap),
    };
    let Some(root) = chain.strip_suffix(TAIL).filter(|_| !wrap.contains('\n')) else {
        return wrap.to_string();
    };
    let laid_out = |indent: &str, prefix: usize| {
        let fits = chain.len() <= CHAIN_WIDTH && prefix + chain.len() <= MAX_WIDTH;
        match fits {
            true => chain.to_string(),
            false => format!(
                "{root}{nl}{indent}{unit}.await{nl}{indent}{unit}.expect(\"blocking task panicked\")"
            ),
        }
    };
    match prelude {
        Some(stmts) => {
            let inner = format!("{outer}{unit}");
            let mut out = "{".to_string();
            for stmt in stmts {
                out.push_str(&format!("{nl}{inner}{stmt}"));
            }
            let chain = laid_out(&inner, inner.len());
            format!("{out}{nl}{inner}{chain}{nl}{outer}}}")
        }
        None => {
            let start = usize::from(init.start());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let rest = &text[usize::from(init.end())..];
            let after = rest.lines().next().unwrap_or_default().len();
            laid_out(&outer, start - line_start + after)
        }
    }
}

/// The expressions that make a chain, each with its receiver first.
const CHAIN: [SyntaxKind; 4] = [
    SyntaxKind::METHOD_CALL_EXPR,
    SyntaxKind::FIELD_EXPR,
    SyntaxKind::AWAIT_EXPR,
    SyntaxKind::TRY_EXPR,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn range_of(text: &str, needle: &str) -> TextRange {
        let start = text.find(needle).unwrap();
        TextRange::new(
            TextSize::from(start as u32),
            TextSize::from((start + needle.len()) as u32),
        )
    }

    #[test]
    fn indent_unit_follows_the_file() {
        assert_eq!(
            indent_unit("fn f() {\n  a();\n  if x {\n    b();\n  }\n}\n"),
            "  "
        );
        assert_eq!(indent_unit("fn f() {\n\ta();\n}\n"), "\t");
        assert_eq!(indent_unit("fn f() {}\n"), "    ");
        assert_eq!(
            indent_unit("mod m {\n    fn f() {\n        a();\n    }\n}\n"),
            "    "
        );
    }

    #[test]
    fn a_block_body_moves_up_one_level() {
        let text = "fn f() {\n    match m.lock() {\n        Ok(g) => {\n            g.a();\n            let s = \"x\n        y\";\n        }\n        Err(_) => {}\n    }\n}\n";
        let construct = range_of(text, "match m.lock() {\n        Ok(g) => {\n            g.a();\n            let s = \"x\n        y\";\n        }\n        Err(_) => {}\n    }");
        let body = range_of(
            text,
            "{\n            g.a();\n            let s = \"x\n        y\";\n        }",
        );
        let edits = guard_block(
            text,
            construct,
            "let g = m.lock().await;",
            Body::Block(body),
        );
        let out = crate::edits::edit::apply(text, edits).unwrap();
        assert_eq!(
            out,
            "fn f() {\n    {\n        let g = m.lock().await;\n        g.a();\n        let s = \"x\n        y\";\n    }\n}\n"
        );
    }

    #[test]
    fn an_expression_body_keeps_its_lines() {
        let text = "fn f() -> usize {\n  let n = match m.lock() {\n    Ok(g) => g\n      .len(),\n    Err(_) => 0,\n  };\n  n\n}\n";
        let construct = range_of(
            text,
            "match m.lock() {\n    Ok(g) => g\n      .len(),\n    Err(_) => 0,\n  }",
        );
        let body = range_of(text, "g\n      .len()");
        let edits = guard_block(text, construct, "let g = m.lock().await;", Body::Expr(body));
        let out = crate::edits::edit::apply(text, edits).unwrap();
        assert_eq!(
            out,
            "fn f() -> usize {\n  let n = {\n    let g = m.lock().await;\n    g\n      .len()\n  };\n  n\n}\n"
        );
    }

    #[test]
    fn a_one_line_block_and_an_empty_one_are_spread_over_lines() {
        let text = "fn f() {\r\n    if let Ok(g) = m.lock() { g.a() } else { b() }\r\n}\r\n";
        let construct = range_of(text, "if let Ok(g) = m.lock() { g.a() } else { b() }");
        let body = range_of(text, "{ g.a() }");
        let edits = guard_block(
            text,
            construct,
            "let g = m.lock().await;",
            Body::Block(body),
        );
        assert_eq!(
            crate::edits::edit::apply(text, edits).unwrap(),
            "fn f() {\r\n    {\r\n        let g = m.lock().await;\r\n        g.a()\r\n    }\r\n}\r\n"
        );
        let text = "fn f() {\n    if let Ok(_) = m.lock() {}\n}\n";
        let construct = range_of(text, "if let Ok(_) = m.lock() {}");
        let body = range_of(text, "{}");
        let edits = guard_block(
            text,
            construct,
            "let _guard = m.lock().await;",
            Body::Block(body),
        );
        assert_eq!(
            crate::edits::edit::apply(text, edits).unwrap(),
            "fn f() {\n    {\n        let _guard = m.lock().await;\n    }\n}\n"
        );
    }

    #[test]
    fn a_chain_that_outgrows_its_width_is_broken_one_element_a_line() {
        let text = "async fn f() {\n    let text = std::fs::read_to_string(\"Cargo.toml\").unwrap_or_default();\n}\n";
        let call = range_of(text, "std::fs::read_to_string(\"Cargo.toml\")");
        let mut edits = chain_edits(
            &Source::new(text),
            TextRange::empty(call.end()),
            ".await",
            2,
        );
        edits.push(Edit::new(range_of(text, "std::fs"), "tokio::fs"));
        assert_eq!(
            crate::edits::edit::apply(text, edits).unwrap(),
            "async fn f() {\n    let text = tokio::fs::read_to_string(\"Cargo.toml\")\n        .await\n        .unwrap_or_default();\n}\n"
        );
        // A short chain stays on its line.
        let text = "async fn f() {\n    let t = std::fs::read(p).ok();\n}\n";
        let call = range_of(text, "std::fs::read(p)");
        let at = TextRange::empty(call.end());
        assert_eq!(
            chain_edits(&Source::new(text), at, ".await", 2),
            vec![Edit::new(at, ".await")]
        );
    }

    #[test]
    fn a_chain_that_now_fits_is_joined_and_one_that_still_does_not_keeps_its_lines() {
        let text = "async fn f(&self) -> usize {\n    self.names\n        .read()\n        .expect(\"the registry lock is poisoned by a panic elsewhere\")\n        .len()\n}\n";
        let r = range_of(
            text,
            "read()\n        .expect(\"the registry lock is poisoned by a panic elsewhere\")",
        );
        let out =
            crate::edits::edit::apply(text, chain_edits(&Source::new(text), r, "read().await", 0))
                .unwrap();
        assert_eq!(
            out,
            "async fn f(&self) -> usize {\n    self.names.read().await.len()\n}\n"
        );
        let text = "async fn f(&self) {\n    self.names\n        .write()\n        .unwrap()\n        .insert(some_long_key_name, some_long_value_name.to_string());\n}\n";
        let r = range_of(text, "write()\n        .unwrap()");
        let out =
            crate::edits::edit::apply(text, chain_edits(&Source::new(text), r, "write().await", 0))
                .unwrap();
        assert_eq!(out, "async fn f(&self) {\n    self.names\n        .write()\n        .await\n        .insert(some_long_key_name, some_long_value_name.to_string());\n}\n");
    }

    #[test]
    fn a_spawn_blocking_wrap_is_laid_out_like_rustfmt() {
        let text = "async fn f() {\n    let sum = hash::digest(&data);\n}\n";
        let init = range_of(text, "hash::digest(&data)");
        let wrap = "{ let data = data.clone(); tokio::task::spawn_blocking(move || hash::digest(&data)).await.expect(\"blocking task panicked\") }";
        assert_eq!(
            spawn_blocking_wrap(text, init, wrap),
            "{\n        let data = data.clone();\n        tokio::task::spawn_blocking(move || hash::digest(&data))\n            .await\n            .expect(\"blocking task panicked\")\n    }"
        );
    }

    #[test]
    fn rustfmt_breaks_a_chain_of_two_elements_and_lays_out_statements_and_arguments_only() {
        // Two elements after the root and wider than the chain width: one
        // element a line; in a `match` scrutinee, left on its line.
        let text = "async fn f() {\n    let k = X::from(\n        fs::read(key_path).context(\"failed to read private key file\")?,\n    );\n    match fs::read(dirs.data_local_dir().join(\"cert.der\")).ok() {}\n}\n";
        let call = range_of(text, "fs::read(key_path)");
        let at = TextRange::empty(call.end());
        let out = crate::edits::edit::apply(text, chain_edits(&Source::new(text), at, ".await", 7))
            .unwrap();
        assert!(
            out.contains("        fs::read(key_path)\n            .await\n            .context(\"failed to read private key file\")?,\n"),
            "{out}"
        );
        let call = range_of(text, "fs::read(dirs.data_local_dir().join(\"cert.der\"))");
        let at = TextRange::empty(call.end());
        let out = crate::edits::edit::apply(text, chain_edits(&Source::new(text), at, ".await", 7))
            .unwrap();
        assert!(
            out.contains("    match fs::read(dirs.data_local_dir().join(\"cert.der\"))\n        .await\n        .ok()\n    {}"),
            "{out}"
        );
        // A chain of one element stays whole, however wide.
        let text =
            "async fn f() {\n    match fs::read(dirs.data_local_dir().join(\"cert.der\")) {}\n}\n";
        let call = range_of(text, "fs::read(dirs.data_local_dir().join(\"cert.der\"))");
        let at = TextRange::empty(call.end());
        assert_eq!(
            chain_edits(&Source::new(text), at, ".await", 7),
            vec![Edit::new(at, ".await")]
        );
        // A root over lines: the element after it starts a line, and so does `.await`.
        let text = "async fn f() {\n    let c = fs::read_to_string(format!(\n        \"{A}/b\"\n    ))\n    .unwrap();\n}\n";
        let call = range_of(
            text,
            "fs::read_to_string(format!(\n        \"{A}/b\"\n    ))",
        );
        let at = TextRange::empty(call.end());
        assert_eq!(
            chain_edits(&Source::new(text), at, ".await", 7),
            vec![Edit::new(at, "\n    .await")]
        );
    }
}
