//! The parse-only baseline for `scripts/bench.sh`: walks the same files with
//! the same thread count as awaitify and only parses them with ra_ap_syntax.
//! With `--filter`, it parses only the files that can contain a finding: those
//! that name a lock type (a declaration), hold `async` and a lock call (an
//! async lock site), or hold a blocking call the rules know. That is the
//! floor for any ra_ap_syntax-based tool that must look at them.
//!
//! Usage: parse_only [--threads N] [--filter] DIR...

use std::sync::atomic::{AtomicUsize, Ordering};

// The same allocator as the binaries it is measured against.
#[cfg(not(target_env = "msvc"))]
#[path = "../src/alloc.rs"]
mod alloc;

use ra_ap_syntax::{Edition, SourceFile};
use rayon::prelude::*;

fn main() {
    let mut threads = 0;
    let mut filter = false;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--threads" => {
                threads = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .expect("--threads N")
            }
            "--filter" => filter = true,
            _ => dirs.push(a),
        }
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .unwrap();
    let mut files = Vec::new();
    for dir in &dirs {
        for entry in ignore::WalkBuilder::new(dir).build().flatten() {
            if entry.path().extension().is_some_and(|e| e == "rs")
                && entry.file_type().is_some_and(|t| t.is_file())
            {
                files.push(entry.into_path());
            }
        }
    }
    let (parsed, nodes) = (AtomicUsize::new(0), AtomicUsize::new(0));
    files.par_iter().for_each(|path| {
        let Ok(text) = std::fs::read_to_string(path) else {
            return;
        };
        let can_hold_finding = awaitify::facts::may_declare_lock(&text)
            || awaitify::facts::may_hold_async_lock_site(&text)
            || awaitify::blocking::may_block(&text, &[], awaitify::rules::detectors());
        if filter && !can_hold_finding {
            return;
        }
        let parse = SourceFile::parse(&text, Edition::Edition2021);
        nodes.fetch_add(parse.syntax_node().descendants().count(), Ordering::Relaxed);
        parsed.fetch_add(1, Ordering::Relaxed);
    });
    println!(
        "{} files walked, {} parsed, {} nodes",
        files.len(),
        parsed.into_inner(),
        nodes.into_inner()
    );
}
