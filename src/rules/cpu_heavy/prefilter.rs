//! AW206's test on a file's text for the loops it reports, before the file
//! is parsed: a file is parsed for its loops only where its text shows one
//! that `blocking::heavy_loops::heavy_loop` could call heavy.
//!
//! What a loop finding needs, and what the text shows of it:
//! - async code in the file (`async`): the loop runs in it, or in a sync
//!   helper of the same file that async code calls (a helper of another
//!   file is followed where that file is parsed for something else);
//! - an outermost loop (`for .. in .. {`, `while .. {`, `loop {`) with no
//!   `.await` in its body, and not over a short literal or constant range
//!   (`for _ in 0..4`, `0..RETRIES`: such a nest is never reported);
//! - in its body, another loop (a nest), or work that is hashing, crypto or
//!   arithmetic: a hasher's or cipher's call (`update(`, `digest(`,
//!   `finalize`, `encrypt`, `decrypt`, `::hash(`), or two of `wrapping_*`,
//!   `rotate_*`, `pow`, `sqrt` or a binary `*`, `/`, `%`, `^`, `<<`, `>>`.
//!
//! It may let through a file the parse then finds nothing in (a loop whose
//! trip count is a literal, a `*` in a comment); it drops no file whose
//! loop the rule reports, except where a brace in a string or a comment
//! ends a loop's body early, or `.await` is in a comment in the body.

/// Could this file hold a loop AW206 reports?
pub(super) fn may_hold_heavy_loop(text: &str) -> bool {
    text.contains("async") && outer_loops(text).any(heavy_body)
}

/// The bodies of the outermost loops of `text` (not in a `//` comment),
/// whose trip count is not a short literal or constant range.
fn outer_loops(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let Some((kw, at)) = next_keyword(text, i) else {
                i = bytes.len();
                return None;
            };
            i = at + kw.len();
            let Some(open) = loop_header(text, kw, i) else {
                continue;
            };
            let close = matching_brace(bytes, open);
            let short = kw == "for" && short_range(&text[i..open]);
            i = close;
            if !short {
                return Some(&text[open + 1..close]);
            }
        }
        None
    })
}

/// The next loop keyword from `from`, as a whole word, not in a line comment.
fn next_keyword(text: &str, from: usize) -> Option<(&'static str, usize)> {
    let is_ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        // Bytes: `i` may be inside a character; a keyword starts on one.
        let rest = &bytes[i..];
        let kw = ["for", "while", "loop"]
            .into_iter()
            .find(|k| rest.starts_with(k.as_bytes()));
        match kw {
            Some(kw)
                if (i == 0 || !is_ident(bytes[i - 1]))
                    && !bytes.get(i + kw.len()).copied().is_some_and(is_ident) =>
            {
                let line = &text[text[..i].rfind('\n').map_or(0, |n| n + 1)..i];
                if !line.contains("//") {
                    return Some((kw, i));
                }
                i += kw.len();
            }
            _ => i += 1,
        }
    }
    None
}

/// The position of a loop's opening brace, where the text after the
/// keyword (at `at`) is a loop's header: `for PAT in EXPR {` (not `impl T
/// for U {` or `for<'a>`), `while COND {`, `loop {`.
fn loop_header(text: &str, kw: &str, at: usize) -> Option<usize> {
    let open = at + text[at..].find('{')?;
    let header = &text[at..open];
    let ok = match kw {
        "for" => !header.trim_start().starts_with('<') && header.contains(" in "),
        "loop" => header.trim().is_empty(),
        _ => !header.trim().is_empty() && !header.contains(';'),
    };
    ok.then_some(open)
}

/// Does `text` hold a loop?
fn has_loop(text: &str) -> bool {
    let mut from = 0;
    while let Some((kw, at)) = next_keyword(text, from) {
        from = at + kw.len();
        if loop_header(text, kw, from).is_some() {
            return true;
        }
    }
    false
}

/// The position of the brace that closes the one at `open` (the end of the
/// text if none does).
fn matching_brace(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

/// A `for` header over a short literal or constant range: `_ in 0..4`,
/// `i in 1..=RETRIES` (the outer loop of such a nest runs a few times).
fn short_range(header: &str) -> bool {
    let Some((_, range)) = header.rsplit_once("..") else {
        return false;
    };
    let end = range.trim_start_matches('=').trim();
    let digits: String = end
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '_')
        .filter(char::is_ascii_digit)
        .collect();
    let literal = !digits.is_empty() && digits.parse::<u64>().is_ok_and(|n| n < 1_000);
    let constant = !end.is_empty()
        && end.starts_with(|c: char| c.is_ascii_uppercase())
        && end
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == ':');
    literal || constant
}

