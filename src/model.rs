//! What a file is as a run reads and changes it: plain data every stage
//! shares (a place in a file, a file's text and facts, its new contents).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ra_ap_syntax::{Edition, TextRange};

use crate::edits::edit::line_col;
use crate::facts::FileFacts;

/// A place in a file: byte range of the text (without a byte-order mark) and
/// the 1-based line and column (in characters) where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub path: String,
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

/// New contents for one file.
#[derive(Clone, Debug)]
pub struct FileChange {
    pub path: PathBuf,
    pub display: String,
    pub old: String,
    pub new: String,
    /// Files of one crate are written all together or not at all.
    pub crate_id: usize,
    /// The crate's `Cargo.toml`, if a manifest owns the file.
    pub manifest: Option<PathBuf>,
}

pub(crate) struct SourceText {
    pub(crate) path: PathBuf,
    pub(crate) display: String,
    /// The text without a byte-order mark.
    pub(crate) text: String,
    pub(crate) bom: bool,
    pub(crate) edition: Edition,
}

impl SourceText {
    /// Where `range` of this file is, as the output names it.
    pub(crate) fn span(&self, range: TextRange) -> Span {
        let (line, col) = line_col(&self.text, range.start().into());
        let (end_line, end_col) = line_col(&self.text, range.end().into());
        Span {
            path: self.display.clone(),
            start: range.start().into(),
            end: range.end().into(),
            line,
            col,
            end_line,
            end_col,
        }
    }
}

pub(crate) struct Analysed {
    pub(crate) src: SourceText,
    pub(crate) facts: FileFacts,
    /// All facts, not just those of the blocking rules.
    pub(crate) full: bool,
    /// Counts it among the run's analyses alive, where the run has a probe.
    pub(crate) counted: Counted,
}

/// A window for tests into how a run holds its analyses
/// (`Options::probe`): how many are alive, and how many were alive as each
/// crate's turn came.
#[derive(Debug, Default)]
pub struct Probe {
    live: AtomicUsize,
    at_crate_start: Mutex<Vec<usize>>,
}

impl Probe {
    /// How many analyses are alive.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// How many analyses were alive as each crate's turn came, in turn.
    pub fn at_crate_start(&self) -> Vec<usize> {
        self.at_crate_start
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub(crate) fn crate_starts(&self) {
        let live = self.live();
        (self.at_crate_start.lock())
            .unwrap_or_else(|e| e.into_inner())
            .push(live);
    }
}

/// One analysis counted alive by a probe, until it is dropped.
pub(crate) struct Counted(Option<Arc<Probe>>);

impl Counted {
    pub(crate) fn new(probe: Option<&Arc<Probe>>) -> Counted {
        if let Some(p) = probe {
            p.live.fetch_add(1, Ordering::SeqCst);
        }
        Counted(probe.cloned())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        if let Some(p) = &self.0 {
            p.live.fetch_sub(1, Ordering::SeqCst);
        }
    }
}
