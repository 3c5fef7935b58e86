//! AW206 `cpu-heavy-in-async`: CPU-heavy work in async code, with its cost
//! driver (input size, iteration count, known algorithm), moved to
//! `spawn_blocking` on request: known heavy calls and their streaming
//! forms, loops with no `.await`, and sync helpers that do either.
//!
//! This file holds the rule, its prefilter and its verdict; what its
//! detection reads is in `calls.rs` (the known heavy calls and their cost
//! drivers) and, since facts read it, `blocking/heavy_loops.rs` (heavy
//! loops, and the sizes a fn writes down).

mod calls;
mod prefilter;

use super::blocking_calls::{Premise, Verdict};
use super::{Applicability, Hooks, Rule, Severity};
use crate::blocking::BlockingKind;
use crate::facts::BlockingFact;
use crate::locks::CratePlan;
use crate::rules::blocking_calls::Crate;
use calls::{detect_call, detect_call_site, detect_method, Driver, HEAVY_CALLS};

pub const CPU_HEAVY: Rule = Rule {
    code: "AW206",
    name: "cpu-heavy-in-async",
    severity: Severity::Warning,
    fix: Some(Applicability::Unsafe),
    summary: "CPU-heavy work in async code",
    doc: "## What it does
Reports CPU-heavy work on the executor thread, and names what its cost
grows with (its cost driver: the input's size, an iteration count, or a
known algorithm):
- key derivation and password hashing, slow by design: `bcrypt::hash` /
  `verify`, `scrypt::scrypt`, `pbkdf2::pbkdf2*`, `ring::pbkdf2::*`,
  argon2's `hash_password` / `verify_password`, and a SCRAM client's
  `ScramSha256::update` (postgres-protocol), which runs PBKDF2 over the
  server's iteration count;
- compression over a whole input: one-shot (`zstd::encode_all`,
  `zstd::bulk::*`, `brotli::BrotliCompress`, `lz4_flex::compress`, ..) and
  streaming: an encoder or decoder of flate2, zstd, brotli, lz4 or snap
  driven by `std::io::copy`, `read_to_end`, `read_to_string`, or
  `write_all` of data that is not a literal or a constant;
- hashing of bulk data: a hasher's `update` (sha2, sha1, sha3, md5,
  blake2, blake3, crc32fast, hmac), a one-shot digest (`Sha256::digest`,
  `blake3::hash`, `crc32fast::hash`) or a `crc::Crc`'s `checksum` over a
  buffer named as bulk data (a body, a buffer, a payload, a file's
  contents, a chunk);
- image decoding (`image::open`, `image::load_from_memory`);
- a loop with no `.await` (counting one inside macro arguments such as
  `assert_eq!(rx.recv().await, ..)`) that runs over a range whose literal
  bound is 100 000 or more, or that holds another loop or whose trip count
  comes from runtime data (`0..n`, `0..self.rounds`, a collection, `while
  i < len`), and whose body hashes, encrypts, or does arithmetic (two or
  more multiplications, divisions, remainders, xors or shifts, or
  `wrapping_*`, `rotate_*`, `pow`, `sqrt` calls; in a nest, also a sum
  into an accumulator, `total += v`);
- a call from async code of a sync fn of the crate that does any of
  these, directly or through further sync fns, with the chain (`handle →
  checksum → a loop ..`), followed as AW205 follows blocking helpers; a
  helper that also blocks (I/O, a sleep, a wait) is AW205's.

Heavy work in test code (a `#[cfg(test)]` module, a test fn, an
integration test, an example or a bench) is reported as a note, not a
warning: it stalls only the test's own runtime, and it is often on purpose.
A test's data is a fixture, small by design, so there it is reported only
where the test writes down a size of 100 000 or more in the fn around it
(`vec![0u8; 18_874_368]`, `read_to_end(1024 * 1024 * 5)`, `0..1_000_000`),
or where the work is slow by design (key derivation); decoding a test's
`\"Hello, World!\"` is not reported.

Not counted: constructors (`GzEncoder::new`, `Sha256::new`), hashes of a
literal, a constant or a small value (an id, a key, a nonce: data not named
as bulk), `write_all` of a literal, a hash or codec fed piece by piece
in a loop that awaits between pieces (`while let Some(chunk) =
body.next().await { hasher.update(&chunk) }`: it yields as it goes), loops
with an `.await` in them (they yield), and loops whose trip count is a
literal below 100 000 or a constant.

