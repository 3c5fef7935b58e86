//! The settings of a run: a crate's configuration, and the options its
//! plan takes ([`PlanOptions`]), with the compiler's corrections to an
//! earlier plan ([`Referee`]). They live apart from the planner, which
//! reads them, so that nothing here needs the planner.
//!
//! The configuration is `awaitify.toml` next to the crate's `Cargo.toml`,
//! or `[package.metadata.awaitify]` in it, or `[workspace.metadata.awaitify]`
//! in the workspace root. Unknown keys and bad values are errors naming the
//! key and the file.
//!
//! ```toml
//! select = ["AW1", "AW201"]              # rules to run: codes, code prefixes, names, "all"
//! ignore = ["AW206"]                     # rules to skip
//! policy = "held-across-await"           # or "async-use" (the default)
//! parking-lot = true                     # also migrate parking_lot locks
//! exclude = ["benches/**"]               # globs, relative to the crate's directory
//! public-api = "migrate"                 # also migrate a library's public locks (default "report")
//! harness-fixtures = ["tests/ui/**"]     # files test harnesses compile (replaces the defaults)
//!
//! [per-file-ignores]                     # rules skipped in the files a glob matches
//! "tests/**" = ["AW201"]
//!
//! [[blocking]]
//! path = "crate::db::query_sync"        # the function, as code names it
//! kind = "wait"                         # "wait" (AW203) or "heavy" (AW206)
//! replacement = "crate::db::query"      # optional async twin: becomes `crate::db::query(..).await`
//! ```

use std::path::Path;

use anyhow::{bail, Context, Result};
use clap::ValueEnum as _;
use ra_ap_syntax::TextRange;
use toml_edit::{DocumentMut, Item, TableLike};

/// Which locks a run migrates (a setting, so that the configuration needs
/// nothing from the planner).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Policy {
    /// Migrate every std lock that is locked inside async code.
    AsyncUse,
    /// Migrate only locks whose guard is held across an `.await`.
    HeldAcrossAwait,
}

/// A user-declared blocking function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserBlocking {
    /// The full path (`crate::db::query_sync`, `other_crate::f`).
    pub path: String,
    pub heavy: bool,
    /// An async function with the same arguments: the call becomes
    /// `replacement(..).await` (a safe fix, on the user's word).
    pub replacement: Option<String>,
}

/// A crate's configuration. `None` means "not set": the command line or the
/// default decides.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub policy: Option<Policy>,
    pub parking_lot: Option<bool>,
    pub exclude: Vec<String>,
    /// Globs (relative to the crate's directory) and the rules skipped in
    /// the files they match.
    pub per_file_ignores: Vec<(String, Vec<String>)>,
    pub blocking: Vec<UserBlocking>,
    /// `public-api = "migrate"`: migrate locks that are public API of a
    /// library (`Some(false)`: "report", the default).
    pub public_api_migrate: Option<bool>,
    /// Globs (relative to the crate's directory) of files a test harness
    /// compiles as expected failures or expected output; `None`: the
    /// defaults, [`DEFAULT_HARNESS_FIXTURES`].
    pub harness_fixtures: Option<Vec<String>>,
}

/// Files that trybuild, ui_test and compiletest-style harnesses compile
/// by convention.
pub const DEFAULT_HARNESS_FIXTURES: &[&str] =
    &["tests/ui/**", "tests/compile-fail/**", "tests/fail/**"];

const KNOWN_KEYS: &str = "select, ignore, policy, parking-lot, exclude, per-file-ignores, blocking, public-api, harness-fixtures";

impl Config {
    /// The configuration of the crate whose manifest is `manifest`.
    pub fn for_manifest(manifest: &Path) -> Result<Config> {
        let dir = manifest.parent().unwrap_or(Path::new("."));
        let own = dir.join("awaitify.toml");
        if own.is_file() {
            let text = std::fs::read_to_string(&own)
                .with_context(|| format!("{}: cannot read", own.display()))?;
            let doc: DocumentMut = text
                .parse()
                .with_context(|| format!("{}: invalid TOML", own.display()))?;
            return parse(doc.as_table(), &own, "");
        }
        let text = std::fs::read_to_string(manifest)
            .with_context(|| format!("{}: cannot read", manifest.display()))?;
        let doc: DocumentMut = text
            .parse()
            .with_context(|| format!("{}: invalid TOML", manifest.display()))?;
        if let Some(table) = doc
            .get("package")
            .and_then(|i| i.get("metadata"))
            .and_then(|i| i.get("awaitify"))
            .and_then(Item::as_table_like)
        {
            return parse(table, manifest, "package.metadata.awaitify.");
        }
        if let Some((root, doc)) = dir
            .parent()
            .and_then(crate::edits::manifest::workspace_root)
        {
            if let Some(table) = doc
                .get("workspace")
                .and_then(|i| i.get("metadata"))
                .and_then(|i| i.get("awaitify"))
                .and_then(Item::as_table_like)
            {
                return parse(table, &root, "workspace.metadata.awaitify.");
            }
        }
        Ok(Config::default())
    }
}

