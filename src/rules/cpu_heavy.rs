//! AW206 `cpu-heavy-in-async`: CPU-heavy work in async code, moved to
//! `spawn_blocking` on request.

use ra_ap_syntax::{
    ast::{self, RangeItem},
    AstNode, SyntaxNode,
};

use super::blocking_calls::{Premise, Verdict};
use super::{Applicability, Rule, Severity};
use crate::blocking::{BlockingKind, MethodCall};
use crate::facts::BlockingFact;

pub const CPU_HEAVY: Rule = Rule {
    code: "AW206",
    name: "cpu-heavy-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "CPU-heavy work in async code",
    doc: "## What it does
Reports CPU-heavy sections of async code, where the work is heavy by
evidence, not by the crate it calls:
- a loop with no `.await` (counting one inside macro arguments such as
  `assert_eq!(rx.recv().await, ..)`) that holds another loop, or runs over a
  range whose literal bound is 100 000 or more;
- a call that is heavy whatever its input: password hashing (`bcrypt::hash`,
  `bcrypt::verify`, `scrypt::scrypt`, `pbkdf2::pbkdf2*`, argon2's
  `hash_password` / `verify_password`), whole-buffer compression
  (`zstd::encode_all` / `decode_all`, `zstd::bulk::*`,
  `brotli::BrotliCompress` / `BrotliDecompress`) and image decoding
  (`image::open`, `image::load_from_memory`).

Not counted: constructors (`GzEncoder::new`, `ZlibEncoder::new`,
`DeflateDecoder::new`), streaming hashers and one-shot digests
(`Sha256::digest(id)`): they cost what their input costs, which a single
call does not show.

## Why is this bad?
While it computes, no other task on that executor thread makes progress.

## Example
```rust
async fn store(pw: String) -> String { bcrypt::hash(pw, 12).unwrap() }
```

## Use instead
```rust
async fn store(pw: String) -> String {
    tokio::task::spawn_blocking(move || bcrypt::hash(pw, 12).unwrap())
        .await
        .expect(\"blocking task panicked\")
}
```

## Fix safety
Unsafe, applied only with `--unsafe-fixes`, and only where the wrap is
certain to compile: the heavy call is a `let` initializer with no `.await`,
closure, macro, lock call, `?`, `return` or `self` in it, and every local it
captures is owned for sure (a literal, `vec![..]`, `format!(..)`,
`String::from`, `.to_vec()`, `.to_string()`, `.to_owned()`, or a non-reference
type annotation), not `Rc`; a capture used after the `let` is cloned first,
so it must be of a type known to be `Clone`. The work then runs on another
thread (thread-locals differ; a panic surfaces as `blocking task
panicked`). Loops are only reported.

## Known problems
Loops over collections are not judged by their length; captures whose
ownership the tool cannot see leave the finding display-only.",
    ..Rule::blocking(
        Some(detect_call),
        Some(detect_method),
        finding,
        Some(may_match),
    )
};

/// For the prefilter: a heavy crate's path, or a long range in async code.
fn may_match(text: &str) -> bool {
    HEAVY_CRATE_PATHS.iter().any(|c| text.contains(c))
        || (text.contains("async") && has_long_range(text))
}

/// `..1_000_000`, `..=100000`: a range whose literal end has six digits or more.
fn has_long_range(text: &str) -> bool {
    text.match_indices("..").any(|(i, _)| {
        let rest = text[i + 2..].trim_start_matches('=');
        rest.chars()
            .take_while(|c| c.is_ascii_digit() || *c == '_')
            .filter(char::is_ascii_digit)
            .count()
            >= 6
    })
}

/// Paths into crates whose calls may be CPU-heavy (for the prefilter).
const HEAVY_CRATE_PATHS: &[&str] = &[
    "sha2::", "sha1::", "sha3::", "md5::", "blake2::", "blake3::", "bcrypt::", "argon2::",
    "scrypt::", "pbkdf2::", "flate2::", "zstd::", "brotli::", "image::",
];

