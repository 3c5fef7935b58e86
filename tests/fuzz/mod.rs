//! A seeded mutation fuzzer: fixture crates (and, with
//! `AWAITIFY_FUZZ_CORPUS=DIR`, the `.rs` files under DIR that mention both
//! `async` and `Mutex`) with one file mutated (truncated, a slice deleted,
//! duplicated or swapped, or a token inserted), many crates per invocation of
//! the binary, in a dry run and with `--write --unsafe-fixes`.
//!
//! A case passes when the binary neither panics nor aborts, exits with 0, 1
//! or 2, reports no internal error, and every file it writes parses with no
//! more errors than it had before.

use std::path::{Path, PathBuf};
use std::process::Command;

use ra_ap_syntax::{Edition, SourceFile};

/// xorshift64*: small, seeded, the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "(",
    ".await",
    "mod x {",
    "use std::sync::RwLock;",
    "use std::sync::Mutex;",
    "r#\"",
    "\"",
    "async ",
    ".lock().unwrap()",
    "fn ",
    "'a",
    "/*",
    "\u{feff}",
    "\r\n",
];

/// A character boundary of `text` at or before `at`.
fn boundary(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A random slice `start..end` of `text`, at most `max` bytes long.
fn slice(rng: &mut Rng, text: &str, max: usize) -> (usize, usize) {
    let start = boundary(text, rng.below(text.len() + 1));
    let end = boundary(text, start + rng.below(max.min(text.len() - start) + 1));
    (start, end)
}

/// `text` with one to three mutations; also says what they were.
pub fn mutate(rng: &mut Rng, text: &str) -> (String, String) {
    let mut text = text.to_string();
    let mut what = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let max = 1 + rng.below(200);
        match rng.below(5) {
            0 => {
                let at = boundary(&text, rng.below(text.len() + 1));
                text.truncate(at);
                what.push(format!("truncate at {at}"));
            }
            1 => {
                let (s, e) = slice(rng, &text, max);
                text.replace_range(s..e, "");
                what.push(format!("delete {s}..{e}"));
            }
            2 => {
                let (s, e) = slice(rng, &text, max);
                let copy = text[s..e].to_string();
                text.insert_str(e, &copy);
                what.push(format!("duplicate {s}..{e}"));
            }
            3 => {
                let (a, b) = slice(rng, &text, max);
                let (c, d) = slice(rng, &text, max);
                let ((a, b), (c, d)) = if a <= c {
                    ((a, b), (c, d))
                } else {
                    ((c, d), (a, b))
                };
                if b <= c {
                    text = format!(
                        "{}{}{}{}{}",
                        &text[..a],
                        &text[c..d],
                        &text[b..c],
                        &text[a..b],
                        &text[d..]
                    );
                    what.push(format!("swap {a}..{b} with {c}..{d}"));
                }
            }
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())];
                let at = boundary(&text, rng.below(text.len() + 1));
                text.insert_str(at, token);
                what.push(format!("insert {token:?} at {at}"));
            }
        }
    }
    (text, what.join(", "))
}

/// Where a case's mutated file comes from: a fixture crate, or a lone file.
#[derive(Clone)]
pub struct Seed {
    /// A fixture crate's directory, copied whole; `None` for a lone file.
    pub crate_dir: Option<PathBuf>,
    /// The file to mutate (inside `crate_dir` if there is one).
    pub file: PathBuf,
}

pub fn seeds(testdata: &Path) -> Vec<Seed> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(testdata)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|d| d.join("Cargo.toml").is_file())
        .collect();
    dirs.sort();
    for dir in dirs {
        for file in rs_files(&dir) {
            out.push(Seed {
                crate_dir: Some(dir.clone()),
                file,
            });
        }
    }
    if let Some(corpus) = std::env::var_os("AWAITIFY_FUZZ_CORPUS") {
        for file in rs_files(Path::new(&corpus)) {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            if text.contains("async") && text.contains("Mutex") && text.len() < 200_000 {
                out.push(Seed {
                    crate_dir: None,
                    file,
                });
            }
        }
    }
    out
}

