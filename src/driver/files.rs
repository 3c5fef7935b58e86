//! Reading and analysing files: one file read and analysed as deeply as a
//! step asks (`load`), and the state of every walked file (`Files`): its
//! analysis, whether it failed, and the crates a failure keeps from being
//! written.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use ra_ap_syntax::{Edition, TextRange};
use rayon::prelude::*;

#[cfg(debug_assertions)]
use super::fault;
use super::panics::catch;
use crate::edits::edit::line_col;
use crate::facts::{self, FileFacts};
use crate::imports::ReExports;
use crate::locks;
use crate::model::{Analysed, Counted, SourceText};
use crate::options::Options;
use crate::settings::PlanOptions;
use crate::walk::{self, CrateInfo, Input};

fn read_source(path: &Path, display: String, edition: Edition) -> Result<SourceText, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{display}: cannot read: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        format!(
            "{display}: not valid UTF-8 (byte {}); file skipped",
            e.utf8_error().valid_up_to()
        )
    })?;
    let (text, bom) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest.to_string(), true),
        None => (text, false),
    };
    Ok(SourceText {
        path: path.to_path_buf(),
        display,
        text,
        bom,
        edition,
    })
}

fn analyse(
    src: SourceText,
    file_id: usize,
    flow_names: Option<&HashSet<String>>,
    full: bool,
    krate: &CrateInfo,
    known: Known,
) -> Result<Analysed, Failure> {
    let depth = crate::depth::nesting(&src.text);
    if depth > crate::depth::MAX_DEPTH {
        return Err(Failure::Crate(format!(
            "{}: nested too deeply to analyse (about {depth} levels of brackets and operators; the limit is {}); its crate is not written",
            src.display,
            crate::depth::MAX_DEPTH
        )));
    }
    #[cfg(debug_assertions)]
    fault::panic_if_asked(&src.path);
    let parsed = crate::parse::parse(&src.text, src.edition);
    let module = krate
        .manifest
        .as_deref()
        .and_then(|m| walk::module_path(&src.path, m));
    let facts = facts::extract(
        &parsed.tree,
        &src.text,
        file_id,
        src.edition,
        flow_names,
        !full,
        &facts::CrateContext {
            user_blocking: &krate.config.blocking,
            detectors: crate::rules::detectors(),
            reexports: known.reexports,
            module: module.as_deref(),
            test_unit: krate
                .manifest
                .as_deref()
                .is_some_and(|m| !walk::compilation_unit(&src.path, m).is_empty()),
        },
    );
    // A file that does not parse is skipped where the tree has an ERROR node
    // or says anything about locks.
    if facts.has_error || facts.mentions_locks() {
        if let Some(err) = parsed.error {
            let (line, col) = line_col(&src.text, err.range().start().into());
            return Err(Failure::Skip(format!(
                "{}:{line}:{col}: syntax error: {err}; file skipped",
                src.display
            )));
        }
    }
    Ok(Analysed {
        src,
        facts,
        full,
        counted: Counted::new(None),
    })
}

/// How much of a file to analyse.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Depth {
    Skip,
    /// Only what the blocking rules need.
    Blocking,
    Full,
}

/// What reading a file found: its analysis, if `wanted` asked for one, and
/// whether it could hold a lock site in async code.
#[derive(Default)]
pub(super) struct Loaded {
    /// Boxed: a run holds one entry per file walked, most of them empty.
    pub(super) analysed: Option<Box<Analysed>>,
    pub(super) async_site: bool,
    /// Its cfg-alternative module items.
    pub(super) alt_modules: Vec<walk::AltModule>,
}

/// Why a file has no analysis. Each holds one line naming the file.
#[derive(Debug)]
pub(super) enum Failure {
    /// The file cannot be read or parsed: it is skipped, its crate goes on
    /// (a file that does not parse does not build, so no rewrite breaks it).
    Skip(String),
    /// The file may build but could not be analysed (nested too deeply, an
    /// internal error): nothing of its crate is written.
    Crate(String),
}