`serde_json::from_slice` (and other deserializers) of a whole body is not
reported: it costs what the body's size costs, about as much as reading the
body did, and a server bounds it by its body limit; AW206 reports work
whose cost grows beyond the bytes moved (a work factor, compression, a
numeric kernel) or is a hash over a whole buffer. Configure a deserializer
as heavy (`[[blocking]]`, `kind = \"heavy\"`) to have it reported.

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
so it must be of a type known to be `Clone`. It is unsafe because the work
then runs on another thread (thread-locals differ, a panic surfaces as
`blocking task panicked`, the blocking pool's threads are limited) and,
while the task awaits it, the task can be cancelled with the work still
running. A call of a sync helper of the crate (`let d = checksum(&body);`)
moves the same way, under the same conditions, where the call names one fn
(not a `dyn` call, not one of several fns of its name) that returns
nothing or std's owned types only (`u64`, `Vec<u8>`, `Option<String>`: a
reference or a type of the crate may borrow from what the closure owns);
elsewhere its note says why not. Loops are only reported.

## Known problems
Bulk data is known by its name, not its size: a hash of a large buffer
named `key` is missed, and one of a small buffer named `data` is reported.
A loop's trip count is known to come from runtime data, not how large it
is. A file is parsed for its loops where its text shows async code and a
loop with no `.await` that holds another loop, a hasher's call or two
arithmetic operations (or it is parsed for another rule): a sync helper
with a heavy loop in a file with no `async` and nothing else a rule looks
for is missed, and so is a loop whose body a brace in a string ends early
to that test. A nested loop counts where it computes (hashing, crypto,
two arithmetic operations, or an accumulator summed in the inner loop): a
nest that only copies or formats is not reported, whatever its size, and
one that sums a few small vectors is. Helper chains follow fns by name: fns of one name in
different modules (`gzip::encode`, `zstd::encode`) are one, the finding
shows the strongest chain and says the name is shared. Receivers are
followed through one `let`; a codec or hasher kept in a field or an enum
is not seen. Only the crate's own code is read: a heavy
loop inside a dependency is found only where its entry point is listed
(SCRAM). Captures whose ownership the tool cannot see leave the finding
display-only.",
    hooks: Hooks {
        call: Some(detect_call),
        method: Some(detect_method),
        call_site: Some(detect_call_site),
        finding: Some(finding),
        may_match: Some(may_match),
        crate_pass: Some(helpers),
        ..Hooks::NONE
    },
    ..Rule::BLANK
};

/// AW205's chains of sync fns, where the strongest thing a chain reaches
/// is CPU-heavy work: `handle → checksum → a loop ..`.
fn helpers(krate: &Crate, out: &mut CratePlan) {
    super::blocking_helper::plan_chains(&CPU_HEAVY, krate, out);
}

/// For the prefilter: a heavy crate's path, a long range in async code, or
/// a loop in an async file that the rule could call heavy (a nest, or
/// hashing or arithmetic with no `.await`: see `prefilter.rs`). Parsing
/// every file with a loop would cost a tenth of the run.
fn may_match(text: &str) -> bool {
    // memchr's searcher, which takes a tenth fewer instructions than str's
    // over the corpus's files for these paths.
    HEAVY_CRATE_PATHS
        .iter()
        .any(|c| memchr::memmem::find(text.as_bytes(), c.as_bytes()).is_some())
        || (text.contains("async") && has_long_range(text))
        || prefilter::may_hold_heavy_loop(text)
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
    "sha2::",
    "sha1::",
    "sha3::",
    "md5::",
    "blake2::",
    "blake3::",
    "crc32fast::",
    "crc::",
    "bcrypt::",
    "argon2::",
    "scrypt::",
    "flate2::",
    "zstd::",
    "brotli::",
    "lz4_flex::",
    "lz4::",
    "snap::",
    "miniz_oxide::",
    "pbkdf2::",
    "image::",
    "ScramSha256",
];

