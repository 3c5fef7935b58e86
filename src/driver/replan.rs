//! One crate's plan turned into its outcome (`CrateRun`), and what a run
//! keeps so that the compiler's referee can have a crate planned again
//! (`Replanner`).

use std::collections::BTreeMap;
use std::path::Path;

use super::files::Files;
use super::suppressions::unused_allows;
use crate::locks::{self, CrateView};
use crate::model::Analysed;
use crate::options::Options;
use crate::outcome::{Outcome, Replan};
use crate::settings::{self, PlanOptions};
use crate::walk::{CrateInfo, Input};

/// One crate's plan turned into its outcome: what the run does once the
/// crate's files are analysed, and what a re-plan for the compiler repeats.
pub(super) struct CrateRun<'a> {
    pub(super) inputs: &'a [Input],
    pub(super) crates: &'a [CrateInfo],
    pub(super) crate_id: usize,
    /// The analysed files planned together (see `Files::plan`).
    pub(super) present: &'a [usize],
    pub(super) opts: &'a Options,
}

impl CrateRun<'_> {
    /// Adds the unused-suppression findings to `plan`, and emits it into
    /// `out`. Returns what the compiler's referee needs to know of it.
    pub(super) fn finish(
        &self,
        state: &mut Files,
        mut plan: locks::CratePlan,
        baseline: Option<&mut crate::baseline::Baseline>,
        out: &mut Outcome,
    ) -> Option<CrateView> {
        let krate = &self.crates[self.crate_id];
        unused_allows(state, self.present, krate, baseline, &mut plan);
        let files: Vec<&Analysed> = self.present.iter().filter_map(|&i| state.get(i)).collect();
        // The files of crates planned with this library, and their own
        // manifests.
        let joined: Vec<(usize, &Path)> = self
            .present
            .iter()
            .enumerate()
            .filter(|(_, &i)| self.inputs[i].crate_id != self.crate_id)
            .filter_map(|(f, &i)| {
                Some((f, self.crates[self.inputs[i].crate_id].manifest.as_deref()?))
            })
            .collect();
        let view = self.opts.replan.then(|| {
            CrateView::new(
                files
                    .iter()
                    .map(|a| (&a.src.path, &a.src.display, &a.src.text, &a.facts)),
                &plan,
            )
        });
        emit(
            self.crate_id,
            krate.manifest.as_deref(),
            &joined,
            &files,
            plan,
            self.opts,
            out,
        );
        view
    }
}

/// What the run keeps of one crate planned whose plan changes files, for
/// the compiler's re-plans: its analysed files, and its plan's fixes.
pub(super) struct Kept {
    pub(super) state: Files,
    pub(super) present: Vec<usize>,
    pub(super) view: CrateView,
}

/// What a run knows after planning, kept so that a crate can be planned
/// again with the compiler's corrections (`verify`): only the crates whose
/// plans change files, which are the ones the compiler checks.
pub(super) struct Replanner {
    pub(super) inputs: Vec<Input>,
    pub(super) crates: Vec<CrateInfo>,
    pub(super) opts: Options,
    /// Per planned crate with changes (by the crate planned).
    pub(super) kept: BTreeMap<usize, Kept>,
}

impl std::fmt::Debug for Replanner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Replanner({} crates)", self.kept.len())
    }
}

impl Replan for Replanner {
    /// The fixes of a crate's latest plan, and its files.
    fn view(&self, crate_id: usize) -> Option<&CrateView> {
        self.kept.get(&crate_id).map(|k| &k.view)
    }

    /// Plans crate `crate_id` again with the compiler's corrections: its
    /// findings and changes, from the unchanged files, never patched.
    fn replan(&mut self, crate_id: usize, referee: &settings::Referee) -> Outcome {
        let mut out = Outcome::default();
        let Some(kept) = self.kept.get_mut(&crate_id) else {
            return out;
        };
        let krate = &self.crates[crate_id];
        let opts = PlanOptions {
            referee: referee.clone(),
            ..krate.plan.clone()
        };
        let plan = kept.state.plan(&kept.present, &opts);
        let run = CrateRun {
            inputs: &self.inputs,
            crates: &self.crates,
            crate_id,
            present: &kept.present,
            opts: &self.opts,
        };
        if let Some(view) = run.finish(&mut kept.state, plan, None, &mut out) {
            kept.view = view;
        }
        out
    }
}

/// Turns a crate's plan into new file contents and diagnostics.
fn emit(
    crate_id: usize,
    manifest_path: Option<&Path>,
    joined: &[(usize, &Path)],
    files: &[&Analysed],
    mut plan: locks::CratePlan,
    opts: &Options,
    out: &mut Outcome,
) {
    let (crate_ok, shared) =
        super::apply::apply_plan(crate_id, manifest_path, joined, files, &mut plan, opts, out);
    crate::findings::diagnostics(crate_id, files, &plan, crate_ok, &shared, opts, out);
}