/// Reads one file and analyses it as deeply as `wanted` says. Its
/// cfg-alternative module items are read only where `alternatives` asks
/// (pass 1; the later steps read a file again only for its analysis).
pub(super) fn load(
    input: &Input,
    krate: &CrateInfo,
    opts: &Options,
    (known, alternatives): (Known, bool),
    flow_names: Option<&HashSet<String>>,
    wanted: impl Fn(&str) -> Depth,
) -> Result<Loaded, Failure> {
    let display = opts.display(&input.path);
    catch(&display, || {
        let a = load_file(
            input,
            krate,
            (known, alternatives),
            flow_names,
            display.clone(),
            wanted,
        );
        a.map(|mut loaded| {
            if let Some(a) = loaded.analysed.as_mut() {
                a.counted = Counted::new(opts.probe.as_ref());
            }
            loaded
        })
    })
    .unwrap_or_else(|e| Err(Failure::Crate(format!("{e}; its crate is not written"))))
}

fn load_file(
    input: &Input,
    krate: &CrateInfo,
    (known, alternatives): (Known, bool),
    flow_names: Option<&HashSet<String>>,
    display: String,
    wanted: impl Fn(&str) -> Depth,
) -> Result<Loaded, Failure> {
    let loaded = read_source(&input.path, display, krate.edition)
        .map_err(Failure::Skip)
        .and_then(|src| {
            let async_site = facts::may_hold_async_lock_site(&src.text);
            let alt_modules = match alternatives {
                true => walk::alternative_modules(&src.text, src.edition),
                false => Vec::new(),
            };
            let depth = wanted(&src.text);
            let analysed = if depth == Depth::Skip || krate.broken {
                None
            } else {
                let full = depth == Depth::Full;
                let mut a = analyse(src, input.file_id, flow_names, full, krate, known)?;
                a.facts.read_only = input.read_only;
                a.facts.cfg_alternative = known.cfg_alternative.to_vec();
                if let Some(m) = krate.manifest.as_deref() {
                    a.facts.unit = walk::compilation_unit(&input.path, m);
                    a.facts.shared_unit =
                        walk::shared_module(&input.path, m, &krate.included_targets);
                    a.facts.module = walk::unit_module_path(&input.path, m, a.facts.shared_unit)
                        .unwrap_or_default();
                    // A library's own files (not its binaries'): code
                    // outside the crate may call their public fns.
                    a.facts.library = krate.library
                        && a.facts.unit.is_empty()
                        && !input.path.ends_with("src/main.rs")
                        && !a.facts.module.starts_with("crate::bin");
                }
                file_allows(&mut a, krate);
                Some(Box::new(a))
            };
            Ok(Loaded {
                analysed,
                async_site,
                alt_modules,
            })
        });
    match loaded {
        // A file the run leaves alone is read only to see the locks it uses;
        // one that cannot be read or parsed does not build, so it cannot
        // break either.
        Err(Failure::Skip(_)) if input.read_only => Ok(Loaded::default()),
        loaded => loaded,
    }
}

/// Suppressions that cover a whole file: `//! awaitify: allow(..)` comments,
/// and the configuration's `per-file-ignores` that match it.
fn file_allows(a: &mut Analysed, krate: &CrateInfo) {
    let whole = TextRange::up_to(ra_ap_syntax::TextSize::of(a.src.text.as_str()));
    let mut offset = 0;
    let lines = match a.src.text.contains("awaitify:") {
        true => a.src.text.split_inclusive('\n'),
        false => "".split_inclusive('\n'),
    };
    for line in lines {
        let start = offset;
        offset += line.len();
        let Some(body) = line.trim_start().strip_prefix("//!") else {
            continue;
        };
        let Some(list) = body.trim().strip_prefix("awaitify:").map(str::trim) else {
            continue;
        };
        let Some(list) = list
            .strip_prefix("allow(")
            .and_then(|l| l.split(')').next())
        else {
            continue;
        };
        let at = start + (line.len() - line.trim_start().len());
        let end = start + line.trim_end().len();
        a.facts.allows.push(facts::Allow {
            range: whole,
            comment: TextRange::new((at as u32).into(), (end as u32).into()),
            rules: list
                .split(',')
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty())
                .collect(),
        });
    }
    let dir = krate.manifest.as_deref().and_then(Path::parent);
    let Some(rel) = dir.and_then(|d| a.src.path.strip_prefix(d).ok()) else {
        return;
    };
    for (glob, rules) in &krate.per_file_ignores {
        if glob.is_match(rel) {
            a.facts.allows.push(facts::Allow {
                range: whole,
                comment: TextRange::empty(0.into()),
                rules: rules.clone(),
            });
        }
    }
}