/// A move to the blocking pool: the fact's `spawn_blocking` wrap, applied
/// with `--unsafe-fixes` where it is certain to compile. In test code (a
/// test, an example, a bench) the finding is a note: the work is on a
/// test's fixture, and stalls only that test. A heavy fn the configuration
/// names is the user's own call: its wrap needs no tokio premise.
fn finding(b: &BlockingFact, premise: &Premise) -> Option<Verdict> {
    let what = &b.call.what;
    let verdict = match &b.call.kind {
        BlockingKind::Heavy => {
            let driver = HEAVY_CALLS
                .iter()
                .find(|(c, _)| c == what)
                .map(|(_, d)| format!("`{what}` ({})", d.words()));
            Verdict::report(
                &CPU_HEAVY,
                format!(
                    "{} is CPU-heavy work on the executor thread; run it on the blocking pool",
                    driver.as_deref().unwrap_or(what)
                ),
            )
            .wrap()
        }
        BlockingKind::User { heavy: true, .. } => Verdict::report(
            &CPU_HEAVY,
            format!("`{what}` is CPU-heavy (configuration); run it on the blocking pool"),
        )
        .wrap()
        .users_own(),
        _ => return None,
    };
    if !premise.test_code {
        return Some(verdict);
    }
    // A test's data is a fixture, small unless the test shows its size.
    let by_design = what.contains("key derivation")
        || HEAVY_CALLS
            .iter()
            .any(|(c, d)| c == what && matches!(d, Driver::KeyDerivation));
    match b.size_hint {
        Some(n) => Some(verdict.sized(n).note(TEST_NOTE)),
        None if by_design => Some(verdict.note(TEST_NOTE)),
        None => None,
    }
}

/// Why a finding in test code is a note (heavy work in test code is
/// reported only where it is slow by design, or the test shows a size of
/// 100 000 or more).
pub(crate) const TEST_NOTE: &str =
    "in test code: a note, not a warning (it stalls only the test's own runtime)";

#[cfg(test)]
mod tests {
    use crate::driver::test_support::{check_finding, check_no_finding, TestCrate};