/// Calls that are CPU-heavy by what they do, whatever their input: password
/// hashing (slow by design), whole-buffer compression, image decoding.
/// Constructors (`GzEncoder::new`), streaming hashers and one-shot digests
/// (`Sha256::digest`) are not listed: they cost what their input costs, and
/// a loop over unbounded input is what AW206 reports for them.
const HEAVY_CALLS: &[&str] = &[
    "bcrypt::hash",
    "bcrypt::hash_with_result",
    "bcrypt::hash_with_salt",
    "bcrypt::verify",
    "scrypt::scrypt",
    "pbkdf2::pbkdf2",
    "pbkdf2::pbkdf2_hmac",
    "pbkdf2::pbkdf2_hmac_array",
    "zstd::encode_all",
    "zstd::decode_all",
    "zstd::stream::encode_all",
    "zstd::stream::decode_all",
    "zstd::bulk::compress",
    "zstd::bulk::decompress",
    "brotli::BrotliCompress",
    "brotli::BrotliDecompress",
    "image::open",
    "image::load",
    "image::load_from_memory",
    "image::load_from_memory_with_format",
];

/// Password-hashing methods (`Argon2::default().hash_password(..)`).
const HEAVY_METHODS: &[(&str, &str)] = &[
    ("argon2::", "hash_password"),
    ("argon2::", "verify_password"),
    ("argon2::", "hash_password_into"),
];

fn detect_call(path: &str) -> Option<BlockingKind> {
    HEAVY_CALLS.contains(&path).then_some(BlockingKind::Heavy)
}

/// argon2's hashing methods, on a receiver an argon2 call built.
fn detect_method(m: &MethodCall) -> Option<(BlockingKind, String)> {
    let from_argon2 = |c: &str| {
        m.made_by
            .as_ref()
            .is_some_and(|(f, _)| f.strip_prefix("crate::").unwrap_or(f).starts_with(c))
    };
    HEAVY_METHODS
        .iter()
        .any(|(c, n)| *n == m.name && from_argon2(c))
        .then(|| (BlockingKind::Heavy, format!("argon2 `{}`", m.name)))
}

/// An `.await` inside a macro's arguments (`assert_eq!(rx.recv().await, ..)`):
/// the macro's tokens are not parsed as expressions, so look for the keyword.
fn awaits_in_macro(node: &SyntaxNode) -> bool {
    use ra_ap_syntax::SyntaxKind::{AWAIT_KW, DOT, IDENT};
    let mut after_dot = false;
    for t in node
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
    {
        if t.kind().is_trivia() {
            continue;
        }
        if after_dot && (t.kind() == AWAIT_KW || (t.kind() == IDENT && t.text() == "await")) {
            return true;
        }
        after_dot = t.kind() == DOT;
    }
    false
}

/// The end of a `for` loop's range: `n` in `for i in 0..n`.
fn for_range_end(node: &SyntaxNode) -> Option<ast::Expr> {
    match ast::ForExpr::cast(node.clone())?.iterable()? {
        ast::Expr::RangeExpr(r) => r.end(),
        _ => None,
    }
}

