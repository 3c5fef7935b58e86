//! Blocking work in async code: which calls block the executor thread, and
//! how each is fixed (`tokio::time::sleep`, `tokio::fs`) or reported.
//!
//! Before → after, in an `async fn`:
//! ```text
//! std::thread::sleep(d);                 tokio::time::sleep(d).await;
//! let s = fs::read_to_string(p)?;        let s = tokio::fs::read_to_string(p).await?;
//! ```

use ra_ap_syntax::{
    ast::{self, HasArgList, RangeItem},
    AstNode, SyntaxNode, TextRange, TextSize,
};

use crate::imports::{segments, Imports};
use crate::settings::UserBlocking;

/// What kind of blocking call a site is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockingKind {
    /// `std::thread::sleep(d)` → `tokio::time::sleep(d).await`.
    Sleep,
    /// A `std::fs` function with a `tokio::fs` twin of the same signature.
    Fs { name: String },
    /// `std::fs` that has no drop-in twin (`read_dir`, `File::open`).
    FsOther,
    /// A blocking wait: process output, blocking network or stdin I/O,
    /// `reqwest::blocking`.
    Wait,
    /// `block_on` inside async code: panics or deadlocks.
    BlockOn,
    /// `std::process::Command::..output()` / `.status()`: the same builder
    /// exists in `tokio::process`; `command` is the `Command` path to replace.
    Process { command: TextRange },
    /// CPU-heavy work: a long or nested loop without `.await`, or a known
    /// heavy call (hashing, compression, image decoding).
    Heavy,
    /// A function the configuration declares blocking (or heavy), with its
    /// async twin if it names one.
    User {
        heavy: bool,
        replacement: Option<String>,
    },
}

/// `std::fs` functions whose `tokio::fs` twin takes the same arguments and
/// returns the same type, so `.await` is the whole change.
const FS_TWINS: &[&str] = &[
    "read",
    "read_to_string",
    "write",
    "create_dir",
    "create_dir_all",
    "remove_file",
    "remove_dir",
    "remove_dir_all",
    "rename",
    "copy",
    "metadata",
    "symlink_metadata",
    "canonicalize",
    "hard_link",
    "read_link",
    "set_permissions",
    "try_exists",
];

/// A blocking call found in the tree.
#[derive(Clone, Debug)]
pub struct BlockingCall {
    pub kind: BlockingKind,
    /// The call as the user would name it: `std::fs::read_to_string`.
    pub what: String,
    /// The callee path (replaced by the fix).
    pub path: TextRange,
    /// The whole call (where `.await` goes after).
    pub call: TextRange,
}