fn parse(table: &dyn TableLike, file: &Path, prefix: &str) -> Result<Config> {
    let mut config = Config::default();
    let read = Reader { file, prefix };
    for (key, item) in table.iter() {
        match key {
            "select" => config.select = Some(read.rules(key, item)?),
            "ignore" => config.ignore = Some(read.rules(key, item)?),
            "exclude" => config.exclude = read.globs(key, item)?,
            "per-file-ignores" => config.per_file_ignores = read.per_file_ignores(item)?,
            "policy" => config.policy = Some(read.policy(item)?),
            "public-api" | "public_api" => {
                config.public_api_migrate = Some(read.public_api(key, item)?)
            }
            "harness-fixtures" | "harness_fixtures" => {
                config.harness_fixtures = Some(read.globs(key, item)?)
            }
            "parking-lot" | "parking_lot" => match item.as_bool() {
                Some(b) => config.parking_lot = Some(b),
                None => bail!("{}: `{prefix}{key}` must be true or false", file.display()),
            },
            "blocking" => config.blocking = read.blocking(item)?,
            other => bail!(
                "{}: unknown key `{prefix}{other}` (known: {KNOWN_KEYS})",
                file.display()
            ),
        }
    }
    Ok(config)
}

/// Reads the values of one configuration table; every error names the
/// file and the key, with the table's prefix.
struct Reader<'a> {
    file: &'a Path,
    prefix: &'a str,
}

impl Reader<'_> {
    fn strings(&self, key: &str, item: &Item) -> Result<Vec<String>> {
        let items = item.as_array().map(|a| {
            a.iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
        });
        match items {
            Some(Some(v)) => Ok(v),
            _ => bail!(
                "{}: `{}{key}` must be an array of strings",
                self.file.display(),
                self.prefix
            ),
        }
    }

    /// Rule selectors: codes, code prefixes, names, "all".
    fn rules(&self, key: &str, item: &Item) -> Result<Vec<String>> {
        let v = self.strings(key, item)?;
        for s in &v {
            if let Err(e) = crate::rules_meta::check_selector(s) {
                bail!("{}: `{}{key}`: {e}", self.file.display(), self.prefix);
            }
        }
        Ok(v)
    }

    fn globs(&self, key: &str, item: &Item) -> Result<Vec<String>> {
        let globs = self.strings(key, item)?;
        for g in &globs {
            if let Err(e) = globset::Glob::new(g) {
                bail!("{}: `{}{key}`: {e}", self.file.display(), self.prefix);
            }
        }
        Ok(globs)
    }

    fn per_file_ignores(&self, item: &Item) -> Result<Vec<(String, Vec<String>)>> {
        let (file, prefix) = (self.file.display(), self.prefix);
        let Some(entries) = item.as_table_like() else {
            bail!("{file}: `{prefix}per-file-ignores` must be a table of globs and rule lists");
        };
        let mut ignores = Vec::new();
        for (glob, rules_item) in entries.iter() {
            if let Err(e) = globset::Glob::new(glob) {
                bail!("{file}: `{prefix}per-file-ignores`: {e}");
            }
            let key = format!("per-file-ignores.\"{glob}\"");
            ignores.push((glob.to_string(), self.rules(&key, rules_item)?));
        }
        Ok(ignores)
    }

    fn policy(&self, item: &Item) -> Result<Policy> {
        let value = item.as_str().unwrap_or_default();
        Policy::from_str(value, false).map_err(|_| {
            anyhow::anyhow!(
                "{}: `{}policy` is `{}`; use \"async-use\" or \"held-across-await\"",
                self.file.display(),
                self.prefix,
                item.to_string().trim()
            )
        })
    }

    /// `public-api`: is it "migrate" (or "report")?
    fn public_api(&self, key: &str, item: &Item) -> Result<bool> {
        match item.as_str() {
            Some("report") => Ok(false),
            Some("migrate") => Ok(true),
            _ => bail!(
                "{}: `{}{key}` is `{}`; use \"report\" or \"migrate\"",
                self.file.display(),
                self.prefix,
                item.to_string().trim()
            ),
        }
    }

    fn blocking(&self, item: &Item) -> Result<Vec<UserBlocking>> {
        let Some(entries) = item.as_array_of_tables() else {
            bail!(
                "{}: `{}blocking` must be an array of tables ([[blocking]])",
                self.file.display(),
                self.prefix
            );
        };
        let parse = |entry| parse_blocking(entry, self.file, self.prefix);
        entries.iter().map(parse).collect()
    }
}

