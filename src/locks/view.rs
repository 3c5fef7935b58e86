//! What the compiler's referee (`verify`) knows of a crate's plan: the
//! crate's files as they were read, and the plan's fixes with the places the
//! compiler may name for each.

use std::path::PathBuf;

use ra_ap_syntax::TextRange;

use super::{CratePlan, Decision, Loc};
use crate::edits::edit::line_col;
use crate::facts::FileFacts;
use crate::imports::Family;

/// A fix of a crate's plan and the places the compiler may name for it.
#[derive(Clone, Debug)]
pub struct Fix {
    /// Its declaration (a lock group's first) or blocking call.
    pub at: Loc,
    /// A lock migration (else a blocking call's fix).
    pub lock: bool,
    /// How it is named in messages: "std Mutex `State.hits`".
    pub name: String,
    /// A lock group's declarations.
    pub members: Vec<Loc>,
    /// Its declarations, sites, type paths and edits.
    pub places: Vec<Loc>,
    /// The names code uses to reach a lock group.
    pub reach_names: Vec<String>,
}

/// A declaration of a std lock, where the compiler may show a missed flow.
#[derive(Clone, Debug)]
pub struct ViewDecl {
    pub range: TextRange,
    pub display: String,
    pub reach_name: Option<String>,
}

/// A file of a crate as it was read.
#[derive(Clone, Debug)]
pub struct ViewFile {
    pub path: PathBuf,
    pub display: String,
    pub text: String,
    pub decls: Vec<ViewDecl>,
}

/// A crate's files and the fixes of its latest plan.
#[derive(Clone, Debug, Default)]
pub struct CrateView {
    pub files: Vec<ViewFile>,
    pub fixes: Vec<Fix>,
}

impl CrateView {
    /// The view of `plan`, made from `files` (path, display, text, facts).
    pub fn new<'a>(
        files: impl Iterator<Item = (&'a PathBuf, &'a String, &'a String, &'a FileFacts)>,
        plan: &CratePlan,
    ) -> CrateView {
        let files: Vec<ViewFile> = files
            .map(|(path, display, text, facts)| ViewFile {
                path: path.clone(),
                display: display.clone(),
                text: text.clone(),
                decls: facts
                    .decls
                    .iter()
                    .filter(|d| d.family == Family::Std)
                    .map(|d| ViewDecl {
                        range: d.range,
                        display: d.display.clone(),
                        reach_name: d.key.reach_name().map(|n| n.to_string()),
                    })
                    .collect(),
            })
            .collect();
        let locks = plan
            .reports
            .iter()
            .filter(|r| r.decision == Decision::Migrate)
            .map(|r| Fix {
                at: r.decl.clone(),
                lock: true,
                name: format!("std {} {}", r.lock.name(), r.display),
                members: r.members.clone(),
                places: (r.members.iter().chain(&r.places).cloned())
                    .chain(r.edits.iter().map(|(file, e)| Loc {
                        file: *file,
                        range: e.range,
                    }))
                    .collect(),
                reach_names: r.reach_names.clone(),
            });
        let blocking = plan
            .blocking
            .iter()
            .filter(|b| b.fixed && b.rule.family == crate::rules_meta::Family::Blocking)
            .map(|b| Fix {
                at: b.at.clone(),
                lock: false,
                name: format!("the {} fix at {}", b.rule.code, {
                    let (line, col) = line_col(&files[b.at.file].text, b.at.range.start().into());
                    format!("{}:{line}:{col}", files[b.at.file].display)
                }),
                members: Vec::new(),
                places: std::iter::once(b.at.clone())
                    .chain(b.edits.iter().map(|e| Loc {
                        file: b.at.file,
                        range: e.range,
                    }))
                    .collect(),
                reach_names: Vec::new(),
            });
        let fixes = locks.chain(blocking).collect();
        CrateView { files, fixes }
    }
}