/// A loop that is CPU-heavy: no `.await` inside, and either nested loops or
/// a range with a large literal bound. Only the outermost loop of a nest counts.
pub(crate) fn heavy_loop(node: &SyntaxNode) -> bool {
    use ra_ap_syntax::SyntaxKind::{
        AWAIT_EXPR, CLOSURE_EXPR, FN, FOR_EXPR, LITERAL, LOOP_EXPR, WHILE_EXPR,
    };
    let is_loop = |k| matches!(k, FOR_EXPR | LOOP_EXPR | WHILE_EXPR);
    // A closure or an async block in the loop is work for later (a task
    // spawned, a callback), not this loop's.
    let deferred =
        |d: &SyntaxNode| ast::BlockExpr::cast(d.clone()).is_some_and(|b| b.async_token().is_some());
    if !is_loop(node.kind())
        || node
            .descendants()
            .any(|d| matches!(d.kind(), AWAIT_EXPR | CLOSURE_EXPR) || deferred(&d))
        || awaits_in_macro(node)
    {
        return false;
    }
    if node
        .ancestors()
        .skip(1)
        .take_while(|a| !matches!(a.kind(), FN | CLOSURE_EXPR))
        .any(|a| is_loop(a.kind()))
    {
        return false;
    }
    // Nested loops, unless the outer one runs a small number of times
    // (`for _ in 0..4`, `for _ in 0..RETRIES`): then the nest is as heavy
    // as its inner loop alone.
    let end = for_range_end(node);
    let literal_end = end
        .as_ref()
        .filter(|e| e.syntax().kind() == LITERAL)
        .and_then(|e| {
            let digits: String = e
                .syntax()
                .text()
                .to_string()
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            digits.parse::<u64>().ok()
        });
    let few_rounds = literal_end.is_some_and(|n| n < 1_000)
        || end.as_ref().is_some_and(|e| {
            matches!(e, ast::Expr::PathExpr(_))
                && e.syntax()
                    .text()
                    .to_string()
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
        });
    let nested = !few_rounds && node.descendants().skip(1).any(|d| is_loop(d.kind()));
    let big_range = literal_end.is_some_and(|n| n >= 100_000);
    nested || big_range
}

/// A move to the blocking pool: the fact's `spawn_blocking` wrap, applied
/// with `--unsafe-fixes` where it is certain to compile.
/// A known heavy call in test code works on a test's fixture, small by
/// design, and is not reported; a loop is. A heavy fn the configuration
/// names is the user's own call: its wrap needs no tokio premise.
fn finding(b: &BlockingFact, premise: &Premise) -> Option<Verdict> {
    let what = &b.call.what;
    Some(match &b.call.kind {
        BlockingKind::Heavy if premise.test_code && !what.starts_with("a loop") => return None,
        BlockingKind::Heavy => Verdict::report(
            &CPU_HEAVY,
            format!("{what} is CPU-heavy work on the executor thread; run it on the blocking pool"),
        )
        .wrap(),
        BlockingKind::User { heavy: true, .. } => Verdict::report(
            &CPU_HEAVY,
            format!("`{what}` is CPU-heavy (configuration); run it on the blocking pool"),
        )
        .wrap()
        .users_own(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ra_ap_syntax::{Edition, SourceFile};

    #[test]
    fn awaits_inside_macro_arguments_make_a_loop_async() {
        let src = "async fn f() { for a in 0..n { for b in 0..9 { assert_eq!(rx.recv().await, Some(a * b)); } } }\n\
                   async fn g() { for a in 0..n { for b in 0..9 { assert_eq!(a * b, b * a); } } }\n\
                   async fn h() { for a in 0..4 { for b in 0..n { assert_eq!(a * b, b * a); } } }\n\
                   async fn i() { for a in 0..RETRIES { for b in 0..n { assert_eq!(a * b, b * a); } } }\n\
                   async fn j() { for a in 0..(n - 1) { tokio::spawn(async move { for b in 0..n { assert_eq!(a * b, b * a); } }); } }";
        let file = SourceFile::parse(src, Edition::Edition2021).tree();
        let heavy: Vec<bool> = file
            .syntax()
            .descendants()
            .filter(|n| n.kind() == ra_ap_syntax::SyntaxKind::FOR_EXPR)
            .map(|n| heavy_loop(&n))
            .collect();
        // Only g's nest counts: f awaits in a macro, h and i's outer loops
        // run a few times, j's inner loop runs in the tasks it spawns.
        assert_eq!(
            heavy,
            [false, false, true, false, false, false, false, false, false, false]
        );
    }

    #[test]
    fn password_hashing_in_async_code_is_reported() {
        crate::driver::test_support::check_finding(
            r#"async fn store(pw: String) -> String {
    bcrypt::hash(pw, 12).unwrap()
}

#[tokio::main]
async fn main() {
    println!("{}", store("pw".into()).await);
}
"#,
            "AW206",
        );
    }
}