fn parse_blocking(entry: &toml_edit::Table, file: &Path, prefix: &str) -> Result<UserBlocking> {
    let string = |key: &str| -> Result<Option<String>> {
        match entry.get(key) {
            None => Ok(None),
            Some(Item::Value(v)) if v.as_str().is_some() => Ok(v.as_str().map(str::to_string)),
            Some(_) => bail!(
                "{}: `{prefix}blocking.{key}` must be a string",
                file.display()
            ),
        }
    };
    for (key, _) in entry.iter() {
        if !matches!(key, "path" | "kind" | "replacement") {
            bail!(
                "{}: unknown key `{prefix}blocking.{key}` (known: path, kind, replacement)",
                file.display()
            );
        }
    }
    let Some(path) = string("path")? else {
        bail!(
            "{}: a `{prefix}blocking` entry needs `path`",
            file.display()
        );
    };
    let heavy = match string("kind")?.as_deref() {
        None | Some("wait") => false,
        Some("heavy") => true,
        Some(other) => bail!(
            "{}: `{prefix}blocking.kind` is `{other}`; use \"wait\" or \"heavy\"",
            file.display()
        ),
    };
    Ok(UserBlocking {
        path,
        heavy,
        replacement: string("replacement")?,
    })
}

/// A lock that is public API of a library: migrating it changes its type
/// for every crate that names it, which no check inside the crate can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublicApi {
    /// Reported (AW102), left as it is: the default.
    Report,
    /// Migrated as an unsafe fix (`--unsafe-fixes`).
    MigrateUnsafe,
    /// Migrated, on the configuration's word (`public-api = "migrate"`).
    Migrate,
}

/// What a crate's plan (`plan::plan`) takes: the command line and the
/// configuration merged, and what the compiler showed so far.
#[derive(Clone, Debug)]
pub struct PlanOptions {
    pub policy: Policy,
    pub parking_lot: bool,
    /// Apply fixes that may change behaviour (`tokio::process`).
    pub unsafe_fixes: bool,
    /// What to do with locks that are public API of a library.
    pub public_api: PublicApi,
    /// Rules selected and ignored; a finding of a rule that is off is neither
    /// reported nor fixed.
    pub rules: crate::rules_meta::RuleFilter,
    /// How the crate's manifest declares tokio; `None` without a manifest.
    pub tokio: Option<crate::edits::manifest::TokioUse>,
    /// What the compiler showed about an earlier plan of the crate.
    pub referee: Referee,
}

/// The compiler's corrections to a plan (see `verify`): declarations to join
/// into one lock group, places the analysis missed that complete a lock's
/// migration, and fixes to withdraw. Places are ranges in the unchanged
/// files, which stay the same from one plan of a crate to the next.
#[derive(Clone, Debug, Default)]
pub struct Referee {
    /// Pairs of declarations that hold the same lock.
    pub joined: Vec<(Loc, Loc)>,
    /// What a lock's migration also changes, as the compiler showed.
    pub completed: Vec<Completion>,
    /// A lock group with a declaration here, or a blocking call here, is not
    /// fixed, for this reason.
    pub withdrawn: Vec<(Loc, String)>,
}

impl Referee {
    /// Why the fix at `at` is withdrawn, if it is.
    pub fn withdrawn(&self, at: &Loc) -> Option<&str> {
        let found = self.withdrawn.iter().find(|(l, _)| l == at);
        found.map(|(_, reason)| reason.as_str())
    }
}

/// A place the compiler showed that a lock's migration must also change,
/// and how; made only where the lock migrates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    /// A declaration of the lock.
    pub lock: Loc,
    pub change: CompletionChange,
    /// The error that showed it: `error[E0599] at src/main.rs:20:39`.
    pub cite: String,
}

/// How a [`Completion`] changes its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompletionChange {
    /// A lock site (its method's name) whose receiver the analysis could
    /// not tie to the lock: rewritten as the lock's own sites are (awaited
    /// in async code, `blocking_*` off the runtime, else the lock is manual).
    Site(Loc),
    /// A replacement: `&guard` reborrowed as `&*guard`, a std constructor
    /// handed to a migrated parameter made tokio's.
    Edit { at: Loc, text: String },
}

/// A place in a file of the crate: the index of the file among the crate's
/// files, and a range in its unchanged text. It is defined here, not in
/// `locks` which speaks in it throughout, because the referee's corrections
/// are given in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loc {
    pub file: usize,
    pub range: TextRange,
}

impl Ord for Loc {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.file, self.range.start(), self.range.end()).cmp(&(
            other.file,
            other.range.start(),
            other.range.end(),
        ))
    }
}