/// Where an error goes in the run's list: the step that found it, then
/// the file (or, while a crate is planned, the crate planned), so that a run
/// whose crates go through the steps one by one lists its errors as a run
/// that took every file through each step in turn would.
pub(super) type ErrorKey = (Step, usize);

/// The steps whose failures are errors of the run, in the order a run
/// lists them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Step {
    #[default]
    PassOne,
    Reexports,
    AsyncUses,
    /// Planning the crate planned with others under this id.
    Plan(usize),
}

/// The cfg-alternative places of a file (see `walk::alternative_places`).
pub(super) type Places = Vec<(Option<TextRange>, String)>;

/// The state of the files of the crates a run has in hand: each file's
/// analysis, if it has one, and whether it failed, what the crates' earlier
/// steps found that their files' analyses read, and the errors.
#[derive(Default)]
pub(super) struct Files {
    analysed: HashMap<usize, Box<Analysed>>,
    failed: HashSet<usize>,
    pub(super) errors: Vec<(ErrorKey, String)>,
    /// Crates with a file that could not be analysed: none is written.
    pub(super) blocked: BTreeSet<usize>,
    /// The step whose failures `fail` records.
    pub(super) step: Step,
    /// Per crate: lock types its modules re-export, by their path in the
    /// crate.
    pub(super) reexports: HashMap<usize, ReExports>,
    /// Per file: the places cfg-alternative modules cover.
    pub(super) cfg_alternative: HashMap<usize, Places>,
    /// The files that could hold a lock site in async code (pass 1).
    pub(super) async_site: HashSet<usize>,
}

/// What the earlier steps of a crate found that its files' analyses read.
#[derive(Clone, Copy)]
pub(super) struct Known<'a> {
    pub(super) reexports: &'a ReExports,
    pub(super) cfg_alternative: &'a [(Option<TextRange>, String)],
}

impl Files {
    pub(super) fn get(&self, file: usize) -> Option<&Analysed> {
        self.analysed.get(&file).map(|a| &**a)
    }

    pub(super) fn get_mut(&mut self, file: usize) -> Option<&mut Analysed> {
        self.analysed.get_mut(&file).map(|a| &mut **a)
    }

    /// Sets (or, with `None`, clears) the analysis of `file`.
    pub(super) fn set(&mut self, file: usize, analysed: Option<Box<Analysed>>) {
        match analysed {
            Some(a) => self.analysed.insert(file, a),
            None => self.analysed.remove(&file),
        };
    }

    pub(super) fn failed(&self, file: usize) -> bool {
        self.failed.contains(&file)
    }

    /// How many files have an analysis.
    pub(super) fn analysed_count(&self) -> usize {
        self.analysed.len()
    }

