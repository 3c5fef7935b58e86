//! AW206's known heavy calls and what drives their cost: slow-by-design
//! key derivation, whole-buffer codecs and image decoding by path, streaming
//! codecs and hashers by their receiver, one-shot digests by their data.

use ra_ap_syntax::{
    ast::{self, HasArgList},
    AstNode, SyntaxNode,
};

use crate::blocking::heavy_loops::awaits_in_macro;
use crate::blocking::{BlockingKind, CallSite, MethodCall};

/// What makes a known call cost what it costs.
#[derive(Clone, Copy)]
pub(super) enum Driver {
    /// Slow by design: a work factor or an iteration count.
    KeyDerivation,
    /// Compression or decompression of the whole input at once.
    Codec,
    /// Image decoding: the image's size.
    Image,
}

impl Driver {
    pub(super) fn words(self) -> &'static str {
        match self {
            Driver::KeyDerivation => {
                "key derivation, slow by design: its work factor or iteration count"
            }
            Driver::Codec => "compression of a whole input: its size",
            Driver::Image => "image decoding: the image's size",
        }
    }
}

/// Calls that are CPU-heavy by what they do, whatever their input: password
/// hashing and key derivation (slow by design), whole-buffer compression,
/// image decoding. Constructors (`GzEncoder::new`) are not listed: the
/// streaming codecs and hashers cost what is fed to them (see
/// `detect_method` and `detect_call_site`).
pub(super) const HEAVY_CALLS: &[(&str, Driver)] = &[
    ("bcrypt::hash", Driver::KeyDerivation),
    ("bcrypt::hash_with_result", Driver::KeyDerivation),
    ("bcrypt::hash_with_salt", Driver::KeyDerivation),
    ("bcrypt::verify", Driver::KeyDerivation),
    ("scrypt::scrypt", Driver::KeyDerivation),
    ("pbkdf2::pbkdf2", Driver::KeyDerivation),
    ("pbkdf2::pbkdf2_hmac", Driver::KeyDerivation),
    ("pbkdf2::pbkdf2_hmac_array", Driver::KeyDerivation),
    ("ring::pbkdf2::derive", Driver::KeyDerivation),
    ("ring::pbkdf2::verify", Driver::KeyDerivation),
    ("argon2::hash_encoded", Driver::KeyDerivation),
    ("argon2::verify_encoded", Driver::KeyDerivation),
    ("zstd::encode_all", Driver::Codec),
    ("zstd::decode_all", Driver::Codec),
    ("zstd::stream::encode_all", Driver::Codec),
    ("zstd::stream::decode_all", Driver::Codec),
    ("zstd::bulk::compress", Driver::Codec),
    ("zstd::bulk::decompress", Driver::Codec),
    ("brotli::BrotliCompress", Driver::Codec),
    ("brotli::BrotliDecompress", Driver::Codec),
    ("lz4_flex::compress", Driver::Codec),
    ("lz4_flex::decompress", Driver::Codec),
    ("lz4_flex::compress_prepend_size", Driver::Codec),
    ("lz4_flex::decompress_size_prepended", Driver::Codec),
    ("lz4::block::compress", Driver::Codec),
    ("lz4::block::decompress", Driver::Codec),
    ("miniz_oxide::deflate::compress_to_vec", Driver::Codec),
    ("miniz_oxide::inflate::decompress_to_vec", Driver::Codec),
    ("image::open", Driver::Image),
    ("image::load", Driver::Image),
    ("image::load_from_memory", Driver::Image),
    ("image::load_from_memory_with_format", Driver::Image),
];

/// Key-derivation methods, by the constructor of their receiver: argon2's
/// password hashing (`Argon2::default().hash_password(..)`), and the SCRAM
/// client's `update`, which runs PBKDF2 over the server's iteration count
/// (4096 rounds by default) as it reads the server's first message.
const HEAVY_METHODS: &[(&str, &str)] = &[
    ("argon2::", "hash_password"),
    ("argon2::", "verify_password"),
    ("argon2::", "hash_password_into"),
    (
        "postgres_protocol::authentication::sasl::ScramSha256::",
        "update",
    ),
];

/// Crates whose `Encoder`, `Decoder`, `Compressor` and `Decompressor` types
/// (`flate2::read::GzDecoder`, `zstd::stream::write::Encoder`,
/// `brotli::CompressorWriter`) compress or decompress what is read through
/// them or written into them.
const CODEC_CRATES: &[&str] = &["flate2", "zstd", "brotli", "lz4", "lz4_flex", "snap"];