pub fn rs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let Ok(t) = e.file_type() else { continue };
            if t.is_dir() {
                stack.push(p);
            } else if t.is_file() && p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Syntax errors of every `.rs` file under `dir`, by path.
fn parse_errors(dir: &Path, edition: Edition) -> Vec<(PathBuf, usize)> {
    rs_files(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(&f).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            (f, SourceFile::parse(text, edition).errors().len())
        })
        .collect()
}

fn edition_of(manifest: &Path) -> Edition {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    for (name, e) in [
        ("2024", Edition::Edition2024),
        ("2018", Edition::Edition2018),
        ("2015", Edition::Edition2015),
    ] {
        if text.contains(&format!("edition = \"{name}\"")) {
            return e;
        }
    }
    Edition::Edition2021
}

/// Runs cases `first..first + count` of `seed` in one batch under `work`;
/// returns one line per failure.
pub fn run_batch(
    bin: &Path,
    seeds: &[Seed],
    seed: u64,
    first: usize,
    count: usize,
    work: &Path,
) -> Vec<String> {
    let mut cases = Vec::new();
    for n in first..first + count {
        let mut rng = Rng::new(seed ^ (n as u64).wrapping_mul(0x1000_0000_01B3));
        let s = &seeds[rng.below(seeds.len())];
        let dir = work.join(format!("case{n}"));
        let target = match &s.crate_dir {
            Some(c) => {
                crate::common::copy_dir(c, &dir);
                dir.join(s.file.strip_prefix(c).unwrap())
            }
            None => {
                std::fs::create_dir_all(dir.join("src")).unwrap();
                std::fs::write(
                    dir.join("Cargo.toml"),
                    format!("[package]\nname = \"case{n}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntokio = {{ version = \"1\", features = [\"full\"] }}\n"),
                )
                .unwrap();
                dir.join("src/lib.rs")
            }
        };
        let original = std::fs::read_to_string(&s.file).unwrap();
        let (text, what) = mutate(&mut rng, &original);
        std::fs::write(&target, text).unwrap();
        cases.push((n, dir, format!("{} ({what})", s.file.display())));
    }
    let mut failures = Vec::new();
    let check = |args: &[&str], failures: &mut Vec<String>| {
        let out = Command::new(bin)
            .args(args)
            .args(["--format", "concise", "--color", "never", "."])
            .current_dir(work)
            .env_remove("RUST_BACKTRACE")
            .output()
            .unwrap();
        let code = out.status.code();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let bad_exit = !matches!(code, Some(0..=2));
        for line in stderr.lines() {
            let panicked = line.starts_with("thread '") && line.contains("panicked at");
            if line.contains("internal error") || panicked {
                let case = cases
                    .iter()
                    .find(|(n, _, _)| line.contains(&format!("case{n}/")))
                    .map(|(_, _, what)| what.as_str())
                    .unwrap_or("?");
                failures.push(format!("{args:?}: {line}\n    case: {case}"));
            }
        }
        if bad_exit {
            let what: Vec<&str> = cases.iter().map(|(_, _, w)| w.as_str()).collect();
            failures.push(format!(
                "{args:?}: exit {code:?} (cases {first}..{}):\n{}\n  cases: {}",
                first + count,
                stderr.lines().rev().take(5).collect::<Vec<_>>().join("\n"),
                what.join("\n    ")
            ));
        }
    };
    check(&[], &mut failures);
    let before: Vec<_> = cases
        .iter()
        .map(|(_, dir, _)| parse_errors(dir, edition_of(&dir.join("Cargo.toml"))))
        .collect();
    check(
        &["--write", "--no-verify", "--unsafe-fixes", "--allow-dirty"],
        &mut failures,
    );
    for ((_, dir, what), before) in cases.iter().zip(before) {
        let after = parse_errors(dir, edition_of(&dir.join("Cargo.toml")));
        for ((path, b), (_, a)) in before.iter().zip(after) {
            if a > *b {
                failures.push(format!(
                    "{}: {b} syntax errors before --write, {a} after\n    case: {what}",
                    path.display()
                ));
            }
        }
    }
    failures
}
