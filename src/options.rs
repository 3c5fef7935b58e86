//! What a run is asked to do: the paths, the settings given on the command
//! line (which win over each crate's configuration), and how its output
//! names files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ra_ap_syntax::Edition;

use crate::paths::{self, absolute};
use crate::settings::{self, Config, PlanOptions, Policy};

#[derive(Clone, Debug)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub exclude: Vec<String>,
    /// Settings given on the command line: they win over each crate's
    /// configuration.
    pub policy: Option<Policy>,
    pub parking_lot: Option<bool>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub unsafe_fixes: bool,
    /// Paths in output are shown relative to this directory (absolute).
    pub display_root: PathBuf,
    /// Each absolute path of `paths` and how the user spelled it: a file
    /// outside `display_root` is shown as spelled (set by `driver::run`).
    pub spelled: Vec<(PathBuf, PathBuf)>,
    /// Edition for files that no `Cargo.toml` owns.
    pub default_edition: Edition,
    /// Only files owned by these manifests (packages picked through `cargo
    /// metadata`); `None`: every file.
    pub packages: Option<BTreeSet<PathBuf>>,
    /// Advanced once per file read.
    pub progress: Option<indicatif::ProgressBar>,
    /// Keep the text of files with findings (`Outcome::sources`), for
    /// rendering snippets.
    pub keep_sources: bool,
    /// Findings recorded in this baseline are left alone, like suppressed
    /// ones (`--baseline`).
    pub baseline: Option<crate::baseline::Baseline>,
    /// Read the other files of a crate the paths cover only in part (off
    /// for `awaitify test`, whose cases stand alone).
    pub whole_crates: bool,
    /// Worker threads for reading and parsing; `None`: one per core.
    pub threads: Option<usize>,
    /// The run may write (`--write`): it locks each crate's directory, and
    /// rolls back what an interrupted `--write` left, before reading.
    pub write: bool,
    /// Keep what the compiler's referee needs to plan a crate again (the
    /// files' texts): only a run that verifies pays for it.
    pub replan: bool,
    /// Counts the run's analyses alive, for tests (`None`: not counted).
    pub probe: Option<std::sync::Arc<crate::model::Probe>>,
}

impl Options {
    /// A dry run over `paths` with every setting at its default.
    pub fn new(paths: Vec<PathBuf>) -> Options {
        Options {
            paths,
            exclude: Vec::new(),
            policy: None,
            parking_lot: None,
            select: None,
            ignore: None,
            unsafe_fixes: false,
            display_root: std::env::current_dir().unwrap_or_default(),
            spelled: Vec::new(),
            default_edition: Edition::Edition2021,
            packages: None,
            progress: None,
            keep_sources: false,
            baseline: None,
            whole_crates: true,
            threads: None,
            write: false,
            replan: false,
            probe: None,
        }
    }

    /// The same options with every path absolute, so that nothing depends on
    /// the current directory: the owning `Cargo.toml`, the workspace root and
    /// the configuration are found by walking up from each file.
    pub(crate) fn resolved(&self) -> Options {
        let mut opts = self.clone();
        opts.spelled = self
            .paths
            .iter()
            .map(|p| (absolute(p), p.clone()))
            .collect();
        opts.paths = opts.spelled.iter().map(|(abs, _)| abs.clone()).collect();
        opts
    }

    /// How a path is shown: relative to `display_root` when it is under it,
    /// else as the user spelled the path given that holds it.
    pub(crate) fn display(&self, path: &Path) -> String {
        paths::display(path, &self.display_root, &self.spelled)
    }

    /// How the crate configured by `config` is planned.
    pub(crate) fn plan_options(&self, config: &Config) -> PlanOptions {
        PlanOptions {
            policy: self.policy.or(config.policy).unwrap_or(Policy::AsyncUse),
            parking_lot: self.parking_lot.or(config.parking_lot).unwrap_or(false),
            unsafe_fixes: self.unsafe_fixes,
            tokio: None,
            referee: settings::Referee::default(),
            // The configuration's word, else `--unsafe-fixes`.
            public_api: match (config.public_api_migrate, self.unsafe_fixes) {
                (Some(true), _) => settings::PublicApi::Migrate,
                (_, true) => settings::PublicApi::MigrateUnsafe,
                _ => settings::PublicApi::Report,
            },
            // As in ruff: `--select` replaces the configuration's selection
            // (its `select` and `ignore`); `--ignore` adds to its `ignore`.
            rules: match &self.select {
                Some(select) => crate::rules_meta::RuleFilter {
                    select: select.clone(),
                    ignore: self.ignore.clone().unwrap_or_default(),
                },
                None => crate::rules_meta::RuleFilter {
                    select: config.select.clone().unwrap_or_default(),
                    ignore: config
                        .ignore
                        .iter()
                        .chain(&self.ignore)
                        .flatten()
                        .cloned()
                        .collect(),
                },
            },
        }
    }
}