/// Crates whose hashers (`Sha256::new()`, `crc32fast::Hasher::new()`) and
/// one-shot digests (`Sha256::digest`, `blake3::hash`) cost what they hash.
const HASH_CRATES: &[&str] = &[
    "sha2",
    "sha1",
    "sha3",
    "md5",
    "md-5",
    "blake2",
    "blake3",
    "crc32fast",
    "hmac",
];

/// The crate a resolved path is in, and its last two segments.
fn split(path: &str) -> Option<(&str, &str, &str)> {
    let mut segs = path.rsplit("::");
    let last = segs.next()?;
    let ty = segs.next()?;
    let krate = path.split("::").next()?;
    Some((krate, ty, last))
}

/// A streaming codec a constructor builds: `zstd decoder`.
fn codec(ctor: &str) -> Option<String> {
    let (krate, ty, _) = split(ctor)?;
    if !CODEC_CRATES.contains(&krate) {
        return None;
    }
    let dir = ["Decoder", "Decompressor", "Decompress", "Decoding"]
        .iter()
        .any(|w| ty.contains(w))
        .then_some("decoder")
        .or_else(|| {
            ["Encoder", "Compressor", "Compress"]
                .iter()
                .any(|w| ty.contains(w))
                .then_some("encoder")
        })?;
    Some(format!("{krate} {dir}"))
}

/// A hasher a constructor builds: `sha2::Sha256`.
fn hasher(ctor: &str) -> Option<String> {
    let (krate, ty, last) = split(ctor)?;
    let ctor_name = matches!(last, "new" | "default" | "new_from_slice" | "new_keyed")
        || last.starts_with("new_with");
    (HASH_CRATES.contains(&krate) && ctor_name).then(|| format!("{krate}::{ty}"))
}

/// The value an argument hands over, seen through `&`, `*`, `[..]` and
/// views (`.as_ref()`, `.as_bytes()`): its name (a local, a parameter, a
/// field), or `None` where its size is known small or fixed: a literal, a
/// constant, a macro's (`format!`, `b"..."`), a call's value.
fn runtime_data(e: &ast::Expr) -> Option<String> {
    let mut e = e.clone();
    loop {
        e = match &e {
            ast::Expr::RefExpr(r) => r.expr()?,
            ast::Expr::ParenExpr(p) => p.expr()?,
            ast::Expr::PrefixExpr(p) => p.expr()?,
            ast::Expr::IndexExpr(i) => i.base()?,
            ast::Expr::MethodCallExpr(m)
                if m.name_ref().is_some_and(|n| {
                    matches!(
                        n.text(),
                        "as_ref" | "as_slice" | "as_bytes" | "borrow" | "deref" | "chunk"
                    )
                }) =>
            {
                m.receiver()?
            }
            ast::Expr::PathExpr(p) => {
                let name = p.path()?.as_single_name_ref()?.text().to_string();
                let constant = name.chars().all(|c| !c.is_ascii_lowercase());
                return (!constant).then_some(name);
            }
            ast::Expr::FieldExpr(f) => return Some(f.name_ref()?.text().to_string()),
            _ => return None,
        };
    }
}

/// Is the call inside a loop that awaits (`while let Some(chunk) =
/// body.next().await { hasher.update(&chunk) }`)? Then each call does a
/// piece of the work between yields, as a stream delivers it.
fn in_awaiting_loop(call: &SyntaxNode) -> bool {
    use ra_ap_syntax::SyntaxKind::{AWAIT_EXPR, CLOSURE_EXPR, FN, FOR_EXPR, LOOP_EXPR, WHILE_EXPR};
    call.ancestors()
        .take_while(|a| !matches!(a.kind(), FN | CLOSURE_EXPR))
        .filter(|a| matches!(a.kind(), FOR_EXPR | LOOP_EXPR | WHILE_EXPR))
        .any(|l| l.descendants().any(|d| d.kind() == AWAIT_EXPR) || awaits_in_macro(&l))
}

/// Is the data named as bulk data (a body, a buffer, a file's contents)?
/// A one-shot hash of such data costs its size; a hash of an id, a key or
/// a nonce costs next to nothing, and is not reported.
fn bulk(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "body",
        "buf",
        "data",
        "bytes",
        "payload",
        "content",
        "file",
        "blob",
        "chunk",
        "input",
        "image",
        "archive",
        "compressed",
    ]
    .iter()
    .any(|w| name.contains(w))
}

pub(super) fn detect_call(path: &str) -> Option<BlockingKind> {
    HEAVY_CALLS
        .iter()
        .any(|(c, _)| *c == path)
        .then_some(BlockingKind::Heavy)
}

