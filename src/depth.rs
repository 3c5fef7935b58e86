//! A cheap look at how deeply a file nests, before it is parsed: the parser
//! and the tool's walks recurse once per level, so a file nested deeper than
//! `MAX_DEPTH` is an error for that file instead of a stack overflow that
//! would end the whole run.

/// The deepest nesting a file may have. Real code stays under a hundred;
/// `driver::STACK_SIZE` holds many times this much in a debug build.
pub const MAX_DEPTH: usize = 1500;

/// An upper estimate of the parser's recursion depth: brackets (`(`, `[`,
/// `{`) that are open, plus the operators that make the parser recurse
/// without a bracket (prefix `-`, `!`, `*`, `&`, closures' `|`, `=`, `<`)
/// seen since the last `;` or `,` at each open level. Strings, characters
/// and comments are skipped.
pub fn nesting(text: &str) -> usize {
    let b = text.as_bytes();
    let mut i = 0;
    // Operators counted at each open bracket, when it opened.
    let mut open: Vec<usize> = Vec::new();
    let mut outer = 0;
    let mut run = 0;
    let mut max = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(b, i);
                continue;
            }
            b'"' => {
                i = string_end(b, i + 1);
                continue;
            }
            b'r' | b'b' | b'c' if !ident_byte(b, i.wrapping_sub(1)) => {
                if let Some(end) = raw_string_end(b, i) {
                    i = end;
                    continue;
                }
            }
            b'\'' => {
                if let Some(end) = char_end(b, i) {
                    i = end;
                    continue;
                }
            }
            b'(' | b'[' | b'{' => {
                open.push(run);
                outer += run;
                run = 0;
            }
            // After `)` or `]` an expression goes on (`-(..) - x`); a `}`
            // mostly ends an item or statement (`impl X for Y<1> {..}`).
            b')' | b']' | b'}' => {
                if let Some(r) = open.pop() {
                    outer -= r;
                    run = if b[i] == b'}' { 0 } else { r };
                }
            }
            b';' | b',' => run = 0,
            b'-' | b'!' | b'*' | b'&' | b'|' | b'=' | b'<' => run += 1,
            _ => {}
        }
        max = max.max(open.len() + outer + run);
        i += 1;
    }
    max
}

fn ident_byte(b: &[u8], i: usize) -> bool {
    b.get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c >= 0x80)
}

/// The index after a `/* .. */` comment (they nest) starting at `i`.
fn block_comment_end(b: &[u8], mut i: usize) -> usize {
    let mut level = 0;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            level += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            level -= 1;
            i += 2;
            if level == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    i
}

/// The index after the closing `"` of a string whose text starts at `i`.
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// A raw string (`r"..."`, `r#".."#`, `br".."`, `cr".."`) or a byte or C
/// string (`b".."`, `c".."`) starting at `i`: the index after it.
fn raw_string_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(b[j], b'b' | b'c') {
        j += 1;
        if b.get(j) == Some(&b'"') {
            return Some(string_end(b, j + 1));
        }
    }
    if b.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = b[j..].iter().take_while(|c| **c == b'#').count();
    j += hashes;
    if b.get(j) != Some(&b'"') {
        return None;
    }
    j += 1;
    while j < b.len() {
        if b[j] == b'"'
            && b[j + 1..]
                .iter()
                .take(hashes)
                .filter(|c| **c == b'#')
                .count()
                == hashes
        {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(j)
}

/// A character literal (`'x'`, `'\n'`, `'\u{..}'`) starting at `i`: the
/// index after it; `None` for a lifetime or label.
fn char_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i + 1) == Some(&b'\\') {
        let close = b.get(i + 3..)?.iter().take(12).position(|c| *c == b'\'')?;
        return Some(i + 3 + close + 1);
    }
    // One character, up to four bytes of UTF-8.
    let len = match b.get(i + 1)? {
        c if *c < 0x80 => 1,
        c if *c >= 0xf0 => 4,
        c if *c >= 0xe0 => 3,
        _ => 2,
    };
    (b.get(i + 1 + len) == Some(&b'\'')).then_some(i + 2 + len)
}

#[cfg(test)]
mod tests {
    use super::nesting;

    #[test]
    fn counts_brackets_and_operator_runs_but_not_strings_or_comments() {
        assert_eq!(nesting("fn f() { g(1, [2]); }"), 3);
        assert_eq!(
            nesting(&format!("{}{}", "(".repeat(50), ")".repeat(50))),
            50
        );
        assert_eq!(nesting(&format!("let x = {}1;", "-".repeat(40))), 41);
        // `;` and `,` end a run of operators.
        assert_eq!(nesting(&"let x = -1;".repeat(100)), 2);
        let quiet = r##"// ((((
            /* (( /* nested (( */ (( */
            let s = "(((\"((";
            let r = r#"((("#;
            let b = b"((";
            let c = '(';
            let q = '\'';
            let e = '\u{28}';
            let l: &'a str = x;
        "##;
        assert!(nesting(quiet) <= 3, "{}", nesting(quiet));
        // A prefix chain inside each of many brackets adds up.
        let mixed = "(--".repeat(100);
        assert_eq!(nesting(&mixed), 300);
        // Items one after another do not (generated code has thousands).
        let items = "impl ToUInt for Const<1> { type Output = U1; }\n".repeat(3000);
        assert_eq!(nesting(&items), 3);
    }
}