    /// The messages of the AW206 findings of `src` (as `src/main.rs`), with
    /// their severity.
    fn aw206(src: &str) -> Vec<String> {
        TestCrate::main(src)
            .run()
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == "AW206")
            .map(|d| format!("{}: {}", d.severity.as_str(), d.message))
            .collect()
    }

    #[test]
    fn password_hashing_in_async_code_is_reported() {
        check_finding(
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

    #[test]
    fn a_scram_clients_update_derives_its_key_on_the_executor() {
        let found = aw206(
            r#"use postgres_protocol::authentication::sasl::ScramSha256;

async fn authenticate(password: &[u8], first: &[u8]) -> Vec<u8> {
    let mut scram = ScramSha256::new(password, ChannelBinding::unsupported());
    scram.update(first).unwrap();
    scram.message().to_vec()
}
"#,
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("warning: `ScramSha256::update` (key derivation"),
            "{found:?}"
        );
    }

    #[test]
    fn streaming_codecs_are_reported_with_their_cost_driver() {
        let found = aw206(
            r#"use std::io::{Read, Write};

async fn unpack(body: Vec<u8>) -> std::io::Result<u64> {
    let mut dec = zstd::Decoder::new(&*body)?;
    std::io::copy(&mut dec, &mut std::io::sink())
}

async fn inflate(compressed: &[u8]) -> String {
    let mut decoder = flate2::read::GzDecoder::new(compressed);
    let mut out = String::new();
    decoder.read_to_string(&mut out).unwrap();
    out
}

async fn pack(data: &[u8]) -> Vec<u8> {
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 22);
    encoder.write_all(data).unwrap();
    encoder.into_inner()
}
"#,
        );
        assert_eq!(
            found,
            [
                "warning: `std::io::copy` out of a zstd decoder (streaming compression: the input's size) is CPU-heavy work on the executor thread; run it on the blocking pool",
                "warning: `read_to_string` out of a flate2 decoder (streaming compression: the input's size) is CPU-heavy work on the executor thread; run it on the blocking pool",
                "warning: `write_all` of `data` into a brotli encoder (streaming compression: the input's size) is CPU-heavy work on the executor thread; run it on the blocking pool",
            ]
        );
    }

    #[test]
    fn constructors_literals_and_small_hashes_are_no_finding() {
        check_no_finding(
            r#"use sha2::{Digest, Sha256};
use std::io::Write;

async fn f(id: &str, nonce: &[u8]) -> usize {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut small = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    small.write_all(b"hello").unwrap();
    let tag = Sha256::digest(id.as_bytes());
    let mut mac = Sha256::new();
    mac.update(b"Client Key");
    mac.update(nonce);
    drop(encoder);
    tag.len() + mac.finalize().len()
}
"#,
        );
    }

    #[test]
    fn hashes_of_bulk_data_are_reported() {
        let found = aw206(
            r#"use sha2::{Digest, Sha256};

async fn etag(body: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(body);
    hasher.finalize().to_vec()
}

async fn sum(payload: Vec<u8>) -> usize {
    let digest = blake3::hash(&payload);
    digest.as_bytes().len()
}

async fn check(data: &[u8], crc: &crc::Crc<u32>) -> u32 {
    crc.checksum(&data[4..])
}
"#,
        );
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(
            found[0].contains("`sha2::Sha256::update` over `body`"),
            "{found:?}"
        );
        assert!(
            found[1].contains("`blake3::hash` over `payload`"),
            "{found:?}"
        );
        assert!(
            found[2].contains("`crc::Crc::checksum` over `data`"),
            "{found:?}"
        );
    }

    #[test]
    fn loops_over_runtime_data_with_hashing_or_arithmetic_are_reported() {
        // A digest loop in a handler, and a nested loop in a game tick.
        let found = aw206(
            r#"use sha2::{Digest, Sha256};

async fn stretch(seed: Vec<u8>, rounds: u32) -> Vec<u8> {
    let mut d = seed;
    for _ in 0..rounds {
        d = Sha256::digest(&d).to_vec();
    }
    d
}

struct Unit { x: f32, y: f32, hp: f32 }

async fn tick(players: &mut [Unit], enemies: &[Unit]) {
    for p in players.iter_mut() {
        for e in enemies {
            let (dx, dy) = (p.x - e.x, p.y - e.y);
            p.hp -= 1.0 / (dx * dx + dy * dy).sqrt();
        }
    }
}

async fn mix(state: &mut [u64]) {
    let mut i = 0;
    while i < state.len() {
        state[i] = state[i].wrapping_mul(6364136223846793005) ^ (state[i] >> 33);
        i += 1;
    }
}
"#,
        );
        assert_eq!(
            found,
            [
                "warning: a loop with no `.await` doing hashing (trip count: `rounds`) is CPU-heavy work on the executor thread; run it on the blocking pool",
                "warning: a nested loop with no `.await` doing arithmetic (trip count: the length of `players.iter_mut()`) is CPU-heavy work on the executor thread; run it on the blocking pool",
                "warning: a loop with no `.await` doing arithmetic (trip count: `state.len()`) is CPU-heavy work on the executor thread; run it on the blocking pool",
            ]
        );
    }

    #[test]
    fn loops_that_await_run_a_few_times_or_only_count_are_no_finding() {
        let found = aw206(
            r#"use sha2::{Digest, Sha256};

async fn hi(salt: &[u8], rounds: u32) -> Vec<u8> {
    let mut u = salt.to_vec();
    for i in 1..rounds {
        u = Sha256::digest(&u).to_vec();
        if i % 5 == 0 {
            tokio::task::yield_now().await;
        }
    }
    u
}

async fn fixed(key: &mut [u8; 16]) {
    for i in 0..16 {
        key[i] = key[i].wrapping_mul(31) ^ (key[i] >> 3);
    }
}

async fn streamed(mut body: tokio::sync::mpsc::Receiver<Vec<u8>>) -> Vec<u8> {
    let mut hasher = Sha256::new();
    while let Some(chunk) = body.recv().await {
        hasher.update(&chunk);
    }
    hasher.finalize().to_vec()
}

async fn log_all(items: &[String]) -> usize {
    let mut n = 0;
    for item in items {
        n += item.len();
    }
    n
}
"#,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    /// A sync helper of the crate that checksums what async code received.
    const HELPER: &str = r#"fn checksum(data: &[u8]) -> u32 {
    let mut sum: u32 = 0;
    for b in data {
        sum = sum.rotate_left(5) ^ (*b as u32).wrapping_mul(0x9e37_79b9);
    }
    sum
}
"#;

    #[test]
    fn a_sync_helper_that_does_heavy_work_is_followed_from_async_code() {
        let src = format!(
            "{HELPER}\nasync fn receive(stream: Vec<u8>) -> u32 {{\n    let n = checksum(&stream);\n    tokio::task::yield_now().await;\n    n\n}}\n\nfn main() {{}}\n// sha2::\n"
        );
        let found = aw206(&src);
        assert_eq!(
            found,
            ["warning: `checksum` is a sync fn that does CPU-heavy work: receive → checksum → a loop with no `.await` doing arithmetic (trip count: the length of `data`)"]
        );
        // A helper that also blocks is AW205's, not both.
        let blocking = format!(
            "{HELPER}\nfn load() -> u32 {{\n    let data = std::fs::read(\"x\").unwrap_or_default();\n    checksum(&data)\n}}\n\nasync fn handle() -> u32 {{\n    load()\n}}\n\nfn main() {{}}\n"
        );
        TestCrate::main(&blocking).check_message("AW205", "std::fs::read", "AW206");
    }

    #[test]
    fn heavy_work_in_tests_is_a_note_where_the_test_shows_its_size() {
        let found = aw206(
            r#"#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn big() {
        let bytes = zstd::encode_all(&vec![0u8; 18_874_368][..], 3).unwrap();
        let mut dec = zstd::Decoder::new(&*bytes).unwrap();
        std::io::copy(&mut dec, &mut std::io::sink()).unwrap();
    }

    #[tokio::test]
    async fn small() {
        let bytes = zstd::encode_all(&b"hello"[..], 3).unwrap();
        let mut dec = zstd::Decoder::new(&*bytes).unwrap();
        std::io::copy(&mut dec, &mut std::io::sink()).unwrap();
    }

    #[tokio::test]
    async fn password() {
        bcrypt::hash("pw", 12).unwrap();
    }
}

fn main() {}
"#,
        );
        assert_eq!(
            found,
            [
                "note: `zstd::encode_all` (compression of a whole input: its size) is CPU-heavy work on the executor thread; run it on the blocking pool; the test shows a size of 18874368",
                "note: `std::io::copy` out of a zstd decoder (streaming compression: the input's size) is CPU-heavy work on the executor thread; run it on the blocking pool; the test shows a size of 18874368",
                "note: `bcrypt::hash` (key derivation, slow by design: its work factor or iteration count) is CPU-heavy work on the executor thread; run it on the blocking pool",
            ]
        );
    }

    #[test]
    fn the_wrap_moves_a_heavy_let_to_the_blocking_pool() {
        TestCrate::main(
            r#"async fn store(pw: String) -> usize {
    let h = zstd::encode_all(pw.as_bytes(), 3).unwrap();
    h.len()
}

#[tokio::main]
async fn main() {
    println!("{}", store("pw".to_string()).await);
}
"#,
        )
        .unsafe_fixes()
        .check_fix(
            r#"async fn store(pw: String) -> usize {
    let h = tokio::task::spawn_blocking(move || zstd::encode_all(pw.as_bytes(), 3).unwrap())
        .await
        .expect("blocking task panicked");
    h.len()
}