/// Calls heavy by their arguments: `std::io::copy` out of a decoder or
/// into an encoder, and a one-shot digest of bulk data
/// (`Sha256::digest(&body)`, `crc32fast::hash(&buf)`).
pub(super) fn detect_call_site(c: &CallSite) -> Option<(BlockingKind, String)> {
    if c.path == "std::io::copy" {
        let from = c
            .arg(0)
            .and_then(|a| c.built_by(&a))
            .and_then(|f| codec(&f));
        let into = c
            .arg(1)
            .and_then(|a| c.built_by(&a))
            .and_then(|f| codec(&f));
        let what = match (from, into) {
            (Some(from), _) => {
                format!("`std::io::copy` out of a {from} (streaming compression: the input's size)")
            }
            (None, Some(into)) => {
                format!("`std::io::copy` into a {into} (streaming compression: the input's size)")
            }
            _ => return None,
        };
        return Some((BlockingKind::Heavy, what));
    }
    let (krate, _, last) = split(c.path)?;
    let digest = HASH_CRATES.contains(&krate)
        && matches!(last, "digest" | "hash" | "compute" | "checksum")
        && !in_awaiting_loop(c.call.syntax());
    let data = c
        .arg(0)
        .as_ref()
        .and_then(runtime_data)
        .filter(|d| bulk(d))?;
    digest.then(|| {
        (
            BlockingKind::Heavy,
            format!("`{}` over `{data}` (hashing: the input's size)", c.path),
        )
    })
}

/// Methods heavy by their receiver: key derivation (argon2, SCRAM); a
/// streaming codec driven by `write_all`, `read_to_end` or
/// `read_to_string`; a hasher's `update` with bulk data.
pub(super) fn detect_method(m: &MethodCall) -> Option<(BlockingKind, String)> {
    if !matches!(
        m.name,
        "hash_password"
            | "verify_password"
            | "hash_password_into"
            | "update"
            | "chain_update"
            | "write_all"
            | "read_to_end"
            | "read_to_string"
            | "checksum"
    ) {
        return None;
    }
    let arg = || m.call.arg_list()?.args().next();
    // A hash or a codec fed piece by piece in a loop that awaits between
    // pieces yields as the work goes on.
    if matches!(m.name, "checksum" | "update" | "chain_update" | "write_all")
        && in_awaiting_loop(m.call.syntax())
    {
        return None;
    }
    // `crc.checksum(&data)`, on a `crc::Crc` however it came (often a
    // parameter: `crc: &Crc<u32>`).
    if m.name == "checksum" {
        // (A type path written from the crate's root resolves as the
        // crate's: `crate::crc::Crc`.)
        let crc = m.receiver_is("crc::Crc")
            || m.receiver_is("crate::crc::Crc")
            || m.recv_built_by()
                .is_some_and(|c| c.starts_with("crc::Crc::"));
        let data = arg().as_ref().and_then(runtime_data).filter(|d| bulk(d))?;
        return crc.then(|| {
            (
                BlockingKind::Heavy,
                format!("`crc::Crc::checksum` over `{data}` (hashing: the input's size)"),
            )
        });
    }
    let ctor = m.recv_built_by()?;
    if let Some((_, name)) = HEAVY_METHODS
        .iter()
        .find(|(c, n)| *n == m.name && ctor.starts_with(c))
    {
        let ty = split(&ctor).map_or("", |(_, ty, _)| ty);
        return Some((
            BlockingKind::Heavy,
            format!("`{ty}::{name}` (key derivation, slow by design: its iteration count)"),
        ));
    }
    match m.name {
        "write_all" => {
            let codec = codec(&ctor)?;
            let data = arg().as_ref().and_then(runtime_data)?;
            Some((
                BlockingKind::Heavy,
                format!("`write_all` of `{data}` into a {codec} (streaming compression: the input's size)"),
            ))
        }
        "read_to_end" | "read_to_string" => {
            let codec = codec(&ctor)?;
            Some((
                BlockingKind::Heavy,
                format!(
                    "`{}` out of a {codec} (streaming compression: the input's size)",
                    m.name
                ),
            ))
        }
        "update" | "chain_update" => {
            let hasher = hasher(&ctor)?;
            let data = arg().as_ref().and_then(runtime_data).filter(|d| bulk(d))?;
            Some((
                BlockingKind::Heavy,
                format!(
                    "`{hasher}::{}` over `{data}` (hashing: the input's size)",
                    m.name
                ),
            ))
        }
        _ => None,
    }
}