    /// What the earlier steps found for `input`'s analysis.
    pub(super) fn known(&self, input: &Input) -> Known<'_> {
        static NONE: std::sync::OnceLock<ReExports> = std::sync::OnceLock::new();
        Known {
            reexports: self
                .reexports
                .get(&input.crate_id)
                .unwrap_or_else(|| NONE.get_or_init(ReExports::new)),
            cfg_alternative: self
                .cfg_alternative
                .get(&input.file_id)
                .map_or(&[], Vec::as_slice),
        }
    }

    /// The files `members` (of the crates `crates`) as a state of their
    /// own, for one crate's plan: their analyses move out of `self`.
    pub(super) fn take(&mut self, crates: &[usize], members: &[usize]) -> Files {
        let mut own = Files {
            step: self.step,
            ..Files::default()
        };
        for &i in members {
            if let Some(a) = self.analysed.remove(&i) {
                own.analysed.insert(i, a);
            }
            if self.failed.contains(&i) {
                own.failed.insert(i);
            }
            if let Some(p) = self.cfg_alternative.get(&i) {
                own.cfg_alternative.insert(i, p.clone());
            }
        }
        for c in crates {
            if let Some(r) = self.reexports.get(c) {
                own.reexports.insert(*c, r.clone());
            }
        }
        own
    }

    /// Puts back what `take` moved out, with the files the crate's plan
    /// analysed and those that failed. Returns the rest of what it added
    /// (errors, blocked crates), for the caller to merge in crate order.
    pub(super) fn put_back(&mut self, mut own: Files) -> Files {
        self.analysed.extend(own.analysed.drain());
        self.failed.extend(own.failed.drain());
        Files {
            errors: own.errors,
            blocked: own.blocked,
            ..Files::default()
        }
    }

    /// Takes in the whole state of `other` (files of other crates).
    pub(super) fn merge(&mut self, other: Files) {
        self.analysed.extend(other.analysed);
        self.failed.extend(other.failed);
        self.errors.extend(other.errors);
        self.blocked.extend(other.blocked);
        self.reexports.extend(other.reexports);
        self.cfg_alternative.extend(other.cfg_alternative);
        self.async_site.extend(other.async_site);
    }

    /// The plan of a crate made of the analysed files among `members`.
    pub(super) fn plan(&self, members: &[usize], opts: &PlanOptions) -> locks::CratePlan {
        let analysed: Vec<&Analysed> = members.iter().filter_map(|&i| self.get(i)).collect();
        let facts: Vec<&FileFacts> = analysed.iter().map(|a| &a.facts).collect();
        let texts: Vec<&str> = analysed.iter().map(|a| a.src.text.as_str()).collect();
        crate::plan::plan(&facts, &texts, opts)
    }

    pub(super) fn fail(&mut self, input: &Input, failure: Failure) {
        self.failed.insert(input.file_id);
        let key = match self.step {
            Step::Plan(c) => (Step::Plan(c), 0),
            step => (step, input.file_id),
        };
        match failure {
            Failure::Skip(e) => self.errors.push((key, e)),
            Failure::Crate(e) => {
                self.errors.push((key, e));
                self.blocked.insert(input.crate_id);
            }
        }
    }

    /// Analyses to `depth` the files among `members` not yet analysed so
    /// far, of crates with a non-empty `scope`, for which `wanted(crate,
    /// text)` holds. Returns how many it analysed.
    pub(super) fn analyse_more(
        &mut self,
        (inputs, crates, opts): (&[Input], &[CrateInfo], &Options),
        members: &[usize],
        (scope, depth): (&HashMap<usize, HashSet<String>>, Depth),
        candidate: impl Fn(usize) -> bool,
        wanted: impl Fn(usize, &str) -> bool + Sync,
    ) -> usize {
        let todo: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| {
                self.get(i).is_none_or(|a| depth == Depth::Full && !a.full)
                    && !self.failed(i)
                    && scope
                        .get(&inputs[i].crate_id)
                        .is_some_and(|s| !s.is_empty())
                    && candidate(i)
            })
            .collect();
        let results: Vec<_> = todo
            .par_iter()
            .map(|&i| {
                let c = inputs[i].crate_id;
                let known = self.known(&inputs[i]);
                load(
                    &inputs[i],
                    &crates[c],
                    opts,
                    (known, false),
                    scope.get(&c),
                    |t| {
                        if wanted(c, t) {
                            depth
                        } else {
                            Depth::Skip
                        }
                    },
                )
            })
            .collect();
        let mut found = 0;
        for (&i, r) in todo.iter().zip(results) {
            match r {
                // A file analysed for the blocking rules keeps that analysis
                // unless it is now analysed in full.
                Ok(Loaded {
                    analysed: Some(a), ..
                }) => {
                    found += 1;
                    self.set(i, Some(a));
                }
                Ok(_) => {}
                Err(e) => self.fail(&inputs[i], e),
            }
        }
        found
    }
}