/// A loop body that can make its loop heavy: no `.await`, and a nested
/// loop or hashing, crypto or arithmetic.
fn heavy_body(body: &str) -> bool {
    if body.contains(".await") {
        return false;
    }
    if has_loop(body) {
        return true;
    }
    const HASHING: &[&str] = &[
        "update(", "digest(", "finalize", "encrypt", "decrypt", "::hash(",
    ];
    HASHING.iter().any(|h| body.contains(h)) || arithmetic(body) >= 2
}

/// How many arithmetic operations `body` shows, up to 2: `wrapping_*`,
/// `rotate_*`, `pow`, `sqrt`, and binary `*`, `/`, `%`, `^`, `<<`, `>>`
/// (a `*` with an operand or a space before its right side, not a deref;
/// a shift after a space, not the end of `Vec<Vec<u8>>`), outside `//`
/// comments.
fn arithmetic(body: &str) -> usize {
    let mut n = 0;
    for line in body.lines() {
        let code = line.split("//").next().unwrap_or(line);
        n += ["wrapping_", "rotate_", "pow", "sqrt"]
            .iter()
            .map(|w| code.matches(w).count())
            .sum::<usize>();
        let b = code.as_bytes();
        for (k, &c) in b.iter().enumerate() {
            let prev = k.checked_sub(1).map(|p| b[p]);
            let next = b.get(k + 1).copied();
            let operand =
                |p: Option<u8>| p.is_some_and(|p| p.is_ascii_alphanumeric() || b")]_".contains(&p));
            let binary = match c {
                b'*' => operand(prev) || next.is_some_and(|x| x == b' ' || x == b'='),
                b'/' | b'%' | b'^' => prev != Some(b'*') && next != Some(b'*'),
                b'<' | b'>' => next == Some(c) && prev == Some(b' '),
                _ => false,
            };
            n += usize::from(binary);
        }
        if n >= 2 {
            return n;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::may_hold_heavy_loop;

    #[test]
    fn nested_loops_and_hashing_or_arithmetic_loops_in_async_files_are_parsed() {
        for src in [
            // A nest (the rule's r4 case, a sync helper of the file).
            "fn fnv(data: &[u8], rounds: u64) -> u64 {\n    let mut h = 0;\n    for r in 0..rounds {\n        for b in data {\n            h ^= *b as u64;\n        }\n    }\n    h\n}\nasync fn f(b: Vec<u8>) -> u64 { fnv(&b, 16) }\n",
            // Arithmetic over runtime data.
            "async fn mix(s: &mut [u64]) {\n    let mut i = 0;\n    while i < s.len() {\n        s[i] = s[i].wrapping_mul(3) ^ (s[i] >> 33);\n        i += 1;\n    }\n}\n",
            // A hash per round.
            "async fn stretch(mut d: Vec<u8>, n: u32) -> Vec<u8> {\n    for _ in 0..n {\n        d = Sha256::digest(&d).to_vec();\n    }\n    d\n}\n",
            // Unformatted arithmetic, and a loop after an impl's `for`.
            "impl A for B {}\nasync fn g(xs: &[f32]) -> f32 {\n    let mut s = 0.0;\n    for x in xs { s += x*x/2.0; }\n    s\n}\n",
            "async fn h(grid: &[Vec<u8>]) { loop { for row in grid { println!(\"{row:?}\"); } } }\n",
        ] {
            assert!(may_hold_heavy_loop(src), "{src}");
        }
    }

    #[test]
    fn files_whose_loops_cannot_be_heavy_are_not_parsed_for_them() {
        for src in [
            // No async code.
            "fn fnv(data: &[u8]) -> u64 {\n    let mut h = 0;\n    for a in data { for b in data { h ^= (*a ^ *b) as u64; } }\n    h\n}\n",
            // Loops that await, or only count, or deref.
            "async fn f(rx: &mut Rx, items: &[String]) {\n    while let Some(m) = rx.recv().await {\n        for x in m { x.send().await; }\n    }\n    let mut n = 0;\n    for item in items {\n        n += item.len(); // a / b * c\n        v.push(*item);\n        w.push(*item);\n    }\n}\n",
            // A short literal or constant outer loop, and a trait impl.
            "impl<T> Display for W<T> {\n    fn fmt(&self) { for x in &self.0 { write(x); } }\n}\nasync fn g() {\n    for _ in 0..4 {\n        for i in items { i.run(); }\n    }\n    for _ in 0..RETRIES { for i in items { i.run(); } }\n    let v: Vec<Vec<u8>> = Vec::new();\n}\n",
            // Loop words in comments and strings.
            "// wait for it in a loop { for x in y {} }\nasync fn h() { println!(\"waiting for {} in order\", 1); }\n",
            "// it’s for a loop’s sake\nasync fn h() { let s = \"é\"; }\n",
        ] {
            assert!(!may_hold_heavy_loop(src), "{src}");
        }
    }
}