impl PartialOrd for Loc {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Config> {
        let doc: DocumentMut = text.parse().unwrap();
        parse(doc.as_table(), Path::new("awaitify.toml"), "")
    }

    #[test]
    fn blocking_entries_parse() {
        let c = parse_str("[[blocking]]\npath = \"crate::db::q\"\nreplacement = \"crate::db::q_async\"\n[[blocking]]\npath = \"x::h\"\nkind = \"heavy\"\n").unwrap();
        assert_eq!(c.blocking.len(), 2);
        assert_eq!(
            c.blocking[0].replacement.as_deref(),
            Some("crate::db::q_async")
        );
        assert!(c.blocking[1].heavy);
    }

    #[test]
    fn run_settings_parse() {
        let c = parse_str("select = [\"AW1\", \"blocking-sleep\"]\nignore = [\"AW104\"]\npolicy = \"held-across-await\"\nparking-lot = true\nexclude = [\"benches/**\"]\n").unwrap();
        assert_eq!(c.select.unwrap(), ["AW1", "blocking-sleep"]);
        assert_eq!(c.ignore.unwrap(), ["AW104"]);
        assert_eq!(c.policy, Some(Policy::HeldAcrossAwait));
        assert_eq!(c.parking_lot, Some(true));
        assert_eq!(c.exclude, ["benches/**"]);
        assert_eq!(c.public_api_migrate, None);
        assert_eq!(c.harness_fixtures, None);
        let c = parse_str("public-api = \"migrate\"\nharness-fixtures = [\"tests/trybuild/**\"]\n")
            .unwrap();
        assert_eq!(c.public_api_migrate, Some(true));
        assert_eq!(c.harness_fixtures.unwrap(), ["tests/trybuild/**"]);
        let c = parse_str("public-api = \"report\"\n").unwrap();
        assert_eq!(c.public_api_migrate, Some(false));
        let c = parse_str("[per-file-ignores]\n\"tests/**\" = [\"AW201\", \"AW1\"]\n").unwrap();
        assert_eq!(
            c.per_file_ignores,
            [(
                "tests/**".to_string(),
                vec!["AW201".to_string(), "AW1".to_string()]
            )]
        );
        let e = parse_str("[per-file-ignores]\n\"x\" = [\"AW9\"]\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("`per-file-ignores.\"x\"`: `AW9` names no rule"),
            "{e}"
        );
    }

    #[test]
    fn unknown_keys_and_bad_values_name_key_and_file() {
        let e = parse_str("polcy = \"x\"\n").unwrap_err().to_string();
        assert_eq!(
            e,
            "awaitify.toml: unknown key `polcy` (known: select, ignore, policy, parking-lot, exclude, per-file-ignores, blocking, public-api, harness-fixtures)"
        );
        for (text, message) in [
            ("policy = \"always\"\n", "`policy` is `\"always\"`"),
            ("select = [\"AW9\"]\n", "`select`: `AW9` names no rule"),
            (
                "ignore = \"AW101\"\n",
                "`ignore` must be an array of strings",
            ),
            (
                "parking-lot = \"yes\"\n",
                "`parking-lot` must be true or false",
            ),
            ("exclude = [\"a/[\"]\n", "`exclude`"),
            (
                "public-api = \"break\"\n",
                "`public-api` is `\"break\"`; use \"report\" or \"migrate\"",
            ),
            ("harness-fixtures = [\"a/[\"]\n", "`harness-fixtures`"),
            (
                "[[blocking]]\npath = \"f\"\nknd = \"wait\"\n",
                "unknown key `blocking.knd`",
            ),
            (
                "[[blocking]]\npath = \"f\"\nkind = \"slow\"\n",
                "`blocking.kind` is `slow`",
            ),
            (
                "blocking = \"f\"\n",
                "`blocking` must be an array of tables ([[blocking]])",
            ),
            (
                "per-file-ignores = [\"AW101\"]\n",
                "`per-file-ignores` must be a table of globs and rule lists",
            ),
            ("[per-file-ignores]\n\"a/[\" = []\n", "`per-file-ignores`: "),
        ] {
            let e = parse_str(text).unwrap_err().to_string();
            assert!(e.contains(message), "{text:?}: {e}");
        }
        let doc: DocumentMut = "policy = \"x\"\n".parse().unwrap();
        let e = parse(
            doc.as_table(),
            Path::new("Cargo.toml"),
            "package.metadata.awaitify.",
        );
        let e = e.unwrap_err().to_string();
        assert!(
            e.starts_with("Cargo.toml: `package.metadata.awaitify.policy` is `\"x\"`"),
            "{e}"
        );
    }
}