/// Crates whose calls may be CPU-heavy (for the prefilter).
const HEAVY_CRATES: &[&str] = &[
    "sha2", "sha1", "sha3", "md5", "blake2", "blake3", "bcrypt", "argon2", "scrypt", "pbkdf2",
    "flate2", "zstd", "brotli", "image",
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

/// A path the crate does not define or import, written from an external
/// crate's root (`futures::executor::block_on`), resolves to `crate::..`:
/// the table knows it under its crate's name.
fn external_spelling(full: &str) -> &str {
    full.strip_prefix("crate::").unwrap_or(full)
}

/// `Duration::ZERO`, `Duration::from_secs(0)`, `Duration::default()`: a
/// timeout that never waits.
fn zero_duration(e: &ast::Expr) -> bool {
    let text: String = e.syntax().text().to_string().split_whitespace().collect();
    let text = text
        .trim_start_matches("std::time::")
        .trim_start_matches("core::time::");
    text == "Duration::ZERO"
        || text == "Duration::default()"
        || ["from_secs", "from_millis", "from_micros", "from_nanos"]
            .iter()
            .any(|f| text == format!("Duration::{f}(0)"))
}

/// The path of the call a value is built by: the innermost receiver of a
/// method chain (`Command::new("ls").arg("-l")` → `std::process::Command::new`),
/// looking through `Arc::new(..)`.
fn root_call(imports: &Imports, expr: &ast::Expr, shift: u32) -> Option<(String, TextRange)> {
    let mut root = expr.clone();
    loop {
        root = match &root {
            ast::Expr::MethodCallExpr(inner) => inner.receiver()?,
            // `{ ..; thread::spawn(..) }`: the block's value is its tail.
            ast::Expr::BlockExpr(b) if b.modifier().is_none() => b.stmt_list()?.tail_expr()?,
            ast::Expr::ParenExpr(p) => p.expr()?,
            _ => break,
        };
    }
    let ast::Expr::CallExpr(c) = &root else {
        return None;
    };
    let ast::Expr::PathExpr(p) = c.expr()? else {
        return None;
    };
    let path = p.path()?;
    let at = path.syntax().text_range().start() + TextSize::from(shift);
    let full = imports.resolve(&segments(&path)?, at);
    if matches!(full.as_str(), "std::sync::Arc::new" | "std::rc::Rc::new") {
        return root_call(imports, &c.arg_list()?.args().next()?, shift);
    }
    Some((full, path.syntax().text_range()))
}

/// Finds what a local receiver was bound to: its initializer, and its index
/// in a tuple pattern.
pub type BoundLookup<'a> = dyn Fn(&ast::Expr) -> Option<(ast::Expr, Option<usize>)> + 'a;

/// Classifies a call expression or method call. `bound` finds what a local
/// receiver was bound to: its initializer, and its index in a tuple pattern.
pub fn classify(
    imports: &Imports,
    node: &SyntaxNode,
    shift: u32,
    bound: &BoundLookup,
    user: &[UserBlocking],
) -> Option<BlockingCall> {
    let sh = |r: TextRange| r + TextSize::from(shift);
    if let Some(call) = ast::CallExpr::cast(node.clone()) {
        let ast::Expr::PathExpr(pe) = call.expr()? else {
            return None;
        };
        let path = pe.path()?;
        let at = path.syntax().text_range().start() + TextSize::from(shift);
        let full = imports.resolve(&segments(&path)?, at);
        let declared = user
            .iter()
            .find(|u| u.path == full || u.path == external_spelling(&full))
            .map(|u| BlockingKind::User {
                heavy: u.heavy,
                replacement: u.replacement.clone(),
            });
        let by_user = declared.is_some();
        let kind = if let Some(kind) = declared {
            kind
        } else {
            match external_spelling(&full) {
                "std::thread::sleep" => BlockingKind::Sleep,
                "std::fs::read_dir" | "std::fs::File::open" | "std::fs::File::create" => {
                    BlockingKind::FsOther
                }
                f if f
                    .strip_prefix("std::fs::")
                    .is_some_and(|n| FS_TWINS.contains(&n)) =>
                {
                    BlockingKind::Fs {
                        name: f["std::fs::".len()..].to_string(),
                    }
                }
                "futures::executor::block_on" | "futures_executor::block_on" => {
                    BlockingKind::BlockOn
                }
                // Binding a UDP socket waits on nothing; connecting a TCP
                // stream waits for the handshake.
                "std::net::TcpStream::connect" => BlockingKind::Wait,
                f if f.starts_with("reqwest::blocking::") => BlockingKind::Wait,
                f if HEAVY_CALLS.contains(&f) => BlockingKind::Heavy,
                _ => return None,
            }
        };
        let what = if by_user {
            full
        } else {
            external_spelling(&full).to_string()
        };
        return Some(BlockingCall {
            kind,
            what,
            path: sh(path.syntax().text_range()),
            call: sh(node.text_range()),
        });
    }
    let mc = ast::MethodCallExpr::cast(node.clone())?;
    let name = mc.name_ref()?.text().to_string();
    let recv = mc.receiver()?;
    // The call the receiver chain starts with: `Command::new("ls").arg("-l").output()`.
    let made_by = root_call(imports, &recv, shift);
    let made_by_is = |f: &str| made_by.as_ref().is_some_and(|(m, _)| m == f);
    // Or the local it starts with, and what that was bound to.
    let mut root = recv.clone();
    while let ast::Expr::MethodCallExpr(inner) = &root {
        root = inner.receiver()?;
    }
    let bound_root =
        || bound(&root).and_then(|(init, index)| Some((root_call(imports, &init, 0)?.0, index)));
    let (kind, what) = match name.as_str() {
        "block_on" => (
            BlockingKind::BlockOn,
            format!("{}.block_on", recv.syntax().text()),
        ),
        "output" | "status" if made_by_is("std::process::Command::new") => {
            let (_, path) = made_by.clone()?;
            // The `Command` of `Command::new`.
            let command = TextRange::new(path.start(), path.end() - TextSize::of("::new"));
            (
                BlockingKind::Process {
                    command: sh(command),
                },
                format!("std::process::Command::{name}"),
            )
        }
        // A zero timeout polls: it never waits.
        "recv_timeout"
            if mc
                .arg_list()
                .and_then(|a| a.args().next())
                .is_some_and(|a| zero_duration(&a)) =>
        {
            return None
        }
        "recv" | "recv_timeout" => match bound_root() {
            Some((f, Some(1)))
                if f == "std::sync::mpsc::channel" || f == "std::sync::mpsc::sync_channel" =>
            {
                (
                    BlockingKind::Wait,
                    format!("std::sync::mpsc::Receiver::{name}"),
                )
            }
            _ => return None,
        },
        // `thread::spawn(..).join()`, or a handle bound (maybe by a block's tail).
        "join" => match bound_root().or_else(|| made_by.clone().map(|(m, _)| (m, None))) {
            Some((f, None)) if f == "std::thread::spawn" || f == "std::thread::Builder::new" => (
                BlockingKind::Wait,
                "std::thread::JoinHandle::join".to_string(),
            ),
            _ => return None,
        },
        "wait" | "wait_while" | "wait_timeout" | "wait_timeout_while" => match bound_root() {
            Some((f, None)) if f == "std::sync::Condvar::new" => {
                (BlockingKind::Wait, format!("std::sync::Condvar::{name}"))
            }
            Some((f, None)) if f == "std::sync::Barrier::new" => {
                (BlockingKind::Wait, "std::sync::Barrier::wait".to_string())
            }
            Some((f, None)) if f == "std::process::Command::new" => {
                (BlockingKind::Wait, "std::process::Child::wait".to_string())
            }
            _ => return None,
        },
        "read_line" | "lines" if made_by_is("std::io::stdin") => {
            (BlockingKind::Wait, format!("std::io::Stdin::{name}"))
        }
        "accept" | "incoming" if made_by_is("std::net::TcpListener::bind") => {
            (BlockingKind::Wait, format!("std::net::TcpListener::{name}"))
        }
        m if HEAVY_METHODS.iter().any(|(c, n)| {
            *n == m
                && made_by
                    .as_ref()
                    .is_some_and(|(f, _)| external_spelling(f).starts_with(c))
        }) =>
        {
            (BlockingKind::Heavy, format!("argon2 `{m}`"))
        }
        _ => return None,
    };
    let name_range = mc.name_ref()?.syntax().text_range();
    Some(BlockingCall {
        kind,
        what,
        path: sh(name_range),
        call: sh(node.text_range()),
    })
}

/// Could this text hold a blocking call the rules know? (For the prefilter.)
/// Each kind needs its std module named in the file, in a path or an import
/// (`std::fs`, or `std::{fs, ..}`), so that tokio's own `sleep`, `recv` and
/// `fs` do not count.
pub fn may_block(text: &str, user: &[UserBlocking]) -> bool {
    let std_mod = |m: &str| {
        text.contains(&format!("std::{m}")) || (text.contains("std::{") && text.contains(m))
    };
    (text.contains("sleep") && std_mod("thread"))
        || std_mod("fs")
        || text.contains("block_on(")
        || text.contains("spawn_blocking(")
        || text.contains("block_in_place(")
        || (text.contains("Command") && std_mod("process"))
        || (text.contains("read_line(") && text.contains("stdin"))
        || std_mod("net")
        || text.contains("reqwest::blocking")
        || (text.contains("mpsc") && text.contains(".recv"))
        || (text.contains(".join()") && std_mod("thread"))
        || text.contains("Condvar")
        || text.contains("Barrier")
        || HEAVY_CRATES
            .iter()
            .any(|c| text.contains(&format!("{c}::")))
        || (text.contains("async") && has_long_range(text))
        || user
            .iter()
            .any(|u| text.contains(u.path.rsplit("::").next().unwrap_or(&u.path)))
        || crate::facts::may_call_watched_method(text) // hook(newrule): AW207's calls
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

/// A loop that is CPU-heavy: no `.await` inside, and either nested loops or
/// a range with a large literal bound. Only the outermost loop of a nest counts.
pub fn heavy_loop(node: &SyntaxNode) -> bool {
    use ra_ap_syntax::SyntaxKind::{
        AWAIT_EXPR, CLOSURE_EXPR, FN, FOR_EXPR, LITERAL, LOOP_EXPR, WHILE_EXPR,
    };
    let is_loop = |k| matches!(k, FOR_EXPR | LOOP_EXPR | WHILE_EXPR);
    if !is_loop(node.kind())
        || node
            .descendants()
            .any(|d| matches!(d.kind(), AWAIT_EXPR | CLOSURE_EXPR))
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
    let few_rounds = ast::ForExpr::cast(node.clone())
        .and_then(|f| f.iterable())
        .and_then(|e| match e {
            ast::Expr::RangeExpr(r) => r.end(),
            _ => None,
        })
        .is_some_and(|end| {
            let text = end.syntax().text().to_string();
            let digits: String = text.chars().filter(|c| c.is_ascii_digit()).collect();
            (end.syntax().kind() == LITERAL && digits.parse::<u64>().is_ok_and(|n| n < 1_000))
                || (matches!(end, ast::Expr::PathExpr(_))
                    && text
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
        });
    let nested = !few_rounds && node.descendants().skip(1).any(|d| is_loop(d.kind()));
    let big_range = ast::ForExpr::cast(node.clone())
        .and_then(|f| f.iterable())
        .and_then(|e| match e {
            ast::Expr::RangeExpr(r) => r.end(),
            _ => None,
        })
        .is_some_and(|end| {
            let digits: String = end
                .syntax()
                .text()
                .to_string()
                .chars()
                .filter(|c| c.is_ascii_digit())
                .collect();
            end.syntax().kind() == LITERAL && digits.parse::<u64>().is_ok_and(|n| n >= 100_000)
        });
    nested || big_range
}

#[cfg(test)]
mod tests {
    use super::*;
    use ra_ap_syntax::{Edition, SourceFile};

    fn kinds(src: &str) -> Vec<(BlockingKind, String)> {
        let file = SourceFile::parse(src, Edition::Edition2021).tree();
        let imports = Imports::collect(&file, src);
        file.syntax()
            .descendants()
            .filter_map(|n| classify(&imports, &n, 0, &|_| None, &[]))
            .map(|b| (b.kind, b.what))
            .collect()
    }

    #[test]
    fn spellings_of_sleep_and_fs_resolve_through_imports() {
        let found = kinds(
            "use std::thread; use std::fs; use std::thread::sleep as nap;\n\
             async fn f() { thread::sleep(d); nap(d); std::thread::sleep(d); fs::read(p); fs::read_dir(p); }",
        );
        let whats: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            whats,
            [
                "std::thread::sleep",
                "std::thread::sleep",
                "std::thread::sleep",
                "std::fs::read",
                "std::fs::read_dir"
            ]
        );
        assert_eq!(
            found[3].0,
            BlockingKind::Fs {
                name: "read".into()
            }
        );
        assert_eq!(found[4].0, BlockingKind::FsOther);
    }

    #[test]
    fn user_fns_named_sleep_and_tokio_sleep_are_not_blocking() {
        assert!(kinds(
            "fn sleep(_: u8) {} async fn f() { sleep(1); tokio::time::sleep(d).await; }"
        )
        .is_empty());
    }

    #[test]
    fn constructors_small_digests_binds_and_polls_do_not_block() {
        let src = "use std::sync::mpsc; use std::time::Duration;\n\
             use flate2::write::GzEncoder; use sha2::{Digest, Sha256};\n\
             async fn f() {\n\
               let e = GzEncoder::new(Vec::new(), flate2::Compression::default());\n\
               let d = flate2::read::DeflateDecoder::new(&b\"\"[..]);\n\
               let h = Sha256::digest(b\"id\");\n\
               let s = std::net::UdpSocket::bind(\"127.0.0.1:0\");\n\
               let (tx, rx) = mpsc::channel::<u8>();\n\
               rx.recv_timeout(Duration::ZERO); rx.recv_timeout(std::time::Duration::from_millis(0)); rx.try_recv();\n\
             }";
        assert!(kinds(src).is_empty(), "{:?}", kinds(src));
    }

    #[test]
    fn heavy_calls_waits_and_full_paths_are_found() {
        let src = "async fn f() {\n\
               let z = zstd::encode_all(&data[..], 3);\n\
               let p = bcrypt::hash(pw, 12);\n\
               let v = futures::executor::block_on(load());\n\
               std::thread::spawn(|| 1).join();\n\
             }";
        // (Receivers and handles bound by `let` need the extractor's lookup:
        // the blocking_missed_waits and blocking_not_blocking fixtures.)
        let found = kinds(src);
        let whats: Vec<&str> = found.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(
            whats,
            [
                "zstd::encode_all",
                "bcrypt::hash",
                "futures::executor::block_on",
                "std::thread::JoinHandle::join",
            ]
        );
        assert_eq!(found[0].0, BlockingKind::Heavy);
        assert_eq!(found[2].0, BlockingKind::BlockOn);
    }

    #[test]
    fn awaits_inside_macro_arguments_make_a_loop_async() {
        let src = "async fn f() { for a in 0..n { for b in 0..9 { assert_eq!(rx.recv().await, Some(a * b)); } } }\n\
                   async fn g() { for a in 0..n { for b in 0..9 { assert_eq!(a * b, b * a); } } }\n\
                   async fn h() { for a in 0..4 { for b in 0..n { assert_eq!(a * b, b * a); } } }\n\
                   async fn i() { for a in 0..RETRIES { for b in 0..n { assert_eq!(a * b, b * a); } } }";
        let file = SourceFile::parse(src, Edition::Edition2021).tree();
        let heavy: Vec<bool> = file
            .syntax()
            .descendants()
            .filter(|n| n.kind() == ra_ap_syntax::SyntaxKind::FOR_EXPR)
            .map(|n| heavy_loop(&n))
            .collect();
        // Only g's nest counts: f awaits in a macro, h and i's outer loops
        // run a few times.
        assert_eq!(
            heavy,
            [false, false, true, false, false, false, false, false]
        );
    }

    #[test]
    fn process_output_and_block_on_are_found() {
        let found = kinds("use std::process::Command;\nasync fn f() { Command::new(\"ls\").arg(\"-l\").output(); rt.block_on(g()); }");
        assert!(matches!(found[0].0, BlockingKind::Process { .. }));
        assert_eq!(found[1].0, BlockingKind::BlockOn);
    }
}
