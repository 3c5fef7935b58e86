//! Per-crate configuration: `awaitify.toml` next to the crate's `Cargo.toml`,
//! or `[package.metadata.awaitify]` in it, or `[workspace.metadata.awaitify]`
//! in the workspace root. Unknown keys and bad values are errors naming the
//! key and the file.
//!
//! ```toml
//! [[blocking]]
//! path = "crate::db::query_sync"        # the function, as code names it
//! kind = "wait"                         # "wait" (AW203) or "heavy" (AW206)
//! replacement = "crate::db::query"      # optional async twin: becomes `crate::db::query(..).await`
//! ```

use std::path::Path;

use anyhow::{bail, Context, Result};
use toml_edit::{DocumentMut, Item, TableLike};

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

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub blocking: Vec<UserBlocking>,
}

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
        if let Some((root, doc)) = dir.parent().and_then(crate::manifest::workspace_root) {
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
    for (key, item) in table.iter() {
        match key {
            "blocking" => {
                let Some(entries) = item.as_array_of_tables() else {
                    bail!(
                        "{}: `{prefix}blocking` must be an array of tables ([[blocking]])",
                        file.display()
                    );
                };
                for entry in entries.iter() {
                    config.blocking.push(parse_blocking(entry, file, prefix)?);
                }
            }
            other => bail!(
                "{}: unknown key `{prefix}{other}` (known: blocking)",
                file.display()
            ),
        }
    }
    Ok(config)
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
    fn unknown_keys_and_bad_values_name_key_and_file() {
        let e = parse_str("polcy = \"x\"\n").unwrap_err().to_string();
        assert_eq!(e, "awaitify.toml: unknown key `polcy` (known: blocking)");
        let e = parse_str("[[blocking]]\npath = \"f\"\nknd = \"wait\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key `blocking.knd`"), "{e}");
        let e = parse_str("[[blocking]]\npath = \"f\"\nkind = \"slow\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`blocking.kind` is `slow`"), "{e}");
    }
}