#[tokio::main]
async fn main() {
    println!("{}", store("pw".to_string()).await);
}
"#,
        );
    }

    #[test]
    fn a_file_with_only_a_heavy_loop_is_analysed() {
        // No lock or blocking call names it: its loop lets it through.
        let src = format!(
            "{HELPER}\nasync fn receive(stream: Vec<u8>) -> u32 {{\n    checksum(&stream)\n}}\n\nfn main() {{}}\n"
        );
        assert_eq!(aw206(&src).len(), 1, "{src}");
    }

    #[test]
    fn unsafe_fixes_move_a_heavy_helpers_let_to_the_blocking_pool() {
        let src = format!(
            "{HELPER}\nasync fn receive(stream: Vec<u8>) -> u32 {{\n    let n = checksum(&stream);\n    n\n}}\n\n#[tokio::main]\nasync fn main() {{\n    println!(\"{{}}\", receive(vec![1]).await);\n}}\n"
        );
        let after = src.replace(
            "let n = checksum(&stream);",
            "let n = tokio::task::spawn_blocking(move || checksum(&stream))\n        .await\n        .expect(\"blocking task panicked\");",
        );
        TestCrate::main(&src).unsafe_fixes().check_fix(&after);
        TestCrate::main(&src).check_note(
            "AW206",
            "`--unsafe-fixes` moves it into tokio::task::spawn_blocking",
        );
        // A borrowed capture, or a helper whose value may borrow, stays.
        let borrowed = src
            .replace("stream: Vec<u8>", "stream: &[u8]")
            .replace("receive(vec![1])", "receive(&[1])");
        TestCrate::main(&borrowed).unsafe_fixes().check_note(
            "AW206",
            "(`--unsafe-fixes` does not: a local it uses may be borrowed or not `Send`",
        );
        let returns_borrow = format!(
            "{HELPER}\nfn first(data: &[u8]) -> &u8 {{\n    checksum(data);\n    &data[0]\n}}\n\nasync fn receive(stream: Vec<u8>) -> u8 {{\n    let n = *first(&stream);\n    n\n}}\n\n#[tokio::main]\nasync fn main() {{\n    println!(\"{{}}\", receive(vec![1]).await);\n}}\n"
        );
        TestCrate::main(&returns_borrow).unsafe_fixes().check_note(
            "AW206",
            "(`--unsafe-fixes` does not: its return type `&u8` may borrow from what it is given, or not be `Send`)",
        );
    }
}
